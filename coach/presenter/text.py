"""Small text helpers of the drafts: articles, clauses, content words, months, outcomes."""

from __future__ import annotations

import re
from datetime import date

from coach.claims import (
    month_year,
    normalise,
)

_KIND_LABELS = {
    "apprenticeship": "apprenticeship",
    "internship": "internship",
    "portfolio_project": "portfolio project",
    "on_the_job_assessment": "on-the-job assessment",
    "job": "job",
    "project": "project",
    "volunteer": "volunteer role",
}


_OUTCOME = re.compile(
    r"\d|%|\b(reduc|increas|improv|cut|sav|grew|grow|won|award|resolv|achiev|raised|boost|lower|halv|doubl|"
    r"prevent|recogni|promot|shortened|faster|zero)\w*",
    re.IGNORECASE,
)
_STOP_TEXT = """
a an and are as at be by for from in into is it of on or the to with using use used via your my our this
that these those i we you
"""
_STOP = frozenset(_STOP_TEXT.split())


def _with_article(phrase: str, *, keep_case: bool = False) -> str:
    """'a retail sales associate', 'an IT technician' (lower-cases a leading capital unless it is an acronym)."""
    phrase = phrase.strip()
    if not phrase:
        return phrase
    if not keep_case:
        phrase = _lower_first(phrase)
    article = "an" if phrase[0].lower() in "aeiou" else "a"
    return f"{article} {phrase}"


_PAST_IRREGULAR_TEXT = """
set led built ran wrote made taught kept won cut grew met sold drove gave took found held began brought
spent sent read put lent rebuilt rewrote oversaw
"""
_PAST_IRREGULAR = frozenset(_PAST_IRREGULAR_TEXT.split())


def _clause(evidence: str) -> str:
    """The learner's evidence as a clause after 'I …' or ':' — lower-case the first word only if it is a verb."""
    text = evidence.strip().rstrip(".")
    if not text:
        return text
    first = text.split()[0]
    if first[1:].islower() and (first.lower().endswith("ed") or first.lower() in _PAST_IRREGULAR):
        return first.lower() + text[len(first) :]
    return text


# Words too general to link two things ("management" in "inventory management" and "memory management").
_GENERIC_TEXT = """
manag syste skill servi suppo work basic intro found princ probl solvi data appli using advan level found
profe certi cours progr speci plann proje devel infor techn
"""
_GENERIC = frozenset(_GENERIC_TEXT.split())


def _content_words(text: str) -> set[str]:
    """Content-word stems (first five letters) for a rough lexical overlap."""
    return {w[:5] for w in normalise(text).split() if w not in _STOP and len(w) > 2}


def _specific_words(text: str) -> set[str]:
    """Content-word stems that are specific enough to link a skill to a credential."""
    return _content_words(text) - _GENERIC


def _strip_kind_prefix(name: str, kind_label: str) -> str:
    """'Portfolio project: attack vectors' → 'attack vectors' when the sentence already says 'portfolio project'."""
    prefix = f"{kind_label}:"
    return name[len(prefix) :].strip() if name.lower().startswith(prefix.lower()) else name


def _month_label(value: str | None) -> str | None:
    """'2026-05' → 'May 2026'; None when the date is missing or not YYYY-MM(-DD)."""
    if not value:
        return None
    match = re.match(r"^(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return month_year(date(int(match.group(1)), int(match.group(2)), 1))


def _cap_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _first_name(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def _has_outcome(text: str) -> bool:
    return bool(_OUTCOME.search(text))


def _lower_first(text: str) -> str:
    """'Sales associate' → 'sales associate'; Title Case names, acronyms and 'CompTIA'-like words stay as they are."""
    words = text.split()
    if not words:
        return text
    first = words[0]
    if (first.isupper() and len(first) > 1) or any(ch.isupper() for ch in first[1:]):
        return text
    if any(w[:1].isupper() for w in words[1:]):
        return text  # a proper title ("Information Technology Specialist")
    return text[0].lower() + text[1:]
