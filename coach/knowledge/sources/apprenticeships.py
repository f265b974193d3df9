"""Apprenticeships from a public register (knowledge_base/sources/apprenticeships/apprenticeships.csv).

The US Department of Labor's apprenticeable occupations (RAPIDS code, O*NET-SOC code, term in hours, training
type), as described in the folder's PROVENANCE.md. They are work-based pathway components, not credentials a
learner studies for: they live in `Catalog.apprenticeships` and the planner names them in apprenticeship steps.
"""

from __future__ import annotations

import re
from pathlib import Path

from coach.knowledge.sources.common import read_csv
from coach.models import Credential, Source

APPRENTICESHIPS_FILE = "apprenticeships/apprenticeships.csv"
_SMALL = {"and", "or", "of", "the", "a", "an", "in", "for", "to", "on"}


def register_title(title: str) -> str:
    """'COMPUTER SUPPORT SPECIALIST-DESKTOP SUPPORT TECH' → 'Computer Support Specialist-Desktop Support Tech'
    (the register writes titles in capitals; acronyms such as CNC or HVAC stay)."""
    if title != title.upper():
        return title.strip()

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if len(w) <= 4 and not re.search(r"[AEIOUY]", w):  # CNC, HVAC-like letter runs without vowels
            return w
        return w.lower() if w.lower() in _SMALL and m.start() > 0 else w.capitalize()

    return re.sub(r"[A-Z]+", word, title.strip())


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "")) if text.strip() else None
    except ValueError:
        return None


def read_apprenticeships(path: Path) -> dict[str, Credential]:
    """Register rows as records of type "apprenticeship" (term in hours, O*NET code, the register as source)."""
    out: dict[str, Credential] = {}
    for row in read_csv(path):
        row = {k: (v or "").strip() for k, v in row.items() if k is not None}
        lo, hi = _number(row["term_hours_min"]), _number(row["term_hours_max"])
        kind = row["training_type"] or "not stated"
        term = (
            f"{lo:,.0f}-{hi:,.0f} hours"
            if lo and hi and lo != hi
            else f"{lo or hi:,.0f} hours"
            if lo or hi
            else ""
        )
        out[row["id"]] = Credential(
            id=row["id"],
            name=register_title(row["title"]),
            provider=f"Registered Apprenticeship ({row['country']})",
            type="apprenticeship",
            is_microcredential=False,
            format=f"{kind} apprenticeship",
            description=f"{row['register']}, code {row['reference']}: {kind}"
            + (
                f", term {term} of on-the-job learning." if term else " (the register sets no term in hours)."
            ),
            exam_code=row["reference"] or None,
            hours_min=lo,
            hours_max=hi,
            term_hours=hi or lo,
            term_months=_number(row.get("term_months", "")),
            onet_soc=row["onet_soc"] or None,
            esco_occupation=row["esco_occupation"] or None,
            url=row["url"] or None,
            sector="apprenticeship",
            sources=[
                Source(
                    name=row["register"],
                    url=row["source_url"] or None,
                    licence=row.get("licence") or None,
                    as_of=row["as_of"] or "n.d.",
                    source_kind="register",
                    title=row.get("source_title") or None,
                )
            ],
        )
    return out
