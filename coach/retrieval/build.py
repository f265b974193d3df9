"""Building the index: embed only what changed (hashes in Chroma's metadata), write the lexical index and manifest."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from coach.retrieval.chroma import _chroma_metadata, _collection, _existing_hashes, chroma_client
from coach.retrieval.documents import CatalogLike, Document, catalog_documents
from coach.retrieval.layout import (
    COLLECTIONS,
    DOCS_FILE,
    INDEX_VERSION,
    KINDS,
    LEXICAL_VERSION,
    MANIFEST,
    _files_present,
    _write_json,
    read_manifest,
)
from coach.retrieval.lexical import LexicalIndex
from coach.retrieval.search import get_index

if TYPE_CHECKING:
    from coach.embeddings import Embedder
    from coach.settings import Settings

EMBED_BATCH = 256  # documents embedded and upserted per step: what an interrupted build can lose at most


class BuildReport(BaseModel):
    """What a build did, per kind."""

    index_path: str
    documents: dict[str, int] = Field(default_factory=dict, description="Documents in the index, per kind.")
    embedded: dict[str, int] = Field(default_factory=dict, description="Documents (re-)embedded this run.")
    deleted: dict[str, int] = Field(default_factory=dict, description="Documents removed (gone from source).")
    updated: dict[str, int] = Field(
        default_factory=dict, description="Documents whose facts changed but not their embedded text."
    )
    unchanged: dict[str, int] = Field(default_factory=dict)
    forced: bool = False
    seconds: float = 0.0
    catalog_errors: list[str] = Field(default_factory=list)

    @property
    def total_embedded(self) -> int:
        """Documents embedded this run, all kinds."""
        return sum(self.embedded.values())


def _progress_bar(total: int, enabled: bool, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="doc", disable=not enabled or total == 0, leave=True)


def build_index(
    catalog: CatalogLike,
    settings: Settings,
    force: bool = False,
    *,
    embedder: Embedder | None = None,
    progress: bool = True,
    client: Any = None,
) -> BuildReport:
    """Build or update the index under `settings.index_path` from `catalog`; idempotent and resumable.

    Only documents whose content hash differs from the one stored in Chroma are embedded, so a rerun after an
    interruption finishes the job and an unchanged catalogue embeds nothing. `force` drops everything first.
    """
    from filelock import FileLock

    started = time.perf_counter()
    folder = settings.index_path
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".build.lock")):
        report = _build_locked(catalog, settings, force, embedder, progress, client)
    report.seconds = round(time.perf_counter() - started, 2)
    report.catalog_errors = list(getattr(catalog, "errors", []) or [])
    manifest = read_manifest(folder) or {}
    manifest["seconds"] = report.seconds
    _write_json(folder / MANIFEST, manifest)
    get_index.cache_clear()
    return report


def _build_locked(
    catalog: CatalogLike,
    settings: Settings,
    force: bool,
    embedder: Embedder | None,
    progress: bool,
    client: Any,
) -> BuildReport:
    folder = settings.index_path
    docs = catalog_documents(catalog)
    if embedder is None:
        from coach.embeddings import get_embedder

        embedder = get_embedder()
    fingerprint = getattr(embedder, "fingerprint", "unknown")
    hashes = {k: {d.id: _hash_with_model(d, fingerprint) for d in items} for k, items in docs.items()}
    digest = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:24]
    old = read_manifest(folder)
    client = client or chroma_client(settings)
    report = BuildReport(index_path=str(folder), forced=force)

    if force:
        for kind in KINDS:
            with contextlib.suppress(Exception):  # absent already: nothing to drop
                client.delete_collection(COLLECTIONS[kind])
    elif (
        old
        and old.get("complete")
        and old.get("version") == INDEX_VERSION
        and old.get("digest") == digest
        and old.get("lexical_version") == LEXICAL_VERSION
        and _files_present(folder)
    ):
        # Nothing changed since the last complete build: verify Chroma agrees, then stop.
        counts = {k: _collection(client, k).count() for k in KINDS}
        if counts == {k: len(v) for k, v in docs.items()}:
            report.documents = counts
            report.unchanged = dict(counts)
            report.embedded = dict.fromkeys(KINDS, 0)
            report.deleted = dict.fromkeys(KINDS, 0)
            report.updated = dict.fromkeys(KINDS, 0)
            return report

    # Mark the index incomplete until every step below has finished: readers refuse a half-built index.
    _write_json(folder / MANIFEST, {**(old or {}), "version": INDEX_VERSION, "complete": False})
    ehashes = {k: {d.id: _embed_hash(d, fingerprint) for d in items} for k, items in docs.items()}
    plans: list[tuple[str, Any, list[Document]]] = []
    for kind in KINDS:
        col = _collection(client, kind)
        stored = _existing_hashes(col)
        wanted = hashes[kind]
        gone = [i for i in stored if i not in wanted]
        for start in range(0, len(gone), 5000):
            col.delete(ids=gone[start : start + 5000])
        changed = [d for d in docs[kind] if stored.get(d.id, ("", ""))[0] != wanted[d.id]]
        # Same embedded text, other facts changed (a price, a URL): update the metadata, keep the vector.
        meta_only = [d for d in changed if stored.get(d.id, ("", ""))[1] == ehashes[kind][d.id]]
        todo = [d for d in changed if stored.get(d.id, ("", ""))[1] != ehashes[kind][d.id]]
        for start in range(0, len(meta_only), EMBED_BATCH):
            chunk = meta_only[start : start + EMBED_BATCH]
            col.update(
                ids=[d.id for d in chunk],
                metadatas=[
                    _chroma_metadata({**d.metadata, "hash": wanted[d.id], "ehash": ehashes[kind][d.id]})
                    for d in chunk
                ],
            )
        report.deleted[kind] = len(gone)
        report.updated[kind] = len(meta_only)
        report.unchanged[kind] = len(docs[kind]) - len(changed)
        report.embedded[kind] = 0
        plans.append((kind, col, todo))

    total = sum(len(t) for _, _, t in plans)
    bar = _progress_bar(total, progress, "embedding")
    try:
        for kind, col, todo in plans:
            bar.set_description(f"embedding {COLLECTIONS[kind]}")
            # Similar lengths together: the embedder pads each batch to its longest text.
            todo = sorted(todo, key=lambda d: len(d.dense_text))
            for start in range(0, len(todo), EMBED_BATCH):
                chunk = todo[start : start + EMBED_BATCH]
                vectors = embedder.embed([d.dense_text for d in chunk])
                col.upsert(
                    ids=[d.id for d in chunk],
                    embeddings=np.asarray(vectors, dtype=np.float32),
                    metadatas=[
                        _chroma_metadata(
                            {**d.metadata, "hash": hashes[kind][d.id], "ehash": ehashes[kind][d.id]}
                        )
                        for d in chunk
                    ],
                    documents=[d.dense_text for d in chunk],
                )
                report.embedded[kind] += len(chunk)
                bar.update(len(chunk))
    finally:
        bar.close()

    ordered = [d for kind in KINDS for d in docs[kind]]
    LexicalIndex.build([d.lexical_text for d in ordered]).save(folder)
    _write_json(
        folder / DOCS_FILE,
        [
            {
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "snippet": d.snippet,
                "source": d.source.model_dump(exclude_none=True),
                "metadata": d.metadata,
                "keys": d.keys,
            }
            for d in ordered
        ],
    )
    report.documents = {k: _collection(client, k).count() for k in KINDS}
    _write_json(
        folder / MANIFEST,
        {
            "version": INDEX_VERSION,
            "lexical_version": LEXICAL_VERSION,
            "complete": True,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "model": fingerprint,
            "digest": digest,
            "chroma": f"{settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else "embedded",
            "documents": report.documents,
            "embedded": report.embedded,
            "deleted": report.deleted,
            "hashes": hashes,
        },
    )
    return report


def _embed_hash(doc: Document, fingerprint: str) -> str:
    # What the vector depends on: the model and the embedded text, nothing else.
    return hashlib.sha256(f"{fingerprint}:{doc.dense_text}".encode()).hexdigest()[:24]


def _hash_with_model(doc: Document, fingerprint: str) -> str:
    # The model fingerprint is part of the hash: a different embedding model re-embeds everything.
    return hashlib.sha256(f"{fingerprint}:{doc.content_hash}".encode()).hexdigest()[:24]
