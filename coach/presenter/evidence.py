"""The learner's evidence: experience lines that show a credential applied or a requirement met."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pydantic import BaseModel

from coach.claims import (
    normalise,
)
from coach.models import (
    ALTERNATIVE_MET,
    Experience,
    Profile,
    Requirement,
)
from coach.presenter.models import PresentedCredential
from coach.presenter.text import (
    _clause,
    _content_words,
    _has_outcome,
    _lower_first,
    _specific_words,
    _with_article,
)

# Evidence from these kinds of experience shows a credential applied, so it is preferred for bullets.
_APPLIED_KINDS = {"project": 2.0, "internship": 2.0, "apprenticeship": 2.0, "volunteer": 1.0, "job": 1.0}


class _Evidence(BaseModel):
    text: str
    where: str
    kind: str
    experience: int


def _where(exp: Experience) -> str:
    """How a bullet refers to an experience: 'my role as sales associate at Corner Books', 'my home lab'."""
    title = _lower_first(exp.title.strip())
    org = f" at {exp.organization}" if exp.organization else ""
    if exp.kind == "job":
        return f"my role as {title}{org}"
    if exp.kind == "volunteer":
        return f"my volunteer work as {title}{org}"
    if exp.kind in ("internship", "apprenticeship"):
        return f"my {exp.kind} as {title}{org}"
    return f"my {title}{org}"


def _evidence_pool(profile: Profile) -> list[_Evidence]:
    pool = []
    for i, exp in enumerate(profile.experience):
        for text in exp.evidence:
            if text.strip():
                pool.append(
                    _Evidence(text=text.strip().rstrip("."), where=_where(exp), kind=exp.kind, experience=i)
                )
    return pool


def _first_person(text: str) -> str:
    """'Resolved 40 issues' → 'I resolved 40 issues'; other evidence is quoted as the learner wrote it."""
    clause = _i_clause(text)
    return f"I {clause}" if clause else text.strip().rstrip(".")


def _i_clause(text: str) -> str | None:
    """'Resolved 40 issues' → 'resolved 40 issues' (to follow 'I'); None when it does not open with a verb."""
    clause = _clause(text)
    return clause if clause[:1].islower() else None


def _best_evidence(
    item: PresentedCredential, pool: Sequence[_Evidence], used: dict[int, int]
) -> _Evidence | None:
    """The profile evidence that best shows the item: word overlap with its name and skills, applied work first,
    and evidence not used yet (so bullets do not all cite the same line)."""
    if not pool:
        return None
    want = _content_words(" ".join([item.name, *item.skills, *item.catalog_skills]))
    best, best_score = None, -math.inf  # heavy reuse can push every score below zero
    for i, ev in enumerate(pool):
        overlap = len(want & _content_words(ev.text))
        score = 3.0 * overlap + _APPLIED_KINDS.get(ev.kind, 0.5) - 2.5 * used.get(i, 0)
        if score > best_score:
            best, best_score = i, score
    assert best is not None
    # Cite evidence only when it relates (shared words) or comes from hands-on work; never force a job line.
    ev = pool[best]
    if len(want & _content_words(ev.text)) == 0 and ev.kind not in (
        "project",
        "internship",
        "apprenticeship",
    ):
        return None
    used[best] = used.get(best, 0) + 1
    return ev


def _best_skill(item: PresentedCredential, profile: Profile, evidence: _Evidence | None) -> str | None:
    """The skill a bullet names: one of the item's skills (closest to the evidence), else a profile skill."""
    candidates = list(item.skills)
    if not candidates and evidence is not None:
        candidates = [s for s in profile.skills if _specific_words(s) & _specific_words(evidence.text)]
    if not candidates:
        return None
    if evidence is None:
        return candidates[0]
    words = _content_words(evidence.text)
    return max(candidates, key=lambda s: (len(_content_words(s) & words), -candidates.index(s)))


def _related_profile_skill(item: PresentedCredential, profile: Profile) -> str | None:
    """The learner's own skill closest to what a planned credential covers (specific word overlap), if any."""
    want = _specific_words(" ".join([item.name, *item.skills, *item.catalog_skills]))
    best = max(profile.skills, key=lambda s: len(_specific_words(s) & want), default=None)
    return best if best and _specific_words(best) & want else None


def _highlight(pool: Sequence[_Evidence]) -> str | None:
    """One piece of evidence to lead with (it must open with a verb): the first stating an outcome, else any."""
    usable = [ev for ev in pool if _i_clause(ev.text)]
    for ev in usable:
        if _has_outcome(ev.text):
            return ev.text
    return usable[0].text if usable else None


# How a posting analysis names the work that meets an experience requirement (coach.postings.match).
_WORK_EVIDENCE_RE = re.compile(
    r"(?:job|internship|apprenticeship): (?P<what>.+) \((?P<years>\d+(?:\.\d+)?) years\)$"
)


def _requirement_evidence(req: Requirement, profile: Profile) -> tuple[str, str] | None:
    """(requirement text, evidence sentence) when the learner meets a requirement, from the analysis's match or
    from the profile naming it."""
    if req.evidence and req.evidence[0].startswith(ALTERNATIVE_MET):
        return None  # the branch the learner meets speaks for itself
    if req.match == "met" and req.kind == "experience":
        # "job: Retail supervisor at Corner Books (5.0 years)" → "I have worked as a retail supervisor at …"
        jobs = [m for m in map(_WORK_EVIDENCE_RE.match, req.evidence) if m]
        if jobs:
            parts = [f"{_with_article(m['what'])} for {float(m['years']):g} years" for m in jobs[:2]]
            return req.text, "I have worked as " + " and as ".join(parts)
    if req.match == "met" and req.evidence:
        # Prefer the learner's own evidence lines over bare skill or credential labels.
        ranked = sorted(req.evidence, key=lambda ev: not _evidence_is_a_line(ev, profile))
        for ev in ranked:
            sentence = evidence_sentence(ev, profile)
            if sentence:
                return req.text, sentence
        return None
    if req.match in ("partly", "missing"):
        return None
    req_norm = f" {normalise(req.text)} "
    for held in profile.credentials:
        if held.status == "earned" and f" {normalise(held.name)} " in req_norm:
            return req.text, f"I hold {held.name}"
    for skill in profile.skills:
        if f" {normalise(skill)} " in req_norm:
            for exp in profile.experience:
                for ev in exp.evidence:
                    if _specific_words(skill) & _specific_words(ev):
                        return req.text, _first_person(ev)
            return req.text, f"{skill} is among my core skills"
    return None


def _experience_labels(profile: Profile) -> dict[str, Experience]:
    """'Sales associate at Corner Books' → the experience (how posting analyses label evidence lines)."""
    out = {}
    for exp in profile.experience:
        where = f" at {exp.organization}" if exp.organization else ""
        out[f"{exp.title}{where}".lower()] = exp
    return out


def _evidence_is_a_line(evidence: str, profile: Profile) -> bool:
    label, sep, _ = evidence.partition(": ")
    return not sep or label.lower() in _experience_labels(profile)


def evidence_sentence(evidence: str, profile: Profile) -> str | None:
    """A posting analysis's evidence item ('skill: X', 'credential: X (earned)', 'Title at Org: line', or a plain
    line) as a first-person sentence; None for anything that does not show the learner meets it."""
    label, sep, value = evidence.partition(": ")
    if not sep:
        return _first_person(evidence)
    kind = label.strip().lower()
    value = value.strip()
    if kind in _experience_labels(profile):
        return f"{_first_person(value)} ({label.strip()})"
    if kind == "skill":
        return f"{value} is among my core skills"
    if kind == "credential":
        name, _, status = value.rpartition(" (")
        status = status.rstrip(")")
        if status.startswith("earned"):
            return f"I hold {name or value}"
        return None  # in progress or planned does not meet a requirement
    if kind == "current role":
        return f"I work as {_with_article(value)}"
    if kind in ("job", "internship", "apprenticeship", "project", "volunteer"):
        return f"I have worked on it in my {kind.replace('job', 'role')} as {value}"
    if kind == "languages":
        return f"I speak {value}"
    return value
