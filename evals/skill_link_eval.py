"""Credential → ESCO skill links a learner can trust: the wrong-link rate on a hand-judged sample.

`evals/data/skill_link_sample.csv` holds a seeded random sample of credential → skill links drawn from the built
catalogue, stratified by the credential's first source (curated, roadmap, Coursera, edX), each judged by reading
the credential's name and description and the ESCO skill's label and description: `correct` (the credential
teaches or certifies it), `wrong` (another sense, another subject, or a skill it does not teach) or `doubtful`
(related but too broad, too narrow or only partly covered), with a short reason. See evals/README.md for how
the sample was drawn and judged.

`run` recomputes, for the CURRENT catalogue, the share of wrong links among the sampled links still present
(overall, per source, and weighted by each source's share of all links) and reports how many sampled links are
no longer present. A link a later change removes drops out of the rate, so after a change aimed at the sample's
errors draw a fresh sample (`--draw`) rather than quote the old one. Target (issue "skill links a learner can
trust"): at most 3 % wrong.

    python -m evals.skill_link_eval                      # the report for the current catalogue
    python -m evals.skill_link_eval --draw --seed 20261207 --out FILE   # a fresh, unjudged sample
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "skill_link_sample.csv"
FIELDS = ["credential_id", "credential_name", "source", "skill_uri", "skill_label", "judgement", "reason"]
JUDGEMENTS = ("correct", "wrong", "doubtful")
# A credential's first source names its stratum (a merged record counts where its facts come from first).
SOURCES = {
    "curated-credentials": "curated",
    "security-cert-roadmap": "roadmap",
    "coursera-courses-2023": "coursera",
    "edx-courses": "edx",
}
PER_SOURCE = {"curated": 50, "roadmap": 50, "coursera": 80, "edx": 50}
TARGET = 0.03


def source_of(cred: Any) -> str | None:
    """The stratum of a credential: its first source's short name, None for bring-your-own records."""
    return SOURCES.get(cred.sources[0].name) if cred.sources else None


def links_by_source(catalog: Any) -> dict[str, list[tuple[str, str]]]:
    """Every (credential id, skill URI) link of the catalogue, sorted, by stratum."""
    out: dict[str, list[tuple[str, str]]] = {s: [] for s in PER_SOURCE}
    for cred in catalog.credentials.values():
        stratum = source_of(cred)
        if stratum is not None:
            out[stratum] += [(cred.id, uri) for uri in cred.skills]
    return {s: sorted(links) for s, links in out.items()}


def draw(catalog: Any, seed: int, per_source: dict[str, int] = PER_SOURCE) -> list[dict[str, str]]:
    """A seeded random sample of links, `per_source[s]` from each stratum, unjudged."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for stratum, links in links_by_source(catalog).items():
        for cid, uri in rng.sample(links, min(per_source.get(stratum, 0), len(links))):
            cred = catalog.credentials[cid]
            rows.append(
                {
                    "credential_id": cid,
                    "credential_name": cred.name,
                    "source": stratum,
                    "skill_uri": uri,
                    "skill_label": catalog.skill_label(uri),
                    "judgement": "",
                    "reason": "",
                }
            )
    return rows


def read_sample(path: Path = SAMPLE) -> list[dict[str, str]]:
    """The judged sample; every row must carry one of JUDGEMENTS."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    bad = [r["credential_id"] for r in rows if r["judgement"] not in JUDGEMENTS]
    if bad:
        raise ValueError(f"{path}: {len(bad)} rows without a judgement ({', '.join(bad[:3])}, ...)")
    return rows


def write_sample(rows: Iterable[dict[str, str]], path: Path) -> None:
    """Write sample rows as CSV (the FIELDS columns)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def rates(rows: list[dict[str, str]], present: list[bool]) -> dict[str, Any]:
    """Counts of judgements over the rows still present, overall and per stratum."""
    kept = [r for r, p in zip(rows, present, strict=True) if p]
    per: dict[str, Counter[str]] = {s: Counter() for s in PER_SOURCE}
    for r in kept:
        per.setdefault(r["source"], Counter())[r["judgement"]] += 1
    total: Counter[str] = Counter(r["judgement"] for r in kept)
    return {"total": total, "per_source": per, "missing": len(rows) - len(kept)}


def _share(counts: Counter[str], key: str) -> float:
    n = sum(counts.values())
    return counts[key] / n if n else 0.0


def run(quick: bool = False) -> dict[str, Any]:
    """The wrong-link rate of the judged sample on the current catalogue (quick mode is the same: it is fast)."""
    from coach.knowledge import get_catalog

    catalog = get_catalog()
    rows = read_sample()
    present = [
        r["credential_id"] in catalog.credentials
        and r["skill_uri"] in catalog.credentials[r["credential_id"]].skills
        for r in rows
    ]
    result = rates(rows, present)
    total, per = result["total"], result["per_source"]
    population = {s: len(links) for s, links in links_by_source(catalog).items()}
    all_links = sum(population.values()) or 1
    weighted = sum(population[s] / all_links * _share(per[s], "wrong") for s in population)
    metrics: dict[str, Any] = {
        "sampled": len(rows),
        "present": len(rows) - result["missing"],
        "no_longer_present": result["missing"],
        "wrong_rate": round(_share(total, "wrong"), 4),
        "doubtful_rate": round(_share(total, "doubtful"), 4),
        "weighted_wrong_rate": round(weighted, 4),
    }
    metrics |= {f"{s}_wrong_rate": round(_share(per[s], "wrong"), 4) for s in PER_SOURCE}
    lines = [
        f"| {s} | {sum(per[s].values())} | {per[s]['correct']} | {per[s]['doubtful']} | {per[s]['wrong']} | "
        f"{_share(per[s], 'wrong'):.1%} | {population[s]:,} |"
        for s in PER_SOURCE
    ]
    wrong = [r for r, p in zip(rows, present, strict=True) if p and r["judgement"] == "wrong"]
    wrong_lines = [f"- {r['credential_name']} → {r['skill_label']}: {r['reason']}" for r in wrong]
    markdown = (
        "## Credential skill links a learner can trust (hand-judged sample)\n\n"
        f"{len(rows)} sampled credential → ESCO skill links (evals/data/skill_link_sample.csv), "
        f"{metrics['present']} still in the catalogue ({result['missing']} no longer present). "
        f"Wrong: {metrics['wrong_rate']:.1%} of those present (doubtful {metrics['doubtful_rate']:.1%}); "
        f"weighted by each source's share of all links: {weighted:.1%}. Target: at most {TARGET:.0%}.\n\n"
        "| source | judged | correct | doubtful | wrong | wrong share | links in catalogue |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n\n"
        "Wrong links still present:\n\n" + ("\n".join(wrong_lines) or "- none") + "\n"
    )
    return {
        "suite": "skill_link",
        "title": "Credential skill links a learner can trust",
        "data": f"{len(rows)} hand-judged credential → ESCO skill links, evals/data/skill_link_sample.csv",
        "metrics": metrics,
        "anchors": {"target_wrong_rate": TARGET},
        "markdown": markdown,
    }


def main(argv: list[str] | None = None) -> None:
    """Print the report, or draw a fresh unjudged sample with --draw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", action="store_true", help="draw a fresh, unjudged sample")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--out", type=Path, help="where --draw writes (never the judged sample by default)")
    args = parser.parse_args(argv)
    if args.draw:
        from coach.knowledge import get_catalog

        if args.out is None:
            parser.error("--draw needs --out FILE")
        write_sample(draw(get_catalog(), args.seed), args.out)
        print(f"wrote {args.out}")
        return
    print(run()["markdown"])


if __name__ == "__main__":
    main()
