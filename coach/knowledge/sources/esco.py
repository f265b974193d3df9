"""ESCO (knowledge_base/sources/esco/): the skill space and the ESCO occupations."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from coach.knowledge.sources.common import read_csv
from coach.models import Occupation, Skill


def _lines(cell: str) -> list[str]:
    """Split an ESCO multi-line label cell into clean, distinct labels."""
    seen: dict[str, None] = {}
    for line in cell.splitlines():
        line = " ".join(line.split())
        if line:
            seen.setdefault(line, None)
    return list(seen)


def read_esco(esco_dir: Path) -> tuple[dict[str, Skill], dict[str, Occupation]]:
    """All ESCO skills (with hierarchy and usage counts) and occupations (with skill relations)."""
    skills: dict[str, Skill] = {}
    for row in read_csv(esco_dir / "skills_en.csv"):
        uri = row["conceptUri"]
        skills[uri] = Skill(
            uri=uri,
            label=row["preferredLabel"].strip(),
            alt_labels=[a for a in _lines(row["altLabels"]) if a != row["preferredLabel"].strip()],
            description=(row.get("description") or row.get("definition") or "").strip(),
            skill_type=row["skillType"].strip(),
            reuse_level=row["reuseLevel"].strip(),
        )
    for row in read_csv(esco_dir / "broaderRelationsSkillPillar.csv"):
        skill = skills.get(row["conceptUri"])
        if skill is not None:
            skill.broader.append(row["broaderUri"])

    essential: dict[str, list[str]] = defaultdict(list)
    optional: dict[str, list[str]] = defaultdict(list)
    for row in read_csv(esco_dir / "occupationSkillRelations.csv.gz"):
        target = essential if row["relationType"] == "essential" else optional
        target[row["occupationUri"]].append(row["skillUri"])
    occupations: dict[str, Occupation] = {}
    for row in read_csv(esco_dir / "occupations_en.csv"):
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
