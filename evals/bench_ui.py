"""Benchmark of the Streamlit app's start: `streamlit run` until the server answers, then until Chromium shows the
first screen (the sign-in form). Run: `python evals/bench_ui.py [--quick]`. Not a timed test.

Each run starts a fresh server on a fresh temporary database, so the figures include Streamlit's import and the
first script run; "first screen" is measured from navigation start in a new browser page until the sign-in
tabs are visible (the service itself warms up after the screen is drawn)."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ui.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402 - after the path fix for scripts


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _row(name: str, values: list[float], target: str, note: str) -> dict[str, Any]:
    return {
        "name": name,
        "unit": "s",
        "median": round(statistics.median(values), 3),
        "p95": round(_p95(values), 3),
        "n": len(values),
        "target": target,
        "note": note,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Start the app `n` times; time server-up and first-screen; return benchmark rows."""
    if not Path(CHROMIUM).exists():
        return [
            {
                "name": "ui first screen",
                "unit": "s",
                "median": float("nan"),
                "p95": float("nan"),
                "n": 0,
                "target": "< 3 s",
                "note": f"skipped: {CHROMIUM} is absent",
            }
        ]
    from playwright.sync_api import sync_playwright

    starts = 2 if quick else 5
    loads_per_start = 2 if quick else 3
    up: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    shell: list[float] = []
    with tempfile.TemporaryDirectory(prefix="coach-bench-ui-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(starts):
                env = {
                    "COACH_DATABASE_URL": f"sqlite:///{Path(tmp) / f'bench{i}.db'}",
                    "COACH_DEMO_PASSWORD": "bench-demo-password",
                    "COACH_CHAT_PROVIDER": "offline",
                    "COACH_API_URL": "",
                }
                with streamlit_app(env, Path(tmp) / f"streamlit{i}.log") as app:
                    up.append(app.seconds_to_up)
                    for j in range(loads_per_start):
                        page = browser.new_page(viewport={"width": 1366, "height": 900})
                        t0 = time.perf_counter()
                        page.goto(app.url)
                        page.locator('[data-testid="stApp"]').wait_for(timeout=60_000)
                        shell.append(time.perf_counter() - t0)
                        page.get_by_role("tab", name="Create a learner account").wait_for(timeout=60_000)
                        (cold if j == 0 else warm).append(time.perf_counter() - t0)
                        page.close()
        finally:
            browser.close()
    return [
        _row(
            "ui page shell",
            shell,
            "—",
            "server up → Streamlit's own page (JS bundle, before our script's output) in Chromium",
        ),
        _row("ui server up", up, "—", "from `streamlit run` start until /_stcore/health answers 200"),
        _row(
            "ui first screen (first visit)",
            cold,
            "< 3 s",
            "server up → sign-in form visible in Chromium, first session after start",
        ),
        _row(
            "ui first screen (later visits)",
            warm,
            "< 3 s",
            "a new browser session on a running server (service already warm)",
        ),
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(json.dumps(row))
