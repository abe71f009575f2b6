-- The model call behind each chat answer the LLM gave (tokens, cost, prompt hash).

CREATE TABLE chat_llm_calls (
    message_id BIGINT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    call TEXT NOT NULL
);
CREATE INDEX chat_llm_calls_incident ON chat_llm_calls (incident_id);
