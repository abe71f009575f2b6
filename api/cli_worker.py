"""`adsh worker`: advance investigations taken from the Redis work queue, until signalled."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from types import FrameType
from typing import Annotated

import typer

from api.cli_support import errors
from api.fleet.backends import RedisNotConfigured, redis_client
from api.fleet.keys import FleetKeys
from api.fleet.locks import IncidentLocks
from api.fleet.pubsub import RedisEventHub
from api.fleet.queue import WorkQueue
from api.fleet.worker import FleetWorker, WorkerConfig
from api.prometheus_targets import PrometheusTargets
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.process_heap import freeze_startup_heap
from graphs.runner import open_runner

log = logging.getLogger("adsh.fleet")


def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help="Worker threads in this process")
    ] = 1,
) -> None:
    """Take investigation jobs from Redis (ADSH_REDIS_URL) until SIGTERM or Ctrl-C.

    On a signal each thread finishes its current step and hands its job back.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = ApiSettings()
    try:
        redis_client(settings).close()
    except RedisNotConfigured as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    stop = threading.Event()
    _stop_on_signals(stop)
    failed = threading.Event()
    freeze_startup_heap()  # before the threads: each opens its runner and serves for long
    threads = [
        threading.Thread(target=_serve_one, args=(settings, i, stop, failed), name=f"worker-{i}")
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    typer.echo(f"adsh worker: {concurrency} thread(s) on {settings.redis_prefix}:jobs")
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(0.5)  # short joins: the main thread stays free to take signals
    if failed.is_set():
        raise typer.Exit(1)


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing current steps, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _serve_one(
    settings: ApiSettings, index: int, stop: threading.Event, failed: threading.Event
) -> None:
    """One worker thread with its own runner (database connections) and Redis client."""
    consumer = f"{socket.gethostname()}-{os.getpid()}-{index}"
    try:
        client = redis_client(settings)
        keys = FleetKeys(settings.redis_prefix)
        prometheus = PrometheusTargets.configured(settings, settings.verify_seconds)
        targets = SandboxTargets.from_settings(settings, prometheus)
        config = WorkerConfig(reclaim_idle_ms=int(settings.worker_reclaim_idle_seconds * 1000))
        locks = IncidentLocks(client, keys, int(settings.worker_lock_ttl_seconds * 1000))
        hub = RedisEventHub(client, keys.events)
        with open_runner(settings, targets) as runner:
            queue = WorkQueue(client, keys)
            FleetWorker(runner, queue, locks, hub, consumer, stop, config).run()
    except Exception:
        log.exception("worker %s crashed", consumer)
        failed.set()
        stop.set()
