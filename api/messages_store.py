"""Operator chat messages per investigation, with the answer the console showed."""

from __future__ import annotations

import time
from typing import Any

from agents.models import LLMCall
from memory.database import Database


class MessageStore:
    """Questions and answers; `after_entry` places each in the incident's timeline."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        incident_id: str,
        author: str,
        question: str,
        answer: str,
        topic: str,
        after: int,
        call: LLMCall | None = None,
    ) -> dict[str, Any]:
        """Store one exchange, with the model call that answered it (if a model was asked)."""
        at = time.time()
        with self.db.transaction() as session:
            row = session.fetchone(
                "INSERT INTO messages (incident_id, author, question, answer, topic,"
                " after_entry, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (incident_id, author, question, answer, topic, after, at),
            )
            assert row is not None
            if call is not None:
                session.execute(
                    "INSERT INTO chat_llm_calls (message_id, incident_id, call) VALUES (?, ?, ?)",
                    (row[0], incident_id, call.model_dump_json()),
                )
        return {
            "id": row[0],
            "incident_id": incident_id,
            "author": author,
            "question": question,
            "answer": answer,
            "topic": topic,
            "after_entry": after,
            "at": at,
        }

    def for_incident(self, incident_id: str) -> list[dict[str, Any]]:
        return self.db.fetchdicts(
            "SELECT * FROM messages WHERE incident_id = ? ORDER BY id", (incident_id,)
        )

    def llm_calls_for(self, incident_id: str) -> list[LLMCall]:
        """The model calls that answered this incident's chat, oldest first."""
        rows = self.db.fetchall(
            "SELECT call FROM chat_llm_calls WHERE incident_id = ? ORDER BY message_id",
            (incident_id,),
        )
        return [LLMCall.model_validate_json(row[0]) for row in rows]
