"""Log mining: Drain templates, and which WARN/ERROR templates grew in the incident window."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

from tools.telemetry import LogRecord

logging.getLogger("drain3").setLevel(logging.WARNING)
MIN_RATIO = 3.0
MIN_COUNT = 3

Key = tuple[str, str, int]  # service, level, Drain cluster id


@dataclass(frozen=True)
class LogShift:
    """A WARN/ERROR template of one service that is new or clearly more frequent."""

    service: str
    level: str
    template: str
    window_count: int
    window_per_min: float
    baseline_per_min: float
    example: str
    mentions: dict[str, int] = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        return self.baseline_per_min == 0


@dataclass
class _Tally:
    """Counts per (service, level, template) in the baseline and in the window."""

    base: Counter[Key] = field(default_factory=Counter)
    now: Counter[Key] = field(default_factory=Counter)
    examples: dict[Key, str] = field(default_factory=dict)
    mentions: dict[Key, Counter[str]] = field(default_factory=dict)


def _miner() -> TemplateMiner:
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    config.drain_sim_th = 0.5
    config.masking_instructions = [MaskingInstruction(r"\d+(\.\d+)?", "NUM")]
    return TemplateMiner(config=config)


def _minutes(logs: list[LogRecord]) -> float:
    if not logs:
        return 1.0
    return max(1.0, (max(r.ts for r in logs) - min(r.ts for r in logs) + 60) / 60)


def _named(record: LogRecord, services: list[str]) -> list[str]:
    words = set(record.message.replace(":", " ").split())
    return [s for s in services if s in words and s != record.service]


def _tally(
    window: list[LogRecord], history: list[LogRecord], services: list[str]
) -> tuple[_Tally, TemplateMiner]:
    miner, tally = _miner(), _Tally()
    for in_window, records in ((False, history), (True, window)):
        for record in records:
            if record.level not in ("WARN", "ERROR"):
                continue
            cluster = miner.add_log_message(record.message)["cluster_id"]
            key = (record.service, record.level, cluster)
            (tally.now if in_window else tally.base)[key] += 1
            tally.examples.setdefault(key, record.message)
            if in_window:
                tally.mentions.setdefault(key, Counter()).update(_named(record, services))
    return tally, miner


def log_shifts(
    window: list[LogRecord], history: list[LogRecord], services: list[str] | None = None
) -> list[LogShift]:
    """WARN/ERROR templates whose per-minute rate rose at least MIN_RATIO times.

    Each shift counts the window lines that name each of `services` (e.g. an upstream).
    """
    tally, miner = _tally(window, history, services or [])
    templates = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    window_minutes, history_minutes = _minutes(window), _minutes(history)
    found = []
    for key, count in tally.now.items():
        rate, baseline = count / window_minutes, tally.base[key] / history_minutes
        if count >= MIN_COUNT and rate >= MIN_RATIO * max(baseline, 1 / history_minutes):
            found.append(
                LogShift(
                    service=key[0],
                    level=key[1],
                    template=templates[key[2]],
                    window_count=count,
                    window_per_min=round(rate, 3),
                    baseline_per_min=round(baseline, 3),
                    example=tally.examples[key],
                    mentions=dict(tally.mentions.get(key, {})),
                )
            )
    return sorted(found, key=lambda s: -s.window_per_min)
