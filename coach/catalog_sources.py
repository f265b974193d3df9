"""Readers for the raw sources in knowledge_base/sources/: ESCO, O*NET, credential catalogues and rules.

Each reader turns one source into the shared records of coach.models and never invents a fact: a field the
source does not state stays empty. coach.knowledge assembles the readers' output into a Catalog.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any, get_args

from coach.models import (
    Credential,
    CredentialType,
    Level,
    Occupation,
    OnetSkillRating,
    Rule,
    RuleType,
    Skill,
    Source,
    TechnologySkill,
)

ESCO_URL = "https://esco.ec.europa.eu/"
ONET_URL = "https://www.onetcenter.org/database.html"
CC_BY = "CC BY 4.0"

# O*NET and ESCO CSVs hold long multi-line cells.
csv.field_size_limit(10_000_000)


def norm(text: str) -> str:
    """Normalise a label for exact matching: NFKC, lower case, '&' as 'and', punctuation as spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    text = re.sub(r"[^\w+#.]+", " ", text)  # keep + # . so "C++", "C#", ".NET", "Security+" survive
    text = re.sub(r"(?<!\w)\.|\.(?!\w)", " ", text)
    return " ".join(text.split())


def _lines(cell: str) -> list[str]:
    """Split an ESCO multi-line label cell into clean, distinct labels."""
    seen: dict[str, None] = {}
    for line in cell.splitlines():
        line = " ".join(line.split())
        if line:
            seen.setdefault(line, None)
    return list(seen)


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _read_tsv(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


# --------------------------------------------------------------------------------------------------------------
# ESCO
# --------------------------------------------------------------------------------------------------------------


def read_esco(esco_dir: Path) -> tuple[dict[str, Skill], dict[str, Occupation]]:
    """All ESCO skills (with hierarchy and usage counts) and occupations (with skill relations)."""
    skills: dict[str, Skill] = {}
    for row in _read_csv(esco_dir / "skills_en.csv"):
        uri = row["conceptUri"]
        skills[uri] = Skill(
            uri=uri,
            label=row["preferredLabel"].strip(),
            alt_labels=[a for a in _lines(row["altLabels"]) if a != row["preferredLabel"].strip()],
            description=(row.get("description") or row.get("definition") or "").strip(),
            skill_type=row["skillType"].strip(),
            reuse_level=row["reuseLevel"].strip(),
        )
    for row in _read_csv(esco_dir / "broaderRelationsSkillPillar.csv"):
        skill = skills.get(row["conceptUri"])
        if skill is not None:
            skill.broader.append(row["broaderUri"])

    essential: dict[str, list[str]] = defaultdict(list)
    optional: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv(esco_dir / "occupationSkillRelations.csv.gz"):
        target = essential if row["relationType"] == "essential" else optional
        target[row["occupationUri"]].append(row["skillUri"])
    occupations: dict[str, Occupation] = {}
    for row in _read_csv(esco_dir / "occupations_en.csv"):
        uri = row["conceptUri"]
        label = row["preferredLabel"].strip()
        occupations[uri] = Occupation(
            id=uri,
            source="esco",
            title=label,
            alt_titles=[a for a in _lines(row["altLabels"]) if a != label],
            description=(row.get("description") or row.get("definition") or "").strip(),
            code=row.get("code", "").strip() or row.get("iscoGroup", "").strip(),
            essential_skills=list(dict.fromkeys(u for u in essential.get(uri, []) if u in skills)),
            optional_skills=list(dict.fromkeys(u for u in optional.get(uri, []) if u in skills)),
        )
    # Counted over the released occupations only, so the counts agree with the occupations' own lists.
    ess_count = Counter(u for o in occupations.values() for u in o.essential_skills)
    opt_count = Counter(u for o in occupations.values() for u in o.optional_skills)
    for uri, skill in skills.items():
        skill.essential_for = ess_count.get(uri, 0)
        skill.optional_for = opt_count.get(uri, 0)
    return skills, occupations


# --------------------------------------------------------------------------------------------------------------
# O*NET
# --------------------------------------------------------------------------------------------------------------


def read_onet(onet_dir: Path) -> dict[str, Occupation]:
    """All O*NET occupations with skills (IM, LV), technology skills, core tasks, titles, zone, education."""
    occs: dict[str, Occupation] = {}
    for row in _read_tsv(onet_dir / "Occupation Data.txt"):
        soc = row["O*NET-SOC Code"]
        occs[soc] = Occupation(
            id=soc,
            source="onet",
            title=row["Title"].strip(),
            description=row["Description"].strip(),
            code=soc,
        )

    for row in _read_tsv(onet_dir / "Job Zones.txt"):
        if row["O*NET-SOC Code"] in occs and row["Job Zone"].strip().isdigit():
            occs[row["O*NET-SOC Code"]].job_zone = int(row["Job Zone"])

    ratings: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for row in _read_tsv(onet_dir / "Skills.txt"):
        rec = ratings[row["O*NET-SOC Code"]].setdefault(
            row["Element ID"], {"name": row["Element Name"].strip(), "IM": None, "LV": None}
        )
        rec[row["Scale ID"]] = float(row["Data Value"])
    for soc, by_element in ratings.items():
        if soc not in occs:
            continue
        occs[soc].skills = [
            OnetSkillRating(element_id=eid, name=str(r["name"]), importance=r["IM"], level=r["LV"])  # type: ignore[arg-type]
            for eid, r in sorted(by_element.items())
            if r["IM"] is not None
        ]

    for row in _read_tsv(onet_dir / "Technology Skills.txt"):
        occ = occs.get(row["O*NET-SOC Code"])
        if occ is not None:
            occ.technology.append(
                TechnologySkill(
                    name=row["Example"].strip(),
                    commodity=row["Commodity Title"].strip(),
                    hot=row["Hot Technology"].strip() == "Y",
                    in_demand=row["In Demand"].strip() == "Y",
                )
            )

    core: dict[str, list[str]] = defaultdict(list)
    other: dict[str, list[str]] = defaultdict(list)
    for row in _read_tsv(onet_dir / "Task Statements.txt"):
        (core if row["Task Type"].strip() == "Core" else other)[row["O*NET-SOC Code"]].append(
            row["Task"].strip()
        )
    for soc, occ in occs.items():
        # Core tasks are what the brief asks for; occupations rated without a core/supplemental split keep all.
        occ.tasks = core.get(soc) or other.get(soc, [])

    titles: dict[str, dict[str, None]] = defaultdict(dict)
    for row in _read_tsv(onet_dir / "Alternate Titles.txt"):
        titles[row["O*NET-SOC Code"]].setdefault(row["Alternate Title"].strip(), None)
    for row in _read_tsv(onet_dir / "Sample of Reported Titles.txt"):
        titles[row["O*NET-SOC Code"]].setdefault(row["Reported Job Title"].strip(), None)
    for soc, occ in occs.items():
        occ.alt_titles = [t for t in titles.get(soc, {}) if t and t != occ.title]

    categories: dict[str, str] = {}
    for row in _read_tsv(onet_dir / "Education, Training, and Experience Categories.txt"):
        if row["Scale ID"] == "RL":
            categories[row["Category"].strip()] = row["Category Description"].strip()
    best: dict[str, tuple[float, str]] = {}
    for row in _read_tsv(onet_dir / "Education, Training, and Experience.txt"):
        if row["Scale ID"] != "RL":
            continue
        value = float(row["Data Value"] or 0)
        soc = row["O*NET-SOC Code"]
        if soc not in best or value > best[soc][0]:
            best[soc] = (value, row["Category"].strip())
    for soc, (value, cat) in best.items():
        if soc in occs and value > 0:
            occs[soc].education = categories.get(cat)
    return occs


# --------------------------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------------------------

CURATED_AS_OF = "2026-11-24"  # compilation date stated in curated-credentials/PROVENANCE.md
COURSERA_AS_OF = "2023"
EDX_AS_OF = "2021"
UDEMY_AS_OF = "2017"
# The roadmap's PROVENANCE names a commit but neither its date nor a year, and none could be found: "n.d."
# (no date, the bibliographic convention) says so rather than guessing one.
ROADMAP_AS_OF = "n.d."
LICENCE_UNKNOWN = "public, licence unknown"
ROADMAP_LICENCE = "CC BY-SA 4.0 (Security Certification Roadmap by Paul Jerimy)"
CURATED_LICENCE = "facts from vendor and third-party pages; roadmap-derived cells CC BY-SA 4.0"

COURSERA_PACE = (5.0, 10.0)  # assumed study hours per week, low and high
WEEKS_PER_MONTH = 52 / 12
COURSERA_HOURS_RULE = (
    "Estimated from Coursera's course-length bucket: lower bound of the bucket in weeks x 5 h/week to upper "
    "bound x 10 h/week (a month = 4.33 weeks; the 5-10 h/week study pace is an assumption, the listing gives "
    "length, not hours)."
)
EDX_HOURS_RULE = (
    "Estimated from edX's stated effort and length: low hours/week x weeks to high hours/week x weeks."
)


def slug(text: str) -> str:
    """A URL-safe id fragment: 'CompTIA Security+' → 'comptia-security-plus'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("+", " plus ").replace("#", " sharp ").replace("&", " and ")
    return "-".join(re.findall(r"[a-z0-9]+", text))[:80].strip("-")


_MONEY = re.compile(
    r"^\$\s?(\d[\d,]*(?:\.\d+)?)\s+(exam|lab|labs|hands-on lab|written exam|practical exam|exam & lab)$", re.I
)


def parse_roadmap_cost(tooltip: str) -> tuple[float | None, str | None, str | None]:
    """(cost, currency, note) from a roadmap tooltip; cost only when the first cost line is one plain fee.

    "$404 exam" → 404 USD. Ranges ("$500-749"), approximations ("~$600", "EST"), several exams ("$800 two
    exams"), bundles ("$2,700 course + exam") or a bare amount stay text in the note: they are not one price.
    """
    lines = [p.strip() for p in tooltip.replace("\\n", "\n").split("\n")[1:] if p.strip()]
    if not lines:
        return None, None, None
    note = "; ".join(lines)
    m = _MONEY.match(lines[0])
    if m is None:
        return None, None, note
    extra = lines[1:]
    return float(m.group(1).replace(",", "")), "USD", ("; ".join(extra) if extra else None)


def roadmap_level(skill_level: int | None) -> str | None:
    """The roadmap's chart row (1 top .. 26 bottom) as a level: ≥20 entry, 14-19 intermediate, 8-13 advanced, else expert."""
    if skill_level is None:
        return None
    if skill_level >= 20:
        return "entry"
    if skill_level >= 14:
        return "intermediate"
    if skill_level >= 8:
        return "advanced"
    return "expert"


_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)")


def coursera_hours(bucket: str) -> tuple[float | None, float | None]:
    """Hours range from a Coursera duration bucket (see COURSERA_HOURS_RULE); (None, None) when not a bucket."""
    b = " ".join(bucket.split()).lower()
    if b == "less than 2 hours":
        return None, 2.0
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)\s+(weeks|months)", b)
    if not m:
        return None, None
    lo, hi = float(m.group(1)), float(m.group(2))
    per = 1.0 if m.group(3) == "weeks" else WEEKS_PER_MONTH
    return round(lo * per * COURSERA_PACE[0], 1), round(hi * per * COURSERA_PACE[1], 1)


def edx_hours(effort: str, length: str) -> tuple[float | None, float | None]:
    """Hours range from edX effort ("2–3 hours per week") and length ("7 Weeks")."""
    e = _RANGE.search(effort or "")
    w = re.search(r"(\d+)\s*weeks?", (length or "").lower())
    if not w:
        return None, None
    weeks = float(w.group(1))
    if e and "week" in effort.lower():
        return float(e.group(1)) * weeks, float(e.group(2)) * weeks
    one = re.search(r"(\d+(?:\.\d+)?)\s*hours?\s*per\s*week", (effort or "").lower())
    if one:
        return float(one.group(1)) * weeks, float(one.group(1)) * weeks
    return None, None


def edx_price(price: str) -> tuple[float | None, str | None, str | None]:
    """(cost, currency, note) from an edX price cell such as 'FREE-Add a Verified Certificate for $49 USD'."""
    m = re.search(r"\$\s?(\d+(?:\.\d+)?)\s*USD", price or "")
    if not m:
        return None, None, (price or None)
    note = "Free to audit; verified certificate " + m.group(0) if price.upper().startswith("FREE") else price
    return float(m.group(1)), "USD", note


def parse_hours_text(text: str) -> tuple[float | None, float | None]:
    """Only clear numbers of hours ('40 hours', '30-40 hours'); anything else (months, classes) is (None, None)."""
    t = text.lower()
    if re.search(r"hours?\s*(/|per|a)\s*(week|wk|day)", t):
        return None, None  # a pace, not a total
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*hours?\b", t)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.search(r"(\d+(?:\.\d+)?)\s*hours?\b", t)
    if m:
        return float(m.group(1)), float(m.group(1))
    return None, None


# Issuer of a roadmap certification, read from the domain of its official page (the roadmap has no provider
# column). Domains not listed keep the domain itself as provider, which is what the data says.
ROADMAP_ISSUERS = {
    "giac.org": "GIAC (SANS)",
    "mosse-institute.com": "Mossé Cyber Security Institute",
    "mile2.com": "Mile2",
    "crest-approved.org": "CREST",
    "exin.com": "EXIN",
    "gaqm.org": "GAQM",
    "eccouncil.org": "EC-Council",
    "ciso.eccouncil.org": "EC-Council",
    "seco-institute.org": "SECO-Institute",
    "training.fortinet.com": "Fortinet",
    "cisco.com": "Cisco",
    "docs.microsoft.com": "Microsoft",
    "learn.microsoft.com": "Microsoft",
    "comptia.org": "CompTIA",
    "itgovernance.co.uk": "IT Governance",
    "offensive-security.com": "OffSec",
    "help.offensive-security.com": "OffSec",
    "identitymanagementinstitute.org": "Identity Management Institute",
    "secops.group": "The SecOps Group",
    "pecb.com": "PECB",
    "app.infosecinstitute.com": "Infosec Institute",
    "isc2.org": "ISC2",
    "axelos.com": "PeopleCert (AXELOS)",
    "isaca.org": "ISACA",
    "scrum.org": "Scrum.org",
    "security.ine.com": "INE",
    "paloaltonetworks.com": "Palo Alto Networks",
    "apmg-international.com": "APMG International",
    "isecom.org": "ISECOM",
    "vmware.com": "VMware",
    "isa.org": "ISA",
    "drii.org": "DRI International",
    "pmi.org": "PMI",
    "juniper.net": "Juniper Networks",
    "aws.amazon.com": "Amazon Web Services",
    "academy.hackthebox.com": "Hack The Box",
    "cncf.io": "CNCF / The Linux Foundation",
    "training.linuxfoundation.org": "The Linux Foundation",
    "trailhead.salesforce.com": "Salesforce",
    "redhat.com": "Red Hat",
    "lpi.org": "Linux Professional Institute",
    "cloud.google.com": "Google Cloud",
    "training-certifications.checkpoint.com": "Check Point",
    "bcs.org": "BCS",
    "certnexus.com": "CertNexus",
    "iapp.org": "IAPP",
    "cloudsecurityalliance.org": "Cloud Security Alliance",
    "opengroup.org": "The Open Group",
    "sabsa.org": "The SABSA Institute",
    "ncsc.gov.uk": "NCSC",
    "asisonline.org": "ASIS International",
    "certifications.tcm-sec.com": "TCM Security",
    "elearnsecurity.com": "INE",
    "securityblue.team": "Security Blue Team",
    "cyberdefenders.org": "CyberDefenders",
    "suse.com": "SUSE",
    "pcisecuritystandards.org": "PCI Security Standards Council",
}


def _domain(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse((url or "").strip().lower()).netloc.removeprefix("www.")


def url_key(url: str | None) -> str | None:
    """An official URL reduced for comparison (scheme, www., trailing slash and query dropped)."""
    if not url or "://" not in url:
        return None
    from urllib.parse import urlparse

    p = urlparse(url.strip().lower())
    return p.netloc.removeprefix("www.") + p.path.rstrip("/")


def provider_key(provider: str) -> str:
    """A provider reduced for de-duplication: 'Google (Coursera)' → 'google'."""
    return norm(re.sub(r"\(.*?\)", " ", provider))


_NAME_SUFFIX = re.compile(
    r"\s+(professional certificate|professional certification|certificate|specialization|certification)$"
)


def name_key(name: str, provider: str = "") -> str:
    """A credential name reduced for de-duplication: provider prefix, kind suffix and bracketed notes dropped."""
    n = norm(re.sub(r"\[.*?\]", " ", name))
    n = _NAME_SUFFIX.sub("", n).strip()
    p = provider_key(provider)
    if p and n.startswith(p + " "):
        n = n[len(p) + 1 :]
    return n


def _sources_from_urls(urls: str) -> list[Source]:
    out = []
    for u in [x.strip() for x in urls.split(";") if x.strip()]:
        if u == "security-cert-roadmap":
            out.append(
                Source(
                    name="security-cert-roadmap",
                    url=ROADMAP_URL,
                    licence=ROADMAP_LICENCE,
                    as_of=ROADMAP_AS_OF,
                )
            )
        elif u == "coursera-courses-2023":
            out.append(Source(name="coursera-courses-2023", licence=LICENCE_UNKNOWN, as_of=COURSERA_AS_OF))
        else:
            out.append(
                Source(name=f"curated-credentials: {_domain(u)}", url=u, licence=None, as_of=CURATED_AS_OF)
            )
    return out


ROADMAP_URL = "https://pauljerimy.com/security-certification-roadmap/"
CURATED_TYPES = {"stackable_certification": "certification"}


def read_curated(path: Path) -> list[Credential]:
    """The 86 curated industry credentials, mapped faithfully (see curated-credentials/PROVENANCE.md)."""
    out: list[Credential] = []
    for row in _read_csv(path):
        ctype = CURATED_TYPES.get(row["credential_type"].strip(), row["credential_type"].strip())
        hours_text = row["hours_estimate"].strip()
        lo, hi = parse_hours_text(hours_text) if hours_text else (None, None)
        desc = []
        if row["prerequisites_stated"].strip():
            desc.append("Prerequisites (as stated): " + row["prerequisites_stated"].strip())
        if row["renewal"].strip():
            desc.append("Renewal: " + row["renewal"].strip())
        cost = float(row["exam_cost_usd"]) if row["exam_cost_usd"].strip() else None
        cost_note = None
        if cost is not None and "per exam" in row["prerequisites_stated"].lower():
            cost_note = "price per exam; see prerequisites for the number of exams"
        stackable = row["credential_type"].strip() == "stackable_certification"
        first_url = next((u for u in row["source_urls"].split(";") if "://" in u), None)
        out.append(
            Credential(
                id=row["id"].strip(),
                name=row["name"].strip(),
                provider=row["provider"].strip(),
                type=ctype,  # type: ignore[arg-type]
                level=row["level"].strip() or None,  # type: ignore[arg-type]
                hours_min=lo,
                hours_max=hi,
                hours_rule=hours_text or None,
                cost=cost,
                currency="USD" if cost is not None else None,
                cost_note=cost_note,
                format="stackable award (no exam)"
                if stackable
                else ("exam" if ctype == "certification" else "online course"),
                url=row["official_url"].strip() or None,
                exam_code=row["exam_code"].strip() or None,
                validity_years=float(row["validity_years"]) if row["validity_years"].strip() else None,
                description=" ".join(desc),
                aliases=_paren_aliases(row["name"]),
                sources=[
                    Source(
                        name="curated-credentials",
                        url=first_url,
                        licence=CURATED_LICENCE,
                        as_of=CURATED_AS_OF,
                    ),
                    *_sources_from_urls(row["source_urls"]),
                ],
            )
        )
    return out


def _paren_aliases(name: str) -> list[str]:
    """Acronyms a name gives in brackets: 'ISC2 Certified in Cybersecurity (CC)' → ['CC']."""
    out = []
    for inner in re.findall(r"\(([^)]*)\)", name):
        for part in re.split(r"\s*/\s*|,\s*", inner):
            part = part.replace("formerly", "").strip()
            if part and len(part) <= 24 and part.lower() not in {"designation", "coursera"}:
                out.append(part)
    return out


# Evident errors in the roadmap's data, corrected when it is read (the copy in knowledge_base/sources is unchanged;
# see its PROVENANCE.md). GCIH (linked to giac.org/certification/gcih) carries a garbled copy of GCFA's name.
ROADMAP_NAME_FIXES = {("GCIH", "GIAC Certified Forensics Analystr"): "GIAC Certified Incident Handler"}


def read_roadmap(path: Path) -> list[Credential]:
    """The 482 certifications of the Security Certification Roadmap."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: list[Credential] = []
    seen: Counter[str] = Counter()
    for item in data:
        tooltip = item.get("tooltiptext") or ""
        full = tooltip.replace("\\n", "\n").split("\n")[0].strip() or item["content"].strip()
        full = ROADMAP_NAME_FIXES.get((item["content"].strip(), full), full)
        cost, currency, note = parse_roadmap_cost(tooltip)
        href = (item.get("href") or "").strip() or None
        if href and href.startswith("hhttps://"):  # two entries' links have a doubled "h"
            href = href[1:]
        dom = _domain(href or "")
        provider = (
            ROADMAP_ISSUERS.get(dom) or ROADMAP_ISSUERS.get(".".join(dom.split(".")[-2:])) or dom or "unknown"
        )
        base = "roadmap-" + slug(item["content"])
        seen[base] += 1
        cid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        cats = [item.get("mainCategory"), item.get("subCategory"), *(item.get("adjacentCategory") or [])]
        out.append(
            Credential(
                id=cid,
                name=full,
                provider=provider,
                type="certification",
                level=roadmap_level(item.get("skillLevel")),  # type: ignore[arg-type]
                cost=cost,
                currency=currency,
                cost_note=note,
                format="exam",
                url=href,
                description=f"Security certification (roadmap column: {', '.join(c for c in cats if c)}).",
                aliases=[item["content"].strip()],
                sources=[
                    Source(
                        name="security-cert-roadmap",
                        url=href or ROADMAP_URL,
                        licence=ROADMAP_LICENCE,
                        as_of=ROADMAP_AS_OF,
                    )
                ],
            )
        )
    return out


COURSERA_TYPES = {
    "course": ("course", True),
    "specialization": ("specialization", True),
    "professional certificate": ("professional_certificate", True),
    "guided project": ("guided_project", True),
    "degree": ("degree", False),
    "postgraduate diploma": ("degree", False),
    "mastertrack": ("program", False),
    "graduate certificate": ("program", False),
    "university certificate": ("program", False),
}
LEVELS = {
    "beginner": "entry",
    "introductory": "entry",
    "intermediate": "intermediate",
    "advanced": "advanced",
}


def read_coursera(path: Path) -> list[Credential]:
    """Coursera 2023 offerings; degrees and university programmes are marked not micro-credentials."""
    out: list[Credential] = []
    for row in _read_csv(path):
        name = " ".join(row["course"].split()).rstrip(":").strip()
        partner = row["partner"].strip()
        raw_type = row["certificatetype"].strip().lower()
        if raw_type in ("", "none"):
            # Some scraped rows are shifted: the type sits in the level column; otherwise the type is unknown.
            raw_type = row["level"].strip().lower()
        if raw_type not in COURSERA_TYPES:
            continue  # an empty scraped row: its duplicates (if any) carry the facts; no type is not guessed
        ctype, micro = COURSERA_TYPES[raw_type]
        tags = [t.strip().strip('"').strip() for t in row["skills"].strip().strip("{}").split('","')]
        tags = [
            t
            for t in (x.strip('"').strip() for x in tags)
            # The scrape put type names and review counts ("(2.8k reviews)") into some skill cells.
            if t and t.lower() not in {"course", "specialization", "degree"} and not t.startswith("(")
        ]
        duration = row["duration"].strip()
        lo, hi = coursera_hours(duration) if micro else (None, None)
        estimated = lo is not None or hi is not None
        desc = f"Coursera {raw_type or 'offering'} by {partner}."
        if duration and duration != "None":
            desc += f" Length: {duration}."
        if row["crediteligibility"].strip() == "true":
            desc += " Listed as eligible for college credit."
        out.append(
            Credential(
                id="coursera-" + slug(name),
                name=name,
                provider=partner,
                type=ctype,  # type: ignore[arg-type]
                level=LEVELS.get(row["level"].strip().lower()),  # type: ignore[arg-type]
                hours_min=lo,
                hours_max=hi,
                hours_estimated=estimated,
                hours_rule=COURSERA_HOURS_RULE + f" Bucket: '{duration}'." if estimated else None,
                format="online course",
                description=desc,
                skill_tags=tags,
                is_microcredential=micro,
                sources=[Source(name="coursera-courses-2023", licence=LICENCE_UNKNOWN, as_of=COURSERA_AS_OF)],
            )
        )
    return out


def read_edx(path: Path) -> list[Credential]:
    """edX courses with hours from effort x length and the verified-certificate price."""
    out: list[Credential] = []
    for row in _read_csv(path):
        name = " ".join(row["title"].split())
        lo, hi = edx_hours(row["course_effort"], row["course_length"])
        cost, currency, note = edx_price(row["price"])
        fmt = "online self-paced" if "self-paced" in row["course_type"].lower() else "online instructor-led"
        summary = " ".join((row.get("summary") or "").split())
        desc = f"Subject: {row['subject'].strip()}. {summary}" if row["subject"].strip() else summary
        out.append(
            Credential(
                id="edx-" + slug(name),
                name=name,
                provider=row["institution"].strip(),
                type="course",
                level=LEVELS.get(row["Level"].strip().lower()),  # type: ignore[arg-type]
                hours_min=lo,
                hours_max=hi,
                hours_estimated=lo is not None,
                hours_rule=(EDX_HOURS_RULE + f" ('{row['course_effort']}' x '{row['course_length']}')")
                if lo is not None
                else None,
                cost=cost,
                currency=currency,
                cost_note=note,
                format=fmt,
                url=row["course_url"].strip() or None,
                description=desc.strip(),
                language=row.get("language", "").strip() or None,
                sources=[
                    Source(
                        name="edx-courses",
                        url=row["course_url"].strip() or None,
                        licence=LICENCE_UNKNOWN,
                        as_of=EDX_AS_OF,
                    )
                ],
            )
        )
    return out


# --------------------------------------------------------------------------------------------------------------
# Pathway rules
# --------------------------------------------------------------------------------------------------------------

_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "eighteen": 18, "twenty-four": 24, "thirty-six": 36,
}  # fmt: skip
_DURATION = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r")(?:\s*\+)?\s+(years?|months?)\b", re.I
)
_WINDOW_BEFORE = re.compile(r"(within|up to|past|every|after)\s*$", re.I)
_WINDOW_AFTER = re.compile(r"^\s*(to qualify|to complete|to apply|after)", re.I)


def parse_any_of(condition: str) -> bool:
    """True when the condition says any one of the objects is enough ('either', 'one of')."""
    return bool(re.search(r"\beither\b|\bone of\b|\bany one\b", condition, re.I))


def parse_experience_years(condition: str) -> float | None:
    """The first stated length of work ('five years', '5 years', '36 months' = 3), skipping time windows."""
    for m in _DURATION.finditer(condition):
        before, after = condition[max(0, m.start() - 12) : m.start()], condition[m.end() : m.end() + 20]
        if _WINDOW_BEFORE.search(before) or _WINDOW_AFTER.search(after):
            continue  # "within up to six years", "with six years to qualify": a deadline, not experience
        raw = m.group(1).lower()
        value = float(_NUMBERS.get(raw, 0) or raw)
        return round(value / 12, 2) if m.group(2).lower().startswith("month") else value
    return None


def read_rules(path: Path, as_of: str = CURATED_AS_OF) -> list[Rule]:
    """Pathway rules from a rules.csv in the curated format (id, rule_type, subject, objects, condition, ...)."""
    out = []
    for row in _read_csv(path):
        objects = [o.strip() for o in (row.get("objects") or "").split(";") if o.strip()]
        condition = (row.get("condition") or "").strip()
        rtype = row["rule_type"].strip()
        out.append(
            Rule(
                id=row["id"].strip(),
                type=rtype,  # type: ignore[arg-type]
                subject=row["subject"].strip(),
                objects=objects,
                any_of=len(objects) > 1 and parse_any_of(condition),
                condition=condition,
                experience_years=parse_experience_years(condition)
                if rtype == "experience_required"
                else None,
                source_url=(row.get("source_url") or "").strip() or None,
                quote=(row.get("quote") or "").strip() or None,
                as_of=(row.get("as_of") or "").strip() or as_of,
            )
        )
    return out


# --------------------------------------------------------------------------------------------------------------
# Bring your own catalogue
# --------------------------------------------------------------------------------------------------------------

ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
CREDENTIAL_TYPES = set(get_args(CredentialType))
LEVEL_VALUES = set(get_args(Level))
RULE_TYPES = set(get_args(RuleType))
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}


_NOT_OBJECT = "\x00not-an-object"


class RowError(ValueError):
    """One problem with one row of a user catalogue."""


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value).strip()


def _number(row: dict[str, Any], key: str) -> float | None:
    raw = _text(row, key)
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "")) if isinstance(row.get(key), str) else float(row[key])
    except (TypeError, ValueError):
        raise RowError(f"{key} must be a number ≥ 0, got {raw!r}") from None
    if value < 0 or value != value:
        raise RowError(f"{key} must be a number ≥ 0, got {raw!r}")
    return value


def _url(row: dict[str, Any], key: str) -> str | None:
    raw = _text(row, key)
    if raw and not re.match(r"^https?://\S+$", raw):
        raise RowError(f"{key} must be an http(s) URL, got {raw!r}")
    return raw or None


def _list(row: dict[str, Any], key: str) -> list[str]:
    value = row.get(key)
    items = value if isinstance(value, list) else _text(row, key).split(";")
    return [str(v).strip() for v in items if str(v).strip()]


def _check_object(row: dict[str, Any]) -> None:
    if _NOT_OBJECT in row:
        raise RowError(f"expected an object, got {type(row[_NOT_OBJECT]).__name__}")


def parse_user_credential(row: dict[str, Any], source_name: str) -> Credential:
    """One row of a user credentials file → Credential (raises RowError with a readable message)."""
    _check_object(row)
    cid = _text(row, "id")
    if not cid:
        raise RowError("id is required")
    if not _ID.match(cid):
        raise RowError(f"id must be letters, digits, '-', '_', '.' or ':' without spaces, got {cid!r}")
    for key in ("name", "provider", "type", "as_of"):
        if not _text(row, key):
            raise RowError(f"{key} is required")
    ctype = _text(row, "type").lower()
    if ctype not in CREDENTIAL_TYPES:
        raise RowError(
            f"type must be one of {', '.join(sorted(CREDENTIAL_TYPES))}, got {_text(row, 'type')!r}"
        )
    level = _text(row, "level").lower() or None
    if level is not None and level not in LEVEL_VALUES:
        raise RowError(f"level must be one of {', '.join(sorted(LEVEL_VALUES))}, got {_text(row, 'level')!r}")
    lo, hi = _number(row, "hours_min"), _number(row, "hours_max")
    if lo is not None and hi is not None and lo > hi:
        raise RowError(f"hours_min ({lo:g}) is larger than hours_max ({hi:g})")
    cost = _number(row, "cost")
    currency = _text(row, "currency").upper() or None
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise RowError(f"currency must be a three-letter code such as USD, got {_text(row, 'currency')!r}")
    if cost is not None and currency is None:
        raise RowError("currency is required when cost is given")
    as_of = _text(row, "as_of")
    if not _DATE.match(as_of):
        raise RowError(f"as_of must be a date YYYY, YYYY-MM or YYYY-MM-DD, got {as_of!r}")
    url, source_url = _url(row, "url"), _url(row, "source_url")
    micro_raw = _text(row, "is_microcredential").lower()
    if micro_raw not in _TRUE | _FALSE:
        raise RowError(f"is_microcredential must be true or false, got {_text(row, 'is_microcredential')!r}")
    skills = _list(row, "skills")
    return Credential(
        id=cid,
        name=_text(row, "name"),
        provider=_text(row, "provider"),
        type=ctype,  # type: ignore[arg-type]
        level=level,  # type: ignore[arg-type]
        hours_min=lo,
        hours_max=hi,
        cost=cost,
        currency=currency,
        format=_text(row, "format") or None,
        url=url,
        exam_code=_text(row, "exam_code") or None,
        description=_text(row, "description"),
        skills=[s for s in skills if s.startswith(ESCO_SKILL_PREFIX)],
        skill_tags=[s for s in skills if not s.startswith(ESCO_SKILL_PREFIX)],
        is_microcredential=(micro_raw in _TRUE) if micro_raw else ctype not in ("degree", "program"),
        sources=[Source(name=source_name, url=source_url or url, as_of=as_of)],
    )


def parse_user_rule(row: dict[str, Any]) -> Rule:
    """One row of a user rules file → Rule (raises RowError with a readable message)."""
    _check_object(row)
    rid = _text(row, "id")
    if not rid:
        raise RowError("id is required")
    rtype = _text(row, "type") or _text(row, "rule_type")
    if rtype not in RULE_TYPES:
        raise RowError(f"type must be one of {', '.join(sorted(RULE_TYPES))}, got {rtype!r}")
    subject = _text(row, "subject")
    if not subject:
        raise RowError("subject is required")
    objects = _list(row, "objects")
    condition = _text(row, "condition")
    any_raw = _text(row, "any_of").lower()
    if any_raw not in _TRUE | _FALSE:
        raise RowError(f"any_of must be true or false, got {_text(row, 'any_of')!r}")
    years = _number(row, "experience_years")
    if rtype == "experience_required" and years is None:
        years = parse_experience_years(condition)
    as_of = _text(row, "as_of")
    if as_of and not _DATE.match(as_of):
        raise RowError(f"as_of must be a date YYYY, YYYY-MM or YYYY-MM-DD, got {as_of!r}")
    return Rule(
        id=rid,
        type=rtype,  # type: ignore[arg-type]
        subject=subject,
        objects=objects,
        any_of=(any_raw in _TRUE) if any_raw else (len(objects) > 1 and parse_any_of(condition)),
        condition=condition,
        experience_years=years,
        source_url=_url(row, "source_url"),
        quote=_text(row, "quote") or None,
        as_of=as_of or None,
    )


def _user_rows(folder: Path, stem: str, errors: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """(where, row) pairs from `stem`.csv or `stem`.json; `where` is 'file line N' / 'file item N'."""
    csv_path, json_path = folder / f"{stem}.csv", folder / f"{stem}.json"
    rows: list[tuple[str, dict[str, Any]]] = []
    if csv_path.exists():
        try:
            with open(csv_path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
                    errors.append(
                        f"{csv_path.name} line 1: the header must name the columns and include 'id'"
                    )
                    return rows
                start = 2
                for row in reader:
                    clean = {(k or "").strip(): v for k, v in row.items() if k is not None}
                    if None in row:
                        errors.append(f"{csv_path.name} line {start}: more cells than header columns")
                    elif any((v or "").strip() for v in clean.values()):
                        rows.append((f"{csv_path.name} line {start}", clean))
                    start = reader.line_num + 1
        except (UnicodeDecodeError, csv.Error) as exc:
            errors.append(f"{csv_path.name}: not a readable UTF-8 CSV file ({exc})")
    if json_path.exists():
        try:
            data = json.loads(json_path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors.append(f"{json_path.name}: not valid JSON ({exc})")
            return rows
        items = data.get(stem) if isinstance(data, dict) else data
        if not isinstance(items, list):
            errors.append(f'{json_path.name}: expected a list of objects (or {{"{stem}": [...]}})')
            return rows
        for n, item in enumerate(items, start=1):
            # A non-object item is reported in file order, with the rows, by the row parser.
            rows.append(
                (f"{json_path.name} item {n}", item if isinstance(item, dict) else {_NOT_OBJECT: item})
            )
    return rows


# CTDL (Credential Transparency Description Language) JSON-LD: the credential classes read, and what they become.
CTDL_TYPES = {
    "Certification": "certification",
    "License": "certification",
    "ApprenticeshipCertificate": "certification",
    "JourneymanCertificate": "certification",
    "MasterCertificate": "certification",
    "Certificate": "professional_certificate",
    "CertificateOfCompletion": "course",
    "Badge": "badge",
    "DigitalBadge": "badge",
    "OpenBadge": "badge",
    "MicroCredential": "badge",
    "Course": "course",
    "LearningOpportunityProfile": "course",
    "LearningProgram": "program",
    "Diploma": "program",
    "Degree": "degree",
    "AssociateDegree": "degree",
    "BachelorDegree": "degree",
    "MasterDegree": "degree",
    "DoctoralDegree": "degree",
    "ProfessionalDoctorate": "degree",
    "ResearchDoctorate": "degree",
}
CTDL_CONDITIONS = {"ceterms:requires": "prerequisite_required", "ceterms:recommends": "recommended_before"}


def _ld_text(value: Any) -> str:
    """A JSON-LD literal as text: plain, {"@value": ...}, a language map ({"en-US": ...}) or a list of these."""
    if isinstance(value, list):
        return _ld_text(value[0]) if value else ""
    if isinstance(value, dict):
        if "@value" in value:
            return str(value["@value"]).strip()
        if "@id" in value:
            return str(value["@id"]).strip()
        for lang in ("en-US", "en", "en-GB", *value):
            if lang in value:
                return _ld_text(value[lang])
        return ""
    return "" if value is None else str(value).strip()


def _ld_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _iso_hours(duration: str) -> float | None:
    """Hours of an ISO 8601 duration given in hours and minutes ('PT40H', 'PT1H30M'); None for weeks, months."""
    m = re.fullmatch(r"PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?", duration.strip())
    if not m or not (m.group(1) or m.group(2)):
        return None
    return float(m.group(1) or 0) + float(m.group(2) or 0) / 60


def _ctdl_rows(
    path: Path, errors: list[str]
) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    """Credential rows and rule rows (in the CSV format) from a CTDL JSON-LD file; bad JSON is one error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.append(f"{path.name}: not valid JSON ({exc})")
        return [], []
    graph = data.get("@graph", [data]) if isinstance(data, dict) else data
    if not isinstance(graph, list):
        errors.append(f"{path.name}: expected a JSON-LD document with an @graph list")
        return [], []
    nodes = {n["@id"]: n for n in graph if isinstance(n, dict) and isinstance(n.get("@id"), str)}

    def resolve(ref: Any) -> dict[str, Any]:
        key = ref.get("@id") if isinstance(ref, dict) and set(ref) == {"@id"} else ref
        if isinstance(key, str):
            return nodes.get(key, {"@id": key})
        return ref if isinstance(ref, dict) else {}

    creds: list[tuple[str, dict[str, Any]]] = []
    ours: dict[str, str] = {}  # JSON-LD @id → credential id
    found: list[tuple[str, dict[str, Any], str]] = []
    for n, node in enumerate(graph, start=1):
        if not isinstance(node, dict):
            continue
        kind = str(_ld_list(node.get("@type"))[0] if node.get("@type") else "").removeprefix("ceterms:")
        if kind not in CTDL_TYPES:
            continue  # organisations, profiles, alignment objects: read through the credentials
        where = f"{path.name} @graph item {n}"
        cid = _ld_text(node.get("ceterms:ctid")).removeprefix("urn:ctid:") or slug(_ld_text(node.get("@id")))
        provider = next(
            (
                _ld_text(resolve(ref).get("ceterms:name"))
                for key in ("ceterms:ownedBy", "ceterms:offeredBy")
                for ref in _ld_list(node.get(key))
                if _ld_text(resolve(ref).get("ceterms:name"))
            ),
            "",
        )
        row: dict[str, Any] = {
            "id": cid,
            "name": _ld_text(node.get("ceterms:name")),
            "provider": provider,
            "type": CTDL_TYPES[kind],
            "url": _ld_text(node.get("ceterms:subjectWebpage")),
            "as_of": _ld_text(node.get("ceterms:dateEffective"))[:10],
            "description": _ld_text(node.get("ceterms:description")),
        }
        for ref in _ld_list(node.get("ceterms:estimatedCost")):
            profile = resolve(ref)
            if _ld_text(profile.get("ceterms:price")):
                row["cost"] = _ld_text(profile.get("ceterms:price"))
                row["currency"] = _ld_text(profile.get("ceterms:currency"))
                break
        for ref in _ld_list(node.get("ceterms:estimatedDuration")):
            profile = resolve(ref)
            exact = _iso_hours(_ld_text(profile.get("ceterms:exactDuration")))
            lo = _iso_hours(_ld_text(profile.get("ceterms:minimumDuration"))) or exact
            hi = _iso_hours(_ld_text(profile.get("ceterms:maximumDuration"))) or exact
            if lo is not None or hi is not None:
                row["hours_min"], row["hours_max"] = lo, hi
                break
        skills = []
        for key in ("ceterms:teaches", "ceterms:subject", "ceterms:keyword"):
            for item in _ld_list(node.get(key)):
                item = resolve(item) if isinstance(item, dict) else item
                aligned = isinstance(item, dict) and bool(
                    {"ceterms:targetNode", "ceterms:targetNodeName"} & set(item)
                )
                target = _ld_text(item.get("ceterms:targetNode")) if aligned else ""
                text = _ld_text(item.get("ceterms:targetNodeName")) if aligned else _ld_text(item)
                skills.append(target if target.startswith(ESCO_SKILL_PREFIX) else text)
        row["skills"] = [x for x in skills if x]
        creds.append((where, row))
        ours[str(node.get("@id", cid))] = cid
        found.append((where, node, cid))
    rules: list[tuple[str, dict[str, Any]]] = []
    for where, node, cid in found:
        for key, rtype in CTDL_CONDITIONS.items():
            for k, ref in enumerate(_ld_list(node.get(key)), start=1):
                profile = resolve(ref)
                targets = [_ld_text(t) for t in _ld_list(profile.get("ceterms:targetCredential"))]
                if not targets:
                    continue  # a condition without credentials (e.g. experience) stays in the description
                rules.append(
                    (
                        where,
                        {
                            "id": f"{cid}-{key.removeprefix('ceterms:')}-{k}",
                            "type": rtype,
                            "subject": cid,
                            # All targets of one CTDL condition profile are required together.
                            "objects": [ours.get(t, t) for t in targets],
                            "any_of": "false",
                            "condition": _ld_text(profile.get("ceterms:description")),
                            "source_url": _ld_text(node.get("ceterms:subjectWebpage")),
                            "as_of": _ld_text(node.get("ceterms:dateEffective"))[:10],
                        },
                    )
                )
    return creds, rules


def load_user_catalog(
    folder: Path | str, known_ids: set[str] | None = None, skill_uris: Collection[str] | None = None
) -> tuple[list[Credential], list[Rule], list[str]]:
    """Credentials and rules from a bring-your-own catalogue folder, with one error per bad row.

    Reads credentials.csv / credentials.json and rules.csv / rules.json (format in knowledge_base/README.md), and
    CTDL JSON-LD in credentials.jsonld (credentials, with requires / recommends conditions as rules).
    Good rows load even when others are bad. Raises CatalogError (listing every problem) only when the folder
    holds no such file or nothing valid loads. `known_ids` are credential ids rules may refer to (besides the
    folder's own); `skill_uris` the ESCO skill URIs a credential may name. Without them they are not checked.
    """
    from coach.errors import CatalogError

    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogError(f"catalogue folder not found: {folder}")
    names = [*(f"{s}.{e}" for s in ("credentials", "rules") for e in ("csv", "json")), "credentials.jsonld"]
    if not any((folder / n).exists() for n in names):
        raise CatalogError(f"catalogue folder {folder} has none of {', '.join(names)}")
    errors: list[str] = []
    source_name = f"user catalogue: {folder.name}"
    creds: list[Credential] = []
    seen: dict[str, str] = {}
    ld_path = folder / "credentials.jsonld"
    ld_creds, ld_rules = _ctdl_rows(ld_path, errors) if ld_path.exists() else ([], [])
    for where, row in [*_user_rows(folder, "credentials", errors), *ld_creds]:
        try:
            cred = parse_user_credential(row, source_name)
        except (RowError, ValueError) as exc:
            errors.append(f"{where}: {exc}")
            continue
        bad = [u for u in cred.skills if skill_uris is not None and u not in skill_uris]
        if bad:
            errors.append(f"{where}: unknown ESCO skill URI {bad[0]!r}")
            continue
        if cred.id in seen:
            errors.append(f"{where}: duplicate id {cred.id!r} (first at {seen[cred.id]})")
            continue
        seen[cred.id] = where
        creds.append(cred)
    ids = set(seen) | (known_ids or set())
    rules: list[Rule] = []
    rule_ids: set[str] = set()
    for where, row in [*_user_rows(folder, "rules", errors), *ld_rules]:
        try:
            rule = parse_user_rule(row)
        except (RowError, ValueError) as exc:
            errors.append(f"{where}: {exc}")
            continue
        unknown = [c for c in (rule.subject, *rule.objects) if known_ids is not None and c not in ids]
        if unknown:
            errors.append(f"{where}: unknown credential id {unknown[0]!r}")
            continue
        if rule.id in rule_ids:
            errors.append(f"{where}: duplicate id {rule.id!r}")
            continue
        rule_ids.add(rule.id)
        rules.append(rule)
    if not creds and not rules:
        raise CatalogError(
            f"nothing valid in catalogue {folder}: "
            + ("; ".join(errors) if errors else "the files are empty")
        )
    return creds, rules, errors
