"""`psynth export DATASET --format instruct|hf --out DIR`: records for language models, or
image-text Parquet for Hugging Face `datasets`.

DATASET is `{root}/{dataset}/{version_id}`, or `{root}/{dataset}` for its latest version, on a
local disk or `s3://`. Only complete shards (with a manifest) are read; one output file per
shard, written by `--workers` processes, and a summary `{format}-export.json` in DIR.
"""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="{root}/{dataset}/{version_id}, or {root}/{dataset} for the latest version")
    parser.add_argument("--format", choices=("instruct", "hf"), required=True,
                        help="instruct: JSONL records (code, edit, qa); hf: image-text Parquet")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="wording variety of instruct records (default 0)")
    parser.add_argument("--qa-per-sample", type=int, default=4, help="question/answer records per sample (default 4)")
    parser.add_argument("--workers", type=int, default=0, help="processes (default: one per core)")
    parser.add_argument("--shards", default=None, help="only these shards: N, N-M, or a comma-separated list")
    parser.add_argument("--resume", action="store_true", help="skip shards whose output file exists")


def parse_shards(text: str | None) -> list[int] | None:
    """`3`, `0-9`, `1,4,7-8` -> shard numbers; None for all."""
    from psynth_spec.errors import PsynthError

    if text is None:
        return None
    out: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            out.extend(range(int(low), int(high or low) + 1))
    except ValueError:
        raise PsynthError(f"--shards {text!r}: expected N, N-M or a comma-separated list of them") from None
    return sorted(set(out))


def run(args: argparse.Namespace) -> int:
    from psynth_data.dataset_path import locate_dataset
    from psynth_data.export import ExportOptions, export_dataset
    from psynth_spec.errors import PsynthError

    if args.qa_per_sample < 0 or args.workers < 0:
        raise PsynthError("--qa-per-sample and --workers must be >= 0")
    storage, layout = locate_dataset(args.dataset)
    options = ExportOptions(format=args.format, seed=args.seed, qa_per_sample=args.qa_per_sample,
                            workers=args.workers, resume=args.resume)
    summary = export_dataset(storage, layout, args.out, options, parse_shards(args.shards))
    records = ", ".join(f"{n:,} {kind}" for kind, n in summary["records"].items()) or "no records"
    rate = summary["samples"] / summary["seconds"] if summary["seconds"] else 0.0
    print(f"{layout.dataset}/{layout.version_id}: {summary['samples']:,} samples from {summary['shards']} shards -> "
          f"{records}; {summary['bytes']:,} bytes in {args.out}/{args.format}/ "
          f"({summary['seconds']:.1f} s, {rate:,.0f} samples/s, {summary['workers']} workers)")
    return 0
