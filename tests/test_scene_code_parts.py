"""Every model part has a scene-code generator, and the parts a script states in bpy make the
same Blender objects as the builder's own step (checked in bpy, without rendering)."""

import math
import sys

import pytest
from pydantic import BaseModel

from psynth_render.scene.build import builder
from psynth_render.scene.build.render_settings import HOUSE_SETTINGS, apply_assignments
from psynth_render.scene.describe.model import Lighting, RenderSettings, SceneLight
from psynth_render.scene_code_parts import STEP_ORDER, generator, model_parts, split_stated
from psynth_spec.render_params.surfaces import SurfaceDetail
from tests.scene_code_fixtures import close as _close, run_without_blender, shipped_scripts


def test_every_model_part_has_a_code_generator():
    """A model class the builder's Scene gains (a new effect, look or parameter block) must be
    registered in scene_code_parts, as library data or as direct bpy; this fails loudly when not."""
    parts = model_parts()
    assert {SceneLight, Lighting, RenderSettings} <= parts and len(parts) > 15
    missing = []
    for cls in parts:
        try:
            generator(cls)
        except LookupError:
            missing.append(cls.__name__)
    assert not missing, f"model parts without a scene-code generator: {missing}"
    assert STEP_ORDER == builder.STATED_STEPS
    for cls in parts:  # a stated part names a step the builder lets a script do
        code = generator(cls)
        assert code.step is None or (code.step in builder.STATED_STEPS and code.function and code.write), cls


def test_an_unregistered_part_fails_with_where_to_register_it():
    class Hologram(BaseModel):
        flicker: float = 0.5

    with pytest.raises(LookupError, match=r"Hologram.*scene_code_parts\.py"):
        generator(Hologram)


def test_a_stated_part_outside_a_list_is_refused(monkeypatch):
    from psynth_render import scene_code_parts

    _, desc, _ = shipped_scripts(rows=1)[0]
    code = scene_code_parts.PartCode(type(desc.backdrop), "lights", "add_lights", lambda e, n, i: [])
    monkeypatch.setitem(scene_code_parts._REGISTRY, type(desc.backdrop), code)
    with pytest.raises(ValueError, match="Scene.backdrop: a part stated in bpy must be a list element or a field "
                                         "that accepts None"):
        split_stated(desc)


def test_split_keeps_the_data_and_names_the_stated_lights():
    _, desc, _ = shipped_scripts(rows=1)[0]
    data, steps = split_stated(desc)
    assert data.lighting.lights == [] and desc.lighting.lights  # the original is untouched
    assert data.render is None and desc.render and steps["render"] == [("render", desc.render)]
    assert [e for _, e in steps["lights"]] == desc.lighting.lights
    names = [n for n, _ in steps["lights"]]
    assert len(set(names)) == len(names) and all(n.isidentifier() for n in names)


def test_a_script_data_without_its_stated_parts_is_refused_by_the_builder():
    """The data of a script (render settings and world left to its bpy functions) cannot be
    built without those functions: a clear error, before the bpy scene is touched."""
    pytest.importorskip("bpy")
    _, desc, _ = shipped_scripts(rows=1)[0]
    data, _ = split_stated(desc)
    with pytest.raises(ValueError, match=r"no render part.*stated=\{'render': \.\.\.\}"):
        builder.build(data, stated={"lights": lambda scene: None})
    with pytest.raises(ValueError, match=r"no camera part.*stated=\{'camera'"):
        builder.build(data, stated={"render": lambda scene: None})
    with pytest.raises(ValueError, match=r"no materials part.*stated=\{'materials'"):
        builder.build(data, stated={"render": lambda scene: None, "camera": lambda scene: None})
    with pytest.raises(ValueError, match=r"no objects part.*stated=\{'objects'"):
        builder.build(data, stated=dict.fromkeys(("render", "camera", "materials"), lambda scene: None))
    with pytest.raises(ValueError, match=r"no world part.*stated=\{'world'"):
        builder.build(data, stated=dict.fromkeys(("render", "camera", "materials", "objects"), lambda scene: None))


def _light_state(bpy):
    bpy.context.view_layer.update()  # matrix_world follows location and rotation
    out = {}
    for obj in bpy.context.scene.objects:
        if obj.type != "LIGHT":
            continue
        d = obj.data
        out[obj.name] = {
            "type": d.type, "color": tuple(d.color), "energy": d.energy, "temperature": d.use_temperature,
            "shape": getattr(d, "shape", None), "size": getattr(d, "size", None), "size_y": getattr(d, "size_y", None),
            "soft": getattr(d, "shadow_soft_size", None), "spot": getattr(d, "spot_size", None),
            "blend": getattr(d, "spot_blend", None), "angle": getattr(d, "angle", None),
            "location": tuple(obj.location), "rotation": tuple(v for row in obj.matrix_world.to_3x3() for v in row),
        }
    return out


def _every_kind_of_lamp(desc):
    """`desc` lit by one lamp of each kind and area shape (the shipped specs use area lamps)."""
    key = desc.lighting.lights[0]
    lamps = [key.model_copy(update={"type": "point", "size": 0.3, "azimuth_deg": 20.0, "elevation_deg": -10.0}),
             key.model_copy(update={"type": "spot", "spot_size_deg": 35.0, "spot_blend": 0.4, "elevation_deg": 89.0}),
             key.model_copy(update={"type": "sun", "size": 2.5, "power": 3.0, "rgb": (1.0, 0.5, 0.25)}),
             key.model_copy(update={"shape": "RECTANGLE", "size": 2.0, "size_y": 0.5, "role": "fill"}),
             key.model_copy(update={"shape": "DISK", "role": "fill"})]
    return desc.model_copy(update={"lighting": desc.lighting.model_copy(update={"lights": lamps})}, deep=True)


def test_stated_lights_make_the_builders_lights(monkeypatch):
    """For samples of every shipped spec, and a rig of every lamp kind: the script's
    `add_lights` and builder._lights give lamps of the same names, kinds, colours, powers,
    sizes, positions and aims."""
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene_code import scene_script

    kinds = set()
    cases = shipped_scripts(rows=2)
    mixed = _every_kind_of_lamp(cases[0][1])
    cases.append(("every lamp kind", mixed, scene_script(mixed, {"image_name": "x.png"})))
    for name, desc, code in cases:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        builder._lights(bpy.context.scene, desc.lighting.lights)
        expected = _light_state(bpy)
        bpy.ops.wm.read_factory_settings(use_empty=True)
        run_without_blender(code, monkeypatch)["add_lights"](bpy.context.scene)
        got = _light_state(bpy)
        assert sorted(got) == sorted(expected), name
        for light, values in expected.items():
            for key, value in values.items():
                assert _close(got[light][key], value), (name, light, key, got[light][key], value)
        kinds |= {v["type"] for v in expected.values()}
    assert kinds == {"AREA", "POINT", "SPOT", "SUN"}
    assert "fill_2" in cases[-1][2]  # a repeated role gets a numbered variable


_RENDER_PROPERTIES = (
    "render.engine", "render.resolution_x", "render.resolution_y", "render.resolution_percentage",
    "render.film_transparent", "render.use_persistent_data", "view_settings.view_transform", "view_settings.look",
    "view_settings.gamma", "cycles.samples", "cycles.seed", "cycles.use_animated_seed", "cycles.use_denoising",
    "cycles.max_bounces", "cycles.diffuse_bounces", "cycles.glossy_bounces", "cycles.transmission_bounces",
    "cycles.volume_bounces", "eevee.taa_render_samples", "eevee.use_raytracing", "display.shading.light",
    "display.shading.color_type", "display.render_aa",
)
"""Every bpy scene property the builder's render step sets (read back by name, not from its table)."""


def _properties(owner, paths):
    """{dotted path: value} of bpy properties read from `owner` (a scene, a camera's data)."""
    out = {}
    for path in paths:
        value = owner
        for part in path.split("."):
            value = getattr(value, part)
        out[path] = value
    return out


def _render_state(scene):
    return _properties(scene, _RENDER_PROPERTIES)


def _every_engine(desc):
    """`desc` rendered by each engine (Cycles with odd bounces, EEVEE, Workbench at two sample counts)."""
    r = desc.render
    return [r.model_copy(update={"engine": "CYCLES", "max_bounces": 7, "volume_bounces": 3, "denoise": False,
                                 "width": 96, "height": 40, "seed": 12345}),
            r.model_copy(update={"engine": "BLENDER_EEVEE", "samples": 9, "eevee_raytracing": True}),
            r.model_copy(update={"engine": "BLENDER_WORKBENCH", "samples": 12, "workbench_lighting": "FLAT",
                                 "workbench_color": "OBJECT"}),
            r.model_copy(update={"engine": "BLENDER_WORKBENCH", "samples": 2})]


def test_stated_render_settings_make_the_builders_settings(monkeypatch):
    """The script's `set_render` and builder.render_settings leave the bpy scene with the same
    engine, frame and samples, for every shipped spec and every engine; the
    script's data holds no render settings (each value is written once)."""
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene_code import scene_script

    cases = shipped_scripts(rows=1)
    first = cases[0][1]
    for render in _every_engine(first):
        mixed = first.model_copy(update={"render": render}, deep=True)
        cases.append((render.engine, mixed, scene_script(mixed, {"image_name": "x.png"})))
    engines = set()
    for name, desc, code in cases:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        apply_assignments(bpy.context.scene, HOUSE_SETTINGS)  # the builder's render step: house, then the sample's
        builder.render_settings(bpy.context.scene, desc.render)
        expected = _render_state(bpy.context.scene)
        bpy.ops.wm.read_factory_settings(use_empty=True)
        apply_assignments(bpy.context.scene, HOUSE_SETTINGS)
        namespace = run_without_blender(code, monkeypatch)
        assert namespace["scene"].render is None and "ps.RenderSettings(" not in code, name
        namespace["set_render"](bpy.context.scene)
        assert _render_state(bpy.context.scene) == expected, name
        engines.add(expected["render.engine"])
    assert engines == {"CYCLES", "BLENDER_EEVEE", "BLENDER_WORKBENCH"}


def _tree_state(tree):
    """A node tree by node name: kinds, settings, unlinked inputs; its links."""
    nodes = {}
    for node in tree.nodes:
        settings = {p: getattr(node, p) for p in (
            "data_type", "blend_type", "clamp", "sky_type", "sun_elevation", "sun_rotation", "sun_size",
            "sun_intensity", "sun_disc", "altitude", "air_density", "aerosol_density", "ozone_density", "turbidity",
            "ground_albedo", "operation", "use_clamp", "noise_type", "wave_type", "wave_profile", "bands_direction",
            "rings_direction", "feature", "distance", "voronoi_dimensions", "noise_dimensions")
            if hasattr(node, p)}
        if hasattr(node, "sun_direction"):
            settings["sun_direction"] = tuple(node.sun_direction)
        if getattr(node, "image", None) is not None:
            settings["image"] = node.image.name
        inputs = {s.identifier: (tuple(s.default_value) if hasattr(s.default_value, "__len__") else s.default_value)
                  for s in node.inputs if not s.is_linked and hasattr(s, "default_value")}
        nodes[node.name] = (node.bl_idname, settings, inputs)
    links = sorted((lk.from_node.name, lk.from_socket.identifier, lk.to_node.name, lk.to_socket.identifier)
                   for lk in tree.links)
    return nodes, links


def _world_state(world):
    """The world's node graph by node name: kinds, settings, unlinked inputs, links; its colour."""
    return *_tree_state(world.node_tree), tuple(world.color), world.get("psynth_kind")


def _every_world(desc):
    """(environment, backdrop) pairs: each world kind and sky model, a bundled HDRI, and the
    backdrops that add a camera background (void colour, sky gradient) or none."""
    w, bg = desc.lighting.world, desc.backdrop
    worlds = [w.model_copy(update={"kind": "uniform", "color": (0.2, 0.3, 0.4), "strength": 2.5}),
              w.model_copy(update={"kind": "gradient", "horizon_color": (0.8, 0.7, 0.6), "zenith_color": (0.1, 0.2, 0.9)}),
              w.model_copy(update={"kind": "sky", "sky_type": "MULTIPLE_SCATTERING", "sun_elevation_deg": 12.0,
                                   "sun_azimuth_deg": 250.0, "altitude_m": 300.0, "sun_disc": False}),
              w.model_copy(update={"kind": "sky", "sky_type": "HOSEK_WILKIE", "turbidity": 4.0, "ground_albedo": 0.2}),
              w.model_copy(update={"kind": "image", "image": "forest", "rotation_deg": 75.0, "strength": 0.8})]
    backdrops = [bg.model_copy(update={"kind": "void", "color": (0.9, 0.1, 0.1)}),
                 bg.model_copy(update={"kind": "sky", "horizon_color": (0.9, 0.8, 0.7),
                                       "zenith_color": (0.2, 0.3, 0.8)}),
                 bg.model_copy(update={"kind": "sweep"})]
    return [(world, backdrop) for world in worlds for backdrop in backdrops]


def test_stated_world_makes_the_builders_world(monkeypatch):
    """The script's `set_world` and surfaces.lighting_world give the same node graph (node
    kinds, names, settings, unlinked values, links) and Workbench colour, for samples of every
    shipped spec and every world kind with each kind of backdrop after it (backdrop_in_world)."""
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build import surfaces
    from psynth_render.scene_code import scene_script
    from psynth_render.scene_code_parts import WORLD_KIND

    assert WORLD_KIND == surfaces.WORLD_KIND
    cases = [(name, desc.lighting.world, desc.backdrop, code) for name, desc, code in shipped_scripts(rows=1)]
    first = shipped_scripts(rows=1)[0][1]
    for world, backdrop in _every_world(first):
        lighting = first.lighting.model_copy(update={"world": world})
        mixed = first.model_copy(update={"lighting": lighting, "backdrop": backdrop}, deep=True)
        cases.append((f"{world.kind} {world.sky_type} {backdrop.kind}", world, backdrop,
                      scene_script(mixed, {"image_name": "x.png"})))
    kinds = set()
    for name, world, backdrop, code in cases:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        surfaces.lighting_world(bpy.context.scene, world)
        surfaces.backdrop_in_world(bpy.context.scene, backdrop)
        expected = _world_state(bpy.context.scene.world)
        bpy.ops.wm.read_factory_settings(use_empty=True)
        namespace = run_without_blender(code, monkeypatch)
        assert namespace["scene"].lighting.world is None and "ps.Environment(" not in code, name
        monkeypatch.setattr(sys.modules["__psynth_scene__"], "world_tree", surfaces.world_tree, raising=False)
        monkeypatch.setattr(sys.modules["__psynth_scene__"], "hdri_image", surfaces.hdri_image, raising=False)
        namespace["set_world"](bpy.context.scene)
        surfaces.backdrop_in_world(bpy.context.scene, backdrop)
        got = _world_state(bpy.context.scene.world)
        assert got[1:] == expected[1:] and sorted(got[0]) == sorted(expected[0]), name
        for node, (kind, settings, inputs) in expected[0].items():
            got_kind, got_settings, got_inputs = got[0][node]
            assert got_kind == kind and _close(tuple(got_settings.values()), tuple(settings.values())), (name, node)
            assert _close(tuple(got_inputs.items()), tuple(inputs.items())), (name, node, got_inputs, inputs)
        kinds.add((world.kind, len(expected[0])))
    assert {k for k, _ in kinds} == {"uniform", "gradient", "sky", "image"}


_CAMERA_PROPERTIES = ("type", "lens", "sensor_width", "sensor_fit", "ortho_scale", "shift_x", "shift_y",
                      "clip_start", "clip_end", "panorama_type", "fisheye_fov", "fisheye_lens", "dof.use_dof",
                      "dof.aperture_fstop", "dof.aperture_ratio", "dof.aperture_blades")
"""Every camera-data property the builder's camera step sets or leaves at Blender's default."""


def _camera_state(cam):
    return _properties(cam, _CAMERA_PROPERTIES)


def _every_lens(desc):
    """`desc` seen through each lens kind: orthographic, shifted, each panorama, anamorphic
    bokeh with blades, no depth of field; and a rig of three views sharing one lens."""
    view, lens = desc.camera.main, desc.camera.main.lens
    lenses = [(lens.model_copy(update={"concept": "ortho", "lens_type": "ORTHO"}), {"ortho_scale": 3.25}),
              (lens.model_copy(update={"concept": "tilt_shift", "shift_x": 0.2, "shift_y": -0.15}), {"dof": False}),
              (lens.model_copy(update={"concept": "anamorphic", "aperture_ratio": 2.0, "aperture_blades": 6}),
               {"focal_length": 35.0, "sensor_width": 24.0, "scene_fstop": 0.2})]
    for kind in ("FISHEYE_EQUIDISTANT", "FISHEYE_EQUISOLID", "EQUIRECTANGULAR", "MIRRORBALL"):
        lenses.append((lens.model_copy(update={"concept": kind.lower(), "lens_type": "PANO", "panorama_type": kind,
                                               "fisheye_fov_deg": 360.0 if kind == "EQUIRECTANGULAR" else 190.0,
                                               "fisheye_lens_mm": 8.0}), {}))
    out = []
    for new_lens, optics in lenses:
        views = [view.model_copy(update={"lens": new_lens, **optics}, deep=True)]
        out.append(desc.model_copy(update={"camera": desc.camera.model_copy(update={"views": views})}, deep=True))
    rig = [view.model_copy(update={"name": f"v{k:02d}", "azimuth_deg": 120.0 * k}, deep=True) for k in range(3)]
    out.append(desc.model_copy(update={"camera": desc.camera.model_copy(update={"views": rig, "rig": "orbit"})},
                               deep=True))
    return out


def test_a_new_bpy_camera_holds_the_defaults_scripts_leave_out():
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build.camera_optics import BLENDER_CAMERA_DEFAULTS

    cam = bpy.data.cameras.new("defaults")
    try:
        state = _camera_state(cam)
        for path, value in BLENDER_CAMERA_DEFAULTS.items():
            assert _close(state[path], value), (path, state[path], value)
    finally:
        bpy.data.cameras.remove(cam)


def test_stated_camera_makes_the_builders_lens_and_the_build_reads_it_back(monkeypatch):
    """The script's `set_camera` and builder.camera_optics leave the camera with the same
    projection, sensor, focal length, shift, clip range, panorama and depth of field, for
    every shipped spec and every lens kind; the script's data holds no lens (each value is
    written once), and the build reads the lens and optics back from bpy into every view."""
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene_code import scene_script

    cases = shipped_scripts(rows=2)
    for mixed in _every_lens(cases[0][1]):
        cases.append((mixed.camera.main.lens.concept, mixed, scene_script(mixed, {"image_name": "x.png"})))
    kinds = set()
    for name, desc, code in cases:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        builder.camera_optics(bpy.context.scene, desc.camera.main)
        expected = _camera_state(bpy.context.scene.camera.data)
        bpy.ops.wm.read_factory_settings(use_empty=True)
        namespace = run_without_blender(code, monkeypatch)
        data = namespace["scene"]
        assert all(v.lens is None and v.focal_length is None and v.dof is None for v in data.camera.views), name
        assert "ps.Lens(" not in code and code.count("ps.camera_data(") == 1, name
        monkeypatch.setattr(sys.modules["__psynth_scene__"], "camera_data", builder.camera_data, raising=False)
        namespace["set_camera"](bpy.context.scene)
        cam = bpy.context.scene.camera.data
        got = _camera_state(cam)
        assert sorted(got) == sorted(expected), name
        for key, value in expected.items():
            assert _close(got[key], value), (name, key, got[key], value)
        builder._read_optics(data, cam)  # what build does next: the views take the bpy lens
        for view, described in zip(data.camera.views, desc.camera.views):
            assert view.lens.lens_type == described.lens.lens_type, name
            read = ["focal_length", "sensor_width"] + ["scene_fstop"] * bool(described.dof) + (
                ["ortho_scale"] if described.lens.lens_type == "ORTHO" else [])  # what can change the image
            for field in read:
                assert math.isclose(getattr(view, field), getattr(described, field), rel_tol=1e-6), (name, field)
            assert view.dof == bool(described.dof) and view.lens.shift_x == pytest.approx(described.lens.shift_x)
        kinds.add(expected["type"] if expected["type"] != "PANO" else expected["panorama_type"])
    assert kinds >= {"PERSP", "ORTHO", "FISHEYE_EQUIDISTANT", "FISHEYE_EQUISOLID", "EQUIRECTANGULAR", "MIRRORBALL"}


def test_views_with_different_lenses_are_refused_by_the_split():
    _, desc, _ = shipped_scripts(rows=1)[0]
    views = [desc.camera.main, desc.camera.main.model_copy(update={"name": "v01", "focal_length": 24.0}, deep=True)]
    odd = desc.model_copy(update={"camera": desc.camera.model_copy(update={"views": views})}, deep=True)
    with pytest.raises(ValueError, match="CameraView.lens: differs between the scene's parts, which share one bpy camera"):
        split_stated(odd)


_MATERIAL_ATTRIBUTES = ("diffuse_color", "metallic", "roughness", "surface_render_method", "use_raytrace_refraction")


def _material_state(mat):
    nodes, links = _tree_state(mat.node_tree)
    values = tuple(tuple(v) if hasattr(v, "__len__") and not isinstance(v, str) else v
                   for v in (getattr(mat, a) for a in _MATERIAL_ATTRIBUTES))
    return nodes, links, values


def _every_material(desc):
    """`desc` with materials that set every kind of input: subsurface with its own colour,
    emission, glass (refraction), alpha, sheen, coat, anisotropy, thin film; each surface detail
    pattern (patches with their own finish); and a second object with its own material."""
    m = desc.subject.material
    detail = SurfaceDetail(pattern="noise", color=(0.2, 0.1, 0.05), mix=0.7, bump_strength=0.3)
    materials = [
        m.model_copy(update={"concept": "wax", "subsurface": 0.6, "subsurface_color": (0.9, 0.4, 0.3),
                             "subsurface_radius": (0.2, 0.1, 0.05)}),
        m.model_copy(update={"concept": "neon", "emission_color": (0.1, 1.0, 0.3), "emission_strength": 4.0}),
        m.model_copy(update={"concept": "glass", "transmission": 1.0, "ior": 1.52, "alpha": 0.9}),
        m.model_copy(update={"concept": "velvet", "sheen": 0.8, "sheen_tint": (0.9, 0.2, 0.2), "coat": 0.4,
                             "anisotropy": 0.5, "anisotropic_rotation": 0.25, "thin_film_thickness": 300.0}),
    ]
    for pattern in ("noise", "bands", "rings", "veins", "cells", "weave", "brushed", "pores", "patches"):
        extra = {"roughness": 0.9, "metallic": 0.0} if pattern == "patches" else {}
        materials.append(m.model_copy(update={"concept": pattern, "detail": detail.model_copy(
            update={"pattern": pattern, **extra})}))
    out = []
    for material in materials:
        subject = desc.subject.model_copy(update={"material": material}, deep=True)
        out.append(desc.model_copy(update={"objects": [subject]}, deep=True))
    second = desc.subject.model_copy(update={"element": "object", "name": "psynth_object_1", "pass_index": 2,
                                             "material": materials[0]}, deep=True)
    out.append(desc.model_copy(update={"objects": [desc.subject, second]}, deep=True))
    return out


def test_a_new_principled_material_holds_the_defaults_scripts_leave_out():
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build.material_settings import MATERIAL_DEFAULTS, PRINCIPLED_DEFAULTS

    mat = bpy.data.materials.new("defaults")
    try:
        bsdf = mat.node_tree.nodes.new("ShaderNodeBsdfPrincipled")
        for socket, value in PRINCIPLED_DEFAULTS.items():
            got = bsdf.inputs[socket].default_value
            assert _close(tuple(got) if hasattr(got, "__len__") else got, value), socket
        for attribute, value in MATERIAL_DEFAULTS.items():
            got = getattr(mat, attribute)
            assert _close(tuple(got) if hasattr(got, "__len__") and not isinstance(got, str) else got, value), attribute
    finally:
        bpy.data.materials.remove(mat)


def test_stated_materials_make_the_builders_materials(monkeypatch):
    """The script's `add_materials` and surfaces.subject_material give each object a material
    of the same name with the same node graph (kinds, settings, unlinked values, links) and
    viewport colour and finish, for samples of every shipped spec and materials that set every
    Principled input and every surface-detail pattern; the script's data holds no material."""
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build import surfaces
    from psynth_render.scene_code import scene_script

    cases = shipped_scripts(rows=2)
    for mixed in _every_material(cases[0][1]):
        cases.append((mixed.objects[-1].material.concept, mixed, scene_script(mixed, {"image_name": "x.png"})))
    patterns = set()
    for name, desc, code in cases:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        expected = {}
        for element in desc.objects:
            mesh = bpy.data.meshes.new(element.name)
            obj = bpy.data.objects.new(element.name, mesh)
            expected[element.name] = _material_state(surfaces.subject_material(obj, element.material, element.name))
        bpy.ops.wm.read_factory_settings(use_empty=True)
        namespace = run_without_blender(code, monkeypatch)
        assert all(o.material is None for o in namespace["scene"].objects) and "ps.Material(" not in code, name
        for helper in ("material_tree", "surface_detail"):
            monkeypatch.setattr(sys.modules["__psynth_scene__"], helper, getattr(surfaces, helper), raising=False)
        namespace["add_materials"](bpy.context.scene)
        media = {"psynth_backdrop", "psynth_liquid", "psynth_gas"}  # the set's and effects': test_scene_code_effects
        got = {mat.name: _material_state(mat) for mat in bpy.data.materials if mat.name not in media}
        assert sorted(got) == sorted(expected), name
        for material, (nodes, links, values) in expected.items():
            got_nodes, got_links, got_values = got[material]
            assert got_links == links and sorted(got_nodes) == sorted(nodes), (name, material)
            assert _close(got_values, values), (name, material, got_values, values)
            for node, (kind, settings, inputs) in nodes.items():
                got_kind, got_settings, got_inputs = got_nodes[node]
                assert got_kind == kind and got_settings == settings, (name, node)
                assert _close(tuple(got_inputs.items()), tuple(inputs.items())), (name, node, got_inputs, inputs)
        patterns |= {e.material.detail.pattern for e in desc.objects if e.material.detail}
    assert len(patterns) == 9


def test_a_scene_without_lamps_states_that_it_has_none(monkeypatch):
    """Every stated step is in every script (the helper has no library version of them): a
    scene lit by its world alone gets an add_lights that adds nothing, passed to the build."""
    from psynth_render.scene_code import scene_script

    _, desc, _ = shipped_scripts(rows=1)[0]
    dark = desc.model_copy(update={"lighting": desc.lighting.model_copy(update={"lights": []})}, deep=True)
    code = scene_script(dark, {"image_name": "x.png"})
    assert "def add_lights(bpy_scene):\n    pass  # this scene has no lights\n" in code
    assert "'lights': add_lights" in code and "bpy.data.lights.new(" not in code
    assert run_without_blender(code, monkeypatch)["add_lights"](None) is None
