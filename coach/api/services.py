"""The core functions the API calls, gathered so tests can swap them and imports stay lazy.

Each default imports its core module on first use, so the API starts fast (the planner, linker and agent load
only when a route needs them)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from coach.context import CoachContext
from coach.errors import CoachError
from coach.models import Credential, Pathway, PostingAnalysis, Profile
from coach.store.workflow import basic_validate

log = logging.getLogger("coach.api")


PlanFn = Callable[..., Pathway]
AnalyzeFn = Callable[[CoachContext, str, Profile | None], PostingAnalysis]
ValidateFn = Callable[[CoachContext, Pathway, Profile | None], list[str]]
FindCredentialFn = Callable[[CoachContext, str], Credential | None]
ChatFn = Callable[..., Iterator[Any]]
ReloadFn = Callable[[CoachContext], CoachContext]


def default_plan(ctx: CoachContext, profile: Profile, **kwargs: Any) -> Pathway:
    """coach.planner.plan_pathway over the context (its catalogue, linker and encoder)."""
    return ctx.plan_pathway(profile, **kwargs)


def default_analyze(ctx: CoachContext, text: str, profile: Profile | None) -> PostingAnalysis:
    """coach.postings.analyze_posting over the context (its catalogue, linker and tagger)."""
    return ctx.analyze_posting(text, profile)


def default_validate(ctx: CoachContext, pathway: Pathway, profile: Profile | None) -> list[str]:
    """The planner's validator; without a knowledge base, at least order and budget (and a note in the log)."""
    from coach.planner import validate_pathway

    try:
        catalog = ctx.catalog
    except CoachError as exc:  # no knowledge base yet: still check order and budget, and say so in the log
        log.warning("validating without catalogue rules: %s", exc.message)
        return basic_validate(pathway, profile, [])
    return list(validate_pathway(pathway, profile or Profile(), catalog))


def default_find_credential(ctx: CoachContext, ident: str) -> Credential | None:
    """A catalogue credential by id, name or exam code."""
    return ctx.catalog.find_credential(ident)


_agents: dict[str, Any] = {}
_agents_lock = threading.Lock()


def default_chat(
    *, message: str, learner_id: str, thread_id: str, profile: Profile | None, settings: Any
) -> Iterator[Any]:
    """One streamed agent turn (coach.agent), with one agent per database. The dialogue shares the process-wide
    catalogue and linker (one copy in memory), as the conversation's own engine does."""
    from coach.agent import build_agent

    with _agents_lock:
        agent = _agents.get(settings.db_url)
        if agent is None:
            agent = _agents[settings.db_url] = build_agent(CoachContext(settings, share_process=True))
    return agent.stream_turn(message, learner_id, thread_id, profile)


def default_reload(ctx: CoachContext) -> CoachContext:
    """The context over the knowledge base loaded again (admin refresh); the app swaps it in, so the next
    request plans from the new catalogue."""
    return ctx.reloaded()


@dataclass
class Services:
    """Core functions used by the routes (swap any of them in tests)."""

    plan: PlanFn = default_plan
    analyze: AnalyzeFn = default_analyze
    validate: ValidateFn = default_validate
    find_credential: FindCredentialFn = default_find_credential
    chat: ChatFn = default_chat
    reload_catalog: ReloadFn = default_reload
    # Core modules are not guaranteed thread-safe on first load; one lock keeps their lazy init single.
    lock: threading.Lock = field(default_factory=threading.Lock)
