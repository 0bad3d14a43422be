"""Counter-based randomness: uniforms that are a pure function of (seed, stream, sample, round).

There is no generator state. A draw for sample `i` of stream `name` in rejection round `r` is

    key        = blake2b(f"{seed}:{name}")[:8]         a 64-bit key per (seed, stream)
    x          = i | r << 40                           the counter (i < 2**40, r < 2**23)
    z          = fmix64(x * GOLDEN + key)              SplitMix64's output function
    u          = ((z >> 11) + 0.5) * 2**-53            top 53 bits, in the open interval (0, 1)

so any shard can be recomputed alone, in any process, with any shard size, and a stream never
depends on another stream. Stream names are axis paths, or reserved names such as `seed:render`,
`caption:NAME`, `synonym:AXIS` (an axis path has no colon, so they never collide).
"""

import hashlib
from functools import lru_cache

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
ROUND_SHIFT = 40
MAX_SAMPLE_ID = 1 << ROUND_SHIFT
MAX_ROUND = 1 << 23
_INV_2_53 = 2.0**-53


@lru_cache(maxsize=4096)
def stream_key(seed: int, name: str) -> np.uint64:
    """The 64-bit key of a (dataset seed, stream name) pair: stable across runs and machines."""
    digest = hashlib.blake2b(f"{seed}:{name}".encode(), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def counters(ids: np.ndarray, rounds: int | np.ndarray = 0) -> np.ndarray:
    """The Weyl-sequence positions `(i | r << 40) * GOLDEN` (uint64) of sample ids and rounds.

    Computed once per batch and shared by every stream (see `uniforms_at`).
    """
    x = np.asarray(ids, dtype=np.int64).astype(np.uint64)
    if isinstance(rounds, np.ndarray):
        x |= rounds.astype(np.uint64) << np.uint64(ROUND_SHIFT)
    elif rounds:
        x |= np.uint64(rounds << ROUND_SHIFT)
    x *= _GOLDEN
    return x


def bits_at(positions: np.ndarray, seed: int, name: str) -> np.ndarray:
    """64 random bits (uint64) per counter position of one stream: SplitMix64's output function."""
    z = positions + stream_key(seed, name)
    z ^= z >> _S30
    z *= _MUL1
    z ^= z >> _S27
    z *= _MUL2
    z ^= z >> _S31
    return z


def uniforms_at(positions: np.ndarray, seed: int, name: str) -> np.ndarray:
    """One uniform double in the open interval (0, 1) per counter position (float64)."""
    z = bits_at(positions, seed, name)
    z >>= _S11
    u = z.astype(np.float64)
    u += 0.5
    u *= _INV_2_53
    return u


def bits(seed: int, name: str, ids: np.ndarray, rounds: int | np.ndarray = 0) -> np.ndarray:
    """64 random bits (uint64) per sample id of one stream."""
    return bits_at(counters(ids, rounds), seed, name)


def uniforms(seed: int, name: str, ids: np.ndarray, rounds: int | np.ndarray = 0) -> np.ndarray:
    """One uniform double in the open interval (0, 1) per sample id (float64)."""
    return uniforms_at(counters(ids, rounds), seed, name)


def render_seeds(seed: int, ids: np.ndarray) -> np.ndarray:
    """The per-sample 63-bit render seed (non-negative int64), from the reserved stream."""
    z = bits(seed, "seed:render", ids)
    z >>= np.uint64(1)
    return z.astype(np.int64)
