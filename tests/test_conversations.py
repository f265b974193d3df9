"""Every scripted conversation in evals/conversations/ runs offline through the real agent and knowledge base,
with its assertions on tool calls and answers (the same checks as the conversations evaluation)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

EVALS = Path(__file__).resolve().parent.parent / "evals"


def _load_eval_module() -> Any:
    spec = importlib.util.spec_from_file_location("conversations_eval", EVALS / "conversations_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("conversations_eval", module)
    spec.loader.exec_module(module)
    return module


ce = _load_eval_module()
CONVERSATIONS = ce.load_conversations()


def test_there_are_at_least_25_conversations_covering_the_required_cases() -> None:
    assert len(CONVERSATIONS) >= 25
    categories = {spec.get("category") for _, _, spec in CONVERSATIONS}
    assert categories >= {
        "career changer",
        "job seeker with posting",
        "tight budget",
        "infeasible deadline",
        "vague goal",
        "holds credentials",
        "coach question",
        "off-topic",
        "prompt injection",
        "abusive input",
    }


@pytest.fixture(scope="module")
def real_agent(built_index):  # type: ignore[no-untyped-def]
    """The offline agent over the real catalogue, linker and index, with in-memory conversation state."""
    return ce.build_eval_agent()


@pytest.mark.parametrize(("name", "turns", "spec"), CONVERSATIONS, ids=[c[0] for c in CONVERSATIONS])
def test_scripted_conversation(real_agent, name: str, turns: list[str], spec: dict) -> None:
    results = ce.run_conversation(real_agent, turns)
    failures = []
    for i, (result, turn_spec) in enumerate(zip(results, spec["turns"], strict=True)):
        tool_fail, text_fail = ce.check_turn(result, turn_spec or {})
        failures += [f"turn {i + 1}: {f}" for f in tool_fail + text_fail]
        if spec.get("grounded", True) and not result["grounded"]:
            failures.append(f"turn {i + 1}: not grounded: {result['violations']}")
    assert not failures, "\n".join(failures) + "\n\nlast answer:\n" + results[-1]["assistant"]


def test_years_in_the_current_role_become_a_dated_job_on_the_profile(real_agent) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    agent = real_agent
    r = agent.run_turn(
        "I have been a retail supervisor for five years and want to work in cybersecurity", "yo"
    )
    update = next(c["args"] for c in r.tool_calls if c["name"] == "update_profile")
    assert update.get("current_role") == "retail supervisor" and update.get("experience_years") == 5, update
    assert "for about 5 years" in r.assistant  # the coach says what it understood
    profile = agent.get_profile("yo")
    (job,) = profile.experience
    today = dt.date.today()
    months = (today.year * 12 + today.month) - (int(job.start[:4]) * 12 + int(job.start[5:7]))
    assert job.title == "retail supervisor" and job.end is None and months == 60
    assert (job.model_extra or {})["years_stated"] == 5  # worked out from what was said, and marked so
    assert profile.years_in_role(today) == 5
    # Saying it again changes nothing; a later correction moves the start.
    agent.run_turn("I have been a retail supervisor for five years", "yo")
    assert len(agent.get_profile("yo").experience) == 1
    agent.run_turn("Actually I have been a retail supervisor for 7 years", "yo")
    assert agent.get_profile("yo").years_in_role(today) == 7
