"""Wiring with a no-bpy renderer (tests/fake_render_pipes.py, same Pipes protocol): a bad shard
fails the blocking check and stops `qc`; the next materialization re-renders only that shard."""

import sys

import dagster as dg
import pytest

from dagster_project.definitions import build_definitions
from tests.dagster_fixtures import REPO, TINY_SPEC, environment

pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning")

NAME = "tinyd"
KEYS = [dg.AssetKey([NAME, a]) for a in ("samples", "renders", "qc")]
FAKE = {"resources": {"psynth_renderer": {"config": {
    "command": [sys.executable, str(REPO / "tests" / "fake_render_pipes.py")]}}}}


def _run(job, instance, key):
    return job.execute_in_process(partition_key=key, instance=instance, asset_selection=KEYS,
                                  run_config=FAKE, raise_on_error=False)


def _materialized(result) -> dict:
    return {(e.asset_key.path[-1], e.partition): e for e in result.get_asset_materialization_events()}


def test_bad_shard_blocks_qc_then_is_rerendered(tmp_path):
    specs, root = tmp_path / "specs", tmp_path / "data"
    specs.mkdir()
    (specs / "tiny.psynth").write_text(TINY_SPEC)
    with environment(PSYNTH_SPECS=str(specs), PSYNTH_DATA_ROOT=str(root)), dg.instance_for_test() as instance:
        job = build_definitions().get_repository_def().get_implicit_job_def_for_assets(KEYS)
        good = _run(job, instance, "000000")
        assert good.success
        assert ("qc", "000000") in _materialized(good)
        meta = _materialized(good)[("renders", "000000")].materialization.metadata
        assert meta["device"].value == "fake" and meta["samples"].value == 2

        with environment(PSYNTH_FAKE_RENDER_CORRUPT="1"):
            bad = _run(job, instance, "000001")
        assert not bad.success
        checks = {e.check_name: e for e in bad.get_asset_check_evaluations()}
        assert not checks["tars_match_manifests"].passed
        assert checks["tars_match_manifests"].partition == "000001"
        assert ("renders", "000001") in _materialized(bad)
        assert ("qc", "000001") not in _materialized(bad)  # blocked by the failed check

        fixed = _run(job, instance, "000001")
        assert fixed.success
        meta = _materialized(fixed)[("renders", "000001")].materialization.metadata
        assert meta["shards_rendered"].value == 1
        again = _run(job, instance, "000000")
        assert _materialized(again)[("renders", "000000")].materialization.metadata["shards_rendered"].value == 0
