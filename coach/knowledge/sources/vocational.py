"""Vocational, non-IT and European credentials (knowledge_base/sources/vocational-credentials/*.csv).

Each row was taken from the awarding body's, a regulator's or a named third party's page, in that page's own
currency; empty cells are facts the page does not state (see the folder's PROVENANCE.md). A row the model
rejects is skipped and named in the returned problems, so one bad cell never hides the rest.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from coach.knowledge.sources.common import ESCO_SKILL_PREFIX, read_csv
from coach.models import Credential, Source

VOCATIONAL_DIR = "vocational-credentials"
_YES = {"yes", "true", "1", "y"}


def _number(text: str) -> float | None:
    text = (text or "").replace(",", "").strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _source(row: dict[str, str], prefix: str) -> Source | None:
    url = row.get(f"{prefix}_url", "").strip()
    if not url:
        return None
    kind = row.get(f"{prefix}_kind", "").strip() or None
    return Source(
        name=f"{VOCATIONAL_DIR}: {row.get(f'{prefix}_title', '').strip() or url}",
        url=url,
        # The first source's date column is plain `as_of`, the second's `source2_as_of`.
        as_of=row.get("as_of" if prefix == "source" else f"{prefix}_as_of", "").strip() or "n.d.",
        source_kind=kind,  # type: ignore[arg-type]
        title=row.get(f"{prefix}_title", "").strip() or None,
    )


def read_vocational(folder: Path) -> tuple[list[Credential], list[str]]:
    """Every credential row of every CSV in `folder`, and one problem line per row that could not be read."""
    out: list[Credential] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        for line, row in enumerate(read_csv(path), start=2):
            row = {k: (v or "").strip() for k, v in row.items() if k is not None}
            sources = [s for s in (_source(row, "source"), _source(row, "source2")) if s is not None]
            cost = _number(row.get("cost", ""))
            lo, hi = _number(row.get("hours_min", "")), _number(row.get("hours_max", ""))
            esco = [
                u for u in row.get("esco_skills", "").split(";") if u.strip().startswith(ESCO_SKILL_PREFIX)
            ]
            description = row.get("description", "")
            if row.get("prerequisites"):
                description += f" Prerequisites (as stated): {row['prerequisites']}"
            if row.get("renewal"):
                description += f" Renewal: {row['renewal']}"
            try:
                cred = Credential(
                    id=row["id"],
                    name=row["name"],
                    provider=row["provider"],
                    type=row["type"] or "certification",  # type: ignore[arg-type]
                    level=row.get("level") or None,  # type: ignore[arg-type]
                    hours_min=lo if lo is not None else hi,
                    hours_max=hi if hi is not None else lo,
                    hours_rule=row.get("hours_note") or None,
                    cost=cost,
                    currency=(row.get("currency") or "").upper() or None if cost is not None else None,
                    cost_approximate=cost is not None and row.get("price_approximate", "").lower() in _YES,
                    cost_note=row.get("cost_note") or None,
                    format="licence or permit" if row["type"] == "licence" else None,
                    url=row.get("url") or None,
                    exam_code=row.get("exam_code") or None,
                    validity_years=_number(row.get("validity_years", "")),
                    description=description.strip(),
                    skills=[u.strip() for u in esco],
                    aliases=[a.strip() for a in row.get("aliases", "").split(";") if a.strip()],
                    sources=sources,
                    sector=row.get("sector") or None,
                    prerequisites=row.get("prerequisites") or None,
                    renewal=row.get("renewal") or None,
                    onet_soc=row.get("onet_soc") or None,
                    is_microcredential=row["type"] not in ("degree", "program"),
                )
            except (ValidationError, KeyError) as exc:
                problems.append(f"{path.name} line {line}: {str(exc).splitlines()[0]}")
                continue
            if cred.cost is not None and cred.currency is None:
                problems.append(f"{path.name} line {line}: a price without a currency, left out")
                continue
            if not sources:
                problems.append(f"{path.name} line {line}: no source, left out")
                continue
            out.append(cred)
    return out, problems
