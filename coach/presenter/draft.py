"""`draft_all`: every draft for one learner, from a profile, a pathway and a posting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from coach.claims import (
    allowed_facts,
    normalise,
    singular_title,
)
from coach.models import (
    Pathway,
    PostingAnalysis,
    Profile,
)
from coach.presenter.cover_letter import _cover_letter
from coach.presenter.credentials import _pending_label, check_inputs, presented_credentials
from coach.presenter.evidence import _evidence_pool, _highlight, _i_clause
from coach.presenter.linkedin import _headline, _linkedin_entries
from coach.presenter.models import Drafts, LinkedInDraft, PresentedCredential
from coach.presenter.resume import _resume_bullets
from coach.presenter.star import _talking_points
from coach.presenter.text import _first_name, _with_article
from coach.presenter.writer import _Writer, credential_mentions

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from coach.knowledge import Catalog


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


def draft_all(
    profile: Profile,
    pathway: Pathway | None = None,
    posting: PostingAnalysis | None = None,
    model: BaseChatModel | None = None,
    today: date | None = None,
    *,
    catalog: Catalog | None,
    posting_text: str | None = None,
    prompts_dir: Path | None = None,
) -> Drafts:
    """Resume bullets, LinkedIn texts, a cover-letter paragraph, STAR points and a pitch for one learner.

    Offline by default; with `model` (a LangChain chat model) each text is rewritten and kept only if the claim
    checker finds nothing the inputs do not support. `today` anchors "expected <month>" dates (default: today).
    `catalog` gives issuers, official URLs, ESCO skills and unknown-id checks; None drafts from the inputs alone.
    """
    today = today or date.today()
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
        "years": "",
    }
    years = profile.years_in_role(today)
    if years is not None:
        common["years"] = f"about {years:g} year{'s' if years != 1 else ''}"
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
