"""Seasonal baselines of many equally long series at once: baseline.seasonal_baseline's
numbers, computed over rows in a few numpy calls instead of a few per series."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from tools.analysis.baseline import (
    LEVEL_SAMPLES,
    MIN_SCALE_SAMPLES,
    NEIGHBOURHOOD,
    PERIOD_SECONDS,
    Baseline,
    seasonal_baseline,
)
from tools.analysis.history import used_samples


def nanmedian_last(values: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN (NaN where all are): np.nanmedian's values.

    Sorting puts NaN last; the median is the mean of the middle one or two finite values.
    """
    ordered = np.sort(values, axis=-1)
    finite = np.sum(~np.isnan(ordered), axis=-1, keepdims=True)
    low = np.take_along_axis(ordered, np.maximum(finite - 1, 0) // 2, axis=-1)
    high = np.take_along_axis(ordered, finite // 2 - (finite == 0), axis=-1)
    with np.errstate(invalid="ignore"):
        middle = np.where(finite % 2 == 1, low, (low + high) / 2)
    return np.where(finite == 0, np.nan, middle)[..., 0]


def _median5(values: np.ndarray) -> np.ndarray:
    """Median over a last axis of 5 values, none NaN, by min/max alone (no sort).

    Picks one of the values, as sorting does; only a -0.0 next to a 0.0 could pick the other
    zero, so callers keep such values (any sign bit set) for the sort.
    """
    a, b, c, d, e = (values[..., i] for i in range(5))
    low = np.maximum(np.minimum(a, b), np.minimum(c, d))
    high = np.minimum(np.maximum(a, b), np.maximum(c, d))
    return np.maximum(np.minimum(e, low), np.minimum(np.maximum(e, low), high))


def _references(series: np.ndarray, index: np.ndarray, lag: int) -> np.ndarray:
    """Rows x index: the median of the samples around the same time one period earlier."""
    offsets = np.arange(-NEIGHBOURHOOD, NEIGHBOURHOOD + 1)
    positions = index[:, None] - lag + offsets[None, :]
    valid = (positions >= 0) & (positions < series.shape[1])
    gathered = series[:, np.clip(positions, 0, series.shape[1] - 1)]
    # the common case (all present, none negative) without nanmedian_last's sort: ~10x less
    common = len(offsets) == 5 and valid.all()
    if common and not (np.isnan(gathered).any() or np.signbit(gathered).any()):
        return _median5(gathered)
    return nanmedian_last(np.where(valid[None, :, :], gathered, np.nan))


def _robust_scales(residuals: np.ndarray) -> np.ndarray:
    residuals = np.where(np.isfinite(residuals), residuals, np.nan)
    centre = nanmedian_last(residuals)
    scales = 1.4826 * nanmedian_last(np.abs(residuals - centre[:, None]))
    return np.where(np.isnan(scales), 0.0, scales)


_KEPT = 4  # detection and diagnosis compare the same window with the same history
_kept: OrderedDict[tuple[object, ...], list[Baseline]] = OrderedDict()


def seasonal_baselines(history: np.ndarray, window: np.ndarray, step: int) -> list[Baseline]:
    """One Baseline per row of `window` (rows x samples), each following its `history` row.

    A pure function of its inputs, so the last few results are kept (read-only) and handed
    out again for the same numbers.
    """
    read = _read_samples_key(history, window, step)
    key = (step, history.shape, window.shape, read, window.tobytes())
    found = _kept.get(key)
    if found is None:
        found = _kept[key] = _computed(history, window, step)
        for baseline in found:
            baseline.expected.setflags(write=False)
        if len(_kept) > _KEPT:
            _kept.popitem(last=False)
    _kept.move_to_end(key)
    return list(found)


def _read_samples_key(history: np.ndarray, window: np.ndarray, step: int) -> bytes:
    """The history samples a baseline reads, as bytes: a key ~6x shorter to hash and compare
    than the whole history, most of which is NaN, never read."""
    used = used_samples(history.shape[1], window.shape[1], step)
    return b"".join(history[:, a:b].tobytes() for a, b in used)


def _computed(history: np.ndarray, window: np.ndarray, step: int) -> list[Baseline]:
    lag = PERIOD_SECONDS // step
    n_hist = history.shape[1]
    if n_hist < lag + NEIGHBOURHOOD + MIN_SCALE_SAMPLES:
        return [seasonal_baseline(h, w, step) for h, w in zip(history, window, strict=True)]
    series = np.concatenate([history, window], axis=1)
    recent = np.arange(max(lag, n_hist - LEVEL_SAMPLES), n_hist)
    shift = nanmedian_last(series[:, recent] - _references(series, recent, lag))
    expected = _references(series, np.arange(n_hist, series.shape[1]), lag) + shift[:, None]
    fitted_index = np.arange(lag + NEIGHBOURHOOD, n_hist)
    fitted = _references(series, fitted_index, lag) + shift[:, None]
    scales = _robust_scales(series[:, fitted_index] - fitted)
    return [
        Baseline(expected=row, scale=float(scale), seasonal=True)
        for row, scale in zip(expected, scales, strict=True)
    ]
