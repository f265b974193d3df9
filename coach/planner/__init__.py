"""Stacked pathway planner: from a learner's profile to a target role or posting, the best set of real
credentials and work-based steps within their limits, sequenced, scheduled, explained, and honest about what
cannot be done.

Objective (lexicographic, each stage's optimum locked before the next): (0) include the certifications a posting
names and those the learner plans, where possible; (1) maximise the covered relevance Σ w_s·y_s minus a per-step
overhead Σ o_c·x_c (a step must close more than about one core skill's worth); (2) minimise total cost;
(3) minimise total study hours. Solved exactly by HiGHS (coach.planner.solver). See README "Pathway planner".

Modules, each importing only those above it:

- `solver`: items, problems, the lexicographic HiGHS solve, brute force, exact presolves.
- `calendar`: the order of the chosen items and their weeks.
- `text`: money and id helpers, `pathway_text`.
- `targets`: target role or posting → weighted target keys (`role_relevance`).
- `learner`: the learner's skills, experience and credentials.
- `model`: `Candidate`, `Plan`, the objective, and the solver `Problem` of a plan.
- `candidates`: `_build_plan`, the candidate steps for a request.
- `assemble`: a selection → an explained `Pathway`.
- `diagnose`: binding limits, infeasibility reasons and the nearest feasible change.
- `alternatives`: cheapest, fastest and different-mix pathways.
- `ctdl`: `pathway_to_ctdl`.
- `validate`: `validate_pathway`.
- `pathway`: `plan_pathway`, the entry point.
"""

from __future__ import annotations

from coach.planner.candidates import OFF_TARGET_FACTOR, PREP_HOURS_BY_LEVEL, STEP_OVERHEAD
from coach.planner.ctdl import pathway_to_ctdl
from coach.planner.learner import experience_fields
from coach.planner.pathway import DEFAULT_MAX_ITEMS, plan_pathway
from coach.planner.targets import role_relevance
from coach.planner.text import pathway_text
from coach.planner.validate import validate_pathway

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "OFF_TARGET_FACTOR",
    "PREP_HOURS_BY_LEVEL",
    "STEP_OVERHEAD",
    "experience_fields",
    "pathway_text",
    "pathway_to_ctdl",
    "plan_pathway",
    "role_relevance",
    "validate_pathway",
]
