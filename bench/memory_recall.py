"""Benchmark: incident-memory recall latency (p50/p95) at 1k and 10k incidents, embedding rate.

Usage: .venv/bin/python bench/memory_recall.py [--sizes 1000,10000] [--queries 100] [--json]
Stores synthetic incident summaries (the loop's format: symptoms, evidence, root cause,
actions, outcome) in a fresh embedded Chroma with the bundled MiniLM, in batches, then
times `IncidentMemory.search` (k=5) for paraphrased symptom queries at each size.
Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memory.embeddings import local_embedding_function
from memory.incident_memory import IncidentMemory, MemoryConfig
from memory.models import IncidentRecord

SERVICES = ("frontend", "checkout", "payment", "catalog", "inventory", "orders-db", "cache",
            "queue", "auth", "search", "shipping", "email")  # fmt: skip
FAULTS = {
    "memory_leak": ("memory_util rose", "restart_service"),
    "cpu_saturation": ("cpu_util rose", "scale_out"),
    "db_pool_exhaustion": ("db_pool_wait_ms rose", "set_pool_size"),
    "disk_full": ("disk_util rose", "rotate_logs"),
    "bad_deploy": ("error_rate rose", "rollback_deploy"),
    "config_error": ("error_rate rose", "revert_config"),
    "network_delay": ("latency_p99_ms rose", "restart_service"),
    "cache_failure": ("cache_hit_ratio fell", "flush_cache"),
}
OUTCOMES = ("COMPLETED", "COMPLETED", "COMPLETED", "ESCALATED", "RESOLVED", "FAILED")
QUERIES = ("connection pool exhausted, requests waiting for a db connection",
           "memory keeps growing until the pods restart", "errors right after a deploy",
           "p99 latency up between checkout and payment", "disk almost full on the queue",
           "cache misses everywhere, database overloaded", "cpu pinned at 100 percent")  # fmt: skip
BATCH = 256


def synthetic(i: int, rng: random.Random) -> IncidentRecord:
    """One realistic incident record in the loop's summary format."""
    fault = rng.choice(sorted(FAULTS))
    symptom, action = FAULTS[fault]
    service, caller = rng.sample(SERVICES, 2)
    outcome = rng.choice(OUTCOMES)
    extra = rng.choice(("latency_p50_ms rose", "throughput fell", "error_rate rose"))
    summary = "\n".join(
        [
            f"Symptoms: {service} {symptom}; {caller} {extra}; {service} latency_p99_ms rose",
            f"Evidence: {symptom.split()[0]} rose from {rng.uniform(0.1, 40):.3g} to "
            f"{rng.uniform(50, 900):.3g} since {rng.randrange(24):02d}:{rng.randrange(60):02d}; "
            f"callers' failing calls name it: {caller}",
            f"Root cause: {fault} at {service} ({_how(outcome)})",
            f"Actions: {action}({service})",
            f"Outcome: {outcome}; time to recover {rng.randrange(300, 3600)} s",
        ]
    )
    return IncidentRecord(
        id=f"inc-{i:06d}", title=f"{outcome}: {fault} at {service}", summary=summary,
        service=service, fault_type=fault, outcome=outcome, confirmed=outcome != "FAILED",
        runbook_id=f"rb-{fault}", started_at=1_700_000_000 + i * 600,
        ended_at=1_700_000_000 + i * 600 + 1200, source="import",
    )  # fmt: skip


def _how(outcome: str) -> str:
    return "suspected" if outcome == "FAILED" else "confirmed"


def fill(memory: IncidentMemory, start: int, stop: int, rng: random.Random) -> float:
    """Store records start..stop in batches; seconds taken."""
    began = time.perf_counter()
    for low in range(start, stop, BATCH):
        memory.add([synthetic(i, rng) for i in range(low, min(stop, low + BATCH))])
    return time.perf_counter() - began


def recall_latency(memory: IncidentMemory, queries: int) -> dict[str, float]:
    """p50/p95 milliseconds of search(k=5) over `queries` calls."""
    times = []
    for i in range(queries):
        began = time.perf_counter()
        memory.search(QUERIES[i % len(QUERIES)] + f" ({i})", 5)
        times.append((time.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(times, n=20)
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(cuts[18], 2)}


def embedding_rate(texts: int) -> float:
    """Texts embedded per second by the bundled MiniLM (batches of BATCH)."""
    rng = random.Random(7)
    docs = [synthetic(i, rng).summary for i in range(texts)]
    function = local_embedding_function()
    function(docs[:8])  # warm-up
    began = time.perf_counter()
    for low in range(0, texts, BATCH):
        function(docs[low : low + BATCH])
    return round(texts / (time.perf_counter() - began), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rate = embedding_rate(1000)
    rng = random.Random(1)
    results: dict[str, object] = {"embedding_texts_per_s": rate, "sizes": []}
    with tempfile.TemporaryDirectory() as tmp:
        memory = IncidentMemory(MemoryConfig(directory=Path(tmp) / "memory"))
        stored = 0
        for size in sizes:
            seconds = fill(memory, stored, size, rng)
            latency = recall_latency(memory, args.queries)
            row = {"incidents": size, "added": size - stored, "fill_s": round(seconds, 1)}
            results["sizes"].append({**row, **latency})  # type: ignore[attr-defined]
            stored = size
            if not args.json:
                print(f"{size:>6} incidents: added {row['added']} in {seconds:.1f} s; "
                      f"recall p50 {latency['p50_ms']} ms, p95 {latency['p95_ms']} ms")  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"embedding throughput: {rate} texts/s (batches of {BATCH})")


if __name__ == "__main__":
    main()
