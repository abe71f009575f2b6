"""Dependencies of the route handlers: the service objects and the caller's identity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.alerts import AlertIntake
from api.auth import Principal, Role, TokenStore
from api.investigations import InvestigationService
from api.messages_store import MessageStore
from api.settings import ApiSettings


@dataclass
class AppState:
    """What the lifespan opens and the handlers share."""

    settings: ApiSettings
    tokens: TokenStore
    service: InvestigationService
    alerts: AlertIntake
    messages: MessageStore


def app_state(request: Request) -> AppState:
    state: AppState | None = getattr(request.app.state, "adsh", None)
    if state is None:
        raise HTTPException(503, "the server is starting or stopping; retry shortly")
    return state


State = Annotated[AppState, Depends(app_state)]

_bearer = HTTPBearer(auto_error=False, description="A token issued for a name and roles")


def authenticate(
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "missing bearer token: send 'Authorization: Bearer <token>'")
    principal = state.tokens.lookup(credentials.credentials)
    if principal is None:
        raise HTTPException(401, "invalid token")
    return principal


def require(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that admits a principal holding any of `roles`."""

    def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not any(principal.has(role) for role in roles):
            names = " or ".join(r.value for r in roles)
            raise HTTPException(403, f"{principal.name} lacks the {names} role")
        return principal

    return check


Viewer = Annotated[Principal, Depends(require(*Role))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR, Role.ADMIN))]
Approver = Annotated[Principal, Depends(require(Role.APPROVER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]

IncidentId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Investigation id, e.g. inc-1a2b3c4d",
    ),
]
