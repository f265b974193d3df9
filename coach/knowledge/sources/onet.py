"""O*NET (knowledge_base/sources/onet/): occupations with skills, technology, tasks, titles, zone, education."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from coach.knowledge.sources.common import read_tsv
from coach.models import Occupation, OnetSkillRating, TechnologySkill


def read_onet(onet_dir: Path) -> dict[str, Occupation]:
    """All O*NET occupations with skills (IM, LV), technology skills, core tasks, titles, zone, education."""
    occs: dict[str, Occupation] = {}
    for row in read_tsv(onet_dir / "Occupation Data.txt"):
        soc = row["O*NET-SOC Code"]
        occs[soc] = Occupation(
            id=soc,
            source="onet",
            title=row["Title"].strip(),
            description=row["Description"].strip(),
            code=soc,
        )

    for row in read_tsv(onet_dir / "Job Zones.txt"):
        if row["O*NET-SOC Code"] in occs and row["Job Zone"].strip().isdigit():
            occs[row["O*NET-SOC Code"]].job_zone = int(row["Job Zone"])

    ratings: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for row in read_tsv(onet_dir / "Skills.txt"):
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

    for row in read_tsv(onet_dir / "Technology Skills.txt"):
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
    for row in read_tsv(onet_dir / "Task Statements.txt"):
        (core if row["Task Type"].strip() == "Core" else other)[row["O*NET-SOC Code"]].append(
            row["Task"].strip()
        )
    for soc, occ in occs.items():
        # Core tasks are what the brief asks for; occupations rated without a core/supplemental split keep all.
        occ.tasks = core.get(soc) or other.get(soc, [])

    titles: dict[str, dict[str, None]] = defaultdict(dict)
    for row in read_tsv(onet_dir / "Alternate Titles.txt"):
        titles[row["O*NET-SOC Code"]].setdefault(row["Alternate Title"].strip(), None)
    for row in read_tsv(onet_dir / "Sample of Reported Titles.txt"):
        titles[row["O*NET-SOC Code"]].setdefault(row["Reported Job Title"].strip(), None)
    for soc, occ in occs.items():
        occ.alt_titles = [t for t in titles.get(soc, {}) if t and t != occ.title]

    categories: dict[str, str] = {}
    for row in read_tsv(onet_dir / "Education, Training, and Experience Categories.txt"):
        if row["Scale ID"] == "RL":
            categories[row["Category"].strip()] = row["Category Description"].strip()
    best: dict[str, tuple[float, str]] = {}
    for row in read_tsv(onet_dir / "Education, Training, and Experience.txt"):
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
