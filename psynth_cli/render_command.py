"""`psynth render FILE --shard N [--root DIR]`: sample (if needed) and render one shard.

Writes the data-contract layout under the root (default `$PSYNTH_DATA_ROOT`, else `./data`)
with a progress bar. `psynth render FILE --sample ID --out x.png` renders one sample for a quick
look (nothing is stored).
"""

import argparse
import os
import sys
import time
from typing import get_args

from psynth_cli.words import count
from psynth_spec.vocabulary import Device


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the .psynth spec")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--shard", type=int, help="the shard to render")
    what.add_argument("--sample", type=int, help="render this one sample id to --out")
    parser.add_argument("--out", help="image path for --sample (format from the suffix)")
    parser.add_argument("--root", default=None, help="storage root (default $PSYNTH_DATA_ROOT or ./data)")
    parser.add_argument("--device", choices=get_args(Device), default=None, help="default: the spec's")
    parser.add_argument("--max-rss-mb", type=float, default=float(os.environ.get("PSYNTH_MAX_RSS_MB") or 0),
                        help="recycle a worker past this resident memory (0: never)")
    parser.add_argument("--sample-timeout", type=float, default=None, help="seconds before a sample is retried")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from psynth_cli.usage import UsageError
    from psynth_spec.compile import load_spec
    from psynth_spec.errors import PsynthError

    if args.sample is not None and not args.out:
        raise UsageError("--sample needs --out x.png")
    if args.out and args.sample is None:
        raise UsageError("--out goes with --sample (a shard is written under --root)")
    spec = load_spec(args.file)
    if args.sample is not None:
        return _render_one(spec, args.sample, args.out, args.device)
    if not 0 <= args.shard < spec.shards:
        raise PsynthError(f"{args.file}: shard {args.shard} out of range 0..{spec.shards - 1}")
    return _render_shard(spec, args)


def _render_shard(spec, args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from psynth_data.layout import Layout
    from psynth_data.storage import default_root, open_storage
    from psynth_data.verify import check_shard
    from psynth_render.shard_inputs import shard_samples
    from psynth_render.supervisor import run_shard

    root = args.root or default_root()
    storage = open_storage(root)
    layout = Layout.for_spec(spec)
    shard_samples(storage, layout, spec, args.shard)  # sample here, so the worker only renders
    console = Console(stderr=True)
    total = len(spec.shard_range(args.shard))
    progress = Progress(
        TextColumn(f"[bold]{spec.dataset}[/] shard {args.shard}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
        disable=args.quiet,
    )
    previous = check_shard(storage, layout, args.shard) if storage.exists(layout.manifest_key(args.shard)) else None
    if previous is not None and previous.ok:
        counts = previous.manifest.counts
        print(f"{layout.render_key(args.shard)}: already complete (manifest matches): "
              f"{count(counts.rendered, 'sample')} rendered, {counts.failed:,} failed ({storage.root})")
        return 0 if counts.failed == 0 else 1
    if previous is not None:
        console.print(f"shard {args.shard} does not match its manifest ({'; '.join(p.describe() for p in previous.problems)}): "
                      "rendering it again, its objects will be replaced", highlight=False)
    state = {"done": 0, "new": 0, "started": None}
    task = progress.add_task("render", total=total, rate="", note="")

    def on_event(event: dict) -> None:
        kind = event["event"]
        if kind == "shard":
            state["done"] = event["samples"] - event["todo"]
            state["started"] = state["started"] or time.monotonic()
            progress.update(task, completed=state["done"], note=f"device {event['device']}")
        elif kind in ("done", "failed"):
            state["done"] += 1
            state["new"] += 1
            elapsed = max(time.monotonic() - (state["started"] or time.monotonic()), 1e-9)
            progress.update(task, completed=state["done"], rate=f"{state['new'] / elapsed:.2f} img/s")
        elif kind in ("recycle", "timeout"):
            progress.update(task, note=kind)
        if kind in ("failed", "timeout") and not args.quiet:
            progress.console.print(f"sample {event.get('sample_id')}: {kind}: {event.get('error')}")

    with progress:
        result = run_shard(spec, args.shard, root, device=args.device, max_rss_mb=args.max_rss_mb,
                           sample_timeout=args.sample_timeout, on_event=on_event)
    manifest = result.manifest
    print(f"{layout.render_key(args.shard)}: {count(manifest.counts.rendered, 'sample')} rendered, "
          f"{manifest.counts.failed:,} failed ({storage.root})")
    for failed in manifest.failed:
        print(f"  failed sample {failed.sample_id}: {failed.error}", file=sys.stderr)
    return 0 if manifest.counts.failed == 0 else 1


def _render_one(spec, sample_id: int, out: str, device: str | None) -> int:
    from psynth_spec.errors import PsynthError
    from psynth_spec.sampler import sample_range

    if not 0 <= sample_id < spec.samples:
        raise PsynthError(f"sample {sample_id} out of range 0..{spec.samples - 1}")
    row = sample_range(spec, sample_id, sample_id + 1).to_dicts()[0]
    saved = os.dup(1)
    os.dup2(2, 1)  # Blender's chatter to stderr; stdout keeps only our answer
    try:
        from psynth_render.scene import configure_device, render_still
        from psynth_render.scene.describe import describe
        from psynth_spec.taxonomy import default_taxonomy

        chosen = configure_device(device or spec.render.device)
        render_still(describe(row, spec, default_taxonomy()), os.path.abspath(out))
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    print(f"{out}: sample {sample_id} ({row.get('caption') or 'no caption'}; device {chosen})")
    return 0
