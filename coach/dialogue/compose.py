"""Phrasing the engine's replies: `prompts/answers/` templates filled with the turn's facts and tool results.

`render` fills one template; `question_text` and `next_step_text` word the question or the next step a reply
ends with; `answer_after_tools` writes the whole reply once this turn's tools have run; `draft_blocks` turns
the presenter's drafts into titled blocks for the `draft` template. A reply varies its wording with a seed
made of the turn number and the learner's text, so the same conversation always reads the same.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage

from coach.dialogue.state import META_KEY, Turn, has_background, target_label, target_role
from coach.texts import render as render_text


def variant(seed: str, n: int) -> int:
    """Which of `n` wordings to use for this seed (stable across runs; 0 when there is none to choose)."""
    return int(hashlib.sha1(seed.encode("utf-8")).hexdigest(), 16) % n if n > 0 else 0


def render(prompts_dir: Path | None, template: str, /, **variables: Any) -> str:
    """The answer template `prompts/answers/<template>` filled with `variables`."""
    return render_text(f"answers/{template}", prompts_dir, **variables)


def answer(text: str, asked: str | None = None, options: list[dict] | None = None) -> AIMessage:
    """A reply to the learner, noting which profile field it asks for and the roles it offered to choose from
    (both read back by `state.read_turn`, so "the first one" can be understood next turn)."""
    meta: dict = {"asked": asked}
    if options:
        meta["options"] = options
    return AIMessage(content=text.strip(), response_metadata={META_KEY: meta})


def question_reply(
    ask: str | None, need_plan_first: bool, profile: dict, seed: str, prompts_dir: Path | None
) -> str:
    """The text of a reply that runs no tool: "make a plan first" if needed, then the question, else a
    clarifying line."""
    parts = [render(prompts_dir, "need_plan_first")] if need_plan_first else []
    if ask:
        parts.append(question_text(ask, profile, seed, prompts_dir))
    elif not parts:
        parts.append(render(prompts_dir, "clarify", variant=0, question="", has_plan=False))
    return "\n\n".join(parts)


# ---- questions and next steps ------------------------------------------------------------------------------


def question_text(field_name: str, profile: dict, seed: str, prompts_dir: Path | None) -> str:
    """The question that asks for `field_name`, worded for this turn."""
    return render(
        prompts_dir,
        f"ask_{field_name}",
        # Rotate with the turn number so a question asked again never repeats word for word.
        variant=(int(seed.split(":", 1)[0] or 0) + len(field_name)) % 3,
        target=target_label(profile),
        current_role=profile.get("current_role") or "",
    )


def next_step_text(
    profile: dict, turn: Turn, seed: str, prompts_dir: Path | None, just_ran: set[str] | None = None
) -> str:
    """What the learner could do next, given what exists (plan, target, posting) and the tools just run."""
    just_ran = just_ran or set()
    return render(
        prompts_dir,
        "next_steps",
        variant=variant(seed, 3),
        has_plan=bool(turn.pathway) or "plan_pathway" in just_ran,
        has_target=bool(target_role(profile)),
        has_posting=bool(turn.posting) or "analyze_posting" in just_ran,
        just_ran=sorted(just_ran),
    )


# ---- the reply after the tools ran -------------------------------------------------------------------------


def answer_after_tools(turn: Turn, prompts_dir: Path | None) -> AIMessage:
    """The reply once this turn's tools have run: their results, phrased, then the next question or step."""
    seed = f"{turn.human_count}:{turn.text}"
    meta = turn.turn_meta
    profile = turn.profile
    parts: list[str] = []
    asked: str | None = None
    options: list[dict] | None = None  # roles offered to choose from ("the first one" next turn)
    results = turn.tool_results
    errors = [(n, r["error"]) for n, _, r in results if "error" in r]
    by_name = {n: r for n, _, r in results if "error" not in r}
    searches = [r for n, _, r in results if n == "search_knowledge" and "error" not in r]
    if len(searches) > 1:  # a credential lookup and a guidance lookup in one turn: one answer from both
        by_name["search_knowledge"] = {
            "query": searches[0].get("query", ""),
            "hits": _first_of_each([h for r in searches for h in r.get("hits", [])]),
        }

    if meta.get("injected"):
        parts.append(render(prompts_dir, "injection_notice", variant=variant(seed, 2)))
    if "update_profile" in by_name:
        updated = by_name["update_profile"].get("updated", [])
        if updated:
            parts.append(
                render(
                    prompts_dir,
                    "ack",
                    variant=variant(seed, 4),
                    updated=updated,
                    profile=by_name["update_profile"].get("profile", profile),
                    hours_note=meta.get("hours_note"),
                )
            )
    if meta.get("unresolved_role") and not meta.get("role_suggestions"):
        parts.append(render(prompts_dir, "role_unresolved", phrase=meta["unresolved_role"]))
    for name, error in errors:
        parts.append(render(prompts_dir, "tool_error", tool=name, error=error, variant=variant(seed, 2)))
    if "analyze_posting" in by_name:
        analysis = dict(by_name["analyze_posting"])
        injected = [ln.lower() for ln in meta.get("injected") or [] if isinstance(ln, str)]
        if injected:
            analysis["requirements"] = [
                r
                for r in analysis.get("requirements") or []
                if not any(str(r.get("text", "")).lower() in ln for ln in injected)
            ]
        parts.append(render(prompts_dir, "posting", a=analysis, has_profile=has_background(profile)))
    if "search_knowledge" in by_name:
        res = by_name["search_knowledge"]
        if meta.get("role_suggestions"):
            parts.append(
                render(
                    prompts_dir,
                    "role_suggestions",
                    hits=res.get("hits", []),
                    interest=meta["role_suggestions"],
                )
            )
            asked = "target"
            options = [
                {"id": h.get("id"), "title": h.get("title")}
                for h in (res.get("hits") or [])[:3]
                if h.get("id") and h.get("title")
            ]
        else:
            hits = res.get("hits", [])
            named = set(meta.get("named") or [])
            guidance = [h for h in hits if h.get("kind") == "guidance"]
            if guidance:
                # Guidance answers one question: the best entry, and a second only when it fits about as well;
                # the named credentials' own facts come first.
                top = guidance[0].get("similarity") or 0.0
                best = [guidance[0]] + [
                    h for h in guidance[1:] if (h.get("similarity") or 0.0) >= 0.85 * top > 0
                ]
                hits = [h for h in hits if h.get("kind") != "guidance" and h.get("id") in named] + best
            elif named and any(h.get("id") in named for h in hits):
                # Asked about specific credentials: answer about those (and rules), not their neighbours.
                hits = [h for h in hits if h.get("id") in named or h.get("kind") == "rule"]
            parts.append(
                render(
                    prompts_dir,
                    "search",
                    hits=hits,
                    query=res.get("query", ""),
                    claimed_price=meta.get("claimed_price"),
                    plan_steps={ps["id"]: ps for ps in meta.get("plan_steps") or [] if ps.get("id")},
                )
            )
            if meta.get("advice_topic"):
                parts.append(
                    render(prompts_dir, "advice", topic=meta["advice_topic"], variant=variant(seed, 2))
                )
    if "plan_pathway" in by_name:
        parts.append(
            render(
                prompts_dir,
                "plan",
                p=by_name["plan_pathway"],
                variant=variant(seed, 3),
                constraints=(profile.get("constraints") or {}),
                focus_alternatives=bool(meta.get("alternatives_focus")),
                target_label=target_label(profile),
            )
        )
    if "draft_presentation" in by_name:
        parts.append(
            render(
                prompts_dir,
                "draft",
                d=by_name["draft_presentation"],
                blocks=draft_blocks(by_name["draft_presentation"]),
            )
        )
    if "get_profile" in by_name:
        parts.append(render(prompts_dir, "profile", p=by_name["get_profile"].get("profile", profile)))
    if "save_pathway" in by_name:
        parts.append(
            render(prompts_dir, "saved", s=by_name["save_pathway"].get("saved", {}), variant=variant(seed, 2))
        )
    if "submit_for_review" in by_name:
        parts.append(
            render(
                prompts_dir,
                "submitted",
                s=by_name["submit_for_review"].get("submitted", {}),
                variant=variant(seed, 2),
            )
        )
    if meta.get("need_plan_first"):
        parts.append(render(prompts_dir, "need_plan_first"))

    ask = meta.get("ask")
    if ask and asked is None:
        parts.append(question_text(ask, profile, seed, prompts_dir))
        asked = ask
    elif asked == "target":
        pass
    elif (by_name.get("plan_pathway") or {}).get("status") == "infeasible" or (
        "plan_pathway" in by_name and not by_name["plan_pathway"].get("steps")
    ):
        pass  # the infeasible-plan answer ends with its own question
    elif not errors or by_name:
        parts.append(next_step_text(profile, turn, seed, prompts_dir, just_ran=set(by_name)))
    if not parts:
        parts.append(render(prompts_dir, "clarify", variant=0, question="", has_plan=bool(turn.pathway)))
    return answer("\n\n".join(p for p in parts if p.strip()), asked=asked, options=options)


# ---- drafts ------------------------------------------------------------------------------------------------


# Keys of the presenter's drafts that are not shown as draft blocks.
SKIP_DRAFT_KEYS = {
    "notices",
    "warnings",
    "meta",
    "unsupported",
    "sources",
    "exports",
    "learner",
    "target",
    "today",
    "model",
    "cover_letter_for",
    "rewritten",
    "credentials",
    "talking_points",
}


def draft_blocks(result: dict) -> list[dict]:
    """Presenter drafts as titled blocks of lines, whatever exact shape the presenter returns."""
    drafts = result.get("drafts") or {}
    focus = result.get("focus", "all")
    blocks: list[dict] = []

    def lines_of(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value] if value.strip() else []
        if isinstance(value, list):
            out: list[str] = []
            for v in value:
                if isinstance(v, str):
                    out.append(v)
                elif isinstance(v, dict):
                    text = v.get("text") or v.get("bullet") or v.get("line") or v.get("content")
                    if isinstance(text, str):
                        out.append(text)
            return out
        if isinstance(value, dict):
            text = value.get("text") or value.get("content")
            return [text] if isinstance(text, str) else []
        return []

    order = {"resume": 0, "cover_letter": 1, "linkedin": 2}
    for key, value in drafts.items() if isinstance(drafts, dict) else []:
        if key in SKIP_DRAFT_KEYS:
            continue
        if isinstance(value, dict) and ("headline" in value or "about" in value):
            lines = [v for v in (value.get("headline"), value.get("about")) if isinstance(v, str) and v]
        else:
            lines = lines_of(value)
        if not lines:
            continue
        k = key.lower()
        kind = (
            "resume"
            if ("resume" in k or "bullet" in k)
            else "cover_letter"
            if "cover" in k
            else "linkedin"
            if ("linkedin" in k or "headline" in k)
            else "other"
        )
        blocks.append({"title": key.replace("_", " ").capitalize(), "lines": lines[:8], "kind": kind})
    blocks.sort(key=lambda b: (0 if b["kind"] == focus else 1, order.get(b["kind"], 3)))
    return blocks


def _first_of_each(hits: list[dict]) -> list[dict]:
    """Each hit once, where it first came (two lookups may both find the same credential)."""
    seen: set[tuple[object, object]] = set()
    out = []
    for h in hits:
        key = (h.get("kind"), h.get("id"))
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out
