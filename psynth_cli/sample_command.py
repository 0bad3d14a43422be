"""`psynth sample FILE --shard N [--limit K] [--format table|jsonl|parquet] [--out PATH]`."""

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the .psynth spec")
    parser.add_argument("--shard", type=int, required=True, help="shard index (0-based)")
    parser.add_argument("--limit", type=int, default=None, help="only the first K samples of the shard")
    parser.add_argument(
        "--format", choices=("table", "jsonl", "parquet"), default="table", help="output format (default: table)"
    )
    parser.add_argument("--out", default=None, help="output file (required for parquet; jsonl defaults to stdout)")


_TABLE_ROWS = 20
_MIN_CAPTION_WIDTH = 36
_MAX_CELL = 18


def _cell(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _table(spec, frame) -> None:
    """A rich table of the first rows: sample id, as many stated axes as fit, the caption."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    head = frame.head(_TABLE_ROWS)
    caption = spec.caption_columns[:1]
    budget = console.width - (_MIN_CAPTION_WIDTH if caption else 0) - 12
    columns = ["sample_id"]
    for name in [s.column for s in spec.statements]:
        cells = [_cell(v) for v in head[name].to_list()]
        width = min(max([len(name), *map(len, cells)]), _MAX_CELL) + 3
        if budget - width < 0:
            break
        budget -= width
        columns.append(name)
    columns += caption
    table = Table(title=f"{spec.dataset}: {len(frame):,} samples (first {len(head)})", show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold", max_width=None if name in caption else _MAX_CELL)
    for row in head.select(columns).iter_rows():
        table.add_row(*(_cell(v) if v is not None else "[dim]null[/dim]" for v in row))
    console.print(table)
    hidden = [c for c in frame.columns if c not in columns]
    if hidden:
        console.print(f"[dim]not shown: {len(hidden)} columns ({', '.join(hidden[:6])}, ...); use --format jsonl or parquet[/dim]")


def run(args: argparse.Namespace) -> int:
    from psynth_cli.usage import UsageError
    from psynth_spec.compile import load_spec
    from psynth_spec.errors import PsynthError
    from psynth_spec.sampler import sample_shard, write_samples_parquet

    if args.limit is not None and args.limit < 0:
        raise UsageError(f"--limit must be >= 0, got {args.limit}")
    if args.format == "parquet" and not args.out:
        raise UsageError("--format parquet needs --out PATH")
    spec = load_spec(args.file)
    if not 0 <= args.shard < spec.shards:
        raise PsynthError(f"{spec.dataset} has shards 0..{spec.shards - 1}; got --shard {args.shard}")
    frame = sample_shard(spec, args.shard, limit=args.limit)
    if args.format == "parquet":
        path = write_samples_parquet(frame, args.out)
        print(f"wrote {len(frame):,} samples to {path}")
    elif args.format == "jsonl":
        if args.out:
            frame.write_ndjson(args.out)
            print(f"wrote {len(frame):,} samples to {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(frame.write_ndjson())
    else:
        _table(spec, frame)
    return 0
