"""The backdrop's, liquid's and gas's materials a script states in `add_materials` are the
builder's own (checked in bpy, without rendering), and the script's data leaves them out."""

import sys

import pytest

from psynth_render.scene.build.medium_settings import (
    BACKDROP_FIELDS, GAS_FIELDS, LIQUID_FIELDS, MESH_BACKDROPS, MEDIUM_NODE_DEFAULTS,
)
from psynth_render.scene.describe.model import Backdrop, GasEffect, LiquidEffect, LiquidForm
from psynth_spec.taxonomy import default_taxonomy
from tests.scene_code_fixtures import close, run_without_blender, shipped_scripts
from tests.test_scene_code_parts import _material_state


def _render(name):
    return dict(default_taxonomy().concept(name).render)


def _liquid(name, **update):
    params = _render(f"liquids.{name}")
    return LiquidEffect(**{**params, **update}, concept=name,
                        form=LiquidForm(concept="pool", form="pool"), seed=7)


def _gas(name, density=0.5):
    params = _render(f"gases.{name}")
    return GasEffect(**params, concept=name, density=density, density_value=density * params["density_scale"],
                     seed=7, reach=4.0, light_rgb=(1.0, 0.6, 0.3), light_power=10.0)


def _cases():
    """Shipped samples, then each liquid kind (clear with absorption, with absorption and
    scattering, subsurface), each gas kind (smoke, fire, a glow, a filling fog) and every
    backdrop concept of the taxonomy (sweeps, patterned floors, a brick wall, void, sky)."""
    cases = [(name, desc) for name, desc, _ in shipped_scripts(rows=2)]
    base = next(desc for name, desc in cases if name == "vfx_elements")
    effects = [[_liquid("water")], [_liquid("honey")], [_liquid("milk")],
               [_liquid("water", scattering_density=5.0, scattering_color=(0.9, 0.8, 0.7))],
               [_gas("smoke")], [_gas("fire")], [_gas("magic_glow")], [_gas("fog")], [_liquid("oil"), _gas("steam")]]
    for chosen in effects:
        cases.append(("+".join(e.concept for e in chosen), base.model_copy(update={"effects": chosen}, deep=True)))
    tax = default_taxonomy()
    for name in tax.leaves("backgrounds"):
        backdrop = Backdrop(**tax.concept(name).render, concept=name)
        cases.append((name, base.model_copy(update={"backdrop": backdrop}, deep=True)))
    return cases


def _builder_materials(bpy, desc):
    """The builder's materials of the set and the effects (the gas's at floor height 0)."""
    from psynth_render.scene.build import media, surfaces

    made = []
    if desc.backdrop.kind in MESH_BACKDROPS:
        obj = bpy.data.objects.new("psynth_backdrop", bpy.data.meshes.new("psynth_backdrop"))
        surfaces.backdrop_material(obj, desc.backdrop)
        made.append(obj.material_slots[0].material)
    for effect in desc.effects:
        made.append(media.liquid_material(effect) if effect.element == "liquid" else media.gas_material(effect, 0.0))
    return {m.name: (_material_state(m), _brick_offsets(m)) for m in made}


def _brick_offsets(mat):
    return sorted(n.offset for n in mat.node_tree.nodes if n.bl_idname == "ShaderNodeTexBrick")


def test_new_nodes_hold_the_defaults_scripts_leave_out():
    bpy = pytest.importorskip("bpy")
    bpy.ops.wm.read_factory_settings(use_empty=True)
    nodes = bpy.data.materials.new("defaults").node_tree.nodes
    for kind, defaults in MEDIUM_NODE_DEFAULTS.items():
        node = nodes.new(kind)
        for name, value in defaults.items():
            got = getattr(node, name) if name == "offset" else node.inputs[name].default_value
            assert close(tuple(got) if hasattr(got, "__len__") else got, value), (kind, name)


def test_stated_effects_make_the_builders_materials(monkeypatch):
    """For every case, the script's `add_materials` (then, for a gas, the build's read-back of its
    emission and its density field) gives the builder's backdrop, liquid and gas materials: the
    same nodes, settings, unlinked input values, links and viewport values; the data holds none
    of the material's fields, and the gas's emission read back equals the described one."""
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build import media, surfaces
    from psynth_render.scene_code import scene_script

    seen = set()
    for name, desc in _cases():
        code = scene_script(desc, {"image_name": "x.png"})
        bpy.ops.wm.read_factory_settings(use_empty=True)
        expected = _builder_materials(bpy, desc)
        bpy.ops.wm.read_factory_settings(use_empty=True)
        namespace = run_without_blender(code, monkeypatch)
        data = namespace["scene"]
        fields = {"liquid": LIQUID_FIELDS, "gas": GAS_FIELDS}
        for effect in data.effects:
            assert all(getattr(effect, f) is None for f in fields[effect.element]), (name, effect.element)
        stated_backdrop = BACKDROP_FIELDS if desc.backdrop.kind != "void" else tuple(BACKDROP_FIELDS[1:])
        assert all(getattr(data.backdrop, f) is None for f in stated_backdrop), name
        if desc.backdrop.kind == "void":
            assert data.backdrop.color == desc.backdrop.color, name  # the world shows it
        for helper in ("material_tree", "surface_detail"):
            monkeypatch.setattr(sys.modules["__psynth_scene__"], helper, getattr(surfaces, helper), raising=False)
        namespace["add_materials"](bpy.context.scene)
        for effect, described in zip(data.effects, desc.effects):
            if effect.element == "gas":
                media.stated_gas_emission(effect)
                for field in ("emission_strength", "blackbody_kelvin", "blackbody_intensity"):
                    assert close(getattr(effect, field), getattr(described, field)), (name, field)
                media.gas_material(effect, 0.0)
        got = {m.name: (_material_state(m), _brick_offsets(m)) for m in bpy.data.materials if m.name in expected}
        assert sorted(got) == sorted(expected), name
        for material, ((nodes, links, values), offsets) in expected.items():
            (got_nodes, got_links, got_values), got_offsets = got[material]
            assert got_links == links and sorted(got_nodes) == sorted(nodes), (name, material)
            assert close(got_values, values) and got_offsets == offsets, (name, material, got_values, values)
            for node, (kind, settings, inputs) in nodes.items():
                got_kind, got_settings, got_inputs = got_nodes[node]
                assert got_kind == kind and got_settings == settings, (name, node)
                assert close(tuple(got_inputs.items()), tuple(inputs.items())), (name, node, got_inputs, inputs)
            seen.add(material)
    assert seen == {"psynth_backdrop", "psynth_liquid", "psynth_gas"}
