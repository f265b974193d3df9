"""Linking phrases to the ESCO skill space: exact label match, else the nearest label by embedding similarity."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from coach.knowledge.sources.common import norm
from coach.models import Skill

# Cosine similarity of all-MiniLM-L6-v2 embeddings above which a short phrase is linked to the nearest ESCO
# preferred label. Chosen on ESCO's own alternative labels (a phrase whose right answer is known): see
# knowledge_base/README.md "How skills were linked" for the precision measured at this threshold.
PHRASE_THRESHOLD = 0.70
# Longer texts (a course title, a certification name) are less similar to any one label; a lower bar, and
# only skills close to the best one are kept.
TEXT_THRESHOLD = 0.55
SINGLE_WORD_THRESHOLD = 0.8
MARGIN = 0.06
MAX_PER_PHRASE = 3


class SkillMatcher:
    """Links phrases to ESCO skills: exact label match first, then embedding nearest neighbour."""

    def __init__(self, skills: dict[str, Skill], cache_dir: Path, embedder: object | None = None) -> None:
        from coach.embeddings import cached_matrix, get_embedder

        self.uris = list(skills)
        self._embedder = embedder or get_embedder()
        self._cache_dir = cache_dir
        self.exact: dict[str, list[str]] = {}
        for uri, skill in skills.items():
            self.exact.setdefault(norm(skill.label), []).insert(0, uri)
        for uri, skill in skills.items():
            for alt in skill.alt_labels:
                ids = self.exact.setdefault(norm(alt), [])
                if uri not in ids:
                    ids.append(uri)
        labels = [skills[u].label for u in self.uris]
        self.matrix = cached_matrix("esco-skill-labels", labels, self._embedder, cache_dir)  # type: ignore[arg-type]

    def embed(self, name: str, texts: Sequence[str]):
        """Embeddings of `texts`, cached under `name` (the same texts are embedded once)."""
        from coach.embeddings import cached_matrix

        return cached_matrix(name, list(texts), self._embedder, self._cache_dir)  # type: ignore[arg-type]

    def link(
        self,
        phrases: Sequence[str],
        name: str,
        *,
        threshold: float = PHRASE_THRESHOLD,
        k: int = MAX_PER_PHRASE,
        exact: bool = True,
    ) -> list[list[tuple[str, float]]]:
        """For each phrase, up to `k` (ESCO URI, score) pairs, best first; empty when nothing is close enough."""
        import numpy as np

        out: list[list[tuple[str, float]]] = [[] for _ in phrases]
        todo: list[int] = []
        for i, phrase in enumerate(phrases):
            hits = self.exact.get(norm(phrase)) if exact else None
            if hits:
                out[i] = [(u, 1.0) for u in hits[:k]]
            elif phrase.strip():
                todo.append(i)
        if not todo:
            return out
        # A trailing qualifier ("Docker (Software)") is dropped before embedding: it pulls towards unrelated
        # labels; ESCO's own qualified labels ("Python (computer programming)") were matched exactly above.
        stripped = {i: re.sub(r"\s*\([^)]*\)\s*$", "", phrases[i]).strip() or phrases[i] for i in todo}
        vectors = self.embed(name, [stripped[i] for i in todo])
        sims = vectors @ self.matrix.T
        for row, i in enumerate(todo):
            top = np.argpartition(-sims[row], k)[:k]
            top = top[np.argsort(-sims[row][top])]
            best = float(sims[row][top[0]])
            # One word ("Docker", "Planning") is close to many unrelated labels: it needs a higher bar.
            bar = max(threshold, SINGLE_WORD_THRESHOLD) if len(norm(stripped[i]).split()) == 1 else threshold
            out[i] = [
                (self.uris[j], round(float(sims[row][j]), 4))
                for j in top
                if sims[row][j] >= bar and sims[row][j] >= best - MARGIN
            ]
        return out


_MATCHERS: dict[tuple[str, int], SkillMatcher] = {}


def shared_matcher(skills: dict[str, Skill], cache_dir: Path) -> SkillMatcher:
    """One SkillMatcher per skill space and cache folder in a process (building one takes a few seconds)."""
    key = (str(cache_dir), len(skills))
    if key not in _MATCHERS:
        _MATCHERS[key] = SkillMatcher(skills, cache_dir)
    return _MATCHERS[key]
