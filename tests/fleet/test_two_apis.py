"""Two API processes on one database and Redis: an approval posted to one resumes an
investigation whose live events a console streams from the other."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth import hash_token
from api.settings import ApiSettings
from api.targets import SandboxTargets
from tests.api.support import ACCOUNTS, auth, token_of
from tests.api.test_alerts import URL, alert, payload
from tests.fleet.support import ADSH, fleet_env, spawn_worker, stop, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tokens_json() -> str:
    return json.dumps(
        {
            hash_token(token_of(name)): {"name": name, "roles": [r.value for r in roles]}
            for name, roles in ACCOUNTS.items()
        }
    )


@pytest.fixture
def two_apis(fleet_settings: ApiSettings, pg_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A worker and two `adsh serve` processes (uvicorn) on free ports; their base URLs."""
    env = fleet_env(fleet_settings, ADSH_DATABASE_URL=pg_url, ADSH_API_TOKENS=tokens_json())
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        # The first start migrates the fresh database, then the others (docs/operations.md).
        for name in ("a", "b"):
            url, process = serve(env, tmp_path / f"api-{name}.log")
            processes.append(process)
            urls.append(url)
            wait_for(lambda: ready(url), 60, f"{url}/readyz", every=0.2)  # noqa: B023
        processes.append(spawn_worker(env, tmp_path / "worker.log"))
        yield urls[0], urls[1]
    finally:
        for process in processes:
            stop(process)


def serve(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """`adsh serve` (uvicorn) on a free port in a subprocess."""
    port = free_port()
    command = [ADSH, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    return f"http://127.0.0.1:{port}", process


def ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def read_until_final(url: str, found: list[dict[str, Any]], subscribed: threading.Event) -> None:
    """SSE from `url` until some incident reports status COMPLETED."""
    with (
        httpx.Client(timeout=120) as http,
        http.stream("GET", url + "/v1/events", headers=auth("vera")) as response,
    ):
        event: dict[str, Any] = {}
        for line in response.iter_lines():
            subscribed.set()
            if line.startswith("event: "):
                event = {"type": line[7:]}
            elif line.startswith("data: "):
                event["data"] = json.loads(line[6:])
                found.append(event)
                if event["type"] == "status" and event["data"]["status"] == "COMPLETED":
                    return


def test_an_approval_on_one_api_resumes_what_the_other_streams(
    two_apis: tuple[str, str],
) -> None:
    api_a, api_b = two_apis
    found: list[dict[str, Any]] = []
    subscribed = threading.Event()
    reader = threading.Thread(target=read_until_final, args=(api_b, found, subscribed),
                              daemon=True)  # fmt: skip
    reader.start()
    assert subscribed.wait(30), "no SSE stream from API b"
    with httpx.Client(base_url=api_a, timeout=30) as http:
        accepted = http.post(
            "/v1/investigations",
            json={"kind": "scenario", "scenario": "certificate-expiry-auth"},
            headers=auth("olga"),
        )
        assert accepted.status_code == 202, accepted.text
        incident = accepted.json()["id"]

        def waiting() -> bool:
            body = http.get(f"/v1/investigations/{incident}", headers=auth("vera")).json()
            return body["status"] == "AWAITING_APPROVAL" and not body["busy"]

        wait_for(waiting, 60, "the investigation to wait for approval", every=0.2)
        approval = http.post(f"/v1/investigations/{incident}/approvals",
                             json={"decision": "approve"}, headers=auth("ana"))  # fmt: skip
        assert approval.status_code == 202, approval.text
    reader.join(60)
    assert not reader.is_alive(), f"API b streamed no COMPLETED; got {found}"
    mine = [e for e in found if e["data"].get("incident") == incident]
    types = [e["type"] for e in mine]
    assert types[0] == "accepted" and "approval_requested" in types
    after_request = types[types.index("approval_requested") :]
    assert "timeline" in after_request  # the resumed run's lines, published by the worker
    body = httpx.get(f"{api_b}/v1/investigations/{incident}", headers=auth("vera")).json()
    assert body["status"] == "COMPLETED"
    assert [a["approver"] for a in body["approvals"]] == ["ana"]


def post_together(urls: tuple[str, str], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The same webhook body posted to every URL at the same moment; all their results."""
    together, results = threading.Barrier(len(urls)), []

    def post(url: str) -> None:
        together.wait()
        response = httpx.post(f"{url}{URL}", json=body, headers=auth("olga"), timeout=60)
        assert response.status_code == 202, response.text
        results.extend(response.json()["results"])

    threads = [threading.Thread(target=post, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results


def test_one_alert_reaching_both_apis_at_once_opens_one_investigation(
    two_apis: tuple[str, str], fleet_settings: ApiSettings
) -> None:
    """An Alertmanager pair (or a retry) delivers one notification to two API processes."""
    SandboxTargets(fleet_settings.sandbox_dir).prepare(
        fleet_settings.alert_sandbox_env, "certificate-expiry-auth", 1
    )
    for round_ in range(4):
        results = post_together(two_apis, payload(alert(f"fp-{round_}", service=f"s{round_}")))
        assert sorted(r["action"] for r in results) == ["attached", "opened"], results
        assert len({r["incident"] for r in results}) == 1
