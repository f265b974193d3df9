"""The knowledge base: occupations (O*NET, ESCO), the ESCO skill space, credentials and pathway rules.

`load_catalog()` reads knowledge_base/sources/ (and any bring-your-own catalogue folders), normalises them into
the records of coach.models and caches the result under settings.home/cache, keyed by the sources' sizes and
modification times and this code's text, so a warm load only unpickles. `get_catalog()` is the process-wide one.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import os
import pickle
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from coach import catalog_sources as src
from coach.catalog_sources import load_user_catalog  # re-exported: the contract names it here
from coach.errors import CatalogError, CoachError
from coach.models import Credential, Occupation, OccupationLink, Rule, Skill

__all__ = [
    "Catalog",
    "SkillMatcher",
    "apply_user_catalog",
    "get_catalog",
    "load_catalog",
    "load_user_catalog",
    "merge_credentials",
    "register_catalog_dirs",
    "registered_catalog_dirs",
]

CACHE_VERSION = "1"


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
            index.setdefault(src.norm(occ.title), []).append(occ.id)
        for occ in ordered:
            for alt in occ.alt_titles:
                ids = index.setdefault(src.norm(alt), [])
                if occ.id not in ids:
                    ids.append(occ.id)
        return index

    def find_occupation(self, id_or_title: str) -> Occupation | None:
        """An occupation by SOC code, ESCO URI, title or alternate title (case-insensitive); None if unknown."""
        key = id_or_title.strip()
        if key in self.occupations:
            return self.occupations[key]
        if len(key) == 7 and key[2] == "-" and key + ".00" in self.occupations:  # "15-1212" → "15-1212.00"
            return self.occupations[key + ".00"]
        ids = self._occupation_titles.get(src.norm(key))
        return self.occupations[ids[0]] if ids else None

    def occupation_skills(self, occ_id: str) -> list[tuple[str, float]]:
        """ESCO skill URIs a role needs, with importance weights in 0..1, highest first."""
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
            for link in occ.links[:1]:
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
        for cred in ordered:
            for key in _credential_aliases(cred):
                index.setdefault(key, cred.id)
        return index

    def find_credential(self, name_or_id_or_exam_code: str) -> Credential | None:
        """A credential by id, name, exam code or short name (case-insensitive); None if unknown."""
        key = name_or_id_or_exam_code.strip()
        if key in self.credentials:
            return self.credentials[key]
        keys = self._credential_keys
        cid = keys.get(key.lower()) or keys.get(src.norm(key))
        if cid is None:
            # "Security+ certification", "CompTIA A+ (220-1201)": without brackets and a trailing kind word.
            bare = src.norm(re.sub(r"\([^)]*\)|\[[^]]*\]", " ", key))
            bare = re.sub(r"(\s+(certification|certificate|cert|credential|exam|badge))+$", "", bare).strip()
            cid = keys.get(bare) or keys.get(src.name_key(bare))
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
        }


def _credential_rank(cred: Credential) -> tuple[int, str]:
    """Curated and user entries before large scraped catalogues, so lookups prefer them."""
    order = {"curated": 0, "user": 0, "roadmap": 1, "coursera": 2, "edx": 3, "udemy": 4}
    return (order.get(cred.id.split("-", 1)[0], 0), cred.id)


def _credential_aliases(cred: Credential) -> Iterable[str]:
    yield src.norm(cred.name)
    yield src.norm(src.name_key(cred.name))  # without "Professional Certificate" and bracketed notes
    for code in (cred.exam_code or "").split(";"):
        if code.strip():
            yield src.norm(code)
    for alias in cred.aliases:
        yield src.norm(alias)
    prov = src.provider_key(cred.provider)
    name = src.norm(cred.name)
    if cred.type == "certification" and prov and name.startswith(prov + " "):
        yield name[len(prov) + 1 :]  # "CompTIA Security+" is also found as "Security+"


# --------------------------------------------------------------------------------------------------------------
# Loading and caching
# --------------------------------------------------------------------------------------------------------------

# Every module whose code shapes a built catalogue: readers, assembly, the record models (a pickled catalogue of
# an older model would load with missing or stale fields) and the embedder that links titles.
_CODE_FILES = ("knowledge.py", "catalog_sources.py", "models.py", "embeddings.py")


def _files_under(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def _cache_key(knowledge_dir: Path, catalog_dirs: Sequence[Path]) -> str:
    """A hash of every input file's path, size and mtime plus the full text of the code that builds it.

    Any change to a source or to that code rebuilds (a change to bring-your-own parsing too: one rebuild is
    cheaper than a stale catalogue)."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    here = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        digest.update((here / name).read_bytes())
    for root in (knowledge_dir / "sources", knowledge_dir / "curated", *catalog_dirs):
        for path in _files_under(root):
            st = path.stat()
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def _build(knowledge_dir: Path, cache_dir: Path) -> Catalog:
    """Read every source and assemble the catalogue (a cold load)."""
    sources = knowledge_dir / "sources"
    if not (sources / "esco").exists() or not (sources / "onet").exists():
        raise CoachError(f"knowledge base not found: {sources} has no esco/ and onet/ folders")
    skills, esco_occs = src.read_esco(sources / "esco")
    onet_occs = src.read_onet(sources / "onet")
    catalog = Catalog(occupations={**onet_occs, **esco_occs}, skills=skills)
    _add_credentials(catalog, knowledge_dir, cache_dir)
    return catalog


def _add_credentials(catalog: Catalog, knowledge_dir: Path, cache_dir: Path) -> None:
    """Credentials (de-duplicated across sources), rules, skill links and occupation links."""
    sources = knowledge_dir / "sources"
    batches: list[list[Credential]] = []
    readers = [
        ("curated-credentials/credentials.csv", src.read_curated),
        ("security-cert-roadmap/certificates.json", src.read_roadmap),
        ("coursera-courses-2023/coursera_courses_2023.csv", src.read_coursera),
        ("edx-courses/edx_courses.csv", src.read_edx),
    ]
    for rel, reader in readers:
        if (sources / rel).exists():
            batches.append(reader(sources / rel))
    catalog.credentials = merge_credentials(batches)
    rules_path = sources / "curated-credentials" / "rules.csv"
    catalog.rules = src.read_rules(rules_path) if rules_path.exists() else []
    matcher = SkillMatcher(catalog.skills, cache_dir)
    curated = knowledge_dir / "curated"
    link_onet(
        catalog, matcher, read_editorial_skills(curated / "onet_skills.csv", catalog.skills, key="onet_skill")
    )
    editorial = read_editorial_skills(curated / "credential_skills.csv", catalog.skills)
    link_credentials(list(catalog.credentials.values()), catalog.skills, matcher, editorial)
    link_occupations(catalog, matcher)


def merge_credentials(batches: Sequence[Sequence[Credential]]) -> dict[str, Credential]:
    """De-duplicate credentials; earlier batches (curated first) win and later duplicates add their facts.

    Duplicates are the same official URL, or the same provider and name once provider prefixes and kind
    suffixes ("Professional Certificate") are dropped. Ids stay stable: a clash between different credentials
    gets the provider appended.
    """
    merged: dict[str, Credential] = {}
    by_key: dict[tuple[str, str], str] = {}
    by_url: dict[str, str] = {}
    by_alias: dict[tuple[str, str], str] = {}
    for number, batch in enumerate(batches):
        # A URL identifies a credential only when one entry of the batch uses it: the roadmap points several
        # certifications (e.g. a vendor's whole programme) at one page. The same goes for a short name ("CKS")
        # within one provider: Cisco's two CCSTs share theirs, so neither is matched by it.
        url_count = Counter(src.url_key(c.url) for c in batch)
        alias_count = Counter(a for c in batch for a in _alias_keys(c))
        for cred in batch:
            key = (src.provider_key(cred.provider), src.name_key(cred.name, cred.provider))
            ukey = src.url_key(cred.url)
            if ukey and url_count[ukey] > 1:
                ukey = None
            aliases = [a for a in _alias_keys(cred) if alias_count[a] == 1]
            target = (
                by_key.get(key)
                or (by_url.get(ukey) if ukey else None)
                or next((by_alias[a] for a in aliases if a in by_alias), None)
            )
            if target is not None:
                merged[target] = _merge(merged[target], cred)
                continue
            cid = cred.id
            if cid in merged:
                cid = f"{cred.id}-{src.slug(cred.provider)}"[:100]
                n = 2
                while cid in merged:
                    cid, n = f"{cred.id}-{n}", n + 1
                cred = cred.model_copy(update={"id": cid})
            merged[cid] = cred
            by_key.setdefault(key, cid)
            if number == 0:  # only the first (curated) batch is matched by URL or short name
                if ukey:
                    by_url.setdefault(ukey, cid)
                for a in aliases:
                    by_alias.setdefault(a, cid)
    return merged


def _alias_keys(cred: Credential) -> set[tuple[str, str]]:
    """(provider, short name) keys of a credential's aliases and exam code ("CKS", "SY0-701"), 3+ characters."""
    names = [*cred.aliases, *([cred.exam_code] if cred.exam_code else [])]
    provider = src.provider_key(cred.provider)
    return {(provider, n.strip().lower()) for n in names if len(n.strip()) >= 3}


def _merge(primary: Credential, other: Credential) -> Credential:
    """`primary` keeps every fact it states; empty fields are filled from `other`; lists and sources united."""
    update: dict[str, object] = {}
    for name in (
        "level",
        "cost",
        "currency",
        "cost_note",
        "url",
        "exam_code",
        "validity_years",
        "description",
    ):
        if getattr(primary, name) in (None, "") and getattr(other, name) not in (None, ""):
            update[name] = getattr(other, name)
    update.pop("cost_note", None)  # a note belongs to its price: taken only together with the cost
    if "cost" in update:
        update["currency"] = other.currency
        update["cost_note"] = other.cost_note
    if primary.hours is None and other.hours is not None:
        update |= {
            "hours_min": other.hours_min,
            "hours_max": other.hours_max,
            "hours_estimated": other.hours_estimated,
            "hours_rule": " ".join(x for x in (other.hours_rule, _stated(primary.hours_rule)) if x) or None,
        }
    update["skill_tags"] = list(dict.fromkeys([*primary.skill_tags, *other.skill_tags]))
    update["skills"] = list(dict.fromkeys([*primary.skills, *other.skills]))
    names = [other.name] if src.norm(other.name) != src.norm(primary.name) else []
    update["aliases"] = list(dict.fromkeys([*primary.aliases, *names, *other.aliases]))
    seen = {(s.name, s.url) for s in primary.sources}
    update["sources"] = [*primary.sources, *(s for s in other.sources if (s.name, s.url) not in seen)]
    return primary.model_copy(update=update)


def _stated(text: str | None) -> str | None:
    return f"The source states: {text}." if text else None


# --------------------------------------------------------------------------------------------------------------
# Linking phrases, credentials and occupations into the ESCO skill space
# --------------------------------------------------------------------------------------------------------------

# Cosine similarity of all-MiniLM-L6-v2 embeddings above which a short phrase is linked to the nearest ESCO
# preferred label. Chosen on ESCO's own alternative labels (a phrase whose right answer is known): see
# knowledge_base/README.md "How skills were linked" for the precision measured at this threshold.
PHRASE_THRESHOLD = 0.70
# Longer texts (a course title, a certification name) are less similar to any one label; a lower bar, and
# only skills close to the best one are kept.
TEXT_THRESHOLD = 0.55
SINGLE_WORD_THRESHOLD = 0.8
MARGIN = 0.06
MAX_PER_PHRASE = 3


class SkillMatcher:
    """Links phrases to ESCO skills: exact label match first, then embedding nearest neighbour."""

    def __init__(self, skills: dict[str, Skill], cache_dir: Path, embedder: object | None = None) -> None:
        from coach.embeddings import cached_matrix, get_embedder

        self.uris = list(skills)
        self._embedder = embedder or get_embedder()
        self._cache_dir = cache_dir
        self.exact: dict[str, list[str]] = {}
        for uri, skill in skills.items():
            self.exact.setdefault(src.norm(skill.label), []).insert(0, uri)
        for uri, skill in skills.items():
            for alt in skill.alt_labels:
                ids = self.exact.setdefault(src.norm(alt), [])
                if uri not in ids:
                    ids.append(uri)
        labels = [skills[u].label for u in self.uris]
        self.matrix = cached_matrix("esco-skill-labels", labels, self._embedder, cache_dir)  # type: ignore[arg-type]

    def embed(self, name: str, texts: Sequence[str]):
        """Embeddings of `texts`, cached under `name` (the same texts are embedded once)."""
        from coach.embeddings import cached_matrix

        return cached_matrix(name, list(texts), self._embedder, self._cache_dir)  # type: ignore[arg-type]

    def link(
        self,
        phrases: Sequence[str],
        name: str,
        *,
        threshold: float = PHRASE_THRESHOLD,
        k: int = MAX_PER_PHRASE,
        exact: bool = True,
    ) -> list[list[tuple[str, float]]]:
        """For each phrase, up to `k` (ESCO URI, score) pairs, best first; empty when nothing is close enough."""
        import numpy as np

        out: list[list[tuple[str, float]]] = [[] for _ in phrases]
        todo: list[int] = []
        for i, phrase in enumerate(phrases):
            hits = self.exact.get(src.norm(phrase)) if exact else None
            if hits:
                out[i] = [(u, 1.0) for u in hits[:k]]
            elif phrase.strip():
                todo.append(i)
        if not todo:
            return out
        # A trailing qualifier ("Docker (Software)") is dropped before embedding: it pulls towards unrelated
        # labels; ESCO's own qualified labels ("Python (computer programming)") were matched exactly above.
        stripped = {i: re.sub(r"\s*\([^)]*\)\s*$", "", phrases[i]).strip() or phrases[i] for i in todo}
        vectors = self.embed(name, [stripped[i] for i in todo])
        sims = vectors @ self.matrix.T
        for row, i in enumerate(todo):
            top = np.argpartition(-sims[row], k)[:k]
            top = top[np.argsort(-sims[row][top])]
            best = float(sims[row][top[0]])
            # One word ("Docker", "Planning") is close to many unrelated labels: it needs a higher bar.
            bar = (
                max(threshold, SINGLE_WORD_THRESHOLD)
                if len(src.norm(stripped[i]).split()) == 1
                else threshold
            )
            out[i] = [
                (self.uris[j], round(float(sims[row][j]), 4))
                for j in top
                if sims[row][j] >= bar and sims[row][j] >= best - MARGIN
            ]
        return out


# The roadmap's chart columns, as ESCO skills (Pathway Coach's classification). Columns that hold non-security
# certifications too (mgmt, engineer, network) are only applied when the name names a security topic.
ROADMAP_COLUMN_SKILLS = {
    "blueops": ["cyber attack counter-measures", "identify security threats"],
    "redops": ["perform ICT security testing", "penetration testing tool"],
    "test": ["perform ICT security testing"],
    "software": ["web application security threats"],
    "asset": ["data protection", "protect personal data and privacy"],
    "iam": ["use access control software", "manage digital identity"],
    "mgmt": ["information security strategy", "manage IT security compliances"],
    "engineer": ["ICT security standards"],
    "network": ["ICT network security risks", "implement a firewall"],
}
ALWAYS_SECURITY = {"blueops", "redops", "test", "software", "asset", "iam"}
SECURITY_WORDS = re.compile(
    r"secur|cyber|hack|forensic|penetrat|pentest|incident|threat|privacy|defen|offensive|malware|exploit|"
    r"crypt|attack|red team|blue team|vulnerab|intrusion|ethical|reverse engineer|27001|27032|isms",
    re.I,
)
MAX_TEXT_SKILLS = 5


def _uris_for_labels(labels: Iterable[str], skills: dict[str, Skill]) -> list[str]:
    by_label = _label_index(skills)
    return [by_label[label] for label in labels if label in by_label]


_LABEL_INDEX: dict[int, dict[str, str]] = {}


def _label_index(skills: dict[str, Skill]) -> dict[str, str]:
    key = id(skills)
    if key not in _LABEL_INDEX:
        _LABEL_INDEX.clear()
        _LABEL_INDEX[key] = {s.label: s.uri for s in skills.values()}
    return _LABEL_INDEX[key]


def read_editorial_skills(
    path: Path, skills: dict[str, Skill], key: str = "credential_id"
) -> dict[str, list[str]]:
    """`key` column → ESCO URIs from an editorial mapping CSV; a row with no URI records "deliberately none"."""
    out: dict[str, list[str]] = {}
    if not path.exists():
        return out
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            uris = out.setdefault(row[key].strip(), [])
            uri = (row.get("esco_uri") or "").strip()
            if uri in skills:
                uris.append(uri)
    return out


def link_onet(catalog: Catalog, matcher: SkillMatcher, editorial: dict[str, list[str]] | None = None) -> None:
    """Link O*NET skills (editorial table first) and technology skills to ESCO (exact label, else nearest)."""
    editorial = editorial or {}
    onet = catalog.onet_occupations()
    names = sorted({r.name for o in onet for r in o.skills})
    # O*NET's 35 skills are broad ("Critical Thinking"): knowledge_base/curated/onet_skills.csv maps them by
    # hand; a name the file does not list falls back to the nearest labels, with a lower bar.
    skill_links: dict[str, list[tuple[str, float]]] = {
        name: [(u, 1.0) for u in uris] for name, uris in editorial.items() if name in names
    }
    rest = [n for n in names if n not in skill_links]
    skill_links |= dict(zip(rest, matcher.link(rest, "onet-skill-names", threshold=0.6, k=2), strict=True))
    hot = sorted({t.name for o in onet for t in o.technology if t.hot or t.in_demand})
    hot_links = dict(zip(hot, matcher.link(hot, "onet-hot-technology", k=2), strict=True))
    commodities = sorted({t.commodity for o in onet for t in o.technology if t.commodity})
    commodity_links = dict(
        zip(commodities, matcher.link(commodities, "onet-commodities", threshold=0.6, k=2), strict=True)
    )
    for occ in onet:
        for rating in occ.skills:
            rating.esco_uris = [u for u, _ in skill_links.get(rating.name, [])]
        for tech in occ.technology:
            exact = matcher.exact.get(src.norm(tech.name))
            hits = hot_links.get(tech.name) or ([(u, 1.0) for u in exact[:2]] if exact else [])
            tech.esco_uris = [u for u, _ in hits] or [u for u, _ in commodity_links.get(tech.commodity, [])]


def link_credentials(
    creds: Sequence[Credential],
    skills: dict[str, Skill],
    matcher: SkillMatcher,
    editorial: dict[str, list[str]] | None = None,
) -> None:
    """Fill `skills` (ESCO URIs) of each credential: editorial mapping, then its skill tags, then its text."""
    editorial = editorial or {}
    tags = sorted({t for c in creds for t in c.skill_tags})
    tag_links = dict(zip(tags, matcher.link(tags, "credential-tags"), strict=True))
    # Titles in another language than English are not linked: the embedding model reads English only.
    untagged = [
        c
        for c in creds
        if not _tag_uris(c, tag_links) and not editorial.get(c.id) and c.language in (None, "English")
    ]
    titles = [c.name for c in untagged]
    title_links = matcher.link(titles, "credential-titles", threshold=TEXT_THRESHOLD, exact=False)
    summaries = [c.description if c.id.startswith("edx-") else "" for c in untagged]
    summary_links = matcher.link(
        summaries, "credential-summaries", threshold=TEXT_THRESHOLD, k=2, exact=False
    )
    by_title = {
        c.id: [u for u, _ in t] + [u for u, _ in s]
        for c, t, s in zip(untagged, title_links, summary_links, strict=True)
    }
    for cred in creds:
        uris = list(editorial.get(cred.id, []))
        uris += _tag_uris(cred, tag_links) or by_title.get(cred.id, [])[:MAX_TEXT_SKILLS]
        uris += _roadmap_uris(cred, skills)
        cred.skills = [u for u in dict.fromkeys([*cred.skills, *uris]) if u in skills]


def _tag_uris(cred: Credential, tag_links: dict[str, list[tuple[str, float]]]) -> list[str]:
    return list(dict.fromkeys(u for t in cred.skill_tags for u, _ in tag_links.get(t, [])))


def _roadmap_uris(cred: Credential, skills: dict[str, Skill]) -> list[str]:
    """ESCO skills for the roadmap chart columns a certification sits in (see ROADMAP_COLUMN_SKILLS)."""
    columns = _columns(cred)  # only roadmap-only entries: curated ones have an editorial mapping
    if not columns:
        return []
    security = bool(SECURITY_WORDS.search(cred.name))
    labels: list[str] = ["cyber security"] if security or ALWAYS_SECURITY & set(columns) else []
    for col in dict.fromkeys(columns):
        if col in ALWAYS_SECURITY or security:
            labels += ROADMAP_COLUMN_SKILLS.get(col, [])
    return _uris_for_labels(labels, skills)


def _columns(cred: Credential) -> list[str]:
    m = re.search(r"roadmap column: ([^)]*)\)", cred.description)
    return [c.strip() for c in m.group(1).split(",")] if m else []


# O*NET ↔ ESCO: no official crosswalk is in the data, so titles are compared. A link needs this cosine
# similarity between an O*NET title and an ESCO preferred label (after the shared-title bonus).
OCCUPATION_THRESHOLD = 0.6
SHARED_TITLE_BONUS = 0.05  # per title the two occupations share exactly, at most MAX_SHARED_BONUS
MAX_SHARED_BONUS = 0.15
MAX_OCCUPATION_LINKS = 3
# SOC 2018 major group → the ISCO-08 sub-major groups covering the same field of work (Pathway Coach's reading
# of the two group titles, not an official crosswalk). Agreement adds GROUP_BONUS, disagreement subtracts
# GROUP_PENALTY: it keeps "Information Security Analysts" (SOC 15) away from physical security guards (ISCO 54)
# and securities analysts (ISCO 24).
SOC_TO_ISCO = {
    "11": {"11", "12", "13", "14"},
    "13": {"24", "33"},
    "15": {"25", "35", "21"},
    "17": {"21", "31"},
    "19": {"21", "22", "26", "31"},
    "21": {"26", "34"},
    "23": {"26", "34"},
    "25": {"23", "26", "34", "53", "44"},
    "27": {"21", "26", "34", "35", "73"},
    "29": {"22", "32"},
    "31": {"32", "53"},
    "33": {"54"},
    "35": {"51", "94"},
    "37": {"51", "61", "75", "91", "92"},
    "39": {"51", "53", "34"},
    "41": {"52", "33", "24", "95"},
    "43": {"41", "42", "43", "44", "33", "96"},
    "45": {"61", "62", "63", "92", "31"},
    "47": {"71", "74", "81", "93", "31"},
    "49": {"71", "72", "74", "31"},
    "51": {"72", "73", "75", "81", "82", "93", "31"},
    "53": {"83", "93", "31", "43", "51", "96"},
    "55": {"01", "02", "03"},
}
GROUP_BONUS = 0.05
GROUP_PENALTY = 0.1


def link_occupations(catalog: Catalog, matcher: SkillMatcher) -> None:
    """Link O*NET and ESCO occupations both ways by title similarity, keeping confidence and method."""
    import numpy as np

    onet = catalog.onet_occupations()
    esco = catalog.esco_occupations()
    a = matcher.embed("onet-titles", [o.title for o in onet])
    b = matcher.embed("esco-occupation-labels", [o.title for o in esco])
    sims = a @ b.T
    # Titles the two taxonomies share exactly (O*NET title or alternate title = ESCO label or alternative label)
    # are strong evidence: they earn a bonus.
    esco_index: dict[str, list[int]] = {}
    for j, occ in enumerate(esco):
        for t in {src.norm(occ.title), *(src.norm(x) for x in occ.alt_titles)}:
            esco_index.setdefault(t, []).append(j)
    shared = np.zeros_like(sims)
    for i, occ in enumerate(onet):
        for t in {src.norm(occ.title), *(src.norm(x) for x in occ.alt_titles)}:
            for j in esco_index.get(t, []):
                shared[i, j] += 1
    groups = np.array(
        [[e.code[:2] in SOC_TO_ISCO.get(o.id[:2], set()) for e in esco] for o in onet], dtype=bool
    )
    # Ranked by the raw sum (so 1.02 beats 1.01); reported as a confidence clipped to 0..1.
    score = (
        sims
        + np.minimum(MAX_SHARED_BONUS, SHARED_TITLE_BONUS * shared)
        + np.where(groups, GROUP_BONUS, -GROUP_PENALTY)
    )

    def method(i: int, j: int) -> str:
        parts = ["title-similarity"]
        if shared[i, j]:
            parts.append(f"{int(shared[i, j])}-shared-titles")
        if groups[i, j]:
            parts.append("soc-isco-group")
        return "+".join(parts)

    for i, occ in enumerate(onet):
        order = np.argsort(-score[i])[:MAX_OCCUPATION_LINKS]
        best = score[i, order[0]]
        occ.links = [
            OccupationLink(
                target=esco[j].id, label=esco[j].title, confidence=_conf(score[i, j]), method=method(i, j)
            )
            for j in order
            if score[i, j] >= OCCUPATION_THRESHOLD and score[i, j] >= best - 0.1
        ]
    for j, occ in enumerate(esco):
        order = np.argsort(-score[:, j])[:2]
        best = score[order[0], j]
        occ.links = [
            OccupationLink(
                target=onet[i].id, label=onet[i].title, confidence=_conf(score[i, j]), method=method(i, j)
            )
            for i in order
            if score[i, j] >= OCCUPATION_THRESHOLD and score[i, j] >= best - 0.1
        ]


def _conf(value: float) -> float:
    return round(min(1.0, max(0.0, float(value))), 4)


def load_catalog(
    knowledge_dir: Path | str | None = None,
    catalog_dirs: Sequence[Path | str] = (),
    cache_dir: Path | str | None = None,
) -> Catalog:
    """Load the catalogue from `knowledge_dir` (default: settings) plus bring-your-own catalogue folders.

    The result is cached on disk under `cache_dir` (default: settings.home/cache); a warm load takes ~1 s.
    """
    from coach.settings import get_settings

    settings = get_settings()
    kdir = Path(knowledge_dir) if knowledge_dir is not None else settings.knowledge_dir
    cdirs = [Path(d) for d in catalog_dirs]
    for d in cdirs:
        if not d.is_dir():
            raise CatalogError(f"catalogue folder not found: {d}")
    cdir = Path(cache_dir) if cache_dir is not None else settings.home / "cache"
    catalog = _load_builtin(kdir, cdir)
    for folder in cdirs:
        apply_user_catalog(catalog, folder, cdir)
    return catalog


def _load_builtin(kdir: Path, cdir: Path) -> Catalog:
    """The catalogue built from knowledge_dir, from the disk cache when its sources and code are unchanged."""
    path = cdir / f"catalog-{_cache_key(kdir, [])}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
            # ~100k small objects: the cyclic GC would run dozens of times during unpickling (half the time).
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                cached = pickle.loads(raw)
            finally:
                if was_enabled:
                    gc.enable()
            if isinstance(cached, Catalog):
                return cached
        except Exception:  # a damaged or outdated cache file is rebuilt below
            pass
    catalog = _build(kdir, cdir)
    cdir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(catalog, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    # Older caches (other code or data versions) are dropped, keeping the two newest for concurrent readers.
    olds = sorted(cdir.glob("catalog-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds[2:]:
        old.unlink(missing_ok=True)
    return catalog


def apply_user_catalog(catalog: Catalog, folder: Path, cache_dir: Path) -> None:
    """Add a bring-your-own catalogue: its credentials (same id replaces a built-in one) and rules.

    Bad rows are recorded in `catalog.errors` (prefixed with the folder name); skill phrases are linked into
    the ESCO skill space like the built-in tags. Raises CatalogError only when nothing in the folder is valid.
    """
    creds, rules, errors = src.load_user_catalog(
        folder, known_ids=set(catalog.credentials), skill_uris=catalog.skills.keys()
    )
    catalog.errors.extend(f"{folder.name}/{e}" for e in errors)
    if any(c.skill_tags for c in creds):
        matcher = _matcher(catalog.skills, cache_dir)
        tags = sorted({t for c in creds for t in c.skill_tags})
        links = dict(zip(tags, matcher.link(tags, "user-skill-phrases"), strict=True))
        for cred in creds:
            cred.skills = list(dict.fromkeys([*cred.skills, *_tag_uris(cred, links)]))
    for cred in creds:
        catalog.credentials[cred.id] = cred
    rule_ids = {r.id: i for i, r in enumerate(catalog.rules)}
    for rule in rules:
        if rule.id in rule_ids:
            catalog.rules[rule_ids[rule.id]] = rule
        else:
            catalog.rules.append(rule)
    # Lookups were built for the previous contents.
    for name in ("_credential_keys", "_rules_by_credential"):
        catalog.__dict__.pop(name, None)


_MATCHERS: dict[tuple[str, int], SkillMatcher] = {}


def _matcher(skills: dict[str, Skill], cache_dir: Path) -> SkillMatcher:
    """One SkillMatcher per skill space and cache folder in a process (building one takes a few seconds)."""
    key = (str(cache_dir), len(skills))
    if key not in _MATCHERS:
        _MATCHERS[key] = SkillMatcher(skills, cache_dir)
    return _MATCHERS[key]


def registered_catalog_dirs(home: Path | None = None) -> list[Path]:
    """Bring-your-own catalogue folders recorded by `register_catalog_dirs` (those that still exist)."""
    from coach.settings import get_settings

    path = (home or get_settings().home) / "catalog_dirs.json"
    try:
        dirs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Path(d) for d in dirs if isinstance(d, str) and Path(d).is_dir()]


def register_catalog_dirs(dirs: Sequence[Path | str], home: Path | None = None) -> None:
    """Record the catalogue folders `get_catalog()` adds from now on (e.g. after `coach kb build --catalog`)."""
    from coach.settings import get_settings

    global _catalog
    root = home or get_settings().home
    root.mkdir(parents=True, exist_ok=True)
    path = root / "catalog_dirs.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps([str(Path(d).resolve()) for d in dirs]), encoding="utf-8")
    tmp.replace(path)
    with _lock:
        _catalog = None


_lock = threading.Lock()
_catalog: Catalog | None = None


def _default_catalog() -> Catalog:
    """The default knowledge base plus every registered bring-your-own folder, loaded now."""
    from coach.settings import get_settings

    catalog = load_catalog()
    for folder in registered_catalog_dirs():
        try:
            apply_user_catalog(catalog, folder, get_settings().home / "cache")
        except CatalogError as exc:  # a catalogue broken since it was registered must not stop the app
            catalog.errors.append(str(exc))
    return catalog


def get_catalog() -> Catalog:
    """The process-wide catalogue from the default knowledge base (loaded once)."""
    global _catalog
    with _lock:
        if _catalog is None:
            _catalog = _default_catalog()
        return _catalog


def reload_catalog() -> Catalog:
    """Load the catalogue afresh and make it the process-wide one (the admin's catalogue refresh).

    The new catalogue is loaded before the swap: requests meanwhile keep the old one, and a load that fails
    leaves the old one in place. Caches derived from a catalogue are keyed by the catalogue object, so the
    next request derives them again from the new one."""
    global _catalog
    fresh = _default_catalog()
    with _lock:
        _catalog = fresh
    return fresh
