"""One background thread that runs every graph call in order (the checkpointer is shared)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("adsh.api.worker")

ErrorHandler = Callable[[str, BaseException], None]


@dataclass(frozen=True)
class Job:
    label: str
    run: Callable[[], None]


class Worker:
    """A FIFO of jobs on a single daemon thread; a failing job is reported, never fatal."""

    def __init__(self, on_error: ErrorHandler) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._on_error = on_error
        self._thread = threading.Thread(target=self._loop, name="adsh-graph-worker", daemon=True)
        self._pending = 0
        self._cond = threading.Condition()

    def start(self) -> None:
        self._thread.start()

    def submit(self, label: str, run: Callable[[], None]) -> None:
        with self._cond:
            self._pending += 1
        self._jobs.put(Job(label, run))

    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait_idle(self, timeout: float) -> bool:
        """True once every submitted job has finished (tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 30.0) -> None:
        self._jobs.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job.run()
            except Exception as exc:
                log.exception("job %s failed", job.label)
                self._on_error(job.label, exc)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()
