-- The durable stores beside the checkpoints (which PostgresSaver.setup() manages itself).
-- Same columns, in the same order, as the embedded SQLite schemas, so the stores' SQL runs
-- on both; `rowid` columns stand in for SQLite's implicit insertion order.

CREATE TABLE action_log (
    idempotency_key TEXT PRIMARY KEY,  -- unique: a step is claimed by exactly one process
    incident_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    step INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}',
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    rowid BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX action_log_incident ON action_log (incident_id);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_incident ON audit_log (incident_id);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    count BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE effects (
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    node TEXT NOT NULL,
    kind TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    request TEXT NOT NULL,
    blob_hash TEXT NOT NULL,
    PRIMARY KEY (thread_id, seq)
);
CREATE INDEX effects_blob ON effects (blob_hash);
CREATE TABLE effect_blobs (
    hash TEXT PRIMARY KEY,
    body BYTEA NOT NULL
);

CREATE TABLE runbook_outcomes (
    incident_id TEXT NOT NULL,
    runbook_id TEXT NOT NULL,
    fault_type TEXT NOT NULL,
    service TEXT NOT NULL,
    healed INTEGER NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (incident_id, runbook_id)
);

CREATE TABLE incident_ids (
    id TEXT PRIMARY KEY,  -- claimed by one process before its first checkpoint
    claimed_at DOUBLE PRECISION NOT NULL
);
