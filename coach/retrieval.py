"""The offline retrieval index: Chroma (dense, our MiniLM vectors) + BM25 (lexical), searched together.

`build_index(catalog, settings)` turns every occupation, skill, credential and rule into a document, embeds
only the documents whose content hash changed (the hash lives in each Chroma record's metadata, so a build
that was killed half-way simply finishes on the next run), deletes documents that disappeared, and writes the
lexical index, the document table and a manifest next to Chroma. `get_index().search(...)` fuses the dense and
lexical rankings (reciprocal-rank fusion), then adds small, explainable boosts: an exact name / exam-code /
acronym match, and the level or credential type the query asks for.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from pydantic import BaseModel, Field

from coach.errors import BadInput, IndexMissing
from coach.models import Credential, Occupation, Rule, Skill, Source

if TYPE_CHECKING:
    from coach.embeddings import Embedder
    from coach.settings import Settings

INDEX_VERSION = 1
LEXICAL_VERSION = 3  # bump when tokenisation or BM25 weighting changes: the lexical index is then rebuilt
KINDS: tuple[str, ...] = ("occupation", "skill", "credential", "rule")
COLLECTIONS = {"occupation": "occupations", "skill": "skills", "credential": "credentials", "rule": "rules"}
LEVELS = ("entry", "intermediate", "advanced", "expert")
LEVEL_SYNONYMS = {"beginner": "entry", "introductory": "entry", "foundational": "entry", "mixed": None}
MANIFEST = "manifest.json"
DOCS_FILE = "documents.json"
LEXICAL_FILE = "lexical.npz"
VOCAB_FILE = "lexical_vocab.json"
EMBED_BATCH = 256  # documents embedded and upserted per step: what an interrupted build can lose at most
RRF_K = 60
# Per-kind word caps for the embedded text: MiniLM's cost grows with length and 20k documents must embed in
# well under the 3-minute build budget on 2 cores; titles and the opening of a description carry the meaning.
LEXICAL_SKILLS = 12
DENSE_WORDS = {"occupation": 40, "skill": 24, "credential": 56, "rule": 72}
TYPE_LABELS = {
    "certification": "certification",
    "professional_certificate": "professional certificate",
    "specialization": "specialization",
    "course": "course",
    "guided_project": "guided project",
    "badge": "badge",
    "designation": "professional designation",
    "program": "program",
    "degree": "degree",
}
RULE_LABELS = {
    "prerequisite_required": "required prerequisite",
    "recommended_before": "recommended before",
    "experience_required": "experience requirement",
    "stackable_award": "stackable certification award",
    "equivalence": "equivalence",
    "renewal_by_higher_cert": "renewal by a higher certification",
    "discount_or_voucher": "discount or voucher",
    "credit_recommendation": "credit recommendation",
}
ONET_SOURCE = "O*NET 29.2"
ESCO_SOURCE = "ESCO 1.1.1"


class CatalogLike(Protocol):
    """What the index needs from coach.knowledge.Catalog."""

    occupations: dict[str, Occupation]
    skills: dict[str, Skill]
    credentials: dict[str, Credential]
    rules: list[Rule]


# --------------------------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------------------------


class SearchHit(BaseModel):
    """One ranked search result with where it came from."""

    id: str = Field(description="Catalogue id: SOC code, ESCO URI, credential id or rule id.")
    kind: str = Field(description="occupation | skill | credential | rule")
    title: str
    score: float = Field(description="Fused relevance (higher is better; an exact name match adds 1).")
    source: Source
    snippet: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


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


# --------------------------------------------------------------------------------------------------------------
# Text normalisation shared by the lexical index and exact-name matching
# --------------------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[-./][^\W_]+)*[+#]*")
_SPLIT = re.compile(r"[-./+#]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "which",
        "who",
        "what",
        "how",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "can",
        "do",
        "does",
        "vs",
        "via",
        "than",
        "then",
        "also",
        "about",
        "over",
    ]
)


def _fold(text: str) -> str:
    if text.isascii():  # the common case, and 20x faster than normalising
        return text.lower().replace("'", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold().replace("'", "").replace("’", "")


def _stem(word: str) -> str:
    """A deliberately light plural stemmer: 'certifications' and 'certification' share a token."""
    if word.startswith("certif"):
        # Names and types use certified / certificate / certification interchangeably ("ISC2 Certified in
        # Cybersecurity", "Professional Certificate"): one token, so a query's word matches any of them.
        return "certif"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lexical tokens: stemmed words without stopwords, plus compounds kept whole ('security+', 'saa-c03')."""
    out: list[str] = []
    for match in _WORD.finditer(_fold(text)):
        tok = match.group()
        if _SPLIT.search(tok):
            out.append(tok)  # the compound wins exact matches: "security+" is rarer than "security"
            out.extend(_stem(p) for p in _SPLIT.split(tok) if p and p not in STOPWORDS)
        elif tok not in STOPWORDS:
            out.append(_stem(tok))
    return out


def norm_key(text: str) -> str:
    """Normalise a name for exact matching: folded words, '+' and '#' kept, other punctuation dropped."""
    return " ".join(re.findall(r"[^\W_]+[+#]*", _fold(text)))


# --------------------------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Document:
    """One indexed record: what is embedded, what is matched lexically, and what a hit shows."""

    id: str
    kind: str
    title: str
    dense_text: str
    lexical_text: str
    snippet: str
    source: Source
    metadata: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)  # exact-match names, exam codes and acronyms

    @property
    def content_hash(self) -> str:
        """Hash of everything stored for this document (a change means re-embed and re-upsert)."""
        payload = json.dumps(
            [
                self.dense_text,
                self.lexical_text,
                self.snippet,
                self.source.model_dump(),
                self.metadata,
                self.keys,
            ],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _cap_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _snippet(text: str, n: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata takes str/int/float/bool only: drop empty values rather than store placeholders."""
    return {k: v for k, v in meta.items() if v is not None and v != ""}


def _acronyms(name: str) -> list[str]:
    return [a for a in re.findall(r"\(([^()]{2,15})\)", name) if not a.strip().lower().startswith("retired")]


def credential_document(cred: Credential, skill_label: Callable[[str], str]) -> Document:
    """A credential as a document: name, provider, type, level, description and skills."""
    type_label = TYPE_LABELS.get(cred.type, cred.type.replace("_", " "))
    level = f", {cred.level} level" if cred.level else ""
    skills = list(dict.fromkeys([*cred.skill_tags, *(skill_label(u) for u in cred.skills)]))
    head = f"{cred.name}. {type_label.capitalize()} by {cred.provider}{level}."
    # Skills before the description: what a credential is about matters more to a search than its renewal
    # terms, and the word cap cuts the end.
    dense = head + (" Skills: " + ", ".join(skills[:6]) + "." if skills else "")
    if cred.description:
        dense += " " + cred.description
    dense = _cap_words(dense, DENSE_WORDS["credential"])
    # The name three times (a poor man's field weight: a word in the name says more than one in a list of
    # linked skills), and only the first skills, so long skill lists do not drown the name.
    lexical = " ".join(
        [
            cred.name,
            cred.name,
            cred.name,
            cred.provider,
            cred.exam_code or "",
            type_label,
            cred.level or "",
            cred.description,
            *(getattr(cred, "aliases", None) or []),
            *skills[:LEXICAL_SKILLS],
        ]
    )
    src = next((s for s in cred.sources if s.url), cred.sources[0] if cred.sources else None)
    source = Source(
        name=src.name if src else cred.provider,
        url=cred.url or (src.url if src else None),
        licence=src.licence if src else None,
        as_of=src.as_of if src else None,
    )
    keys = [cred.name, re.sub(r"\([^()]*\)", " ", cred.name)]
    prov = norm_key(cred.provider).split(" ")[0] if cred.provider.strip() else ""
    name_key = norm_key(cred.name)
    if prov and name_key.startswith(prov + " "):
        keys.append(name_key[len(prov) + 1 :])  # "CompTIA Security+" is also "Security+"
    keys += list(getattr(cred, "aliases", None) or [])  # names the catalogue knows it by ("Security+", "CC")
    for acro in _acronyms(cred.name):
        keys += [acro, f"{prov} {acro}"]
    if cred.exam_code:
        keys += [c for c in re.split(r"[;,/]| or ", cred.exam_code) if c.strip()]
    meta = _clean_meta(
        {
            "kind": "credential",
            "title": cred.name,
            "provider": cred.provider,
            "provider_key": norm_key(cred.provider),
            "type": cred.type,
            "level": cred.level,
            "cost": float(cred.cost) if cred.cost is not None else None,
            "currency": cred.currency,
            "hours": cred.hours,
            "exam_code": cred.exam_code,
            "url": cred.url,
            "microcredential": cred.is_microcredential,
            # Independent catalogues listing it (curated list, roadmap, Coursera...): a sign it is established.
            "datasets": len({x.name.split(":")[0].strip() for x in cred.sources}) or None,
            "source_name": source.name,
            "source_url": source.url,
            "as_of": source.as_of,
        }
    )
    return Document(
        id=cred.id,
        kind="credential",
        title=cred.name,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(cred.description or head),
        source=source,
        metadata=meta,
        keys=_unique_keys(keys),
    )


def occupation_document(occ: Occupation) -> Document:
    """An O*NET or ESCO occupation as a document: title, alternate titles, description."""
    alts = [a for a in occ.alt_titles if a.lower() != occ.title.lower()]
    dense = occ.title + "."
    if alts:
        dense += " Also: " + "; ".join(alts[:5]) + "."
    if occ.description:
        dense += " " + occ.description
    dense = _cap_words(dense, DENSE_WORDS["occupation"])
    lexical = " ".join([occ.title, occ.title, occ.code, *alts, occ.description])
    if occ.source == "onet":
        source = Source(
            name=ONET_SOURCE,
            url=f"https://www.onetonline.org/link/summary/{occ.id}",
            licence="CC BY 4.0",
        )
    else:
        source = Source(name=ESCO_SOURCE, url=occ.id, licence="CC BY 4.0")
    meta = _clean_meta(
        {
            "kind": "occupation",
            "title": occ.title,
            "taxonomy": occ.source,
            "code": occ.code,
            "job_zone": occ.job_zone,
            "source_name": source.name,
            "source_url": source.url,
        }
    )
    keys = [occ.title, *alts]
    if occ.source == "onet" and occ.code:
        keys += [occ.code, occ.code.split(".")[0]]
    return Document(
        id=occ.id,
        kind="occupation",
        title=occ.title,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(occ.description or occ.title),
        source=source,
        metadata=meta,
        keys=_unique_keys(keys),
    )


def skill_document(skill: Skill) -> Document:
    """An ESCO skill as a document: preferred and alternative labels, the start of its description."""
    alts = [a for a in skill.alt_labels if a.lower() != skill.label.lower()]
    # Labels only: 13,896 skills dominate the build time, and alternative labels carry most of the paraphrase
    # signal; the description is still matched lexically.
    dense = _cap_words(skill.label + (" (" + "; ".join(alts[:4]) + ")" if alts else ""), DENSE_WORDS["skill"])
    lexical = " ".join([skill.label, skill.label, *alts, skill.description])
    source = Source(name=ESCO_SOURCE, url=skill.uri, licence="CC BY 4.0")
    meta = _clean_meta(
        {
            "kind": "skill",
            "title": skill.label,
            "skill_type": skill.skill_type,
            "reuse_level": skill.reuse_level,
            "source_name": source.name,
            "source_url": source.url,
        }
    )
    return Document(
        id=skill.uri,
        kind="skill",
        title=skill.label,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(skill.description or skill.label),
        source=source,
        metadata=meta,
        keys=_unique_keys([skill.label, *alts]),
    )


def rule_document(rule: Rule, name_of: Callable[[str], str]) -> Document:
    """A pathway rule as a document, written with credential names so people's words match it."""
    label = RULE_LABELS.get(rule.type, rule.type.replace("_", " "))
    subject = name_of(rule.subject)
    objects = [name_of(o) for o in rule.objects]
    joiner = " or " if rule.any_of else ", "
    title = f"{subject}: {label}" + (f" ({joiner.join(objects)})" if objects else "")
    body = " ".join(x for x in [rule.condition, rule.quote or ""] if x)
    years = f" {rule.experience_years:g} years of experience." if rule.experience_years else ""
    dense = _cap_words(f"{title}.{years} {body}", DENSE_WORDS["rule"])
    lexical = " ".join([title, rule.subject, *rule.objects, label, years, body])
    source = Source(name="Pathway rules (curated)", url=rule.source_url, as_of=rule.as_of)
    meta = _clean_meta(
        {
            "kind": "rule",
            "title": title,
            "rule_type": rule.type,
            "subject": rule.subject,
            "objects": ";".join(rule.objects),
            "source_name": source.name,
            "source_url": source.url,
            "as_of": rule.as_of,
        }
    )
    return Document(
        id=rule.id,
        kind="rule",
        title=title,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(body or title),
        source=source,
        metadata=meta,
        keys=_unique_keys([rule.id]),
    )


def _unique_keys(keys: Iterable[str]) -> list[str]:
    out = [norm_key(k) for k in keys]
    return list(dict.fromkeys(k for k in out if len(k) >= 2))


def catalog_documents(catalog: CatalogLike) -> dict[str, list[Document]]:
    """Every catalogue record as a document, grouped by kind (ordered for reproducible builds)."""

    def skill_label(uri: str) -> str:
        skill = catalog.skills.get(uri)
        return skill.label if skill else ""

    def name_of(cred_id: str) -> str:
        cred = catalog.credentials.get(cred_id)
        return cred.name if cred else cred_id

    docs: dict[str, list[Document]] = {
        "occupation": [occupation_document(o) for o in catalog.occupations.values()],
        "skill": [skill_document(s) for s in catalog.skills.values()],
        "credential": [credential_document(c, skill_label) for c in catalog.credentials.values()],
        "rule": [rule_document(r, name_of) for r in catalog.rules],
    }
    for kind, items in docs.items():
        seen: set[str] = set()
        unique = []
        for d in items:
            if d.id not in seen:
                seen.add(d.id)
                unique.append(d)
        docs[kind] = unique
    return docs


# --------------------------------------------------------------------------------------------------------------
# Lexical index (BM25 as a sparse doc × term matrix of precomputed term weights)
# --------------------------------------------------------------------------------------------------------------


def _joined(tokens: Sequence[str], known: Collection[str]) -> list[str]:
    """Adjacent words written as one elsewhere in the corpus: 'cyber security' also counts as 'cybersecurity'."""
    out = []
    for a, b in itertools.pairwise(tokens):
        if a.isalpha() and b.isalpha() and (a + b) in known:
            out.append(a + b)
    return out


class LexicalIndex:
    """Okapi BM25 over tokenised documents; a query sums a few sparse columns (well under a millisecond)."""

    def __init__(self, matrix: Any, vocab: dict[str, int]) -> None:
        self.matrix = matrix.tocsc()
        self.vocab = vocab

    @classmethod
    def build(cls, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        """Index `texts` (one per document, in document order)."""
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        tokenised = [tokenize(t) for t in texts]
        known = {t for toks in tokenised for t in toks}
        for i, toks in enumerate(tokenised):
            counts: dict[int, int] = {}
            toks = toks + _joined(toks, known)
            lengths[i] = len(toks)
            for t in toks:
                j = vocab.setdefault(t, len(vocab))
                counts[j] = counts.get(j, 0) + 1
            rows.extend([i] * len(counts))
            cols.extend(counts.keys())
            tfs.extend(counts.values())
        n = max(len(texts), 1)
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        tf = np.asarray(tfs, dtype=np.float32)
        df = np.bincount(c, minlength=len(vocab)).astype(np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) if len(texts) else 1.0
        norm = k1 * (1 - b + b * lengths[r] / max(avgdl, 1e-9))
        weights = idf[c] * tf * (k1 + 1) / (tf + norm)
        matrix = sparse.csr_matrix(
            (weights, (r, c)), shape=(len(texts), max(len(vocab), 1)), dtype=np.float32
        )
        return cls(matrix, vocab)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for `query` (zeros when no term matches)."""
        toks = tokenize(query)
        cols = sorted({self.vocab[t] for t in toks + _joined(toks, self.vocab) if t in self.vocab})
        out = np.zeros(self.matrix.shape[0], dtype=np.float32)
        m = self.matrix
        for col in cols:  # add each term's postings straight from the CSC arrays (no sparse slicing)
            lo, hi = m.indptr[col], m.indptr[col + 1]
            out[m.indices[lo:hi]] += m.data[lo:hi]
        return out

    def save(self, folder: Path) -> None:
        """Write the matrix and vocabulary atomically."""
        from scipy import sparse

        tmp = folder / f"{LEXICAL_FILE}.{os.getpid()}.tmp.npz"
        sparse.save_npz(tmp, self.matrix.tocsr())
        tmp.replace(folder / LEXICAL_FILE)
        _write_json(folder / VOCAB_FILE, self.vocab)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read a saved index."""
        from scipy import sparse

        return cls(
            sparse.load_npz(folder / LEXICAL_FILE), json.loads((folder / VOCAB_FILE).read_text("utf-8"))
        )


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a file


# --------------------------------------------------------------------------------------------------------------
# Chroma
# --------------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------------------------


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
                metadatas=[{**d.metadata, "hash": wanted[d.id], "ehash": ehashes[kind][d.id]} for d in chunk],
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
                        {**d.metadata, "hash": hashes[kind][d.id], "ehash": ehashes[kind][d.id]}
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


def _files_present(folder: Path) -> bool:
    return all((folder / f).exists() for f in (DOCS_FILE, LEXICAL_FILE, VOCAB_FILE))


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The build manifest, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------------------------

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

        Filters: `kind` (occupation | skill | credential | rule), `provider` (case-insensitive; a part of the
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
            scored.append((score, pos))
        scored.sort(key=lambda t: (-t[0], -dense_sim.get(t[1], 0.0)))
        return [self._hit(pos, score) for score, pos in scored[:k]]

    def _hit(self, pos: int, score: float) -> SearchHit:
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


# --------------------------------------------------------------------------------------------------------------
# Process-wide index and stats
# --------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def get_index() -> KnowledgeIndex:
    """The process-wide index opened from the default settings (raises IndexMissing when not built)."""
    from coach.settings import get_settings

    return KnowledgeIndex(get_settings())


def index_stats(settings: Settings, catalog: CatalogLike | None = None) -> dict[str, Any]:
    """Counts for `coach kb stats`: the catalogue's records and the index's documents per kind."""
    out: dict[str, Any] = {}
    if catalog is not None:
        stats = getattr(catalog, "stats", None)
        if callable(stats):
            out.update(stats())
        else:
            out.update(
                {
                    "onet_occupations": sum(o.source == "onet" for o in catalog.occupations.values()),
                    "esco_occupations": sum(o.source == "esco" for o in catalog.occupations.values()),
                    "occupations": len(catalog.occupations),
                    "skills": len(catalog.skills),
                    "credentials": len(catalog.credentials),
                    "rules": len(catalog.rules),
                }
            )
    manifest = read_manifest(settings.index_path)
    if manifest is None:
        out["index"] = {"built": False, "path": str(settings.index_path)}
        return out
    try:
        client = chroma_client(settings)
        counts = {k: int(_collection(client, k, create=False).count()) for k in KINDS}
    except Exception:  # a missing collection: report what the manifest recorded
        counts = manifest.get("documents", {})
    out["indexed"] = {COLLECTIONS[k]: int(counts.get(k, 0)) for k in KINDS}
    out["indexed_total"] = sum(out["indexed"].values())
    out["index"] = {
        "built": bool(manifest.get("complete")),
        "path": str(settings.index_path),
        "built_at": manifest.get("built_at"),
        "build_seconds": manifest.get("seconds"),
        "chroma": manifest.get("chroma"),
    }
    return out
