"""`psynth export`: a dataset's complete shards as instruct JSONL or Hugging Face Parquet.

    export_dataset(storage, layout, out_dir, options) -> summary dict (also written as export.json)

One output file per input shard (`instruct/{dataset}-{shard:06d}.jsonl`,
`hf/{dataset}-{shard:06d}.parquet`), each written under a temporary name and renamed, by a
pool of worker processes: shards are independent, every worker streams its shard's tar one
sample at a time, so the export scales with the number of shards and holds one sample (hf: one
row group) per worker in memory. An output file that already exists is skipped only with
`resume` (a re-run after an interruption); by default everything is rewritten.
"""

import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from psynth_data.export_source import complete_shards, shard_samples
from psynth_data.layout import Layout
from psynth_data.storage import Storage, StorageError, open_storage

Format = Literal["instruct", "hf"]


@dataclass(frozen=True)
class ExportOptions:
    format: Format = "instruct"
    seed: int = 0  # wording variety of the instruct records
    qa_per_sample: int = 4
    workers: int = 0  # 0: one per CPU core, at most one per shard
    resume: bool = False


def output_name(layout: Layout, options: ExportOptions, shard: int) -> str:
    ext = "jsonl" if options.format == "instruct" else "parquet"
    return f"{options.format}/{layout.dataset}-{shard:06d}.{ext}"


def export_shard(root: str, layout: Layout, shard: int, out_dir: str, options: ExportOptions) -> dict:
    """Export one shard (in a worker process); returns its counts."""
    storage = open_storage(root)
    target = Path(out_dir) / output_name(layout, options, shard)
    if options.resume and target.exists():
        return {"shard": shard, "skipped": True, "samples": 0, "records": {}, "bytes": target.stat().st_size}
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if options.format == "instruct":
        samples, records = _instruct(storage, layout, shard, target, options)
    else:
        samples, records = _hf(storage, layout, shard, target)
    return {"shard": shard, "skipped": False, "samples": samples, "records": records,
            "bytes": target.stat().st_size, "seconds": time.perf_counter() - started}


def _instruct(storage: Storage, layout: Layout, shard: int, target: Path, options: ExportOptions):
    from psynth_data.instruct import sample_records
    from psynth_data.instruct_wording import Wording
    from psynth_spec.taxonomy import default_taxonomy

    wording = Wording(default_taxonomy(), options.seed)
    counts: dict[str, int] = {}
    samples = 0
    tmp = target.with_name(f".{target.name}.partial")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            for sample in shard_samples(storage, layout, shard):
                samples += 1
                for record in sample_records(sample, layout, wording, options.qa_per_sample):
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    counts[record["kind"]] = counts.get(record["kind"], 0) + 1
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return samples, counts


def _hf(storage: Storage, layout: Layout, shard: int, target: Path):
    from psynth_data.hf_export import HfWriter, sample_rows

    writer = HfWriter(target)
    samples = 0
    try:
        for sample in shard_samples(storage, layout, shard):
            samples += 1
            writer.add(sample_rows(sample, layout))
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return samples, {"rows": writer.rows}


def export_dataset(storage: Storage, layout: Layout, out_dir: str | os.PathLike, options: ExportOptions,
                   shards: list[int] | None = None) -> dict:
    """Export every complete shard (or `shards`) in parallel; writes and returns the summary."""
    available = complete_shards(storage, layout)
    if not available:
        raise StorageError(f"{storage.url(layout.prefix)}: no complete shard to export (no manifests)")
    todo = available if shards is None else [s for s in shards if s in set(available)]
    missing = sorted(set(shards or []) - set(available))
    if missing:
        raise StorageError(f"{layout.prefix}: shards {missing[:5]} are not complete (no manifest)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(options.workers or os.cpu_count() or 1, len(todo)))
    started = time.perf_counter()
    if workers == 1:
        parts = [export_shard(storage.root, layout, s, str(out), options) for s in todo]
    else:
        # spawn: no fork of a threaded parent (polars, boto3), and the workers see this process's
        # environment as it is now (storage credentials); costs ~1-2 s of imports per worker
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = list(pool.map(export_shard, [storage.root] * len(todo), [layout] * len(todo), todo,
                                  [str(out)] * len(todo), [options] * len(todo)))
    seconds = time.perf_counter() - started
    records: dict[str, int] = {}
    for part in parts:
        for kind, n in part["records"].items():
            records[kind] = records.get(kind, 0) + n
    samples = sum(p["samples"] for p in parts)
    total_bytes = sum(p["bytes"] for p in parts)
    summary = {
        "dataset": layout.dataset, "version_id": layout.version_id, "source": storage.url(layout.prefix),
        "options": asdict(options), "shards": len(todo), "workers": workers, "samples": samples,
        "records": records, "bytes": total_bytes, "seconds": round(seconds, 3),
        "files": [output_name(layout, options, s) for s in todo],
    }
    (out / f"{options.format}-export.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary
