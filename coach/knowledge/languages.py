"""The language a credential is taught in, and the languages a learner can study in.

Catalogues state the language of instruction for some credentials ("Español"); for the rest a title such as
"Fundamentos de la ciberseguridad" says it plainly. A coach does not send an English-speaking learner to a course
taught in Spanish, so plans and gap suggestions keep to the languages the learner studies in: English (the
language of this coach) and any language their profile names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Languages as catalogues write them (their own names) → the English name.
_NAMES = {
    "english": "English", "español": "Spanish", "espanol": "Spanish", "spanish": "Spanish",
    "français": "French", "francais": "French", "french": "French", "português": "Portuguese",
    "portuguese": "Portuguese", "italiano": "Italian", "italian": "Italian", "deutsch": "German",
    "german": "German", "中文": "Chinese", "chinese": "Chinese", "mandarin": "Chinese", "日本語": "Japanese",
    "japanese": "Japanese", "اللغة العربية": "Arabic", "العربية": "Arabic", "arabic": "Arabic",
    "русский": "Russian", "russian": "Russian", "nederlands": "Dutch", "dutch": "Dutch", "polski": "Polish",
    "polish": "Polish", "türkçe": "Turkish", "turkish": "Turkish", "한국어": "Korean", "korean": "Korean",
}  # fmt: skip

# Words and endings that mark a title's language: function words first (two of them, or one with a marked
# ending or letter, decide), as "de la", "para", "et", "pour" are never English title words.
_MARKERS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "Spanish": (
        re.compile(r"^(?:de|la|el|los|las|para|del|con|y|en|una?|al)$"),
        re.compile(r"(?:ción|ciones|dad|dades|ía|ñ\w*|ático|ática|ísticas?)$|[ñ¿¡]"),
    ),
    "French": (
        re.compile(r"^(?:le|les|des|du|et|pour|avec|une?|sur|l'\w+|d'\w+)$"),
        re.compile(r"(?:ité|ée|ère)$|[èêàçé]"),
    ),
    "Portuguese": (
        re.compile(r"^(?:da|dos|das|para|com|em|uma?|ao)$"),
        re.compile(r"(?:ção|ções|ão|ões|[ãõ]\w*)$|[ãõ]"),
    ),
    "Italian": (
        re.compile(r"^(?:di|il|della|delle|dei|per|con|e|gli|nel|alla)$"),
        re.compile(r"(?:zione|zioni|ità)$"),
    ),
    "German": (
        re.compile(r"^(?:der|die|das|und|für|mit|im|zur|zum|ein|eine)$"),
        re.compile(r"(?:ung|ungen|keit|heit|[äöüß]\w*)$|[äöüß]"),
    ),
}


def language_name(text: str | None) -> str | None:
    """The English name of a language as a catalogue or a learner writes it ("Español" → "Spanish")."""
    if not text:
        return None
    return _NAMES.get(text.strip().lower())


def title_language(title: str) -> str | None:
    """The language a title is written in when its words say so plainly, else None (English titles, and
    titles too short to tell, give None)."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", title.lower())
    best: tuple[float, str | None] = (0.0, None)
    for language, (function_words, marked) in _MARKERS.items():
        functions = sum(1 for w in words if function_words.match(w))
        endings = sum(1 for w in words if marked.search(w))
        if functions >= 2 or (functions >= 1 and endings >= 1) or endings >= 2:
            # A marked ending or letter ("ão", "ción") tells languages apart better than shared words ("de").
            best = max(best, (functions + 1.5 * endings, language), key=lambda x: x[0])
    return best[1]


def teaching_language(cred: Any) -> str | None:
    """The language a credential is taught in: as its catalogue states it, else as its title reads, else None
    (assumed English, the catalogues' main language)."""
    return _language_of(getattr(cred, "language", None), str(getattr(cred, "name", "")))


@lru_cache(maxsize=16_384)
def _language_of(stated: str | None, title: str) -> str | None:
    # Every plan and gap suggestion asks this of hundreds of credentials; a catalogue holds a few thousand.
    return language_name(stated) or title_language(title)


def learner_languages(profile: Any) -> set[str]:
    """The languages a learner can study in: English, and any language their skills name ("Spanish (native)",
    "fluent French")."""
    out = {"English"}
    for skill in getattr(profile, "skills", None) or []:
        for word in re.findall(r"[^\W\d_]+", str(skill)):
            name = language_name(word)
            if name:
                out.add(name)
    return out


def taught_for(cred: Any, languages: set[str]) -> bool:
    """True when the credential is taught in one of `languages` (or its language is unknown)."""
    language = teaching_language(cred)
    return language is None or language in languages
