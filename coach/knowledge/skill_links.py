"""Skills of O*NET occupations and of credentials, as ESCO skill URIs (editorial tables, tags, then text)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from coach.knowledge.catalog import Catalog
from coach.knowledge.matcher import SkillMatcher
from coach.knowledge.sources.common import norm
from coach.models import Credential, Skill

# The roadmap's chart columns, as ESCO skills (Pathway Coach's classification). The chart also holds ITIL,
# TOGAF, Scrum, cloud, Linux and internal-audit certifications, so a column's skills go only to a certification
# whose name names a security topic; the practice columns (PRACTICE_COLUMNS) not to one whose name names
# management, governance, risk or audit (a lead auditor or a risk manager does not do penetration testing); the
# testing column's skill only to names of testing, the software column's only to names of software. An IT or
# security auditor gets ICT auditing instead. ESCO's "identify security threats" (patrols, inspections: police
# and guards) and "manage digital identity" (a person's own online identity) are other senses: threat detection
# is "identify ICT security risks", IAM is "maintain ICT identity management".
ROADMAP_COLUMN_SKILLS = {
    "blueops": ["cyber attack counter-measures", "identify ICT security risks"],
    "redops": ["perform ICT security testing", "penetration testing tool"],
    "test": ["perform ICT security testing"],
    "software": ["web application security threats"],
    "asset": ["data protection", "protect personal data and privacy"],
    "iam": ["use access control software", "maintain ICT identity management"],
    "mgmt": ["information security strategy", "manage IT security compliances"],
    "engineer": ["ICT security standards"],
    "network": ["ICT network security risks", "implement a firewall"],
}
PRACTICE_COLUMNS = {"blueops", "redops", "test", "software", "network"}
ROADMAP_AUDIT_SKILLS = ["execute ICT audits"]
SECURITY_WORDS = re.compile(
    r"secur|cyber|hack|forensic|penetrat|pentest|incident|threat|privacy|defen|offensive|malware|exploit|"
    r"crypt|attack|red team|blue team|vulnerab|intrus|ethical|reverse engineer|27001|27032|isms|identit|"
    r"access manag|data protection|information assurance|\bSOC\b|DFIR|hunt|detection|burp|kali|appsec|tester\b",
    re.I,
)
MANAGEMENT_WORDS = re.compile(
    r"\bmanager\b|officer|governance|risk|complian|audit|security assessor|polic|\blaw\b|controls?\b", re.I
)
AUDIT_WORDS = re.compile(r"audit|security assessor", re.I)
TESTING_WORDS = re.compile(r"test|penetrat|hack|vulnerab", re.I)
# The software column holds malware analysts too: web-application threats only for software and web names.
SOFTWARE_WORDS = re.compile(r"software|web|app|cod(e|er|ing)\b|program", re.I)
ICT_WORDS = re.compile(r"information system|network|\bIT\b|ICT|ISO/IEC 20000", re.I)
# A credential with no editorial mapping and no linked tag is linked by its title: at most TITLE_LINKS of the
# ESCO labels nearest it (cosine >= TITLE_THRESHOLD), each kept only when the skill's description agrees with
# what the credential says it is about (its name and, for edX, summary; cosine >= DESCRIPTION_THRESHOLD).
# Labels alone at 0.55, with summaries linked on their own, gave wrong senses to about a quarter of edX links
# ("Computer Graphics" -> graphic design, "Product Management Fundamentals" -> product data management).
TITLE_THRESHOLD = 0.60
TITLE_LINKS = 2
DESCRIPTION_THRESHOLD = 0.45
# A Coursera tag list longer than this is a university's whole catalogue, not the credential's own: the same
# 100-134 tags sit on every degree and graduate certificate of a school (Taxation, Digital Marketing and Value
# Chain Management alike, with "Graphic Design" and "Machine Learning"); such records are linked by their title.
# The longest genuine lists (a specialization's courses together) have under 50 tags.
MAX_OWN_TAGS = 60
# Coursera lists a course's tags by relevance, and a specialization's after its own come its courses' tags. Of
# the tag links hand-judged while this rule was developed (evals/README.md, "Skill links"), those from the first
# 12 tags were 69 % correct and 4 % wrong, those from further down 38 % correct and 15 % wrong ("Digital
# Marketing" 36th on Digital Manufacturing & Design Technology). Only the first 12 are used; fewer would drop
# genuine links (User Experience Design, 9th on Introduction to Web Development).
TAGS_USED = 12
# A course about a subject teaches the subject, not teaching it: ESCO's "teach computer science" (a teacher's
# skill) is linked from a title only when the credential's name says it is about teaching.
TEACHING_SKILL = re.compile(r"^teach ", re.I)
ABOUT_TEACHING = re.compile(r"teach|tutor|instruct|classroom|pedagog|educator|TESOL|TEFL", re.I)
# ESCO skills the nearest-label matcher reaches from words of course and certification names in another sense;
# never linked from a title (a tag table or editorial mapping may still name them).
TEXT_HOMONYMS = {
    "information structure": "document/data-format structure, reached from 'data structures' courses",
    "define database physical structure": "reached from 'data structures' courses",
    "unstructured data": "reached from 'Python Data Structures'",
    "edge banding": "woodworking, reached from 'The Analytics Edge'",
    "develop professional network": "personal networking, reached from Cisco network certifications",
    "cybernetics": "control theory, reached from 'Cyber Scheme'",
    "forensic pathology": "medicine, reached from digital-forensics certifications",
    "Microsoft Access": "the database product, reached from 'AccessData'",
    "manage security clearance": "personnel vetting, reached from 'Security Administrator'",
    "id Tech": "a game engine, reached from 'Identity' certifications",
    "power engineering": "electrical power, reached from 'Power BI'",
    "discuss artwork": "reached from design and media-law courses",
    "perform weed control operations": "spraying weeds in crops, reached from cannabis cultivation",
    "e-learning": "the teaching method, reached from titles that name their own format ('e-Learning on ...')",
}
PROGRAMME_ONLY = re.compile(r"This course is part of an? [^.]*(Program|Certificate)\.?", re.I)
# Likewise a language ("Japanese", "write Japanese") only for a language course: edX's subject Language, or a
# name about learning one. "Japanese Business Management" and "The Medieval Icelandic Sagas" are not.
LANGUAGE_SKILL = re.compile(r"^The\s[\w\s]+?\slanguage\b")  # ESCO writes "The\xa0Japanese language."
LANGUAGE_COURSE = re.compile(
    r"\blanguage\b|speak|conversation|grammar|vocabulary|pronunciation|for beginners|\blevel \d|\b[ABC][12]\b",
    re.I,
)


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
    tags = sorted({t for c in creds for t in own_tags(c) if t not in tag_table})
    tag_links = dict(zip(tags, matcher.link(tags, "credential-tags"), strict=True))
    tag_links |= {t: [(u, 1.0) for u in uris] for t, uris in tag_table.items()}
    # Titles in another language than English are not linked: the embedding model reads English only.
    untagged = [
        c
        for c in creds
        if not _tags_uris(own_tags(c), tag_links)
        and not editorial.get(c.id)
        and not c.skills  # linked by hand in its source (vocational credentials): that is the whole answer
        and c.language in (None, "English")
    ]
    by_title = _text_links(untagged, skills, matcher)
    for cred in creds:
        if cred.id in editorial:
            uris = list(editorial[cred.id])
        else:
            uris = _tags_uris(own_tags(cred), tag_links) or by_title.get(cred.id, [])
            uris += _roadmap_uris(cred, skills)
        # An editorial mapping replaces even the hand links a merged source brought (it is the whole answer).
        base = [] if cred.id in editorial else cred.skills
        cred.skills = [u for u in dict.fromkeys([*base, *uris]) if u in skills]


def _text_links(
    creds: Sequence[Credential], skills: dict[str, Skill], matcher: SkillMatcher
) -> dict[str, list[str]]:
    """Skills of credentials linked by their text: nearest labels of the title, checked against descriptions."""
    links = matcher.link(
        [c.name for c in creds], "credential-titles", threshold=TITLE_THRESHOLD, k=TITLE_LINKS, exact=False
    )
    candidates = {
        c.id: _subject_skills(c, [u for u, _ in hits], skills) for c, hits in zip(creds, links, strict=True)
    }
    uris = sorted({u for found in candidates.values() for u in found})
    if not uris:
        return candidates
    texts = matcher.embed("credential-texts", [f"{c.name}. {_summary(c)}".strip() for c in creds])
    descriptions = matcher.embed(
        "credential-skill-descriptions", [skills[u].description or skills[u].label for u in uris]
    )
    column = {u: i for i, u in enumerate(uris)}
    return {
        c.id: [
            u
            for u in candidates[c.id]
            if float(texts[row] @ descriptions[column[u]]) >= DESCRIPTION_THRESHOLD
        ]
        for row, c in enumerate(creds)
    }


def own_tags(cred: Credential) -> list[str]:
    """The skill tags that describe a credential: its first TAGS_USED, none when the list is a whole catalogue
    (MAX_OWN_TAGS)."""
    return cred.skill_tags[:TAGS_USED] if len(cred.skill_tags) <= MAX_OWN_TAGS else []


def _summary(cred: Credential) -> str:
    """The summary an edX credential's title links are checked against, without its "Subject: X." prefix ("" for
    other credentials).

    The subject is edX's broad category ("Computer Science" on marketing-analytics and Linux courses): linked,
    it gave "computer science" and "computer engineering" to courses about neither. A summary of "NA", or one
    that only names the programme ("This course is part of a MicroMasters® Program"), counts as none: linked,
    it gave "supervise practical courses" to nine courses.
    """
    if not cred.id.startswith("edx-"):
        return ""
    text = re.sub(r"^Subject: [^.]*\.\s*", "", cred.description).strip()
    return "" if text == "NA" or PROGRAMME_ONLY.fullmatch(text) else text


def _subject_skills(cred: Credential, uris: list[str], skills: dict[str, Skill]) -> list[str]:
    """`uris` linked from a credential's title, less teachers' skills unless it is about teaching, languages
    unless it is a language course, and TEXT_HOMONYMS."""
    teaching = bool(ABOUT_TEACHING.search(cred.name))
    language = bool(LANGUAGE_COURSE.search(cred.name) or cred.description.startswith("Subject: Language"))
    return [
        u
        for u in uris
        if u in skills
        and (teaching or not TEACHING_SKILL.match(skills[u].label))
        and (language or not _is_language(skills[u], skills))
        and skills[u].label not in TEXT_HOMONYMS
    ]


def _is_language(skill: Skill, skills: dict[str, Skill]) -> bool:
    """Whether `skill` is a language ("Japanese") or the use of one ("write Japanese", its narrower skills)."""
    return any(
        LANGUAGE_SKILL.match(s.description or "")
        for s in [skill, *(skills[b] for b in skill.broader if b in skills)]
    )


def tag_uris(cred: Credential, tag_links: dict[str, list[tuple[str, float]]]) -> list[str]:
    """ESCO URIs of a credential's skill tags, given each tag's links (first seen first, no repeats)."""
    return _tags_uris(cred.skill_tags, tag_links)


def _tags_uris(tags: Iterable[str], tag_links: dict[str, list[tuple[str, float]]]) -> list[str]:
    """ESCO URIs of `tags`, given each tag's links (first seen first, no repeats)."""
    return list(dict.fromkeys(u for t in tags for u, _ in tag_links.get(t, [])))


def _roadmap_uris(cred: Credential, skills: dict[str, Skill]) -> list[str]:
    """ESCO skills for the roadmap chart columns a certification sits in (see ROADMAP_COLUMN_SKILLS)."""
    columns = list(dict.fromkeys(_columns(cred)))  # only roadmap-only entries: curated ones are editorial
    if not columns:
        return []
    name = cred.name
    security = bool(SECURITY_WORDS.search(name))
    labels: list[str] = ["cyber security"] if security else []
    if "test" in columns and AUDIT_WORDS.search(name) and (security or ICT_WORDS.search(name)):
        labels += ROADMAP_AUDIT_SKILLS
    if not security:
        return _uris_for_labels(labels, skills)
    managing = bool(MANAGEMENT_WORDS.search(name))
    for col in columns:
        if col in PRACTICE_COLUMNS and managing:
            continue
        if (col == "test" and not TESTING_WORDS.search(name)) or (
            col == "software" and not SOFTWARE_WORDS.search(name)
        ):
            continue
        labels += ROADMAP_COLUMN_SKILLS.get(col, [])
    return _uris_for_labels(list(dict.fromkeys(labels)), skills)


def _columns(cred: Credential) -> list[str]:
    """The roadmap chart columns named in a roadmap credential's description ([] for other credentials)."""
    m = re.search(r"roadmap column: ([^)]*)\)", cred.description)
    return [c.strip() for c in m.group(1).split(",")] if m else []
