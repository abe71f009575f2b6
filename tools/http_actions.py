"""HttpActionAdapter: performs remediation actions through a target's HTTP control API."""

from __future__ import annotations

from typing import Any

import httpx

from tools.actions import ActionOutcome

# The sandbox server's actions (sandbox/remediation.py HANDLERS; a test keeps them equal).
SANDBOX_ACTIONS = (
    "rollback_deploy",
    "deploy_version",
    "restart_service",
    "scale_out",
    "scale_in",
    "set_pool_size",
    "flush_cache",
    "rotate_logs",
    "renew_certificate",
    "revert_config",
    "apply_config",
    "failover_database",
    "failback_database",
    "rate_limit",
    "remove_rate_limit",
    "purge_old_data",
)


class HttpActionAdapter:
    """POST {url}/v1/actions with the idempotency key in the body and a header.

    A target that already performed the key answers status 'duplicate'; a network failure
    is reported as a failed outcome (the action log keeps the key, so a retry is safe).
    """

    def __init__(
        self,
        url: str,
        client: httpx.Client | None = None,
        actions: tuple[str, ...] = SANDBOX_ACTIONS,
        timeout: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.http = client or httpx.Client(timeout=timeout)
        self.actions = actions

    def supported_actions(self) -> list[str]:
        return list(self.actions)

    def perform(
        self, action: str, target: str, params: dict[str, Any], idempotency_key: str
    ) -> ActionOutcome:
        body = {"action": action, "target": target, "params": params}
        try:
            response = self.http.post(
                f"{self.url}/v1/actions",
                json={**body, "idempotency_key": idempotency_key},
                headers={"Idempotency-Key": idempotency_key},
            )
        except httpx.HTTPError as exc:
            return _failed(f"control API at {self.url} unreachable ({exc}); nothing was done")
        if response.status_code != 200:
            return _failed(
                f"control API at {self.url} answered HTTP {response.status_code}:"
                f" {response.text[:200]}"
            )
        try:
            return ActionOutcome.model_validate(response.json())
        except ValueError as exc:
            return _failed(f"control API at {self.url} sent an unreadable outcome: {exc}")


def _failed(detail: str) -> ActionOutcome:
    return ActionOutcome(status="failed", detail=detail)


class UnconfiguredActions:
    """Stands in when no control API is configured: every action fails, saying why."""

    def supported_actions(self) -> list[str]:
        return []

    def perform(
        self, action: str, target: str, params: dict[str, Any], idempotency_key: str
    ) -> ActionOutcome:
        return _failed(f"no control API configured for {action}({target}): set ADSH_SANDBOX_URL")
