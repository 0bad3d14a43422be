"""The render backend setting: what each choice changes in the definitions, and its errors."""

import dagster as dg
import pytest

from dagster_project.definitions import build_definitions
from dagster_project.render_backends import RenderBackendError, render_backend
from tests.dagster_fixtures import TINY_SPEC, environment

pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning")

PARTITIONED = ("samples", "renders", "qc")


@pytest.fixture
def specs(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "tiny.psynth").write_text(TINY_SPEC)
    return folder


def _defs(specs, backend: str) -> dg.Definitions:
    with environment(PSYNTH_SPECS=str(specs), PSYNTH_RENDER_BACKEND=backend):
        return build_definitions()


@pytest.mark.parametrize("backend, executor", [("subprocess", "multiprocess"), ("k8s", "multiprocess"),
                                               ("celery", "celery")])
def test_backend_picks_the_executor(specs, backend, executor):
    assert _defs(specs, backend).get_repository_def().get_all_jobs()[0].executor_def.name == executor


def test_renders_step_is_in_the_gpu_pool_and_queue_one_partition_per_run(specs):
    graph = _defs(specs, "subprocess").get_repository_def().asset_graph
    renders = graph.get(dg.AssetKey(["tinyd", "renders"])).assets_def
    assert renders.op.pool == "gpu"
    assert renders.op.tags["dagster-celery/queue"] == "gpu"
    for name in PARTITIONED:
        policy = graph.get(dg.AssetKey(["tinyd", name])).backfill_policy
        assert policy is not None and policy.max_partitions_per_run == 1, name
    assert graph.get(dg.AssetKey(["tinyd", "samples"])).assets_def.op.pool is None


def test_unknown_backend_is_a_clear_error():
    with environment(PSYNTH_RENDER_BACKEND="slurm"), pytest.raises(RenderBackendError) as err:
        render_backend()
    assert str(err.value) == "PSYNTH_RENDER_BACKEND='slurm': expected one of subprocess, k8s, celery"


def test_k8s_backend_refuses_a_local_data_root_before_any_pod(specs, tmp_path):
    keys = [dg.AssetKey(["tinyd", a]) for a in ("samples", "renders")]
    with environment(PSYNTH_SPECS=str(specs), PSYNTH_DATA_ROOT=str(tmp_path / "data"), PSYNTH_RENDER_BACKEND="k8s"), \
            dg.instance_for_test() as instance:
        job = build_definitions().get_repository_def().get_implicit_job_def_for_assets(keys)
        result = job.execute_in_process(partition_key="000000", instance=instance, asset_selection=keys,
                                        raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "tinyd__renders"
    data = failure.step_failure_data
    assert "needs an s3://BUCKET/PREFIX data root" in data.user_failure_data.description
