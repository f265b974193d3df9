"""Employer recognition of credentials: sourced signals (ISO/IEC 17024 accreditation, the US DoD 8140 baseline,
ACE credit, a vendor's role-based certification, an industry body, an employer consortium), read from
`knowledge_base/recognition/recognition.json`.

A signal is kept only with the page it rests on; a credential with no signal has unknown recognition, which
is not the same as none. The planner weighs official signals fully and those resting on third-party pages at
half, and every plan step shows the signals with their sources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.errors import CatalogError

RECOGNITION_FILE = "recognition/recognition.json"


@dataclass(frozen=True)
class RecognitionSignal:
    """One sourced sign that employers recognise a credential."""

    signal: str  # a key of the file's "signals", e.g. "dod_8140"
    label: str  # what the signal means, in words
    detail: str
    url: str
    title: str | None = None
    date: str | None = None
    official: bool = True  # the page is the provider's or a regulator's own


def load_recognition(
    knowledge_dir: Path, credential_ids: Mapping[str, Any]
) -> dict[str, list[RecognitionSignal]]:
    """Credential id → its recognition signals (empty when the knowledge base has no recognition file).

    A signal for a credential the catalogue lacks, of an undeclared kind or without a URL is an error."""
    path = knowledge_dir / RECOGNITION_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kinds: dict[str, str] = dict(data["signals"])
        out: dict[str, list[RecognitionSignal]] = {}
        for cid, signals in data["credentials"].items():
            if cid not in credential_ids:
                raise CatalogError(f"{path}: recognition for unknown credential {cid!r}")
            for s in signals:
                kind = s["signal"]
                if kind not in kinds:
                    raise CatalogError(f"{path}: {cid}: unknown signal {kind!r}")
                if not s.get("url"):
                    raise CatalogError(f"{path}: {cid}: a {kind} signal without a source URL")
                out.setdefault(cid, []).append(
                    RecognitionSignal(
                        signal=kind,
                        label=kinds[kind],
                        detail=str(s.get("detail") or ""),
                        url=str(s["url"]),
                        title=s.get("title"),
                        date=s.get("date"),
                        official=bool(s.get("official", True)),
                    )
                )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{path}: not a recognition file ({exc})") from exc
    return out


def recognition_score(signals: list[RecognitionSignal]) -> float:
    """How strongly the signals say employers recognise it: 1 per distinct kind on an official page, ½ when only
    third-party pages state it (several pages for one kind count once)."""
    best: dict[str, float] = {}
    for s in signals:
        best[s.signal] = max(best.get(s.signal, 0.0), 1.0 if s.official else 0.5)
    return sum(best.values())
