"""Honest drafts: how a learner presents what they earned, are earning and plan to earn.

`draft_all()` turns a profile (plus, optionally, a pathway and a posting analysis) into resume bullets, a LinkedIn
headline/About/"Licenses & certifications" list, a cover-letter paragraph, STAR talking points and a 30-second
pitch. Texts come from the templates in prompts/drafts/ (several phrasings per slot, chosen deterministically from
the learner and the item, so learners do not share sentences). With a chat model, the model rewrites each text and
the claim checker (coach.claims) rejects any rewrite that adds a credential, skill, organisation, date or number
the inputs do not hold; the offline text is kept and a notice says why. Earned, in progress and planned are never
blurred: every credential carries its status and, when not earned, its expected month.

Exports of the same content (JSON Resume, Open Badges 3.0, Markdown, DOCX) live in coach.presenter.exports.

The modules, each importing only those above it in this list:

- `models`: the records (`PresentedCredential`, `ResumeBullet`, `LinkedInDraft`, `StarPoint`, `Drafts`)
- `text`: small text helpers (articles, clauses, content words, months, outcomes)
- `writer`: template variants and the optional model rewrite under the claim checker
- `credentials`: inputs → the credentials and work-based steps to present, with status and dates
- `evidence`: the learner's experience lines that show a credential applied or a requirement met
- `resume`, `linkedin`, `cover_letter`, `star`: one file per draft kind
- `draft`: `draft_all`, every draft for one learner

The public names are re-exported here; internals (names starting with `_`) are imported from their module.
"""

from __future__ import annotations

from coach.presenter.credentials import WORK_KINDS, check_inputs, presented_credentials
from coach.presenter.draft import draft_all
from coach.presenter.evidence import evidence_sentence
from coach.presenter.models import (
    Drafts,
    LinkedInCertification,
    LinkedInDraft,
    PresentedCredential,
    ResumeBullet,
    StarPoint,
)
from coach.presenter.writer import credential_mentions

__all__ = [
    "WORK_KINDS",
    "Drafts",
    "LinkedInCertification",
    "LinkedInDraft",
    "PresentedCredential",
    "ResumeBullet",
    "StarPoint",
    "check_inputs",
    "credential_mentions",
    "draft_all",
    "evidence_sentence",
    "presented_credentials",
]
