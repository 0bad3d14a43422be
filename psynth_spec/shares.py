"""How a column's values are counted as shares: one rule for the plan's pilot distributions and
the audit's expected table (`psynth_data.expected`), so the two never name values differently.

A value is compared as text (DuckDB's VARCHAR cast of the column's value); a null is `(unset)`.
"""

UNSET = "(unset)"


def value_text(value, type_: str) -> str:
    """A value as the audit compares it: DuckDB's VARCHAR cast of the column's value."""
    if value is None:
        return UNSET
    if type_ == "bool":
        return "true" if value else "false"
    if type_ == "float":
        return repr(float(value))
    if type_ == "int":
        return str(int(value))
    return str(value)


def value_shares(series, type_: str) -> dict[str, float]:
    """Share of each value of a polars Series (nulls as `(unset)`), most common first (ties by text)."""
    n = max(len(series), 1)
    shares: dict[str, float] = {}
    for value, count in series.value_counts().iter_rows():
        key = value_text(value, type_)
        shares[key] = shares.get(key, 0.0) + count / n
    return dict(sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])))
