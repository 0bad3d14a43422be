"""Lexing and parsing: the lexical rules of language.md, spans, and hostile input."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from psynth_spec import nodes as n
from psynth_spec.compile import parse
from psynth_spec.errors import SpecError
from psynth_spec.parser import decode_source, read_source

ROOT = Path(__file__).resolve().parent.parent
PSYNTH = [sys.executable, "-m", "psynth_cli.main"]


def only_setting(text: str) -> n.Setting:
    tree = parse("dataset d {\n" + text + "\n}")
    (stmt,) = tree.statements
    return stmt


@pytest.mark.parametrize(
    "literal, value, is_int",
    [("42", 42, True), ("-3", -3, True), ("1_000_000", 1_000_000, True), ("0.5", 0.5, False),
     ("-1.25", -1.25, False), ("1e-3", 0.001, False), ("2E+2", 200.0, False)],
)
def test_numbers(literal, value, is_int):
    setting = only_setting(f"samples {literal}")
    assert setting.value.value == value
    assert setting.value.is_int is is_int


def test_string_escapes_and_comments():
    setting = only_setting('version "a \\"quoted\\" \\\\ path"  # a comment with "quotes"')
    assert setting.value.value == 'a "quoted" \\ path'


def test_resolution_with_and_without_spaces():
    tree = parse("dataset d { render { resolution 640 x 480 } }")
    assert tree.statements[0].settings[0].value == n.Resolution(640, 480)
    tree = parse("dataset d { render { resolution 640x480 } }")
    assert tree.statements[0].settings[0].value == n.Resolution(640, 480)


def test_spans_are_one_based_and_point_at_tokens():
    tree = parse("dataset d {\n    material ~ one_of(metal)\n}")
    stmt = tree.statements[0]
    assert (stmt.axis.span.line, stmt.axis.span.col) == (2, 5)
    assert (stmt.dist.node.span.line, stmt.dist.node.span.col) == (2, 23)


def test_operator_precedence_not_and_or():
    tree = parse("dataset d { require not a and b or c }")
    cond = tree.statements[0].cond
    assert isinstance(cond, n.OrCond)
    assert isinstance(cond.items[0], n.AndCond)
    assert isinstance(cond.items[0].items[0], n.NotCond)


def test_exactly_one_dataset_block():
    with pytest.raises(SpecError) as info:
        parse("dataset a { samples 1 }\ndataset b { samples 1 }")
    assert info.value.diagnostics[0].line == 2


def error_of(text: str | bytes):
    with pytest.raises(SpecError) as info:
        source = decode_source(text if isinstance(text, bytes) else text.encode(), "x.psynth")
        parse(source, "x.psynth")
    (diag,) = info.value.diagnostics
    return diag


def test_hostile_inputs_fail_fast_with_positions():
    cases = {
        "empty-spec": "",
        "binary-file": b"dataset d {\x00}",
        "invalid-utf8": b"dataset d {\n  version \"\xff\"\n}",
        "too-deep": "dataset d { require " + "(" * 2000 + "a" + ")" * 2000 + " }",
        "unterminated-string": 'dataset d {\n caption "never ends\n}',
        "unexpected-eof": "dataset d {\n samples 3\n",
    }
    for code, text in cases.items():
        start = time.perf_counter()
        diag = error_of(text)
        assert diag.code == code
        assert diag.line >= 1 and diag.col >= 1
        assert time.perf_counter() - start < 1.0
    assert error_of(b"dataset d {\n  version \"\xff\"\n}").line == 2


def test_a_10_mb_file_is_refused_quickly(tmp_path):
    big = tmp_path / "big.psynth"
    big.write_bytes(b"dataset d {\n" + b"    # padding\n" * 800_000 + b"}\n")
    start = time.perf_counter()
    with pytest.raises(SpecError) as info:
        read_source(big)
    assert info.value.diagnostics[0].code == "file-too-large"
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    "content",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00", "dataset d { require ".encode() + b"(" * 2000, b'dataset d { caption "open',
     b"dataset d { samples 3", b"\xfe\xff\x00d"],
)
def test_cli_reports_bad_files_without_a_traceback(tmp_path, content):
    path = tmp_path / "bad.psynth"
    path.write_bytes(content)
    result = subprocess.run([*PSYNTH, "check", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}:")
    assert ": error: " in result.stderr.splitlines()[0]


def test_cli_usage_error_exits_2():
    result = subprocess.run([*PSYNTH, "check"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    result = subprocess.run([*PSYNTH, "frobnicate"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
