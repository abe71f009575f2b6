"""Starts the sandbox server, Prometheus, Alertmanager and ADSH on loopback for a test."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BINARIES = ("prometheus", "prometheus-alertmanager")
TOKEN = "e2e-alertmanager-token"


def missing_binaries() -> list[str]:
    return [name for name in BINARIES if shutil.which(name) is None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """URLs of the running processes and an authenticated client for ADSH."""

    sandbox: str
    prometheus: str
    alertmanager: str
    adsh: str
    logs: Path
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def adsh_get(self, path: str) -> Any:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        response = self.http.get(self.adsh + path, headers=headers)
        response.raise_for_status()
        return response.json()

    def tail(self) -> str:
        """The end of every process's log, for a failure message."""
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            parts.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(parts)


def wait_for(
    what: str, check: Callable[[], Any], timeout: float, stack: Stack | None = None
) -> Any:
    """Poll check() until it returns something truthy; fail naming `what` after timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (httpx.HTTPError, KeyError, IndexError) as exc:
            last = exc
        time.sleep(0.5)
    logs = stack.tail() if stack else ""
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last}\n{logs}")


def _render(tmp: Path, ports: dict[str, int]) -> dict[str, Path]:
    """deploy/ configs with the test's ports, paths and token file."""
    token = tmp / "alertmanager.token"
    token.write_text(TOKEN)
    prom = (DEPLOY / "prometheus.yml").read_text()
    prom = prom.replace("127.0.0.1:9093", f"127.0.0.1:{ports['alertmanager']}")
    prom = prom.replace("127.0.0.1:9100", f"127.0.0.1:{ports['sandbox']}")
    (tmp / "prometheus.yml").write_text(prom)
    shutil.copy(DEPLOY / "rules.yml", tmp / "rules.yml")
    am = (DEPLOY / "alertmanager.yml").read_text()
    am = am.replace("127.0.0.1:8000", f"127.0.0.1:{ports['adsh']}")
    am = am.replace("/etc/adsh/alertmanager.token", str(token))
    (tmp / "alertmanager.yml").write_text(am)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    tokens = {digest: {"name": "alertmanager", "roles": ["operator", "viewer"]}}
    (tmp / "tokens.json").write_text(json.dumps(tokens))
    return {"prometheus": tmp / "prometheus.yml", "alertmanager": tmp / "alertmanager.yml"}


def _commands(tmp: Path, ports: dict[str, int], speed: float) -> dict[str, list[str]]:
    configs = _render(tmp, ports)
    adsh = str(Path(sys.executable).parent / "adsh")
    return {
        "sandbox": [adsh, "sandbox", "serve", "--port", str(ports["sandbox"]),
                    "--speed", str(speed), "--data-dir", str(tmp / "sandbox")],
        "prometheus": ["prometheus", f"--config.file={configs['prometheus']}",
                       f"--storage.tsdb.path={tmp / 'prom-data'}",
                       f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
                       "--rules.alert.resend-delay=1s"],
        "alertmanager": ["prometheus-alertmanager", f"--config.file={configs['alertmanager']}",
                         f"--storage.path={tmp / 'am-data'}",
                         f"--web.listen-address=127.0.0.1:{ports['alertmanager']}",
                         "--cluster.listen-address="],
        "adsh": [adsh, "serve", "--port", str(ports["adsh"])],
    }  # fmt: skip


def _adsh_env(tmp: Path, ports: dict[str, int], extra: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "ADSH_DATA_DIR": str(tmp / "adsh"),
        "ADSH_API_TOKENS_FILE": str(tmp / "tokens.json"),
        "ADSH_PROMETHEUS_URL": f"http://127.0.0.1:{ports['prometheus']}",
        "ADSH_SANDBOX_URL": f"http://127.0.0.1:{ports['sandbox']}",
        "ADSH_RESUME_ON_START": "false",
        **extra,
    }


@contextmanager
def running_stack(tmp: Path, speed: float, adsh_env: dict[str, str]) -> Iterator[Stack]:
    """Every process started, ready and, on exit, terminated (killed if it lingers)."""
    names = ("sandbox", "prometheus", "alertmanager", "adsh")
    ports = {name: free_port() for name in names}
    commands = _commands(tmp, ports, speed)
    logs = tmp / "logs"
    logs.mkdir()
    stack = Stack(*(f"http://127.0.0.1:{ports[n]}" for n in names), logs=logs)
    with ExitStack() as exits:
        exits.callback(stack.http.close)
        for name in names:
            env = _adsh_env(tmp, ports, adsh_env) if name == "adsh" else None
            exits.enter_context(_process(commands[name], logs / f"{name}.log", env))
        _wait_ready(stack)
        yield stack


@contextmanager
def _process(command: list[str], log: Path, env: dict[str, str] | None) -> Iterator[None]:
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _wait_ready(stack: Stack) -> None:
    get = stack.http.get
    wait_for("the sandbox server", lambda: get(stack.sandbox + "/healthz").is_success, 30, stack)
    wait_for("Prometheus", lambda: get(stack.prometheus + "/-/ready").is_success, 30, stack)
    wait_for("Alertmanager", lambda: get(stack.alertmanager + "/-/ready").is_success, 30, stack)
    wait_for("ADSH", lambda: get(stack.adsh + "/healthz").is_success, 30, stack)
