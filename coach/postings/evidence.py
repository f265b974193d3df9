"""What a profile evidences: its distinct items, dated work, held credentials, and the word-level helpers
(normalised words, crude stems, abbreviations) the match compares them with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coach.models import Profile, Requirement
from coach.postings.language import looks_english
from coach.postings.spans import _STOP_SPAN_WORDS


@dataclass
class _Item:
    """One piece of profile evidence, shown as `label` when it meets a requirement."""

    label: str
    text: str
    uris: set[str] = field(default_factory=set)


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9+#]+(?:\.[a-z0-9]+)*", text.lower())


def _contains_phrase(hay: str, needle: str) -> bool:
    h, n = _norm_words(hay), _norm_words(needle)
    if not n or len(n) > len(h):
        return False
    k = len(n)
    return any(h[i : i + k] == n for i in range(len(h) - k + 1))


def _parse_month(value: str | None, today: date) -> float | None:
    """A "YYYY-MM" date as a year with months in twelfths (a year alone is its January); None without a year."""
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d{1,2}))?", value.strip())
    if not m:
        return None
    return int(m.group(1)) + (int(m.group(2) or 1) - 1) / 12


def _years_of(exp: Any, today: date) -> tuple[float, float] | None:
    """The (start, end) of an experience entry in years, an open end being today; None without dates."""
    start = _parse_month(exp.start, today)
    if start is None:
        return None
    end = _parse_month(exp.end, today) if exp.end else today.year + (today.month - 1) / 12
    if end is None or end < start:
        return None
    return start, end


def _merged_years(intervals: list[tuple[float, float]]) -> float:
    """Years covered by the intervals, overlaps counted once."""
    total, cur = 0.0, None
    for s, e in sorted(intervals):
        if cur is None or s > cur[1]:
            if cur:
                total += cur[1] - cur[0]
            cur = [s, e]
        else:
            cur[1] = max(cur[1], e)
    if cur:
        total += cur[1] - cur[0]
    return total


def _held_credentials(profile: Profile, catalog: Any) -> list[tuple[Any, str | None]]:
    """(held credential, catalogue id or None)."""
    out = []
    for hc in profile.credentials:
        cid = hc.id if hc.id and hc.id in catalog.credentials else None
        if cid is None:
            found = catalog.find_credential(hc.name)
            cid = found.id if found else None
        out.append((hc, cid))
    return out


def _profile_items(
    profile: Profile,
    held: list[tuple[Any, str | None]],
    catalog: Any,
    skill_uris: dict[str, set[str]] | None = None,
) -> list[_Item]:
    """Distinct evidence items (case-insensitive): repeating a skill twenty times gives one item."""
    seen: set[str] = set()
    items: list[_Item] = []

    def add(label: str, text: str, uris: Iterable[str] = ()) -> None:
        key = " ".join(_norm_words(text))
        if not key or key in seen:
            return
        seen.add(key)
        items.append(_Item(label=label, text=text.strip(), uris=set(uris)))

    for s in profile.skills:
        add(f"skill: {s.strip()}", s, (skill_uris or {}).get(" ".join(s.split()), set()))
    if profile.current_role:
        add(f"current role: {profile.current_role}", profile.current_role)
    for e in profile.experience:
        where = f" at {e.organization}" if e.organization else ""
        add(f"{e.kind}: {e.title}{where}", e.title)
        for line in e.evidence:
            add(f"{e.title}{where}: {line}", line)
    for hc, cid in held:
        if hc.status != "earned" or cid is None:
            continue
        cred = catalog.credentials.get(cid)
        if cred is not None and cred.skills:
            # An earned credential evidences the skills the catalogue says it certifies (by URI only).
            add(f"credential: {cred.name} (earned)", cred.name, cred.skills)
    return items


# MiniLM reads "IT support" poorly (0.21 to "Help Desk Technician"); spelled out it does much better.
_ABBREVIATIONS = {
    "IT": "information technology",
    "SOC": "security operations center",
    "SRE": "site reliability engineering",
    "EHR": "electronic health records",
    "QA": "quality assurance",
    "HR": "human resources",
    "UX": "user experience",
    "ML": "machine learning",
    "AI": "artificial intelligence",
}
_ABBREV_RE = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")\b")


def _expand_abbreviations(text: str) -> str:
    return _ABBREV_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)


def _experience_subject(r: Requirement) -> str:
    subject = re.sub(
        r"(?i)^.*?\b(?:years?|yrs?)\b\s*(?:of\s+)?(?:(?:professional|relevant|hands-on|proven|progressive|"
        r"direct|prior)\s+)*(?:experience|exp)?\s*(?:in|with|as|of|working|on|at)?\s*",
        "",
        r.text,
    )
    subject = re.sub(r"(?i)\s*\b(?:experience|exp)\b\s*", " ", subject)
    subject = re.sub(r"(?i)\s*\b(?:preferred|required|is a plus|a plus|desirable)\b.*$", "", subject)
    return subject.strip(" ,.;") or "work"


# Words that say nothing about which skill is meant ("strong communication skills" → "communication").
_GENERIC_WORDS = frozenset(
    [
        "skill",
        "skills",
        "experience",
        "experienced",
        "ability",
        "able",
        "knowledge",
        "strong",
        "excellent",
        "good",
        "solid",
        "proven",
        "work",
        "working",
        "team",
        "teams",
        "use",
        "using",
        "new",
        "clear",
        "concise",
        "various",
        "multiple",
        "related",
        "relevant",
        "understanding",
        "familiarity",
        "basic",
        "advanced",
        "intermediate",
        "proficiency",
        "proficient",
        "hands",
        "on",
    ]
)


def _stem(word: str) -> str:
    """A crude suffix-stripping stem: 'dashboards' → 'dashboard', 'education'/'educate' → 'educat'."""
    for suffix in ("ations", "ation", "ions", "ion", "ing", "ers", "ies", "ed", "es", "er", "ly", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _norm_words(text) if w not in _STOP_SPAN_WORDS and w not in _GENERIC_WORDS}


def _stem_overlap(req: set[str], item: set[str]) -> float:
    """Share of the requirement's content words (stemmed) that the profile item also uses."""
    return len(req & item) / len(req) if req else 0.0


def _skill_parents(uris: Iterable[str], catalog: Any) -> set[str]:
    """ESCO skill-pillar parents of the skills (ISCED fields of education are too broad to mean related)."""
    out: set[str] = set()
    for u in uris:
        skill = catalog.skills.get(u)
        if skill is not None:
            out.update(b for b in skill.broader if "/esco/skill/" in b)
    return out


def profile_is_english(profile: Profile) -> bool:
    """True when the profile's own words are English."""
    words = " ".join([*profile.skills, *(ev for e in profile.experience for ev in e.evidence)])
    return len(words.split()) >= 5 and looks_english(words)
