"""Certifications in a posting: catalogue names, acronyms and exam codes, and named ones the catalogue lacks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from coach.knowledge.catalog import derived
from coach.postings.spans import _STOP_SPAN_WORDS, _clause_bounds, _Span, _trim
from coach.postings.text import tokenize

_CERT_CUE_RE = re.compile(
    r"\b(certifications?|certificates?|certified|licen[cs]es?|licensed|credentials?|accreditation|"
    r"belt)\b",
    re.IGNORECASE,
)


# Course specialisations are left out: their names ("Big Data", "Deep Learning") are ordinary skill phrases.
_CERT_TYPES = ("certification", "professional_certificate", "designation", "badge")


@dataclass
class _CertIndex:
    """Lower-cased phrase → credential ids, and case-sensitive acronyms/exam codes → ids."""

    phrases: dict[str, list[str]]
    acronyms: dict[str, list[str]]
    max_len: int


def _cert_keys(cred: Any) -> tuple[set[str], set[str]]:
    """The lower-cased phrases and the case-sensitive acronyms/exam codes a posting may name `cred` by."""
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


def _cert_index(catalog: Any) -> _CertIndex:
    """The index of the catalogue's certifications (built once per catalogue, kept on the catalogue)."""
    return derived(catalog, "posting-cert-index", _build_cert_index)


def _build_cert_index(catalog: Any) -> _CertIndex:
    phrases: dict[str, list[str]] = {}
    acronyms: dict[str, list[str]] = {}
    # Curated entries (ids without a catalogue prefix) come before roadmap/course rows for the same key.
    creds = sorted(
        catalog.credentials.values(),
        key=lambda c: (c.id.split("-", 1)[0] in ("roadmap", "coursera", "edx", "udemy"), c.id),
    )
    for cred in creds:
        if cred.type not in _CERT_TYPES or not cred.is_microcredential:
            continue
        ph, ac = _cert_keys(cred)
        for p in ph:
            phrases.setdefault(p, []).append(cred.id)
        for a in ac:
            acronyms.setdefault(a, []).append(cred.id)
    index = _CertIndex(
        phrases=phrases,
        acronyms=acronyms,
        max_len=max((len(p.split()) for p in phrases), default=1),
    )
    return index


def _cert_spans(
    text: str, sent: tuple[int, int], section: str, tokens: list[tuple[str, int, int]], index: _CertIndex
) -> list[_Span]:
    """Certification requirements of one sentence: catalogue names and codes, then other named ones."""
    out: list[_Span] = []
    low = [t.lower() for t, _, _ in tokens]
    n = len(tokens)
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
