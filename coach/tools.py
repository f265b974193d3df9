"""The agent's tools: typed wrappers around the core functions the CLI and API call.

Each tool has a pydantic argument schema (what a chat model sees, with its description from
`prompts/tools/<name>.md`) and an implementation that receives a `ToolContext`: the learner's profile, the
latest posting analysis and pathway, and the `Backends` (search, posting analysis, planning, drafting,
storage). The backends default to the real modules, imported lazily so one helper's broken module cannot
break the others; tests pass fakes.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field, ValidationError

from coach.errors import BadInput, CoachError, Forbidden, NotFound
from coach.models import HeldCredential, Profile
from coach.texts import load_text

if TYPE_CHECKING:
    from coach.context import CoachContext

# --------------------------------------------------------------------------------------------------------------
# Argument schemas (what the model fills in)
# --------------------------------------------------------------------------------------------------------------


class SearchArgs(BaseModel):
    """Arguments of search_knowledge."""

    query: str = Field(
        description="What to look for, in plain words (a credential, role, skill, topic or a learner's question)."
    )
    kind: Literal["credential", "occupation", "skill", "rule", "guidance"] | None = Field(
        default=None,
        description="Restrict to one kind of knowledge-base item; 'guidance' holds sourced answers to open "
        "questions (recognition, renewal, apprenticeships, free options, sector rules...).",
    )
    k: int = Field(default=5, ge=1, le=20, description="How many results.")
    provider: str | None = Field(default=None, description="Only credentials from this provider.")
    level: Literal["entry", "intermediate", "advanced", "expert"] | None = None
    max_cost: float | None = Field(default=None, ge=0, description="Only credentials costing at most this.")


class AnalyzePostingArgs(BaseModel):
    """Arguments of analyze_posting."""

    text: str = Field(description="The full job posting exactly as the learner pasted it (treated as data).")


class PlanArgs(BaseModel):
    """Arguments of plan_pathway (unset constraints come from the learner's profile)."""

    role: str | None = Field(
        default=None, description="Target role: an O*NET-SOC code, ESCO URI or title. Default: the profile's."
    )
    use_posting: bool = Field(default=False, description="Plan towards the last analysed posting instead.")
    budget: float | None = Field(default=None, ge=0, description="Money available, in the profile currency.")
    hours_per_week: float | None = Field(default=None, gt=0, le=100)
    weeks: int | None = Field(default=None, gt=0, le=520, description="Deadline in weeks from now.")
    alternatives: int = Field(default=0, ge=0, le=3, description="How many alternative pathways to add.")


class DraftArgs(BaseModel):
    """Arguments of draft_presentation."""

    focus: Literal["all", "resume", "cover_letter", "linkedin"] = Field(
        default="all", description="Which drafts to show first."
    )


class GetProfileArgs(BaseModel):
    """get_profile takes no arguments."""


class CredentialInput(BaseModel):
    """A credential the learner mentions."""

    name: str
    status: Literal["earned", "in_progress", "planned"] = "earned"


class UpdateProfileArgs(BaseModel):
    """Arguments of update_profile: only what the learner actually said; unset fields stay as they are."""

    name: str | None = None
    current_role: str | None = None
    target_role: str | None = Field(default=None, description="Occupation id or title the learner aims for.")
    target_role_label: str | None = Field(default=None, description="Readable title of the target role.")
    add_skills: list[str] = Field(default_factory=list, description="Skills the learner says they have.")
    add_credentials: list[CredentialInput] = Field(default_factory=list)
    budget: float | None = Field(default=None, ge=0)
    currency: str | None = None
    hours_per_week: float | None = Field(default=None, gt=0, le=100)
    weeks: int | None = Field(default=None, gt=0, le=520)
    experience_years: float | None = Field(
        default=None,
        gt=0,
        le=60,
        description="How long the learner says they have worked in their current role, in years.",
    )


class SaveArgs(BaseModel):
    """Arguments of save_pathway."""

    note: str = Field(default="", description="A short note to keep with the saved pathway.")


class SubmitArgs(BaseModel):
    """Arguments of submit_for_review."""

    note: str = Field(default="", description="What the learner wants the coach to look at.")


TOOL_SCHEMAS: dict[str, type[BaseModel]] = {
    "search_knowledge": SearchArgs,
    "analyze_posting": AnalyzePostingArgs,
    "plan_pathway": PlanArgs,
    "draft_presentation": DraftArgs,
    "get_profile": GetProfileArgs,
    "update_profile": UpdateProfileArgs,
    "save_pathway": SaveArgs,
    "submit_for_review": SubmitArgs,
}

# --------------------------------------------------------------------------------------------------------------
# Backends: the core functions behind the tools (real by default, fakes in tests)
# --------------------------------------------------------------------------------------------------------------


class PathwayStore(Protocol):
    """Where saved pathways go and how they are submitted for coach review."""

    def save(self, learner_id: str, pathway: dict[str, Any], profile: dict[str, Any], note: str) -> dict:
        """Save a pathway (a new version when one was saved before); returns id, version, status."""
        ...

    def submit(self, learner_id: str, pathway_id: str, note: str) -> dict:
        """Submit a saved pathway for coach review; returns id, status."""
        ...


class ChatPathwayStore:
    """Pathways saved from a conversation go to coach.store, the one pathway store, and its review workflow.

    A learner id that is an account saves as that learner; any other id (the terminal `coach chat`, demos)
    saves as a guest learner made for it, who cannot sign in, so every saved pathway can be listed, exported and
    reviewed the same way."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def _owner(self, session: Any, learner_id: str) -> tuple[Any, str]:
        from coach.store import user_repo
        from coach.store.tables import User

        user = session.get(User, int(learner_id)) if str(learner_id).isdigit() else None
        if user is not None:
            return user, "account"
        return user_repo.guest_learner(session=session, key=str(learner_id)), "guest"

    def save(self, learner_id: str, pathway: dict[str, Any], profile: dict[str, Any], note: str) -> dict:
        """Save a pathway as a new draft of the learner (or of the conversation's guest learner)."""
        from coach.models import Pathway
        from coach.store import get_engine, session_factory, transaction
        from coach.store.pathway_repo import create_pathway

        _, write = session_factory(get_engine(self.db_url))
        with transaction(write) as session:
            owner, kind = self._owner(session, learner_id)
            row = create_pathway(
                session=session, owner=owner, pathway=Pathway.model_validate(pathway), note=note
            )
            return {"id": str(row.id), "version": row.current_version, "status": row.status, "store": kind}

    def submit(self, learner_id: str, pathway_id: str, note: str) -> dict:
        """Submit one of the learner's saved pathways for coach review (NotFound for anyone else's)."""
        from coach.store import get_engine, session_factory, transaction
        from coach.store.pathway_repo import submit_pathway

        if not str(pathway_id).isdigit():
            raise NotFound(f"No saved pathway {pathway_id} for this learner")
        _, write = session_factory(get_engine(self.db_url))
        with transaction(write) as session:
            owner, kind = self._owner(session, learner_id)
            try:
                review = submit_pathway(session=session, actor=owner, pathway_id=int(pathway_id))
            except Forbidden as exc:  # another learner's pathway: do not reveal that it exists
                raise NotFound(f"No saved pathway {pathway_id} for this learner") from exc
            return {"id": str(pathway_id), "status": "pending", "review_id": review.id, "store": kind}


def default_store(db_url: str) -> PathwayStore:
    """The store the agent uses: coach.store, for account holders and guests alike."""
    return ChatPathwayStore(db_url)


@dataclass
class Backends:
    """The core functions the tools call. Each takes plain inputs and returns plain JSON-able data."""

    search: Callable[..., list[dict]]
    analyze: Callable[[str, Profile | None], dict]
    plan: Callable[..., dict]
    draft: Callable[[Profile, dict | None, dict | None], dict]
    store: PathwayStore
    resolve_credential: Callable[[str], dict | None] = field(default=lambda name: None)
    recognition: Callable[[str], list[dict]] = field(default=lambda credential_id: [])


def _plain(value: Any) -> Any:
    """A pydantic model (or list of them) as JSON-able data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def default_backends(ctx: CoachContext, db_url: str | None = None) -> Backends:
    """Backends over the real modules (retrieval, postings, planner, presenter, store) and a face's context,
    each used on first call."""
    url = db_url or ctx.settings.db_url

    def search(query: str, **filters: Any) -> list[dict]:
        hits = ctx.index.search(query, **filters)
        return [_plain(h) for h in hits]

    def analyze(text: str, profile: Profile | None) -> dict:
        return _plain(ctx.analyze_posting(text, profile))

    def plan(profile: Profile, **kwargs: Any) -> dict:
        from coach.models import PostingAnalysis

        posting = kwargs.pop("posting", None)
        if posting is not None:
            kwargs["posting"] = PostingAnalysis.model_validate(posting)
        return _plain(ctx.plan_pathway(profile, **kwargs))

    def draft(profile: Profile, pathway: dict | None, posting: dict | None) -> dict:
        from coach.models import Pathway, PostingAnalysis
        from coach.presenter import draft_all

        return _plain(
            draft_all(
                profile,
                pathway=Pathway.model_validate(pathway) if pathway else None,
                posting=PostingAnalysis.model_validate(posting) if posting else None,
                catalog=ctx.catalog,
            )
        )

    def resolve_credential(name: str) -> dict | None:
        cred = ctx.catalog.find_credential(name)
        return {"id": cred.id, "name": cred.name} if cred else None

    def recognition(credential_id: str) -> list[dict]:
        return [dataclasses.asdict(r) for r in ctx.catalog.recognition.get(credential_id, [])]

    return Backends(
        search=search,
        analyze=analyze,
        plan=plan,
        draft=draft,
        store=_LazyStore(url),
        resolve_credential=resolve_credential,
        recognition=recognition,
    )


class _LazyStore:
    """Builds the store on first use so building an agent opens no database it does not need."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._store: PathwayStore | None = None

    def _get(self) -> PathwayStore:
        if self._store is None:
            self._store = default_store(self.db_url)
        return self._store

    def save(self, learner_id: str, pathway: dict[str, Any], profile: dict[str, Any], note: str) -> dict:
        """Save a pathway."""
        return self._get().save(learner_id, pathway, profile, note)

    def submit(self, learner_id: str, pathway_id: str, note: str) -> dict:
        """Submit a saved pathway."""
        return self._get().submit(learner_id, pathway_id, note)


# --------------------------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------------------------


@dataclass
class ToolContext:
    """What a tool may read and change: the learner's state for this conversation."""

    learner_id: str
    profile: Profile
    backends: Backends
    pathway: dict | None = None
    posting: dict | None = None
    posting_text: str | None = None
    saved_pathway: dict | None = None


@dataclass
class ToolOutcome:
    """A tool's result (JSON-able) and whether it failed."""

    name: str
    result: dict
    ok: bool = True


MAX_POSTING_CHARS = 50_000


def _tool_search(args: SearchArgs, ctx: ToolContext) -> dict:
    filters = {
        k: v
        for k, v in {
            "kind": args.kind,
            "k": args.k,
            "provider": args.provider,
            "level": args.level,
            "max_cost": args.max_cost,
        }.items()
        if v is not None
    }
    hits = [_compact_hit(h) for h in ctx.backends.search(args.query, **filters)[: args.k]]
    for h in hits:
        if h.get("kind") == "credential":
            # What the knowledge base knows of employers' recognition: sourced signs, or none (unknown).
            h["recognition"] = _compact_recognition(ctx.backends.recognition(str(h.get("id"))))
    return {"query": args.query, "hits": hits}


def _compact_hit(hit: dict) -> dict:
    """Keep what an answer can use; drop bulky fields so tool messages stay small."""
    meta = dict(hit.get("metadata") or {})
    keep = {
        k: meta[k]
        for k in (
            "provider",
            "cost",
            "currency",
            "hours",
            "hours_min",
            "hours_max",
            "hours_estimated",
            "level",
            "type",
            "url",
            "exam_code",
            "onet_soc",
            "rule_type",
            "subject",
            "objects",
        )
        if k in meta and meta[k] not in (None, "", [])
    }
    if hit.get("kind") == "guidance":
        # A sourced answer: the whole answer and every page it cites, so the reply can quote and cite it.
        keep["topic"] = meta.get("topic")
        keep["answer"] = meta.get("answer")
        keep["similarity"] = hit.get("similarity")  # absolute closeness to the question (cosine), or None
        keep["sources"] = [
            {"name": s.get("name"), "url": s.get("url"), "as_of": s.get("as_of")}
            for s in meta.get("sources") or []
            if isinstance(s, dict)
        ]
    source = hit.get("source") or {}
    return {
        "id": hit.get("id"),
        "kind": hit.get("kind"),
        "title": hit.get("title"),
        "score": round(float(hit.get("score") or 0.0), 4),
        "snippet": (hit.get("snippet") or "")[:300],
        "source": {"name": source.get("name"), "url": source.get("url")} if source else None,
        **keep,
    }


def _tool_analyze(args: AnalyzePostingArgs, ctx: ToolContext) -> dict:
    text = args.text.strip()
    if not text:
        raise BadInput("The posting is empty.")
    if len(text) > MAX_POSTING_CHARS:
        raise BadInput(
            f"The posting is too long ({len(text):,} characters; the limit is {MAX_POSTING_CHARS:,})."
        )
    has_profile = bool(ctx.profile.skills or ctx.profile.credentials or ctx.profile.experience)
    analysis = ctx.backends.analyze(text, ctx.profile if has_profile else None)
    ctx.posting, ctx.posting_text = analysis, text
    ctx.profile.target.posting = text
    return _compact_posting(analysis)


def _compact_posting(analysis: dict) -> dict:
    reqs = []
    for r in analysis.get("requirements", [])[:25]:
        reqs.append(
            {
                "text": r.get("text"),
                "kind": r.get("kind"),
                "required": r.get("required", True),
                "skills": [s.get("label") for s in (r.get("skills") or [])[:2]],
                "match": r.get("match"),
            }
        )
    return {
        "title": analysis.get("title"),
        "occupation": analysis.get("occupation"),
        "requirements": reqs,
        "score": analysis.get("score"),
        "score_explanation": _short_explanation(analysis.get("score_explanation") or ""),
        "gaps": [g.get("text") for g in analysis.get("gaps", [])[:12]],
        "gap_credentials": analysis.get("gap_credentials", [])[:5],
        "notices": analysis.get("notices", []),
    }


def _short_explanation(text: str) -> str | None:
    """The counts from the postings module's score explanation ("Required: 1 met, ..."), not its method notes."""
    sentences = re.split(r"(?<=\.)\s+", text.strip())
    counts = [s for s in sentences if s.startswith(("Required:", "Preferred:"))]
    return " ".join(counts) if counts else (sentences[0] if sentences and sentences[0] else None)


def _tool_plan(args: PlanArgs, ctx: ToolContext) -> dict:
    profile = ctx.profile
    role = args.role or profile.target.role
    posting = ctx.posting if (args.use_posting or (not role and ctx.posting)) else None
    if not role and posting is None:
        raise BadInput("I need a target role or a posting before I can plan.")
    c = profile.constraints
    kwargs: dict[str, Any] = {
        "role": None if posting is not None else role,
        "posting": posting,
        "budget": args.budget if args.budget is not None else c.budget,
        "hours_per_week": args.hours_per_week if args.hours_per_week is not None else c.hours_per_week,
        "weeks": args.weeks if args.weeks is not None else c.weeks,
        "alternatives": args.alternatives,
    }
    pathway = ctx.backends.plan(profile, **kwargs)
    ctx.pathway = pathway
    ctx.saved_pathway = None  # a new plan is not the one saved before
    return _compact_pathway(pathway)


def _compact_step(s: dict) -> dict:
    return {
        "id": s.get("id"),
        "name": s.get("name"),
        "kind": s.get("kind"),
        "provider": s.get("provider"),
        "start_week": s.get("start_week"),
        "end_week": s.get("end_week"),
        "cost": s.get("cost"),
        "currency": s.get("currency", "USD"),
        "hours": s.get("hours"),
        "hours_estimated": s.get("hours_estimated", False),
        "skills": [k.get("label") for k in (s.get("skills") or [])[:5]],
        "prerequisites": s.get("prerequisites", []),
        "unlocks": s.get("unlocks", []),
        # The planner's "why" often restates the skills closed, which the answer already lists.
        "why": _short_why(s.get("why") or ""),
        "url": s.get("url"),
        "cost_known": s.get("cost_known", True),
        "cost_estimated": s.get("cost_estimated", False),
        "price_note": _price_note(s.get("why") or ""),
        "recognition": _compact_recognition(s.get("recognition") or []),
    }


def _price_note(why: str) -> str:
    """How the planner reached a step's price (a subscription estimate, a conversion, a free exam), from its
    reason: what a learner asking "what does it cost?" needs beyond the figure."""
    why = re.split(r"\s*Source: ", why)[0]
    return " ".join(
        sentence.strip()
        for sentence in re.split(r"(?<=\.)\s+", why)
        if re.match(r"(?:Estimated|Priced|Free|Price)\b", sentence.strip())
    )


def _compact_recognition(signals: list[dict]) -> list[dict]:
    """Employer-recognition signs as an answer cites them: what each means and the page it rests on."""
    return [
        {
            "label": r.get("label"),
            "url": r.get("url"),
            "official": r.get("official", True),
            "date": r.get("date"),
        }
        for r in signals[:4]
    ]


def _short_why(why: str) -> str:
    """The planner's reason for a step without what the answer already shows (skills closed, sources)."""
    why = re.sub(r"^Closes [^.]*\.\s*", "", why)
    why = re.split(r"\s*Source: ", why)[0]
    why = re.sub(r"\s*Ordered by level \([a-z]+\)\.", "", why).strip()
    sentences = re.split(r"(?<=\.)\s+", why)
    return " ".join(sentences[:2]).strip()


_STATED_ASSUMPTION_RE = re.compile(r"^(?:No hours per week given|Prices not in [A-Z]{3} are converted)")


def _compact_pathway(p: dict, with_alternatives: bool = True) -> dict:
    out = {
        "status": p.get("status"),
        "reason": re.sub(r"^No pathway fits:\s*", "", p.get("reason") or "") or None,
        "target": p.get("target"),
        "label": p.get("label"),
        "steps": [_compact_step(s) for s in p.get("steps", [])],
        "total_cost": p.get("total_cost"),
        "currency": p.get("currency", "USD"),
        "total_hours": p.get("total_hours"),
        "weeks": p.get("weeks"),
        "completion_date": p.get("completion_date"),
        "coverage_before": p.get("coverage_before"),
        "coverage_after": p.get("coverage_after"),
        "covered": [k.get("label") for k in (p.get("covered") or [])[:10]],
        "uncovered": [k.get("label") for k in (p.get("uncovered") or [])[:8]],
        "trade_off": p.get("trade_off"),
        "nearest_feasible": p.get("nearest_feasible"),
        "binding": p.get("binding") or [],
        "explanation": p.get("explanation", ""),
        # Defaults the planner assumed and price conversions: the answer states them.
        "assumptions": [a for a in p.get("assumptions") or [] if _STATED_ASSUMPTION_RE.search(a)],
    }
    if with_alternatives:
        out["alternatives"] = [_compact_pathway(a, False) for a in p.get("alternatives", [])[:3]]
    return out


def _tool_draft(args: DraftArgs, ctx: ToolContext) -> dict:
    drafts = ctx.backends.draft(ctx.profile, ctx.pathway, ctx.posting)
    return {"focus": args.focus, "drafts": drafts}


def _tool_get_profile(args: GetProfileArgs, ctx: ToolContext) -> dict:
    return {"profile": ctx.profile.model_dump(mode="json", exclude={"target": {"posting"}})}


def _tool_update_profile(args: UpdateProfileArgs, ctx: ToolContext) -> dict:
    p = ctx.profile
    changed: list[str] = []
    if args.name:
        p.name = args.name.strip()
        changed.append("name")
    if args.current_role:
        p.current_role = args.current_role.strip()
        changed.append("current_role")
    if args.target_role:
        p.target.role = args.target_role.strip()
        extra = p.target.model_extra if p.target.model_extra is not None else {}
        extra["role_label"] = (args.target_role_label or args.target_role).strip()
        changed.append("target_role")
    for skill in args.add_skills:
        s = skill.strip()
        if s and s.lower() not in {x.lower() for x in p.skills}:
            p.skills.append(s)
            changed.append("skills")
    for cred in args.add_credentials:
        resolved = ctx.backends.resolve_credential(cred.name)
        name = resolved["name"] if resolved else cred.name.strip()
        existing = next((c for c in p.credentials if c.name.lower() == name.lower()), None)
        if existing:
            existing.status = cred.status
        else:
            p.credentials.append(
                HeldCredential(name=name, status=cred.status, id=resolved["id"] if resolved else None)
            )
        changed.append("credentials")
    if (
        args.experience_years
        and p.current_role
        and p.record_years_in_role(p.current_role, args.experience_years, date.today())
    ):
        changed.append("experience")
    c = p.constraints
    for attr in ("budget", "hours_per_week", "weeks", "currency"):
        value = getattr(args, attr)
        if value is not None:
            setattr(c, attr, value)
            changed.append(attr)
    return {"updated": sorted(set(changed)), "profile": _tool_get_profile(GetProfileArgs(), ctx)["profile"]}


def _tool_save(args: SaveArgs, ctx: ToolContext) -> dict:
    if not ctx.pathway:
        raise BadInput("There is no pathway to save yet: plan one first.")
    saved = ctx.backends.store.save(
        ctx.learner_id, ctx.pathway, ctx.profile.model_dump(mode="json"), args.note
    )
    ctx.saved_pathway = saved
    return {"saved": saved}


def _tool_submit(args: SubmitArgs, ctx: ToolContext) -> dict:
    saved = ctx.saved_pathway
    if saved is None:
        if not ctx.pathway:
            raise BadInput("There is no pathway to submit yet: plan one first.")
        saved = ctx.backends.store.save(
            ctx.learner_id, ctx.pathway, ctx.profile.model_dump(mode="json"), args.note
        )
    result = ctx.backends.store.submit(ctx.learner_id, str(saved["id"]), args.note)
    ctx.saved_pathway = {**saved, **result}
    return {"submitted": ctx.saved_pathway}


_IMPLEMENTATIONS: dict[str, Callable[[Any, ToolContext], dict]] = {
    "search_knowledge": _tool_search,
    "analyze_posting": _tool_analyze,
    "plan_pathway": _tool_plan,
    "draft_presentation": _tool_draft,
    "get_profile": _tool_get_profile,
    "update_profile": _tool_update_profile,
    "save_pathway": _tool_save,
    "submit_for_review": _tool_submit,
}


def run_tool(name: str, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
    """Validate `args` and run tool `name`; user-facing problems become an error result, not an exception."""
    schema = TOOL_SCHEMAS.get(name)
    if schema is None:
        return ToolOutcome(name, {"error": f"Unknown tool {name!r}."}, ok=False)
    try:
        parsed = schema.model_validate(args or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "arguments"
        return ToolOutcome(name, {"error": f"Invalid {where}: {first.get('msg')}"}, ok=False)
    try:
        return ToolOutcome(name, _IMPLEMENTATIONS[name](parsed, ctx))
    except CoachError as exc:
        return ToolOutcome(name, {"error": exc.message}, ok=False)
    except Exception as exc:  # a tool must never crash the conversation; the answer says what went wrong
        return ToolOutcome(name, {"error": f"{name} failed: {type(exc).__name__}: {exc}"}, ok=False)


def outcome_json(outcome: ToolOutcome) -> str:
    """The text a ToolMessage carries: compact JSON."""
    return json.dumps(outcome.result, ensure_ascii=False, default=str, separators=(",", ":"))


def langchain_tools(prompts_dir: Path | None = None) -> list[StructuredTool]:
    """The tools as LangChain tools (for `bind_tools`); descriptions come from prompts/tools/."""

    def _never(**_: Any) -> str:  # the agent's tools node runs tools with state; this is only the schema
        raise RuntimeError("tools run in the agent graph")

    return [
        StructuredTool.from_function(
            func=_never,
            name=name,
            description=load_text(f"tools/{name}.md", prompts_dir),
            args_schema=schema,
        )
        for name, schema in TOOL_SCHEMAS.items()
    ]
