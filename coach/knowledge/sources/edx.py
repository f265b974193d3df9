"""edX courses (knowledge_base/sources/edx-courses/edx_courses.csv)."""

from __future__ import annotations

import re
from pathlib import Path

from coach.knowledge.sources.common import LEVELS, LICENCE_UNKNOWN, read_csv, slug
from coach.models import Credential, Source

EDX_AS_OF = "2021"
EDX_HOURS_RULE = (
    "Estimated from edX's stated effort and length: low hours/week x weeks to high hours/week x weeks."
)

_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)")


def edx_hours(effort: str, length: str) -> tuple[float | None, float | None]:
    """Hours range from edX effort ("2–3 hours per week") and length ("7 Weeks")."""
    e = _RANGE.search(effort or "")
    w = re.search(r"(\d+)\s*weeks?", (length or "").lower())
    if not w:
        return None, None
    weeks = float(w.group(1))
    if e and "week" in effort.lower():
        return float(e.group(1)) * weeks, float(e.group(2)) * weeks
    one = re.search(r"(\d+(?:\.\d+)?)\s*hours?\s*per\s*week", (effort or "").lower())
    if one:
        return float(one.group(1)) * weeks, float(one.group(1)) * weeks
    return None, None


def edx_price(price: str) -> tuple[float | None, str | None, str | None]:
    """(cost, currency, note) from an edX price cell such as 'FREE-Add a Verified Certificate for $49 USD'."""
    m = re.search(r"\$\s?(\d+(?:\.\d+)?)\s*USD", price or "")
    if not m:
        return None, None, (price or None)
    note = "Free to audit; verified certificate " + m.group(0) if price.upper().startswith("FREE") else price
    return float(m.group(1)), "USD", note


def read_edx(path: Path) -> list[Credential]:
    """edX courses with hours from effort x length and the verified-certificate price."""
    out: list[Credential] = []
    for row in read_csv(path):
        name = " ".join(row["title"].split())
        lo, hi = edx_hours(row["course_effort"], row["course_length"])
        cost, currency, note = edx_price(row["price"])
        fmt = "online self-paced" if "self-paced" in row["course_type"].lower() else "online instructor-led"
        summary = " ".join((row.get("summary") or "").split())
        desc = f"Subject: {row['subject'].strip()}. {summary}" if row["subject"].strip() else summary
        out.append(
            Credential(
                id="edx-" + slug(name),
                name=name,
                provider=row["institution"].strip(),
                type="course",
                level=LEVELS.get(row["Level"].strip().lower()),  # type: ignore[arg-type]
                hours_min=lo,
                hours_max=hi,
                hours_estimated=lo is not None,
                hours_rule=(EDX_HOURS_RULE + f" ('{row['course_effort']}' x '{row['course_length']}')")
                if lo is not None
                else None,
                cost=cost,
                currency=currency,
                cost_note=note,
                format=fmt,
                url=row["course_url"].strip() or None,
                description=desc.strip(),
                language=row.get("language", "").strip() or None,
                sources=[
                    Source(
                        name="edx-courses",
                        url=row["course_url"].strip() or None,
                        licence=LICENCE_UNKNOWN,
                        as_of=EDX_AS_OF,
                        source_kind="dataset",  # a scraped listing
                    )
                ],
            )
        )
    return out
