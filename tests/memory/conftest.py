"""Memory fixtures: the real MiniLM model, loaded once per test process."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from memory.embeddings import local_embedding_function
from memory.incident_memory import IncidentMemory, MemoryConfig


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The bundled all-MiniLM-L6-v2 (cached per process by local_embedding_function)."""
    return local_embedding_function()


@pytest.fixture
def open_memory(tmp_path: Path, minilm: Any) -> Callable[[], IncidentMemory]:
    return lambda: IncidentMemory(MemoryConfig(directory=tmp_path / "memory"))
