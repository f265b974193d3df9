"""The Catalog: every occupation, skill, credential, rule and guidance answer the product knows, with lookups."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from coach.errors import CoachError
from coach.knowledge.guidance import GuidanceEntry
from coach.knowledge.names import CredentialIndex
from coach.knowledge.pricing import Pricing
from coach.knowledge.recognition import RecognitionSignal
from coach.knowledge.sources.common import name_key, norm, provider_key
from coach.knowledge.titles import RoleIndex
from coach.models import Credential, Occupation, OccupationLink, Rule, Skill

T = TypeVar("T")


def derived(catalog: Any, name: str, build: Callable[[Any], T]) -> T:
    """`catalog.derived(name, build)` for a Catalog or any stand-in with a `__dict__` (tests' namespaces): the
    lookup is kept on the object itself; an object that cannot hold it gets a fresh one each time."""
    store = getattr(catalog, "__dict__", None)
    if store is None:
        return build(catalog)
    kept: dict[str, Any] = store.setdefault("_derived", {})
    if name not in kept:
        kept[name] = build(catalog)
    return kept[name]


@dataclass
class Catalog:
    """Every role, skill, credential and rule the product knows, with lookups."""

    occupations: dict[str, Occupation]
    skills: dict[str, Skill]
    credentials: dict[str, Credential] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    errors: list[str] = field(
        default_factory=list, metadata={"doc": "Problems in bring-your-own catalogues."}
    )
    guidance: list[GuidanceEntry] = field(
        default_factory=list,
        metadata={"doc": "Sourced answers to open questions (knowledge_base/guidance/)."},
    )
    recognition: dict[str, list[RecognitionSignal]] = field(
        default_factory=dict,
        metadata={
            "doc": "Sourced employer-recognition signals per credential (knowledge_base/recognition/)."
        },
    )
    pricing: Pricing = field(
        default_factory=Pricing,
        metadata={"doc": "Sourced price facts per credential and platform (knowledge_base/pricing/)."},
    )
    apprenticeships: dict[str, Credential] = field(
        default_factory=dict,
        metadata={"doc": "Registered apprenticeships (type 'apprenticeship', with O*NET code and term)."},
    )

    # ---- derived lookups ------------------------------------------------------------------------------------

    def derived(self, name: str, build: Callable[[Catalog], T]) -> T:
        """The lookup `name` derived from this catalogue, built by `build(self)` on first use and kept on this
        object, so a reloaded catalogue (a new object) never sees a stale one. Not pickled with the catalogue."""
        return derived(self, name, build)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_derived"}

    # ---- occupations -----------------------------------------------------------------------------------------

    def onet_occupations(self) -> list[Occupation]:
        """The O*NET occupations (ids are SOC codes)."""
        return [o for o in self.occupations.values() if o.source == "onet"]

    def esco_occupations(self) -> list[Occupation]:
        """The ESCO occupations (ids are concept URIs)."""
        return [o for o in self.occupations.values() if o.source == "esco"]

    @cached_property
    def _occupation_titles(self) -> dict[str, list[str]]:
        """Normalised title → occupation ids: preferred titles first, O*NET before ESCO, then alt titles."""
        index: dict[str, list[str]] = {}
        ordered = sorted(self.occupations.values(), key=lambda o: o.source != "onet")
        for occ in ordered:
            index.setdefault(norm(occ.title), []).append(occ.id)
        for occ in ordered:
            for alt in occ.alt_titles:
                ids = index.setdefault(norm(alt), [])
                if occ.id not in ids:
                    ids.append(occ.id)
        return index

    @cached_property
    def titles(self) -> RoleIndex:
        """Job titles as people say them → occupations (built on first use)."""
        return RoleIndex(self)

    def find_occupation(self, id_or_title: str) -> Occupation | None:
        """An occupation by SOC code, ESCO URI, title or alternate title (case-insensitive); None if unknown."""
        key = id_or_title.strip()
        if key in self.occupations:
            return self.occupations[key]
        if len(key) == 7 and key[2] == "-" and key + ".00" in self.occupations:  # "15-1212" → "15-1212.00"
            return self.occupations[key + ".00"]
        ids = self._occupation_titles.get(norm(key))
        return self.occupations[ids[0]] if ids else None

    def occupation_skills(self, occ_id: str, facet: str | None = None) -> list[tuple[str, float]]:
        """ESCO skill URIs a role needs, with importance weights in 0..1, highest first.

        An O*NET role takes the skills of its best-linked ESCO occupation, or of `facet` when that is one of its
        other links (see coach.planner.targets.role_facet)."""
        occ = self.find_occupation(occ_id)
        if occ is None:
            raise CoachError(f"unknown occupation: {occ_id}")
        weights: dict[str, float] = {}

        def add(uri: str, w: float) -> None:
            if uri in self.skills and w > weights.get(uri, 0.0):
                weights[uri] = round(w, 4)

        if occ.source == "esco":
            for uri in occ.essential_skills:
                add(uri, 1.0)
            for uri in occ.optional_skills:
                add(uri, 0.5)
        else:
            for rating in occ.skills:
                # Importance 1-5 → 0..1; skills rated below "important" (3) are not targets of a pathway.
                if rating.importance >= 3.0:
                    for uri in rating.esco_uris:
                        add(uri, (rating.importance - 1) / 4)
            for tech in occ.technology:
                if tech.hot or tech.in_demand:
                    for uri in tech.esco_uris:
                        add(uri, 0.8 if tech.in_demand else 0.6)
            for link in facet_link(occ, facet):
                linked = self.occupations.get(link.target)
                if linked is None:
                    continue
                for uri in linked.essential_skills:
                    add(uri, 1.0 * link.confidence)
                for uri in linked.optional_skills:
                    add(uri, 0.5 * link.confidence)
        return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))

    # ---- credentials and rules -------------------------------------------------------------------------------

    @cached_property
    def _credential_keys(self) -> dict[str, str]:
        """Normalised id / name / exam code / short name → credential id (curated entries win)."""
        index: dict[str, str] = {}
        ordered = sorted(self.credentials.values(), key=_credential_rank)
        for cred in ordered:
            index.setdefault(cred.id.lower(), cred.id)
        # A name, code or short name that two records of the same standing share ("CCST": Cisco's Networking
        # and Cybersecurity) names neither; the better-standing record wins over a lesser one (curated first).
        claims: dict[str, dict[int, list[str]]] = {}
        for cred in ordered:
            rank = _credential_rank(cred)[0]
            for key in dict.fromkeys(_credential_aliases(cred)):
                claims.setdefault(key, {}).setdefault(rank, []).append(cred.id)
        for key, by_rank in claims.items():
            best = by_rank[min(by_rank)]
            if len(best) == 1:
                index.setdefault(key, best[0])
        return index

    @cached_property
    def names(self) -> CredentialIndex:
        """Credential names as people write them in running text → credentials (built on first use)."""
        return CredentialIndex(self, _credential_rank)

    def find_credential(self, name_or_id_or_exam_code: str) -> Credential | None:
        """A credential by id, name, exam code or short name (case-insensitive); None if unknown."""
        key = name_or_id_or_exam_code.strip()
        if key in self.credentials:
            return self.credentials[key]
        keys = self._credential_keys
        cid = keys.get(key.lower()) or keys.get(norm(key))
        if cid is None:
            # "Security+ certification", "CompTIA A+ (220-1201)": without brackets and a trailing kind word.
            bare = norm(re.sub(r"\([^)]*\)|\[[^]]*\]", " ", key))
            bare = re.sub(r"(\s+(certification|certificate|cert|credential|exam|badge))+$", "", bare).strip()
            cid = keys.get(bare) or keys.get(name_key(bare))
        if cid is None or _credential_rank(self.credentials[cid])[0] > 0:
            # The names people use ("Cloud Practitioner", "ISC2 CC", "Sec+", "CCST Networking"): one mention that
            # is the whole text, give or take a kind word ("the CKA exam"). It also wins over a scraped course that
            # happens to bear the name ("Certified in Cybersecurity" is ISC2's, not a prep course's).
            found = self.names.find(key)
            rest = re.sub(
                r"\b(?:the|my|a|an|certification|certificate|cert|credential|exam|badge)\b|\W",
                "",
                key,
                flags=re.I,
            )
            if len(found) == 1 and len(re.sub(r"\W", "", key[found[0].start : found[0].end])) >= len(rest):
                named = found[0].credential_id
                if cid is None or _credential_rank(self.credentials[named])[0] == 0:
                    cid = named
        return self.credentials.get(cid) if cid else None

    @cached_property
    def _rules_by_credential(self) -> dict[str, list[Rule]]:
        index: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for cid in dict.fromkeys([rule.subject, *rule.objects]):
                index.setdefault(cid, []).append(rule)
        return index

    def rules_for(self, credential_id: str) -> list[Rule]:
        """Rules whose subject or objects include the credential."""
        return list(self._rules_by_credential.get(credential_id, []))

    def skill_label(self, uri: str) -> str:
        """The preferred label of an ESCO skill URI (the URI itself when unknown)."""
        skill = self.skills.get(uri)
        return skill.label if skill else uri

    def stats(self) -> dict[str, int]:
        """Counts of what the catalogue holds."""
        return {
            "onet_occupations": len(self.onet_occupations()),
            "esco_occupations": len(self.esco_occupations()),
            "occupations": len(self.occupations),
            "skills": len(self.skills),
            "credentials": len(self.credentials),
            "rules": len(self.rules),
            "guidance": len(self.guidance),
            "apprenticeships": len(self.apprenticeships),
        }

    def apprenticeships_for(self, occ_id: str) -> list[Credential]:
        """Registered apprenticeships leading to a role: its O*NET-SOC code, or the O*NET roles an ESCO
        occupation is linked to (shortest term first)."""
        occ = self.find_occupation(occ_id)
        if occ is None:
            return []
        codes = {occ.id} if occ.source == "onet" else {link.target for link in occ.links}
        found = [
            a for a in self.apprenticeships.values() if a.onet_soc in codes or a.esco_occupation == occ.id
        ]
        return sorted(found, key=lambda a: (a.term_hours or float("inf"), a.name))

    def breakdown(self) -> dict[str, dict[str, int]]:
        """Credentials counted by sector, price currency, type and the kinds of their sources ("not stated"
        when a record has none)."""
        out: dict[str, dict[str, int]] = {"sector": {}, "currency": {}, "type": {}, "source_kind": {}}

        def count(group: str, key: str | None) -> None:
            out[group][key or "not stated"] = out[group].get(key or "not stated", 0) + 1

        for cred in self.credentials.values():
            count("sector", cred.sector)
            count("currency", cred.currency)
            count("type", cred.type)
            for kind in sorted({s.source_kind or "not stated" for s in cred.sources}):
                count("source_kind", kind)
        return {g: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for g, c in out.items()}


def is_retired(cred: Credential) -> bool:
    """True for a credential whose exam can no longer be taken (the catalogue marks it "[retired exam]"): it
    still counts when a learner holds it, but it is never planned or suggested."""
    return "[retired" in cred.name.lower()


def facet_link(occ: Occupation, facet: str | None) -> list[OccupationLink]:
    """The one ESCO link whose skills stand for an O*NET role: `facet` when it is one of the role's links, else
    the best one (none for a role without links)."""
    chosen = [link for link in occ.links if facet is not None and link.target == facet]
    return chosen or occ.links[:1]


def _credential_rank(cred: Credential) -> tuple[int, str]:
    """Curated and user entries before large scraped catalogues, so lookups prefer them."""
    order = {"curated": 0, "user": 0, "roadmap": 1, "coursera": 2, "edx": 3, "udemy": 4}
    return (order.get(cred.id.split("-", 1)[0], 0), cred.id)


def _credential_aliases(cred: Credential) -> Iterable[str]:
    yield norm(cred.name)
    yield norm(name_key(cred.name))  # without "Professional Certificate" and bracketed notes
    for code in (cred.exam_code or "").split(";"):
        if code.strip():
            yield norm(code)
    for alias in cred.aliases:
        yield norm(alias)
    prov = provider_key(cred.provider)
    name = norm(cred.name)
    if cred.type == "certification" and prov and name.startswith(prov + " "):
        yield name[len(prov) + 1 :]  # "CompTIA Security+" is also found as "Security+"
