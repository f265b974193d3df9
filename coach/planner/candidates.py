"""Candidate steps for a request: the catalogue credentials that close the learner's gaps (with their
prerequisites, prepared-exam hours and experience steps), posting experience and portfolio projects, reduced
to those that can win; `_build_plan` gathers them, with target and learner, into a `Plan`."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.knowledge.catalog import Catalog, is_retired
from coach.knowledge.currency import DEFAULT_RATES, load_rates
from coach.knowledge.languages import learner_languages, taught_for
from coach.knowledge.recognition import recognition_score
from coach.models import Credential, PostingAnalysis, Profile
from coach.planner.calendar import LEVEL_RANK, weeks_for
from coach.planner.costs import price_of
from coach.planner.fit import field_fit
from coach.planner.learner import (
    PHRASE_CACHE,
    _equivalence_kind,
    _held_credentials,
    _learner_skills,
    _profile_credentials,
    experience_needed,
    learner_experience_years,
    rule_fields,
)
from coach.planner.model import Candidate, Plan
from coach.planner.projects import match_tasks, project_name, role_tasks
from coach.planner.skills import broader_sets, skill_index, taught, with_broader
from coach.planner.solver import Item, reduce_dominated
from coach.planner.standing import Standing, learner_standing
from coach.planner.targets import _posting_targets, _role_targets
from coach.planner.text import _slug
from coach.planner.work import (
    apprenticeship_note,
    finding_note,
    finding_sources,
    registered_apprenticeship,
)

if TYPE_CHECKING:
    from coach.embeddings import Embedder

PORTFOLIO_HOURS_PER_SKILL = 15.0  # planning rule of thumb, stated in every portfolio step
PORTFOLIO_SKILLS_PER_PROJECT = 3
PORTFOLIO_DISCOUNT = 0.5  # share of a portfolio project's covered weight it does not get credit for
MAX_PORTFOLIO_PROJECTS = 2  # projects are self-directed work with no credential at the end: a few, not a plan
WEEKS_PER_YEAR = 52
# Certifications publish exam facts, rarely study hours. To schedule one at all, the planner assumes exam
# preparation hours by level. A stated planning assumption, flagged on the step, never stored as a catalogue fact.
PREP_HOURS_BY_LEVEL = {"entry": 60.0, "intermediate": 90.0, "advanced": 120.0, "expert": 150.0}
EXAM_TYPES = {"certification", "designation", "licence"}
# never a credential step: not microcredentials (apprenticeships are named in work-based steps instead)
NOT_STEPS = {"degree", "program", "apprenticeship"}
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
# What a coach values beyond the skills a step closes (all in the same units: one core skill = 1.0), each scaled
# by the share of the credential's skills the target asks for, so a recognised credential in another field
# earns nothing:
RECOGNITION_MERIT = 1.0  # per distinct sourced recognition signal (third-party pages count half), up to 3
MAX_RECOGNITION_SIGNALS = 3.0
LADDER_MERIT = 3.0  # the next rung of a ladder the learner is on: the same skills one level up
ELIGIBLE_MERIT = 0.5  # the learner meets its stated experience requirement: prefer what they qualify for
# …and what a coach holds against a step:
RECOMMENDED_GAP_PENALTY = 1.5  # × the share of the provider's recommended experience the learner lacks
LEVEL_JUMP_PENALTY = 1.5  # two or more levels above what the learner holds (an advanced exam for a beginner)
UNKNOWN_PRICE_PENALTY = 0.25  # an unpublished price: planned with a warning, a priced equal wins
# A plan with a step squarely in the target's field (fit ≥ IN_FIELD_FIT, coach.planner.fit) earns FIELD_MERIT
# once, as the covered weight of the key FIELD_KEY. Once, not per step: credited per step, the planner stacked
# three introductory courses of the same field where a coach names one certificate.
FIELD_MERIT = 2.0
FIELD_KEY = "field"
# A certification that tests target skills the learner says they have, and no credential of theirs shows, is
# worth EVIDENCE_SHARE of those skills' weight: an employer sees proof instead of a claim. Once per skill
# (keys "evidence:<skill>", like the field bonus), and less than closing the gap itself.
EVIDENCE_SHARE = 0.5
EVIDENCE_PREFIX = "evidence:"
OFF_FIELD_DISCOUNT = 0.6  # share of its covered weight a course with no field fit does not get credit for
RUNG_FIT = 0.5  # fit from which the next rung of a held ladder is about the target
IN_FIELD_FIT = 0.75  # fit from which a credential is a candidate even when no skill link reaches the gaps
# A credential whose skills are nearly all the role's own is in the field whatever the encoder reads in its short
# text: at least this many skills, at most this share of them off the target.
LINKS_IN_FIELD_MIN = 4
LINKS_OFF_TARGET_MAX = 0.15
LINKS_FIT_FLOOR = 0.25  # …as long as the encoder puts it near the field at all


def _price_in_learner_currency(profile: Profile, limits: dict[str, Any], notes: list[str]) -> None:
    """Set `limits["currency"]` (the budget's) and `limits["price_factor"]` (budget currency per US dollar, the
    currency most catalogue prices are in); see `_price_factor` for prices in other currencies."""
    currency = (profile.constraints.currency or "USD").upper()
    limits["currency"] = currency
    limits["price_factor"] = 1.0
    if currency == "USD":
        return
    factor = load_rates(DEFAULT_RATES).factor("USD", currency)
    if factor is None:
        notes.append(
            f"I have no exchange rate for {currency}: prices stay in their own currency; compare them yourself."
        )
        return
    limits["price_factor"] = factor


def _price_factor(currency: str | None, limits: dict[str, Any], notes: list[str]) -> float | None:
    """Budget-currency units per unit of a price's own currency (None: no rate, the price counts as unknown).
    The first conversion adds the rate's source and date to the plan's notes."""
    have, want = (currency or "USD").upper(), str(limits.get("currency") or "USD")
    if have == want:
        return 1.0
    rates = load_rates(DEFAULT_RATES)
    factor = rates.factor(have, want)
    if factor is not None and not limits.get("rates_noted"):
        limits["rates_noted"] = True
        notes.append(rates.note(want))
    return factor


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
    embedder: Embedder | None = None,
    cache_dir: Path | None = None,
) -> Plan:
    """Everything one request needs as a `Plan`: the target's keys and the learner's gaps, what the learner
    holds, the candidate steps (reduced to those that can win) and the limits. Notes go to `assumptions`."""
    notes = assumptions
    _price_in_learner_currency(profile, limits, notes)
    years = learner_experience_years(profile, today)
    must: set[str] = set()
    exp_targets: list[tuple[str, float, float]] = []
    if posting is not None:
        label, targets, must, exp_targets = _posting_targets(catalog, posting, years)
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
    standing = learner_standing(catalog, profile, held, today)
    cache_path = cache_dir / PHRASE_CACHE if linker is None and cache_dir is not None else None
    learner = with_broader(catalog, _learner_skills(catalog, profile.skills, linker, notes, cache_path))
    facet: str | None = None  # the ESCO facet of an O*NET role the plan heads for (see role_facet)
    if posting is None:
        assert role is not None
        label, targets, facet = _role_targets(catalog, role, learner)
        if facet is not None:
            notes.append(
                f"Planned towards the {catalog.occupations[facet].title} side of {label}, the one closest to "
                "the skills you have."
            )
    teaches = taught(catalog)
    shown: set[str] = set()  # what the learner's credentials show
    for cid in held:
        shown.update(teaches.get(cid, ()))
    claimed = {k for k in targets if k in learner and k not in shown}  # target skills said, not yet shown
    learner |= shown
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
            need_years = experience_needed(rule, profile)
            if need_years > exp_years.get(rule.subject, 0.0):
                exp_years[rule.subject] = need_years
                exp_fields[rule.subject] = rule_fields(rule)
        elif rule.type == "recommended_before" and rule.objects:
            soft_before.setdefault(rule.subject, set()).update(rule.objects)
        elif rule.type == "stackable_award" and rule.objects:
            awarded.add(rule.subject)  # awarded automatically: never a step of its own
        elif rule.type == "equivalence" and _equivalence_kind(rule.condition) == "full":
            for a in [rule.subject, *rule.objects]:
                full_equiv.setdefault(a, set()).update({rule.subject, *rule.objects} - {a})

    # A stackable award is granted for the certifications it stacks, whether or not a rule names them.
    awarded |= _stackable_awards(catalog)
    gap_skills = {k for k in gaps if not k.startswith(("credential:", "experience:"))}
    covering: dict[str, set[str]] = {}  # credential id → gap keys it covers
    coverable: set[str] = set()
    unplannable: dict[str, str] = {}
    teaching = skill_index(catalog)
    maybe = {cid for k in gap_skills for cid in teaching.get(k, ())}
    for k in gaps:
        if k.startswith("credential:"):
            maybe |= {k[11:], *full_equiv.get(k[11:], ())}
    # Field fit (role targets only: a posting lists exactly what it asks). Credentials squarely in the field join
    # the candidates even when their skill links miss the role's gaps; tangents leave (see coach.planner.fit).
    fit: dict[str, float] = {}
    bonus: dict[str, float] = {}  # objective-only keys (not skills the learner lacks)
    occ = catalog.find_occupation(role) if posting is None and role else None
    registered = registered_apprenticeship(catalog, occ.id if occ else None, profile.constraints.currency)
    if embedder is not None and occ is not None:
        # The field is the facet's when the plan heads for one (a UX course fits "user interface designer"
        # better than the web-leaning wording of the O*NET role).
        field_role = catalog.occupations[facet] if facet is not None else occ
        fit = field_fit(catalog, field_role, embedder, cache_dir or Path(".cache"))
        bonus[FIELD_KEY] = FIELD_MERIT
        maybe |= {cid for cid, f in fit.items() if f >= IN_FIELD_FIT}
    # The next rung of a ladder the learner is on teaches what they hold one level up: it joins the candidates
    # when it is about the target at all (its links reach the target, or its field fits), even if the lower rung
    # already covers its skills.
    rungs = {
        cid
        for cid in standing.next_rung
        if cid in catalog.credentials
        and (target_keys.intersection(teaches.get(cid, ())) or fit.get(cid, 0.0) >= RUNG_FIT)
    }
    maybe |= rungs
    # Certifications that would show what the learner already does (see EVIDENCE_SHARE).
    bonus |= {f"{EVIDENCE_PREFIX}{k}": EVIDENCE_SHARE * targets[k].weight for k in claimed}
    maybe |= {
        cid for k in claimed for cid in teaching.get(k, ()) if catalog.credentials[cid].type in EXAM_TYPES
    }
    left_out: dict[str, str] = {}
    links_say_field: set[str] = set()
    speaks = learner_languages(profile)
    for cid in sorted(maybe):
        cred = catalog.credentials.get(cid)
        if cred is None:
            continue
        if is_retired(cred) and cid not in must:
            continue  # its exam can no longer be taken (its successor is a candidate of its own)
        if _CAPSTONE_RE.search(cred.name) and cid not in must and cid not in planned:
            continue  # the closing project of a course series, meant to follow the series, not stand in for it
        if not taught_for(cred, speaks) and cid not in must and cid not in planned:
            continue  # taught in a language the learner does not name (a Spanish course for an English speaker)
        cov = gap_skills.intersection(teaches.get(cid, ()))
        for equivalent in [cred.id, *full_equiv.get(cred.id, ())]:
            if f"credential:{equivalent}" in gaps:
                cov.add(f"credential:{equivalent}")
        if cred.type in EXAM_TYPES:
            cov |= {f"{EVIDENCE_PREFIX}{k}" for k in claimed.intersection(teaches.get(cid, ()))}
        if not cov and cid not in rungs and fit.get(cid, 0.0) < IN_FIELD_FIT:
            continue
        if LINKS_FIT_FLOOR <= fit.get(cid, -1.0) < IN_FIELD_FIT and _links_in_field(
            cred, target_keys, catalog
        ):
            # The encoder reads a short text; when nearly every skill the credential teaches is one the role
            # lists, its links say the field as plainly (a UX certificate for an interface designer).
            fit[cid] = IN_FIELD_FIT
            links_say_field.add(cid)
        if fit.get(cid, 0.0) >= IN_FIELD_FIT:
            cov.add(FIELD_KEY)  # the plan's one field bonus (see FIELD_MERIT)
        if not cred.is_microcredential or cred.type in NOT_STEPS:
            unplannable[cred.id] = "a degree or programme, not a microcredential"
            continue
        if cred.id in held or cred.id in awarded:
            continue
        if (
            fit.get(cid) == -1.0
            and cid not in must
            and cid not in planned
            and cid not in rungs
            and not (_hand_linked(cred) and catalog.recognition.get(cid))
        ):
            continue  # a tangent: its links touch the role's skills, its content is another field
        if cred.id in standing.below and cred.id not in must and cred.id not in planned:
            below = catalog.credentials[standing.below[cred.id]].name
            left_out[cred.id] = f"it sits below {below}, which you hold"
            continue
        covering[cred.id] = cov
        coverable |= {k for k in cov if k in gaps}
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
        cred = catalog.credentials[cid]
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
        usd = float(limits.get("price_factor", 1.0))
        budget = limits.get("budget")
        price = price_of(
            cred,
            catalog,
            hours=hours,
            hours_per_week=hpw,
            held=held,
            budget_usd=None if budget is None else float(budget) / (usd or 1.0),
        )
        stated = price.known
        if not stated and cred.type in EXAM_TYPES and cred.provider in _provider_floor(catalog):
            # An exam whose price no acceptable page states is not free: it is budgeted at the lowest price its
            # awarding body states for an exam, and says so (it stays marked as an unknown price).
            floor, floor_currency = _provider_floor(catalog)[cred.provider]
            price.amount = floor
            cred_currency: str | None = floor_currency
            price.note = (
                f"{price.note} No price for it in the catalogue: budgeted at {floor_currency} {floor:,.0f}, the "
                f"lowest exam price {cred.provider} states, until the provider's page says."
            ).strip()
        else:
            cred_currency = cred.currency
        factor = _price_factor(cred_currency, limits, notes) if price.amount else 1.0
        cost_known = stated and factor is not None
        own, want = (cred_currency or "USD").upper(), str(limits.get("currency") or "USD")
        if factor is None:
            factor = 0.0
            price.note = f"{price.note} Priced in {own}, which I have no exchange rate for.".strip()
        elif own != want and price.amount:
            price.note = (
                f"{price.note} Priced at {own} {price.amount:,.2f}; about {want} {price.amount * factor:,.2f} at "
                "the exchange rate in the notes."
            ).strip()
        off_target = _off_target(cred, target_keys, catalog)
        merit, reasons = _merit(
            cred,
            cid,
            off_target,
            standing,
            catalog,
            profile,
            today,
            price.audit,
            max(0.0, fit.get(cid, 0.0)),
            field=max(0.0, fit.get(cid, 0.0)),
            field_by_links=cid in links_say_field,
        )
        proves = sorted(
            targets[k[len(EVIDENCE_PREFIX) :]].label for k in cov if k.startswith(EVIDENCE_PREFIX)
        )
        if proves:
            reasons.append("it would certify what you already do: " + ", ".join(proves[:3]))
        if not cost_known:
            # Kept, with a warning: the known part of the plan is what is checked against the budget.
            merit -= UNKNOWN_PRICE_PENALTY
        if not hours_known and not note and limits.get("weeks") is not None:
            blocked.add("unknown_hours")  # nor unknown hours a deadline
        cand = Candidate(
            item=Item(
                id=cid,
                cost=round(float(price.amount or 0.0) * factor, 2),
                hours=hours,
                weeks=weeks_for(hours, hpw) if hours_known or note else 1,
                covers=frozenset(cov),
                must=cid in must or cid in planned or any(e in must for e in full_equiv.get(cid, ())),
                level=cred.level,
                # A credential the learner already plans needs no convincing; others must earn their place.
                overhead=0.0
                if cid in planned
                # Off-target skill links cost less when the content is squarely in the field (noisy tags)…
                else overhead * (1.0 + OFF_TARGET_FACTOR * off_target * (1.0 - max(0.0, fit.get(cid, 0.0))))
                # …and a course outside the field gets only part of the credit its tags claim (hand-linked exams
                # keep theirs: their text is too thin to judge the field by).
                + (
                    OFF_FIELD_DISCOUNT
                    * (1.0 - max(0.0, fit[cid]))
                    * sum(gaps[k].weight for k in cov if k in gaps)
                    if cid in fit and not _hand_linked(cred)
                    else 0.0
                ),
                merit=merit,
                recognition=0.0 if price.audit else recognition_score(catalog.recognition.get(cid, [])),
            ),
            name=cred.name,
            kind=cred.type,
            provider=cred.provider,
            cost_known=cost_known,
            hours_known=hours_known,
            url=cred.url,
            sources=list(cred.sources),
            blocked_by=blocked,
            note=" ".join(
                x for x in (note, price.note, "You already plan to take it." if cid in planned else "") if x
            ),
            prep_assumed=bool(note),
            recognition=[] if price.audit else list(catalog.recognition.get(cid, [])),
            reasons=reasons,
            cost_estimated=price.estimate,
            audit=price.audit,
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
            where = finding_sources(catalog, kind, profile.constraints.currency)
            entry = registered if kind == "apprenticeship" else None
            where = [*(entry.sources if entry else []), *where]
            wid = f"work:{kind}:{cid}"
            work_weeks = math.ceil(need * WEEKS_PER_YEAR)
            candidates[wid] = Candidate(
                item=Item(id=wid, weeks=work_weeks, study=False, level=cred.level),
                name=f"{_KIND_NAMES[kind]}: {need:g} more year{'s' if need != 1 else ''} of work experience "
                f"for {cred.name}",
                kind=kind,
                work_based=True,
                sources=where,
                blocked_by=(
                    {"time"}
                    if limits.get("weeks") is not None and work_weeks + cand.item.weeks > limits["weeks"]
                    else set()
                ),
                note=f"{cred.name} requires {exp_years[cid]:g} years of "
                + (f"{'/'.join(sorted(fields))} " if fields else "")
                + f"experience; the profile shows {relevant:.1f}."
                + apprenticeship_note(entry)
                + finding_note([w for w in where if not entry or w not in entry.sources]),
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
        where = finding_sources(catalog, kind, profile.constraints.currency)
        entry = registered if kind == "apprenticeship" else None
        wid = f"work:{kind}:{key.replace(':', '-')}"
        work_weeks = math.ceil(missing * WEEKS_PER_YEAR)
        candidates[wid] = Candidate(
            item=Item(id=wid, weeks=work_weeks, study=False, covers=frozenset({key}), overhead=overhead),
            name=f"{_KIND_NAMES[kind]}: {missing:g} more year{'s' if missing != 1 else ''} of relevant work",
            kind=kind,
            work_based=True,
            sources=where,
            blocked_by={"time"}
            if limits.get("weeks") is not None and work_weeks > limits["weeks"]
            else set(),
            note=f"The posting asks for: {gaps[key].label}."
            + apprenticeship_note(entry)
            + finding_note(where),
        )
        coverable.add(key)

    # Skills no credential covers → portfolio projects (free; hours by a stated rule).
    orphan = sorted(gap_skills - coverable, key=lambda k: (-gaps[k].weight, gaps[k].label))
    projects = [
        orphan[i : i + PORTFOLIO_SKILLS_PER_PROJECT]
        for i in range(0, len(orphan), PORTFOLIO_SKILLS_PER_PROJECT)
    ][:MAX_PORTFOLIO_PROJECTS]
    tasks = match_tasks(role_tasks(catalog, occ), [[gaps[k].label for k in keys] for keys in projects])
    for keys, task in zip(projects, tasks, strict=True):
        hours = PORTFOLIO_HOURS_PER_SKILL * len(keys)
        wid = f"work:portfolio_project:{_slug(gaps[keys[0]].label)}"
        candidates[wid] = Candidate(
            item=Item(
                id=wid,
                hours=hours,
                weeks=weeks_for(hours, hpw),
                covers=frozenset(keys),
                level=None,
                # Self-directed work shows skills to an employer less than a credential does: it counts half.
                overhead=overhead + PORTFOLIO_DISCOUNT * sum(gaps[k].weight for k in keys),
            ),
            name=project_name(task),
            kind="portfolio_project",
            work_based=True,
            note=(f"Built on a task of the role (O*NET): {task.rstrip('.')}. " if task else "")
            + f"Hours estimated at {PORTFOLIO_HOURS_PER_SKILL:g} h per skill demonstrated (a planning rule, "
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
        left_out=left_out,
        standing=standing,
        bonus=bonus,
    )


def _merit(
    cred: Credential,
    cid: str,
    off_target: float,
    standing: Standing,
    catalog: Catalog,
    profile: Profile,
    today: dt.date,
    audit: bool,
    fit: float = 0.0,
    *,
    field: float = 0.0,
    field_by_links: bool = False,
) -> tuple[float, list[str]]:
    """What a coach values in a credential beyond the gaps it closes, and the reasons, in words: employer
    recognition, the next rung of a ladder, eligibility met; less for experience the provider recommends and
    the learner lacks, or a level far above what they hold. `fit` is the field fit (a reason when it is high;
    its value is the plan's one FIELD_KEY bonus; `field_by_links` when its skill links, not the encoder, put it
    in the field), `field` the fit that says how relevant a ladder's next rung is; `off_target` is the share of
    its skills the target does not list."""
    on_target = 1.0 - off_target if cred.skills else 0.0
    merit = 0.0
    reasons: list[str] = []
    if fit >= IN_FIELD_FIT:
        reasons.append(
            "nearly every skill it teaches is one the target role needs"
            if field_by_links
            else "its content is squarely about the target role"
        )
    signals = catalog.recognition.get(cid, [])
    if signals and not audit:
        score = min(MAX_RECOGNITION_SIGNALS, recognition_score(signals))
        merit += RECOGNITION_MERIT * score * on_target  # the step's "Employer recognition" line says which
    if cid in standing.next_rung and not audit:
        # As relevant as its links say, or its field: a rung's hand-picked links may miss a role's wording.
        merit += LADDER_MERIT * max(on_target, field, 0.5)
        reasons.append(
            f"the next step up from {catalog.credentials[standing.next_rung[cid]].name}, which you hold"
        )
    experience_rules = [
        r for r in catalog.rules_for(cid) if r.subject == cid and r.type == "experience_required"
    ]
    eligible = False
    if experience_rules:
        fields = rule_fields(experience_rules[0])
        have = learner_experience_years(profile, today, fields or None)
        need = max(experience_needed(r, profile) for r in experience_rules)
        if need and have >= need:
            eligible = True
            merit += ELIGIBLE_MERIT
            reasons.append(
                f"you meet its experience requirement ({need:g} years; your profile shows {have:.1f})"
            )
    rec = standing.recommended.get(cid)
    if rec and rec[1] < rec[0] and not eligible:
        lacking = min(1.0, (rec[0] - rec[1]) / rec[0])
        merit -= RECOMMENDED_GAP_PENALTY * lacking
        reasons.append(
            f"its provider recommends about {rec[0]:g} year{'s' if rec[0] != 1 else ''} of experience first; your "
            f"profile shows {rec[1]:.1f}"
        )
    rank = LEVEL_RANK.get(cred.level or "", None)
    # A stated prerequisite already puts the lower rung into the plan: the jump is then a climb, not a leap.
    laddered = any(r.type == "prerequisite_required" and r.subject == cid for r in catalog.rules_for(cid))
    if (
        rank is not None
        and rank - standing.level >= 2
        and not (eligible or laddered or cid in standing.next_rung)
    ):
        merit -= LEVEL_JUMP_PENALTY
        reasons.append(f"{cred.level}-level, well above what you hold so far")
    if audit:
        reasons.append("taken as a free audit, so it teaches the skills without a certificate")
    return merit, reasons


_CAPSTONE_RE = re.compile(r"\bcapstone\b", re.I)


def _hand_linked(cred: Credential) -> bool:
    """A curated credential: its skills were linked by hand, so its links, not its thin text, say its field."""
    return any(s.name.split(":")[0] == "curated-credentials" for s in cred.sources)


def _provider_floor(catalog: Any) -> dict[str, tuple[float, str]]:
    """Provider → (lowest stated exam price, its currency) over its priced certifications, for budgeting its
    unpriced ones (kept on the catalogue)."""

    def build(cat: Any) -> dict[str, tuple[float, str]]:
        out: dict[str, tuple[float, str]] = {}
        for cred in cat.credentials.values():
            cheaper = cred.provider not in out or (cred.cost or 0) < out[cred.provider][0]
            if cred.type in EXAM_TYPES and cred.cost and cheaper:
                out[cred.provider] = (float(cred.cost), cred.currency or "USD")
        return out

    return catalog.derived("provider-exam-floor", build)


def _stackable_awards(catalog: Any) -> set[str]:
    """Ids of credentials awarded for holding others, with no exam of their own (kept on the catalogue)."""
    return catalog.derived(
        "stackable-awards",
        lambda cat: {cid for cid, c in cat.credentials.items() if c.format == "stackable award (no exam)"},
    )


def _links_in_field(cred: Credential, target_keys: set[str], catalog: Any) -> bool:
    """True when a credential teaches at least LINKS_IN_FIELD_MIN skills and all but LINKS_OFF_TARGET_MAX of
    them are ones the target lists (itself or one level broader)."""
    n = len(cred.skills)
    return (
        n >= LINKS_IN_FIELD_MIN
        and recognition_score(catalog.recognition.get(cred.id, [])) > 0
        and _off_target(cred, target_keys, catalog) <= LINKS_OFF_TARGET_MAX
    )


def _off_target(cred: Credential, target_keys: set[str], catalog: Any) -> float:
    """Share of a credential's skills the target does not list, itself or one level broader (0 when it lists
    none: nothing to judge)."""
    if not cred.skills:
        return 0.0
    up = broader_sets(catalog)
    return sum(1 for u in cred.skills if target_keys.isdisjoint(up.get(u) or (u,))) / len(cred.skills)


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
