"""Searching a built index: dense and lexical rankings fused, then exact-name and intent boosts."""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from coach.errors import BadInput, IndexMissing
from coach.models import Source
from coach.retrieval.chroma import _collection, chroma_client
from coach.retrieval.layout import COLLECTIONS, DOCS_FILE, KINDS, _files_present, read_manifest
from coach.retrieval.lexical import LexicalIndex
from coach.retrieval.text import _fold, norm_key

if TYPE_CHECKING:
    from coach.embeddings import Embedder
    from coach.settings import Settings

LEVELS = ("entry", "intermediate", "advanced", "expert")
LEVEL_SYNONYMS = {"beginner": "entry", "introductory": "entry", "foundational": "entry", "mixed": None}


RRF_K = 60


class SearchHit(BaseModel):
    """One ranked search result with where it came from."""

    id: str = Field(
        description="Catalogue id: SOC code, ESCO URI, credential id, rule id or guidance entry id."
    )
    kind: str = Field(description="occupation | skill | credential | rule | guidance")
    title: str
    score: float = Field(description="Fused relevance (higher is better; an exact name match adds 1).")
    source: Source
    snippet: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    similarity: float | None = Field(
        default=None,
        description="Cosine similarity of the query and the document's embedding, when the dense ranker "
        "found it: an absolute measure of closeness (the fused score is relative to the other hits).",
    )

    @property
    def citations(self) -> list[Source]:
        """What to cite for this hit: a guidance answer's pages (one per distinct URL), else its source."""
        pages = self.metadata.get("sources") if self.kind == "guidance" else None
        if isinstance(pages, list) and pages:
            return [Source(name=p["name"], url=p.get("url"), as_of=p.get("as_of")) for p in pages]
        return [self.source]


_LEVEL_INTENT = [
    (
        re.compile(
            r"\b(entry[- ]level|entry|beginners?|novice|introductory|intro|foundational|no experience)\b"
        ),
        "entry",
    ),
    (re.compile(r"\b(intermediate|mid[- ]level|associate[- ]level)\b"), "intermediate"),
    (re.compile(r"\b(advanced|senior)\b"), "advanced"),
    (re.compile(r"\b(expert|master)\b"), "expert"),
]
_TYPE_INTENT = [
    (
        re.compile(r"\b(certifications?|certs?|certified|exams?)\b"),
        {"certification", "professional_certificate"},
    ),
    (re.compile(r"\b(certificates?)\b"), {"professional_certificate", "certification"}),
    (re.compile(r"\bcourses?\b"), {"course"}),
    (re.compile(r"\bspeciali[sz]ations?\b"), {"specialization"}),
    (re.compile(r"\bbadges?\b"), {"badge"}),
]
INTENT_BOOST = 0.1  # per matched intent: enough to reorder near-ties, never to lift an unrelated document
EXACT_BOOST = 1.0
PARTIAL_BOOST = 0.5
# Per extra independent catalogue listing a credential (at most two): established credentials first among
# near-equals, e.g. CompTIA Security+ (curated list + roadmap) before a certificate only one roadmap mentions.
CORROBORATION_BOOST = 0.1
# Guidance written for some sectors only ("Do I need a law degree?" for legal and compliance work) loses this much
# when the query names none of them: "do I need a degree for this?" is asked far more often by people not heading
# for law, and the general entry answers them.
SECTOR_MISS_PENALTY = 0.5
SECTOR_WORDS = {
    "legal": ("legal", "law", "lawyer", "lawyers", "attorney", "paralegal", "bar exam", "solicitor"),
    "compliance": ("compliance", "regulatory", "regulation", "regulations"),
    "data protection": ("data protection", "gdpr", "privacy", "dpo"),
    "defence": ("defence", "defense", "dod", "8140", "8570", "military", "clearance", "army", "navy"),
    "military": (
        "military",
        "veteran",
        "veterans",
        "vet",
        "vets",
        "va",
        "gi bill",
        "army",
        "navy",
        "air force",
        "marines",
        "service member",
        "servicemember",
        "dod",
        "defense",
        "defence",
        "tuition assistance",
    ),
    "government": ("government", "federal", "public sector", "dod", "civil service", "state job"),
}
LEXICAL_WEIGHT_PROSE = 0.5
LEXICAL_DEPTH = 200  # candidates taken from each ranker before fusion
DENSE_DEPTH = 100
# mode → (dense ranking, lexical ranking, boosts); the single-ranker modes exist for evaluation ablations.
SEARCH_MODES = {
    "hybrid": (True, True, True),
    "fusion": (True, True, False),
    "dense": (True, False, False),
    "lexical": (False, True, False),
}


def query_intent(query: str) -> tuple[str | None, set[str]]:
    """The level and credential types a query asks for in words ('entry level', 'certification')."""
    q = _fold(query)
    level = next((lv for rx, lv in _LEVEL_INTENT if rx.search(q)), None)
    types: set[str] = set()
    for rx, ts in _TYPE_INTENT:
        if rx.search(q):
            types |= ts
    return level, types


def normalise_kind(kind: str | None) -> str | None:
    """'credential', 'credentials' or None → the singular kind; anything else is bad input."""
    if kind is None or kind == "":
        return None
    k = kind.strip().lower()
    k = k[:-1] if k.endswith("s") and k[:-1] in KINDS else k
    if k not in KINDS:
        raise BadInput(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    return k


def normalise_level(level: str | None) -> str | None:
    """A level filter ('entry', 'beginner', ...) → the catalogue's level; anything else is bad input."""
    if level is None or level == "":
        return None
    lv = level.strip().lower()
    lv = LEVEL_SYNONYMS.get(lv, lv) or ""
    if lv not in LEVELS:
        raise BadInput(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    return lv


class KnowledgeIndex:
    """A built index opened for searching: Chroma collections, the lexical index and the document table."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None, client: Any = None) -> None:
        folder = settings.index_path
        manifest = read_manifest(folder)
        if manifest is not None and not manifest.get("complete"):
            raise IndexMissing("the knowledge-base index build did not finish: run `coach kb build` again")
        if manifest is None or not _files_present(folder):
            raise IndexMissing("the knowledge-base index is not built yet: run `coach kb build`")
        self.settings = settings
        self.manifest = manifest
        self._embedder = embedder
        self._client = client
        self._lock = threading.Lock()
        docs = json.loads((folder / DOCS_FILE).read_text("utf-8"))
        self.docs: list[dict[str, Any]] = docs
        self.position = {(d["kind"], d["id"]): i for i, d in enumerate(docs)}
        self.kind_of = np.array([KINDS.index(d["kind"]) for d in docs], dtype=np.int8)
        meta = [d["metadata"] for d in docs]
        self.provider_key = np.array([m.get("provider_key", "") for m in meta], dtype=object)
        self.level = np.array([m.get("level", "") for m in meta], dtype=object)
        self.cost = np.array([m.get("cost", math.nan) for m in meta], dtype=np.float64)
        self.ctype = [m.get("type", "") for m in meta]
        self.datasets = np.array([m.get("datasets", 1) for m in meta], dtype=np.int16)
        self.sectors = [[x for x in (m.get("sectors") or []) if x != "all"] for m in meta]
        self.providers = sorted({p for p in self.provider_key if p})
        self.keys: dict[str, list[int]] = {}
        for i, d in enumerate(docs):
            for key in d["keys"]:
                self.keys.setdefault(key, []).append(i)
        self.lexical = LexicalIndex.load(folder)
        if self.lexical.matrix.shape[0] != len(docs):
            raise IndexMissing("the lexical index does not match the documents: run `coach kb build --force`")
        self._collections: dict[str, Any] = {}

    # ---- lazily built heavy parts (the embedder loads in ~1 s; stats never needs it) -------------------------

    @property
    def embedder(self) -> Embedder:
        """The query embedder."""
        if self._embedder is None:
            from coach.embeddings import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def collection(self, kind: str) -> Any:
        """The Chroma collection of `kind`."""
        with self._lock:
            if kind not in self._collections:
                if self._client is None:
                    self._client = chroma_client(self.settings)
                try:
                    self._collections[kind] = _collection(self._client, kind, create=False)
                except Exception as exc:
                    raise IndexMissing(
                        f"the {COLLECTIONS[kind]} collection is missing from the index: run `coach kb build`"
                    ) from exc
            return self._collections[kind]

    def counts(self) -> dict[str, int]:
        """Indexed documents per kind, as Chroma reports them."""
        return {k: int(self.collection(k).count()) for k in KINDS}

    # ---- search ------------------------------------------------------------------------------------------

    def _providers_matching(self, provider: str) -> list[str]:
        # Whole words of the provider's name: "google" → Google, Google Cloud, Google (Coursera); "meta" is
        # not "metasploit".
        p = norm_key(provider)
        return [x for x in self.providers if p and f" {p} " in f" {x} "]

    def _mask(
        self, kinds: Sequence[str], providers: list[str] | None, level: str | None, max_cost: float | None
    ) -> np.ndarray:
        mask = np.isin(self.kind_of, [KINDS.index(k) for k in kinds])
        if providers is not None:
            mask &= np.isin(self.provider_key, providers)
        if level is not None:
            mask &= self.level == level
        if max_cost is not None:
            with np.errstate(invalid="ignore"):
                mask &= self.cost <= max_cost  # unknown cost (NaN) never passes a budget
        return mask

    def search(
        self,
        query: str,
        kind: str | None = None,
        k: int = 10,
        provider: str | None = None,
        level: str | None = None,
        max_cost: float | None = None,
        *,
        mode: str = "hybrid",
    ) -> list[SearchHit]:
        """Hybrid search: dense (Chroma) and lexical (BM25) rankings fused, then exact-name and intent boosts.

        Filters: `kind` (occupation | skill | credential | rule | guidance), `provider` (case-insensitive; a part of the
        name matches, e.g. 'google' → Google, Google Cloud), `level`, `max_cost` (documents with unknown cost
        are left out, since they cannot be shown to fit). Provider, level and cost apply to credentials only.
        """
        query = (query or "").strip()
        if not query:
            raise BadInput("the search query is empty")
        if len(query) > 2000:
            raise BadInput("the search query is too long (2,000 characters at most)")
        if not 1 <= k <= 200:
            raise BadInput("k must be between 1 and 200")
        if max_cost is not None and (math.isnan(max_cost) or max_cost < 0):
            raise BadInput("max_cost must be a non-negative number")
        the_kind = normalise_kind(kind)
        lv = normalise_level(level)
        providers = self._providers_matching(provider) if provider and provider.strip() else None
        credential_only = providers is not None or lv is not None or max_cost is not None
        kinds = [the_kind] if the_kind else (["credential"] if credential_only else list(KINDS))
        if credential_only and kinds != ["credential"]:
            return []  # provider, level and cost describe credentials only
        if providers is not None and not providers:
            return []
        mask = self._mask(kinds, providers, lv, max_cost)
        if not mask.any():
            return []
        # Candidate depths do not depend on k, so the first hits are the same whatever k is asked for.
        lex_depth, dense_depth = max(LEXICAL_DEPTH, k), max(DENSE_DEPTH, k)

        if mode not in SEARCH_MODES:
            raise BadInput(f"unknown search mode {mode!r}: use one of {', '.join(SEARCH_MODES)}")
        use_dense, use_lexical, use_boosts = SEARCH_MODES[mode]

        # Lexical ranking.
        lex = self.lexical.scores(query) if use_lexical else np.zeros(len(self.docs), dtype=np.float32)
        lex = np.where(mask, lex, 0.0)
        nz = np.flatnonzero(lex > 0)
        lex_top = nz[np.argsort(-lex[nz], kind="stable")][:lex_depth]
        lex_rank = {int(i): r for r, i in enumerate(lex_top)}

        # Dense ranking (Chroma applies the same filters).
        vector = np.asarray(self.embedder.embed_one(query), dtype=np.float32) if use_dense else None
        where = _where(providers, lv, max_cost)
        dense: list[tuple[float, int]] = []
        for kd in kinds if use_dense else []:
            col = self.collection(kd)
            n = min(dense_depth, int(mask[self.kind_of == KINDS.index(kd)].sum()))
            if n <= 0:
                continue
            res = col.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
            for doc_id, dist in zip(res["ids"][0], res["distances"][0], strict=False):
                pos = self.position.get((kd, doc_id))
                if pos is not None and mask[pos]:
                    dense.append((1.0 - float(dist), pos))
        dense.sort(key=lambda t: -t[0])
        dense_rank = {pos: r for r, (_, pos) in enumerate(dense[:dense_depth])}
        dense_sim = {pos: s for s, pos in dense}

        # Exact names, exam codes and acronyms: the whole query, or a distinctive part of it.
        words = norm_key(query).split()
        full = " ".join(words)
        exact: dict[int, float] = {}
        for pos in self.keys.get(full, []) if use_boosts else []:
            if mask[pos]:
                exact[pos] = EXACT_BOOST
        for n in range(min(len(words), 6) if use_boosts else 0, 0, -1):
            for s in range(0, len(words) - n + 1):
                gram = " ".join(words[s : s + n])
                if gram == full or not _distinctive(gram):
                    continue
                for pos in self.keys.get(gram, []):
                    if mask[pos] and self.kind_of[pos] == KINDS.index("credential"):
                        exact[pos] = max(exact.get(pos, 0.0), PARTIAL_BOOST * n / len(words))

        want_level, want_types = query_intent(query) if use_boosts else (None, set())
        # A query in plain words ("entry level cybersecurity certification") is about meaning: its words recur
        # in hundreds of documents and BM25's order among them is noise, so the dense ranking leads. A name,
        # acronym or code ("SAA-C03", "CISSP") is matched best lexically, so both rankers count fully.
        w_dense = 1.0 if use_dense else 0.0
        w_lex = (1.0 if _looks_like_a_name(query) else LEXICAL_WEIGHT_PROSE) if use_lexical else 0.0
        best = (w_dense + w_lex) / (RRF_K + 1)
        scored: list[tuple[float, int]] = []
        for pos in set(lex_rank) | set(dense_rank) | set(exact):
            score = 0.0
            if pos in dense_rank:
                score += w_dense / (RRF_K + 1 + dense_rank[pos])
            if pos in lex_rank:
                score += w_lex / (RRF_K + 1 + lex_rank[pos])
            score /= best
            score += exact.get(pos, 0.0)
            if self.kind_of[pos] == KINDS.index("credential"):
                if want_level and self.level[pos] == want_level:
                    score += INTENT_BOOST
                if want_types and self.ctype[pos] in want_types:
                    score += INTENT_BOOST
                score += CORROBORATION_BOOST * min(max(int(self.datasets[pos]) - 1, 0), 2)
            elif use_boosts and self.sectors[pos] and not _names_a_sector(full, self.sectors[pos]):
                score -= SECTOR_MISS_PENALTY
            scored.append((score, pos))
        scored.sort(key=lambda t: (-t[0], -dense_sim.get(t[1], 0.0)))
        return [self._hit(pos, score, dense_sim.get(pos)) for score, pos in scored[:k]]

    def _hit(self, pos: int, score: float, similarity: float | None = None) -> SearchHit:
        d = self.docs[pos]
        meta = {k: v for k, v in d["metadata"].items() if k not in ("provider_key", "kind", "title")}
        return SearchHit(
            id=d["id"],
            kind=d["kind"],
            title=d["title"],
            score=round(float(score), 4),
            source=Source(**d["source"]),
            snippet=d["snippet"],
            metadata=meta,
            similarity=None if similarity is None else round(float(similarity), 4),
        )

    def get(self, kind: str, doc_id: str) -> SearchHit | None:
        """The document `doc_id` of `kind` as a hit (score 0), or None."""
        pos = self.position.get((normalise_kind(kind) or "", doc_id))
        return None if pos is None else self._hit(pos, 0.0)


def _looks_like_a_name(query: str) -> bool:
    """Short, or holding a code, an acronym or a 'Security+'-style token: a lookup, not a description."""
    words = query.split()
    if len(words) <= 2:
        return True
    return any(
        any(ch.isdigit() for ch in w) or "+" in w or "#" in w or (len(w) >= 2 and w.isupper()) for w in words
    )


def _distinctive(gram: str) -> bool:
    """Parts of a query worth an exact-name boost: codes, 'Security+', or several words; not 'security'."""
    return " " in gram or any(ch.isdigit() or ch in "+#" for ch in gram)


def _where(providers: list[str] | None, level: str | None, max_cost: float | None) -> dict[str, Any] | None:
    conds: list[dict[str, Any]] = []
    if providers is not None:
        conds.append({"provider_key": {"$in": providers}})
    if level is not None:
        conds.append({"level": level})
    if max_cost is not None:
        conds.append({"cost": {"$lte": float(max_cost)}})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


@lru_cache(maxsize=1)
def get_index() -> KnowledgeIndex:
    """The process-wide index opened from the default settings (raises IndexMissing when not built)."""
    from coach.settings import get_settings

    return KnowledgeIndex(get_settings())


def _names_a_sector(query: str, sectors: list[str]) -> bool:
    """True when a normalised query names one of the sectors (or a word for it: "law" for legal work)."""
    padded = f" {query} "
    return any(f" {w} " in padded for sector in sectors for w in SECTOR_WORDS.get(sector, (sector,)))
