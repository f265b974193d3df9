"""The guidance collection: sourced answers to the open questions learners ask (knowledge_base/guidance/).

Each file in the folder is one topic: a JSON array of entries. An entry answers one question in plain words and
carries the facts behind the answer as statements, each with the page it came from (URL, title, publisher) and
the date it holds for (`as_of`, with `as_of_basis` saying whether the page states that date or it is the day
the stored copy was read). The format and how sources were chosen are in knowledge_base/guidance/PROVENANCE.md.

`load_guidance(folder)` validates every file and raises one `CatalogError` naming each bad file and entry;
`entry_text(entry)` is the text an entry is indexed and searched by.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import CatalogError

GUIDANCE_DIR = "guidance"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_AS_OF = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9\"'(]|\s*$)")


class GuidanceStatement(BaseModel):
    """One short factual claim and the authoritative page it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=10, description="The claim, in our own words.")
    source_url: str = Field(description="The page as the stored copy gives its address (https).")
    source_title: str = Field(min_length=2)
    publisher: str = Field(min_length=2, description="The government body, standards body or provider.")
    as_of: str = Field(description="YYYY-MM-DD or YYYY-MM: the date the page states, or the day it was read.")
    as_of_basis: Literal["stated", "read"] = Field(
        description="'stated': the page gives this date; 'read': the day the stored copy was read."
    )

    @field_validator("source_url")
    @classmethod
    def _https(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+\.[^\s/]+", v):
            raise ValueError("must be an absolute http(s) URL")
        return v

    @field_validator("as_of")
    @classmethod
    def _iso_date(cls, v: str) -> str:
        if not _AS_OF.match(v):
            raise ValueError("must be an ISO date, YYYY-MM-DD or YYYY-MM")
        dt.date.fromisoformat(v if len(v) == 10 else v + "-01")  # a real calendar date
        return v


class AppliesTo(BaseModel):
    """What an entry is specific to; empty lists mean 'any'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    credentials: list[str] = Field(default_factory=list, description="Catalogue credential ids.")
    sectors: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list, description="ISO 3166 alpha-2 codes, or 'EU'.")


class GuidanceEntry(BaseModel):
    """A sourced answer to one question learners ask."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    topic: str = Field(min_length=2)
    title: str = Field(min_length=5)
    question_forms: list[str] = Field(min_length=2, description="Ways learners ask it, in plain words.")
    answer: str = Field(min_length=40, description="2-5 plain sentences for a learner.")
    statements: list[GuidanceStatement] = Field(min_length=1)
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    file: str = Field(
        default="", exclude=True, description="The file the entry was read from (set by the loader)."
    )

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("must be lower-case words joined by hyphens")
        return v

    @field_validator("answer")
    @classmethod
    def _sentences(cls, v: str) -> str:
        n = len(_SENTENCE_END.findall(v.strip()))
        if not 2 <= n <= 5:
            raise ValueError(f"must be 2 to 5 sentences (found {n})")
        return v

    @property
    def sources(self) -> list[GuidanceStatement]:
        """One statement per distinct source URL, in order: what an answer cites."""
        seen: dict[str, GuidanceStatement] = {}
        for st in self.statements:
            seen.setdefault(st.source_url, st)
        return list(seen.values())


def guidance_dir(knowledge_dir: Path | str) -> Path:
    """The guidance folder of a knowledge base."""
    return Path(knowledge_dir) / GUIDANCE_DIR


def guidance_files(folder: Path | str) -> list[Path]:
    """The topic files of a guidance folder, sorted ([] when the folder does not exist)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*.json") if p.is_file() and not p.name.startswith("."))


def load_guidance(folder: Path | str, credential_ids: Iterable[str] | None = None) -> list[GuidanceEntry]:
    """Every entry in `folder`'s topic files, validated.

    With `credential_ids` (the catalogue's), an `applies_to.credentials` id outside it is an error too. All
    problems are collected and raised together in one `CatalogError`, each line naming the file and the entry.
    """
    root = Path(folder)
    if not root.is_dir():
        raise CatalogError(f"guidance folder not found: {root}")
    known = set(credential_ids) if credential_ids is not None else None
    entries: list[GuidanceEntry] = []
    errors: list[str] = []
    first_file: dict[str, str] = {}
    for path in guidance_files(root):
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors.append(f"{path.name}: not readable JSON ({exc})")
            continue
        if not isinstance(rows, list):
            errors.append(f"{path.name}: must hold a JSON array of entries")
            continue
        for i, row in enumerate(rows, 1):
            label = _label(row, i)
            if not isinstance(row, dict):
                errors.append(f"{path.name}: {label}: must be a JSON object")
                continue
            try:
                entry = GuidanceEntry.model_validate({**row, "file": path.name})
            except ValidationError as exc:
                errors.extend(
                    f"{path.name}: {label}: {_where(err['loc'])}{err['msg']}" for err in exc.errors()
                )
                continue
            if entry.id in first_file:
                errors.append(f"{path.name}: {label}: duplicate id (first in {first_file[entry.id]})")
                continue
            first_file[entry.id] = path.name
            if known is not None:
                unknown = [c for c in entry.applies_to.credentials if c not in known]
                if unknown:
                    errors.append(
                        f"{path.name}: {label}: unknown credential id(s) in applies_to: {', '.join(unknown)}"
                    )
                    continue
            entries.append(entry)
    if errors:
        raise CatalogError("guidance has problems:\n" + "\n".join(f"  {e}" for e in errors))
    return entries


def _label(row: object, index: int) -> str:
    ident = row.get("id") if isinstance(row, dict) else None
    return f"entry {index} ({ident})" if isinstance(ident, str) and ident else f"entry {index}"


def _where(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in loc) + ": " if loc else ""


def entry_text(entry: GuidanceEntry) -> str:
    """The text an entry is indexed and searched by: title, the ways it is asked, the answer, the facts."""
    parts = [entry.title, *entry.question_forms, entry.answer, *(st.text for st in entry.statements)]
    return "\n".join(p.strip() for p in parts if p.strip())


def entry_citations(entry: GuidanceEntry) -> list[dict[str, str]]:
    """The sources of an entry for display: name, url, as_of (one per distinct URL)."""
    return [
        {"name": f"{st.publisher}: {st.source_title}", "url": st.source_url, "as_of": st.as_of}
        for st in entry.sources
    ]
