-- Operator feedback sensitivities (memory/feedback.py), shared by every API server and
-- watcher of a deployment; the same columns as the embedded feedback.sqlite.

CREATE TABLE feedback_sensitivity (
    item TEXT PRIMARY KEY,  -- service/signal
    sensitivity DOUBLE PRECISION NOT NULL
);
