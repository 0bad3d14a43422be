"""Golden tests: every invalid spec under tests/golden/errors gives exactly its expected output.

The expected `.txt` is what `psynth check NAME.psynth` prints on stderr (run in that folder),
followed by the exit code. Regenerate with `pytest tests/test_golden_errors.py --update-golden`
and review the diff.
"""

import contextlib
import io
import os
from pathlib import Path

import pytest

from psynth_cli.main import main

GOLDEN = Path(__file__).parent / "golden" / "errors"
CASES = sorted(p.stem for p in GOLDEN.glob("*.psynth"))


def run_check(name: str) -> str:
    stdout, stderr = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(GOLDEN)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["check", f"{name}.psynth"])
    finally:
        os.chdir(cwd)
    assert stdout.getvalue() == "", "an invalid spec prints nothing on stdout"
    return f"{stderr.getvalue()}exit {code}\n"


def test_there_are_enough_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_golden_error(name, request):
    output = run_check(name)
    expected_path = GOLDEN / f"{name}.txt"
    if request.config.getoption("--update-golden"):
        expected_path.write_text(output, encoding="utf-8")
    assert expected_path.exists(), f"no expectation for {name}; run with --update-golden and review it"
    assert output == expected_path.read_text(encoding="utf-8")
    assert output.endswith("exit 1\n")
    first = output.splitlines()[0]
    assert first.startswith(f"{name}.psynth:"), "every error names FILE:LINE:COL"
    assert ": error: " in first
