"""What the learner has: skills (exact labels, then the taxonomy linker, cached on disk), years of work
experience (optionally in a field), and held, in-progress and planned credentials with their equivalents."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.knowledge.catalog import derived
from coach.models import Profile

if TYPE_CHECKING:
    from coach.models import SkillRef
    from coach.skills.linker import SkillLinker

LINK_MIN_SCORE = 0.75  # the linker scores good matches 0.8-0.95 and loose ones 0.6-0.7 (measured)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9+#]+", " ", text.lower()).strip()


def _label_index(catalog: Any) -> dict[str, str]:
    """Normalised ESCO preferred and alternative labels → URI (built once per catalogue, kept on it)."""
    return derived(catalog, "planner-label-index", _build_label_index)


def _build_label_index(catalog: Any) -> dict[str, str]:
    index: dict[str, str] = {}
    for uri, skill in catalog.skills.items():
        for label in [skill.label, *skill.alt_labels]:
            index.setdefault(_norm(label), uri)
    return index


PHRASE_CACHE = "planner_phrase_links.json"
# "basic HTML", "some Excel", "beginner Python", "learning SQL": a skill the learner is still starting is not one
# the plan can leave out (they would be sent past the course that teaches it).
_BEGINNER = re.compile(
    r"\b(basic|basics|beginner|beginning|novice|some|a (?:little|bit)(?: of)?|learning|starting|introductory|"
    r"intro to|rusty)\b",
    re.I,
)
# A tool's shortest name must have this many characters to be found inside a longer phrase ("R" or "C" would
# match every initial).
TOOL_MIN_CHARS = 2


def _tool_index(catalog: Any) -> dict[str, tuple[str, ...]]:
    """Names people use for O*NET's hot and in-demand technologies → the ESCO skills they evidence, as the
    roles' technology links say (curated/onet_technology.csv), so a learner's "Linux" covers what a role's
    "Linux" asks. Kept on the catalogue."""
    return derived(catalog, "planner-tool-index", _build_tool_index)


def _tool_names(name: str, vendors: set[str]) -> set[str]:
    """The forms a technology is written in: its name, without "software", without the vendor, and an
    acronym it carries ("Amazon Elastic Compute Cloud EC2" → "ec2")."""
    full = _norm(name)
    forms = {full, re.sub(r"\s*\bsoftware$", "", full)}
    words = full.split()
    if len(words) > 1 and words[0] in vendors:
        forms.add(" ".join(words[1:]))
    forms |= {
        w.lower()
        for w in name.split()
        if len(w) >= TOOL_MIN_CHARS and w.isupper() and any(ch.isalpha() for ch in w) and w.isalnum()
    }
    return {f for f in forms if len(f) >= TOOL_MIN_CHARS}


def _build_tool_index(catalog: Any) -> dict[str, tuple[str, ...]]:
    links: dict[str, tuple[str, ...]] = {}
    for occ in catalog.onet_occupations():
        for tech in occ.technology:
            if (tech.hot or tech.in_demand) and tech.esco_uris:
                links.setdefault(tech.name, tuple(tech.esco_uris))
    first_words: dict[str, set[str]] = {}
    for name in links:
        words = _norm(name).split()
        if len(words) > 1:
            first_words.setdefault(words[0], set()).add(name)
    vendors = {w for w, names in first_words.items() if len(names) >= 3}  # Microsoft, Adobe, Amazon, Oracle…
    by_form: dict[str, set[str]] = {}
    for name in links:
        for form in _tool_names(name, vendors):
            by_form.setdefault(form, set()).add(name)
    index: dict[str, tuple[str, ...]] = {}
    for form, names in by_form.items():
        # A form several technologies share names the plainest of them ("AWS" is "Amazon Web Services AWS
        # software", not "… AWS CloudFormation"); a tie is ambiguous and names none.
        ranked = sorted(names, key=lambda n: len(re.sub(r"\s*\bsoftware$", "", _norm(n)).split()))
        plain = [n for n in ranked if len(_norm(n).split()) == len(_norm(ranked[0]).split())]
        uris = {links[n] for n in plain}
        if len(uris) == 1:
            index[form] = uris.pop()
    return index


def tool_skills(catalog: Any, phrase: str) -> set[str]:
    """ESCO skills of the technologies a phrase names ("AWS console (EC2, S3)", "Linux command line"): the
    longest known names first, each word used once."""
    index = _tool_index(catalog)
    words = _norm(phrase).split()
    found: set[str] = set()
    used = [False] * len(words)
    for size in range(min(len(words), 6), 0, -1):
        for i in range(len(words) - size + 1):
            if any(used[i : i + size]):
                continue
            uris = index.get(" ".join(words[i : i + size]))
            if uris:
                found.update(uris)
                used[i : i + size] = [True] * size
    return found


def _phrase_cache(path: Path | None, key: str) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged cache is only a slower start
    entry = data.get(key) if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else {}


# The phrase cache is one file shared by every learner on the machine: it keeps only what reads as a skill name
# (a few words, no figures), never a sentence of someone's resume, and only the most recent entries.
CACHEABLE_WORDS = 4
CACHEABLE_CHARS = 40
MAX_CACHED_PHRASES = 2_000
MAX_LINKED_PHRASES = 60  # free-text skill phrases one plan sends to the linker


def cacheable(phrase: str) -> bool:
    """A phrase short and plain enough to be a skill's name ("customer service", "Bash scripting"), not private
    text ("Managed payroll for 40 staff at Lakeview Inn")."""
    return (
        len(phrase) <= CACHEABLE_CHARS
        and len(phrase.split()) <= CACHEABLE_WORDS
        and not any(ch.isdigit() or ch == "@" for ch in phrase)
    )


def _save_phrase_cache(path: Path, key: str, links: dict[str, str]) -> None:
    kept = [(p, u) for p, u in links.items() if cacheable(p)]
    links = dict(kept[-MAX_CACHED_PHRASES:])  # insertion order: the newest answers last
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({key: links}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # atomic: concurrent planners never read half a file
    except OSError:
        pass  # read-only home: planning still works, only slower next time


@dataclass
class LinkerOnDemand:
    """A linker loaded only when a skill phrase needs one, its answers per phrase kept on disk at `cache_path`:
    loading the linker costs seconds on a cold CLI start, and a profile's phrases rarely change between plans."""

    load: Callable[[], SkillLinker]
    cache_path: Path | None = None
    _linker: SkillLinker | None = field(default=None, init=False, repr=False)

    def resolve(self) -> SkillLinker:
        """The linker itself (loaded now if it was not)."""
        if self._linker is None:
            self._linker = self.load()
        return self._linker

    def rank_skills_batch(self, texts: Sequence[str], top_k: int = 1) -> list[list[SkillRef]]:
        """The linker's ranked skills per text."""
        return self.resolve().rank_skills_batch(texts, top_k=top_k)


def _learner_skills(
    catalog: Any, phrases: Sequence[str], linker: Any, notes: list[str], cache_path: Path | None = None
) -> set[str]:
    """ESCO URIs for the learner's skill phrases: exact label matches, then the technologies a phrase names,
    then the taxonomy linker's top hit (`linker` None: labels and technologies only). A phrase that says the
    learner is only starting ("basic HTML") counts for nothing.

    With `cache_path` (or a `LinkerOnDemand`'s own), the linker's answers per phrase are kept on disk."""
    if isinstance(linker, LinkerOnDemand):
        cache_path = linker.cache_path
    index = _label_index(catalog)
    found: set[str] = set()
    rest: list[str] = []
    for phrase in phrases:
        if _BEGINNER.search(phrase):
            continue
        uri = index.get(_norm(phrase))
        tools = set() if uri else tool_skills(catalog, phrase)
        if uri:
            found.add(uri)
        elif tools:
            found |= tools  # a named tool says more than the nearest label to the whole phrase
        elif phrase.strip():
            rest.append(phrase)
    if len(rest) > MAX_LINKED_PHRASES:  # linking costs CPU on the request path: a bounded number per plan
        notes.append(
            f"Only the first {MAX_LINKED_PHRASES} of your {len(rest)} free-text skills were matched to the skill "
            "list; the rest were read by exact name only."
        )
        rest = rest[:MAX_LINKED_PHRASES]
    if rest and linker is not None:
        # Keyed by the catalogue's size and the score threshold, so a rebuilt catalogue is asked afresh.
        key = f"{len(catalog.skills)}:{len(catalog.credentials)}:{LINK_MIN_SCORE}"
        cached = _phrase_cache(cache_path, key) if cache_path is not None else {}
        ask = [p for p in rest if _norm(p) not in cached]
        found.update(cached[_norm(p)] for p in rest if cached.get(_norm(p)) in catalog.skills)
        if not ask:
            return found
        try:
            for phrase, ranked in zip(ask, linker.rank_skills_batch(ask, top_k=1), strict=True):
                ok = ranked and (ranked[0].score or 0.0) >= LINK_MIN_SCORE and ranked[0].uri in catalog.skills
                cached[_norm(phrase)] = ranked[0].uri if ok else ""
                if ok:
                    found.add(ranked[0].uri)
        except Exception as exc:  # the linker is optional: without it, only exact labels count
            notes.append(f"Skill phrases were matched by exact label only ({type(exc).__name__}).")
            return found
        if cache_path is not None:
            _save_phrase_cache(cache_path, key, cached)
    return found


def _months(value: str | None, today: dt.date) -> int | None:
    if not value:
        return today.year * 12 + today.month - 1
    m = re.match(r"^(\d{4})(?:-(\d{1,2}))?", value.strip())
    if not m:
        return None
    return int(m.group(1)) * 12 + (int(m.group(2) or 1) - 1)


# Words of an experience rule that say nothing about the field of the work asked for.
_EXPERIENCE_FILLER = frozenset(
    {
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "at",
        "on",
        "the",
        "to",
        "for",
        "with",
        "within",
        "least",
        "minimum",
        "cumulative",
        "paid",
        "full",
        "time",
        "full-time",
        "part",
        "work",
        "working",
        "experience",
        "year",
        "years",
        "month",
        "months",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "verifiable",
        "relevant",
        "professional",
        "job",
        "practice",
        "domains",
        "domain",
    }
)


def experience_fields(condition: str) -> set[str]:
    """The field words of an experience rule ("five years of paid security work experience" → {"security"}):
    up to six words before "work experience", minus filler (none: any work counts). All-caps acronyms (IT, IS) keep their case."""
    out: set[str] = set()
    for m in re.finditer(r"((?:[\w/-]+[ ,]+){1,6})work experience", condition):
        for word in re.findall(r"[A-Za-z][\w-]*", m.group(1)):
            low = word.lower()
            if low in _EXPERIENCE_FILLER or len(low) < 2:
                continue
            out.add(word if word.isupper() else low)
    return out


def _matches_field(exp: Any, fields: set[str]) -> bool:
    """The job names the field in its title or evidence ("project" matches "projects"; acronyms exactly)."""
    text = " ".join([exp.title, *exp.evidence])
    words = set(re.findall(r"[A-Za-z][\w-]*", text))
    lower = {w.lower() for w in words}
    return any((f in words) if f.isupper() else any(w.startswith(f) for w in lower) for f in fields)


# A bachelor's degree or higher, as people write it on a profile ("BSc Computer Science", "MBA", "Bachelor of
# Arts"); an associate degree or a diploma is not one (PMI asks those learners for 60 months, not 36).
_DEGREE_RE = re.compile(
    r"\b(bachelor|master|doctorate|ph\.?\s?d|mba|m\.?\s?sc|b\.?\s?sc|b\.?\s?eng|m\.?\s?eng|b\.?\s?tech|b\.?\s?a|b\.?\s?s"
    r"|m\.?\s?a|m\.?\s?s|four-year degree|university degree|licenciatura|diplom-\w+)\b",
    re.I,
)


def holds_degree(profile: Profile) -> bool:
    """An earned bachelor's degree or higher among the profile's credentials."""
    return any(
        c.status == "earned" and _DEGREE_RE.search(c.name) and not re.search(r"\bassociate", c.name, re.I)
        for c in profile.credentials
    )


def rule_fields(rule: Any) -> set[str]:
    """The field of work an experience rule asks for: its curated words, else read from its condition."""
    return set(getattr(rule, "experience_fields", None) or ()) or experience_fields(rule.condition or "")


def experience_needed(rule: Any, profile: Profile) -> float:
    """Years of work the rule asks of this learner: fewer for a degree holder when the rule says so."""
    base = rule.experience_years or 0.0
    with_degree = getattr(rule, "experience_years_with_degree", None)
    return min(base, with_degree) if with_degree is not None and holds_degree(profile) else base


def learner_experience_years(profile: Profile, today: dt.date, fields: set[str] | None = None) -> float:
    """Years of work (jobs, internships, apprenticeships) on the profile, overlaps counted once; with `fields`,
    only work whose title or evidence names one of them (security experience for a security credential)."""
    spans = []
    for e in profile.experience:
        if e.kind not in ("job", "internship", "apprenticeship"):
            continue
        if fields and not _matches_field(e, fields):
            continue
        a, b = _months(e.start, today), _months(e.end, today)
        if a is not None and b is not None and b >= a:
            spans.append((a, b + 1))
    spans.sort()
    total, cur_a = 0, 0
    cur_b: int | None = None  # the merged span being extended, [cur_a, cur_b) in months
    for a, b in spans:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total / 12


def _equivalence_kind(condition: str) -> str:
    """'experience' (holding one waives the other's experience requirement), 'partial' (education hours only),
    or 'full' (a successor or renamed credential: holding one counts as holding the other)."""
    text = condition.lower()
    if "experience requirement" in text:
        return "experience"
    if "contact hour" in text or "education" in text:
        return "partial"
    return "full"


def _held_credentials(catalog: Any, profile: Profile, notes: list[str]) -> tuple[set[str], set[str]]:
    """(held ids incl. full equivalents and stacked awards, ids whose experience requirement is waived)."""
    held: set[str] = set()
    for hc in profile.credentials:
        if hc.status != "earned":
            continue
        cred = (catalog.credentials.get(hc.id) if hc.id else None) or catalog.find_credential(hc.name)
        if cred is None:
            notes.append(f"'{hc.name}' is not in the catalogue, so it cannot count toward prerequisites.")
            continue
        held.add(cred.id)
    waived: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in catalog.rules:
            if rule.type == "equivalence":
                kind = _equivalence_kind(rule.condition)
                group = [rule.subject, *rule.objects]
                if kind == "full" and held.intersection(group) and not held.issuperset(group):
                    held.update(group)
                    changed = True
                elif kind == "experience" and rule.subject in held:
                    waived.update(rule.objects)
            elif (
                rule.type == "stackable_award"
                and rule.objects
                and rule.subject not in held
                and held.issuperset(rule.objects)
            ):
                held.add(rule.subject)
                changed = True
    return held, waived


def _profile_credentials(catalog: Any, profile: Profile, status: str) -> dict[str, str]:
    """Catalogue id → the learner's name for each credential of the profile with this status."""
    out: dict[str, str] = {}
    for hc in profile.credentials:
        if hc.status == status:
            cred = (catalog.credentials.get(hc.id) if hc.id else None) or catalog.find_credential(hc.name)
            if cred is not None:
                out[cred.id] = hc.name
    return out
