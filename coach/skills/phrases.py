"""Phrases of a text: the candidate spans a skill can be named by, and labels written out word for word."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

MAX_SPANS = 96  # candidate phrases per text (a long sentence has a few dozen)


SPAN_WORDS = 3  # phrases of 1-3 words: ESCO labels are short


LEXICAL_MAX_WORDS = 6


_WORD = re.compile(r"[^\W_](?:[\w+#.&'’-]*[\w+#])?")
_BREAK_CHARS = frozenset(',;:()[]{}•*?!|/"“”<>·–—')
# Words that separate skills in a list ("Java, Python and SQL", "such as", "e.g.").
_SEPARATORS = frozenset(
    [
        "and",
        "or",
        "&",
        "plus",
        "including",
        "incl",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "etc",
        "such",
        "as",
        "well",
        "like",
        "nor",
        "but",
        "also",
        "either",
    ]
)
# Words a skill phrase neither starts nor ends with: function words and the frame around skills in postings
# ("strong knowledge of", "experience with", "ability to"). "work"/"use" stay: ESCO labels start with verbs.
_EDGE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "with",
        "within",
        "at",
        "by",
        "from",
        "into",
        "our",
        "your",
        "their",
        "its",
        "his",
        "her",
        "we",
        "you",
        "they",
        "is",
        "are",
        "be",
        "been",
        "being",
        "was",
        "were",
        "will",
        "would",
        "should",
        "can",
        "could",
        "may",
        "must",
        "have",
        "has",
        "had",
        "do",
        "does",
        "this",
        "that",
        "these",
        "those",
        "it",
        "who",
        "which",
        "what",
        "where",
        "when",
        "how",
        "any",
        "all",
        "some",
        "other",
        "others",
        "more",
        "most",
        "very",
        "strong",
        "good",
        "excellent",
        "great",
        "solid",
        "proven",
        "demonstrated",
        "ability",
        "able",
        "experience",
        "experienced",
        "knowledge",
        "understanding",
        "skills",
        "skill",
        "proficiency",
        "proficient",
        "familiarity",
        "familiar",
        "years",
        "year",
        "not",
        "no",
        "required",
        "preferred",
        "desirable",
        "nice",
        "ideally",
        "least",
        "one",
        "two",
        "three",
        "new",
    ]
)


def candidate_spans(text: str, max_words: int = SPAN_WORDS, limit: int = MAX_SPANS) -> list[tuple[int, int]]:
    """Character ranges of candidate skill phrases: 1..max_words-word windows inside list items.

    The text is cut into segments at punctuation and list separators; inside a segment every window of up to
    `max_words` words that neither starts nor ends with a function word is a candidate.
    """
    segments: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    pos = 0
    for m in _WORD.finditer(text):
        gap = text[pos : m.start()]
        if current and (any(c in _BREAK_CHARS for c in gap) or ". " in gap or gap.endswith(".")):
            segments.append(current)
            current = []
        pos = m.end()
        if m.group().lower() in _SEPARATORS:
            if current:
                segments.append(current)
                current = []
            continue
        current.append((m.start(), m.end()))
    if current:
        segments.append(current)
    out: list[tuple[int, int]] = []
    for seg in segments:
        edge_ok = [text[a:b].lower() not in _EDGE_WORDS for a, b in seg]
        for i in range(len(seg)):
            if not edge_ok[i]:
                continue
            for j in range(i, min(len(seg), i + max_words)):
                if edge_ok[j]:
                    out.append((seg[i][0], seg[j][1]))
                    if len(out) >= limit:
                        return out
    return out


_LEX_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.'][a-z0-9+#]+)*")


def lexical_tokens(text: str) -> list[str]:
    """Lower-cased, accent-free word tokens ("C#", "node.js" and "ASP.NET" stay whole)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return _LEX_TOKEN.findall("".join(ch for ch in folded if not unicodedata.combining(ch)))


def lexical_index(space_labels: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Normalised label → entity indices. Labels without their "(computer programming)"-style qualifier count
    too; a one-word alternative label counts only when written as a name or acronym ("SQL", "C#"), because
    one-word alternative labels in lower case are often common words ("design" for "think creatively")."""
    index: dict[str, list[int]] = {}
    for i, labels in enumerate(space_labels):
        for n, label in enumerate(labels):
            base = re.sub(r"\s*\([^)]*\)", "", label).strip()
            for form in {label, base}:
                toks = lexical_tokens(form)
                if not toks or len(toks) > LEXICAL_MAX_WORDS:
                    continue
                if len(toks) == 1 and n > 0 and form == form.lower() and form.isalpha():
                    continue
                ids = index.setdefault(" ".join(toks), [])
                if i not in ids:
                    ids.append(i)
    return index


def lexical_hits(text: str, index: dict[str, list[int]]) -> set[int]:
    """Entities whose (normalised) label appears in the text as whole words."""
    toks = lexical_tokens(text)
    found: set[int] = set()
    for n in range(1, LEXICAL_MAX_WORDS + 1):
        for i in range(len(toks) - n + 1):
            found.update(index.get(" ".join(toks[i : i + n]), ()))
    return found
