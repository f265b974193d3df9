"""A language guess: is a text English (the only language the analysis reads)?"""

from __future__ import annotations

import re

_EN_FUNCTION_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "a",
        "in",
        "for",
        "with",
        "you",
        "we",
        "our",
        "your",
        "is",
        "are",
        "be",
        "will",
        "on",
        "as",
        "or",
        "an",
        "at",
        "by",
        "this",
        "that",
        "from",
        "have",
        "experience",
        "skills",
        "work",
        "team",
        "years",
        "ability",
        "strong",
        "knowledge",
        "including",
        "using",
        "who",
        "what",
    ]
)


# Function words of the languages postings most often come in besides English: a posting is read as
# English unless these clearly outnumber the English ones (a bare list "Python / SQL" has neither).
_FOREIGN_FUNCTION_WORDS = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "mit",
        "für",
        "von",
        "zu",
        "den",
        "ist",
        "sie",
        "wir",
        "ihre",
        "ihr",
        "auf",
        "eine",
        "einer",
        "im",
        "oder",
        "el",
        "la",
        "los",
        "las",
        "y",
        "con",
        "para",
        "por",
        "una",
        "del",
        "que",
        "es",
        "en",
        "sus",
        "nuestro",
        "le",
        "les",
        "et",
        "avec",
        "pour",
        "des",
        "une",
        "est",
        "vous",
        "nous",
        "dans",
        "sur",
        "du",
        "au",
        "o",
        "os",
        "e",
        "com",
        "um",
        "uma",
        "não",
        "são",
        "il",
        "di",
        "che",
        "per",
        "gli",
        "della",
        "sono",
        "het",
        "een",
        "van",
        "en",
        "met",
        "voor",
        "zijn",
        "wij",
        "jij",
    ]
)


def looks_english(text: str) -> bool:
    """False when the text is clearly in another language (its function words outnumber English ones, or
    most letters are not Latin)."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ord(ch) > 0x24F for ch in letters) > 0.5 * len(letters):
        return False
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(w in _EN_FUNCTION_WORDS for w in words)
    foreign = sum(w in _FOREIGN_FUNCTION_WORDS and w not in _EN_FUNCTION_WORDS for w in words)
    return not (foreign >= 3 and foreign > 2 * english)
