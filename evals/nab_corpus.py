"""NAB corpus files: data series, labelled windows and detector results (read and written)."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from tools.files import atomic_writer

RESULT_COLUMNS = ("timestamp", "value", "anomaly_score")


class NabDataError(ValueError):
    """A NAB file is missing or not in the expected form (the message says which and why)."""


@dataclass(frozen=True)
class Series:
    """One NAB series: `name` is `<category>/<file>.csv`, as in the windows file."""

    name: str
    timestamps: list[datetime]
    values: np.ndarray

    @property
    def category(self) -> str:
        return self.name.split("/")[0]


def data_files(data_dir: Path) -> list[str]:
    """Every `<category>/<file>.csv` under `data_dir`, sorted."""
    if not data_dir.is_dir():
        raise NabDataError(
            f"NAB data folder {data_dir} does not exist (expected DATA/<category>/<file>.csv)"
        )
    names = sorted(p.relative_to(data_dir).as_posix() for p in data_dir.glob("*/*.csv"))
    if not names:
        raise NabDataError(f"no <category>/<file>.csv files under {data_dir}")
    return names


def _timestamp(text: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise NabDataError(
            f"{where}: timestamp {text!r} is not ISO-8601 (e.g. 2014-04-01 00:05:00)"
        ) from None


def _number(text: str, where: str, column: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise NabDataError(f"{where}: {column} {text!r} is not a number") from None
    if not math.isfinite(number):
        raise NabDataError(f"{where}: {column} {text!r} is not a finite number")
    return number


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[str, dict[str, str]]]:
    if not path.is_file():
        raise NabDataError(f"{path} does not exist")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            header = ",".join(columns)
            raise NabDataError(f"{path}: missing column(s) {', '.join(missing)}; expected {header}")
        for line, row in enumerate(reader, start=2):
            yield f"{path} line {line}", row


def read_table(path: Path, columns: tuple[str, ...]) -> tuple[list[datetime], np.ndarray]:
    """Timestamps and the numeric columns after the first, as a (rows, columns - 1) array."""
    times, numbers = [], []
    for where, row in _rows(path, columns):
        times.append(_timestamp(row["timestamp"] or "", where))
        numbers.append([_number(row[c] or "", where, c) for c in columns[1:]])
    if not times:
        raise NabDataError(f"{path} has a header but no rows")
    return times, np.asarray(numbers, dtype=float).reshape(len(times), len(columns) - 1)


def read_series(data_dir: Path, name: str) -> Series:
    times, table = read_table(data_dir / name, ("timestamp", "value"))
    return Series(name, times, table[:, 0])


def result_path(results_dir: Path, detector: str, name: str) -> Path:
    """NAB's layout: RESULTS/<detector>/<category>/<detector>_<file>.csv."""
    category, file = name.split("/", 1)
    return results_dir / detector / category / f"{detector}_{file}"


def read_scores(results_dir: Path, detector: str, series: Series) -> np.ndarray:
    """The detector's anomaly_score column for `series`, checked against the data's rows."""
    path = result_path(results_dir, detector, series.name)
    if not path.is_file():
        raise NabDataError(
            f"no results for {series.name}: {path} is missing (run `adsh detect` first)"
        )
    times, table = read_table(path, RESULT_COLUMNS)
    if times != series.timestamps:
        raise NabDataError(f"{path}: timestamps differ from the data file's; re-run `adsh detect`")
    scores = table[:, 1]
    if not np.all((scores >= 0) & (scores <= 1)):
        raise NabDataError(f"{path}: anomaly_score must lie in [0, 1]")
    return scores


def write_scores(path: Path, series: Series, scores: np.ndarray) -> None:
    """Write timestamp,value,anomaly_score atomically (a temp file beside it, then a rename)."""
    with atomic_writer(path, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RESULT_COLUMNS)
        for time, value, score in zip(series.timestamps, series.values, scores, strict=True):
            writer.writerow(
                [time.strftime("%Y-%m-%d %H:%M:%S"), repr(float(value)), repr(float(score))]
            )


def read_windows(path: Path) -> dict[str, list[tuple[datetime, datetime]]]:
    """combined_windows.json: `{"<category>/<file>.csv": [[start, end], ...]}`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NabDataError(f"labels file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise NabDataError(f"labels file {path} is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise NabDataError(f"{path}: expected an object mapping <category>/<file>.csv to windows")
    return {
        name: [_window(w, f"{path} [{name}]") for w in windows] for name, windows in raw.items()
    }


def _window(window: object, where: str) -> tuple[datetime, datetime]:
    if not (
        isinstance(window, list) and len(window) == 2 and all(isinstance(t, str) for t in window)
    ):
        raise NabDataError(f"{where}: each window must be [start, end] timestamps, got {window!r}")
    start, end = (_timestamp(t, where) for t in window)
    if end < start:
        raise NabDataError(f"{where}: window ends ({end}) before it starts ({start})")
    return start, end
