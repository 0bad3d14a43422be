"""The README's main job: materialize every partition of a spec through Dagster, then report.

    python -m dagster_project.main_job specs/quickstart.psynth [--parallel 2]

Each partition is one Dagster run of `{dataset}/samples`, `/renders`, `/qc` (and their checks),
launched with `dagster asset materialize` exactly as a user would; runs use the multiprocess
executor and the instance in `$DAGSTER_HOME` (so `scripts/ui` shows them afterwards), two
partitions at a time so both cores work. Then `index` and `balance_audit`, and a short audit is
printed from the index.
"""

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def materialize(select: list[str], partition: str | None, log_path: Path) -> tuple[int, float]:
    """One `dagster asset materialize` run; its output goes to `log_path`."""
    command = [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "dagster_project",
               "--select", ",".join(select)]
    if partition is not None:
        command += ["--partition", partition]
    started = time.monotonic()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        code = subprocess.run(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT).returncode
    return code, time.monotonic() - started


def prepare_instance() -> None:
    """Create (or migrate) the instance's SQLite storage once, before runs start in parallel:
    two processes creating a fresh instance at once corrupt its schema version table."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:  # opening each storage creates its tables
        instance.get_runs(limit=1)
        instance.get_asset_keys()
        instance.all_instigator_state()


def print_audit(spec, root: str) -> None:
    """The closing summary: counts from the index, and the balance as the `balance_audit` asset
    just stored it (the same report as its metadata and `psynth audit`, so they cannot disagree)."""
    from psynth_data.audit_report import stored_audit, summary_lines
    from psynth_data.index import open_index
    from psynth_data.layout import Layout
    from psynth_data.storage import open_storage

    storage, layout = open_storage(root), Layout.for_spec(spec)
    con = open_index(storage, layout)
    try:
        shards, samples, rendered, failed = con.execute(
            "SELECT count(*), coalesce(sum(samples),0), coalesce(sum(rendered),0), coalesce(sum(failed),0) FROM manifests"
        ).fetchone()
        qc_rows, qc_pass = con.execute("SELECT count(*), coalesce(sum(qc_pass::INT), 0) FROM qc").fetchone()
        members, size = con.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM renders").fetchone()
    finally:
        con.close()
    print(f"\nresults: {storage.url(layout.prefix)}/")
    print("  samples/ renders/ qc/ manifests/ contact_sheets/, and index.duckdb "
          "(views samples, qc, renders, manifests; e.g. duckdb.connect(PATH).sql('FROM samples'))")
    print(f"\naudit of {spec.dataset}: {shards}/{spec.shards} shards complete, {rendered}/{samples} samples rendered, "
          f"{failed} failed; {members} tar members ({size / 1e6:.1f} MB); QC passed {qc_pass}/{qc_rows}")
    for line in summary_lines(stored_audit(storage, layout)):
        print(line)
    where = storage.url(layout.prefix)
    print(f"plots: {where}/_index/audit/*.png; the full report: psynth audit {where}; "
          "the assets and their metadata: scripts/ui")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dagster_project.main_job", description=__doc__.split("\n")[0])
    p.add_argument("spec", help="a spec in the Dagster specs folder (specs/ or $PSYNTH_SPECS)")
    p.add_argument("--parallel", type=int, default=os.cpu_count() or 2, help="partition runs at a time")
    args = p.parse_args(argv)

    from psynth_cli.words import count
    from psynth_data.storage import default_root
    from psynth_spec.compile import load_spec

    spec = load_spec(args.spec)
    name = spec.dataset
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home")
    logs = home / "main_job_logs"
    keys = [spec.partition_key(i) for i in range(spec.partitions)]
    print(f"{name}: {count(spec.samples, 'sample')}, {count(spec.shards, 'shard')}, {count(len(keys), 'partition')}; "
          f"materializing through Dagster, {args.parallel} runs at a time (logs in {logs})", flush=True)
    prepare_instance()
    partitioned = [f"{name}/samples", f"{name}/renders", f"{name}/qc"]

    def one(key: str) -> tuple[str, int, float]:
        code, seconds = materialize(partitioned, key, logs / f"{name}-{key}.log")
        print(f"  partition {key}: {'ok' if code == 0 else 'FAILED'} ({seconds:.0f} s)", flush=True)
        return key, code, seconds

    with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
        results = list(pool.map(one, keys))
    failed = [key for key, code, _ in results if code != 0]
    code, seconds = materialize([f"{name}/index", f"{name}/balance_audit"], None, logs / f"{name}-index.log")
    print(f"  index + balance_audit: {'ok' if code == 0 else 'FAILED'} ({seconds:.0f} s)", flush=True)
    if code == 0:
        print_audit(spec, default_root())
    if failed or code != 0:
        print(f"failed: {', '.join(failed) or 'index'}; see the logs in {logs}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
