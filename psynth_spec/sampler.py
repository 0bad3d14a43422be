"""Sample a spec: statements in order, `when` nulls, `require` rejection, defaults, captions.

Sample `i` depends only on (seed, axis, i, round) and the axes its conditions read (see
`counters`). Constraints are met by vectorized rejection: every require is evaluated on round 0;
the rejected rows (only those) redraw ALL their stated axes in rounds 1, 2, ..., and each row
keeps its first accepted round. Rounds are drawn in blocks (many rounds of the still-rejected
rows in one vectorized pass), which changes nothing in the result: the first accepted round of a
row does not depend on how the rounds were grouped.

A row that is still rejected after MAX_ROUNDS rounds fails the shard with a SamplingError that
names the dataset, the shard, the acceptance seen and the require that rejects most. So that an
impossible constraint fails in a second rather than after MAX_ROUNDS rounds, redrawing also
stops once 2**21 redraws have accepted fewer than 1 in 100,000 (a spec the pilot lets through
accepts at least 1 in 1,000, so this never triggers for one that compiled).
"""

import io
import math
import os
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl

from psynth_spec.conditions import evaluate
from psynth_spec.counters import MAX_SAMPLE_ID, counters, render_seeds, uniforms_at
from psynth_spec.distributions import Column, constant, draw
from psynth_spec.errors import SamplingError
from psynth_spec.asset_columns import asset_series
from psynth_spec.spec import AssetChoice, AxisStatement, Fixed, RegistryColumn, Spec

# A row that still breaks a constraint after this many rounds fails the shard. At the lowest
# acceptance a compiled spec may have (1 in 1,000, checked by the pilot) a row fails with
# probability (1 - 1/1000)**27_632 < 1e-12.
MAX_ROUNDS = 27_632
_BLOCK_DRAWS = 1 << 18  # candidate draws per rejection pass (memory bound)
_MIN_PASS_DRAWS = 1 << 12  # a pass costs ~20 numpy calls per axis whatever its size
_GIVE_UP_DRAWS = 1 << 21  # stop early when this many redraws accepted under 1 in 100,000
_GIVE_UP_RATE = 1e-5

BLOCK_ROWS = 1 << 17  # rows per block of a large range (one thread's unit of work)

POLARS_TYPES = {"float": pl.Float64, "int": pl.Int64, "bool": pl.Boolean, "category": pl.String, "asset": pl.String}


class Batch:
    """The columns of a batch of samples: stated axes, plus registry axes resolved on demand."""

    def __init__(self, spec: Spec, stated: dict[str, Column], n: int):
        self.spec = spec
        self.stated = stated
        self.n = n
        self._resolved: dict[str, Column] = {}
        self._registry = {c.axis: c for c in spec.columns}

    def __call__(self, axis: str) -> Column:
        if axis in self.stated:
            return self.stated[axis]
        if axis not in self._resolved:
            if axis not in self._registry:
                raise SamplingError(f"{self.spec.dataset}: unknown axis {axis!r}")
            self._resolved[axis] = self._unstated(self._registry[axis])
        return self._resolved[axis]

    def _unstated(self, column: RegistryColumn) -> Column:
        if column.derive_from is None:
            return constant(column.type, column.default, self.n)
        source = self(column.derive_from)
        if source.type != "category":
            raise SamplingError(
                f"{self.spec.dataset}: {column.axis} derives from non-categorical {column.derive_from}"
            )
        mapping = column.derive_map or {}
        mapped = [mapping.get(c) for c in source.categories]
        known = np.asarray([m is not None for m in mapped], dtype=bool)
        valid = known[source.values] & source.valid_mask()
        if column.type == "category":
            names = tuple(dict.fromkeys(str(m) for m in mapped if m is not None)) or ("",)
            index = {name: i for i, name in enumerate(names)}
            table = np.asarray([index.get(str(m), 0) for m in mapped], dtype=np.int32)
            return Column("category", table[source.values], valid, names)
        fill = {"float": 0.0, "int": 0, "bool": False}[column.type]
        table = constant(column.type, fill, len(mapped)).values.copy()
        for i, m in enumerate(mapped):
            if m is not None:
                table[i] = m
        return Column(column.type, table[source.values], valid)


def draw_statements(spec: Spec, ids: np.ndarray, rounds: int | np.ndarray = 0) -> Batch:
    """Draw every stated axis, in statement order, for the given ids and rejection rounds."""
    n = len(ids)
    batch = Batch(spec, {}, n)
    positions = counters(ids, rounds)
    for statement in spec.statements:
        u = None if isinstance(statement.dist, Fixed) else uniforms_at(positions, spec.seed, statement.axis)
        column = draw_statement(statement, u, n)
        if statement.when is not None:
            column.valid = evaluate(statement.when, batch, n)
        batch.stated[statement.axis] = column
    return batch


def draw_statement(statement: AxisStatement, u: np.ndarray | None, n: int) -> Column:
    """One statement's distribution through its clamp (its `when` is the caller's)."""
    column = draw(statement.type, statement.dist, u, n)
    if statement.clamp is not None:
        lo, hi = statement.clamp
        if statement.type == "int":
            lo, hi = math.ceil(lo), math.floor(hi)
        np.clip(column.values, lo, hi, out=column.values)
        if column.levels is not None:
            column.levels = np.clip(column.levels, lo, hi)
    return column


def require_masks(spec: Spec, batch: Batch) -> list[np.ndarray]:
    """Per require, the rows where it holds (`require C when W` holds where not W or C)."""
    masks = []
    for require in spec.requires:
        holds = evaluate(require.cond, batch, batch.n)
        if require.when is not None:
            holds |= ~evaluate(require.when, batch, batch.n)
        masks.append(holds)
    return masks


def accepted(spec: Spec, batch: Batch) -> np.ndarray:
    """Rows where every require holds."""
    ok = np.ones(batch.n, dtype=bool)
    for mask in require_masks(spec, batch):
        ok &= mask
    return ok


def _sample_stated(spec: Spec, ids: np.ndarray, where: str) -> Batch:
    batch = draw_statements(spec, ids, 0)
    if not spec.requires:
        return batch
    ok = accepted(spec, batch)
    pending = np.flatnonzero(~ok)
    draws, hits, next_round, passes = len(ids), int(ok.sum()), 1, 0
    while pending.size:
        if next_round > MAX_ROUNDS or (draws >= _GIVE_UP_DRAWS and hits < _GIVE_UP_RATE * draws):
            _fail(spec, ids[pending], where, hits / draws)
        # about the expected rounds to a first acceptance, doubling on every further pass
        expected = round(draws / max(hits, 1))
        want = max(expected << passes, _MIN_PASS_DRAWS // pending.size)  # few rows: one wide pass
        block = max(1, min(want, _BLOCK_DRAWS // pending.size, MAX_ROUNDS + 1 - next_round))
        passes += 1
        rep_ids = np.repeat(ids[pending], block)
        rep_rounds = np.tile(np.arange(next_round, next_round + block, dtype=np.int64), pending.size)
        candidates = draw_statements(spec, rep_ids, rep_rounds)
        ok = accepted(spec, candidates).reshape(pending.size, block)
        found = ok.any(axis=1)
        first = ok.argmax(axis=1)
        # rounds after the first accepted one were drawn but would never be looked at in order
        draws += int(np.where(found, first + 1, block).sum())
        hits += int(found.sum())
        chosen = np.flatnonzero(found) * block + first[found]
        for axis, column in batch.stated.items():
            column.put(pending[found], candidates.stated[axis].take(chosen))
        pending = pending[~found]
        next_round += block
    return Batch(spec, batch.stated, len(ids))


def _fail(spec: Spec, ids: np.ndarray, where: str, acceptance: float) -> None:
    batch = draw_statements(spec, ids, 0)
    masks = require_masks(spec, batch)
    worst = min(range(len(masks)), key=lambda k: int(masks[k].sum()))
    raise SamplingError(
        f"{spec.dataset}: cannot fill {where}: {len(ids)} samples still break the constraints "
        f"after redrawing; they accepted {acceptance:.4%} of draws. Relax the require on "
        f"line {spec.requires[worst].line}."
    )


def column_series(name: str, column: Column) -> pl.Series:
    if column.type == "category" and len(column.categories) == 1 and column.valid is None:
        return pl.Series(name, [column.categories[0]], dtype=pl.String).new_from_index(0, len(column.values))
    if column.type == "category":
        values = pl.Series(column.categories, dtype=pl.String).gather(pl.Series(column.values, dtype=pl.UInt32))
    else:
        values = pl.Series(column.values).cast(POLARS_TYPES[column.type])
    values = values.alias(name)
    if column.valid is not None and not column.valid.all():
        values = pl.select(pl.when(pl.Series(column.valid)).then(values)).to_series().alias(name)
    return values


def _check_ids(spec: Spec, start: int, stop: int) -> None:
    if not 0 <= start <= stop or stop > MAX_SAMPLE_ID:
        raise SamplingError(f"{spec.dataset}: sample range {start}..{stop} is out of bounds")


def sample_range(spec: Spec, start: int, stop: int, *, where: str | None = None) -> pl.DataFrame:
    """The samples table for global sample ids start..stop-1 (pilots, tests, and shards).

    Columns: sample_id, shard, seed, one per registry axis (spec.columns order), captions.
    Large ranges are cut into fixed blocks of `BLOCK_ROWS` drawn on a thread pool (numpy and
    Polars release the GIL); every row is a pure function of its id, and the block layout
    depends only on the range, so the result is the same with any number of threads.
    """
    _check_ids(spec, start, stop)
    where = where or f"samples {start}..{stop - 1}"
    if stop - start <= BLOCK_ROWS:
        return _sample_block(spec, start, stop, where)
    starts = range(start, stop, BLOCK_ROWS)
    workers = min(len(starts), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="psynth-sample") as pool:
        blocks = list(pool.map(lambda a: _sample_block(spec, a, min(a + BLOCK_ROWS, stop), where), starts))
    return pl.concat(blocks, rechunk=False)


def _sample_block(spec: Spec, start: int, stop: int, where: str) -> pl.DataFrame:
    from psynth_spec.captions import caption_series

    ids = np.arange(start, stop, dtype=np.int64)
    batch = _sample_stated(spec, ids, where)
    data = [
        pl.Series("sample_id", ids, dtype=pl.Int64),
        pl.Series("shard", ids // spec.shard_size, dtype=pl.Int32),
        pl.Series("seed", render_seeds(spec.seed, ids), dtype=pl.Int64),
    ]
    data.extend(column_series(c.column, batch(c.axis)) for c in spec.columns)
    for statement in spec.statements:
        if isinstance(statement.dist, AssetChoice):
            column = batch.stated[statement.axis]
            data.extend(asset_series(spec, statement, column.values, column.valid_mask()))
    data.extend(caption_series(spec, ids, batch))
    if spec.variants is not None:
        from psynth_spec.variants import variant_series

        data.extend(variant_series(spec, ids, batch, where))
    return pl.DataFrame(data)


def sample_shard(spec: Spec, shard: int, limit: int | None = None) -> pl.DataFrame:
    """The samples table of one shard (its first `limit` rows when given)."""
    try:
        rows = spec.shard_range(shard)
    except IndexError as exc:
        raise SamplingError(f"{spec.dataset}: {exc}") from None
    stop = rows.stop if limit is None else min(rows.stop, rows.start + max(0, limit))
    return sample_range(spec, rows.start, stop, where=f"shard {shard}")


def sample_shards(spec: Spec, shards: range) -> Iterator[tuple[int, pl.DataFrame]]:
    """The samples tables of a contiguous range of shards (e.g. a partition's), one per shard.

    Equal, shard for shard, to `sample_shard`, but drawn in large vectorized blocks: sampling a
    1,000-sample shard alone costs a fixed ~10 ms of per-call overhead, a partition at once
    does not. Yields (shard, table) pairs in order; each table is a slice of a block.
    """
    if not shards:
        return
    if shards.step != 1 or not (0 <= shards.start and shards.stop <= spec.shards):
        raise SamplingError(f"{spec.dataset}: shards {shards} are not a contiguous part of 0..{spec.shards - 1}")
    per_block = max(1, BLOCK_ROWS * 4 // spec.shard_size)  # whole shards per sampling pass
    for start in range(shards.start, shards.stop, per_block):
        group = range(start, min(start + per_block, shards.stop))
        lo, hi = spec.shard_range(group[0]).start, spec.shard_range(group[-1]).stop
        frame = sample_range(spec, lo, hi, where=f"shards {group[0]}..{group[-1]}")
        for shard in group:
            rows = spec.shard_range(shard)
            yield shard, frame.slice(rows.start - lo, len(rows))


def samples_parquet_bytes(frame: pl.DataFrame) -> bytes:
    """A samples table as Parquet bytes: the one writer of samples files (zstd, statistics, row
    groups of at most 131,072 rows), so storage, the CLI and the plan's size estimate agree."""
    buffer = io.BytesIO()
    frame.write_parquet(
        buffer,
        compression="zstd",
        statistics=True,
        row_group_size=min(max(len(frame), 1), 131_072),
    )
    return buffer.getvalue()


def write_samples_parquet(frame: pl.DataFrame, path: str | os.PathLike) -> Path:
    """Write a samples table to a local file, atomically (temp file in the same folder, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(samples_parquet_bytes(frame))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
