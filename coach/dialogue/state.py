"""The conversation as the engine reads it on one call, and small helpers over the learner's profile dict.

`read_turn` splits the messages into the profile (from the system message), the learner's latest message,
what the engine asked last (kept in each answer's metadata under `META_KEY`), the questions the learner
skipped, and this turn's tool results. The profile helpers say what is known and what the profile will be once
a pending `update_profile` has run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from coach.dialogue.facts import extract_hours, extract_money, extract_weeks
from coach.dialogue.patterns import NO_BUDGET_LIMIT_RE, NO_DEADLINE_RE, PROFILE_RE, SKIP_RE
from coach.models import Profile

META_KEY = "coach_engine"  # the key of the engine's own notes in an AIMessage's response_metadata


@dataclass
class Turn:
    """The conversation as the engine sees it on one call."""

    profile: dict
    text: str
    human_count: int
    last_asked: str | None
    skipped: set[str]
    tool_results: list[tuple[str, dict, dict]]  # (tool name, args, result) of this turn, in order
    turn_meta: dict
    pathway: dict | None
    posting: dict | None
    options: list[dict] = field(default_factory=list)  # roles the coach offered last ({"id", "title"})


def _profile_from(messages: list[BaseMessage]) -> dict:
    for msg in messages:
        if isinstance(msg, SystemMessage):
            content = str(msg.content)
            start = content.rfind("<learner_profile>")  # the prompt mentions the tag before the block
            m = PROFILE_RE.search(content, start) if start >= 0 else None
            if m:
                try:
                    return json.loads(m.group(1))
                except json.JSONDecodeError:
                    return {}
    return {}


def _parse_result(msg: ToolMessage) -> dict:
    try:
        value = json.loads(str(msg.content))
        return value if isinstance(value, dict) else {"value": value}
    except json.JSONDecodeError:
        return {"text": str(msg.content)}


def read_turn(messages: list[BaseMessage]) -> Turn:
    """Split the conversation into the profile, the current learner message and this turn's tool results, with
    the question asked last, the questions skipped so far, and the latest plan and posting analysis."""
    profile = _profile_from(messages)
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    text = str(messages[last_human].content) if last_human >= 0 else ""
    human_count = sum(1 for m in messages if isinstance(m, HumanMessage))
    calls: dict[str, tuple[str, dict]] = {}
    pathway = posting = None
    last_asked: str | None = None
    options: list[dict] = []
    skipped: set[str] = set()
    pending_ask: str | None = None
    for i, msg in enumerate(messages):
        if isinstance(msg, AIMessage):
            for tc in msg.tool_calls:
                calls[tc["id"] or ""] = (tc["name"], tc["args"])
            meta = (msg.response_metadata or {}).get(META_KEY) or {}
            if i < last_human and not msg.tool_calls:
                pending_ask = meta.get("asked")
        elif isinstance(msg, HumanMessage):
            content = str(msg.content)
            # Said outright at any point ("no deadline"), a constraint is settled without being asked.
            if NO_DEADLINE_RE.search(content):
                skipped.add("deadline")
            if NO_BUDGET_LIMIT_RE.search(content):
                skipped.add("budget")
            if i < last_human and pending_ask:
                # A reply that did not give what was asked counts as "skip": never ask the same thing twice.
                if SKIP_RE.search(content) or not _answers(pending_ask, content):
                    skipped.add(pending_ask)
                pending_ask = None
        elif isinstance(msg, ToolMessage):
            name, _ = calls.get(msg.tool_call_id, (msg.name or "", {}))
            result = _parse_result(msg)
            if "error" not in result:
                if name == "plan_pathway":
                    pathway = result
                elif name == "analyze_posting":
                    posting = result
    # last_asked is only meaningful for the message right after the question
    if last_human > 0:
        prev_ai = next(
            (m for m in reversed(messages[:last_human]) if isinstance(m, AIMessage) and not m.tool_calls),
            None,
        )
        prev_meta = ((prev_ai.response_metadata or {}).get(META_KEY) or {}) if prev_ai else {}
        last_asked = prev_meta.get("asked")
        options = [o for o in prev_meta.get("options") or [] if isinstance(o, dict) and o.get("id")]
    tool_results: list[tuple[str, dict, dict]] = []
    turn_meta: dict = {}
    for msg in messages[last_human + 1 :]:
        if isinstance(msg, AIMessage) and msg.tool_calls and not turn_meta:
            turn_meta = (msg.response_metadata or {}).get(META_KEY) or {}
        if isinstance(msg, ToolMessage):
            name, args = calls.get(msg.tool_call_id, (msg.name or "", {}))
            tool_results.append((name, args, _parse_result(msg)))
    return Turn(
        profile, text, human_count, last_asked, skipped, tool_results, turn_meta, pathway, posting, options
    )


def _answers(asked: str, reply: str) -> bool:
    """Whether a reply plausibly answers the question asked (used to detect skipped questions)."""
    if asked == "budget":
        return extract_money(reply, expecting_budget=True) is not None
    if asked == "hours":
        return extract_hours(reply, expecting=True) is not None
    if asked == "deadline":
        return extract_weeks(reply, date.today(), expecting=True) is not None
    return bool(reply.strip())


# ---- the profile dict --------------------------------------------------------------------------------------


def target_role(profile: dict) -> str | None:
    """The id of the learner's target role, or None when none is set."""
    return ((profile.get("target") or {}).get("role")) or None


def target_label(profile: dict) -> str:
    """The target role as the learner reads it (its label, else its id), or "" when none is set."""
    target = profile.get("target") or {}
    return target.get("role_label") or target.get("role") or ""


def has_background(profile: dict) -> bool:
    """True when the profile says where the learner starts from: a current role, skills or credentials."""
    return bool(profile.get("current_role") or profile.get("skills") or profile.get("credentials"))


def is_known(profile: dict, field_name: str) -> bool:
    """Whether the profile already answers the question about `field_name` (see `policy.QUESTION_ORDER`)."""
    c = profile.get("constraints") or {}
    if field_name == "target":
        return bool(target_role(profile))
    if field_name == "background":
        return has_background(profile) or bool(profile.get("experience"))
    if field_name == "hours":
        return c.get("hours_per_week") is not None
    if field_name == "budget":
        return c.get("budget") is not None
    if field_name == "deadline":
        return c.get("weeks") is not None
    return True


def merge_update(profile: dict, update: dict, today: date) -> dict:
    """The profile as it will be once update_profile has run (so the engine can plan ahead in one step)."""
    merged = json.loads(json.dumps(profile or {}))
    target = merged.setdefault("target", {})
    c = merged.setdefault("constraints", {})
    if "target_role" in update:
        target["role"] = update["target_role"]
        target["role_label"] = update.get("target_role_label") or update["target_role"]
    if "current_role" in update:
        merged["current_role"] = update["current_role"]
    merged.setdefault("skills", []).extend(update.get("add_skills", []))
    merged.setdefault("credentials", []).extend(update.get("add_credentials", []))
    for key in ("budget", "hours_per_week", "weeks", "currency"):
        if key in update:
            c[key] = update[key]
    if update.get("experience_years") and merged.get("current_role"):
        # as update_profile records it, so a plan made in the same turn counts the years
        try:
            learner = Profile.model_validate(merged)
        except ValueError:
            return merged
        if learner.record_years_in_role(merged["current_role"], update["experience_years"], today):
            merged["experience"] = [e.model_dump(mode="json") for e in learner.experience]
    return merged
