"""Text normalisation shared by the lexical index and exact-name matching: folded, stemmed tokens and name keys."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:[-./][^\W_]+)*[+#]*")
_SPLIT = re.compile(r"[-./+#]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "which",
        "who",
        "what",
        "how",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "can",
        "do",
        "does",
        "vs",
        "via",
        "than",
        "then",
        "also",
        "about",
        "over",
    ]
)


def _fold(text: str) -> str:
    if text.isascii():  # the common case, and 20x faster than normalising
        return text.lower().replace("'", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold().replace("'", "").replace("’", "")


def _stem(word: str) -> str:
    """A deliberately light plural stemmer: 'certifications' and 'certification' share a token."""
    if word.startswith("certif"):
        # Names and types use certified / certificate / certification interchangeably ("ISC2 Certified in
        # Cybersecurity", "Professional Certificate"): one token, so a query's word matches any of them.
        return "certif"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lexical tokens: stemmed words without stopwords, plus compounds kept whole ('security+', 'saa-c03')."""
    out: list[str] = []
    for match in _WORD.finditer(_fold(text)):
        tok = match.group()
        if _SPLIT.search(tok):
            out.append(tok)  # the compound wins exact matches: "security+" is rarer than "security"
            out.extend(_stem(p) for p in _SPLIT.split(tok) if p and p not in STOPWORDS)
        elif tok not in STOPWORDS:
            out.append(_stem(tok))
    return out


def norm_key(text: str) -> str:
    """Normalise a name for exact matching: folded words, '+' and '#' kept, other punctuation dropped."""
    return " ".join(re.findall(r"[^\W_]+[+#]*", _fold(text)))
