"""Stacked pathway planner: from a learner's profile to a target role or posting, the best set of real
credentials and work-based steps within their limits, sequenced, scheduled, explained, and honest about what
cannot be done.

Objective (lexicographic, each stage's optimum locked before the next): (0) include the certifications a posting
names and those the learner plans, where possible; (1) maximise the covered relevance Σ w_s·y_s minus a per-step
overhead Σ o_c·x_c (a step must close more than about one core skill's worth); (2) minimise total cost;
(3) minimise total study hours. Solved exactly by HiGHS (coach.schedule). See README "Pathway planner".
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.errors import BadInput, CoachError, NotFound
from coach.models import (
    Credential,
    Pathway,
    PathwayStep,
    PostingAnalysis,
    Profile,
    SkillRef,
    Source,
)
from coach.schedule import (
    DEFAULT_STAGES,
    Item,
    Problem,
    Selection,
    lay_out,
    order_items,
    reduce_dominated,
    solve,
    weeks_for,
)

DEFAULT_HOURS_PER_WEEK = 10.0
PORTFOLIO_HOURS_PER_SKILL = 15.0  # planning rule of thumb, stated in every portfolio step
PORTFOLIO_SKILLS_PER_PROJECT = 3
MAX_PORTFOLIO_PROJECTS = 2  # projects are self-directed work with no credential at the end: a few, not a plan
LINK_MIN_SCORE = 0.75  # the linker scores good matches 0.8-0.95 and loose ones 0.6-0.7 (measured)
WEEKS_PER_YEAR = 52
# Certifications publish exam facts, rarely study hours. To schedule one at all, the planner assumes exam
# preparation hours by level. A stated planning assumption, flagged on the step, never stored as a catalogue fact.
PREP_HOURS_BY_LEVEL = {"entry": 60.0, "intermediate": 90.0, "advanced": 120.0, "expert": 150.0}
EXAM_TYPES = {"certification", "designation"}
NOT_STEPS = {"degree", "program"}  # never a pathway step: not microcredentials
CONSTRAINTS = ("budget", "time", "max_items", "providers", "exam_only")
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
# Per-step overhead X: a step must close more than X·(1 + ½·its off-target share) of normalised relevance to
# be worth adding. X = 1.0 is one core skill: a step is proposed only when it closes more than one core skill's
# worth (a core skill plus something, or several supporting ones), never for a lone tangential tag or two
# peripheral skills (a Hot technology at 0.2-0.3, a general capacity at ~0.4). The off-target share (the
# credential's skills the target does not list at all) makes a diffuse credential prove up to 1.5x as much.
STEP_OVERHEAD = 1.0
OFF_TARGET_FACTOR = 0.5
# A posting lists only what an employer asks (few targets, each explicit): closing one required requirement
# (weight 1.0) is always worth a step there, a preferred one (0.5) only together with something more.
POSTING_OVERHEAD_FACTOR = 0.5
# Without a stated maximum, plans hold at most this many steps: a year of part-time study, not a reading list.
DEFAULT_MAX_ITEMS = 6
MAIN_STAGES = DEFAULT_STAGES
OBJECTIVE = (
    "Lexicographic: (0) include the certifications the posting names and those you plan, where possible; "
    "(1) maximise the covered relevance of the target's skills minus a per-step overhead (a step must close "
    "more than about one core skill's worth, more if most of what it teaches is off-target); (2) then minimise "
    "total cost; (3) then minimise total study hours."
)


# --------------------------------------------------------------------------------------------------------------
# Inputs: target, learner, candidates
# --------------------------------------------------------------------------------------------------------------


@dataclass
class TargetKey:
    """One thing the target asks for: an ESCO skill, a named credential or years of experience."""

    key: str
    label: str
    weight: float


@dataclass
class Candidate:
    """A component with what the planner needs to know beyond the solver's Item."""

    item: Item
    name: str
    kind: str
    provider: str | None = None
    cost_known: bool = True
    hours_known: bool = True
    work_based: bool = False
    url: str | None = None
    sources: list[Source] = field(default_factory=list)
    blocked_by: set[str] = field(default_factory=set)  # constraints that exclude it (relaxable)
    note: str = ""
    prep_assumed: bool = False  # hours are the planner's exam-preparation assumption


@dataclass
class Plan:
    """Everything built for one request: what the assembler and the diagnosis need."""

    profile: Profile
    catalog: Any
    target_label: str
    targets: dict[str, TargetKey]
    gaps: dict[str, TargetKey]
    covered_before: set[str]
    held: set[str]
    candidates: dict[str, Candidate]
    coverable: set[str]  # gap keys some catalogue microcredential covers, whatever the filters
    soft_before: dict[str, set[str]]
    limits: dict[str, Any]
    hours_per_week: float
    assumptions: list[str]
    today: dt.date
    time_limit_s: float
    unplannable: dict[str, str] = field(default_factory=dict)  # credential id → why it cannot be planned
    binding: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9+#]+", " ", text.lower()).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


def _role_targets(catalog: Any, role: str) -> tuple[str, dict[str, TargetKey]]:
    occ = catalog.find_occupation(role)
    if occ is None:
        raise NotFound(f"unknown role: {role!r} (give an O*NET-SOC code, an ESCO URI or an occupation title)")
    targets = {
        uri: TargetKey(uri, catalog.skill_label(uri), w) for uri, w in role_relevance(catalog, occ.id).items()
    }
    return occ.title, targets


# One catalogue at a time, held by reference (see _skill_index_cache): role id → relevance weights.
_relevance_cache: list[tuple[Any, dict[str, dict[str, float]]]] = []


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


def role_relevance(catalog: Any, occ_id: str) -> dict[str, float]:
    """Relevance 0..1 of each skill the catalogue lists for a role (cached per catalogue and role).

    Per source, the best weight counts: ESCO essential 1.0 and optional 0.3 (× the O*NET→ESCO link confidence),
    O*NET In-Demand technology 0.6 and Hot-only 0.2, an O*NET skill rating importance·distinctiveness (how far
    above the mean of all occupations it is rated, clipped to 0.25..1; halved for basic and social skills);
    a rating or technology mapped to several ESCO skills shares its weight among them); then × the ESCO reuse
    factor, normalised so the top skill weighs 1."""
    if _relevance_cache and _relevance_cache[0][0] is catalog:
        cache = _relevance_cache[0][1]
    else:
        cache = {}
        _relevance_cache[:] = [(catalog, cache)]
    if occ_id in cache:
        return cache[occ_id]
    occ = catalog.find_occupation(occ_id)
    base = dict(catalog.occupation_skills(occ.id)) if occ is not None else {}
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
        cache["__onet_means__"] = means  # type: ignore[assignment]
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
        for link in occ.links[:1]:  # the same linked occupation the catalogue's weights use
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
    cache[occ_id] = out
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


_label_index_cache: list[tuple[Any, dict[str, str]]] = []


def _label_index(catalog: Any) -> dict[str, str]:
    """Normalised ESCO preferred and alternative labels → URI (built once per catalogue)."""
    index = _label_index_cache[0][1] if _label_index_cache and _label_index_cache[0][0] is catalog else None
    if index is None:
        index = {}
        for uri, skill in catalog.skills.items():
            for label in [skill.label, *skill.alt_labels]:
                index.setdefault(_norm(label), uri)
        _label_index_cache[:] = [(catalog, index)]  # one catalogue at a time (see _skill_index_cache)
    return index


# One catalogue at a time, held by reference: an id() key could be reused by a new catalogue after the old one
# is freed (tests build many), and a stale index would silently plan from the wrong credentials.
_skill_index_cache: list[tuple[Any, int, dict[str, list[str]]]] = []


def _skill_index(catalog: Any) -> dict[str, list[str]]:
    """ESCO URI → ids of credentials teaching it (built once per catalogue; keeps planning off the full scan)."""
    if _skill_index_cache:
        cat, size, cached = _skill_index_cache[0]
        if cat is catalog and size == len(catalog.credentials):
            return cached
    index: dict[str, list[str]] = {}
    for cred in catalog.credentials.values():
        for uri in cred.skills:
            index.setdefault(uri, []).append(cred.id)
    _skill_index_cache[:] = [(catalog, len(catalog.credentials), index)]
    return index


PHRASE_CACHE = "planner_phrase_links.json"


def _phrase_cache(path: Path | None, key: str) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged cache is only a slower start
    entry = data.get(key) if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else {}


def _save_phrase_cache(path: Path, key: str, links: dict[str, str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({key: links}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # atomic: concurrent planners never read half a file
    except OSError:
        pass  # read-only home: planning still works, only slower next time


def _learner_skills(
    catalog: Any, phrases: Sequence[str], linker: Any, notes: list[str], cache_path: Path | None = None
) -> set[str]:
    """ESCO URIs for the learner's skill phrases: exact label matches, then the taxonomy linker's top hit.

    With `cache_path` (the default linker only), the linker's answers per phrase are kept on disk: loading the
    linker costs seconds on a cold CLI start, and a profile's phrases rarely change between plans."""
    index = _label_index(catalog)
    found: set[str] = set()
    rest: list[str] = []
    for phrase in phrases:
        uri = index.get(_norm(phrase))
        if uri:
            found.add(uri)
        elif phrase.strip():
            rest.append(phrase)
    if rest and linker is not False:
        # Keyed by the catalogue's size and the score threshold, so a rebuilt catalogue is asked afresh.
        key = f"{len(catalog.skills)}:{len(catalog.credentials)}:{LINK_MIN_SCORE}"
        cached = _phrase_cache(cache_path, key) if cache_path is not None else {}
        ask = [p for p in rest if _norm(p) not in cached]
        found.update(cached[_norm(p)] for p in rest if cached.get(_norm(p)) in catalog.skills)
        if not ask:
            return found
        try:
            if linker is None:
                from coach.skills import get_linker

                linker = get_linker()
            for phrase, ranked in zip(ask, linker.rank_skills_batch(ask, top_k=1), strict=True):
                ok = ranked and (ranked[0].score or 0.0) >= LINK_MIN_SCORE and ranked[0].uri in catalog.skills
                cached[_norm(phrase)] = ranked[0].uri if ok else ""
                if ok:
                    found.add(ranked[0].uri)
        except Exception as exc:  # the linker is optional: without it, only exact labels count
            notes.append(f"Skill phrases were matched by exact label only ({type(exc).__name__}).")
            return found
        if cache_path is not None:
            _save_phrase_cache(cache_path, key, cached)
    return found


def _months(value: str | None, today: dt.date) -> int | None:
    if not value:
        return today.year * 12 + today.month - 1
    m = re.match(r"^(\d{4})(?:-(\d{1,2}))?", value.strip())
    if not m:
        return None
    return int(m.group(1)) * 12 + (int(m.group(2) or 1) - 1)


# Words of an experience rule that say nothing about the field of the work asked for.
_EXPERIENCE_FILLER = frozenset(
    {
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "at",
        "on",
        "the",
        "to",
        "for",
        "with",
        "within",
        "least",
        "minimum",
        "cumulative",
        "paid",
        "full",
        "time",
        "full-time",
        "part",
        "work",
        "working",
        "experience",
        "year",
        "years",
        "month",
        "months",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "verifiable",
        "relevant",
        "professional",
        "job",
        "practice",
        "domains",
        "domain",
    }
)


def experience_fields(condition: str) -> set[str]:
    """The field words of an experience rule ("five years of paid security work experience" → {"security"}):
    up to six words before "work experience", minus filler (none: any work counts). All-caps acronyms (IT, IS) keep their case."""
    out: set[str] = set()
    for m in re.finditer(r"((?:[\w/-]+[ ,]+){1,6})work experience", condition):
        for word in re.findall(r"[A-Za-z][\w-]*", m.group(1)):
            low = word.lower()
            if low in _EXPERIENCE_FILLER or len(low) < 2:
                continue
            out.add(word if word.isupper() else low)
    return out


def _matches_field(exp: Any, fields: set[str]) -> bool:
    text = " ".join([exp.title, *exp.evidence])
    words = set(re.findall(r"[A-Za-z][\w-]*", text))
    lower = {w.lower() for w in words}
    return any((f in words) if f.isupper() else (f in lower) for f in fields)


def learner_experience_years(profile: Profile, today: dt.date, fields: set[str] | None = None) -> float:
    """Years of work (jobs, internships, apprenticeships) on the profile, overlaps counted once; with `fields`,
    only work whose title or evidence names one of them (security experience for a security credential)."""
    spans = []
    for e in profile.experience:
        if e.kind not in ("job", "internship", "apprenticeship"):
            continue
        if fields and not _matches_field(e, fields):
            continue
        a, b = _months(e.start, today), _months(e.end, today)
        if a is not None and b is not None and b >= a:
            spans.append((a, b + 1))
    spans.sort()
    total, cur_a, cur_b = 0, None, None
    for a, b in spans:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total / 12


def _equivalence_kind(condition: str) -> str:
    """'experience' (holding one waives the other's experience requirement), 'partial' (education hours only),
    or 'full' (a successor or renamed credential: holding one counts as holding the other)."""
    text = condition.lower()
    if "experience requirement" in text:
        return "experience"
    if "contact hour" in text or "education" in text:
        return "partial"
    return "full"


def _held_credentials(catalog: Any, profile: Profile, notes: list[str]) -> tuple[set[str], set[str]]:
    """(held ids incl. full equivalents and stacked awards, ids whose experience requirement is waived)."""
    held: set[str] = set()
    for hc in profile.credentials:
        if hc.status != "earned":
            continue
        cred = (catalog.credentials.get(hc.id) if hc.id else None) or catalog.find_credential(hc.name)
        if cred is None:
            notes.append(f"'{hc.name}' is not in the catalogue, so it cannot count toward prerequisites.")
            continue
        held.add(cred.id)
    waived: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in catalog.rules:
            if rule.type == "equivalence":
                kind = _equivalence_kind(rule.condition)
                group = [rule.subject, *rule.objects]
                if kind == "full" and held.intersection(group) and not held.issuperset(group):
                    held.update(group)
                    changed = True
                elif kind == "experience" and rule.subject in held:
                    waived.update(rule.objects)
            elif (
                rule.type == "stackable_award"
                and rule.objects
                and rule.subject not in held
                and held.issuperset(rule.objects)
            ):
                held.add(rule.subject)
                changed = True
    return held, waived


def _profile_credentials(catalog: Any, profile: Profile, status: str) -> dict[str, str]:
    """Catalogue id → the learner's name for each credential of the profile with this status."""
    out: dict[str, str] = {}
    for hc in profile.credentials:
        if hc.status == status:
            cred = (catalog.credentials.get(hc.id) if hc.id else None) or catalog.find_credential(hc.name)
            if cred is not None:
                out[cred.id] = hc.name
    return out


def _build_plan(
    profile: Profile,
    catalog: Any,
    *,
    role: str | None,
    posting: PostingAnalysis | None,
    limits: dict[str, Any],
    hours_per_week: float,
    assumptions: list[str],
    linker: Any,
    today: dt.date,
    time_limit_s: float,
) -> Plan:
    notes = assumptions
    years = learner_experience_years(profile, today)
    must: set[str] = set()
    exp_targets: list[tuple[str, float, float]] = []
    if posting is not None:
        label, targets, must, exp_targets = _posting_targets(catalog, posting, years)
    else:
        assert role is not None
        label, targets = _role_targets(catalog, role)
    held, waived = _held_credentials(catalog, profile, notes)
    # Credentials under way are not re-planned: their skills count as covered and they satisfy prerequisites
    # (steps that need them are assumed to start after they finish). Planned ones are preferred candidates.
    in_progress = {
        c: n for c, n in _profile_credentials(catalog, profile, "in_progress").items() if c not in held
    }
    planned = {c: n for c, n in _profile_credentials(catalog, profile, "planned").items() if c not in held}
    if in_progress:
        notes.append(
            "In progress, so not re-planned (its skills count as covered and it satisfies prerequisites once "
            "finished): " + ", ".join(catalog.credentials[c].name for c in sorted(in_progress)) + "."
        )
        held = held | set(in_progress)
    cache_path = None
    if linker is None:
        from coach.settings import get_settings

        cache_path = get_settings().home / "cache" / PHRASE_CACHE
    learner = _learner_skills(catalog, profile.skills, linker, notes, cache_path)
    for cid in held:
        cred = catalog.credentials.get(cid)
        if cred:
            learner.update(cred.skills)
    covered_before = {k for k in targets if k in learner or (k.startswith("credential:") and k[11:] in held)}
    target_keys = set(targets)
    gaps = {k: t for k, t in targets.items() if k not in covered_before}

    # Rules, indexed by subject.
    prereqs: dict[str, list[tuple[list[str], bool]]] = {}
    exp_years: dict[str, float] = {}
    exp_fields: dict[str, set[str]] = {}
    soft_before: dict[str, set[str]] = {}
    awarded: set[str] = set()
    full_equiv: dict[str, set[str]] = {}
    for rule in catalog.rules:
        if rule.type == "prerequisite_required" and rule.objects:
            prereqs.setdefault(rule.subject, []).append((list(rule.objects), rule.any_of))
        elif rule.type == "experience_required" and rule.experience_years:
            if rule.experience_years > exp_years.get(rule.subject, 0.0):
                exp_years[rule.subject] = rule.experience_years
                exp_fields[rule.subject] = experience_fields(rule.condition or "")
        elif rule.type == "recommended_before" and rule.objects:
            soft_before.setdefault(rule.subject, set()).update(rule.objects)
        elif rule.type == "stackable_award" and rule.objects:
            awarded.add(rule.subject)  # awarded automatically: never a step of its own
        elif rule.type == "equivalence" and _equivalence_kind(rule.condition) == "full":
            for a in [rule.subject, *rule.objects]:
                full_equiv.setdefault(a, set()).update({rule.subject, *rule.objects} - {a})

    gap_skills = {k for k in gaps if not k.startswith(("credential:", "experience:"))}
    covering: dict[str, set[str]] = {}  # credential id → gap keys it covers
    coverable: set[str] = set()
    unplannable: dict[str, str] = {}
    skill_index = _skill_index(catalog)
    maybe = {cid for k in gap_skills for cid in skill_index.get(k, ())}
    for k in gaps:
        if k.startswith("credential:"):
            maybe |= {k[11:], *full_equiv.get(k[11:], ())}
    for cid in sorted(maybe):
        cred = catalog.credentials.get(cid)
        if cred is None:
            continue
        cov = gap_skills.intersection(cred.skills)
        for equivalent in [cred.id, *full_equiv.get(cred.id, ())]:
            if f"credential:{equivalent}" in gaps:
                cov.add(f"credential:{equivalent}")
        if not cov:
            continue
        if not cred.is_microcredential or cred.type in NOT_STEPS:
            unplannable[cred.id] = "a degree or programme, not a microcredential"
            continue
        if cred.id in held or cred.id in awarded:
            continue
        covering[cred.id] = cov
        coverable |= cov
    # Prerequisite closure: a prerequisite joins the candidates even when it covers nothing itself.
    frontier = list(covering)
    while frontier:
        cid = frontier.pop()
        for objects, _ in prereqs.get(cid, []):
            for p in objects:
                pre = catalog.credentials.get(p)
                if p in covering or p in held or pre is None:
                    continue
                if not pre.is_microcredential or pre.type in NOT_STEPS:
                    continue
                covering[p] = set()
                frontier.append(p)

    hpw = hours_per_week
    overhead = float(limits.get("step_overhead", STEP_OVERHEAD))
    if posting is not None:
        overhead *= POSTING_OVERHEAD_FACTOR
    candidates: dict[str, Candidate] = {}
    providers = [p.lower() for p in limits.get("providers") or []]
    for cid, cov in covering.items():
        cred: Credential = catalog.credentials[cid]
        blocked: set[str] = set()
        if providers and not any(p in (cred.provider or "").lower() for p in providers):
            blocked.add("providers")
        if limits.get("exam_only") and cred.type != "certification":
            blocked.add("exam_only")
        cost_known = cred.cost is not None
        hours_known = cred.hours is not None
        hours = float(cred.hours or 0.0)
        note = ""
        if not hours_known and cred.type in EXAM_TYPES:
            hours = PREP_HOURS_BY_LEVEL.get(cred.level or "", PREP_HOURS_BY_LEVEL["intermediate"])
            note = (
                f"The catalogue gives no study hours: planned with {hours:g} h of exam preparation, the planner's "
                f"assumption for {'an' if (cred.level or 'intermediate')[0] in 'aeiou' else 'a'} "
                f"{cred.level or 'intermediate'}-level certification."
            )
        if not cost_known and limits.get("budget") is not None:
            blocked.add("unknown_cost")  # an unknown price cannot be promised to fit a budget
        if not hours_known and not note and limits.get("weeks") is not None:
            blocked.add("unknown_hours")  # nor unknown hours a deadline
        cand = Candidate(
            item=Item(
                id=cid,
                cost=float(cred.cost or 0.0),
                hours=hours,
                weeks=weeks_for(hours, hpw) if hours_known or note else 1,
                covers=frozenset(cov),
                must=cid in must or cid in planned or any(e in must for e in full_equiv.get(cid, ())),
                level=cred.level,
                # A credential the learner already plans needs no convincing; others must earn their place.
                overhead=0.0
                if cid in planned
                else overhead * (1.0 + OFF_TARGET_FACTOR * _off_target(cred, target_keys)),
            ),
            name=cred.name,
            kind=cred.type,
            provider=cred.provider,
            cost_known=cost_known,
            hours_known=hours_known,
            url=cred.url,
            sources=list(cred.sources),
            blocked_by=blocked,
            note=(note + " " if note else "") + ("You already plan to take it." if cid in planned else ""),
            prep_assumed=bool(note),
        )
        requires: list[str] = []
        requires_any: list[tuple[str, ...]] = []
        for objects, any_of in prereqs.get(cid, []):
            if any_of:
                if not held.intersection(objects):
                    requires_any.append(tuple(o for o in objects if o in covering))
            else:
                requires += [o for o in objects if o not in held]
        fields = exp_fields.get(cid) or set()
        relevant = learner_experience_years(profile, today, fields) if fields else years
        need = exp_years.get(cid, 0.0) - relevant
        if need > 0 and cid not in waived:
            kind = _work_kind(profile, need)
            wid = f"work:{kind}:{cid}"
            work_weeks = math.ceil(need * WEEKS_PER_YEAR)
            candidates[wid] = Candidate(
                item=Item(id=wid, weeks=work_weeks, study=False, level=cred.level),
                name=f"{_KIND_NAMES[kind]}: {need:g} more year{'s' if need != 1 else ''} of work experience "
                f"for {cred.name}",
                kind=kind,
                work_based=True,
                blocked_by=(
                    {"time"}
                    if limits.get("weeks") is not None and work_weeks + cand.item.weeks > limits["weeks"]
                    else set()
                ),
                note=f"{cred.name} requires {exp_years[cid]:g} years of "
                + (f"{'/'.join(sorted(fields))} " if fields else "")
                + f"experience; the profile shows {relevant:.1f}.",
            )
            requires.append(wid)
        cand.item.requires = tuple(dict.fromkeys(requires))
        cand.item.requires_any = tuple(requires_any)
        candidates[cid] = cand

    # Drop candidates another beats on every count under the same filters (exact; keeps the models small).
    weights = {k: t.weight for k, t in gaps.items()}
    groups = {cid: frozenset(c.blocked_by) for cid, c in candidates.items()}
    kept = {it.id for it in reduce_dominated([c.item for c in candidates.values()], weights, groups)}
    candidates = {cid: c for cid, c in candidates.items() if cid in kept}

    # Experience the posting asks for and the profile lacks.
    for key, missing, _w in exp_targets:
        kind = _work_kind(profile, missing)
        wid = f"work:{kind}:{key.replace(':', '-')}"
        work_weeks = math.ceil(missing * WEEKS_PER_YEAR)
        candidates[wid] = Candidate(
            item=Item(id=wid, weeks=work_weeks, study=False, covers=frozenset({key}), overhead=overhead),
            name=f"{_KIND_NAMES[kind]}: {missing:g} more year{'s' if missing != 1 else ''} of relevant work",
            kind=kind,
            work_based=True,
            blocked_by={"time"}
            if limits.get("weeks") is not None and work_weeks > limits["weeks"]
            else set(),
            note=f"The posting asks for: {gaps[key].label}",
        )
        coverable.add(key)

    # Skills no credential covers → portfolio projects (free; hours by a stated rule).
    orphan = sorted(gap_skills - coverable, key=lambda k: (-gaps[k].weight, gaps[k].label))
    projects = [
        orphan[i : i + PORTFOLIO_SKILLS_PER_PROJECT]
        for i in range(0, len(orphan), PORTFOLIO_SKILLS_PER_PROJECT)
    ][:MAX_PORTFOLIO_PROJECTS]
    for keys in projects:
        hours = PORTFOLIO_HOURS_PER_SKILL * len(keys)
        wid = f"work:portfolio_project:{_slug(gaps[keys[0]].label)}"
        candidates[wid] = Candidate(
            item=Item(
                id=wid,
                hours=hours,
                weeks=weeks_for(hours, hpw),
                covers=frozenset(keys),
                level=None,
                overhead=overhead,
            ),
            name="Portfolio project: " + ", ".join(gaps[k].label for k in keys),
            kind="portfolio_project",
            work_based=True,
            note=f"Hours estimated at {PORTFOLIO_HOURS_PER_SKILL:g} h per skill demonstrated (a planning rule, "
            "not a catalogue fact).",
        )
    _drop_unreachable(candidates)
    return Plan(
        profile=profile,
        catalog=catalog,
        target_label=label,
        targets=targets,
        gaps=gaps,
        covered_before=covered_before,
        held=held,
        candidates=candidates,
        coverable=coverable,
        soft_before=soft_before,
        limits=limits,
        hours_per_week=hpw,
        assumptions=notes,
        today=today,
        time_limit_s=time_limit_s,
        unplannable=unplannable,
    )


def _off_target(cred: Credential, target_keys: set[str]) -> float:
    """Share of a credential's skills the target does not list (0 when it lists none: nothing to judge)."""
    if not cred.skills:
        return 0.0
    return sum(1 for u in cred.skills if u not in target_keys) / len(cred.skills)


_KIND_NAMES = {
    "apprenticeship": "Apprenticeship",
    "internship": "Internship",
    "on_the_job_assessment": "On-the-job experience",
    "portfolio_project": "Portfolio project",
}


def _work_kind(profile: Profile, missing_years: float) -> str:
    """How to gain missing experience: in the current job if there is one, else an internship (≤ 1 year) or an
    apprenticeship."""
    if any(e.kind == "job" and not e.end for e in profile.experience):
        return "on_the_job_assessment"
    return "internship" if missing_years <= 1 else "apprenticeship"


def _drop_unreachable(candidates: dict[str, Candidate]) -> None:
    """Remove candidates whose required prerequisites are not candidates (to a fixpoint)."""
    changed = True
    while changed:
        changed = False
        for cid in list(candidates):
            it = candidates[cid].item
            if any(p not in candidates for p in it.requires) or any(
                not any(p in candidates for p in g) for g in it.requires_any
            ):
                del candidates[cid]
                changed = True
        for cand in candidates.values():
            it = cand.item
            it.requires_any = tuple(tuple(p for p in g if p in candidates) for g in it.requires_any)


def _problem(
    plan: Plan, relaxed: Iterable[str] = (), weights_keys: set[str] | None = None, overhead: bool = True
) -> Problem:
    """The solver's problem with some constraints relaxed (and optionally only some target keys weighted, or
    without the per-step overhead)."""
    relaxed = set(relaxed)
    items = [
        Item(**{**c.item.__dict__, **({} if overhead else {"overhead": 0.0})})
        for c in plan.candidates.values()
        if not (c.blocked_by - relaxed)
    ]
    present = {i.id for i in items}
    kept = list(items)  # prerequisites blocked by a filter take their dependents with them
    changed = True
    while changed:
        changed = False
        for it in list(kept):
            if any(p not in present for p in it.requires) or any(
                not any(p in present for p in g) for g in it.requires_any
            ):
                kept.remove(it)
                present.discard(it.id)
                changed = True
    for it in kept:
        it.requires_any = tuple(tuple(p for p in g if p in present) for g in it.requires_any)
    weights = {k: t.weight for k, t in plan.gaps.items() if weights_keys is None or k in weights_keys}
    lim = plan.limits
    return Problem(
        items=kept,
        weights=weights,
        budget=None if "budget" in relaxed else lim.get("budget"),
        weeks_limit=None if "time" in relaxed else lim.get("weeks"),
        max_items=None if "max_items" in relaxed else lim.get("max_items"),
    )


# --------------------------------------------------------------------------------------------------------------
# Assembly: steps, schedule, explanations
# --------------------------------------------------------------------------------------------------------------


def _money(v: float, currency: str = "USD") -> str:
    return f"{currency} {v:,.0f}" if abs(v - round(v)) < 0.005 else f"{currency} {v:,.2f}"


def _assemble(plan: Plan, sel: Selection, *, status: str, label: str | None = None) -> Pathway:
    """Turn a selection into an ordered, scheduled, explained Pathway."""
    from coach.texts import render

    cands = plan.candidates
    chosen = [c for c in sel.chosen if c in cands]
    items = [cands[c].item for c in chosen]
    priority = {c: sum(plan.gaps[k].weight for k in cands[c].item.covers if k in plan.gaps) for c in chosen}
    order = order_items(items, plan.soft_before, priority)
    slots = {s.id: s for s in lay_out(items, order)}
    chosen_set = set(chosen)
    # Who depends on whom, for the "why here" sentences.
    required_by: dict[str, list[str]] = {}
    recommended_for: dict[str, list[str]] = {}
    for c in chosen:
        it = cands[c].item
        for p in [*it.requires, *(p for g in it.requires_any for p in g)]:
            if p in chosen_set:
                required_by.setdefault(p, []).append(c)
        for p in plan.soft_before.get(c, ()):
            if p in chosen_set:
                recommended_for.setdefault(p, []).append(c)
    stack_rules = [r for r in plan.catalog.rules if r.type == "stackable_award" and r.objects]
    done = set(plan.held)
    unlocked: set[str] = set(plan.held)
    closed: set[str] = set()
    steps: list[PathwayStep] = []
    for c in sorted(order, key=lambda x: (slots[x].start_week, order.index(x))):
        cand = cands[c]
        it = cand.item
        closes = [k for k in sorted(it.covers, key=lambda k: -plan.gaps[k].weight) if k not in closed]
        reinforces = [k for k in it.covers if k in closed]
        closed.update(closes)
        done.add(c)
        unlocks = []
        for r in stack_rules:
            if c in r.objects and r.subject not in unlocked and done.issuperset(r.objects):
                unlocks.append(r.subject)
                unlocked.add(r.subject)
        prereq_ids = [p for p in [*it.requires, *(p for g in it.requires_any for p in g)] if p in chosen_set]
        name_of = lambda x: cands[x].name if x in cands else x  # noqa: E731
        why = render(
            "planner_step.md",
            closes=[plan.gaps[k].label for k in closes],
            reinforces=[plan.gaps[k].label for k in reinforces],
            required_by=[name_of(x) for x in required_by.get(c, [])],
            requires=[name_of(x) for x in prereq_ids],
            recommended_before=[name_of(x) for x in recommended_for.get(c, [])],
            level=it.level or "",
            work_based=cand.work_based,
            note=cand.note,
            cost_known=cand.cost_known,
            hours_known=cand.hours_known,
            prep_assumed=cand.prep_assumed,
            unlocks=[
                plan.catalog.credentials[u].name if u in plan.catalog.credentials else u for u in unlocks
            ],
            sources=list(dict.fromkeys(s.name.split(":")[0] for s in cand.sources))[:3],
        )
        slot = slots[c]
        steps.append(
            PathwayStep(
                id=c,
                name=cand.name,
                kind=cand.kind,  # type: ignore[arg-type]
                provider=cand.provider,
                start_week=slot.start_week,
                end_week=slot.end_week,
                cost=round(it.cost, 2),
                currency=plan.profile.constraints.currency or "USD",
                hours=round(it.hours, 1),
                hours_estimated=(cand.work_based and cand.kind == "portfolio_project")
                or cand.prep_assumed
                or _hours_estimated(plan, c),
                skills=[SkillRef(uri=k, label=plan.gaps[k].label) for k in closes],
                prerequisites=prereq_ids,
                unlocks=unlocks,
                why=why,
                url=cand.url,
                sources=cand.sources,
                cost_known=cand.cost_known,
                hours_known=cand.hours_known,
                work_based=cand.work_based,
            )
        )
    covered_now = set().union(*(cands[c].item.covers for c in chosen)) if chosen else set()
    total_w = sum(t.weight for t in plan.targets.values()) or 1.0
    before_w = sum(plan.targets[k].weight for k in plan.covered_before)
    after_w = before_w + sum(plan.gaps[k].weight for k in covered_now if k in plan.gaps)
    uncovered = sorted(
        (k for k in plan.gaps if k not in covered_now),
        key=lambda k: (-plan.gaps[k].weight, plan.gaps[k].label),
    )
    weeks = max((s.end_week for s in steps), default=0)
    currency = plan.profile.constraints.currency or "USD"
    pathway = Pathway(
        status=status,  # type: ignore[arg-type]
        target=plan.target_label,
        objective=OBJECTIVE,
        steps=steps,
        total_cost=round(sum(s.cost for s in steps), 2),
        currency=currency,
        total_hours=round(sum(s.hours for s in steps), 1),
        weeks=weeks,
        completion_date=(plan.today + dt.timedelta(weeks=weeks)).isoformat() if steps else None,
        covered=[SkillRef(uri=k, label=plan.gaps[k].label) for k in sorted(covered_now) if k in plan.gaps],
        uncovered=[SkillRef(uri=k, label=plan.gaps[k].label) for k in uncovered],
        coverage_before=round(before_w / total_w, 4),
        coverage_after=round(after_w / total_w, 4),
        label=label,
        gap=sel.gap if sel.status == "feasible" else None,
        assumptions=list(plan.assumptions),
        hours_per_week=plan.hours_per_week,
    )
    pathway.explanation = _explain_whole(plan, pathway, covered_now)
    return pathway


def _hours_estimated(plan: Plan, cid: str) -> bool:
    cred = plan.catalog.credentials.get(cid)
    return bool(cred and cred.hours_estimated)


def _uncovered_reasons(plan: Plan, covered_now: set[str]) -> list[tuple[str, str]]:
    """(label, why) for each uncovered gap, most important first."""
    available = {k for c in plan.candidates.values() for k in c.item.covers}
    # Gaps some unchosen candidate would close with a gain above its overhead: only these are held back by limits.
    worthwhile = {
        k
        for c in plan.candidates.values()
        if not c.blocked_by
        and sum(plan.gaps[x].weight for x in c.item.covers - covered_now if x in plan.gaps) > c.item.overhead
        for k in c.item.covers - covered_now
    }
    unblocked = {k for c in plan.candidates.values() if not c.blocked_by for k in c.item.covers}
    limits_by_name = (
        f"the budget of {_money(plan.limits['budget'])}" if plan.limits.get("budget") is not None else "",
        f"{plan.limits['weeks']} weeks" if plan.limits.get("weeks") is not None else "",
        f"at most {plan.limits['max_items']} items" if plan.limits.get("max_items") else "",
    )
    out = []
    for k in sorted(plan.gaps, key=lambda k: (-plan.gaps[k].weight, plan.gaps[k].label)):
        if k in covered_now:
            continue
        if k not in plan.coverable:
            why = "no credential in the catalogue covers it"
            if k not in available and not k.startswith(("credential:", "experience:")):
                why += f" (only the {MAX_PORTFOLIO_PROJECTS * PORTFOLIO_SKILLS_PER_PROJECT} most important such skills get a portfolio project)"
        elif k not in available:
            why = "the credentials that cover it cannot be planned (a prerequisite is unavailable)"
        elif k not in unblocked:
            blocked = sorted(
                {b for c in plan.candidates.values() if k in c.item.covers for b in c.blocked_by}
            )
            why = "excluded by " + ", ".join(_BLOCK_TEXT.get(b, b) for b in blocked)
        elif k not in worthwhile:
            why = "what teaches it closes too little of the target to be worth a step of its own"
        else:
            named = [x for b, x in zip(("budget", "time", "max_items"), limits_by_name, strict=True) if x]
            if plan.binding:
                named = [x for b, x in zip(("budget", "time", "max_items"), limits_by_name, strict=True)
                         if x and b in plan.binding] or named  # fmt: skip
            why = "did not fit within " + (" and ".join(named) if named else "the limits")
        out.append((plan.gaps[k].label, why))
    return out


_BLOCK_TEXT = {
    "providers": "your provider preference",
    "exam_only": "the exam-only preference",
    "budget": "the budget",
    "time": "the deadline (experience that takes longer than the weeks available)",
    "unknown_cost": "the budget (no published price, so it cannot be promised to fit)",
    "unknown_hours": "the deadline (no published hours, so it cannot be promised to fit)",
    "max_items": "the maximum number of items",
}


def _explain_whole(plan: Plan, pathway: Pathway, covered_now: set[str]) -> str:
    from coach.texts import render

    return render(
        "planner_summary.md",
        target=plan.target_label,
        status=pathway.status,
        n_steps=len(pathway.steps),
        total_cost=_money(pathway.total_cost, pathway.currency),
        unknown_costs=[s.name for s in pathway.steps if not s.cost_known],
        total_hours=f"{pathway.total_hours:,.0f}",
        weeks=pathway.weeks,
        hours_per_week=f"{plan.hours_per_week:g}",
        coverage_before=round(100 * pathway.coverage_before),
        coverage_after=round(100 * pathway.coverage_after),
        uncovered=_uncovered_reasons(plan, covered_now)[:8],
        n_uncovered=len(pathway.uncovered),
        assumptions=plan.assumptions,
    )


# --------------------------------------------------------------------------------------------------------------
# Infeasibility: which constraint binds and the nearest change that works
# --------------------------------------------------------------------------------------------------------------


def _useful(plan: Plan, sel: Selection) -> float:
    """Covered weight of gaps a credential (or required work step) could close: portfolio projects alone
    do not make a plan useful."""
    cov = set()
    for c in sel.chosen:
        cand = plan.candidates.get(c)
        if cand and cand.kind != "portfolio_project":
            cov |= cand.item.covers
    return sum(plan.gaps[k].weight for k in cov & plan.coverable)


def _active(plan: Plan) -> list[str]:
    lim = plan.limits
    out = []
    if lim.get("budget") is not None:
        out.append("budget")
    if lim.get("weeks") is not None:
        out.append("time")
    if lim.get("max_items") is not None:
        out.append("max_items")
    if lim.get("providers"):
        out.append("providers")
    if lim.get("exam_only"):
        out.append("exam_only")
    return out


def _diagnose(plan: Plan) -> tuple[list[str], str, str | None, Pathway | None]:
    """(binding constraints, reason, nearest feasible change, the plan under that change)."""
    useful_keys = plan.coverable
    active = _active(plan)
    budget_left = plan.time_limit_s

    def attempt(relaxed: Sequence[str], stages: Sequence[tuple[str, str]]) -> Selection:
        prob = _problem(plan, relaxed, weights_keys=useful_keys)
        # Portfolio projects never count as useful here (see _useful).
        prob.items = [i for i in prob.items if not i.id.startswith("work:portfolio_project:")]
        return solve(prob, stages, bounds=(("coverage", ">=", 1e-3),), time_limit_s=max(budget_left / 4, 0.2))

    binding: list[str] = []
    for name in active:
        sel = attempt([name], (("coverage", "max"),))
        if sel.status in ("optimal", "feasible") and sel.values.get("coverage", 0) > 0:
            binding.append(name)
    relaxed = binding[:1] or active
    stage_for = {"budget": "cost", "time": "weeks", "max_items": "items"}
    first = relaxed[0] if relaxed else None
    objective = stage_for.get(first or "", "cost")
    stages = [(objective, "min"), ("coverage", "max"), ("cost", "min"), ("hours", "min"), ("items", "min")]
    sel = attempt(relaxed, stages) if relaxed else None
    if (sel is None or sel.status not in ("optimal", "feasible")) and active:
        unknown = attempt([*active, "unknown_cost", "unknown_hours"], stages)
        if unknown.status in ("optimal", "feasible"):
            chosen = [plan.candidates[c] for c in unknown.chosen]
            binding = [
                *(["budget"] if any(not c.cost_known for c in chosen) else []),
                *(["time"] if any(not c.hours_known for c in chosen) else []),
            ] or list(active)
            names = ", ".join(c.name for c in chosen if not c.work_based)
            gaps_of = "price" if "budget" in binding else "hours"
            reason = (
                f"Infeasible: the only credentials that close a gap have no published {gaps_of}, so they cannot "
                "be promised to fit your limits."
            )
            change = f"Without the {' and '.join(_BLOCK_TEXT[b] for b in binding)} limit, {names} would be possible; check their {gaps_of} first."
            relaxed_plan = Plan(**{**plan.__dict__, "limits": {**plan.limits, "budget": None, "weeks": None}})
            alt = _assemble(relaxed_plan, unknown, status=unknown.status, label="nearest feasible")
            alt.trade_off = change
            return binding, reason, change, alt
    if sel is None or sel.status not in ("optimal", "feasible"):
        what = "no credential that covers the target's skills can be planned"
        if plan.unplannable and not plan.coverable:
            what += " (only degrees or programmes cover them)"
        return binding, f"Infeasible: {what}.", None, None
    names = [plan.candidates[c].name for c in sel.chosen if not plan.candidates[c].work_based][:3]
    example = ", ".join(names) or "a work-based step"
    lim = plan.limits
    if binding and first == "budget":
        cost = sel.values["cost"]
        change = f"A budget of {_money(cost)} would allow {example}."
        reason = (
            f"Infeasible: within the budget of {_money(lim['budget'])} no credential closes any of the gaps "
            "(every covering credential costs more, or has no published price)."
        )
    elif binding and first == "time":
        chosen_items = [plan.candidates[c].item for c in sel.chosen]
        need_total = max(s.end_week for s in lay_out(chosen_items, order_items(chosen_items, {})))
        more = need_total - int(lim["weeks"])
        hpw_alt = _hours_per_week_needed(plan, sel, int(lim["weeks"]))
        change = f"{need_total} weeks at {plan.hours_per_week:g} h a week ({more} more) would allow {example}"
        change += f", or {hpw_alt:g} h a week within {lim['weeks']} weeks." if hpw_alt else "."
        reason = (
            f"Infeasible: nothing that closes a gap fits in {lim['weeks']} weeks at {plan.hours_per_week:g} h a "
            "week (or the hours are unpublished, or experience takes longer)."
        )
    elif binding:
        change = f"Dropping the {_BLOCK_TEXT.get(first or '', first)} would allow {example}."
        reason = f"Infeasible: {_BLOCK_TEXT.get(first or '', first)} leaves nothing that closes a gap."
    else:
        change = (
            f"Relaxing {', '.join(_BLOCK_TEXT.get(a, a) for a in active)} together would allow {example}."
        )
        reason = "Infeasible: no single limit is to blame; only relaxing them together leaves a useful plan."
        binding = list(active)
    relaxed_plan = Plan(**{**plan.__dict__, "limits": _relaxed_limits(plan, sel, relaxed)})
    best = sel if "time" in relaxed else _full_selection(relaxed_plan, sel)
    alt = _assemble(relaxed_plan, best, status=best.status, label="nearest feasible")
    alt.trade_off = change
    return binding, reason, change, alt


def _relaxed_limits(plan: Plan, sel: Selection, relaxed: Sequence[str]) -> dict[str, Any]:
    lim = dict(plan.limits)
    for name in relaxed:
        if name == "budget":
            lim["budget"] = sel.values["cost"]
        elif name == "time":
            lim["weeks"] = None
        elif name in ("providers", "exam_only", "max_items"):
            lim[name] = None
    return lim


def _full_selection(plan: Plan, seed: Selection) -> Selection:
    """Re-plan under relaxed limits with the main objective (so the nearest plan is itself optimal)."""
    prob = _problem(plan, relaxed=[k for k in CONSTRAINTS if plan.limits.get(_LIMIT_KEY[k]) in (None, [])])
    sel = solve(prob, MAIN_STAGES, time_limit_s=max(plan.time_limit_s / 4, 0.2))
    # With the per-step overhead the relaxed optimum may add nothing: then the seed (which closes a gap) stands.
    return sel if sel.status in ("optimal", "feasible") and _useful(plan, sel) > 0 else seed


_LIMIT_KEY = {"budget": "budget", "time": "weeks", "max_items": "max_items", "providers": "providers",
              "exam_only": "exam_only"}  # fmt: skip


def _hours_per_week_needed(plan: Plan, sel: Selection, weeks: int) -> float | None:
    """Smallest whole hours a week (≤ 100) at which the selection's study steps fit in `weeks`."""
    items = [plan.candidates[c].item for c in sel.chosen if plan.candidates[c].item.study]
    if any(not plan.candidates[c].item.study and plan.candidates[c].item.weeks >= weeks for c in sel.chosen):
        return None
    total = sum(i.hours for i in items)
    start = max(1, math.ceil(total / max(weeks, 1)))
    for hpw in range(start, 101):
        if sum(weeks_for(i.hours, hpw) for i in items) <= weeks:
            return float(hpw)
    return None


# --------------------------------------------------------------------------------------------------------------
# Alternatives
# --------------------------------------------------------------------------------------------------------------


def _alternatives(plan: Plan, main: Selection, main_path: Pathway, k: int) -> list[Pathway]:
    if k <= 0 or not main.chosen:
        return []
    prob = _problem(plan)
    found = [set(main.chosen)]
    half = 0.5 * main.values.get("coverage", 0.0)
    specs = [
        (
            "cheapest",
            (("cost", "min"), ("coverage", "max"), ("hours", "min"), ("items", "min")),
            (("coverage", ">=", half),),
        ),
        (
            "fastest",
            (("weeks", "min"), ("coverage", "max"), ("cost", "min"), ("items", "min")),
            (("coverage", ">=", half),),
        ),
    ]
    specs += [(f"different mix {n}", MAIN_STAGES, ()) for n in range(1, k + 1)]
    out: list[Pathway] = []
    for label, stages, bounds in specs:
        if len(out) >= k:
            break
        sel = solve(
            prob,
            stages,
            bounds=bounds,
            exclude_sets=found,
            time_limit_s=max(plan.time_limit_s / (k + 1), 0.2),
        )
        if sel.status not in ("optimal", "feasible") or not sel.chosen:
            continue
        found.append(set(sel.chosen))
        alt = _assemble(plan, sel, status=sel.status, label=label)
        alt.trade_off = _trade_off(plan, main_path, alt)
        out.append(alt)
    return out


def _trade_off(plan: Plan, main: Pathway, alt: Pathway) -> str:
    """One sentence: how this alternative differs from the recommended plan."""
    from coach.texts import render

    diff = round(alt.total_cost - main.total_cost, 2)
    return render(
        "planner_tradeoff.md",
        cost_diff=diff,
        cost_abs=_money(abs(diff), main.currency),
        weeks_diff=alt.weeks - main.weeks,
        coverage_diff=round(100 * (alt.coverage_after - main.coverage_after)),
    )


# --------------------------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------------------------


def plan_pathway(
    profile: Profile,
    *,
    role: str | None = None,
    posting: PostingAnalysis | None = None,
    budget: float | None = None,
    hours_per_week: float | None = None,
    weeks: int | None = None,
    alternatives: int = 0,
    catalog: Any = None,
    max_items: int | None = None,
    providers: Sequence[str] | None = None,
    exam_only: bool | None = None,
    time_limit_s: float = 5.0,
    linker: Any = None,
    today: dt.date | None = None,
    step_overhead: float = STEP_OVERHEAD,
) -> Pathway:
    """Plan the best pathway from `profile` to a role or posting within the limits (arguments override
    profile.constraints). Pass `linker=False` to match skill phrases by exact label only; `step_overhead` is the
    relevance a step must close to be worth adding (0 plans for pure weighted coverage)."""
    c = profile.constraints
    budget = c.budget if budget is None else budget
    hours_per_week = c.hours_per_week if hours_per_week is None else hours_per_week
    weeks = c.weeks if weeks is None else weeks
    max_items = c.max_items if max_items is None else max_items
    providers = list(c.providers if providers is None else providers)
    exam_only = c.exam_only if exam_only is None else exam_only
    if budget is not None and (budget < 0 or not math.isfinite(budget)):
        raise BadInput(f"budget must be zero or more, not {budget:g}")
    if hours_per_week is not None and not (0 < hours_per_week <= 100):
        raise BadInput(f"hours per week must be between 0 and 100, not {hours_per_week:g}")
    if weeks is not None and weeks <= 0:
        raise BadInput(f"weeks must be at least 1, not {weeks}")
    if max_items is not None and max_items <= 0:
        raise BadInput(f"max items must be at least 1, not {max_items}")
    if alternatives < 0 or alternatives > 10:
        raise BadInput("alternatives must be between 0 and 10")
    if step_overhead < 0 or not math.isfinite(step_overhead):
        raise BadInput(f"step overhead must be zero or more, not {step_overhead:g}")
    if catalog is None:
        from coach.knowledge import get_catalog

        catalog = get_catalog()
    if posting is None and not role:
        role = profile.target.role
        if not role and profile.target.posting:
            from coach.postings import analyze_posting

            posting = analyze_posting(profile.target.posting, profile, catalog=catalog)
    if posting is None and not role:
        raise BadInput("no target: give a role (id or title) or a posting")
    assumptions: list[str] = []
    if hours_per_week is None:
        hours_per_week = DEFAULT_HOURS_PER_WEEK
        assumptions.append(f"No hours per week given: planned at {DEFAULT_HOURS_PER_WEEK:g} h a week.")
    if max_items is None:
        max_items = DEFAULT_MAX_ITEMS
        assumptions.append(f"No maximum number of steps given: planned at most {DEFAULT_MAX_ITEMS}.")
    limits = {
        "budget": budget,
        "weeks": weeks,
        "max_items": max_items,
        "providers": providers,
        "exam_only": bool(exam_only),
        "step_overhead": float(step_overhead),
    }
    plan = _build_plan(
        profile,
        catalog,
        role=role,
        posting=posting,
        limits=limits,
        hours_per_week=float(hours_per_week),
        assumptions=assumptions,
        linker=linker,
        today=today or dt.date.today(),
        time_limit_s=time_limit_s,
    )
    if not plan.targets:
        return Pathway(
            status="infeasible",
            reason=f"Infeasible: {plan.target_label} has no skills in the knowledge base to plan for.",
            target=plan.target_label,
            objective=OBJECTIVE,
            explanation="The target lists no skills, so there is nothing to plan toward.",
            assumptions=assumptions,
            hours_per_week=plan.hours_per_week,
        )
    if not plan.gaps:
        result = _assemble(plan, Selection("optimal", [], {}), status="optimal")
        result.reason = "Your profile already covers every skill the target asks for: nothing to add."
        return result
    sel = solve(_problem(plan), MAIN_STAGES, time_limit_s=time_limit_s)
    if sel.status not in ("optimal", "feasible"):
        raise CoachError(f"the solver failed ({sel.status}); try again with a longer time limit")
    if plan.coverable and _useful(plan, sel) <= 0 and step_overhead > 0:
        # Nothing worth a step: infeasible only if, without the overhead, nothing useful fits either.
        free = solve(_problem(plan, overhead=False), MAIN_STAGES, time_limit_s=time_limit_s)
        if free.status in ("optimal", "feasible") and _useful(plan, free) > 0:
            plan.binding = _binding_limits(plan, sel)
            result = _assemble(plan, sel, status=sel.status)
            names = ", ".join(
                plan.candidates[c].name for c in free.chosen if not plan.candidates[c].work_based
            )
            result.reason = (
                f"Within your limits no credential closes enough of what {plan.target_label} needs to be worth "
                f"a step of its own (the best that fits: {names or 'work-based steps only'}). Relaxing a limit "
                "or choosing a closer target would give better options."
            )
            result.binding = plan.binding
            return result
    if plan.coverable and _useful(plan, sel) <= 0:
        binding, reason, change, nearest = _diagnose(plan)
        plan.binding = binding
        result = _assemble(plan, Selection("optimal", [], {}), status="infeasible")
        result.reason, result.nearest_feasible, result.binding = reason, change, binding
        result.alternatives = [nearest] if nearest else []
        result.explanation = reason + (f" {change}" if change else "") + "\n\n" + result.explanation
        return result
    plan.binding = _binding_limits(plan, sel)
    result = _assemble(plan, sel, status=sel.status)
    if sel.status == "feasible":
        result.reason = (
            f"Stopped at the {time_limit_s:g} s time limit with a relative gap of {(sel.gap or 0) * 100:.2f}%: "
            "the plan is feasible but may not be optimal."
        )
    result.binding = plan.binding
    if result.binding:
        result.explanation += "\n\nLimits that bind: " + ", ".join(result.binding) + "."
    result.alternatives = _alternatives(plan, sel, result, alternatives)
    return result


def _binding_limits(plan: Plan, sel: Selection) -> list[str]:
    """Limits that stop the plan from adding one more worthwhile candidate (one that would close open gaps worth
    more than its overhead and is not excluded by a filter): budget when its price no longer fits, time when
    its weeks do not, max_items when the plan is full and such a candidate exists. A cheap check instead of a
    re-solve per limit, so planning stays fast."""
    covered = set().union(*(plan.candidates[c].item.covers for c in sel.chosen)) if sel.chosen else set()
    chosen = set(sel.chosen)
    worthwhile = False
    lim = plan.limits
    spare_cost = None if lim.get("budget") is None else lim["budget"] - sel.values.get("cost", 0.0)
    spare_weeks = None if lim.get("weeks") is None else lim["weeks"] - sel.values.get("weeks", 0.0)
    out: set[str] = set()
    for cid, cand in plan.candidates.items():
        it = cand.item
        if cid in chosen or cand.blocked_by or not (it.covers - covered):
            continue
        if any(p not in chosen for p in it.requires) or any(
            not chosen.intersection(g) for g in it.requires_any
        ):
            continue  # needs more than one step: not "one more" candidate
        if sum(plan.gaps[k].weight for k in it.covers - covered if k in plan.gaps) <= it.overhead + 1e-9:
            continue  # not worth a step even if it fitted: no limit is to blame
        worthwhile = True
        if spare_cost is not None and it.cost > spare_cost + 1e-9:
            out.add("budget")
        if spare_weeks is not None and it.study and it.weeks > spare_weeks + 1e-9:
            out.add("time")
    if lim.get("max_items") is not None and len(chosen) >= lim["max_items"] and worthwhile:
        out.add("max_items")
    return [c for c in CONSTRAINTS if c in out]


# --------------------------------------------------------------------------------------------------------------
# CTDL export and validation
# --------------------------------------------------------------------------------------------------------------

_CTDL_TYPE = {
    "course": "ceterms:CourseComponent",
    "guided_project": "ceterms:CourseComponent",
    "apprenticeship": "ceterms:WorkExperienceComponent",
    "internship": "ceterms:WorkExperienceComponent",
    "on_the_job_assessment": "ceterms:WorkExperienceComponent",
    "portfolio_project": "ceterms:BasicComponent",
}


def pathway_to_ctdl(pathway: Pathway, base: str = "urn:pathway-coach:") -> dict:
    """The pathway as CTDL JSON-LD: a ceterms:Pathway whose destination component requires every step
    (ComponentCondition, requiredNumber = all), steps linked by ceterms:prerequisite (required order) and
    ceterms:precedes (the suggested sequence)."""
    pid = f"{base}pathway:{_slug(pathway.target)}"
    dest_id = f"{base}destination:{_slug(pathway.target)}"

    def cid(step_id: str) -> str:
        return f"{base}component:{step_id}"

    graph: list[dict] = []
    components: list[dict] = []
    by_id = {s.id: s for s in pathway.steps}
    for n, s in enumerate(pathway.steps):
        comp: dict[str, Any] = {
            "@id": cid(s.id),
            "@type": _CTDL_TYPE.get(s.kind, "ceterms:CredentialComponent"),
            "ceterms:name": {"en-US": s.name},
            "ceterms:description": {"en-US": s.why} if s.why else None,
            "ceterms:isPartOf": [pid],
            "ceterms:subjectWebpage": s.url,
            "ceterms:credentialType": f"ceterms:{_ctdl_credential_type(s.kind)}"
            if not s.work_based
            else None,
            "ceterms:prerequisite": [cid(p) for p in s.prerequisites if p in by_id] or None,
            "ceterms:precedes": [cid(pathway.steps[n + 1].id)] if n + 1 < len(pathway.steps) else None,
            "ceterms:hasChild": [cid(p) for p in s.prerequisites if p in by_id] or None,
            "ceterms:targetCompetency": [
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:targetNode": k.uri,
                    "ceterms:targetNodeName": {"en-US": k.label},
                }
                for k in s.skills
            ]
            or None,
            "ceterms:estimatedCost": [
                {"@type": "ceterms:CostProfile", "ceterms:price": s.cost, "ceterms:currency": s.currency}
            ]
            if s.cost_known and not s.work_based
            else None,
            "ceterms:estimatedDuration": [
                {
                    "@type": "ceterms:DurationProfile",
                    "ceterms:timeRequired": {
                        "@type": "ceterms:QuantitativeValue",
                        "ceterms:value": s.hours,
                        "ceterms:unitText": "hour",
                    },
                }
            ]
            if s.hours_known and s.hours
            else None,
            "ceterms:proxyFor": s.url if not s.work_based else None,
        }
        components.append({k: v for k, v in comp.items() if v is not None})
    top = [
        cid(s.id) for s in pathway.steps if not any(s.id in o.prerequisites for o in pathway.steps)
    ]  # steps nothing else depends on hang directly under the destination
    destination = {
        "@id": dest_id,
        "@type": "ceterms:JobComponent",
        "ceterms:name": {"en-US": pathway.target},
        "ceterms:isDestinationComponentOf": [pid],
        "ceterms:hasChild": top,
        "ceterms:hasCondition": [
            {
                "@type": "ceterms:ComponentCondition",
                "ceterms:name": {"en-US": "Complete every step of the pathway"},
                "ceterms:requiredNumber": len(pathway.steps),
                "ceterms:targetComponent": [cid(s.id) for s in pathway.steps],
            }
        ],
    }
    graph.append(
        {
            "@id": pid,
            "@type": "ceterms:Pathway",
            "ceterms:name": {"en-US": f"Pathway to {pathway.target}"},
            "ceterms:description": {"en-US": pathway.explanation},
            "ceterms:hasDestinationComponent": [dest_id],
            "ceterms:hasChild": top,
            "ceterms:hasPart": [dest_id, *(c["@id"] for c in components)],
        }
    )
    graph.append(destination)
    graph.extend(components)
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": graph}


def _ctdl_credential_type(kind: str) -> str:
    return {
        "certification": "Certification",
        "professional_certificate": "Certificate",
        "specialization": "Certificate",
        "badge": "DigitalBadge",
        "designation": "Certification",
    }.get(kind, "Credential")


def validate_pathway(pathway: Pathway, profile: Profile, catalog: Any = None) -> list[str]:
    """Problems with a (possibly hand-edited) pathway: unknown ids, non-microcredentials, prerequisite order,
    budget, time, calendar and totals. Empty when it is sound."""
    if catalog is None:
        from coach.knowledge import get_catalog

        catalog = get_catalog()
    problems: list[str] = []
    held, _ = _held_credentials(catalog, profile, [])
    start_of = {}
    end_of = {}
    seen: set[str] = set()
    for s in pathway.steps:
        if s.id in seen:
            problems.append(f"step {s.id} appears twice")
        seen.add(s.id)
        if s.start_week < 1 or s.end_week < s.start_week:
            problems.append(f"step {s.id} has an impossible calendar (weeks {s.start_week}-{s.end_week})")
        start_of[s.id], end_of[s.id] = s.start_week, s.end_week
        if s.id.startswith("work:"):
            if not s.work_based and s.kind not in _KIND_NAMES:
                problems.append(f"step {s.id} is work-based but not labelled as such")
            continue
        cred = catalog.credentials.get(s.id)
        if cred is None:
            problems.append(f"unknown credential id: {s.id}")
            continue
        if not cred.is_microcredential or cred.type in NOT_STEPS:
            problems.append(f"{s.id} is a degree or programme, not a microcredential step")
        if cred.cost is not None and abs(cred.cost - s.cost) > 0.01:
            problems.append(f"{s.id} costs {cred.cost:g} in the catalogue, not {s.cost:g}")
        if s.id in held:
            problems.append(f"{s.id} is already held by the learner")
    for rule in catalog.rules:
        if rule.type != "prerequisite_required" or rule.subject not in start_of or not rule.objects:
            continue
        start = start_of[rule.subject]
        ok = [o in held or (o in end_of and end_of[o] < start) for o in rule.objects]
        if (rule.any_of and not any(ok)) or (not rule.any_of and not all(ok)):
            need = " or ".join(rule.objects) if rule.any_of else " and ".join(rule.objects)
            problems.append(f"{rule.subject} needs {need} held or finished before week {start}")
    for s in pathway.steps:
        for p in s.prerequisites:
            if p in end_of and end_of[p] >= s.start_week:
                problems.append(f"{s.id} starts before its prerequisite {p} ends")
    c = profile.constraints
    total_cost = sum(s.cost for s in pathway.steps)
    if abs(total_cost - pathway.total_cost) > 0.01:
        problems.append(f"total cost {pathway.total_cost:g} does not match the steps ({total_cost:g})")
    if c.budget is not None and total_cost > c.budget + 0.01:
        problems.append(f"total cost {total_cost:g} exceeds the budget of {c.budget:g}")
    if c.budget is not None and any(not s.cost_known for s in pathway.steps):
        problems.append("a step has no published price, so the budget cannot be guaranteed")
    last = max((s.end_week for s in pathway.steps), default=0)
    if c.weeks is not None and last > c.weeks:
        problems.append(f"the plan ends in week {last}, after the {c.weeks} weeks available")
    if c.weeks is not None and c.hours_per_week is not None:
        hours = sum(s.hours for s in pathway.steps if not s.work_based or s.kind == "portfolio_project")
        if hours > c.hours_per_week * c.weeks + 0.01:
            problems.append(f"{hours:g} study hours exceed {c.hours_per_week:g} h a week for {c.weeks} weeks")
    study = sorted((s for s in pathway.steps if not s.id.startswith("work:") or s.kind == "portfolio_project"),
                   key=lambda s: s.start_week)  # fmt: skip
    for a, b in itertools.pairwise(study):
        if b.start_week <= a.end_week:
            problems.append(f"{a.id} and {b.id} overlap on the calendar (study steps are sequential)")
    if c.max_items is not None and len(pathway.steps) > c.max_items:
        problems.append(f"{len(pathway.steps)} steps exceed the maximum of {c.max_items}")
    return problems


def pathway_text(pathway: Pathway) -> str:
    """A readable plan for the terminal."""
    from coach.texts import render

    return render("planner_text.md", p=pathway, money=_money)
