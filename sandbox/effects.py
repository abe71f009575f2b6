"""What active faults do to each service, tick by tick, as arrays the model consumes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sandbox.state import TICK_SECONDS, EnvState, InjectedFault
from sandbox.topology import Topology

LEAK_PER_TICK = 0.035
OOM_LEVEL = 0.97
DISK_FILL_PER_TICK = 0.12
SURGE_FACTOR = 2.5
DAY = 86_400
SLOW_RATE = "rate_per_day"
"""Fault detail that makes a fault a slow burn: a steady ramp of this much per day."""
SLOW_FAULTS = ("disk_full", "memory_leak", "cpu_saturation")


@dataclass
class Effects:
    """Per-tick perturbations of one service; neutral values mean no fault."""

    size: int
    err_add: np.ndarray = field(init=False)
    lat_mult: np.ndarray = field(init=False)
    lat_add_p50: np.ndarray = field(init=False)
    lat_add_p99: np.ndarray = field(init=False)
    cpu_add: np.ndarray = field(init=False)
    mem_add: np.ndarray = field(init=False)
    pool_hold: np.ndarray = field(init=False)
    disk_fill: np.ndarray = field(init=False)
    cert_fail: np.ndarray = field(init=False)
    cache_miss: np.ndarray = field(init=False)
    surge: np.ndarray = field(init=False)
    oom: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        zeros, ones = np.zeros(self.size), np.ones(self.size)
        for name in ("err_add", "lat_add_p50", "lat_add_p99", "cpu_add", "mem_add"):
            setattr(self, name, zeros.copy())
        for name in ("disk_fill", "cert_fail", "cache_miss"):
            setattr(self, name, zeros.copy())
        for name in ("lat_mult", "pool_hold", "surge"):
            setattr(self, name, ones.copy())
        self.oom = np.zeros(self.size, dtype=bool)


def _leak(fx: Effects, on: np.ndarray, age: np.ndarray, base_memory: float) -> None:
    cycle = math.ceil((OOM_LEVEL - base_memory) / LEAK_PER_TICK)
    phase = age % cycle
    fx.mem_add += np.where(on, LEAK_PER_TICK * phase, 0.0)
    fx.oom |= on & (age > 0) & (phase == 0)


def _slow_burn(
    fx: Effects, fault: InjectedFault, on: np.ndarray, ramp: np.ndarray, mem: float
) -> None:
    """A steady ramp (`ramp` = rate * days since start) that hurts only at its threshold."""
    kind = fault.fault_type
    if kind == "disk_full":
        fx.disk_fill += ramp
    elif kind == "memory_leak":
        fx.mem_add += ramp
        fx.oom |= on & (mem + ramp >= OOM_LEVEL)
    elif kind == "cpu_saturation":
        fx.cpu_add += ramp


def _apply(fx: Effects, fault: InjectedFault, on: np.ndarray, age: np.ndarray, mem: float) -> None:
    kind = fault.fault_type
    if SLOW_RATE in fault.detail:
        rate = float(fault.detail[SLOW_RATE])
        _slow_burn(fx, fault, on, np.where(on, rate * age * TICK_SECONDS / DAY, 0.0), mem)
    elif kind == "bad_deploy":
        fx.err_add += np.where(on, 0.25, 0.0)
        fx.lat_mult *= np.where(on, 1.15, 1.0)
        fx.lat_add_p99 += np.where(on, 60.0, 0.0)
    elif kind == "config_error":
        fx.err_add += np.where(on, 0.12, 0.0)
        fx.lat_mult *= np.where(on, 1.8, 1.0)
    elif kind == "memory_leak":
        _leak(fx, on, age, mem)
    elif kind == "cpu_saturation":
        fx.cpu_add += np.where(on, 0.75, 0.0)
    elif kind == "db_pool_exhaustion":
        fx.pool_hold *= np.where(on, 5.0, 1.0)
    elif kind == "disk_full":
        fx.disk_fill += np.where(on, DISK_FILL_PER_TICK * (age + 1), 0.0)
    elif kind == "cache_failure":
        fx.err_add += np.where(on, 0.35, 0.0)
        fx.lat_mult *= np.where(on, 3.0, 1.0)
        fx.cache_miss = np.maximum(fx.cache_miss, np.where(on, 1.0, 0.0))
    elif kind == "network_delay":
        fx.lat_add_p50 += np.where(on, 400.0, 0.0)
        fx.lat_add_p99 += np.where(on, 900.0, 0.0)
    elif kind == "certificate_expiry":
        fx.cert_fail = np.maximum(fx.cert_fail, np.where(on, 0.95, 0.0))
    elif kind == "traffic_surge":
        fx.surge *= np.where(on, SURGE_FACTOR, 1.0)


def fault_effects(state: EnvState, topology: Topology, times: np.ndarray) -> dict[str, Effects]:
    """Effects of every injected fault on every service at the given timestamps."""
    effects = {service: Effects(len(times)) for service in topology.services}
    for fault in state.faults:
        end = fault.end if fault.end is not None else np.iinfo(np.int64).max
        on = (times >= fault.start) & (times < end)
        age = np.maximum(times - fault.start, 0) // TICK_SECONDS
        memory = topology.profiles[fault.service].memory
        _apply(effects[fault.service], fault, on, age, memory)
    return effects
