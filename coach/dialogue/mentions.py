"""Credentials named in what a learner writes, and whether they hold them, are studying for them, or not.

`CredentialIndex` knows every catalogue credential by the names people use: the full name, its aliases and exam
codes, the name without the provider or without "Professional Certificate", the provider with a short alias
("ISC2 CC"), and the three-letter forms of the "+" certifications ("Sec+", "Net+"). Names that are ordinary
words ("Supply Chain Management", "Health Informatics": course titles) count only when the text says it is a
course or certificate ("the Health Informatics specialization", "... on Coursera"), so a field of work is never
read as a course.

`read_credentials` then decides, from the words around each mention, whether the learner holds it ("I passed",
"have", "done"), is working on it ("studying for", "halfway through", "exam booked", "retaking"), or only wants,
compares or asks about it ("thinking about", "should I get", "or", "required").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from coach.knowledge.catalog import Catalog, _credential_rank
from coach.models import Credential

Status = Literal["earned", "in_progress", "mentioned"]

_KIND_WORDS = r"(?:professional\s+)?(?:certificate|certification|certified|cert|specialization|specialisation|credential|exam|badge|course|program|programme)s?"  # noqa: E501
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
            for lead in leads:  # without the provider: "AWS Certified Cloud Practitioner" → "Cloud Practitioner"
                for g in (f, bare):
                    if g.lower().startswith(lead.lower() + " "):
                        forms.append(g[len(lead) + 1 :])
        for acronym in inner:
            if first and len(acronym) <= 4:
                forms.append(f"{first} {acronym}")
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

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @cached_property
    def keys(self) -> dict[str, tuple[str, bool]]:
        """Name key → (credential id, distinctive); better-sourced credentials win a shared name."""
        index: dict[str, tuple[str, bool]] = {}
        # A name that is also a job title ("Project Manager") names the job in conversation, not the credential.
        jobs = {cred_key(t) for o in self.catalog.occupations.values() for t in (o.title, *o.alt_titles)}
        for cred in sorted(self.catalog.credentials.values(), key=_credential_rank):
            if not cred.is_microcredential and cred.type == "degree":
                continue
            for name in _names(cred):
                key = cred_key(name)
                if len(key) < 2 or key in ("exam", "certificate"):
                    continue
                # "level 2", "core 1": a number after an ordinary word names a part of something, not a credential.
                if re.fullmatch(r"(?:level|core|part|tier|step|module|stage|grade|year|unit|course|section)\s+\d+", key):
                    continue
                if key in jobs and not re.search(r"\+|\d", key):
                    continue
                distinct = _distinctive(key, cred, name)
                # Two-letter names ("CC") only with their provider ("ISC2 CC"); plain one-word course names never.
                if len(key) <= 2 and not re.search(r"\+|\d", key):
                    continue
                if " " not in key and not distinct:
                    continue
                if key not in index or (distinct and not index[key][1] and index[key][0] == cred.id):
                    index[key] = (cred.id, distinct)
        return index

    @cached_property
    def longest(self) -> int:
        """The most words in any name (bounds the scan)."""
        return max((len(k.split()) for k in self.keys), default=1)

    def find(self, text: str) -> list[Mention]:
        """Every credential named in the text, longest names first, without overlaps."""
        tokens = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w+#]+(?:[-.][\w+#]+)*\+?|&", text)]
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
                if size == 1 and re.fullmatch(r"[a-z]{3,5}", raw) and not re.search(r"\d|\+", raw):
                    continue
                # "I'm a CSM at a startup" names a job, not the Certified ScrumMaster.
                if re.search(r"\b(?:i'?m|i am|as|work as|working as)\s+an?\s*$", text[max(0, start - 16) : start], re.I):
                    continue
                used.update(range(i, i + size))
                found.append(Mention(cid, self.catalog.credentials[cid].name, start, end))
        return sorted(found, key=lambda m: m.start)


# ---- what the learner says about each mention -------------------------------------------------------------

_EARNED = r"have|has|had|got|gotten|hold|holding|holds|passed|finished|completed|earned|achieved|obtained|did|done|already|with my|my"  # noqa: E501
_IN_PROGRESS = r"studying|study(?:ing)? for|working on|working towards?|doing|prepping|preparing|prep(?:ping)? for|halfway|half way|half of|in the middle of|enrolled|taking|retake|retaking|failed|booked|sitting"  # noqa: E501
_WANTED = r"want|wants|wanted|wanna|thinking|think|considering|consider|planning|plan to|should i|should|need|needs|needed|required|requires|require|preferred|recommend|worth|or|vs|versus|compared|than|would|could|if i|get|getting|go for|interested|aiming|looking at|next|instead|between|about the|is the|does the|do the|how"  # noqa: E501
_CUE_RE = re.compile(
    rf"\b(?:(?P<neg>don'?t have|do not have|haven'?t|never|not yet)|(?P<prog>{_IN_PROGRESS})|(?P<earned>{_EARNED})|(?P<want>{_WANTED}))\b",
    re.I,
)
_AFTER_RE = re.compile(
    r"^[^.!?;]{0,24}?\b(?:(?P<prog>in progress|prep|booked|now|right now|rn|currently)|(?P<earned>done|finished|completed|passed|already|earned|✅)|(?P<want>required|preferred|next|worth it))\b|^\s*(?P<earned2>✅)",  # noqa: E501
    re.I,
)
_FAKE_RE = re.compile(
    r"\b(?:put (?:down |in )?that i (?:have|hold)|say (?:that )?i (?:have|hold)|pretend|fake|nobody checks|"
    r"no one checks|make it look like|write that i|add (?:that )?i have)\b",
    re.I,
)
_PRONOUN_RE = re.compile(
    rf"\b(?:(?P<prog>{_IN_PROGRESS})|(?P<earned>passed|finished|completed|earned|done with|got))\s+(?:through\s+)?(?:it|that one|that)\b",
    re.I,
)


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    starts = [m.end() for m in re.finditer(r"[.!?;\n]+\s*", text[:pos])]
    start = starts[-1] if starts else 0
    m = re.search(r"[.!?;\n]", text[pos:])
    return start, pos + m.start() if m else len(text)


def _status_from(groups: dict[str, str | None]) -> Status | None:
    if groups.get("neg"):
        return "mentioned"
    if groups.get("prog"):
        return "in_progress"
    if groups.get("earned") or groups.get("earned2"):
        return "earned"
    if groups.get("want"):
        return "mentioned"
    return None


def read_credentials(text: str, mentions: list[Mention]) -> list[Mention]:
    """The mentions with the status the words around each give them (see the module docstring)."""
    out: list[Mention] = []
    for k, mention in enumerate(mentions):
        s_start, s_end = _sentence_bounds(text, mention.start)
        if _FAKE_RE.search(text[s_start:s_end]) or _FAKE_RE.search(text):
            out.append(mention)
            continue
        # The nearest cue before the mention, not reaching back past the previous mention's own cue.
        prev_end = max(s_start, mentions[k - 1].end if k and mentions[k - 1].end > s_start else s_start)
        window = text[s_start : mention.start]
        cues = list(_CUE_RE.finditer(window))
        status: Status | None = None
        near = [c for c in cues if s_start + c.end() >= mention.start - 14]
        after = _AFTER_RE.match(text[mention.end : s_end])
        if near:
            status = _status_from(near[-1].groupdict())
        if status is None and after:
            status = _status_from(after.groupdict())
        if status is None and cues:
            status = _status_from(cues[-1].groupdict())
        if status is None and k and mentions[k - 1].start >= s_start and prev_end >= s_start:
            # A list ("have A+, Net+ and Security+"): the item takes the status of the one before it.
            between = text[mentions[k - 1].end : mention.start]
            if re.fullmatch(r"[\s,]*(?:and|&|plus|as well as)?[\s,]*(?:the|my|an?)?\s*", between, re.I):
                status = out[-1].status if out else None
        out.append(Mention(mention.credential_id, mention.name, mention.start, mention.end, status or "mentioned"))
    # "... on Coursera. I'm halfway through it": a pronoun takes the last credential named before it.
    for m in _PRONOUN_RE.finditer(text):
        before = [i for i, x in enumerate(out) if x.end <= m.start()]
        if before and not _FAKE_RE.search(text):
            i = before[-1]
            status = _status_from(m.groupdict())
            if status and out[i].status == "mentioned":
                x = out[i]
                out[i] = Mention(x.credential_id, x.name, x.start, x.end, status)
    return out
