"""Alert intake: dedupe by fingerprint, open or attach to an investigation, record resolves."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from api.alert_models import AlertmanagerAlert
from api.alerts_store import AlertNotice, AlertStore
from api.investigations import InvestigationService


@dataclass(frozen=True)
class AlertResult:
    fingerprint: str
    status: str
    action: str  # opened | attached | resolved | ignored
    incident: str | None

    def json(self) -> dict[str, Any]:
        return asdict(self)


class AlertIntake:
    """One webhook call opens at most one investigation; its new alerts share it."""

    def __init__(self, store: AlertStore, service: InvestigationService) -> None:
        self.store = store
        self.service = service
        self._lock = threading.Lock()
        self._call: list[AlertmanagerAlert] = []

    def receive(self, alerts: list[AlertmanagerAlert], requester: str) -> list[AlertResult]:
        with self._lock, self.store.intake():
            # A group notification repeats its alerts: a new one joins the group's open one.
            opened = (self._open_incidents(alerts) or self._open_for_services(alerts))[:1]
            self._call = alerts
            return [self._one(alert, requester, opened) for alert in alerts]

    def _open_incidents(self, alerts: list[AlertmanagerAlert]) -> list[str]:
        return [
            incident
            for alert in alerts
            if alert.status == "firing"
            for incident in self.store.incidents_for(alert.fingerprint)
            if self.service.is_open(incident)
        ]

    def _open(self, alert: AlertmanagerAlert, requester: str) -> str:
        """A new investigation over the services and start time of the call's firing alerts."""
        firing = [a for a in self._call if a.status == "firing"] or [alert]
        services = sorted({a.labels["service"] for a in firing if a.labels.get("service")})
        starts_at = int(min(a.startsAt for a in firing).timestamp())
        return self.service.trigger_alert(_summary(alert), requester, services, starts_at)

    def _open_for_services(self, alerts: list[AlertmanagerAlert]) -> list[str]:
        """Open investigations of the call's services: later symptoms of the same incident.

        A fault's later symptoms (errors once a disk is full) fire as other alerts, often
        after the first alert's investigation began and its alert resolved; they join that
        investigation instead of opening a second one for the same service.
        """
        services = sorted({a.labels.get("service", "") for a in alerts if a.status == "firing"})
        return [
            incident
            for service in services
            if service
            for incident in self.store.incidents_for_service(service)
            if self.service.is_open(incident)
        ]

    def _firing(
        self, alert: AlertmanagerAlert, requester: str, attached: list[str], opened: list[str]
    ) -> tuple[str, str]:
        """The open investigation a firing alert joins (its own or the call's), else a new one."""
        incident = next((i for i in attached if self.service.is_open(i)), None)
        if incident is None and opened:
            incident = opened[0]
        if incident is not None:
            return incident, "attached"
        incident = self._open(alert, requester)
        opened.append(incident)
        return incident, "opened"

    def _one(self, alert: AlertmanagerAlert, requester: str, opened: list[str]) -> AlertResult:
        notice = _notice(alert)
        attached = self.store.incidents_for(notice.fingerprint)
        if alert.status == "resolved":
            incident = attached[0] if attached else None
            action = "resolved" if incident else "ignored"
        else:
            incident, action = self._firing(alert, requester, attached, opened)
        self.store.record(notice, incident)
        result = AlertResult(notice.fingerprint, alert.status, action, incident)
        self.service.hub.publish(
            "alert",
            incident,
            fingerprint=notice.fingerprint,
            status=alert.status,
            action=action,
            alertname=notice.alertname,
        )
        return result


def _notice(alert: AlertmanagerAlert) -> AlertNotice:
    return AlertNotice(
        fingerprint=alert.fingerprint,
        alertname=alert.labels["alertname"],
        status=alert.status,
        labels=dict(alert.labels),
        starts_at=alert.startsAt.isoformat(),
        ends_at=alert.endsAt.isoformat() if alert.endsAt and alert.status == "resolved" else None,
    )


def _summary(alert: AlertmanagerAlert) -> str:
    text = alert.annotations.get("summary") or alert.annotations.get("description") or ""
    where = alert.labels.get("service") or alert.labels.get("job") or ""
    parts = [alert.labels["alertname"], f"on {where}" if where else "", text]
    return " ".join(p for p in parts if p)
