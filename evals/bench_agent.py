"""Offline coaching-turn latency, warm: every turn of the scripted conversations through the real agent.

The first pass loads the catalogue, linker and index (not timed); then the conversations are replayed and each
turn is timed end to end (model calls, tools, grounding, checkpointing). Target: p95 under 1 s.
"""

from __future__ import annotations

import resource
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conversations_eval as ce

TARGET_S = 1.0
NO_PLAN_TARGET_S = 0.3  # issue 14: a turn that does not plan answers in under 300 ms at p95


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _row(name: str, values: list[float], note: str, target_s: float = TARGET_S) -> dict:
    return {
        "name": name,
        "unit": "ms",
        "median": round(statistics.median(values) * 1000, 1) if values else None,
        "p95": round(_p95(values) * 1000, 1) if values else None,
        "n": len(values),
        "target": f"p95 < {target_s * 1000:.0f} ms",
        "note": note,
    }


def run(quick: bool = False) -> list[dict]:
    """Rows: all offline turns, planning turns, and the other turns."""
    conversations = ce.load_conversations()
    if quick:
        conversations = conversations[::3]
    agent = ce.build_eval_agent()
    for _, turns, _ in conversations:  # warm-up: loads catalogue, linker, index and templates
        ce.run_conversation(agent, turns)
    planning: list[float] = []
    other: list[float] = []
    for _, turns, _ in conversations:
        for result in ce.run_conversation(agent, turns):
            names = {c["name"] for c in result["tool_calls"]}
            (planning if "plan_pathway" in names else other).append(result["seconds"])
    # Peak resident memory of the whole process (catalogue, index, linker, solver), in MB on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        _row("offline turn, all", planning + other, f"{len(conversations)} scripted conversations, warm"),
        _row("offline turn, with planning", planning, "turns that call plan_pathway (the MILP solver)"),
        _row(
            "offline turn, no planning",
            other,
            "questions, search, posting analysis, drafts",
            NO_PLAN_TARGET_S,
        ),
    ]
    rows[0]["peak_mb"] = round(peak_mb, 1)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
