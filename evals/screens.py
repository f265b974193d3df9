"""Screenshots of every page of the app at laptop (1366 px) and phone (390 px) width, for looking at.

    python evals/screens.py            # writes evals/out/screens/<width>-<page>.png

A temporary database is seeded through the API the app uses (a learner with a profile, a chat turn, a saved
pathway sent for review, a second learner's submission), then `streamlit run` serves the app and Debian's
Chromium, driven by Playwright, signs in as the learner and as the demo coach and photographs each page.
Nothing here is a test: the pictures are for a person to judge.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

OUT = HERE / "out" / "screens"
PROFILE = ROOT / "tests" / "data" / "profiles" / "ana_retail_to_security.json"
POSTING = ROOT / "tests" / "data" / "postings" / "soc_analyst.txt"
PASSWORD = "learner-pass-123"
DEMO_PASSWORD = "demo-pass-for-screens"
WIDTHS = (1366, 390)
WAIT_MS = 180_000


def _seed(db_url: str) -> None:
    """Two learners assigned to the demo coach, each with a profile and a pathway sent for review."""
    from coach.settings import get_settings
    from ui.services import CoachClient, assign_to_demo_coach, ensure_demo_accounts, in_process_http

    get_settings.cache_clear()
    settings = get_settings()
    ensure_demo_accounts(settings)
    http = in_process_http(settings)
    profile = json.loads(PROFILE.read_text(encoding="utf-8"))
    for username, name in (("ana", "Ana Diaz"), ("ben", "Ben Okafor")):
        c = CoachClient(http=http)
        user = c.register(username, PASSWORD, name)
        assign_to_demo_coach(settings, int(user["id"]))
        c.sign_in(username, PASSWORD)
        c.save_profile({**profile, "name": name})
        for _ in c.chat("What does the CompTIA Security+ exam cost, and do employers recognise it?"):
            pass
        plan = c.plan(role="Information Security Analysts", budget=1500.0, hours_per_week=10.0, weeks=52)
        saved = c.save_pathway(plan, title="Security pathway")
        c.submit(saved["id"])
    http.close()


def _settle(page: Any) -> None:
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)


def _sidebar_open(page: Any) -> bool:
    # a folded sidebar is moved off screen, not hidden: the "Expand sidebar" button says it is folded
    if not page.locator('[data-testid="stSidebar"]').count():  # the sign-in screen has none
        return False
    return not page.get_by_role("button", name="Expand sidebar").is_visible()


def _sidebar(page: Any) -> None:
    """Open the sidebar when a narrow window has folded it away."""
    if not _sidebar_open(page):
        page.get_by_role("button", name="Expand sidebar").click()
        page.wait_for_timeout(500)


def _fold_sidebar(page: Any) -> None:
    """Fold the sidebar away on a phone (its button shows only while the pointer is over the sidebar)."""
    if _sidebar_open(page):
        page.evaluate(
            "() => { const b = document.querySelector('[data-testid=\"stSidebarCollapseButton\"] button');"
            " if (b) b.click(); }"
        )
        page.wait_for_timeout(500)


def _go(page: Any, name: str) -> None:
    _sidebar(page)
    page.locator(".st-key-nav label").filter(has_text=re.compile(f"^{re.escape(name)}$")).click()
    _settle(page)
    if page.viewport_size["width"] < 700:
        _fold_sidebar(page)


def _sign_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.locator(".st-key-login_user input").fill(username)
    page.locator(".st-key-login_password input").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    _settle(page)


def _shoot(page: Any, width: int, name: str) -> Path:
    """A picture of the whole page: Streamlit scrolls inside its main block, so the window is made as tall as
    that block for the picture, then put back. On a phone the sidebar is folded first, as a person would."""
    if width < 700:
        _fold_sidebar(page)
    tall = page.evaluate(
        "() => Math.max(...['stMain', 'stAppViewContainer', 'stMainBlockContainer'].map(t => {"
        ' const m = document.querySelector(`[data-testid="${t}"]`); return m ? m.scrollHeight : 0; }),'
        " document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": width, "height": max(900, min(int(tall), 14_000))})
    page.wait_for_timeout(800)  # charts redraw for the new size
    path = OUT / f"{width}-{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})
    return path


def main() -> int:
    """Seed, serve, photograph; print the files written."""
    from playwright.sync_api import sync_playwright

    from ui.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'screens.db'}"
        env = {
            "COACH_DATABASE_URL": db_url,
            "COACH_DEMO_PASSWORD": DEMO_PASSWORD,
            "COACH_CHAT_PROVIDER": "offline",
            "COACH_API_URL": "",
        }
        os.environ.update(env)
        _seed(db_url)
        written: list[Path] = []
        with streamlit_app(env, Path(tmp) / "streamlit.log") as app, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.set_default_timeout(WAIT_MS)
                page.goto(app.url)
                page.get_by_role("tab", name="Sign in").wait_for()
                _settle(page)
                written.append(_shoot(page, width, "01-sign-in"))
                _sign_in(page, app.url, "ana", PASSWORD)
                written.append(_shoot(page, width, "02-chat"))
                _go(page, "Job posting")
                area = page.locator(".st-key-posting_text textarea")
                area.fill(POSTING.read_text(encoding="utf-8"))
                area.press("Control+Enter")
                _settle(page)
                page.locator(".st-key-posting_analyze button").click()
                page.get_by_role("heading", name="Requirements in the posting").wait_for()
                _settle(page)
                written.append(_shoot(page, width, "03-job-posting"))
                _go(page, "My pathway")
                page.get_by_role("button", name="Plan my pathway").click()
                page.get_by_text(re.compile("^Planned here for")).wait_for()
                _settle(page)
                written.append(_shoot(page, width, "04-my-pathway-plan"))
                page.get_by_role("tab", name="Saved pathways and review").click()
                _settle(page)
                written.append(_shoot(page, width, "05-my-pathway-saved"))
                _go(page, "Drafts")
                written.append(_shoot(page, width, "06-drafts"))
                _sidebar(page)
                page.locator(".st-key-sign_out button").click()
                _settle(page)
                _sign_in(page, app.url, "coach", DEMO_PASSWORD)
                written.append(_shoot(page, width, "07-review-queue"))
                _go(page, "Cohort")
                written.append(_shoot(page, width, "08-cohort"))
                page.close()
            browser.close()
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
