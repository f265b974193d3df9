"""The shared objects of one running face: settings, catalogue, search index, linker, embedder, span tagger and
chat model, in one typed `CoachContext`.

Each face builds one (the CLI per command, the API in its app factory, the Streamlit app under
`st.cache_resource`) and passes what a core function needs to it as typed parameters; core modules never look
these objects up themselves. The expensive parts are built on first use, so a command that never searches never
opens the index and the API starts before the linker loads.

Until the dialogue engine takes a context too, a context made with `share_process=True` (a face over the process's
own settings) shares the process-wide catalogue and linker with it, so there is one copy in memory; any other
context loads its own.
`reloaded()` is the admin's catalogue refresh: it loads the catalogue again and returns a new context over it
(what derives from the catalogue, the linker and the index, is rebuilt on first use; the rest is shared).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach import knowledge
from coach.knowledge.catalog import Catalog
from coach.knowledge.load import default_catalog, reload_catalog
from coach.settings import Settings, get_settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from coach.embeddings import Embedder
    from coach.models import Pathway, PostingAnalysis, Profile
    from coach.postings.tagger import SpanTagger
    from coach.retrieval.search import KnowledgeIndex
    from coach.skills.linker import SkillLinker

CatalogLoader = Callable[[Settings], Catalog]


class CoachContext:
    """Settings plus the catalogue and the models derived from it, built lazily and at most once each."""

    def __init__(
        self,
        settings: Settings,
        *,
        catalog: Catalog | None = None,
        load_catalog: CatalogLoader | None = None,
        embedder: Embedder | None = None,
        linker: SkillLinker | None = None,
        index: KnowledgeIndex | None = None,
        span_tagger: SpanTagger | None = None,
        chat_model: BaseChatModel | None = None,
        share_process: bool = False,
    ) -> None:
        self.settings = settings
        # `share_process`: the settings are the process's own, so the process-wide catalogue and linker (the
        # dialogue engine's) are this context's too.
        self._shares_process = share_process and load_catalog is None
        self._load_catalog: CatalogLoader = load_catalog or (
            (lambda _settings: knowledge.get_catalog()) if self._shares_process else default_catalog
        )
        # One lock per context: API requests in threads must not build the same heavy object twice.
        self._lock = threading.RLock()
        for name, value in (
            ("catalog", catalog),
            ("embedder", embedder),
            ("linker", linker),
            ("index", index),
            ("span_tagger", span_tagger),
            ("chat_model", chat_model),
        ):
            if value is not None:
                self.__dict__[name] = value  # what cached_property reads first

    @cached_property
    def catalog(self) -> Catalog:
        """The catalogue (loaded on first use; about a second from the disk cache)."""
        with self._lock:
            return self._load_catalog(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        """The bundled sentence encoder."""
        from coach.embeddings import get_embedder

        with self._lock:
            # The encoder depends on no setting or catalogue: one per process is enough.
            return get_embedder()

    @cached_property
    def linker(self) -> SkillLinker:
        """The taxonomy linker over this context's catalogue."""
        from coach.embeddings import get_title_embedder
        from coach.skills import linker as process_linker
        from coach.skills.linker import SkillLinker

        with self._lock:
            # The process-wide linker (the dialogue's) when it is, or will be, over this very catalogue.
            current = process_linker._linker
            if self._shares_process:
                if current is None and self.catalog is knowledge.get_catalog():
                    return process_linker.get_linker()
                if current is not None and current.catalog is self.catalog:
                    return current
            return SkillLinker(
                self.catalog,
                self.embedder,
                self.settings.home / "cache",
                int8=self.settings.linker_int8,
                span_workers=self.settings.embedding_threads,
                title_embedder=get_title_embedder(self.settings.knowledge_dir),
            )

    @cached_property
    def index(self) -> KnowledgeIndex:
        """The built search index (raises IndexMissing when `coach kb build` has not run)."""
        from coach.retrieval.search import KnowledgeIndex

        with self._lock:
            return KnowledgeIndex(self.settings, embedder=self.embedder)

    @cached_property
    def span_tagger(self) -> SpanTagger:
        """The trained posting span tagger of this knowledge base."""
        from coach.postings.tagger import default_model_path, get_span_tagger

        with self._lock:
            return get_span_tagger(default_model_path(self.settings.knowledge_dir))

    @cached_property
    def chat_model(self) -> BaseChatModel:
        """The configured chat model (remote when the settings ask for one, else the offline engine)."""
        from coach.llm import get_chat_model

        with self._lock:
            return get_chat_model(self)

    @property
    def phrase_cache_dir(self) -> Path:
        """Where derived lookups (the planner's phrase links) are cached on disk."""
        return self.settings.home / "cache"

    # ---- the core functions over this context (what a face calls) ------------------------------------------

    def analyze_posting(self, text: str, profile: Profile | None = None, **kwargs: Any) -> PostingAnalysis:
        """coach.postings.analyze_posting over this context's catalogue, linker, tagger and posting limit."""
        from coach.postings import analyze_posting

        kwargs.setdefault("max_chars", self.settings.max_posting_chars)
        return analyze_posting(
            text, profile, catalog=self.catalog, linker=self.linker, tagger=self.span_tagger, **kwargs
        )

    def plan_pathway(self, profile: Profile, **kwargs: Any) -> Pathway:
        """coach.planner.plan_pathway over this context: its catalogue, its linker (loaded only when a skill
        phrase needs it, answers cached on disk), its encoder for the field fit, and its posting reader."""
        from coach.planner import plan_pathway

        if "linker" not in kwargs:
            kwargs.setdefault("load_linker", lambda: self.linker)
            kwargs.setdefault("embedder", self.embedder)
        kwargs.setdefault("cache_dir", self.phrase_cache_dir)
        kwargs.setdefault("read_posting", self.analyze_posting)
        return plan_pathway(profile, catalog=kwargs.pop("catalog", None) or self.catalog, **kwargs)

    def reloaded(self) -> CoachContext:
        """A new context over a freshly loaded catalogue; a load that fails raises and changes nothing.

        The settings, embedder, span tagger and chat model are shared; the linker and index are rebuilt for the
        new catalogue on first use."""
        with self._lock:
            fresh = reload_catalog() if self._shares_process else self._load_catalog(self.settings)
        shared = {
            k: self.__dict__[k] for k in ("embedder", "span_tagger", "chat_model") if k in self.__dict__
        }
        return CoachContext(
            self.settings,
            catalog=fresh,
            load_catalog=None if self._shares_process else self._load_catalog,
            share_process=self._shares_process,
            **shared,
        )


def process_context() -> CoachContext:
    """A face's context over the process settings (the environment), sharing the process-wide catalogue and
    linker with the dialogue engine. Faces call this once per command, app or session."""
    return CoachContext(get_settings(), share_process=True)
