"""Coursera's 2023 listing (knowledge_base/sources/coursera-courses-2023/coursera_courses_2023.csv)."""

from __future__ import annotations

import re
from pathlib import Path

from coach.knowledge.sources.common import LEVELS, LICENCE_UNKNOWN, read_csv, slug
from coach.models import Credential, Source

COURSERA_AS_OF = "2023"
COURSERA_PACE = (5.0, 10.0)  # assumed study hours per week, low and high
WEEKS_PER_MONTH = 52 / 12
COURSERA_HOURS_RULE = (
    "Estimated from Coursera's course-length bucket: lower bound of the bucket in weeks x 5 h/week to upper "
    "bound x 10 h/week (a month = 4.33 weeks; the 5-10 h/week study pace is an assumption, the listing gives "
    "length, not hours)."
)


def coursera_hours(bucket: str) -> tuple[float | None, float | None]:
    """Hours range from a Coursera duration bucket (see COURSERA_HOURS_RULE); (None, None) when not a bucket."""
    b = " ".join(bucket.split()).lower()
    if b == "less than 2 hours":
        return None, 2.0
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)\s+(weeks|months)", b)
    if not m:
        return None, None
    lo, hi = float(m.group(1)), float(m.group(2))
    per = 1.0 if m.group(3) == "weeks" else WEEKS_PER_MONTH
    return round(lo * per * COURSERA_PACE[0], 1), round(hi * per * COURSERA_PACE[1], 1)


COURSERA_TYPES = {
    "course": ("course", True),
    "specialization": ("specialization", True),
    "professional certificate": ("professional_certificate", True),
    "guided project": ("guided_project", True),
    "degree": ("degree", False),
    "postgraduate diploma": ("degree", False),
    "mastertrack": ("program", False),
    "graduate certificate": ("program", False),
    "university certificate": ("program", False),
}


def read_coursera(path: Path) -> list[Credential]:
    """Coursera 2023 offerings; degrees and university programmes are marked not micro-credentials."""
    out: list[Credential] = []
    for row in read_csv(path):
        name = " ".join(row["course"].split()).rstrip(":").strip()
        partner = row["partner"].strip()
        raw_type = row["certificatetype"].strip().lower()
        if raw_type in ("", "none"):
            # Some scraped rows are shifted: the type sits in the level column; otherwise the type is unknown.
            raw_type = row["level"].strip().lower()
        if raw_type not in COURSERA_TYPES:
            continue  # an empty scraped row: its duplicates (if any) carry the facts; no type is not guessed
        ctype, micro = COURSERA_TYPES[raw_type]
        tags = [t.strip().strip('"').strip() for t in row["skills"].strip().strip("{}").split('","')]
        tags = [
            t
            for t in (x.strip('"').strip() for x in tags)
            # The scrape put type names and review counts ("(2.8k reviews)") into some skill cells.
            if t and t.lower() not in {"course", "specialization", "degree"} and not t.startswith("(")
        ]
        duration = row["duration"].strip()
        lo, hi = coursera_hours(duration) if micro else (None, None)
        estimated = lo is not None or hi is not None
        desc = f"Coursera {raw_type or 'offering'} by {partner}."
        if duration and duration != "None":
            desc += f" Length: {duration}."
        if row["crediteligibility"].strip() == "true":
            desc += " Listed as eligible for college credit."
        out.append(
            Credential(
                id="coursera-" + slug(name),
                name=name,
                provider=partner,
                type=ctype,  # type: ignore[arg-type]
                level=LEVELS.get(row["level"].strip().lower()),  # type: ignore[arg-type]
                hours_min=lo,
                hours_max=hi,
                hours_estimated=estimated,
                hours_rule=COURSERA_HOURS_RULE + f" Bucket: '{duration}'." if estimated else None,
                format="online course",
                description=desc,
                skill_tags=tags,
                is_microcredential=micro,
                sources=[
                    Source(
                        name="coursera-courses-2023",
                        licence=LICENCE_UNKNOWN,
                        as_of=COURSERA_AS_OF,
                        source_kind="dataset",  # a scraped listing
                    )
                ],
            )
        )
    return out
