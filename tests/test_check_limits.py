"""Diagnostics scale: the printed errors are capped with a summary, every one stays in --json,
and "did you mean" is computed for a bounded number of errors (issue 19, item 2; the timing of
hostile inputs at the size limit is bench/bench_check_limits.py)."""

import json

import pytest

from psynth_cli.main import main
from psynth_spec.check_axes import HINTED
from psynth_spec.compile import compile_text
from psynth_spec.diagnostics import MAX_SHOWN
from psynth_spec.errors import SpecError
from psynth_spec.parser import MAX_BYTES, decode_source

DUPLICATES = 300


def _duplicates(count: int) -> str:
    return "dataset d {\n    samples 10\n" + "    camera.fstop ~ loguniform(1.4, 16)\n" * (count + 1) + "}\n"


def test_printed_errors_are_capped_with_a_summary():
    with pytest.raises(SpecError) as info:
        compile_text(_duplicates(DUPLICATES), "dup.psynth")
    text = str(info.value)
    assert len(info.value.diagnostics) == DUPLICATES
    assert text.count(": error: ") == MAX_SHOWN
    assert text.splitlines()[-1].startswith(f"... and {DUPLICATES - MAX_SHOWN} more errors")
    # the shown ones are the first, in file order, each with its own source line
    assert "dup.psynth:4:5: error:" in text and f"dup.psynth:{3 + MAX_SHOWN}:5: error:" in text
    assert f"dup.psynth:{4 + MAX_SHOWN}:5:" not in text


def test_check_json_lists_every_error_and_the_text_output_counts_them(tmp_path, capsys):
    path = tmp_path / "dup.psynth"
    path.write_text(_duplicates(DUPLICATES))
    assert main(["check", "--json", str(path)]) == 1
    assert len(json.loads(capsys.readouterr().out)["errors"]) == DUPLICATES
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count(": error: ") == MAX_SHOWN
    assert f"... and {DUPLICATES - MAX_SHOWN} more errors" in err
    assert err.rstrip().endswith(f"{path}: {DUPLICATES} errors")


def test_did_you_mean_is_computed_for_the_first_errors_only():
    entries = "".join(f"        metal.gld{i}: 1,\n" for i in range(HINTED + 20))
    with pytest.raises(SpecError) as info:
        compile_text("dataset d {\n    samples 10\n    material ~ one_of {\n" + entries + "    }\n}\n", "typos.psynth")
    unknown = [d for d in info.value.diagnostics if d.code == "unknown-concept"]
    assert len(unknown) == HINTED + 20
    assert unknown[0].hint and "metal.gold" in unknown[0].hint
    assert all(d.hint is None for d in unknown[HINTED:])


def test_the_size_limit_is_stated_in_kib():
    with pytest.raises(SpecError) as info:
        decode_source(b"#" * (MAX_BYTES + 1), "big.psynth")
    (diag,) = info.value.diagnostics
    assert diag.code == "file-too-large" and f"limited to {MAX_BYTES // 1024} KiB" in diag.message
