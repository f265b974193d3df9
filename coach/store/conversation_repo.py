"""Conversations and their messages."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coach.errors import NotFound
from coach.store.tables import (
    Conversation,
    Message,
    User,
    utcnow,
)
from coach.store.user_repo import can_see_learner, require_learner_access


def get_or_create_conversation(
    *, session: Session, user: User, conversation_id: str | None, title: str = ""
) -> Conversation:
    """The user's conversation `conversation_id`, or a new one; NotFound for someone else's."""
    if conversation_id:
        conv = session.get(Conversation, conversation_id)
        if conv is None or conv.user_id != user.id:
            raise NotFound(f"no conversation {conversation_id}")
        return conv
    now = utcnow()
    conv = Conversation(
        id=uuid.uuid4().hex, user_id=user.id, title=title[:200], created_at=now, updated_at=now
    )
    session.add(conv)
    session.flush()
    return conv


def add_message(
    *, session: Session, conversation_id: str, role: str, content: str, meta: dict[str, Any] | None = None
) -> Message:
    """Append a message to a conversation."""
    msg = Message(
        conversation_id=conversation_id, role=role, content=content, meta=meta or {}, created_at=utcnow()
    )
    session.add(msg)
    conv = session.get(Conversation, conversation_id)
    if conv is not None:
        conv.updated_at = utcnow()
    session.flush()
    return msg


def list_conversations(
    *, session: Session, viewer: User, user_id: int, limit: int, offset: int
) -> list[Conversation]:
    """A user's conversations, newest first (the user, their coach or an admin)."""
    require_learner_access(session=session, viewer=viewer, learner_id=user_id)
    stmt = (
        select(Conversation)
        .where(Conversation.user_id == user_id)
        .order_by(Conversation.updated_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def list_messages(
    *, session: Session, viewer: User, conversation_id: str, limit: int, offset: int
) -> list[Message]:
    """Messages of a conversation `viewer` may see, oldest first."""
    conv = session.get(Conversation, conversation_id)
    if conv is None or not can_see_learner(session=session, viewer=viewer, learner_id=conv.user_id):
        raise NotFound(f"no conversation {conversation_id}")
    stmt = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))
