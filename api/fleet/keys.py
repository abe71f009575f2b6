"""Every Redis key the fleet uses, all under one prefix (ADSH_REDIS_PREFIX)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FleetKeys:
    """Names derived from the prefix, so tests and deployments never share a key."""

    prefix: str

    @property
    def jobs(self) -> str:
        """The stream of investigation jobs."""
        return f"{self.prefix}:jobs"

    @property
    def group(self) -> str:
        """The consumer group every worker reads the jobs stream with."""
        return "workers"

    @property
    def delayed(self) -> str:
        """Sorted set of jobs due later (approval timeouts, deferred jobs), scored by due time."""
        return f"{self.prefix}:jobs:delayed"

    @property
    def dead(self) -> str:
        """Stream of jobs that failed with an unexpected error (kept for a person to look at)."""
        return f"{self.prefix}:jobs:dead"

    @property
    def status(self) -> str:
        """Hash incident -> status (QUEUED until the first checkpoint)."""
        return f"{self.prefix}:status"

    @property
    def busy(self) -> str:
        """Hash incident -> number of queued or running jobs that make it busy."""
        return f"{self.prefix}:busy"

    @property
    def queued(self) -> str:
        """Hash incident -> accepted trigger (JSON) until its first checkpoint."""
        return f"{self.prefix}:queued"

    @property
    def events(self) -> str:
        """Pub/sub channel of live events, relayed by every API process."""
        return f"{self.prefix}:events"

    def lock(self, incident_id: str) -> str:
        return f"{self.prefix}:lock:{incident_id}"

    def fence(self, incident_id: str) -> str:
        return f"{self.prefix}:fence:{incident_id}"


def reply(value: Any) -> Any:
    """A reply of the synchronous client (redis-py types every reply as maybe awaitable)."""
    return value


def text(value: Any) -> str:
    """A reply item as str (the client returns bytes)."""
    return value.decode() if isinstance(value, bytes) else str(value)
