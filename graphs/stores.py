"""The durable stores beside the checkpoints, the backend they live in, and the notifiers."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphs.effects import EffectStore
from graphs.settings import Settings
from memory.action_log import ActionLog
from memory.audit import AuditTrail, adopt_own_file
from memory.database import Database
from memory.feedback import LEGACY_FILE_NAME, FeedbackStore
from memory.incident_ids import IncidentIds
from memory.pg_migrations import migrate
from memory.pg_store import PgDatabase, open_pool, ping
from tools.notify import FanoutNotifier, LogNotifier, Notifier, WebhookNotifier


def default_notifier(settings: Settings) -> Notifier:
    notifiers: list[Notifier] = [LogNotifier(settings.notifications_path)]
    if settings.notify_webhook_url:
        notifiers.append(WebhookNotifier(settings.notify_webhook_url))
    return FanoutNotifier(notifiers)


class LoopAuditTrail(AuditTrail):
    """The loop's audit trail, in the checkpoints' SQLite file.

    A node appends its entry just before LangGraph checkpoints the node's end, and that
    commit fsyncs the same WAL file, so an append needs no fsync of its own (as for
    recorded effects): an OS crash loses an entry only with the checkpoint that follows
    it, and the node that runs again appends it again (appends are idempotent per key).
    """

    SYNCHRONOUS = "NORMAL"


def open_audit_trail(settings: Settings, trail: type[AuditTrail] = AuditTrail) -> AuditTrail:
    """The data dir's audit trail, taking over a chain from its own file of earlier versions.

    Writers outside the loop (feedback) keep the default: every append fsynced.
    """
    opened = trail(settings.audit_path)
    try:
        adopt_own_file(opened, settings.own_audit_path)
    except BaseException:
        opened.close()
        raise
    return opened


class OwnTrail:
    """The data dir's fsynced audit trail for writers outside the loop, opened when first
    asked for (the loop's own trail relies on the checkpoint that follows each append)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.opened: AuditTrail | None = None
        self._lock = threading.Lock()

    def __call__(self) -> AuditTrail:
        with self._lock:  # two verdicts at once open one trail
            if self.opened is None:
                self.opened = open_audit_trail(self.settings)
            return self.opened

    def close(self) -> None:
        with self._lock:
            if self.opened is not None:
                self.opened.close()
                self.opened = None


@dataclass
class Stores:
    """The durable stores beside the checkpoints."""

    action_log: ActionLog
    effects: EffectStore
    audit: AuditTrail
    ids: IncidentIds
    feedback: FeedbackStore
    database: PgDatabase | None = None
    """The shared PostgreSQL database (ADSH_DATABASE_URL); None: SQLite files in the data dir."""
    own_trail: OwnTrail | None = None

    def runbook_stats_source(self, settings: Settings) -> Path | Database:
        """Where the runbook statistics live: the shared database, else their own file."""
        return self.database.borrow() if self.database else settings.runbook_stats_path

    def close(self) -> None:
        self.action_log.close()
        self.effects.close()
        self.audit.close()
        self.ids.close()
        self.feedback.close()
        if self.own_trail is not None:
            self.own_trail.close()
        if self.database is not None:
            self.database.close()


def open_database(settings: Settings) -> PgDatabase | None:
    """The PostgreSQL pool with the stores' schema migrated, or None in embedded mode."""
    if settings.database_url is None:
        return None
    database = PgDatabase(open_pool(settings.database_url.get_secret_value()))
    try:
        migrate(database, "memory")
    except BaseException:
        database.close()
        raise
    return database


def open_stores(settings: Settings) -> Stores:
    """Action log, recorded effects, audit trail, id claims and operator feedback:
    PostgreSQL or the data dir."""
    database = open_database(settings)
    key = settings.checkpoint_key_bytes()
    if database is not None:
        audit = AuditTrail(database)
        stores = Stores(
            ActionLog(database), EffectStore(database, key), audit, IncidentIds(database),
            FeedbackStore(database, lambda: audit), database,
        )  # fmt: skip
    else:
        own_trail = OwnTrail(settings)
        stores = Stores(
            audit=open_audit_trail(settings, LoopAuditTrail),  # first: it may refuse to open
            action_log=ActionLog(settings.action_log_path),
            effects=EffectStore(settings.checkpoint_path, key),
            ids=IncidentIds(settings.action_log_path),
            feedback=FeedbackStore(settings.feedback_path, own_trail),
            own_trail=own_trail,
        )
    try:
        stores.feedback.adopt(settings.data_dir / LEGACY_FILE_NAME)
    except BaseException:
        stores.close()
        raise
    return stores


@contextmanager
def stores_of(settings: Settings) -> Iterator[Stores]:
    """`open_stores`, closed on exit (for commands that need the stores but no runner)."""
    stores = open_stores(settings)
    try:
        yield stores
    finally:
        stores.close()


def backend_health(settings: Settings) -> dict[str, Any]:
    """What the durable state lives in and whether it answers (for readiness checks)."""
    if settings.database_url is None:
        return {"backend": "sqlite", "ok": _writable(settings.data_dir),
                "data_dir": str(settings.data_dir)}  # fmt: skip
    return {"backend": "postgresql", **ping(settings.database_url.get_secret_value())}


def _writable(directory: Path) -> bool:
    """The data dir can be written (or created: its nearest existing parent can be)."""
    while not directory.exists():
        directory = directory.parent
    return directory.is_dir() and os.access(directory, os.W_OK)
