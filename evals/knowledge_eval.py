"""Knowledge-base quality: the skill-linking threshold, credential skill links and O*NET ↔ ESCO occupation links.

1. Threshold study: ESCO alternative labels are phrases whose right skill is known. Each sampled alternative
   label (not itself a preferred label) is embedded and matched to the nearest ESCO preferred label; precision
   (nearest = its own skill) and coverage are reported per similarity threshold. This is how the 0.70 bar in
   coach.knowledge.matcher was chosen.
2. Credential skills: how many credentials carry ESCO skills, and whether hand-picked credentials carry a skill
   of their domain (expected labels written from the credentials' subjects, not from the system's output).
3. Occupation links: top-1 accuracy of O*NET → ESCO links on hand-labelled pairs (acceptable ESCO occupations
   chosen from ESCO's labels by their meaning), and link coverage.
"""

from __future__ import annotations

import random
from typing import Any

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85)

# credential id → ESCO skill labels of its domain; a hit when any is among the credential's skills.
CREDENTIAL_DOMAINS: dict[str, list[str]] = {
    "comptia-security-plus": ["cyber security"],
    "isc2-cc": ["cyber security"],
    "google-cybersecurity": ["cyber security"],
    "eccouncil-ceh": ["perform ICT security testing"],
    "aws-cloud-practitioner": ["cloud technologies"],
    "ms-az-900": ["cloud technologies"],
    "gcp-associate-cloud-engineer": ["cloud technologies"],
    "google-data-analytics": ["perform data analysis", "data analytics"],
    "ibm-data-analyst": ["perform data analysis", "data analytics"],
    "pmi-pmp": ["project management"],
    "google-project-management": ["project management"],
    "cisco-ccna": ["design computer network", "ICT network routing"],
    "comptia-a-plus": ["provide ICT support", "perform ICT troubleshooting"],
    "meta-front-end-developer": ["JavaScript", "web programming"],
    "coursera-aws-cloud-technical-essentials": ["cloud technologies"],
    "roadmap-gwapt": ["perform ICT security testing", "penetration testing tool"],
    "coursera-tools-of-the-trade-linux-and-sql": ["SQL"],
    "coursera-project-management-principles-and-practices": ["project management"],
    "coursera-structuring-machine-learning-projects": ["machine learning"],
}

# O*NET-SOC code → acceptable ESCO occupations (preferred labels).
OCCUPATION_PAIRS: dict[str, list[str]] = {
    "15-1252.00": ["software developer"],
    "15-1254.00": ["web developer"],
    "29-1141.00": ["nurse responsible for general care", "specialist nurse"],
    "15-2051.00": ["data scientist"],
    "15-1242.00": ["database administrator"],
    "47-2111.00": ["electrician", "domestic electrician", "industrial electrician", "building electrician"],
    "15-1212.00": [
        "ICT security administrator",
        "ICT security engineer",
        "ICT security manager",
        "ICT security technician",
    ],
    "15-1232.00": ["ICT help desk agent", "ICT technician"],
    "15-1244.00": ["ICT system administrator", "ICT network administrator"],
    "15-1241.00": ["ICT network architect"],
    "13-2011.00": ["accountant"],
    "41-2031.00": ["sales assistant", "shop assistant"],
    "35-2014.00": ["cook"],
    "53-3032.00": ["cargo vehicle driver"],
    "25-2021.00": ["primary school teacher"],
    "43-4051.00": ["customer service representative"],
    "11-1021.00": ["operations manager"],
    "13-1071.00": ["human resources officer"],
    "15-1211.00": ["ICT system analyst", "software analyst"],
    "13-1082.00": ["project manager", "ICT project manager"],
    "11-3021.00": ["ICT operations manager", "chief technology officer", "chief information officer"],
    "15-2041.00": ["statistician"],
    "17-2051.00": ["civil engineer"],
    "43-3031.00": ["bookkeeper", "accounting assistant", "auditing clerk"],
    "15-1255.00": ["user interface designer", "web designer"],
    "27-1024.00": ["graphic designer"],
    "33-3051.00": ["police officer"],
    "11-2021.00": ["marketing manager"],
    "13-2051.00": ["financial analyst", "investment analyst"],
    # Added 2026-12-03 with the description signal (labelled from the two taxonomies' definitions before the
    # new scores were looked at; 14 of these 17 were acceptable with titles alone, 15 with the descriptions).
    "15-1299.08": ["ICT system architect"],
    "15-2051.01": ["data analyst", "business intelligence manager", "ICT business analyst"],
    "31-1131.00": ["nurse assistant", "healthcare assistant"],
    "29-2052.00": ["pharmacy technician", "pharmacy assistant"],
    "51-4121.00": ["welder", "pipe welder"],
    "31-9097.00": ["phlebotomist"],
    "29-2072.00": ["medical records clerk"],
    "43-4171.00": ["receptionist"],
    "13-1081.00": ["logistics analyst"],
    "15-1243.00": ["database designer", "database integrator"],
    "15-1253.00": ["ICT test analyst", "software tester", "ICT system tester"],
    "47-2031.00": ["carpenter"],
    "43-6014.00": ["secretary", "administrative assistant"],
    "53-7051.00": ["forklift operator"],
    "29-1292.00": ["dental hygienist"],
    "49-9021.00": [
        "heating, ventilation, air conditioning and refrigeration engineering technician",
        "refrigeration air condition and heat pump technician",
        "heating technician",
        "heating and ventilation service engineer",
    ],
    "13-1111.00": ["business consultant"],
}


def threshold_study(catalog: Any, n: int) -> dict[float, tuple[float, float]]:
    """threshold → (precision, coverage) of nearest-preferred-label linking on `n` ESCO alternative labels."""
    from coach.knowledge import SkillMatcher
    from coach.knowledge.sources.common import norm
    from coach.settings import get_settings

    matcher = SkillMatcher(catalog.skills, get_settings().home / "cache")
    preferred = {norm(s.label) for s in catalog.skills.values()}
    pairs = [
        (alt, uri)
        for uri, skill in sorted(catalog.skills.items())
        for alt in skill.alt_labels
        if norm(alt) not in preferred
    ]
    random.Random(0).shuffle(pairs)
    pairs = pairs[:n]
    vectors = matcher._embedder.embed([a for a, _ in pairs])  # not cached: a sample, not catalogue data
    sims = vectors @ matcher.matrix.T
    best = sims.argmax(axis=1)
    best_sim = sims.max(axis=1)
    right = [matcher.uris[b] == uri for b, (_, uri) in zip(best, pairs, strict=True)]
    out = {}
    for t in THRESHOLDS:
        kept = [ok for ok, s in zip(right, best_sim, strict=True) if s >= t]
        out[t] = (sum(kept) / max(len(kept), 1), len(kept) / len(pairs))
    return out


def run(quick: bool = False) -> dict[str, Any]:
    """Run the three studies on the default catalogue."""
    from coach.knowledge import PHRASE_THRESHOLD, get_catalog

    catalog = get_catalog()
    n = 500 if quick else 2000
    study = threshold_study(catalog, n)

    creds = list(catalog.credentials.values())
    with_skills = sum(bool(c.skills) for c in creds) / len(creds)
    domain_hits = [
        bool(set(labels) & {catalog.skill_label(u) for u in catalog.credentials[cid].skills})
        for cid, labels in CREDENTIAL_DOMAINS.items()
        if cid in catalog.credentials
    ]
    top1 = []
    for soc, labels in OCCUPATION_PAIRS.items():
        links = catalog.occupations[soc].links
        top1.append(bool(links) and links[0].label in labels)
    onet_cov = sum(bool(o.links) for o in catalog.onet_occupations()) / len(catalog.onet_occupations())
    esco_cov = sum(bool(o.links) for o in catalog.esco_occupations()) / len(catalog.esco_occupations())

    p, cov = study[PHRASE_THRESHOLD]
    metrics = {
        "link_precision_at_threshold": round(p, 4),
        "link_coverage_at_threshold": round(cov, 4),
        "credentials_with_skills": round(with_skills, 4),
        "credential_domain_hit_rate": round(sum(domain_hits) / len(domain_hits), 4),
        "occupation_link_top1": round(sum(top1) / len(top1), 4),
        "onet_linked": round(onet_cov, 4),
        "esco_linked": round(esco_cov, 4),
    }
    rows = "\n".join(
        f"| {t:.2f}{' (used)' if t == PHRASE_THRESHOLD else ''} | {pr:.1%} | {cv:.1%} |"
        for t, (pr, cv) in study.items()
    )
    markdown = f"""## Knowledge base: skill and occupation links

Threshold study on {n:,} ESCO alternative labels (nearest ESCO preferred label = its own skill):

| cosine threshold | precision | coverage |
|---|---|---|
{rows}

- Credentials with at least one ESCO skill: {with_skills:.1%} of {len(creds):,}.
- Hand-picked credentials carrying a skill of their domain: {sum(domain_hits)}/{len(domain_hits)}.
- O*NET → ESCO top-1 link acceptable on {len(top1)} hand-labelled occupations: {sum(top1)}/{len(top1)}.
- Occupations with a cross-taxonomy link: O*NET {onet_cov:.1%}, ESCO {esco_cov:.1%}.
"""
    return {
        "suite": "knowledge",
        "title": "Knowledge base links",
        "data": (
            f"{n:,} sampled ESCO 1.1.1 alternative labels; {len(domain_hits)} hand-labelled credentials; "
            f"{len(top1)} hand-labelled O*NET 29.2 → ESCO occupation pairs"
        ),
        "metrics": metrics,
        "anchors": {"phrase_threshold": PHRASE_THRESHOLD},
        "markdown": markdown,
    }
