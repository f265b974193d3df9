"""The cover-letter paragraph, tailored to a posting's requirements when one is given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coach.models import (
    PostingAnalysis,
    Profile,
)
from coach.presenter.credentials import _pending_label
from coach.presenter.evidence import _Evidence, _first_person, _requirement_evidence
from coach.presenter.models import PresentedCredential
from coach.presenter.text import _has_outcome
from coach.presenter.writer import _Writer


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
            gap = req.text.strip().rstrip(".")
            if gap[1:2].islower():
                gap = (
                    gap[0].lower() + gap[1:]
                )  # mid-sentence: "Monitor productivity" → "monitor productivity"
            # overlapping spans of one line ("address performance issues", "performance issues") say it once
            if not any(gap.lower() in g.lower() or g.lower() in gap.lower() for g in gaps):
                gaps.append(gap)
    text = writer.variant(
        "cover_letter.md",
        posting.title or "cover",
        title=posting.title or "",
        met=met,
        pending=pending,
        gaps=gaps,
        target=common["target"],
        role_a=common["role_a"],
        years=common["years"],
    )
    return writer.say("cover letter", text), posting.title or None
