"""The main job's closing summary prints the balance audit's own verdict and numbers (over
QC-passed samples), with pointers to the plots, `psynth audit` and `scripts/ui` (issue 19, item 8)."""

import polars as pl

from dagster_project.main_job import print_audit
from psynth_cli.audit_command import _fmt_p
from psynth_data.audit_report import store_audit
from psynth_data.index import build_index
from tests.audit_fixtures import audit_of, demo_spec, make_dataset


def test_the_summary_is_the_stored_audit_report(tmp_path, capsys):
    spec = demo_spec(20_000, 5_000)
    storage, layout = make_dataset(tmp_path, spec, fail=pl.col("material") == "metal.gold")
    report = audit_of(storage, layout, spec)
    store_audit(storage, layout, report)
    print_audit(spec, str(tmp_path))
    out = capsys.readouterr().out
    assert f"balance audit: {report['verdict']} ({', '.join(report['flagged_axes'])})" in out
    assert "material" in report["flagged_axes"]
    assert (f"{report['observed_samples']:,} QC-passed samples (QC failed {report['qc_failed']:,} of "
            f"{report['samples']:,}") in out
    for axis in report["axes"]:
        line = next(line for line in out.splitlines() if line.split()[:1] == [axis["column"]])
        distance = f"{axis['tvd']:.3f}" if axis["kind"] == "categorical" else f"KS vs spec {axis['ks']:.3f}"
        assert distance in line and axis["verdict"] in line and f"(p {_fmt_p(axis['p_value'])})" in line
    assert "_index/audit/*.png" in out and "psynth audit " in out and "scripts/ui" in out


def test_index_qc_manifests_and_audit_files_get_the_umask_mode(tmp_path):
    """Issue 19, item 6: nothing psynth writes comes out 0600 (mkstemp's mode)."""
    import os

    from psynth_data.storage import new_file_mode

    spec = demo_spec(4_000, 2_000)
    storage, layout = make_dataset(tmp_path, spec)
    build_index(storage, layout, spec=spec)
    storage.put_bytes(layout.audit_key("report.json"), b"{}")
    want = 0o666 & ~_umask()
    assert new_file_mode() == want
    for key in (layout.index_key, layout.qc_key(0), layout.manifest_key(1), layout.samples_key(0),
                layout.audit_key("report.json")):
        assert os.stat(storage.local_path(key)).st_mode & 0o777 == want, key


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask
