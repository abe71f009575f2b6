"""Incident memory on Chroma: embedded PersistentClient by default, a server via HttpClient."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from memory.embeddings import EmbeddingsKind
from memory.models import IncidentRecord, MemoryMatch, MemoryStats
from memory.redaction import redact

COLLECTION = "adsh-incidents"


@dataclass(frozen=True)
class MemoryConfig:
    """Where the memory lives and which embeddings it uses."""

    directory: Path
    chroma_url: str | None = None
    embeddings: EmbeddingsKind = "local"
    openai_model: str = "text-embedding-3-small"
    openai_api_key: str | None = None
    openai_base_url: str | None = None

    def location(self) -> str:
        return self.chroma_url or str(self.directory)


def _client(config: MemoryConfig) -> Any:
    import chromadb  # noqa: PLC0415 (heavy: loaded only when memory is used)
    from chromadb.config import Settings as ChromaSettings  # noqa: PLC0415

    chroma = ChromaSettings(anonymized_telemetry=False)
    if config.chroma_url:
        url = urlparse(config.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma,
        )
    config.directory.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(config.directory), settings=chroma)


class IncidentMemory:
    """Stores redacted incident records and recalls the most similar ones."""

    def __init__(self, config: MemoryConfig) -> None:
        self.config = config
        self._collection: Any = None
        self._lock = threading.Lock()

    def collection(self) -> Any:
        """The Chroma collection, opened (and the model loaded) on first use."""
        with self._lock:
            if self._collection is None:
                from memory.embeddings import embedding_function  # noqa: PLC0415

                function = embedding_function(
                    self.config.embeddings,
                    self.config.openai_model,
                    self.config.openai_api_key,
                    self.config.openai_base_url,
                )
                self._collection = _client(self.config).get_or_create_collection(
                    COLLECTION, embedding_function=function, metadata={"hnsw:space": "cosine"}
                )
            return self._collection

    def _empty_here(self) -> bool:
        """A local memory that was never written: recall without loading anything."""
        return self.config.chroma_url is None and not self.config.directory.exists()

    def add(self, records: list[IncidentRecord]) -> None:
        """Upsert records under their ids (idempotent), secrets redacted first."""
        if not records:
            return
        clean = [_redacted(r) for r in records]
        self.collection().upsert(
            ids=[r.id for r in clean],
            documents=[r.summary for r in clean],
            metadatas=[r.metadata() for r in clean],
        )

    def get(self, record_id: str) -> IncidentRecord | None:
        if self._empty_here():
            return None
        found = self.collection().get(ids=[record_id], include=["documents", "metadatas"])
        if not found["ids"]:
            return None
        return IncidentRecord.from_stored(
            found["ids"][0], found["documents"][0], found["metadatas"][0]
        )

    def search(self, text: str, k: int = 5, exclude: str | None = None) -> list[MemoryMatch]:
        """The k most similar records, most similar first (ties by id)."""
        if self._empty_here() or not text.strip():
            return []
        collection = self.collection()
        total = collection.count()
        if total == 0:
            return []
        found = collection.query(
            query_texts=[redact(text)],
            n_results=min(total, k + (1 if exclude else 0)),
            include=["documents", "metadatas", "distances"],
        )
        matches = [
            MemoryMatch(record=IncidentRecord.from_stored(i, d, m), similarity=round(1.0 - dist, 4))
            for i, d, m, dist in zip(
                found["ids"][0],
                found["documents"][0],
                found["metadatas"][0],
                found["distances"][0],
                strict=True,
            )
            if i != exclude
        ]
        return sorted(matches, key=lambda m: (-m.similarity, m.record.id))[:k]

    def stats(self) -> MemoryStats:
        location = self.config.location()
        if self._empty_here():
            return MemoryStats(location=location, embeddings=self.config.embeddings)
        found = self.collection().get(include=["metadatas"])
        metas = found["metadatas"] or []
        return MemoryStats(
            incidents=len(found["ids"]),
            by_outcome=dict(Counter(str(m.get("outcome", "")) for m in metas)),
            by_source=dict(Counter(str(m.get("source", "")) for m in metas)),
            location=location,
            embeddings=self.config.embeddings,
        )


def _redacted(record: IncidentRecord) -> IncidentRecord:
    return record.model_copy(
        update={
            "title": redact(record.title),
            "summary": redact(record.summary),
            "tags": [redact(t) for t in record.tags],
        }
    )
