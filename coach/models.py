"""Typed records shared across the product: the knowledge base, the learner, postings and pathways.

These are the contracts between modules (and, serialised, with scripts and the API). Field names follow
DESIGN.md; add optional fields freely, never rename or remove one.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# --------------------------------------------------------------------------------------------------------------
# Knowledge base
# --------------------------------------------------------------------------------------------------------------


SourceKind = Literal["provider", "regulator", "register", "third_party", "dataset"]


# Strict numbers everywhere: NaN and infinity are refused at the boundary (a budget of Infinity stored in a profile
# would break every later plan, and NaN cannot even be written back as JSON).
STRICT = ConfigDict(allow_inf_nan=False)


MAX_PROFILE_EXTRAS = 20_000  # characters of JSON in fields beyond the profile format, all sub-models together
MAX_STEPS = 60  # a pathway of more steps is not a plan anyone follows (the planner's own cap is far lower)


def _oversized_number(value: object) -> bool:
    """Whether a JSON value holds an integer no 64-bit (or JSON-safe) reader can take."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > 2**53
    if isinstance(value, dict):
        return any(_oversized_number(v) for v in value.values())
    if isinstance(value, list):
        return any(_oversized_number(v) for v in value)
    return False


class Model(BaseModel):
    """The base of every model here: refuses NaN and infinite numbers."""

    model_config = STRICT


class Source(Model):
    """Where a fact came from."""

    name: str = Field(description="Dataset or publisher, e.g. 'O*NET 29.2', 'curated-credentials'.")
    url: str | None = Field(default=None, description="Official page or dataset location.")
    licence: str | None = None
    as_of: str | None = Field(
        default=None,
        description="Date (YYYY, YYYY-MM or YYYY-MM-DD) of the page or dataset; 'n.d.' when undated.",
    )
    source_kind: SourceKind | None = Field(
        default=None,
        description="provider (the awarding body's own page), regulator, register (an official register or "
        "dataset), third_party, or dataset (a scraped listing).",
    )
    title: str | None = Field(default=None, description="The page's title, when recorded.")


class SkillRef(Model):
    """A skill in the one skill space (an ESCO URI), optionally with a score."""

    uri: str
    label: str
    score: float | None = None
    confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="For a posting requirement's link: the estimated chance that this is the skill meant, "
        "calibrated from the linker's score on the ESCO benchmark's validation spans.",
    )


class Skill(Model):
    """An ESCO skill or knowledge concept."""

    uri: str
    label: str
    alt_labels: list[str] = Field(default_factory=list)
    description: str = ""
    skill_type: str = Field(default="", description="'skill/competence' or 'knowledge' (ESCO skillType).")
    reuse_level: str = ""
    broader: list[str] = Field(default_factory=list, description="URIs of parent skills or skill groups.")
    essential_for: int = Field(default=0, description="Number of ESCO occupations where it is essential.")
    optional_for: int = Field(default=0, description="Number of ESCO occupations where it is optional.")


class OnetSkillRating(Model):
    """An O*NET skill rated for an occupation, linked into the ESCO skill space."""

    element_id: str
    name: str
    importance: float = Field(description="O*NET importance, 1-5.")
    level: float | None = Field(default=None, description="O*NET level, 0-7.")
    esco_uris: list[str] = Field(default_factory=list)


class TechnologySkill(Model):
    """An O*NET technology skill (software or tool) with its demand flags."""

    name: str
    commodity: str = ""
    hot: bool = False
    in_demand: bool = False
    esco_uris: list[str] = Field(default_factory=list)


class OccupationLink(Model):
    """A link between an O*NET occupation and an ESCO occupation, with how it was made."""

    target: str = Field(description="SOC code (from ESCO) or ESCO URI (from O*NET).")
    label: str = ""
    confidence: float = Field(ge=0, le=1)
    method: str = Field(description="e.g. 'title-and-description-similarity+soc-isco-group'.")


class Occupation(Model):
    """An occupation from O*NET (id = SOC code) or ESCO (id = concept URI)."""

    id: str
    source: Literal["onet", "esco"]
    title: str
    alt_titles: list[str] = Field(default_factory=list)
    description: str = ""
    code: str = Field(default="", description="O*NET-SOC code or ESCO/ISCO code.")
    job_zone: int | None = None
    education: str | None = Field(default=None, description="Most common education level (O*NET RL).")
    skills: list[OnetSkillRating] = Field(default_factory=list)
    technology: list[TechnologySkill] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list, description="Core tasks (O*NET).")
    essential_skills: list[str] = Field(default_factory=list, description="ESCO skill URIs.")
    optional_skills: list[str] = Field(default_factory=list, description="ESCO skill URIs.")
    links: list[OccupationLink] = Field(default_factory=list, description="Links to the other taxonomy.")


CredentialType = Literal[
    "certification",
    "professional_certificate",
    "specialization",
    "course",
    "guided_project",
    "badge",
    "designation",
    "program",
    "degree",
    "licence",
    "apprenticeship",
]
Level = Literal["entry", "intermediate", "advanced", "expert"]


class Credential(Model):
    """A credential or course a learner can earn. Empty fields mean the source did not say."""

    id: str = Field(description="Stable id, e.g. 'comptia-security-plus' or 'coursera-google-cybersecurity'.")
    name: str
    provider: str
    type: CredentialType
    level: Level | None = None
    hours_min: float | None = None
    hours_max: float | None = None
    hours_estimated: bool = Field(default=False, description="True when hours were derived by a stated rule.")
    hours_rule: str | None = Field(default=None, description="How hours were derived, when estimated.")
    cost: float | None = Field(default=None, description="Price to earn it (exam or certificate), if known.")
    currency: str | None = None
    cost_note: str | None = None
    format: str | None = Field(default=None, description="e.g. 'exam', 'online self-paced', 'online course'.")
    url: str | None = Field(default=None, description="Official page.")
    exam_code: str | None = None
    validity_years: float | None = None
    description: str = ""
    skill_tags: list[str] = Field(default_factory=list, description="Skill phrases as the source gives them.")
    skills: list[str] = Field(default_factory=list, description="ESCO skill URIs it teaches or certifies.")
    is_microcredential: bool = Field(default=True, description="False for degrees and multi-year programmes.")
    sources: list[Source] = Field(default_factory=list)
    aliases: list[str] = Field(
        default_factory=list, description="Other names the source uses, e.g. 'CISSP', 'Net+' (for lookups)."
    )
    language: str | None = Field(
        default=None,
        description="Language of instruction when the source states it, e.g. 'English', 'Español'.",
    )
    sector: str | None = Field(default=None, description="e.g. 'ict', 'healthcare', 'trades_construction'.")
    cost_approximate: bool = Field(
        default=False, description="True when the source gives the price as approximate."
    )
    member_cost: float | None = Field(
        default=None, description="Price for members of the awarding body, if given."
    )
    prerequisites: str | None = Field(default=None, description="Eligibility as the source states it.")
    renewal: str | None = Field(default=None, description="How it is renewed, as the source states it.")
    onet_soc: str | None = Field(default=None, description="O*NET-SOC code of the occupation it leads to.")
    esco_occupation: str | None = Field(default=None, description="ESCO occupation URI it leads to.")
    term_months: float | None = Field(default=None, description="An apprenticeship's typical term in months.")
    term_hours: float | None = Field(default=None, description="An apprenticeship's term in hours of work.")

    @property
    def hours(self) -> float | None:
        """A single hours figure: the middle of the range when one is given."""
        if self.hours_min is None and self.hours_max is None:
            return None
        lo = self.hours_min if self.hours_min is not None else self.hours_max
        hi = self.hours_max if self.hours_max is not None else self.hours_min
        assert lo is not None and hi is not None
        return (lo + hi) / 2


RuleType = Literal[
    "prerequisite_required",
    "recommended_before",
    "experience_required",
    "stackable_award",
    "equivalence",
    "renewal_by_higher_cert",
    "discount_or_voucher",
    "credit_recommendation",
]


class Rule(Model):
    """A pathway rule between credentials, with its source."""

    id: str
    type: RuleType
    subject: str = Field(description="Credential id the rule is about.")
    objects: list[str] = Field(default_factory=list, description="Other credential ids involved.")
    any_of: bool = Field(default=False, description="True when any one of `objects` is enough (OR).")
    condition: str = ""
    experience_years: float | None = Field(default=None, description="Years of work, for experience rules.")
    experience_years_with_degree: float | None = Field(
        default=None,
        description="Years of work asked of a learner with a bachelor's degree or higher, if fewer.",
    )
    experience_fields: list[str] = Field(
        default_factory=list,
        description="Words naming the field of the work asked for (e.g. 'project'); empty: read from the condition.",
    )
    source_url: str | None = None
    quote: str | None = None
    as_of: str | None = None


# --------------------------------------------------------------------------------------------------------------
# The learner
# --------------------------------------------------------------------------------------------------------------

CredentialStatus = Literal["earned", "in_progress", "planned"]
ExperienceKind = Literal["job", "internship", "apprenticeship", "project", "volunteer"]


class HeldCredential(Model):
    """A credential on the learner's profile."""

    model_config = ConfigDict(extra="allow")

    name: str
    status: CredentialStatus = "earned"
    date: str | None = Field(default=None, description="YYYY-MM: earned, or expected when not earned yet.")
    url: str | None = None
    id: str | None = Field(default=None, description="Catalogue id, when resolved.")


class Experience(Model):
    """A job, internship, apprenticeship, project or volunteer role."""

    model_config = ConfigDict(extra="allow")

    kind: ExperienceKind = "job"
    title: str
    organization: str | None = None
    start: str | None = None
    end: str | None = None
    evidence: list[str] = Field(default_factory=list, description="What the learner did, in their words.")


class Target(Model):
    """What the learner is aiming for."""

    model_config = ConfigDict(extra="allow")

    role: str | None = Field(default=None, description="Occupation id or title.")
    posting: str | None = Field(default=None, description="Posting text, when the target is a posting.")


class Constraints(Model):
    """The learner's limits."""

    model_config = ConfigDict(extra="allow")

    budget: float | None = Field(default=None, ge=0, le=10_000_000)
    currency: str = "USD"
    # half an hour a week at least: less is no study plan (and 1e-9 would overflow the schedule)
    hours_per_week: float | None = Field(default=None, ge=0.5, le=100)
    weeks: int | None = Field(default=None, gt=0, le=520)
    max_items: int | None = Field(default=None, gt=0, le=50)
    providers: list[str] = Field(default_factory=list, description="Preferred providers (only these).")
    formats: list[str] = Field(default_factory=list)
    exam_only: bool = Field(default=False, description="Only exam-based certifications, no courses.")


MAX_EXPERIENCE = 100  # jobs and other experience on one profile
# A chat message may be a whole pasted job posting, so it may be as long as a posting the analyser takes by
# default (Settings.max_posting_chars); the request body limit still applies.
MAX_MESSAGE_CHARS = 50_000


class Profile(Model):
    """A learner's profile (the shared JSON format in DESIGN.md)."""

    model_config = ConfigDict(extra="allow")

    name: str = ""
    current_role: str | None = None
    skills: list[str] = Field(default_factory=list, max_length=300)
    credentials: list[HeldCredential] = Field(default_factory=list, max_length=200)
    experience: list[Experience] = Field(default_factory=list, max_length=MAX_EXPERIENCE)
    target: Target = Field(default_factory=Target)
    constraints: Constraints = Field(default_factory=Constraints)

    @model_validator(mode="after")
    def _bounded_extras(self) -> Profile:
        """Fields beyond the shared format are kept (other tools write them) but bounded: a profile is not a
        place to store a megabyte of anything."""
        parts: list[BaseModel] = [self, self.target, self.constraints, *self.credentials, *self.experience]
        size = sum(len(json.dumps(m.model_extra, default=str)) for m in parts if m.model_extra)
        if size > MAX_PROFILE_EXTRAS:
            raise ValueError(
                f"fields beyond the profile format take {size:,} characters; at most {MAX_PROFILE_EXTRAS:,}"
            )
        if any(_oversized_number(m.model_extra) for m in parts if m.model_extra):
            # the conversation's memory stores the profile as 64-bit integers, like most JSON readers
            raise ValueError("fields beyond the profile format hold a number larger than 2^53")
        return self

    def years_in_role(self, today: date) -> float | None:
        """Years in the current role, rounded as people say them (whole years from 2, else halves), from the open
        job of that title (the years the learner stated, or its start month); None when the profile does not say
        or it is under a year. What drafts may say ("about 5 years in the role")."""
        key = (self.current_role or "").strip().casefold()
        for e in self.experience:
            if not key or e.kind != "job" or e.end or e.title.strip().casefold() != key:
                continue
            stated = (e.model_extra or {}).get("years_stated")
            years: float | None = float(stated) if isinstance(stated, int | float) else None
            start = (e.start or "")[:7]
            if years is None and len(start) == 7 and start[:4].isdigit() and start[5:].isdigit():
                years = ((today.year * 12 + today.month) - (int(start[:4]) * 12 + int(start[5:]))) / 12
            if years is not None and years >= 1:
                return float(round(years)) if years >= 2 else round(years * 2) / 2
        return None

    def record_years_in_role(self, title: str, years: float, today: date) -> bool:
        """Record that the learner has worked `years` in the role `title` until now ("five years as a retail
        supervisor"): the open job of that title gets its start month, or a job is added. The start is marked
        `years_stated` (worked out from what they said, not a date they gave); a start they gave is kept.
        Returns whether the profile changed."""
        months = max(1, round(years * 12))
        index = today.year * 12 + today.month - 1 - months  # "a year" in December 2026 began in December 2025
        start = f"{index // 12:04d}-{index % 12 + 1:02d}"
        key = title.strip().casefold()
        job = next(
            (
                e
                for e in self.experience
                if e.kind == "job" and not e.end and e.title.strip().casefold() == key
            ),
            None,
        )
        if job is None:
            if len(self.experience) >= MAX_EXPERIENCE:
                return False
            job = Experience.model_validate({"kind": "job", "title": title.strip(), "start": start})
            job.model_extra["years_stated"] = years  # type: ignore[index]  # extra="allow": a dict
            self.experience.append(job)
            return True
        extra = job.model_extra if job.model_extra is not None else {}
        if job.start and "years_stated" not in extra:
            return False  # the learner gave the date themselves
        if job.start == start:
            return False
        job.start = start
        extra["years_stated"] = years
        return True


# --------------------------------------------------------------------------------------------------------------
# Postings
# --------------------------------------------------------------------------------------------------------------

RequirementKind = Literal[
    "skill", "knowledge", "tool", "certification", "education", "experience", "language", "soft_skill"
]
MatchLevel = Literal["met", "partly", "missing"]


class RoleMatch(Model):
    """An occupation a title was normalised to."""

    uri: str
    label: str
    onet_soc: str | None = None
    score: float = 0.0


# The first evidence line of a requirement met through the other branch of an "A or B" requirement.
ALTERNATIVE_MET = "met by an alternative the posting accepts"


class Requirement(Model):
    """One thing a posting asks for, as a span of the original text."""

    text: str = Field(description="The span exactly as it stands in the posting.")
    start: int = Field(description="Character offset of the span in the posting.")
    end: int
    sentence: str = Field(default="", description="The sentence it came from.")
    section: str = ""
    kind: RequirementKind
    required: bool = True
    skills: list[SkillRef] = Field(default_factory=list)
    credentials: list[str] = Field(
        default_factory=list, description="Catalogue ids named by the requirement."
    )
    years: float | None = None
    match: MatchLevel | None = None
    evidence: list[str] = Field(default_factory=list, description="Profile items that meet it.")
    alternatives: list[str] = Field(
        default_factory=list,
        description='The other requirements the posting accepts instead of this one ("A or B"), by their text.',
    )


class CredentialSuggestion(Model):
    """A catalogue credential that closes some gaps."""

    id: str
    name: str
    provider: str
    cost: float | None = None
    hours: float | None = None
    covers: list[str] = Field(
        default_factory=list, description="Requirement texts or skill labels it covers."
    )
    url: str | None = None


class SalaryRange(Model):
    """Pay as the posting states it (never inferred)."""

    min: float
    max: float
    currency: str | None = None
    period: str = Field(description="hour, day, week, month or year.")
    text: str = Field(description="The span as it stands in the posting.")
    start: int
    end: int


class PostingAnalysis(Model):
    """What a posting asks for and, with a profile, how the learner measures up."""

    title: str = ""
    occupation: RoleMatch | None = None
    sections: dict[str, list[int]] = Field(default_factory=dict, description="Section name → [start, end].")
    seniority: str | None = None
    salary: str | None = None
    requirements: list[Requirement] = Field(default_factory=list)
    score: float | None = Field(default=None, description="Match score 0-100, with a profile.")
    score_explanation: str | None = None
    gaps: list[Requirement] = Field(default_factory=list)
    gap_credentials: list[CredentialSuggestion] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    salary_range: SalaryRange | None = Field(default=None, description="Structured pay, when stated.")
    untrusted_lines: list[str] = Field(
        default_factory=list,
        description="Lines that speak to an AI assistant instead of describing the job: read as data, left out.",
    )


# --------------------------------------------------------------------------------------------------------------
# Pathways
# --------------------------------------------------------------------------------------------------------------

StepKind = Literal[
    "certification",
    "professional_certificate",
    "specialization",
    "course",
    "guided_project",
    "badge",
    "designation",
    "program",
    "licence",
    "apprenticeship",
    "internship",
    "portfolio_project",
    "on_the_job_assessment",
]
PlanStatus = Literal["optimal", "feasible", "infeasible"]


class Recognition(Model):
    """One sourced sign that employers recognise a credential (e.g. listed in the US DoD 8140 baseline)."""

    signal: str = Field(description="iso_17024, dod_8140, ace_credit, vendor_role_based, industry_body, ...")
    label: str = Field(description="What the signal means, in words.")
    detail: str = ""
    url: str = Field(description="The page it rests on.")
    title: str | None = None
    date: str | None = Field(default=None, description="The date the page shows, when it shows one.")
    official: bool = Field(default=True, description="False when only a third-party page states it.")


class PathwayStep(Model):
    """One step of a pathway, placed on the learner's weekly calendar."""

    id: str = Field(description="Credential id, or 'work:<kind>:<slug>' for a work-based step.")
    name: str
    kind: StepKind
    provider: str | None = None
    start_week: int
    end_week: int
    cost: float = 0.0
    currency: str = "USD"
    hours: float = 0.0
    hours_estimated: bool = False
    skills: list[SkillRef] = Field(default_factory=list, description="Target skills this step closes.")
    prerequisites: list[str] = Field(default_factory=list, description="Step ids that must come first.")
    unlocks: list[str] = Field(default_factory=list, description="Stackable credentials it completes.")
    why: str = ""
    url: str | None = None
    sources: list[Source] = Field(default_factory=list)
    cost_known: bool = Field(
        default=True, description="False when the catalogue gives no price (cost shows 0)."
    )
    hours_known: bool = Field(
        default=True, description="False when the catalogue gives no hours (hours: 0 or a stated estimate)."
    )
    work_based: bool = Field(default=False, description="A work-based step, not a credential.")
    recognition: list[Recognition] = Field(
        default_factory=list, description="Sourced employer-recognition signals (empty: unknown, not none)."
    )
    cost_estimated: bool = Field(
        default=False,
        description="True when the cost is derived by a stated rule (e.g. months of a subscription).",
    )
    audit: bool = Field(
        default=False, description="Planned as a free audit: the learning without the certificate."
    )


class Pathway(Model):
    """A planned pathway with its status; `alternatives` have the same shape without their own."""

    status: PlanStatus
    reason: str | None = None
    target: str = ""
    objective: str = ""
    steps: list[PathwayStep] = Field(default_factory=list, max_length=MAX_STEPS)
    total_cost: float = 0.0
    currency: str = "USD"
    total_hours: float = 0.0
    weeks: int = 0
    completion_date: str | None = None
    covered: list[SkillRef] = Field(default_factory=list)
    uncovered: list[SkillRef] = Field(default_factory=list)
    coverage_before: float = 0.0
    coverage_after: float = 0.0
    trade_off: str | None = None
    label: str | None = Field(default=None, description="e.g. 'cheapest', 'fastest', 'widest coverage'.")
    nearest_feasible: str | None = Field(default=None, description="For infeasible plans: what would work.")
    explanation: str = ""
    alternatives: list[Pathway] = Field(default_factory=list)
    gap: float | None = Field(default=None, description="Relative MIP gap when the time limit was hit.")
    binding: list[str] = Field(
        default_factory=list,
        description="Constraints that bind: budget, time, max_items, providers, exam_only.",
    )
    assumptions: list[str] = Field(default_factory=list, description="Planning assumptions, stated.")
    hours_per_week: float | None = None
