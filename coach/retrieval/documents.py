"""Catalogue records and guidance entries as index documents: what is embedded, matched and shown."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from coach.knowledge.guidance import GuidanceEntry
from coach.models import Credential, Occupation, Rule, Skill, Source
from coach.retrieval.text import norm_key

# Per-kind word caps for the embedded text: MiniLM's cost grows with length and 20k documents must embed in
# well under the 3-minute build budget on 2 cores; titles and the opening of a description carry the meaning.
LEXICAL_SKILLS = 12
# Guidance is a few dozen documents: its title, the ways learners ask it and the answer are all embedded (MiniLM
# reads 256 tokens; the statements, which repeat the answer's facts, are matched lexically).
DENSE_WORDS = {"occupation": 40, "skill": 24, "credential": 56, "rule": 72, "guidance": 170}
TYPE_LABELS = {
    "certification": "certification",
    "professional_certificate": "professional certificate",
    "specialization": "specialization",
    "course": "course",
    "guided_project": "guided project",
    "badge": "badge",
    "designation": "professional designation",
    "program": "program",
    "degree": "degree",
    "licence": "licence or permit",
    "apprenticeship": "apprenticeship",
}
RULE_LABELS = {
    "prerequisite_required": "required prerequisite",
    "recommended_before": "recommended before",
    "experience_required": "experience requirement",
    "stackable_award": "stackable certification award",
    "equivalence": "equivalence",
    "renewal_by_higher_cert": "renewal by a higher certification",
    "discount_or_voucher": "discount or voucher",
    "credit_recommendation": "credit recommendation",
}
ONET_SOURCE = "O*NET 29.2"
ESCO_SOURCE = "ESCO 1.1.1"


class CatalogLike(Protocol):
    """What the index and the skill linker need from coach.knowledge.Catalog (its `guidance` list is read when it
    has one); the one catalogue protocol of the package."""

    occupations: dict[str, Occupation]
    skills: dict[str, Skill]
    credentials: dict[str, Credential]
    rules: list[Rule]


@dataclass
class Document:
    """One indexed record: what is embedded, what is matched lexically, and what a hit shows."""

    id: str
    kind: str
    title: str
    dense_text: str
    lexical_text: str
    snippet: str
    source: Source
    metadata: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)  # exact-match names, exam codes and acronyms

    @property
    def content_hash(self) -> str:
        """Hash of everything stored for this document (a change means re-embed and re-upsert)."""
        payload = json.dumps(
            [
                self.dense_text,
                self.lexical_text,
                self.snippet,
                self.source.model_dump(),
                self.metadata,
                self.keys,
            ],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _cap_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _snippet(text: str, n: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata takes str/int/float/bool only: drop empty values rather than store placeholders."""
    return {k: v for k, v in meta.items() if v is not None and v != ""}


def _acronyms(name: str) -> list[str]:
    return [a for a in re.findall(r"\(([^()]{2,15})\)", name) if not a.strip().lower().startswith("retired")]


def credential_document(cred: Credential, skill_label: Callable[[str], str]) -> Document:
    """A credential as a document: name, provider, type, level, description and skills."""
    type_label = TYPE_LABELS.get(cred.type, cred.type.replace("_", " "))
    level = f", {cred.level} level" if cred.level else ""
    skills = list(dict.fromkeys([*cred.skill_tags, *(skill_label(u) for u in cred.skills)]))
    head = f"{cred.name}. {type_label.capitalize()} by {cred.provider}{level}."
    # Skills before the description: what a credential is about matters more to a search than its renewal
    # terms, and the word cap cuts the end.
    dense = head + (" Skills: " + ", ".join(skills[:6]) + "." if skills else "")
    if cred.description:
        dense += " " + cred.description
    dense = _cap_words(dense, DENSE_WORDS["credential"])
    # The name three times (a poor man's field weight: a word in the name says more than one in a list of
    # linked skills), and only the first skills, so long skill lists do not drown the name.
    lexical = " ".join(
        [
            cred.name,
            cred.name,
            cred.name,
            cred.provider,
            cred.exam_code or "",
            type_label,
            cred.level or "",
            cred.description,
            *(getattr(cred, "aliases", None) or []),
            *skills[:LEXICAL_SKILLS],
        ]
    )
    src = next((s for s in cred.sources if s.url), cred.sources[0] if cred.sources else None)
    source = Source(
        name=src.name if src else cred.provider,
        url=cred.url or (src.url if src else None),
        licence=src.licence if src else None,
        as_of=src.as_of if src else None,
    )
    keys = [cred.name, re.sub(r"\([^()]*\)", " ", cred.name)]
    prov = norm_key(cred.provider).split(" ")[0] if cred.provider.strip() else ""
    name_key = norm_key(cred.name)
    if prov and name_key.startswith(prov + " "):
        keys.append(name_key[len(prov) + 1 :])  # "CompTIA Security+" is also "Security+"
    keys += list(getattr(cred, "aliases", None) or [])  # names the catalogue knows it by ("Security+", "CC")
    for acro in _acronyms(cred.name):
        keys += [acro, f"{prov} {acro}"]
    if cred.exam_code:
        keys += [c for c in re.split(r"[;,/]| or ", cred.exam_code) if c.strip()]
    meta = _clean_meta(
        {
            "kind": "credential",
            "title": cred.name,
            "provider": cred.provider,
            "provider_key": norm_key(cred.provider),
            "type": cred.type,
            "level": cred.level,
            "cost": float(cred.cost) if cred.cost is not None else None,
            "currency": cred.currency,
            "hours": cred.hours,
            "exam_code": cred.exam_code,
            "url": cred.url,
            "microcredential": cred.is_microcredential,
            # Independent catalogues listing it (curated list, roadmap, Coursera...): a sign it is established.
            "datasets": len({x.name.split(":")[0].strip() for x in cred.sources}) or None,
            "source_name": source.name,
            "source_url": source.url,
            "as_of": source.as_of,
        }
    )
    return Document(
        id=cred.id,
        kind="credential",
        title=cred.name,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(cred.description or head),
        source=source,
        metadata=meta,
        keys=_unique_keys(keys),
    )


def occupation_document(occ: Occupation) -> Document:
    """An O*NET or ESCO occupation as a document: title, alternate titles, description."""
    alts = [a for a in occ.alt_titles if a.lower() != occ.title.lower()]
    dense = occ.title + "."
    if alts:
        dense += " Also: " + "; ".join(alts[:5]) + "."
    if occ.description:
        dense += " " + occ.description
    dense = _cap_words(dense, DENSE_WORDS["occupation"])
    lexical = " ".join([occ.title, occ.title, occ.code, *alts, occ.description])
    if occ.source == "onet":
        source = Source(
            name=ONET_SOURCE,
            url=f"https://www.onetonline.org/link/summary/{occ.id}",
            licence="CC BY 4.0",
        )
    else:
        source = Source(name=ESCO_SOURCE, url=occ.id, licence="CC BY 4.0")
    meta = _clean_meta(
        {
            "kind": "occupation",
            "title": occ.title,
            "taxonomy": occ.source,
            "code": occ.code,
            "job_zone": occ.job_zone,
            "source_name": source.name,
            "source_url": source.url,
        }
    )
    keys = [occ.title, *alts]
    if occ.source == "onet" and occ.code:
        keys += [occ.code, occ.code.split(".")[0]]
    return Document(
        id=occ.id,
        kind="occupation",
        title=occ.title,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(occ.description or occ.title),
        source=source,
        metadata=meta,
        keys=_unique_keys(keys),
    )


def skill_document(skill: Skill) -> Document:
    """An ESCO skill as a document: preferred and alternative labels, the start of its description."""
    alts = [a for a in skill.alt_labels if a.lower() != skill.label.lower()]
    # Labels only: 13,896 skills dominate the build time, and alternative labels carry most of the paraphrase
    # signal; the description is still matched lexically.
    dense = _cap_words(skill.label + (" (" + "; ".join(alts[:4]) + ")" if alts else ""), DENSE_WORDS["skill"])
    lexical = " ".join([skill.label, skill.label, *alts, skill.description])
    source = Source(name=ESCO_SOURCE, url=skill.uri, licence="CC BY 4.0")
    meta = _clean_meta(
        {
            "kind": "skill",
            "title": skill.label,
            "skill_type": skill.skill_type,
            "reuse_level": skill.reuse_level,
            "source_name": source.name,
            "source_url": source.url,
        }
    )
    return Document(
        id=skill.uri,
        kind="skill",
        title=skill.label,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(skill.description or skill.label),
        source=source,
        metadata=meta,
        keys=_unique_keys([skill.label, *alts]),
    )


def rule_document(rule: Rule, name_of: Callable[[str], str]) -> Document:
    """A pathway rule as a document, written with credential names so people's words match it."""
    label = RULE_LABELS.get(rule.type, rule.type.replace("_", " "))
    subject = name_of(rule.subject)
    objects = [name_of(o) for o in rule.objects]
    joiner = " or " if rule.any_of else ", "
    title = f"{subject}: {label}" + (f" ({joiner.join(objects)})" if objects else "")
    body = " ".join(x for x in [rule.condition, rule.quote or ""] if x)
    years = f" {rule.experience_years:g} years of experience." if rule.experience_years else ""
    dense = _cap_words(f"{title}.{years} {body}", DENSE_WORDS["rule"])
    lexical = " ".join([title, rule.subject, *rule.objects, label, years, body])
    source = Source(name="Pathway rules (curated)", url=rule.source_url, as_of=rule.as_of)
    meta = _clean_meta(
        {
            "kind": "rule",
            "title": title,
            "rule_type": rule.type,
            "subject": rule.subject,
            "objects": ";".join(rule.objects),
            "source_name": source.name,
            "source_url": source.url,
            "as_of": rule.as_of,
        }
    )
    return Document(
        id=rule.id,
        kind="rule",
        title=title,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(body or title),
        source=source,
        metadata=meta,
        keys=_unique_keys([rule.id]),
    )


def guidance_sources(entry: GuidanceEntry) -> list[dict[str, str]]:
    """The pages an entry cites, one per distinct URL: name ('publisher: title'), url, title, publisher, as_of."""
    return [
        {
            "name": f"{st.publisher}: {st.source_title}",
            "url": st.source_url,
            "title": st.source_title,
            "publisher": st.publisher,
            "as_of": st.as_of,
            "as_of_basis": st.as_of_basis,
        }
        for st in entry.sources
    ]


COUNTRY_NAMES = {"US": "United States", "GB": "United Kingdom", "EU": "European Union"}


def guidance_document(entry: GuidanceEntry, name_of: Callable[[str], str] = str) -> Document:
    """A guidance entry as a document: its question, the ways learners ask it, the answer and its statements.

    The metadata carries everything an answer needs to quote and cite it: the topic, the full answer, each
    statement with its page, and the distinct pages (`sources`); the hit's `source` is the first of them.
    `name_of` turns the credential ids the entry applies to into names people search by.
    """
    sectors = [x for x in entry.applies_to.sectors if x != "all"]
    head = " ".join([entry.title, *entry.question_forms])
    scope = f" ({', '.join(sectors)})" if sectors else ""
    dense = _cap_words(f"{head}{scope} {entry.answer}", DENSE_WORDS["guidance"])
    statements = [st.text for st in entry.statements]
    # The question and its forms twice: they say what the entry is about; the statements say it again in
    # source language ("continuing education units"), which people's words sometimes match.
    lexical = " ".join(
        [
            head,
            head,
            entry.answer,
            *statements,
            entry.topic.replace("_", " "),
            *sectors,
            *(COUNTRY_NAMES.get(c, c) for c in entry.applies_to.countries),
            *(name_of(c) for c in entry.applies_to.credentials),
        ]
    )
    sources = guidance_sources(entry)
    first = sources[0]
    source = Source(name=first["name"], url=first["url"], as_of=first["as_of"])
    meta = _clean_meta(
        {
            "kind": "guidance",
            "title": entry.title,
            "topic": entry.topic,
            "answer": entry.answer,
            "statements": [
                {"text": st.text, "source_url": st.source_url, "as_of": st.as_of} for st in entry.statements
            ],
            "sources": sources,
            "credentials": list(entry.applies_to.credentials) or None,
            "sectors": list(entry.applies_to.sectors) or None,
            "countries": list(entry.applies_to.countries) or None,
            "file": entry.file,
            "source_name": source.name,
            "source_url": source.url,
            "as_of": source.as_of,
        }
    )
    return Document(
        id=entry.id,
        kind="guidance",
        title=entry.title,
        dense_text=dense,
        lexical_text=lexical,
        snippet=_snippet(entry.answer),
        source=source,
        metadata=meta,
        keys=_unique_keys([entry.title, *entry.question_forms]),
    )


def _unique_keys(keys: Iterable[str]) -> list[str]:
    out = [norm_key(k) for k in keys]
    return list(dict.fromkeys(k for k in out if len(k) >= 2))


def catalog_documents(catalog: CatalogLike) -> dict[str, list[Document]]:
    """Every catalogue record and guidance entry as a document, grouped by kind (ordered for reproducible builds)."""

    def skill_label(uri: str) -> str:
        skill = catalog.skills.get(uri)
        return skill.label if skill else ""

    def name_of(cred_id: str) -> str:
        cred = catalog.credentials.get(cred_id)
        return cred.name if cred else cred_id

    docs: dict[str, list[Document]] = {
        "occupation": [occupation_document(o) for o in catalog.occupations.values()],
        "skill": [skill_document(s) for s in catalog.skills.values()],
        "credential": [credential_document(c, skill_label) for c in catalog.credentials.values()],
        "rule": [rule_document(r, name_of) for r in catalog.rules],
        "guidance": [guidance_document(e, name_of) for e in getattr(catalog, "guidance", None) or []],
    }
    for kind, items in docs.items():
        seen: set[str] = set()
        unique = []
        for d in items:
            if d.id not in seen:
                seen.add(d.id)
                unique.append(d)
        docs[kind] = unique
    return docs
