"""O*NET ↔ ESCO occupation links, by title and description similarity with shared-title and group evidence."""

from __future__ import annotations

from coach.knowledge.catalog import Catalog
from coach.knowledge.matcher import SkillMatcher
from coach.knowledge.sources.common import norm
from coach.models import OccupationLink

# O*NET ↔ ESCO: no official crosswalk is in the data, so titles and descriptions are compared. A link needs
# this score: the cosine similarity of the titles and of the descriptions, mixed by DESCRIPTION_SHARE, plus the
# bonuses below. Titles alone send "Computer Systems Engineers/Architects" to computer hardware engineer and
# "Computer User Support Specialists" to ICT system administrator; what the two descriptions say the work is
# settles it. On the 46 hand-labelled pairs in evals/knowledge_eval.py the top link is acceptable for 42 with a
# share of 0.3 (40 with titles alone; a share of 0.5 was worse than 0.3); the threshold keeps a few more O*NET
# occupations linked than titles alone did at 0.6 (the description makes a weaker title match safer).
DESCRIPTION_SHARE = 0.3
OCCUPATION_THRESHOLD = 0.55
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
    da = matcher.embed("onet-descriptions", [o.description or o.title for o in onet])
    db = matcher.embed("esco-occupation-descriptions", [o.description or o.title for o in esco])
    sims = (1 - DESCRIPTION_SHARE) * (a @ b.T) + DESCRIPTION_SHARE * (da @ db.T)
    # Titles the two taxonomies share exactly (O*NET title or alternate title = ESCO label or alternative label)
    # are strong evidence: they earn a bonus.
    esco_index: dict[str, list[int]] = {}
    for j, occ in enumerate(esco):
        for t in {norm(occ.title), *(norm(x) for x in occ.alt_titles)}:
            esco_index.setdefault(t, []).append(j)
    shared = np.zeros_like(sims)
    for i, occ in enumerate(onet):
        for t in {norm(occ.title), *(norm(x) for x in occ.alt_titles)}:
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
        parts = ["title-and-description-similarity"]
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
