"""`OfflineCoachModel`: the offline engine as a LangChain chat model.

A thin adapter: it reads the conversation (`state.read_turn`), then either decides this turn's tool calls or
its question (`policy.decide`) or, once the tools have answered, writes the reply from their results
(`compose.answer_after_tools`). It owns what the functions are given: the catalogue and the taxonomy linker,
each loaded on first use, today's date and the templates' folder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, PrivateAttr

from coach.dialogue import facts
from coach.dialogue.compose import answer_after_tools
from coach.dialogue.facts import Facts, Lookups
from coach.dialogue.policy import Context, decide
from coach.dialogue.state import read_turn
from coach.dialogue.understand import Understander
from coach.knowledge.catalog import Catalog


class OfflineCoachModel(BaseChatModel):
    """A rule-based coaching chat model that emits real tool calls and templated, grounded answers."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    linker: Any = None
    catalog: Any = None
    # Loaded on first use when `linker` / `catalog` is not given (a face passes its context's); neither: none.
    load_linker: Callable[[], Any] | None = None
    load_catalog: Callable[[], Any] | None = None
    prompts_dir: Path | None = None
    today: date | None = None
    role_min_score: float = 0.6
    understander: Any = None
    _load_failed: set[str] = PrivateAttr(default_factory=set)

    @property
    def _llm_type(self) -> str:
        return "pathway-coach-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"engine": "offline"}

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        """Accept tools like any chat model; the engine knows the coach's tools by name."""
        names = [
            getattr(t, "name", None) or (t.get("name") if isinstance(t, dict) else str(t)) for t in tools
        ]
        return self.bind(tool_names=names)

    # ---- LangChain entry point -----------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        turn = read_turn(messages)
        if turn.tool_results:
            message = answer_after_tools(turn, self.prompts_dir)
        else:
            message = decide(turn, Context(self._lookups(), self._today(), self.prompts_dir))
        return ChatResult(generations=[ChatGeneration(message=message)])

    # ---- what the functions are given ----------------------------------------------------------------------

    def _today(self) -> date:
        return self.today or date.today()

    def _lookups(self) -> Lookups:
        return Lookups(
            catalog=self._get_catalog,
            linker=self._get_linker,
            role_min_score=self.role_min_score,
            understander=self._get_understander,
        )

    def understander_or_none(self) -> Understander | None:
        """The message reader this engine uses (None with a stand-in catalogue)."""
        reader = self._get_understander()
        return reader if isinstance(reader, Understander) else None

    def reference_date(self) -> date:
        """The date deadlines are counted from."""
        return self._today()

    def _get_understander(self) -> Any:
        """The message reader over this model's catalogue, built on first use (None without a catalogue)."""
        if self.understander is None:
            catalog = self._get_catalog()
            if not isinstance(catalog, Catalog):
                return None  # a stand-in catalogue (tests) has no title and name lookups: patterns only

            self.understander = Understander(catalog, linker=self._get_linker())
        return self.understander

    def _get_linker(self) -> Any:
        if self.linker is None and self.load_linker is not None and "linker" not in self._load_failed:
            try:
                self.linker = self.load_linker()
            except Exception:  # the linker is optional: without it roles fall back to catalogue lookups
                self._load_failed.add("linker")
        return self.linker

    def _get_catalog(self) -> Any:
        if self.catalog is None and self.load_catalog is not None and "catalog" not in self._load_failed:
            try:
                self.catalog = self.load_catalog()
            except Exception:  # without a catalogue no credential is recognised; roles need the linker
                self._load_failed.add("catalog")
        return self.catalog

    # ---- the engine's readings, over this model's catalogue and linker -------------------------------------

    def resolve_role(self, phrase: str) -> dict | None:
        """A target phrase → {"id", "label", "score"}: an exact title in the catalogue, else the linker's best."""
        return facts.resolve_role(phrase, self._lookups())

    def resolve_roles(self, phrases: list[str]) -> dict | None:
        """The best role among several phrases: an exact catalogue title wins, else the linker's top score."""
        return facts.resolve_roles(phrases, self._lookups())

    def find_credentials(self, text: str) -> list[dict]:
        """Catalogue credentials named in free text (longest match first), as {"id", "name"}."""
        return facts.find_credentials(text, self._lookups())

    def extract_facts(self, text: str, last_asked: str | None) -> Facts:
        """Every profile fact stated in one learner message."""
        return facts.extract_facts(text, last_asked, self._today(), self._lookups())
