"""Request dependencies: database access, the signed-in user, role checks, pagination, rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from coach.api.services import Services
from coach.auth import Unauthorized, decode_token
from coach.context import CoachContext
from coach.errors import Forbidden
from coach.settings import Settings
from coach.store import rate_limit_repo
from coach.store.db import transaction
from coach.store.tables import User


def app_version() -> str:
    """The installed package version."""
    try:
        return version("pathway-coach")
    except PackageNotFoundError:
        return "0"


# Trivial dependencies are `async def` so FastAPI does not hop to the thread pool for each of them.
oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
MAX_PAGE = 100


@dataclass
class Database:
    """The app's engine and session makers; `read()` and `write()` are transactions."""

    engine: Engine
    read_maker: sessionmaker[Session]
    write_maker: sessionmaker[Session]

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work."""
        with self.read_maker() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on error."""
        with transaction(self.write_maker) as session:
            yield session


async def get_db(request: Request) -> Database:
    """The app's database."""
    return request.app.state.db


async def get_settings_dep(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


async def get_services(request: Request) -> Services:
    """The app's core services."""
    return request.app.state.services


async def get_context(request: Request) -> CoachContext:
    """The app's current context (catalogue, linker, ...); a catalogue reload swaps it between requests."""
    return request.app.state.context


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServicesDep = Annotated[Services, Depends(get_services)]
ContextDep = Annotated[CoachContext, Depends(get_context)]


def current_user(db: DbDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2)]) -> User:
    """The active user of the bearer token; 401 otherwise."""
    if not token:
        raise Unauthorized("sign in first: send Authorization: Bearer <token> (POST /auth/token)")
    user_id = decode_token(token, secret=settings.token_secret())
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise Unauthorized("this account no longer exists or is disabled")
        session.expunge(user)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def require_staff(user: CurrentUser) -> User:
    """A coach or admin; 403 for learners."""
    if user.role not in ("coach", "admin"):
        raise Forbidden("this is for coaches and admins")
    return user


async def require_admin(user: CurrentUser) -> User:
    """An admin; 403 otherwise."""
    if user.role != "admin":
        raise Forbidden("this is for admins")
    return user


StaffUser = Annotated[User, Depends(require_staff)]
AdminUser = Annotated[User, Depends(require_admin)]


@dataclass
class Page:
    """limit/offset pagination (limit capped at 100)."""

    limit: int
    offset: int


async def page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="At most 100.")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page:
    """Pagination parameters."""
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(page)]


def rate_limit(db: Database, settings: Settings, user: User, bucket: str) -> None:
    """Count one use of an expensive route; 429 with Retry-After past settings.rate_limit_per_minute."""
    with db.write() as session:
        rate_limit_repo.take_rate_token(
            session=session, user=user, bucket=bucket, limit=settings.rate_limit_per_minute
        )
