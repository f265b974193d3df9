"""Honest drafts: how a learner presents what they earned, are earning and plan to earn.

`draft_all()` turns a profile (plus, optionally, a pathway and a posting analysis) into resume bullets, a LinkedIn
headline/About/"Licenses & certifications" list, a cover-letter paragraph, STAR talking points and a 30-second
pitch. Texts come from the templates in prompts/drafts/ (several phrasings per slot, chosen deterministically from
the learner and the item, so learners do not share sentences). With a chat model, the model rewrites each text and
the claim checker (coach.claims) rejects any rewrite that adds a credential, skill, organisation, date or number
the inputs do not hold; the offline text is kept and a notice says why. Earned, in progress and planned are never
blurred: every credential carries its status and, when not earned, its expected month.

Exports of the same content (JSON Resume, Open Badges 3.0, Markdown, DOCX) live in coach.exports and are
re-exported here.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from coach.claims import (
    AllowedFacts,
    allowed_facts,
    find_unsupported_claims,
    month_year,
    normalise,
    singular_title,
    skill_phrase,
    step_end_dates,
)
from coach.errors import BadInput, NotFound
from coach.models import (
    CredentialStatus,
    Experience,
    HeldCredential,
    Pathway,
    PostingAnalysis,
    Profile,
    Requirement,
)
from coach.texts import render

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from coach.knowledge import Catalog

WORK_KINDS = ("apprenticeship", "internship", "portfolio_project", "on_the_job_assessment")
_KIND_LABELS = {
    "apprenticeship": "apprenticeship",
    "internship": "internship",
    "portfolio_project": "portfolio project",
    "on_the_job_assessment": "on-the-job assessment",
    "job": "job",
    "project": "project",
    "volunteer": "volunteer role",
}
# Evidence from these kinds of experience shows a credential applied, so it is preferred for bullets.
_APPLIED_KINDS = {"project": 2.0, "internship": 2.0, "apprenticeship": 2.0, "volunteer": 1.0, "job": 1.0}
_OUTCOME = re.compile(
    r"\d|%|\b(reduc|increas|improv|cut|sav|grew|grow|won|award|resolv|achiev|raised|boost|lower|halv|doubl|"
    r"prevent|recogni|promot|shortened|faster|zero)\w*",
    re.IGNORECASE,
)
_STOP_TEXT = """
a an and are as at be by for from in into is it of on or the to with using use used via your my our this
that these those i we you
"""
_STOP = frozenset(_STOP_TEXT.split())
_VARIANT_SPLIT = re.compile(r"\s*~~~\s*")
_LINKEDIN_HEADLINE_MAX = 220


# --------------------------------------------------------------------------------------------------------------
# The drafts
# --------------------------------------------------------------------------------------------------------------


class PresentedCredential(BaseModel):
    """A credential or work-based step as the learner should present it, with its status kept explicit."""

    name: str
    issuer: str | None = None
    status: CredentialStatus
    date: str | None = Field(default=None, description="YYYY-MM: earned, or expected when not earned yet.")
    date_label: str = Field(default="", description="e.g. 'earned May 2026' or 'expected March 2027'.")
    catalog_id: str | None = None
    url: str | None = None
    credential_id: str | None = Field(
        default=None, description="The issuer's credential id, if the profile has one."
    )
    skills: list[str] = Field(default_factory=list, description="Skill labels the pathway says it covers.")
    skill_uris: list[str] = Field(
        default_factory=list, description="ESCO URIs it covers (pathway, else catalogue): badge alignments."
    )
    catalog_skills: list[str] = Field(
        default_factory=list,
        description="Catalogue skill labels: used to match evidence, never written into drafts as a claim.",
    )
    kind: str = Field(default="credential", description="'credential' or a work-based step kind.")
    source: Literal["profile", "pathway"] = "profile"


class ResumeBullet(BaseModel):
    """One resume line: action, skill, evidence from the profile, outcome only where the profile states one."""

    text: str
    item: str = Field(description="The credential or step it presents.")
    status: CredentialStatus
    skill: str | None = None
    evidence: str | None = Field(default=None, description="The profile evidence it cites, verbatim.")
    evidence_from: str | None = Field(default=None, description="Where that evidence comes from.")


class LinkedInCertification(BaseModel):
    """An entry for LinkedIn's "Licenses & certifications" section (fields as LinkedIn's form names them)."""

    name: str
    issuing_organization: str | None = None
    issue_date: str | None = Field(default=None, description="Month YYYY, for earned credentials only.")
    expiration_date: str | None = None
    credential_id: str | None = None
    credential_url: str | None = None
    status: CredentialStatus
    note: str | None = Field(
        default=None, description="e.g. 'In progress, expected December 2026: add when earned'."
    )


class LinkedInDraft(BaseModel):
    """Headline, About paragraph and certification entries."""

    headline: str
    about: str
    certifications: list[LinkedInCertification] = Field(default_factory=list)


class StarPoint(BaseModel):
    """An interview talking point in STAR form, drawn from one experience in the profile."""

    experience: str = Field(description="Title and organisation it comes from.")
    situation: str
    task: str
    action: str
    result: str
    result_stated: bool = Field(description="True when the result is the profile's own stated outcome.")


class Drafts(BaseModel):
    """Everything `draft_all` writes for one learner."""

    learner: str = ""
    target: str | None = None
    today: str = Field(description="ISO date the expected dates were computed from.")
    credentials: list[PresentedCredential] = Field(default_factory=list)
    resume_bullets: list[ResumeBullet] = Field(default_factory=list)
    linkedin: LinkedInDraft
    cover_letter: str | None = Field(default=None, description="Tailored to the posting when one was given.")
    cover_letter_for: str | None = Field(default=None, description="The posting title it is tailored to.")
    talking_points: list[StarPoint] = Field(default_factory=list)
    pitch: str = ""
    notices: list[str] = Field(default_factory=list)
    model: str | None = Field(default=None, description="The chat model that rewrote texts, if any.")
    rewritten: list[str] = Field(default_factory=list, description="Texts the model's rewrite was kept for.")

    def texts(self) -> list[tuple[str, str]]:
        """Every drafted text with a label, e.g. ('pitch', '...'): what the claim checker and evals read."""
        out: list[tuple[str, str]] = [(f"bullet {i + 1}", b.text) for i, b in enumerate(self.resume_bullets)]
        out += [("headline", self.linkedin.headline), ("about", self.linkedin.about)]
        if self.cover_letter:
            out.append(("cover letter", self.cover_letter))
        for i, point in enumerate(self.talking_points):
            for part in ("situation", "task", "action", "result"):
                out.append((f"talking point {i + 1} {part}", getattr(point, part)))
        out.append(("pitch", self.pitch))
        return [(label, text) for label, text in out if text]


# --------------------------------------------------------------------------------------------------------------
# Writing with templates (and, optionally, a model that rewrites under the claim checker)
# --------------------------------------------------------------------------------------------------------------


class _Writer:
    """Renders template variants deterministically and passes each text through the optional model."""

    def __init__(
        self,
        seed: str,
        allowed: AllowedFacts,
        model: BaseChatModel | None,
        facts: list[str],
        prompts_dir: Path | None,
    ) -> None:
        self.seed = seed
        self.allowed = allowed
        self.model = model
        self.facts = facts
        self.prompts_dir = prompts_dir
        self.notices: list[str] = []
        self.rewritten: list[str] = []
        # Every way the learner's credentials can be named: a rewrite may not bring one into a text that did
        # not name it (a planned CISSP is in the inputs, but "I also hold the CISSP" is still false).
        self.credential_names: list[str] = []
        self.pending_names: list[str] = []  # forms of credentials that are in progress or planned
        self._system: str | None = None

    def variant(self, template: str, key: str, **variables: Any) -> str:
        """Render all phrasings of `template` and pick one by a stable hash of learner, slot and item."""
        rendered = render(f"drafts/{template}", folder=self.prompts_dir, **variables)
        options = [_tidy(v) for v in _VARIANT_SPLIT.split(rendered) if v.strip()]
        if not options:
            return ""
        digest = hashlib.sha256(f"{self.seed}|{template}|{key}".encode()).digest()
        return options[int.from_bytes(digest[:4], "big") % len(options)]

    def say(self, label: str, text: str) -> str:
        """The offline text, or the model's rewrite of it when one is configured and the rewrite is grounded."""
        if self.model is None or not text.strip():
            return text
        try:
            rewrite = self._rewrite(label, text)
        except Exception as exc:  # any model failure falls back to the offline text, with a notice
            self.notices.append(
                f"{label}: the model could not rewrite it ({type(exc).__name__}); kept the offline text."
            )
            return text
        rewrite = _tidy(rewrite.strip().strip('"').strip())
        if not rewrite:
            self.notices.append(f"{label}: the model returned nothing; kept the offline text.")
            return text
        problems = find_unsupported_claims(rewrite, self.allowed)
        lost = (
            _lost_status(text, rewrite)
            + _new_credentials(text, rewrite, self.credential_names)
            + _pending_as_held(text, rewrite, self.pending_names)
        )
        if problems or lost:
            why = "; ".join(
                [
                    *(f"it added {p}, which is not in your profile, pathway or posting" for p in problems),
                    *lost,
                ]
            )
            self.notices.append(f"{label}: the model's rewrite was rejected ({why}); kept the offline text.")
            return text
        self.rewritten.append(label)
        return rewrite

    def _rewrite(self, label: str, text: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        assert self.model is not None
        if self._system is None:
            self._system = render("drafts/rewrite_system.md", folder=self.prompts_dir)
        kind = re.sub(r"\s*\d+.*$", "", label) or label
        user = render(
            "drafts/rewrite_user.md", folder=self.prompts_dir, kind=kind, facts=self.facts, text=text
        )
        reply = self.model.invoke([SystemMessage(content=self._system), HumanMessage(content=user)])
        content = reply.content
        if isinstance(content, list):  # content blocks: keep the text parts
            content = "".join(
                part.get("text", "") if isinstance(part, dict) else str(part) for part in content
            )
        return str(content)


_STATUS_WORDS = (("expected",), ("in progress", "completing", "working towards", "under way"), ("planned",))


def _lost_status(offline: str, rewrite: str) -> list[str]:
    """Status words the offline text has and the rewrite dropped (in progress/planned must not read as earned)."""
    lost = []
    low_off, low_new = offline.lower(), rewrite.lower()
    for group in _STATUS_WORDS:
        if any(w in low_off for w in group) and not any(w in low_new for w in group):
            lost.append(f"it dropped the status '{group[0]}'")
    months_off = set(re.findall(r"expected (\w+ \d{4})", offline))
    for when in months_off:
        if when not in rewrite:
            lost.append(f"it dropped the expected date '{when}'")
    return lost


def credential_mentions(name: str) -> list[str]:
    """Ways a credential is referred to: its name, the acronym in parentheses, the name without the provider."""
    forms = [name]
    forms += re.findall(r"\(([A-Z][A-Za-z0-9+&-]{1,12})\)", name)
    if " " in name:
        forms.append(name.split(" ", 1)[1])  # "CompTIA Security+" → "Security+"
    return [f for f in dict.fromkeys(forms) if len(f) >= 2]


def _new_credentials(offline: str, rewrite: str, names: Sequence[str]) -> list[str]:
    """Credentials the rewrite names that the offline text did not."""
    off, new = f" {normalise(offline)} ", f" {normalise(rewrite)} "
    added = []
    for form in names:
        key = normalise(form)
        if len(key) < 2 or key in _STOP:
            continue
        if f" {key} " in new and f" {key} " not in off:
            added.append(f"it brought in '{form}', which this text did not mention")
    return added


_PENDING_WORDS = (
    "expected",
    "planned",
    "plan ",
    "in progress",
    "completing",
    "working towards",
    "working on",
    "under way",
    "next",
    "pursuing",
    "studying",
    "preparing",
    "will ",
)


def _unqualified_pending(text: str, names: Sequence[str]) -> set[str]:
    """Pending credentials named in a sentence that does not say they are pending."""
    found = set()
    for sentence in re.split(r"(?<=[.!?;)])\s+|\n|\s[|·]\s", text):
        low = f" {normalise(sentence)} "
        if any(w in sentence.lower() for w in _PENDING_WORDS):
            continue
        for form in names:
            key = normalise(form)
            if len(key) >= 2 and f" {key} " in low:
                found.add(form)
    return found


_HELD = r"\b(?:hold|holds|held|holding|earned|achieved|obtained|completed|passed|certified|have|has)\b"


def _held_claims(text: str, names: Sequence[str]) -> set[str]:
    """Pending credentials the text says are held ('I hold X', 'earned the X'), within a few words."""
    found = set()
    for form in names:
        pattern = _HELD + r"(?:\W+\w+){0,4}?\W+" + re.escape(form) + r"(?!\w)"
        if re.search(pattern, text, flags=re.IGNORECASE):
            found.add(form)
    return found


def _pending_as_held(offline: str, rewrite: str, names: Sequence[str]) -> list[str]:
    """A rewrite may not name an in-progress or planned credential without saying it is pending, nor call it held."""
    added = _unqualified_pending(rewrite, names) - _unqualified_pending(offline, names)
    added |= _held_claims(rewrite, names) - _held_claims(offline, names)
    return [f"it named '{form}' without saying it is in progress or planned" for form in sorted(added)]


def _tidy(text: str) -> str:
    """Collapse whitespace and fix spacing around punctuation left by optional template parts."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:)])", r"\1", text)
    text = re.sub(r"\.\.+", ".", text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    return text.strip()


# --------------------------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------------------------


def _with_article(phrase: str, *, keep_case: bool = False) -> str:
    """'a retail sales associate', 'an IT technician' (lower-cases a leading capital unless it is an acronym)."""
    phrase = phrase.strip()
    if not phrase:
        return phrase
    if not keep_case:
        phrase = _lower_first(phrase)
    article = "an" if phrase[0].lower() in "aeiou" else "a"
    return f"{article} {phrase}"


_PAST_IRREGULAR_TEXT = """
set led built ran wrote made taught kept won cut grew met sold drove gave took found held began brought
spent sent read put lent rebuilt rewrote oversaw
"""
_PAST_IRREGULAR = frozenset(_PAST_IRREGULAR_TEXT.split())


def _clause(evidence: str) -> str:
    """The learner's evidence as a clause after 'I …' or ':' — lower-case the first word only if it is a verb."""
    text = evidence.strip().rstrip(".")
    if not text:
        return text
    first = text.split()[0]
    if first[1:].islower() and (first.lower().endswith("ed") or first.lower() in _PAST_IRREGULAR):
        return first.lower() + text[len(first) :]
    return text


# Words too general to link two things ("management" in "inventory management" and "memory management").
_GENERIC_TEXT = """
manag syste skill servi suppo work basic intro found princ probl solvi data appli using advan level found
profe certi cours progr speci plann proje devel infor techn
"""
_GENERIC = frozenset(_GENERIC_TEXT.split())


def _content_words(text: str) -> set[str]:
    """Content-word stems (first five letters) for a rough lexical overlap."""
    return {w[:5] for w in normalise(text).split() if w not in _STOP and len(w) > 2}


def _specific_words(text: str) -> set[str]:
    """Content-word stems that are specific enough to link a skill to a credential."""
    return _content_words(text) - _GENERIC


def _strip_kind_prefix(name: str, kind_label: str) -> str:
    """'Portfolio project: attack vectors' → 'attack vectors' when the sentence already says 'portfolio project'."""
    prefix = f"{kind_label}:"
    return name[len(prefix) :].strip() if name.lower().startswith(prefix.lower()) else name


def _month_label(value: str | None) -> str | None:
    """'2026-05' → 'May 2026'; None when the date is missing or not YYYY-MM(-DD)."""
    if not value:
        return None
    match = re.match(r"^(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return month_year(date(int(match.group(1)), int(match.group(2)), 1))


def _cap_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _first_name(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def _has_outcome(text: str) -> bool:
    return bool(_OUTCOME.search(text))


# --------------------------------------------------------------------------------------------------------------
# Inputs → what to present
# --------------------------------------------------------------------------------------------------------------


def check_inputs(profile: Profile, pathway: Pathway | None, catalog: Catalog | None) -> None:
    """Refuse an empty profile and a plan whose steps name credentials the catalogue does not know."""
    if not (
        profile.name.strip()
        or profile.skills
        or profile.credentials
        or profile.experience
        or (profile.current_role or "").strip()
    ):
        raise BadInput(
            "the profile is empty: give at least a name, a current role, skills, credentials or experience"
        )
    if pathway is None or catalog is None or not catalog.credentials:
        return
    unknown = [
        s.id
        for s in pathway.steps
        if not s.id.startswith("work:") and s.kind not in WORK_KINDS and catalog.find_credential(s.id) is None
    ]
    if unknown:
        raise NotFound(f"the plan names credential ids the catalogue does not know: {', '.join(unknown[:5])}")


def _catalog_skill_labels(catalog: Catalog | None, uris: Iterable[str]) -> list[str]:
    if catalog is None:
        return []
    return [catalog.skill_label(u) for u in uris if u in catalog.skills]


def presented_credentials(
    profile: Profile, pathway: Pathway | None, catalog: Catalog | None, today: date
) -> list[PresentedCredential]:
    """The profile's credentials and the pathway's steps, merged, each with status and (expected) date."""
    ends = step_end_dates(pathway, today)
    items: list[PresentedCredential] = []
    by_key: dict[str, PresentedCredential] = {}

    def key_of(name: str, cid: str | None) -> str:
        return cid or normalise(name)

    for held in profile.credentials:
        cred = catalog.find_credential(held.id or held.name) if catalog is not None else None
        when = _month_label(held.date)
        label = ""
        if when:
            label = f"earned {when}" if held.status == "earned" else f"expected {when}"
        item = PresentedCredential(
            name=held.name,
            issuer=_extra(held, "issuer") or (cred.provider if cred else None),
            status=held.status,
            date=held.date,
            date_label=label,
            catalog_id=cred.id if cred else held.id,
            url=held.url or (cred.url if cred else None),
            credential_id=_extra(held, "credential_id"),
            skill_uris=[u for u in (cred.skills if cred else []) if catalog and u in catalog.skills][:6],
            catalog_skills=_catalog_skill_labels(catalog, cred.skills)[:6] if cred else [],
        )
        items.append(item)
        by_key[key_of(held.name, item.catalog_id)] = item
        by_key.setdefault(normalise(held.name), item)

    for step in pathway.steps if pathway else []:
        cred = None
        if catalog is not None and step.kind not in WORK_KINDS and not step.id.startswith("work:"):
            cred = catalog.find_credential(step.id)
        end = ends.get(step.id)
        when = month_year(end) if end else None
        skills = [s.label for s in step.skills]
        uris = [s.uri for s in step.skills] or (list(cred.skills) if cred else [])
        cat_skills = _catalog_skill_labels(catalog, cred.skills)[:6] if cred else []
        existing = by_key.get(key_of(step.name, cred.id if cred else step.id)) or by_key.get(
            normalise(step.name)
        )
        if existing is not None:
            # The profile already lists it: keep the learner's status; fill in what the plan knows.
            if existing.status != "earned" and not existing.date and end:
                existing.date = end.strftime("%Y-%m")
                existing.date_label = f"expected {when}"
            existing.skills = existing.skills or skills[:6]
            existing.skill_uris = existing.skill_uris or uris[:6]
            existing.catalog_skills = existing.catalog_skills or cat_skills
            existing.url = existing.url or step.url
            existing.issuer = existing.issuer or step.provider
            continue
        item = PresentedCredential(
            name=step.name,
            issuer=step.provider or (cred.provider if cred else None),
            status="planned",
            date=end.strftime("%Y-%m") if end else None,
            date_label=f"expected {when}" if when else "",
            catalog_id=cred.id if cred else step.id,
            url=step.url or (cred.url if cred else None),
            skills=skills[:6],
            skill_uris=uris[:6],
            catalog_skills=cat_skills,
            kind=step.kind if step.kind in WORK_KINDS else "credential",
            source="pathway",
        )
        items.append(item)
        by_key[key_of(step.name, item.catalog_id)] = item
    order = {"earned": 0, "in_progress": 1, "planned": 2}
    return sorted(items, key=lambda c: (order[c.status], c.kind != "credential"))


def _extra(model: HeldCredential | Experience, name: str) -> str | None:
    value = (model.model_extra or {}).get(name)
    return str(value) if value else None


class _Evidence(BaseModel):
    text: str
    where: str
    kind: str
    experience: int


def _lower_first(text: str) -> str:
    """'Sales associate' → 'sales associate'; Title Case names, acronyms and 'CompTIA'-like words stay as they are."""
    words = text.split()
    if not words:
        return text
    first = words[0]
    if (first.isupper() and len(first) > 1) or any(ch.isupper() for ch in first[1:]):
        return text
    if any(w[:1].isupper() for w in words[1:]):
        return text  # a proper title ("Information Technology Specialist")
    return text[0].lower() + text[1:]


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


def _target_title(
    profile: Profile, pathway: Pathway | None, posting: PostingAnalysis | None, catalog: Catalog | None
) -> str | None:
    raw = profile.target.role or (pathway.target if pathway else "") or ""
    if catalog is not None and raw:
        occ = catalog.find_occupation(raw)
        if occ is not None:
            return occ.title
    if raw and not raw.startswith("http") and not re.match(r"^\d\d-\d{4}", raw):
        return raw
    if posting is not None and posting.title:
        return posting.title
    return None


# --------------------------------------------------------------------------------------------------------------
# draft_all
# --------------------------------------------------------------------------------------------------------------


def draft_all(
    profile: Profile,
    pathway: Pathway | None = None,
    posting: PostingAnalysis | None = None,
    model: BaseChatModel | None = None,
    today: date | None = None,
    *,
    catalog: Catalog | Literal["process"] | None = "process",
    posting_text: str | None = None,
    prompts_dir: Path | None = None,
) -> Drafts:
    """Resume bullets, LinkedIn texts, a cover-letter paragraph, STAR points and a pitch for one learner.

    Offline by default; with `model` (a LangChain chat model) each text is rewritten and kept only if the claim
    checker finds nothing the inputs do not support. `today` anchors "expected <month>" dates (default: today).
    `catalog` defaults to the process-wide catalogue (issuers, official URLs, ESCO skills, unknown-id checks);
    pass None to draft from the inputs alone.
    """
    today = today or date.today()
    if catalog == "process":
        from coach.knowledge import get_catalog

        catalog = get_catalog()
    assert not isinstance(catalog, str)
    check_inputs(profile, pathway, catalog)
    target = _target_title(profile, pathway, posting, catalog)
    target_one = singular_title(target) if target else None
    allowed = allowed_facts(
        profile,
        pathway,
        posting,
        catalog,
        today=today,
        extra_texts=[t for t in (target, target_one, posting_text) if t],
        prompts_dir=prompts_dir,
        include_catalog_skills=False,  # drafts name only skills the profile, pathway or posting state
    )
    creds = presented_credentials(profile, pathway, catalog, today)
    facts = _fact_list(profile, creds, target, posting)
    writer = _Writer(
        seed=normalise(f"{profile.name}|{profile.current_role or ''}"),
        allowed=allowed,
        model=model,
        facts=facts,
        prompts_dir=prompts_dir,
    )
    for c in creds:
        if c.status != "earned" and c.date and c.date[:7] < today.strftime("%Y-%m"):
            writer.notices.append(
                f"{c.name} was {c.date_label or 'expected earlier'}, which has passed: update its status or date "
                "in your profile."
            )
    writer.credential_names = [form for c in creds for form in credential_mentions(c.name)]
    writer.pending_names = [
        form for c in creds if c.status != "earned" for form in credential_mentions(c.name)
    ]
    pool = _evidence_pool(profile)
    bullets = _resume_bullets(writer, profile, creds, pool)
    earned = [c.name for c in creds if c.status == "earned" and c.kind == "credential"]
    pending = [_pending_label(c) for c in creds if c.status != "earned" and c.kind == "credential"]
    pending_short = pending
    highlight = _highlight(pool)
    highlight_clause = _i_clause(highlight) if highlight else None
    orgs = list(
        dict.fromkeys(e.organization for e in profile.experience if e.organization and e.kind == "job")
    )
    role = (profile.current_role or "").strip()
    common = {
        "first_name": _first_name(profile.name),
        "role": role,
        "role_a": _with_article(role) if role else "",
        "orgs": orgs[:2],
        "skills": profile.skills[:4],
        "earned": earned[:3],
        "target": target_one,
        "target_a": _with_article(target_one, keep_case=True) if target_one else "",
        "highlight": highlight_clause or "",
    }
    headline = _headline(writer, common, pending[:2])
    about = writer.say("about", writer.variant("about.md", "about", pending=pending_short[:3], **common))
    linkedin = LinkedInDraft(headline=headline, about=about, certifications=_linkedin_entries(creds))
    cover, cover_for = _cover_letter(writer, profile, posting, creds, common, pool)
    points = _talking_points(writer, profile, posting)
    pitch = writer.say(
        "pitch",
        writer.variant(
            "pitch.md", "pitch", pending=pending_short[:2], **{**common, "skills": profile.skills[:2]}
        ),
    )
    return Drafts(
        learner=profile.name,
        target=target,
        today=today.isoformat(),
        credentials=creds,
        resume_bullets=bullets,
        linkedin=linkedin,
        cover_letter=cover,
        cover_letter_for=cover_for,
        talking_points=points,
        pitch=pitch,
        notices=writer.notices,
        model=_model_name(model),
        rewritten=writer.rewritten,
    )


def _pending_label(c: PresentedCredential) -> str:
    """'CompTIA Security+ (planned, expected February 2027)': the status always travels with the name."""
    status = c.status.replace("_", " ")
    return f"{c.name} ({status}, {c.date_label})" if c.date_label else f"{c.name} ({status})"


def _model_name(model: BaseChatModel | None) -> str | None:
    if model is None:
        return None
    for attr in ("model_name", "model"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def _fact_list(
    profile: Profile,
    creds: Sequence[PresentedCredential],
    target: str | None,
    posting: PostingAnalysis | None,
) -> list[str]:
    """The facts a rewriting model is shown (and told to stay within)."""
    facts = []
    if profile.name:
        facts.append(f"Name: {profile.name}")
    if profile.current_role:
        facts.append(f"Current role: {profile.current_role}")
    if profile.skills:
        facts.append("Skills: " + ", ".join(profile.skills))
    for c in creds:
        status = c.status.replace("_", " ")
        facts.append(f"Credential: {c.name} ({status}{', ' + c.date_label if c.date_label else ''})")
    for exp in profile.experience:
        where = f" at {exp.organization}" if exp.organization else ""
        facts.append(f"Experience: {exp.title}{where}: " + "; ".join(exp.evidence))
    if target:
        facts.append(f"Target role: {target}")
    if posting is not None and posting.title:
        facts.append(f"Posting: {posting.title}")
    return facts


def _resume_bullets(
    writer: _Writer, profile: Profile, creds: Sequence[PresentedCredential], pool: Sequence[_Evidence]
) -> list[ResumeBullet]:
    used: dict[int, int] = {}
    work_steps = [c for c in creds if c.kind != "credential"]
    bullets: list[ResumeBullet] = []
    for item in creds:
        when = item.date_label.split(" ", 1)[1] if item.date_label else ""
        if item.kind != "credential":
            skill = skill_phrase(item.skills[0]) if item.skills else None
            text = writer.variant(
                "bullet_work.md",
                item.name,
                item=_strip_kind_prefix(item.name, _KIND_LABELS.get(item.kind, item.kind)),
                kind_label=_KIND_LABELS.get(item.kind, item.kind.replace("_", " ")),
                provider=item.issuer or "",
                when=when,
                status_word=item.status.replace("_", " "),
                skill=skill,
            )
            bullets.append(
                ResumeBullet(
                    text=writer.say(f"bullet {len(bullets) + 1}", _cap_first(text)),
                    item=item.name,
                    status=item.status,
                    skill=skill,
                )
            )
            continue
        evidence = _best_evidence(item, pool, used) if item.status != "planned" else None
        where = evidence.where if evidence else ""
        evidence_text = evidence.text if evidence else ""
        if item.status == "planned" and work_steps:
            # A planned credential is evidenced by the planned work-based step that shares its skills, if any.
            partner = max(work_steps, key=lambda w: len(set(w.skills) & set(item.skills)))
            if set(partner.skills) & set(item.skills):
                where = f"the planned {_KIND_LABELS.get(partner.kind, partner.kind)} ({partner.name})"
                evidence_text = ""
        skill = _best_skill(item, profile, evidence)
        own_skill = _related_profile_skill(item, profile) if item.status == "planned" else None
        template = {"earned": "bullet_earned.md", "in_progress": "bullet_in_progress.md"}.get(
            item.status, "bullet_planned.md"
        )
        text = writer.variant(
            template,
            item.name,
            item=item.name,
            issuer=item.issuer or "",
            when=when,
            skill=skill_phrase(skill),
            evidence=_clause(evidence_text),
            evidence_clause=_clause(evidence_text),
            where=where,
            own_skill=own_skill,
        )
        bullets.append(
            ResumeBullet(
                text=writer.say(f"bullet {len(bullets) + 1}", _cap_first(text)),
                item=item.name,
                status=item.status,
                skill=skill,
                evidence=evidence.text if evidence else None,
                evidence_from=evidence.where if evidence else None,
            )
        )
    return bullets


def _highlight(pool: Sequence[_Evidence]) -> str | None:
    """One piece of evidence to lead with (it must open with a verb): the first stating an outcome, else any."""
    usable = [ev for ev in pool if _i_clause(ev.text)]
    for ev in usable:
        if _has_outcome(ev.text):
            return ev.text
    return usable[0].text if usable else None


def _headline(writer: _Writer, common: dict[str, Any], pending: list[str]) -> str:
    """The headline, dropping the least important parts until it fits LinkedIn's length limit."""
    earned = list(common["earned"])
    skills = list(common["skills"])
    while True:
        text = writer.variant(
            "headline.md", "headline", pending=pending, **{**common, "earned": earned, "skills": skills}
        )
        if len(text) <= _LINKEDIN_HEADLINE_MAX or not (pending or earned or skills):
            break
        if pending:
            pending = pending[:-1]
        elif earned:
            earned = earned[:-1]
        else:
            skills = skills[:-1]
    return writer.say("headline", _cap_first(text))


def _linkedin_entries(creds: Sequence[PresentedCredential]) -> list[LinkedInCertification]:
    entries = []
    for c in creds:
        if c.kind != "credential":
            continue
        when = _month_label(c.date)
        note = None
        if c.status == "in_progress":
            note = f"In progress{', expected ' + when if when else ''}: add it to LinkedIn once earned."
        elif c.status == "planned":
            note = f"Planned{', expected ' + when if when else ''}: not for LinkedIn until earned."
        entries.append(
            LinkedInCertification(
                name=c.name,
                issuing_organization=c.issuer,
                issue_date=when if c.status == "earned" else None,
                credential_id=c.credential_id,
                credential_url=c.url,
                status=c.status,
                note=note,
            )
        )
    return entries


def _requirement_evidence(req: Requirement, profile: Profile) -> tuple[str, str] | None:
    """(requirement text, evidence sentence) when the learner meets a requirement, from the analysis's match or
    from the profile naming it."""
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


def _cover_letter(
    writer: _Writer,
    profile: Profile,
    posting: PostingAnalysis | None,
    creds: Sequence[PresentedCredential],
    common: dict[str, Any],
    pool: Sequence[_Evidence],
) -> tuple[str | None, str | None]:
    """A paragraph leading with what the learner already meets: the posting's requirements when there is one,
    otherwise their strongest evidence for the target role."""
    pending = [_pending_label(c) for c in creds if c.status != "earned" and c.kind == "credential"][:2]
    if posting is None:
        evidence = [_first_person(ev.text) for ev in pool if _has_outcome(ev.text)][:2]
        if not evidence:
            evidence = [_first_person(ev.text) for ev in pool[:1]]
        if not (evidence or pending or common["earned"]):
            return None, None
        text = writer.variant(
            "cover_letter_general.md",
            "cover",
            target=common["target"],
            target_a=common["target_a"],
            evidence=evidence,
            earned=common["earned"],
            pending=pending,
        )
        return writer.say("cover letter", text), None
    met: list[dict[str, str]] = []
    gaps: list[str] = []
    ranked = sorted(posting.requirements, key=lambda r: (not r.required, r.start))
    for req in ranked:
        found = _requirement_evidence(req, profile)
        if found and len(met) < 3:
            met.append({"requirement": found[0].strip().rstrip("."), "evidence": found[1]})
        elif not found and req.required and len(gaps) < 2:
            gaps.append(req.text.strip().rstrip("."))
    text = writer.variant(
        "cover_letter.md",
        posting.title or "cover",
        title=posting.title or "",
        met=met,
        pending=pending,
        gaps=gaps,
        target=common["target"],
    )
    return writer.say("cover letter", text), posting.title or None


def _talking_points(writer: _Writer, profile: Profile, posting: PostingAnalysis | None) -> list[StarPoint]:
    """Up to three STAR points, from the experiences with the most evidence (those matching the posting first)."""
    wanted = _content_words(" ".join(r.text for r in posting.requirements)) if posting else set()
    experiences = [e for e in profile.experience if e.evidence]
    experiences.sort(key=lambda e: (-len(_content_words(" ".join(e.evidence)) & wanted), -len(e.evidence)))
    points = []
    for i, exp in enumerate(experiences[:3]):
        evidence = [x.strip().rstrip(".") for x in exp.evidence if x.strip()]
        outcomes = [x for x in evidence if _has_outcome(x)]
        actions = [x for x in evidence if x not in outcomes] or evidence[:1]
        outcome = next((x for x in outcomes if x not in actions[:1]), None)
        parts = [f"I {c}" if (c := _i_clause(a)) else a for a in actions[:2]]
        action = "; ".join(parts) + "."
        skill = None
        joined = _specific_words(" ".join(evidence))
        for s in profile.skills:
            if _specific_words(s) & joined:
                skill = skill_phrase(s)
                break
        start, end = _month_label(exp.start), _month_label(exp.end)
        period = f"{start} to {end or 'present'}" if start else ""
        key = f"{exp.title}|{exp.organization}|{i}"
        result = writer.variant(
            "star_result.md", key, outcome=_first_person(outcome) if outcome else "", context=_where(exp)
        )
        body = writer.variant(
            "star.md",
            key,
            title=exp.title,
            title_a=_with_article(exp.title),
            title_lc=_lower_first(exp.title),
            is_project=exp.kind == "project",
            org=exp.organization or "",
            period=period,
            skill=skill,
            action=action,
            result=result,
            kind_label=_KIND_LABELS.get(exp.kind, exp.kind),
        )
        lines = [line for line in body.split("\n") if line.strip()]
        while len(lines) < 4:
            lines.append("")
        label = f"talking point {i + 1}"
        points.append(
            StarPoint(
                experience=f"{exp.title} at {exp.organization}" if exp.organization else exp.title,
                situation=writer.say(f"{label} situation", lines[0]),
                task=writer.say(f"{label} task", lines[1]),
                action=writer.say(f"{label} action", lines[2]),
                result=writer.say(f"{label} result", lines[3]) if outcome else lines[3],
                result_stated=outcome is not None,
            )
        )
    return points


__all__ = [
    "Drafts",
    "LinkedInCertification",
    "LinkedInDraft",
    "PresentedCredential",
    "ResumeBullet",
    "StarPoint",
    "check_inputs",
    "draft_all",
    "presented_credentials",
]
