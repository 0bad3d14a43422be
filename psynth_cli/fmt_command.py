"""`psynth fmt FILE... [--check]`: rewrite specs in canonical form (atomically)."""

import argparse
import os
import sys
import tempfile
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".psynth spec files")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file would change; write nothing")


def _write_atomic(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    from psynth_spec.errors import SpecError
    from psynth_spec.fmt import format_text
    from psynth_spec.parser import read_source

    status = 0
    for name in args.files:
        try:
            text = read_source(name)
            formatted = format_text(text, name)
        except SpecError as exc:
            print(str(exc), file=sys.stderr)
            status = 1
            continue
        if formatted == text:
            continue
        if args.check:
            print(f"{name}: would reformat", file=sys.stderr)
            status = 1
        else:
            _write_atomic(Path(name), formatted)
            print(f"{name}: reformatted")
    return status
