"""The honest match against a profile: each requirement met / partly / missing with the profile's evidence,
then the score and the gap credentials. Nothing is counted unless the profile evidences it."""

from __future__ import annotations

import json
import re
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from coach.knowledge.languages import learner_languages
from coach.models import ALTERNATIVE_MET, MatchLevel, PostingAnalysis, Profile, Requirement
from coach.postings.evidence import (
    _contains_phrase,
    _expand_abbreviations,
    _experience_subject,
    _held_credentials,
    _Item,
    _merged_years,
    _norm_words,
    _profile_items,
    _skill_parents,
    _stem_overlap,
    _stems,
    _years_of,
    profile_is_english,
)
from coach.postings.gaps import _equivalent_ids, gap_credentials
from coach.postings.linking import _embed_cached, _profile_skill_texts, _rank_skills_cached
from coach.postings.rules import _degree_level, named_languages
from coach.postings.spans import _STOP_SPAN_WORDS

if TYPE_CHECKING:
    from coach.embeddings import Embedder
    from coach.knowledge.catalog import Catalog
    from coach.skills.linker import SkillLinker

# Cosine similarity (all-MiniLM-L6-v2) between a requirement span and one profile item. Chosen on hand-checked
# pairs: "Python" / "Python programming" 0.91 (same thing), "forklift operation" / "Forklift certification"
# 0.75, "Microsoft Excel" / "Intermediate Microsoft Excel skills" 0.63 (related), "Python" / "Java" 0.45 (not).
MET_SIMILARITY = 0.78
PARTLY_SIMILARITY = 0.62
# A linker score above which a short text is taken to name an ESCO skill (for URI equality between the two).
URI_SCORE = 0.75
# An experience entry counts toward "N years of X" when its title or an evidence line is this similar to X.
EXPERIENCE_RELEVANCE = 0.45
CREDIT = {"met": 1.0, "partly": 0.5, "missing": 0.0}
SKILL_KINDS = ("skill", "knowledge", "tool", "soft_skill")


def match_profile(
    analysis: PostingAnalysis,
    profile: Profile,
    *,
    catalog: Catalog,
    linker: SkillLinker,
    embedder: Embedder | None = None,
    today: date | None = None,
) -> PostingAnalysis:
    """Mark each requirement met / partly / missing with the profile evidence, then score and find gap
    credentials. Only what the profile states counts; repeating an item adds nothing. Texts are compared by
    meaning with `embedder` (default: the linker's)."""
    same_model = embedder is None or embedder is getattr(linker, "embedder", None)
    if embedder is None:
        embedder = linker.embedder
    today = today or date.today()
    held = _held_credentials(profile, catalog)
    # Each distinct profile skill is linked to its best ESCO skill (when the link is confident), so a
    # requirement can be met by the same ESCO skill or partly met by a sibling under the same ESCO parent.
    distinct_skills = _profile_skill_texts(profile)
    skill_links = _rank_skills_cached(linker, distinct_skills) if distinct_skills else []
    skill_uris = {
        text: {ref.uri for ref in refs[:1] if (ref.score or 0) >= URI_SCORE}
        for text, refs in zip(distinct_skills, skill_links, strict=True)
    }
    items = _profile_items(profile, held, catalog, skill_uris)
    reqs = analysis.requirements
    skill_reqs = [r for r in reqs if r.kind in SKILL_KINDS]
    # One embedding call for everything compared by meaning.
    exp_subjects = [_expand_abbreviations(_experience_subject(r)) for r in reqs if r.kind == "experience"]
    exp_lines = [[e.title, *e.evidence] for e in profile.experience]
    flat_lines = [_expand_abbreviations(line) for lines in exp_lines for line in lines]
    texts = [r.text for r in skill_reqs] + [i.text for i in items] + exp_subjects + flat_lines
    # The requirements were just linked with the same model: their vectors come from that pass.
    known = linker.known_vectors(texts) if same_model and hasattr(linker, "known_vectors") else None
    vecs = _embed_cached(embedder, texts, known)
    n_req, n_items = len(skill_reqs), len(items)
    req_vecs, item_vecs = vecs[:n_req], vecs[n_req : n_req + n_items]
    subj_vecs = vecs[n_req + n_items : n_req + n_items + len(exp_subjects)]
    line_vecs = vecs[n_req + n_items + len(exp_subjects) :]
    sims = req_vecs @ item_vecs.T if n_req and n_items else np.zeros((n_req, n_items))
    for k, r in enumerate(skill_reqs):
        r.match, r.evidence = _match_skill(r, items, sims[k] if n_items else np.zeros(0), catalog)
    subj_i = 0
    for r in reqs:
        if r.kind == "experience":
            sv = subj_vecs[subj_i]
            subj_i += 1
            r.match, r.evidence = _match_experience(r, profile, exp_lines, line_vecs, sv, today)
        elif r.kind == "certification":
            r.match, r.evidence = _match_certification(r, held, catalog)
        elif r.kind == "education":
            r.match, r.evidence = _match_education(r, profile, held)
        elif r.kind == "language":
            r.match, r.evidence = _match_language(r, profile, items)
    _meet_within_experience(reqs)
    _meet_alternatives(reqs)
    _score(analysis)
    analysis.gap_credentials = gap_credentials(analysis.gaps, catalog, held, learner_languages(profile))
    return analysis


# "AWS Certified Cloud Practitioner or AZ-900", "Python or PowerShell", "either A or B": the posting accepts any.
_OR_BETWEEN_RE = re.compile(r"^\s*,?\s*(?:or|/|or\s+an?|or\s+the)\s*$", re.I)
_ALTERNATIVE_KINDS = {
    "certification": "certification",
    "tool": "named",
    "skill": "named",
    "knowledge": "named",
}


def link_alternatives(text: str, requirements: list[Requirement]) -> None:
    """Fill `alternatives` for requirements of one sentence joined only by "or" (certifications with
    certifications; tools, skills and knowledge with each other)."""
    ordered = sorted(requirements, key=lambda r: r.start)
    groups: list[list[Requirement]] = []
    for prev, cur in pairwise(ordered):
        same_sentence = prev.sentence == cur.sentence and prev.end <= cur.start
        kinds = _ALTERNATIVE_KINDS.get(prev.kind), _ALTERNATIVE_KINDS.get(cur.kind)
        if (
            same_sentence
            and kinds[0] is not None
            and kinds[0] == kinds[1]
            and _OR_BETWEEN_RE.match(text[prev.end : cur.start])
        ):
            if groups and groups[-1][-1] is prev:
                groups[-1].append(cur)
            else:
                groups.append([prev, cur])
    for group in groups:
        for r in group:
            r.alternatives = [o.text for o in group if o is not r]


def _meet_within_experience(reqs: list[Requirement]) -> None:
    """The field named inside a met experience requirement ("technical support" in "1+ year of experience in
    technical support") is met by the same work."""
    met = [x for x in reqs if x.kind == "experience" and x.match == "met"]
    for r in reqs:
        if r.kind in ("skill", "knowledge") and r.match != "met":
            around = next((x for x in met if x.start <= r.start and r.end <= x.end), None)
            if around is not None:
                r.match, r.evidence = "met", list(around.evidence)


def _meet_alternatives(reqs: list[Requirement]) -> None:
    """A requirement with alternatives is met as well as its best-met alternative ("or" is met by any branch)."""
    by_text = {r.text: r for r in reqs}
    for r in reqs:
        branches = [by_text[t] for t in r.alternatives if t in by_text]
        best = max(branches, key=lambda b: CREDIT[b.match or "missing"], default=None)
        if best is not None and CREDIT[best.match or "missing"] > CREDIT[r.match or "missing"]:
            r.match = best.match
            r.evidence = [f"{ALTERNATIVE_MET}: {best.text}", *best.evidence]


def _match_skill(
    r: Requirement, items: list[_Item], sims: np.ndarray, catalog: Any
) -> tuple[MatchLevel, list[str]]:
    met: list[str] = []
    partly: list[str] = []
    req_uris = {s.uri for s in r.skills[:2] if (s.score or 0) >= URI_SCORE}
    req_parents = _skill_parents(req_uris, catalog)
    req_words = [w for w in _norm_words(r.text) if w not in _STOP_SPAN_WORDS]
    req_stems = _stems(r.text)
    for j, item in enumerate(items):
        sim = float(sims[j]) if len(sims) else 0.0
        is_skill = item.label.startswith("skill:")
        lexical_full = bool(req_words) and (
            " ".join(_norm_words(item.text)) == " ".join(_norm_words(r.text))
            or (len(req_words) <= 3 and _contains_phrase(item.text, r.text))
            or (
                # a profile skill inside a longer requirement meets it when it is most of what is asked
                # ("SQL" in "Advanced SQL"), not when half is left ("descriptive statistics" in "descriptive
                # statistics and hypothesis testing")
                is_skill
                and _contains_phrase(r.text, item.text)
                and 3 * len(_stems(item.text) & req_stems) >= 2 * len(req_stems)
            )
        )
        lexical_part = is_skill and _contains_phrase(r.text, item.text) and not lexical_full
        shared = _stem_overlap(req_stems, _stems(item.text)) if req_stems else 0.0
        uri_hit = bool(req_uris & item.uris)
        if lexical_full or sim >= MET_SIMILARITY or uri_hit or (shared == 1.0 and len(req_stems) >= 2):
            met.append(item.label)
        elif (
            lexical_part
            or sim >= PARTLY_SIMILARITY
            or shared >= 0.5
            # a sibling skill under the same ESCO parent ("Java" for "Python"); profile skills only, since a
            # credential's many skills would make everything related
            or (is_skill and bool(req_parents & _skill_parents(item.uris, catalog)))
        ):
            partly.append(item.label)
    if met:
        return "met", met[:3]
    if partly:
        return "partly", partly[:3]
    return "missing", []


def _agent_stem(stem: str) -> str:
    """The doer and the doing share a stem: 'supervisor' and 'supervising' → 'supervis' (after `_stem`)."""
    return stem[:-2] if stem.endswith("or") and len(stem) > 6 else stem


def _match_experience(
    r: Requirement,
    profile: Profile,
    exp_lines: list[list[str]],
    line_vecs: np.ndarray,
    subject_vec: np.ndarray,
    today: date,
) -> tuple[MatchLevel, list[str]]:
    need = r.years or 0.0
    subject = _experience_subject(r)
    generic = subject.lower() in ("work", "professional", "relevant", "")
    intervals: list[tuple[float, float]] = []
    relevant_labels: list[str] = []
    undated = False
    k = 0
    for e, lines in zip(profile.experience, exp_lines, strict=True):
        vecs = line_vecs[k : k + len(lines)]
        k += len(lines)
        if e.kind not in ("job", "internship", "apprenticeship"):
            continue  # volunteering and projects show skills, but employers count years of work
        relevant = generic or (len(vecs) and float((vecs @ subject_vec).max()) >= EXPERIENCE_RELEVANCE)
        branches = [w for w in re.split(r",\s*|\s+or\s+|\s+and\s+", subject) if len(w) > 3]
        relevant = relevant or any(_contains_phrase(" ".join(lines), w) for w in branches)
        # …or the job's own words say it: a "retail supervisor" has been supervising, a "team lead" leading
        job_words = {_agent_stem(w) for w in _stems(" ".join(lines))}
        relevant = relevant or any(
            (want := {_agent_stem(w) for w in _stems(b)}) and want <= job_words for b in branches
        )
        if not relevant:
            continue
        span = _years_of(e, today)
        where = f" at {e.organization}" if e.organization else ""
        if span is None:
            undated = True
            relevant_labels.append(f"{e.kind}: {e.title}{where} (dates not given)")
            continue
        intervals.append(span)
        relevant_labels.append(f"{e.kind}: {e.title}{where} ({span[1] - span[0]:.1f} years)")
    have = _merged_years(intervals)
    if not relevant_labels:
        return "missing", []
    if have + 1e-9 >= need:
        return "met", [*relevant_labels[:3], f"{have:.1f} years of relevant work in total"]
    note = f"{have:.1f} of {need:g} years" + (" (some dates missing)" if undated else "")
    return "partly", [*relevant_labels[:3], note]


def _match_certification(
    r: Requirement, held: list[tuple[Any, str | None]], catalog: Any
) -> tuple[MatchLevel, list[str]]:
    wanted: set[str] = set()
    for wanted_id in r.credentials:
        wanted |= _equivalent_ids(wanted_id, catalog)
    best: MatchLevel = "missing"
    evidence: list[str] = []
    for hc, cid in held:
        hit = False
        if cid and cid in wanted:
            hit = True
        elif not r.credentials:
            hit = _same_named_credential(r.text, hc.name)
        if hit:
            if hc.status == "earned":
                return "met", [f"credential: {hc.name} (earned{', ' + hc.date if hc.date else ''})"]
            best = "partly"
            evidence.append(f"credential: {hc.name} ({hc.status.replace('_', ' ')})")
        elif cid and r.credentials and hc.status == "earned":
            for rule in catalog.rules_for(cid):
                if (
                    rule.type == "renewal_by_higher_cert"
                    and rule.subject == cid
                    and wanted & set(rule.objects)
                ):
                    best = "partly"
                    evidence.append(f"credential: {hc.name} (earned; a higher certification that renews it)")
    return best, evidence


def _same_named_credential(req_text: str, held_name: str) -> bool:
    from rapidfuzz import fuzz

    def acronyms(t: str) -> set[str]:
        return set(re.findall(r"\(([A-Z][A-Za-z0-9+]{1,9})\)", t)) | set(
            re.findall(r"\b([A-Z]{2,6}\+?)\b", t)
        )

    generic = {"RN", "IT", "US", "USA"}
    if (acronyms(req_text) & acronyms(held_name)) - generic:
        return True
    strip = re.compile(
        r"\b(certifications?|certificates?|certified|licen[cs]es?|licensed|current|valid|active|"
        r"unrestricted|in the state of \w+|state|operator)\b",
        re.I,
    )
    a = " ".join(_norm_words(strip.sub(" ", re.sub(r"\(.*?\)", " ", req_text))))
    b = " ".join(_norm_words(strip.sub(" ", re.sub(r"\(.*?\)", " ", held_name))))
    return bool(a and b) and fuzz.token_set_ratio(a, b) >= 85


def _match_education(
    r: Requirement, profile: Profile, held: list[tuple[Any, str | None]]
) -> tuple[MatchLevel, list[str]]:
    need = _degree_level(r.text) or 1
    best, label, pending = 0, "", ""
    extra = profile.model_extra or {}
    education = extra.get("education") or []
    entries = [(hc.name, hc.status) for hc, _ in held]
    for e in education if isinstance(education, list) else [education]:
        name = e if isinstance(e, str) else " ".join(str(v) for v in (e or {}).values() if isinstance(v, str))
        entries.append((name, "earned"))
    for name, status in entries:
        level = _degree_level(name)
        if not level:
            continue
        if status == "earned" and level > best:
            best, label = level, name
        elif status != "earned" and level >= need:
            pending = name
    if best >= need:
        return "met", [f"education: {label}"]
    if pending:
        return "partly", [f"education: {pending} (not finished)"]
    if best:
        return "partly", [f"education: {label} (a lower level than asked)"]
    return "missing", []


def _match_language(r: Requirement, profile: Profile, items: list[_Item]) -> tuple[MatchLevel, list[str]]:
    asked = list(named_languages(r.text))
    extra = profile.model_extra or {}
    declared = extra.get("languages") or []
    declared_text = (
        " ".join(d if isinstance(d, str) else json.dumps(d) for d in declared)
        if isinstance(declared, list)
        else str(declared)
    )
    found, evidence = [], []
    for lang in asked:
        hit = re.search(r"\b" + re.escape(lang) + r"\b", declared_text)
        if hit:
            found.append(lang)
            evidence.append(f"languages: {lang}")
            continue
        item = next((i for i in items if re.search(r"\b" + re.escape(lang) + r"\b", i.text)), None)
        if item:
            found.append(lang)
            evidence.append(item.label)
        elif lang == "English" and profile_is_english(profile):
            # The profile itself is written in English: that is evidence of working English, stated as such.
            found.append(lang)
            evidence.append("the profile is written in English")
    if asked and len(found) == len(asked):
        return "met", evidence
    if found:
        return "partly", evidence
    return "missing", []


def _req_key(r: Requirement) -> tuple[str, str]:
    if r.alternatives:  # "A or B" is one requirement, however many branches it names
        return "any of", "|".join(sorted(" ".join(_norm_words(t)) for t in [r.text, *r.alternatives]))
    return r.kind, " ".join(_norm_words(r.text))


def _score(analysis: PostingAnalysis) -> None:
    """Score 0-100: required requirements weigh 2, preferred 1; met counts fully, partly half. Each distinct
    requirement counts once, however often the posting repeats it."""
    unique: dict[tuple[str, str], Requirement] = {}
    for r in analysis.requirements:
        key = _req_key(r)
        prev = unique.get(key)
        if (
            prev is None
            or (r.required and not prev.required)
            or CREDIT[r.match or "missing"] > CREDIT[prev.match or "missing"]
        ):
            unique[key] = r
    weights = {True: 2.0, False: 1.0}
    total = sum(weights[r.required] for r in unique.values())
    got = sum(weights[r.required] * CREDIT[r.match or "missing"] for r in unique.values())
    analysis.score = round(100 * got / total, 1) if total else None
    analysis.gaps = [r for r in unique.values() if r.match in ("missing", "partly")]
    counts = {
        (req, m): sum(1 for r in unique.values() if r.required == req and r.match == m)
        for req in (True, False)
        for m in ("met", "partly", "missing")
    }
    from coach.texts import render

    analysis.score_explanation = render(
        "posting_score.md",
        score=analysis.score,
        total=len(unique),
        required=sum(1 for r in unique.values() if r.required),
        preferred=sum(1 for r in unique.values() if not r.required),
        met_required=counts[(True, "met")],
        partly_required=counts[(True, "partly")],
        missing_required=counts[(True, "missing")],
        met_preferred=counts[(False, "met")],
        partly_preferred=counts[(False, "partly")],
        missing_preferred=counts[(False, "missing")],
        met_similarity=MET_SIMILARITY,
        partly_similarity=PARTLY_SIMILARITY,
        top_missing=[r.text for r in analysis.gaps if r.required and r.match == "missing"][:3],
    )
