"""The durable stores beside the checkpoints, and the notifiers a data directory uses."""

from __future__ import annotations

from dataclasses import dataclass

from graphs.effects import EffectStore
from graphs.settings import Settings
from memory.action_log import ActionLog
from memory.audit import AuditTrail
from tools.notify import FanoutNotifier, LogNotifier, Notifier, WebhookNotifier


def default_notifier(settings: Settings) -> Notifier:
    notifiers: list[Notifier] = [LogNotifier(settings.notifications_path)]
    if settings.notify_webhook_url:
        notifiers.append(WebhookNotifier(settings.notify_webhook_url))
    return FanoutNotifier(notifiers)


@dataclass
class Stores:
    """The durable stores beside the checkpoints."""

    action_log: ActionLog
    effects: EffectStore
    audit: AuditTrail

    def close(self) -> None:
        self.action_log.close()
        self.effects.close()
        self.audit.close()


def open_stores(settings: Settings) -> Stores:
    """Action log, recorded effects and audit trail under the settings' data directory."""
    return Stores(
        action_log=ActionLog(settings.action_log_path),
        effects=EffectStore(settings.checkpoint_path, settings.checkpoint_key_bytes()),
        audit=AuditTrail(settings.audit_path),
    )
