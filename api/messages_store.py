"""Operator chat messages per investigation, with the answer the console showed."""

from __future__ import annotations

import time
from typing import Any

from memory.database import Database


class MessageStore:
    """Questions and answers; `after_entry` places each in the incident's timeline."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, incident_id: str, author: str, question: str, answer: str, topic: str, after: int
    ) -> dict[str, Any]:
        at = time.time()
        row = self.db.fetchone(
            "INSERT INTO messages (incident_id, author, question, answer, topic,"
            " after_entry, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (incident_id, author, question, answer, topic, after, at),
        )
        assert row is not None
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
