"""Speed of the taxonomy linker: `coach skills rank` and `coach roles rank` throughput, warm.

Sentences are the real posting sentences of the ESCO skill benchmark (TECH + HOUSE validation, repeated to
fill the sample); titles are JobBERT dev titles. The headline rows run the real command: one `coach skills rank`
process answers a first line (warm-up: catalogue, label matrices and encoder loaded), then the whole sample is
piped in and the clock runs until its last answer line is read. The in-process rows call the linker on batches
of 64 (an interactive caller's worst case: small batches).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
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


def _send(pipe: Any, payload: bytes) -> None:
    pipe.write(payload)
    pipe.flush()


def _cli_rates(command: str, items: list[str], reps: int) -> list[float]:
    """Items per second through one warm `coach <command> rank` process, fed through a pipe."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from coach.cli import main; main()", command, "rank", "--top", "10"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b'{"id": "warm", "text": "python programming"}\n')
        proc.stdin.flush()
        json.loads(proc.stdout.readline())
        payload = b"".join(json.dumps({"id": i, "text": t}).encode() + b"\n" for i, t in enumerate(items))
        rates = []
        for _ in range(reps):
            start = time.perf_counter()
            writer = threading.Thread(target=_send, args=(proc.stdin, payload))
            writer.start()
            for _ in items:
                row = json.loads(proc.stdout.readline())
                assert "error" not in row, row
            rates.append(len(items) / (time.perf_counter() - start))
            writer.join()
        return rates
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


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
    cli_sentences = (sentences * 4)[: 512 if quick else 2048]
    rows = [
        _row(
            "coach skills rank (sentences/s, warm)",
            _cli_rates("skills", cli_sentences, reps),
            200.0,
            f"the real command, {len(cli_sentences)} piped posting sentences ({words:.0f} words on average); "
            f"{linker.describe().split(';')[1].strip()}",
        ),
        _row(
            "coach roles rank (titles/s, warm)",
            _cli_rates("roles", titles, reps),
            200.0,
            f"the real command, {len(titles)} piped JobBERT dev titles",
        ),
        _row(
            "skills rank in-process, batches of 64 (sentences/s)",
            _rates(linker.rank_skills_batch, sentences, reps),
            None,
            f"{len(sentences)} posting sentences; linker load {load_s:.1f} s",
        ),
        _row(
            "skills rank --precise (sentences/s, warm)",
            _rates(lambda b, k: linker.rank_skills_batch(b, k, precise=True), sentences, max(1, reps - 2)),
            None,
            "also embeds each candidate phrase (phrase cache warm after the first repetition)",
        ),
        _row(
            "roles rank in-process, batches of 64 (titles/s)",
            _rates(linker.rank_roles_batch, titles, reps),
            None,
            f"{len(titles)} JobBERT dev titles",
        ),
    ]
    return rows
