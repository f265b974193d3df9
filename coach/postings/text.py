"""Posting text: the input check, tokens and sentences with character offsets into the original text."""

from __future__ import annotations

import re

from coach.errors import BadInput

# The start of the notice saying the analysis found no requirements (callers test `startswith`).
NOTHING_FOUND = "nothing found"


def check_posting_text(text: object, max_chars: int) -> str:
    """The posting as a string, or BadInput when it is empty, too long or binary."""
    if isinstance(text, bytes):
        if b"\x00" in text:
            raise BadInput("The posting looks like binary data, not text.")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadInput("The posting is not UTF-8 text.") from exc
    if not isinstance(text, str):
        raise BadInput("The posting must be text.")
    if not text.strip():
        raise BadInput("The posting is empty: paste the text of a job posting.")
    if len(text) > max_chars:
        raise BadInput(
            f"The posting is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Paste only the posting itself."
        )
    sample = text[:20_000]
    if "\x00" in sample:
        raise BadInput("The posting looks like binary data, not text.")
    odd = sum(1 for ch in sample if not ch.isprintable() and ch not in "\n\r\t")
    odd += sample.count("\ufffd")
    if odd > max(8, len(sample) // 20):  # more than 5% control/replacement characters: not a text posting
        raise BadInput("The posting looks like binary data, not text.")
    return text


# Whitespace tokens with leading/trailing punctuation split off, close to SkillSpan's tokenisation: "node.js",
# "C++", "C#", ".NET" and "JavaScript/Typescript" stay whole; "skills," becomes "skills" + ",".
_WS_RE = re.compile(r"\S+")
_LEAD_PUNCT = "([{\"'“‘«•*·–—-:;,!?"
_TRAIL_PUNCT = ")]}\"'”’».,;:!?…*"


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Tokens of text[start:end] as (token, start, end) with offsets into `text`."""
    end = len(text) if end is None else end
    out: list[tuple[str, int, int]] = []
    for m in _WS_RE.finditer(text, start, end):
        s, e = m.start(), m.end()
        lead: list[tuple[str, int, int]] = []
        trail: list[tuple[str, int, int]] = []
        while (
            s < e and text[s] in _LEAD_PUNCT and not (text[s] == "." and s + 1 < e and text[s + 1].isalpha())
        ):
            lead.append((text[s], s, s + 1))
            s += 1
        while e > s and text[e - 1] in _TRAIL_PUNCT:
            trail.append((text[e - 1], e - 1, e))
            e -= 1
        out.extend(lead)
        if e > s:
            out.append((text[s:e], s, e))
        out.extend(reversed(trail))
    return out


_BULLET_RE = re.compile(r"^\s*(?:[-*•·●▪◦‣–—>]+|\d{1,2}[.)]|[a-z][.)])\s+")
_SENT_END_RE = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(•\-*])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets: each line is a unit (postings are bulleted), long lines split at sentence ends."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        line_start, line_end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        m = _BULLET_RE.match(text[line_start:line_end])
        s = line_start + m.end() if m else line_start
        while s < line_end and text[s].isspace():
            s += 1
        if s >= line_end:
            continue
        cursor = s
        for cut in _SENT_END_RE.finditer(text, s, line_end):
            e = cut.start()
            if e - cursor > 0 and text[cursor:e].strip():
                spans.append((cursor, _rstrip(text, cursor, e)))
            cursor = cut.end()
        if cursor < line_end and text[cursor:line_end].strip():
            spans.append((cursor, _rstrip(text, cursor, line_end)))
    return spans


def _rstrip(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1].isspace():
        e -= 1
    return e
