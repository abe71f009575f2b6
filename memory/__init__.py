"""Memory: runbook catalog and stats, the durable action log, incident memory, audit trail."""
