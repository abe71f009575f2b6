"""Eval cases as data: suites in YAML expand into seeded scenario cases with expectations."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sandbox.scenarios import SCENARIOS

SUITES_DIR = Path(__file__).with_name("suites")

ACCEPTABLE: dict[str, tuple[str, ...]] = {
    "bad_deploy": ("rollback_deploy",),
    "memory_leak": ("restart_service",),
    "cpu_saturation": ("scale_out",),
    "db_pool_exhaustion": ("set_pool_size",),
    "disk_full": ("rotate_logs",),
    "cache_failure": ("flush_cache",),
    "network_delay": ("restart_service", "failover_database"),
    "certificate_expiry": ("renew_certificate",),
    "config_error": ("revert_config",),
    "traffic_surge": ("rate_limit",),
}
"""Remediations that count as right for each fault type (anything else is unnecessary)."""

NOT_HEALABLE = {"disk-full-database"}  # blocked by a hard constraint by design


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FaultRef(_Model):
    type: str
    service: str


Load = Literal["steady", "peak", "trough"]
"""When the fault starts: as the sandbox stands (steady), or at the daily traffic peak/trough."""


class EvalCase(_Model):
    """One seeded run of the loop against the sandbox, with what should happen."""

    id: str
    suite: str
    seed: int
    topology: str = "default"
    faults: tuple[FaultRef, ...] = Field(min_length=1)
    red_herring_deploy: str | None = None
    noise: float = 1.0
    load: Load = Field(default="steady", description="Inject at the daily traffic peak/trough")
    catalog_without: tuple[str, ...] = Field(
        default=(), description="Fault types whose runbooks are removed (unknown patterns)"
    )
    expect_outcome: Literal["COMPLETED", "ESCALATED"] = "COMPLETED"


class CaseTemplate(_Model):
    """A YAML entry: explicit faults, or `scenarios: all`, times seeds and topologies."""

    id: str | None = None
    scenarios: Literal["all"] | list[str] | None = None
    faults: tuple[FaultRef, ...] = ()
    seeds: str | list[int] = "1"
    topologies: tuple[str, ...] = ("default",)
    red_herring_deploy: str | None = None
    noise: float = 1.0
    load: Load = "steady"
    remove_runbook: bool = Field(default=False, description="Drop the fault's runbooks")
    expect_outcome: Literal["COMPLETED", "ESCALATED"] = "COMPLETED"

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: str | list[int]) -> str | list[int]:
        parse_seeds(value)
        return value


class Suite(_Model):
    name: str
    description: str
    cases: tuple[CaseTemplate, ...]


class SuiteError(ValueError):
    """A suite that does not exist or does not parse; the message names the problem."""


def parse_seeds(value: str | list[int]) -> list[int]:
    """'1-10' -> [1..10]; '3' -> [3]; a list stays a list."""
    if isinstance(value, list):
        return value
    low, _, high = value.partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        raise ValueError(f"seeds must look like '1-10' or '3', got {value!r}") from None
    if last < first:
        raise ValueError(f"seeds range {value!r} is empty")
    return list(range(first, last + 1))


def available_suites() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.yaml"))


def load_suite(name: str, seeds: int | None = None) -> tuple[Suite, list[EvalCase]]:
    """The suite and its expanded cases; `seeds` caps the seeds per template."""
    path = SUITES_DIR / f"{name}.yaml"
    if not path.exists():
        raise SuiteError(f"unknown suite {name!r}; available: {', '.join(available_suites())}")
    try:
        suite = Suite.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise SuiteError(f"invalid suite file {path}: {exc}") from exc
    return suite, [case for t in suite.cases for case in _expand(suite.name, t, seeds)]


def _expand(suite: str, template: CaseTemplate, cap: int | None) -> list[EvalCase]:
    seeds = parse_seeds(template.seeds)[: cap or None]
    return [
        EvalCase(
            id=f"{name}/{topology}/s{seed}",
            suite=suite,
            seed=seed,
            topology=topology,
            faults=faults,
            red_herring_deploy=template.red_herring_deploy,
            noise=template.noise,
            load=template.load,
            expect_outcome=template.expect_outcome,
            catalog_without=tuple(f.type for f in faults) if template.remove_runbook else (),
        )
        for name, faults in _fault_sets(template)
        for topology in template.topologies
        for seed in seeds
    ]


def _fault_sets(template: CaseTemplate) -> list[tuple[str, tuple[FaultRef, ...]]]:
    if template.scenarios is None:
        if not template.faults:
            raise SuiteError(f"case {template.id!r} needs faults or scenarios")
        return [(template.id or "case", template.faults)]
    names = [n for n in SCENARIOS if n not in NOT_HEALABLE]
    if template.scenarios != "all":
        unknown = sorted(set(template.scenarios) - set(SCENARIOS))
        if unknown:
            raise SuiteError(f"unknown scenarios {unknown}; available: {', '.join(SCENARIOS)}")
        names = list(template.scenarios)
    return [
        (name, (FaultRef(type=SCENARIOS[name].fault_type, service=SCENARIOS[name].service),))
        for name in names
    ]
