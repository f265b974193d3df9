"""The Security Certification Roadmap (knowledge_base/sources/security-cert-roadmap/certificates.json)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from coach.knowledge.sources.common import domain, slug
from coach.models import Credential, Source

ROADMAP_URL = "https://pauljerimy.com/security-certification-roadmap/"
# The roadmap's PROVENANCE names a commit but neither its date nor a year, and none could be found: "n.d."
# (no date, the bibliographic convention) says so rather than guessing one.
ROADMAP_AS_OF = "n.d."
ROADMAP_LICENCE = "CC BY-SA 4.0 (Security Certification Roadmap by Paul Jerimy)"


_MONEY = re.compile(
    r"^\$\s?(\d[\d,]*(?:\.\d+)?)\s+(exam|lab|labs|hands-on lab|written exam|practical exam|exam & lab)$", re.I
)


def parse_roadmap_cost(tooltip: str) -> tuple[float | None, str | None, str | None]:
    """(cost, currency, note) from a roadmap tooltip; cost only when the first cost line is one plain fee.

    "$404 exam" → 404 USD; "$900 exam & lab" → 900 USD with a note that it is a bundle; "$450 labs" (a lab's
    price) stays text. Ranges ("$500-749"), approximations ("~$600", "EST"), several exams ("$800 two
    exams"), bundles ("$2,700 course + exam") or a bare amount stay text in the note: they are not one price.
    """
    lines = [p.strip() for p in tooltip.replace("\\n", "\n").split("\n")[1:] if p.strip()]
    if not lines:
        return None, None, None
    note = "; ".join(lines)
    m = _MONEY.match(lines[0])
    if m is None:
        return None, None, note
    kind = m.group(2).lower()
    if "lab" in kind and "exam" not in kind:
        return None, None, note  # a lab's price ("$450 labs") is not the exam's: the price stays text
    extra = lines[1:]
    if kind == "exam & lab":
        extra = [f"the roadmap's price is for the exam and lab together ({lines[0]})", *extra]
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
    # The awarding bodies behind further domains (each domain's owner, as its site names itself).
    "0xdarkvortex.dev": "Dark Vortex",
    "accessdata.com": "AccessData",
    "certipedia.com": "TÜV Rheinland",
    "tuv.com": "TÜV Rheinland",
    "certiport.filecamp.com": "Certiport",
    "ciisec.org": "Chartered Institute of Information Security (CIISec)",
    "courses.zeropointsecurity.co.uk": "Zero-Point Security",
    "training.zeropointsecurity.co.uk": "Zero-Point Security",
    "csiac.org": "CSIAC",
    "cwnp.com": "CWNP",
    "cyberstruggle.org": "CyberStruggle",
    "dsci.in": "Data Security Council of India (DSCI)",
    "ecfirst.biz": "ecfirst",
    "eitca.org": "EITCA Academy",
    "embed.exin.totalservices.io": "EXIN",
    "exidacace.com": "exida",
    "iacis.com": "IACIS",
    "idpro.org": "IDPro",
    "iiba.org": "IIBA",
    "ine.com": "INE",
    "inteltechniques.com": "IntelTechniques",
    "isfce.com": "ISFCE",
    "ismi.org.uk": "ISMI",
    "kali.training": "OffSec",
    "limessecurity.com": "Limes Security",
    "mitre-engenuity.org": "MITRE Engenuity",
    "na.theiia.org": "The Institute of Internal Auditors (IIA)",
    "oceg.org": "OCEG",
    "opentext.com": "OpenText",
    "pentesteracademy.com": "Pentester Academy",
    "portswigger.net": "PortSwigger",
    "practical-devsecops.com": "Practical DevSecOps",
    "risklens-academy.myshopify.com": "RiskLens",
    "sans.org": "SANS Institute",
    "sharedassessments.org": "Shared Assessments",
    "softwarecertifications.org": "QAI Global Institute",
    "splunk.com": "Splunk",
    "thecyberscheme.org": "The Cyber Scheme",
    "training.apple.com": "Apple",
    "training.mirantis.com": "Mirantis",
    "wcnacertification.com": "Protocol Analysis Institute (WCNA)",
    "zachman.com": "Zachman International",
}


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
        dom = domain(href or "")
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
                sector="ict",  # a chart of security certifications
                sources=[
                    Source(
                        name="security-cert-roadmap",
                        url=href or ROADMAP_URL,
                        licence=ROADMAP_LICENCE,
                        as_of=ROADMAP_AS_OF,
                        source_kind="third_party",  # a community chart, not the awarding body
                    )
                ],
            )
        )
    return out
