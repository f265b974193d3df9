"""Plan quality as a career coach judges it, on the coach-judged development cases (evals/data/plan-quality-dev/,
copied from the shared data with its PROVENANCE): for each learner, the first credential a coach would accept,
credentials acceptable anywhere in the plan, and credentials that would be bad advice.

A case passes when the plan's first credential step is acceptable, some step is acceptable, no step is
forbidden, and a plan was found (optimal or feasible); an empty acceptable list counts as met. The cases are
for finding what the planner cannot do yet, never for fitting rules to them. Plans are made exactly as
`coach plan --json` makes them (the bundled encoder for field fit, the real catalogue), with today = 2026-12-02
as the set specifies. Target (issue 15): at least 9 of 12.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "plan-quality-dev" / "cases.json"
TODAY = dt.date(2026, 12, 2)


def score(case: dict[str, Any], plan: Any) -> dict[str, Any]:
    """The four checks for one case."""
    steps = sorted(plan.steps, key=lambda s: s.start_week)
    ids = [s.id for s in steps]
    first = next((s.id for s in steps if not s.work_based), None)
    first_ok, any_ok, forbidden = case["acceptable_first"], case["acceptable_any"], case["forbidden"]
    checks = {
        "first": not first_ok or first in first_ok,
        "any": not any_ok or any(i in any_ok for i in ids),
        "clean": not any(i in forbidden for i in ids),
        "status": plan.status in ("optimal", "feasible"),
    }
    return {"id": case["id"], "first": first, "checks": checks, "pass": all(checks.values()), "steps": ids}


def run(quick: bool = False) -> dict:
    """The plan-quality suite for `coach eval` (12 cases: quick runs them all)."""
    from coach.context import process_context
    from coach.models import Profile

    ctx = (
        process_context()
    )  # what `coach plan` plans with: catalogue, linker on demand, encoder, phrase cache
    cases = json.loads(DATA.read_text(encoding="utf-8"))
    rows, times = [], []
    for case in cases:
        profile = Profile.model_validate(case["profile"])
        t0 = time.perf_counter()
        plan = ctx.plan_pathway(profile, role=case["role"], today=TODAY)
        times.append(1000 * (time.perf_counter() - t0))
        rows.append(score(case, plan))
    n = len(rows)
    share = {k: sum(r["checks"][k] for r in rows) / n for k in ("first", "any", "clean", "status")}
    lines = [
        f"| {r['id']} | {'pass' if r['pass'] else 'fail'} | {r['first'] or '-'} | "
        + ", ".join(k for k, ok in r["checks"].items() if not ok)
        + " |"
        for r in rows
    ]
    markdown = (
        "## Plans a coach would sign (plan-quality dev set)\n\n"
        f"{n} coach-judged learners (evals/data/plan-quality-dev/), planned as `coach plan` plans them. "
        f"{sum(r['pass'] for r in rows)} of {n} pass all four checks (acceptable first credential, an acceptable "
        "credential somewhere, nothing forbidden, a plan found).\n\n"
        "| case | result | first credential | failed checks |\n|---|---|---|---|\n" + "\n".join(lines) + "\n"
    )
    return {
        "suite": "plan_quality",
        "title": "Plans a coach would sign",
        "data": f"{n} coach-judged dev cases, evals/data/plan-quality-dev/ (see its PROVENANCE.md)",
        "metrics": {
            "pass_share": round(sum(r["pass"] for r in rows) / n, 4),
            "first_share": round(share["first"], 4),
            "any_share": round(share["any"], 4),
            "clean_share": round(share["clean"], 4),
            "planned_share": round(share["status"], 4),
            "median_plan_ms": round(sorted(times)[n // 2], 1),
        },
        "markdown": markdown,
    }


if __name__ == "__main__":
    print(run()["markdown"])
