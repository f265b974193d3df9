"""Where the learner stands on the catalogue's ladders: the next rung of a ladder they are on, what sits below
what they hold, the experience a credential's provider recommends, and the learner's level.

Ladders come from the catalogue's sourced rules: a `recommended_before` or `prerequisite_required` rule says
its objects come before its subject (A+ before Network+, CCST before CCNA). A credential is below a held one
when the rules put it beneath (transitively), or when the same provider certifies it at a lower level.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from coach.knowledge.catalog import Catalog
from coach.models import Profile
from coach.planner.calendar import LEVEL_RANK
from coach.planner.learner import experience_fields, learner_experience_years
from coach.quantities import find_numbers

_LADDER_RULES = ("recommended_before", "prerequisite_required")
EXAM_TYPES = {"certification", "designation", "licence"}
SAME_LADDER_SHARE = 0.5  # share of a lower-level exam's skills a held one must teach to put it below
# "recommended 12 months of hands-on experience", "around two years of IT", "3-4 years", "2+ years".
_DURATION_RE = re.compile(r"(years?|months?)\b", re.I)


@dataclass
class Standing:
    """The ladder facts of one learner: each keyed by a candidate credential id."""

    next_rung: dict[str, str] = field(default_factory=dict)  # → the held credential it builds on
    below: dict[str, str] = field(default_factory=dict)  # → the held credential it sits below
    recommended: dict[str, tuple[float, float, str]] = field(
        default_factory=dict
    )  # → (years, learner's, rule)
    level: int = 0  # the learner's level rank (entry 0 … expert 3), from what they hold


def _lower_rungs(catalog: Catalog) -> dict[str, set[str]]:
    """Credential id → the credentials its rules put directly before it."""
    lower: dict[str, set[str]] = {}
    for rule in catalog.rules:
        if rule.type in _LADDER_RULES and rule.objects:
            lower.setdefault(rule.subject, set()).update(o for o in rule.objects if o != rule.subject)
    return lower


def recommended_years(text: str) -> float | None:
    """The experience a rule's words recommend, in years: the first "N years"/"N months" (a range counts its
    lower end); None when it names no duration."""
    for number in find_numbers(text):
        tail = text[number.end : number.end + 24]
        m = _DURATION_RE.match(re.sub(r"^(?:\s*[-–+]\s*\d+)?\+?\s*(?:or more\s+)?", "", tail))
        if m:
            return number.value / (12.0 if m.group(1).lower().startswith("month") else 1.0)
    return None


def learner_standing(catalog: Catalog, profile: Profile, held: set[str], today: dt.date) -> Standing:
    """The learner's ladder facts for every catalogue credential the rules or providers relate to `held`."""
    out = Standing()
    lower = _lower_rungs(catalog)
    for cid, rungs in lower.items():
        if cid not in held:
            on = sorted(rungs & held)
            if on:
                out.next_rung[cid] = on[0]
    # Below a held credential: everything its rules put beneath it, to any depth.
    for h in sorted(held):
        frontier, seen = [h], {h}
        while frontier:
            for p in lower.get(frontier.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    frontier.append(p)
                    if p not in held:
                        out.below.setdefault(p, h)
    # …and the same provider's certifications at a lower level (AWS Cloud Practitioner once an Associate is held).
    held_certs = [catalog.credentials[h] for h in sorted(held) if h in catalog.credentials]
    held_certs = [c for c in held_certs if c.type in EXAM_TYPES and c.level in LEVEL_RANK]
    if held_certs:
        for cred in catalog.credentials.values():
            if cred.id in held or cred.type not in EXAM_TYPES or cred.level not in LEVEL_RANK:
                continue
            for hc in held_certs:
                # Below it only when mostly about the same skills (a provider's entry exam on another topic
                # is a different ladder).
                shared = len(set(cred.skills) & set(hc.skills)) / len(cred.skills) if cred.skills else 1.0
                if (
                    hc.provider == cred.provider
                    and LEVEL_RANK[cred.level] < LEVEL_RANK[hc.level or "entry"]
                    and shared >= SAME_LADDER_SHARE
                ):
                    out.below.setdefault(cred.id, hc.id)
                    break
    out.level = max((LEVEL_RANK[c.level or "entry"] for c in held_certs), default=0)
    years = learner_experience_years(profile, today)
    for rule in catalog.rules:
        if rule.type != "recommended_before" or not rule.condition:
            continue
        need = recommended_years(rule.condition)
        if need is None:
            continue
        fields = experience_fields(rule.condition)
        have = learner_experience_years(profile, today, fields) if fields else years
        if rule.subject not in out.recommended or need > out.recommended[rule.subject][0]:
            out.recommended[rule.subject] = (need, have, rule.id)
    # A credential's own stated prerequisites ("recommended: 1 year of coding experience") count the same way
    # when no rule says more.
    for cid, (need, fields) in _stated_recommendations(catalog).items():
        if cid not in out.recommended:
            have = learner_experience_years(profile, today, fields) if fields else years
            out.recommended[cid] = (need, have, "prerequisites")
    return out


_RECOMMENDS_RE = re.compile(r"\brecommend", re.I)


def _stated_recommendations(catalog: Catalog) -> dict[str, tuple[float, set[str]]]:
    """Credential id → (years of experience its stated prerequisites recommend, the field words), for
    credentials whose `prerequisites` recommend experience (kept on the catalogue)."""

    def build(cat: Catalog) -> dict[str, tuple[float, set[str]]]:
        out: dict[str, tuple[float, set[str]]] = {}
        for cid, cred in cat.credentials.items():
            text = cred.prerequisites or ""
            m = _RECOMMENDS_RE.search(text)
            if m is None or "experience" not in text.lower():
                continue
            need = recommended_years(text[m.start() :])
            if need:
                out[cid] = (need, experience_fields(text[m.start() :]))
        return out

    return catalog.derived("stated-recommendations", build)
