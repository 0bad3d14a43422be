"""`psynth plan` counts objects: a scene of more objects costs more render time, by the
cost model's per-object term (setup plus a share of each render)."""

import pytest

from psynth_spec import cost_model
from psynth_spec.compile import compile_text
from psynth_spec.plan import make_plan


def _plan(objects: str, engine: str = "cycles"):
    text = f"""dataset crowd {{
    samples 2000
    {objects}
    render {{
        engine {engine}
        resolution 256x256
        samples 16
    }}
}}
"""
    return make_plan(compile_text(text, "crowd.psynth"), pilot_samples=400).render


def test_the_per_object_terms_are_measured_not_zero():
    assert cost_model.OBJECT_SETUP_S > 0 and cost_model.OBJECT_RENDER_SHARE > 0


@pytest.mark.parametrize("engine", ["cycles", "workbench"])
def test_plan_cost_grows_with_scene_objects(engine):
    one, four, eight = (_plan(f"scene.objects = {n}", engine) for n in (1, 4, 8))
    alone = _plan("", engine)
    assert one.cpu_seconds_per_sample == pytest.approx(alone.cpu_seconds_per_sample)  # one object: as before
    assert one.cpu_seconds_per_sample < four.cpu_seconds_per_sample < eight.cpu_seconds_per_sample
    assert one.gpu_seconds_per_sample < eight.gpu_seconds_per_sample
    render = one.cpu_seconds_per_sample - cost_model.PER_SAMPLE_OVERHEAD_S
    assert eight.cpu_seconds_per_sample - one.cpu_seconds_per_sample == pytest.approx(
        cost_model.extra_object_seconds(7, render))
    assert eight.cpu_hours > one.cpu_hours


def test_plan_cost_follows_the_mean_object_count():
    fixed = _plan("scene.objects = 4")
    drawn = _plan("scene.objects ~ randint(1, 7)")  # mean 4
    assert drawn.cpu_seconds_per_sample == pytest.approx(fixed.cpu_seconds_per_sample, rel=0.05)
