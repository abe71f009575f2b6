"""Bearer-token authentication: tokens stored as SHA-256 hashes, each with a name and roles."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    APPROVER = "approver"
    ADMIN = "admin"


_HASH = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


@dataclass(frozen=True)
class Principal:
    """Who a token belongs to: the name is the identity used for separation of duties."""

    name: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles


class TokenConfigError(ValueError):
    """The token configuration cannot be used; the message says which entry and why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class TokenStore:
    """Hash -> principal. Clear tokens are never kept (dev mode prints them once)."""

    principals: dict[str, Principal] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.principals)

    def lookup(self, token: str) -> Principal | None:
        return self.principals.get(hash_token(token))

    def add(self, token_hash: str, principal: Principal) -> None:
        self.principals[token_hash] = principal


def parse_tokens(data: Any, origin: str) -> TokenStore:
    """Validate {"<sha256hex>": {"name": ..., "roles": [...]}}; raise naming the bad entry."""
    if not isinstance(data, dict):
        raise TokenConfigError(f"{origin}: expected a JSON object of token hashes")
    store = TokenStore()
    for token_hash, entry in data.items():
        store.add(_checked_hash(token_hash, origin), _principal(entry, f"{origin}[{token_hash}]"))
    return store


def _checked_hash(token_hash: str, origin: str) -> str:
    if not _HASH.match(token_hash):
        raise TokenConfigError(f"{origin}: key {token_hash!r} is not a lowercase SHA-256 hex")
    return token_hash


def _principal(entry: Any, origin: str) -> Principal:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise TokenConfigError(f"{origin}: expected {{'name': str, 'roles': [...]}}")
    if not _NAME.match(entry["name"]):
        raise TokenConfigError(f"{origin}: name must match {_NAME.pattern}")
    roles = entry.get("roles")
    valid = {r.value for r in Role}
    if not isinstance(roles, list) or not roles or not set(roles) <= valid:
        raise TokenConfigError(f"{origin}: roles must be a non-empty list of {sorted(valid)}")
    return Principal(entry["name"], frozenset(Role(r) for r in roles))


def load_tokens(inline: str | None, path: Path | None) -> TokenStore:
    """Tokens from ADSH_API_TOKENS (JSON) and/or ADSH_API_TOKENS_FILE; empty when neither."""
    store = TokenStore()
    sources = [(inline, "ADSH_API_TOKENS")]
    if path is not None:
        sources.append((path.read_text(), f"ADSH_API_TOKENS_FILE {path}"))
    for text, origin in sources:
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TokenConfigError(f"{origin}: not valid JSON ({exc.msg})") from None
        store.principals.update(parse_tokens(data, origin).principals)
    return store


DEV_ACCOUNTS: tuple[tuple[str, tuple[Role, ...]], ...] = (
    ("dev-viewer", (Role.VIEWER,)),
    ("dev-operator", (Role.OPERATOR, Role.VIEWER)),
    ("dev-approver-1", (Role.APPROVER, Role.VIEWER)),
    ("dev-approver-2", (Role.APPROVER, Role.VIEWER)),
    ("dev-approver-3", (Role.APPROVER, Role.VIEWER)),
    ("dev-admin", (Role.ADMIN, Role.VIEWER)),
)
"""Dev mode accounts: three approvers so a CRITICAL plan can be approved locally."""


def dev_tokens() -> tuple[TokenStore, dict[str, str]]:
    """Fresh random tokens for the dev accounts; returns the store and name -> clear token."""
    store, clear = TokenStore(), {}
    for name, roles in DEV_ACCOUNTS:
        token = secrets.token_urlsafe(24)
        store.add(hash_token(token), Principal(name, frozenset(roles)))
        clear[name] = token
    return store, clear
