"""Counter-based randomness: the same (seed, key, tick) always draws the same number."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@lru_cache(maxsize=4096)
def _key_base(seed: int, key: str) -> np.uint64:
    digest = hashlib.blake2b(f"{seed}|{key}".encode(), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def _splitmix(values: np.ndarray) -> np.ndarray:
    z = values + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def uniforms(seed: int, keys: list[str], ticks: np.ndarray) -> np.ndarray:
    """Uniform draws in [0, 1), one row per key and one column per tick, each independent of
    which ticks (and which other keys) are asked for."""
    counters = np.asarray(ticks, dtype=np.int64).astype(np.uint64)
    bases = np.array([_key_base(seed, key) for key in keys], dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = _splitmix(_splitmix(counters[None, :] ^ bases[:, None]))
    return (mixed >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def uniform(seed: int, key: str, ticks: np.ndarray) -> np.ndarray:
    """`uniforms` of one key."""
    return uniforms(seed, [key], ticks)[0]


def normals(seed: int, keys: list[str], ticks: np.ndarray) -> np.ndarray:
    """Standard normal draws per key and tick (Box-Muller over two uniform streams)."""
    u1 = np.maximum(uniforms(seed, [key + "#u1" for key in keys], ticks), 1e-12)
    u2 = uniforms(seed, [key + "#u2" for key in keys], ticks)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def integer(seed: int, key: str, ticks: np.ndarray, high: int) -> np.ndarray:
    """Integers in [0, high)."""
    return np.floor(uniform(seed, key, ticks) * high).astype(np.int64)
