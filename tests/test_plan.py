"""`make_plan`: partitions, pilot distributions after when/require, storage and render estimates."""

import json

import pytest

from psynth_spec import cost_model
from psynth_spec.pilot import pilot_acceptance
from psynth_spec.plan import make_plan
from psynth_spec.shares import UNSET
from psynth_spec.spec import Compare, Member, Not, RegistryColumn, RenderSettings, Require, Uniform, VideoSettings
from tests.spec_factory import choice, make_spec, stmt

MATERIALS = ["metal.gold", "metal.silver", "glass.clear", "plastic.glossy"]


def _spec(**kw):
    statements = [
        stmt("material", "category", choice(MATERIALS, [3, 1, 2, 2])),
        stmt("material.ior", "float", Uniform(low=1.4, high=1.9)),
        stmt(
            "liquid",
            "category",
            choice(["water", "honey"], [1, 1]),
            when=Member(axis="material", values=("glass.clear",)),
        ),
    ]
    extra = [RegistryColumn(axis="style", column="style", type="category", stated=False, default="photoreal")]
    fields = dict(samples=10_250, shard_size=500)
    fields.update(kw)
    return make_spec(statements, extra_columns=extra, **fields)


def _shares(plan, axis):
    dist = next(d for d in plan.distributions if d.axis == axis)
    return {s.value: s.probability for s in dist.shares}


def test_partitions_and_shards():
    plan = make_plan(_spec(), pilot_samples=2000)
    assert (plan.samples, plan.shard_size, plan.shards, plan.last_shard_samples) == (10_250, 500, 21, 250)
    assert plan.shards_per_partition == 1 and plan.partitions == 21 and plan.last_partition_shards == 1


def test_distributions_follow_weights_when_and_unset():
    plan = make_plan(_spec())
    materials = _shares(plan, "material")
    for value, weight in zip(MATERIALS, [3, 1, 2, 2]):
        assert materials[value] == pytest.approx(weight / 8, abs=0.01)
    liquid = _shares(plan, "liquid")
    assert liquid[UNSET] == pytest.approx(0.75, abs=0.01)
    assert liquid["water"] == pytest.approx(0.125, abs=0.01)
    assert _shares(plan, "style") == {"photoreal": 1.0}
    assert plan.acceptance == 1.0


def test_distributions_are_after_require():
    spec = _spec(requires=[Require(cond=Not(item=Compare(axis="material", op="==", value="metal.gold")), line=4)])
    plan = make_plan(spec)
    materials = _shares(plan, "material")
    assert "metal.gold" not in materials
    assert materials["metal.silver"] == pytest.approx(1 / 5, abs=0.01)
    assert plan.acceptance == pytest.approx(5 / 8, abs=0.01)
    assert plan.acceptance == pilot_acceptance(spec)


def test_storage_per_output_kind():
    render = RenderSettings(width=256, height=128, format="png", passes=("depth",))
    plan = make_plan(_spec(render=render, outputs=("image", "caption", "metadata", "usd")), pilot_samples=1000)
    storage = {item.kind: item for item in plan.storage}
    assert storage["image"].bytes_per_sample == 256 * 128 * cost_model.IMAGE_BYTES_PER_PIXEL["png"]
    assert storage["passes"].bytes_per_sample == 256 * 128 * cost_model.PASS_BYTES_PER_PIXEL["depth"]
    assert storage["usd"].bytes_per_sample == cost_model.USD_BYTES
    assert "scene_code" not in storage and "caption" not in storage  # no caption templates
    assert 10 < storage["samples"].bytes_per_sample < 200  # measured from the pilot's Parquet
    assert storage["image"].total_bytes == storage["image"].bytes_per_sample * 10_250
    assert plan.total_bytes == pytest.approx(sum(i.total_bytes for i in plan.storage))


def test_render_time_scales_and_follows_engine_and_video():
    base = make_plan(_spec(), pilot_samples=1000)
    double = make_plan(_spec(samples=20_500), pilot_samples=1000)
    assert double.render.cpu_hours == pytest.approx(2 * base.render.cpu_hours)
    assert base.render.gpu_hours < base.render.cpu_hours
    expected = cost_model.frame_seconds("cycles", 512, 512, 64) + cost_model.PER_SAMPLE_OVERHEAD_S
    assert base.render.cpu_seconds_per_sample == pytest.approx(expected)
    assert base.render.engines == {"cycles": 1.0}

    workbench = make_plan(_spec(render=RenderSettings(engine="workbench")), pilot_samples=1000)
    assert workbench.render.cpu_seconds_per_sample < base.render.cpu_seconds_per_sample

    video = make_plan(_spec(video=VideoSettings(frames=24, fps=24), outputs=("image", "video")), pilot_samples=500)
    frame_cost = base.render.cpu_seconds_per_sample - cost_model.PER_SAMPLE_OVERHEAD_S
    # the still (image) and the 24 frames (video) are each rendered and stored
    assert video.render.cpu_seconds_per_sample == pytest.approx(25 * frame_cost + cost_model.PER_SAMPLE_OVERHEAD_S)
    assert {i.kind: i for i in video.storage}["image"].bytes_per_sample == pytest.approx(25 * 512 * 512 * 1.6)
    clip = make_plan(_spec(video=VideoSettings(frames=24, fps=24), outputs=("video",)), pilot_samples=500)
    assert (clip.render.images_per_sample, clip.render.views_per_sample) == (24, 0)


def test_multi_view_samples_count_every_view_in_images_cost_and_storage(capsys):
    from psynth_cli.plan_command import _print

    passes = ("depth", "normal")
    single = make_plan(_spec(render=RenderSettings(passes=passes)), pilot_samples=500)
    multi = make_plan(_spec(render=RenderSettings(passes=passes, views=8, rig="sphere")), pilot_samples=500)
    r = multi.render
    assert (r.views_per_sample, r.frames_per_sample, r.variants_per_sample, r.images_per_sample) == (8, 0, 0, 8)
    assert single.render.images_per_sample == 1
    overhead = cost_model.PER_SAMPLE_OVERHEAD_S
    assert r.cpu_seconds_per_sample - overhead == pytest.approx(8 * (single.render.cpu_seconds_per_sample - overhead))
    one, eight = ({i.kind: i.bytes_per_sample for i in p.storage} for p in (single, multi))
    assert eight["image"] == pytest.approx(8 * one["image"]) and eight["passes"] == pytest.approx(8 * one["passes"])
    assert eight["transforms"] == 8 * cost_model.TRANSFORMS_VIEW_BYTES and "transforms" not in one
    assert eight["metadata"] - one["metadata"] == pytest.approx(8 * cost_model.JSON_VIEW_BYTES)
    # members: 8 images + 8 x (depth + normal + normal_camera) + transforms.json, beside the rest
    assert eight["tar_overhead"] - one["tar_overhead"] == pytest.approx((7 + 7 * 3 + 1) * cost_model.TAR_MEMBER_OVERHEAD)
    assert multi.total_bytes > 7 * single.total_bytes * 0.9
    _print(multi)
    assert "8 views per sample" in capsys.readouterr().out
    _print(single)
    assert "1 image per sample" in capsys.readouterr().out
    video = make_plan(_spec(render=RenderSettings(views=4), video=VideoSettings(frames=24, fps=24),
                            outputs=("image", "video")), pilot_samples=500)
    assert video.render.images_per_sample == 28
    _print(video)
    assert "4 views + 24 video frames = 28 images per sample" in capsys.readouterr().out


def test_render_engine_axis_mixes_engines():
    statements = [stmt("render.engine", "category", choice(["path_tracing", "solid"], [3, 1]))]
    plan = make_plan(make_spec(statements), pilot_samples=4000)
    assert plan.render.engines["cycles"] == pytest.approx(0.75, abs=0.02)
    assert plan.render.engines["workbench"] == pytest.approx(0.25, abs=0.02)
    mixed = 0.75 * cost_model.frame_seconds("cycles", 512, 512, 64) + 0.25 * cost_model.frame_seconds(
        "workbench", 512, 512, 64
    )
    assert plan.render.cpu_seconds_per_sample - cost_model.PER_SAMPLE_OVERHEAD_S == pytest.approx(mixed, rel=0.03)


def test_plan_json_roundtrip():
    plan = make_plan(_spec(), pilot_samples=500)
    data = json.loads(plan.model_dump_json())
    assert data["shards"] == 21 and data["render"]["cpu_hours"] > 0
    assert {d["axis"] for d in data["distributions"]} == {"material", "liquid", "style"}


def test_caption_length_statistics_per_caption():
    from psynth_spec.compile import load_spec
    from psynth_spec.sampler import sample_range

    spec = load_spec("specs/vfx_elements.psynth")
    plan = make_plan(spec, pilot_samples=2000)
    assert [c.column for c in plan.captions] == ["caption", "caption_tech", "caption_dense"]
    frame = sample_range(spec, 0, 2000)
    for stats in plan.captions:
        words = frame[stats.column].str.split(" ").list.len()
        assert (stats.words_min, stats.words_max) == (words.min(), words.max())
        assert stats.words_median == words.median()
        assert stats.words_min <= stats.words_p95 <= stats.words_max
        assert stats.chars_mean == pytest.approx(frame[stats.column].str.len_chars().mean())
    dense = plan.captions[-1]
    assert 40 <= dense.words_min and dense.words_max <= 120
