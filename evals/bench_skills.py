"""Speed of the taxonomy linker: `coach skills rank` and `coach roles rank` throughput, warm.

Sentences are the real posting sentences of the ESCO skill benchmark (TECH + HOUSE validation, repeated to
fill the sample); titles are JobBERT dev titles. Each repetition ranks the whole sample in batches of 64, as the
CLI does with piped input; the figure is items per second of wall time. A first call warms the caches.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BATCH = 64


def _rates(fn: Any, items: list[str], reps: int) -> list[float]:
    rates = []
    for _ in range(reps):
        start = time.perf_counter()
        for i in range(0, len(items), BATCH):
            fn(items[i : i + BATCH], 10)
        rates.append(len(items) / (time.perf_counter() - start))
    return rates


def _row(name: str, rates: list[float], target: float | None, note: str) -> dict[str, Any]:
    ordered = sorted(rates)
    return {
        "name": name,
        "unit": "items/s",
        "median": round(statistics.median(rates), 1),
        # "p95" of a throughput is its slow end: the 5th percentile of the rates.
        "p95": round(ordered[int(0.05 * len(ordered))], 1),
        "n": len(rates),
        "target": target,
        "note": note,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows for `coach bench`: skills rank (default and precise) and roles rank throughput."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import skills_eval

    from coach.skills import get_linker

    start = time.perf_counter()
    linker = get_linker()
    load_s = time.perf_counter() - start
    sentences = [s for name in ("tech", "house") for s, _ in skills_eval.load_skill_split(name)]
    sentences = (sentences * 4)[: 256 if quick else 512]
    titles = [t for t, _ in skills_eval.load_titles(quick=True)][: 512 if quick else 1000]
    reps = 3 if quick else 5
    linker.rank_skills_batch(sentences[:BATCH], 10)
    linker.rank_roles_batch(titles[:BATCH], 10)
    words = statistics.mean(len(s.split()) for s in sentences)
    rows = [
        _row(
            "skills rank (sentences/s, warm)",
            _rates(linker.rank_skills_batch, sentences, reps),
            200.0,
            f"{len(sentences)} posting sentences, {words:.0f} words on average; linker load {load_s:.1f} s",
        ),
        _row(
            "skills rank --precise (sentences/s, warm)",
            _rates(lambda b, k: linker.rank_skills_batch(b, k, precise=True), sentences, max(1, reps - 2)),
            None,
            "also embeds each candidate phrase (phrase cache warm after the first repetition)",
        ),
        _row(
            "roles rank (titles/s, warm)",
            _rates(linker.rank_roles_batch, titles, reps),
            200.0,
            f"{len(titles)} JobBERT dev titles",
        ),
    ]
    return rows
