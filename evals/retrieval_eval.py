"""Retrieval quality: hit@1, hit@5 and MRR@10 of `coach kb search` on hand-labelled queries, per kind.

The queries (evals/data/retrieval_queries.jsonl) were written and labelled by hand from the catalogue sources
(curated credentials and rules, O*NET and ESCO occupations, ESCO skills), not from the system's output. Each has
one or more acceptable ids; a query counts as a hit at k when any of them is in the top k. The same queries are
also run through the dense ranker alone, the lexical ranker alone and the plain fusion without boosts, so the
report shows what each part contributes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "retrieval_queries.jsonl"
MODES = ("hybrid", "fusion", "dense", "lexical")
K = 10


def load_queries(path: Path = DATA) -> list[dict[str, Any]]:
    """The labelled queries: query, kind, expected ids, style."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _open_index() -> Any:
    """The default index, built (incrementally) first when it is missing or out of date."""
    from coach.errors import IndexMissing
    from coach.knowledge import get_catalog
    from coach.retrieval import build_index, get_index
    from coach.settings import get_settings

    try:
        return get_index()
    except IndexMissing:
        build_index(get_catalog(), get_settings(), progress=False)
        return get_index()


def rank_of(hit_ids: list[str], expected: list[str]) -> int | None:
    """1-based rank of the first expected id among the hits, or None."""
    wanted = set(expected)
    return next((i for i, h in enumerate(hit_ids, 1) if h in wanted), None)


def score(ranks: list[int | None]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 of a list of ranks."""
    n = max(len(ranks), 1)
    return {
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr@10": sum(1.0 / r for r in ranks if r is not None and r <= K) / n,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Run every labelled query through each search mode and summarise, per kind."""
    from coach.knowledge import get_catalog

    queries = load_queries()
    if quick:
        queries = queries[::2]
    catalog = get_catalog()
    known = {
        "credential": set(catalog.credentials),
        "occupation": set(catalog.occupations),
        "skill": set(catalog.skills),
        "rule": {r.id for r in catalog.rules},
    }
    missing_labels = sorted({e for q in queries for e in q["expected"] if e not in known[q["kind"]]})
    index = _open_index()

    ranks: dict[str, dict[str, list[int | None]]] = {m: defaultdict(list) for m in MODES}
    misses: list[tuple[str, str, str]] = []
    for q in queries:
        for mode in MODES:
            hits = index.search(q["query"], kind=q["kind"], k=K, mode=mode)
            r = rank_of([h.id for h in hits], q["expected"])
            ranks[mode][q["kind"]].append(r)
            ranks[mode]["all"].append(r)
            if mode == "hybrid" and (r is None or r > 5):
                misses.append((q["query"], q["kind"], hits[0].title if hits else "(nothing)"))

    kinds = [k for k in ("credential", "occupation", "rule", "skill") if ranks["hybrid"][k]]
    metrics: dict[str, float] = {}
    for mode in MODES:
        for kind in ["all", *kinds]:
            for name, value in score(ranks[mode][kind]).items():
                prefix = "" if mode == "hybrid" else f"{mode}_"
                metrics[f"{prefix}{name}" if kind == "all" else f"{prefix}{kind}_{name}"] = round(value, 4)

    lines = [
        "## Knowledge-base search (hybrid retrieval)",
        "",
        f"{len(queries)} hand-labelled queries over the built index (`coach kb search QUERY --kind KIND`): "
        "names, acronyms and exam codes, needs in plain words, and paraphrased job titles. "
        "A hit counts when any acceptable id is ranked within k. Generic queries accept every catalogue entry "
        "matching a stated name rule (kept with the query in the data file). These queries also guided the "
        "ranking choices (there is no held-out split), so read them as development figures.",
        "",
        "| kind | queries | hit@1 | hit@5 | MRR@10 |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in [*kinds, "all"]:
        s = score(ranks["hybrid"][kind])
        lines.append(
            f"| {kind} | {len(ranks['hybrid'][kind])} | {s['hit@1']:.2f} | {s['hit@5']:.2f} | {s['mrr@10']:.3f} |"
        )
    lines += [
        "",
        "What each part contributes (all queries):",
        "",
        "| ranking | hit@1 | hit@5 | MRR@10 |",
        "|---|---:|---:|---:|",
    ]
    labels = {
        "hybrid": "hybrid (fusion + exact-name and intent boosts)",
        "fusion": "dense + lexical fusion, no boosts",
        "dense": "dense only (Chroma, MiniLM)",
        "lexical": "lexical only (BM25)",
    }
    for mode in MODES:
        s = score(ranks[mode]["all"])
        lines.append(f"| {labels[mode]} | {s['hit@1']:.2f} | {s['hit@5']:.2f} | {s['mrr@10']:.3f} |")
    if misses:
        lines += ["", "Queries whose answer is not in the top 5 (hybrid):", ""]
        lines += [f"- `{q}` ({kind}): top hit was {top!r}" for q, kind, top in misses]
    if missing_labels:
        lines += [
            "",
            f"Labelled ids not in the catalogue ({len(missing_labels)}): " + ", ".join(missing_labels),
        ]

    return {
        "suite": "retrieval",
        "title": "Knowledge-base search",
        "data": f"{len(queries)} hand-labelled queries ({DATA.name}; credentials, occupations, rules, skills)",
        "metrics": metrics,
        "anchors": {},
        "markdown": "\n".join(lines),
    }


if __name__ == "__main__":
    import sys

    result = run(quick="--quick" in sys.argv)
    print(result["markdown"])
