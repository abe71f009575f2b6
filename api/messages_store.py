"""Operator chat messages per investigation, with the answer the console showed."""

from __future__ import annotations

import time
from typing import Any

from api.db import ApiDatabase


class MessageStore:
    """Questions and answers; `after_entry` places each in the incident's timeline."""

    def __init__(self, db: ApiDatabase) -> None:
        self.db = db

    def add(
        self, incident_id: str, author: str, question: str, answer: str, topic: str, after: int
    ) -> dict[str, Any]:
        at = time.time()
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO messages (incident_id, author, question, answer, topic,"
                " after_entry, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (incident_id, author, question, answer, topic, after, at),
            )
        return {
            "id": cursor.lastrowid,
            "incident_id": incident_id,
            "author": author,
            "question": question,
            "answer": answer,
            "topic": topic,
            "after_entry": after,
            "at": at,
        }

    def for_incident(self, incident_id: str) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT * FROM messages WHERE incident_id = ? ORDER BY id", (incident_id,)
        )
        return [dict(row) for row in rows]
