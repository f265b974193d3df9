"""The curated industry credentials (knowledge_base/sources/curated-credentials/credentials.csv)."""

from __future__ import annotations

import re
from pathlib import Path

from coach.knowledge.sources.common import LICENCE_UNKNOWN, domain, read_csv
from coach.knowledge.sources.coursera import COURSERA_AS_OF
from coach.knowledge.sources.roadmap import ROADMAP_AS_OF, ROADMAP_LICENCE, ROADMAP_URL
from coach.models import Credential, Source

CURATED_AS_OF = "2026-11-24"  # compilation date stated in curated-credentials/PROVENANCE.md
CURATED_LICENCE = "facts from vendor and third-party pages; roadmap-derived cells CC BY-SA 4.0"
CURATED_TYPES = {"stackable_certification": "certification"}


def parse_hours_text(text: str) -> tuple[float | None, float | None]:
    """Only clear numbers of hours ('40 hours', '30-40 hours'); anything else (months, classes) is (None, None)."""
    t = text.lower()
    if re.search(r"hours?\s*(/|per|a)\s*(week|wk|day)", t):
        return None, None  # a pace, not a total
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*hours?\b", t)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.search(r"(\d+(?:\.\d+)?)\s*hours?\b", t)
    if m:
        return float(m.group(1)), float(m.group(1))
    return None, None


def _sources_from_urls(urls: str) -> list[Source]:
    """The sources a `source_urls` cell names: web pages, or the roadmap and Coursera datasets by name."""
    out = []
    for u in [x.strip() for x in urls.split(";") if x.strip()]:
        if u == "security-cert-roadmap":
            out.append(
                Source(
                    name="security-cert-roadmap",
                    url=ROADMAP_URL,
                    licence=ROADMAP_LICENCE,
                    as_of=ROADMAP_AS_OF,
                )
            )
        elif u == "coursera-courses-2023":
            out.append(Source(name="coursera-courses-2023", licence=LICENCE_UNKNOWN, as_of=COURSERA_AS_OF))
        else:
            out.append(
                Source(name=f"curated-credentials: {domain(u)}", url=u, licence=None, as_of=CURATED_AS_OF)
            )
    return out


def read_curated(path: Path) -> list[Credential]:
    """The 86 curated industry credentials, mapped faithfully (see curated-credentials/PROVENANCE.md)."""
    out: list[Credential] = []
    for row in read_csv(path):
        ctype = CURATED_TYPES.get(row["credential_type"].strip(), row["credential_type"].strip())
        hours_text = row["hours_estimate"].strip()
        lo, hi = parse_hours_text(hours_text) if hours_text else (None, None)
        desc = []
        if row["prerequisites_stated"].strip():
            desc.append("Prerequisites (as stated): " + row["prerequisites_stated"].strip())
        if row["renewal"].strip():
            desc.append("Renewal: " + row["renewal"].strip())
        cost = float(row["exam_cost_usd"]) if row["exam_cost_usd"].strip() else None
        cost_note = None
        if cost is not None and "per exam" in row["prerequisites_stated"].lower():
            cost_note = "price per exam; see prerequisites for the number of exams"
        stackable = row["credential_type"].strip() == "stackable_certification"
        first_url = next((u for u in row["source_urls"].split(";") if "://" in u), None)
        out.append(
            Credential(
                id=row["id"].strip(),
                name=row["name"].strip(),
                provider=row["provider"].strip(),
                type=ctype,  # type: ignore[arg-type]
                level=row["level"].strip() or None,  # type: ignore[arg-type]
                hours_min=lo,
                hours_max=hi,
                hours_rule=hours_text or None,
                cost=cost,
                currency="USD" if cost is not None else None,
                cost_note=cost_note,
                format="stackable award (no exam)"
                if stackable
                else ("exam" if ctype == "certification" else "online course"),
                url=row["official_url"].strip() or None,
                exam_code=row["exam_code"].strip() or None,
                validity_years=float(row["validity_years"]) if row["validity_years"].strip() else None,
                description=" ".join(desc),
                aliases=_paren_aliases(row["name"]),
                sources=[
                    Source(
                        name="curated-credentials",
                        url=first_url,
                        licence=CURATED_LICENCE,
                        as_of=CURATED_AS_OF,
                    ),
                    *_sources_from_urls(row["source_urls"]),
                ],
            )
        )
    return out


def _paren_aliases(name: str) -> list[str]:
    """Acronyms a name gives in brackets: 'ISC2 Certified in Cybersecurity (CC)' → ['CC']."""
    out = []
    for inner in re.findall(r"\(([^)]*)\)", name):
        for part in re.split(r"\s*/\s*|,\s*", inner):
            part = part.replace("formerly", "").strip()
            if part and len(part) <= 24 and part.lower() not in {"designation", "coursera"}:
                out.append(part)
    return out
