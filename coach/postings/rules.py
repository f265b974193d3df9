"""Rule-based requirement shapes: years of experience, degrees, languages, soft skills, required vs preferred.

What has a fixed shape is found by patterns rather than by the tagger; certifications have their own module.
"""

from __future__ import annotations

import re

from coach.postings.spans import _CLAUSE_END_RE, _clause_bounds, _Span, _trim

# --------------------------------------------------------------------------------------------------------------
# Years of experience
# --------------------------------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_YEARS_RE = re.compile(
    r"(?:(?:at least|minimum(?: of)?|min\.?|over|more than)\s+)?"
    r"(?P<n>\d{1,2}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?:\s*(?:-|–|to)\s*(?P<m>\d{1,2}))?\s*\+?\s*(?:\(\d{1,2}\)\s*)?(?:years?|yrs?)\b",
    re.IGNORECASE,
)


def _years_spans(text: str, sent: tuple[int, int], section: str) -> list[_Span]:
    """Experience asked in one sentence ("3+ years of X experience"), with the years and X (what to link)."""
    out: list[_Span] = []
    lo, hi = sent
    for m in _YEARS_RE.finditer(text, lo, hi):
        _, right = _clause_bounds(text, m.start(), m.end(), lo, hi)
        clause_tail = text[m.end() : right]
        before = text[max(lo, m.start() - 25) : m.start()]
        if re.search(r"\b(within|after|every|per|next|past|last|first|for)\s*$", before, re.I):
            continue  # "obtain the license within 2 years": a deadline, not experience
        if not re.search(
            r"\b(experience|exp|background|track record|working|work)\b", clause_tail, re.I
        ) and not re.match(r"\s*(?:as|in)\s+an?\s", clause_tail, re.I):
            continue  # "5 years old", "2 years of hire": not an experience requirement
        s, e = _trim(text, m.start("n"), right)
        n = m.group("n").lower()
        years = float(_NUMBER_WORDS.get(n, 0) or float(n))
        subject = re.sub(
            r"(?i)^.*?\b(?:years?|yrs?)\b\s*(?:of\s+)?(?:(?:professional|relevant|hands-on|proven|"
            r"progressive|direct|prior)\s+)*(?:experience|exp)?\s*(?:in|with|as|of|working|on|at)?\s*",
            "",
            text[s:e],
        )
        subject = re.sub(r"(?i)\s*\b(?:experience|exp)\b\s*", " ", subject).strip(" ,.;")
        subject = re.sub(
            r"(?i)\s*\b(?:preferred|required|is a plus|a plus|desirable)\b.*$", "", subject
        ).strip(" ,.;")
        out.append(
            _Span(s, e, "experience", sent, section, years=years, link_text=subject or None, source="rule")
        )
    return out


# --------------------------------------------------------------------------------------------------------------
# Degrees
# --------------------------------------------------------------------------------------------------------------

_DEGREE_RE = re.compile(
    r"\b(?:(?:an?\s+)?(?:bachelor'?s?|master'?s?|doctoral|doctorate|ph\.?\s?d\.?|mba|"
    r"b\.?\s?sc\.?|m\.?\s?sc\.?|bsn|msn|b\.a\.|m\.a\.)(?:\s+(?:degree|of (?:science|arts)))?|"
    r"associate'?s?\s+(?:degree|of (?:science|arts|applied))|"
    r"(?:university|college|undergraduate|graduate)\s+degree|high school diploma|ged\b|"
    r"degree\s+in)",
    re.IGNORECASE,
)
_DEGREE_LEVELS: list[tuple[int, re.Pattern[str]]] = [
    (5, re.compile(r"\b(doctora|ph\.?\s?d)", re.I)),
    (4, re.compile(r"\b(master|mba|m\.?\s?sc|msn|m\.a\.)", re.I)),
    (
        3,
        re.compile(
            r"\b(bachelor|b\.?\s?sc|bsn|b\.a\.|university degree|undergraduate degree|college degree)", re.I
        ),
    ),
    (2, re.compile(r"\b(associate'?s? degree|associate degree|associate of|associate in)", re.I)),
    (1, re.compile(r"\b(high school|ged|diploma)\b", re.I)),
]


def _degree_spans(text: str, sent: tuple[int, int], section: str) -> list[_Span]:
    """Degree and diploma requirements in one sentence, each the clause that names it."""
    out: list[_Span] = []
    lo, hi = sent
    for m in _DEGREE_RE.finditer(text, lo, hi):
        if any(s.start <= m.start() < s.end for s in out):
            continue
        left, right = _clause_bounds(text, m.start(), m.end(), lo, hi)
        # keep "Bachelor of Science in Nursing (BSN)" whole: a parenthesised acronym right after is part of it
        pm = re.match(r"\s*\([A-Za-z.]{2,8}\)", text[right:hi])
        if pm:
            right += pm.end()
            m2 = _CLAUSE_END_RE.search(text, right, hi)
            right = m2.start() if m2 else hi
        s, e = _trim(text, m.start(), right)
        s = max(s, left)
        out.append(_Span(s, e, "education", sent, section, source="rule"))
    return out


def _degree_level(text: str) -> int:
    """1 (high school) … 5 (doctorate) for the highest degree the text names; 0 when it names none."""
    for level, pattern in _DEGREE_LEVELS:
        if pattern.search(text):
            return level
    return 0


# --------------------------------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------------------------------

LANGUAGES = (
    "English",
    "Spanish",
    "French",
    "German",
    "Portuguese",
    "Italian",
    "Dutch",
    "Mandarin",
    "Chinese",
    "Cantonese",
    "Japanese",
    "Korean",
    "Arabic",
    "Hindi",
    "Russian",
    "Polish",
    "Vietnamese",
    "Tagalog",
    "Swedish",
    "Danish",
    "Norwegian",
    "Finnish",
    "Turkish",
    "Greek",
    "Hebrew",
    "Ukrainian",
    "Romanian",
    "Czech",
    "Hungarian",
    "ASL",
    "American Sign Language",
)


def named_languages(text: str) -> dict[str, int]:
    """The languages of LANGUAGES a text names, in that order, each with where it is first named."""
    found = {lang: re.search(r"\b" + re.escape(lang) + r"\b", text) for lang in LANGUAGES}
    return {lang: m.start() for lang, m in found.items() if m}


_LANG_RE = re.compile(
    r"\b(?:(?:fluent|fluency|native|proficient|proficiency|bilingual|business[- ]level|working|"
    r"written and spoken|spoken and written|excellent)\s+(?:in\s+)?)?"
    r"(?P<lang>" + "|".join(sorted((re.escape(x) for x in LANGUAGES), key=len, reverse=True)) + r")\b"
    r"(?:\s*(?:/|and|&)\s*(?:" + "|".join(re.escape(x) for x in LANGUAGES) + r")\b)*",
)
_LANG_CONTEXT_RE = re.compile(
    r"\b(fluen|bilingual|speak|spoken|written|language|native|proficien|english|communicat)", re.I
)


def _language_spans(text: str, sent: tuple[int, int], section: str) -> list[_Span]:
    """Spoken languages asked for in one sentence (only when the sentence talks about language)."""
    lo, hi = sent
    sentence = text[lo:hi]
    if not _LANG_CONTEXT_RE.search(sentence):
        return []
    out = []
    for m in _LANG_RE.finditer(text, lo, hi):
        after = text[m.end() : m.end() + 12].lower()
        if re.match(r"\s*(teacher|literature|department|speaking countr|degree)", after):
            continue
        out.append(_Span(m.start(), m.end(), "language", sent, section, source="rule"))
    return out


# --------------------------------------------------------------------------------------------------------------
# Soft skills
# --------------------------------------------------------------------------------------------------------------

SOFT_SKILLS = (
    "communication",
    "communicator",
    "teamwork",
    "team player",
    "collaboration",
    "collaborative",
    "problem-solving",
    "problem solving",
    "problem solver",
    "analytical",
    "critical thinking",
    "time management",
    "attention to detail",
    "detail-oriented",
    "detail oriented",
    "interpersonal",
    "organizational",
    "organisational",
    "adaptability",
    "flexible",
    "self-starter",
    "self-motivated",
    "motivated",
    "proactive",
    "curious",
    "leadership",
    "creative",
    "creativity",
    "empathy",
    "ownership",
    "initiative",
    "work independently",
    "independently",
    "calm under pressure",
    "eager to learn",
    "multitask",
    "prioritize",
    "prioritise",
    "customer focus",
    "positive attitude",
    "reliable",
    "dependable",
)
_SOFT_RE = re.compile(r"\b(" + "|".join(re.escape(s) for s in SOFT_SKILLS) + r")", re.IGNORECASE)


def _soft_kind(span_text: str) -> bool:
    """True when the span names a soft skill."""
    return bool(_SOFT_RE.search(span_text))


# --------------------------------------------------------------------------------------------------------------
# Required or preferred
# --------------------------------------------------------------------------------------------------------------

_PREFERRED_RE = re.compile(
    r"\b(preferred|preferably|nice[ -]to[ -]have|a plus|is a plus|plus\b|bonus|desirable|desired|ideally|"
    r"advantage(?:ous)?|an asset|would be great|helps|not required|optional|good to have)\b",
    re.IGNORECASE,
)


def _required(text: str, sp: _Span) -> bool:
    """False when the span is a nice-to-have: in such a section, or its clause says preferred / a plus."""
    if sp.section.startswith("nice_to_have"):
        return False
    lo, hi = sp.sentence
    left, right = _clause_bounds(text, sp.start, sp.end, lo, hi)
    # The clause decides ("Associate degree required; BSN preferred"), not the whole sentence.
    clause = text[left:right]
    return not _PREFERRED_RE.search(clause)
