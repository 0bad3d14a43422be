"""Vectorized number formatting for captions, matching Python's `format(x, spec)`.

Supported format specs: `d`, `,d`, `,` (ints), `.Nf`, `,.Nf`, `f` (= `.6f`), `.N%`, `,.N%`,
`%` (= `.6%`); `d` on a float formats it as `.0f`.
Fixed-point output is exact, as Python's is: `x * 10**N` is rounded half-to-even, and when the
floating-point product lands exactly on a tie, the exact rounding error of that product
(Dekker's two-product) decides the side, so `0.125 -> "0.12"`, `2.675 -> "2.67"` and
`-0.001 -> "-0.00"` come out as in Python. Values with |x| * 10**N >= 2**52, nan and inf fall
back to Python's `format` for those rows only (they do not occur in registry ranges).

Numbers without a format: ints print as `str(int)`; floats use Polars' shortest round-trip
repr, identical to Python's `str(float)` for 1e-4 <= |x| < 1e16 (outside it Polars writes
`1e20` where Python writes `1e+20`).
"""

import re

import numpy as np
import polars as pl

from psynth_spec.errors import SamplingError

_SPEC = re.compile(r"^(?P<comma>,)?(?:\.(?P<precision>\d{1,2}))?(?P<type>[df%]?)$")
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


def _group_thousands(text: pl.Series) -> pl.Series:
    return (
        text.str.reverse().str.replace_all(r"(\d{3})", "${1},").str.strip_suffix(",").str.reverse()
    )


def _fixed(values: np.ndarray, precision: int, comma: bool, percent: bool) -> pl.Series:
    digits = precision + (2 if percent else 0)
    values = values.astype(np.float64, copy=False)
    scaled = np.abs(_scaled_exact(values, digits))
    unit = 10.0**precision
    fallback = ~np.isfinite(scaled) | (scaled >= 2.0**52)
    safe = np.where(fallback, 0.0, scaled)
    whole = pl.Series(np.floor(safe / unit).astype(np.int64)).cast(pl.String)
    if comma:
        whole = _group_thousands(whole)
    columns = {"sign": np.signbit(values), "whole": whole}
    exprs = [pl.when(pl.col("sign")).then(pl.lit("-")).otherwise(pl.lit("")), pl.col("whole")]
    if precision:
        columns["frac"] = pl.Series(np.mod(safe, unit).astype(np.int64)).cast(pl.String).str.zfill(precision)
        exprs += [pl.lit("."), pl.col("frac")]
    if percent:
        exprs.append(pl.lit("%"))
    text = pl.DataFrame(columns).select(pl.concat_str(exprs).alias("text")).to_series()
    if fallback.any():
        spec = f"{',' if comma else ''}.{precision}{'%' if percent else 'f'}"
        rows = np.flatnonzero(fallback)
        text = text.scatter(rows, [format(float(v), spec) for v in values[rows]])
    return text


def format_numbers(values: np.ndarray, spec: str, valid: np.ndarray | None = None) -> pl.Series:
    """`format(x, spec)` of each number, vectorized (null where `valid` is False)."""
    match = _SPEC.match(spec)
    if match is None or (match["type"] == "d" and match["precision"]):
        raise SamplingError(f"unsupported number format {spec!r} (use d, ,d, .Nf, ,.Nf or .N%)")
    comma = bool(match["comma"])
    kind = match["type"]
    if kind == "d" or (kind == "" and match["precision"] is None):
        if values.dtype.kind in "iu":
            if not comma:
                return _mask(pl.Series(values).cast(pl.String), valid)
            grouped = _group_thousands(pl.Series(np.abs(values)).cast(pl.String))
            sign = pl.Series(np.where(values < 0, "-", ""), dtype=pl.String)
            return _mask(pl.DataFrame({"s": sign, "g": grouped}).select(pl.concat_str("s", "g")).to_series(), valid)
        if kind == "":  # "," alone on a float
            raise SamplingError(f"unsupported number format {spec!r} for a float (use ,.Nf)")
        return _mask(_fixed(values, 0, comma, False), valid)  # "d" on a float: as ".0f"
    precision = 6 if match["precision"] is None else int(match["precision"])
    return _mask(_fixed(values, precision, comma, kind == "%"), valid)
