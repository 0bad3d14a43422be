"""Each generator's own axes (gear teeth, rock roughness, leg count...) and the topology axes
(`geometry.topology`, `geometry.subdivision_type`): stated values reach the parameters, the
samples table records them, the mesh and the picture change. Renders are 48 px Workbench."""

import numpy as np
import pytest

from psynth_render.scene.describe import describe
from psynth_render.scene.describe.shape_params import GENERATOR_AXES
from psynth_spec.compile import compile_text
from psynth_spec.sampler import sample_range
from psynth_spec.taxonomy import default_taxonomy
from tests.render_fixtures import make_row, make_spec, render_array

CONCEPT_OF = {  # a concept of each generator, and a stated value other than its own
    "lathe": ("complex.vase", 0.4), "rock": ("complex.rock", 0.7), "crystal": ("complex.crystal_cluster", 4),
    "furniture": ("complex.chair", 3), "plant": ("complex.tree", 5), "gear": ("complex.gear", 9),
    "terrain": ("complex.terrain_patch", 0.9), "scatter": ("complex.pebble_scatter", 40.0),
    "pipe": ("complex.pipe", 6),
}


@pytest.fixture(scope="module")
def scene():
    """`scene(concept, angle=..., **axes)`: the typed scene of a hand-made row (48 px Workbench)."""
    tax = default_taxonomy()
    spec = make_spec(tax, size=48, engine="workbench")

    def make(concept, seed=1, angle="high_angle", **axes):
        return describe(make_row(tax, seed=seed, geometry__shape=concept, camera__angle=angle, **axes), spec, tax)

    return make


@pytest.mark.parametrize("axis", sorted(GENERATOR_AXES))
def test_a_stated_generator_axis_sets_its_parameter_and_unstated_keeps_the_concepts(scene, axis):
    generator, param = GENERATOR_AXES[axis]
    concept, value = CONCEPT_OF[generator]
    if axis == "geometry.crystal_facets":
        value = 8
    own = scene(concept).subject.geometry.params
    stated = scene(concept, **{axis.replace(".", "__"): value}).subject.geometry.params
    assert own[param] != value
    assert stated[param] == pytest.approx(value)  # detail 0.5 and proportion 1 keep it
    assert stated["generator"] == generator
    other = scene("primitives.sphere", **{axis.replace(".", "__"): value}).subject.geometry.params
    assert param not in other or other[param] != value  # another generator ignores it


def test_the_samples_table_records_each_concepts_own_value():
    spec = compile_text("""dataset d {
    samples 64
    geometry.shape ~ one_of [complex.gear, complex.fine_gear, complex.crystal_cluster, primitives.cube]
}
""", "t.psynth")
    frame = sample_range(spec, 0, 64)
    by_shape = {row["geometry_shape"]: row for row in frame.iter_rows(named=True)}
    assert by_shape["complex.gear"]["geometry_gear_teeth"] == 16
    assert by_shape["complex.fine_gear"]["geometry_gear_teeth"] == 40
    assert by_shape["complex.crystal_cluster"]["geometry_crystal_count"] == 9
    assert by_shape["primitives.cube"]["geometry_gear_teeth"] is None  # not a gear: nothing to record


def test_generator_axes_are_per_object_and_drawn_per_object():
    spec = compile_text("""dataset d {
    samples 40
    scene.objects ~ randint(2, 4)
    geometry.shape ~ one_of(complex.gear)
    each object {
        geometry.shape      ~ one_of(complex.gear)
        geometry.gear_teeth ~ randint(6, 60)
        geometry.topology   ~ one_of [triangles, quads]
    }
}
""", "t.psynth")
    frame = sample_range(spec, 0, 40)
    teeth = {t for row in frame["objects_geometry_gear_teeth"].to_list() for t in row[1:]}
    assert len(teeth) > 10 and all(6 <= t <= 60 for t in teeth)
    row = frame.row(0, named=True)
    scene = describe(row, spec, default_taxonomy())
    assert [o.geometry.params["teeth"] for o in scene.objects[1:]] == row["objects_geometry_gear_teeth"][1:]
    assert scene.subject.geometry.params["teeth"] == 16  # the subject: the top level, unstated
    assert {o.geometry.topology for o in scene.objects[1:]} <= {"triangles", "quads"}


def _evaluated_mesh(name="psynth_subject"):
    import bpy

    obj = bpy.data.objects[name]
    evaluated = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
    mesh = evaluated.to_mesh()
    sides = np.array([len(p.vertices) for p in mesh.polygons])
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    evaluated.to_mesh_clear()
    return sides, co.reshape(-1, 3)


@pytest.mark.render
def test_generator_axes_change_the_mesh(scene):
    from psynth_render.scene.build.builder import build

    def faces(concept, **axes):
        build(scene(concept, **axes))
        return len(_evaluated_mesh()[0])

    assert faces("complex.gear", geometry__gear_teeth=32) == 2 * faces("complex.gear", geometry__gear_teeth=16)
    assert faces("complex.chair", geometry__leg_count=6) - faces("complex.chair", geometry__leg_count=3) == 3 * 6
    assert faces("complex.crystal", geometry__crystal_facets=10) > faces("complex.crystal", geometry__crystal_facets=4)
    build(scene("complex.vase", geometry__neck_width=0.3))
    thin = _evaluated_mesh()[1]
    build(scene("complex.vase", geometry__neck_width=2.0))
    wide = _evaluated_mesh()[1]
    top = lambda co: np.abs(co[co[:, 2] > co[:, 2].max() - 0.05, :2]).max()  # the rim's half-width
    assert top(wide) > 2 * top(thin)


PICTURE_CASES = {  # axis -> (concept, a low value, a high value)
    "geometry.neck_width": ("complex.vase", 0.3, 2.5),
    "geometry.rock_roughness": ("complex.rock", 0.0, 0.7),
    "geometry.crystal_count": ("complex.crystal_cluster", 1, 14),
    "geometry.crystal_facets": ("complex.crystal", 3, 12),
    "geometry.leg_count": ("complex.table", 3, 8),
    "geometry.back_height": ("complex.chair", 0.3, 2.5),
    "geometry.branching": ("complex.tree", 2, 5),
    "geometry.gear_teeth": ("complex.gear", 6, 40),
    "geometry.terrain_amplitude": ("complex.terrain_patch", 0.05, 1.2),
    "geometry.scatter_density": ("complex.pebble_scatter", 2.0, 150.0),
    "geometry.pipe_runs": ("complex.pipe", 1, 6),
}


def test_every_generator_axis_has_a_picture_case():
    assert set(PICTURE_CASES) == set(GENERATOR_AXES)


@pytest.mark.render
@pytest.mark.parametrize("axis", sorted(PICTURE_CASES))
def test_generator_axes_change_the_picture(scene, axis, tmp_path):
    concept, low, high = PICTURE_CASES[axis]
    key = axis.replace(".", "__")
    angle = "low_angle" if concept == "complex.table" else "high_angle"  # under the top: the legs
    a = render_array(scene(concept, angle=angle, **{key: low}), tmp_path / "low.png")
    b = render_array(scene(concept, angle=angle, **{key: high}), tmp_path / "high.png")
    assert np.abs(a - b).mean() > 0.004, axis


@pytest.mark.render
def test_topology_sets_the_faces_of_the_finished_mesh(scene):
    from psynth_render.scene.build.builder import build

    counts = {}
    for mode in ("mixed", "quads", "triangles", "ngon_free"):
        build(scene("complex.vase", geometry__topology=mode))
        sides, _ = _evaluated_mesh()
        counts[mode] = (len(sides), set(sides.tolist()))
    assert max(counts["mixed"][1]) > 4  # the vase's caps are n-gons
    assert counts["quads"][1] == {4}
    assert counts["triangles"][1] == {3}
    assert counts["ngon_free"][1] == {3, 4}
    assert counts["triangles"][0] > counts["ngon_free"][0] > counts["mixed"][0]
    # after subdivision and bevel: each quad of the finished cube becomes two triangles
    build(scene("primitives.cube", geometry__subdivision=1, geometry__topology="triangles"))
    tris = len(_evaluated_mesh()[0])
    build(scene("primitives.cube", geometry__subdivision=1))
    sides = _evaluated_mesh()[0]
    assert tris == 2 * (sides == 4).sum() + (sides == 3).sum() and tris > 2 * 6 * 4


@pytest.mark.render
def test_topology_shows_in_a_wireframe_render(scene, tmp_path):
    def wire(mode):
        return render_array(scene("primitives.cylinder", angle="eye_level", style="stylized.wireframe",
                                   geometry__topology=mode), tmp_path / f"{mode}.png")

    mixed, tris = wire("mixed"), wire("triangles")
    assert np.abs(mixed - tris).mean() > 0.003


@pytest.mark.render
def test_subdivision_scheme_rounds_or_keeps_the_shape(scene, tmp_path):
    from psynth_render.scene.build.builder import build

    extents = {}
    for scheme in ("catmull_clark", "simple"):
        build(scene("primitives.cube", geometry__subdivision=2, geometry__subdivision_type=scheme))
        sides, co = _evaluated_mesh()
        corner = np.linalg.norm(co, axis=1).max() / np.abs(co).max()  # sqrt 3 for a sharp cube
        extents[scheme] = (len(sides), corner)
    assert extents["simple"][0] == extents["catmull_clark"][0]  # the same face count...
    assert extents["simple"][1] > 1.65 > extents["catmull_clark"][1]  # ...but only simple keeps the corners
    # creased corners keep even a Catmull-Clark octahedron pointed: the edges round a little
    smooth = render_array(scene("platonic.octahedron", geometry__subdivision=2), tmp_path / "cc.png")
    kept = render_array(scene("platonic.octahedron", geometry__subdivision=2,
                               geometry__subdivision_type="simple"), tmp_path / "simple.png")
    assert np.abs(smooth - kept).mean() > 0.005
