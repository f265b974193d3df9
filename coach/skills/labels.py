"""Label spaces (entities with their embedded labels, grouped), the input checks and the top-k helper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.embeddings import Embedder, cached_matrix
from coach.errors import BadInput

# A sentence-level linker: longer inputs are cut here (the encoder sees at most 256 tokens anyway).
MAX_TEXT_CHARS = 2_000
MAX_TITLE_CHARS = 300
MAX_TOP_K = 200


@dataclass
class _LabelSpace:
    """Entities with their label rows: `matrix[starts[i]:starts[i+1]]` are the labels of entity i."""

    ids: list[str]
    labels: list[str]
    texts: list[str]
    owner: np.ndarray
    starts: np.ndarray
    matrix: np.ndarray

    @property
    def preferred(self) -> np.ndarray:
        """One row per entity: its preferred label (the first of its group)."""
        return self.matrix[self.starts]


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
    ids: list[str] = []
    labels: list[str] = []
    texts: list[str] = []
    owner: list[int] = []
    starts: list[int] = []
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
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        raise BadInput(f"top_k must be a positive integer, got {top_k!r}")
    return min(top_k, MAX_TOP_K)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first (argpartition, then a small sort)."""
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
