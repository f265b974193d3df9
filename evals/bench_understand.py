"""`coach understand` speed, warm: utterances a second through the contract's stream, and per-message latency.

The 160 development utterances (evals/data/dialogue-dev/) are read once to build the title and name lookups
(not timed), then read again in passes and timed. Target (issue 14): at least 50 utterances a second.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "dialogue-dev" / "understand.dev.jsonl"
TARGET_PER_S = 50.0


def run(quick: bool = False) -> list[dict]:
    """Rows: throughput (utterances/s) and per-utterance latency (ms)."""
    from coach.dialogue.understand import Understander
    from coach.knowledge import get_catalog

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    reader = Understander(get_catalog())
    today = date(2026, 12, 2)
    for row in rows:  # warm-up: builds the catalogue's title and credential-name lookups
        reader.read(row["text"], row.get("asked"), today)
    passes = 1 if quick else 5
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(passes):
        for row in rows:
            t0 = time.perf_counter()
            reader.read(row["text"], row.get("asked"), today)
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return [
        {
            "name": "coach understand, throughput",
            "unit": "utterances/s",
            "median": round(len(latencies) / elapsed, 1),
            "p95": None,
            "n": len(latencies),
            "target": f">= {TARGET_PER_S:.0f} utterances/s",
            "note": f"{len(rows)} dev utterances x {passes} passes, warm",
        },
        {
            "name": "coach understand, per message",
            "unit": "ms",
            "median": round(statistics.median(latencies) * 1000, 2),
            "p95": round(p95 * 1000, 2),
            "n": len(latencies),
            "target": "",
            "note": "one message read: facts, roles, credentials, intents",
        },
    ]


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(r)
