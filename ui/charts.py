"""Charts and diagrams for the app, built from plain pathway and cohort data (no Streamlit calls here)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd


def timeline(pathway: dict[str, Any]) -> alt.Chart | None:
    """A Gantt-style chart of the steps by week (None when the pathway has no steps)."""
    steps = pathway.get("steps") or []
    if not steps:
        return None
    rows = [
        {
            "step": f"{i + 1}. {s['name']}",
            "start": s["start_week"],
            "end": s["end_week"] + 1,
            "kind": s["kind"].replace("_", " "),
            "cost": s.get("cost", 0.0),
            "hours": s.get("hours", 0.0),
        }
        for i, s in enumerate(steps)
    ]
    data = pd.DataFrame(rows)
    return (
        alt.Chart(data)
        .mark_bar(cornerRadius=3)
        .encode(
            x=alt.X("start:Q", title="week"),
            x2="end:Q",
            y=alt.Y("step:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),  # names readable
            color=alt.Color(
                "kind:N", title="kind", legend=alt.Legend(orient="bottom")
            ),  # room at laptop width
            tooltip=["step", "kind", "start", "end", "cost", "hours"],
        )
        .properties(height=max(120, 36 * len(rows)))
    )


def coverage(pathway: dict[str, Any]) -> alt.Chart:
    """Target-skill coverage before and after the pathway, as two bars."""
    data = pd.DataFrame(
        [
            {"when": "before", "coverage": round(100 * float(pathway.get("coverage_before") or 0.0), 1)},
            {"when": "after", "coverage": round(100 * float(pathway.get("coverage_after") or 0.0), 1)},
        ]
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "coverage:Q", title="weighted target-skill coverage (%)", scale=alt.Scale(domain=[0, 100])
            ),
            y=alt.Y("when:N", sort=["before", "after"], title=None),
            color=alt.Color("when:N", legend=None),
            tooltip=["when", "coverage"],
        )
        .properties(height=110)
    )


def prerequisite_dot(pathway: dict[str, Any]) -> str:
    """The steps and their prerequisites as Graphviz DOT text."""

    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "digraph pathway {",
        "rankdir=LR;",
        'node [shape=box, style="rounded,filled", fillcolor="#eef4ff"];',
    ]
    ids = {s["id"] for s in pathway.get("steps") or []}
    for s in pathway.get("steps") or []:
        lines.append(f"{quote(s['id'])} [label={quote(s['name'][:40])}];")
    for s in pathway.get("steps") or []:
        for p in s.get("prerequisites") or []:
            if p in ids:
                lines.append(f"{quote(p)} -> {quote(s['id'])};")
        for u in s.get("unlocks") or []:
            lines.append(f'{quote(u)} [shape=ellipse, fillcolor="#e8f7e8"];')
            lines.append(f"{quote(s['id'])} -> {quote(u)} [style=dashed, label=unlocks];")
    lines.append("}")
    return "\n".join(lines)


def cohort_status(cohort: list[dict[str, Any]]) -> alt.Chart | None:
    """Learners by the status of their latest pathway."""
    if not cohort:
        return None
    data = pd.DataFrame([{"status": c.get("latest_status") or "no pathway"} for c in cohort])
    counts = data.value_counts("status").reset_index(name="learners")
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(x=alt.X("learners:Q"), y=alt.Y("status:N", title=None), tooltip=["status", "learners"])
        .properties(height=160, title="Pathway status")
    )


def cohort_progress(cohort: list[dict[str, Any]]) -> alt.Chart | None:
    """Each learner's progress on their latest pathway (share of steps completed)."""
    if not cohort:
        return None
    data = pd.DataFrame(
        [
            {
                "learner": c.get("display_name") or c["username"],
                "progress": round(100 * float(c.get("progress", 0)), 1),
            }
            for c in cohort
        ]
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("progress:Q", title="steps completed (%)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("learner:N", title=None),
            tooltip=["learner", "progress"],
        )
        .properties(height=max(120, 28 * len(data)), title="Progress")
    )


def cohort_outcomes(cohort: list[dict[str, Any]]) -> alt.Chart | None:
    """Outcomes recorded across the cohort, by kind."""
    rows = [{"kind": o["kind"]} for c in cohort for o in c.get("outcomes") or []]
    if not rows:
        return None
    counts = pd.DataFrame(rows).value_counts("kind").reset_index(name="count")
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(x="count:Q", y=alt.Y("kind:N", title=None), tooltip=["kind", "count"])
        .properties(height=120, title="Outcomes")
    )
