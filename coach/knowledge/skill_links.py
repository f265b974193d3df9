"""Skills of O*NET occupations and of credentials, as ESCO skill URIs (editorial tables, tags, then text)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from coach.knowledge.catalog import Catalog
from coach.knowledge.matcher import TEXT_THRESHOLD, SkillMatcher
from coach.knowledge.sources.common import norm
from coach.models import Credential, Skill

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
    """The URIs of the skills whose preferred label is one of `labels` (unknown labels are skipped)."""
    by_label = _label_index(skills)
    return [by_label[label] for label in labels if label in by_label]


# The one skill space last asked about, held by reference and compared with `is` (an id() could be reused).
_LABEL_INDEX: list[tuple[dict[str, Skill], int, dict[str, str]]] = []


def _label_index(skills: dict[str, Skill]) -> dict[str, str]:
    """Preferred label → URI, kept for the one skill space last asked about."""
    if not (_LABEL_INDEX and _LABEL_INDEX[0][0] is skills and _LABEL_INDEX[0][1] == len(skills)):
        _LABEL_INDEX[:] = [(skills, len(skills), {s.label: s.uri for s in skills.values()})]
    return _LABEL_INDEX[0][2]


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


def link_onet(
    catalog: Catalog,
    matcher: SkillMatcher,
    editorial: dict[str, list[str]] | None = None,
    technology_table: dict[str, list[str]] | None = None,
) -> None:
    """Link O*NET skills (editorial table first) and technology skills (`technology_table` first, else exact
    label, else nearest) to ESCO."""
    editorial = editorial or {}
    technology_table = technology_table or {}
    onet = catalog.onet_occupations()
    names = sorted({r.name for o in onet for r in o.skills})
    # O*NET's 35 skills are broad ("Critical Thinking"): knowledge_base/curated/onet_skills.csv maps them by
    # hand; a name the file does not list falls back to the nearest labels, with a lower bar.
    skill_links: dict[str, list[tuple[str, float]]] = {
        name: [(u, 1.0) for u in uris] for name, uris in editorial.items() if name in names
    }
    rest = [n for n in names if n not in skill_links]
    skill_links |= dict(zip(rest, matcher.link(rest, "onet-skill-names", threshold=0.6, k=2), strict=True))
    # The hot and in-demand technologies are read by hand (curated/onet_technology.csv: "Docker" is not the
    # "application process" of a permit, AWS is cloud technology); a name it lacks goes to the matcher.
    hot = sorted({t.name for o in onet for t in o.technology if t.hot or t.in_demand} - set(technology_table))
    hot_links = dict(zip(hot, matcher.link(hot, "onet-hot-technology", k=2), strict=True))
    commodities = sorted({t.commodity for o in onet for t in o.technology if t.commodity})
    commodity_links = dict(
        zip(commodities, matcher.link(commodities, "onet-commodities", threshold=0.6, k=2), strict=True)
    )
    for occ in onet:
        for rating in occ.skills:
            rating.esco_uris = [u for u, _ in skill_links.get(rating.name, [])]
        for tech in occ.technology:
            if tech.name in technology_table:
                tech.esco_uris = list(technology_table[tech.name])  # may be "deliberately none"
                continue
            exact = matcher.exact.get(norm(tech.name))
            hits = hot_links.get(tech.name) or ([(u, 1.0) for u in exact[:2]] if exact else [])
            tech.esco_uris = [u for u, _ in hits] or [u for u, _ in commodity_links.get(tech.commodity, [])]


def link_credentials(
    creds: Sequence[Credential],
    skills: dict[str, Skill],
    matcher: SkillMatcher,
    editorial: dict[str, list[str]] | None = None,
    tag_table: dict[str, list[str]] | None = None,
) -> None:
    """Fill `skills` (ESCO URIs) of each credential: its editorial mapping, else its skill tags (through
    `tag_table` where it lists the tag), else its text.

    An editorial mapping is the whole answer: a curated credential merged with a Coursera record keeps the tags
    for search, but Coursera's broad tags ("Audit", "Leadership and Management" on the Google UX certificate)
    would otherwise outnumber the hand-picked skills and decide what the planner thinks it teaches.
    """
    editorial = editorial or {}
    tag_table = tag_table or {}
    # Tags in the editorial tag table (curated/coursera_tags.csv: Coursera's closed vocabulary, read by hand;
    # broad categories and soft skills map to nothing) are linked as it says; any other tag by the matcher.
    tags = sorted({t for c in creds for t in c.skill_tags if t not in tag_table})
    tag_links = dict(zip(tags, matcher.link(tags, "credential-tags"), strict=True))
    tag_links |= {t: [(u, 1.0) for u in uris] for t, uris in tag_table.items()}
    # Titles in another language than English are not linked: the embedding model reads English only.
    untagged = [
        c
        for c in creds
        if not tag_uris(c, tag_links)
        and not editorial.get(c.id)
        and not c.skills  # linked by hand in its source (vocational credentials): that is the whole answer
        and c.language in (None, "English")
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
        if cred.id in editorial:
            uris = list(editorial[cred.id])
        else:
            uris = tag_uris(cred, tag_links) or by_title.get(cred.id, [])[:MAX_TEXT_SKILLS]
            uris += _roadmap_uris(cred, skills)
        cred.skills = [u for u in dict.fromkeys([*cred.skills, *uris]) if u in skills]


def tag_uris(cred: Credential, tag_links: dict[str, list[tuple[str, float]]]) -> list[str]:
    """ESCO URIs of a credential's skill tags, given each tag's links (first seen first, no repeats)."""
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
    """The roadmap chart columns named in a roadmap credential's description ([] for other credentials)."""
    m = re.search(r"roadmap column: ([^)]*)\)", cred.description)
    return [c.strip() for c in m.group(1).split(",")] if m else []
