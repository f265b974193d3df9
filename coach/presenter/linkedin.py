"""LinkedIn: the headline and the "Licenses & certifications" entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coach.presenter.models import LinkedInCertification, PresentedCredential
from coach.presenter.text import _cap_first, _month_label
from coach.presenter.writer import _Writer

_LINKEDIN_HEADLINE_MAX = 220


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
