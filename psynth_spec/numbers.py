"""Vectorized number formatting for captions: `format(x, spec)` for a whole column at once.

The checker accepts the specs Python's `format` accepts, with a width of at most MAX_WIDTH and
a precision of at most MAX_PRECISION, and no `c` type. The common ones are built with numpy
(no Python per row): the characters go into a (rows x positions) byte matrix, right-aligned
(digits four at a time from a lookup table, then point, sign, fill), and the matrix becomes a
Polars string column directly (each row's last `length` bytes). When the rounded values span
few integers (`{kelvin:.0f}` over 2500..9000), each possible text is rendered once and gathered.
Covered:

    types  d (ints), f, F, %, and no type on ints
    flags  sign (+, -, space), z, grouping (, or _), width with an ASCII fill and any align, 0

Fixed-point output is exact, as Python's is: `x * 10**N` is rounded half-to-even, and when the
floating-point product lands exactly on a tie, the exact error of that product (Dekker's
two-product) decides the side, so `0.125 -> "0.12"`, `2.675 -> "2.67"`, `-0.001 -> "-0.00"`
come out as in Python. Rows with nan, inf or |x| * 10**N >= 2**52 (never in registry ranges)
are formatted by Python, only those rows.

Any other spec (e, g, x, b, o, c, n, #, zero padding with grouping, a non-ASCII fill, a float
without a type but with a precision) is formatted by Python once per DISTINCT value and gathered
back: cheap for integer axes, per-row cost for continuous floats, so prefer `.Nf` in templates.

Numbers without a format: ints print as `str(int)`; floats use Polars' shortest round-trip
repr, identical to Python's `str(float)` for 1e-4 <= |x| < 1e16 (outside it Polars writes
`1e20` where Python writes `1e+20`).
"""

import re
from functools import lru_cache

import numpy as np
import polars as pl

from psynth_spec.errors import SamplingError

_SPEC = re.compile(
    r"^(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<z>z)?(?P<alt>#)?(?P<zero>0)?"
    r"(?P<width>\d+)?(?P<grouping>[,_])?(?:\.(?P<precision>\d+))?(?P<type>[bcdeEfFgGnosxX%])?$",
    re.DOTALL,
)
MAX_WIDTH = 64
MAX_PRECISION = 17
"""Bounds the checker enforces: a caption never needs more, and `{x:999999999}` would allocate
gigabytes (float64 has 17 significant digits; 10**precision must stay an exact int64 factor)."""
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for float64


_POWERS = 10 ** np.arange(19, dtype=np.int64)


def _mask(series: pl.Series, valid: np.ndarray | None) -> pl.Series:
    if valid is None or valid.all():
        return series
    return pl.select(pl.when(pl.Series(valid)).then(series)).to_series()


def parse_format_spec(spec: str) -> re.Match | None:
    """The fields of a number format spec (fill, align, sign, z, alt, zero, width, grouping,
    precision, type), or None when it is not one."""
    return _SPEC.match(spec)


def plain_numbers(values: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """`str(x)` of each number (ints exactly; floats as shortest round-trip repr)."""
    return _mask(pl.Series(values).cast(pl.String), valid)


def _product_error(a: np.ndarray, b: float) -> np.ndarray:
    """The exact error a*b - fl(a*b) (Dekker's two-product, no FMA needed)."""
    p = a * b
    c = _SPLIT * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLIT * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    return ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _scaled_exact(values: np.ndarray, digits: int) -> np.ndarray:
    """round_half_even(values * 10**digits) of the exact decimal value, as float64 integers."""
    scale = 10.0**digits
    with np.errstate(invalid="ignore", over="ignore"):
        product = values * scale
        tie = (product - np.floor(product)) == 0.5
    rounded = np.rint(product)
    if tie.any():
        error = _product_error(values[tie], scale)
        fixed = rounded[tie]
        fixed = np.where(error > 0, np.ceil(product[tie]), fixed)
        fixed = np.where(error < 0, np.floor(product[tie]), fixed)
        rounded[tie] = fixed
    return rounded


@lru_cache(maxsize=1)
def _table4() -> np.ndarray:
    """"0000".."9999" as one uint32 each (the bytes of four ASCII digits): one gather per 4 digits."""
    return np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode(), dtype=np.uint32)


def strings_from_bytes(chars: np.ndarray, keep: np.ndarray, lengths: np.ndarray) -> pl.Series:
    """A string column from a (rows x positions) uint8 matrix, keeping the masked positions."""
    offsets = np.zeros(len(chars) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = chars[keep]
    # Polars builds a String column from Arrow-style (bytes, offsets) buffers without a copy per row
    return pl.Series._from_buffers(pl.String, data=[pl.Series(data), pl.Series(offsets)])


def suffix_strings(chars: np.ndarray, lengths: np.ndarray) -> pl.Series:
    """A string column of the last `lengths[i]` bytes of each row of a uint8 matrix."""
    n, width = chars.shape
    if n < 65_536:  # small: compact in numpy (a Polars query costs more than the bytes)
        return strings_from_bytes(chars, np.arange(width)[None, :] >= (width - lengths)[:, None], lengths)
    offsets = np.arange(0, n * width + 1, width, dtype=np.int64)
    fixed = pl.Series._from_buffers(pl.String, data=[pl.Series(chars.reshape(-1)), pl.Series(offsets)])
    start = pl.Series(width - lengths.astype(np.int64))
    return pl.DataFrame({"s": fixed, "o": start}).select(pl.col("s").str.slice(pl.col("o"))).to_series()


class _Layout:
    """Blocks of characters, left to right: (rows x width) bytes, a keep mask, kept count per row."""

    def __init__(self, n: int):
        self.n = n
        self.blocks: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | int]] = []

    def add(self, chars, keep: np.ndarray | None = None, kept: np.ndarray | int | None = None) -> None:
        """Add a block; `chars` is a str (one constant column), a (rows,) or a (rows x w) array."""
        if isinstance(chars, str):
            chars = np.full((self.n, 1), ord(chars), dtype=np.uint8)
        elif chars.ndim == 1:
            chars = chars[:, None]
        if keep is not None and keep.ndim == 1:
            keep = keep[:, None]
        if kept is None:
            kept = chars.shape[1] if keep is None else keep.sum(axis=1)
        self.blocks.append((chars, keep, kept))

    def fill(self, char: str, count: np.ndarray) -> None:
        width = int(count.max(initial=0))
        if width:
            keep = np.arange(width)[None, :] < count[:, None]
            self.add(np.full((self.n, width), ord(char), dtype=np.uint8), keep, count)

    def length(self) -> np.ndarray:
        total = np.zeros(self.n, dtype=np.int64)
        for _, _, kept in self.blocks:
            total += kept
        return total

    def strings(self) -> pl.Series:
        chars = np.concatenate([c for c, _, _ in self.blocks], axis=1)
        keep = np.concatenate(
            [np.ones(c.shape, dtype=bool) if k is None else k for c, k, _ in self.blocks], axis=1
        )
        return strings_from_bytes(chars, keep, self.length())


def _digit_chars(values: np.ndarray, width: int) -> np.ndarray:
    """(rows x width) ASCII digits of non-negative ints, zero padded, four digits per lookup."""
    groups = -(-width // 4)
    words = np.empty((len(values), groups), dtype=np.uint32)
    rest = values
    for g in range(groups - 1, -1, -1):
        if g == 0 and width <= 4 * groups and rest.max(initial=0) < 10_000:
            block = rest
        else:
            rest, block = np.divmod(rest, 10_000)
        words[:, g] = _table4()[block]
    return words.view(np.uint8)[:, 4 * groups - width :]


def _digits(whole: np.ndarray, separator: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Zero-padded digit matrix (with separators) and the count of significant chars per row."""
    count = np.searchsorted(_POWERS[1:], whole, side="right") + 1
    width = int(count.max(initial=1))
    chars = _digit_chars(whole, width)
    if separator and width > 3:
        # a separator sits left of every digit index k (from the right) with k % 3 == 0, k > 0
        chars = np.insert(chars, [width - k for k in range(3, width, 3)], np.uint8(ord(separator)), axis=1)
        count = count + (count - 1) // 3
    return chars, count


def _render_right(negative, whole, frac, precision: int, m: re.Match, percent: bool, align, fill) -> pl.Series:
    """Right-aligned rendering: each row's text is the last `length` bytes of its matrix row."""
    n = len(whole)
    sign_char = {"+": "+", " ": " "}.get(m["sign"] or "-")
    digits, count = _digits(whole, m["grouping"])
    tail = []
    if precision:
        tail += [np.full((n, 1), ord("."), dtype=np.uint8), _digit_chars(frac, precision)]
    if percent:
        tail.append(np.full((n, 1), ord("%"), dtype=np.uint8))
    t = sum(block.shape[1] for block in tail)
    has_sign = np.ones(n, dtype=bool) if sign_char else negative
    length = count + t + has_sign
    total = np.maximum(length, int(m["width"] or 0))
    columns = int(total.max(initial=1))
    d = digits.shape[1]
    chars = np.empty((n, columns), dtype=np.uint8)
    chars[:, : columns - t - d] = ord(fill)
    block = chars[:, columns - t - d : columns - t]
    block[...] = digits
    if m["width"] and fill != "0":  # leading zeros show only through padding, as fill
        block[np.arange(d)[None, :] < (d - count)[:, None]] = ord(fill)
    if t:
        chars[:, columns - t :] = np.concatenate(tail, axis=1)
    rows = np.flatnonzero(has_sign)
    at = (columns - total if align == "=" else columns - t - count - 1)[rows]
    chars[rows, at] = np.where(negative[rows], ord("-"), ord(sign_char or "-"))
    return suffix_strings(chars, total)


def _render_layout(negative, whole, frac, precision: int, m: re.Match, percent: bool, align, fill) -> pl.Series:
    """Left and centre alignment: blocks of columns with masks, compacted."""
    n = len(whole)
    sign_char = {"+": "+", " ": " "}.get(m["sign"] or "-")
    body = _Layout(n)
    digits, count = _digits(whole, m["grouping"])
    body.add(digits, np.arange(digits.shape[1])[None, :] >= (digits.shape[1] - count)[:, None], count)
    if precision:
        body.add(".")
        body.add(_digit_chars(frac, precision))
    if percent:
        body.add("%")
    sign = _Layout(n)
    signs = np.where(negative, np.uint8(ord("-")), np.uint8(ord(sign_char or " ")))
    if sign_char:
        sign.add(signs)
    else:
        sign.add(signs, negative, negative.astype(np.int64))
    pad = np.maximum(int(m["width"] or 0) - (sign.length() + body.length()), 0)
    left = pad // 2 if align == "^" else 0 * pad
    out = _Layout(n)
    out.fill(fill, left)
    out.blocks += sign.blocks + body.blocks
    out.fill(fill, pad - left)
    return out.strings()


def _render(negative, whole, frac, precision: int, m: re.Match, percent: bool) -> pl.Series:
    align, fill = m["align"], m["fill"]
    if align is None and m["zero"]:
        align, fill = "=", fill or "0"
    render = _render_layout if align in ("<", "^") else _render_right
    return render(negative, whole, frac, precision, m, percent, align, fill or " ")


def _vectorizable(m: re.Match, is_int: bool) -> bool:
    kind = m["type"] or ""
    if m["alt"] or (m["fill"] and not m["fill"].isascii()):
        return False
    if m["grouping"] and m["width"] and (m["zero"] or (m["align"] == "=" and m["fill"] == "0")):
        return False  # Python groups the zero padding too
    if is_int:
        return kind in ("", "d", "f", "F", "%")
    return kind in ("f", "F", "%")


def _by_distinct_values(values: np.ndarray, spec: str) -> pl.Series:
    is_int = values.dtype.kind in "iu"
    # floats by bit pattern, so -0.0 and 0.0 stay apart
    keys = values if is_int else values.astype(np.float64).view(np.int64)
    distinct, inverse = np.unique(keys, return_inverse=True)
    if not is_int:
        distinct = distinct.view(np.float64)
    cast = int if is_int else float
    try:
        table = [format(cast(v), spec) for v in distinct]
    except (ValueError, OverflowError) as exc:
        raise SamplingError(f"number format {spec!r}: {exc}") from None
    return pl.Series(table, dtype=pl.String).gather(pl.Series(inverse.ravel(), dtype=pl.UInt32))


_TABLE_MIN_ROWS = 4096


def _fixed_text(integer: np.ndarray, negative: np.ndarray, precision: int, m: re.Match, percent: bool) -> pl.Series:
    """Text of `integer / 10**precision` with signs, through a table when the span is small.

    Captions format bounded axes at low precision (`{kelvin:.0f}` in 2500..9000 has 6,501
    possible texts), so rendering each possible text once and gathering is far cheaper than
    rendering every row; the table holds both signs of every integer in the span.
    """
    n = len(integer)
    low, high = int(integer.min()), int(integer.max())
    if n >= _TABLE_MIN_ROWS and 2 * (high - low + 1) <= max(_TABLE_MIN_ROWS, n // 4):
        span = np.arange(low, high + 1, dtype=np.int64)
        keys = np.repeat(span, 2)
        signs = np.tile(np.array([False, True]), len(span))
        whole, frac = np.divmod(keys, _POWERS[precision])
        table = _render(signs, whole, frac, precision, m, percent)
        return table.gather(pl.Series(2 * (integer - low) + negative, dtype=pl.UInt32))
    whole, frac = np.divmod(integer, _POWERS[precision])
    return _render(negative, whole, frac, precision, m, percent)


def format_numbers(values: np.ndarray, spec: str, valid: np.ndarray | None = None) -> pl.Series:
    """`format(x, spec)` of each number, vectorized (null where `valid` is False)."""
    m = _SPEC.match(spec)
    if m is None:
        raise SamplingError(f"invalid number format {spec!r}")
    is_int = values.dtype.kind in "iu"
    if len(values) == 0:
        return pl.Series([], dtype=pl.String)
    if not _vectorizable(m, is_int):
        return _mask(_by_distinct_values(values, spec), valid)
    kind = m["type"] or ""
    if is_int and len(values) > 4096:  # ints span few values: format the span once, gather
        low, high = int(values.min()), int(values.max())
        if high - low < 4096:
            table = format_numbers(np.arange(low, high + 1, dtype=values.dtype), spec)
            return _mask(table.gather(pl.Series(values - low, dtype=pl.UInt32)), valid)
    if is_int and kind in ("", "d"):
        text = _render(values < 0, np.abs(values), None, 0, m, False)
        return _mask(text, valid)
    values = raw = values.astype(np.float64, copy=False)
    if kind == "%":  # as CPython does: multiply in floating point, then format exactly
        values = values * 100.0
    precision = 6 if m["precision"] is None else int(m["precision"])
    scaled = np.abs(_scaled_exact(values, precision))
    fallback = ~np.isfinite(scaled) | (scaled >= 2.0**52)
    if fallback.any():
        scaled = np.where(fallback, 0.0, scaled)
    integer = scaled.astype(np.int64)
    negative = np.signbit(values) & ~(bool(m["z"]) & (integer == 0))
    text = _fixed_text(integer, negative, precision, m, kind == "%")
    if fallback.any():  # nan, inf, huge: Python formats those rows only
        rows = np.flatnonzero(fallback)
        text = text.scatter(rows, [format(float(v), spec) for v in raw[rows]])
    return _mask(text, valid)
