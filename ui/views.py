"""The app's pages. Each takes the signed-in `CoachClient`; API refusals become visible notices, never tracebacks."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from coach.models import MAX_MESSAGE_CHARS, Profile
from coach.settings import get_settings
from ui.services import ApiError, CoachClient

MAX_MESSAGE = MAX_MESSAGE_CHARS  # what POST /chat accepts (ChatIn.message): a whole pasted posting fits


def _notice(exc: ApiError) -> None:
    icon = ":material/hourglass_top:" if exc.status == 429 else ":material/warning:"
    st.error(f"{exc.detail}", icon=icon)


# A pathway's review state as the learner reads it.
STATUS_WORDS = {
    "draft": "draft, not sent for review yet",
    "pending": "waiting for your coach's review",
    "changes_requested": "your coach asked for changes",
    "approved": "approved by your coach",
    "rejected": "not approved by your coach",
}


def _sentence(text: str) -> str:
    """A message as a sentence: capital first letter, closing full stop."""
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text[-1] in ".!?" else ".")


_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def _plain_text(text: str) -> str:
    """Someone's words shown as they typed them: Markdown signs escaped, so a link, an image or a heading in a
    comment is text on the reader's screen, never a live link or a remote image loaded in their browser."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", text).replace("\n", "  \n")


def _money(value: float | None, currency: str = "USD") -> str:
    return "unknown" if value is None else f"{currency} {value:,.0f}"


# ---- sign-in ---------------------------------------------------------------------------------------------------


def sign_in_page(c: CoachClient, embedded: bool) -> None:
    """Sign in, or create a learner account."""
    st.title("Pathway Coach")
    st.caption(
        "Plan a stacked pathway of real credentials to the role you want — within your budget and time."
    )
    tab_in, tab_new = st.tabs(["Sign in", "Create a learner account"])
    with tab_in, st.form("sign_in_form"):
        username = st.text_input("Username", key="login_user")
        password = st.text_input("Password", type="password", key="login_password")
        if st.form_submit_button("Sign in"):
            try:
                c.sign_in(username.strip(), password)
                st.rerun()
            except ApiError as exc:
                _notice(exc)
    with tab_new, st.form("register_form"):
        name = st.text_input("Your name", key="reg_name")
        username = st.text_input("Username (letters, digits, . _ - @)", key="reg_user")
        password = st.text_input("Password (8+ characters)", type="password", key="reg_password")
        if st.form_submit_button("Create account"):
            try:
                user = c.register(username.strip(), password, name.strip())
                if embedded:
                    from coach.settings import get_settings
                    from ui.services import assign_to_demo_coach

                    assign_to_demo_coach(get_settings(), int(user["id"]))
                c.sign_in(username.strip(), password)
                st.rerun()
            except ApiError as exc:
                _notice(exc)
    if embedded:
        # where the demo password lives is for whoever installed the app (the README says), not for this screen
        st.caption("New here? Create a learner account. Coaches sign in with the account they were given.")


# ---- learner: chat ---------------------------------------------------------------------------------------------


_SOC = re.compile(r"^\d{2}-\d{4}\.\d{2}$")


def role_label(role: str | None) -> str:
    """A target role for people: an O*NET code the agent stored becomes its title when the catalogue is here."""
    if not role:
        return ""
    is_code = bool(_SOC.match(role)) or role.startswith("http://data.europa.eu/esco/")
    if not is_code or get_settings().api_url:  # a remote app has no catalogue in this process
        return role
    try:
        from coach.knowledge import get_catalog

        occupation = get_catalog().find_occupation(role)
    except Exception:  # no knowledge base built: the code is still a valid target
        return role
    return occupation.title if occupation is not None else role


def _snapshot(source: Any) -> str:
    return json.dumps(source, sort_keys=True, default=str)


def _sync_widgets(name: str, source: Any, values: dict[str, Any]) -> None:
    """Fill keyed widgets from the stored values, without ever overwriting what the user typed.

    All of them are refilled when the stored data changed since the last fill (the coach updated the profile in
    the chat); any one is refilled when Streamlit dropped its state, which it does for every widget not drawn on
    a run (the user was on another page). Without the second rule a page left and re-entered shows blanks, and
    saving it would store them.
    """
    marker = f"_synced_{name}"
    changed = st.session_state.get(marker) != _snapshot(source)
    if changed:
        st.session_state[marker] = _snapshot(source)
    for key, value in values.items():
        if changed or key not in st.session_state:
            st.session_state[key] = value


def _mark_synced(name: str, source: Any) -> None:
    """Record `source` as what the widgets of `name` now show (after the user saved it), so the next run does
    not take the saved data for an outside change and reset the form under the user's hands."""
    st.session_state[f"_synced_{name}"] = _snapshot(source)


def _profile_panel(c: CoachClient) -> None:
    try:
        profile = c.profile()
    except ApiError as exc:
        _notice(exc)
        return
    st.subheader("Your profile")
    st.caption("What the coach knows about you. Correct anything that is wrong.")
    cons = profile.get("constraints") or {}
    _sync_widgets(
        "profile",
        profile,
        {
            # the name given when the account was made, until the learner gives another
            "pf_name": profile.get("name") or c.user.get("display_name") or "",
            "pf_role": profile.get("current_role") or "",
            "pf_skills": "\n".join(profile.get("skills") or []),
            "pf_target": role_label((profile.get("target") or {}).get("role")),
            # unknown limits stay empty: 0 would mean "no money", and a made-up deadline would bind the planner
            "pf_budget": None if cons.get("budget") is None else float(cons["budget"]),
            "pf_hours": None
            if cons.get("hours_per_week") is None
            else min(100.0, max(1.0, float(cons["hours_per_week"]))),
            "pf_weeks": None if cons.get("weeks") is None else min(520, max(1, int(cons["weeks"]))),
        },
    )
    with st.form("profile_form"):
        name = st.text_input("Name", key="pf_name")
        role = st.text_input("Current role", key="pf_role")
        skills = st.text_area("Skills (one per line)", key="pf_skills")
        target_role = st.text_input("Target role", key="pf_target")
        budget = st.number_input(
            "Budget (USD)", min_value=0.0, value=None, placeholder="not set", key="pf_budget"
        )
        hours = st.number_input(
            "Hours per week",
            min_value=1.0,
            max_value=100.0,
            value=None,
            placeholder="not set",
            key="pf_hours",
        )
        weeks = st.number_input(
            "Weeks available",
            min_value=1,
            max_value=520,
            value=None,
            placeholder="no deadline",
            key="pf_weeks",
        )
        if st.form_submit_button("Save profile"):
            profile.update(
                name=name.strip(),
                current_role=role.strip() or None,
                skills=[s.strip() for s in skills.splitlines() if s.strip()],
            )
            profile["target"] = {**(profile.get("target") or {}), "role": target_role.strip() or None}
            profile["constraints"] = {
                **cons,
                "budget": budget,
                "hours_per_week": hours,
                "weeks": None if weeks is None else int(weeks),
            }
            try:
                c.save_profile(profile)  # the coach starts its next turn from the saved profile
                _mark_synced("profile", c.profile())
                st.success("Profile saved.")
            except ApiError as exc:
                _notice(exc)
    creds = profile.get("credentials") or []
    if creds:
        st.markdown("**Credentials**")
        for cred in creds:
            st.markdown(f"- {cred['name']} — {cred.get('status', 'earned').replace('_', ' ')}")


def _send(c: CoachClient, text: str) -> None:
    history: list[dict[str, Any]] = st.session_state.setdefault("chat_history", [])
    history.append({"role": "user", "content": text})
    with st.chat_message("user"):
        st.markdown(text)
    with st.chat_message("assistant"):
        status = st.status("Thinking…", expanded=False)
        placeholder = st.empty()
        answer, tools, notices = "", [], []
        try:
            for event in c.chat(text, st.session_state.get("conversation_id")):
                kind = event.get("type")
                if kind == "conversation":
                    st.session_state["conversation_id"] = event.get("conversation_id")
                elif kind == "tool_call":
                    tools.append(event.get("name", "tool"))
                    status.update(
                        label=f"Using {event.get('name', 'a tool').replace('_', ' ')}…", state="running"
                    )
                    status.write(f"Using {str(event.get('name') or 'a tool').replace('_', ' ')}")
                elif kind == "tool_result":
                    status.write(
                        f"{'Done' if event.get('ok', True) else 'Could not finish'}: {event.get('summary', '')}"
                    )
                elif kind == "notice":
                    notices.append(event.get("text", ""))
                    st.warning(event.get("text", ""))
                elif kind == "token":
                    answer += event.get("text", "")
                    placeholder.markdown(answer + "▌")
                elif kind == "error":
                    st.error(event.get("detail", "The coach could not answer."))
                elif kind == "done":  # the API has stored what the coach learnt into the profile
                    result = event.get("result") or {}
                    answer = result.get("assistant") or answer
                    if event.get("pathway"):  # planned this turn: My pathway and Drafts show the same plan
                        _show_plan(event["pathway"], "Planned in your chat with the coach.")
            placeholder.markdown(answer or "_(no answer)_")
            status.update(label=f"Done — {len(tools)} tool call(s)" if tools else "Done", state="complete")
        except ApiError as exc:
            status.update(label="Failed", state="error")
            _notice(exc)
            # the message stays answered (with why it failed) and can be sent again with one click
            history.append({"role": "assistant", "content": f"_I could not answer this: {exc.detail}_"})
            st.session_state["chat_retry"] = text
            return
    st.session_state.pop("chat_retry", None)
    history.append({"role": "assistant", "content": answer, "tools": tools, "notices": notices})


def chat_page(c: CoachClient) -> None:
    """The learner's conversation with the coach, with the profile beside it."""
    st.title("Chat with your coach")
    main, side = st.columns([3, 2], gap="large")
    with main:
        if "chat_history" not in st.session_state:  # signed in again: continue the last conversation
            try:
                conv_id, messages = c.latest_conversation()
            except ApiError:
                conv_id, messages = None, []
            st.session_state["chat_history"] = messages
            if conv_id:
                st.session_state["conversation_id"] = conv_id
        history = st.session_state["chat_history"]
        if not history:
            st.info(
                "Tell me where you are and where you want to go — for example: *I work in retail, I want to become "
                "a cybersecurity analyst, I can spend $1,000 and 8 hours a week for 6 months.* "
                "You can also paste a job posting.",
                icon=":material/waving_hand:",
            )
        for msg in history:
            with st.chat_message(msg["role"]):
                st.markdown(msg["content"])
                if msg.get("tools"):
                    st.caption("Tools used: " + ", ".join(t.replace("_", " ") for t in msg["tools"]))
        # this turn renders here, under the history and above the buttons and the input (as in any chat app)
        turn_area = st.container()
        b1, b2, b3 = st.columns(3)
        action = None
        if b1.button("Save pathway", key="chat_save", icon=":material/save:"):
            action = "Please save my pathway."
        if b2.button("Send for review", key="chat_submit", icon=":material/send:"):
            action = "Please submit my pathway for coach review."
        if b3.button("New chat", key="chat_new", icon=":material/add_comment:"):
            st.session_state["chat_history"] = []
            st.session_state.pop("conversation_id", None)
            st.session_state.pop("chat_retry", None)
            st.rerun()
        if st.session_state.get("chat_retry") and st.button(
            "Send it again", key="chat_again", icon=":material/refresh:"
        ):
            action = st.session_state["chat_retry"]
        prompt = st.chat_input(
            "Message your coach",
            key="chat_input",
            max_chars=MAX_MESSAGE,
        )
        st.caption(
            f"Up to {MAX_MESSAGE:,} characters a message: you can paste a whole job posting here, or on the Job "
            "posting page to see each requirement marked in its text."
        )
        text = (action or prompt or "").strip()
        if prompt is not None and not text:
            st.toast("That message was empty, so nothing was sent.")
        if text:
            with turn_area:
                _send(c, text)
    # filled after the turn, so the panel already shows what the agent learnt in it
    with side:
        _profile_panel(c)


# ---- learner: job posting --------------------------------------------------------------------------------------

_COLOURS = {"met": "#c8f0c8", "partly": "#fff1b8", "missing": "#ffd0d0", None: "#dfe9ff"}


def highlighted_posting(text: str, requirements: list[dict[str, Any]]) -> str:
    """The posting as HTML with each requirement's span highlighted by its match (escaped, so safe to render)."""
    spans = sorted(
        (r for r in requirements if 0 <= r.get("start", -1) < r.get("end", -1) <= len(text)),
        key=lambda r: r["start"],
    )
    out, pos = [], 0
    for r in spans:
        if r["start"] < pos:
            continue
        out.append(html.escape(text[pos : r["start"]]))
        colour = _COLOURS.get(r.get("match"), _COLOURS[None])
        title = html.escape(
            f"{r.get('kind')} · {'required' if r.get('required') else 'preferred'} · {r.get('match') or ''}"
        )
        out.append(
            f'<mark style="background:{colour}" title="{title}">{html.escape(text[r["start"] : r["end"]])}</mark>'
        )
        pos = r["end"]
    out.append(html.escape(text[pos:]))
    return '<div style="white-space:pre-wrap;line-height:1.6">' + "".join(out) + "</div>"


def posting_page(c: CoachClient) -> None:
    """Paste a posting: requirements with their sentences, an honest match, and credentials for the gaps."""
    st.title("Analyse a job posting")
    text = st.text_area(
        "Paste the job posting", height=220, key="posting_text", placeholder="Paste the full posting here…"
    )
    if st.button("Analyse", key="posting_analyze", type="primary"):
        if not text.strip():
            st.warning("Paste a posting first.")
        else:
            with st.spinner("Reading the posting…"):
                try:
                    st.session_state["analysis"] = c.analyze(text)
                    st.session_state["analysis_text"] = text
                except ApiError as exc:
                    _notice(exc)
    analysis = st.session_state.get("analysis")
    if not analysis:
        st.caption(
            "Your analysis will appear here: what the posting asks for, how you match, and what to learn."
        )
        return
    reqs = analysis.get("requirements") or []
    occ = analysis.get("occupation") or {}
    # long titles and occupation labels would be cut off in metric tiles, so they read as text beside the score
    info, score = st.columns([3, 1])
    with info:
        st.markdown(f"**Title:** {analysis.get('title') or '—'}")
        onet = f" (O*NET {occ['onet_soc']})" if occ.get("onet_soc") else ""
        st.markdown(f"**Occupation:** {occ.get('label') or '—'}{onet}")
    score.metric("Your match", "—" if analysis.get("score") is None else f"{analysis['score']:.0f} / 100")
    matched = analysis.get("score") is not None  # no score: there was no profile to match against
    if not matched and reqs:
        st.info(
            "No match yet: tell the coach about your background (the Chat page, or **Your profile** there) and "
            "analyse again to see which requirements you meet."
        )
    for n in analysis.get("notices") or []:
        st.info(n)
    if not reqs:
        st.warning("Nothing recognisable as a requirement was found in this text.")
        return
    if analysis.get("score_explanation"):
        st.caption(analysis["score_explanation"])
    st.subheader("Requirements in the posting")
    # coloured boxes drawn by the browser, not emoji: emoji render as empty boxes where no emoji font exists
    st.markdown(
        " ".join(
            f'<span style="background:{_COLOURS[k]};padding:1px 8px;border-radius:3px">{label}</span>'
            for k, label in (
                ("met", "met"),
                ("partly", "partly met"),
                ("missing", "missing"),
                (None, "not matched"),
            )
        ),
        unsafe_allow_html=True,
    )
    st.markdown(highlighted_posting(st.session_state.get("analysis_text", ""), reqs), unsafe_allow_html=True)
    rows = [
        {
            "requirement": r["text"],
            "kind": r["kind"],
            "required": "required" if r.get("required") else "preferred",
            "match": r.get("match") or "",
            "evidence": "; ".join(r.get("evidence") or []),
            "skills": ", ".join(s["label"] for s in (r.get("skills") or [])[:3]),
        }
        for r in reqs
    ]
    st.dataframe(rows, width="stretch", hide_index=True)
    gaps = analysis.get("gap_credentials") or []
    st.subheader("Credentials that close your gaps" if matched else "Credentials for what the posting asks")
    if not gaps:
        st.caption(
            "No gaps to close, or no catalogue credential covers them."
            if matched
            else "No catalogue credential covers what this posting asks."
        )
    for g in gaps:
        cost = _money(g.get("cost"))
        hours = "unknown hours" if g.get("hours") is None else f"~{g['hours']:.0f} h"
        link = f" — [official page]({g['url']})" if g.get("url") else ""
        st.markdown(
            f"- **{g['name']}** ({g['provider']}; {cost}; {hours}){link}  \n  covers: {', '.join(g.get('covers') or [])}"
        )
    if st.button("Plan a pathway for this posting", key="posting_plan"):
        with st.spinner("Planning…"):
            try:
                title = analysis.get("title") or occ.get("label") or "the posting"
                _show_plan(
                    c.plan(posting=analysis, alternatives=2),
                    f"Planned for the job posting “{title}”: it closes what that posting asks for.",
                )
                st.success("Planned — open **My pathway** to see it.")
            except ApiError as exc:
                _notice(exc)


# ---- learner: pathway ------------------------------------------------------------------------------------------


def show_pathway(p: dict[str, Any], key: str, compact: bool = False) -> None:
    """A pathway: status, totals, timeline, coverage, prerequisite graph and steps."""
    from ui import charts  # altair + pandas take ~2 s to import: not before the first chart (fast sign-in)

    status = p.get("status")
    if status == "infeasible":
        st.error(p.get("reason") or "No pathway fits these limits.")
        if p.get("nearest_feasible"):
            st.info(f"What would work: {p['nearest_feasible']}")
    elif status == "feasible":
        st.warning(
            "A good pathway, though maybe not the best one: "
            + (p.get("reason") or "I stopped searching before I could check every combination.")
        )
    cost = _money(p.get("total_cost"), p.get("currency") or "USD")
    if compact:  # narrow columns truncate metric tiles ("USD…"): one line of text wraps instead
        st.markdown(
            f"**{cost}** · {p.get('total_hours', 0):,.0f} h · {p.get('weeks', 0)} weeks · done by "
            f"{p.get('completion_date') or '—'}"
        )
    else:
        cols = st.columns(4)
        cols[0].metric("Cost", cost)
        cols[1].metric("Hours", f"{p.get('total_hours', 0):,.0f}")
        cols[2].metric("Weeks", p.get("weeks", 0))
        cols[3].metric("Done by", p.get("completion_date") or "—")
    if p.get("trade_off"):
        st.caption(p["trade_off"])
    chart = charts.timeline(p)
    if chart is None:
        st.caption("No steps.")
        return
    st.altair_chart(chart, width="stretch", height=charts.element_height(chart), key=f"{key}_timeline")
    if compact:
        return
    left, right = st.columns(2)
    with left:
        st.markdown("**The role's key skills: now and after**")
        cover = charts.coverage(p)
        st.altair_chart(cover, width="stretch", height=charts.element_height(cover), key=f"{key}_coverage")
    with right:
        st.markdown("**Order and prerequisites**")
        st.graphviz_chart(charts.prerequisite_dot(p), width="stretch")
    for i, s in enumerate(p.get("steps") or []):
        with st.expander(f"{i + 1}. {s['name']} — weeks {s['start_week']}–{s['end_week']}"):
            st.markdown(
                f"**{s['kind'].replace('_', ' ')}**{' · ' + s['provider'] if s.get('provider') else ''} · "
                f"{_step_price(s)} · {s.get('hours', 0):,.0f} h"
                f"{' (estimated)' if s.get('hours_estimated') else ''}"
            )
            if s.get("why"):
                st.markdown(_why_for_page(s["why"]))
            if not s.get("work_based"):
                st.markdown(_recognition_line(s.get("recognition") or []))
            if s.get("unlocks"):
                st.markdown("Unlocks: " + ", ".join(s["unlocks"]))
            srcs = [
                f"[{_source_name(x)}]({x['url']})" if x.get("url") else _source_name(x)
                for x in s.get("sources") or []
            ]
            if s.get("url"):
                srcs.insert(0, f"[official page]({s['url']})")
            if srcs:
                st.caption("Sources: " + " · ".join(srcs))
    if p.get("uncovered"):
        st.caption("Still uncovered: " + ", ".join(u["label"] for u in p["uncovered"][:12]))


# The datasets behind the catalogue, by the names people know them by.
DATASET_NAMES = {
    "curated-credentials": "curated credential list",
    "coursera-courses-2023": "Coursera catalogue (2023)",
    "edx-courses": "edX catalogue",
    "udemy-courses": "Udemy catalogue",
    "security-cert-roadmap": "Security Certification Roadmap (Paul Jerimy)",
    "vocational-credentials": "vocational credentials list",
    "apprenticeships": "US Department of Labor apprenticeship register",
    "corrections": "catalogue correction",
    "onet": "O*NET",
    "esco": "ESCO",
}


def _source_name(source: dict[str, Any]) -> str:
    """A source as people read it: the page's title, or the dataset's common name, never an internal id."""
    if source.get("title"):
        return str(source["title"])
    name = str(source.get("name") or "source")
    head, _, rest = name.partition(":")
    return DATASET_NAMES.get(head, head) + (f" ({rest.strip()})" if rest.strip() else "")


# The why text is written for the chat and the CLI too; on the page its recognition and source sentences are
# shown as formatted lines of their own, so they are taken out here rather than said twice.
_WHY_REPEATS = re.compile(
    r"\s*Employer recognition: unknown \(no sourced signal in the knowledge base\)\."
    r"|\s*Employer recognition: .*?\](?:, a third-party page)?\.(?=\s|$)"
    r"|\s*Source: [^.]*\.\s*$",
    re.S,
)


def _why_for_page(why: str) -> str:
    return _WHY_REPEATS.sub("", why).strip()


def _step_price(step: dict) -> str:
    """A step's price as a person reads it: unknown, estimated or a free audit said so."""
    if step.get("cost_known") is False:
        return "price not published"
    price = _money(step.get("cost"), step.get("currency") or "USD")
    if step.get("audit"):
        return f"{price} (free audit, no certificate)"
    return f"{price} (estimated)" if step.get("cost_estimated") else price


def _recognition_line(signals: list[dict]) -> str:
    """Employer recognition with the page each sign rests on; unknown when the knowledge base has none."""
    if not signals:
        return "Employer recognition: unknown (no sourced sign in the knowledge base)."
    parts = [
        f"[{x.get('label')}]({x.get('url')})"
        + (
            " (third-party page" + (f", {x['date']}" if x.get("date") else "") + ")"
            if not x.get("official")
            else ""
        )
        for x in signals
    ]
    return "Employer recognition: " + " · ".join(parts)


def _plan_form(c: CoachClient) -> None:
    try:
        profile = c.profile()
    except ApiError:
        profile = {}
    cons = profile.get("constraints") or {}
    _sync_widgets(
        "plan",
        profile,
        {
            "plan_role": role_label((profile.get("target") or {}).get("role")),
            # unknown limits stay empty (no budget limit, no deadline), as on the profile: never made up
            "plan_budget": float(cons["budget"]) if cons.get("budget") is not None else None,
            "plan_hours": None
            if cons.get("hours_per_week") is None
            else min(100.0, max(1.0, float(cons["hours_per_week"]))),
            "plan_weeks": None if cons.get("weeks") is None else min(520, max(1, int(cons["weeks"]))),
        },
    )
    with st.form("plan_form"):
        role = st.text_input("Target role", key="plan_role")
        a, b, d, e = st.columns(4)
        budget = a.number_input(
            f"Budget ({cons.get('currency') or 'USD'})",
            min_value=0.0,
            value=None,
            placeholder="no limit",
            key="plan_budget",
        )
        hours = b.number_input(
            "Hours/week", min_value=1.0, max_value=100.0, value=None, placeholder="8", key="plan_hours"
        )
        weeks = d.number_input(
            "Weeks", min_value=1, max_value=520, value=None, placeholder="no deadline", key="plan_weeks"
        )
        alts = e.number_input("Alternatives", min_value=0, max_value=3, value=2, key="plan_alts")
        if st.form_submit_button("Plan my pathway", type="primary"):
            if not role.strip():
                st.warning("Enter a target role (e.g. Information Security Analysts).")
            else:
                with st.spinner("Finding the best pathway…"):
                    try:
                        _show_plan(
                            c.plan(
                                role=role.strip(),
                                budget=budget,
                                hours_per_week=hours if hours is not None else 8.0,
                                weeks=None if weeks is None else int(weeks),
                                alternatives=int(alts),
                            ),
                            f"Planned here for {role.strip()}.",
                        )
                    except ApiError as exc:
                        _notice(exc)


def _show_plan(plan: dict[str, Any], origin: str) -> None:
    """Make `plan` the learner's latest pathway, the one every page shows (chat, My pathway, Drafts), and say
    where it came from."""
    st.session_state["plan"] = plan
    st.session_state["plan_origin"] = origin


def pathway_page(c: CoachClient) -> None:
    """Plan, compare, save and follow a pathway; see the coach's review."""
    st.title("My pathway")
    tab_plan, tab_saved = st.tabs(["Plan", "Saved pathways and review"])
    with tab_plan:
        _plan_form(c)
        plan = st.session_state.get("plan")
        if not plan:
            st.caption("Plan a pathway above, or ask for one in the chat.")
        else:
            if st.session_state.get("plan_origin"):
                st.info(st.session_state["plan_origin"], icon=":material/explore:")
            show_pathway(plan, "plan")
            _save_plan(c, plan, "plan_save")
            alts = plan.get("alternatives") or []
            if alts:
                st.subheader("Alternatives")
                cols = st.columns(len(alts))
                for i, (col, alt) in enumerate(zip(cols, alts, strict=False)):
                    with col:
                        st.markdown(f"**{(alt.get('label') or f'option {i + 1}').capitalize()}**")
                        show_pathway(alt, f"alt{i}", compact=True)
                        _save_plan(
                            c, alt, f"alt_save_{i}", f"Save the {alt.get('label') or 'alternative'} one"
                        )
    with tab_saved:
        _saved_pathways(c)


def _save_plan(c: CoachClient, plan: dict[str, Any], key: str, label: str = "Save this pathway") -> None:
    """A save button for `plan`; the same pathway is never saved twice in a session."""
    if plan.get("status") == "infeasible" or not st.button(label, key=key, icon=":material/save:"):
        return
    seen: dict[str, int] = st.session_state.setdefault("saved_snapshots", {})
    snapshot = _snapshot(plan.get("steps") or [])
    if snapshot in seen:
        st.info(f"This pathway is already saved as pathway #{seen[snapshot]}.")
        return
    try:
        saved = c.save_pathway(plan, title=plan.get("target") or "My pathway")
        seen[snapshot] = saved["id"]
        st.success(f"Saved as pathway #{saved['id']}. Find it under “Saved pathways and review”.")
    except ApiError as exc:
        _notice(exc)


def _saved_pathways(c: CoachClient) -> None:
    flash = st.session_state.pop("saved_flash", None)
    if flash:
        st.success(flash)
    try:
        items = c.pathways()
    except ApiError as exc:
        _notice(exc)
        return
    if not items:
        st.caption("No saved pathways yet.")
        return
    by_id = {p["id"]: p for p in items}
    # chosen by id, so the choice stays put when the pathway's status (part of its label) changes
    chosen = st.selectbox(
        "Pathway",
        list(by_id),
        key="saved_choice",
        format_func=lambda i: (
            f"#{i} {by_id[i]['title'] or 'pathway'} — {STATUS_WORDS.get(by_id[i]['status'], by_id[i]['status'])}"
        ),
    )
    detail = c.pathway(chosen)
    st.markdown(
        f"**Status:** {STATUS_WORDS.get(detail['status'], detail['status'])} · version {detail['current_version']}"
    )
    if detail.get("note") and detail.get("note_author"):
        st.info(f"{detail['note_author']} changed this pathway: “{detail['note']}”", icon=":material/chat:")
    if detail["status"] in ("draft", "changes_requested") and st.button(
        "Send for review", key="saved_submit", icon=":material/send:"
    ):
        try:
            c.submit(detail["id"])
            st.session_state["saved_flash"] = f"Pathway #{detail['id']} was sent to your coach for review."
            st.rerun()
        except ApiError as exc:
            _notice(exc)
    for issue in detail.get("issues") or []:
        st.warning(_sentence(issue))
    steps = detail["pathway"].get("steps") or []
    done = {p["step_id"]: p["state"] for p in detail.get("progress") or []}
    if steps:
        completed = sum(1 for s in steps if done.get(s["id"]) == "completed")
        st.progress(completed / len(steps), text=f"{completed} of {len(steps)} steps completed")
    show_pathway(detail["pathway"], f"saved{detail['id']}v{detail['current_version']}", compact=True)
    if steps:
        with st.form(f"progress_{detail['id']}", clear_on_submit=True):
            step = st.selectbox(
                "Step",
                [s["id"] for s in steps],
                format_func=lambda i: next(s["name"] for s in steps if s["id"] == i),
                key=f"prog_step_{detail['id']}",
            )
            state = st.radio(
                "Mark as", ["started", "completed"], horizontal=True, key=f"prog_state_{detail['id']}"
            )
            url = st.text_input(
                "Evidence link (optional, e.g. your certificate's page)", key=f"prog_url_{detail['id']}"
            )
            if st.form_submit_button("Record progress"):
                try:
                    c.progress(detail["id"], step, state, url.strip() or None)
                    name = next(s["name"] for s in steps if s["id"] == step)
                    st.session_state["saved_flash"] = f"Recorded: {name} {state}."
                    st.rerun()  # the progress bar counts it at once
                except ApiError as exc:
                    _notice(exc)
    _thread(c, detail["id"])


def _thread(c: CoachClient, pathway_id: int) -> None:
    try:
        comments = c.comments(pathway_id)
    except ApiError as exc:
        _notice(exc)
        return
    st.subheader("Comments")
    if not comments:
        st.caption("No comments yet.")

    def show(items: list[dict[str, Any]], depth: int = 0) -> None:
        for m in items:
            st.markdown(
                f"{'&nbsp;' * 6 * depth}**{_plain_text(m.get('author') or '?')}** (v{m['version']}): "
                + _plain_text(m["body"])
            )
            show(m.get("replies") or [], depth + 1)

    show(comments)
    with st.form(f"comment_{pathway_id}"):
        body = st.text_area("Add a comment", key=f"comment_body_{pathway_id}")
        if st.form_submit_button("Post comment") and body.strip():
            try:
                c.comment(pathway_id, body.strip())
                st.rerun()
            except ApiError as exc:
                _notice(exc)


# ---- learner: drafts -------------------------------------------------------------------------------------------


def drafts_page(c: CoachClient) -> None:
    """Drafts of how to present each credential, editable, with downloads."""
    st.title("Present your credentials")
    try:
        profile_data = c.profile()
        items = c.pathways()
    except ApiError as exc:
        _notice(exc)
        return
    from coach.models import Pathway, PostingAnalysis

    profile = Profile.model_validate(profile_data or {})
    if not (
        profile.skills
        or profile.credentials
        or profile.experience
        or profile.current_role
        or profile.target.role
    ):
        st.info(
            "Your profile is empty. Tell the coach about your experience in the chat, or fill in your profile there."
        )
        return
    options: dict[str, dict[str, Any] | None] = {}
    if st.session_state.get("plan") and st.session_state["plan"].get("status") != "infeasible":
        options["The pathway I just planned"] = st.session_state["plan"]
    for p in items:
        options[f"Saved #{p['id']} {p['title'] or ''}"] = {"_id": p["id"]}
    # the latest plan first, then the saved ones (newest listed first by the API); "none" only last
    options["No pathway (profile only)"] = None
    choice = st.selectbox("Pathway to include", list(options), key="drafts_pathway")
    chosen = options[choice]
    if chosen and "_id" in chosen:
        chosen = c.pathway(chosen["_id"])["pathway"]
    posting = st.session_state.get("analysis")
    use_posting = bool(posting) and st.checkbox(
        "Tailor to the posting I analysed", value=True, key="drafts_posting"
    )
    from coach.errors import CoachError
    from coach.knowledge import get_catalog
    from coach.presenter import draft_all
    from coach.presenter.exports import badge_bundle, to_docx, to_json_resume, to_markdown

    with st.spinner("Drafting…"):
        try:
            drafts = draft_all(
                profile,
                Pathway.model_validate(chosen) if chosen else None,
                PostingAnalysis.model_validate(posting) if use_posting else None,
                posting_text=st.session_state.get("analysis_text") if use_posting else None,
                catalog=get_catalog(),  # the process-wide catalogue, as the app's context shares it
            )
        except CoachError as exc:
            st.error(exc.message)
            return
    for n in drafts.notices:
        st.info(n)
    st.subheader("Resume bullets")
    for i, b in enumerate(drafts.resume_bullets):
        st.text_area(f"Bullet {i + 1}", value=b.text, key=f"draft_bullet_{i}", height=70)
    st.subheader("LinkedIn")
    st.text_input("Headline", value=drafts.linkedin.headline, key="draft_headline")
    st.text_area("About", value=drafts.linkedin.about, key="draft_about", height=140)
    if drafts.cover_letter:
        st.subheader("Cover-letter paragraph")
        st.text_area("Cover letter", value=drafts.cover_letter, key="draft_cover", height=160)
    st.subheader("30-second pitch")
    st.code(drafts.pitch, language=None, wrap_lines=True)
    if drafts.talking_points:
        st.subheader("Interview talking points (STAR)")
        for i, tp in enumerate(drafts.talking_points):
            st.markdown(
                f"**{i + 1}.** *Situation:* {tp.situation}  \n*Task:* {tp.task}  \n*Action:* {tp.action}  \n*Result:* {tp.result}"
            )
    # what the learner edited above is what they download
    for i, b in enumerate(drafts.resume_bullets):
        b.text = str(st.session_state.get(f"draft_bullet_{i}", b.text))
    drafts.linkedin.headline = str(st.session_state.get("draft_headline", drafts.linkedin.headline))
    drafts.linkedin.about = str(st.session_state.get("draft_about", drafts.linkedin.about))
    if drafts.cover_letter:
        drafts.cover_letter = str(st.session_state.get("draft_cover", drafts.cover_letter))
    st.subheader("Download")
    st.caption("The downloads hold the text as you edited it above.")
    d1, d2, d3, d4 = st.columns(4)
    d1.download_button("Markdown", to_markdown(drafts), file_name="pathway-coach-drafts.md", key="dl_md")
    with tempfile.TemporaryDirectory() as tmp:
        docx_path = to_docx(drafts, Path(tmp) / "drafts.docx")
        d2.download_button(
            "DOCX", docx_path.read_bytes(), file_name="pathway-coach-drafts.docx", key="dl_docx"
        )
    d3.download_button(
        "JSON Resume",
        json.dumps(to_json_resume(profile, drafts), indent=2),
        file_name="resume.json",
        key="dl_resume",
    )
    badges = badge_bundle(profile, drafts)
    d4.download_button(
        "Open Badges",
        json.dumps(badges, indent=2),
        file_name="open-badges.json",
        key="dl_badges",
        disabled=not badges.get("credentials"),
    )
    if not badges.get("credentials"):
        st.caption(
            "Open Badges: nothing to export yet — badges are made for credentials you have earned. Add an earned "
            "credential to your profile (or tell the coach in the chat) and it appears here."
        )
    else:
        st.caption(
            "Badges you export yourself are self-asserted: they say what you claim, not what a provider verified."
        )


# ---- coach -----------------------------------------------------------------------------------------------------


def _when(stamp: str | None) -> str:
    """An API timestamp as a person reads it: "4 Dec 2026, 18:40" (UTC)."""
    if not stamp:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def _learner_context(c: CoachClient, learner_id: int) -> str:
    """One line on who the learner is and what limits they gave (their stored profile)."""
    try:
        profile = c.learner_profile(learner_id) or {}
    except ApiError:
        return ""
    cons = profile.get("constraints") or {}
    parts = [
        f"now **{profile['current_role']}**" if profile.get("current_role") else "",
        f"aiming for **{role_label((profile.get('target') or {}).get('role'))}**"
        if (profile.get("target") or {}).get("role")
        else "",
        f"budget {_money(cons.get('budget'), cons.get('currency') or 'USD')}"
        if cons.get("budget") is not None
        else "no budget given",
        f"{cons['hours_per_week']:g} h a week" if cons.get("hours_per_week") else "",
        f"{cons['weeks']} weeks" if cons.get("weeks") else "no deadline",
    ]
    return "Learner: " + " · ".join(x for x in parts if x)


def _comment_bodies(comments: list[dict[str, Any]]) -> dict[int, str]:
    """Comment id → its words, over a thread and its replies."""
    out: dict[int, str] = {}
    for m in comments:
        out[int(m["id"])] = str(m.get("body") or "")
        out |= _comment_bodies(m.get("replies") or [])
    return out


def review_page(c: CoachClient) -> None:
    """The review queue: reasoning and sources, version differences, decisions, edits, comments and audit."""
    st.title("Review queue")
    flash = st.session_state.pop("rq_flash", None)
    if flash:
        st.success(flash)
    status = st.radio(
        "Show",
        ["pending", "changes_requested", "approved", "rejected"],
        horizontal=True,
        key="rq_status",
        format_func=lambda s: s.replace("_", " "),
    )
    try:
        reviews = c.reviews(status)
    except ApiError as exc:
        _notice(exc)
        return
    if not reviews:
        st.info("Nothing here. Pathways your learners send for review appear in the pending queue.")
        return
    st.dataframe(
        [
            {
                "#": r["id"],
                "learner": r["learner"],
                "pathway": r["title"] or "pathway",
                "version": r["version"],
                "cost": _money(r["total_cost"]),
                "weeks": r["weeks"],
                "sent": _when(r.get("created_at")),
                "decided": _when(r.get("decided_at")),
                "issues": len(r.get("issues") or []),
            }
            for r in reviews
        ],
        width="stretch",
        hide_index=True,
    )
    by_id = {r["id"]: r for r in reviews}
    # chosen by id, so the choice stays on the same learner when a label changes after an edit or a decision
    chosen = st.selectbox(
        "Submission",
        list(by_id),
        key="rq_choice",
        format_func=lambda i: (
            f"#{i} {by_id[i]['learner']} — {by_id[i]['title'] or 'pathway'} (sent as version "
            f"{by_id[i]['version']}, {_when(by_id[i].get('created_at'))})"
        ),
    )
    review = by_id[chosen]
    rid = review["id"]
    detail = c.pathway(review["pathway_id"])
    p = detail["pathway"]
    context = _learner_context(c, review["learner_id"])
    if context:
        st.markdown(context)
    if detail["current_version"] != review["version"]:
        st.caption(
            f"Sent as version {review['version']}; the pathway is now at version {detail['current_version']}"
            + (f" — {detail['note_author']}: “{detail['note']}”" if detail.get("note") else "")
            + "."
        )
    for issue in review.get("issues") or []:
        st.warning(_sentence(issue))
    show_pathway(p, f"review{rid}v{detail['current_version']}")
    diff = detail.get("diff")
    if diff:
        st.subheader(f"Changes from version {diff['from_version']} to {diff['to_version']}")
        st.markdown(
            f"Added: {', '.join(diff['added']) or '—'}  \nRemoved: {', '.join(diff['removed']) or '—'}  \n"
            f"Moved: {', '.join(m['id'] for m in diff['moved']) or '—'}  \n"
            f"Cost change: {diff['cost_change']:+,.0f} · hours {diff['hours_change']:+,.0f} · weeks {diff['weeks_change']:+d}"
        )
    if review["status"] == "pending":
        st.subheader("Decision")
        # every widget is keyed by the submission, and the form clears when sent: what a coach typed for one
        # learner can never appear on another learner's form
        with st.form(f"decision_{rid}", clear_on_submit=True):
            decision = st.radio(
                "Decision",
                ["approve", "request_changes", "reject"],
                horizontal=True,
                key=f"rq_decision_{rid}",
                format_func=lambda s: s.replace("_", " "),
            )
            comment = st.text_area("Comment (required to request changes or reject)", key=f"rq_comment_{rid}")
            if st.form_submit_button("Record decision", type="primary"):
                try:
                    c.decide(rid, decision, comment.strip())
                    st.session_state["rq_flash"] = (
                        f"Recorded for {review['learner']}: {decision.replace('_', ' ')}."
                    )
                    st.rerun()  # the queue and the pathway now show the decision
                except ApiError as exc:
                    _notice(exc)
        with st.expander("Edit the pathway (creates a new version)"):
            steps = p.get("steps") or []
            names = {s["id"]: s["name"] for s in steps}
            with st.form(f"edit_{rid}", clear_on_submit=True):
                op = st.selectbox(
                    "Edit",
                    ["remove", "add", "swap", "move"],
                    key=f"ed_op_{rid}",
                    format_func=lambda o: {
                        "remove": "remove a step",
                        "add": "add a credential",
                        "swap": "swap a step for another credential",
                        "move": "move a step",
                    }[o],
                )
                step_id = st.selectbox(
                    "Step", list(names) or [""], key=f"ed_step_{rid}", format_func=lambda i: names.get(i, "—")
                )
                cred = st.text_input(
                    "Credential to add or swap in (its name, short name or exam code, e.g. Security+ or SY0-701)",
                    key=f"ed_cred_{rid}",
                )
                pos = st.number_input(
                    "Position (for add/move, 1 = first)",
                    min_value=1,
                    max_value=50,
                    value=1,
                    key=f"ed_pos_{rid}",
                )
                note = st.text_input(
                    "Why (the learner sees this, and it is kept in the audit trail)", key=f"ed_note_{rid}"
                )
                if st.form_submit_button("Create new version"):
                    edit: dict[str, Any] = {"op": op}
                    if op in ("remove", "swap", "move"):
                        edit["step_id"] = step_id
                    if op in ("add", "swap"):
                        edit["credential_id"] = cred.strip()
                    if op in ("add", "move"):
                        edit["position"] = int(pos) - 1
                    if op in ("add", "swap") and not cred.strip():
                        st.warning("Name the credential to add or swap in.")
                    else:
                        try:
                            made = c.edit(
                                review["pathway_id"], [edit], note.strip(), detail["current_version"]
                            )
                            st.session_state["rq_flash"] = (
                                f"Version {made.get('version', detail['current_version'] + 1)} created and "
                                "checked again."
                            )
                            st.rerun()  # show the new version, not the old one
                        except ApiError as exc:
                            _notice(exc)
    _thread(c, review["pathway_id"])
    with st.expander("Audit trail"):
        try:
            entries = c.audit(review["pathway_id"])
            said = _comment_bodies(c.comments(review["pathway_id"]))
            st.dataframe(
                [
                    {
                        "when": _when(e["at"]),
                        "who": e["actor"],
                        "action": e["action"].replace("_", " "),
                        "from": (e["from_state"] or "").replace("_", " "),
                        "to": (e["to_state"] or "").replace("_", " "),
                        # an edit keeps its reason; a decision or comment points at the words posted with it
                        "why": (e.get("detail") or {}).get("note")
                        or said.get((e.get("detail") or {}).get("comment_id") or -1, ""),
                    }
                    for e in entries
                ],
                width="stretch",
                hide_index=True,
            )
        except ApiError as exc:
            _notice(exc)


def cohort_page(c: CoachClient) -> None:
    """The coach's learners: status, progress and outcomes."""
    from ui import charts

    st.title("My cohort")
    try:
        cohort = c.cohort()
    except ApiError as exc:
        _notice(exc)
        return
    if not cohort:
        st.info("No learners are assigned to you yet.")
        return
    a, b, d = st.columns(3)
    a.metric("Learners", len(cohort))
    b.metric("Approved pathways", sum(1 for x in cohort if x.get("latest_status") == "approved"))
    d.metric(
        "Placements", sum(1 for x in cohort for o in x.get("outcomes") or [] if o["kind"] == "placement")
    )
    cols = st.columns(2)
    for col, chart, key in (
        (cols[0], charts.cohort_status(cohort), "ch_status"),
        (cols[1], charts.cohort_progress(cohort), "ch_progress"),
    ):
        if chart is not None:
            col.altair_chart(chart, width="stretch", height=charts.element_height(chart), key=key)
    outcomes = charts.cohort_outcomes(cohort)
    if outcomes is not None:
        st.altair_chart(outcomes, width="stretch", height=charts.element_height(outcomes), key="ch_outcomes")
    st.dataframe(
        [
            {
                "learner": x.get("display_name") or x["username"],
                "pathways": x["pathways"],
                "status": (x.get("latest_status") or "—").replace("_", " "),
                "progress": f"{100 * x['progress']:.0f}%",
                "outcomes": ", ".join(f"{o['kind']}: {o['role']}" for o in x.get("outcomes") or []),
            }
            for x in cohort
        ],
        width="stretch",
        hide_index=True,
    )
    with st.form("outcome_form"):
        st.markdown("**Record an outcome**")
        learner = st.selectbox(
            "Learner",
            [x["learner_id"] for x in cohort],
            key="oc_learner",
            format_func=lambda i: next(
                x.get("display_name") or x["username"] for x in cohort if x["learner_id"] == i
            ),
        )
        kind = st.selectbox("Outcome", ["interview", "offer", "placement"], key="oc_kind")
        role = st.text_input("Role", key="oc_role")
        org = st.text_input("Organisation", key="oc_org")
        when = st.date_input("Date", key="oc_date")
        if st.form_submit_button("Record"):
            try:
                c.record_outcome(int(learner), kind, role.strip(), when.isoformat(), org.strip())
                st.success("Recorded.")
            except ApiError as exc:
                _notice(exc)
