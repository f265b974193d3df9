"""The offline retrieval index: Chroma (dense, our MiniLM vectors) + BM25 (lexical), searched together.

`build_index(catalog, settings)` turns every occupation, skill, credential and rule into a document, embeds
only the documents whose content hash changed (the hash lives in each Chroma record's metadata, so a build
that was killed half-way simply finishes on the next run), deletes documents that disappeared, and writes the
lexical index, the document table and a manifest next to Chroma. `KnowledgeIndex(settings).search(...)` fuses
the dense and lexical rankings (reciprocal-rank fusion), then adds small, explainable boosts: an exact name /
exam-code / acronym match, and the level or credential type the query asks for.

The modules, each importing only those above it in this list:

- `layout`: what a built index is on disk (kinds, collection names, files, versions, the manifest)
- `text`: folded, stemmed tokens and exact-match name keys
- `documents`: catalogue records → index documents
- `lexical`: the BM25 index
- `chroma`: the Chroma client and collections
- `search`: `KnowledgeIndex`, the hybrid search, and the process-wide `get_index`
- `build`: `build_index`, idempotent and resumable
- `stats`: `index_stats` for `coach kb stats`

The public names are re-exported here; internals (names starting with `_`) are imported from their module.
"""

from __future__ import annotations

from coach.retrieval.build import BuildReport, build_index
from coach.retrieval.chroma import chroma_client
from coach.retrieval.documents import CatalogLike, Document, catalog_documents
from coach.retrieval.layout import COLLECTIONS, KINDS, read_manifest
from coach.retrieval.lexical import LexicalIndex
from coach.retrieval.search import (
    LEVELS,
    SEARCH_MODES,
    KnowledgeIndex,
    SearchHit,
    get_index,
    normalise_kind,
    normalise_level,
    query_intent,
)
from coach.retrieval.stats import index_stats
from coach.retrieval.text import norm_key, tokenize

__all__ = [
    "COLLECTIONS",
    "KINDS",
    "LEVELS",
    "SEARCH_MODES",
    "BuildReport",
    "CatalogLike",
    "Document",
    "KnowledgeIndex",
    "LexicalIndex",
    "SearchHit",
    "build_index",
    "catalog_documents",
    "chroma_client",
    "get_index",
    "index_stats",
    "norm_key",
    "normalise_kind",
    "normalise_level",
    "query_intent",
    "read_manifest",
    "tokenize",
]
