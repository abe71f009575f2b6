"""Prompt context built from an incident, redacted at the boundary before any model sees it."""

from __future__ import annotations

import json
from typing import Any

from agents.llm.action_params import describe_catalog
from agents.models import Diagnosis
from memory.redaction import redact, redact_value
from tools.telemetry import ServiceGraph

MAX_EVIDENCE = 5
MAX_HYPOTHESES = 3


def plan_context(incident_id: str, diagnosis: Diagnosis, topology: ServiceGraph) -> dict[str, str]:
    """The values of the plan prompt: services, catalog, anomalies, hypotheses, recalled."""
    return {
        "incident_id": incident_id,
        "services": ", ".join(sorted(topology.services)),
        "catalog": describe_catalog(),
        "anomalies": _lines(
            f"{a.service} {a.metric}: observed {a.observed:g} vs baseline {a.baseline:g}"
            f" (z {a.score:+.1f})"
            for a in diagnosis.anomalies
        ),
        "hypotheses": _hypotheses(diagnosis),
        "recalled": _recalled(diagnosis),
    }


def redacted_json(data: Any) -> str:
    """JSON of data with every secret-looking string masked."""
    return redact(json.dumps(redact_value(data), sort_keys=True, default=str))


def _hypotheses(diagnosis: Diagnosis) -> str:
    blocks = []
    for h in diagnosis.root_causes[:MAX_HYPOTHESES]:
        evidence = [e for e in h.evidence if e.kind != "memory"][:MAX_EVIDENCE]
        lines = [f"- {h.fault_type} at {h.service} (confidence {h.score:.2f})"]
        lines += [f"  - [{e.kind}] {e.summary}" for e in evidence]
        blocks.append("\n".join(lines))
    return redact("\n".join(blocks)) if blocks else "none"


def _recalled(diagnosis: Diagnosis) -> str:
    seen = []
    for h in diagnosis.root_causes:
        seen += [e.summary for e in h.evidence if e.kind == "memory" and e.summary not in seen]
    return _lines(seen)


def _lines(items: Any) -> str:
    text = "\n".join(f"- {item}" for item in items)
    return redact(text) if text else "none"
