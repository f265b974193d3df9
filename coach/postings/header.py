"""What a posting says about the job itself: the title, the seniority and the stated salary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from coach.postings.sections import heading_section

_TITLE_LINE_RE = re.compile(r"^\s*(?:job\s+title|position|role|title)\s*[:\-–]\s*(?P<t>.+)$", re.I | re.M)


# A first line that names the document, not the job ("Job posting", "Vacancy", "We're hiring!"): the title, if
# any, comes after it. Read as a title, "Vacancy" was a cargo vehicle driver and "Job posting" a recruiter.
_DOCUMENT_LINE_RE = re.compile(
    r"^(?:new\s+|open\s+)?(?:job\s*)?(?:posting|post|vacancy|vacancies|advert|advertisement|ad|opening|"
    r"opportunity|offer|listing|position|role)?s?[.!:]*$|^(?:now\s+|we\s*(?:'|’)?re\s+|we\s+are\s+)hiring\b.{0,20}$",
    re.I,
)


def find_title(text: str, blocks: list[tuple[str, int, int]]) -> str:
    """The job title: a 'Job title:' line, else the first short line of the posting (after any line that only
    names the document, such as "Job posting")."""
    m = _TITLE_LINE_RE.search(text)
    if m:
        return m.group("t").strip()[:150]
    for line in text.splitlines():
        line = line.strip().strip("#*_").strip()
        if not line or _DOCUMENT_LINE_RE.match(line):
            continue
        if heading_section(line) and not re.search(
            r"\b(analyst|engineer|nurse|manager|developer)\b", line, re.I
        ):
            return ""
        # "Data Analyst (Mid-Level)" / "Registered Nurse - Medical/Surgical Unit (Night Shift)": the first
        # line of a posting is its title when it is short.
        if len(line) <= 120 and len(line.split()) <= 14:
            return line
        return ""
    return ""


def _title_core(title: str) -> str:
    """The title without location, company, shift or level notes, for occupation lookup."""
    core = re.split(r"\s+[|@]\s+|\s+[-–—]\s+|\s+at\s+|,\s+", title)[0]
    core = re.sub(r"\([^)]*\)", " ", core)  # "(SOC)", "(Night Shift)", "(Mid-Level)"
    core = re.sub(r"\s+(?:I{1,3}|IV|[1-4])\s*$", "", core.strip())  # "Analyst I" → "Analyst"
    # Seniority is reported on its own; left in, "Junior Data Analyst" ranks "call centre analyst" first.
    core = re.sub(r"(?i)\b(?:junior|jr\.?|senior|sr\.?|entry[- ]level|mid[- ]level)\s+", "", core)
    return " ".join(core.split()) or title


_SENIOR_RE = [
    (
        "lead",
        re.compile(r"\b(lead|principal|staff|head|manager|director|supervisor|chief|architect)\b", re.I),
    ),
    ("senior", re.compile(r"\b(senior|sr\.?|iii|iv|expert)\b", re.I)),
    (
        "junior",
        re.compile(
            r"\b(junior|jr\.?|entry[- ]level|graduate|trainee|intern|apprentice|assistant|i|1)\b(?!\s*[-–]\s*\d)",
            re.I,
        ),
    ),
    ("mid", re.compile(r"\b(mid[- ]?level|mid|intermediate|ii|2)\b", re.I)),
]


def infer_seniority(title: str, years: Sequence[float]) -> str | None:
    """junior / mid / senior / lead from the title's words, else from the years of experience asked."""
    t = re.split(r"\s+[|@]\s+|\s+at\s+|,\s+", title)[0]
    last = re.sub(r"[^\w]", " ", t).split()[-1:] or [""]
    for level, pattern in _SENIOR_RE:
        for m in pattern.finditer(t):
            word = m.group(1).lower()
            # roman numerals and digits only count at the end of a title ("SOC Analyst I", "Engineer II")
            if word in ("i", "ii", "iii", "iv", "1", "2") and last[0].lower() != word:
                continue
            return level
    if years:
        y = max(years)
        return "junior" if y < 2 else "mid" if y < 5 else "senior"
    return None


_CURRENCY = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "cad": "CAD",
    "aud": "AUD",
    "chf": "CHF",
    "inr": "INR",
}
_AMOUNT = r"(?P<{c}>[$€£]|\b(?:USD|EUR|GBP|CAD|AUD|CHF|INR)\s?)?(?P<{n}>\d{{1,3}}(?:[,.]\d{{3}})*(?:\.\d{{1,2}})?|\d+(?:\.\d+)?)\s?(?P<{k}>[kK]\b)?"
_SALARY_RE = re.compile(
    _AMOUNT.format(c="c1", n="a", k="k1")
    + r"(?:\s*(?:-|–|—|to)\s*"
    + _AMOUNT.format(c="c2", n="b", k="k2")
    + r")?(?P<tail>\s*(?:USD|EUR|GBP|CAD|AUD)?\s*(?:/|per|an|a)?\s*(?P<period>hour|hr|year|yr|annum|month|week|day)\b|\s*(?:annually|hourly|yearly|monthly|p\.a\.))?",
)
_SALARY_CUE_RE = re.compile(r"\b(salary|pay|compensation|wage|rate|range|ote|base)\b", re.I)
_SALARY_NOT_RE = re.compile(
    r"\b(bonus|training|tuition|sign[- ]on|stipend|reimburse|match|allowance|budget)\b", re.I
)


def _amount(raw: str, k: str | None) -> float:
    raw = raw.replace(",", "")
    if raw.count(".") == 1 and len(raw.split(".")[1]) == 3:  # "70.000" in European notation
        raw = raw.replace(".", "")
    value = float(raw)
    return value * 1000 if k else value


def find_salary(text: str) -> dict[str, Any] | None:
    """The stated pay: min, max, currency, period and the span; None when the posting states none."""
    best: tuple[int, dict[str, Any]] | None = None
    for line_m in re.finditer(r"[^\n]+", text):
        line = line_m.group(0)
        for m in _SALARY_RE.finditer(line):
            cur = m.group("c1") or m.group("c2")
            tail = m.group("tail") or ""
            if not cur and not re.search(r"(USD|EUR|GBP)", tail):
                continue
            period_raw = (m.group("period") or tail.strip()).lower()
            period = (
                "hour"
                if period_raw.startswith(("hour", "hr"))
                else "year"
                if period_raw.startswith(("year", "yr", "annum", "annual", "p.a"))
                else "month"
                if period_raw.startswith("month")
                else "week"
                if period_raw.startswith("week")
                else "day"
                if period_raw.startswith("day")
                else None
            )
            lo = _amount(m.group("a"), m.group("k1") or m.group("k2"))
            hi = _amount(m.group("b"), m.group("k2")) if m.group("b") else None
            if period is None:
                period = "hour" if lo < 500 else "year" if lo >= 10_000 else None
            if period is None:
                continue
            score = 0
            score += 3 if _SALARY_CUE_RE.search(line) else 0
            score += 1 if hi is not None else 0
            score += 1 if line_m.start() < 400 else 0
            score -= 4 if _SALARY_NOT_RE.search(line) else 0
            if score < 1:
                continue
            cur_code = _CURRENCY.get((cur or "").strip().lower()) or next(
                (v for k, v in _CURRENCY.items() if k.isalpha() and k.upper() in tail), None
            )
            found = {
                "min": lo,
                "max": hi if hi is not None else lo,
                "currency": cur_code,
                "period": period,
                "text": m.group(0).strip(),
                "start": line_m.start() + m.start(),
                "end": line_m.start() + m.start() + len(m.group(0).rstrip()),
            }
            if best is None or score > best[0]:
                best = (score, found)
    return best[1] if best else None


def _salary_text(s: dict[str, Any]) -> str:
    lo, hi = s["min"], s["max"]
    fmt = (lambda v: f"{v:,.2f}".rstrip("0").rstrip(".")) if max(lo, hi) < 1000 else (lambda v: f"{v:,.0f}")
    amount = fmt(lo) if lo == hi else f"{fmt(lo)}–{fmt(hi)}"
    return f"{s['currency'] or ''} {amount} per {s['period']}".strip()
