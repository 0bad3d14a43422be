"""The code location loads: every spec in specs/ becomes an asset group, a broken spec becomes a
visible `spec_error` asset without taking the others down."""

import subprocess
import sys

import dagster as dg
import pytest

from dagster_project.definitions import build_definitions
from psynth_spec.compile import load_spec
from tests.dagster_fixtures import BROKEN_SPEC, REPO, copy_specs, environment

pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning")

SPECS = sorted((REPO / "specs").glob("*.psynth"))


def _keys(defs: dg.Definitions) -> set[str]:
    return {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}


@pytest.fixture(scope="module")
def project_defs():
    with environment(PSYNTH_SPECS=str(REPO / "specs")):
        defs = build_definitions()
    dg.Definitions.validate_loadable(defs)
    return defs


def test_every_spec_is_an_asset_group_with_its_partitions(project_defs):
    graph = project_defs.resolve_asset_graph()
    assert len(SPECS) >= 4
    for path in SPECS:
        spec = load_spec(path)
        name = spec.dataset
        for asset in ("samples", "renders", "qc", "index", "balance_audit"):
            node = graph.get(dg.AssetKey([name, asset]))
            assert node.group_name == name
        keys = graph.get(dg.AssetKey([name, "renders"])).partitions_def.get_partition_keys()
        assert keys == [f"{p:06d}" for p in range(spec.partitions)]
        assert graph.get(dg.AssetKey([name, "index"])).partitions_def is None
        assert graph.get(dg.AssetKey([name, "balance_audit"])).partitions_def is None


def test_checks_are_partitioned_and_blocking(project_defs):
    graph = project_defs.resolve_asset_graph()
    key = dg.AssetCheckKey(dg.AssetKey(["quickstart", "renders"]), "tars_match_manifests")
    spec = graph.get_check_spec(key)
    assert spec.blocking
    assert spec.partitions_def is not None
    assert spec.partitions_def.get_partition_keys() == ["000000", "000001", "000002", "000003"]
    assert graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["quickstart", "qc"]), "qc_tables_complete")).blocking


def test_executor_is_multiprocess(project_defs):
    repo = project_defs.get_repository_def()
    job = repo.get_implicit_job_def_for_assets([dg.AssetKey(["quickstart", "samples"])])
    assert job.executor_def.name == "multiprocess"


def test_broken_spec_becomes_spec_error_and_the_others_still_load(tmp_path, caplog):
    folder = copy_specs(tmp_path / "specs", {"broken.psynth": BROKEN_SPEC})
    with environment(PSYNTH_SPECS=str(folder)), caplog.at_level("WARNING", logger="dagster_project"):
        defs = build_definitions()
    dg.Definitions.validate_loadable(defs)
    keys = _keys(defs)
    for path in SPECS:
        assert f"{load_spec(path).dataset}/renders" in keys
    assert "broken/spec_error" in keys
    node = defs.resolve_asset_graph().get(dg.AssetKey(["broken", "spec_error"]))
    where = f"{folder / 'broken.psynth'}:3:5"
    assert where in node.description
    assert "materail" in node.description
    assert node.metadata["first_error"].startswith(where + ": error:")
    assert any(where in record.getMessage() for record in caplog.records)
    result = dg.materialize([defs.get_assets_def(dg.AssetKey(["broken", "spec_error"]))], raise_on_error=False)
    assert not result.success


def test_duplicate_dataset_names_do_not_crash_the_location(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    text = (REPO / "specs" / "quickstart.psynth").read_text()
    (folder / "a.psynth").write_text(text)
    (folder / "b.psynth").write_text(text)
    with environment(PSYNTH_SPECS=str(folder)):
        defs = build_definitions()
    keys = _keys(defs)
    assert "quickstart/renders" in keys and "b_duplicate/spec_error" in keys


def test_cli_validates_the_module_with_a_broken_spec(tmp_path):
    folder = copy_specs(tmp_path / "specs", {"broken.psynth": BROKEN_SPEC})
    env_cmd = [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "dagster_project"]
    import os

    env = {**os.environ, "PSYNTH_SPECS": str(folder), "DAGSTER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    proc = subprocess.run(env_cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    assert "Validation successful for code location dagster_project" in output
    assert "broken.psynth:3:5" in output  # the load warning reaches the logs
