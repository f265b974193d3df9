"""POST /auth/register and POST /auth/token (form or JSON)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, status
from pydantic import ValidationError

from coach.api.deps import DbDep, SettingsDep
from coach.api.schemas import LoginIn, RegisterIn, TokenOut, UserPublic
from coach.auth import Unauthorized, create_token
from coach.errors import BadInput
from coach.store import user_repo

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
    responses={409: {"description": "Username taken"}},
)
def register(body: RegisterIn, db: DbDep) -> UserPublic:
    """Anyone may register as a learner; coaches and admins are created by an admin."""
    with db.write() as session:
        user = user_repo.create_user(
            session=session, username=body.username, password=body.password, display_name=body.display_name
        )
        return UserPublic.model_validate(user)


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
    responses={401: {"description": "Wrong username or password"}},
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
        with db.read() as session:
            user = user_repo.authenticate(session=session, username=creds.username, password=creds.password)
            if user is None:
                raise Unauthorized("wrong username or password")
            access = create_token(
                user_id=user.id,
                role=user.role,
                secret=settings.token_secret(),
                minutes=settings.token_minutes,
            )
            return TokenOut(
                access_token=access,
                expires_in=settings.token_minutes * 60,
                user=UserPublic.model_validate(user),
            )

    # argon2 verification is CPU-bound: keep it off the event loop.
    return await run_in_threadpool(_login)
