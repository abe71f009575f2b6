"""Timestamps in a bundle: ISO-8601 or Unix seconds, to epoch seconds."""

from __future__ import annotations

import math
from datetime import UTC, datetime

_LATEST_SECONDS = 1e11  # past year 5000: a larger number is milliseconds or finer


def parse_timestamp(text: str | float | int) -> float:
    """Epoch seconds from Unix seconds or ISO-8601 (naive ISO times are UTC).

    Raises ValueError with the expected form when the text is neither.
    """
    if isinstance(text, bool):
        raise ValueError(f"expected a timestamp, got {text!r}")
    if isinstance(text, int | float):
        return _seconds(float(text))
    raw = text.strip()
    try:
        number = float(raw)
    except ValueError:
        number = None
    if number is not None:
        return _seconds(number)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"expected Unix seconds or ISO-8601 (2024-05-01T12:00:00Z), got {raw!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _seconds(value: float) -> float:
    if math.isnan(value) or value < 0:
        raise ValueError(f"expected a non-negative timestamp, got {value}")
    if value >= _LATEST_SECONDS:
        raise ValueError(f"{value:.0f} looks like milliseconds or finer: use Unix seconds")
    return value
