"""Scale-out figures, measured here where possible, and the 500M-sample plan on paper.

Run by hand (as root: it starts PostgreSQL 15 and a private redis-server like the cluster tests):

    .venv/bin/python bench/bench_scale.py [--backfill 200] [--runs 3]

1. Backfill submission per run: the backfill daemon's iterations for N one-partition runs
   (queued, not run) on a SQLite instance and on Postgres.
2. Per-run overhead of each render backend: a partition run with a no-bpy renderer
   (tests/fake_render_pipes.py, same Pipes protocol), so the wall time is Dagster's: `subprocess`
   (multiprocess executor) and `celery` (two dagster-celery workers, Redis, Postgres); `k8s`
   cannot run here (no cluster): only the pod-spec build is timed.
3. Events per partition: the event-log rows of one partition run with the real bpy worker
   (Workbench, 2 shards), all steps and the renders step alone.
4. The 500M-sample plan: partitions, runs, GPU-hours at the cost model's calibrated seconds per
   image and at 0.3 s, wall time on 100 and 1,000 GPUs, Dagster's overhead as a share of GPU time.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_dagster import backfill_submission  # noqa: E402

from tests.cluster_services import BIN, CeleryWorker, Postgres, Redis  # noqa: E402

SPEC = """dataset {name} {{
    samples              {samples}
    shard_size           {shard}
    shards_per_partition {per}
    seed                 7
    geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    caption "a {{geometry.shape}}"
    render {{ engine workbench  device cpu  resolution 32 x 32  samples 1 }}
}}
"""
FAKE = [sys.executable, str(REPO / "tests" / "fake_render_pipes.py")]
PLAN_SPEC = """dataset plan500m {
    samples              500_000_000
    shard_size           1000
    shards_per_partition 50
    seed                 1
    geometry.shape ~ one_of(geometry.primitives)
    render { engine cycles  device gpu  resolution 512 x 512  samples 64 }
}
"""


def postgres_storage(pg: Postgres) -> dict:
    e = pg.env()
    return {"postgres": {"postgres_db": {"hostname": e["DAGSTER_PG_HOST"], "port": int(e["DAGSTER_PG_PORT"]),
                                         "username": e["DAGSTER_PG_USER"], "password": e["DAGSTER_PG_PASSWORD"],
                                         "db_name": e["DAGSTER_PG_DB"], "scheme": "postgresql+psycopg2"}}}


def materialize(env: dict, dataset: str, partition: str, backend: str, fake: bool = True) -> float:
    select = ",".join(f"{dataset}/{a}" for a in ("samples", "renders", "qc"))
    cmd = [str(BIN / "dagster"), "asset", "materialize", "-m", "dagster_project", "--select", select,
           "--partition", partition]
    if fake:
        cmd += ["--config-json", json.dumps({"resources": {"psynth_renderer": {"config": {"command": FAKE}}}})]
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env={**env, "PSYNTH_RENDER_BACKEND": backend}, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{backend} run failed:\n{done.stdout[-3000:]}")
    return time.perf_counter() - t


def events_per_partition(env: dict) -> dict:
    import dagster as dg

    os.environ.update({k: v for k, v in env.items() if k.startswith("DAGSTER_PG_")})  # the instance file reads them
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        run = next(r for r in instance.get_runs() if any(k.path[0] == "events" for k in r.asset_selection or ()))
        logs = instance.all_logs(run.run_id)
        renders = [r for r in logs if r.step_key == "events__renders"]
        shard_events = [r for r in renders if " complete, " in (r.user_message or "")]
    return {"total": len(logs), "renders": len(renders), "per_shard": len(shard_events)}


def pod_spec_seconds(tmp: Path) -> float:
    from psynth_deploy.cluster_config import ClusterConfig
    from psynth_deploy.pod_spec import dry_run_bootstrap_env, pipes_pod, pod_request
    from psynth_deploy.render_extras import partition_extras
    from psynth_spec.compile import load_spec

    path = tmp / "plan.psynth"
    path.write_text(PLAN_SPEC)
    spec = load_spec(path)
    t = time.perf_counter()
    for p in range(20):
        key = spec.partition_key(p)
        extras = partition_extras(spec, key, "s3://b/p")
        pipes_pod(pod_request(spec, key, ClusterConfig()), dry_run_bootstrap_env(extras, key, ["plan500m", "renders"]), "x")
    return (time.perf_counter() - t) / 20


def plan(tmp: Path, overhead_s: dict[str, float], submit_ms: float, events: dict) -> None:
    from psynth_deploy.pod_resources import pod_resources
    from psynth_spec.compile import load_spec

    path = tmp / "plan.psynth"
    path.write_text(PLAN_SPEC)
    spec = load_spec(path)
    calibrated = pod_resources(spec).frame_seconds  # frame on a GPU + per-sample CPU work
    runs = spec.partitions
    print("\n## 500M-sample plan (512x512 Cycles, 64 spp, GPU; 1,000-sample shards, 50 shards per partition)")
    print(f"partitions {spec.partitions:,}; shards {spec.shards:,}; runs {runs:,} (one partition per run)")
    print(f"events per partition: {events['total']} for a run of 2 shards, {events['renders']} in its renders step "
          f"(+1 per further shard) -> ~{(events['total'] + 48) * runs / 1e6:.2f}M event rows for the dataset")
    print(f"backfill submission: {submit_ms:.0f} ms/run -> {runs * submit_ms / 1000 / 3600:.2f} h for {runs:,} runs "
          "(overlapped with rendering)")
    print("| s/image | GPU-hours | wall on 100 GPUs | wall on 1,000 GPUs | Dagster overhead (subprocess / celery) |")
    print("|---|---|---|---|---|")
    for label, s in ((f"{calibrated:.3f} (cost model)", calibrated), ("0.300", 0.3)):
        gpu_h = spec.samples * s / 3600
        share = " / ".join(f"{overhead_s[b] * runs / 3600 / gpu_h * 100:.3f}%" for b in ("subprocess", "celery"))
        print(f"| {label} | {gpu_h:,.0f} | {gpu_h / 100 / 24:.1f} days | {gpu_h / 1000 / 24:.2f} days | {share} |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backfill", type=int, default=200, help="partitions in the backfill submissions")
    p.add_argument("--runs", type=int, default=3, help="partition runs per backend (median)")
    p.add_argument("--only", choices=("backfill", "runs"), default=None, help="one part (the plan needs both)")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        with Postgres() as pg, Redis(tmp / "redis") as redis:
            if args.only in (None, "backfill"):
                sqlite = backfill_submission(tmp, args.backfill)
                postgres = backfill_submission(tmp, args.backfill, storage=postgres_storage(pg))
                print(f"## Backfill submission ({args.backfill} one-partition runs, 3 assets, queued)")
                for name, r in (("SQLite", sqlite), ("Postgres", postgres)):
                    print(f"{name}: {r['ms_per_run']:.0f} ms/run ({r['runs']} runs in {r['submit_s']:.1f} s, "
                          f"{r['iterations']} daemon iterations)")
                if args.only == "backfill":
                    return 0

            specs, home = tmp / "specs", tmp / "home"
            specs.mkdir()
            home.mkdir()
            (specs / "over.psynth").write_text(SPEC.format(name="over", samples=100 * 2 * args.runs, shard=100, per=1))
            (specs / "events.psynth").write_text(SPEC.format(name="events", samples=4, shard=2, per=2))
            shutil.copy(REPO / "deploy" / "celery" / "dagster.yaml", home / "dagster.yaml")
            env = {**os.environ, **pg.env(), **redis.env(), "DAGSTER_HOME": str(home), "PSYNTH_SPECS": str(specs),
                   "PSYNTH_DATA_ROOT": str(tmp / "data"), "PYTHONPATH": str(REPO),
                   "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
            subprocess.run([str(BIN / "dagster"), "instance", "migrate"], env=env, check=True, capture_output=True)
            workers = [CeleryWorker("gpu", "gpu", env, tmp / "gpu.log"), CeleryWorker("cpu", "dagster", env, tmp / "cpu.log")]
            try:
                for w in workers:
                    w.start()
                for w in workers:
                    w.wait_ready()
                keys = iter(f"{p:06d}" for p in range(2 * args.runs))
                overhead = {b: statistics.median(materialize(env, "over", next(keys), b) for _ in range(args.runs))
                            for b in ("subprocess", "celery")}
                print(f"\n## Per-run overhead (partition of 1 shard x 100 samples, no-bpy renderer; median of {args.runs})")
                for b, s in overhead.items():
                    print(f"{b}: {s:.1f} s per partition run")
                materialize(env, "events", "000000", "subprocess", fake=False)
                events = events_per_partition(env)
            finally:
                for w in workers:
                    w.stop()
        print(f"k8s: not measurable here (no cluster); building the pod spec takes {pod_spec_seconds(tmp) * 1000:.0f} ms")
        print(f"\n## Events per partition (real worker, 2 shards): {events['total']} rows in the run, "
              f"{events['renders']} in the renders step, {events['per_shard']} from the worker (one per shard)")
        if args.only is None:
            plan(tmp, overhead, postgres["ms_per_run"], events)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
