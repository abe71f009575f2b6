"""Seeded per-item random generators for logs and traces (reproducible in any order)."""

from __future__ import annotations

import hashlib
import random


def rng(seed: int, *parts: object) -> random.Random:
    """A generator determined only by the seed and the parts naming what it draws for."""
    text = "|".join(str(p) for p in (seed, *parts))
    return random.Random(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()))


def count(r: random.Random, expected: float) -> int:
    """A small integer whose mean is `expected` (integer part plus a Bernoulli remainder)."""
    whole = int(expected)
    return whole + (1 if r.random() < expected - whole else 0)


EXCEPTIONS = (
    "TimeoutError",
    "ConnectionResetError",
    "ValueError: invalid payload",
    "KeyError: 'id'",
    "RuntimeError: unexpected state",
    "IOError: write failed",
)
TLS_REASONS = ("handshake timeout", "certificate verify failed", "connection reset by peer")
OPERATIONS = {
    "web": ("GET /", "GET /product", "POST /cart"),
    "api": ("read", "list", "update"),
    "datastore": ("SELECT", "UPDATE", "INSERT"),
    "cache": ("GET", "SET"),
    "queue": ("publish", "consume"),
}
