"""The one place that chooses the chat model: the built-in offline engine, or an OpenAI-compatible server.

With no configuration the offline engine answers. With `OPENAI_API_KEY` and/or `OPENAI_BASE_URL` (or
`COACH_CHAT_PROVIDER=openai`) the agent uses LangChain's `init_chat_model` (provider "openai", i.e. `ChatOpenAI`)
against OpenAI, Ollama, vLLM or a llama.cpp server;
the agent keeps the offline engine as its fallback when that model fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.language_models.chat_models import BaseChatModel

from coach.dialogue import OfflineCoachModel
from coach.settings import Settings

if TYPE_CHECKING:
    from coach.context import CoachContext

REMOTE_MAX_RETRIES = 1  # a dead server should cost one quick retry, then the offline fallback answers


def get_offline_model(ctx: CoachContext, **overrides: Any) -> OfflineCoachModel:
    """The built-in offline coaching engine over `ctx` (its linker and catalogue are loaded on first use)."""
    fields: dict[str, Any] = {
        "prompts_dir": ctx.settings.prompts_dir,
        "load_catalog": lambda: ctx.catalog,
        "load_linker": lambda: ctx.linker,
    }
    return OfflineCoachModel(**{**fields, **overrides})


def get_remote_model(settings: Settings) -> BaseChatModel:
    """A ChatOpenAI model for OpenAI or any OpenAI-compatible server, from settings."""
    # Imported here: langchain's factory pulls in the OpenAI client, which offline use never needs.
    from langchain.chat_models import init_chat_model

    s = settings
    key = s.openai_api_key.get_secret_value() if s.openai_api_key else None
    return init_chat_model(
        s.chat_model,
        model_provider="openai",
        # Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the client insists on one.
        api_key=key or "not-needed",
        base_url=s.openai_base_url,
        timeout=s.chat_timeout_s,
        max_retries=REMOTE_MAX_RETRIES,
        temperature=0.2,
    )


def get_chat_model(ctx: CoachContext) -> BaseChatModel:
    """The configured chat model: remote when the context's settings ask for one, otherwise the offline engine."""
    return get_remote_model(ctx.settings) if ctx.settings.use_remote_model else get_offline_model(ctx)


def describe_model(model: BaseChatModel) -> str:
    """A short label for notices and traces, e.g. 'offline' or 'openai:gpt-4o-mini'."""
    if isinstance(model, OfflineCoachModel):
        return "offline"
    name = getattr(model, "model_name", None) or getattr(model, "model", None) or type(model).__name__
    return f"openai:{name}"
