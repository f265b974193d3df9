"""Sections of a posting: which heading opens requirements, responsibilities, nice-to-haves, benefits..."""

from __future__ import annotations

import re

from coach.postings.text import _BULLET_RE, _rstrip

# Order matters: the first pattern that matches a heading names its section ("preferred qualifications" is
# nice-to-have before "qualifications" is requirements).
_SECTION_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "nice_to_have",
        re.compile(
            r"\b(nice[ -]to[ -]haves?|preferred|bonus(?: points)?|pluses|desired|desirable|good to have|"
            r"would be great|extra credit|it'?s a plus|ideally)\b"
        ),
    ),
    (
        "benefits",
        re.compile(
            r"\b(benefits?|perks|what we offer|we offer|our offer|compensation|why (?:join|work)|"
            r"what'?s in it for you|salary|pay)\b"
        ),
    ),
    (
        "requirements",
        re.compile(
            r"\b(requirements?|qualifications?|what you(?:'ll)? (?:bring|need|have)|your profile|"
            r"who you are|what we(?:'re| are) looking for|must[ -]haves?|skills|you have|you bring|"
            r"about you|experience|competenc(?:e|ies)|required)\b"
        ),
    ),
    (
        "responsibilities",
        re.compile(
            r"\b(responsibilit(?:y|ies)|duties|what you(?:'ll| will) do|your role|the role|in this role|"
            r"day[- ]to[- ]day|your (?:tasks|mission|impact)|key tasks|what you will be doing|"
            r"job (?:duties|functions)|you will|a typical (?:day|week))\b"
        ),
    ),
    (
        "about",
        re.compile(
            r"\b(about|who we are|overview|summary|description|our (?:mission|company|team|story)|"
            r"the company|the team|introduction)\b"
        ),
    ),
    (
        "other",
        re.compile(
            r"\b(how to apply|apply|equal opportunity|eeo|diversity|application process|contact|"
            r"our tools|tools|tech stack|our stack|location|schedule)\b"
        ),
    ),
]

_HEADING_MAX_WORDS = 8


def heading_section(line: str) -> str | None:
    """The section a heading line opens, or None when the line is not a heading."""
    stripped = line.strip().strip("#*_=").strip()
    if not stripped or _BULLET_RE.match(line):
        return None
    body = stripped[:-1].strip() if stripped.endswith(":") else stripped
    words = body.split()
    if not words or len(words) > _HEADING_MAX_WORDS or body.endswith((".", ",", ";")):
        return None
    if re.search(r"\d|[$€£|@]|:\s*\S", body):  # "Salary: $65,000", "Acme | Remote": details, not headings
        return None
    low = body.lower()
    # A heading names its section up front ("Key responsibilities", "What you bring"), ends with a colon or
    # is in title case; "Five years of experience leading teams" is a requirement line, not a heading.
    titled = sum(w[:1].isupper() for w in words) >= max(1, len(words) - 1) or stripped.endswith(":")
    for name, pattern in _SECTION_CUES:
        m = pattern.search(low)
        if m and (titled or len(low[: m.start()].split()) <= 1):
            return name
    return None


def split_sections(text: str) -> list[tuple[str, int, int]]:
    """(section, start, end) blocks in order; text before the first heading is 'about'."""
    blocks: list[tuple[str, int, int]] = []
    current, start = "about", 0
    pos = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        name = heading_section(content)
        inline = None
        if name is None:
            m = re.match(r"^\s*([A-Za-z][\w '’/&-]{2,40}):\s+\S", content)
            if m and not _BULLET_RE.match(content):
                inline = heading_section(m.group(1))
                # "Salary: ...", "Location: ..." are details of the header, not sections of their own
                if inline not in ("requirements", "responsibilities", "nice_to_have"):
                    inline = None
        if name or inline:
            if pos > start and text[start:pos].strip():
                blocks.append((current, start, _rstrip(text, start, pos)))
            current, start = (name or inline or "other"), pos
        pos += len(line)
    if text[start:].strip():
        blocks.append((current, start, _rstrip(text, start, len(text))))
    return blocks


def _section_map(blocks: list[tuple[str, int, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for name, s, e in blocks:
        key, n = name, 2
        while key in out:
            key = f"{name}_{n}"
            n += 1
        out[key] = [s, e]
    return out
