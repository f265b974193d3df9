"""Learner-message understanding on the dialogue development set: per-fact F1, micro F1, intent F1.

The set (evals/data/dialogue-dev/, copied from the shared data with its PROVENANCE) holds 160 utterances with
gold facts and intents, written for this project; they are used to find what the coach cannot read yet, never
to fit rules to their lines. Scoring is the set's own scorer (`score_understand.py`, standard library only),
run on the output of the same reader `coach understand` uses, with today = 2026-12-02 as the set specifies.
Targets (issue 14): micro F1 over facts >= 0.95, intent F1 >= 0.90.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tempfile
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "dialogue-dev"
TODAY = date(2026, 12, 2)


def _scorer():
    spec = importlib.util.spec_from_file_location("score_understand", DATA / "score_understand.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def predictions(gold_path: Path = DATA / "understand.dev.jsonl") -> list[str]:
    """One output line per gold line, from the contract's own stream function."""
    from coach.dialogue.contract import understand_stream
    from coach.dialogue.understand import Understander
    from coach.knowledge import get_catalog

    inputs = []
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            inputs.append(json.dumps({k: row.get(k) for k in ("id", "text", "asked")}))
    return list(understand_stream(inputs, Understander(get_catalog()), TODAY))


def run(quick: bool = False) -> dict:
    """The understanding suite for `coach eval` (the set is small: quick runs it whole)."""
    gold = DATA / "understand.dev.jsonl"
    lines = predictions(gold)
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        pred.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = io.StringIO()
        argv = sys.argv
        sys.argv = ["score_understand.py", str(gold), str(pred), "--errors"]
        try:
            with redirect_stdout(out):
                _scorer().main()
        finally:
            sys.argv = argv
    text = out.getvalue()
    summary = json.loads(text.strip().splitlines()[-1])
    table = "\n".join(ln for ln in text.splitlines() if ln.startswith(("fact ", "target_role", "current_role",
                      "experience", "budget", "hours", "deadline", "credentials", "micro", "intents", "utter")))  # fmt: skip
    errors = [ln for ln in text.splitlines() if ln.startswith("d") and ": gold" in ln]
    markdown = (
        "## Understanding learner messages (dialogue dev set)\n\n"
        "160 utterances written for this project with gold facts and intents (evals/data/dialogue-dev/), read by "
        "the same code as `coach understand --today 2026-12-02` and scored by the set's own scorer.\n\n"
        "```\n" + table + "\n```\n\n"
        f"Misses and wrong readings ({len(errors)}):\n\n"
        + "\n".join(f"- `{e[:160]}`" for e in errors[:40])
        + "\n"
    )
    metrics = {
        "micro_f1": summary["micro_f1"],
        "intent_f1": summary["intent_f1"],
        "all_right": summary["all_right"],
    }
    metrics.update({f"f1_{k}": v for k, v in summary["per_fact"].items()})
    return {
        "suite": "understand",
        "title": "Understanding learner messages",
        "data": "160 dev utterances, evals/data/dialogue-dev/ (see its PROVENANCE.md)",
        "metrics": metrics,
        "markdown": markdown,
    }


if __name__ == "__main__":
    print(run()["markdown"])
