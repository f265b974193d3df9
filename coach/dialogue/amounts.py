"""What the numbers in a learner's message are: a budget, weekly study hours, a deadline, years of experience.

The same "6" is a budget in "I can spend 6k", study time in "6 hours a week", a deadline in "in 6 months" and
experience in "6 years in retail". Each reader here finds the quantities of its kind (through
`coach.quantities`) and keeps those whose surrounding words make them that fact, so a salary ("jobs paying
120k"), a price ("the exam is $400"), money already spent, an age ("I'm 31"), an employer's requirement
("everyone wants 2 yrs") or work hours are never read as the learner's budget, experience or study time.

Every reader returns the value with the span of text it came from, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from coach.quantities import (
    MONTH_ALT,
    MONTHS,
    QUARTER_END,
    SEASON_END,
    find_money,
    find_numbers,
    month_end,
    next_month_end,
    span_to_date,
    weeks_until,
)


@dataclass(frozen=True)
class Found:
    """A value read from the text and the span it came from."""

    value: float
    start: int
    end: int
    currency: str | None = None
    note: str | None = None  # how the value was worked out, when it was ("2 h a day, 7 days a week")


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the clause around a span (sentence punctuation; commas do not end a clause)."""
    left = max((m.end() for m in re.finditer(r"[.!?;\n]\s|[.!?;\n]$|\n", text[:start])), default=0)
    m = re.search(r"[.!?;](?:\s|$)|\n", text[end:])
    return left, end + m.start() if m else len(text)


def _negated(text: str, start: int) -> bool:
    """True for an amount the learner sets aside: "not 1000", "instead of 3", "I said 5 hours before"."""
    before = text[max(0, start - 14) : start].lower()
    return bool(re.search(r"(?:\bnot|\binstead of|\brather than|\bfrom)\s*\$?\s*$", before))


def _said_before(text: str, start: int, end: int) -> bool:
    """An old value quoted in a correction: "I said 5 hours before", "the deadline I gave you was 3"."""
    before = text[max(0, start - 30) : start].lower()
    after = text[end : end + 30].lower()
    return bool(
        re.search(
            r"\b(?:i said|i told you|i gave|i wrote|i put|instead of|previously|earlier i said)\b[^.]*$",
            before,
        )
        or re.match(r"^[^.,]{0,14}\b(?:before|earlier|last time)\b", after)
    )


# ---- budget -------------------------------------------------------------------------------------------------

_BUDGET_CUE = (
    r"budget|spend|spare|afford|invest|saved|savings|put\s+(?:aside|towards?)|towards|set aside|max|maximum|"
    r"up to|at most|under|tops|cap|stipend|allowance|lend|lending|loan|go up to|go down to|only do|can do|"
    r"have|got|'ve got|i've|around|about|roughly|like|maybe|so that|that's it|for courses|for school|for training"
)
_BUDGET_BEFORE_RE = re.compile(rf"\b(?:{_BUDGET_CUE})\b[^.!?;$€£₹\d]{{0,22}}$", re.I)
_BUDGET_AFTER_RE = re.compile(
    r"^\s*(?:\(?[a-z]{3}\)?\s*)?(?:budget|to spend|for (?:courses|school|training|learning|this|it|certs?)|saved|"
    r"max|maximum|tops|at most|total|in savings|to invest|is my budget|is the budget|learning stipend|"
    r"stipend|towards)\b",
    re.I,
)
_SALARY_RE = re.compile(
    r"\b(?:salary|salaries|paying|pays|paid|pay|earn|earns|earning|make(?!\s+(?:that|it)\b)|makes|making|wage|wages|income|per hour|"
    r"an hour|a year|per year|annually|/hr|/hour|/yr|k\+? jobs?|job|jobs|offer|raise|package|ctc|lpa)\b",
    re.I,
)
# "within a year", "in the next year": when, not pay ("600 euros, within a year" is a budget).
_TIMEFRAME_RE = re.compile(
    r"\b(?:within|in|over|for|inside|after|by|under)\s+(?:a|one|the\s+next|the\s+coming|the)\s+(?:year|month)\b",
    re.I,
)
_PRICE_BEFORE_RE = re.compile(
    r"\b(?:costs?|costing|price[sd]?|fee|fees|worth|is|are|was|were|for the|exam|voucher|tuition|charges?|"
    r"program(?:me)? is|course is|bootcamps?|around the)\s*(?:about|around|like|only|just)?\s*$",
    re.I,
)
_SPENT_RE = re.compile(r"\b(?:spent|paid|wasted|blew|lost|already put)\b[^.!?]{0,18}$", re.I)
_ZERO_RE = re.compile(
    r"\b(?:no|zero|0)\s+(?:money|budget|cash|funds|savings|dollars|bucks|euros|pounds|rupees)\b|"
    r"\bbroke\b|\bfree (?:stuff|options?|resources|courses|things|ones)(?: only)?\b|\bonly free\b|"
    r"\bcan'?t (?:afford|spend) (?:anything|a thing|much of anything)\b|\bbasically nothing\b|"
    r"\bnothing to spend\b|\bno spare (?:money|cash)\b|\bcan'?t pay (?:anything|for anything)\b",
    re.I,
)
_NOTHING_RE = re.compile(r"^\W*(?:nothing|none|zero|nada|0)\b", re.I)
_NO_CONCERN_RE = re.compile(
    r"\bmoney(?:'s| is)? (?:isn'?t|is not|not) (?:a|the|an) (?:concern|problem|issue)|\bwhatever it costs\b|"
    r"\bmoney(?:'s| is)? no object\b|\bcost doesn'?t matter\b|\bno budget limit\b",
    re.I,
)
_TIME_UNIT_AFTER_RE = re.compile(
    r"^\s*(?:-|to)?\s*\d*\s*(?:hours?|hrs?|h\b|minutes?|mins?|weeks?|wks?|months?|years?|yrs?|days?|%|percent|"
    r"points?|people|students|colleagues|employees|times|nights?|evenings?|am|pm|x\b|st\b|nd\b|rd\b|th\b)",
    re.I,
)


def read_budget(text: str, asked: str | None, local: str | None) -> Found | None:
    """What the learner can spend on learning (amount and ISO currency), or None when they did not say.

    `local` is the currency of the place the learner says they live, used for a bare "$" and unmarked
    amounts; US dollars when it is None. "No money" and its kin are a budget of 0.
    """
    asked_budget = asked == "budget"
    candidates: list[tuple[int, Found]] = []
    for money in find_money(text):
        s, e = money.start, money.end
        after = text[e : e + 30]
        if money.currency is None and not money.dollar and _TIME_UNIT_AFTER_RE.match(after):
            continue
        if re.search(r"[A-Za-z]-?$", text[max(0, s - 1) : s]) or re.match(r"^[A-Za-z]", text[e : e + 1]):
            continue  # part of a code ("AZ-900", "25B", "PL300")
        if _negated(text, s) or _said_before(text, s, e):
            continue
        if not money.marked and text[s:e].lower() == "one":
            continue  # "the first one", "which one": a pronoun; an amount of one has its unit ("one euro")
        if (
            not money.marked
            and re.fullmatch(r"(?:19[5-9]\d|20[0-4]\d)", text[s:e])
            and re.search(
                r"\b(?:since|in|from|by|of|until|till|year|back|before|after|class of)\s*$",
                text[max(0, s - 12) : s],
                re.I,
            )
        ):
            continue  # a year ("my Network+ since 2023"), not money
        c_start, c_end = _clause(text, s, e)
        before = text[c_start:s]
        clause = text[c_start:c_end]
        near_before = before[-34:]
        if _SPENT_RE.search(near_before):
            continue
        cued = bool(_BUDGET_BEFORE_RE.search(near_before) or _BUDGET_AFTER_RE.match(after))
        strong = bool(
            re.search(
                r"\b(?:budget|spend|afford|invest|saved|spare|stipend|max|up to|at most)\b", clause, re.I
            )
        )
        salary = bool(
            re.match(r"^\s*(?:-|to|–)\s*[$€£₹]?\s*\d", after)  # a range "$62,000-$70,000"
            or re.match(r"^\+?\s*(?:/|per\b|an? (?:hour|year|month)\b|k\+? (?:a|per)\b)", after, re.I)
            or (_SALARY_RE.search(_TIMEFRAME_RE.sub(" ", clause)) and not strong)
        )
        if salary:
            continue
        price = bool(_PRICE_BEFORE_RE.search(near_before)) and not re.search(
            r"\b(?:budget|spend|afford|go up to)\b", near_before, re.I
        )
        if price:
            continue
        if not (cued or strong or money.marked or asked_budget):
            continue
        if not money.marked and not (cued or strong or asked_budget):
            continue
        if not money.marked and money.amount < 10 and not (asked_budget or strong):
            continue
        currency = money.currency or local or "USD"
        rank = 2 if (cued or strong) else 1
        candidates.append((rank, Found(money.amount, s, e, currency)))
    if candidates:
        best = max(r for r, _ in candidates)
        chosen = [f for r, f in candidates if r == best]
        # A correction names the new amount last ("...so my budget has to go up to 5000").
        return (
            chosen[-1]
            if len(chosen) > 1 and re.search(r"\b(?:actually|now|go up|go down|update)\b", text, re.I)
            else chosen[0]
        )
    zero = _ZERO_RE.search(text) or (asked_budget and _NOTHING_RE.search(text))
    if zero and not _NO_CONCERN_RE.search(text):
        return Found(0.0, zero.start(), zero.end(), local or "USD")
    return None


def declined_budget(text: str) -> bool:
    """True when the learner says money is no limit ("whatever it costs"): no budget to plan within."""
    return bool(_NO_CONCERN_RE.search(text))


# ---- weekly hours -------------------------------------------------------------------------------------------

_DAYS = {
    "mon": 1, "monday": 1, "mondays": 1, "tue": 2, "tues": 2, "tuesday": 2, "tuesdays": 2, "wed": 3,
    "wednesday": 3, "wednesdays": 3, "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "thursdays": 4, "fri": 5,
    "friday": 5, "fridays": 5, "sat": 6, "saturday": 6, "saturdays": 6, "sun": 7, "sunday": 7, "sundays": 7,
}  # fmt: skip
_DAY_ALT = "|".join(sorted(_DAYS, key=len, reverse=True))
_HOUR_UNIT_RE = re.compile(
    r"^\s*(?:-|to|–)?\s*(?:(?P<hi>\d+(?:[.,]\d+)?)\s*)?(?P<unit>hours?|hrs?|hr|h|minutes?|mins?|min)\b", re.I
)
_AN_HOUR_RE = re.compile(
    r"\b(?:(?P<half>half an hour|half-hour)|an? hour and a half|(?P<one>an? hour|one hour))\b", re.I
)
_PER_WEEK_RE = re.compile(
    r"^\W{0,2}(?:a|per|each|every|/|in a|for|for the|for a|by)\s*(?:week|wk)\b|^\W{0,2}(?:weekly|/wk|pw)\b",
    re.I,
)
_PER_DAY_RE = re.compile(
    r"^\W{0,2}(?:(?:a|per|each|every|/)\s*(?:day|night|evening|morning|weekday|weeknight|session)|daily|nightly)\b",
    re.I,
)
_TIMES_A_WEEK_RE = re.compile(
    r"\b(?P<n>\d+|one|two|three|four|five|six|seven|a couple of|couple of)\s+(?:days?|nights?|evenings?|mornings?|"
    r"times|sessions|afternoons?)\s+(?:a|per|each|every)\s+week\b",
    re.I,
)
_WORK_RE = re.compile(
    r"\b(?:work(?:ing)?|shifts?|job|commute|overtime|full[- ]time|part[- ]time|on call|sleep)\b[^.,;]{0,12}$",
    re.I,
)


def _days_in_scope(segment: str, strict: bool = False) -> int | None:
    """How many days a week a segment says the time is spent on ("weekdays" 5, "Mon/Wed/Fri" 3, "weekends" 2)."""
    low = segment.lower()
    m = _TIMES_A_WEEK_RE.search(low)
    if m:
        n = m.group("n")
        return {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}.get(
            n, 2 if "couple" in n else int(n) if n.isdigit() else 1
        )
    m = re.search(rf"\b({_DAY_ALT})\s*(?:to|-|–|through|thru)\s*({_DAY_ALT})\b", low)
    if m:
        return (_DAYS[m.group(2)] - _DAYS[m.group(1)]) % 7 + 1
    if re.search(
        r"\b(?:weekdays?|weeknights?|every weekday|monday to friday|mon-fri|work days|workdays)\b", low
    ):
        return 5
    if re.search(r"\bweekends?\b", low):
        return 2
    days = {_DAYS[d] for d in re.findall(rf"\b({_DAY_ALT})\b", low)}
    if days:
        return len(days)
    if strict:  # only named days count; "a day" / "each night" alone do not set the scope
        return None
    if re.search(
        r"\b(?:every day|each day|daily|every night|each night|every evening|each evening|a day|a night|nightly)\b",
        low,
    ):
        return 7
    return None


_PRONOUN_ONE_BEFORE_RE = re.compile(
    r"\b(?:the|this|that|which|what|each|every|any|other|another|first|second|third|last|next|same|"
    r"\w+(?:er|est))\s+$",
    re.I,
)


def _pronoun_one(text: str, start: int, end: int) -> bool:
    """True for "one" standing for a thing ("the first one", "which one", "the cheaper one"), not a number."""
    return text[start:end].lower() == "one" and bool(
        _PRONOUN_ONE_BEFORE_RE.search(text[max(0, start - 20) : start])
    )


def read_hours(text: str, asked: str | None) -> Found | None:
    """Study hours a week ("1 h a day" 7, "three nights a week, two hours a night" 6, "4-5 hours" 4.5), or None."""
    amounts: list[tuple[float, int, int]] = []  # (hours, start, end)
    for num in find_numbers(text):
        m = _HOUR_UNIT_RE.match(text[num.end :])
        if not m:
            continue
        value = num.value
        if m.group("hi"):  # a range "4-5 hours"
            value = (value + float(m.group("hi").replace(",", "."))) / 2
        if m.group("unit").lower().startswith("m"):
            value /= 60
        amounts.append((value, num.start, num.end + m.end()))
    for m in _AN_HOUR_RE.finditer(text):
        if any(s <= m.start() < e for _, s, e in amounts):
            continue
        value = 0.5 if m.group("half") else 1.0 if m.group("one") else 1.5
        amounts.append((value, m.start(), m.end()))
    amounts.sort(key=lambda a: a[1])
    weekly: list[tuple[float, int, int]] = []
    notes: dict[int, str | None] = {}
    for value, s, e in amounts:
        if _negated(text, s) or _said_before(text, s, e) or _WORK_RE.search(text[max(0, s - 30) : s]):
            continue
        if re.match(r"^\s*(?:shifts?|commute|drive|away|of work|at work|overtime)\b", text[e : e + 12], re.I):
            continue
        after = text[e : e + 40]
        c_start, c_end = _clause(text, s, e)
        # The segment this amount belongs to: up to the next amount or "plus"/"and" joining another amount.
        seg_start = max([c_start] + [pe for _, _, pe in amounts if pe <= s])
        seg_end = min([c_end] + [ps for _, ps, _ in amounts if ps >= e])
        segment = text[seg_start:seg_end]
        if _PER_WEEK_RE.match(after):
            weekly.append((value, s, e))
            continue
        # The nearest scope wins: the words right after the amount ("4h on sunday"), then those just before it
        # back to a comma ("weekends only, 4h on saturday"), then the whole segment ("two evenings a week, 3 hours
        # each").
        cuts = [m.end() for m in re.finditer(r",|\bso\b|\bbut\b", text[seg_start:s])]
        days = _days_in_scope(text[s:seg_end], strict=True)
        if days is None:
            days = _days_in_scope(text[seg_start + cuts[-1] if cuts else seg_start : s], strict=True)
        if days is None:
            days = _days_in_scope(segment)
        per_day = bool(_PER_DAY_RE.match(after)) or re.match(r"^\W{0,2}each\b", after, re.I)
        if per_day or days is not None:
            if days is None:
                days = 7
            weekly.append((value * days, s, e))
            notes[s] = f"{value:g} h a day, {days} days a week" if days > 1 else None
            continue
        # A bare figure answers the question just asked ("8, maybe more", "like 5 hours").
        if asked == "hours_per_week" or re.search(
            r"\b(?:hours?|hrs?|time)\s*(?:a|per)\s*week\b", text[c_start:c_end], re.I
        ):
            weekly.append((value, s, e))
            continue
        if re.search(r"\b(?:weekly|each week|every week|a week|per week)\b", text[c_start:c_end], re.I):
            weekly.append((value, s, e))
    if not weekly and asked == "hours_per_week":
        for num in find_numbers(text):
            if _pronoun_one(text, num.start, num.end):
                continue
            if not _negated(text, num.start) and not _TIME_UNIT_AFTER_RE.match(text[num.end : num.end + 12]):
                return Found(num.value, num.start, num.end)
        return None
    if not weekly:
        # "it's more like 3" after an old figure in hours: the new figure, in the same unit.
        m = re.search(
            r"\b\d+(?:\.\d+)?\s*(?:hours?|hrs?)\b[^.]{0,40}?\b(?:more like|actually|really|now|but)\s+(?:more like\s+|about\s+|like\s+|only\s+)?(\d+(?:\.\d+)?)\b(?!\s*(?:%|years?|months?|weeks?))",
            text,
            re.I,
        )
        if m:
            return Found(float(m.group(1)), m.start(1), m.end(1))
        return None
    # Segments joined by "plus" / "and" add up ("Mon/Wed/Fri 90 minutes, plus 3 hours on Sunday").
    if len(weekly) > 1:
        joined = all(
            re.search(r"\b(?:plus|and|also|\+|then)\b|&", text[weekly[i][2] : weekly[i + 1][1]], re.I)
            and not re.search(
                r"\b(?:or|but|actually|maybe|sometimes)\b", text[weekly[i][2] : weekly[i + 1][1]], re.I
            )
            for i in range(len(weekly) - 1)
        )
        if joined:
            return Found(round(sum(w for w, _, _ in weekly), 2), weekly[0][1], weekly[-1][2])
        if re.search(r"\b(?:actually|now|update|instead|correction)\b", text, re.I):
            return Found(round(weekly[-1][0], 2), weekly[-1][1], weekly[-1][2])
    return Found(round(weekly[0][0], 2), weekly[0][1], weekly[0][2], note=notes.get(weekly[0][1]))


# ---- deadline -----------------------------------------------------------------------------------------------

_UNIT = r"(?P<unit>weeks?|wks?|months?|mos?|mths?|years?|yrs?|days?)"
_IN_SPAN_RE = re.compile(
    rf"\b(?P<cue>in|within|inside|in the next|over the next|next|timeline\s*:?|timeframe\s*:?|time\s*:|"
    rf"deadline\s*:?|plan for|have|got|give myself|it'?s|by)\s+(?:about|around|roughly|the next|maybe|like|"
    rf"less than|under|another|only)?\s*(?P<n>[\w.,-]+(?:\s+(?:and\s+a\s+half|half))?)\s*[- ]?{_UNIT}\b",
    re.I,
)
_PLAN_SPAN_RE = re.compile(
    rf"\b(?P<n>\d+|a|an|one|two|three|six|nine|twelve)[- ]{_UNIT}[- ](?:plan|programme|program|roadmap|timeline|deadline|goal|sprint)\b",
    re.I,
)
_SPAN_TO_DO_RE = re.compile(
    rf"\b(?P<n>\d+|a|one|two|three|four|five|six|nine|twelve)\s+{_UNIT}\s+(?:to do it|to get there|to finish|to make it|left|until|deadline|max|tops)\b",
    re.I,
)
_BY_MONTH_RE = re.compile(
    rf"\b(?P<cue>by|before|until|till|til|no later than|end of|by the end of|until the end of|deadline|start of|"
    rf"beginning of|in time for)\s+(?:the\s+)?(?:end\s+of\s+)?(?P<next>next\s+)?(?P<month>{MONTH_ALT})\b\.?"
    rf"(?:\s+(?P<year>20\d\d))?",
    re.I,
)
_END_MONTH_RE = re.compile(rf"\bend of (?P<month>{MONTH_ALT})\b\.?(?:\s+(?P<year>20\d\d))?", re.I)
_END_YEAR_RE = re.compile(
    r"\b(?:by|until|till|before|end of|deadline)\s+(?:the\s+)?(?:end\s+of\s+)?(?:(?P<this>this|the)\s+year|"
    r"(?P<next>next)\s+year|(?P<year>20\d\d))\b",
    re.I,
)
_QUARTER_RE = re.compile(
    r"\b(?:end of|by|before|until)\s+(?:the\s+)?(?:end\s+of\s+)?q(?P<q>[1-4])(?:\s+(?P<year>20\d\d))?\b", re.I
)
_SEASON_RE = re.compile(
    r"\b(?:by|before|until|till|end of)\s+(?:the\s+)?(?:end\s+of\s+)?(?:(?P<next>next|this)\s+)?(?P<season>spring|summer|fall|autumn|winter)\b",
    re.I,
)
_DEADLINE_WORD_RE = re.compile(r"\b(?:deadline|timeline|timeframe|time frame|target date)\b", re.I)
_EXPERIENCE_BEFORE_RE = re.compile(
    r"\b(?:for|since|from|been|after|over)\s+(?:about|around|almost|nearly|over)?\s*$", re.I
)


def _span_value(raw: str) -> float | None:
    raw = raw.strip().lower()
    if raw in ("a", "an", "one"):
        return 1.0
    nums = find_numbers(raw)
    return nums[0].value if nums else None


def read_deadline(text: str, asked: str | None, today: date) -> tuple[Found, date] | None:
    """The date the learner wants to be ready by, as weeks from today (and the date), or None."""
    found: list[tuple[int, int, date]] = []

    def add(start: int, end: int, day: date) -> None:
        if day > today and not _negated(text, start) and not _said_before(text, start, end):
            found.append((start, end, day))

    for m in _IN_SPAN_RE.finditer(text):
        cue = m.group("cue").lower()
        value = _span_value(m.group("n"))
        if value is None or value <= 0:
            continue
        c_start, c_end = _clause(text, m.start(), m.end())
        clause = text[c_start:c_end]
        if cue in ("have", "got", "it's", "its", "by") and not (
            _DEADLINE_WORD_RE.search(clause)
            or asked == "deadline"
            or re.search(r"\b(?:left|to do it|until)\b", clause, re.I)
        ):
            continue
        if cue == "next" and m.group("unit").lower().startswith("y") is False and value < 1:
            continue
        add(m.start(), m.end(), span_to_date(today, value, m.group("unit")))
    for rx in (_PLAN_SPAN_RE, _SPAN_TO_DO_RE):
        for m in rx.finditer(text):
            value = _span_value(m.group("n"))
            if value:
                add(m.start(), m.end(), span_to_date(today, value, m.group("unit")))
    # A duration in a sentence about the deadline ("the deadline I gave you was wrong, it's 6 months").
    for m in re.finditer(
        rf"\b(?P<n>\d+(?:\.\d+)?|one|two|three|four|five|six|nine|twelve|eighteen)\s*{_UNIT}\b", text, re.I
    ):
        c_start, c_end = _clause(text, m.start(), m.end())
        if (
            _DEADLINE_WORD_RE.search(text[c_start:c_end]) or asked == "deadline"
        ) and not _EXPERIENCE_BEFORE_RE.search(text[max(0, m.start() - 14) : m.start()]):
            value = _span_value(m.group("n"))
            if value:
                add(m.start(), m.end(), span_to_date(today, value, m.group("unit")))
    # "$1200, 10 months": a bare span closing a list of limits (money or hours next to it) is the deadline.
    for m in re.finditer(
        rf"(?:^|,|;|\band\b)\s*(?P<n>\d+|one|two|three|four|five|six|nine|twelve)\s*{_UNIT}\s*(?=[,.;!?]|$)",
        text,
        re.I,
    ):
        c_start, c_end = _clause(text, m.start(), m.end())
        clause = text[c_start:c_end]
        if re.search(r"[$€£₹]|\b\d+\s*(?:hrs?|hours?|h)\b|\bbudget\b", clause, re.I) and not re.search(
            r"\b(?:for|since|been|experience|ago)\b", text[max(0, m.start() - 24) : m.start()], re.I
        ):
            value = _span_value(m.group("n"))
            if value:
                add(m.start("n"), m.end(), span_to_date(today, value, m.group("unit")))
    for m in _BY_MONTH_RE.finditer(text):
        year = int(m.group("year")) if m.group("year") else None
        add(m.start(), m.end(), next_month_end(today, MONTHS[m.group("month").lower()], year))
    for m in _END_MONTH_RE.finditer(text):
        year = int(m.group("year")) if m.group("year") else None
        add(m.start(), m.end(), next_month_end(today, MONTHS[m.group("month").lower()], year))
    for m in _END_YEAR_RE.finditer(text):
        year = int(m.group("year")) if m.group("year") else today.year + (1 if m.group("next") else 0)
        add(m.start(), m.end(), date(year, 12, 31))
    for m in _QUARTER_RE.finditer(text):
        month = QUARTER_END[int(m.group("q"))]
        year = int(m.group("year")) if m.group("year") else None
        add(m.start(), m.end(), next_month_end(today, month, year))
    for m in _SEASON_RE.finditer(text):
        month = SEASON_END[m.group("season").lower()]
        end = next_month_end(today, month)
        if (
            m.group("next")
            and m.group("next").lower() == "next"
            and end.year == today.year
            and month < today.month
        ):
            end = month_end(today.year + 1, month)
        add(m.start(), m.end(), end)
    if not found and asked == "deadline":
        bare = re.search(rf"\b(?P<n>\d+|a|one|two|three|six|nine|twelve)\s*{_UNIT}\b", text, re.I)
        bare_value = _span_value(bare.group("n")) if bare else None
        if bare and bare_value:
            add(bare.start(), bare.end(), span_to_date(today, bare_value, bare.group("unit")))
    if not found:
        return None
    # The last one stated wins: people correct themselves ("until the summer. no wait, by the end of August").
    last = sorted(found, key=lambda f: (f[0], -f[1]))[-1]
    overlapping = [f for f in found if f[0] <= last[0] < f[1]]
    if overlapping:
        last = max(overlapping, key=lambda f: f[1] - f[0])
    return Found(float(weeks_until(today, last[2])), last[0], last[1]), last[2]


# ---- years of experience ------------------------------------------------------------------------------------

_YEARS_RE = re.compile(
    r"^\s*(?:\+\s*)?(?P<unit>years?|yrs?|yr|y\b|months?|mos?\b|mths?)(?P<old>[\s-]*old)?", re.I
)
_NOT_EXPERIENCE_BEFORE_RE = re.compile(
    r"\b(?:needs?|requires?|required|wants?|wanted|asking for|ask for|asks for|minimum|min\.?|at least|takes?|took|"
    r"taking|lasts?|valid for|expires? (?:after|in)|every|renew|in|within|next|timeline|timeframe|plan for|"
    r"over the next|under|less than|more than|aged?|i'?m|i am|at|than)\s*(?:about|around|roughly|like|a|the)?\s*$",
    re.I,
)
_REQUIREMENT_AFTER_RE = re.compile(
    r"^[^.]{0,20}\b(?:required|requirement|minimum|old|of age|to qualify|needed|preferred|to study|to complete|to finish)\b",
    re.I,
)


def read_experience(text: str, deadline: Found | None, today: date) -> Found | None:
    """Years of work experience the learner states ("6 years in retail", "18 months in" = 1.5), or None."""
    for num in find_numbers(text):
        m = _YEARS_RE.match(text[num.end :])
        if not m or m.group("old"):
            continue
        s, e = num.start, num.end + m.end()
        if deadline is not None and deadline.start <= s < deadline.end + 1:
            continue
        if num.value <= 0 or num.value > 60:
            continue
        before = text[max(0, s - 24) : s]
        if _NOT_EXPERIENCE_BEFORE_RE.search(before) or _REQUIREMENT_AFTER_RE.match(text[e : e + 30]):
            continue
        if re.search(r"\b(?:ago|back|old)\b", text[e : e + 10], re.I):
            continue
        years = num.value / 12 if m.group("unit").lower().startswith("m") else num.value
        return Found(round(years, 2), s, e)
    m = re.search(r"\b(?:since|from|in)\s+(?P<year>(?:19|20)\d\d)\b", text)
    if m and re.search(
        r"\b(?:been|working|worked|work|joined|started|there|job)\b",
        text[max(0, m.start() - 40) : m.start()],
        re.I,
    ):
        years = today.year - int(m.group("year"))
        if 0 < years <= 50:
            return Found(float(years), m.start(), m.end())
    return None
