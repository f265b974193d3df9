"""The real app in a real browser: `streamlit run` as a subprocess, driven by Debian's Chromium through Playwright.

A learner registers, talks to the coach until a pathway is saved, analyses a posting, sends the pathway for review
and signs out; the demo coach signs in and approves it. A screenshot of each page goes to tests/screenshots/.
"""

from __future__ import annotations

import json
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


def _sign_in_as_coach(page) -> None:  # type: ignore[no-untyped-def]
    """Sign in as the demo coach on the sign-in screen."""
    page.locator(".st-key-login_user input").fill("coach")
    page.locator(".st-key-login_password input").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


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
            # the downloads are real files with the drafts in them
            with page.expect_download() as got:
                page.locator(".st-key-dl_md button").click()
            markdown = Path(got.value.path()).read_text(encoding="utf-8")
            assert (
                got.value.suggested_filename == "pathway-coach-drafts.md" and "## Resume bullets" in markdown
            )
            with page.expect_download() as got:
                page.locator(".st-key-dl_resume button").click()
            resume = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
            assert resume["basics"]["name"] == "Ana Diaz"
            with page.expect_download() as got:
                page.locator(".st-key-dl_docx button").click()
            assert Path(got.value.path()).read_bytes()[:2] == b"PK"  # a Word document is a zip

            page.locator(".st-key-sign_out button").click()
            _settle(page)

            # the demo coach approves it
            _sign_in_as_coach(page)
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


def _seed_submissions(db_url: str) -> list[str]:
    """Two learners, each with a planned pathway sent for review to the demo coach (made through the API, as the
    app makes them, before the app starts). Returns their user names."""
    from coach.settings import get_settings
    from ui.services import CoachClient, assign_to_demo_coach, ensure_demo_accounts, in_process_http

    names = []
    get_settings.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COACH_DATABASE_URL", db_url)
        mp.setenv("COACH_DEMO_PASSWORD", DEMO_PASSWORD)
        settings = get_settings()
        ensure_demo_accounts(settings)
        http = in_process_http(settings)
        for display, role, budget in (
            ("Ana Diaz", "Information Security Analysts", 1000),
            ("Ben Okoro", "Computer User Support Specialists", 600),
        ):
            client = CoachClient(http=http)
            user = f"{display.split()[0].lower()}{int(time.time())}"
            made = client.register(user, "learner-pass-123", display)
            assign_to_demo_coach(settings, int(made["id"]))
            client.sign_in(user, "learner-pass-123")
            client.save_profile(
                {
                    "name": display,
                    "current_role": "Retail supervisor",
                    "target": {"role": role},
                    "constraints": {"budget": budget, "hours_per_week": 8, "weeks": 26},
                }
            )
            saved = client.save_pathway(client.plan(role=role), title=f"To {role}")
            client.submit(saved["id"])
            names.append(user)
    get_settings.cache_clear()
    return names


def _choose(page, key: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the option containing `option` in the selectbox with widget key `key`, as a person does: type part of
    it into the box, then click it in the list."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.click()
    box.fill(option)
    page.get_by_role("option").filter(has_text=option).first.click()
    _settle(page)


def test_job_seeker_without_a_profile_and_the_coach_console_in_chromium(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        skip_unless_ci(f"{CHROMIUM} is absent (install Debian's package: apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    db_url = f"sqlite:///{tmp_path / 'ui.db'}"
    ana, ben = _seed_submissions(db_url)
    env = {
        "COACH_DATABASE_URL": db_url,
        "COACH_DEMO_PASSWORD": DEMO_PASSWORD,
        "COACH_CHAT_PROVIDER": "offline",
        "COACH_API_URL": "",
    }
    posting = (DATA / "postings" / "soc_analyst.txt").read_text(encoding="utf-8")
    with streamlit_app(env, tmp_path / "streamlit.log") as app, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(WAIT_MS)
        expect.set_options(timeout=WAIT_MS)
        try:
            # a job seeker with no profile goes straight to the posting
            page.goto(app.url)
            page.get_by_role("tab", name="Create a learner account").click()
            page.locator(".st-key-reg_name input").fill("Jo Seeker")
            page.locator(".st-key-reg_user input").fill(f"jo{int(time.time())}")
            page.locator(".st-key-reg_password input").fill("seeker-pass-123")
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_role("heading", name="Chat with your coach")).to_be_visible()
            _settle(page)
            _go(page, "Job posting")
            area = page.locator(".st-key-posting_text textarea")
            area.fill(posting)
            area.press("Control+Enter")
            _settle(page)
            page.locator(".st-key-posting_analyze button").click()
            expect(page.get_by_role("heading", name="Requirements in the posting")).to_be_visible()
            expect(
                page.get_by_text(re.compile(r"^No match yet: tell the coach about your background"))
            ).to_be_visible()
            expect(page.get_by_role("heading", name="Credentials for what the posting asks")).to_be_visible()
            named = page.locator("li").filter(has_text=re.compile(r"^CompTIA Security\+ \(CompTIA;"))
            expect(named.first).to_be_visible()  # the posting names it, so it comes first
            page.locator(".st-key-posting_plan button").click()
            expect(page.get_by_text("Planned — open My pathway to see it.")).to_be_visible()
            _settle(page)
            _go(page, "My pathway")
            expect(page.get_by_text(re.compile(r"^Planned for the job posting"))).to_be_visible()
            _shot(page, "11-job-seeker-plan")
            page.locator(".st-key-sign_out button").click()
            _settle(page)

            # the coach: queue, a comment that stays with its learner, an edit, a request, an approval
            _sign_in_as_coach(page)
            expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
            _settle(page)
            comment = page.get_by_label("Comment (required to request changes or reject)")
            _choose(page, "rq_choice", ana)
            comment.fill("For Ana only: start with the free exam.")
            _choose(page, "rq_choice", ben)
            expect(comment).to_have_count(1)  # the previous learner's form has gone from the page
            expect(comment).to_have_value("")  # and what was typed there is not carried over to this one
            assert ben in page.locator(".st-key-rq_choice").aria_snapshot()

            page.get_by_text("Edit the pathway (creates a new version)").click()
            page.get_by_label("Why (the learner sees this, and it is kept in the audit trail)").fill(
                "One exam at a time: the first step alone."
            )
            _settle(page)  # a click during a script run can be lost (seen once on a slow CI run)
            page.get_by_role("button", name="Create new version").click()
            expect(page.get_by_text("Version 2 created and checked again.")).to_be_visible()
            _settle(page)
            expect(page.get_by_text(re.compile(r"the pathway is now at version 2"))).to_be_visible()
            assert ben in page.locator(".st-key-rq_choice").aria_snapshot()  # still the same learner

            page.get_by_text("request changes", exact=True).click()
            comment.fill("Please tell me how many hours a week you can really give.")
            page.get_by_role("button", name="Record decision").click()
            expect(page.get_by_text(f"Recorded for {ben}: request changes.")).to_be_visible()
            _settle(page)
            assert ben not in page.locator(".st-key-rq_choice").aria_snapshot()  # no longer pending
            expect(comment).to_have_count(1)
            expect(comment).to_have_value("")
            page.get_by_role("button", name="Record decision").click()  # Ana's, approve is the default
            expect(page.get_by_text(f"Recorded for {ana}: approve.")).to_be_visible()
            _settle(page)
            _shot(page, "12-review-decided")

            _go(page, "Cohort")
            expect(page.get_by_role("heading", name="My cohort")).to_be_visible()
            approved = page.locator('[data-testid="stMetric"]').filter(has_text="Approved pathways")
            expect(approved).to_contain_text("1")
            _shot(page, "13-cohort")

            # on a phone the navigation stays folded after signing in: the page, not the sidebar, is in view
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.set_default_timeout(WAIT_MS)
            phone.goto(app.url)
            _sign_in_as_coach(phone)
            expect(phone.get_by_role("heading", name="Review queue")).to_be_in_viewport()
            _settle(phone)
            box = phone.locator('[data-testid="stSidebar"]').bounding_box()
            assert box is not None and box["x"] + box["width"] <= 0, box  # folded away to the left
            _shot(phone, "14-phone-review-queue")
        except Exception:
            _shot(page, "99-failure-coach")
            raise
        finally:
            browser.close()

    from coach.settings import get_settings
    from ui.services import CoachClient, in_process_http

    get_settings.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COACH_DATABASE_URL", db_url)
        client = CoachClient(http=in_process_http(get_settings()))
        client.sign_in("coach", DEMO_PASSWORD)
        assert [r["learner"] for r in client.reviews("approved")] == [ana]
        changes = client.reviews("changes_requested")
        assert [r["learner"] for r in changes] == [ben]
        audit = client.audit(changes[0]["pathway_id"])
        assert any(
            (e.get("detail") or {}).get("note") == "One exam at a time: the first step alone." for e in audit
        )
    get_settings.cache_clear()
