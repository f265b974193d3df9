"""The coaching agent: one LangGraph graph (model → tools → model … → grounding) with per-learner memory.

    model ──tool calls──▶ tools ──▶ model ── answer ──▶ ground ──▶ END

`model` calls the chat model chosen by coach.llm (the offline engine, or an OpenAI-compatible model that falls
back to the offline engine with a visible notice when it fails); `tools` runs the typed tools in coach.tools
against the learner's state; `ground` passes the answer through coach.grounding and repairs or replaces it.
State (messages, profile, latest pathway and posting) is checkpointed in the product database, keyed by the
learner or conversation id, so a conversation resumes after a restart.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from coach.dialogue import META_KEY, OfflineCoachModel
from coach.dialogue.checks import checked_profile_update
from coach.errors import BadInput, CoachError
from coach.grounding import Grounder, answer_text
from coach.llm import describe_model, get_offline_model
from coach.models import MAX_MESSAGE_CHARS, Profile
from coach.settings import Settings
from coach.texts import load_text, render
from coach.tools import Backends, ToolContext, default_backends, langchain_tools, outcome_json, run_tool

if TYPE_CHECKING:
    from coach.context import CoachContext

MAX_MODEL_CALLS = 6  # per turn: a model that keeps calling tools is stopped and answered for
REMOTE_WINDOW = 40  # messages sent to a remote model; the offline engine reads the whole thread
MAX_USER_CHARS = MAX_MESSAGE_CHARS


class CoachState(TypedDict, total=False):
    """The agent's checkpointed state for one learner conversation."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation, including tool calls and results."""
    profile: dict
    """The learner's profile (models.Profile as JSON), updated by the update_profile tool."""
    pathway: dict | None
    """The latest planned pathway (models.Pathway as JSON)."""
    posting: dict | None
    """The latest posting analysis (models.PostingAnalysis as JSON)."""
    saved_pathway: dict | None
    """Id, version and status of the latest saved pathway."""
    notices: list[str]
    """Notices for this turn (e.g. the remote model failed and the offline engine answered)."""
    model_calls: int
    """Model calls made this turn."""
    fallback: bool
    """True once the remote model failed this turn: the rest of the turn stays offline."""
    grounding: dict | None
    """The validator's report on this turn's answer."""


@dataclass
class TurnResult:
    """One turn as the faces show it (the `coach chat --script --json` line, plus optional extras)."""

    user: str
    assistant: str
    tool_calls: list[dict] = field(default_factory=list)
    grounded: bool = True
    repaired: bool = False
    notices: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    model: str = "offline"

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return asdict(self)


# --------------------------------------------------------------------------------------------------------------
# Checkpointer on the product database
# --------------------------------------------------------------------------------------------------------------


def _checkpoints_current(pg: Any, migrations: int) -> bool:
    """Whether the chat memory's tables exist at the saver's latest migration. Its setup() always begins with a
    CREATE TABLE IF NOT EXISTS, which PostgreSQL refuses to a role without CREATE on the schema even when the
    table is there, so a service role must not call it once the owner has."""
    if pg.execute("SELECT to_regclass('checkpoint_migrations') AS t").fetchone()["t"] is None:
        return False
    latest = pg.execute("SELECT max(v) AS v FROM checkpoint_migrations").fetchone()["v"]
    return latest is not None and latest >= migrations - 1


def make_checkpointer(db_url: str) -> Any:
    """A LangGraph checkpointer on the same database as the rest (SQLite file, PostgreSQL, or 'memory')."""
    if db_url == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        return InMemorySaver()
    if db_url.startswith("sqlite"):
        from langgraph.checkpoint.sqlite import SqliteSaver

        path = re.sub(r"^sqlite(\+\w+)?:///", "", db_url)
        if path in ("", ":memory:"):
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")  # readers (API workers, UI) never block the writer
        saver = SqliteSaver(conn)
        saver.setup()
        return saver
    if db_url.startswith("postgres"):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import dict_row

        conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", db_url)
        pg = Connection.connect(conninfo, autocommit=True, prepare_threshold=0, row_factory=dict_row)
        pg_saver = PostgresSaver(pg)
        if not _checkpoints_current(pg, len(pg_saver.MIGRATIONS)):
            pg_saver.setup()  # DDL: the schema's owner does this (coach db grant-service-role), not a service role
        return pg_saver
    raise CoachError(f"Unsupported database URL for conversation memory: {db_url.split(':', 1)[0]}")


# --------------------------------------------------------------------------------------------------------------
# The agent
# --------------------------------------------------------------------------------------------------------------


class CoachAgent:
    """The compiled graph plus what it needs; build once per process with `build_agent`."""

    def __init__(
        self,
        model: BaseChatModel,
        offline: OfflineCoachModel,
        backends: Backends,
        checkpointer: Any,
        settings: Settings,
        grounder: Grounder | None = None,
    ) -> None:
        self.settings = settings
        self.model = model
        self.offline = offline
        self.backends = backends
        self.checkpointer = checkpointer
        self.is_remote = not isinstance(model, OfflineCoachModel)
        self.model_label = describe_model(model)
        tools = langchain_tools(settings.prompts_dir)
        self._bound = model.bind_tools(tools) if self.is_remote else model
        self._offline = offline
        self.system_prompt = load_text("system_prompt.md", settings.prompts_dir)
        # Without a grounder, answers are still checked against the tool results (no catalogue).
        self.grounder = grounder or Grounder(catalog=None, system_prompt=self.system_prompt)
        self.graph = self._build().compile(checkpointer=checkpointer)

    # ---- graph ----------------------------------------------------------------------------------------------

    def _build(self) -> StateGraph:
        g = StateGraph(CoachState)
        g.add_node("model", self._model_node)
        g.add_node("tools", self._tools_node)
        g.add_node("ground", self._ground_node)
        g.add_edge(START, "model")
        g.add_conditional_edges("model", self._route, {"tools": "tools", "ground": "ground"})
        g.add_edge("tools", "model")
        g.add_edge("ground", END)
        return g

    @staticmethod
    def _route(state: CoachState) -> str:
        last = state["messages"][-1]
        return "tools" if isinstance(last, AIMessage) and last.tool_calls else "ground"

    def _system(self, profile: dict) -> SystemMessage:
        block = json.dumps(_profile_for_prompt(profile), ensure_ascii=False)
        return SystemMessage(f"{self.system_prompt}\n\n<learner_profile>\n{block}\n</learner_profile>")

    def _model_node(self, state: CoachState) -> dict:
        calls = state.get("model_calls", 0)
        notices = list(state.get("notices") or [])
        history = list(state["messages"])
        system = self._system(state.get("profile") or {})
        if calls >= MAX_MODEL_CALLS:
            # Stop a tool loop: the offline engine writes the answer from the results so far.
            message = _strip_tool_calls(self._offline.invoke([system, *history]))
            return {"messages": [message], "model_calls": calls + 1}
        if self.is_remote and not state.get("fallback"):
            try:
                message = self._bound.invoke([system, *_window(history)])
                message = self._checked_by_understanding(_sanitize_tool_calls(message), history)
                return {"messages": [message], "model_calls": calls + 1}
            except Exception as exc:  # any remote failure (down, timeout, bad reply): answer offline
                reason = _short_reason(exc)
                notices.append(
                    render(
                        "answers/fallback_notice",
                        self.settings.prompts_dir,
                        model=self.model_label,
                        reason=reason,
                    )
                )
                message = self._offline.invoke([system, *history])
                return {"messages": [message], "model_calls": calls + 1, "notices": notices, "fallback": True}
        message = self._offline.invoke([system, *history])
        return {"messages": [message], "model_calls": calls + 1}

    def _checked_by_understanding(self, message: AIMessage, history: list[Any]) -> AIMessage:
        """The remote model's `update_profile` calls, checked against the offline reading of the learner's
        last message (`coach.dialogue.checks`); other calls pass unchanged."""
        if not message.tool_calls:
            return message
        last_user = next((m for m in reversed(history) if isinstance(m, HumanMessage)), None)
        reader = self._offline.understander_or_none()
        if last_user is None or reader is None:
            return message
        understood = reader.read(str(last_user.content), None, self._offline.reference_date())
        calls = []
        for call in message.tool_calls:
            if call["name"] == "update_profile":
                args = checked_profile_update(dict(call.get("args") or {}), understood, reader.catalog)
                if not args:
                    continue
                call = {**call, "args": args}
            calls.append(call)
        return AIMessage(
            content=message.content, tool_calls=calls, response_metadata=message.response_metadata
        )

    def _tools_node(self, state: CoachState, config: RunnableConfig) -> dict:
        last = state["messages"][-1]
        assert isinstance(last, AIMessage)
        conf = (config or {}).get("configurable", {})
        ctx = ToolContext(
            learner_id=str(conf.get("learner_id") or conf.get("thread_id") or "anonymous"),
            profile=Profile.model_validate(state.get("profile") or {}),
            backends=self.backends,
            pathway=state.get("pathway"),
            posting=state.get("posting"),
            saved_pathway=state.get("saved_pathway"),
        )
        out: list[ToolMessage] = []
        for call in last.tool_calls:
            outcome = run_tool(call["name"], call.get("args") or {}, ctx)
            out.append(
                ToolMessage(
                    content=outcome_json(outcome),
                    tool_call_id=call["id"] or "",
                    name=call["name"],
                    status="success" if outcome.ok else "error",
                )
            )
        return {
            "messages": out,
            "profile": ctx.profile.model_dump(mode="json"),
            "pathway": ctx.pathway,
            "posting": ctx.posting,
            "saved_pathway": ctx.saved_pathway,
        }

    def _ground_node(self, state: CoachState) -> dict:
        messages = list(state["messages"])
        last = messages[-1]
        assert isinstance(last, AIMessage)
        text = answer_text(last)
        profile = state.get("profile") or {}
        report = self.grounder.validate(text, messages, profile)
        final = report.text
        if report.rejected:
            # Replace the answer with one the offline engine writes from this turn's verified tool results.
            system = self._system(profile)
            turn = _current_turn(messages[:-1])
            has_results = any(isinstance(m, ToolMessage) for m in turn)
            replacement = ""
            if has_results:
                candidate = answer_text(self._offline.invoke([system, *messages[:-1]]))
                if self.grounder.validate(candidate, messages, profile).ok:
                    replacement = candidate
            prefix = render("answers/ungrounded", self.settings.prompts_dir, has_results=bool(replacement))
            final = f"{prefix}\n\n{replacement}".strip() if replacement else prefix
        notices = state.get("notices") or []
        if notices:
            final = "\n".join(f"_{n}_" for n in notices) + "\n\n" + final
        new = AIMessage(
            content=final,
            id=last.id,
            response_metadata={**(last.response_metadata or {}), "grounding": report.as_dict()},
        )
        return {"messages": [new], "grounding": report.as_dict()}

    # ---- turns ----------------------------------------------------------------------------------------------

    def _config(self, learner_id: str, conversation_id: str | None) -> RunnableConfig:
        return {
            "configurable": {"thread_id": conversation_id or learner_id, "learner_id": learner_id},
            "recursion_limit": 4 * MAX_MODEL_CALLS + 8,
        }

    def stream_turn(
        self,
        text: str,
        learner_id: str,
        conversation_id: str | None = None,
        profile: Profile | dict | None = None,
    ) -> Iterator[dict]:
        """Run one turn, yielding events: tool_call, tool_result, notice, token (the validated answer), done."""
        text = _check_user_text(text)
        config = self._config(learner_id, conversation_id)
        inputs: dict[str, Any] = {
            "messages": [HumanMessage(text)],
            "notices": [],
            "model_calls": 0,
            "fallback": False,
            "grounding": None,
        }
        if profile is not None:
            inputs["profile"] = (
                profile.model_dump(mode="json") if isinstance(profile, Profile) else dict(profile)
            )
        elif not self._state(config).get("profile"):
            inputs["profile"] = Profile().model_dump(mode="json")
        planned_before = self._state(config).get("pathway")
        tool_calls: list[dict] = []
        final: AIMessage | None = None
        grounding: dict = {}
        notices: list[str] = []
        for update in self.graph.stream(inputs, config, stream_mode="updates"):
            for node, change in update.items():
                if not change:
                    continue
                if node == "model":
                    for n in change.get("notices") or []:
                        if n not in notices:
                            notices.append(n)
                            yield {"type": "notice", "text": n}
                    for msg in change.get("messages", []):
                        for call in getattr(msg, "tool_calls", []) or []:
                            tc = {"name": call["name"], "args": call.get("args") or {}}
                            tool_calls.append(tc)
                            yield {"type": "tool_call", **tc}
                elif node == "tools":
                    for msg in change.get("messages", []):
                        yield {
                            "type": "tool_result",
                            "name": msg.name,
                            "ok": msg.status != "error",
                            "summary": _summarize(str(msg.content)),
                        }
                elif node == "ground":
                    final = change["messages"][-1]
                    grounding = change.get("grounding") or {}
        answer = answer_text(final) if final is not None else ""
        for token in re.findall(r"\S+\s*|\s+", answer):
            yield {"type": "token", "text": token}
        result = TurnResult(
            user=text,
            assistant=answer,
            tool_calls=tool_calls,
            grounded=bool(grounding.get("ok", True)),
            repaired=bool(grounding.get("repaired") or grounding.get("rejected")),
            notices=notices,
            violations=list(grounding.get("violations") or []),
            model="offline" if (not self.is_remote or notices) else self.model_label,
        )
        # The profile as the conversation now knows it, so a face can store what the learner told the coach, and
        # the pathway planned this turn (None when none was), so the app's other pages show the same plan.
        state = self._state(config)
        planned = state.get("pathway")
        yield {
            "type": "done",
            "result": result.as_dict(),
            "profile": state.get("profile"),
            "pathway": planned if planned is not None and planned != planned_before else None,
        }

    def run_turn(
        self,
        text: str,
        learner_id: str,
        conversation_id: str | None = None,
        profile: Profile | dict | None = None,
    ) -> TurnResult:
        """Run one turn and return its result."""
        for event in self.stream_turn(text, learner_id, conversation_id, profile):
            if event["type"] == "done":
                return TurnResult(**event["result"])
        raise CoachError("The turn ended without an answer")  # pragma: no cover - the graph always answers

    # ---- memory ---------------------------------------------------------------------------------------------

    def _state(self, config: RunnableConfig) -> dict:
        snapshot = self.graph.get_state(config)
        return dict(snapshot.values or {})

    def history(self, learner_id: str, conversation_id: str | None = None) -> list[dict]:
        """The visible conversation: [{"role": "user"|"assistant", "content": ...}]."""
        state = self._state(self._config(learner_id, conversation_id))
        out = []
        for msg in state.get("messages", []):
            if isinstance(msg, HumanMessage):
                out.append({"role": "user", "content": str(msg.content)})
            elif isinstance(msg, AIMessage) and not msg.tool_calls:
                out.append({"role": "assistant", "content": answer_text(msg)})
        return out

    def get_profile(self, learner_id: str, conversation_id: str | None = None) -> Profile:
        """The learner's profile as the conversation knows it."""
        state = self._state(self._config(learner_id, conversation_id))
        return Profile.model_validate(state.get("profile") or {})

    def set_profile(
        self, learner_id: str, profile: Profile | dict, conversation_id: str | None = None
    ) -> None:
        """Replace the profile the conversation uses (e.g. after the learner edits it in the UI)."""
        data = (
            profile.model_dump(mode="json")
            if isinstance(profile, Profile)
            else Profile.model_validate(profile).model_dump(mode="json")
        )
        self.graph.update_state(
            self._config(learner_id, conversation_id), {"profile": data}, as_node="ground"
        )

    def latest_pathway(self, learner_id: str, conversation_id: str | None = None) -> dict | None:
        """The last pathway planned in the conversation."""
        return self._state(self._config(learner_id, conversation_id)).get("pathway")


# --------------------------------------------------------------------------------------------------------------
# Construction and module-level conveniences
# --------------------------------------------------------------------------------------------------------------


def build_agent(
    ctx: CoachContext,
    *,
    model: BaseChatModel | None = None,
    offline: OfflineCoachModel | None = None,
    backends: Backends | None = None,
    checkpointer: Any = None,
    db_url: str | None = None,
    grounder: Grounder | None = None,
) -> CoachAgent:
    """Build the agent over a face's context: chat model from coach.llm, real tool backends over the context,
    checkpointer on the product database."""
    s = ctx.settings
    offline = offline or (model if isinstance(model, OfflineCoachModel) else get_offline_model(ctx))
    model = model or ctx.chat_model
    if isinstance(model, OfflineCoachModel):
        offline = model
    url = db_url or s.db_url
    if grounder is None:
        grounder = Grounder(
            catalog=_catalog_or_none(ctx), system_prompt=load_text("system_prompt.md", s.prompts_dir)
        )
    return CoachAgent(
        model=model,
        offline=offline,
        backends=backends or default_backends(ctx, url),
        checkpointer=checkpointer if checkpointer is not None else make_checkpointer(url),
        settings=s,
        grounder=grounder,
    )


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def _catalog_or_none(ctx: CoachContext) -> Any:
    try:
        return ctx.catalog
    except Exception:  # grounding still checks against tool results without a catalogue
        return None


def _check_user_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise BadInput("The message is empty.")
    if "\x00" in text:
        raise BadInput("The message contains binary data.")
    if len(text) > MAX_USER_CHARS:
        raise BadInput(
            f"The message is too long ({len(text):,} characters; the limit is {MAX_USER_CHARS:,})."
        )
    return text.strip()


def _profile_for_prompt(profile: dict) -> dict:
    """The profile without the pasted posting (it is in the conversation already)."""
    data = json.loads(json.dumps(profile or {}))
    (data.get("target") or {}).pop("posting", None)
    return data


def _window(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The last messages for a remote model, starting at a learner message so no tool result is orphaned."""
    if len(messages) <= REMOTE_WINDOW:
        return list(messages)
    tail = messages[-REMOTE_WINDOW:]
    for i, m in enumerate(tail):
        if isinstance(m, HumanMessage):
            return list(tail[i:])
    return list(tail)


def _current_turn(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    return list(messages[last_human + 1 :])


def _strip_tool_calls(message: BaseMessage) -> AIMessage:
    text = answer_text(message) if isinstance(message, AIMessage) else str(message.content)
    return AIMessage(content=text or "I've gathered what I can for now.", response_metadata={META_KEY: {}})


def _sanitize_tool_calls(message: BaseMessage) -> AIMessage:
    """Give every remote tool call an id (some servers omit it) so results can be matched."""
    assert isinstance(message, AIMessage)
    if not message.tool_calls:
        return message
    fixed = []
    for i, call in enumerate(message.tool_calls):
        fixed.append({**call, "id": call.get("id") or f"call_remote_{i}"})
    return message.model_copy(update={"tool_calls": fixed})


def _short_reason(exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc).split("\n")[0][:120]
    return f"{name}: {text}" if text else name


def _summarize(content: str) -> str:
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return content[:200]
    if "error" in data:
        return f"error: {data['error']}"
    if "steps" in data:
        return f"{data.get('status')}: {len(data.get('steps') or [])} steps, {data.get('weeks')} weeks"
    if "hits" in data:
        return f"{len(data['hits'])} results"
    if "requirements" in data:
        return f"{len(data['requirements'])} requirements"
    if "updated" in data:
        return "updated: " + ", ".join(data["updated"]) if data["updated"] else "no change"
    return ", ".join(list(data)[:5])
