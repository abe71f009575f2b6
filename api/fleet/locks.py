"""One worker per incident: a Redis lock with expiry, renewal, release by token, and a fence."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass

import redis

from api.fleet.keys import FleetKeys, reply, text

log = logging.getLogger("adsh.fleet.locks")

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass
class Lease:
    """A held lock: its key, its value (random token and fencing number) and whether held."""

    incident: str
    key: str
    value: str
    fence: int
    lost: threading.Event


class IncidentLocks:
    """SET NX PX to take a lock; Lua compare-and-set to renew and compare-and-delete to release.

    Each acquisition also takes the next fencing number of the incident (INCR), written in
    the lock's value. A worker whose lock expired (a long GC pause, a network split) finds
    another value there when it tries to commit, and its commit is refused.
    """

    def __init__(self, client: redis.Redis, keys: FleetKeys, ttl_ms: int = 30_000) -> None:
        if ttl_ms < 100:
            raise ValueError(f"lock ttl must be at least 100 ms, got {ttl_ms}")
        self.client = client
        self.keys = keys
        self.ttl_ms = ttl_ms
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self, incident_id: str) -> Lease | None:
        """The lease, or None when another worker holds the incident."""
        key = self.keys.lock(incident_id)
        if self.client.exists(key):
            return None
        fence = int(reply(self.client.incr(self.keys.fence(incident_id))))
        value = f"{fence}:{secrets.token_hex(8)}"
        if not self.client.set(key, value, nx=True, px=self.ttl_ms):
            return None
        return Lease(incident_id, key, value, fence, threading.Event())

    def renew(self, lease: Lease) -> bool:
        """Extend the expiry; False (and lease.lost set) when the lock is no longer ours."""
        held = bool(self._renew(keys=[lease.key], args=[lease.value, self.ttl_ms]))
        if not held:
            lease.lost.set()
        return held

    def holds(self, lease: Lease) -> bool:
        """Whether the lock still carries this lease's value (the fencing check)."""
        current = self.client.get(lease.key)
        held = current is not None and text(current) == lease.value
        if not held:
            lease.lost.set()
        return held

    def release(self, lease: Lease) -> bool:
        """Delete the lock only if it is still ours."""
        return bool(self._release(keys=[lease.key], args=[lease.value]))

    def keep_alive(self, lease: Lease) -> threading.Event:
        """Renew the lease every third of its ttl on a thread until the returned event is set."""
        done = threading.Event()

        def renew_loop() -> None:
            while not done.wait(self.ttl_ms / 3000):
                try:
                    if not self.renew(lease):
                        log.warning("lost the lock of %s", lease.incident)
                        return
                except redis.RedisError:
                    log.exception("renewing the lock of %s failed", lease.incident)

        threading.Thread(target=renew_loop, name=f"lock-{lease.incident}", daemon=True).start()
        return done
