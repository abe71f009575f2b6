"""The work queue: a Redis stream read by a consumer group, plus a sorted set of due jobs."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import redis

from api.fleet.keys import FleetKeys, reply, text

JobKind = Literal["start", "resume", "decide", "override", "expire"]
JOB_KINDS: tuple[str, ...] = ("start", "resume", "decide", "override", "expire")

# Moves due members of the delayed set into the stream, atomically (no job lost or doubled).
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do
  local job = cjson.decode(member)
  redis.call('XADD', KEYS[2], '*', 'kind', job.kind, 'incident', job.incident,
             'body', job.body, 'busy', job.busy)
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""

# ACK a job only while the caller still holds the incident's lock (the fencing check).
_COMPLETE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('XACK', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] == '1' then
  if redis.call('HINCRBY', KEYS[3], ARGV[5], -1) <= 0 then redis.call('HDEL', KEYS[3], ARGV[5]) end
end
return 1
"""


@dataclass(frozen=True)
class Job:
    """One unit of work on one incident; `id` is its stream entry once read."""

    kind: JobKind
    incident: str
    body: dict[str, Any] = field(default_factory=dict)
    busy: bool = True
    """Whether the incident counts as busy while this job waits (not for timeouts)."""
    id: str | None = None

    def fields(self) -> dict[str, str]:
        body = json.dumps(self.body, sort_keys=True)
        busy = _flag(self.busy)
        return {"kind": self.kind, "incident": self.incident, "body": body, "busy": busy}

    @classmethod
    def from_entry(cls, entry_id: str, fields: dict[str, str]) -> Job:
        kind = fields.get("kind", "")
        if kind not in JOB_KINDS or not fields.get("incident"):
            raise ValueError(f"job {entry_id} is malformed: {fields!r}")
        return cls(
            kind=cast(JobKind, kind),
            incident=fields["incident"],
            body=json.loads(fields.get("body") or "{}"),
            busy=fields.get("busy") == "1",
            id=entry_id,
        )

    @property
    def label(self) -> str:
        return f"{self.kind} {self.incident}"


class WorkQueue:
    """Enqueue, read, reclaim, defer and acknowledge jobs; every key under the prefix."""

    def __init__(self, client: redis.Redis, keys: FleetKeys) -> None:
        self.client = client
        self.keys = keys
        self._promote = client.register_script(_PROMOTE)
        self._complete = client.register_script(_COMPLETE)
        self.ensure_group()

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.keys.jobs, self.keys.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def enqueue(self, job: Job) -> str:
        """Add a job; a busy job marks its incident busy in the same transaction."""
        pipe = self.client.pipeline(transaction=True)
        if job.busy:
            pipe.hincrby(self.keys.busy, job.incident, 1)
        pipe.xadd(self.keys.jobs, job.fields())  # type: ignore[arg-type]
        return str(pipe.execute()[-1])

    def schedule(self, job: Job, due_at: float) -> None:
        """Enqueue `job` once the wall clock reaches due_at (the same job twice: once)."""
        self.client.zadd(self.keys.delayed, {_member(job): due_at})

    def promote_due(self, now: float | None = None, limit: int = 100) -> int:
        """Move the jobs that are due into the stream; how many moved."""
        when = time.time() if now is None else now
        return int(self._promote(keys=[self.keys.delayed, self.keys.jobs], args=[when, limit]))

    def read(self, consumer: str, block_ms: int = 1000) -> Job | None:
        """The next new job for this consumer (it stays pending until acknowledged)."""
        streams = reply(
            self.client.xreadgroup(
                self.keys.group, consumer, {self.keys.jobs: ">"}, count=1, block=block_ms
            )
        )
        for _stream, entries in streams or []:
            for entry_id, fields in entries:
                return self._parse(entry_id, fields)
        return None

    def reclaim(self, consumer: str, min_idle_ms: int) -> Job | None:
        """A job another consumer took and left idle that long (its worker died), now ours."""
        claimed = reply(
            self.client.xautoclaim(
                self.keys.jobs, self.keys.group, consumer, min_idle_ms, "0-0", count=1
            )
        )
        for entry_id, fields in claimed[1]:
            if fields:  # an entry deleted from the stream comes back empty
                return self._parse(entry_id, fields)
        return None

    def complete(self, job: Job, lock_key: str, lock_value: str) -> bool:
        """ACK the job if `lock_value` still holds the incident's lock; False: fenced off."""
        keys = [lock_key, self.keys.jobs, self.keys.busy]
        args = [lock_value, self.keys.group, _entry_id(job), _flag(job.busy), job.incident]
        return bool(self._complete(keys=keys, args=args))

    def defer(self, job: Job, delay: float) -> None:
        """ACK now and enqueue the same job again in `delay` seconds, atomically."""
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.keys.jobs, self.keys.group, _entry_id(job))
        pipe.zadd(self.keys.delayed, {_member(job): time.time() + delay})
        pipe.execute()

    def hand_back(self, job: Job, consumer: str, min_idle_ms: int) -> None:
        """Leave the job unacknowledged but idle enough for any worker to reclaim at once
        (JUSTID: a hand-back is not a failed delivery, so it does not count as one)."""
        self.client.xclaim(
            self.keys.jobs,
            self.keys.group,
            consumer,
            0,
            [_entry_id(job)],
            idle=min_idle_ms + 1,
            justid=True,
        )

    def touch(self, job: Job, consumer: str) -> None:
        """Reset the idle time of a job still being worked on, so nobody reclaims it while
        its worker is alive (JUSTID: the delivery count stays as it is)."""
        self.client.xclaim(
            self.keys.jobs, self.keys.group, consumer, 0, [_entry_id(job)], justid=True
        )

    def discard(self, job: Job, reason: str) -> None:
        """ACK a job that cannot succeed and keep it, with the reason, on the dead stream."""
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.keys.jobs, self.keys.group, _entry_id(job))
        if job.busy:
            pipe.hincrby(self.keys.busy, job.incident, -1)
        dead: dict[Any, Any] = {**job.fields(), "reason": reason[:500]}
        pipe.xadd(self.keys.dead, dead, maxlen=10_000)
        pipe.execute()

    def trim(self) -> int:
        """Drop the entries every worker is done with, so the stream does not grow forever:
        those before the oldest unacknowledged one and before the group's last delivered
        (nothing not yet read, nothing a worker may still reclaim). Entries removed."""
        groups = reply(self.client.xinfo_groups(self.keys.jobs))
        group = next((g for g in groups if text(g["name"]) == self.keys.group), None)
        if group is None:
            return 0
        floor = text(group["last-delivered-id"])
        pending = reply(self.client.xpending(self.keys.jobs, self.keys.group))
        if pending["pending"]:
            floor = min(floor, text(pending["min"]), key=_stream_order)
        return int(reply(self.client.xtrim(self.keys.jobs, minid=floor, approximate=False)))

    def pending_count(self) -> int:
        """Jobs read by some worker and not yet acknowledged."""
        return int(reply(self.client.xpending(self.keys.jobs, self.keys.group))["pending"])

    def waiting_count(self) -> int:
        """Jobs not yet delivered to any worker, plus those scheduled for later."""
        groups = reply(self.client.xinfo_groups(self.keys.jobs))
        lag = next((g.get("lag") or 0 for g in groups if text(g["name"]) == self.keys.group), 0)
        return int(lag) + int(reply(self.client.zcard(self.keys.delayed)))

    def deliveries(self, job: Job) -> int:
        """How many times the job was handed to a worker (1 on its first delivery)."""
        entry = _entry_id(job)
        rows = reply(self.client.xpending_range(self.keys.jobs, self.keys.group, entry, entry, 1))
        return int(rows[0]["times_delivered"]) if rows else 0

    def _parse(self, entry_id: Any, fields: dict[Any, Any]) -> Job | None:
        decoded = {text(k): text(v) for k, v in fields.items()}
        try:
            return Job.from_entry(text(entry_id), decoded)
        except ValueError as exc:
            pipe = self.client.pipeline(transaction=True)
            pipe.xack(self.keys.jobs, self.keys.group, entry_id)
            dead: dict[Any, Any] = {**decoded, "reason": str(exc)[:500]}
            pipe.xadd(self.keys.dead, dead, maxlen=10_000)
            pipe.execute()
            return None


def _member(job: Job) -> str:
    return json.dumps(job.fields(), sort_keys=True)


def _entry_id(job: Job) -> str:
    if job.id is None:
        raise ValueError(f"job {job.label} was never read from the stream")
    return job.id


def _stream_order(entry_id: str) -> tuple[int, int]:
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


def _flag(value: bool) -> str:
    return "1" if value else "0"
