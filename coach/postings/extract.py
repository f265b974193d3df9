"""Extraction: requirement spans of a posting from the tagger and the rules, merged (no linking, no profile)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coach.postings.certifications import _cert_index, _cert_spans, _CertIndex
from coach.postings.header import find_title
from coach.postings.language import looks_english
from coach.postings.rules import _degree_spans, _language_spans, _soft_kind, _years_spans
from coach.postings.sections import heading_section, split_sections
from coach.postings.spans import _STOP_SPAN_WORDS, _Span, _trim
from coach.postings.tagger import Gazetteer, SpanTagger, marked_runs
from coach.postings.text import NOTHING_FOUND, split_sentences, tokenize
from coach.postings.untrusted import blank_out, untrusted_lines

# Product-like names: "PowerShell", "TCP/IP", "C#", "node.js", "SAP EWM", "ISO 27001", "Tableau" (mid-sentence).
_TOOL_SHAPE_RE = re.compile(r"[A-Z].*[A-Z]|[+#]|\d|^[A-Z][a-z]+[A-Z]|\.[a-z]{2,}$")


# Words that say how well, not what ("basic SQL", "strong Excel"): a span of nothing else is no requirement.
_QUALIFIERS = frozenset(
    [
        "basic",
        "advanced",
        "strong",
        "solid",
        "good",
        "excellent",
        "working",
        "proven",
        "deep",
        "hands-on",
        "practical",
        "general",
        "fundamental",
        "demonstrated",
        "proficient",
        "expert",
        "intermediate",
        "familiarity",
        "some",
        "sound",
        "thorough",
    ]
)


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
    pred: dict[str, list[tuple[int, int]]],
    tagger: SpanTagger,
) -> list[_Span]:
    words = [t for t, _, _ in tokens]
    gaz = tagger.gazetteer
    tech = gaz.phrases.get("t", set()) if gaz else set()
    out: list[_Span] = []
    for kind, spans in pred.items():
        for i, j in spans:
            s, e = _trim(text, tokens[i][1], tokens[j - 1][2])
            if e <= s or all(w.lower() in _STOP_SPAN_WORDS | _QUALIFIERS for w in text[s:e].split()):
                continue  # "basic" left of "SQL": how well, not what
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
        for i, j in marked_runs(_tool_names(gaz).tag([t.lower() for t in words]).get("t", [])):
            s, e = tokens[i][1], tokens[j - 1][2]
            phrase = text[s:e]
            distinctive = _TOOL_SHAPE_RE.search(phrase) or (phrase[:1].isupper() and (i > 0 or short_item))
            if distinctive and not any(sp.start < e and s < sp.end for sp in out):
                out.append(_Span(s, e, "tool", sent, section, source="gazetteer"))
    return out


# Product names a posting writes without the vendor: "Microsoft Excel" is "Excel", "Microsoft Power BI" is
# "Power BI" (unless the rest is a plain word: "Word", "Access", "Project").
_VENDOR = "microsoft "
_PLAIN_PRODUCT_WORDS = {
    "word",
    "access",
    "project",
    "works",
    "paint",
    "publisher",
    "teams",
    "office",
    "forms",
}


def _tool_aliases(names: set[str]) -> set[str]:
    """O*NET technology names with the short forms postings use: the product without "Microsoft", and an
    acronym its own words spell ("Structure query language SQL" → "sql")."""
    out = set(names)
    for name in names:
        words = name.split()
        if name.startswith(_VENDOR) and name[len(_VENDOR) :] not in _PLAIN_PRODUCT_WORDS:
            out.add(name[len(_VENDOR) :])
        last = words[-1] if len(words) > 2 else ""
        if last.isalpha() and "".join(w[0] for w in words[-1 - len(last) : -1]) == last:
            out.add(last)
    return out


_TOOL_NAMES: dict[int, tuple[Gazetteer, Gazetteer]] = {}  # id of a tagger's gazetteer → (it, its tool names)


def _tool_names(gaz: Gazetteer) -> Gazetteer:
    """A gazetteer of technology names and their short forms (built once per tagger gazetteer)."""
    found = _TOOL_NAMES.get(id(gaz))
    if found is None or found[0] is not gaz:  # an id reused by a newer gazetteer is rebuilt
        names = Gazetteer(phrases={"t": _tool_aliases(gaz.phrases.get("t", set()))}, max_len=gaz.max_len)
        found = _TOOL_NAMES[id(gaz)] = (gaz, names)
    return found[1]


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


@dataclass
class Extraction:
    """What `extract_requirements` found, before taxonomy links."""

    title: str
    sections: list[tuple[str, int, int]]
    spans: list[_Span]
    notices: list[str]
    untrusted: list[str] = field(default_factory=list)  # lines that speak to the assistant, left out
    # The span encoder's vector of each sentence read (by its offsets), the context its requirements are
    # linked in; empty without the encoder.
    sentence_vectors: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)


def extract_requirements(original: str, catalog: Any, tagger: SpanTagger) -> Extraction:
    """Sections and requirement spans of a posting (no linking, no profile). Lines that speak to an AI
    assistant, and the learner's request line above the posting, are read as blank (offsets unchanged): they
    never become a title, a section or a requirement."""
    flagged, requests = untrusted_lines(original)
    text = blank_out(original, flagged + requests)
    blocks = split_sections(text)
    title = find_title(text, blocks)
    notices: list[str] = []
    untrusted = [ln.text.strip().lstrip("-*•·– ").strip() for ln in flagged]
    if untrusted:
        quoted = "; ".join(f"“{t[:80]}{'…' if len(t) > 80 else ''}”" for t in untrusted[:3])
        notices.append(
            f"Left out {len(untrusted)} line{'s' if len(untrusted) != 1 else ''} that speak to an AI assistant "
            f"instead of describing the job (read as data, not followed): {quoted}"
        )
    if not looks_english(text):
        notices.append(
            f"{NOTHING_FOUND}: the posting does not look like English, which is all this analysis reads"
        )
        return Extraction(title=title, sections=blocks, spans=[], notices=notices, untrusted=untrusted)
    has_asks = any(name in ("requirements", "responsibilities", "nice_to_have") for name, _, _ in blocks)
    cert_index = _cert_index(catalog) if catalog is not None else None
    spans: list[_Span] = []
    title_end = text.find(title) + len(title) if title else 0
    units = _units(text)
    asked: list[tuple[tuple[int, int], str]] = []
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
            asked.append(((s, e), kind_of_block))
    # The tagger reads every sentence at once: one batched pass of its encoder instead of one per sentence.
    tokens = [tokenize(text, s, e) for (s, e), _ in asked]
    tagged, vectors = tagger.read([[t for t, _, _ in toks] for toks in tokens])
    for (sent, section), toks, pred in zip(asked, tokens, tagged, strict=True):
        spans.extend(_sentence_spans(text, sent, section, toks, pred, tagger, cert_index))
    by_sentence = {} if vectors is None else {sent: vectors[n] for n, (sent, _) in enumerate(asked)}
    return Extraction(
        title=title,
        sections=blocks,
        spans=spans,
        notices=notices,
        untrusted=untrusted,
        sentence_vectors=by_sentence,
    )


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
    text: str,
    sent: tuple[int, int],
    section: str,
    tokens: list[tuple[str, int, int]],
    pred: dict[str, list[tuple[int, int]]],
    tagger: SpanTagger,
    cert_index: _CertIndex | None,
) -> list[_Span]:
    """Requirement spans of one sentence (its tokens and the tagger's spans in them): rules first, then the
    tagger's spans where the rules left room."""
    s, e = sent
    rules = _years_spans(text, sent, section) + _degree_spans(text, sent, section)
    if cert_index is not None:
        rules += [c for c in _cert_spans(text, sent, section, tokens, cert_index) if not _overlaps(c, rules)]
    rules += [lg for lg in _language_spans(text, sent, section) if not _overlaps(lg, rules)]
    tech = tagger.gazetteer.phrases.get("t", set()) if tagger.gazetteer else set()
    rules += [t for t in _list_spans(text, sent, section, tech) if not _overlaps(t, rules)]
    found = _merge_spans(text, rules, _tagger_spans(text, sent, section, tokens, pred, tagger))
    if not found and section in ("requirements", "nice_to_have") and 1 <= len(tokens) <= 6:
        # A short bullet under "Requirements" is itself a requirement ("- Snowflake", "- Git basics").
        s0, e0 = _trim(text, s, e)
        phrase = text[s0:e0]
        if e0 > s0 and not all(w.lower() in _STOP_SPAN_WORDS for w in phrase.split()):
            kind = (
                "tool" if _looks_like_tool(phrase, tech) else "soft_skill" if _soft_kind(phrase) else "skill"
            )
            found = [_Span(s0, e0, kind, sent, section, source="bullet")]
    return found


def _overlaps(sp: _Span, others: Iterable[_Span]) -> bool:
    return any(o.start < sp.end and sp.start < o.end for o in others)


# A run of named tools in one sentence: "SQL, Excel, Tableau or Power BI", "TCP/IP, DNS, HTTP and common network
# protocols". Items are separated by commas and a final "or"/"and"; the run starts after the last word that
# introduces it ("experience with", "such as") and ends at a preposition or the clause's end.
_LIST_SEP_RE = re.compile(r"\s*,\s*(?:(?:and|or|and/or|&)\s+)?|\s+(?:or|and|and/or|&)\s+", re.I)
_LIST_STOP_RE = re.compile(
    r"\b(?:for|to|in|on|at|from|within|into|across|including|such as|like|via|using|with|of|is|are|a|an|the|"
    r"our|your|their|experience|knowledge|skills?)\b",
    re.I,
)
_MAX_ITEM_WORDS = 3


def _list_spans(text: str, sent: tuple[int, int], section: str, tech: set[str]) -> list[_Span]:
    """One span per named tool in a list of three or more, most of them tool names (each becomes its own
    requirement, so "Excel" and "Power BI" are not lost inside "SQL, Excel, Tableau or Power BI")."""
    s, e = sent
    out: list[_Span] = []
    for clause in re.finditer(r"[^;:()\n]+", text[s:e]):
        c0 = s + clause.start()
        body = clause.group(0)
        seps = list(_LIST_SEP_RE.finditer(body))
        if len(seps) < 2:
            continue
        bounds = [0, *[x for m in seps for x in (m.start(), m.end())], len(body)]
        items = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
        # The first item keeps only its trailing words after the last introducing word; the last its leading
        # words before the first preposition.
        a0, a1 = items[0]
        stops = list(_LIST_STOP_RE.finditer(body, a0, a1))
        if stops:
            items[0] = (stops[-1].end(), a1)
        z0, z1 = items[-1]
        stop = _LIST_STOP_RE.search(body, z0, z1)
        if stop and stop.start() > z0:
            items[-1] = (z0, stop.start())
        spans = []
        for i0, i1 in items:
            phrase = body[i0:i1].strip(" .,-–")
            if not phrase:
                continue
            start = c0 + i0 + body[i0:i1].find(phrase)
            spans.append((start, start + len(phrase), phrase, _looks_like_tool(phrase, tech)))
        named = sum(1 for *_, tool in spans if tool)
        if len(spans) < 3 or named * 3 < len(spans) * 2:
            continue
        if any(len(p.split()) > _MAX_ITEM_WORDS for _, _, p, _ in spans):
            continue
        for a, b, phrase, tool in spans:
            # in a list of tool names, a capitalised item is one too ("Excel")
            kind = "tool" if tool or phrase[:1].isupper() else "knowledge"
            out.append(_Span(a, b, kind, sent, section, source="list"))
    return out
