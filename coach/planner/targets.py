"""What the target asks for: a role's skills weighted by relevance, or a posting's requirements (skills,
named credentials, years of experience), as weighted target keys."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from coach.errors import NotFound
from coach.knowledge.catalog import facet_link
from coach.models import PostingAnalysis

# ---- Relevance of a role's skills (weights normalised so the role's most relevant skill weighs 1.0) ----------
# A coach sends a learner to a credential for what is distinctive about the target role, not for every skill a
# broad taxonomy lists for it (roles carry 100-160 skills, most of them tools or general capacities).
ESCO_ESSENTIAL = 1.0  # an essential skill of the (linked) ESCO occupation: the core of the role
ESCO_OPTIONAL = 0.3  # optional skills: "essential ≫ optional"
TECH_IN_DEMAND = 0.6  # O*NET In-Demand technology: employers of this occupation ask for it
TECH_HOT_ONLY = 0.2  # O*NET Hot Technology alone is a market-wide flag, not specific to the occupation
# O*NET basic (2.A) and social (2.B.1) skills are capacities built through work and schooling, rated important
# for nearly every occupation; they count half.
ONET_GENERAL_PREFIXES = ("2.A.", "2.B.1.")
ONET_GENERAL_FACTOR = 0.5
# ESCO reuse level: transversal skills (think critically, solve problems) are not what a microcredential
# pathway is for; cross-sector ones count slightly less than sector- or occupation-specific ones.
REUSE_FACTOR = {"transversal": 0.3, "cross-sector": 0.85}
# ESCO links of an O*NET role this close to its best one are facets of it, not weaker matches (see role_facet).
FACET_MARGIN = 0.1


@dataclass
class TargetKey:
    """One thing the target asks for: an ESCO skill, a named credential or years of experience."""

    key: str
    label: str
    weight: float


def role_facet(catalog: Any, occ: Any, learner: set[str]) -> str | None:
    """The ESCO occupation an O*NET role is planned towards, when ESCO splits it into near-tied facets.

    "Web and Digital Interface Designers" links to web developer (0.83) and user interface designer (0.75): a
    print designer is heading for the design facet, a programmer for the web one. Among links within
    FACET_MARGIN of the best, the one whose essential and optional skills (1 and ESCO_OPTIONAL each) the learner
    already has most of wins; the best link stays unless another overlaps strictly more. None = the best link."""
    if occ.source != "onet" or len(occ.links) < 2 or not learner:
        return None
    top = occ.links[0].confidence

    def overlap(target: str) -> float:
        linked = catalog.occupations.get(target)
        if linked is None:
            return 0.0
        return len(learner & set(linked.essential_skills)) + ESCO_OPTIONAL * len(
            learner & set(linked.optional_skills)
        )

    near = [link.target for link in occ.links if link.confidence >= top - FACET_MARGIN]
    best = max(near, key=lambda t: (overlap(t), t == near[0]))
    return None if best == near[0] or overlap(best) <= overlap(near[0]) else str(best)


def _role_targets(catalog: Any, role: str, learner: set[str]) -> tuple[str, dict[str, TargetKey], str | None]:
    """The role's title, its weighted skills and the ESCO facet they were taken from (None = the best link)."""
    occ = catalog.find_occupation(role)
    if occ is None:
        raise NotFound(f"unknown role: {role!r} (give an O*NET-SOC code, an ESCO URI or an occupation title)")
    facet = role_facet(catalog, occ, learner)
    targets = {
        uri: TargetKey(uri, catalog.skill_label(uri), w)
        for uri, w in role_relevance(catalog, occ.id, facet).items()
    }
    return occ.title, targets, facet


# One catalogue at a time, held by reference, not by id():
# role id → relevance weights, and "__onet_means__" → the O*NET means of that catalogue (see _onet_means).
_relevance_cache: list[tuple[Any, dict[str, Any]]] = []


def _onet_means(catalog: Any) -> dict[str, tuple[float, float]]:
    """O*NET element id → (mean, standard deviation) of its importance over all O*NET occupations."""
    sums: dict[str, list[float]] = {}
    for occ in catalog.occupations.values():
        if occ.source == "onet":
            for r in occ.skills:
                sums.setdefault(r.element_id, []).append(r.importance)
    out = {}
    for e, vals in sums.items():
        mean = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        out[e] = (mean, sd)
    return out


def role_relevance(catalog: Any, occ_id: str, facet: str | None = None) -> dict[str, float]:
    """Relevance 0..1 of each skill the catalogue lists for a role (cached per catalogue and role).

    Per source, the best weight counts: ESCO essential 1.0 and optional 0.3 (× the O*NET→ESCO link confidence),
    O*NET In-Demand technology 0.6 and Hot-only 0.2, an O*NET skill rating importance·distinctiveness (how far
    above the mean of all occupations it is rated, clipped to 0.25..1; halved for basic and social skills);
    a rating or technology mapped to several ESCO skills shares its weight among them); then × the ESCO reuse
    factor, normalised so the top skill weighs 1. `facet` picks which linked ESCO occupation an O*NET role
    takes its ESCO skills from (default: the best link)."""
    if _relevance_cache and _relevance_cache[0][0] is catalog:
        cache = _relevance_cache[0][1]
    else:
        cache = {}
        _relevance_cache[:] = [(catalog, cache)]
    key = occ_id if facet is None else f"{occ_id} {facet}"
    if key in cache:
        return cache[key]
    occ = catalog.find_occupation(occ_id)
    base = dict(catalog.occupation_skills(occ.id, facet)) if occ is not None else {}
    rel: dict[str, float] = {}

    def add(uri: str, w: float) -> None:
        if uri in base and w > rel.get(uri, 0.0):
            rel[uri] = w

    if occ is not None and occ.source == "esco":
        for uri in occ.essential_skills:
            add(uri, ESCO_ESSENTIAL)
        for uri in occ.optional_skills:
            add(uri, ESCO_OPTIONAL)
    elif occ is not None:
        means = cache.get("__onet_means__") or _onet_means(catalog)
        cache["__onet_means__"] = means
        for r in occ.skills:
            mean, sd = means.get(r.element_id, (r.importance, 0.0))
            z = (r.importance - mean) / sd if sd > 0 else 0.0
            w = (r.importance - 1) / 4 * min(1.0, max(0.25, 0.5 + 0.5 * z))
            if r.element_id.startswith(ONET_GENERAL_PREFIXES):
                w *= ONET_GENERAL_FACTOR
            for uri in r.esco_uris:  # one rating counts once, however many ESCO skills it maps to
                add(uri, w / len(r.esco_uris))
        for tech in occ.technology:
            w = TECH_IN_DEMAND if tech.in_demand else TECH_HOT_ONLY if tech.hot else 0.0
            for uri in tech.esco_uris:  # likewise one technology (SQL → query languages, use query languages)
                add(uri, w / len(tech.esco_uris))
        for link in facet_link(occ, facet):  # the same linked occupation the catalogue's weights use
            linked = catalog.occupations.get(link.target)
            if linked is not None:
                for uri in linked.essential_skills:
                    add(uri, ESCO_ESSENTIAL * link.confidence)
                for uri in linked.optional_skills:
                    add(uri, ESCO_OPTIONAL * link.confidence)
    for uri, w in base.items():
        if uri not in rel:
            rel[uri] = float(w)  # no source to attribute it to: the catalogue's weight
        skill = catalog.skills.get(uri)
        rel[uri] *= REUSE_FACTOR.get(skill.reuse_level if skill else "", 1.0)
    top = max(rel.values(), default=0.0)
    out = {u: round(w / top, 4) for u, w in rel.items() if w > 0} if top > 0 else {}
    cache[key] = out
    return out


def _posting_targets(
    catalog: Any, posting: PostingAnalysis, learner_years: float
) -> tuple[str, dict[str, TargetKey], set[str], list[tuple[str, float, float]]]:
    """Targets from a posting: skills (required 1.0, preferred 0.5), named credentials (must-cover) and
    experience gaps (key, missing years, weight)."""
    targets: dict[str, TargetKey] = {}
    must: set[str] = set()
    experience: list[tuple[str, float, float]] = []

    def add(key: str, label: str, w: float) -> None:
        if key not in targets or targets[key].weight < w:
            targets[key] = TargetKey(key, label, w)

    for n, req in enumerate(posting.requirements):
        w = 1.0 if req.required else 0.5
        if req.kind == "certification":
            ids = [c for c in req.credentials if c in catalog.credentials]
            if not ids:
                found = catalog.find_credential(req.text)
                ids = [found.id] if found else []
            for cid in ids[:1]:
                add(f"credential:{cid}", catalog.credentials[cid].name, w)
                must.add(cid)
            continue
        if req.kind == "experience" and req.years:
            missing = req.years - learner_years
            if missing > 0:
                key = f"experience:{n}"
                add(key, req.text.strip(), w)
                experience.append((key, missing, w))
            continue
        top = req.skills[0].score if req.skills and req.skills[0].score else None
        for n_ref, ref in enumerate(req.skills[:2]):
            # The best link, and the runner-up only when it is nearly as good: later ones are loose matches.
            if n_ref and (top is None or ref.score is None or ref.score < 0.95 * top):
                break
            if ref.uri in catalog.skills:
                add(ref.uri, catalog.skill_label(ref.uri), w)
    title = posting.title or (posting.occupation.label if posting.occupation else "the posting")
    return title, targets, must, experience
