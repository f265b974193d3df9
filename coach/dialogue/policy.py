"""What the engine does with a new learner message: which tools to call, or which single question to ask.

`decide` reads the learner's latest message in the light of the conversation (`state.Turn`): small talk,
abuse, off-topic messages and attempts to read the instructions get a reply straight away; facts become an
`update_profile` call; requests become the matching tool calls (plan, save, submit, draft, search, analyse a
posting). `finish` ends every tool-calling decision: it notes in the message's metadata which question the
reply should end with, so that `compose.answer_after_tools` can write it once the tools have run. Questions
come one at a time, in `QUESTION_ORDER`, and a question the learner skipped is never asked again.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage

from coach.dialogue.compose import (
    answer,
    next_step_text,
    question_reply,
    question_text,
    render,
    variant,
)
from coach.dialogue.facts import (
    Facts,
    Lookups,
    apply_understanding,
    extract_facts,
    find_credentials,
    interest_phrase,
    is_posting,
    posting_start,
    resolve_roles,
)
from coach.dialogue.patterns import (
    ABUSE_RE,
    ADVICE_TOPICS,
    CAREER_RE,
    GO_AHEAD_RE,
    GREETING_RE,
    INJECTION_IN_DATA_RE,
    INTENT_PATTERNS,
    OFFTOPIC_RE,
    REVEAL_RE,
    THANKS_RE,
)
from coach.dialogue.state import META_KEY, Turn, is_known, merge_update, target_label, target_role
from coach.postings.untrusted import speaks_to_the_assistant
from coach.quantities import find_money

# The profile fields the engine asks about, in the order it asks for them.
QUESTION_ORDER = ("target", "background", "hours", "budget", "deadline")

# Tools that answer a request of their own: a reply after them ends with next steps, not a profile question.
_SELF_CONTAINED_TOOLS = (
    "draft_presentation",
    "save_pathway",
    "submit_for_review",
    "search_knowledge",
    "get_profile",
)


@dataclass(frozen=True)
class Context:
    """What a decision needs besides the conversation: the lookups, today's date, the templates' folder."""

    lookups: Lookups
    today: date
    prompts_dir: Path | None


def _welcome(turn: Turn, seed: str, prompts_dir: Path | None, question: str, asked: str | None) -> AIMessage:
    """The welcome (a returning learner is reminded of their goal), ending with `question` when given."""
    profile = turn.profile
    return answer(
        render(
            prompts_dir,
            "welcome",
            variant=variant(seed, 3),
            learner_name=profile.get("name") or "",
            returning=bool(target_role(profile) or turn.pathway),
            target=target_label(profile),
            question=question,
        ),
        asked=asked,
    )


def decide(turn: Turn, ctx: Context) -> AIMessage:
    """The engine's move on a new learner message: tool calls to run, or a reply that needs no tool."""
    prompts_dir = ctx.prompts_dir
    text = turn.text.strip()
    seed = f"{turn.human_count}:{text}"
    profile = turn.profile
    if not text:
        return _welcome(turn, seed, prompts_dir, "", "target" if not target_role(profile) else None)

    if is_posting(text):
        # Lines of the posting that address an AI are data to ignore: they are not shown as requirements.
        injected = [
            ln.strip()
            for ln in text.splitlines()
            if INJECTION_IN_DATA_RE.search(ln) or speaks_to_the_assistant(ln)
        ]
        return tools_message(
            [tool_call("analyze_posting", {"text": posting_body(text)})],
            intent=["posting"],
            injected=injected,
        )

    low = text.lower()
    if REVEAL_RE.search(text):
        return answer(render(prompts_dir, "refuse_instructions", variant=variant(seed, 3)))
    facts = apply_understanding(
        extract_facts(text, turn.last_asked, ctx.today, ctx.lookups),
        text,
        turn.last_asked,
        ctx.today,
        ctx.lookups,
    )
    if facts.fabrication:
        return _refuse_false_claim(text, turn, seed, ctx)
    if turn.options and facts.role is None:
        chosen = chosen_option(text, turn.options)
        if chosen is not None:  # "the first one", "2", "the IT one": a pick from the roles just offered
            facts.role = {"id": chosen["id"], "label": chosen["title"], "score": 1.0}
            facts.target_phrase = chosen["title"]
    reply = _small_talk(text, facts, turn, seed, prompts_dir)
    if reply is not None:
        return reply

    intents = {name for name, rx in INTENT_PATTERNS.items() if rx.search(text)}
    if "reset" in intents:
        return answer(render(prompts_dir, "reset", variant=variant(seed, 2)))
    skipped = set(turn.skipped)
    if facts.skipped:
        skipped.add(facts.skipped)

    calls: list[dict] = []
    update, role = profile_update(facts, ctx.lookups)
    if update:
        calls.append(tool_call("update_profile", update))
    merged = merge_update(profile, update, ctx.today)
    # Never the same question twice in a row: a question the learner passed over is not asked again at once.
    if turn.last_asked in QUESTION_ORDER and not is_known(merged, turn.last_asked):
        skipped.add(turn.last_asked)

    meta: dict[str, Any] = {"intent": sorted(intents)}
    if facts.hours_note:
        meta["hours_note"] = facts.hours_note
    if facts.target_phrase and role is None:
        meta["unresolved_role"] = facts.target_phrase
    has_plan = turn.pathway is not None

    if "profile" in intents:
        calls.append(tool_call("get_profile", {}))
    if "submit" in intents or ("save" in intents and not ("draft" in intents and "save" not in low.split())):
        keep = "submit_for_review" if "submit" in intents else "save_pathway"
        if has_plan:
            calls.append(tool_call(keep, {"note": ""}))
        elif target_role(merged):
            calls.append(tool_call("plan_pathway", {"alternatives": 0}))
            calls.append(tool_call(keep, {"note": ""}))
        else:
            meta["need_plan_first"] = True
        return finish(calls, meta, merged, skipped, seed, prompts_dir)
    if "draft" in intents:
        calls.append(tool_call("draft_presentation", {"focus": draft_focus(low)}))
        return finish(calls, meta, merged, skipped, seed, prompts_dir)

    named = facts.named or find_credentials(text, ctx.lookups)
    if not named and has_plan:
        # "what does the first one cost?", "is step 2 recognised?": a step of the plan just shown.
        steps = [st for st in referenced_steps(text, turn.pathway) if not st.get("work_based")]
        if steps:
            named = [{"id": st["id"], "name": st["name"]} for st in steps]
            meta["plan_steps"] = [plan_step_facts(st) for st in steps]
    question_like = "?" in text or bool(intents & {"info", "advice"})
    asks = "ask_question" in facts.intents
    # The understanding's ask_plan when it read the message; the looser pattern only without it.
    wants_plan = ("ask_plan" in facts.intents if facts.intents else "plan" in intents) or bool(
        GO_AHEAD_RE.search(text)
    )
    constraints_changed = any(k in update for k in ("budget", "hours_per_week", "weeks", "target_role"))
    planning_mode = (turn.last_asked in QUESTION_ORDER) or has_plan

    # "Can you show me cheaper alternatives?" asks for other plans, not for guidance on prices.
    if "alternatives" in intents and has_plan:
        calls.append(tool_call("plan_pathway", {"alternatives": 2}))
        meta["alternatives_focus"] = True
        return finish(calls, meta, merged, skipped, seed, prompts_dir)

    # An open question ("do employers recognise it?", "does it expire?", "can an apprenticeship be part of
    # this?") is answered first, from the sourced guidance collection; facts in the same message are recorded.
    what_if = has_plan and any(k in update for k in ("budget", "hours_per_week", "weeks", "target_role"))
    if (
        asks
        and not wants_plan
        and not what_if  # "what if I could study 15 hours instead?" is answered by re-planning
        and (OPEN_QUESTION_RE.search(text) or not (named or advice_topic(text)))
    ):
        if named:  # the named credentials' own facts (price, hours, page) first
            calls += credential_lookups(named, "credential", separately="plan_steps" in meta)
        # A step pointed at by its place is named in the answer, not in the guidance query (its title pulls the
        # search towards other topics).
        query = " ".join(
            [*(c["name"] for c in named[:2] if "plan_steps" not in meta), question_sentences(text)]
        )
        calls.append(tool_call("search_knowledge", {"query": query[:300], "kind": "guidance", "k": 2}))
        meta["named"] = [c["id"] for c in named]
        return finish(calls, meta, merged, skipped, seed, prompts_dir, plan_offer=True)

    if named and question_like and not wants_plan:
        kind = None if re.search(r"\b(before|prerequisite|require|need)\b", low) else "credential"
        calls += credential_lookups(named, kind, separately="plan_steps" in meta)
        meta["named"] = [c["id"] for c in named]
        claimed = claimed_price(text)
        if claimed is not None:
            meta["claimed_price"] = (
                claimed  # "Security+ costs $50, right?": corrected with the catalogue's figure
            )
        # Credential names ("Network+", "CCNA") must not pick the advice topic ("network").
        meta["advice_topic"] = advice_topic(re.sub(r"\S*\+\S*|\b[A-Z]{3,}\b", " ", text))
        return finish(calls, meta, merged, skipped, seed, prompts_dir, plan_offer=True)

    if wants_plan or constraints_changed or planning_mode or (update and not question_like):
        if not target_role(merged) and turn.posting is not None:
            calls.append(tool_call("plan_pathway", {"use_posting": True, "alternatives": 1}))
            return finish(calls, meta, merged, skipped, seed, prompts_dir)
        if not target_role(merged):
            interest = facts.target_phrase or interest_phrase(text)
            if interest:
                query = suggestion_query(text) or interest
                calls.append(tool_call("search_knowledge", {"query": query, "kind": "occupation", "k": 3}))
                meta["role_suggestions"] = interest
            return finish(calls, meta, merged, skipped, seed, prompts_dir, force_question="target")
        # Asked for a plan: plan now with what is known (the plan says which defaults it assumed).
        # (The understanding's ask_plan, not the looser "plan" pattern, which also fires on "want to become".)
        go = (
            "ask_plan" in facts.intents
            or bool(GO_AHEAD_RE.search(text))
            or (has_plan and constraints_changed)
        )
        if go or next_question(merged, skipped, seed, prompts_dir) is None:
            calls.append(tool_call("plan_pathway", {"alternatives": 1}))
        return finish(calls, meta, merged, skipped, seed, prompts_dir)

    if question_like and (intents & {"advice", "info"}):
        topic = advice_topic(text)
        if "info" in intents and not topic:
            calls.append(tool_call("search_knowledge", {"query": text[:300], "k": 5}))
            return finish(calls, meta, merged, skipped, seed, prompts_dir, plan_offer=True)
        meta["advice_topic"] = topic or "general"
        if calls:
            return finish(calls, meta, merged, skipped, seed, prompts_dir)
        return answer(
            render(prompts_dir, "advice", topic=topic or "general", variant=variant(seed, 2))
            + "\n\n"
            + next_step_text(merged, turn, seed, prompts_dir),
            asked=None,
        )

    if calls:
        return finish(calls, meta, merged, skipped, seed, prompts_dir)
    # Nothing recognised: a vague goal or a message we could not place. Ask the next useful question.
    interest = interest_phrase(text)
    if interest and not target_role(merged):
        query = suggestion_query(text) or interest
        calls.append(tool_call("search_knowledge", {"query": query, "kind": "occupation", "k": 3}))
        meta["role_suggestions"] = interest
        return finish(calls, meta, merged, skipped, seed, prompts_dir, force_question="target")
    question = next_question(merged, skipped, seed, prompts_dir)
    return answer(
        render(
            prompts_dir,
            "clarify",
            variant=variant(seed, 3),
            question=question[1] if question else "",
            has_plan=has_plan,
        ),
        asked=question[0] if question else None,
    )


_ORDINALS = {
    0: r"first|1st|one|1|top|#1|option 1|number 1|former",
    1: r"second|2nd|two|2|middle|#2|option 2|number 2",
    2: r"third|3rd|three|3|#3|option 3|number 3",
}


_PICK_WORDS = {
    "the",
    "one",
    "that",
    "this",
    "sound",
    "good",
    "like",
    "pick",
    "go",
    "with",
    "and",
    "all",
    "other",
}


def _stem(word: str) -> str:
    """A crude stem, enough to match "the welding one" with "Welders"."""
    return re.sub(r"(?:ings?|ers?|ors?|ists?|ians?|s)$", "", word) if len(word) > 4 else word


def _title_stems(option: dict) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z+#]{2,}", str(option.get("title", "")).lower())} - _PICK_WORDS


_STEP_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
                  "fifth": 4, "5th": 4, "last": -1, "final": -1}  # fmt: skip
_STEP_REF_RE = re.compile(
    r"\b(?:the\s+)?(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final)\s+"
    r"(?:one|step|course|cert\w*|credential|exam|thing|item|option)\b|\bstep\s*(?:#|no\.?\s*)?(?P<n>[1-9])\b",
    re.I,
)


_BARE_ORDINAL_RE = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final)\s*(?:,|&|and|or|vs\.?|versus)\s*"
    r"(?:the\s+)?(?=(?:first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final)\b)",
    re.I,
)


def referenced_steps(text: str, pathway: dict | None) -> list[dict]:
    """The plan steps a message points at by their place ("the first one", "step 2", "the first and the second
    one", "the last course"), in the order said; empty when it points at none the plan has."""
    steps = (pathway or {}).get("steps") or []
    if not steps or not _STEP_REF_RE.search(text):
        return []
    indices = [_STEP_ORDINALS[m.group(1).lower()] for m in _BARE_ORDINAL_RE.finditer(text)]
    for m in _STEP_REF_RE.finditer(text):
        indices.append(_STEP_ORDINALS[m.group("ord").lower()] if m.group("ord") else int(m.group("n")) - 1)
    out: list[dict] = []
    for index in indices:
        if -len(steps) <= index < len(steps):
            step = steps[index]
            if isinstance(step, dict) and step.get("id") and step.get("name") and step not in out:
                out.append(step)
    return out


def credential_lookups(named: list[dict], kind: str | None, *, separately: bool = False) -> list[dict]:
    """Knowledge-base searches for credentials a message names: one for all of them, or `separately` one per
    credential (plan steps pointed at by their place, so neither crowds the other out of the hits)."""
    queries = [c["name"] for c in named[:3]] if separately else [" ".join(c["name"] for c in named[:3])]
    calls = []
    for query in queries:
        args: dict[str, Any] = {"query": query[:300], "k": 3 if len(queries) > 1 else 5}
        if kind:
            args["kind"] = kind
        calls.append(tool_call("search_knowledge", args))
    return calls


def plan_step_facts(step: dict) -> dict:
    """What the plan says of one of its steps, for an answer about it: its price in the plan and how that price
    was reached (`price_note`: a subscription estimate, a currency conversion), which the catalogue record alone
    may lack."""
    return {
        "id": step.get("id"),
        "name": step.get("name"),
        "cost": step.get("cost"),
        "currency": step.get("currency") or "USD",
        "cost_known": bool(step.get("cost_known", True)),
        "price_note": str(step.get("price_note") or "").rstrip(". "),
    }


def chosen_option(text: str, options: list[dict]) -> dict | None:
    """The option a reply picks: by position ("the first one", "2", "the last"), or by a word of its title that
    no other option shares ("the IT one"); None when the reply picks none."""
    low = text.lower().strip()
    if len(low.split()) > 12:
        return None
    for i, words in _ORDINALS.items():
        pick = rf"(?:^|\b(?:the|option|number|choice|go with|pick|take)\s+)(?:{words})\b"
        if i < len(options) and re.search(pick + r"(?!\s*(?:hours?|years?|weeks?|months?|k\b|\$))", low):
            return options[i]
    if re.search(r"\b(?:the\s+)?last(?:\s+one)?\b", low) and options:
        return options[-1]
    said = {_stem(w) for w in re.findall(r"[a-z+#]{2,}", low)} - _PICK_WORDS
    hits = []
    for option in options:
        own = _title_stems(option)
        others = set().union(*(_title_stems(o) for o in options if o is not option))
        if said & (own - others):
            hits.append(option)
    return hits[0] if len(hits) == 1 else None


def posting_body(text: str) -> str:
    """A pasted posting without the learner's words before it ("Please analyse this posting:"), so that line is
    never read as the job title."""
    start = posting_start(text)
    return text[start:] if start else text


# What makes a question about a credential an open one (recognition, renewal, eligibility, routes), rather than
# one its catalogue record answers (price, hours, level).
OPEN_QUESTION_RE = re.compile(
    r"\b(?:recogni[sz]\w*|respected|worth\s+it|care\s+about|scam|legit|value|expire\w*|renew\w*|for\s+life|"
    r"valid|apprentice\w*|intern\w*|degree|masters?|college|university|free|voucher|financial\s+aid|afford|"
    r"proctor\w*|online\s+exam|at\s+home|retake|fail\w*|realistic|too\s+late|too\s+old|crazy|eligib\w*|qualify|"
    r"experience\s+(?:do\s+i\s+)?need|need\s+experience|dod|8140|8570|gdpr|dpo|stack\w*|portfolio|europass|eqf|"
    r"certificate\s+(?:vs|or)\s+certification|difference|count\s+as|normal)\b",
    re.I,
)


def question_sentences(text: str) -> str:
    """The question sentences of a message (the whole message when none ends in "?")."""
    parts = [p.strip() for p in re.findall(r"[^.!?]*\?", text)]
    return " ".join(parts) or text


_HEDGES_RE = re.compile(
    r"\b(?:i\s+guess|i\s+think|i\s+suppose|maybe|probably|honestly|no\s+clue|no\s+idea|idk|dunno|lol|haha|"
    r"something|anything|stuff|things?|kind\s+of|sort\s+of|i\s+(?:like|love|enjoy|prefer)|i'?m\s+(?:into|good\s+at)|"
    r"a\s+job|job|work|career|role|with|in|the|a|an|and|or|to|of|really|just|like|i|me|my|you|know)\b",
    re.I,
)


def suggestion_query(text: str) -> str:
    """The words of a vague goal that say what the learner likes ("something with computers i guess? i like
    fixing stuff" → "computers fixing"), to search for jobs that fit."""
    words = re.sub(r"[^\w\s+#-]", " ", _HEDGES_RE.sub(" ", text)).split()
    return " ".join(words[:8])


def claimed_price(text: str) -> float | None:
    """A price the learner states for a credential ("costs $50, right?"), or None."""
    for money in find_money(text):
        before = text[max(0, money.start - 30) : money.start].lower()
        if money.marked and re.search(
            r"\b(?:costs?|is|was|price[sd]?|fee|for)\s*(?:only|just|about|like|around)?\s*$", before
        ):
            return money.amount
    return None


def _refuse_false_claim(text: str, turn: Turn, seed: str, ctx: Context) -> AIMessage:
    """The reply to "write that I have X, nobody checks": no, why, and what the coach can do instead."""
    m = re.search(
        r"\b(?:write|say|put|add|list|claim|pretend)\s+(?:down\s+|in\s+)?(?:that\s+)?(?P<claim>i(?:'m|'ve|\s)[^,.;!?]+)",
        text,
        re.I,
    )
    claim = f"“{m.group('claim').strip()}”" if m else "that"
    held = ", ".join(
        str(c.get("name"))
        for c in (turn.profile.get("credentials") or [])
        if isinstance(c, dict) and c.get("name")
    )
    return answer(
        render(ctx.prompts_dir, "refuse_false_claim", variant=variant(seed, 2), claim=claim, held=held)
    )


def _small_talk(text: str, facts: Facts, turn: Turn, seed: str, prompts_dir: Path | None) -> AIMessage | None:
    """The reply to abuse, a greeting, thanks or an off-topic message that states no fact; else None."""
    profile = turn.profile
    if ABUSE_RE.search(text) and not facts.any():
        question = next_question(profile, turn.skipped, seed, prompts_dir)
        return answer(
            render(
                prompts_dir, "abusive", variant=variant(seed, 3), question=question[1] if question else ""
            ),
            asked=question[0] if question else None,
        )
    if (GREETING_RE.match(text) or facts.intents == ["greeting"]) and not facts.any():
        question = next_question(profile, turn.skipped, seed, prompts_dir)
        return _welcome(
            turn, seed, prompts_dir, question[1] if question else "", question[0] if question else None
        )
    if THANKS_RE.match(text) and not facts.any() and len(text) < 60:
        return answer(render(prompts_dir, "thanks", variant=variant(seed, 3), has_plan=bool(turn.pathway)))
    if OFFTOPIC_RE.search(text) and not CAREER_RE.search(text) and not facts.any():
        question = next_question(profile, turn.skipped, seed, prompts_dir)
        return answer(
            render(
                prompts_dir, "off_topic", variant=variant(seed, 3), question=question[1] if question else ""
            ),
            asked=question[0] if question else None,
        )
    return None


def profile_update(facts: Facts, lookups: Lookups) -> tuple[dict[str, Any], dict | None]:
    """The `update_profile` arguments for the facts of one message (empty: nothing to record), and the target
    role they resolved to (None when no role phrase was given or none resolved)."""
    update: dict[str, Any] = {}
    role = None
    if facts.role is not None:
        role = facts.role
        update["target_role"] = role["id"]
        update["target_role_label"] = role["label"]
    elif facts.target_phrase:
        role = resolve_roles(facts.target_candidates or [facts.target_phrase], lookups)
        if role is not None:
            update["target_role"] = role["id"]
            update["target_role_label"] = role["label"]
    if facts.current_role:
        update["current_role"] = facts.current_role
    if facts.experience_years is not None and 0 < facts.experience_years <= 60:
        update["experience_years"] = facts.experience_years
    if facts.skills:
        update["add_skills"] = facts.skills
    if facts.credentials:
        update["add_credentials"] = [{"name": n, "status": s} for n, s in facts.credentials]
    if facts.budget is not None:
        update["budget"] = facts.budget
        if facts.currency and facts.currency != "USD":
            update["currency"] = facts.currency
    if facts.hours_per_week is not None and 0 < facts.hours_per_week <= 100:
        update["hours_per_week"] = facts.hours_per_week
    if facts.weeks is not None and 0 < facts.weeks <= 520:
        update["weeks"] = facts.weeks
    if facts.name:
        update["name"] = facts.name
    return update, role


def finish(
    calls: list[dict],
    meta: dict,
    merged: dict,
    skipped: set[str],
    seed: str,
    prompts_dir: Path | None,
    force_question: str | None = None,
    plan_offer: bool = False,
) -> AIMessage:
    """Emit the tool calls (the answer comes after they ran), or ask the next question right away."""
    if force_question:
        meta["ask"] = force_question
    elif not any(c["name"] == "plan_pathway" for c in calls) and not plan_offer:
        question = next_question(merged, skipped, seed, prompts_dir)
        if question is not None and not any(c["name"] in _SELF_CONTAINED_TOOLS for c in calls):
            meta["ask"] = question[0]
    if calls:
        return tools_message(calls, **meta)
    ask = force_question or meta.get("ask")
    return answer(
        question_reply(ask, bool(meta.get("need_plan_first")), merged, seed, prompts_dir), asked=ask
    )


def next_question(
    profile: dict, skipped: set[str], seed: str, prompts_dir: Path | None
) -> tuple[str, str] | None:
    """The first field of `QUESTION_ORDER` neither known nor skipped, with its question; None when all are."""
    for field_name in QUESTION_ORDER:
        if field_name in skipped or is_known(profile, field_name):
            continue
        return field_name, question_text(field_name, profile, seed, prompts_dir)
    return None


def tool_call(name: str, args: dict) -> dict:
    """One tool call, with a fresh id, as LangChain expects it in an AIMessage."""
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}


def tools_message(calls: list[dict], **meta: Any) -> AIMessage:
    """The message that asks the agent to run `calls`, with the engine's notes for the answer that follows."""
    return AIMessage(content="", tool_calls=calls, response_metadata={META_KEY: meta})


def draft_focus(low: str) -> str:
    """Which draft the lower-cased message asks for: cover_letter, linkedin, resume or all."""
    if "cover letter" in low:
        return "cover_letter"
    if "linkedin" in low or "headline" in low:
        return "linkedin"
    if re.search(r"\b(resume|résumé|cv|bullet)", low):
        return "resume"
    return "all"


def advice_topic(text: str) -> str | None:
    """The first `ADVICE_TOPICS` topic the text touches (interview, study, time, ...), or None."""
    for topic, rx in ADVICE_TOPICS:
        if rx.search(text):
            return topic
    return None
