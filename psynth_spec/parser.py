"""Text -> lark tree, with every way a file can fail turned into a positioned Diagnostic.

Guards run before lark sees the text: size, encoding, binary content, emptiness and nesting
depth, so that a hostile file costs milliseconds and never reaches a recursion limit.
"""

from functools import lru_cache
from pathlib import Path

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from psynth_spec.diagnostics import Diagnostic
from psynth_spec.errors import SpecError
from psynth_spec.laws import LAWS

GRAMMAR_PATH = Path(__file__).resolve().parent.parent / "grammar" / "psynth.lark"
MAX_BYTES = 64 * 1024
"""A spec states distributions, not data: one stating every registry axis with 50 `require`s and
50 captions is 9 KB. The bound keeps `check` of any accepted input under 2 s (bench/bench_check_limits.py)."""
MAX_DEPTH = 32

# Friendly names for the grammar's terminals in "expected ..." messages.
_TERMINAL_NAMES = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "RESOLUTION": "a resolution like 512 x 512",
    "COMPARE": "a comparison (== != < <= > >=)",
    "$END": "end of file",
}


@lru_cache(maxsize=1)
def grammar_parser() -> lark.Lark:
    """The LALR parser, built once per process (not cached on disk: building it takes ~50 ms)."""
    return lark.Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=False,
    )


def read_source(path: str | Path) -> str:
    """Read a spec file as text, or raise SpecError for a missing, huge, binary or non-UTF-8 file."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise SpecError([Diagnostic(name, 1, 1, "file-not-found", "no such file")]) from None
    except IsADirectoryError:
        raise SpecError([Diagnostic(name, 1, 1, "not-a-file", "is a directory, not a spec file")]) from None
    except OSError as exc:
        raise SpecError([Diagnostic(name, 1, 1, "unreadable", f"cannot read file: {exc.strerror}")]) from None
    return decode_source(data, name)


def _readable(data: bytes) -> str:
    """Text of undecodable input for the caret display: one printable character per character."""
    text = data.decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() or c in "\n\t" else "\ufffd" for c in text)


def decode_source(data: bytes, path: str) -> str:
    """Bytes -> text; binary, oversized and non-UTF-8 input become diagnostics."""
    if len(data) > MAX_BYTES:
        raise SpecError(
            [
                Diagnostic(
                    path, 1, 1, "file-too-large",
                    f"spec is {len(data) / 1024:,.0f} KiB; specs are limited to {MAX_BYTES // 1024} KiB",
                    hint="a spec states distributions, not data: keep it small",
                )
            ]
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _position(data, nul)
        raise SpecError(
            [Diagnostic(path, line, col, "binary-file", "binary data (NUL byte) in a spec file", hint="is this a .psynth text file?")],
            _readable(data[:MAX_BYTES]),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        raise SpecError(
            [
                Diagnostic(
                    path, line, col, "invalid-utf8",
                    f"invalid UTF-8 byte 0x{data[exc.start]:02x}; spec files must be UTF-8",
                    hint="re-save the file as UTF-8",
                )
            ],
            _readable(data),
        ) from None
    return text.removeprefix("\ufeff")


def _position(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    last = before.rfind(b"\n")
    col = len(before[last + 1 :].decode("utf-8", errors="replace")) + 1
    return line, col


def parse_tree(text: str, path: str = "<string>") -> lark.Tree:
    """Parse text into lark's tree, or raise SpecError with one positioned syntax diagnostic."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise SpecError(
            [Diagnostic(path, 1, 1, "empty-spec", "empty spec: expected `dataset NAME { ... }`")], text
        )
    depth_error = _check_depth(text, path)
    if depth_error:
        raise SpecError([depth_error], text)
    try:
        return grammar_parser().parse(text)
    except UnexpectedInput as exc:
        raise SpecError([_syntax_diagnostic(exc, text, path)], text) from None


def _check_depth(text: str, path: str) -> Diagnostic | None:
    """Nesting of (), [] and {} outside strings and comments is at most MAX_DEPTH."""
    depth = 0
    line, col = 1, 0
    in_string = in_comment = escaped = False
    for char in text:
        col += 1
        if char == "\n":
            line, col = line + 1, 0
            in_comment = in_string = False
            continue
        if in_comment:
            continue
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == "#":
            in_comment = True
        elif char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                return Diagnostic(
                    path, line, col, "too-deep",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    hint="split the condition into simpler parts",
                )
        elif char in ")]}":
            depth = max(0, depth - 1)
    return None


def _describe_token(token: lark.Token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type in ("NAME", "NUMBER", "STRING", "RESOLUTION"):
        return f"{_TERMINAL_NAMES[token.type].split(' ', 1)[1]} '{token}'"
    return f"'{token}'"


def _expected(names: set[str]) -> str:
    parser = grammar_parser()
    patterns = {t.name: t.pattern for t in parser.terminals}
    shown = []
    for name in sorted(names):
        if name in _TERMINAL_NAMES:
            shown.append(_TERMINAL_NAMES[name])
        elif name in patterns and patterns[name].type == "str":
            shown.append(f"'{patterns[name].value}'")
        else:
            shown.append(name.lower())
    shown = sorted(set(shown))
    if len(shown) == 1:
        return shown[0]
    return "one of " + ", ".join(shown)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    # point just after the last non-blank character
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            return index + 1, len(lines[index].rstrip()) + 1
    return 1, 1


def _syntax_diagnostic(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if char == '"':
            return Diagnostic(
                path, exc.line, exc.column, "unterminated-string",
                "unterminated string: a string ends with '\"' on the same line",
                hint='only \\" and \\\\ escapes are allowed inside strings',
            )
        if char.isalpha() and char.isupper():
            return Diagnostic(
                path, exc.line, exc.column, "invalid-character",
                f"unexpected character '{char}': names are lowercase ([a-z_][a-z0-9_]*)",
            )
        shown = repr(char)[1:-1] if char.isprintable() else f"\\u{ord(char):04x}"
        return Diagnostic(
            path, exc.line, exc.column, "invalid-character", f"unexpected character '{shown}'"
        )
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        line, col = _end_position(text)
        expected = _expected(set(exc.expected))
        return Diagnostic(
            path, line, col, "unexpected-eof",
            f"unexpected end of file, expected {expected}",
            hint="is a closing '}' missing?" if "'}'" in expected else None,
        )
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    expected = _expected(set(exc.accepts or exc.expected))
    return Diagnostic(
        path, token.line, token.column, "syntax-error",
        f"unexpected {_describe_token(token)}, expected {expected}",
        length=max(1, len(str(token))),
        hint=_hint_for(token, exc),
    )


def _hint_for(token: lark.Token, exc: UnexpectedToken) -> str | None:
    expected = set(exc.accepts or exc.expected)
    if token.type == "NAME" and token in LAWS:
        return "axis statements are `AXIS ~ DISTRIBUTION` or `AXIS = VALUE`"
    if str(token) in ("(", "{", "[") and "NAME" in expected:
        return "to sample an axis write `AXIS ~ DISTRIBUTION`; to fix one, `AXIS = VALUE`"
    if token.type == "STRING" and "NAME" in expected and "caption" not in expected:
        return "a caption template needs the `caption` keyword: caption \"...\""
    if token.type == "RBRACE" and "COLON" in expected:
        return "weighted choices are written `{ value: weight, ... }`"
    return None
