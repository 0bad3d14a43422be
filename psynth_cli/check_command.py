"""`psynth check FILE... [--json]`: a summary per valid file, every error of every invalid one."""

import argparse
import json
import sys

from psynth_cli.words import count, sharding


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
        "per_object_axes": [st.axis for st in spec.objects.statements] if spec.objects else None,
        "requires": len(spec.requires),
        "captions": spec.caption_columns,
        "caption_templates": len(spec.captions),
        "outputs": list(spec.outputs),
        "render": spec.render.model_dump(),
        "video": spec.video.model_dump() if spec.video else None,
        "qc": dict(spec.qc),
        "variants": spec.variants.model_dump() if spec.variants else None,
        "catalogs": [{"name": c.name, "kind": c.kind, "uri": c.uri, "digest": c.digest, "drawable_assets": len(c.assets)}
                     for c in spec.catalogs],
    }


def _print_summary(info: dict) -> None:
    print(f"{info['file']}: ok")
    print(f"  dataset {info['dataset']} {info['version']}  (version id {info['version_id']})")
    print("  " + sharding(info["samples"], info["shards"], info["shard_size"], info["partitions"],
                          info["shards_per_partition"]))
    axes = info["axes"]
    print(f"  {count(len(axes), 'axis')} stated: {', '.join(axes) if axes else '(none: registry defaults)'}")
    if info["per_object_axes"] is not None:
        each = info["per_object_axes"]
        print(f"  multi-object (scene.objects); each object states: {', '.join(each) if each else '(none: top-level draws)'}")
    print(f"  captions: {', '.join(info['captions'])}; outputs: {', '.join(info['outputs'])}")
    if info.get("variants"):
        variants = info["variants"]
        axes_text = ", ".join(f"{a['axis']} ({a['mode']})" for a in variants["axes"])
        print(f"  variants: {variants['count']} per sample, changing {axes_text}")
    for catalog in info["catalogs"]:
        print(f"  {catalog['kind']} {catalog['name']}: {catalog['drawable_assets']:,} drawable from {catalog['uri']}")
    if info["qc"]:
        print("  qc thresholds: " + ", ".join(f"{k} {v:g}" for k, v in info["qc"].items()) + " (others: defaults)")


def _diagnostic_json(d) -> dict:
    out = {"line": d.line, "col": d.col, "code": d.code, "message": d.message, "hint": d.hint}
    if d.severity != "error":
        out["severity"] = d.severity
    return out


def run(args: argparse.Namespace) -> int:
    from psynth_spec.compile import load_spec
    from psynth_spec.diagnostics import render_diagnostics
    from psynth_spec.errors import SpecError
    from psynth_spec.parser import read_source
    from psynth_spec.pilot import eliminated_values

    status = 0
    for path in args.files:
        try:
            spec = load_spec(path)
        except SpecError as exc:
            status = 1
            if args.json:
                errors = [_diagnostic_json(d) for d in exc.diagnostics]
                print(json.dumps({"file": path, "ok": False, "errors": errors}))
            else:
                print(str(exc), file=sys.stderr)
                print(f"{path}: {count(len(exc.diagnostics), 'error')}", file=sys.stderr)
            continue
        info = summary(spec)
        warnings = eliminated_values(spec)
        info["warnings"] = [_diagnostic_json(d) for d in spec.warnings] + [
            {"line": line, "code": "require-removes-values", "message": message} for line, message in warnings]
        if args.json:
            print(json.dumps(info))
        else:
            if spec.warnings:
                print(render_diagnostics(list(spec.warnings), read_source(path)), file=sys.stderr)
            _print_summary(info)
            for line, message in warnings:
                print(f"{path}:{line}: warning: {message}", file=sys.stderr)
    return status
