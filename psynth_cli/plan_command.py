"""`psynth plan FILE [--json]`: what a spec will produce, before anything renders."""

import argparse

from psynth_cli.words import count, sharding

_MAX_SHARES = 8  # categories shown per axis in the table (the JSON has all of them)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the .psynth spec")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")


def _bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _duration(hours: float) -> str:
    if hours < 1 / 60:
        return f"{hours * 3600:,.0f} s"
    if hours < 1:
        return f"{hours * 60:,.1f} min"
    return f"{hours:,.1f} h"


def _print(plan) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{plan.dataset}[/bold]  version {plan.version_id}")
    text = sharding(plan.samples, plan.shards, plan.shard_size, plan.partitions, plan.shards_per_partition)
    notes = []
    if plan.shards > 1 and plan.last_shard_samples != plan.shard_size:
        notes.append(f"last shard {count(plan.last_shard_samples, 'sample')}")
    if plan.partitions > 1 and plan.last_partition_shards != plan.shards_per_partition:
        notes.append(f"last partition {count(plan.last_partition_shards, 'shard')}")
    console.print(text + (f" ({'; '.join(notes)})" if notes else ""), highlight=False)
    console.print(f"constraints accept {plan.acceptance:.2%} of first draws (pilot of {plan.pilot_samples:,})")

    axes = Table(title="expected distribution of categorical axes (after when and require)")
    axes.add_column("axis")
    axes.add_column("values (share of samples)", overflow="fold")
    for dist in plan.distributions:
        if not dist.stated and len(dist.shares) == 1:
            continue
        shown = ", ".join(f"{s.value} {s.probability:.1%}" for s in dist.shares[:_MAX_SHARES])
        more = len(dist.shares) - _MAX_SHARES
        axes.add_row(dist.axis, shown + (f", ... {more} more" if more > 0 else ""))
    console.print(axes)
    fixed = [f"{d.axis}={d.shares[0].value}" for d in plan.distributions if not d.stated and len(d.shares) == 1]
    if fixed:
        console.print(f"[dim]constant (registry defaults): {', '.join(fixed)}[/dim]")

    captions = Table(title=f"caption length (pilot of {plan.pilot_samples:,})")
    captions.add_column("caption")
    for name in ("words min", "median", "p95", "max", "chars mean"):
        captions.add_column(name, justify="right")
    for c in plan.captions:
        captions.add_row(c.column, f"{c.words_min}", f"{c.words_median:g}", f"{c.words_p95:g}",
                         f"{c.words_max}", f"{c.chars_mean:.0f}")
    console.print(captions)

    storage = Table(title="expected storage")
    storage.add_column("output")
    storage.add_column("per sample", justify="right")
    storage.add_column("total", justify="right")
    for item in plan.storage:
        storage.add_row(item.kind, _bytes(item.bytes_per_sample), _bytes(item.total_bytes))
    storage.add_row("[bold]all[/bold]", "", f"[bold]{_bytes(plan.total_bytes)}[/bold]")
    console.print(storage)

    r = plan.render
    engines = ", ".join(f"{name} {share:.0%}" for name, share in r.engines.items())
    console.print(
        f"render ({engines}, {_images_text(r)} per sample): "
        f"CPU {r.cpu_seconds_per_sample:.2f} s/sample = [bold]{_duration(r.cpu_hours)} of CPU[/bold]; "
        f"GPU {r.gpu_seconds_per_sample:.2f} s/sample = [bold]{_duration(r.gpu_hours)} of GPU[/bold]"
    )
    if r.simulation_cpu_seconds_per_sample:
        console.print(f"simulated effects: {r.simulation_cpu_seconds_per_sample:.2f} CPU s/sample of that "
                      "(solver, meshing and per-frame id renders)")
    console.print(f"[dim]{r.assumptions}[/dim]")


def _images_text(r) -> str:
    """The images a sample renders: `1 image`, `8 views`, `8 views + 24 video frames + 2
    variants = 34 images`."""
    parts = [count(n, word) for n, word in ((r.views_per_sample, "view"), (r.frames_per_sample, "video frame"),
                                            (r.variants_per_sample, "variant")) if n]
    if len(parts) > 1:
        return " + ".join(parts) + f" = {count(r.images_per_sample, 'image')}"
    if r.views_per_sample == 1 or not parts:
        return count(r.images_per_sample, "image")
    return parts[0]


def run(args: argparse.Namespace) -> int:
    from psynth_spec.compile import load_spec
    from psynth_spec.plan import make_plan

    plan = make_plan(load_spec(args.file))
    if args.json:
        print(plan.model_dump_json(indent=2))
    else:
        _print(plan)
    return 0
