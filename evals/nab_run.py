"""NAB runs: the streaming detector over a corpus, and the corpus scored against its labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evals.nab import PROFILES, NabReport, Scored, evaluate, prepare
from evals.nab_corpus import (
    NabDataError,
    data_files,
    read_scores,
    read_series,
    read_windows,
    result_path,
    write_scores,
)
from tools.analysis.streaming import stream_scores

DETECTOR = "adsh"
Progress = Callable[[int, int, str], None]


def _quiet(done: int, total: int, name: str) -> None:
    """Default progress callback: say nothing."""


def detect_corpus(data_dir: Path, out_dir: Path, progress: Progress = _quiet) -> list[Path]:
    """Score every series online; write RESULTS/adsh/<category>/adsh_<file>.csv for each."""
    names = data_files(data_dir)
    written = []
    for done, name in enumerate(names, start=1):
        series = read_series(data_dir, name)
        path = result_path(out_dir, DETECTOR, name)
        write_scores(path, series, stream_scores(series.timestamps, series.values))
        written.append(path)
        progress(done, len(names), name)
    return written


def _checked_names(data_dir: Path, windows: dict[str, list]) -> list[str]:
    present = set(data_files(data_dir))
    missing = sorted(set(windows) - present)
    if missing:
        raise NabDataError(f"labels name {missing[0]}, which is not under {data_dir}")
    unlabelled = sorted(present - set(windows))
    if unlabelled:
        raise NabDataError(f"{data_dir / unlabelled[0]} has no entry in the labels file")
    return sorted(windows)


def score_corpus(
    data_dir: Path,
    labels: Path,
    results_dir: Path | None = None,
    detector: str = DETECTOR,
    profile: str = "standard",
    progress: Progress = _quiet,
) -> NabReport:
    """NAB score of a detector's results (or, without `results_dir`, of ours run in memory)."""
    if profile not in PROFILES:
        raise NabDataError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
    windows = read_windows(labels)
    names = _checked_names(data_dir, windows)
    files: list[Scored] = []
    for done, name in enumerate(names, start=1):
        series = read_series(data_dir, name)
        scores = (
            stream_scores(series.timestamps, series.values)
            if results_dir is None
            else read_scores(results_dir, detector, series)
        )
        files.append(prepare(name, series.timestamps, scores, windows[name]))
        progress(done, len(names), name)
    return evaluate(files, profile)


def report_dict(report: NabReport, detector: str) -> dict[str, Any]:
    """JSON shape of a report: detector, profile, threshold, overall, categories, files."""
    return {"detector": detector, **asdict(report)}
