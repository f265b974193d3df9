"""Taxonomy links for requirements (ESCO skills via the linker) and the process-wide caches of links and
embeddings that make repeated analyses cheap."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from coach.embeddings import DIM
from coach.knowledge.catalog import derived
from coach.models import Profile, Requirement, RoleMatch, SkillRef
from coach.postings.rules import LANGUAGES, named_languages
from coach.postings.spans import _Span

SKILLS_PER_REQUIREMENT = 5
MIN_SKILL_SCORE = 0.5  # linker scores below this are noise for a short span
MIN_TOOL_SCORE = 0.7
# A tool's link from this score counts when the skill is in the posting's field: "Excel" → use spreadsheets
# software (about 0.63) for a finance assistant; "Docker" → dock operations (0.66) is no software skill.
MIN_TOOL_SCORE_IN_FIELD = 0.6
TOOL_FIELD_FIT = 0.5
_LANGUAGE_NAMES = frozenset(lang.lower() for lang in LANGUAGES)

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


def _rank_in_context_cached(
    linker: Any,
    texts: list[str],
    contexts: list[str],
    vectors: list[np.ndarray | None],
    judged: list[bool],
    field: Sequence[str],
    plain: Sequence[str] = (),
) -> list[list[SkillRef]]:
    """linker.rank_skills_in_context for (phrase, sentence) pairs not linked before in this field, in one call:
    a sentence with its span-encoder vector is read through it (one without, with the phrase alone); `judged`
    says which phrases the field judges. `plain` texts are linked alone in the same call and cached as
    `_rank_skills_cached` caches them (a profile's skills, which match_profile looks up)."""
    field_id = " ".join(field)
    keys = [
        f"{field_id if j else ''}\x1f{v is not None}\x1f{t}\x1f{c}"
        for t, c, v, j in zip(texts, contexts, vectors, judged, strict=True)
    ]
    item: dict[str, tuple[str, np.ndarray | None, bool]] = {p: (p, None, False) for p in plain}
    item.update(zip(keys, zip(texts, vectors, judged, strict=True), strict=True))

    def compute(missing: list[str]) -> list[list[SkillRef]]:
        zero = np.zeros(DIM, dtype=np.float32)  # no sentence vector: the phrase alone
        return linker.rank_skills_in_context(
            [item[k][0] for k in missing],
            [item[k][0] for k in missing],
            SKILLS_PER_REQUIREMENT,
            context_vectors=np.stack([zero if (v := item[k][1]) is None else v for k in missing]),
            field=field,
            in_field=[item[k][2] for k in missing],
        )

    ranked = _cached_batch(_LINK_CACHE, _LINK_CACHE_SIZE, linker, [*keys, *plain], compute)[: len(keys)]
    return [[r.model_copy() for r in refs] for refs in ranked]


def _field_occupations(catalog: Any, occupation: RoleMatch | None) -> list[str]:
    """The ESCO occupations whose field a posting is in: its occupation and, for an O*NET one, every ESCO
    occupation the crosswalk links it to (one ESCO profile is narrow, and the first link is not always the
    closest: Operations Research Analysts link first to telecommunications analyst)."""
    if occupation is None or catalog is None:
        return []
    ids = [occupation.uri] if occupation.uri else []
    onet = catalog.occupations.get(occupation.onet_soc or "")
    if onet is not None:
        ids += [link.target for link in onet.links]
    return [i for i in dict.fromkeys(ids) if i in catalog.occupations]


def _link_skills(
    reqs: list[Requirement],
    spans: list[_Span],
    linker: Any,
    catalog: Any,
    also: Sequence[str] = (),
    occupation: RoleMatch | None = None,
    sentence_vectors: Mapping[tuple[int, int], np.ndarray] | None = None,
) -> None:
    """ESCO skills per requirement: the linker on the span (or an experience requirement's subject) read in
    its sentence and, when the posting's occupation is known, in that occupation's field; a named catalogue
    credential adds the skills the catalogue says it certifies. `also` are more texts to link (plainly, as
    match_profile links a profile's skills; their links land in the cache)."""
    todo: list[int] = []
    texts: list[str] = []
    for i, (r, sp) in enumerate(zip(reqs, spans, strict=True)):
        if r.kind == "language":
            r.skills = _language_skills(r.text, catalog)
            continue
        if r.kind == "education":
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
    if not todo:
        if also:
            _rank_skills_cached(linker, list(also))
        return
    field = _field_occupations(catalog, occupation)
    contexts = [reqs[i].sentence or t for i, t in zip(todo, texts, strict=True)]
    vectors = [(sentence_vectors or {}).get(spans[i].sentence) for i in todo]
    # A tool's name is matched as written (MIN_TOOL_SCORE guards it); the field judges what skills mean.
    judged = [reqs[i].kind != "tool" for i in todo]
    ranked = _rank_in_context_cached(linker, texts, contexts, vectors, judged, field, plain=list(also))
    in_field = _in_field(linker, field) if any(not j for j in judged) else None
    for i, refs in zip(todo, ranked, strict=True):
        if reqs[i].kind != "tool":
            reqs[i].skills = [s for s in refs if (s.score or 0) >= MIN_SKILL_SCORE]
            continue
        # A product name the taxonomy lacks ("ServiceNow") only finds look-alike words: keep confident links,
        # and nearly confident ones the posting's field needs.
        reqs[i].skills = [
            s
            for s in refs
            if (s.score or 0) >= MIN_TOOL_SCORE
            or ((s.score or 0) >= MIN_TOOL_SCORE_IN_FIELD and in_field is not None and in_field(s.uri))
        ]


def _in_field(linker: Any, field: Sequence[str]) -> Any:
    """A test of whether an ESCO skill is in the field of these occupations (`field_fit` ≥ TOOL_FIELD_FIT), or
    None when no field is known."""
    if not field or not hasattr(linker, "field_fit"):
        return None
    known: dict[str, bool] = {}

    def test(uri: str) -> bool:
        # Worked out on first use: most postings have no tool link between the two floors.
        if not known:
            fit = linker.field_fit(field)
            known.update(zip(linker.skill_ids, (bool(f >= TOOL_FIELD_FIT) for f in fit), strict=True))
        return known.get(uri, False)

    return test


def _language_skills(text: str, catalog: Any) -> list[SkillRef]:
    """The ESCO language skills a language requirement names ("written and spoken English" → English): ESCO
    files each language under its own name, so the name is looked up, not ranked."""
    if catalog is None:
        return []
    by_name = derived(
        catalog,
        "posting-language-skills",
        lambda cat: {
            s.label.lower(): s.uri for s in cat.skills.values() if s.label.lower() in _LANGUAGE_NAMES
        },
    )
    named = named_languages(text)
    in_order = sorted(named, key=named.__getitem__)
    uris = list(dict.fromkeys(u for lang in in_order if (u := by_name.get(lang.lower()))))
    return [SkillRef(uri=u, label=catalog.skill_label(u), score=1.0) for u in uris[:SKILLS_PER_REQUIREMENT]]


def _embed_cached(
    embedder: Any, texts: list[str], known: Mapping[str, np.ndarray] | None = None
) -> np.ndarray:
    """Embed texts, reusing vectors of texts seen before (profiles are matched against many postings) and
    `known` ones (the linker's, for texts it has just linked with the same model)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    given = known or {}

    def compute(missing: list[str]) -> list[np.ndarray]:
        todo = [t for t in missing if t not in given]
        fresh = dict(zip(todo, embedder.embed(todo), strict=True)) if todo else {}
        return [given[t] if t in given else fresh[t] for t in missing]

    return np.stack(_cached_batch(_EMBED_CACHE, _EMBED_CACHE_SIZE, embedder, texts, compute))


def clear_caches() -> None:
    """Forget cached embeddings and skill links (benchmarks call this so each run starts afresh)."""
    with _EMBED_LOCK:
        _EMBED_CACHE.clear()
        _LINK_CACHE.clear()
