"""The core functions the API calls, gathered so tests can swap them and imports stay lazy.

Each default imports its core module on first use, so the API starts fast (the planner, linker and agent load
only when a route needs them)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from coach.errors import CoachError
from coach.models import Credential, Pathway, PostingAnalysis, Profile
from coach.store.workflow import basic_validate

log = logging.getLogger("coach.api")


PlanFn = Callable[..., Pathway]
AnalyzeFn = Callable[[str, Profile | None], PostingAnalysis]
ValidateFn = Callable[[Pathway, Profile | None], list[str]]
FindCredentialFn = Callable[[str], Credential | None]
ChatFn = Callable[..., Iterator[Any]]


def _catalog() -> Any:
    from coach.knowledge import get_catalog

    return get_catalog()


def default_plan(profile: Profile, **kwargs: Any) -> Pathway:
    """coach.planner.plan_pathway over the process-wide catalogue."""
    from coach.planner import plan_pathway

    return plan_pathway(profile, catalog=_catalog(), **kwargs)


def default_analyze(text: str, profile: Profile | None) -> PostingAnalysis:
    """coach.postings.analyze_posting over the process-wide catalogue."""
    from coach.postings import analyze_posting

    return analyze_posting(text, profile=profile, catalog=_catalog())


def default_validate(pathway: Pathway, profile: Profile | None) -> list[str]:
    """The planner's validator; without a knowledge base, at least order and budget (and a note in the log)."""
    from coach.planner import validate_pathway

    try:
        catalog = _catalog()
    except CoachError as exc:  # no knowledge base yet: still check order and budget, and say so in the log
        log.warning("validating without catalogue rules: %s", exc.message)
        return basic_validate(pathway, profile, [])
    return list(validate_pathway(pathway, profile or Profile(), catalog))


def default_find_credential(ident: str) -> Credential | None:
    """A catalogue credential by id, name or exam code."""
    return _catalog().find_credential(ident)


_agents: dict[str, Any] = {}
_agents_lock = threading.Lock()


def default_chat(
    *, message: str, learner_id: str, thread_id: str, profile: Profile | None, settings: Any
) -> Iterator[Any]:
    """One streamed agent turn (coach.agent), with one agent per database."""
    from coach.agent import build_agent

    with _agents_lock:
        agent = _agents.get(settings.db_url)
        if agent is None:
            agent = _agents[settings.db_url] = build_agent(settings)
    return agent.stream_turn(message, learner_id, thread_id, profile)


def default_reload() -> None:
    """Load the knowledge base again; the next request plans from the new catalogue (admin refresh)."""
    from coach.knowledge import reload_catalog

    reload_catalog()


@dataclass
class Services:
    """Core functions used by the routes (swap any of them in tests)."""

    plan: PlanFn = default_plan
    analyze: AnalyzeFn = default_analyze
    validate: ValidateFn = default_validate
    find_credential: FindCredentialFn = default_find_credential
    chat: ChatFn = default_chat
    reload_catalog: Callable[[], None] = default_reload
    # Core modules are not guaranteed thread-safe on first load; one lock keeps their lazy init single.
    lock: threading.Lock = field(default_factory=threading.Lock)
