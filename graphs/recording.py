"""Recording proxies: telemetry source, clock, notifier and memory as seen through effects."""

from __future__ import annotations

from typing import Any

from agents.llm.gateway import LLMGateway
from agents.llm.models import LLMReply
from graphs.effect_session import EffectSession
from graphs.effects import canonical, digest
from memory.loop_memory import LoopMemory, RunbookOutcome
from memory.models import IncidentRecord, MemoryMatch
from memory.runbook_stats import RunbookStats
from prompts.loader import RenderedPrompt
from tools.actions import Clock
from tools.notify import Notifier
from tools.telemetry import ServiceGraph, TelemetrySource, TelemetryWindow, metrics_or_none

# Every call goes through a lambda: during a replay the inner object is Unavailable, and
# even looking up its bound method would raise.


class RecordedSource:
    """A TelemetrySource whose every read is a recorded effect."""

    def __init__(self, inner: TelemetrySource, session: EffectSession) -> None:
        self.inner, self.session = inner, session

    def topology(self) -> ServiceGraph:
        return self.session.call(
            "telemetry.topology",
            {},
            lambda: self.inner.topology(),  # noqa: PLW0108
            ServiceGraph,
        )

    def now(self) -> int:
        return self.session.call(
            "telemetry.now",
            {},
            lambda: self.inner.now(),  # noqa: PLW0108
            int,
        )

    def step(self) -> int:
        return self.session.call(
            "telemetry.step",
            {},
            lambda: self.inner.step(),  # noqa: PLW0108
            int,
        )

    def window(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        """Recorded with `detail_from` when given. Runs recorded before it existed read the
        whole window's detail here, and replay from that record."""
        request: dict[str, int] = {"start": start, "end": end}
        if detail_from is not None and _keeps_detail_from(self.session.recorded()):
            request["detail_from"] = detail_from
        return self.session.call(
            "telemetry.window",
            request,
            lambda: self.inner.window(start, end, request.get("detail_from")),
            TelemetryWindow,
        )

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        request = {"start": start, "end": end}
        return self.session.call(
            "telemetry.metrics", request, lambda: self.inner.metrics(start, end), TelemetryWindow
        )

    def metrics_or_none(self, start: int, end: int) -> TelemetryWindow | None:
        """Recorded with its outcome: a replay gives the None the run had, not a new read.

        Runs recorded before this read existed made a plain metrics read here, and replay
        from that record.
        """
        if self.session.recorded_kind() == "telemetry.metrics":
            return self.metrics(start, end)
        request = {"start": start, "end": end}
        return self.session.call(
            "telemetry.metrics_or_none",
            request,
            lambda: metrics_or_none(self.inner, start, end),
            TelemetryWindow | None,
        )


def _keeps_detail_from(recorded: tuple[str, dict[str, Any]] | None) -> bool:
    """Not a window recorded before windows took `detail_from` (nothing recorded here yet,
    one recorded since, or a record of another kind: a divergence either way)."""
    if recorded is None:
        return True
    kind, request = recorded
    return kind != "telemetry.window" or "detail_from" in request


class RecordedClock:
    """A Clock whose readings and waits are recorded (a replay never waits)."""

    def __init__(self, inner: Clock, session: EffectSession) -> None:
        self.inner, self.session = inner, session

    def now(self) -> int:
        return self.session.call(
            "clock.now",
            {},
            lambda: self.inner.now(),  # noqa: PLW0108
            int,
        )

    def sleep(self, seconds: int) -> None:
        self.session.call(
            "clock.sleep", {"seconds": seconds}, lambda: self.inner.sleep(seconds), type(None)
        )


class RecordedNotifier:
    """A Notifier whose deliveries happen once and are replayed from their receipts."""

    def __init__(self, inner: Notifier, session: EffectSession) -> None:
        self.inner, self.session = inner, session

    def notify(self, event: dict[str, Any]) -> str:
        return self.session.call("notify", event, lambda: self.inner.notify(event), str)


class RecordedMemory:
    """Incident memory whose recalls and writes are recorded: a replay never asks Chroma."""

    def __init__(self, inner: LoopMemory, session: EffectSession) -> None:
        self.inner, self.session = inner, session

    def recall(self, text: str, k: int, exclude: str) -> list[MemoryMatch]:
        request = {"text": text, "k": k, "exclude": exclude}
        return self.session.call(
            "memory.recall",
            request,
            lambda: self.inner.recall(text, k, exclude),
            list[MemoryMatch],
        )

    def runbook_stats(self, fault_type: str) -> dict[str, RunbookStats]:
        return self.session.call(
            "memory.runbook_stats",
            {"fault_type": fault_type},
            lambda: self.inner.runbook_stats(fault_type),
            dict[str, RunbookStats],
        )

    def remember(self, record: IncidentRecord, outcomes: list[RunbookOutcome]) -> str:
        body = canonical([record.model_dump(mode="json"), [o.model_dump() for o in outcomes]])
        request = {"id": record.id, "digest": digest(body)}
        return self.session.call(
            "memory.remember", request, lambda: self.inner.remember(record, outcomes), str
        )

    def close(self) -> None:
        """The inner memory is closed by whoever opened it."""


class RecordedLLM:
    """The model as the loop sees it: whether one is configured and each reply are recorded."""

    def __init__(self, inner: LLMGateway | None, session: EffectSession) -> None:
        self.inner, self.session = inner, session

    def model(self) -> str | None:
        """The configured model name; None: rules only (recorded, so a replay agrees)."""
        return self.session.call(
            "llm.model", {}, lambda: self.inner.config.model if self.inner else None, str | None
        )

    def chat(self, prompt: RenderedPrompt) -> LLMReply:
        request = {"template": prompt.template, "prompt_sha256": prompt.sha256}
        return self.session.call("llm.chat", request, lambda: self._ask(prompt), LLMReply)

    def _ask(self, prompt: RenderedPrompt) -> LLMReply:
        if self.inner is None:
            raise RuntimeError("no LLM configured: ask model() before chat()")
        return self.inner.chat(prompt.system, prompt.user)


class Unavailable:
    """Stands in for the world during a replay: any real call is a bug, and says so."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(
            f"replay tried to reach the real {self.what} ({name}); "
            "every input must come from recorded effects"
        )
