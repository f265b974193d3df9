"""Taxonomy links for requirements (ESCO skills via the linker) and the process-wide caches of links and
embeddings that make repeated analyses cheap."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from coach.models import Profile, Requirement, SkillRef
from coach.postings.spans import _Span

SKILLS_PER_REQUIREMENT = 5
MIN_SKILL_SCORE = 0.5  # linker scores below this are noise for a short span
MIN_TOOL_SCORE = 0.7

# LRU caches per linker or embedder object (weakly held, so a rebuilt one never sees a freed one's entries),
# text → skill links or embedding vector.
_EMBED_LOCK = threading.Lock()  # guards both caches below
_LINK_CACHE: weakref.WeakKeyDictionary[Any, OrderedDict[str, list[SkillRef]]] = weakref.WeakKeyDictionary()
_LINK_CACHE_SIZE = 4096
_EMBED_CACHE: weakref.WeakKeyDictionary[Any, OrderedDict[str, np.ndarray]] = weakref.WeakKeyDictionary()
_EMBED_CACHE_SIZE = 4096


def _cached_batch(
    caches: weakref.WeakKeyDictionary[Any, OrderedDict[str, Any]],
    size: int,
    owner: Any,
    texts: list[str],
    compute: Any,
) -> list[Any]:
    """Values for `texts` from `owner`'s LRU cache in `caches`; `compute` gets the distinct texts not seen
    before, in one batch."""
    with _EMBED_LOCK:
        cache = caches.get(owner)
        if cache is None:
            cache = caches[owner] = OrderedDict()
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
    if missing:
        fresh = compute(missing)
        with _EMBED_LOCK:
            for t, value in zip(missing, fresh, strict=True):
                cache[t] = value
            while len(cache) > size:
                cache.popitem(last=False)
    with _EMBED_LOCK:
        return [cache[t] for t in texts]


def _rank_skills_cached(linker: Any, texts: list[str]) -> list[list[SkillRef]]:
    """linker.rank_skills_batch over the distinct texts not seen before ("Python" is linked once)."""
    ranked = _cached_batch(
        _LINK_CACHE,
        _LINK_CACHE_SIZE,
        linker,
        texts,
        lambda missing: linker.rank_skills_batch(missing, top_k=SKILLS_PER_REQUIREMENT),
    )
    return [[r.model_copy() for r in refs] for refs in ranked]


def _profile_skill_texts(profile: Profile | None) -> list[str]:
    """A profile's distinct skill phrases, whitespace-normalised (what match_profile links)."""
    if profile is None:
        return []
    return list(dict.fromkeys(" ".join(x.split()) for x in profile.skills if x.strip()))


def _link_skills(
    reqs: list[Requirement], spans: list[_Span], linker: Any, catalog: Any, also: Sequence[str] = ()
) -> None:
    """ESCO skills per requirement: the linker on the span (or an experience requirement's subject); a named
    catalogue credential adds the skills the catalogue says it certifies. `also` are more texts to link in
    the same batch (their links land in the cache)."""
    todo: list[int] = []
    texts: list[str] = []
    for i, (r, sp) in enumerate(zip(reqs, spans, strict=True)):
        if r.kind in ("language", "education"):
            continue
        if r.kind == "certification" and r.credentials:
            cred = catalog.credentials.get(r.credentials[0])
            if cred is not None and cred.skills:
                r.skills = [
                    SkillRef(uri=u, label=catalog.skill_label(u), score=1.0)
                    for u in cred.skills[:SKILLS_PER_REQUIREMENT]
                ]
                continue
        link = sp.link_text if r.kind == "experience" else r.text
        if link:
            todo.append(i)
            texts.append(link)
    if not todo and not also:
        return
    ranked = _rank_skills_cached(linker, [*texts, *also])[: len(texts)]
    for i, refs in zip(todo, ranked, strict=True):
        # A product name the taxonomy lacks ("ServiceNow") only finds look-alike words: keep confident links.
        floor = MIN_TOOL_SCORE if reqs[i].kind == "tool" else MIN_SKILL_SCORE
        reqs[i].skills = [s for s in refs if (s.score or 0) >= floor]


def _embed_cached(embedder: Any, texts: list[str]) -> np.ndarray:
    """Embed texts, reusing vectors of texts seen before (profiles are matched against many postings)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack(_cached_batch(_EMBED_CACHE, _EMBED_CACHE_SIZE, embedder, texts, embedder.embed))


def clear_caches() -> None:
    """Forget cached embeddings and skill links (benchmarks call this so each run starts afresh)."""
    with _EMBED_LOCK:
        _EMBED_CACHE.clear()
        _LINK_CACHE.clear()
