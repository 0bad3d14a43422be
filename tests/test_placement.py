"""Placement of multi-object scenes (pure Python): deterministic, apart, bounded."""

import math

from psynth_render.scene.describe.placement import GAP, SCALE_RANGE, framing_radius, place, union_bounds
from psynth_render.scene.describe.model import SceneObject


def test_packing_is_deterministic_per_seed_and_keeps_cylinders_apart():
    for seed in range(30):
        spots = place(12, seed)
        assert spots == place(12, seed)
        assert spots[0] == ((0.0, 0.0), 1.0)
        for i, ((xa, ya), ra) in enumerate(spots):
            if i:
                assert SCALE_RANGE[0] <= ra <= SCALE_RANGE[1]
            for (xb, yb), rb in spots[i + 1:]:
                assert math.hypot(xa - xb, ya - yb) >= ra + rb + GAP - 1e-6
    assert place(12, 1) != place(12, 2)
    assert place(5, 7) == place(12, 7)[:5]  # the first objects do not move when more are added


def test_union_bounds_and_framing_radius_hold_every_object():
    spots = place(8, 3)
    objects = [
        SceneObject.model_construct(location=(x, y, s - 1.0), scale=s) for (x, y), s in spots
    ]
    low, high = union_bounds(objects)
    radius = framing_radius(objects)
    for (x, y), s in spots:
        assert low[0] <= x - s and x + s <= high[0] and low[1] <= y - s and y + s <= high[1]
        assert math.hypot(x, y) + s <= radius + 1e-9
    assert framing_radius(objects[:1]) == 1.0


def test_describe_makes_one_object_per_entry_with_its_own_values():
    from psynth_render.scene.describe import describe
    from psynth_render.scene.describe.model import Scene
    from psynth_spec.compile import compile_text
    from psynth_spec.sampler import sample_range
    from psynth_spec.taxonomy import default_taxonomy

    spec = compile_text(
        "dataset d {\nsamples 10\nscene.objects = 5\nmaterial = plastic.matte\n"
        "each object {\n  material ~ one_of [metal.copper, glass.clear]\n  geometry.shape = primitives.cube\n}\n}\n",
        "t.psynth",
    )
    taxonomy = default_taxonomy()
    row = sample_range(spec, 0, 1).row(0, named=True)
    scene = describe(row, spec, taxonomy)
    assert [o.name for o in scene.objects] == ["psynth_subject"] + [f"psynth_object_{k}" for k in range(1, 5)]
    assert [o.pass_index for o in scene.objects] == [1, 2, 3, 4, 5]
    assert [o.material.concept for o in scene.objects] == row["objects_material"]
    assert {o.geometry.concept for o in scene.objects[1:]} == {"primitives.cube"}
    roughness = {"metal.copper": 0.18, "glass.clear": 0.0}  # derived from each object's own material
    for obj in scene.objects[1:]:
        full = taxonomy.resolve(taxonomy.axis_by_path["material"], obj.material.concept)
        assert obj.material.roughness == taxonomy.concepts[full].render["roughness"]
    assert Scene.from_json(scene.to_json()) == scene
    assert scene.camera.main.distance > describe(row | {"scene_objects": 1}, spec, taxonomy).camera.main.distance
