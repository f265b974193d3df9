"""The curated industry credentials (knowledge_base/sources/curated-credentials/credentials.csv)."""

from __future__ import annotations

import re
from pathlib import Path

from coach.knowledge.corrections import curated_description
from coach.knowledge.sources.common import LICENCE_UNKNOWN, domain, read_csv
from coach.knowledge.sources.coursera import COURSERA_AS_OF
from coach.knowledge.sources.roadmap import ROADMAP_AS_OF, ROADMAP_LICENCE, ROADMAP_URL
from coach.models import Credential, Source

CURATED_AS_OF = "2026-11-24"  # compilation date stated in curated-credentials/PROVENANCE.md
CURATED_LICENCE = "facts from vendor and third-party pages; roadmap-derived cells CC BY-SA 4.0"
CURATED_TYPES = {"stackable_certification": "certification"}
# Providers whose own pages live on a domain other than their name (word of the provider name → domains).
PROVIDER_DOMAINS = {
    "amazon": ("aws.amazon.com", "amazon.com", "aws.training"),
    "aws": ("aws.amazon.com", "aws.training"),
    "microsoft": ("microsoft.com", "learn.microsoft.com"),
    "google": ("google.com", "grow.google", "cloud.google.com", "blog.google", "coursera.org"),
    "meta": ("meta.com", "facebook.com", "coursera.org"),
    "ibm": ("ibm.com", "coursera.org"),
    "linux": ("linuxfoundation.org", "training.linuxfoundation.org"),
    "cncf": ("cncf.io", "linuxfoundation.org"),
    "axelos": ("axelos.com", "peoplecert.org"),
    "peoplecert": ("peoplecert.org", "axelos.com"),
    "scrum": ("scrum.org", "scrumalliance.org"),
    "offsec": ("offsec.com", "offensive-security.com"),
    "council": ("eccouncil.org",),
    "hubspot": ("hubspot.com",),
}


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


def curated_sector(name: str, provider: str) -> str:
    """The sector of a curated credential: project management and marketing by their names or awarding
    bodies; the rest of the curated list is ICT (vendors' and IT bodies' certifications)."""
    text = f"{name} {provider}".lower()
    if re.search(r"project management|\bpmi\b|scrum|agile", text):
        return "project_management"
    if re.search(r"marketing|hubspot|e-?commerce", text):
        return "marketing"
    return "ict"


def _is_provider_page(url: str, provider: str) -> bool:
    """Whether a page is the awarding body's own: its domain is the provider's (a table for the curated
    providers whose domain is not their name, e.g. ISC2 → isc2.org, Amazon → aws.amazon.com)."""
    host = domain(url)
    words = {w for w in re.findall(r"[a-z0-9]+", provider.lower()) if len(w) >= 3}
    own = {d for w in words for d in PROVIDER_DOMAINS.get(w, ())}
    return any(host == d or host.endswith("." + d) for d in own) or any(
        host.split(".")[-2:-1] == [w] for w in words
    )


def _sources_from_urls(urls: str, provider: str = "") -> list[Source]:
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
                    source_kind="third_party",
                )
            )
        elif u == "coursera-courses-2023":
            out.append(
                Source(
                    name="coursera-courses-2023",
                    licence=LICENCE_UNKNOWN,
                    as_of=COURSERA_AS_OF,
                    source_kind="dataset",
                )
            )
        else:
            out.append(
                Source(
                    name=f"curated-credentials: {domain(u)}",
                    url=u,
                    licence=None,
                    as_of="n.d.",  # the dataset records no page dates (its compile date is the dataset's own)
                    source_kind="provider" if _is_provider_page(u, provider) else "third_party",
                )
            )
    return out


def read_curated(path: Path) -> list[Credential]:
    """The 86 curated industry credentials, mapped faithfully (see curated-credentials/PROVENANCE.md)."""
    out: list[Credential] = []
    for row in read_csv(path):
        ctype = CURATED_TYPES.get(row["credential_type"].strip(), row["credential_type"].strip())
        hours_text = row["hours_estimate"].strip()
        lo, hi = parse_hours_text(hours_text) if hours_text else (None, None)
        prerequisites, renewal = row["prerequisites_stated"].strip() or None, row["renewal"].strip() or None
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
                description=curated_description(prerequisites, renewal),
                sector=curated_sector(row["name"], row["provider"]),
                prerequisites=prerequisites,
                renewal=renewal,
                aliases=_paren_aliases(row["name"]),
                sources=[
                    Source(
                        name="curated-credentials",
                        url=first_url,
                        licence=CURATED_LICENCE,
                        as_of=CURATED_AS_OF,
                        source_kind="third_party",  # a compiled dataset; its pages are listed below
                    ),
                    *_sources_from_urls(row["source_urls"], row["provider"]),
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
