"""Extraction: requirement spans of a posting from the tagger and the rules, merged (no linking, no profile)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from coach.postings.certifications import _cert_index, _cert_spans, _CertIndex
from coach.postings.header import find_title
from coach.postings.language import looks_english
from coach.postings.rules import _degree_spans, _language_spans, _soft_kind, _years_spans
from coach.postings.sections import heading_section, split_sections
from coach.postings.spans import _STOP_SPAN_WORDS, _Span, _trim
from coach.postings.tagger import SpanTagger, marked_runs
from coach.postings.text import NOTHING_FOUND, split_sentences, tokenize
from coach.postings.untrusted import blank_out, untrusted_lines

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


@dataclass
class Extraction:
    """What `extract_requirements` found, before taxonomy links."""

    title: str
    sections: list[tuple[str, int, int]]
    spans: list[_Span]
    notices: list[str]
    untrusted: list[str] = field(default_factory=list)  # lines that speak to the assistant, left out


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
    return Extraction(title=title, sections=blocks, spans=spans, notices=notices, untrusted=untrusted)


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
