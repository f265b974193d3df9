"""Chroma: the client (server or embedded on disk), the collections and their stored hashes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from coach.retrieval.layout import COLLECTIONS

if TYPE_CHECKING:
    from coach.settings import Settings


def chroma_client(settings: Settings) -> Any:
    """The Chroma client: a server when `COACH_CHROMA_HOST` is set, else the embedded index on disk."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = settings.index_path / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _collection(client: Any, kind: str, create: bool = True) -> Any:
    # No embedding function: vectors always come from coach.embeddings (Chroma's default downloads a model).
    name = COLLECTIONS[kind]
    if create:
        return client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
    return client.get_collection(name, embedding_function=None)


def _existing_hashes(col: Any, page: int = 5000) -> dict[str, tuple[str, str]]:
    """(content hash, embedded-text hash) of every record (paged, so a server is not asked for everything)."""
    out: dict[str, tuple[str, str]] = {}
    offset = 0
    while True:
        got = col.get(include=["metadatas"], limit=page, offset=offset)
        for doc_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
            out[doc_id] = ((meta or {}).get("hash", ""), (meta or {}).get("ehash", ""))
        if len(got["ids"]) < page:
            return out
        offset += page


def _chroma_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata as Chroma stores it: scalars as they are, lists and objects (a guidance entry's sources) as JSON.

    The document table keeps the structured values; Chroma's copy is for filters and the stored hashes."""
    return {
        k: v if isinstance(v, str | int | float | bool) else json.dumps(v, ensure_ascii=False)
        for k, v in meta.items()
        if v is not None
    }
