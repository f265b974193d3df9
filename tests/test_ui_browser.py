"""The real app in a real browser: `streamlit run` as a subprocess, driven by Debian's Chromium through Playwright.

A learner registers, talks to the coach until a pathway is saved, analyses a posting, sends the pathway for review
and signs out; the demo coach signs in and approves it. A screenshot of each page goes to tests/screenshots/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.conftest import skip_unless_ci
from ui.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).parent / "screenshots"
DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "demo-pass-for-browser"
TURN_DONE = re.compile(r"^Done( — \d+ tool call\(s\))?$")  # the status box's label when a turn is over
WAIT_MS = 180_000  # the first turn loads the catalogue and the embedder on a loaded 2-core machine


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished the current script run (its 'running' indicator is gone)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)


def _go(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page from the sidebar navigation."""
    page.locator(".st-key-nav label").filter(has_text=re.compile(f"^{re.escape(name)}$")).click()
    _settle(page)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_learner_to_coach_approval_in_chromium(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        skip_unless_ci(f"{CHROMIUM} is absent (install Debian's package: apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    db_url = f"sqlite:///{tmp_path / 'ui.db'}"
    env = {
        "COACH_DATABASE_URL": db_url,
        "COACH_DEMO_PASSWORD": DEMO_PASSWORD,
        "COACH_CHAT_PROVIDER": "offline",
        "COACH_API_URL": "",
    }
    posting = (DATA / "postings" / "soc_analyst.txt").read_text(encoding="utf-8")
    learner = f"ana{int(time.time())}"
    with streamlit_app(env, tmp_path / "streamlit.log") as app, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})  # laptop width
        page.set_default_timeout(WAIT_MS)
        expect.set_options(timeout=WAIT_MS)
        try:
            page.goto(app.url)
            expect(page.get_by_role("tab", name="Create a learner account")).to_be_visible()
            _shot(page, "01-sign-in")

            # register a learner
            page.get_by_role("tab", name="Create a learner account").click()
            page.locator(".st-key-reg_name input").fill("Ana Diaz")
            page.locator(".st-key-reg_user input").fill(learner)
            page.locator(".st-key-reg_password input").fill("learner-pass-123")
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_role("heading", name="Chat with your coach")).to_be_visible()
            _settle(page)

            # a short conversation that produces a saved pathway
            box = page.locator(".st-key-chat_input textarea")
            box.fill(
                "I work in retail, I want to become a cybersecurity analyst, I can spend $1,000 and "
                "8 hours a week for 6 months."
            )
            box.press("Enter")
            messages = page.locator('[data-testid="stChatMessage"]')
            expect(messages).to_have_count(2)
            expect(page.get_by_text(TURN_DONE)).to_be_visible()
            _settle(page)
            page.locator(".st-key-chat_save button").click()
            expect(messages).to_have_count(4)
            expect(page.get_by_text(TURN_DONE)).to_be_visible()
            _settle(page)
            expect(messages.last).to_contain_text("weeks")  # the answer describes the planned pathway
            _shot(page, "02-chat")

            # analyse a posting
            _go(page, "Job posting")
            area = page.locator(".st-key-posting_text textarea")
            area.fill(posting)
            area.press("Control+Enter")  # commit the text before the click
            _settle(page)
            page.locator(".st-key-posting_analyze button").click()
            expect(page.get_by_role("heading", name="Requirements in the posting")).to_be_visible()
            expect(page.locator("mark").first).to_be_visible()
            _settle(page)
            _shot(page, "03-job-posting")

            # send the saved pathway for review; the plan made in the chat is the one shown here
            _go(page, "My pathway")
            expect(page.get_by_text("Planned in your chat with the coach.")).to_be_visible()
            charts = page.locator('[data-testid="stVegaLiteChart"]:visible')  # the open tab's charts
            expect(charts.first).to_be_visible()
            page.wait_for_timeout(500)  # vega draws after the element appears
            heights = [charts.nth(i).bounding_box()["height"] for i in range(charts.count())]  # type: ignore[index]
            assert heights and min(heights) > 120, heights  # readable charts, not 1-px bars
            _shot(page, "04-my-pathway-plan")
            page.get_by_role("tab", name="Saved pathways and review").click()
            page.locator(".st-key-saved_submit button").click()
            _settle(page)
            expect(page.get_by_text(re.compile(r"Status: waiting for your coach"))).to_be_visible()
            _shot(page, "05-my-pathway-saved")

            # the profile panel is filled again after leaving Chat, and saving it keeps what it showed
            _go(page, "Chat")
            expect(page.locator(".st-key-pf_budget input")).to_have_value(re.compile(r"^1000(\.00)?$"))
            page.get_by_role("button", name="Save profile").click()
            expect(page.get_by_text("Profile saved.")).to_be_visible()
            _settle(page)

            _go(page, "Drafts")
            expect(page.get_by_role("heading", name="Present your credentials")).to_be_visible()
            _shot(page, "06-drafts")

            page.locator(".st-key-sign_out button").click()
            _settle(page)

            # the demo coach approves it
            page.locator(".st-key-login_user input").fill("coach")
            page.locator(".st-key-login_password input").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in", exact=True).click()
            expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
            _settle(page)
            assert learner in page.locator(".st-key-rq_choice").aria_snapshot()  # the selected submission
            page.get_by_label("Comment (required to request changes or reject)").fill(
                "Looks good: start with the first exam."
            )
            page.get_by_role("button", name="Record decision").click()
            expect(page.get_by_text(f"Recorded for {learner}: approve.")).to_be_visible()
            _settle(page)
            _shot(page, "07-review-queue")

            _go(page, "Cohort")
            expect(page.get_by_role("heading", name="My cohort")).to_be_visible()
            _shot(page, "08-cohort")
        except Exception:
            _shot(page, "99-failure")
            raise
        finally:
            browser.close()

    # the decision is in the database, not only on screen
    from coach.settings import get_settings
    from ui.services import CoachClient, in_process_http

    get_settings.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COACH_DATABASE_URL", db_url)
        client = CoachClient(http=in_process_http(get_settings()))
        client.sign_in("coach", DEMO_PASSWORD)
        approved = client.reviews("approved")
        assert [r["learner"] for r in approved] == [learner]
    get_settings.cache_clear()
