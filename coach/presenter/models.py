"""What the drafts are made of: presented credentials, resume bullets, LinkedIn texts, STAR points, Drafts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from coach.models import CredentialStatus, Model


class PresentedCredential(Model):
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


class ResumeBullet(Model):
    """One resume line: action, skill, evidence from the profile, outcome only where the profile states one."""

    text: str
    item: str = Field(description="The credential or step it presents.")
    status: CredentialStatus
    skill: str | None = None
    evidence: str | None = Field(default=None, description="The profile evidence it cites, verbatim.")
    evidence_from: str | None = Field(default=None, description="Where that evidence comes from.")


class LinkedInCertification(Model):
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


class LinkedInDraft(Model):
    """Headline, About paragraph and certification entries."""

    headline: str
    about: str
    certifications: list[LinkedInCertification] = Field(default_factory=list)


class StarPoint(Model):
    """An interview talking point in STAR form, drawn from one experience in the profile."""

    experience: str = Field(description="Title and organisation it comes from.")
    situation: str
    task: str
    action: str
    result: str
    result_stated: bool = Field(description="True when the result is the profile's own stated outcome.")


class Drafts(Model):
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
