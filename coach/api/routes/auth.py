"""POST /auth/register and POST /auth/token (form or JSON)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, status
from pydantic import ValidationError

from coach.api.deps import DbDep, SettingsDep
from coach.api.schemas import LoginIn, RegisterIn, TokenOut, UserPublic
from coach.auth import Unauthorized, create_token
from coach.errors import BadInput
from coach.store import rate_limit_repo, user_repo

router = APIRouter(prefix="/auth", tags=["auth"])

_LOGIN_SCHEMA = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {
        "username": {"type": "string", "minLength": 1, "maxLength": 64},
        "password": {"type": "string", "minLength": 1, "maxLength": 128},
    },
}


@router.post(
    "/register",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a learner account",
    responses={409: {"description": "Username taken"}, 429: {"description": "Too many new accounts"}},
)
def register(body: RegisterIn, request: Request, db: DbDep, settings: SettingsDep) -> UserPublic:
    """Anyone may register as a learner; coaches and admins are created by an admin. At most
    `registrations_per_address` new accounts an hour from one address (fresh accounts would otherwise sidestep
    every per-user limit)."""
    keys = [f"addr:{_address(request)}"]
    with db.write() as session:
        rate_limit_repo.check_attempts(
            session=session,
            keys=keys,
            bucket="register",
            limit=settings.registrations_per_address,
            window_s=3600.0,
        )
        rate_limit_repo.record_attempt(session=session, keys=keys, bucket="register")
    with db.write() as session:
        user = user_repo.create_user(
            session=session, username=body.username, password=body.password, display_name=body.display_name
        )
        return UserPublic.model_validate(user)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _credentials(request: Request) -> LoginIn:
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            data = json.loads(await request.body() or b"null")
        else:
            form = await request.form()
            data = {k: form.get(k) for k in ("username", "password")}
        return LoginIn.model_validate(data)
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput("send username and password, as a form or as JSON") from exc


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Sign in: a bearer token",
    responses={
        401: {"description": "Wrong username or password"},
        429: {"description": "Too many sign-in attempts for this account or from this address"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": _LOGIN_SCHEMA},
                "application/json": {"schema": _LOGIN_SCHEMA},
            },
        }
    },
)
async def token(request: Request, db: DbDep, settings: SettingsDep) -> TokenOut:
    """Exchange username and password (form fields or a JSON object) for a JWT bearer token."""
    creds = await _credentials(request)
    from fastapi.concurrency import run_in_threadpool

    def _login() -> TokenOut:
        # Failed sign-ins are counted (in their own transaction, so they stick) per account and per address, and
        # checked before the password is: at most `login_attempts_per_account` a minute for one account and
        # `login_attempts_per_address` from one address, whoever guesses.
        account, address = f"user:{creds.username.strip().lower()}", f"addr:{_address(request)}"
        with db.write() as session:
            for key, limit in (
                (account, settings.login_attempts_per_account),
                (address, settings.login_attempts_per_address),
            ):
                rate_limit_repo.check_attempts(
                    session=session, keys=[key], bucket="login", limit=limit, window_s=60.0
                )
        with db.read() as session:
            user = user_repo.authenticate(session=session, username=creds.username, password=creds.password)
            found = None if user is None else (UserPublic.model_validate(user), user.id, user.role)
        if found is None:
            with db.write() as session:
                rate_limit_repo.record_attempt(session=session, keys=[account, address], bucket="login")
            raise Unauthorized("wrong username or password")
        public, user_id, role = found
        access = create_token(
            user_id=user_id, role=role, secret=settings.token_secret(), minutes=settings.token_minutes
        )
        return TokenOut(access_token=access, expires_in=settings.token_minutes * 60, user=public)

    # argon2 verification is CPU-bound: keep it off the event loop.
    return await run_in_threadpool(_login)
