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
_TABLE_COLUMNS = 8


def _table(spec, frame) -> None:
    """A rich table of the first rows: id, the stated axes (in statement order), the caption."""
    from rich.console import Console
    from rich.table import Table

    stated = [s.column for s in spec.statements][:_TABLE_COLUMNS]
    columns = ["sample_id", *stated, *spec.caption_columns[:1]]
    table = Table(title=f"{spec.dataset}: shard rows {len(frame):,} (first {min(len(frame), _TABLE_ROWS)})")
    for name in columns:
        table.add_column(name, overflow="fold", max_width=60 if name.startswith("caption") else 24)
    for row in frame.head(_TABLE_ROWS).select(columns).iter_rows():
        table.add_row(*(_cell(v) for v in row))
    console = Console()
    console.print(table)
    hidden = len(frame.columns) - len(columns)
    if hidden:
        console.print(f"[dim]{hidden} more columns; use --format jsonl or parquet to see all[/dim]")


def _cell(value) -> str:
    if value is None:
        return "[dim]null[/dim]"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def run(args: argparse.Namespace) -> int:
    from psynth_spec.compile import load_spec
    from psynth_spec.errors import PsynthError
    from psynth_spec.sampler import sample_shard, write_samples_parquet

    if args.limit is not None and args.limit < 0:
        raise PsynthError("--limit must be >= 0")
    if args.format == "parquet" and not args.out:
        raise PsynthError("--format parquet needs --out PATH")
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
