"""The taxonomy linker: free text → ranked ESCO skills, job titles → ranked ESCO occupations (+ O*NET-SOC).

Everything runs offline on the bundled all-MiniLM-L6-v2 embedder. Label matrices (every preferred and
alternative label) are embedded once, cached on disk under settings.home/cache and kept in memory, so a
warm linker answers a batch with one embedding call and a matrix product.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from coach.embeddings import Embedder, cached_matrix
from coach.errors import BadInput
from coach.models import Occupation, RoleMatch, Skill, SkillRef

# A sentence-level linker: longer inputs are cut here (the encoder sees at most 256 tokens anyway).
MAX_TEXT_CHARS = 2_000
MAX_TITLE_CHARS = 300
MAX_TOP_K = 200
_CHUNK = 64  # texts per matrix product: bounds memory (64 × 100k floats ≈ 25 MB)


class CatalogLike(Protocol):
    """What the linker needs from coach.knowledge.Catalog."""

    skills: dict[str, Skill]
    occupations: dict[str, Occupation]


@dataclass
class _LabelSpace:
    """Entities with their label rows: `matrix[starts[i]:starts[i+1]]` are the labels of entity i."""

    ids: list[str]
    labels: list[str]
    texts: list[str]
    owner: np.ndarray
    starts: np.ndarray
    matrix: np.ndarray


def _dedupe(texts: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for t in texts:
        t = " ".join(t.split())
        if t and t.lower() not in seen:
            seen.add(t.lower())
            out.append(t)
    return out


def _label_space(
    name: str,
    entries: Sequence[tuple[str, str, Sequence[str]]],
    embedder: Embedder,
    cache_dir: Path,
) -> _LabelSpace:
    """Embed every (id, preferred label, other labels) entry's labels, grouped by entity."""
    ids, labels, texts, owner, starts = [], [], [], [], []
    for i, (eid, label, others) in enumerate(entries):
        group = _dedupe([label, *others]) or [eid]
        ids.append(eid)
        labels.append(label)
        starts.append(len(texts))
        texts.extend(group)
        owner.extend([i] * len(group))
    matrix = cached_matrix(name, texts, embedder, cache_dir)
    return _LabelSpace(
        ids=ids,
        labels=labels,
        texts=texts,
        owner=np.asarray(owner, dtype=np.int32),
        starts=np.asarray(starts, dtype=np.int64),
        matrix=matrix,
    )


def _clean(text: object, limit: int) -> str:
    """Whitespace-normalised text cut to `limit` characters; refuses non-strings."""
    if not isinstance(text, str):
        raise BadInput(f"text must be a string, not {type(text).__name__}")
    return " ".join(text[:limit].split())


def _check_top(top_k: int) -> int:
    if not isinstance(top_k, int) or top_k < 1:
        raise BadInput(f"top_k must be a positive integer, got {top_k!r}")
    return min(top_k, MAX_TOP_K)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first (argpartition, then a small sort)."""
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


class SkillLinker:
    """Ranks ESCO skills for a text and ESCO occupations for a job title."""

    def __init__(self, catalog: CatalogLike, embedder: Embedder, cache_dir: Path) -> None:
        self.catalog = catalog
        self.embedder = embedder
        skills = sorted(catalog.skills.values(), key=lambda s: s.uri)
        self._skills = _label_space(
            "linker-skill-labels", [(s.uri, s.label, s.alt_labels) for s in skills], embedder, cache_dir
        )
        occs = sorted((o for o in catalog.occupations.values() if o.source == "esco"), key=lambda o: o.id)
        self._soc = _soc_links(catalog)
        self._roles = _label_space(
            "linker-role-labels", [(o.id, o.title, o.alt_titles) for o in occs], embedder, cache_dir
        )

    def describe(self) -> str:
        """A one-line description of the method and label space, for reports."""
        return (
            f"MiniLM max-similarity over {len(self._skills.texts):,} skill labels of {len(self._skills.ids):,} "
            f"skills and {len(self._roles.texts):,} titles of {len(self._roles.ids):,} occupations"
        )

    # ---- skills --------------------------------------------------------------------------------------------

    def rank_skills(self, text: str, top_k: int = 10) -> list[SkillRef]:
        """The ESCO skills a text mentions or implies, best first (empty text → empty list)."""
        return self.rank_skills_batch([text], top_k)[0]

    def rank_skills_batch(self, texts: Sequence[str], top_k: int = 10) -> list[list[SkillRef]]:
        """`rank_skills` for many texts at once (one embedding call; much faster per text)."""
        k = _check_top(top_k)
        cleaned = [_clean(t, MAX_TEXT_CHARS) for t in texts]
        scored = self._rank(self._skills, cleaned, k)
        return [[SkillRef(uri=u, label=lab, score=s) for u, lab, s in row] for row in scored]

    # ---- roles ---------------------------------------------------------------------------------------------

    def rank_roles(self, title: str, top_k: int = 10) -> list[RoleMatch]:
        """ESCO occupations for a job title, best first, each with its linked O*NET-SOC code when known."""
        return self.rank_roles_batch([title], top_k)[0]

    def rank_roles_batch(self, titles: Sequence[str], top_k: int = 10) -> list[list[RoleMatch]]:
        """`rank_roles` for many titles at once."""
        k = _check_top(top_k)
        cleaned = [_clean(t, MAX_TITLE_CHARS) for t in titles]
        scored = self._rank(self._roles, cleaned, k)
        return [
            [RoleMatch(uri=u, label=lab, onet_soc=self._soc.get(u), score=s) for u, lab, s in row]
            for row in scored
        ]

    # ---- shared --------------------------------------------------------------------------------------------

    def _rank(self, space: _LabelSpace, texts: list[str], k: int) -> list[list[tuple[str, str, float]]]:
        """Max-similarity over each entity's labels; empty texts get an empty list."""
        out: list[list[tuple[str, str, float]]] = [[] for _ in texts]
        todo = [i for i, t in enumerate(texts) if t]
        if not todo:
            return out
        queries = self.embedder.embed([texts[i] for i in todo])
        for c in range(0, len(todo), _CHUNK):
            sims = queries[c : c + _CHUNK] @ space.matrix.T
            per_entity = np.maximum.reduceat(sims, space.starts, axis=1)
            for row, i in enumerate(todo[c : c + _CHUNK]):
                scores = per_entity[row]
                out[i] = [
                    (space.ids[j], space.labels[j], round(float(scores[j]), 4)) for j in _top(scores, k)
                ]
        return out


def _soc_links(catalog: CatalogLike) -> dict[str, str]:
    """ESCO occupation URI → its best-linked O*NET-SOC code (from either side's links), when the catalogue has one."""
    best: dict[str, tuple[float, str]] = {}

    def offer(uri: str, soc: str, conf: float) -> None:
        if conf > best.get(uri, (-1.0, ""))[0]:
            best[uri] = (conf, soc)

    for occ in catalog.occupations.values():
        for link in occ.links:
            if occ.source == "esco" and link.target[:2].isdigit():  # a SOC code such as "15-1212.00"
                offer(occ.id, link.target, link.confidence)
            elif occ.source == "onet" and link.target in catalog.occupations:
                offer(link.target, occ.id, link.confidence)
    return {uri: soc for uri, (_, soc) in best.items()}


_lock = threading.Lock()
_linker: SkillLinker | None = None


def get_linker() -> SkillLinker:
    """The process-wide linker over the default catalogue (label matrices cached under settings.home/cache)."""
    global _linker
    with _lock:
        if _linker is None:
            from coach.embeddings import get_embedder
            from coach.knowledge import get_catalog
            from coach.settings import get_settings

            _linker = SkillLinker(get_catalog(), get_embedder(), get_settings().home / "cache")
        return _linker


# --------------------------------------------------------------------------------------------------------------
# The JSON-lines stream of `coach skills rank` / `coach roles rank`
# --------------------------------------------------------------------------------------------------------------

MAX_LINE_BATCH = 256


def iter_line_batches(fd: int, max_batch: int = MAX_LINE_BATCH) -> Iterator[list[bytes]]:
    """Complete lines from a file descriptor, grouped by what has already arrived (at most `max_batch`).

    Reads with os.read, which returns whatever is waiting: a piped file yields big batches (fast, one
    embedding call each) while an interactive writer gets an answer per line without waiting for more input.
    """
    pending = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for start in range(0, len(lines), max_batch):
            yield lines[start : start + max_batch]
    if pending.strip():
        yield [pending]


def parse_rank_line(raw: bytes) -> tuple[object, str, str | None] | None:
    """One input line → (id, text, error); None for a blank line. Never raises."""
    line = raw.decode("utf-8", "replace").strip()
    if not line:
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, "", f"invalid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(obj, dict):
        return None, "", 'each line must be a JSON object {"id": ..., "text": ...}'
    text = obj.get("text")
    if not isinstance(text, str):
        return obj.get("id"), "", '"text" must be a string'
    return obj.get("id"), text, None
