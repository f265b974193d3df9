"""Job-posting analysis: sections, requirement spans, taxonomy links, an honest profile match and gap credentials.

`analyze_posting(text, profile)` is deterministic Python over the knowledge base. Requirements are spans of
the ORIGINAL text (`posting[start:end] == text`), found by a compact statistical span tagger (a structured
averaged perceptron trained offline on the SkillSpan training data, see `evals/train_span_tagger.py` and
`knowledge_base/models/`) plus rules for what has a fixed shape (years of experience, certifications, degrees,
languages). Nothing is counted for a profile unless the profile evidences it.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from coach.errors import BadInput, CoachError
from coach.models import (
    CredentialSuggestion,
    MatchLevel,
    PostingAnalysis,
    Profile,
    Requirement,
    SalaryRange,
    SkillRef,
)

# --------------------------------------------------------------------------------------------------------------
# Tokens and sentences (with character offsets into the original text)
# --------------------------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------------------
# The span tagger: a first-order structured averaged perceptron over BIO tags, one model per span type
# --------------------------------------------------------------------------------------------------------------

TAGS = ("O", "B", "I")
SPAN_TYPES = ("skill", "knowledge")
_NEG = -1e9


def word_shape(tok: str) -> str:
    """A compressed character-class shape: 'Python' → 'Xx', 'C++' → 'X+', 'AZ-900' → 'X-d'."""
    out: list[str] = []
    for ch in tok:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


def _norm_token(tok: str) -> str:
    t = tok.lower()
    return re.sub(r"\d", "0", t)


@dataclass
class Gazetteer:
    """Lower-cased phrases by type (ESCO knowledge/skill labels, O*NET technology names) and label-word stats."""

    phrases: dict[str, set[str]] = field(default_factory=dict)
    first_words: dict[str, float] = field(default_factory=dict)  # share of ESCO skill labels starting with it
    max_len: int = 5

    def tag(self, lowered: Sequence[str]) -> dict[str, list[str]]:
        """Per type, a B/I/- mark per token from greedy longest matching."""
        marks: dict[str, list[str]] = {}
        n = len(lowered)
        for kind, phrases in self.phrases.items():
            m = ["-"] * n
            i = 0
            while i < n:
                hit = 0
                for k in range(min(self.max_len, n - i), 0, -1):
                    if " ".join(lowered[i : i + k]) in phrases:
                        hit = k
                        break
                if hit:
                    m[i] = "B" if hit > 1 else "U"
                    for j in range(i + 1, i + hit):
                        m[j] = "I"
                    i += hit
                else:
                    i += 1
            marks[kind] = m
        return marks


def marked_runs(marks: Sequence[str]) -> list[tuple[int, int]]:
    """Token ranges [i, j) of the phrases in one type's marks from `Gazetteer.tag` (a B or U, then its I's)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(marks):
        if marks[i] in ("B", "U"):
            j = i + 1
            while j < len(marks) and marks[j] == "I":
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def token_features(tokens: Sequence[str], gazetteer: Gazetteer | None) -> list[list[str]]:
    """Feature strings per token (word, context, affixes, shape and gazetteer marks)."""
    low = [_norm_token(t) for t in tokens]
    shapes = [word_shape(t) for t in tokens]
    marks = gazetteer.tag([t.lower() for t in tokens]) if gazetteer else {}
    firsts = gazetteer.first_words if gazetteer else {}
    n = len(tokens)

    def at(seq: Sequence[str], i: int) -> str:
        return seq[i] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

    feats: list[list[str]] = []
    for i in range(n):
        w = low[i]
        f = [
            "b",
            "w=" + w,
            "w-1=" + at(low, i - 1),
            "w+1=" + at(low, i + 1),
            "w-2=" + at(low, i - 2),
            "w+2=" + at(low, i + 2),
            "w-1w=" + at(low, i - 1) + "|" + w,
            "ww+1=" + w + "|" + at(low, i + 1),
            "s3=" + w[-3:],
            "s2=" + w[-2:],
            "s4=" + w[-4:],
            "p3=" + w[:3],
            "sh=" + shapes[i],
            "sh-1=" + at(shapes, i - 1),
            "sh+1=" + at(shapes, i + 1),
            "sh-1sh+1=" + at(shapes, i - 1) + "|" + shapes[i] + "|" + at(shapes, i + 1),
        ]
        if i == 0:
            f.append("first")
        if i == n - 1:
            f.append("last")
        if len(w) == 1 and not w.isalnum():
            f.append("punct")
        for kind, m in marks.items():
            f.append(f"g{kind}={m[i]}")
            f.append(f"g{kind}-1={m[i - 1] if i else '<s>'}|{m[i]}")
            if i + 1 < n:
                f.append(f"g{kind}+1={m[i + 1]}")
        share = firsts.get(tokens[i].lower())
        if share is not None:
            f.append(f"fw={min(4, int(-math.log10(max(share, 1e-5))))}")
        prev = tokens[i - 1].lower() if i else ""
        if prev and prev in firsts:
            f.append("fw-1")
        feats.append(f)
    return feats


@dataclass
class SpanTagger:
    """BIO taggers for SKILL and KNOWLEDGE spans sharing one feature space."""

    feature_index: dict[str, int]
    weights: dict[str, np.ndarray]  # span type → (n_features, 3)
    transitions: dict[str, np.ndarray]  # span type → (4, 3): rows are previous tag (O, B, I) and start
    gazetteer: Gazetteer | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Added to the B and I scores at decoding: the CRF is tuned for likelihood and under-predicts spans; a
    # bias chosen on the development block trades precision for recall where F1 gains.
    bias: dict[str, float] = field(default_factory=dict)

    def emissions(self, feats: list[list[str]]) -> dict[str, np.ndarray]:
        """Per span type, emission scores (n_tokens, 3)."""
        ids: list[int] = []
        owners: list[int] = []
        for i, f in enumerate(feats):
            for name in f:
                j = self.feature_index.get(name)
                if j is not None:
                    ids.append(j)
                    owners.append(i)
        n = len(feats)
        out: dict[str, np.ndarray] = {}
        idx = np.asarray(ids, dtype=np.int64)
        own = np.asarray(owners, dtype=np.int64)
        for kind, w in self.weights.items():
            e = np.zeros((n, len(TAGS)), dtype=np.float64)
            if len(idx):
                # owners are sorted, so a segmented sum (reduceat) replaces the slower np.add.at
                starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
                e[own[starts]] = np.add.reduceat(w[idx], starts, axis=0)
            out[kind] = e
        return out

    def predict(self, tokens: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
        """Spans per type as token index ranges [i, j)."""
        if not tokens:
            return {k: [] for k in self.weights}
        feats = token_features(tokens, self.gazetteer)
        em = self.emissions(feats)
        out = {}
        for k in self.weights:
            e = em[k]
            b = self.bias.get(k, 0.0)
            if b:
                e = e + np.array([0.0, b, b])
            out[k] = tags_to_spans(viterbi(e, self.transitions[k]))
        return out

    def save(self, path: Path) -> None:
        """Write the model as gzipped JSON (weights pruned to non-zero rows)."""
        names = sorted(self.feature_index, key=self.feature_index.__getitem__)
        keep = [
            i for i in range(len(names)) if any(np.any(np.abs(w[i]) > 1e-6) for w in self.weights.values())
        ]
        doc = {
            "meta": self.meta,
            "features": [names[i] for i in keep],
            "weights": {k: np.round(w[keep], 4).tolist() for k, w in self.weights.items()},
            "transitions": {k: np.round(t, 4).tolist() for k, t in self.transitions.items()},
            "bias": self.bias,
            "gazetteer": None
            if self.gazetteer is None
            else {
                "phrases": {k: sorted(v) for k, v in self.gazetteer.phrases.items()},
                "first_words": self.gazetteer.first_words,
                "max_len": self.gazetteer.max_len,
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(doc, fh, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path) -> SpanTagger:
        """Read a model written by `save`."""
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CoachError(f"The span tagger model {path} is missing or unreadable: {exc}") from exc
        gz = doc.get("gazetteer")
        gazetteer = (
            Gazetteer(
                phrases={k: set(v) for k, v in gz["phrases"].items()},
                first_words=gz["first_words"],
                max_len=gz["max_len"],
            )
            if gz
            else None
        )
        return cls(
            feature_index={name: i for i, name in enumerate(doc["features"])},
            weights={k: np.asarray(v, dtype=np.float64) for k, v in doc["weights"].items()},
            transitions={k: np.asarray(v, dtype=np.float64) for k, v in doc["transitions"].items()},
            gazetteer=gazetteer,
            meta=doc.get("meta", {}),
            bias=doc.get("bias", {}),
        )


# Transition constraints: I may not follow O or start a sentence (strict BIO).
_ALLOWED = np.array(
    [
        [0.0, 0.0, _NEG],  # from O
        [0.0, 0.0, 0.0],  # from B
        [0.0, 0.0, 0.0],  # from I
        [0.0, 0.0, _NEG],  # from start
    ]
)


def viterbi(emissions: np.ndarray, transitions: np.ndarray) -> list[int]:
    """Best BIO tag sequence under emission + transition scores, with I never after O or at the start."""
    n = emissions.shape[0]
    if n == 0:
        return []
    trans = transitions + _ALLOWED
    score = trans[3] + emissions[0]
    back = np.zeros((n, 3), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, None] + trans[:3]
        back[i] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emissions[i]
    tags = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        tags.append(int(back[i, tags[-1]]))
    return tags[::-1]


def tags_to_spans(tags: Sequence[int]) -> list[tuple[int, int]]:
    """Token ranges [i, j) from BIO tag ids (0=O, 1=B, 2=I); a stray I opens a span (conlleval style)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, t in enumerate(tags):
        if t == 1 or (t == 2 and start is None):
            if start is not None:
                spans.append((start, i))
            start = i
        elif t == 0:
            if start is not None:
                spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(tags)))
    return spans


def default_model_path() -> Path:
    """Where the trained span tagger lives in the repository."""
    from coach.settings import get_settings

    return get_settings().knowledge_dir / "models" / "span_tagger.json.gz"


_TAGGER_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _load_tagger(path: str) -> SpanTagger:
    with _TAGGER_LOCK:
        return SpanTagger.load(Path(path))


def get_span_tagger(path: Path | None = None) -> SpanTagger:
    """The trained span tagger (loaded once per process)."""
    return _load_tagger(str(path or default_model_path()))


# --------------------------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------------------
# Rule-based requirement shapes: years of experience, degrees, certifications, languages, soft skills
# --------------------------------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_YEARS_RE = re.compile(
    r"(?:(?:at least|minimum(?: of)?|min\.?|over|more than)\s+)?"
    r"(?P<n>\d{1,2}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?:\s*(?:-|–|to)\s*(?P<m>\d{1,2}))?\s*\+?\s*(?:\(\d{1,2}\)\s*)?(?:years?|yrs?)\b",
    re.IGNORECASE,
)
_CLAUSE_END_RE = re.compile(r"[;.!?]\s|[;.!?]$|\s[-–—]\s|\(|$")

_DEGREE_RE = re.compile(
    r"\b(?:(?:an?\s+)?(?:bachelor'?s?|master'?s?|doctoral|doctorate|ph\.?\s?d\.?|mba|"
    r"b\.?\s?sc\.?|m\.?\s?sc\.?|bsn|msn|b\.a\.|m\.a\.)(?:\s+(?:degree|of (?:science|arts)))?|"
    r"associate'?s?\s+(?:degree|of (?:science|arts|applied))|"
    r"(?:university|college|undergraduate|graduate)\s+degree|high school diploma|ged\b|"
    r"degree\s+in)",
    re.IGNORECASE,
)
_DEGREE_LEVELS: list[tuple[int, re.Pattern[str]]] = [
    (5, re.compile(r"\b(doctora|ph\.?\s?d)", re.I)),
    (4, re.compile(r"\b(master|mba|m\.?\s?sc|msn|m\.a\.)", re.I)),
    (
        3,
        re.compile(
            r"\b(bachelor|b\.?\s?sc|bsn|b\.a\.|university degree|undergraduate degree|college degree)", re.I
        ),
    ),
    (2, re.compile(r"\b(associate'?s? degree|associate degree|associate of|associate in)", re.I)),
    (1, re.compile(r"\b(high school|ged|diploma)\b", re.I)),
]

_CERT_CUE_RE = re.compile(
    r"\b(certifications?|certificates?|certified|licen[cs]es?|licensed|credentials?|accreditation|"
    r"belt)\b",
    re.IGNORECASE,
)

LANGUAGES = (
    "English",
    "Spanish",
    "French",
    "German",
    "Portuguese",
    "Italian",
    "Dutch",
    "Mandarin",
    "Chinese",
    "Cantonese",
    "Japanese",
    "Korean",
    "Arabic",
    "Hindi",
    "Russian",
    "Polish",
    "Vietnamese",
    "Tagalog",
    "Swedish",
    "Danish",
    "Norwegian",
    "Finnish",
    "Turkish",
    "Greek",
    "Hebrew",
    "Ukrainian",
    "Romanian",
    "Czech",
    "Hungarian",
    "ASL",
    "American Sign Language",
)
_LANG_RE = re.compile(
    r"\b(?:(?:fluent|fluency|native|proficient|proficiency|bilingual|business[- ]level|working|"
    r"written and spoken|spoken and written|excellent)\s+(?:in\s+)?)?"
    r"(?P<lang>" + "|".join(sorted((re.escape(x) for x in LANGUAGES), key=len, reverse=True)) + r")\b"
    r"(?:\s*(?:/|and|&)\s*(?:" + "|".join(re.escape(x) for x in LANGUAGES) + r")\b)*",
)
_LANG_CONTEXT_RE = re.compile(
    r"\b(fluen|bilingual|speak|spoken|written|language|native|proficien|english|communicat)", re.I
)

SOFT_SKILLS = (
    "communication",
    "communicator",
    "teamwork",
    "team player",
    "collaboration",
    "collaborative",
    "problem-solving",
    "problem solving",
    "problem solver",
    "analytical",
    "critical thinking",
    "time management",
    "attention to detail",
    "detail-oriented",
    "detail oriented",
    "interpersonal",
    "organizational",
    "organisational",
    "adaptability",
    "flexible",
    "self-starter",
    "self-motivated",
    "motivated",
    "proactive",
    "curious",
    "leadership",
    "creative",
    "creativity",
    "empathy",
    "ownership",
    "initiative",
    "work independently",
    "independently",
    "calm under pressure",
    "eager to learn",
    "multitask",
    "prioritize",
    "prioritise",
    "customer focus",
    "positive attitude",
    "reliable",
    "dependable",
)
_SOFT_RE = re.compile(r"\b(" + "|".join(re.escape(s) for s in SOFT_SKILLS) + r")", re.IGNORECASE)

_PREFERRED_RE = re.compile(
    r"\b(preferred|preferably|nice[ -]to[ -]have|a plus|is a plus|plus\b|bonus|desirable|desired|ideally|"
    r"advantage(?:ous)?|an asset|would be great|helps|not required|optional|good to have)\b",
    re.IGNORECASE,
)
_REQUIRED_RE = re.compile(r"\b(required|must|mandatory|essential|minimum)\b", re.IGNORECASE)

_CUE_TAIL_WORDS = frozenset(
    ["preferred", "required", "mandatory", "essential", "desirable", "desired", "preferably", "plus", "bonus"]
)
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


@dataclass
class _Span:
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


def _years_spans(text: str, sent: tuple[int, int], section: str) -> list[_Span]:
    out: list[_Span] = []
    lo, hi = sent
    for m in _YEARS_RE.finditer(text, lo, hi):
        _, right = _clause_bounds(text, m.start(), m.end(), lo, hi)
        clause_tail = text[m.end() : right]
        before = text[max(lo, m.start() - 25) : m.start()]
        if re.search(r"\b(within|after|every|per|next|past|last|first|for)\s*$", before, re.I):
            continue  # "obtain the license within 2 years": a deadline, not experience
        if not re.search(
            r"\b(experience|exp|background|track record|working|work)\b", clause_tail, re.I
        ) and not re.match(r"\s*(?:as|in)\s+an?\s", clause_tail, re.I):
            continue  # "5 years old", "2 years of hire": not an experience requirement
        s, e = _trim(text, m.start("n"), right)
        n = m.group("n").lower()
        years = float(_NUMBER_WORDS.get(n, 0) or float(n))
        subject = re.sub(
            r"(?i)^.*?\b(?:years?|yrs?)\b\s*(?:of\s+)?(?:(?:professional|relevant|hands-on|proven|"
            r"progressive|direct|prior)\s+)*(?:experience|exp)?\s*(?:in|with|as|of|working|on|at)?\s*",
            "",
            text[s:e],
        )
        subject = re.sub(r"(?i)\s*\b(?:experience|exp)\b\s*", " ", subject).strip(" ,.;")
        subject = re.sub(
            r"(?i)\s*\b(?:preferred|required|is a plus|a plus|desirable)\b.*$", "", subject
        ).strip(" ,.;")
        out.append(
            _Span(s, e, "experience", sent, section, years=years, link_text=subject or None, source="rule")
        )
    return out


def _degree_spans(text: str, sent: tuple[int, int], section: str) -> list[_Span]:
    out: list[_Span] = []
    lo, hi = sent
    for m in _DEGREE_RE.finditer(text, lo, hi):
        if any(s.start <= m.start() < s.end for s in out):
            continue
        left, right = _clause_bounds(text, m.start(), m.end(), lo, hi)
        # keep "Bachelor of Science in Nursing (BSN)" whole: a parenthesised acronym right after is part of it
        pm = re.match(r"\s*\([A-Za-z.]{2,8}\)", text[right:hi])
        if pm:
            right += pm.end()
            m2 = _CLAUSE_END_RE.search(text, right, hi)
            right = m2.start() if m2 else hi
        s, e = _trim(text, m.start(), right)
        s = max(s, left)
        out.append(_Span(s, e, "education", sent, section, source="rule"))
    return out


def _language_spans(text: str, sent: tuple[int, int], section: str) -> list[_Span]:
    lo, hi = sent
    sentence = text[lo:hi]
    if not _LANG_CONTEXT_RE.search(sentence):
        return []
    out = []
    for m in _LANG_RE.finditer(text, lo, hi):
        after = text[m.end() : m.end() + 12].lower()
        if re.match(r"\s*(teacher|literature|department|speaking countr|degree)", after):
            continue
        out.append(_Span(m.start(), m.end(), "language", sent, section, source="rule"))
    return out


def _soft_kind(span_text: str) -> bool:
    return bool(_SOFT_RE.search(span_text))


# --------------------------------------------------------------------------------------------------------------
# Certifications: catalogue names, acronyms and exam codes found in the text
# --------------------------------------------------------------------------------------------------------------

# Course specialisations are left out: their names ("Big Data", "Deep Learning") are ordinary skill phrases.
_CERT_TYPES = ("certification", "professional_certificate", "designation", "badge")


@dataclass
class _CertIndex:
    """Lower-cased phrase → credential ids, and case-sensitive acronyms/exam codes → ids."""

    phrases: dict[str, list[str]]
    acronyms: dict[str, list[str]]
    max_len: int
    names: dict[str, str]


def _cert_keys(cred: Any) -> tuple[set[str], set[str]]:
    phrases: set[str] = set()
    acronyms: set[str] = set()
    name = re.sub(r"\[.*?\]", " ", cred.name)
    full = " ".join(t for t, _, _ in tokenize(name.lower()))
    phrases.add(full)
    no_paren = re.sub(r"\(.*?\)", " ", name)
    phrases.add(" ".join(t for t, _, _ in tokenize(no_paren.lower())))
    for inner in re.findall(r"\(([^)]+)\)", name):
        for part in re.split(r"\s*/\s*|,\s*", inner):
            part = part.strip()
            if re.fullmatch(r"[A-Z][A-Za-z0-9+#&-]{1,11}", part) and any(c.isupper() for c in part[1:]):
                acronyms.add(part)
            elif part.lower().startswith("formerly "):
                acronyms.add(part[9:].strip())
    provider = cred.provider.split("(")[0].strip().lower()
    if provider:
        for p in list(phrases):
            if p.startswith(provider + " ") and len(p) > len(provider) + 3:
                short = p[len(provider) + 1 :]
                if cred.type == "certification" and ("+" in short or len(short.split()) >= 2):
                    phrases.add(short)
    ms = re.match(r"microsoft certified\s*:\s*(.+)", name, re.I)
    if ms:
        phrases.add(" ".join(t for t, _, _ in tokenize(ms.group(1).lower())))
    for code in (cred.exam_code or "").split(";"):
        code = code.strip()
        if re.fullmatch(r"[A-Z0-9]{2,5}-[A-Z0-9]{2,5}", code):
            acronyms.add(code)
    for alias in getattr(cred, "aliases", []) or []:
        if re.fullmatch(r"[A-Za-z0-9+#&.-]{2,12}", alias) and any(c.isupper() for c in alias):
            acronyms.add(alias)
        elif len(alias.split()) >= 2:
            phrases.add(" ".join(t for t, _, _ in tokenize(alias.lower())))
    # Single ordinary words ("Foundations", "Security") would match everywhere: only multi-word phrases
    # or phrases with a distinctive character count as names.
    phrases = {p for p in phrases if p and (len(p.split()) >= 2 or re.search(r"[+#\d]", p))}
    return phrases, acronyms


_CERT_INDEX_CACHE: dict[int, _CertIndex] = {}


def _cert_index(catalog: Any) -> _CertIndex:
    key = id(catalog)
    hit = _CERT_INDEX_CACHE.get(key)
    if hit is not None:
        return hit
    phrases: dict[str, list[str]] = {}
    acronyms: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    rank = {"curated": 0}
    creds = sorted(
        catalog.credentials.values(),
        key=lambda c: (rank.get(c.id.split("-", 1)[0], 0 if "-" in c.id and c.sources else 1), c.id),
    )
    # Curated entries (ids without a catalogue prefix) come before roadmap/course rows for the same key.
    creds.sort(key=lambda c: (c.id.split("-", 1)[0] in ("roadmap", "coursera", "edx", "udemy"), c.id))
    for cred in creds:
        if cred.type not in _CERT_TYPES or not cred.is_microcredential:
            continue
        names[cred.id] = cred.name
        ph, ac = _cert_keys(cred)
        for p in ph:
            phrases.setdefault(p, []).append(cred.id)
        for a in ac:
            acronyms.setdefault(a, []).append(cred.id)
    index = _CertIndex(
        phrases=phrases,
        acronyms=acronyms,
        max_len=max((len(p.split()) for p in phrases), default=1),
        names=names,
    )
    _CERT_INDEX_CACHE.clear()
    _CERT_INDEX_CACHE[key] = index
    return index


def _cert_spans(
    text: str, sent: tuple[int, int], section: str, tokens: list[tuple[str, int, int]], index: _CertIndex
) -> list[_Span]:
    out: list[_Span] = []
    low = [t.lower() for t, _, _ in tokens]
    n = len(tokens)
    taken = [False] * n
    # Short plain names ("Security Essentials", "Certified Associate") and two-letter acronyms ("CC") only
    # count in a sentence that talks about certification; "Security+", "CKA", "PL-300" count anywhere.
    cue = bool(_CERT_CUE_RE.search(text, sent[0], sent[1]))
    i = 0
    while i < n:
        hit = None
        for k in range(min(index.max_len, n - i), 0, -1):
            phrase = " ".join(low[i : i + k])
            ids = index.phrases.get(phrase)
            if ids and (cue or k >= 3 or re.search(r"[+#\d]", phrase)):
                hit = (k, ids)
                break
        if hit is None:
            ids = index.acronyms.get(tokens[i][0])
            if ids and (cue or len(tokens[i][0]) >= 3):
                hit = (1, ids)
        if hit:
            k, ids = hit
            s, e = tokens[i][1], tokens[i + k - 1][2]
            # "Certified Kubernetes Administrator (CKA)": take the acronym in brackets along
            m = re.match(r"\s*\(([A-Za-z0-9+#&/ -]{2,14})\)", text[e:])
            if m:
                e += m.end()
                while i + k < n and tokens[i + k][1] < e:
                    k += 1
            for j in range(i, i + k):
                taken[j] = True
            out.append(
                _Span(s, e, "certification", sent, section, credentials=list(ids[:1]), source="catalog")
            )
            i += k
        else:
            i += 1
    # Named certifications the catalogue does not hold: "Basic Life Support (BLS) certification",
    # "Forklift certification", "Registered Nurse license".
    lo, hi = sent
    for m in _CERT_CUE_RE.finditer(text, lo, hi):
        if any(sp.start <= m.start() < sp.end for sp in out):
            continue
        word = m.group(1).lower()
        if word.startswith("certif") and re.match(r"\s+(in|as)\s", text[m.end() : m.end() + 4]):
            left, right = m.start(), _clause_bounds(text, m.start(), m.end(), lo, hi)[1]
        else:
            left = m.start()
            j = m.start()
            words = 0
            while words < 6:
                prev = re.search(r"([\w+#&.()/-]+)\s*$", text[lo:j])
                if not prev:
                    break
                w = prev.group(1)
                if w.lower() in _STOP_SPAN_WORDS or w.lower() in (
                    "current",
                    "valid",
                    "active",
                    "unrestricted",
                ):
                    break
                if not (w[0].isupper() or w.startswith("(") or (words == 0 and w[0].isalpha())):
                    break
                j = lo + prev.start(1)
                left = j
                words += 1
            right = m.end()
            if left == m.start():
                continue  # "certification" with nothing naming it
        s, e = _trim(text, left, right)
        if e - s < 4 or any(sp.start < e and s < sp.end for sp in out):
            continue
        out.append(_Span(s, e, "certification", sent, section, source="rule"))
    return out


# --------------------------------------------------------------------------------------------------------------
# Title, seniority, salary
# --------------------------------------------------------------------------------------------------------------

_TITLE_LINE_RE = re.compile(r"^\s*(?:job\s+title|position|role|title)\s*[:\-–]\s*(?P<t>.+)$", re.I | re.M)


def find_title(text: str, blocks: list[tuple[str, int, int]]) -> str:
    """The job title: a 'Job title:' line, else the first short line of the posting."""
    m = _TITLE_LINE_RE.search(text)
    if m:
        return m.group("t").strip()[:150]
    for line in text.splitlines():
        line = line.strip().strip("#*_").strip()
        if not line:
            continue
        if heading_section(line) and not re.search(
            r"\b(analyst|engineer|nurse|manager|developer)\b", line, re.I
        ):
            return ""
        # "Data Analyst (Mid-Level)" / "Registered Nurse - Medical/Surgical Unit (Night Shift)": the first
        # line of a posting is its title when it is short.
        if len(line) <= 120 and len(line.split()) <= 14:
            return line
        return ""
    return ""


def _title_core(title: str) -> str:
    """The title without location, company, shift or level notes, for occupation lookup."""
    core = re.split(r"\s+[|@]\s+|\s+[-–—]\s+|\s+at\s+|,\s+", title)[0]
    core = re.sub(r"\([^)]*\)", " ", core)  # "(SOC)", "(Night Shift)", "(Mid-Level)"
    core = re.sub(r"\s+(?:I{1,3}|IV|[1-4])\s*$", "", core.strip())  # "Analyst I" → "Analyst"
    # Seniority is reported on its own; left in, "Junior Data Analyst" ranks "call centre analyst" first.
    core = re.sub(r"(?i)\b(?:junior|jr\.?|senior|sr\.?|entry[- ]level|mid[- ]level)\s+", "", core)
    return " ".join(core.split()) or title


_SENIOR_RE = [
    (
        "lead",
        re.compile(r"\b(lead|principal|staff|head|manager|director|supervisor|chief|architect)\b", re.I),
    ),
    ("senior", re.compile(r"\b(senior|sr\.?|iii|iv|expert)\b", re.I)),
    (
        "junior",
        re.compile(
            r"\b(junior|jr\.?|entry[- ]level|graduate|trainee|intern|apprentice|assistant|i|1)\b(?!\s*[-–]\s*\d)",
            re.I,
        ),
    ),
    ("mid", re.compile(r"\b(mid[- ]?level|mid|intermediate|ii|2)\b", re.I)),
]


def infer_seniority(title: str, years: Sequence[float]) -> str | None:
    """junior / mid / senior / lead from the title's words, else from the years of experience asked."""
    t = re.split(r"\s+[|@]\s+|\s+at\s+|,\s+", title)[0]
    last = re.sub(r"[^\w]", " ", t).split()[-1:] or [""]
    for level, pattern in _SENIOR_RE:
        for m in pattern.finditer(t):
            word = m.group(1).lower()
            # roman numerals and digits only count at the end of a title ("SOC Analyst I", "Engineer II")
            if word in ("i", "ii", "iii", "iv", "1", "2") and last[0].lower() != word:
                continue
            return level
    if years:
        y = max(years)
        return "junior" if y < 2 else "mid" if y < 5 else "senior"
    return None


_CURRENCY = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "cad": "CAD",
    "aud": "AUD",
    "chf": "CHF",
    "inr": "INR",
}
_AMOUNT = r"(?P<{c}>[$€£]|\b(?:USD|EUR|GBP|CAD|AUD|CHF|INR)\s?)?(?P<{n}>\d{{1,3}}(?:[,.]\d{{3}})*(?:\.\d{{1,2}})?|\d+(?:\.\d+)?)\s?(?P<{k}>[kK]\b)?"
_SALARY_RE = re.compile(
    _AMOUNT.format(c="c1", n="a", k="k1")
    + r"(?:\s*(?:-|–|—|to)\s*"
    + _AMOUNT.format(c="c2", n="b", k="k2")
    + r")?(?P<tail>\s*(?:USD|EUR|GBP|CAD|AUD)?\s*(?:/|per|an|a)?\s*(?P<period>hour|hr|year|yr|annum|month|week|day)\b|\s*(?:annually|hourly|yearly|monthly|p\.a\.))?",
)
_SALARY_CUE_RE = re.compile(r"\b(salary|pay|compensation|wage|rate|range|ote|base)\b", re.I)
_SALARY_NOT_RE = re.compile(
    r"\b(bonus|training|tuition|sign[- ]on|stipend|reimburse|match|allowance|budget)\b", re.I
)


def _amount(raw: str, k: str | None) -> float:
    raw = raw.replace(",", "")
    if raw.count(".") == 1 and len(raw.split(".")[1]) == 3:  # "70.000" in European notation
        raw = raw.replace(".", "")
    value = float(raw)
    return value * 1000 if k else value


def find_salary(text: str) -> dict[str, Any] | None:
    """The stated pay: min, max, currency, period and the span; None when the posting states none."""
    best: tuple[int, dict[str, Any]] | None = None
    for line_m in re.finditer(r"[^\n]+", text):
        line = line_m.group(0)
        for m in _SALARY_RE.finditer(line):
            cur = m.group("c1") or m.group("c2")
            tail = m.group("tail") or ""
            if not cur and not re.search(r"(USD|EUR|GBP)", tail):
                continue
            period_raw = (m.group("period") or tail.strip()).lower()
            period = (
                "hour"
                if period_raw.startswith(("hour", "hr"))
                else "year"
                if period_raw.startswith(("year", "yr", "annum", "annual", "p.a"))
                else "month"
                if period_raw.startswith("month")
                else "week"
                if period_raw.startswith("week")
                else "day"
                if period_raw.startswith("day")
                else None
            )
            lo = _amount(m.group("a"), m.group("k1") or m.group("k2"))
            hi = _amount(m.group("b"), m.group("k2")) if m.group("b") else None
            if period is None:
                period = "hour" if lo < 500 else "year" if lo >= 10_000 else None
            if period is None:
                continue
            score = 0
            score += 3 if _SALARY_CUE_RE.search(line) else 0
            score += 1 if hi is not None else 0
            score += 1 if line_m.start() < 400 else 0
            score -= 4 if _SALARY_NOT_RE.search(line) else 0
            if score < 1:
                continue
            cur_code = _CURRENCY.get((cur or "").strip().lower()) or next(
                (v for k, v in _CURRENCY.items() if k.isalpha() and k.upper() in tail), None
            )
            found = {
                "min": lo,
                "max": hi if hi is not None else lo,
                "currency": cur_code,
                "period": period,
                "text": m.group(0).strip(),
                "start": line_m.start() + m.start(),
                "end": line_m.start() + m.start() + len(m.group(0).rstrip()),
            }
            if best is None or score > best[0]:
                best = (score, found)
    return best[1] if best else None


def _salary_text(s: dict[str, Any]) -> str:
    lo, hi = s["min"], s["max"]
    fmt = (lambda v: f"{v:,.2f}".rstrip("0").rstrip(".")) if max(lo, hi) < 1000 else (lambda v: f"{v:,.0f}")
    amount = fmt(lo) if lo == hi else f"{fmt(lo)}–{fmt(hi)}"
    return f"{s['currency'] or ''} {amount} per {s['period']}".strip()


# --------------------------------------------------------------------------------------------------------------
# Extraction: spans from the tagger and the rules, merged
# --------------------------------------------------------------------------------------------------------------

# Product-like names: "PowerShell", "TCP/IP", "C#", "node.js", "SAP EWM", "ISO 27001", "Tableau" (mid-sentence).
_TOOL_SHAPE_RE = re.compile(r"[A-Z].*[A-Z]|[+#]|\d|^[A-Z][a-z]+[A-Z]|\.[a-z]{2,}$")


def _looks_like_tool(phrase: str, tech: set[str] | frozenset[str] = frozenset()) -> bool:
    """A technology or product name rather than a field of knowledge: on O*NET's technology list, or a short
    name with a product shape ("AWS infrastructure" and "IT support, network administration" are not)."""
    low = " ".join(t.lower() for t, _, _ in tokenize(phrase))
    if low in tech:
        return True
    words = phrase.split()
    if len(words) > 3 or any(w.lower() in _STOP_SPAN_WORDS for w in words):
        return False
    return all(_TOOL_SHAPE_RE.search(w) or w[:1].isupper() for w in words) and bool(
        _TOOL_SHAPE_RE.search(phrase)
    )


def _tagger_spans(
    text: str,
    sent: tuple[int, int],
    section: str,
    tokens: list[tuple[str, int, int]],
    tagger: SpanTagger,
) -> list[_Span]:
    words = [t for t, _, _ in tokens]
    pred = tagger.predict(words)
    gaz = tagger.gazetteer
    tech = gaz.phrases.get("t", set()) if gaz else set()
    out: list[_Span] = []
    for kind, spans in pred.items():
        for i, j in spans:
            s, e = _trim(text, tokens[i][1], tokens[j - 1][2])
            if e <= s or all(w.lower() in _STOP_SPAN_WORDS for w in text[s:e].split()):
                continue
            phrase = text[s:e]
            if kind == "knowledge":
                k = "tool" if _looks_like_tool(phrase, tech) else "knowledge"
            else:
                k = "soft_skill" if _soft_kind(phrase) and len(phrase.split()) <= 5 else "skill"
                if k == "skill" and len(phrase.split()) == 1:
                    continue  # a lone verb ("Monitor", "work") says nothing a learner can act on
            out.append(_Span(s, e, k, sent, section))
    # Technology names the tagger missed ("Splunk", "CrowdStrike Falcon"): the O*NET technology list, when
    # the words carry a capital or symbol (so plain words such as "access" or "word" are not taken).
    if tech and gaz:
        short_item = len(tokens) <= 4  # a bullet that is just "Tableau" or "SAP EWM"
        for i, j in marked_runs(gaz.tag([t.lower() for t in words]).get("t", [])):
            s, e = tokens[i][1], tokens[j - 1][2]
            phrase = text[s:e]
            distinctive = _TOOL_SHAPE_RE.search(phrase) or (phrase[:1].isupper() and (i > 0 or short_item))
            if distinctive and not any(sp.start < e and s < sp.end for sp in out):
                out.append(_Span(s, e, "tool", sent, section, source="gazetteer"))
    return out


def _merge_spans(text: str, rule_spans: list[_Span], model_spans: list[_Span]) -> list[_Span]:
    """Rule spans win over tagger spans that overlap them (except inside an experience span, where the named
    skill is worth its own requirement); duplicates are dropped."""
    out = list(rule_spans)
    blocking = [s for s in rule_spans if s.kind != "experience"]
    experience = [s for s in rule_spans if s.kind == "experience"]
    for sp in model_spans:
        if any(b.start < sp.end and sp.start < b.end for b in blocking):
            continue
        # Inside "3+ years of warehouse or distribution experience" a span that repeats the experience
        # phrase adds nothing; a named skill ("SQL reporting") is kept as its own requirement.
        if any(
            x.start <= sp.start and sp.end <= x.end and "experience" in text[sp.start : sp.end].lower()
            for x in experience
        ):
            continue
        if any(o.start == sp.start and o.end == sp.end for o in out):
            continue
        out.append(sp)
    out.sort(key=lambda s: (s.start, -s.end))
    return out


def _required(text: str, sp: _Span) -> bool:
    if sp.section.startswith("nice_to_have"):
        return False
    lo, hi = sp.sentence
    left, right = _clause_bounds(text, sp.start, sp.end, lo, hi)
    # The clause decides ("Associate degree required; BSN preferred"), not the whole sentence.
    clause = text[left:right]
    return not _PREFERRED_RE.search(clause)


@dataclass
class Extraction:
    """What `extract_requirements` found, before taxonomy links."""

    title: str
    sections: list[tuple[str, int, int]]
    spans: list[_Span]
    notices: list[str]


def extract_requirements(text: str, catalog: Any = None, tagger: SpanTagger | None = None) -> Extraction:
    """Sections and requirement spans of a posting (no linking, no profile)."""
    tagger = tagger or get_span_tagger()
    blocks = split_sections(text)
    title = find_title(text, blocks)
    notices: list[str] = []
    if not looks_english(text):
        notices.append(
            f"{NOTHING_FOUND}: the posting does not look like English, which is all this analysis reads"
        )
        return Extraction(title=title, sections=blocks, spans=[], notices=notices)
    has_asks = any(name in ("requirements", "responsibilities", "nice_to_have") for name, _, _ in blocks)
    cert_index = _cert_index(catalog) if catalog is not None else None
    spans: list[_Span] = []
    title_end = text.find(title) + len(title) if title else 0
    units = _units(text)
    for name, b_start, b_end in blocks:
        kind_of_block = re.sub(r"_\d+$", "", name)
        if kind_of_block in ("benefits", "other") or (has_asks and kind_of_block == "about"):
            continue  # what the employer offers or says about itself is not asked of the candidate
        for s, e in units:
            if s < b_start or e > b_end or (title and e <= title_end):
                continue
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", s)
            if heading_section(text[line_start : line_end if line_end >= 0 else len(text)]) is not None:
                continue
            spans.extend(_sentence_spans(text, (s, e), kind_of_block, tagger, cert_index))
    return Extraction(title=title, sections=blocks, spans=spans, notices=notices)


_MAX_UNIT_TOKENS = 150


def _units(text: str) -> list[tuple[int, int]]:
    """Sentences, with very long ones (a posting pasted without line breaks) cut every 150 tokens."""
    out: list[tuple[int, int]] = []
    for s, e in split_sentences(text):
        toks = tokenize(text, s, e)
        if len(toks) <= _MAX_UNIT_TOKENS:
            out.append((s, e))
            continue
        for i in range(0, len(toks), _MAX_UNIT_TOKENS):
            chunk = toks[i : i + _MAX_UNIT_TOKENS]
            out.append((chunk[0][1], chunk[-1][2]))
    return out


def _sentence_spans(
    text: str, sent: tuple[int, int], section: str, tagger: SpanTagger, cert_index: _CertIndex | None
) -> list[_Span]:
    """Requirement spans of one sentence: rules first, then the tagger where the rules left room."""
    s, e = sent
    tokens = tokenize(text, s, e)
    rules = _years_spans(text, sent, section) + _degree_spans(text, sent, section)
    if cert_index is not None:
        rules += [c for c in _cert_spans(text, sent, section, tokens, cert_index) if not _overlaps(c, rules)]
    rules += [lg for lg in _language_spans(text, sent, section) if not _overlaps(lg, rules)]
    found = _merge_spans(text, rules, _tagger_spans(text, sent, section, tokens, tagger))
    if not found and section in ("requirements", "nice_to_have") and 1 <= len(tokens) <= 6:
        # A short bullet under "Requirements" is itself a requirement ("- Snowflake", "- Git basics").
        s0, e0 = _trim(text, s, e)
        phrase = text[s0:e0]
        if e0 > s0 and not all(w.lower() in _STOP_SPAN_WORDS for w in phrase.split()):
            tech = tagger.gazetteer.phrases.get("t", set()) if tagger.gazetteer else set()
            kind = (
                "tool" if _looks_like_tool(phrase, tech) else "soft_skill" if _soft_kind(phrase) else "skill"
            )
            found = [_Span(s0, e0, kind, sent, section, source="bullet")]
    return found


def _overlaps(sp: _Span, others: Iterable[_Span]) -> bool:
    return any(o.start < sp.end and sp.start < o.end for o in others)


# --------------------------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------------------------

SKILLS_PER_REQUIREMENT = 5
MIN_SKILL_SCORE = 0.5  # linker scores below this are noise for a short span
MIN_TOOL_SCORE = 0.7
MIN_ROLE_SCORE = (
    0.5  # below this the closest occupation is a guess ("ignore previous instructions" → "tourist guide")
)


def analyze_posting(
    text: str,
    profile: Profile | None = None,
    catalog: Any = None,
    linker: Any = None,
    *,
    tagger: SpanTagger | None = None,
    embedder: Any = None,
    max_chars: int | None = None,
    today: date | None = None,
) -> PostingAnalysis:
    """Analyse a posting: sections, requirements (spans of `text`) with ESCO skills, title → occupation,
    seniority, salary; with a profile also the honest match, score and gap credentials."""
    if max_chars is None:
        from coach.settings import get_settings

        max_chars = get_settings().max_posting_chars
    text = check_posting_text(text, max_chars)
    if isinstance(profile, dict):
        from pydantic import ValidationError

        try:
            profile = Profile.model_validate(profile)
        except ValidationError as exc:
            raise BadInput(
                f"The profile is not valid: {exc.errors()[0].get('msg', 'invalid value')}"
            ) from exc
    if catalog is None:
        from coach.knowledge import get_catalog

        catalog = get_catalog()
    if linker is None:
        from coach.skills import get_linker

        linker = get_linker()
    ex = extract_requirements(text, catalog, tagger)
    requirements = [_to_requirement(text, sp) for sp in ex.spans]
    # The profile's skills are linked in the same batch as the requirements (one encoder pass and one index
    # scan instead of two); match_profile then finds them in the link cache.
    _link_skills(requirements, ex.spans, linker, catalog, also=_profile_skill_texts(profile))
    analysis = PostingAnalysis(
        title=ex.title,
        sections=_section_map(ex.sections),
        requirements=requirements,
        notices=list(ex.notices),
    )
    english = not any(n.startswith(NOTHING_FOUND) for n in ex.notices)
    if ex.title and english:
        roles = linker.rank_roles(_title_core(ex.title), top_k=1)
        if roles and roles[0].score >= MIN_ROLE_SCORE:
            analysis.occupation = roles[0]
        else:
            analysis.notices.append(f"the title {ex.title!r} did not match an occupation closely enough")
    years = [r.years for r in requirements if r.kind == "experience" and r.years is not None and r.required]
    analysis.seniority = infer_seniority(ex.title, years)
    salary = find_salary(text)
    if salary:
        analysis.salary = _salary_text(salary)
        analysis.salary_range = SalaryRange(**salary)
    if not requirements and not any(n.startswith(NOTHING_FOUND) for n in analysis.notices):
        analysis.notices.append(
            f"{NOTHING_FOUND}: no skills, tools, certifications or experience requirements"
        )
    if profile is not None:
        match_profile(analysis, profile, catalog=catalog, linker=linker, embedder=embedder, today=today)
    return analysis


def _to_requirement(text: str, sp: _Span) -> Requirement:
    lo, hi = sp.sentence
    return Requirement(
        text=text[sp.start : sp.end],
        start=sp.start,
        end=sp.end,
        sentence=text[lo:hi],
        section=sp.section,
        kind=sp.kind,  # type: ignore[arg-type]
        required=_required(text, sp),
        credentials=list(sp.credentials),
        years=sp.years,
    )


_EMBED_LOCK = threading.Lock()  # guards both caches below
_LINK_CACHE: OrderedDict[tuple[int, str], list[SkillRef]] = OrderedDict()
_LINK_CACHE_SIZE = 4096


def _cached_batch(
    cache: OrderedDict[tuple[int, str], Any], size: int, owner: Any, texts: list[str], compute: Any
) -> list[Any]:
    """Values for `texts` from an LRU `cache` keyed by (id(owner), text); `compute` gets the distinct texts not
    seen before, in one batch."""
    key = id(owner)
    with _EMBED_LOCK:
        missing = list(dict.fromkeys(t for t in texts if (key, t) not in cache))
    if missing:
        fresh = compute(missing)
        with _EMBED_LOCK:
            for t, value in zip(missing, fresh, strict=True):
                cache[(key, t)] = value
            while len(cache) > size:
                cache.popitem(last=False)
    with _EMBED_LOCK:
        return [cache[(key, t)] for t in texts]


def _rank_skills_cached(linker: Any, texts: list[str]) -> list[list[SkillRef]]:
    """linker.rank_skills_batch over the distinct texts not seen before ("Python" is linked once)."""
    ranked = _cached_batch(
        _LINK_CACHE,
        _LINK_CACHE_SIZE,
        linker,
        texts,
        lambda missing: linker.rank_skills_batch(missing, top_k=SKILLS_PER_REQUIREMENT),
    )
    return [[r.model_copy() for r in refs] for refs in ranked]


def _profile_skill_texts(profile: Profile | None) -> list[str]:
    """A profile's distinct skill phrases, whitespace-normalised (what match_profile links)."""
    if profile is None:
        return []
    return list(dict.fromkeys(" ".join(x.split()) for x in profile.skills if x.strip()))


def _link_skills(
    reqs: list[Requirement], spans: list[_Span], linker: Any, catalog: Any, also: Sequence[str] = ()
) -> None:
    """ESCO skills per requirement: the linker on the span (or an experience requirement's subject); a named
    catalogue credential adds the skills the catalogue says it certifies. `also` are more texts to link in
    the same batch (their links land in the cache)."""
    todo: list[int] = []
    texts: list[str] = []
    for i, (r, sp) in enumerate(zip(reqs, spans, strict=True)):
        if r.kind in ("language", "education"):
            continue
        if r.kind == "certification" and r.credentials:
            cred = catalog.credentials.get(r.credentials[0])
            if cred is not None and cred.skills:
                r.skills = [
                    SkillRef(uri=u, label=catalog.skill_label(u), score=1.0)
                    for u in cred.skills[:SKILLS_PER_REQUIREMENT]
                ]
                continue
        link = sp.link_text if r.kind == "experience" else r.text
        if link:
            todo.append(i)
            texts.append(link)
    if not todo and not also:
        return
    ranked = _rank_skills_cached(linker, [*texts, *also])[: len(texts)]
    for i, refs in zip(todo, ranked, strict=True):
        # A product name the taxonomy lacks ("ServiceNow") only finds look-alike words: keep confident links.
        floor = MIN_TOOL_SCORE if reqs[i].kind == "tool" else MIN_SKILL_SCORE
        reqs[i].skills = [s for s in refs if (s.score or 0) >= floor]


# --------------------------------------------------------------------------------------------------------------
# The honest match against a profile
# --------------------------------------------------------------------------------------------------------------

# Cosine similarity (all-MiniLM-L6-v2) between a requirement span and one profile item. Chosen on hand-checked
# pairs: "Python" / "Python programming" 0.91 (same thing), "forklift operation" / "Forklift certification"
# 0.75, "Microsoft Excel" / "Intermediate Microsoft Excel skills" 0.63 (related), "Python" / "Java" 0.45 (not).
MET_SIMILARITY = 0.78
PARTLY_SIMILARITY = 0.62
# A linker score above which a short text is taken to name an ESCO skill (for URI equality between the two).
URI_SCORE = 0.75
# An experience entry counts toward "N years of X" when its title or an evidence line is this similar to X.
EXPERIENCE_RELEVANCE = 0.45
CREDIT = {"met": 1.0, "partly": 0.5, "missing": 0.0}
SKILL_KINDS = ("skill", "knowledge", "tool", "soft_skill")


@dataclass
class _Item:
    """One piece of profile evidence, shown as `label` when it meets a requirement."""

    label: str
    text: str
    uris: set[str] = field(default_factory=set)


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9+#]+(?:\.[a-z0-9]+)*", text.lower())


def _contains_phrase(hay: str, needle: str) -> bool:
    h, n = _norm_words(hay), _norm_words(needle)
    if not n or len(n) > len(h):
        return False
    k = len(n)
    return any(h[i : i + k] == n for i in range(len(h) - k + 1))


def _parse_month(value: str | None, today: date) -> float | None:
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d{1,2}))?", value.strip())
    if not m:
        return None
    return int(m.group(1)) + (int(m.group(2) or 1) - 1) / 12


def _years_of(exp: Any, today: date) -> tuple[float, float] | None:
    start = _parse_month(exp.start, today)
    if start is None:
        return None
    end = _parse_month(exp.end, today) if exp.end else today.year + (today.month - 1) / 12
    if end is None or end < start:
        return None
    return start, end


def _merged_years(intervals: list[tuple[float, float]]) -> float:
    total, cur = 0.0, None
    for s, e in sorted(intervals):
        if cur is None or s > cur[1]:
            if cur:
                total += cur[1] - cur[0]
            cur = [s, e]
        else:
            cur[1] = max(cur[1], e)
    if cur:
        total += cur[1] - cur[0]
    return total


def _held_credentials(profile: Profile, catalog: Any) -> list[tuple[Any, str | None]]:
    """(held credential, catalogue id or None)."""
    out = []
    for hc in profile.credentials:
        cid = hc.id if hc.id and hc.id in catalog.credentials else None
        if cid is None:
            found = catalog.find_credential(hc.name)
            cid = found.id if found else None
        out.append((hc, cid))
    return out


def _equivalent_ids(cid: str, catalog: Any) -> set[str]:
    """The credential and those a catalogue rule declares its direct successor or predecessor."""
    out = {cid}
    for rule in catalog.rules_for(cid):
        if rule.type == "equivalence" and re.search(
            r"successor|replaced|new version", rule.condition + " " + (rule.quote or ""), re.I
        ):
            out.update([rule.subject, *rule.objects])
    return out


def _degree_level(text: str) -> int:
    for level, pattern in _DEGREE_LEVELS:
        if pattern.search(text):
            return level
    return 0


def match_profile(
    analysis: PostingAnalysis,
    profile: Profile,
    *,
    catalog: Any = None,
    linker: Any = None,
    embedder: Any = None,
    today: date | None = None,
) -> PostingAnalysis:
    """Mark each requirement met / partly / missing with the profile evidence, then score and find gap
    credentials. Only what the profile states counts; repeating an item adds nothing."""
    if catalog is None:
        from coach.knowledge import get_catalog

        catalog = get_catalog()
    if linker is None:
        from coach.skills import get_linker

        linker = get_linker()
    if embedder is None:
        embedder = getattr(linker, "embedder", None)
        if embedder is None:
            from coach.embeddings import get_embedder

            embedder = get_embedder()
    today = today or date.today()
    held = _held_credentials(profile, catalog)
    # Each distinct profile skill is linked to its best ESCO skill (when the link is confident), so a
    # requirement can be met by the same ESCO skill or partly met by a sibling under the same ESCO parent.
    distinct_skills = _profile_skill_texts(profile)
    skill_links = _rank_skills_cached(linker, distinct_skills) if distinct_skills else []
    skill_uris = {
        text: {ref.uri for ref in refs[:1] if (ref.score or 0) >= URI_SCORE}
        for text, refs in zip(distinct_skills, skill_links, strict=True)
    }
    items = _profile_items(profile, held, catalog, skill_uris)
    reqs = analysis.requirements
    skill_reqs = [r for r in reqs if r.kind in SKILL_KINDS]
    # One embedding call for everything compared by meaning.
    exp_subjects = [_expand_abbreviations(_experience_subject(r)) for r in reqs if r.kind == "experience"]
    exp_lines = [[e.title, *e.evidence] for e in profile.experience]
    flat_lines = [_expand_abbreviations(line) for lines in exp_lines for line in lines]
    texts = [r.text for r in skill_reqs] + [i.text for i in items] + exp_subjects + flat_lines
    vecs = _embed_cached(embedder, texts)
    n_req, n_items = len(skill_reqs), len(items)
    req_vecs, item_vecs = vecs[:n_req], vecs[n_req : n_req + n_items]
    subj_vecs = vecs[n_req + n_items : n_req + n_items + len(exp_subjects)]
    line_vecs = vecs[n_req + n_items + len(exp_subjects) :]
    sims = req_vecs @ item_vecs.T if n_req and n_items else np.zeros((n_req, n_items))
    for k, r in enumerate(skill_reqs):
        r.match, r.evidence = _match_skill(r, items, sims[k] if n_items else np.zeros(0), catalog)
    subj_i = 0
    for r in reqs:
        if r.kind == "experience":
            sv = subj_vecs[subj_i]
            subj_i += 1
            r.match, r.evidence = _match_experience(r, profile, exp_lines, line_vecs, sv, today)
        elif r.kind == "certification":
            r.match, r.evidence = _match_certification(r, held, catalog)
        elif r.kind == "education":
            r.match, r.evidence = _match_education(r, profile, held)
        elif r.kind == "language":
            r.match, r.evidence = _match_language(r, profile, items)
    _score(analysis)
    analysis.gap_credentials = gap_credentials(analysis.gaps, catalog, held)
    return analysis


_EMBED_CACHE: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
_EMBED_CACHE_SIZE = 4096


def _embed_cached(embedder: Any, texts: list[str]) -> np.ndarray:
    """Embed texts, reusing vectors of texts seen before (profiles are matched against many postings)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack(_cached_batch(_EMBED_CACHE, _EMBED_CACHE_SIZE, embedder, texts, embedder.embed))


def clear_caches() -> None:
    """Forget cached embeddings and skill links (benchmarks call this so each run starts afresh)."""
    with _EMBED_LOCK:
        _EMBED_CACHE.clear()
        _LINK_CACHE.clear()


def _profile_items(
    profile: Profile,
    held: list[tuple[Any, str | None]],
    catalog: Any,
    skill_uris: dict[str, set[str]] | None = None,
) -> list[_Item]:
    """Distinct evidence items (case-insensitive): repeating a skill twenty times gives one item."""
    seen: set[str] = set()
    items: list[_Item] = []

    def add(label: str, text: str, uris: Iterable[str] = ()) -> None:
        key = " ".join(_norm_words(text))
        if not key or key in seen:
            return
        seen.add(key)
        items.append(_Item(label=label, text=text.strip(), uris=set(uris)))

    for s in profile.skills:
        add(f"skill: {s.strip()}", s, (skill_uris or {}).get(" ".join(s.split()), set()))
    if profile.current_role:
        add(f"current role: {profile.current_role}", profile.current_role)
    for e in profile.experience:
        where = f" at {e.organization}" if e.organization else ""
        add(f"{e.kind}: {e.title}{where}", e.title)
        for line in e.evidence:
            add(f"{e.title}{where}: {line}", line)
    for hc, cid in held:
        if hc.status != "earned" or cid is None:
            continue
        cred = catalog.credentials.get(cid)
        if cred is not None and cred.skills:
            # An earned credential evidences the skills the catalogue says it certifies (by URI only).
            add(f"credential: {cred.name} (earned)", cred.name, cred.skills)
    return items


# MiniLM reads "IT support" poorly (0.21 to "Help Desk Technician"); spelled out it does much better.
_ABBREVIATIONS = {
    "IT": "information technology",
    "SOC": "security operations center",
    "SRE": "site reliability engineering",
    "EHR": "electronic health records",
    "QA": "quality assurance",
    "HR": "human resources",
    "UX": "user experience",
    "ML": "machine learning",
    "AI": "artificial intelligence",
}
_ABBREV_RE = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")\b")


def _expand_abbreviations(text: str) -> str:
    return _ABBREV_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)


def _experience_subject(r: Requirement) -> str:
    subject = re.sub(
        r"(?i)^.*?\b(?:years?|yrs?)\b\s*(?:of\s+)?(?:(?:professional|relevant|hands-on|proven|progressive|"
        r"direct|prior)\s+)*(?:experience|exp)?\s*(?:in|with|as|of|working|on|at)?\s*",
        "",
        r.text,
    )
    subject = re.sub(r"(?i)\s*\b(?:experience|exp)\b\s*", " ", subject)
    subject = re.sub(r"(?i)\s*\b(?:preferred|required|is a plus|a plus|desirable)\b.*$", "", subject)
    return subject.strip(" ,.;") or "work"


# Words that say nothing about which skill is meant ("strong communication skills" → "communication").
_GENERIC_WORDS = frozenset(
    [
        "skill",
        "skills",
        "experience",
        "experienced",
        "ability",
        "able",
        "knowledge",
        "strong",
        "excellent",
        "good",
        "solid",
        "proven",
        "work",
        "working",
        "team",
        "teams",
        "use",
        "using",
        "new",
        "clear",
        "concise",
        "various",
        "multiple",
        "related",
        "relevant",
        "understanding",
        "familiarity",
        "basic",
        "advanced",
        "intermediate",
        "proficiency",
        "proficient",
        "hands",
        "on",
    ]
)


def _stem(word: str) -> str:
    """A crude suffix-stripping stem: 'dashboards' → 'dashboard', 'education'/'educate' → 'educat'."""
    for suffix in ("ations", "ation", "ions", "ion", "ing", "ers", "ies", "ed", "es", "er", "ly", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _norm_words(text) if w not in _STOP_SPAN_WORDS and w not in _GENERIC_WORDS}


def _stem_overlap(req: set[str], item: set[str]) -> float:
    """Share of the requirement's content words (stemmed) that the profile item also uses."""
    return len(req & item) / len(req) if req else 0.0


def _skill_parents(uris: Iterable[str], catalog: Any) -> set[str]:
    """ESCO skill-pillar parents of the skills (ISCED fields of education are too broad to mean related)."""
    out: set[str] = set()
    for u in uris:
        skill = catalog.skills.get(u)
        if skill is not None:
            out.update(b for b in skill.broader if "/esco/skill/" in b)
    return out


def _match_skill(
    r: Requirement, items: list[_Item], sims: np.ndarray, catalog: Any
) -> tuple[MatchLevel, list[str]]:
    met: list[str] = []
    partly: list[str] = []
    req_uris = {s.uri for s in r.skills[:2] if (s.score or 0) >= URI_SCORE}
    req_parents = _skill_parents(req_uris, catalog)
    req_words = [w for w in _norm_words(r.text) if w not in _STOP_SPAN_WORDS]
    req_stems = _stems(r.text)
    for j, item in enumerate(items):
        sim = float(sims[j]) if len(sims) else 0.0
        is_skill = item.label.startswith("skill:")
        lexical_full = bool(req_words) and (
            " ".join(_norm_words(item.text)) == " ".join(_norm_words(r.text))
            or (len(req_words) <= 3 and _contains_phrase(item.text, r.text))
            or (
                # a profile skill inside a longer requirement meets it when it is most of what is asked
                # ("SQL" in "Advanced SQL"), not when half is left ("descriptive statistics" in "descriptive
                # statistics and hypothesis testing")
                is_skill
                and _contains_phrase(r.text, item.text)
                and 3 * len(_stems(item.text) & req_stems) >= 2 * len(req_stems)
            )
        )
        lexical_part = is_skill and _contains_phrase(r.text, item.text) and not lexical_full
        shared = _stem_overlap(req_stems, _stems(item.text)) if req_stems else 0.0
        uri_hit = bool(req_uris & item.uris)
        if lexical_full or sim >= MET_SIMILARITY or uri_hit or (shared == 1.0 and len(req_stems) >= 2):
            met.append(item.label)
        elif (
            lexical_part
            or sim >= PARTLY_SIMILARITY
            or shared >= 0.5
            # a sibling skill under the same ESCO parent ("Java" for "Python"); profile skills only, since a
            # credential's many skills would make everything related
            or (is_skill and bool(req_parents & _skill_parents(item.uris, catalog)))
        ):
            partly.append(item.label)
    if met:
        return "met", met[:3]
    if partly:
        return "partly", partly[:3]
    return "missing", []


def _match_experience(
    r: Requirement,
    profile: Profile,
    exp_lines: list[list[str]],
    line_vecs: np.ndarray,
    subject_vec: np.ndarray,
    today: date,
) -> tuple[MatchLevel, list[str]]:
    need = r.years or 0.0
    subject = _experience_subject(r)
    generic = subject.lower() in ("work", "professional", "relevant", "")
    intervals: list[tuple[float, float]] = []
    relevant_labels: list[str] = []
    undated = False
    k = 0
    for e, lines in zip(profile.experience, exp_lines, strict=True):
        vecs = line_vecs[k : k + len(lines)]
        k += len(lines)
        if e.kind not in ("job", "internship", "apprenticeship"):
            continue  # volunteering and projects show skills, but employers count years of work
        relevant = generic or (len(vecs) and float((vecs @ subject_vec).max()) >= EXPERIENCE_RELEVANCE)
        relevant = relevant or any(
            _contains_phrase(" ".join(lines), w)
            for w in re.split(r",\s*|\s+or\s+|\s+and\s+", subject)
            if len(w) > 3
        )
        if not relevant:
            continue
        span = _years_of(e, today)
        where = f" at {e.organization}" if e.organization else ""
        if span is None:
            undated = True
            relevant_labels.append(f"{e.kind}: {e.title}{where} (dates not given)")
            continue
        intervals.append(span)
        relevant_labels.append(f"{e.kind}: {e.title}{where} ({span[1] - span[0]:.1f} years)")
    have = _merged_years(intervals)
    if not relevant_labels:
        return "missing", []
    if have + 1e-9 >= need:
        return "met", [*relevant_labels[:3], f"{have:.1f} years of relevant work in total"]
    note = f"{have:.1f} of {need:g} years" + (" (some dates missing)" if undated else "")
    return "partly", [*relevant_labels[:3], note]


def _match_certification(
    r: Requirement, held: list[tuple[Any, str | None]], catalog: Any
) -> tuple[MatchLevel, list[str]]:
    wanted: set[str] = set()
    for wanted_id in r.credentials:
        wanted |= _equivalent_ids(wanted_id, catalog)
    best: MatchLevel = "missing"
    evidence: list[str] = []
    for hc, cid in held:
        hit = False
        if cid and cid in wanted:
            hit = True
        elif not r.credentials:
            hit = _same_named_credential(r.text, hc.name)
        if hit:
            if hc.status == "earned":
                return "met", [f"credential: {hc.name} (earned{', ' + hc.date if hc.date else ''})"]
            best = "partly"
            evidence.append(f"credential: {hc.name} ({hc.status.replace('_', ' ')})")
        elif cid and r.credentials and hc.status == "earned":
            for rule in catalog.rules_for(cid):
                if (
                    rule.type == "renewal_by_higher_cert"
                    and rule.subject == cid
                    and wanted & set(rule.objects)
                ):
                    best = "partly"
                    evidence.append(f"credential: {hc.name} (earned; a higher certification that renews it)")
    return best, evidence


def _same_named_credential(req_text: str, held_name: str) -> bool:
    from rapidfuzz import fuzz

    def acronyms(t: str) -> set[str]:
        return set(re.findall(r"\(([A-Z][A-Za-z0-9+]{1,9})\)", t)) | set(
            re.findall(r"\b([A-Z]{2,6}\+?)\b", t)
        )

    generic = {"RN", "IT", "US", "USA"}
    if (acronyms(req_text) & acronyms(held_name)) - generic:
        return True
    strip = re.compile(
        r"\b(certifications?|certificates?|certified|licen[cs]es?|licensed|current|valid|active|"
        r"unrestricted|in the state of \w+|state|operator)\b",
        re.I,
    )
    a = " ".join(_norm_words(strip.sub(" ", re.sub(r"\(.*?\)", " ", req_text))))
    b = " ".join(_norm_words(strip.sub(" ", re.sub(r"\(.*?\)", " ", held_name))))
    return bool(a and b) and fuzz.token_set_ratio(a, b) >= 85


def _match_education(
    r: Requirement, profile: Profile, held: list[tuple[Any, str | None]]
) -> tuple[MatchLevel, list[str]]:
    need = _degree_level(r.text) or 1
    best, label, pending = 0, "", ""
    extra = profile.model_extra or {}
    education = extra.get("education") or []
    entries = [(hc.name, hc.status) for hc, _ in held]
    for e in education if isinstance(education, list) else [education]:
        name = e if isinstance(e, str) else " ".join(str(v) for v in (e or {}).values() if isinstance(v, str))
        entries.append((name, "earned"))
    for name, status in entries:
        level = _degree_level(name)
        if not level:
            continue
        if status == "earned" and level > best:
            best, label = level, name
        elif status != "earned" and level >= need:
            pending = name
    if best >= need:
        return "met", [f"education: {label}"]
    if pending:
        return "partly", [f"education: {pending} (not finished)"]
    if best:
        return "partly", [f"education: {label} (a lower level than asked)"]
    return "missing", []


def _match_language(r: Requirement, profile: Profile, items: list[_Item]) -> tuple[MatchLevel, list[str]]:
    asked = [lang for lang in LANGUAGES if re.search(r"\b" + re.escape(lang) + r"\b", r.text)]
    extra = profile.model_extra or {}
    declared = extra.get("languages") or []
    declared_text = (
        " ".join(d if isinstance(d, str) else json.dumps(d) for d in declared)
        if isinstance(declared, list)
        else str(declared)
    )
    found, evidence = [], []
    for lang in asked:
        hit = re.search(r"\b" + re.escape(lang) + r"\b", declared_text)
        if hit:
            found.append(lang)
            evidence.append(f"languages: {lang}")
            continue
        item = next((i for i in items if re.search(r"\b" + re.escape(lang) + r"\b", i.text)), None)
        if item:
            found.append(lang)
            evidence.append(item.label)
        elif lang == "English" and profile_is_english(profile):
            # The profile itself is written in English: that is evidence of working English, stated as such.
            found.append(lang)
            evidence.append("the profile is written in English")
    if asked and len(found) == len(asked):
        return "met", evidence
    if found:
        return "partly", evidence
    return "missing", []


def profile_is_english(profile: Profile) -> bool:
    """True when the profile's own words are English."""
    words = " ".join([*profile.skills, *(ev for e in profile.experience for ev in e.evidence)])
    return len(words.split()) >= 5 and looks_english(words)


def _req_key(r: Requirement) -> tuple[str, str]:
    return r.kind, " ".join(_norm_words(r.text))


def _score(analysis: PostingAnalysis) -> None:
    """Score 0-100: required requirements weigh 2, preferred 1; met counts fully, partly half. Each distinct
    requirement counts once, however often the posting repeats it."""
    unique: dict[tuple[str, str], Requirement] = {}
    for r in analysis.requirements:
        key = _req_key(r)
        prev = unique.get(key)
        if (
            prev is None
            or (r.required and not prev.required)
            or CREDIT[r.match or "missing"] > CREDIT[prev.match or "missing"]
        ):
            unique[key] = r
    weights = {True: 2.0, False: 1.0}
    total = sum(weights[r.required] for r in unique.values())
    got = sum(weights[r.required] * CREDIT[r.match or "missing"] for r in unique.values())
    analysis.score = round(100 * got / total, 1) if total else None
    analysis.gaps = [r for r in unique.values() if r.match in ("missing", "partly")]
    counts = {
        (req, m): sum(1 for r in unique.values() if r.required == req and r.match == m)
        for req in (True, False)
        for m in ("met", "partly", "missing")
    }
    from coach.texts import render

    analysis.score_explanation = render(
        "posting_score.md",
        score=analysis.score,
        total=len(unique),
        required=sum(1 for r in unique.values() if r.required),
        preferred=sum(1 for r in unique.values() if not r.required),
        met_required=counts[(True, "met")],
        partly_required=counts[(True, "partly")],
        missing_required=counts[(True, "missing")],
        met_preferred=counts[(False, "met")],
        partly_preferred=counts[(False, "partly")],
        missing_preferred=counts[(False, "missing")],
        met_similarity=MET_SIMILARITY,
        partly_similarity=PARTLY_SIMILARITY,
        top_missing=[r.text for r in analysis.gaps if r.required and r.match == "missing"][:3],
    )


# --------------------------------------------------------------------------------------------------------------
# Gaps → credentials
# --------------------------------------------------------------------------------------------------------------

MAX_GAP_CREDENTIALS = 5
GAP_URI_SCORE = 0.6
# Soft skills are left out: a course title that mentions "communication" does not make a communicator.
_COVERABLE = ("certification", "skill", "knowledge", "tool")
_URI_INDEX_CACHE: dict[int, dict[str, list[str]]] = {}


def _uri_index(catalog: Any) -> dict[str, list[str]]:
    key = id(catalog)
    if key not in _URI_INDEX_CACHE:
        index: dict[str, list[str]] = {}
        for cred in catalog.credentials.values():
            if not cred.is_microcredential or cred.type in ("degree", "program"):
                continue
            for u in cred.skills:
                index.setdefault(u, []).append(cred.id)
        _URI_INDEX_CACHE.clear()
        _URI_INDEX_CACHE[key] = index
    return _URI_INDEX_CACHE[key]


def gap_credentials(
    gaps: Sequence[Requirement], catalog: Any, held: Sequence[tuple[Any, str | None]] = ()
) -> list[CredentialSuggestion]:
    """Catalogue credentials that close the most gaps, greedily: credentials a gap names first, then the
    widest cover of the gaps' ESCO skills (required gaps weigh 2, each weighted by how strongly the gap links
    to the skill), then the lower cost and hours. Years of experience, degrees and languages are not closed by
    a credential and are left out."""
    earned = {cid for hc, cid in held if cid and hc.status == "earned"}
    coverable = [g for g in gaps if g.kind in _COVERABLE]
    if not coverable:
        return []
    index = _uri_index(catalog)
    covers: dict[str, dict[int, float]] = {}  # credential id → gap index → link strength
    named: dict[str, set[int]] = {}
    for gi, g in enumerate(coverable):
        for cid in g.credentials:
            cred = catalog.credentials.get(cid)
            if cred is not None and cid not in earned:
                covers.setdefault(cid, {})[gi] = 1.0
                named.setdefault(cid, set()).add(gi)
        if g.kind == "certification":
            continue  # only the named credential (or its successor) closes "CompTIA Security+ required"
        for ref in g.skills[:3]:
            score = ref.score or 0.0
            if score >= GAP_URI_SCORE:
                for cid in index.get(ref.uri, ()):
                    if cid not in earned:
                        row = covers.setdefault(cid, {})
                        row[gi] = max(row.get(gi, 0.0), score)
    for cid in named:
        for eq in _equivalent_ids(cid, catalog) - {cid}:
            if eq in earned:  # holding the predecessor/successor already closes it
                covers.pop(cid, None)
    weight = [2.0 if g.required else 1.0 for g in coverable]
    inf = float("inf")
    static = {
        cid: (
            catalog.credentials[cid].cost if catalog.credentials[cid].cost is not None else inf,
            catalog.credentials[cid].hours if catalog.credentials[cid].hours is not None else inf,
        )
        for cid in covers
    }

    def rank(cid: str, done: set[int]) -> tuple[float, float, float, float, str]:
        row = covers[cid]
        gain = sum(weight[i] * strength for i, strength in row.items() if i not in done)
        return (
            -sum(weight[i] for i in named.get(cid, set()) - done),
            -round(gain, 1),  # near-equal covers are decided by cost and hours
            *static[cid],
            cid,
        )

    chosen: list[CredentialSuggestion] = []
    done: set[int] = set()
    while len(chosen) < MAX_GAP_CREDENTIALS and covers:
        best_id = min(covers, key=lambda cid: rank(cid, done))
        gain = set(covers[best_id]) - done
        if not gain:
            break
        c = catalog.credentials[best_id]
        chosen.append(
            CredentialSuggestion(
                id=c.id,
                name=c.name,
                provider=c.provider,
                cost=c.cost,
                hours=c.hours,
                covers=[coverable[i].text for i in sorted(covers[best_id])],
                url=c.url,
            )
        )
        done |= gain
        del covers[best_id]
    return chosen


# --------------------------------------------------------------------------------------------------------------
# A short readable summary (the CLI without --json)
# --------------------------------------------------------------------------------------------------------------


def summary_lines(analysis: PostingAnalysis) -> list[str]:
    """A few lines a person can read: title, role, requirements by kind, and the match when there is one."""
    out = [f"Title: {analysis.title or '(not found)'}"]
    if analysis.occupation:
        occ = analysis.occupation
        out.append(f"Occupation: {occ.label} ({occ.onet_soc or occ.uri}, score {occ.score:.2f})")
    if analysis.seniority:
        out.append(f"Seniority: {analysis.seniority}")
    if analysis.salary:
        out.append(f"Salary: {analysis.salary}")
    out.extend(f"Note: {n}" for n in analysis.notices)
    if analysis.requirements:
        out.append(f"Requirements ({len(analysis.requirements)}):")
    for r in analysis.requirements:
        tag = "required" if r.required else "preferred"
        extra = f", {r.years:g}+ years" if r.years is not None else ""
        mark = f"[{r.match}] " if r.match else ""
        skills = ", ".join(s.label for s in r.skills[:2])
        line = f"  {mark}{r.text} ({r.kind}, {tag}{extra})"
        if r.credentials:
            line += f" → {', '.join(r.credentials)}"
        elif skills:
            line += f" → {skills}"
        out.append(line)
        if r.evidence:
            out.append(f"      evidence: {'; '.join(r.evidence)}")
    if analysis.score is not None:
        out.append(f"Match score: {analysis.score:g}/100")
        if analysis.score_explanation:
            out.append(analysis.score_explanation)
    if analysis.gap_credentials:
        out.append("Credentials that close gaps:")
        for c in analysis.gap_credentials:
            cost = f"{c.cost:,.0f}" if c.cost is not None else "cost not stated"
            hours = f"{c.hours:,.0f} h" if c.hours is not None else "hours not stated"
            out.append(f"  {c.name} ({c.provider}; {cost}; {hours}) covers: {'; '.join(c.covers)}")
    return out
