"""`psynth` entry point: argparse sub-commands, each in its own module, imported lazily.

Each command module defines `add_arguments(parser)` and `run(args) -> int`; heavy imports
(polars, bpy, dagster) happen inside `run`, so `psynth check` starts fast.
Exit codes: 0 ok, 1 the input has errors, 2 usage errors (argparse's own).
"""

import argparse
import importlib
import sys

COMMANDS = {
    "check": "check specs and print a summary (or every error with its position)",
    "fmt": "rewrite specs in canonical form",
    "taxonomy": "browse the concept tree and the axis registry",
    "sample": "sample one shard of a spec and print or write it",
    "plan": "show what a spec will produce: partitions, distributions, storage, render time",
    "render": "render one shard (or one sample) with Blender",
    "assets": "asset libraries: scan a folder or S3 prefix of 3D files into a catalog",
    "audit": "audit a dataset: observed vs expected per axis, pair coverage, QC failures by value",
    "export": "export a dataset as instruct JSONL records or Hugging Face image-text Parquet",
    "verify": "check a dataset's stored objects against their manifests' sha256 (--repair re-renders)",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="psynth", description="Declarative synthetic 3D dataset specs.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"psynth_cli.{name}_command")
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = importlib.import_module(f"psynth_cli.{args.command}_command")
    from psynth_cli.usage import UsageError
    from psynth_spec.errors import PsynthError, SpecError

    try:
        return module.run(args)
    except UsageError as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except SpecError as exc:  # already `FILE:LINE:COL: error: ...`, one per diagnostic
        print(str(exc), file=sys.stderr)
        return 1
    except PsynthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
