"""Vectorized number formatting for captions: `format(x, spec)` for a whole column at once.

The checker accepts any spec Python's `format` accepts. The common ones are built from column
operations (no Python per row):

    types  d (ints), f, F, %, and no type on ints
    flags  sign (+, -, space), z, grouping (, or _), width with fill and align (<, >, =), 0

Fixed-point output is exact, as Python's is: `x * 10**N` is rounded half-to-even, and when the
floating-point product lands exactly on a tie, the exact error of that product (Dekker's
two-product) decides the side, so `0.125 -> "0.12"`, `2.675 -> "2.67"`, `-0.001 -> "-0.00"`
come out as in Python. Rows with nan, inf or |x| * 10**N >= 2**52 (never in registry ranges)
are formatted by Python, only those rows.

Any other spec (e, g, x, b, o, c, n, #, centre alignment, width with grouping, a float without a
type but with a precision) is formatted by Python once per DISTINCT value and gathered back:
cheap for integer axes, per-row cost for continuous floats, so prefer `.Nf` in templates.

Numbers without a format: ints print as `str(int)`; floats use Polars' shortest round-trip
repr, identical to Python's `str(float)` for 1e-4 <= |x| < 1e16 (outside it Polars writes
`1e20` where Python writes `1e+20`).
"""

import re

import numpy as np
import polars as pl

from psynth_spec.errors import SamplingError

_SPEC = re.compile(
    r"^(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<z>z)?(?P<alt>#)?(?P<zero>0)?"
    r"(?P<width>\d+)?(?P<grouping>[,_])?(?:\.(?P<precision>\d+))?(?P<type>[bcdeEfFgGnosxX%])?$",
    re.DOTALL,
)
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for float64


def _mask(series: pl.Series, valid: np.ndarray | None) -> pl.Series:
    if valid is None or valid.all():
        return series
    return pl.select(pl.when(pl.Series(valid)).then(series)).to_series()


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


def _group(digits: pl.Series, separator: str | None) -> pl.Series:
    """Insert a thousands separator into strings of digits."""
    if not separator:
        return digits
    return digits.str.reverse().str.replace_all(r"(\d{3})", "${1}" + separator).str.strip_suffix(separator).str.reverse()


def _int_body(values: np.ndarray, grouping: str | None) -> tuple[np.ndarray, pl.Series]:
    return values < 0, _group(pl.Series(np.abs(values)).cast(pl.String), grouping)


def _fixed_body(values: np.ndarray, precision: int, grouping: str | None, percent: bool, z: bool):
    """(negative mask, digits text, rows Python must format) of a fixed-point column."""
    values = values.astype(np.float64, copy=False)
    if percent:  # as CPython does: multiply in floating point, then format exactly
        values = values * 100.0
    scaled = np.abs(_scaled_exact(values, precision))
    unit = 10.0**precision
    fallback = ~np.isfinite(scaled) | (scaled >= 2.0**52)
    safe = np.where(fallback, 0.0, scaled)
    columns = {"whole": _group(pl.Series(np.floor(safe / unit).astype(np.int64)).cast(pl.String), grouping)}
    exprs = [pl.col("whole")]
    if precision:
        columns["frac"] = pl.Series(np.mod(safe, unit).astype(np.int64)).cast(pl.String).str.zfill(precision)
        exprs += [pl.lit("."), pl.col("frac")]
    if percent:
        exprs.append(pl.lit("%"))
    body = pl.DataFrame(columns).select(pl.concat_str(exprs).alias("body")).to_series()
    negative = np.signbit(values) & ~(z & (safe == 0))
    return negative, body, fallback


def _vectorizable(m: re.Match, is_int: bool) -> bool:
    kind = m["type"] or ""
    if m["alt"] or m["align"] == "^" or (m["width"] and m["grouping"]):
        return False
    if is_int:
        return kind in ("", "d", "f", "F", "%")
    return kind in ("f", "F", "%")


def _pad(sign: pl.Series, body: pl.Series, m: re.Match) -> pl.Series:
    frame = pl.DataFrame({"sign": sign, "body": body})
    full = pl.concat_str("sign", "body")
    width = int(m["width"]) if m["width"] else 0
    if not width:
        return frame.select(full).to_series()
    align, fill = m["align"], m["fill"]
    if align is None and m["zero"]:
        align, fill = "=", fill or "0"
    fill = fill or " "
    if align == "<":
        expr = full.str.pad_end(width, fill)
    elif align == "=":
        expr = (
            pl.when(pl.col("sign") == "")
            .then(pl.col("body").str.pad_start(width, fill))
            .otherwise(pl.concat_str("sign", pl.col("body").str.pad_start(max(width - 1, 0), fill)))
        )
    else:
        expr = full.str.pad_start(width, fill)
    return frame.select(expr).to_series()


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
    except ValueError as exc:
        raise SamplingError(f"number format {spec!r}: {exc}") from None
    return pl.Series(table, dtype=pl.String).gather(pl.Series(inverse.ravel(), dtype=pl.UInt32))


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
    if is_int and kind in ("", "d"):
        negative, body = _int_body(values, m["grouping"])
        fallback = None
    else:
        precision = 6 if m["precision"] is None else int(m["precision"])
        negative, body, fallback = _fixed_body(values, precision, m["grouping"], kind == "%", bool(m["z"]))
    positive = {"+": "+", " ": " "}.get(m["sign"] or "-", "")
    sign = pl.Series(np.where(negative, "-", positive), dtype=pl.String)
    text = _pad(sign, body, m)
    if fallback is not None and fallback.any():
        rows = np.flatnonzero(fallback)
        text = text.scatter(rows, [format(float(v), spec) for v in values[rows]])
    return _mask(text, valid)
