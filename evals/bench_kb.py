"""Knowledge-base index benchmark: cold full build, no-op rebuild, warm search latency (p50/p95).

The cold build goes into a temporary folder (the shared index is untouched), from the already loaded
catalogue, so it measures embedding + Chroma + lexical indexing only; catalogue loading is reported apart.
Search latency is measured on the default index over ~200 varied queries (names, exam codes, needs in words,
occupation titles and skill labels from the catalogue, with and without filters), after one warm-up query.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def search_workload(catalog: Any, n: int = 200) -> list[dict[str, Any]]:
    """~n varied searches: labelled eval queries, catalogue titles and labels, and filtered searches."""
    import json

    labelled = [
        json.loads(line)
        for line in (HERE / "data" / "retrieval_queries.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    work: list[dict[str, Any]] = [{"query": q["query"], "kind": q["kind"]} for q in labelled]
    occs = sorted(catalog.occupations.values(), key=lambda o: o.id)
    skills = sorted(catalog.skills.values(), key=lambda s: s.uri)
    creds = sorted(catalog.credentials.values(), key=lambda c: c.id)
    step = max(1, len(occs) // 30)
    work += [{"query": o.title, "kind": "occupation"} for o in occs[::step][:30]]
    step = max(1, len(skills) // 30)
    work += [{"query": s.label} for s in skills[::step][:30]]  # no kind: all four collections
    step = max(1, len(creds) // 25)
    work += [{"query": c.name, "kind": "credential", "k": 5} for c in creds[::step][:25]]
    work += [
        {"query": "cloud certification", "kind": "credential", "provider": "google"},
        {"query": "security", "kind": "credential", "level": "entry", "max_cost": 300},
        {"query": "data analysis course", "max_cost": 100},
        {"query": "networking", "provider": "cisco", "level": "entry"},
        {"query": "project management", "level": "advanced"},
    ] * 4
    return work[:n]


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows: cold build (full, or a 3,000-document slice when quick), no-op rebuild, warm search p50/p95."""
    from coach.knowledge import Catalog, get_catalog
    from coach.retrieval import KnowledgeIndex, build_index
    from coach.settings import Settings, get_settings

    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    catalog = get_catalog()
    load_s = time.perf_counter() - t0
    docs_total = (
        len(catalog.occupations) + len(catalog.skills) + len(catalog.credentials) + len(catalog.rules)
    )

    if quick:
        # A slice keeps the quick run short; the row says so and the figure is per document.
        skills = dict(list(catalog.skills.items())[:1500])
        occs = dict(list(catalog.occupations.items())[:1000])
        target = Catalog(
            occupations=occs, skills=skills, credentials=catalog.credentials, rules=catalog.rules
        )
    else:
        target = catalog
    n_docs = len(target.occupations) + len(target.skills) + len(target.credentials) + len(target.rules)
    with tempfile.TemporaryDirectory(prefix="coach-bench-kb-") as tmp:
        settings = Settings(home=Path(tmp))
        t0 = time.perf_counter()
        report = build_index(target, settings, progress=False)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = build_index(target, settings, progress=False)
        noop = time.perf_counter() - t0
    rows.append(
        {
            "name": "kb build, cold" + (" (slice)" if quick else " (full)"),
            "unit": "s",
            "median": round(cold, 1),
            "p95": round(cold, 1),
            "n": 1,
            "target": "< 180 s for the full catalogue",
            "note": f"{n_docs:,} of {docs_total:,} documents, {report.total_embedded:,} embedded "
            f"({n_docs / max(cold, 1e-9):.0f} docs/s); catalogue load {load_s:.1f} s not included",
            "peak_mb": _peak_mb(),
        }
    )
    rows.append(
        {
            "name": "kb build, unchanged rerun",
            "unit": "s",
            "median": round(noop, 2),
            "p95": round(noop, 2),
            "n": 1,
            "target": "embeds nothing",
            "note": f"{again.total_embedded} documents re-embedded",
        }
    )

    settings = get_settings()
    try:
        index = KnowledgeIndex(settings)
    except Exception:
        build_index(catalog, settings, progress=False)
        index = KnowledgeIndex(settings)
    work = search_workload(catalog, 100 if quick else 200)
    index.search("warm up the embedder and the collections", k=5)
    for kind in ("credential", "occupation", "skill", "rule"):
        index.search("warm up", kind=kind, k=5)
    times: list[float] = []
    filtered: list[float] = []
    for item in work:
        args = dict(item)
        query = args.pop("query")
        t0 = time.perf_counter()
        index.search(query, **args)
        ms = (time.perf_counter() - t0) * 1000
        times.append(ms)
        if {"provider", "level", "max_cost"} & set(args):
            filtered.append(ms)
    rows.append(
        {
            "name": "kb search, warm",
            "unit": "ms",
            "median": round(statistics.median(times), 1),
            "p95": round(_pct(times, 0.95), 1),
            "n": len(times),
            "target": "p95 < 30 ms",
            "note": f"{len(index.docs):,} documents; names, codes, needs, titles, labels; "
            f"{sum('kind' not in w for w in work)} across all kinds",
            "peak_mb": _peak_mb(),
        }
    )
    if filtered:
        rows.append(
            {
                "name": "kb search, warm, with filters",
                "unit": "ms",
                "median": round(statistics.median(filtered), 1),
                "p95": round(_pct(filtered, 0.95), 1),
                "n": len(filtered),
                "target": "p95 < 30 ms",
                "note": "provider / level / max-cost filters (Chroma where + lexical mask)",
            }
        )
    return rows


if __name__ == "__main__":
    import json
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(json.dumps(row))
