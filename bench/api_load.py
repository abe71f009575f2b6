"""Loopback load on the API: throughput and p95 latency of GET and POST, then it stops."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from api.app import create_app
from api.auth import Principal, Role, TokenStore, hash_token
from api.settings import ApiSettings
from tests.api.support import serving

TOKEN = "bench-token"


def tokens() -> TokenStore:
    store = TokenStore()
    roles = frozenset({Role.OPERATOR, Role.VIEWER})
    store.add(hash_token(TOKEN), Principal("bench", roles))
    return store


def hammer(
    call: Callable[[httpx.Client], int], clients: int, seconds: float, total: int = 10**9
) -> dict[str, float]:
    """`clients` threads call as fast as they can for `seconds` or `total` calls."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    budget = iter(range(total))

    def loop(base: httpx.Client) -> None:
        mine: list[float] = []
        while time.perf_counter() < stop and next(budget, None) is not None:
            began = time.perf_counter()
            status = call(base)
            mine.append(time.perf_counter() - began)
            if status >= 400:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=loop, args=(CLIENT,)) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
    }


CLIENT: httpx.Client


def main() -> None:
    global CLIENT  # noqa: PLW0603 (one shared connection pool for the threads)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each phase")
    parser.add_argument("--posts", type=int, default=60, help="investigations to trigger")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(ApiSettings(data_dir=Path(tmp) / "adsh"), tokens())
        with serving(app) as live:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            limits = httpx.Limits(max_connections=args.clients * 2)
            CLIENT = httpx.Client(base_url=live.url, headers=headers, limits=limits, timeout=30)
            results = run_phases(args.clients, args.seconds, args.posts)
            began = time.perf_counter()
            drained = app.state.adsh.service.worker.wait_idle(900)
            results["worker"] = {
                "backlog_drained": drained,
                "runs_per_second": round(args.posts / (time.perf_counter() - began), 2),
            }
            CLIENT.close()
    print(json.dumps(results, indent=2))


def run_phases(clients: int, seconds: float, posts: int) -> dict[str, object]:
    body = {"kind": "scenario", "scenario": "memory-leak-catalog", "seed": 1}
    ask = {"text": "why catalog?"}
    first = CLIENT.post("/v1/investigations", json=body).json()["id"]
    app_worker_wait(first)
    return {
        "clients": clients,
        "seconds_per_phase": seconds,
        "GET /v1/investigations/{id}": hammer(
            lambda c: c.get(f"/v1/investigations/{first}").status_code, clients, seconds
        ),
        "GET /v1/investigations": hammer(
            lambda c: c.get("/v1/investigations?limit=20").status_code, clients, seconds
        ),
        "POST /v1/investigations/{id}/messages": hammer(
            lambda c: c.post(f"/v1/investigations/{first}/messages", json=ask).status_code,
            clients,
            seconds,
        ),
        "POST /v1/investigations": hammer(
            lambda c: c.post("/v1/investigations", json=body).status_code, clients, 600, posts
        ),
    }


def app_worker_wait(incident_id: str) -> None:
    while CLIENT.get(f"/v1/investigations/{incident_id}").json()["busy"]:
        time.sleep(0.05)


if __name__ == "__main__":
    main()
