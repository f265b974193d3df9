"""STAR interview talking points from the learner's experience."""

from __future__ import annotations

from coach.claims import (
    skill_phrase,
)
from coach.models import (
    PostingAnalysis,
    Profile,
)
from coach.presenter.evidence import _first_person, _i_clause, _where
from coach.presenter.models import StarPoint
from coach.presenter.text import (
    _KIND_LABELS,
    _content_words,
    _has_outcome,
    _lower_first,
    _month_label,
    _specific_words,
    _with_article,
)
from coach.presenter.writer import _Writer


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
