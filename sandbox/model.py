"""The sandbox's physics: per-tick load, latency, errors and resources for every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sandbox import benign, noise
from sandbox.effects import Effects, fault_effects
from sandbox.settings import numeric_series
from sandbox.state import EnvState
from sandbox.topology import Topology, get_topology
from tools.telemetry import Metric

DAY = 86_400
CALL_TIMEOUT_MS = 900.0
HANDSHAKE_FAIL_MS = 20.0
DISK_GROWTH_PER_DAY = 0.03


@dataclass
class ServiceFrame:
    """One service's simulated series plus the internals logs and traces are drawn from."""

    metrics: dict[Metric, np.ndarray] = field(default_factory=dict)
    own_err: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gc_ms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pool_wait_ms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    self_ms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    call_rps: dict[str, np.ndarray] = field(default_factory=dict)
    timeouts: dict[str, np.ndarray] = field(default_factory=dict)
    effects: Effects | None = None


@dataclass
class Frame:
    """Simulated state of all services at a run of tick timestamps."""

    times: np.ndarray
    services: dict[str, ServiceFrame]


@dataclass(frozen=True)
class _Nominal:
    rps: float
    self_ms: float
    down_ms: float


@lru_cache(maxsize=8)
def _nominal(topology_name: str) -> dict[str, _Nominal]:
    """Mean-load operating point, used to normalise load-dependent quantities."""
    topology = get_topology(topology_name)
    rps = {topology.entry: topology.entry_rps}
    for service in topology.callers_first():
        rps.setdefault(service, sum(rps[e.caller] * e.fanout for e in topology.callers(service)))
    p50: dict[str, float] = {}
    result: dict[str, _Nominal] = {}
    for service in reversed(topology.callers_first()):
        down = sum(0.5 * min(e.fanout, 2.0) * p50[e.callee] for e in topology.callees(service))
        own = topology.profiles[service].latency_ms
        p50[service] = own + down
        result[service] = _Nominal(rps[service], own, down)
    return result


DAILY_PHASE = 0.3  # fraction of a day (UTC) at which entry traffic crosses its mean, rising
LOAD_TIMES = {
    "peak": round((DAILY_PHASE + 0.25) * DAY),
    "trough": round((DAILY_PHASE - 0.25) * DAY),
}
"""Seconds into a UTC day at which entry traffic peaks (+30 %) and bottoms out (-30 %)."""


def _daily(times: np.ndarray) -> np.ndarray:
    return 1.0 + 0.3 * np.sin(2.0 * np.pi * ((times % DAY) / DAY - DAILY_PHASE))


def seconds_until(now: int, load: str) -> int:
    """Seconds from `now` to the next daily traffic `load` ("peak" or "trough"; 0 if now)."""
    if load not in LOAD_TIMES:
        raise ValueError(f"load must be one of {', '.join(sorted(LOAD_TIMES))}, got {load!r}")
    return (LOAD_TIMES[load] - now) % DAY


NOISE_STREAMS = ("rps", "cpu", "pool", "p50", "p99", "thr", "mem", "disk", "err")
"""Every per-service noise stream the model draws (drawn together, one row each)."""


def _queueing(cpu: np.ndarray) -> np.ndarray:
    return 1.0 + 0.6 * np.maximum(0.0, cpu - 0.65) / np.maximum(0.03, 1.0 - cpu)


class _Simulation:
    """One evaluation of the model over a run of timestamps."""

    def __init__(self, state: EnvState, topology: Topology, times: np.ndarray) -> None:
        self.state, self.topology, self.times = state, topology, times
        self.ticks = times // 60
        self.effects = fault_effects(state, topology, times)
        self.nominal = _nominal(topology.name)
        self.frames = {s: ServiceFrame(effects=self.effects[s]) for s in topology.services}
        keys = [f"{s}:{what}" for s in topology.services for what in NOISE_STREAMS]
        draws = noise.normals(state.seed, keys, self.ticks) * state.noise_scale
        self.draws = dict(zip(keys, draws, strict=True))

    def noise(self, service: str, what: str) -> np.ndarray:
        return self.draws[f"{service}:{what}"]

    def setting(self, service: str, name: str, initial: float) -> np.ndarray:
        return numeric_series(self.state, service, name, self.times, initial)  # type: ignore[arg-type]

    def run(self) -> Frame:
        for service in self.topology.callers_first():
            self._load(service)
        for service in reversed(self.topology.callers_first()):
            self._service(service)
        return Frame(self.times, self.frames)

    def _load(self, service: str) -> None:
        frame, fx = self.frames[service], self.effects[service]
        if service == self.topology.entry:
            demand = self.topology.entry_rps * _daily(self.times) * fx.surge
            demand = demand * (1.0 + 0.02 * self.noise(service, "rps"))
            limit = self.setting(service, "rate_limit", 0.0)
            arriving = np.where(limit > 0, np.minimum(demand, limit), demand)
        else:
            arriving = sum(
                self.frames[e.caller].call_rps[service] for e in self.topology.callers(service)
            )
        received = arriving * (1.0 - fx.cert_fail)
        frame.metrics[Metric.THROUGHPUT] = received
        for edge in self.topology.callees(service):
            frame.call_rps[edge.callee] = received * (
                edge.fanout + self._miss_extra(service, edge.callee)
            )

    def _miss_extra(self, service: str, callee: str) -> np.ndarray | float:
        """Cache misses turn into datastore calls."""
        if self.topology.kind(callee) != "datastore":
            return 0.0
        caches = [
            e for e in self.topology.callees(service) if self.topology.kind(e.callee) == "cache"
        ]
        return sum((0.8 * e.fanout * self.effects[e.callee].cache_miss for e in caches), 0.0)

    def _service(self, service: str) -> None:
        profile, nominal = self.topology.profiles[service], self.nominal[service]
        frame, fx = self.frames[service], self.effects[service]
        rps = frame.metrics[Metric.THROUGHPUT]
        load = rps / nominal.rps
        replicas = self.setting(service, "replicas", float(profile.replicas))
        cpu = profile.cpu * load * profile.replicas / replicas + fx.cpu_add
        cpu = np.clip(cpu + 0.01 * self.noise(service, "cpu"), 0.01, 0.995)
        base_ms = profile.latency_ms * _queueing(cpu) * fx.lat_mult
        down50, down99 = self._downstream(service, rps)
        hold = down50 / nominal.down_ms if nominal.down_ms else base_ms / nominal.self_ms
        pool_size = self.setting(service, "pool_size", float(profile.pool_size))
        demand = profile.pool * load * np.clip(hold, 0.0, 2.0) ** 0.8 * fx.pool_hold
        demand = demand * profile.pool_size / pool_size
        pool = np.clip(demand + 0.01 * self.noise(service, "pool"), 0.0, 1.0)
        frame.pool_wait_ms = np.maximum(0.0, demand - 0.95) * 400.0
        memory = self._memory(service)
        frame.gc_ms = 1500.0 * np.maximum(0.0, memory - 0.7) / 0.3
        blip = benign.blips(self.state.seed, service, self.ticks)
        frame.self_ms = base_ms + fx.lat_add_p50 + frame.pool_wait_ms
        p50 = (base_ms + fx.lat_add_p50 + frame.pool_wait_ms + down50) * (
            1 + 0.03 * self.noise(service, "p50")
        )
        p99 = base_ms * profile.tail + fx.lat_add_p50 + fx.lat_add_p99 + 2 * frame.pool_wait_ms
        p99 = (p99 + down99 + frame.gc_ms) * (1 + 0.06 * self.noise(service, "p99"))
        disk = self._disk(service)
        frame.own_err = self._own_errors(service, demand, disk, blip)
        frame.timeouts = {c: self._timeouts(c) for c in frame.call_rps}
        frame.metrics.update(
            {
                Metric.LATENCY_P50: np.where(blip, p50 * 1.6, p50),
                Metric.LATENCY_P99: np.where(blip, p99 * 2.5, p99),
                Metric.ERROR_RATE: self._errors(service, rps),
                Metric.THROUGHPUT: rps * (1.0 + 0.02 * self.noise(service, "thr")),
                Metric.CPU: cpu,
                Metric.MEMORY: memory,
                Metric.POOL: pool,
                Metric.DISK: disk,
            }
        )

    def _downstream(self, service: str, rps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        frame = self.frames[service]
        down50, down99 = np.zeros(len(self.times)), np.zeros(len(self.times))
        for callee, calls in frame.call_rps.items():
            share = 0.5 * np.minimum(calls / np.maximum(rps, 1e-9), 2.0)
            failed = self.effects[callee].cert_fail
            metrics = self.frames[callee].metrics
            down50 += share * (
                metrics[Metric.LATENCY_P50] * (1 - failed) + failed * HANDSHAKE_FAIL_MS
            )
            down99 += share * np.minimum(metrics[Metric.LATENCY_P99], CALL_TIMEOUT_MS)
        return down50, down99

    def _memory(self, service: str) -> np.ndarray:
        fx, base = self.effects[service], self.topology.profiles[service].memory
        memory = base + fx.mem_add + 0.004 * self.noise(service, "mem")
        return np.clip(np.where(fx.oom, base * 0.6, memory), 0.0, 1.0)

    def _disk(self, service: str) -> np.ndarray:
        growth = DISK_GROWTH_PER_DAY * (self.times - self.state.origin) / DAY
        freed = self.setting(service, "disk_freed", 0.0)
        disk = self.topology.profiles[service].disk + growth + self.effects[service].disk_fill
        return np.clip(disk - freed + 0.002 * self.noise(service, "disk"), 0.05, 1.0)

    def _own_errors(
        self, service: str, pool_demand: np.ndarray, disk: np.ndarray, blip: np.ndarray
    ) -> np.ndarray:
        fx = self.effects[service]
        base = 0.002 * (1.0 + 0.5 * np.abs(self.noise(service, "err")))
        pool_err = np.clip((pool_demand - 1.0) * 0.4, 0.0, 0.4)
        disk_err = np.where(disk >= 0.985, 0.35, 0.0)
        return base + fx.err_add + pool_err + disk_err + 0.3 * fx.oom + 0.03 * blip

    def _timeouts(self, callee: str) -> np.ndarray:
        p99 = self.frames[callee].metrics[Metric.LATENCY_P99]
        return np.clip((p99 - CALL_TIMEOUT_MS) / 2000.0, 0.0, 0.5)

    def _errors(self, service: str, rps: np.ndarray) -> np.ndarray:
        frame = self.frames[service]
        errors = frame.own_err.copy()
        for callee, calls in frame.call_rps.items():
            share = 0.5 * np.minimum(calls / np.maximum(rps, 1e-9), 1.0)
            failed = self.effects[callee].cert_fail
            callee_err = self.frames[callee].metrics[Metric.ERROR_RATE] * (1 - failed)
            errors += share * (callee_err + frame.timeouts[callee] + failed)
        return np.clip(errors, 0.0, 1.0)


def simulate(state: EnvState, topology: Topology, times: np.ndarray) -> Frame:
    """Simulate every service at the given (tick-aligned) timestamps."""
    return _Simulation(state, topology, np.asarray(times, dtype=np.int64)).run()
