"""Knowledge-base index benchmark: cold full build, no-op rebuild, warm search latency (p50/p95).

The cold build goes into a temporary folder (the shared index is untouched), from the already loaded
catalogue, so it measures embedding + Chroma + lexical indexing only; catalogue loading is reported apart.
Search latency is measured on the default index over ~200 varied queries (names, exam codes, needs in words,
occupation titles and skill labels from the catalogue, with and without filters), after one warm-up query.
"""

from __future__ import annotations

import os
import random
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
    random.Random(0).shuffle(work)  # a fixed mix, so a shorter run still has every kind of search
    return work[:n]


def run(quick: bool = False, home: Path | None = None) -> list[dict[str, Any]]:
    """Rows: cold build (full, or a slice when quick), no-op rebuild, warm search p50/p95 on the built index.

    The index is built in a temporary home (removed afterwards) unless `home` is given; it must be empty.
    """
    from coach.knowledge import Catalog, get_catalog

    t0 = time.perf_counter()
    catalog = get_catalog()
    load_s = time.perf_counter() - t0
    if quick:
        # A slice keeps the quick run short; the row says so and the rate is per document.
        skills = dict(list(catalog.skills.items())[::28])
        occs = dict(list(catalog.occupations.items())[::10])
        creds = dict(list(catalog.credentials.items())[::5])
        target = Catalog(occupations=occs, skills=skills, credentials=creds, rules=catalog.rules)
    else:
        target = catalog
    if home is not None:
        return _run(catalog, target, Path(home), quick, load_s)
    with tempfile.TemporaryDirectory(prefix="coach-bench-kb-") as tmp:
        return _run(catalog, target, Path(tmp), quick, load_s)


def _run(catalog: Any, target: Any, home: Path, quick: bool, load_s: float) -> list[dict[str, Any]]:
    from coach.retrieval import KnowledgeIndex, build_index
    from coach.settings import Settings

    def count(c: Any) -> int:
        return len(c.occupations) + len(c.skills) + len(c.credentials) + len(c.rules)

    n_docs, docs_total = count(target), count(catalog)
    settings = Settings(home=home)
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    report = build_index(target, settings, progress=False)
    cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
    load_after = os.getloadavg()[0]
    t0 = time.perf_counter()
    again = build_index(target, settings, progress=False)
    noop = time.perf_counter() - t0
    rows: list[dict[str, Any]] = [
        {
            "name": "kb build, cold" + (" (slice)" if quick else " (full)"),
            "unit": "s",
            "median": round(cold, 1),
            "p95": round(cold, 1),
            "n": 1,
            "target": "< 180 s for the full catalogue",
            "note": f"{n_docs:,} of {docs_total:,} documents, {report.total_embedded:,} embedded "
            f"({n_docs / max(cold, 1e-9):.0f} docs/s); CPU time {cold_cpu:.0f} s on {os.cpu_count()} cores; "
            f"load average {load_before:.1f} → {load_after:.1f} (other work slows it); "
            f"catalogue load {load_s:.1f} s not included",
            "peak_mb": _peak_mb(),
        },
        {
            "name": "kb build, unchanged rerun",
            "unit": "s",
            "median": round(noop, 2),
            "p95": round(noop, 2),
            "n": 1,
            "target": "embeds nothing",
            "note": f"{again.total_embedded} documents re-embedded",
        },
    ]

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
            f"{sum('kind' not in w for w in work)} across all kinds; load average {os.getloadavg()[0]:.1f}",
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

    keep = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--home=")), None)
    for row in run(quick="--quick" in sys.argv, home=Path(keep) if keep else None):
        print(json.dumps(row))
