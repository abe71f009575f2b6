"""`adsh serve`: configured tokens, or dev-mode tokens printed once; then uvicorn."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn

from api.app import create_app
from api.auth import TokenStore, dev_tokens, load_tokens
from api.settings import ApiSettings


def server_tokens(settings: ApiSettings, say: Callable[[str], None]) -> TokenStore:
    """The configured tokens; with none, fresh dev tokens per role, printed (never open)."""
    store = load_tokens(settings.api_tokens, settings.api_tokens_file)
    if len(store):
        return store
    store, clear = dev_tokens()
    say("[yellow]dev mode[/]: no ADSH_API_TOKENS configured; tokens for this run only:")
    for name, token in clear.items():
        principal = store.lookup(token)
        roles = ",".join(sorted(principal.roles)) if principal else ""
        say(f"  {name:<15} {roles:<18} {token}")
    return store


def run_server(host: str, port: int, say: Callable[[str], None]) -> None:
    settings = ApiSettings()
    app = create_app(settings, server_tokens(settings, say))
    say(f"console: http://{host}:{port}/   API docs: http://{host}:{port}/docs")
    uvicorn.run(app, host=host, port=port, log_level="info")
