"""Assembling a Catalog: the built-in sources and guidance (a cold build), and bring-your-own folders on top."""

from __future__ import annotations

from pathlib import Path

from coach.errors import CoachError
from coach.knowledge.byo import load_user_catalog
from coach.knowledge.catalog import Catalog
from coach.knowledge.corrections import apply_corrections
from coach.knowledge.guidance import guidance_dir, load_guidance
from coach.knowledge.matcher import SkillMatcher, shared_matcher
from coach.knowledge.merge import merge_credentials
from coach.knowledge.occupation_links import link_occupations
from coach.knowledge.pricing import load_pricing
from coach.knowledge.recognition import load_recognition
from coach.knowledge.skill_links import link_credentials, link_onet, read_editorial_skills, tag_uris
from coach.knowledge.sources.apprenticeships import APPRENTICESHIPS_FILE, read_apprenticeships
from coach.knowledge.sources.coursera import read_coursera
from coach.knowledge.sources.curated import read_curated
from coach.knowledge.sources.edx import read_edx
from coach.knowledge.sources.esco import read_esco
from coach.knowledge.sources.onet import read_onet
from coach.knowledge.sources.roadmap import read_roadmap
from coach.knowledge.sources.rules import read_rules
from coach.knowledge.sources.vocational import VOCATIONAL_DIR, read_vocational
from coach.models import Credential


def build_catalog(knowledge_dir: Path, cache_dir: Path) -> Catalog:
    """Read every source and assemble the catalogue (a cold load)."""
    sources = knowledge_dir / "sources"
    if not (sources / "esco").exists() or not (sources / "onet").exists():
        raise CoachError(f"knowledge base not found: {sources} has no esco/ and onet/ folders")
    skills, esco_occs = read_esco(sources / "esco")
    onet_occs = read_onet(sources / "onet")
    catalog = Catalog(occupations={**onet_occs, **esco_occs}, skills=skills)
    _add_credentials(catalog, knowledge_dir, cache_dir)
    folder = guidance_dir(knowledge_dir)
    # A knowledge base without a guidance folder simply has no guidance; a broken file is an error (CatalogError).
    catalog.guidance = load_guidance(folder, catalog.credentials) if folder.is_dir() else []
    catalog.recognition = load_recognition(knowledge_dir, catalog.credentials)
    catalog.pricing = load_pricing(knowledge_dir, catalog.credentials)
    return catalog


def _add_credentials(catalog: Catalog, knowledge_dir: Path, cache_dir: Path) -> None:
    """Credentials (de-duplicated across sources), rules, skill links and occupation links."""
    sources = knowledge_dir / "sources"
    batches: list[list[Credential]] = []
    readers = [
        ("curated-credentials/credentials.csv", read_curated),
        ("security-cert-roadmap/certificates.json", read_roadmap),
        ("coursera-courses-2023/coursera_courses_2023.csv", read_coursera),
        ("edx-courses/edx_courses.csv", read_edx),
    ]
    for rel, reader in readers:
        if (sources / rel).exists():
            batches.append(reader(sources / rel))
    if (sources / VOCATIONAL_DIR).is_dir():
        vocational, problems = read_vocational(sources / VOCATIONAL_DIR)
        batches.append(vocational)
        catalog.errors.extend(f"{VOCATIONAL_DIR}/{p}" for p in problems)
    catalog.credentials = merge_credentials(batches)
    rules_path = sources / "curated-credentials" / "rules.csv"
    curated = knowledge_dir / "curated"
    # Facts found wrong or resting on weak pages are corrected over the byte-identical sources.
    catalog.rules, _ = apply_corrections(
        catalog.credentials, read_rules(rules_path) if rules_path.exists() else [], curated
    )
    matcher = SkillMatcher(catalog.skills, cache_dir)
    link_onet(
        catalog,
        matcher,
        read_editorial_skills(curated / "onet_skills.csv", catalog.skills, key="onet_skill"),
        read_editorial_skills(curated / "onet_technology.csv", catalog.skills, key="technology"),
    )
    editorial = read_editorial_skills(curated / "credential_skills.csv", catalog.skills)
    tag_table = read_editorial_skills(curated / "coursera_tags.csv", catalog.skills, key="tag")
    link_credentials(list(catalog.credentials.values()), catalog.skills, matcher, editorial, tag_table)
    link_occupations(catalog, matcher)
    if (sources / APPRENTICESHIPS_FILE).exists():
        catalog.apprenticeships = read_apprenticeships(sources / APPRENTICESHIPS_FILE)


def apply_user_catalog(catalog: Catalog, folder: Path, cache_dir: Path) -> None:
    """Add a bring-your-own catalogue: its credentials (same id replaces a built-in one) and rules.

    Bad rows are recorded in `catalog.errors` (prefixed with the folder name); skill phrases are linked into
    the ESCO skill space like the built-in tags. Raises CatalogError only when nothing in the folder is valid.
    """
    creds, rules, errors = load_user_catalog(
        folder, known_ids=set(catalog.credentials), skill_uris=catalog.skills.keys()
    )
    catalog.errors.extend(f"{folder.name}/{e}" for e in errors)
    if any(c.skill_tags for c in creds):
        matcher = shared_matcher(catalog.skills, cache_dir)
        tags = sorted({t for c in creds for t in c.skill_tags})
        links = dict(zip(tags, matcher.link(tags, "user-skill-phrases"), strict=True))
        for cred in creds:
            cred.skills = list(dict.fromkeys([*cred.skills, *tag_uris(cred, links)]))
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
