"""Catalogue loading benchmark: warm load (from the disk cache), cold build, bring-your-own overlay.

The cold build runs into a temporary cache folder seeded with the already computed embedding matrices (the
ESCO label vectors and friends), so it measures reading, merging and linking, not the one-off embedding of
13,896 labels. Timings on a shared 2-core machine vary with load; medians are reported.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "catalog_example"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(name: str, values: list[float], target: str, note: str) -> dict[str, Any]:
    return {
        "name": name,
        "unit": "s",
        "median": round(statistics.median(values), 3),
        "p95": round(_pct(values, 0.95), 3),
        "n": len(values),
        "target": target,
        "note": note,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows: warm load, cold build (embeddings cached), bring-your-own overlay."""
    from coach.knowledge import load_catalog
    from coach.settings import get_settings

    cache = get_settings().home / "cache"
    load_catalog()  # make sure the shared cache exists before timing warm loads
    warm = []
    for _ in range(3 if quick else 7):
        t = time.perf_counter()
        load_catalog()
        warm.append(time.perf_counter() - t)
    rows = [_row("catalog warm load", warm, "≤ 2 s", "unpickle from $COACH_HOME/cache")]

    cold = []
    for _ in range(1 if quick else 2):
        with tempfile.TemporaryDirectory() as tmp:
            for npy in cache.glob("*.npy"):
                if not npy.name.startswith("linker-"):
                    shutil.copy2(npy, tmp)
            t = time.perf_counter()
            load_catalog(cache_dir=tmp)
            cold.append(time.perf_counter() - t)
    rows.append(_row("catalog cold build", cold, "≤ 90 s", "sources → records, merge, links; vectors cached"))

    overlay = []
    for _ in range(3 if quick else 5):
        t = time.perf_counter()
        load_catalog(catalog_dirs=[EXAMPLE])
        overlay.append(time.perf_counter() - t)
    rows.append(_row("catalog + own catalogue", overlay, "≤ 5 s", "warm load + 2 credentials, 2 rules"))
    return rows
