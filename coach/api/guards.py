"""Guards every request passes before and after the routes: text that no database should see is refused, an
unexpected failure becomes a plain 500 (logged without what the request said), and responses carry the
security headers a browser needs.

These are pure ASGI middlewares, so they also cover streaming responses and run before FastAPI parses a body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("coach.api")

BAD_TEXT = "contains a character that cannot be stored (a NUL or a lone surrogate)"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
# Responses that carry a token or private data: never kept by a browser or a proxy cache.
NO_STORE_PREFIXES = (
    "/auth",
    "/me",
    "/chat",
    "/learners",
    "/conversations",
    "/pathways",
    "/reviews",
    "/cohort",
)


def _bad_strings(value: Any, where: list[str | int]) -> list[str | int] | None:
    """Where in a parsed JSON value a string holds a NUL or a lone surrogate (None when nowhere)."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            return where
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            found = _bad_strings(k, where) or _bad_strings(v, [*where, k])
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _bad_strings(v, [*where, i])
            if found is not None:
                return found
    return None


def _json_response(status: int, body: dict[str, Any]) -> list[Message]:
    data = json.dumps(body).encode()
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        },
        {"type": "http.response.body", "body": data},
    ]


class TextGuard:
    """Refuse (422) a JSON body with a NUL or a lone surrogate in any string, before a route or a database sees
    it: SQLite stores such text only to fail reading it back, PostgreSQL refuses NUL, and JSON encoders choke.
    A body over `max_bytes` is refused (413, as JSON) as soon as it is that long."""

    def __init__(self, app: App, max_bytes: int = 1_000_000) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_big(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:  # refused here, as JSON like every other refusal (not plain text)
                await self._too_big(send)
                return
        body = b"".join(chunks)
        where = None
        try:
            where = _bad_strings(json.loads(body), ["body"]) if body else None
        except ValueError:  # not JSON (a form, or not UTF-8): the route's own parser answers
            where = None
        if where is not None:
            errors = [{"type": "string_bad_character", "loc": where, "msg": f"Text {BAD_TEXT}"}]
            for message in _json_response(422, {"detail": errors}):
                await send(message)
            return
        # Then the original receive: a streaming response listens on it for the client going away.
        await self.app(
            scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send
        )

    async def _too_big(self, send: Send) -> None:
        detail = f"the request is larger than {self.max_bytes:,} bytes; send less at once"
        for reply in _json_response(413, {"detail": detail}):
            await send(reply)


def _replay(messages: list[Message], then: Receive) -> Receive:
    """A `receive` that gives back what was already read, then goes on with `then`, the original."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return await then()

    return receive


class ContainErrors:
    """An unexpected failure becomes `500 {"detail": ...}` and one log line with its type and route only.

    Starlette's own error handler answers the same but then re-raises, and the server logs the traceback, whose
    frames and validation errors carry request content (a resume line, a posting); this one does not re-raise."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # anything a route did not turn into a CoachError
            log.error("unexpected %s on %s %s", type(exc).__name__, scope.get("method"), scope.get("path"))
            if not started:
                for message in _json_response(
                    500, {"detail": "internal error; the request was not completed"}
                ):
                    await send(message)


class SecurityHeaders:
    """nosniff, no framing, no referrer on every response; no-store on those with tokens or private data."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = str(scope.get("path", "")).startswith(NO_STORE_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"server", b"cache-control")
                ] + SECURITY_HEADERS
                old_cache = [v for k, v in message.get("headers", []) if k.lower() == b"cache-control"]
                headers.append(
                    (
                        b"cache-control",
                        b"no-store" if private else (old_cache[0] if old_cache else b"no-cache"),
                    )
                )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with each error's type, place, message and limits, never the value sent: it may be private (a resume
    line) or not even writable as JSON (NaN)."""
    errors = []
    for e in exc.errors():
        ctx = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, (int, float, str, bool))}
        errors.append(
            {
                "type": e.get("type"),
                "loc": list(e.get("loc", ())),
                "msg": e.get("msg"),
                **({"ctx": ctx} if ctx else {}),
            }
        )
    return JSONResponse({"detail": errors}, status_code=422)


class TrustedHosts:
    """Only answer for the host names the API serves (a DNS-rebinding page naming another host gets 400 before
    any route sees the request), with the same JSON error body as every other refusal. Patterns: exact names,
    `*.example.com`, or `*` for any."""

    def __init__(self, app: App, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allowed = [p.lower() for p in allowed_hosts]
        self.any = "*" in self.allowed

    def _allowed(self, header: str | None) -> bool:
        if not header:
            return False
        value = header.strip().lower()
        # "[::1]:8000" → "[::1]" (the settings write IPv6 in brackets too); "localhost:8000" → "localhost"
        host = value[: value.find("]") + 1] if value.startswith("[") else value.split(":")[0]
        return any(host == p or (p.startswith("*.") and host.endswith(p[1:])) for p in self.allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"host")
        if self._allowed(raw.decode("latin-1") if raw else None):
            await self.app(scope, receive, send)
            return
        body = {"detail": "This API does not answer for that host name (see COACH_ALLOWED_HOSTS)."}
        await JSONResponse(body, status_code=400)(scope, receive, send)
