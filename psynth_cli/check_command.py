"""`psynth check FILE... [--json]`: a summary per valid file, every error of every invalid one."""

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".psynth spec files")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file")


def summary(spec) -> dict:
    """The facts `check --json` reports for a valid spec."""
    return {
        "file": spec.source,
        "ok": True,
        "dataset": spec.dataset,
        "version": spec.version,
        "version_id": spec.version_id,
        "taxonomy_version": spec.taxonomy_version,
        "taxonomy_hash": spec.taxonomy_hash,
        "samples": spec.samples,
        "shard_size": spec.shard_size,
        "shards": spec.shards,
        "shards_per_partition": spec.shards_per_partition,
        "partitions": spec.partitions,
        "seed": spec.seed,
        "axes": [st.axis for st in spec.statements],
        "requires": len(spec.requires),
        "captions": spec.caption_columns,
        "caption_templates": len(spec.captions),
        "outputs": list(spec.outputs),
        "render": spec.render.model_dump(),
        "video": spec.video.model_dump() if spec.video else None,
        "qc": dict(spec.qc),
    }


def _print_summary(info: dict) -> None:
    print(f"{info['file']}: ok")
    print(f"  dataset {info['dataset']} {info['version']}  (version id {info['version_id']})")
    partitions = info["partitions"]
    print(
        f"  {info['samples']:,} samples in {info['shards']:,} shard{'s' * (info['shards'] != 1)} of {info['shard_size']:,}, "
        f"{partitions:,} partition{'s' * (partitions != 1)} of {info['shards_per_partition']:,} shard{'s' * (info['shards_per_partition'] != 1)}"
    )
    axes = info["axes"]
    print(f"  {len(axes)} axes stated: {', '.join(axes) if axes else '(none: registry defaults)'}")
    print(f"  captions: {', '.join(info['captions'])}; outputs: {', '.join(info['outputs'])}")
    if info["qc"]:
        print("  qc thresholds: " + ", ".join(f"{k} {v:g}" for k, v in info["qc"].items()) + " (others: defaults)")


def run(args: argparse.Namespace) -> int:
    from psynth_spec.compile import load_spec
    from psynth_spec.errors import SpecError

    status = 0
    for path in args.files:
        try:
            spec = load_spec(path)
        except SpecError as exc:
            status = 1
            if args.json:
                errors = [
                    {"line": d.line, "col": d.col, "code": d.code, "message": d.message, "hint": d.hint}
                    for d in exc.diagnostics
                ]
                print(json.dumps({"file": path, "ok": False, "errors": errors}))
            else:
                print(str(exc), file=sys.stderr)
                count = len(exc.diagnostics)
                print(f"{path}: {count} error{'s' * (count != 1)}", file=sys.stderr)
            continue
        info = summary(spec)
        if args.json:
            print(json.dumps(info))
        else:
            _print_summary(info)
    return status
