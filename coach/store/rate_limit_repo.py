"""Rate limits: tokens per user and kind of request, in a sliding window."""

from __future__ import annotations

import time

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from coach.errors import CoachError
from coach.store.tables import (
    AuthAttempt,
    RateEvent,
    User,
)


class RateLimited(CoachError):
    """Too many requests of one kind in the window; `retry_after` seconds until the next is allowed."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def take_rate_token(
    *, session: Session, user: User, bucket: str, limit: int, window_s: float = 60.0, now: float | None = None
) -> None:
    """Count one use of `bucket` for `user`; RateLimited when `limit` uses already fell in the window.

    Stored in the database (not a worker's memory) so every API worker enforces the same limit; the user's row
    is locked so concurrent requests of one user are counted one after another."""
    now = time.time() if now is None else now
    session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    since = now - window_s
    session.execute(
        delete(RateEvent).where(
            RateEvent.user_id == user.id, RateEvent.bucket == bucket, RateEvent.at < since
        )
    )
    count, oldest = session.execute(
        select(func.count(RateEvent.id), func.min(RateEvent.at)).where(
            RateEvent.user_id == user.id, RateEvent.bucket == bucket, RateEvent.at >= since
        )
    ).one()
    if count >= limit:
        retry = max(1, int((oldest or now) + window_s - now) + 1)
        raise RateLimited(f"too many {bucket} requests; try again in {retry} s", retry_after=retry)
    session.add(RateEvent(user_id=user.id, bucket=bucket, at=now))


def check_attempts(
    *, session: Session, keys: list[str], bucket: str, limit: int, window_s: float, now: float | None = None
) -> None:
    """RateLimited when any key (an account, a client address) already made `limit` attempts of `bucket` (failed
    sign-ins, registrations) in the window. In the database, so every worker shares the counts."""
    now = time.time() if now is None else now
    since = now - window_s
    session.execute(delete(AuthAttempt).where(AuthAttempt.bucket == bucket, AuthAttempt.at < since))
    for key in keys:
        count, oldest = session.execute(
            select(func.count(AuthAttempt.id), func.min(AuthAttempt.at)).where(
                AuthAttempt.key == key, AuthAttempt.bucket == bucket, AuthAttempt.at >= since
            )
        ).one()
        if count >= limit:
            retry = max(1, int((oldest or now) + window_s - now) + 1)
            what = "sign-in attempts" if bucket == "login" else "new accounts"
            raise RateLimited(f"too many {what}; try again in {retry} s", retry_after=retry)


def record_attempt(*, session: Session, keys: list[str], bucket: str, now: float | None = None) -> None:
    """Count one attempt of `bucket` for each key."""
    now = time.time() if now is None else now
    session.add_all(AuthAttempt(key=key, bucket=bucket, at=now) for key in keys)
