"""Pathway rules (knowledge_base/sources/curated-credentials/rules.csv) and the reading of their conditions."""

from __future__ import annotations

import re
from pathlib import Path

from coach.knowledge.sources.common import read_csv
from coach.knowledge.sources.curated import CURATED_AS_OF
from coach.models import Rule

_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "eighteen": 18, "twenty-four": 24, "thirty-six": 36,
}  # fmt: skip
_DURATION = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r")(?:\s*\+)?\s+(years?|months?)\b", re.I
)
_WINDOW_BEFORE = re.compile(r"(within|up to|past|every|after)\s*$", re.I)
_WINDOW_AFTER = re.compile(r"^\s*(to qualify|to complete|to apply|after)", re.I)


def parse_any_of(condition: str) -> bool:
    """True when the condition says any one of the objects is enough ('either', 'one of')."""
    return bool(re.search(r"\beither\b|\bone of\b|\bany one\b", condition, re.I))


def parse_experience_years(condition: str) -> float | None:
    """The first stated length of work ('five years', '5 years', '36 months' = 3), skipping time windows."""
    for m in _DURATION.finditer(condition):
        before, after = condition[max(0, m.start() - 12) : m.start()], condition[m.end() : m.end() + 20]
        if _WINDOW_BEFORE.search(before) or _WINDOW_AFTER.search(after):
            continue  # "within up to six years", "with six years to qualify": a deadline, not experience
        raw = m.group(1).lower()
        value = float(_NUMBERS.get(raw, 0) or raw)
        return round(value / 12, 2) if m.group(2).lower().startswith("month") else value
    return None


def _number(value: str | None) -> float | None:
    """A number from a CSV cell; None when the cell is empty."""
    return float(value) if value and value.strip() else None


def read_rules(path: Path, as_of: str = CURATED_AS_OF) -> list[Rule]:
    """Pathway rules from a rules.csv in the curated format (id, rule_type, subject, objects, condition, ...)."""
    out = []
    for row in read_csv(path):
        objects = [o.strip() for o in (row.get("objects") or "").split(";") if o.strip()]
        condition = (row.get("condition") or "").strip()
        rtype = row["rule_type"].strip()
        out.append(
            Rule(
                id=row["id"].strip(),
                type=rtype,  # type: ignore[arg-type]
                subject=row["subject"].strip(),
                objects=objects,
                any_of=len(objects) > 1 and parse_any_of(condition),
                condition=condition,
                experience_years=parse_experience_years(condition)
                if rtype == "experience_required"
                else None,
                # Curated columns for what a sentence cannot say reliably: the shorter requirement for degree
                # holders (PMP: 60 months, 36 with a four-year degree) and the field of the work.
                experience_years_with_degree=_number(row.get("experience_years_with_degree")),
                experience_fields=[
                    w.strip() for w in (row.get("experience_fields") or "").split(";") if w.strip()
                ],
                source_url=(row.get("source_url") or "").strip() or None,
                quote=(row.get("quote") or "").strip() or None,
                as_of=(row.get("as_of") or "").strip() or as_of,
            )
        )
    return out
