"""The audit's counting: one pass over every complete shard's samples and QC Parquet, with
pyarrow and numpy, shards spread over a thread pool.

    scan_counts(shards, categorical, numeric, open_source, threads) -> ScanCounts

What it counts (QC-failed = the sample has a QC row with `qc_pass` false; the rest is observed):
  - samples, QC rows, QC failures and their reasons;
  - per categorical axis and value, (observed, failed) samples; null is `(unset)`;
  - per pair of categorical axes, observed samples per cell (values the spec never produces
    are pooled as `(other)` in the cells; the per-axis counts name them);
  - a column named `var*_COLUMN` (a variant axis, `expected.stacked_columns`) counts the values
    of every `var{k}_COLUMN` of the shard together, each with its base sample's QC verdict; it
    takes no part in pairs;
  - per numeric axis, observed samples per expected bin (right-closed, as `expected.bin_counts`)
    and observed nulls.

Why not SQL: on this 2-core machine DuckDB's `histogram(x, edges)` costs about 33 s per 100M
rows for 12 numeric axes and coding strings to integers (`TRY_CAST(... AS ENUM)`) about 25 s
for 8 categorical axes, on top of reading; the SQL audit took 219 s at 100M rows. Here:
  - Parquet dictionary pages are read as dictionary indices (no string is built per row) and
    mapped to value codes through a lookup over the small dictionary;
  - numbers are binned by `binning.Binner` (exact, a cache-sized lookup table, 2-3x faster
    than `np.searchsorted`);
  - pair cells are `np.bincount`s over mixed-radix codes of groups of axes ("super columns",
    each under GROUP_LIMIT codes), so 8 axes need a few bincounts instead of 28;
  - shards go to a thread pool (pyarrow and numpy release the GIL); each thread keeps its own
    totals, summed at the end; glibc and Arrow keep freed memory (`_keep_freed_memory`).
bench/bench_audit.py at 100M rows: 33 s with a warm page cache, 50 s cold; pandas 853 s.
"""

import itertools
import math
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from psynth_data.binning import Binner
from psynth_data.expected import STACKED_PREFIX, UNSET, stacked_columns, value_text
from psynth_data.storage import StorageError

OTHER = "(other)"
GROUP_LIMIT = 256  # most codes per super column: a pair of them is at most 65,536 cells (cache-sized)


@dataclass(frozen=True)
class ShardSources:
    """Where one complete shard's tables are (a local path or a URL `open_source` understands)."""

    shard: int
    samples: str
    qc: str | None


@dataclass(frozen=True)
class NumericBins:
    column: str
    edges: tuple[float, ...]  # bin edges, first to last; bins are right-closed, the end bins open

    @property
    def bins(self) -> int:
        return len(self.edges) - 1


@dataclass
class ScanCounts:
    samples: int = 0
    failed: int = 0          # samples failed by QC
    qc_rows: int = 0         # rows of the shards' QC tables
    qc_failed: int = 0       # QC rows with qc_pass false (a row whose id is no sample included)
    reasons: dict[str, int] = field(default_factory=dict)  # qc_reasons of the failed rows
    by_value: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # column -> value -> [observed, failed]
    pairs: dict[tuple[str, str], dict[tuple[str, str], int]] = field(default_factory=dict)  # observed
    bins: dict[str, np.ndarray] = field(default_factory=dict)    # column -> observed per bin
    unset: dict[str, int] = field(default_factory=dict)          # column -> observed nulls
    values: dict[str, int] = field(default_factory=dict)         # column -> observed values (nulls too)


def super_columns(cards: list[int], limit: int = GROUP_LIMIT) -> list[list[int]]:
    """Group column indexes so each group's product of cardinalities stays within `limit`
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


def _value_type(arrow_type: pa.DataType) -> str:
    """The `expected.value_text` type of a column as Parquet stored it."""
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type):
        return "float"
    return "category"


class _Plan:
    """What every shard computes: columns, codes, groups (shared, read-only, by all threads)."""

    def __init__(self, categorical: dict[str, list[str]], numeric: list[NumericBins]):
        self.cat_columns = [c for c in categorical if not c.startswith(STACKED_PREFIX)]  # paired
        self.stacked = [c for c in categorical if c.startswith(STACKED_PREFIX)]
        self.labels = {c: [v for v in categorical[c] if v != UNSET] + [UNSET, OTHER] for c in categorical}
        self.code_of = {c: {v: i for i, v in enumerate(self.labels[c])} for c in categorical}
        self.cards = [len(self.labels[c]) for c in self.cat_columns]
        self.groups = super_columns(self.cards, GROUP_LIMIT) if self.cat_columns else []
        self.group_cards = [math.prod(self.cards[i] for i in g) for g in self.groups]
        self.group_pairs = list(itertools.combinations(range(len(self.groups)), 2)) or (
            [(0,)] if self.groups else [])
        self.numeric = numeric
        self.has_stacked = any(c.startswith(STACKED_PREFIX) for c in [*categorical, *(b.column for b in numeric)])
        self.binners = {b.column: Binner(b.edges[1:-1]) for b in numeric}


class _Totals:
    """One thread's running totals."""

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.samples = 0
        self.failed = 0
        self.qc_rows = 0
        self.qc_failed = 0
        self.reasons: dict[str, int] = {}
        self.by_value = {c: {} for c in plan.cat_columns + plan.stacked}
        self.cells = [np.zeros(math.prod(plan.group_cards[g] for g in q), np.int64) for q in plan.group_pairs]
        self.bins = {b.column: np.zeros(b.bins, np.int64) for b in plan.numeric}
        self.unset = {b.column: 0 for b in plan.numeric}
        self.values = {b.column: 0 for b in plan.numeric}

    def add(self, source: ShardSources, open_source: Callable[[str], object]) -> None:
        plan = self.plan
        wanted = plan.cat_columns + plan.stacked + [b.column for b in plan.numeric]
        location = open_source(source.samples)
        names = pq.read_schema(location).names if plan.has_stacked else None
        expand = {c: stacked_columns(c, names) if names is not None else [c] for c in wanted}
        parquet = _open_parquet(location, [x for c in plan.cat_columns + plan.stacked for x in expand[c]])
        names = names or parquet.schema_arrow.names
        present = {c for c in wanted if expand[c] and all(x in names for x in expand[c])}
        failed_ids = self._qc(open_source(source.qc)) if source.qc else None
        read = [x for c in wanted if c in present for x in expand[c]]
        if failed_ids is not None and failed_ids.size:
            read.append("sample_id")
        table = parquet.read(columns=read, use_threads=False)
        n = table.num_rows
        if "sample_id" in read:
            failed = np.isin(table.column("sample_id").to_numpy(), failed_ids)
        else:
            failed = np.zeros(n, bool)
        observed = ~failed
        self.samples += n
        self.failed += int(failed.sum())
        codes = [self._categorical(c, table.column(c) if c in present else None, n, failed)
                 for c in plan.cat_columns]
        for c in plan.stacked:  # counted only: variant values take no part in pairs
            parts = [table.column(x) for x in expand[c]] if c in present else []
            stacked = pa.chunked_array([ch for part in parts for ch in part.chunks], parts[0].type) if parts else None
            self._categorical(c, stacked, n * max(len(parts), 1), np.tile(failed, max(len(parts), 1)))
        some_failed = bool(failed.any())
        if codes:
            packed = []
            for g in plan.groups:
                value = codes[g[0]]
                for i in g[1:]:
                    value = value * plan.cards[i] + codes[i]
                packed.append(value[observed] if some_failed else value)
            for k, q in enumerate(plan.group_pairs):
                joint = packed[q[0]]
                for g in q[1:]:
                    joint = joint * plan.group_cards[g] + packed[g]
                self.cells[k] += np.bincount(joint, minlength=self.cells[k].size)
        kept = int(observed.sum())
        for b in plan.numeric:
            self.values[b.column] += kept * max(len(expand[b.column]), 1)
            if b.column not in present:
                self.unset[b.column] += kept * max(len(expand[b.column]), 1)
                continue
            columns = expand[b.column]
            numbers = [_numbers(table.column(x)) for x in columns]
            values = np.concatenate([v for v, _ in numbers]) if len(numbers) > 1 else numbers[0][0]
            null = np.concatenate([m for _, m in numbers]) if len(numbers) > 1 else numbers[0][1]
            observed_all = np.tile(observed, len(columns)) if len(columns) > 1 else observed
            keep = observed_all & ~null if (some_failed or null.any()) else None
            self.unset[b.column] += int((observed_all & null).sum()) if null.any() else 0
            self.bins[b.column] += self.plan.binners[b.column].counts(values if keep is None else values[keep])

    def _qc(self, source) -> np.ndarray:
        """The ids the shard's QC table fails (a null verdict is not a failure); counts its rows,
        failures and their reasons."""
        parquet = pq.ParquetFile(source)
        names = set(parquet.schema_arrow.names)
        qc = parquet.read(columns=[c for c in ("sample_id", "qc_pass", "qc_reasons") if c in names],
                          use_threads=False)
        if "qc_pass" not in names or "sample_id" not in names:
            raise KeyError("the QC table has no sample_id or qc_pass column")
        failed = pc.equal(qc.column("qc_pass"), False).fill_null(False)
        self.qc_rows += qc.num_rows
        ids = qc.column("sample_id").filter(failed).to_numpy()
        self.qc_failed += len(ids)
        if len(ids) and "qc_reasons" in names:
            # polars writes list<string_view>, which Arrow's filter kernel does not take
            column = qc.column("qc_reasons").cast(pa.large_list(pa.large_string()))
            reasons = pc.list_flatten(column.filter(failed)).value_counts()
            for item in reasons.to_pylist():
                self.reasons[item["values"]] = self.reasons.get(item["values"], 0) + item["counts"]
        return ids

    def _categorical(self, column: str, data: pa.ChunkedArray | None, n: int, failed: np.ndarray) -> np.ndarray:
        """The column's value codes per row; counts every value (unexpected ones by name)."""
        plan = self.plan
        code_of, other, unset = plan.code_of[column], len(plan.labels[column]) - 1, len(plan.labels[column]) - 2
        counts = self.by_value[column]
        if data is None:
            counts.setdefault(UNSET, [0, 0])
            counts[UNSET][0] += int((~failed).sum())
            counts[UNSET][1] += int(failed.sum())
            return np.full(n, unset, np.int64)
        out, start = [], 0
        for chunk in data.chunks:
            kind = _value_type(chunk.type)
            if not pa.types.is_dictionary(chunk.type):
                chunk = pc.dictionary_encode(chunk.cast(pa.int8()) if kind == "bool" else chunk)
            texts = [value_text(v if kind != "bool" else bool(v), kind) for v in chunk.dictionary.to_pylist()]
            index = chunk.indices.fill_null(len(texts)).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
            lookup = np.array([code_of.get(t, other) for t in texts] + [unset], np.int64)
            part = failed[start:start + len(chunk)]
            start += len(chunk)
            stride = len(texts) + 1  # one count per dictionary entry and null, then the same failed
            seen = np.bincount(index + stride * part, minlength=2 * stride)
            for i in np.nonzero(seen)[0]:
                entry = i % stride
                counts.setdefault(texts[entry] if entry < len(texts) else UNSET, [0, 0])[i // stride] += int(seen[i])
            out.append(lookup[index])
        return np.concatenate(out) if out else np.zeros(0, np.int64)


def _open_parquet(source, dictionary_columns: list[str]) -> pq.ParquetFile:
    """The file, its string columns among `dictionary_columns` read as dictionaries (a column
    missing from this file, after a schema change, is left out rather than an error)."""
    try:
        return pq.ParquetFile(source, read_dictionary=dictionary_columns)
    except KeyError:
        names = set(pq.ParquetFile(source).schema_arrow.names)
        return pq.ParquetFile(source, read_dictionary=[c for c in dictionary_columns if c in names])




def _numbers(data: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values, null mask) of a numeric column."""
    data = data.combine_chunks() if data.num_chunks != 1 else data.chunk(0)
    null = data.is_null().to_numpy(zero_copy_only=False) if data.null_count else np.zeros(len(data), bool)
    values = data.fill_null(0) if data.null_count else data
    return values.to_numpy(zero_copy_only=False).astype(np.float64, copy=False), null


def _merge(plan: _Plan, parts: list[_Totals]) -> ScanCounts:
    out = ScanCounts()
    for part in parts:
        out.samples += part.samples
        out.failed += part.failed
        out.qc_rows += part.qc_rows
        out.qc_failed += part.qc_failed
        for reason, n in part.reasons.items():
            out.reasons[reason] = out.reasons.get(reason, 0) + n
        for column, counts in part.by_value.items():
            into = out.by_value.setdefault(column, {})
            for value, (seen, failed) in counts.items():
                pair = into.setdefault(value, [0, 0])
                pair[0] += seen
                pair[1] += failed
    for b in plan.numeric:
        out.bins[b.column] = sum((p.bins[b.column] for p in parts), np.zeros(b.bins, np.int64))
        out.unset[b.column] = sum(p.unset[b.column] for p in parts)
        out.values[b.column] = sum(p.values[b.column] for p in parts)
    for column in plan.cat_columns + plan.stacked:
        out.by_value.setdefault(column, {})
    if not plan.cat_columns:
        return out
    cells = [sum((p.cells[k] for p in parts), np.zeros_like(parts[0].cells[k])) for k in range(len(plan.group_pairs))]
    _pair_cells(plan, cells, out)
    return out


def _pair_cells(plan: _Plan, cells: list[np.ndarray], out: ScanCounts) -> None:
    """Unpack the joint counts of groups into the cells of every pair of categorical axes."""
    cards = plan.cards
    for q, joint in zip(plan.group_pairs, cells):
        axes = [i for g in q for i in plan.groups[g]]
        cube = joint.reshape([cards[i] for i in axes])
        for x, y in itertools.combinations(range(len(axes)), 2):
            i, j = sorted((axes[x], axes[y]))
            a, b = plan.cat_columns[i], plan.cat_columns[j]
            if (a, b) in out.pairs:
                continue
            other = tuple(k for k in range(len(axes)) if k not in (x, y))
            matrix = cube.sum(axis=other) if other else cube
            if axes[x] > axes[y]:
                matrix = matrix.T
            la, lb = plan.labels[a], plan.labels[b]
            out.pairs[(a, b)] = {(la[u], lb[v]): int(matrix[u, v]) for u, v in zip(*np.nonzero(matrix))}


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed memory for reuse instead of handing it back to the kernel.

    Every shard makes numpy and Arrow arrays of about 1 MB; by default glibc serves those with
    fresh mmaps and unmaps them when freed (and Arrow's mimalloc returns idle pages), so each one
    costs hundreds of page faults on first touch; the scan reads into Arrow's system pool. On this VM that doubled the scan (75 -> 28 ms per 100,000-row shard of reading and
    binning 12 columns). The process keeps its peak heap (a few hundred MB) until it exits.
    Elsewhere than glibc this is a no-op.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        mallopt = None
    if mallopt is not None:
        mallopt(-3, 32 << 20)      # M_MMAP_THRESHOLD: the largest glibc allows (32 MiB)
        mallopt(-1, 1 << 30)       # M_TRIM_THRESHOLD: keep up to 1 GiB of free heap


def scan_counts(shards: Iterable[ShardSources], categorical: dict[str, list[str]], numeric: list[NumericBins],
                open_source: Callable[[str], object] = lambda location: location, threads: int = 2) -> ScanCounts:
    """Count every shard once (see the module docstring).

    `categorical`: column -> the values the spec expects (texts as `expected.value_text`);
    `open_source(location)`: what pyarrow reads for a location (a path, or a buffer of bytes).
    """
    _keep_freed_memory()
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())  # glibc, tuned above (Arrow's mimalloc gives pages back)
    try:
        return _scan(list(shards), _Plan(categorical, numeric), open_source, max(1, threads))
    finally:
        pa.set_memory_pool(pool)


def _scan(todo: list[ShardSources], plan: _Plan, open_source, threads: int) -> ScanCounts:
    pending = iter(todo)
    lock = threading.Lock()
    failed = threading.Event()  # one thread's error stops the others at their next shard

    def work(_worker: int) -> _Totals:
        totals = _Totals(plan)
        while not failed.is_set():
            with lock:
                source = next(pending, None)
            if source is None:
                return totals
            try:
                totals.add(source, open_source)
            except BaseException as exc:
                failed.set()
                if not isinstance(exc, (pa.ArrowException, OSError, KeyError)):
                    raise
                raise StorageError(f"shard {source.shard}: cannot read {source.samples} or its QC table "
                                   f"({type(exc).__name__}: {exc}); re-run the shard's partition (`psynth audit "
                                   "--rebuild-index` leaves out shards whose files no longer match their "
                                   "manifest)") from None
        return totals

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="psynth-audit") as pool:
        parts = list(pool.map(work, range(threads)))
    return _merge(plan, parts)
