"""POST /chat: one user turn, answered as a Server-Sent Events stream.

The agent helper provides `coach.agent.stream_turn(...)`; `engine_events` is the one small function that calls
it, so wiring changes stay here. Until it exists the route answers 503 "chat engine not available"."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from coach.api.deps import CurrentUser, Database, DbDep, ServicesDep, SettingsDep, rate_limit
from coach.api.schemas import ChatIn
from coach.api.services import Services
from coach.models import Profile
from coach.settings import Settings
from coach.store import conversation_repo, profile_repo
from coach.store.tables import User

router = APIRouter(tags=["chat"])


def engine_events(
    services: Services,
    settings: Settings,
    *,
    message: str,
    learner_id: str,
    thread_id: str,
    profile: Profile | None,
) -> Iterator[dict[str, Any]]:
    """Events of one agent turn as dicts with a `type` (notice, tool_call, tool_result, token, done)."""
    stream = services.chat(
        message=message, learner_id=learner_id, thread_id=thread_id, profile=profile, settings=settings
    )
    for event in stream:
        if isinstance(event, str):
            yield {"type": "token", "text": event}
        elif isinstance(event, dict):
            yield event
        elif hasattr(event, "model_dump"):
            yield event.model_dump(mode="json")
        else:
            yield {"type": "token", "text": str(event)}


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


@router.post(
    "/chat",
    summary="Chat with the coach (SSE stream)",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "events: conversation, then notice / tool_call / tool_result / token, then done",
        },
        429: {"description": "Rate limited"},
        503: {"description": "Chat engine not available"},
    },
)
def chat(
    body: ChatIn, user: CurrentUser, db: DbDep, settings: SettingsDep, services: ServicesDep
) -> StreamingResponse:
    """Send a message; the answer streams as `text/event-stream`. The conversation is stored in the database."""
    rate_limit(db, settings, user, "chat")
    with db.write() as session:
        conv = conversation_repo.get_or_create_conversation(
            session=session, user=user, conversation_id=body.conversation_id, title=body.message[:80]
        )
        conversation_repo.add_message(
            session=session, conversation_id=conv.id, role="user", content=body.message
        )
        # The stored profile is the learner's truth: every turn starts from it (so an edit made on the profile
        # page between turns is used), and what the coach learns in the turn is stored back when it ends.
        profile = profile_repo.get_profile(session=session, user_id=user.id)
        conv_id = conv.id
    # Start the engine before answering 200 so "not available" is a clean 503, not a broken stream.
    events = engine_events(
        services, settings, message=body.message, learner_id=str(user.id), thread_id=conv_id, profile=profile
    )
    first = next(events, None)
    return StreamingResponse(
        _stream(db, conv_id, first, events, user_id=user.id, stored=profile),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Conversation-Id": conv_id},
    )


def _stream(
    db: Database,
    conv_id: str,
    first: dict[str, Any] | None,
    events: Iterator[dict[str, Any]],
    *,
    user_id: int,
    stored: Profile | None,
) -> Iterator[str]:
    yield _sse("conversation", {"conversation_id": conv_id})
    parts: list[str] = []
    result: dict[str, Any] = {}
    learnt: Profile | None = None
    planned: Any = None
    try:
        for event in itertools.chain([first] if first else [], events):
            kind = str(event.get("type") or "message")
            if kind == "done":  # the engine's summary joins our own closing event below
                result = dict(event.get("result") or {k: v for k, v in event.items() if k != "type"})
                learnt = _learnt_profile(event.get("profile"))
                planned = event.get("pathway")
                continue
            if kind == "token":
                parts.append(str(event.get("text", "")))
            yield _sse(kind, event)
    except Exception as exc:  # the engine failed mid-stream: tell the client instead of cutting the stream
        yield _sse("error", {"detail": getattr(exc, "message", None) or "the chat engine failed"})
    answer = str(result.get("assistant") or result.get("text") or "".join(parts))
    meta = {k: v for k, v in result.items() if k not in ("assistant", "text", "user")}
    saved = False
    with db.write() as session:
        conversation_repo.add_message(
            session=session, conversation_id=conv_id, role="assistant", content=answer, meta=meta
        )
        if learnt is not None and learnt != stored:
            user = session.get(User, user_id)
            if user is not None:
                profile_repo.put_profile(session=session, user=user, profile=learnt)
                saved = True
    done: dict[str, Any] = {"conversation_id": conv_id, "result": result, "profile_saved": saved}
    if isinstance(planned, dict):
        done["pathway"] = planned  # planned this turn: the app shows it on its pathway page too
    yield _sse("done", done)


def _learnt_profile(data: object) -> Profile | None:
    """The conversation's profile from the engine's closing event; None when absent, empty or not valid."""
    if not isinstance(data, dict):
        return None
    try:
        profile = Profile.model_validate(data)
    except ValidationError:
        return None
    return None if profile == Profile() else profile
