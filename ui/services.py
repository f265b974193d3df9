"""The one adapter between the Streamlit app and the product: the review API, in-process or over HTTP.

By default the app runs the API in-process (FastAPI's TestClient over `coach.api.create_app()`), so the same
routes, roles and checks apply as for a remote client; with `COACH_API_URL` set it talks to that server. Pages
only call `CoachClient` methods and catch `ApiError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from coach.settings import Settings

if TYPE_CHECKING:
    from coach.context import CoachContext


class ApiError(Exception):
    """A refused or failed request, with the API's message (shown to the user as a notice)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


# Field names as a person reads them (the API's names are for programs).
_FIELD_WORDS = {
    "message": "your message",
    "body": "the comment",
    "text": "the posting",
    "evidence_url": "the evidence link",
    "budget": "the budget",
    "hours_per_week": "hours per week",
    "weeks": "weeks available",
    "username": "the username",
    "password": "the password",
    "display_name": "your name",
    "name": "the name",
    "role": "the target role",
    "current_role": "your current role",
    "comment": "the comment",
    "note": "the note",
    "title": "the title",
    "credential_id": "the credential",
}


def _plain(item: dict[str, Any]) -> str:
    """One validation error as a sentence a person understands ("Your message is too long: at most 8,000
    characters."), never the validator's wording or the value that was sent."""
    loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path")]
    field = _FIELD_WORDS.get(loc[-1] if loc else "", (loc[-1].replace("_", " ") if loc else "this field"))
    kind = str(item.get("type", ""))
    ctx = item.get("ctx") or {}
    what = field[0].upper() + field[1:]
    if kind == "string_too_long":
        return f"{what} is too long: at most {int(ctx.get('max_length', 0)):,} characters."
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        return f"{what} is empty." if least <= 1 else f"{what} is too short: at least {least} characters."
    if kind == "string_pattern_mismatch":
        if "url" in (loc[-1] if loc else ""):
            return f"{what} must be a web address starting with http:// or https://."
        return f"{what} contains characters that are not allowed."
    if kind in ("greater_than", "greater_than_equal"):
        return f"{what} must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than", "less_than_equal"):
        return f"{what} must be at most {ctx.get('le', ctx.get('lt'))}."
    if kind == "missing":
        return f"{what} is missing."
    if kind.startswith(("float", "int", "decimal")) or kind == "finite_number":
        return f"{what} must be a number."
    return f"{what} is not valid."


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        if response.status_code == 413:
            return "That is too much text to send at once. Shorten it and try again."
        return f"The coach service answered with an error ({response.status_code}). Please try again."
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):  # FastAPI validation errors: one plain sentence per field
        return " ".join(dict.fromkeys(_plain(item) for item in detail[:3] if isinstance(item, dict)))
    text = str(detail)
    return text[:1].upper() + text[1:]


@dataclass
class CoachClient:
    """Typed calls to the review API for one signed-in user (or none)."""

    http: httpx.Client | None = None
    token: str | None = None
    user: dict[str, Any] = field(default_factory=dict)
    connect: Callable[[], httpx.Client] | None = field(default=None, repr=False)
    """Makes `http` on first use, so the sign-in screen can appear before the service has started."""

    # ---- plumbing -------------------------------------------------------------------------------------------

    def connection(self) -> httpx.Client:
        """The HTTP client, started on first use."""
        if self.http is None:
            if self.connect is None:
                raise ApiError(503, "No coach service is set up for this app.")
            self.http = self.connect()
        return self.http

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.connection().request(method, path, headers=self._headers(), **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(
                503, "The coach service is not reachable right now. Please try again in a moment."
            ) from exc
        if response.status_code >= 400:
            raise ApiError(response.status_code, _detail(response))
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # ---- accounts --------------------------------------------------------------------------------------------

    def register(self, username: str, password: str, display_name: str = "") -> dict[str, Any]:
        """Create a learner account."""
        return self._call(
            "POST",
            "/auth/register",
            json={"username": username, "password": password, "display_name": display_name},
        )

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """Get a bearer token; the client remembers it and the user."""
        out = self._call("POST", "/auth/token", json={"username": username, "password": password})
        self.token, self.user = out["access_token"], out["user"]
        return out["user"]

    def sign_out(self) -> None:
        """Forget the token."""
        self.token, self.user = None, {}

    @property
    def role(self) -> str | None:
        """The signed-in user's role."""
        return self.user.get("role")

    # ---- learner ---------------------------------------------------------------------------------------------

    def profile(self) -> dict[str, Any]:
        """The signed-in learner's profile (an empty one when none is stored)."""
        try:
            return self._call("GET", "/me/profile") or {}
        except ApiError as exc:
            if exc.status == 404:  # nothing stored yet: start from an empty profile
                return {}
            raise

    def save_profile(self, profile: dict[str, Any]) -> dict[str, Any]:
        """Replace the signed-in learner's profile."""
        return self._call("PUT", "/me/profile", json=profile)

    def analyze(self, text: str, use_profile: bool = True) -> dict[str, Any]:
        """Analyse a posting (matched against the stored profile)."""
        return self._call("POST", "/postings/analyze", json={"text": text, "use_profile": use_profile})

    def plan(self, **body: Any) -> dict[str, Any]:
        """Plan without saving (role or posting, limits, alternatives)."""
        return self._call("POST", "/pathways/plan", json={k: v for k, v in body.items() if v is not None})

    def save_pathway(self, pathway: dict[str, Any], title: str = "", note: str = "") -> dict[str, Any]:
        """Save a pathway as a draft."""
        return self._call("POST", "/pathways", json={"pathway": pathway, "title": title, "note": note})

    def pathways(self) -> list[dict[str, Any]]:
        """Pathways the user may see, newest first."""
        return self._call("GET", "/pathways", params={"limit": 50}) or []

    def pathway(self, pathway_id: int) -> dict[str, Any]:
        """One pathway with its current version, issues, diff, versions and progress."""
        return self._call("GET", f"/pathways/{pathway_id}")

    def version(self, pathway_id: int, version: int) -> dict[str, Any]:
        """One immutable version."""
        return self._call("GET", f"/pathways/{pathway_id}/versions/{version}")

    def submit(self, pathway_id: int) -> dict[str, Any]:
        """Send a pathway for coach review."""
        return self._call("POST", f"/pathways/{pathway_id}/submit")

    def comments(self, pathway_id: int) -> list[dict[str, Any]]:
        """The comment thread of a pathway."""
        return self._call("GET", f"/pathways/{pathway_id}/comments") or []

    def comment(self, pathway_id: int, body: str, parent_id: int | None = None) -> dict[str, Any]:
        """Add a comment (optionally a reply)."""
        return self._call(
            "POST", f"/pathways/{pathway_id}/comments", json={"body": body, "parent_id": parent_id}
        )

    def audit(self, pathway_id: int) -> list[dict[str, Any]]:
        """The pathway's audit trail, oldest first."""
        return self._call("GET", f"/pathways/{pathway_id}/audit") or []

    def progress(self, pathway_id: int, step_id: str, state: str, evidence_url: str | None = None) -> Any:
        """Mark a step started or completed."""
        body = {"step_id": step_id, "state": state, "evidence_url": evidence_url or None}
        return self._call("POST", f"/pathways/{pathway_id}/progress", json=body)

    # ---- coach -----------------------------------------------------------------------------------------------

    def reviews(self, status: str | None = "pending") -> list[dict[str, Any]]:
        """The review queue."""
        params = {"status": status} if status else {}
        return self._call("GET", "/reviews", params=params) or []

    def decide(self, review_id: int, decision: str, comment: str = "") -> dict[str, Any]:
        """Approve, request changes or reject, with a comment."""
        return self._call(
            "POST", f"/reviews/{review_id}/decision", json={"decision": decision, "comment": comment}
        )

    def edit(self, pathway_id: int, edits: list[dict[str, Any]], note: str, expected_version: int) -> Any:
        """A coach edit: a new version re-validated by the planner."""
        body = {"edits": edits, "note": note, "expected_version": expected_version}
        return self._call("POST", f"/pathways/{pathway_id}/versions", json=body)

    def cohort(self) -> list[dict[str, Any]]:
        """All the coach's learners with status, progress and outcomes (every page of the API's list)."""
        out: list[dict[str, Any]] = []
        while True:
            page = self._call("GET", "/cohort", params={"limit": 100, "offset": len(out)}) or []
            out.extend(page)
            if len(page) < 100:
                return out

    def learner_profile(self, user_id: int) -> dict[str, Any]:
        """An assigned learner's profile."""
        return self._call("GET", f"/learners/{user_id}/profile") or {}

    def record_outcome(self, user_id: int, kind: str, role: str, date: str, organization: str = "") -> Any:
        """Record an interview, offer or placement for a learner."""
        body = {"kind": kind, "role": role, "date": date, "organization": organization}
        return self._call("POST", f"/learners/{user_id}/outcomes", json=body)

    # ---- chat ------------------------------------------------------------------------------------------------

    def latest_conversation(self) -> tuple[str | None, list[dict[str, Any]]]:
        """The signed-in user's most recent conversation: its id and its last 100 messages, oldest first (None
        and [] when there is none), so the chat continues where it was after signing out and in."""
        threads = self._call("GET", f"/learners/{self.user['id']}/conversations", params={"limit": 1})
        if not threads:
            return None, []
        conv_id = str(threads[0]["id"])
        messages = self._call("GET", f"/conversations/{conv_id}/messages", params={"limit": 100})
        return conv_id, [{"role": m["role"], "content": m["content"]} for m in messages]

    def chat(self, message: str, conversation_id: str | None = None) -> Iterator[dict[str, Any]]:
        """One chat turn as events (conversation, notice, tool_call, tool_result, token, error, done)."""
        body: dict[str, Any] = {"message": message}
        if conversation_id:
            body["conversation_id"] = conversation_id
        try:
            with self.connection().stream("POST", "/chat", json=body, headers=self._headers()) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ApiError(response.status_code, _detail(response))
                event = "message"
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:"):
                        data = json.loads(line.split(":", 1)[1].strip() or "{}")
                        data.setdefault("type", event)
                        data["type"] = event
                        yield data
        except httpx.HTTPError as exc:
            raise ApiError(
                503, "The coach service is not reachable right now. Please try again in a moment."
            ) from exc


def in_process_http(settings: Settings, context: CoachContext | None = None) -> httpx.Client:
    """An HTTP client bound to the API running inside this process (over `context`, the app's shared objects,
    when given)."""
    from fastapi.testclient import TestClient

    from coach.api import create_app

    # The in-process API has no socket: only this app reaches it. Unless a secret is configured it runs in local
    # mode, whose signing key is random and kept in COACH_HOME (never a public placeholder).
    if settings.secret_key is None and not settings.local_mode:
        settings = settings.model_copy(update={"local_mode": True})
    app = create_app(settings, context=context)
    return TestClient(app, base_url="http://localhost", raise_server_exceptions=False)


def remote_http(base_url: str, timeout: float = 60.0) -> httpx.Client:
    """An HTTP client for a running API."""
    return httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)


def demo_password(settings: Settings) -> str:
    """The local demo coach's password: from COACH_DEMO_PASSWORD, else made once and kept in COACH_HOME."""
    if settings.demo_password:
        return settings.demo_password.get_secret_value()
    return settings.kept_secret("demo-password.txt")


def demo_admin_password(settings: Settings) -> str:
    """The local demo admin's own password (COACH_DEMO_ADMIN_PASSWORD, else kept beside the coach's).

    Never the coach's: the app tells every visitor where the coach's password is, and that must not open the
    admin console."""
    if settings.demo_admin_password:
        return settings.demo_admin_password.get_secret_value()
    return settings.kept_secret("demo-admin-password.txt")


def ensure_demo_accounts(settings: Settings) -> dict[str, str]:
    """In embedded mode, make sure a demo coach and admin exist (only when the database has no coach)."""
    from sqlalchemy import select

    from coach.auth import hash_password
    from coach.store import get_engine, migrate, session_factory, transaction, user_repo
    from coach.store.tables import User

    engine = get_engine(settings.db_url)
    migrate(engine)
    _, write = session_factory(engine)
    password, admin_password = demo_password(settings), demo_admin_password(settings)
    with transaction(write) as session:
        if session.scalar(select(User.id).where(User.role == "coach")) is None:
            user_repo.create_user(
                session=session, username="coach", password=password, role="coach", display_name="Demo Coach"
            )
        if session.scalar(select(User.id).where(User.role == "admin")) is None:
            user_repo.create_user(
                session=session, username="admin", password=admin_password, role="admin", display_name="Admin"
            )
        # Databases made by earlier versions gave the demo admin the coach's (advertised) password: replace it.
        shared = user_repo.authenticate(session=session, username="admin", password=password)
        if shared is not None and shared.role == "admin" and admin_password != password:
            shared.password_hash = hash_password(admin_password)
    return {"coach": "coach", "admin": "admin", "password": password}


def assign_to_demo_coach(settings: Settings, learner_id: int) -> None:
    """In embedded mode, give a newly registered learner the first coach (so their reviews have a reviewer)."""
    from sqlalchemy import select

    from coach.store import get_engine, session_factory, transaction, user_repo
    from coach.store.tables import User

    _, write = session_factory(get_engine(settings.db_url))
    with transaction(write) as session:
        admin = session.scalar(select(User).where(User.role == "admin").order_by(User.id))
        coach = session.scalar(select(User).where(User.role == "coach").order_by(User.id))
        if admin is None or coach is None:
            return
        if learner_id in user_repo.learner_ids_of(session=session, coach_id=coach.id):
            return
        user_repo.assign_coach(session=session, actor=admin, coach_id=coach.id, learner_id=learner_id)
