"""Portfolio projects a learner can actually do: each one named after a task of the target role (O*NET's task
statements, in plain words), with the taxonomy skills it would evidence listed beside it, never as its title.

A project is proposed for skills no catalogue credential teaches. Which task it is built on is the task most
like those skills: by the bundled sentence encoder when one is given, by shared words otherwise. A role
without task statements (a posting, an ESCO occupation with no O*NET link) gets a plain sentence instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from coach.knowledge.catalog import Catalog
from coach.models import Occupation

if TYPE_CHECKING:
    from coach.embeddings import Embedder

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
        cut = max(text.rfind(sep, 0, MAX_TITLE_CHARS) for sep in (", ", "; ", " or ", " and "))
        text = text[:cut] if cut > 30 else text[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return text


def _words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _STOP}


def match_tasks(
    tasks: Sequence[str], skill_groups: Sequence[Sequence[str]], embedder: Embedder | None
) -> list[str | None]:
    """For each group of skill labels, the task most like them (each task used once); None when no task
    shares anything with the group."""
    if not tasks or not skill_groups:
        return [None] * len(skill_groups)
    groups = [", ".join(g) for g in skill_groups]
    if embedder is not None:
        vecs = embedder.embed([*tasks, *groups])
        vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
        sims = vecs[len(tasks) :] @ vecs[: len(tasks)].T
    else:
        task_words = [_words(t) for t in tasks]
        sims = np.array(
            [[len(_words(g) & tw) / (len(tw) or 1) for tw in task_words] for g in groups], dtype=float
        )
    out: list[str | None] = []
    used: set[int] = set()
    for row in sims:
        order = [int(i) for i in np.argsort(-row) if int(i) not in used]
        if not order or (embedder is None and row[order[0]] <= 0):
            out.append(None)
            continue
        used.add(order[0])
        out.append(tasks[order[0]])
    return out


def project_name(task: str | None) -> str:
    """The step's name: "Portfolio project: <task>", or a plain one when no task fits (the skills it evidences
    are listed in the step, not in its name)."""
    if task:
        return "Portfolio project: " + project_title(task)
    return "Portfolio project: a small piece of work to show employers"
