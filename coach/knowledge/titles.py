"""Job titles as people say them → occupations (the `Catalog.titles` lookup): O*NET titles, alternate and reported titles, ESCO labels.

A learner names a role in their own words: "IT help desk", "a sparky", "data analysis", "QA automation", "cloud
engineering", "EU funds manager". `RoleIndex.resolve` reads such a phrase the way a career coach would:

1. the phrase itself is a title some occupation is known by (O*NET's title, alternate or reported titles; ESCO's
   preferred or alternative labels);
2. else a field named instead of a title ("digital marketing", "cybersecurity", "IT support") is read as the
   titles people in that field hold ("digital marketing specialist", "cybersecurity analyst");
3. else the most specific part of the phrase that is a title ("azure cloud engineer" → "cloud engineer").

Only exact title matches count, so an unrelated sector never comes up because it shares one word ("IT support"
is never "learning support teacher"). When several occupations carry the same title, the one whose description
shares most words with the rest of the conversation wins ("QA automation engineer" said next to "software").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.knowledge.catalog import Catalog


# Informal and short names for jobs, read as the title they stand for (lower case, whole phrase).
INFORMAL_TITLES = {
    "sparky": "electrician", "chippy": "carpenter", "brickie": "bricklayer", "pm": "project manager",
    "ba": "business analyst", "software quality assurance": "software quality assurance analyst", "swe": "software engineer", "sde": "software engineer", "sdet": "software tester",
    "dev": "developer", "devops": "devops engineer", "sysadmin": "system administrator", "rn": "registered nurse",
    "lpn": "licensed practical nurse", "cna": "nursing assistant", "csm": "customer success manager",
    "l and d specialist": "training and development specialist", "l and d": "training and development specialist",
    "hr": "human resources specialist", "ux": "ux designer", "ui": "ui designer", "qa": "quality assurance analyst",
    "soc analyst": "security operations center analyst", "pen tester": "penetration tester",
    "pentester": "penetration tester", "hacker": "ethical hacker", "coder": "medical coder",
    "clinical coder": "medical coder", "it": "it specialist", "cyber": "cybersecurity specialist",
    "help desk": "help desk technician", "helpdesk": "help desk technician", "service desk": "help desk technician",
    "hvac": "hvac technician", "hvac tech": "hvac technician", "refrigeration mechanic": "refrigeration mechanic",
    "vapt": "penetration tester", "security testing": "penetration tester",
    "pharmacy tech": "pharmacy technician", "dispensary tech": "pharmacy technician", "soc": "soc analyst",
    "pen testing": "penetration tester", "pentesting": "penetration tester", "ethical hacking": "ethical hacker",
}  # fmt: skip
# Abbreviations inside titles ("HVAC tech", "admin assistant", "sr. dev").
WORD_FORMS = {
    "tech": "technician", "techs": "technician", "admin": "administrator", "mgr": "manager",
    "rep": "representative", "dev": "developer", "devs": "developer", "eng": "engineer", "engr": "engineer",
    "coord": "coordinator", "spec": "specialist", "asst": "assistant", "sysadmin": "system administrator",
    "cyber": "cybersecurity", "infosec": "information security", "ops": "operations", "mgmt": "management",
    "acct": "accountant", "e-learning": "elearning", "helpdesk": "help desk", "qa": "quality assurance",
}  # fmt: skip
# Words that qualify a title without changing the occupation.
SENIORITY = {
    "junior", "jr", "senior", "sr", "entry", "level", "entry-level", "lead", "principal", "associate", "trainee",
    "graduate", "intern", "chief", "head", "staff", "assistant", "remote", "freelance", "certified", "registered",
    "full-time", "part-time", "official", "real", "first", "new", "apprentice", "tier", "1", "2", "3", "i",
    "ii", "iii", "iv",
}  # fmt: skip
# A field named instead of a title: the endings people use for the job in that field, most common first.
FIELD_ENDINGS = {
    "analysis": ["analyst"], "analytics": ["analyst"], "engineering": ["engineer"], "design": ["designer"],
    "management": ["manager", "specialist"], "marketing": ["specialist", "manager", "marketer"],
    "testing": ["tester", "test engineer"], "accounting": ["accountant"], "bookkeeping": ["bookkeeper"],
    "coordination": ["coordinator"], "support": ["specialist", "technician", "analyst"],
    "security": ["analyst", "specialist", "engineer"], "cybersecurity": ["analyst", "specialist", "engineer"],
    "informatics": ["specialist", "analyst"], "development": ["developer", "specialist"],
    "administration": ["administrator", "manager", "specialist"], "architecture": ["architect"],
    "training": ["trainer", "specialist"], "consulting": ["consultant"], "coding": ["coder"],
    "programming": ["programmer"], "nursing": ["nurse"], "teaching": ["teacher"], "sales": ["representative"],
    "logistics": ["coordinator", "analyst", "specialist"], "science": ["scientist"], "writing": ["writer"],
    "dispatch": ["dispatcher"], "procurement": ["specialist", "officer"], "purchasing": ["agent"],
    "compliance": ["officer", "analyst"], "automation": ["engineer"], "recruiting": ["recruiter"],
    "finance": ["analyst"], "payroll": ["specialist", "clerk"], "research": ["researcher", "analyst"],
    "cloud": ["engineer"], "data": ["analyst"], "it": ["specialist", "support specialist"], "hvac": ["technician"],
    "ux": ["designer"], "seo": ["specialist"], "ppc": ["specialist"], "devops": ["engineer"],
    "supply chain": ["analyst", "manager"], "customer success": ["manager"], "project management": ["manager"],
    "operations": ["manager", "analyst"], "health informatics": ["specialist"], "social media": ["manager"],
    "public relations": ["specialist"], "human resources": ["specialist"], "web development": ["developer"],
    "policy": ["analyst"], "quality assurance": ["analyst", "tester", "engineer"], "e-learning": ["designer", "developer"], "elearning": ["designer", "developer"],
}  # fmt: skip
# Words that end a role phrase in running text and are never part of a title.
GENERIC_NOUNS = {"role", "roles", "job", "jobs", "position", "positions", "career", "work", "field", "stuff",
                 "thing", "things", "industry", "sector", "side", "world", "space", "area", "path", "gig"}  # fmt: skip
STOPWORDS = {
    "a", "an", "the", "of", "and", "or", "to", "in", "for", "on", "at", "with", "by", "from", "as", "is", "are", "be",
    "i", "my", "me", "it", "that", "this", "so", "but", "not", "do", "have", "has", "was", "am", "im", "want",
    "like", "just", "really", "some", "any", "more", "get", "can", "will", "would", "could", "about", "into",
}  # fmt: skip


def singular(word: str) -> str:
    """A crude singular for matching job titles ("technicians" → "technician", "analytics" kept)."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "ics", "ous")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def title_key(text: str) -> str:
    """The matching key of a title: lower case, '&' as 'and', no punctuation, short forms spelled out, singular."""
    text = text.lower().replace("&", " and ").replace("/", " ")
    text = re.sub(r"[^\w+#\s-]", " ", text)
    words = []
    for w in text.split():
        w = w.strip("-")
        if not w:
            continue
        words.extend(WORD_FORMS.get(w, w).split())
    return " ".join(singular(w) for w in words)


_INFORMAL = {title_key(k): v for k, v in INFORMAL_TITLES.items()}
_FIELDS = {title_key(k): v for k, v in FIELD_ENDINGS.items()}
# Fields whose own last word gives way to the job word: "data analysis" → "data analyst".
_REPLACED = {title_key(w) for w in ("analysis", "analytics", "engineering", "design", "management", "testing",
             "accounting", "bookkeeping", "coordination", "development", "administration", "architecture",
             "training", "consulting", "coding", "programming", "nursing", "teaching", "writing", "dispatch",
             "recruiting", "science")}  # fmt: skip


def _variants(title: str) -> list[str]:
    """A stored title and the forms inside it: "Help Desk Tech (Help Desk Technician)" → both."""
    out = [title]
    m = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", title)
    if m:
        out = [m.group(1), m.group(2)]
    return [v for v in out if v.strip()]


@dataclass(frozen=True)
class RoleMatch:
    """An occupation a role phrase was read as."""

    text: str  # the learner's words
    label: str  # the occupation's title
    onet_soc: str | None
    uri: str | None
    matched: str  # the title that matched, as the source writes it ("Cloud Engineer")
    how: str  # "title", "field", "part"


class RoleIndex:
    """Titles of every occupation in the catalogue, for reading role phrases (see the module docstring)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @cached_property
    def _tables(self) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]], dict[str, str]]:
        """(O*NET titles, ESCO labels, written forms), built together in one pass over the occupations."""
        onet: dict[str, Counter[str]] = {}
        esco: dict[str, Counter[str]] = {}
        written: dict[str, str] = {}
        for occ in self.catalog.onet_occupations():
            # A title either is one of the job's titles or not: listed twice (alternate and reported) counts once.
            for variant in _variants(occ.title):
                onet.setdefault(title_key(variant), Counter())[occ.id] = 3
            for alt in occ.alt_titles:
                for variant in _variants(alt):
                    key = title_key(variant)
                    counter = onet.setdefault(key, Counter())
                    counter[occ.id] = max(counter[occ.id], 2)
                    written.setdefault(key, variant)
        for occ in self.catalog.esco_occupations():
            for label, weight in ((occ.title, 3), *((alt, 2) for alt in occ.alt_titles)):
                key = title_key(label)
                counter = esco.setdefault(key, Counter())
                counter[occ.id] = max(counter[occ.id], weight)
                written.setdefault(key, label)
        return onet, esco, written

    @property
    def onet_titles(self) -> dict[str, Counter[str]]:
        """Title key → occupation SOC codes, weighted: 3 for the O*NET title, 2 for alternate/reported titles."""
        return self._tables[0]

    @property
    def esco_titles(self) -> dict[str, Counter[str]]:
        """Title key → ESCO occupation URIs (preferred label 3, alternative labels 2)."""
        return self._tables[1]

    def written(self, key: str) -> str | None:
        """A title key as a source writes the title ("it support specialist" → "IT Support Specialist")."""
        return self._tables[2].get(key)

    @cached_property
    def head_nouns(self) -> frozenset[str]:
        """Last words of job titles ("technician", "clerk", "teacher"): what makes a phrase sound like a job."""
        counts: Counter[str] = Counter()
        for key in self.onet_titles:
            if key:
                counts[key.split()[-1]] += 1
        for key in self.esco_titles:
            if key:
                counts[key.split()[-1]] += 1
        return frozenset(w for w, n in counts.items() if n >= 3 and w not in STOPWORDS and len(w) > 2)

    @cached_property
    def _doc_words(self) -> dict[str, frozenset[str]]:
        """Words of each occupation's title and description, for choosing among occupations sharing a title."""
        out = {}
        for occ in self.catalog.occupations.values():
            text = f"{occ.title} {occ.description}"
            words = re.findall(r"[a-z][a-z+#]+", text.lower())
            out[occ.id] = frozenset(singular(w) for w in words if w not in STOPWORDS)
        return out

    @cached_property
    def _title_counts(self) -> Counter[str]:
        """How many titles each occupation is known by."""
        out: Counter[str] = Counter()
        for index in (self.onet_titles, self.esco_titles):
            for codes in index.values():
                out.update(codes.keys())
        return out

    @cached_property
    def _title_words(self) -> dict[str, Counter[str]]:
        """Per occupation, how many of its titles use each word: how central a word is to the job."""
        out: dict[str, Counter[str]] = {}
        for index in (self.onet_titles, self.esco_titles):
            for key, codes in index.items():
                for code in codes:
                    out.setdefault(code, Counter()).update(set(key.split()))
        return out

    @cached_property
    def _idf(self) -> dict[str, float]:
        df: Counter[str] = Counter()
        for words in self._doc_words.values():
            df.update(words)
        n = len(self._doc_words) or 1
        return {w: math.log(n / c) for w, c in df.items()}

    def looks_like_role(self, phrase: str) -> bool:
        """True when the phrase ends in a job word ("... clerk", "... support") or is a known title."""
        key = title_key(phrase)
        if not key:
            return False
        if key in self.onet_titles or key in self.esco_titles or key in _INFORMAL:
            return True
        last = key.split()[-1]
        return last in self.head_nouns or last in _FIELDS

    def _choose(self, codes: Counter[str], context: str, key: str = "") -> str:
        """The occupation among those sharing a title that fits best: the title's own weight, how central the
        title's words are to the occupation (a "QA tester" is one of many QA titles in software testing, a
        stray one in manufacturing), and the words it shares with the rest of the conversation."""
        if len(codes) == 1:
            return next(iter(codes))
        words = {singular(w) for w in re.findall(r"[a-z][a-z+#]+", context.lower())} - STOPWORDS
        idf = self._idf
        own = [w for w in key.split() if w not in STOPWORDS]
        modifiers = own[:-1] or own  # "qa" in "qa tester": the words that say which kind of tester

        def centrality(code: str) -> float:
            # How typical the words are of the job: often used in its titles (count) and a large share of them
            # (count / titles), so neither a huge catch-all group nor a tiny one wins on one measure alone.
            counts = self._title_words.get(code, Counter())
            n_titles = max(1, self._title_counts.get(code, 1))
            return sum(counts[w] ** 2 / n_titles for w in modifiers)

        central = {code: centrality(code) for code in codes}
        top = max(central.values()) or 1.0

        def score(code: str) -> tuple[float, float, str]:
            overlap = sum(idf.get(w, 0.0) for w in words & self._doc_words.get(code, frozenset()))
            return (codes[code] + overlap / 6.0 + 2.0 * central[code] / top, float(codes[code]), code)

        return max(codes, key=score)

    def _lookup(self, key: str, context: str) -> tuple[str | None, str | None, str] | None:
        """(SOC code, ESCO URI, matched key) for one title key, or None."""
        onet = self.onet_titles.get(key)
        esco = self.esco_titles.get(key)
        if not onet and not esco:
            return None
        soc = self._choose(onet, context, key) if onet else None
        uri = self._choose(esco, context, key) if esco else None
        if soc is None and uri is not None:
            # An ESCO-only title: the O*NET occupation ESCO's own crosswalk names, when it is confident.
            occ = self.catalog.occupations.get(uri)
            links = [link for link in (occ.links if occ else []) if link.confidence >= 0.8]
            soc = links[0].target if links else None
        return soc, uri, key

    def _candidates(self, phrase: str) -> list[tuple[str, str]]:
        """Title keys to try for a phrase, most faithful first, each with how it was derived."""
        key = title_key(phrase)
        words = key.split()
        raw: list[tuple[str, str]] = [(key, "title")]
        trimmed = [w for w in words if w not in SENIORITY]
        if trimmed and trimmed != words:
            raw.append((" ".join(trimmed), "title"))
        base = trimmed or words
        out = raw
        # A field instead of a title: "digital marketing" → "digital marketing specialist".
        for size in (2, 1):
            if len(base) >= size:
                tail = " ".join(base[-size:])
                for ending in _FIELDS.get(tail, []):
                    if size == 1 and tail in _REPLACED:
                        out.append((" ".join([*base[:-1], *ending.split()]), "field"))
                    out.append((" ".join([*base, *ending.split()]), "field"))
        # The most specific part that is a title: drop words from the front, then from the back.
        for i in range(1, len(base)):
            out.append((" ".join(base[i:]), "part"))
        for j in range(len(base) - 1, 0, -1):
            part = " ".join(base[:j])
            if part.split()[-1] in self.head_nouns:
                out.append((part, "part"))
        # An informal name ("sparky", "pen testing") is read as the title it stands for, before the words.
        expanded: list[tuple[str, str]] = []
        for k, how in out:
            if k in _INFORMAL:
                expanded.append((title_key(_INFORMAL[k]), how))
            expanded.append((k, how))
        return expanded

    def resolve(self, phrase: str, context: str = "") -> RoleMatch | None:
        """The occupation a role phrase names (see the module docstring), or None when nothing fits."""
        phrase = phrase.strip()
        if not phrase:
            return None
        for key, how in self._candidates(phrase):
            if not key or key in STOPWORDS or (how == "part" and len(key) < 4):
                continue
            # A single generic word ("manager", "analyst") is not a role on its own.
            if how == "part" and len(key.split()) == 1 and key in self.head_nouns:
                continue
            found = self._lookup(key, context)
            if found is None:
                continue
            soc, uri, matched = found
            occ = self.catalog.occupations.get(soc or "") or self.catalog.occupations.get(uri or "")
            label = occ.title if occ else phrase
            return RoleMatch(phrase, label, soc, uri, self.written(matched) or label, how)
        return None
