"""Grounding: find the claims in a text that its inputs do not support.

A draft (or an agent's answer) may only name credentials, skills, organisations, dates, numbers and amounts of
money that appear in what it was built from: the learner's profile, the pathway, the posting and the catalogue
entries they reference. `allowed_facts()` gathers those inputs once; `find_unsupported_claims()` extracts the
claims of a text and returns the ones the inputs do not contain. Extraction is deliberately broad (every
capitalised name, acronym, "X+" certification, catalogue credential name, ESCO skill label, date, number and
amount), and support is checked against the normalised text of the inputs, so a rewrite that adds anything
new is caught even when the checker cannot say what kind of thing it is.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.knowledge.catalog import derived
from coach.models import Pathway, PostingAnalysis, Profile

if TYPE_CHECKING:
    from coach.knowledge import Catalog

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_INDEX = {m: i + 1 for i, m in enumerate(MONTHS)} | {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_MONTH_INDEX["sept"] = 9

_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}

# Capitalised words that are not names: sentence starters and the fixed words of the drafts' own layout.
# A capitalised run that is only these (or starts a sentence with one) is not treated as a named entity.
_COMMON_WORDS_TEXT = """
a about above across action after again against all along also although am an and another any are as at
be because been before being below between both but by can could currently did do does doing done during
each earned earning either even every expected for from further had has have having he her here hers him
his how however i if in in-progress into is it its just later like many me more most my myself next no
nor not now of off on once one only or other our out over own planned please right same she should since
so some still such than that the their them then there these they this those through to too under until
up very was we were what when where which while who whom why will with within without would yes yet you
your situation task result results outcome skills skill summary headline about licenses certifications
certification certificate credentials credential pitch talking points cover letter resume bullets bullet
status issuer issued issue date id url in progress planned note notes additionally alongside as building
bringing combining completed complete completing currently drawing eager focused following hands-on
having leveraging looking moving next now open outside over seeking through today together whether with
working dear hello hi thanks thank regards sincerely best kind first second third finally also then
ready self self-asserted holder learner coach pathway plan step steps target role goal goals new recent
recently applied applying apply built build led lead managed manage delivered deliver supported support
handled handle worked work used use set configured earned pursuing studying training trained resolved
reconciled analysed analyzed i'm i've i'd i'll it's that's what's here's there's let's
"""
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
# Fixed words the product itself writes (layout labels, the status vocabulary) and currency codes.
_STOPWORDS = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"]
)
_PRODUCT_WORDS = frozenset({"linkedin", "star", "usd", "eur", "gbp", "json", "esco", "o*net"})

_CAP_RUN = re.compile(
    r"(?<![\w'’])(?:[A-Z][\w'’.&+#-]*|[A-Z])(?:\s+(?:(?:of|and|&|for|the|de|la|du|von|van|at)\s+)?(?:[A-Z0-9][\w'’.&+#-]*))*"
)
_PLUS_CERT = re.compile(r"\b[A-Za-z][A-Za-z0-9]*\+\+?(?![\w+])")  # "Security+", "A+", also "C++"
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,7}s?\b")
_ISO_DATE = re.compile(r"\b(19\d{2}|20\d{2})-(0[1-9]|1[0-2])(?:-(\d{2}))?\b")
_MONTH_YEAR = re.compile(
    r"\b(" + "|".join(sorted(_MONTH_INDEX, key=len, reverse=True)) + r")\.?,?\s+(19\d{2}|20\d{2})\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\w.,-])(19\d{2}|20\d{2})(?![\w-])")
_MONEY = re.compile(
    r"(?:(?:US)?[$€£]\s?|\b(?:USD|EUR|GBP)\s?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\s?[kK]\b)?"
)
_MONEY_AFTER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\s?[kK])?\s?(?:dollars|usd|euros?|eur|pounds|gbp|€|£)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?%|\s?[kK]\b)?")
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;:])\s+|\n+|\s+[|·•—–]\s+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*•]\s*)?|\(\s*|—\s*|–\s*|\"\s*)$")


def normalise(text: str) -> str:
    """Lower case, NFKC, '&' as 'and', curly quotes straightened, punctuation (but + # ' .) as spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"[^\w+#'.]+", " ", text)
    text = re.sub(r"(?<!\w)[.']|[.'](?!\w)", " ", text)
    return " ".join(text.split())


def canonical_number(raw: str) -> str:
    """'1,500.00' → '1500', '8.50' → '8.5': one spelling per value."""
    value = float(raw.replace(",", ""))
    return str(int(value)) if value == int(value) else f"{value:g}"


def add_weeks(today: date, weeks: int) -> date:
    """The calendar date `weeks` weeks after `today`."""
    return today + timedelta(weeks=max(0, weeks))


def month_year(day: date) -> str:
    """'March 2027'."""
    return f"{MONTHS[day.month - 1].capitalize()} {day.year}"


def singular_title(title: str) -> str:
    """O*NET titles are plural ('Information Security Analysts'); a person holds one ('... Analyst').

    'A and B' titles become 'A or B' with each part singular; titles with commas are left as they are.
    """
    if "," in title:
        return title
    parts = re.split(r"\s+and\s+", title)
    if len(parts) > 1:
        return " or ".join(singular_title(p) for p in parts)
    words = title.split()
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        words[-1] = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        words[-1] = last[:-1]
    return " ".join(words)


def target_titles(profile: Profile | None, pathway: Pathway | None, catalog: Catalog | None) -> list[str]:
    """The target role as the inputs name it, its catalogue title, and the singular of each."""
    raw = [
        r for r in ((profile.target.role if profile else None), (pathway.target if pathway else None)) if r
    ]
    titles: list[str] = []
    for value in raw:
        titles.append(value)
        occ = catalog.find_occupation(value) if catalog is not None else None
        if occ is not None:
            titles.append(occ.title)
    titles += [singular_title(t) for t in titles]
    return list(dict.fromkeys(titles))


# ESCO skill labels are often verb phrases ("implement a firewall"); written after "targets" or "covering" they
# read as gerunds ("implementing a firewall").
_ESCO_VERBS_TEXT = """
implement perform use apply manage analyse analyze think follow develop create maintain provide monitor assess
communicate design ensure identify operate plan prepare coordinate lead conduct work write adapt evaluate install
configure test troubleshoot report keep train support build organise organize deliver solve handle interpret
calculate liaise negotiate promote advise assist check collect control define establish execute improve inspect
integrate resolve review schedule supervise interact process respond utilise utilize administer program debug
"""
_ESCO_VERBS = frozenset(_ESCO_VERBS_TEXT.split())


def _gerund(verb: str) -> str:
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye")):
        return verb[:-1] + "ing"
    if verb in ("plan", "program", "set", "run", "get"):
        return verb + verb[-1] + "ing"
    return verb + "ing"


def skill_phrase(label: str | None) -> str | None:
    """'implement a firewall' → 'implementing a firewall'; noun labels stay as they are."""
    if not label:
        return label
    first, _, rest = label.partition(" ")
    if first.lower() in _ESCO_VERBS:
        return f"{_gerund(first.lower())} {rest}".strip()
    return label


def step_end_dates(pathway: Pathway | None, today: date | None = None) -> dict[str, date]:
    """When each pathway step is expected to finish: `today` plus its `end_week` weeks."""
    if pathway is None:
        return {}
    today = today or date.today()
    return {step.id: add_weeks(today, step.end_week) for step in pathway.steps}


@dataclass(frozen=True)
class ClaimVocabulary:
    """Names the checker recognises as claims: catalogue credential names and ESCO skill labels."""

    credential_names: frozenset[str] = frozenset()
    skill_labels: frozenset[str] = frozenset()
    proper_terms: frozenset[str] = (
        frozenset()
    )  # one-word tool/skill names, matched case-sensitively ("Python", "SQL")
    max_skill_tokens: int = 6


@dataclass
class AllowedFacts:
    """What a text may mention: the normalised text of its inputs plus the dates and numbers they state."""

    corpus: str = " "
    numbers: set[str] = field(default_factory=set)
    # Amounts of money and percentages must match an amount or a percentage of the inputs, not any number.
    amounts: set[str] = field(default_factory=set)
    percents: set[str] = field(default_factory=set)
    dates: set[tuple[int, int]] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    vocabulary: ClaimVocabulary = field(default_factory=ClaimVocabulary)
    # Extra words that are not names, e.g. the literal words of the caller's own templates.
    common_words: set[str] = field(default_factory=set)

    def supports(self, phrase: str) -> bool:
        """True when the phrase occurs in the inputs (normalised, on word boundaries)."""
        key = normalise(phrase)
        return not key or f" {key} " in self.corpus

    def add_text(self, *texts: str) -> None:
        """Allow more input text (e.g. a raw posting) and the dates and numbers it states."""
        fresh = [t for t in texts if t and t.strip()]
        if not fresh:
            return
        self.corpus += " ".join(normalise(t) for t in fresh) + " "
        for text in fresh:
            self.dates.update(_dates_in(text))
            self.numbers.update(_numbers_in(_mask_dates(text)))
            self.amounts.update(_money_in(text))
            self.numbers.update(_money_in(text))
            self.percents.update(canonical_number(m) for m in _PERCENT.findall(text))
        self.years.update(y for y, _ in self.dates)
        for text in fresh:
            self.years.update(int(y) for y in _YEAR.findall(text))

    def add_date(self, day: date) -> None:
        """Allow a computed date (e.g. a step's expected finish) in month-year form."""
        self.dates.add((day.year, day.month))
        self.years.add(day.year)

    def add_number(self, value: float | int | str, *, money: bool = False) -> None:
        """Allow a number the inputs hold as a value rather than in text (costs, hours, weeks)."""
        with contextlib.suppress(ValueError):  # not a number after all: nothing to allow
            number = canonical_number(str(value))
            self.numbers.add(number)
            if money:
                self.amounts.add(number)


_MONEY_KEYS = frozenset({"cost", "total_cost", "budget", "price", "salary"})


def _strings_and_numbers(value: Any, key: str = "") -> Iterable[tuple[str, str | float]]:
    """Every string and number inside a dumped model, with the key it sits under."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield key, float(value)
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from _strings_and_numbers(item, str(name))
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings_and_numbers(item, key)


def _vocabulary_for(catalog: Catalog) -> ClaimVocabulary:
    """Credential names (two words or more, plus '+'-style names) and skill labels worth detecting."""
    creds: set[str] = set()
    for cred in catalog.credentials.values():
        if not cred.is_microcredential or cred.type in ("course", "guided_project"):
            continue  # course titles ("Marketing", "Leadership") are ordinary words, not credential claims
        names = [cred.name, *getattr(cred, "aliases", [])]
        for name in names:
            key = normalise(name)
            if len(key.split()) >= 2 or "+" in key:
                creds.add(key)
        if cred.exam_code:
            creds.update(normalise(c) for c in cred.exam_code.split(";") if len(c.strip()) >= 4)
    skills: set[str] = set()
    proper: set[str] = set()
    for skill in catalog.skills.values():
        for label in (skill.label, *skill.alt_labels):
            key = normalise(label)
            tokens = key.split()
            if not tokens or len(tokens) > 6 or tokens[0] in ("a", "an", "the"):
                continue
            if len(tokens) >= 2:
                if any(tok not in _STOPWORDS for tok in tokens):
                    skills.add(key)
            elif len(label.strip()) > 1 and any(ch.isupper() or ch.isdigit() or ch in "+#" for ch in label):
                # Single common words ("design", "writing") are everyday English; a one-word name ("Python",
                # "SQL") is a claim, matched with its capitals so "IT" is not the pronoun "it".
                proper.add(label.strip())
    return ClaimVocabulary(
        credential_names=frozenset(creds), skill_labels=frozenset(skills), proper_terms=frozenset(proper)
    )


def claim_vocabulary(catalog: Catalog | None) -> ClaimVocabulary:
    """The detection vocabulary of a catalogue (cached per catalogue object)."""
    if catalog is None:
        return ClaimVocabulary()
    # Kept on the catalogue object itself, so a reloaded catalogue builds its own (stand-ins in tests: built each time).
    return derived(catalog, "claim-vocabulary", _vocabulary_for)


def allowed_facts(
    profile: Profile | None,
    pathway: Pathway | None = None,
    posting: PostingAnalysis | None = None,
    catalog: Catalog | None = None,
    *,
    today: date | None = None,
    extra_texts: Iterable[str] = (),
    prompts_dir: Path | None = None,
    include_catalog_skills: bool = True,
) -> AllowedFacts:
    """Everything a draft may mention: the profile, pathway, posting, their catalogue entries, computed dates.

    `include_catalog_skills=False` leaves out the catalogue's skill labels for referenced credentials, for texts
    that may only name skills the profile, pathway or posting state (the drafts).
    """
    facts = AllowedFacts(vocabulary=claim_vocabulary(catalog), common_words=set(template_words(prompts_dir)))
    texts: list[str] = []
    values: list[Any] = []
    for model in (profile, pathway, posting):
        if model is not None:
            values.append(model.model_dump(mode="json"))
    for key, item in _strings_and_numbers(values):
        if isinstance(item, str):
            texts.append(item)
        else:
            facts.add_number(item, money=key in _MONEY_KEYS)
    if catalog is not None:
        for cred in _referenced_credentials(profile, pathway, posting, catalog):
            texts.extend([cred.name, cred.provider, cred.exam_code or "", cred.url or ""])
            texts.extend(getattr(cred, "aliases", []))
            if include_catalog_skills:
                texts.extend(catalog.skill_label(uri) for uri in cred.skills)
    texts.extend(target_titles(profile, pathway, catalog))
    texts.extend(extra_texts)
    # Skill labels may be written as gerunds ("implementing a firewall" for "implement a firewall").
    texts.extend({p for s in texts if (p := skill_phrase(s)) and p != s})
    facts.add_text(*texts)
    for day in step_end_dates(pathway, today).values():
        facts.add_date(day)
    years = profile.years_in_role(today or date.today()) if profile is not None else None
    if years is not None:
        facts.add_number(years)  # "about 5 years in the role", worked out from the job's start
    return facts


def template_words(prompts_dir: Path | None = None) -> frozenset[str]:
    """The literal words of the drafting templates (prompts/drafts/*.j2): the product's own wording, no claims."""
    from coach.settings import get_settings

    return _template_words(str((prompts_dir or get_settings().prompts_dir) / "drafts"))


@lru_cache(maxsize=4)
def _template_words(folder: str) -> frozenset[str]:
    words: set[str] = set()
    for path in sorted(Path(folder).glob("*.j2")):
        text = re.sub(r"\{[{%#].*?[}%#]\}", " ", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text))
    return frozenset(words)


def _referenced_credentials(
    profile: Profile | None, pathway: Pathway | None, posting: PostingAnalysis | None, catalog: Catalog
) -> list[Any]:
    """Catalogue entries the inputs point at (by id or by name)."""
    keys: list[str] = []
    if profile is not None:
        keys += [c.id or c.name for c in profile.credentials]
    if pathway is not None:
        for path in (pathway, *pathway.alternatives):
            keys += [s.id for s in path.steps if not s.id.startswith("work:")]
    if posting is not None:
        for req in posting.requirements:
            keys += req.credentials
        keys += [s.id for s in posting.gap_credentials]
    found = []
    for key in dict.fromkeys(keys):
        cred = catalog.find_credential(key)
        if cred is not None:
            found.append(cred)
    return found


# --------------------------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------------------------


def _dates_in(text: str) -> set[tuple[int, int]]:
    found = {(int(y), int(m)) for y, m, _ in _ISO_DATE.findall(text)}
    found |= {(int(y), _MONTH_INDEX[m.lower()]) for m, y in _MONTH_YEAR.findall(text)}
    return found


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def _mask_dates(text: str) -> str:
    spans = [m.span() for m in _ISO_DATE.finditer(text)] + [m.span() for m in _MONTH_YEAR.finditer(text)]
    return _mask(text, spans)


def _money_value(match: re.Match[str]) -> str:
    value = canonical_number(match.group(1))
    return canonical_number(str(float(value) * 1000)) if match.group(2) else value


def _money_matches(text: str) -> list[tuple[tuple[int, int], str, str]]:
    """(span, canonical amount, as written) for '$1,500', 'USD 1500', '2k €' and '1500 dollars'."""
    found = [(m.span(), _money_value(m), m.group(0)) for m in _MONEY.finditer(text)]
    found += [(m.span(), _money_value(m), m.group(0)) for m in _MONEY_AFTER.finditer(text)]
    return found


def _money_in(text: str) -> set[str]:
    return {value for _, value, _ in _money_matches(text)}


def _numbers_in(text: str) -> set[str]:
    found = {canonical_number(m.group(1)) for m in _NUMBER.finditer(text)}
    found |= {str(_NUMBER_WORDS[w.lower()]) for w in _NUMBER_WORD.findall(text)}
    return found


def _is_sentence_start(text: str, pos: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, pos - 4) : pos])) or pos == 0


def find_unsupported_claims(text: str, allowed: AllowedFacts) -> list[str]:
    """Claims in `text` its inputs do not support, e.g. ["credential 'CISSP'", "number '30%'"]; [] if none."""
    problems: list[str] = []
    masked = text

    def flag(kind: str, phrase: str) -> None:
        item = f"{kind} '{phrase.strip()}'"
        if item not in problems:
            problems.append(item)

    # Dates first, so their digits are not read as numbers.
    for match in _MONTH_YEAR.finditer(text):
        year, month = int(match.group(2)), _MONTH_INDEX[match.group(1).lower()]
        if (year, month) not in allowed.dates:
            flag("date", match.group(0))
    for match in _ISO_DATE.finditer(text):
        if (int(match.group(1)), int(match.group(2))) not in allowed.dates:
            flag("date", match.group(0))
    masked = _mask_dates(masked)
    # Money before bare years ("2000 dollars" is an amount), then the remaining numbers.
    money = _money_matches(masked)
    for _, value, written in money:
        if value not in allowed.amounts:
            flag("amount", written)
    masked = _mask(masked, [span for span, _, _ in money])
    for match in _YEAR.finditer(masked):
        if int(match.group(1)) not in allowed.years:
            flag("year", match.group(0))
    masked = _mask(masked, [m.span() for m in _YEAR.finditer(masked)])
    for match in _NUMBER.finditer(masked):
        value = canonical_number(match.group(1))
        if match.group(0).rstrip().endswith("%"):
            if value not in allowed.percents:
                flag("percentage", match.group(0))
        elif value not in allowed.numbers and not allowed.supports(match.group(0)):
            flag("number", match.group(0))
    for match in _NUMBER_WORD.finditer(masked):
        if str(_NUMBER_WORDS[match.group(1).lower()]) not in allowed.numbers:
            flag("number", match.group(0))

    # Catalogue credential names and "X+" certifications.
    norm_text = f" {normalise(text)} "
    for name in allowed.vocabulary.credential_names:
        if f" {name} " in norm_text and not allowed.supports(name):
            flag("credential", name)
    for match in _PLUS_CERT.finditer(text):
        if not allowed.supports(match.group(0)):
            flag("credential", match.group(0))

    # ESCO skill labels, longest first, on the normalised text; one-word names case-sensitively.
    for phrase in _skill_mentions(norm_text, allowed.vocabulary):
        if not allowed.supports(phrase):
            flag("skill", phrase)
    if allowed.vocabulary.proper_terms:
        for word in re.findall(r"[\w+#.]*[\w+#]", text):
            if word in allowed.vocabulary.proper_terms and not allowed.supports(word):
                flag("skill", word)

    # Acronyms (credentials, organisations, tools): each must occur in the inputs.
    for match in _ACRONYM.finditer(text):
        word = match.group(0)
        if word.lower() in _PRODUCT_WORDS or word == "I":
            continue
        if not allowed.supports(word) and not allowed.supports(word.rstrip("s")):
            flag("name", word)

    # Capitalised names (employers, schools, products, credentials written out), sentence by sentence so a run
    # never crosses a full stop; dates are already masked out.
    for sentence in _SENTENCE_SPLIT.split(masked):
        for match in _CAP_RUN.finditer(sentence):
            raw = match.group(0).rstrip(".")
            at_start = match.start() == 0 or _is_sentence_start(sentence, match.start())
            phrase = _strip_common(raw, at_start=at_start, common=allowed.common_words)
            if phrase and not allowed.supports(phrase) and not _all_known_parts(phrase, allowed):
                flag("name", phrase)
    return problems


def _strip_common(phrase: str, *, at_start: bool, common: set[str] | frozenset[str] = frozenset()) -> str:
    """Drop leading sentence-starters and trailing punctuation; '' when nothing name-like is left."""
    stop = _COMMON_WORDS | _PRODUCT_WORDS | common
    words = phrase.split()
    while words and words[0].strip(".,'’").lower() in stop:
        words = words[1:]
        at_start = False
    if at_start and len(words) == 1 and re.search(r"(ing|ly|ed)$", words[0].lower()):
        return ""  # a sentence opening with an -ing/-ly/-ed word ("Leveraging", "Currently")
    while words and (
        words[-1].lower() in {"of", "and", "&", "for", "the", "de", "la", "at"}
        or words[-1].strip(".,'’").lower() in _COMMON_WORDS | _PRODUCT_WORDS
    ):
        words = words[:-1]
    phrase = " ".join(words).strip(" .,'’-")
    if not phrase or all(w.strip(".,'’").lower() in stop for w in phrase.split()):
        return ""
    if phrase.lower() in _MONTH_INDEX:
        return ""
    return phrase


def _all_known_parts(phrase: str, allowed: AllowedFacts) -> bool:
    """A run of several names each supported on its own ('Ana Diaz Corner Books' across a line break)."""
    parts = re.split(r"\s+(?:and|&|at|for|of)\s+|,\s*", phrase)
    return len(parts) > 1 and all(allowed.supports(p) for p in parts if p)


def _skill_mentions(norm_text: str, vocab: ClaimVocabulary) -> list[str]:
    """ESCO labels found in the normalised text, longest match first, no overlaps."""
    if not vocab.skill_labels:
        return []
    tokens = norm_text.split()
    taken = [False] * len(tokens)
    found: list[str] = []
    for size in range(min(vocab.max_skill_tokens, len(tokens)), 0, -1):
        for i in range(len(tokens) - size + 1):
            if any(taken[i : i + size]):
                continue
            phrase = " ".join(tokens[i : i + size])
            if phrase in vocab.skill_labels:
                found.append(phrase)
                for j in range(i, i + size):
                    taken[j] = True
    return found
