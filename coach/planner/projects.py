"""Portfolio projects a learner can actually do: each one named after a task of the target role (O*NET's task
statements, in plain words), with the taxonomy skills it would evidence listed beside it, never as its title.

A project is proposed for skills no catalogue credential teaches. It is built on the task that shares most
words with those skills. A role without task statements (a posting, an ESCO occupation with no O*NET link), or
whose tasks share no words with them, gets a plain name instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from coach.knowledge.catalog import Catalog
from coach.models import Occupation

MAX_TITLE_CHARS = 90
_WORD_RE = re.compile(r"[a-z]{3,}")
_STOP = {"and", "the", "for", "with", "from", "into", "such", "other", "using", "use", "that", "their", "or"}


def role_tasks(catalog: Catalog, occ: Occupation | None) -> list[str]:
    """The role's O*NET task statements: its own, or those of the O*NET occupation an ESCO role links to."""
    if occ is None:
        return []
    if occ.tasks:
        return list(occ.tasks)
    for link in sorted(occ.links, key=lambda x: -x.confidence):
        linked = catalog.occupations.get(link.target)
        if linked is not None and linked.tasks:
            return list(linked.tasks)
    return []


def project_title(task: str) -> str:
    """A task statement as a project title: its first clause, at most MAX_TITLE_CHARS characters, no full stop."""
    text = task.strip().rstrip(".")
    if len(text) > MAX_TITLE_CHARS:
        # Cut at the last clause boundary that keeps the title readable.
        cut = max(
            text.rfind(sep, 0, MAX_TITLE_CHARS) for sep in (", ", "; ", " or ", " and ", " to ", " for ")
        )
        text = text[:cut] if cut > 30 else text[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return text


def _stems(text: str) -> set[str]:
    """Content words cut to five letters, so "configure" meets "configuration"."""
    return {w[:5] for w in _WORD_RE.findall(text.lower()) if w not in _STOP}


def match_tasks(tasks: Sequence[str], skill_groups: Sequence[Sequence[str]]) -> list[str | None]:
    """For each group of skill labels, the task sharing most word stems with them (each task used once); None
    when no task shares any. Word stems, not the sentence encoder: a plan must stay fast, and a task that names
    the skill's words is the one a learner would recognise."""
    if not tasks or not skill_groups:
        return [None] * len(skill_groups)
    task_stems = [_stems(t) for t in tasks]
    out: list[str | None] = []
    used: set[int] = set()
    for group in skill_groups:
        stems = _stems(" ".join(group))
        best, best_score = None, 0.0
        for i, ts in enumerate(task_stems):
            score = len(stems & ts) / (len(ts) ** 0.5 or 1.0)  # long tasks share more words by chance
            if i not in used and score > best_score:
                best, best_score = i, score
        if best is None:
            out.append(None)
            continue
        used.add(best)
        out.append(tasks[best])
    return out


def project_name(task: str | None) -> str:
    """The step's name: "Portfolio project: <task>", or a plain one when no task fits (the skills it evidences
    are listed in the step, not in its name)."""
    if task:
        return "Portfolio project: " + project_title(task)
    return "Portfolio project: a small piece of work to show employers"
