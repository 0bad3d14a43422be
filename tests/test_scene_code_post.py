"""A scene script's `add_post` (direct bpy compositor nodes) makes the builder's look: the same
look group (nodes, settings, unlinked values, links) and the same compositing set-up, for samples
of every shipped spec and for every effect, grade step and style finish (checked in bpy, without
rendering); the values a script leaves out are what new nodes hold."""

import sys

import pytest

from psynth_render.scene_code_parts import split_stated
from tests.scene_code_fixtures import close as _close, run_without_blender, shipped_scripts


def _value(socket):
    value = socket.default_value
    return tuple(value) if hasattr(value, "__len__") and not isinstance(value, str) else value


def _look_state(scene):
    """The look group by node name (kind, settings, unlinked inputs), its links, and how the
    scene composites (its tree's name, the active flag, compositing on)."""
    from psynth_render.scene.build.looks import LOOK_GROUP

    group = next(g for g in sys.modules["bpy"].data.node_groups if g.name == LOOK_GROUP)
    nodes = {}
    for node in group.nodes:
        settings = {p: getattr(node, p) for p in ("data_type", "blend_type", "operation", "use_clamp", "clamp",
                                                   "noise_dimensions", "mode") if hasattr(node, p)}
        inputs = {s.identifier: _value(s) for s in node.inputs if not s.is_linked and hasattr(s, "default_value")}
        nodes[node.name] = (node.bl_idname, settings, inputs)
    links = sorted((lk.from_node.name, lk.from_socket.identifier, lk.to_node.name, lk.to_socket.identifier)
                   for lk in group.links)
    tree = scene.compositing_node_group
    return nodes, links, (tree.name if tree else None, bool(scene.get("psynth_post_active")),
                          scene.render.use_compositing)


def _every_look(desc):
    """`desc` with each effect alone and all together, a full grade, and each style finish."""
    post, style = desc.post, desc.style
    grade = post.grade.model_copy(update={"concept": "test", "lift": (0.02, -0.01, 0.0), "gamma": (1.1, 1.0, 0.9),
                                          "gain": (1.2, 1.0, 0.8), "saturation": 0.7, "contrast": 1.3,
                                          "tint": (1.0, 0.9, 0.8)})
    neutral = post.grade.model_copy(update={"lift": (0.0, 0.0, 0.0), "gamma": (1.0, 1.0, 1.0),
                                            "gain": (1.0, 1.0, 1.0), "saturation": 1.0, "contrast": 1.0,
                                            "tint": (1.0, 1.0, 1.0)})
    effects = {"bloom": 0.4, "vignette": 0.3, "grain": 0.5, "chromatic_aberration": 0.2}
    posts = [post.model_copy(update={k: v, "grade": neutral}) for k, v in effects.items()]
    posts += [post.model_copy(update={**effects, "grade": grade, "seed": 424242}),
              post.model_copy(update={k: 0.0 for k in effects} | {"grade": neutral})]
    styles = [style.model_copy(update={"pixel_size": 6, "posterize": 5}),
              style.model_copy(update={"cel_levels": 3, "pixel_size": None, "posterize": None})]
    plain = style.model_copy(update={"pixel_size": None, "posterize": None, "cel_levels": None})
    out = [desc.model_copy(update={"post": p, "style": plain}, deep=True) for p in posts]
    out += [desc.model_copy(update={"post": posts[-1], "style": s}, deep=True) for s in styles]
    return out


def test_a_new_compositor_node_holds_the_defaults_scripts_leave_out():
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build.post_settings import NODE_DEFAULTS

    group = bpy.data.node_groups.new("defaults", "CompositorNodeTree")
    try:
        for kind, defaults in NODE_DEFAULTS.items():
            node = group.nodes.new(kind)
            by_identifier = {s.identifier: s for s in node.inputs}
            for socket, value in defaults.items():
                assert _close(_value(by_identifier[socket]), value), (kind, socket)
    finally:
        bpy.data.node_groups.remove(group)


def test_stated_post_makes_the_builders_look(monkeypatch):
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build import looks
    from psynth_render.scene_code import scene_script

    cases = shipped_scripts(rows=2)
    for mixed in _every_look(cases[0][1]):
        cases.append(("mixed", mixed, scene_script(mixed, {"image_name": "x.png"})))
    seen = set()
    for name, desc, code in cases:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        scene = bpy.context.scene
        scene.render.resolution_x, scene.render.resolution_y = 200, 120
        looks.composite(scene, desc.post, desc.style, 200)
        expected = _look_state(scene)
        bpy.ops.wm.read_factory_settings(use_empty=True)
        scene = bpy.context.scene
        scene.render.resolution_x, scene.render.resolution_y = 200, 120
        namespace = run_without_blender(code, monkeypatch)
        assert namespace["scene"].post is None and "ps.Post(" not in code, name
        for helper in ("look_tree", "contrast_curve", "posterize_levels", "cel_bands"):
            monkeypatch.setattr(sys.modules["__psynth_scene__"], helper, getattr(looks, helper), raising=False)
        namespace["add_post"](scene)
        got = _look_state(scene)
        assert got[2] == expected[2] and got[1] == expected[1] and sorted(got[0]) == sorted(expected[0]), name
        for node, (kind, settings, inputs) in expected[0].items():
            got_kind, got_settings, got_inputs = got[0][node]
            assert got_kind == kind and got_settings == settings, (name, node)
            assert _close(tuple(sorted(got_inputs.items())), tuple(sorted(inputs.items()))), (name, node)
        seen |= {kind for kind, _, _ in expected[0].values()}
    assert {"CompositorNodeGlare", "CompositorNodeLensdist", "CompositorNodeEllipseMask", "CompositorNodePixelate",
            "CompositorNodeColorBalance", "CompositorNodeHueSat", "ShaderNodeTexWhiteNoise"} <= seen


def test_the_scripts_data_holds_no_post():
    desc = shipped_scripts(rows=1)[0][1]
    data, steps = split_stated(desc)
    assert data.post is None and [n for n, _ in steps["post"]] == ["post"]
    assert steps["post"][0][1].part == desc.post and steps["post"][0][1].read["style"] == desc.style


def test_a_script_data_without_its_post_is_refused_by_the_builder():
    """The data alone (post left to `add_post`) cannot be built: a clear error naming the step."""
    pytest.importorskip("bpy")
    from psynth_render.scene.build import builder

    data, _ = split_stated(shipped_scripts(rows=1)[0][1])
    others = dict.fromkeys(("render", "camera", "materials", "objects", "world"), lambda scene: None)
    with pytest.raises(ValueError, match=r"no post part.*stated=\{'post'"):
        builder.build(data, stated=others)
