"""Credential names as people write them → catalogue credentials (the `Catalog.names` lookup).

`CredentialIndex` knows every catalogue credential by the names people use: the full name, its aliases and exam
codes, the name without the provider or without "Professional Certificate", the provider with a short alias
("ISC2 CC"), and the three-letter forms of the "+" certifications ("Sec+", "Net+"). Names that are ordinary
words ("Supply Chain Management", "Health Informatics": course titles) count only when the text says it is a
course or certificate ("the Health Informatics specialization", "... on Coursera"), so a field of work is never
read as a course; names that are also job titles ("Project Manager") never count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from coach.models import Credential

if TYPE_CHECKING:
    from coach.knowledge.catalog import Catalog

Status = Literal["earned", "in_progress", "planned", "mentioned"]

_KIND_WORDS = r"(?:professional\s+)?(?:certificate|certification|certified|cert|specialization|specialisation|credential|exam|badge|course|program|programme)s?"
_ABBREV = {"admin": "administrator", "mgmt": "management", "&": "and", "ecommerce": "e commerce"}
# A name counts in running text when one of these follows it ("the Supply Chain Management specialization").
_CUE_AFTER_RE = re.compile(
    rf"^\W{{0,3}}(?:{_KIND_WORDS}\b|(?:on|from|via|through)\s+(?:coursera|edx|udemy|linkedin)\b)", re.I
)


def cred_key(text: str) -> str:
    """The matching key of a credential name: lower case, '&' as 'and', hyphens and punctuation as spaces."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^\w+#]+", " ", text)
    words = [_ABBREV.get(w, w) for w in text.split()]
    return " ".join(" ".join(words).split())


def _names(cred: Credential) -> list[str]:
    """Every name a credential is known by, before normalising."""
    base = [cred.name, *cred.aliases, *(c.strip() for c in (cred.exam_code or "").split(";") if c.strip())]
    out: list[str] = []
    provider_words = [w for w in re.split(r"[\s(),]+", cred.provider) if w]
    first = provider_words[0] if provider_words else ""
    initials = "".join(w[0] for w in provider_words if w[0].isupper()) if len(provider_words) > 1 else ""
    leads = [p for p in (first, initials) if p]
    for name in base:
        name = re.sub(r"\[[^]]*\]", " ", name).strip()
        inner = re.findall(r"\(([^)]*)\)", name)
        plain = re.sub(r"\([^)]*\)", " ", name).strip()
        forms = [name, plain, *inner]
        for form in list(forms):
            f = re.sub(rf"\s+{_KIND_WORDS}\s*$", "", form, flags=re.I).strip()
            f = re.sub(r"^(?:[\w-]+\s+)?certified\s*:?\s+", "", f, flags=re.I) if ":" in f else f
            bare = " ".join(re.sub(r"\b(?:certified|academy|platform)\b", " ", f, flags=re.I).split())
            forms += [f, bare]
            for (
                lead
            ) in leads:  # without the provider: "AWS Certified Cloud Practitioner" → "Cloud Practitioner"
                for g in (f, bare):
                    if g.lower().startswith(lead.lower() + " "):
                        forms.append(g[len(lead) + 1 :])
        for acronym in inner:
            # "ISC2 CC": the provider with a short certification acronym (not for courses: a Spanish course
            # "Diseño de Experiencia del Usuario (UX) de Google" is not "Google UX").
            if first and len(acronym) <= 4 and cred.type == "certification":
                forms.append(f"{first} {acronym}")
            # "Cisco Certified Support Technician (CCST) Networking" → "CCST Networking".
            after = re.search(rf"\({re.escape(acronym)}\)\s+([^()]+)$", name)
            if after and re.fullmatch(r"[A-Z0-9+]{2,6}", acronym):
                forms.append(f"{acronym} {after.group(1).strip()}")
        # Only for a vendor's own name for it ("Microsoft Certified: Azure Administrator Associate"): without the
        # vendor, "Certified Supply Chain Professional" would become the field "supply chain".
        if cred.type == "certification" and first and first.lower() in cred.name.lower():
            for form in list(forms):
                # "Azure Administrator Associate" → "Azure Administrator": people drop the level word (a name two
                # credentials then share, "AWS Solutions Architect", is dropped as ambiguous by the index).
                short = re.sub(
                    r"\s*-?\s*\b(?:associate|professional|expert|specialty)\s*$", "", form, flags=re.I
                )
                if short != form and len(short.split()) >= 2:
                    forms.append(short)
        if cred.type == "certification":
            # "ITIL 4 Foundation" → "ITIL": a leading acronym (the index drops it when two credentials share it).
            lead_acronym = re.match(r"([A-Z]{3,6})\b", cred.name)
            if lead_acronym and lead_acronym.group(1).lower() != first.lower():
                forms.append(lead_acronym.group(1))
        for form in forms:
            out.append(form)
            for tok in re.findall(r"\b([A-Za-z]{5,})\+", form):  # Security+ → Sec+
                out.append(form.replace(tok + "+", tok[:3] + "+"))
    return out


def _distinctive(key: str, cred: Credential, original: str) -> bool:
    """True when a name can only mean the credential (a code, a "+", an acronym, a provider, a vendor exam)."""
    if re.search(r"\d|\+|#", key):
        return True
    if re.search(r"\b[A-Z]{3,}\b", original):
        return True
    provider = cred_key(cred.provider).split()
    if provider and provider[0] in key.split():
        return True
    # Vendor certifications have distinctive multi-word names; course titles are often ordinary phrases.
    return cred.type == "certification" and len(key.split()) >= 2


@dataclass(frozen=True)
class Mention:
    """A credential named in the text, where, and what the learner says about it."""

    credential_id: str
    name: str
    start: int
    end: int
    status: Status = "mentioned"


class CredentialIndex:
    """Names → credentials over the catalogue (see the module docstring)."""

    def __init__(self, catalog: Catalog, credential_rank: Callable[[Credential], tuple]) -> None:
        self.credential_rank = credential_rank
        self.catalog = catalog

    @cached_property
    def keys(self) -> dict[str, tuple[str, bool]]:
        """Name key → (credential id, distinctive); better-sourced credentials win a shared name."""
        index: dict[str, tuple[str, bool]] = {}
        ambiguous: set[str] = set()
        # A name that is also a job title ("Project Manager") names the job in conversation, not the credential.
        jobs = {cred_key(t) for o in self.catalog.occupations.values() for t in (o.title, *o.alt_titles)}
        for cred in sorted(self.catalog.credentials.values(), key=self.credential_rank):
            if not cred.is_microcredential and cred.type == "degree":
                continue
            for name in _names(cred):
                key = cred_key(name)
                if len(key) < 2 or key in ("exam", "certificate"):
                    continue
                # A bare number ("500" of "OSHA 500") is an amount, a year or a count in conversation: "$500".
                if key.replace(" ", "").isdigit():
                    continue
                # "level 2", "core 1": a number after an ordinary word names a part of something, not a credential.
                if re.fullmatch(
                    r"(?:level|core|part|tier|step|module|stage|grade|year|unit|course|section)\s+\d+", key
                ):
                    continue
                if key in jobs and not re.search(r"\+|\d", key):
                    continue
                distinct = _distinctive(key, cred, name)
                # Two-letter names ("CC") only with their provider ("ISC2 CC"); plain one-word course names never.
                if len(key) <= 2 and not re.search(r"\+|\d", key):
                    continue
                if " " not in key and not distinct:
                    continue
                # Two curated credentials answer to it ("CCST", "AWS Solutions Architect"): it names neither.
                if (
                    key in index
                    and index[key][0] != cred.id
                    and self.credential_rank(cred)[0] == 0
                    and self.credential_rank(self.catalog.credentials[index[key][0]])[0] == 0
                ):
                    ambiguous.add(key)
                if key not in index or (distinct and not index[key][1] and index[key][0] == cred.id):
                    index[key] = (cred.id, distinct)
        for key in ambiguous:
            index.pop(key, None)
        return index

    @cached_property
    def longest(self) -> int:
        """The most words in any name (bounds the scan)."""
        return max((len(k.split()) for k in self.keys), default=1)

    def find(self, text: str) -> list[Mention]:
        """Every credential named in the text, longest names first, without overlaps."""
        tokens = [
            (m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w+#]+(?:[-.][\w+#]+)*\+?|&", text)
        ]
        keyed: list[tuple[str, int, int]] = []
        for tok, s, e in tokens:
            for part in cred_key(tok).split():
                keyed.append((part, s, e))
        used: set[int] = set()
        found: list[Mention] = []
        for size in range(min(self.longest, 9), 0, -1):
            for i in range(len(keyed) - size + 1):
                if any(j in used for j in range(i, i + size)):
                    continue
                key = " ".join(k for k, _, _ in keyed[i : i + size])
                hit = self.keys.get(key)
                if hit is None:
                    continue
                cid, distinct = hit
                start, end = keyed[i][1], keyed[i + size - 1][2]
                raw = text[start:end]
                if not distinct and not _CUE_AFTER_RE.match(text[end:]):
                    continue
                # Upper-case acronyms ("CEH", "CSM") only when written in capitals.
                # Lower-case acronyms are fine when they cannot be an English word ("ccna", "pmp"); "ace" is a word.
                if (
                    size == 1
                    and re.fullmatch(r"[a-z]{3,5}", raw)
                    and len(raw) < 4
                    and re.search(r"[aeiouy]", raw)
                ):
                    continue
                # "I'm a CSM at a startup" names a job, not the Certified ScrumMaster.
                if re.search(
                    r"\b(?:i'?m|i am|as|work as|working as)\s+an?\s*$", text[max(0, start - 16) : start], re.I
                ):
                    continue
                used.update(range(i, i + size))
                found.append(Mention(cid, self.catalog.credentials[cid].name, start, end))
        return sorted(found, key=lambda m: m.start)
