"""The SkillLinker: text → ranked ESCO skills and job titles → ranked ESCO occupations, by fused scores."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from coach.embeddings import DIM, Embedder, cached_matrix
from coach.models import RoleMatch, SkillRef
from coach.retrieval.documents import CatalogLike
from coach.retrieval.lexical import LexicalIndex
from coach.skills.encoder import TokenEncoder, span_vectors
from coach.skills.ivf import _ivf_for
from coach.skills.labels import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    _check_top,
    _clean,
    _label_space,
    _top,
)
from coach.skills.phrases import SPAN_WORDS, candidate_spans, lexical_hits, lexical_index
from coach.skills.titles import normalise_title

_CHUNK = 256  # texts per span scan: bigger products run faster; bounds memory (256 × 14k skills ≈ 14 MB)
POOLED_CACHE = 4096  # sentence vectors of recently linked texts, for known_vectors
PHRASE_CACHE = 50_000  # phrase embeddings kept in memory (precise mode): ~77 MB at most

# Score fusion, chosen for stated reasons and checked on the dev splits (evals/skills_eval.py):
# a sentence names several skills, each in a short span, so the best-matching phrase counts most (SPAN_W);
# the whole sentence adds context (SENTENCE_W) and is matched to preferred labels only, because with ~7 labels
# per skill a long sentence finds some loosely related alternative label for many skills.
SENTENCE_W = 0.3
SPAN_W = 0.7
PRECISE_WEIGHTS = (0.4, 0.2, 0.4)  # sentence, contextual spans, separately embedded phrases


# A skill whose label is written out in the text gets this much more: the encoder's contextual vector of a short
# name ("SQL" in "Java and SQL databases") can drift towards its neighbours, the words themselves do not.
LEXICAL_W = 0.1
# A requirement's links read in its sentence: the phrase's scores blended with the sentence's. On the ESCO
# benchmark's validation spans (TECH + HOUSE, 237 phrases with gold skills) top-1 precision goes 62.4 → 65.0 at
# 0.3 and 65.4 at 0.5; it falls off past that (56.1 at 0.7), so the phrase keeps the larger share.
CONTEXT_W = 0.3
# With only the sentence's vector as its context (the span encoder's, from the tagging pass, no extra encoder
# pass): 62.4 → 63.7 at 0.2 on the same phrases (63.3 with the bundled encoder's vector), MRR 73.3 → 74.5.
CONTEXT_VECTOR_W = 0.2
# A link outside the posting's occupational field loses up to FIELD_W. The field is what the occupation and its
# FIELD_NEIGHBOURS nearest occupations (by shared ESCO skills) need; a skill FIELD_FULL of them need (by weight)
# is fully in it.
FIELD_W = 0.2
# The chance that a phrase's top links are the skill meant, from their in-context score: a logistic fit on the
# top three links of the ESCO benchmark's validation phrases (evals/skills_eval.py, "Linking in context", which
# measures the fit on the half it was not fitted on).
CONFIDENCE_SLOPE = 10.18
CONFIDENCE_AT_ZERO = -7.07
FIELD_NEIGHBOURS = 30
FIELD_FULL = 0.1


TITLE_LEXICAL_W = 0.05
TITLE_BM25_W = 0.1  # BM25 over an occupation's titles and description, scaled to the best hit
TITLE_DESC_W = 0.2  # the normalised title's similarity to the occupation's description
# Vacancy titles annotated with their occupation (the JobBERT set's train and tune parts) vote for it: the
# MEMORY_K nearest to a title, weighted by a softmax of their similarity at MEMORY_TEMPERATURE, add up to
# TITLE_MEMORY_W to the occupations they were annotated with. "Marketing Executive" is what a marketing manager
# is called in vacancies; ESCO's labels do not say so. Chosen on the tune part with the train part as the memory
# (MRR 43.4 -> 55.6; 56.0 at weight 1.0, where the memory would overrule the names more often). A title unlike
# every remembered one gets no votes: they count in full when the nearest has cosine MEMORY_FULL, not at all at
# MEMORY_FLOOR (on the tune part 95 % of titles have a neighbour above 0.65, so this costs nothing there).
MEMORY_K = 20
MEMORY_TEMPERATURE = 0.1
TITLE_MEMORY_W = 0.7
MEMORY_FLOOR = 0.5
MEMORY_FULL = 0.7


_blas = None


def _one_blas_thread() -> Any:
    """Limit BLAS to one thread: the span stage does hundreds of small products, where OpenBLAS's thread
    hand-offs cost more than the arithmetic (5× slower on a busy 2-core machine); the encoder keeps its own
    threads."""
    global _blas
    from threadpoolctl import ThreadpoolController

    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


class SkillLinker:
    """Ranks ESCO skills for a text and ESCO occupations for a job title."""

    def __init__(
        self,
        catalog: CatalogLike,
        embedder: Embedder,
        cache_dir: Path,
        encoder: TokenEncoder | None = None,
        nprobe: int = 32,
        int8: bool = True,
        span_workers: int = 2,
        title_embedder: Embedder | None = None,
        vacancy_titles: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.catalog = catalog
        self.embedder = embedder
        # Titles and occupation names are compared in the title encoder's space (its top layers tuned on job
        # titles); skills stay with the bundled encoder.
        self.title_embedder = title_embedder or embedder
        skills = sorted(catalog.skills.values(), key=lambda s: s.uri)
        self._skills = _label_space(
            "linker-skill-labels", [(s.uri, s.label, s.alt_labels) for s in skills], embedder, cache_dir
        )
        self._skill_pref = np.ascontiguousarray(self._skills.preferred)
        self._skill_lexicon = lexical_index([[s.label, *s.alt_labels] for s in skills])
        n_lists = int(max(1, min(256, round(np.sqrt(len(self._skills.texts)) * 0.8))))
        self._skill_ivf = _ivf_for(self._skills, "linker-skill-ivf", cache_dir, n_lists)
        # The IVF holds the label rows (reordered by cluster); dropping the original saves 150 MB per process.
        self._skills.matrix = np.zeros((0, DIM), dtype=np.float32)
        self.nprobe = nprobe
        self.span_workers = span_workers
        occs = sorted((o for o in catalog.occupations.values() if o.source == "esco"), key=lambda o: o.id)
        self._soc = _soc_links(catalog)
        self._roles = _label_space(
            "linker-role-labels",
            [(o.id, o.title, o.alt_titles) for o in occs],
            self.title_embedder,
            cache_dir,
        )
        self._role_lexicon = lexical_index([[o.title, *o.alt_titles] for o in occs])
        # What an occupation is, beyond its names: BM25 over its titles and description, and the description's
        # vector (a vacancy title like "Account & Analytics Executive" shares words with no ESCO title).
        self._role_bm25 = LexicalIndex.build(
            [" ".join([o.title, *o.alt_titles, o.description]) for o in occs]
        )
        self._role_desc = cached_matrix(
            "linker-role-descriptions",
            [o.description or o.title for o in occs],
            self.title_embedder,
            cache_dir,
        )
        role_row = {uri: i for i, uri in enumerate(self._roles.ids)}
        remembered = [(t, role_row[uri]) for t, uri in vacancy_titles if uri in role_row]
        self._memory = (
            cached_matrix("linker-vacancy-titles", [t for t, _ in remembered], self.title_embedder, cache_dir)
            if remembered
            else np.zeros((0, DIM), dtype=np.float32)
        )
        self._memory_role = np.array([row for _, row in remembered], dtype=np.int64)
        self.encoder = encoder or TokenEncoder(threads=getattr(embedder, "threads", 2), int8=int8)
        self._phrase_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._pooled: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def describe(self) -> str:
        """A one-line description of the method and label space, for reports."""
        return (
            f"skills: {SENTENCE_W} × sentence↔preferred labels + {SPAN_W} × best 1-{SPAN_WORDS}-word phrase↔"
            f"{len(self._skill_ivf.matrix):,} distinct labels (of {len(self._skills.texts):,}) of "
            f"{len(self._skills.ids):,} skills + {LEXICAL_W} when a label is written out; encoder "
            f"{'int8' if self.encoder.int8 else 'float32'}; titles ({self.title_embedder.name}): raw and "
            f"normalised title ↔ "
            f"{len(self._roles.texts):,} titles of "
            f"{len(self._roles.ids):,} occupations + {TITLE_BM25_W} BM25 (titles, description) + {TITLE_DESC_W} × "
            f"title↔description + {TITLE_LEXICAL_W} lexical + {TITLE_MEMORY_W} × votes of the {MEMORY_K} nearest of "
            f"{len(self._memory_role):,} annotated vacancy titles"
        )

    # ---- skills --------------------------------------------------------------------------------------------

    def rank_skills(self, text: str, top_k: int = 10, *, precise: bool = False) -> list[SkillRef]:
        """The ESCO skills a text mentions or implies, best first (empty text → empty list).

        `precise` also embeds every candidate phrase on its own (about 3× slower, a few points better).
        """
        return self.rank_skills_batch([text], top_k, precise=precise)[0]

    def rank_skills_batch(
        self, texts: Sequence[str], top_k: int = 10, *, precise: bool = False
    ) -> list[list[SkillRef]]:
        """`rank_skills` for many texts at once (batched encoder passes; much faster per text)."""
        k = _check_top(top_k)
        cleaned = [_clean(t, MAX_TEXT_CHARS) for t in texts]
        out: list[list[SkillRef]] = [[] for _ in cleaned]
        todo = [i for i, t in enumerate(cleaned) if t]
        sp = self._skills
        for c in range(0, len(todo), _CHUNK):
            chunk = todo[c : c + _CHUNK]
            scores = self.skill_scores([cleaned[i] for i in chunk], precise=precise)
            for row, i in enumerate(chunk):
                out[i] = [
                    SkillRef(uri=sp.ids[j], label=sp.labels[j], score=round(float(scores[row, j]), 4))
                    for j in _top(scores[row], k)
                ]
        return out

    def rank_skills_in_context(
        self,
        texts: Sequence[str],
        contexts: Sequence[str],
        top_k: int = 10,
        *,
        context_weight: float | None = None,
        context_vectors: np.ndarray | None = None,
        field: Sequence[str] = (),
        in_field: Sequence[bool] | None = None,
    ) -> list[list[SkillRef]]:
        """`rank_skills` for phrases read in their sentence: each phrase's scores blended with its sentence's
        (`context_weight`), and, given `field` (the ESCO occupations the text is about), a link outside their
        field (`field_fit`) demoted by up to FIELD_W, so "keep runbooks up to date" in an analyst's posting is
        not a book-trade skill.

        `context_vectors` (one unit vector per text, such as the span encoder's sentence vectors) stand in for
        the context strings: the sentence is then scored by that vector alone, with no encoder pass (weight
        CONTEXT_VECTOR_W). `in_field` says which texts the field judges (default all: a tool's name is better
        matched as written)."""
        k = _check_top(top_k)
        phrases = [_clean(t, MAX_TEXT_CHARS) for t in texts]
        if context_vectors is None:
            weight = CONTEXT_W if context_weight is None else context_weight
            sentences = [_clean(c, MAX_TEXT_CHARS) or p for c, p in zip(contexts, phrases, strict=True)]
        else:
            weight = CONTEXT_VECTOR_W if context_weight is None else context_weight
            sentences = []
        unique = list(dict.fromkeys(t for t in [*phrases, *sentences] if t))
        row = {t: i for i, t in enumerate(unique)}
        out: list[list[SkillRef]] = [[] for _ in phrases]
        if not unique:
            return out
        scores = np.concatenate(
            [self.skill_scores(unique[c : c + _CHUNK]) for c in range(0, len(unique), _CHUNK)]
        )
        if context_vectors is not None:
            with _one_blas_thread():
                around = np.asarray(context_vectors, dtype=np.float32) @ self._skill_pref.T
        penalty = FIELD_W * (1.0 - self.field_fit(field)) if field else None
        sp = self._skills
        for i, phrase in enumerate(phrases):
            if not phrase:
                continue
            if context_vectors is None:
                fused = (1 - weight) * scores[row[phrase]] + weight * scores[row[sentences[i]]]
            elif context_vectors[i].any():
                fused = (1 - weight) * scores[row[phrase]] + weight * around[i]
            else:  # a zero vector: no context, the phrase alone
                fused = scores[row[phrase]]
            if penalty is not None and (in_field is None or in_field[i]):
                fused = fused - penalty
            out[i] = [
                SkillRef(
                    uri=sp.ids[j],
                    label=sp.labels[j],
                    score=round(float(fused[j]), 4),
                    confidence=link_confidence(float(fused[j])),
                )
                for j in _top(fused, k)
            ]
        return out

    def field_fit(self, occupation_ids: Sequence[str]) -> np.ndarray:
        """How much every skill (in `skill_ids` order) belongs to the field of some ESCO occupations: the share
        of their FIELD_NEIGHBOURS nearest occupations (by shared skills, the occupations themselves first) that
        need it, weighted by nearness, scaled so FIELD_FULL of them count as fully in the field (0..1). A skill
        no such occupation needs scores 0 ("stay up-to-date with latest book releases" for an analyst)."""
        skills_of, users_of = self._occupation_profiles
        n_skills = len(self._skills.ids)
        seeds = [i for i in (self._occupation_index.get(o) for o in occupation_ids) if i is not None]
        own = np.unique(np.concatenate([skills_of[i] for i in seeds])) if seeds else np.zeros(0, np.int64)
        if not len(own):
            return np.ones(n_skills, dtype=np.float32)
        sizes = np.array([max(len(x), 1) for x in skills_of], dtype=np.float64)
        shared = np.bincount(np.concatenate([users_of[j] for j in own]), minlength=len(skills_of))
        nearness = shared / np.sqrt(sizes * len(own))
        nearness[seeds] = 1.0
        near = np.argsort(-nearness)[:FIELD_NEIGHBOURS]
        near = near[nearness[near] > 0]
        weight = np.zeros(n_skills, dtype=np.float64)
        for o in near:
            weight[skills_of[o]] += nearness[o]
        fit = np.minimum(1.0, weight / (FIELD_FULL * nearness[near].sum()))
        fit[own] = 1.0
        # Skills ESCO itself calls transversal ("think analytically") belong to every field, cross-sector ones
        # ("write routine reports") to most; only sector- and occupation-specific skills can be out of field.
        return np.maximum(fit, self._reuse_floor).astype(np.float32)

    @cached_property
    def _reuse_floor(self) -> np.ndarray:
        floors = {"transversal": 1.0, "cross-sector": 0.4}
        return np.array(
            [
                floors.get(getattr(self.catalog.skills.get(u), "reuse_level", ""), 0.0)
                for u in self._skills.ids
            ]
        )

    @cached_property
    def _skill_index(self) -> dict[str, int]:
        return {u: i for i, u in enumerate(self._skills.ids)}

    @cached_property
    def _occupation_index(self) -> dict[str, int]:
        return {o.id: i for i, o in enumerate(self._profile_occupations)}

    @cached_property
    def _profile_occupations(self) -> list[Any]:
        return sorted(
            (o for o in self.catalog.occupations.values() if o.source == "esco"), key=lambda o: o.id
        )

    @cached_property
    def _occupation_profiles(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per ESCO occupation the skill columns it needs, and per skill column the occupations needing it."""
        index = self._skill_index
        skills_of = [
            np.array(
                sorted({index[u] for u in [*o.essential_skills, *o.optional_skills] if u in index}),
                dtype=np.int64,
            )
            for o in self._profile_occupations
        ]
        users: list[list[int]] = [[] for _ in self._skills.ids]
        for o, cols in enumerate(skills_of):
            for j in cols:
                users[j].append(o)
        return skills_of, [np.array(u, dtype=np.int64) for u in users]

    def skill_scores(self, texts: Sequence[str], *, precise: bool = False) -> np.ndarray:
        """Fused scores of every skill (columns in `skill_ids` order) for non-empty cleaned texts."""
        encoded = self.encoder.encode(texts)
        with self._cache_lock:
            for text, (pooled, _, _) in zip(texts, encoded, strict=True):
                self._pooled[text] = pooled
                self._pooled.move_to_end(text)
            while len(self._pooled) > POOLED_CACHE:
                self._pooled.popitem(last=False)
        with _one_blas_thread():
            return self._fuse(texts, encoded, precise)

    def _fuse(
        self, texts: Sequence[str], encoded: list[tuple[np.ndarray, np.ndarray, np.ndarray]], precise: bool
    ) -> np.ndarray:
        sentence = np.stack([e[0] for e in encoded]) @ self._skill_pref.T
        vecs, group, phrases, phrase_group = [], [], [], []
        for i, (text, (_, states, offsets)) in enumerate(zip(texts, encoded, strict=True)):
            spans = candidate_spans(text)
            v = span_vectors(states, offsets, spans)
            keep = np.linalg.norm(v, axis=1) > 0
            vecs.append(v[keep])
            group.extend([i] * int(keep.sum()))
            if precise:
                words = list(dict.fromkeys(text[a:b] for a, b in spans))
                phrases.extend(words)
                phrase_group.extend([i] * len(words))
        n, n_skills = len(texts), len(self._skills.ids)
        context = self._skill_ivf.max_by_group(
            np.concatenate(vecs) if vecs else np.zeros((0, DIM), np.float32),
            np.asarray(group, dtype=np.int64),
            n,
            n_skills,
            self.nprobe,
            self.span_workers,
        )
        lexical = np.zeros_like(sentence)
        for i, text in enumerate(texts):
            lexical[i, list(lexical_hits(text, self._skill_lexicon))] = LEXICAL_W
        # Divided by the weights' sum so scores stay on the cosine scale (at most 1).
        if not precise:
            return (SENTENCE_W * sentence + SPAN_W * context + lexical) / (SENTENCE_W + SPAN_W + LEXICAL_W)
        isolated = self._skill_ivf.max_by_group(
            self._embed_phrases(phrases),
            np.asarray(phrase_group, dtype=np.int64),
            n,
            n_skills,
            self.nprobe,
            self.span_workers,
        )
        w_sent, w_ctx, w_iso = PRECISE_WEIGHTS
        fused = w_sent * sentence + w_ctx * context + w_iso * isolated + lexical
        return fused / (w_sent + w_ctx + w_iso + LEXICAL_W)

    def known_vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Sentence vectors of texts linked lately (the encoder's pooled output, within 0.999 cosine of the
        bundled embedder's), so a caller comparing the same texts by meaning need not encode them again."""
        with self._cache_lock:
            return {t: self._pooled[t] for t in texts if t in self._pooled}

    @property
    def skill_ids(self) -> list[str]:
        """Skill URIs in the column order of `skill_scores`."""
        return self._skills.ids

    def _embed_phrases(self, phrases: list[str]) -> np.ndarray:
        """Embeddings of short phrases, with an in-memory LRU cache (postings repeat their phrases)."""
        out = np.zeros((len(phrases), DIM), dtype=np.float32)
        with self._cache_lock:
            missing = [p for p in dict.fromkeys(phrases) if p not in self._phrase_cache]
        fresh = dict(zip(missing, self.embedder.embed(missing), strict=True)) if missing else {}
        with self._cache_lock:
            for p, v in fresh.items():
                self._phrase_cache[p] = v
            for row, p in enumerate(phrases):
                v = fresh.get(p)
                if v is None:
                    v = self._phrase_cache[p]
                    self._phrase_cache.move_to_end(p)
                out[row] = v
            while len(self._phrase_cache) > PHRASE_CACHE:
                self._phrase_cache.popitem(last=False)
        return out

    # ---- roles ---------------------------------------------------------------------------------------------

    def rank_roles(self, title: str, top_k: int = 10) -> list[RoleMatch]:
        """ESCO occupations for a job title, best first, each with its linked O*NET-SOC code when known."""
        return self.rank_roles_batch([title], top_k)[0]

    def rank_roles_batch(self, titles: Sequence[str], top_k: int = 10) -> list[list[RoleMatch]]:
        """`rank_roles` for many titles at once."""
        k = _check_top(top_k)
        cleaned = [_clean(t, MAX_TITLE_CHARS) for t in titles]
        out: list[list[RoleMatch]] = [[] for _ in cleaned]
        todo = [i for i, t in enumerate(cleaned) if t]
        sp = self._roles
        for c in range(0, len(todo), _CHUNK):
            chunk = todo[c : c + _CHUNK]
            scores = self.role_scores([cleaned[i] for i in chunk])
            for row, i in enumerate(chunk):
                out[i] = [
                    RoleMatch(
                        uri=sp.ids[j],
                        label=sp.labels[j],
                        onet_soc=self._soc.get(sp.ids[j]),
                        score=round(float(scores[row, j]), 4),
                    )
                    for j in _top(scores[row], k)
                ]
        return out

    def role_scores(self, titles: Sequence[str]) -> np.ndarray:
        """Scores of every ESCO occupation for non-empty titles: the mean of the best label similarity of the
        title as written and of its normalised form, plus BM25 over each occupation's titles and description
        (scaled to the best hit), the normalised title's similarity to the description, and a bonus when an
        occupation's title is written out; then the votes of the nearest annotated vacancy titles."""
        normed = [normalise_title(t) or t for t in titles]
        unique = list(dict.fromkeys([*titles, *normed]))
        vecs = dict(zip(unique, self.title_embedder.embed(unique), strict=True))
        sp = self._roles
        with _one_blas_thread():
            normed_vecs = np.stack([vecs[t] for t in normed])
            raw = np.maximum.reduceat(np.stack([vecs[t] for t in titles]) @ sp.matrix.T, sp.starts, axis=1)
            norm = np.maximum.reduceat(normed_vecs @ sp.matrix.T, sp.starts, axis=1)
            described = normed_vecs @ self._role_desc.T
        bm25 = np.stack([self._role_bm25.scores(t) for t in normed])
        bm25 /= np.maximum(bm25.max(axis=1, keepdims=True), 1e-9)
        scores = (raw + norm) / 2 + TITLE_BM25_W * bm25 + TITLE_DESC_W * described
        for i, title in enumerate(titles):
            scores[i, list(lexical_hits(title, self._role_lexicon))] += TITLE_LEXICAL_W
        scores /= 1 + TITLE_LEXICAL_W + TITLE_BM25_W + TITLE_DESC_W
        return scores + TITLE_MEMORY_W * self._memory_votes(np.stack([vecs[t] for t in titles]))

    def _memory_votes(self, vecs: np.ndarray) -> np.ndarray:
        """Each title's share of votes per occupation from its MEMORY_K nearest annotated vacancy titles (rows
        sum to 1 when the nearest is close, less as it gets further, zero past MEMORY_FLOOR or without a
        memory)."""
        votes = np.zeros((len(vecs), len(self._roles.ids)), dtype=np.float32)
        k = min(MEMORY_K, len(self._memory_role))
        if not k:
            return votes
        with _one_blas_thread():
            sims = vecs @ self._memory.T
        near = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        near_sims = np.take_along_axis(sims, near, axis=1)
        weights = np.exp((near_sims - near_sims.max(axis=1, keepdims=True)) / MEMORY_TEMPERATURE)
        near_enough = np.clip((near_sims.max(axis=1) - MEMORY_FLOOR) / (MEMORY_FULL - MEMORY_FLOOR), 0.0, 1.0)
        weights *= (near_enough / weights.sum(axis=1))[:, None]
        np.add.at(votes, (np.arange(len(vecs))[:, None], self._memory_role[near]), weights)
        return votes


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


def link_confidence(score: float) -> float:
    """The calibrated chance that an in-context link with this score is the skill meant (0..1)."""
    return round(1.0 / (1.0 + math.exp(-(CONFIDENCE_SLOPE * score + CONFIDENCE_AT_ZERO))), 3)


def get_linker() -> SkillLinker:
    """The process-wide linker over the default catalogue (label matrices cached under settings.home/cache)."""
    global _linker
    with _lock:
        if _linker is None:
            from coach.embeddings import get_embedder, get_title_embedder
            from coach.knowledge import get_catalog
            from coach.settings import get_settings
            from coach.skills.titles import load_vacancy_titles

            settings = get_settings()
            _linker = SkillLinker(
                get_catalog(),
                get_embedder(),
                settings.home / "cache",
                int8=settings.linker_int8,
                span_workers=settings.embedding_threads,
                title_embedder=get_title_embedder(settings.knowledge_dir),
                vacancy_titles=load_vacancy_titles(settings.knowledge_dir),
            )
        return _linker
