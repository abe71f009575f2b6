"""WallClock: the loop's clock for a real system, whose telemetry is stamped in wall time."""

from __future__ import annotations

import time


class WallClock:
    """Real time. Sleeps really wait, so ADSH_VERIFY_SECONDS is wall seconds here.

    A sped-up sandbox server (`--speed X`) still stamps its metrics in wall time, so the loop
    keeps to wall time too; its faults just develop X times faster.
    """

    def now(self) -> int:
        return int(time.time())

    def sleep(self, seconds: int) -> None:
        if seconds > 0:
            time.sleep(seconds)
