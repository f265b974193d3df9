"""Writing with templates and, optionally, a model that rewrites each text under the claim checker."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.claims import (
    AllowedFacts,
    find_unsupported_claims,
    normalise,
)
from coach.presenter.text import _STOP
from coach.texts import render

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

_VARIANT_SPLIT = re.compile(r"\s*~~~\s*")


class _Writer:
    """Renders template variants deterministically and passes each text through the optional model."""

    def __init__(
        self,
        seed: str,
        allowed: AllowedFacts,
        model: BaseChatModel | None,
        facts: list[str],
        prompts_dir: Path | None,
    ) -> None:
        self.seed = seed
        self.allowed = allowed
        self.model = model
        self.facts = facts
        self.prompts_dir = prompts_dir
        self.notices: list[str] = []
        self.rewritten: list[str] = []
        # Every way the learner's credentials can be named: a rewrite may not bring one into a text that did
        # not name it (a planned CISSP is in the inputs, but "I also hold the CISSP" is still false).
        self.credential_names: list[str] = []
        self.pending_names: list[str] = []  # forms of credentials that are in progress or planned
        self._system: str | None = None

    def variant(self, template: str, key: str, **variables: Any) -> str:
        """Render all phrasings of `template` and pick one by a stable hash of learner, slot and item."""
        rendered = render(f"drafts/{template}", folder=self.prompts_dir, **variables)
        options = [_tidy(v) for v in _VARIANT_SPLIT.split(rendered) if v.strip()]
        if not options:
            return ""
        digest = hashlib.sha256(f"{self.seed}|{template}|{key}".encode()).digest()
        return options[int.from_bytes(digest[:4], "big") % len(options)]

    def say(self, label: str, text: str) -> str:
        """The offline text, or the model's rewrite of it when one is configured and the rewrite is grounded."""
        if self.model is None or not text.strip():
            return text
        try:
            rewrite = self._rewrite(label, text)
        except Exception as exc:  # any model failure falls back to the offline text, with a notice
            self.notices.append(
                f"{label}: the model could not rewrite it ({type(exc).__name__}); kept the offline text."
            )
            return text
        rewrite = _tidy(rewrite.strip().strip('"').strip())
        if not rewrite:
            self.notices.append(f"{label}: the model returned nothing; kept the offline text.")
            return text
        problems = find_unsupported_claims(rewrite, self.allowed)
        lost = (
            _lost_status(text, rewrite)
            + _new_credentials(text, rewrite, self.credential_names)
            + _pending_as_held(text, rewrite, self.pending_names)
        )
        if problems or lost:
            why = "; ".join(
                [
                    *(f"it added {p}, which is not in your profile, pathway or posting" for p in problems),
                    *lost,
                ]
            )
            self.notices.append(f"{label}: the model's rewrite was rejected ({why}); kept the offline text.")
            return text
        self.rewritten.append(label)
        return rewrite

    def _rewrite(self, label: str, text: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        assert self.model is not None
        if self._system is None:
            self._system = render("drafts/rewrite_system.md", folder=self.prompts_dir)
        kind = re.sub(r"\s*\d+.*$", "", label) or label
        user = render(
            "drafts/rewrite_user.md", folder=self.prompts_dir, kind=kind, facts=self.facts, text=text
        )
        reply = self.model.invoke([SystemMessage(content=self._system), HumanMessage(content=user)])
        content = reply.content
        if isinstance(content, list):  # content blocks: keep the text parts
            content = "".join(
                part.get("text", "") if isinstance(part, dict) else str(part) for part in content
            )
        return str(content)


_STATUS_WORDS = (("expected",), ("in progress", "completing", "working towards", "under way"), ("planned",))


def _lost_status(offline: str, rewrite: str) -> list[str]:
    """Status words the offline text has and the rewrite dropped (in progress/planned must not read as earned)."""
    lost = []
    low_off, low_new = offline.lower(), rewrite.lower()
    for group in _STATUS_WORDS:
        if any(w in low_off for w in group) and not any(w in low_new for w in group):
            lost.append(f"it dropped the status '{group[0]}'")
    months_off = set(re.findall(r"expected (\w+ \d{4})", offline))
    for when in months_off:
        if when not in rewrite:
            lost.append(f"it dropped the expected date '{when}'")
    return lost


def credential_mentions(name: str) -> list[str]:
    """Ways a credential is referred to: its name, the acronym in parentheses, the name without the provider."""
    forms = [name]
    forms += re.findall(r"\(([A-Z][A-Za-z0-9+&-]{1,12})\)", name)
    if " " in name:
        forms.append(name.split(" ", 1)[1])  # "CompTIA Security+" → "Security+"
    return [f for f in dict.fromkeys(forms) if len(f) >= 2]


def _new_credentials(offline: str, rewrite: str, names: Sequence[str]) -> list[str]:
    """Credentials the rewrite names that the offline text did not."""
    off, new = f" {normalise(offline)} ", f" {normalise(rewrite)} "
    added = []
    for form in names:
        key = normalise(form)
        if len(key) < 2 or key in _STOP:
            continue
        if f" {key} " in new and f" {key} " not in off:
            added.append(f"it brought in '{form}', which this text did not mention")
    return added


_PENDING_WORDS = (
    "expected",
    "planned",
    "plan ",
    "in progress",
    "completing",
    "working towards",
    "working on",
    "under way",
    "next",
    "pursuing",
    "studying",
    "preparing",
    "will ",
)


def _unqualified_pending(text: str, names: Sequence[str]) -> set[str]:
    """Pending credentials named in a sentence that does not say they are pending."""
    found = set()
    for sentence in re.split(r"(?<=[.!?;)])\s+|\n|\s[|·]\s", text):
        low = f" {normalise(sentence)} "
        if any(w in sentence.lower() for w in _PENDING_WORDS):
            continue
        for form in names:
            key = normalise(form)
            if len(key) >= 2 and f" {key} " in low:
                found.add(form)
    return found


_HELD = r"\b(?:hold|holds|held|holding|earned|achieved|obtained|completed|passed|certified|have|has)\b"


def _held_claims(text: str, names: Sequence[str]) -> set[str]:
    """Pending credentials the text says are held ('I hold X', 'earned the X'), within a few words."""
    found = set()
    for form in names:
        pattern = _HELD + r"(?:\W+\w+){0,4}?\W+" + re.escape(form) + r"(?!\w)"
        if re.search(pattern, text, flags=re.IGNORECASE):
            found.add(form)
    return found


def _pending_as_held(offline: str, rewrite: str, names: Sequence[str]) -> list[str]:
    """A rewrite may not name an in-progress or planned credential without saying it is pending, nor call it held."""
    added = _unqualified_pending(rewrite, names) - _unqualified_pending(offline, names)
    added |= _held_claims(rewrite, names) - _held_claims(offline, names)
    return [f"it named '{form}' without saying it is in progress or planned" for form in sorted(added)]


def _tidy(text: str) -> str:
    """Collapse whitespace and fix spacing around punctuation left by optional template parts."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:)])", r"\1", text)
    text = re.sub(r"\.\.+", ".", text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    return text.strip()
