"""API layer: the `adsh` CLI (and, later, the HTTP API and console)."""
