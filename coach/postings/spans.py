"""Requirement spans before linking (`_Span`) and the helpers that bound and trim them inside a sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A requirement cue at the end of a span ("SQL preferred") is not part of the requirement.
_CUE_TAIL_WORDS = frozenset(
    ["preferred", "required", "mandatory", "essential", "desirable", "desired", "preferably", "plus", "bonus"]
)
# Function words: a span is trimmed of them at either end, and texts are compared without them.
_STOP_SPAN_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "in",
        "on",
        "to",
        "for",
        "with",
        "as",
        "at",
        "by",
        "your",
        "our",
        "you",
        "we",
        "their",
        "its",
        "is",
        "are",
        "be",
        "will",
        "including",
        "such",
        "etc",
        "this",
        "that",
        "these",
        "those",
        "any",
        "all",
        "other",
        "related",
    ]
)

# Where a clause ends: ';' or a sentence end, a spaced dash, an opening bracket or the end of the text.
_CLAUSE_END_RE = re.compile(r"[;.!?]\s|[;.!?]$|\s[-–—]\s|\(|$")


@dataclass
class _Span:
    """A requirement found in the text, before linking: [start, end) in its sentence and section."""

    start: int
    end: int
    kind: str
    sentence: tuple[int, int]
    section: str
    years: float | None = None
    credentials: list[str] = field(default_factory=list)
    link_text: str | None = None  # what to link to ESCO when not the span itself
    source: str = "tagger"


def _clause_bounds(text: str, s: int, e: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around [s, e) inside [lo, hi): bounded by ';', sentence ends or dashes."""
    left = lo
    for m in re.finditer(r";\s*|\.\s+", text[lo:s]):
        left = lo + m.end()
    end_m = _CLAUSE_END_RE.search(text, e, hi)
    right = end_m.start() if end_m and end_m.start() <= hi else hi
    return left, max(right, e)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink [s, e) past surrounding spaces, punctuation and dangling function words."""
    while True:
        while s < e and (text[s].isspace() or text[s] in ",;:.)(-–—/\"'"):
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in ",;:.(-–—/\"'"):
            e -= 1
        if e > s and text[e - 1] == ")" and "(" not in text[s:e]:
            e -= 1
            continue
        words = text[s:e].split()
        if len(words) > 1 and words[-1].lower().strip(".,;") in _CUE_TAIL_WORDS:
            e = s + text[s:e].rstrip().rfind(words[-1])
            continue
        if len(words) > 2 and " ".join(words[-2:]).lower().strip(".,;") in ("a plus", "a bonus", "an asset"):
            e = s + text[s:e].rstrip().rfind(words[-2])
            continue
        if len(words) > 1 and words[-1].lower() in _STOP_SPAN_WORDS:
            e = s + text[s:e].rstrip().rfind(words[-1])
            continue
        if len(words) > 1 and words[0].lower() in _STOP_SPAN_WORDS:
            s = s + text[s:e].find(words[0]) + len(words[0])
            continue
        return s, e
