"""NAB scoring: windows, scaled-sigmoid rewards, one corpus-wide threshold, normalised score."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

PROBATION_FRACTION = 0.15
PROBATION_CAP = 750  # NAB caps probation at 15 % of 5000 rows
NO_THRESHOLD = 1.1  # above every score: nothing detected


@dataclass(frozen=True)
class Profile:
    """Application profile: reward of a true positive, costs of a miss and of a false alarm."""

    tp: float
    fn: float
    fp: float


PROFILES = {
    "standard": Profile(tp=1.0, fn=1.0, fp=0.11),
    "reward_low_FP_rate": Profile(tp=1.0, fn=1.0, fp=0.22),
    "reward_low_FN_rate": Profile(tp=1.0, fn=2.0, fp=0.11),
}


def scaled_sigmoid(position: float) -> float:
    """About +1 at a window's start (-1), 0 at its end (0), down to -1 far past it (>= 3)."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


MAX_TP = scaled_sigmoid(-1.0)


@dataclass(frozen=True)
class Scored:
    """One file prepared for scoring: scorable rows only (past probation)."""

    name: str
    scores: np.ndarray
    window: np.ndarray  # window index per row (file-local), -1 outside every window
    position: np.ndarray  # scaled-sigmoid value per row (unweighted)
    windows: int  # labelled windows, probationary or not
    scorable_windows: np.ndarray  # file-local indices of windows with a scorable row


def probation(rows: int) -> int:
    return min(math.floor(PROBATION_FRACTION * rows), int(PROBATION_FRACTION * 5000))


def window_rows(
    times: list[datetime], windows: list[tuple[datetime, datetime]]
) -> list[tuple[int, int]]:
    """[first, last] row index of each window (rows inside its time limits)."""
    stamps = np.asarray(times, dtype="datetime64[us]")
    rows = []
    for start, end in windows:
        first = int(np.searchsorted(stamps, np.datetime64(start, "us"), side="left"))
        last = int(np.searchsorted(stamps, np.datetime64(end, "us"), side="right")) - 1
        if last >= first:
            rows.append((first, last))
    return rows


def _positions(rows: int, limits: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Window index and unweighted scaled-sigmoid value for every row."""
    window = np.full(rows, -1)
    position = np.full(rows, -1.0)  # before any window: a full false positive
    for k, (first, last) in enumerate(limits):
        width = last - first + 1
        end = limits[k + 1][0] if k + 1 < len(limits) else rows
        for i in range(first, end):
            if i <= last:
                window[i] = k
                position[i] = scaled_sigmoid(-(last - i + 1) / width)
            else:  # false positives right after a window cost less
                position[i] = scaled_sigmoid((i - last) / max(width - 1, 1))
    return window, position


def prepare(name: str, times: list[datetime], scores: np.ndarray, windows: list) -> Scored:
    """Score-independent bookkeeping for one file: windows, positions, probation."""
    limits = window_rows(times, windows)
    window, position = _positions(len(times), limits)
    keep = slice(probation(len(times)), None)
    scorable = np.unique(window[keep][window[keep] >= 0])
    return Scored(name, scores[keep], window[keep], position[keep], len(windows), scorable)


def _weights(file: Scored, profile: Profile) -> np.ndarray:
    inside = file.window >= 0
    return np.where(inside, file.position * profile.tp / MAX_TP, file.position * profile.fp)


@dataclass(frozen=True)
class FileScore:
    """Raw score of one file at one threshold, with its counts."""

    name: str
    score: float
    detected: int
    missed: int
    false_positives: int
    windows: int


def score_file(file: Scored, profile: Profile, threshold: float) -> FileScore:
    """Only the first detection in a window counts; every detection outside one costs."""
    hit = file.scores >= threshold
    weights = _weights(file, profile)
    inside = file.window >= 0
    false_alarms = hit & ~inside
    score = float(weights[false_alarms].sum())
    detected = 0
    for k in file.scorable_windows:
        in_window = hit & (file.window == k)
        if in_window.any():
            detected += 1
            score += float(weights[in_window].max())
        else:
            score -= profile.fn
    missed = len(file.scorable_windows) - detected
    return FileScore(file.name, score, detected, missed, int(false_alarms.sum()), file.windows)


def best_threshold(files: list[Scored], profile: Profile) -> tuple[float, float]:
    """Sweep every distinct score from high to low; return (threshold, corpus raw score).

    Ties go to the higher threshold, as in NAB's optimiser.
    """
    scores = np.concatenate([f.scores for f in files])
    weights = np.concatenate([_weights(f, profile) for f in files])
    offsets = np.cumsum([0] + [len(f.scorable_windows) for f in files])
    window = np.concatenate(
        [_global_windows(f, int(o)) for f, o in zip(files, offsets, strict=False)]
    )
    best = np.full(int(offsets[-1]), -profile.fn)
    order = np.argsort(-scores, kind="stable")
    total = float(best.sum())
    result = (NO_THRESHOLD, total)
    for rank, i in enumerate(order):
        k = window[i]
        if k < 0:
            total += weights[i]
        elif weights[i] > best[k]:
            total += weights[i] - best[k]
            best[k] = weights[i]
        last_of_group = rank + 1 == len(order) or scores[order[rank + 1]] != scores[i]
        if last_of_group and total > result[1]:
            result = (float(scores[i]), total)
    return result


def _global_windows(file: Scored, offset: int) -> np.ndarray:
    """Map file-local window indices to corpus-wide ones (-1 stays outside)."""
    lookup = {int(k): offset + j for j, k in enumerate(file.scorable_windows)}
    return np.array([lookup.get(int(k), -1) for k in file.window], dtype=int)


def null_score(files: list[Scored], profile: Profile) -> float:
    """Raw score of NAB's null detector (a constant score), threshold optimised like any other."""
    constant = [
        Scored(
            f.name, np.full(len(f.scores), 0.5), f.window, f.position, f.windows, f.scorable_windows
        )
        for f in files
    ]
    return best_threshold(constant, profile)[1]


def normalised(raw: float, null: float, windows: int, profile: Profile) -> float | None:
    """100 * (raw - null) / (perfect - null), perfect = tp weight * windows; None if no windows."""
    perfect = profile.tp * windows
    if perfect == null:
        return None
    return 100.0 * (raw - null) / (perfect - null)


@dataclass(frozen=True)
class GroupScore:
    """Scores of a set of files (the corpus or one category) at the corpus threshold."""

    name: str
    files: int
    raw: float
    null: float
    normalised: float | None
    windows: int
    detected: int
    missed: int
    false_positives: int


@dataclass(frozen=True)
class NabReport:
    """A detector's NAB result under one profile."""

    profile: str
    threshold: float
    overall: GroupScore
    categories: list[GroupScore]
    files: list[FileScore]


def _group(name: str, files: list[Scored], scores: list[FileScore], profile: Profile) -> GroupScore:
    raw = sum(s.score for s in scores)
    null = null_score(files, profile)
    windows = sum(s.windows for s in scores)
    return GroupScore(
        name=name,
        files=len(files),
        raw=raw,
        null=null,
        normalised=normalised(raw, null, windows, profile),
        windows=windows,
        detected=sum(s.detected for s in scores),
        missed=sum(s.missed for s in scores),
        false_positives=sum(s.false_positives for s in scores),
    )


def evaluate(files: list[Scored], profile_name: str = "standard") -> NabReport:
    """Optimise one threshold over all files, then score the corpus and each category."""
    profile = PROFILES[profile_name]
    threshold, _ = best_threshold(files, profile)
    per_file = [score_file(f, profile, threshold) for f in files]
    categories = sorted({f.name.split("/")[0] for f in files})
    groups = []
    for category in categories:
        chosen = [i for i, f in enumerate(files) if f.name.split("/")[0] == category]
        groups.append(
            _group(category, [files[i] for i in chosen], [per_file[i] for i in chosen], profile)
        )
    overall = _group("all", files, per_file, profile)
    return NabReport(profile_name, threshold, overall, groups, per_file)
