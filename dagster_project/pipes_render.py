"""The Pipes side of `{dataset}/renders`: render a partition's shards, report back to Dagster.

Launched by `PipesSubprocessClient` as `python dagster_project/pipes_render.py` (a plain script,
no Dagster import: only the single-file `dagster_pipes`). Pipes carries no partition ranges, so
everything comes in `extras`:

    spec          the compiled spec (JSON object)
    shards        the shard ids of the partition
    partition     the partition key (for names only)
    root          the storage root
    device, max_rss_mb, sample_timeout_s   render settings (device null: the spec's)

Each shard whose manifest already matches is skipped; the others are rendered by the
supervisor (one worker process per shard, restarted and recycled as needed), whose progress
events stream into the run's logs. Ends with one materialization: counts, render seconds
(total, p50, p95), device, bytes, and a contact sheet of thumbnails.
"""

import os
import sys
import time

from dagster_pipes import PipesContext, open_dagster_pipes

from psynth_data.layout import Layout
from psynth_data.manifest import is_complete
from psynth_data.partition_report import sheet_markdown, summarize_partition
from psynth_data.storage import open_storage
from psynth_render.parent_watch import die_with_parent
from psynth_render.shard_inputs import shard_samples
from psynth_render.supervisor import run_shard
from psynth_spec.spec import Spec


class ProgressLog:
    """Turns the supervisor's events into run log lines (samples at most every few seconds)."""

    def __init__(self, pipes: PipesContext, shard: int, samples: int, every_s: float = 5.0):
        self.pipes, self.shard, self.samples, self.every_s = pipes, shard, samples, every_s
        self.done = 0
        self.last = time.monotonic()

    def __call__(self, event: dict) -> None:
        kind = event.get("event")
        log = self.pipes.log
        if kind == "shard":
            self.done = event["samples"] - event["todo"]
            log.info(f"shard {self.shard}: {event['todo']} of {event['samples']} samples to render on {event['device']}")
        elif kind in ("done", "failed"):
            self.done += 1
            now = time.monotonic()
            if kind == "failed":
                log.warning(f"shard {self.shard}: sample {event['sample_id']} failed: {event.get('error')}")
            if now - self.last >= self.every_s or self.done == self.samples:
                self.last = now
                log.info(f"shard {self.shard}: {self.done}/{self.samples} samples "
                         f"(last {event.get('render_seconds', 0):.2f} s render)")
        elif kind in ("error", "timeout"):
            log.warning(f"shard {self.shard}: sample {event.get('sample_id')}: {kind}: {event.get('error')}")
        elif kind == "recycle":
            log.info(f"shard {self.shard}: recycling the worker at {event.get('rss_mb')} MiB")
        elif kind == "mismatch":  # said before the shard's objects are replaced
            log.warning(f"shard {self.shard}: does not match its manifest ({'; '.join(event['problems'])}); "
                        "rendering it again")
        elif kind == "complete":
            log.info(f"shard {self.shard}: complete, {event.get('rendered')} rendered, {event.get('failed')} failed")


def render_partition(pipes: PipesContext) -> None:
    spec = Spec.model_validate(pipes.get_extra("spec"))
    shards = [int(s) for s in pipes.get_extra("shards")]
    partition = str(pipes.get_extra("partition"))
    root = pipes.get_extra("root")
    storage = open_storage(root)
    layout = Layout.for_spec(spec)
    rendered_now: list[int] = []
    started = time.perf_counter()
    for shard in shards:
        if is_complete(storage, layout, shard):
            pipes.log.info(f"shard {shard}: manifest matches, skipped")
            continue
        shard_samples(storage, layout, spec, shard)  # normally written by {dataset}/samples already
        progress = ProgressLog(pipes, shard, len(spec.shard_range(shard)))
        run_shard(
            spec, shard, root,
            device=pipes.get_extra("device") or None,
            max_rss_mb=float(pipes.get_extra("max_rss_mb") or 0),
            sample_timeout=float(pipes.get_extra("sample_timeout_s") or 0) or None,
            on_event=progress,
        )
        rendered_now.append(shard)
    wall = time.perf_counter() - started
    report = summarize_partition(storage, layout, shards, rendered_now)
    metadata = {
        "shards": {"raw_value": len(shards), "type": "int"},
        "shards_rendered": {"raw_value": len(rendered_now), "type": "int"},
        "samples": {"raw_value": report["samples"], "type": "int"},
        "rendered": {"raw_value": report["rendered"], "type": "int"},
        "failed": {"raw_value": report["failed"], "type": "int"},
        "render_seconds_total": {"raw_value": report["render_seconds_total"], "type": "float"},
        "render_seconds_p50": {"raw_value": report["render_seconds_p50"], "type": "float"},
        "render_seconds_p95": {"raw_value": report["render_seconds_p95"], "type": "float"},
        "wall_seconds": {"raw_value": round(wall, 3), "type": "float"},
        "device": {"raw_value": report["device"], "type": "text"},
        "bytes_written": {"raw_value": report["bytes_written"], "type": "int"},
        "bytes_total": {"raw_value": report["bytes_total"], "type": "int"},
    }
    if report["sheet_png"]:
        key = layout.contact_sheet_key(partition)
        storage.put_bytes(key, report["sheet_png"])
        caption = f"{spec.dataset} partition {partition}: {report['sheet_count']} of {report['samples']} samples"
        metadata["contact_sheet"] = {"raw_value": sheet_markdown(report["sheet_png"], caption), "type": "md"}
        metadata["contact_sheet_path"] = {"raw_value": storage.url(key), "type": "path"}
    pipes.report_asset_materialization(metadata=metadata)


def main() -> int:
    die_with_parent(os.getppid())  # a killed Dagster step takes this process, and so its workers, along
    with open_dagster_pipes() as pipes:
        render_partition(pipes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
