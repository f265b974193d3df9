"""Scripted conversations with the offline coach: task success, tool-call accuracy and grounding rate.

Each `evals/conversations/<name>.txt` holds the learner's turns, separated by lines holding only `---`.
`expectations.json` says, per conversation and per turn, which tools must (or must not) be called, with which
arguments, and what the answer must (or must not) say. The same checks run in CI (tests/test_conversations.py).

Per-turn keys: `tools` (all called), `not_tools` (none called), `no_tools` (no call at all), `args`
({tool: {arg: value}}; `"*"` means present with any value), `says` (all substrings, case-insensitive),
`says_any` (at least one), `not_says` (none), `max_questions` (question marks in the answer, links aside).
"""

from __future__ import annotations

import json
import re
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONVERSATIONS = HERE / "conversations"
TOOL_KEYS = ("tools", "not_tools", "no_tools", "args")


def split_turns(text: str) -> list[str]:
    """User turns: blocks separated by lines holding only `---`."""
    turns, block = [], []
    for line in text.splitlines():
        if line.strip() == "---":
            turns.append("\n".join(block).strip())
            block = []
        else:
            block.append(line)
    turns.append("\n".join(block).strip())
    return [t for t in turns if t]


def load_conversations(folder: Path = CONVERSATIONS) -> list[tuple[str, list[str], dict]]:
    """(name, turns, expectations) for every scripted conversation, sorted by name."""
    expectations = json.loads((folder / "expectations.json").read_text(encoding="utf-8"))
    out = []
    for path in sorted(folder.glob("*.txt")):
        spec = expectations.get(path.stem)
        if spec is None:
            raise ValueError(f"{path.name} has no entry in expectations.json")
        turns = split_turns(path.read_text(encoding="utf-8"))
        if len(spec.get("turns", [])) != len(turns):
            raise ValueError(f"{path.name}: {len(turns)} turns but {len(spec.get('turns', []))} expectations")
        out.append((path.stem, turns, spec))
    return out


def _arg_matches(expected: Any, actual: Any) -> bool:
    if expected == "*":
        return actual is not None
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return abs(float(expected) - float(actual)) < 1e-6
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.lower() == actual.lower()
    if isinstance(expected, list) and isinstance(actual, list):
        names = [json.dumps(a, sort_keys=True).lower() for a in actual]
        return all(any(str(e).lower() in n for n in names) for e in expected)
    return expected == actual


def check_turn(result: dict, spec: dict) -> tuple[list[str], list[str]]:
    """(tool failures, answer failures) of one turn against its expectations."""
    tool_fail: list[str] = []
    text_fail: list[str] = []
    names = [c["name"] for c in result["tool_calls"]]
    for name in spec.get("tools", []):
        if name not in names:
            tool_fail.append(f"expected tool {name}, got {names}")
    for name in spec.get("not_tools", []):
        if name in names:
            tool_fail.append(f"unexpected tool {name}")
    if spec.get("no_tools") and names:
        tool_fail.append(f"expected no tool calls, got {names}")
    for tool, args in (spec.get("args") or {}).items():
        calls = [c for c in result["tool_calls"] if c["name"] == tool]
        if not calls:
            tool_fail.append(f"no {tool} call to check arguments on")
            continue
        for key, value in args.items():
            if not any(_arg_matches(value, c["args"].get(key)) for c in calls):
                tool_fail.append(
                    f"{tool}.{key}: expected {value!r}, got {[c['args'].get(key) for c in calls]}"
                )
    answer = result["assistant"].lower()
    for s in spec.get("says", []):
        if s.lower() not in answer:
            text_fail.append(f"answer lacks {s!r}")
    if spec.get("says_any") and not any(s.lower() in answer for s in spec["says_any"]):
        text_fail.append(f"answer has none of {spec['says_any']}")
    for s in spec.get("not_says", []):
        if s.lower() in answer:
            text_fail.append(f"answer contains {s!r}")
    # Question marks inside links ("...?id=3") are not questions to the learner.
    asked = re.sub(r"https?://\S+", " ", result["assistant"]).count("?")
    if "max_questions" in spec and asked > spec["max_questions"]:
        text_fail.append(f"{result['assistant'].count('?')} questions in one answer")
    return tool_fail, text_fail


def run_conversation(agent: Any, turns: list[str], learner_id: str | None = None) -> list[dict]:
    """Play the turns through `agent`; each result also carries `seconds`."""
    learner_id = learner_id or f"eval-{uuid.uuid4().hex[:10]}"
    results = []
    for turn in turns:
        start = time.perf_counter()
        result = agent.run_turn(turn, learner_id).as_dict()
        result["seconds"] = time.perf_counter() - start
        results.append(result)
    return results


def evaluate(agent: Any, conversations: list[tuple[str, list[str], dict]]) -> dict:
    """Run every conversation and score it."""
    per: list[dict] = []
    tool_checks = tool_ok = turns_total = grounded = 0
    latencies: list[float] = []
    for name, turns, spec in conversations:
        results = run_conversation(agent, turns)
        failures: list[str] = []
        for i, (result, turn_spec) in enumerate(zip(results, spec["turns"], strict=True)):
            turn_spec = turn_spec or {}
            tool_fail, text_fail = check_turn(result, turn_spec)
            if any(k in turn_spec for k in TOOL_KEYS):
                tool_checks += 1
                tool_ok += not tool_fail
            failures += [f"turn {i + 1}: {f}" for f in tool_fail + text_fail]
            if spec.get("grounded", True) and not result["grounded"]:
                failures.append(f"turn {i + 1}: answer failed grounding {result['violations']}")
            turns_total += 1
            grounded += bool(result["grounded"])
            latencies.append(result["seconds"])
        per.append(
            {"name": name, "category": spec.get("category", ""), "ok": not failures, "failures": failures}
        )
    n = len(per)
    return {
        "conversations": per,
        "task_success": sum(p["ok"] for p in per) / n if n else 0.0,
        "tool_call_accuracy": tool_ok / tool_checks if tool_checks else 0.0,
        "grounding_rate": grounded / turns_total if turns_total else 0.0,
        "turns": turns_total,
        "latency_median_s": statistics.median(latencies) if latencies else 0.0,
        "latency_max_s": max(latencies) if latencies else 0.0,
    }


def build_eval_agent() -> Any:
    """The offline agent over the real knowledge base, with throwaway memory."""
    from coach.agent import build_agent
    from coach.context import process_context
    from coach.llm import get_offline_model

    ctx = process_context()
    return build_agent(ctx, model=get_offline_model(ctx), checkpointer=_memory(), db_url="sqlite://")


def _memory() -> Any:
    from langgraph.checkpoint.memory import InMemorySaver

    return InMemorySaver()


def run(quick: bool = False) -> dict:
    """The conversations suite for `coach eval`."""
    conversations = load_conversations()
    if quick:
        conversations = conversations[::3]
    report = evaluate(build_eval_agent(), conversations)
    failed = [p for p in report["conversations"] if not p["ok"]]
    rows = "\n".join(
        f"| {p['name']} | {p['category']} | {'pass' if p['ok'] else 'FAIL: ' + re.sub(r'[|]', '/', '; '.join(p['failures'][:2]))} |"
        for p in report["conversations"]
    )
    markdown = (
        "## Scripted conversations (offline coach)\n\n"
        f"{len(conversations)} scripted conversations, {report['turns']} learner turns, played through the offline "
        "engine over the real knowledge base. Task success = every assertion of a conversation holds; tool-call "
        "accuracy = turns whose tool expectations hold; grounding rate = answers that passed the validator "
        "without repair.\n\n"
        f"- task success: {report['task_success']:.1%}\n"
        f"- tool-call accuracy: {report['tool_call_accuracy']:.1%}\n"
        f"- grounding rate: {report['grounding_rate']:.1%}\n"
        f"- turn latency: median {report['latency_median_s'] * 1000:.0f} ms, max {report['latency_max_s'] * 1000:.0f} ms\n\n"
        "| conversation | category | result |\n|---|---|---|\n" + rows + "\n"
    )
    return {
        "suite": "conversations",
        "title": "Scripted coaching conversations",
        "data": f"{len(conversations)} hand-written conversations in evals/conversations/ ({report['turns']} turns)",
        "metrics": {
            "task_success": round(report["task_success"], 4),
            "tool_call_accuracy": round(report["tool_call_accuracy"], 4),
            "grounding_rate": round(report["grounding_rate"], 4),
        },
        "anchors": {"failed": [p["name"] for p in failed]},
        "markdown": markdown,
    }


if __name__ == "__main__":
    print(run()["markdown"])
