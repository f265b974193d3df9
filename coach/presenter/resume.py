"""Resume bullets: one per credential, with the evidence that shows it applied."""

from __future__ import annotations

from collections.abc import Sequence

from coach.claims import (
    skill_phrase,
)
from coach.models import (
    Profile,
)
from coach.presenter.evidence import _best_evidence, _best_skill, _Evidence, _related_profile_skill
from coach.presenter.models import PresentedCredential, ResumeBullet
from coach.presenter.text import _KIND_LABELS, _cap_first, _clause, _strip_kind_prefix
from coach.presenter.writer import _Writer


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
