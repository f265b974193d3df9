"""Facts in one learner message: money, weekly hours, deadlines, skills, roles, credentials, target phrases.

The `extract_*` functions read plain text with the regular expressions of `patterns`. Role phrases and
credential names are resolved against the catalogue and the taxonomy linker through `Lookups`, which fetches
each of them on first use (either may be missing).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coach.dialogue.intents import _FAKE_RE
from coach.dialogue.patterns import (
    ABUSE_RE,
    BUDGET_CONTEXT_RE,
    BY_MONTH_RE,
    CURRENT_ROLE_RE,
    END_OF_YEAR_RE,
    HELD_RE,
    HOURS_RE,
    INTENT_PATTERNS,
    INTEREST_RE,
    MONEY_RE,
    MONTHS,
    NOT_ROLES,
    NOT_TARGETS_RE,
    NUM_WORDS,
    OFFTOPIC_RE,
    POSTING_CUES,
    ROLE_STOP_RE,
    ROLE_TARGET_RE,
    SALARY_CONTEXT_RE,
    SKILLS_RE,
    SKIP_RE,
    STUDYING_RE,
    UNIT_WEEKS,
    WEEKS_RE,
    ZERO_BUDGET_RE,
)


def _number(token: str) -> float | None:
    token = token.lower().strip()
    if token in NUM_WORDS:
        return float(NUM_WORDS[token])
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def _clean_phrase(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" .,:;!?\"'()-")
    return text


@dataclass
class Facts:
    """Facts found in one learner message."""

    target_phrase: str | None = None
    target_candidates: list[str] = field(default_factory=list)
    current_role: str | None = None
    skills: list[str] = field(default_factory=list)
    credentials: list[tuple[str, str]] = field(default_factory=list)  # (name, status)
    budget: float | None = None
    currency: str | None = None
    hours_per_week: float | None = None
    hours_note: str | None = None
    weeks: int | None = None
    experience_years: float | None = None  # years in the current role (or the one named with it), as stated
    name: str | None = None
    skipped: str | None = None
    role: dict | None = None  # the target occupation the understanding resolved ({"id", "label", "score"})
    intents: list[str] = field(default_factory=list)  # the understanding's intents (see intents.INTENTS)
    fabrication: bool = False  # the learner asked the coach to claim something untrue
    named: list[dict] = field(
        default_factory=list
    )  # credentials the message names, held or not ({"id", "name"})

    def any(self) -> bool:
        """True when the message stated at least one profile fact."""
        return bool(
            self.target_phrase
            or self.current_role
            or self.skills
            or self.credentials
            or self.budget is not None
            or self.hours_per_week is not None
            or self.weeks is not None
            or self.experience_years is not None
            or self.name
        )


def extract_money(text: str, expecting_budget: bool = False) -> tuple[float, str] | None:
    """A budget stated in the text (amount, currency), or None; salaries are not budgets."""
    if ZERO_BUDGET_RE.search(text):
        return 0.0, "USD"
    for m in MONEY_RE.finditer(text):
        has_cur = bool(m.group("cur") or m.group("cur2"))
        window = text[max(0, m.start() - 60) : m.end() + 40]
        if SALARY_CONTEXT_RE.search(window):
            continue
        after = text[m.end() : m.end() + 14].lower()
        if re.match(r"\s*(hours?|hrs?|h\b|weeks?|months?|years?|days?|%)", after):
            continue
        if not has_cur and not (expecting_budget or BUDGET_CONTEXT_RE.search(window)):
            continue
        value = _number(m.group("num"))
        if value is None:
            continue
        if m.group("k"):
            value *= 1000
        cur_tok = (m.group("cur") or m.group("cur2") or "").lower()
        currency = (
            "EUR"
            if cur_tok in ("€", "eur", "euro", "euros")
            else "GBP"
            if cur_tok in ("£", "gbp", "pounds")
            else "USD"
        )
        return value, currency
    return None


def extract_hours(text: str, expecting: bool = False) -> tuple[float, str | None] | None:
    """Hours per week (and a note on how a daily figure was converted), or None."""
    m = HOURS_RE.search(text)
    if m:
        a = _number(m.group("a"))
        b = _number(m.group("b")) if m.group("b") else None
        if a is None:
            return None
        value = (a + b) / 2 if b is not None else a
        unit = m.group("unit").lower()
        if unit in ("day", "daily", "night", "evening", "weekday"):
            return value * 5, f"{value:g} h a day on weekdays"
        return value, None
    if expecting:
        bare = re.fullmatch(
            r"\s*(?:about|around|maybe|roughly)?\s*(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)?\s*[.!]?\s*",
            text,
            re.I,
        )
        if bare:
            return float(bare.group(1)), None
    return None


def extract_weeks(text: str, today: date, expecting: bool = False) -> int | None:
    """A deadline in weeks from today, or None."""
    m = WEEKS_RE.search(text)
    if m:
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if "hour" not in before:
            n = _number(m.group("n")) or 1
            unit = m.group("unit").lower().rstrip("s")
            return max(1, round(n * UNIT_WEEKS[unit]))
    if END_OF_YEAR_RE.search(text):
        return max(1, round((date(today.year, 12, 31) - today).days / 7))
    m = BY_MONTH_RE.search(text)
    if m:
        month = MONTHS[m.group("month").lower()]
        year = int(m.group("year")) if m.group("year") else today.year
        if not m.group("year") and month <= today.month:
            year += 1
        target = date(year, month, calendar.monthrange(year, month)[1] if "end" in m.group(0).lower() else 1)
        days = (target - today).days
        return max(1, round(days / 7)) if days > 0 else None
    if expecting:
        bare = re.fullmatch(
            r"\s*(?:about|around|maybe)?\s*(\d+)\s*(weeks?|months?|years?)?\s*[.!]?\s*", text, re.I
        )
        if bare:
            n = float(bare.group(1))
            unit = (bare.group(2) or "months").lower().rstrip("s")
            return max(1, round(n * UNIT_WEEKS[unit]))
    return None


def _split_list(text: str) -> list[str]:
    parts = re.split(r",|;|\band\b|\bor\b|&|/|\bplus\b|\bas well as\b", text, flags=re.I)
    return [_clean_phrase(p) for p in parts if _clean_phrase(p)]


def extract_skills(text: str) -> list[str]:
    """Skills the learner says they have, as short phrases in their words."""
    found: list[str] = []
    for m in SKILLS_RE.finditer(text):
        chunk = re.split(
            r"\b(?:but|because|although|though|which|so|and i|i want|i'd like|i would)\b",
            m.group("skills"),
            flags=re.I,
        )[0]
        for part in _split_list(chunk):
            part = re.sub(
                r"^(?:some|basic|a bit of|a little|little|lots of|a lot of|strong|good|great|using|use)\s+",
                "",
                part,
                flags=re.I,
            )
            part = re.sub(
                r"\s+(?:skills?|experience|too|as well|a lot|well|every day|daily|at work|each day)$",
                "",
                part,
                flags=re.I,
            )
            if (
                1 < len(part) <= 40
                and len(part.split()) <= 5
                and not re.match(r"^(it|that|this|them|things|stuff|anything|everything)$", part, re.I)
            ):
                found.append(part)
    return list(dict.fromkeys(found))


def extract_current_role(text: str) -> str | None:
    """What the learner does now ("I'm a retail sales associate"), or None."""
    for m in CURRENT_ROLE_RE.finditer(text):
        before = text[max(0, m.start() - 25) : m.start()].lower()
        if re.search(r"(want|like|hope|plan|trying|wish|aim|love) to\s*$", before):
            continue
        role = _clean_phrase(m.group("role"))
        if role.lower() in NOT_ROLES or len(role) < 3:
            continue
        if re.match(r"(student|graduate|parent|stay[- ]at[- ]home)", role, re.I) or len(role.split()) <= 6:
            return role
    return None


def extract_target_phrases(text: str) -> list[str]:
    """Every phrase naming the role the learner aims for ("data analyst"), in order of mention."""
    found: list[str] = []
    for m in ROLE_TARGET_RE.finditer(text):
        role = ROLE_STOP_RE.sub("", m.group("role").strip())
        role = re.sub(
            r"^(?:an?|the|some|something (?:in|with)|a job (?:in|as)|a career in|a role in|as an?|as)\s+",
            "",
            role,
            flags=re.I,
        )
        role = _clean_phrase(role)
        if not role or role.lower() in NOT_ROLES or len(role) < 3 or NOT_TARGETS_RE.fullmatch(role):
            continue
        found.append(role)
    return list(dict.fromkeys(found))


def extract_target_phrase(text: str) -> str | None:
    """The most specific role phrase: the last one mentioned ("...into security, ideally as an analyst")."""
    phrases = extract_target_phrases(text)
    return phrases[-1] if phrases else None


# The learner's request above a pasted posting: "Please analyse this posting:", "can you check this job -".
LEAD_IN_RE = re.compile(
    r"^\s*(?:(?:hi|hey|hello)\W+)?(?:(?:please|pls|can\s+you|could\s+you|would\s+you|i'?d\s+like\s+you\s+to)\s+)?"
    r"(?:analy[sz]e|check|look\s+at|read|review|score|match)\b[^\n]{0,80}?(?:posting|job|ad|advert|listing|"
    r"description|this|one)\W*?(?:[:\-–]|\bplease\b)?\s*\n",
    re.I,
)
# A line that is only a posting's section heading ("Requirements", "What you'll do:").
_POSTING_HEADING_RE = re.compile(
    r"^[ \t#*]*(?:requirements?|qualifications?|responsibilities|duties|key\s+responsibilities|"
    r"what\s+you(?:'ll|\s+will)\s+do|what\s+we(?:'re|\s+are)\s+looking\s+for|must[- ]haves?|nice[- ]to[- ]haves?|"
    r"about\s+the\s+(?:role|job|position)|job\s+description|the\s+role|who\s+you\s+are|your\s+profile|"
    r"minimum\s+qualifications|preferred\s+qualifications)[ \t*]*:?[ \t]*$",
    re.I | re.M,
)
_BULLET_LINE_RE = re.compile(r"^[ \t]*(?:[-*•·–]|\d{1,2}[.)])[ \t]+\S", re.M)
_SELF_LINE_RE = re.compile(r"\b(?:i|i'?m|im|my|me|i'?ve)\b", re.I)


def posting_start(text: str) -> int | None:
    """Where a job posting pasted into the message begins, or None when the message is not one.

    A posting is a long text with posting cues, or a few lines under the learner's request ("Please analyse this
    posting:"), or lines with a posting's section heading and bullet points (a short posting is pasted as often
    as a long one). Without a request line the posting begins after the last line above its first heading that
    is about the learner (or long, like a sentence of theirs), so "I'm a nurse." before it stays the learner's
    and the title and employer lines stay the posting's."""
    lead = LEAD_IN_RE.match(text)
    rest = text[lead.end() :] if lead else text
    lines = [ln for ln in rest.splitlines() if ln.strip()]
    if lead and len(lines) >= 2:
        return lead.end()
    heading = _POSTING_HEADING_RE.search(text)
    if heading and len(lines) >= 3 and len(_BULLET_LINE_RE.findall(text, heading.end())) >= 2:
        # The title, employer and place lines above the heading belong to it; a line about the learner does not.
        start = 0
        for line in re.finditer(r"[^\n]*\n?", text[: heading.start()]):
            if _SELF_LINE_RE.search(line.group(0)) or len(line.group(0).split()) > 12:
                start = line.end()
        return start
    if len(text) >= 300:
        low = text.lower()
        cues = sum(1 for c in POSTING_CUES if c in low)
        if cues >= 2 or (cues >= 1 and text.count("\n") >= 5):
            return lead.end() if lead else 0
    return None


def is_posting(text: str) -> bool:
    """True when the message is, or holds, a pasted job posting rather than a chat message."""
    return posting_start(text) is not None


def interest_phrase(text: str) -> str | None:
    """A field the learner says they like ("working with computers"), when they name no role, or None."""
    m = INTEREST_RE.search(text)
    if not m:
        return None
    phrase = _clean_phrase(re.split(r"\b(?:but|because|though|so)\b", m.group("x"), flags=re.I)[0])
    return phrase or None


# ---- resolving names against the catalogue and the taxonomy linker -----------------------------------------


@dataclass(frozen=True)
class Lookups:
    """Where role phrases and credential names are resolved; each getter returns None when it is unavailable.

    The getters are called only when a lookup is needed, so a greeting never loads the linker. A role the
    linker ranks below `role_min_score` is left unresolved.
    """

    catalog: Callable[[], Any]
    linker: Callable[[], Any]
    role_min_score: float = 0.6
    understander: Callable[[], Any] = lambda: None


def _titled(phrase: str, catalog: Any) -> dict | None:
    """The occupation a phrase names by one of its titles, chosen among those sharing it as the understanding
    step chooses (catalog.titles): a title several occupations list ("Dispatcher", "Truck Driver") goes to the
    one it fits best, not the first listed."""
    titles = getattr(catalog, "titles", None)
    match = titles.resolve(phrase) if titles is not None else None
    if match is None or match.how != "title":
        return None
    return {"id": match.onet_soc or match.uri, "label": match.label, "score": 1.0}


def _catalogue_role(phrase: str, catalog: Any) -> dict | None:
    """The occupation a phrase names in the catalogue: one whose own name it is ("software developer"), else the
    one that fits best among those listing it as a title, else the first listing it (plural or singular)."""
    candidates = (phrase, re.sub(r"s$", "", phrase), phrase + "s")
    listed = [occ for occ in (catalog.find_occupation(c) for c in candidates) if occ is not None]
    for occ in listed:
        if occ.title.casefold() in {c.casefold() for c in candidates}:
            return {"id": occ.id, "label": occ.title, "score": 1.0}
    titled = _titled(phrase, catalog)
    if titled is not None:
        return titled
    return {"id": listed[0].id, "label": listed[0].title, "score": 1.0} if listed else None


def resolve_role(phrase: str, lookups: Lookups) -> dict | None:
    """A target phrase → {"id", "label", "score"}: an exact title in the catalogue, else the linker's best."""
    catalog = lookups.catalog()
    if catalog is not None:
        named = _catalogue_role(phrase, catalog)
        if named is not None:
            return named
    linker = lookups.linker()
    if linker is None:
        return None
    try:
        matches = linker.rank_roles(phrase, top_k=3)
    except Exception:  # a linker failure must not end the conversation; the role stays unresolved
        return None
    if not matches:
        return None
    best = matches[0]
    data = best if isinstance(best, dict) else best.model_dump()
    score = float(data.get("score") or 0.0)
    if score < lookups.role_min_score:
        return None
    # The ESCO concept the linker matched (its own label), not the SOC group it maps to: the label the
    # learner reads must be the role that was matched.
    return {"id": data.get("uri") or data.get("onet_soc"), "label": data.get("label"), "score": score}


def resolve_roles(phrases: list[str], lookups: Lookups) -> dict | None:
    """The best role among several phrases: an exact catalogue title wins, else the linker's top score."""
    catalog = lookups.catalog()
    if catalog is not None:
        for phrase in reversed(phrases):
            named = _catalogue_role(phrase, catalog)
            if named is not None:
                return named
    scored = [r for r in (resolve_role(p, lookups) for p in reversed(phrases)) if r is not None]
    return max(scored, key=lambda r: r["score"]) if scored else None


def find_credentials(text: str, lookups: Lookups) -> list[dict]:
    """Catalogue credentials named in free text (longest match first), as {"id", "name"}."""
    catalog = lookups.catalog()
    if catalog is None:
        return []
    tokens = re.findall(r"[A-Za-z0-9][\w+\-.:()]*\+?", text)
    found: dict[str, dict] = {}
    used: set[int] = set()
    for size in range(6, 0, -1):
        for i in range(len(tokens) - size + 1):
            if any(j in used for j in range(i, i + size)):
                continue
            gram = " ".join(tokens[i : i + size]).strip(".:,")
            if size == 1 and not (re.search(r"\+|\d", gram) or re.fullmatch(r"[A-Z]{3,6}", gram)):
                continue
            cred = catalog.find_credential(gram)
            if cred is None and gram.lower().endswith((" certification", " certificate", " cert")):
                cred = catalog.find_credential(gram.rsplit(" ", 1)[0])
            if cred is not None:
                found.setdefault(cred.id, {"id": cred.id, "name": cred.name})
                used.update(range(i, i + size))
    return list(found.values())


def extract_facts(text: str, last_asked: str | None, today: date, lookups: Lookups) -> Facts:
    """Every profile fact stated in one learner message (none when it asks the coach to claim something
    untrue: `fabrication`)."""
    if _FAKE_RE.search(text):
        return Facts(fabrication=True)
    f = Facts()
    if last_asked and SKIP_RE.search(text) and not (last_asked == "budget" and ZERO_BUDGET_RE.search(text)):
        f.skipped = last_asked
    money = extract_money(text, expecting_budget=last_asked == "budget")
    if money is not None and f.skipped != "budget":
        f.budget, f.currency = money
    hours = extract_hours(text, expecting=last_asked == "hours")
    if hours is not None:
        f.hours_per_week, f.hours_note = hours
    weeks = extract_weeks(text, today, expecting=last_asked == "deadline")
    if weeks is not None:
        f.weeks = weeks
    f.target_candidates = extract_target_phrases(text)
    f.target_phrase = f.target_candidates[-1] if f.target_candidates else None
    other = f.budget is not None or f.hours_per_week is not None or f.weeks is not None
    if (
        not f.target_phrase
        and last_asked == "target"
        and not f.skipped
        and not other
        and "?" not in text
        and not any(rx.search(text) for k, rx in INTENT_PATTERNS.items() if k not in ("plan",))
        and not INTEREST_RE.search(text)
        and not OFFTOPIC_RE.search(text)
        and not ABUSE_RE.search(text)
        and len(text.split()) <= 8
    ):
        phrase = re.sub(
            r"^(?:i (?:think|guess)\s+)?(?:i'?d like to be|i want to be|maybe|probably|something like|"
            r"ideally|perhaps|let'?s (?:go with|do|try)|i'?ll (?:go with|take)|i choose)?\s*(?:an?\s+|the\s+)?",
            "",
            text.strip(),
            flags=re.I,
        )
        f.target_phrase = _clean_phrase(ROLE_STOP_RE.sub("", phrase)) or None
    f.current_role = extract_current_role(text)
    if f.current_role and f.target_phrase and f.current_role.lower() in f.target_phrase.lower():
        f.current_role = None
    f.skills = extract_skills(text)
    held = [(m.group("creds"), "earned") for m in HELD_RE.finditer(text)]
    held += [(m.group("creds"), "in_progress") for m in STUDYING_RE.finditer(text)]
    for chunk, status in held:
        for cred in find_credentials(chunk, lookups):
            f.credentials.append((cred["name"], status))
    if (
        last_asked == "background"
        and not (f.current_role or f.skills or f.credentials or f.skipped or other or f.target_phrase)
        and "?" not in text
        and len(text.split()) <= 12
        # a request ("please save my pathway") is not an answer about where the learner stands
        and not any(rx.search(text) for rx in INTENT_PATTERNS.values())
        and not re.match(r"\s*(?:please|can you|could you|let'?s)\b", text, re.I)
    ):
        f.current_role = (
            _clean_phrase(re.sub(r"^(?:i'?m|i am|i work as|currently)\s+(?:an?\s+)?", "", text, flags=re.I))[
                :60
            ]
            or None
        )
    m = re.search(r"\b(?:my name is|i'm called|call me)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)", text)
    if m:
        f.name = m.group(1)
    return f


# The policy's names for the question just asked → the understanding's.
_ASKED = {"target": "target_role", "background": "background", "hours": "hours_per_week", "budget": "budget",
          "deadline": "deadline", "weeks": "deadline"}  # fmt: skip


def apply_understanding(f: Facts, text: str, last_asked: str | None, today: date, lookups: Lookups) -> Facts:
    """The facts of a message as `coach.dialogue.understand` reads them, over the older pattern readings.

    The understanding decides the target and current role, budget, hours, deadline and held credentials: it
    tells experience from a deadline and a price or salary from a budget, which the patterns cannot. The
    patterns still give skills, the learner's name and what they declined to answer.
    """
    understander = lookups.understander()
    if understander is None:
        return f
    u = understander.read(text, _ASKED.get(last_asked or ""), today)
    f.intents = list(u.intents)
    if u.fabrication or ("other" in u.intents and "give_facts" not in u.intents):
        # Abuse, injections and requests to claim what is not true state nothing to record.
        return Facts(
            skipped=f.skipped,
            intents=f.intents,
            name=None if u.fabrication else f.name,
            fabrication=u.fabrication,
        )
    if u.target is not None:
        role_id = u.target.onet_soc or u.target.uri
        # The learner reads the title they asked for ("Cloud Engineer"), not O*NET's group name.
        f.role = {"id": role_id, "label": u.target.matched, "score": 1.0} if role_id else None
        f.target_phrase = u.target.text
        f.target_candidates = [u.target.text]
    elif u.target_phrase:
        f.target_phrase, f.target_candidates = u.target_phrase, [u.target_phrase]
    elif f.target_phrase and not u.asked:
        # The patterns' guess is a fragment the reading rejected.
        f.target_phrase, f.target_candidates = None, []
    f.current_role = u.current_role or (f.current_role if not u.target_phrase else None)
    f.budget = u.budget.value if u.budget else None
    f.currency = u.budget.currency if u.budget else None
    if u.hours is not None:
        f.hours_per_week, f.hours_note = u.hours.value, u.hours.note
    else:
        f.hours_per_week = f.hours_note = None
    f.weeks = max(1, int(u.deadline.value)) if u.deadline else None
    f.experience_years = None if u.fabrication or u.experience is None else u.experience.value
    catalog = lookups.catalog()
    mentioned = sorted([*u.credentials, *u.mentioned], key=lambda m: m.start)
    names = {m.credential_id: catalog.credentials[m.credential_id].name for m in mentioned} if catalog else {}
    f.named = [{"id": m.credential_id, "name": names.get(m.credential_id, m.name)} for m in mentioned]
    for m in u.planned:
        names.setdefault(m.credential_id, catalog.credentials[m.credential_id].name if catalog else m.name)
    f.credentials = [(names.get(m.credential_id, m.name), m.status) for m in [*u.credentials, *u.planned]]
    # Skills as the understanding reads them: short phrases after "I know", "good at", "experience with"...,
    # never fragments of a sentence.
    f.skills = [] if u.fabrication else [s["text"] for s in u.skills]
    return f
