"""The counting behind the audit's categorical part, in DuckDB: one scan of `samples`, then small
integer group-bys.

    categorical_counts(con, columns, values) -> CategoricalCounts

Why this shape: a pair of string columns grouped straight from Parquet costs a full scan and two
string hashes per row, times 28 pairs for 8 axes. Instead one scan turns every categorical
column into a small integer code (`TRY_CAST(... AS ENUM(expected values))`), packs the codes
into a few mixed-radix "super columns" plus the QC `failed` flag, into a TEMP table (in memory,
dropped at the end; the index file is not written). Each pair of super columns is then one
integer GROUP BY (a few thousand groups) that holds the cells of every axis pair across and
within them; per-axis counts are sums over those cells.

Values outside the expected list get the code `other`; when any occur, one more query names
them (so the per-axis tables show the real unexpected values). Null is `(unset)`.
"""

import itertools
import math
from dataclasses import dataclass, field

from psynth_data.expected import UNSET

OTHER = "(other)"
FAILED_SQL = "(sample_id IN (SELECT sample_id FROM qc WHERE NOT qc_pass))"


def quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _enum(values: list[str]) -> str:
    return "ENUM(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


@dataclass
class CategoricalCounts:
    by_value: dict[str, dict[str, list[int]]] = field(default_factory=dict)   # column -> value -> [passed, failed]
    pairs: dict[tuple[str, str], dict[tuple[str, str], int]] = field(default_factory=dict)  # passed counts


def _code_sql(column: str, values: list[str]) -> str:
    col = quote(column)
    unset, other = len(values), len(values) + 1
    kind = "UTINYINT" if other < 255 else "USMALLINT"
    if not values:
        return f"(CASE WHEN {col} IS NULL THEN {unset} ELSE {other} END)::{kind}"
    cast = f"TRY_CAST(CAST({col} AS VARCHAR) AS {_enum(values)})"
    return f"coalesce(enum_code({cast}), CASE WHEN {col} IS NULL THEN {unset} ELSE {other} END)::{kind}"


def super_columns(cards: list[int], limit: int = 256) -> list[list[int]]:
    """Group column indexes so each group's product of cardinalities stays under `limit`
    (first fit, largest first); a column over the limit gets a group of its own."""
    groups: list[list[int]] = []
    products: list[int] = []
    for i in sorted(range(len(cards)), key=lambda k: -cards[k]):
        fit = next((g for g in range(len(groups)) if products[g] * cards[i] <= limit), None)
        if fit is None:
            groups.append([i])
            products.append(cards[i])
        else:
            groups[fit].append(i)
            products[fit] *= cards[i]
    return groups


def categorical_counts(con, columns: list[str], values: dict[str, list[str]]) -> CategoricalCounts:
    """Counts per value (passed, failed) and per pair cell (passed) of the categorical columns.

    Columns are packed into a few "super columns" (mixed-radix codes whose value count stays
    under 256), so 8 axes need C(4, 2) = 6 integer group-bys instead of 28; the results are
    unpacked with numpy (arrays of a few thousand cells).
    """
    import numpy as np

    out = CategoricalCounts()
    if not columns:
        return out
    values = {c: [v for v in values[c] if v != UNSET] for c in columns}
    labels = {c: values[c] + [UNSET, OTHER] for c in columns}
    cards = [len(labels[c]) for c in columns]
    groups = super_columns(cards)
    exprs = []
    for g in groups:
        expr = "0"
        for i in g:
            expr = f"({expr}) * {cards[i]} + {_code_sql(columns[i], values[columns[i]])}"
        exprs.append(f"({expr})::{'USMALLINT' if math.prod(cards[i] for i in g) < 65_536 else 'UINTEGER'}")
    con.execute("SET preserve_insertion_order = false")
    select = ", ".join(f"{e} AS s{k}" for k, e in enumerate(exprs))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _audit_codes AS SELECT {select}, {FAILED_SQL} AS failed FROM samples")
    try:
        queries = list(itertools.combinations(range(len(groups)), 2)) or [(0,)]
        results = []
        for q in queries:
            keys = ", ".join(f"s{k}" for k in q)
            got = con.execute(f"SELECT {keys}, failed, count(*) AS n FROM _audit_codes GROUP BY ALL").fetchnumpy()
            results.append((q, got))
    finally:
        con.execute("DROP TABLE IF EXISTS _audit_codes")

    def unpack(group: list[int], packed: np.ndarray) -> dict[int, np.ndarray]:
        codes, rest = {}, packed.astype(np.int64)
        for i in reversed(group):
            codes[i] = rest % cards[i]
            rest = rest // cards[i]
        return codes

    seen_single: set[int] = set()
    seen_pair: set[tuple[int, int]] = set()
    for q, got in results:
        failed = np.asarray(got["failed"], dtype=bool)
        n = np.asarray(got["n"], dtype=np.int64)
        codes: dict[int, np.ndarray] = {}
        for k in q:
            codes.update(unpack(groups[k], np.asarray(got[f"s{k}"])))
        for i, c in codes.items():
            if i not in seen_single:
                seen_single.add(i)
                passed = np.bincount(c, weights=np.where(failed, 0, n), minlength=cards[i])
                fails = np.bincount(c, weights=np.where(failed, n, 0), minlength=cards[i])
                out.by_value[columns[i]] = {labels[columns[i]][v]: [int(passed[v]), int(fails[v])]
                                            for v in range(cards[i]) if passed[v] or fails[v]}
        for i, j in itertools.combinations(sorted(codes), 2):
            if (i, j) in seen_pair:
                continue
            seen_pair.add((i, j))
            cell = np.bincount(codes[i] * cards[j] + codes[j], weights=np.where(failed, 0, n),
                               minlength=cards[i] * cards[j]).reshape(cards[i], cards[j])
            a, b = columns[i], columns[j]
            out.pairs[(a, b)] = {(labels[a][x], labels[b][y]): int(cell[x, y]) for x, y in zip(*np.nonzero(cell))}
    for column in columns:
        if OTHER in out.by_value[column]:
            out.by_value[column].pop(OTHER)
            col = quote(column)
            cast = f"TRY_CAST(CAST({col} AS VARCHAR) AS {_enum(values[column])})" if values[column] else "NULL"
            rows = con.execute(
                f"SELECT CAST({col} AS VARCHAR), {FAILED_SQL} AS failed, count(*) FROM samples "
                f"WHERE {col} IS NOT NULL AND {cast} IS NULL GROUP BY ALL").fetchall()
            for value, failed, n in rows:
                out.by_value[column].setdefault(value, [0, 0])[1 if failed else 0] += n
    return out
