"""Charts and diagrams for the app, built from plain pathway and cohort data (no Streamlit calls here)."""

from __future__ import annotations

import itertools
from typing import Any

import altair as alt
import pandas as pd

ROW = 44  # px per bar: a label and a bar a person can read and point at
LABEL = (
    36  # characters of a step name beside its bar (the tooltip has the whole name): room for bars on a phone
)


CHROME = 90  # px the axis, its title, the legend and a chart title take beside the bars


def element_height(chart: alt.Chart | alt.LayerChart) -> int:
    """The height to give the chart's element on the page. Streamlit fits a stretched chart into its element, so
    an element sized from the chart's own height (rows plus axes and legend) is what keeps rows readable."""
    return int(chart.height) + CHROME


def _short(text: str, limit: int = LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeline(pathway: dict[str, Any]) -> alt.Chart | None:
    """A Gantt-style chart of the steps by week (None when the pathway has no steps), sized from its content:
    one row per step, the legend above the plot so it is never clipped."""
    steps = pathway.get("steps") or []
    if not steps:
        return None
    rows = [
        {
            "step": _short(f"{i + 1}. {s['name']}"),
            "name": s["name"],
            "start": s["start_week"],
            "end": s["end_week"] + 1,
            "kind": s["kind"].replace("_", " "),
            "cost": s.get("cost", 0.0),
            "hours": s.get("hours", 0.0),
        }
        for i, s in enumerate(steps)
    ]
    data = pd.DataFrame(rows)
    order = list(data["step"])
    return (
        alt.Chart(data)
        .mark_bar(cornerRadius=3)
        .encode(
            x=alt.X("start:Q", title="week", axis=alt.Axis(tickMinStep=1, format="d")),
            x2="end:Q",
            y=alt.Y(
                "step:N",
                sort=order,
                title=None,
                axis=alt.Axis(labelLimit=220, labelFontSize=12),
                scale=alt.Scale(paddingInner=0.25),
            ),
            color=alt.Color(
                "kind:N",
                title=None,
                legend=alt.Legend(orient="top", columns=2, labelLimit=200),  # wraps on a phone
            ),
            tooltip=[
                alt.Tooltip("name", title="step"),
                "kind",
                alt.Tooltip("start", title="from week"),
                alt.Tooltip("end", title="to week"),
                "cost",
                "hours",
            ],
        )
        .properties(height=max(160, ROW * len(rows)))
    )


def coverage(pathway: dict[str, Any]) -> alt.Chart:
    """Target-skill coverage before and after the pathway, as two bars."""
    data = pd.DataFrame(
        [
            {"when": "now", "coverage": round(100 * float(pathway.get("coverage_before") or 0.0), 1)},
            {
                "when": "after the pathway",
                "coverage": round(100 * float(pathway.get("coverage_after") or 0.0), 1),
            },
        ]
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "coverage:Q",
                title="share of the role's key skills you have (%)",
                scale=alt.Scale(domain=[0, 100]),
            ),
            y=alt.Y("when:N", sort=["now", "after the pathway"], title=None, axis=alt.Axis(labelLimit=200)),
            color=alt.Color("when:N", legend=None),
            tooltip=["when", "coverage"],
        )
        .properties(height=130)
    )


def prerequisite_dot(pathway: dict[str, Any]) -> str:
    """The steps and their prerequisites as Graphviz DOT text."""

    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "digraph pathway {",
        "rankdir=TB;",  # a column of steps stays readable in a half-width column and on a phone
        'node [shape=box, style="rounded,filled", fillcolor="#eef4ff"];',
    ]
    steps = pathway.get("steps") or []
    ids = {s["id"] for s in steps}
    for s in steps:
        lines.append(f"{quote(s['id'])} [label={quote(_short(s['name'], 40))}];")
    required = {(p, s["id"]) for s in steps for p in s.get("prerequisites") or [] if p in ids}
    for p, sid in sorted(required):
        lines.append(f'{quote(p)} -> {quote(sid)} [label="required", penwidth=2];')
    # the order the plan takes them in, where no prerequisite already links the two
    for a, b in itertools.pairwise(steps):
        if (a["id"], b["id"]) not in required:
            lines.append(
                f'{quote(a["id"])} -> {quote(b["id"])} [style=dashed, color="#888888", label="then"];'
            )
        for u in s.get("unlocks") or []:
            lines.append(f'{quote(u)} [shape=ellipse, fillcolor="#e8f7e8"];')
            lines.append(f"{quote(s['id'])} -> {quote(u)} [style=dashed, label=unlocks];")
    lines.append("}")
    return "\n".join(lines)


def cohort_status(cohort: list[dict[str, Any]]) -> alt.Chart | None:
    """Learners by the status of their latest pathway."""
    if not cohort:
        return None
    data = pd.DataFrame(
        [{"status": (c.get("latest_status") or "no pathway").replace("_", " ")} for c in cohort]
    )
    counts = data.value_counts("status").reset_index(name="learners")
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("learners:Q", title="learners", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("status:N", title=None, axis=alt.Axis(labelLimit=200)),
            tooltip=["status", "learners"],
        )
        .properties(height=max(140, ROW * len(counts)), title="Pathway status")
    )


def cohort_progress(cohort: list[dict[str, Any]]) -> alt.LayerChart | None:
    """Each learner's progress on their latest pathway (share of steps completed), with the figure written beside
    each bar so a learner at 0% is still a visible row."""
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
    data["label"] = data["progress"].map(lambda v: f"{v:.0f}%")
    base = alt.Chart(data).encode(
        x=alt.X("progress:Q", title="steps completed (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("learner:N", title=None, axis=alt.Axis(labelLimit=200)),
        tooltip=["learner", "progress"],
    )
    bars = base.mark_bar()
    figures = base.mark_text(align="left", dx=4, fontSize=12).encode(text="label:N")
    return (bars + figures).properties(height=max(140, ROW * len(data)), title="Progress")


def cohort_outcomes(cohort: list[dict[str, Any]]) -> alt.Chart | None:
    """Outcomes recorded across the cohort, by kind."""
    rows = [{"kind": o["kind"]} for c in cohort for o in c.get("outcomes") or []]
    if not rows:
        return None
    counts = pd.DataFrame(rows).value_counts("kind").reset_index(name="count")
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title="learners", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("kind:N", title=None, axis=alt.Axis(labelLimit=200)),
            tooltip=["kind", "count"],
        )
        .properties(height=max(140, ROW * len(counts)), title="Outcomes")
    )
