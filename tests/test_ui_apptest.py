"""The Streamlit app through Streamlit's AppTest: every page, every role, on a temporary database.

One module-scoped environment (database, in-process API, one planned pathway) is shared by all tests, because the
first catalogue and embedder load takes ~10 s; each test signs in its own fresh users so tests stay independent.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from coach.settings import REPO_ROOT, Settings, get_settings
from ui.services import ApiError, CoachClient, assign_to_demo_coach, ensure_demo_accounts, in_process_http

APP = str(REPO_ROOT / "ui" / "app.py")
DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "demo-pass-for-tests"
PASSWORD = "learner-pass-123"
ROLE = "Information Security Analysts"
_ids = itertools.count(1)


@dataclass
class UiEnv:
    """The shared test world: settings pointing at a temp database, and an API client over it."""

    settings: Settings
    http: httpx.Client
    plan: dict[str, Any]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiEnv]:
    """A temporary database with the demo accounts, and one feasible plan reused by the tests that need one."""
    mp = pytest.MonkeyPatch()
    db = tmp_path_factory.mktemp("ui") / "ui.db"
    mp.setenv("COACH_DATABASE_URL", f"sqlite:///{db}")
    mp.setenv("COACH_DEMO_PASSWORD", DEMO_PASSWORD)
    mp.setenv("COACH_CHAT_PROVIDER", "offline")
    mp.setenv("COACH_LOCAL_MODE", "true")  # the remote-mode test serves these settings over a real socket
    # every test registers its own learners from this one address: the sign-up throttle is not what is tested here
    mp.setenv("COACH_REGISTRATIONS_PER_ADDRESS", "100000")
    mp.delenv("COACH_API_URL", raising=False)
    get_settings.cache_clear()
    settings = get_settings()
    ensure_demo_accounts(settings)
    http = in_process_http(settings)
    planner = learner(UiEnv(settings, http, {}), profile=_ana())
    plan = planner.plan(role=ROLE, budget=1500.0, hours_per_week=10.0, weeks=52, alternatives=0)
    assert plan["status"] != "infeasible", plan.get("reason")
    yield UiEnv(settings, http, plan)
    http.close()
    mp.undo()
    get_settings.cache_clear()
    from coach.store import dispose_engines

    dispose_engines()


def _ana() -> dict[str, Any]:
    return json.loads((DATA / "profiles" / "ana_retail_to_security.json").read_text(encoding="utf-8"))


def learner(env: UiEnv, profile: dict[str, Any] | None = None) -> CoachClient:
    """A fresh learner, registered through the API and assigned to the demo coach (as the app does)."""
    c = CoachClient(http=env.http)
    name = f"learner{next(_ids)}"
    user = c.register(name, PASSWORD, name.capitalize())
    assign_to_demo_coach(env.settings, int(user["id"]))
    c.sign_in(name, PASSWORD)
    if profile is not None:
        c.save_profile(profile)
    return c


def staff(env: UiEnv, username: str = "coach") -> CoachClient:
    """A signed-in coach (or admin) client."""
    c = CoachClient(http=env.http)
    c.sign_in(username, DEMO_PASSWORD)
    return c


def submitted(env: UiEnv) -> tuple[CoachClient, int]:
    """A learner with the shared plan saved and sent for review; returns the client and the pathway id."""
    c = learner(env, profile=_ana())
    saved = c.save_pathway(env.plan, title="Security pathway")
    c.submit(saved["id"])
    return c, int(saved["id"])


def app_as(c: CoachClient | None = None, page: str | None = None) -> AppTest:
    """The app with this user already signed in (the session's client injected), optionally on a page."""
    at = AppTest.from_file(APP, default_timeout=180)
    if c is not None:
        at.session_state["client"] = CoachClient(http=c.http, token=c.token, user=dict(c.user))
    at.run()
    if page is not None:
        at.radio(key="nav").set_value(page).run()
    assert not at.exception, at.exception
    return at


def texts(elements: Any) -> list[str]:
    """The values of a list of text elements (markdown, error, info...)."""
    return [str(e.value) for e in elements]


def submit_button(at: AppTest, form: str) -> Any:
    """The submit button of a form."""
    return next(b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{form}-"))


# ---- sign-in ---------------------------------------------------------------------------------------------------


def test_wrong_password_shows_an_error_and_stays_signed_out(env: UiEnv) -> None:
    at = app_as()
    at.text_input(key="login_user").input("coach")
    at.text_input(key="login_password").input("not-the-password")
    submit_button(at, "sign_in_form").click().run()
    assert at.error, "a wrong password must show a visible error"
    assert not at.session_state["client"].token
    assert not [r for r in at.radio if r.key == "nav"]  # no pages without signing in


def test_register_signs_in_a_learner_with_only_learner_pages(env: UiEnv) -> None:
    at = app_as()
    name = f"newbie{next(_ids)}"
    at.text_input(key="reg_name").input("New Bie")
    at.text_input(key="reg_user").input(name)
    at.text_input(key="reg_password").input(PASSWORD)
    submit_button(at, "register_form").click().run()
    assert not at.exception
    c: CoachClient = at.session_state["client"]
    assert c.role == "learner" and c.user["username"] == name
    assert at.radio(key="nav").options == ["Chat", "Job posting", "My pathway", "Drafts"]
    assert "Chat with your coach" in texts(at.title)
    # the new learner was given the demo coach, so their submissions have a reviewer
    assert name in [x["username"] for x in staff(env).cohort()]


def test_register_with_a_short_password_is_refused_visibly(env: UiEnv) -> None:
    at = app_as()
    at.text_input(key="reg_user").input(f"short{next(_ids)}")
    at.text_input(key="reg_password").input("abc")
    submit_button(at, "register_form").click().run()
    assert at.error and not at.session_state["client"].token


def test_coach_signs_in_with_the_demo_password_and_sees_coach_pages(env: UiEnv) -> None:
    at = app_as()
    at.text_input(key="login_user").input("coach")
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    submit_button(at, "sign_in_form").click().run()
    assert at.radio(key="nav").options == ["Review queue", "Cohort"]
    at.button(key="sign_out").click().run()
    assert not at.session_state["client"].token
    assert "Pathway Coach" in texts(at.title)


# ---- learner: chat ---------------------------------------------------------------------------------------------


def test_chat_turn_answers_updates_the_profile_panel_and_saves_a_pathway(env: UiEnv) -> None:
    c = learner(env)
    at = app_as(c)
    assert at.info, "an empty conversation shows a hint"
    at.chat_input(key="chat_input").set_value(
        "I work in retail, I want to become a cybersecurity analyst, I can spend $1,000 and 8 hours a week "
        "for 6 months."
    ).run()
    assert not at.exception and not at.error
    assistant = [m for m in at.chat_message if m.name == "assistant"]
    answer = assistant[-1].markdown[-1].value
    assert answer and answer != "_(no answer)_"
    assert at.status[-1].label.startswith("Done — ")  # tool progress was shown and completed
    # the side panel shows what the agent learnt in this very turn
    assert at.number_input(key="pf_budget").value == 1000.0
    target = at.text_input(key="pf_target").value
    assert target and not re.match(r"^\d{2}-\d{4}\.\d{2}$", target)  # a title people read, not a code
    # the save button asks the agent to plan and save
    at.button(key="chat_save").click().run()
    assert not at.exception
    saved = c.pathways()
    assert len(saved) == 1 and saved[0]["status"] == "draft"
    assert [m.name for m in at.chat_message][-2:] == ["user", "assistant"]


def test_profile_panel_saves_corrections(env: UiEnv) -> None:
    c = learner(env)
    at = app_as(c)
    at.text_input(key="pf_name").input("Rita Retail")
    at.text_area(key="pf_skills").input("customer service\ncash handling\n\n")
    at.number_input(key="pf_weeks").set_value(40)
    submit_button(at, "profile_form").click().run()
    assert "Profile saved." in texts(at.success)
    stored = c.profile()
    assert stored["name"] == "Rita Retail"
    assert stored["skills"] == ["customer service", "cash handling"]
    assert stored["constraints"]["weeks"] == 40


def test_the_profile_survives_leaving_chat_and_two_saves_in_a_row(env: UiEnv) -> None:
    c = learner(env, profile=_ana())
    stored = c.profile()
    at = app_as(c)
    # away to another page (Streamlit drops the state of widgets it did not draw) and back
    at.radio(key="nav").set_value("Job posting").run()
    at.radio(key="nav").set_value("Chat").run()
    assert at.text_input(key="pf_role").value == stored["current_role"]
    assert at.number_input(key="pf_budget").value == stored["constraints"]["budget"]
    assert at.number_input(key="pf_hours").value == stored["constraints"]["hours_per_week"]
    assert at.text_input(key="pf_target").value
    submit_button(at, "profile_form").click().run()
    after = c.profile()
    assert after["constraints"] == stored["constraints"] and after["current_role"] == stored["current_role"]
    assert after["target"]["role"]  # saving what was shown keeps the target
    # two saves in a row: the second keeps what was typed for it
    at.text_input(key="pf_role").input("Retail shift supervisor")
    submit_button(at, "profile_form").click().run()
    at.text_input(key="pf_role").input("Store supervisor")
    at.number_input(key="pf_weeks").set_value(30)
    submit_button(at, "profile_form").click().run()
    assert texts(at.success)[-1] == "Profile saved."
    final = c.profile()
    assert final["current_role"] == "Store supervisor" and final["constraints"]["weeks"] == 30
    assert at.text_input(key="pf_role").value == "Store supervisor"


def test_the_plan_form_is_refilled_from_the_profile_after_leaving_it(env: UiEnv) -> None:
    c = learner(env, profile=_ana())
    cons = c.profile()["constraints"]
    at = app_as(c, page="My pathway")
    at.radio(key="nav").set_value("Chat").run()
    at.radio(key="nav").set_value("My pathway").run()
    assert at.text_input(key="plan_role").value
    assert at.number_input(key="plan_budget").value == cons["budget"]
    assert at.number_input(key="plan_hours").value == cons["hours_per_week"]


def test_the_name_given_at_sign_up_is_in_the_profile_panel(env: UiEnv) -> None:
    c = learner(env)
    at = app_as(c)
    assert at.text_input(key="pf_name").value == c.user["display_name"]


def test_a_pathway_planned_in_chat_is_the_one_my_pathway_shows(env: UiEnv) -> None:
    c = learner(env, profile=_ana())
    at = app_as(c)
    at.chat_input(key="chat_input").set_value("Please plan my pathway.").run()
    assert not at.exception
    plan = at.session_state["plan"]
    assert plan and plan["steps"]
    at.radio(key="nav").set_value("My pathway").run()
    assert any("Planned in your chat" in i for i in texts(at.info))
    assert at.session_state["plan"]["steps"] == plan["steps"]


def test_the_conversation_is_still_there_after_signing_in_again(env: UiEnv) -> None:
    c = learner(env, profile=_ana())
    at = app_as(c)
    at.chat_input(key="chat_input").set_value("What does the CompTIA Security+ exam cost?").run()
    said = [(m["role"], m["content"]) for m in at.session_state["chat_history"]]
    assert len(said) == 2
    again = app_as(c)  # a new browser session for the same user
    assert [(m["role"], m["content"]) for m in again.session_state["chat_history"]] == said
    assert [m.name for m in again.chat_message] == ["user", "assistant"]
    assert again.chat_message[1].markdown[0].value == said[1][1]


def test_a_blank_message_is_not_sent(env: UiEnv) -> None:
    at = app_as(learner(env))
    at.chat_input(key="chat_input").set_value("   \n  ").run()
    assert not at.exception
    assert not at.chat_message


# ---- learner: job posting --------------------------------------------------------------------------------------


def _analyse(at: AppTest, text: str) -> AppTest:
    at.text_area(key="posting_text").input(text)
    return at.button(key="posting_analyze").click().run()


def test_posting_analysis_shows_requirements_and_the_match(env: UiEnv) -> None:
    at = app_as(learner(env, profile=_ana()), page="Job posting")
    assert not at.dataframe  # nothing before analysing
    _analyse(at, (DATA / "postings" / "soc_analyst.txt").read_text(encoding="utf-8"))
    assert not at.exception and not at.error
    rows = at.dataframe[0].value
    assert len(rows) >= 3
    assert set(rows["match"]) <= {"met", "partly", "missing"} and set(rows["match"]) & {"met", "partly"}
    match = next(m for m in at.metric if m.label == "Your match")
    assert match.value.endswith("/ 100")
    assert any("<mark" in m.value for m in at.markdown)  # source sentences highlighted
    assert [m for m in texts(at.markdown) if m.startswith("**Occupation:**") and len(m) > 20]
    assert "Credentials that close your gaps" in texts(at.subheader)


def test_a_job_seeker_without_a_profile_sees_the_requirements_unmatched(env: UiEnv) -> None:
    at = app_as(learner(env), page="Job posting")
    _analyse(at, (DATA / "postings" / "soc_analyst.txt").read_text(encoding="utf-8"))
    assert not at.exception and not at.error
    rows = at.dataframe[0].value
    assert len(rows) >= 3 and set(rows["match"]) == {""}  # nothing claimed for someone we know nothing about
    assert next(m for m in at.metric if m.label == "Your match").value == "—"
    assert any("not matched" in m for m in texts(at.markdown))  # the legend says what an unmatched span is


def test_empty_posting_warns(env: UiEnv) -> None:
    at = app_as(learner(env), page="Job posting")
    at.button(key="posting_analyze").click().run()
    assert "Paste a posting first." in texts(at.warning)
    assert not at.dataframe


def test_posting_with_injected_instructions_is_analysed_as_data(env: UiEnv) -> None:
    text = (DATA / "postings" / "devops_injection.txt").read_text(encoding="utf-8")
    assert "Ignore previous instructions" in text
    at = app_as(learner(env, profile={"name": "Sam", "skills": ["cooking"]}), page="Job posting")
    _analyse(at, text)
    assert not at.exception
    rows = at.dataframe[0].value
    assert len(rows) >= 3  # the real requirements were still read
    assert not any("ignore previous" in r.lower() for r in rows["requirement"])
    match = next(m for m in at.metric if m.label == "Your match")
    assert match.value != "100 / 100"  # the injected "score of 100" was not obeyed
    shown = "".join(m.value for m in at.markdown if "<mark" in m.value)
    assert "Ignore previous instructions" in shown and "<script" not in shown


# ---- learner: my pathway ---------------------------------------------------------------------------------------


def _plan(at: AppTest, budget: float, weeks: int, alternatives: int = 0) -> AppTest:
    at.text_input(key="plan_role").input(ROLE)
    at.number_input(key="plan_budget").set_value(budget)
    at.number_input(key="plan_hours").set_value(10.0)
    at.number_input(key="plan_weeks").set_value(weeks)
    at.number_input(key="plan_alts").set_value(alternatives)
    return submit_button(at, "plan_form").click().run()


def test_plan_form_shows_the_pathway_and_saves_and_sends_it_for_review(env: UiEnv) -> None:
    c = learner(env, profile=_ana())
    at = app_as(c, page="My pathway")
    _plan(at, budget=1500.0, weeks=52, alternatives=1)
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Cost", "Hours", "Weeks", "Done by"]  # the plan first, then its alternatives
    plan = at.session_state["plan"]
    assert plan["steps"] and at.metric[2].value == str(plan["weeks"])
    assert len(at.get("vega_lite_chart")) >= 2  # timeline + coverage (+ alternatives)
    assert len(at.get("graphviz_chart")) == 1
    assert len(at.expander) >= len(plan["steps"])  # one expander per step
    # Every credential step says what is known about its employer recognition, with the pages it rests on.
    lines = [m.value for m in at.markdown if m.value.startswith("Employer recognition:")]
    credentials = [s for s in plan["steps"] if not s["work_based"]]
    assert len(lines) >= len(credentials)
    for step in credentials:
        for sign in step["recognition"]:
            assert any(sign["url"] in line for line in lines)
    at.button(key="plan_save").click().run()
    saved_msg = [s for s in texts(at.success) if s.startswith("Saved as pathway #")]
    assert saved_msg
    pid = int(re.search(r"#(\d+)", saved_msg[0]).group(1))  # type: ignore[union-attr]
    # pressing save again does not store the same pathway twice
    at.button(key="plan_save").click().run()
    assert any(f"already saved as pathway #{pid}" in i for i in texts(at.info))
    assert [p["id"] for p in c.pathways()] == [pid]
    # the saved tab offers to send it for review
    at.button(key="saved_submit").click().run()
    assert not at.exception
    assert c.pathway(pid)["status"] == "pending"
    assert any("waiting for your coach" in m.value for m in at.markdown if m.value.startswith("**Status:**"))


def test_infeasible_plan_shows_the_reason_and_the_nearest_feasible_change(env: UiEnv) -> None:
    at = app_as(learner(env, profile=_ana()), page="My pathway")
    _plan(at, budget=0.0, weeks=1)
    assert not at.exception
    errors = [e for e in texts(at.error) if e.startswith("No pathway fits")]
    assert errors and len(errors[0]) > len("No pathway fits: ")
    assert any(i.startswith("What would work") for i in texts(at.info))
    assert not [b for b in at.button if b.key == "plan_save"]  # nothing to save


def test_saved_tab_empty_state(env: UiEnv) -> None:
    at = app_as(learner(env), page="My pathway")
    assert "No saved pathways yet." in texts(at.caption)


# ---- learner: drafts -------------------------------------------------------------------------------------------


def test_drafts_appear_with_downloads(env: UiEnv) -> None:
    c = learner(env, profile=_ana())
    c.save_pathway(env.plan, title="Security pathway")
    at = app_as(c, page="Drafts")
    assert not at.exception and not at.error
    assert at.text_area(key="draft_bullet_0").value
    assert at.text_input(key="draft_headline").value
    downloads = {d.proto.label for d in at.get("download_button")}
    assert downloads == {"Markdown", "DOCX", "JSON Resume", "Open Badges"}
    options = at.selectbox(key="drafts_pathway").options
    assert any(o.startswith("Saved #") for o in options)
    assert at.selectbox(key="drafts_pathway").value.startswith("Saved #")  # the saved pathway, not "none"


def test_drafts_with_a_role_and_a_target_are_not_called_empty(env: UiEnv) -> None:
    c = learner(env, profile={"current_role": "Shift supervisor", "target": {"role": ROLE}})
    at = app_as(c, page="Drafts")
    assert not at.exception
    assert not any("profile is empty" in i for i in texts(at.info))


def test_drafts_with_an_empty_profile_explain_what_to_do(env: UiEnv) -> None:
    at = app_as(learner(env), page="Drafts")
    assert any("profile is empty" in i for i in texts(at.info))
    assert not at.get("download_button")


# ---- coach: review queue ---------------------------------------------------------------------------------------


def _pick(at: AppTest, learner_client: CoachClient) -> AppTest:
    """Choose the learner's submission in the queue (options read "#id username — title ...")."""
    options = at.selectbox(key="rq_choice").options
    mine = [i for i, o in enumerate(options) if f" {learner_client.user['username']} — " in o]
    assert mine, "the learner's submission is in the queue"
    return at.selectbox(key="rq_choice").select_index(mine[0]).run()


def _open_review(env: UiEnv, learner_client: CoachClient) -> AppTest:
    return _pick(app_as(staff(env), page="Review queue"), learner_client)


def _decision_form(at: AppTest) -> Any:
    return next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:decision_"))


def _review_id(at: AppTest) -> int:
    return int(at.selectbox(key="rq_choice").value)


def test_coach_approves_with_a_comment_and_the_audit_trail_shows_it(env: UiEnv) -> None:
    lc, pid = submitted(env)
    at = _open_review(env, lc)
    assert at.get("vega_lite_chart")  # the pathway itself is shown
    rid = _review_id(at)
    at.radio(key=f"rq_decision_{rid}").set_value("approve")
    at.text_area(key=f"rq_comment_{rid}").input("Solid plan, start with the CC exam.")
    _decision_form(at).click().run()
    assert f"Recorded for {lc.user['username']}: approve." in texts(at.success)
    # the page refreshed: the decided submission left the pending queue
    options = at.selectbox(key="rq_choice").options if any(s.key == "rq_choice" for s in at.selectbox) else []
    assert not any(o.startswith(f"#{rid} ") for o in options)
    at.radio(key="rq_status").set_value("approved").run()
    _pick(at, lc)
    audit = at.dataframe[-1].value
    assert "approved" in list(audit["to"])
    assert "Solid plan, start with the CC exam." in list(audit["why"])  # the coach's words, in the audit
    assert lc.pathway(pid)["status"] == "approved"
    assert "Solid plan, start with the CC exam." in [x["body"] for x in lc.comments(pid)]
    # the learner sees the coach's comment on their pathway
    la = app_as(lc, page="My pathway")
    assert any("Solid plan" in m for m in texts(la.markdown))


def test_a_comment_typed_for_one_learner_never_reaches_the_next(env: UiEnv) -> None:
    first, _ = submitted(env)
    second, _ = submitted(env)
    at = _open_review(env, first)
    rid = _review_id(at)
    at.text_area(key=f"rq_comment_{rid}").input("Only for the first learner").run()
    _pick(at, second)
    assert not at.exception
    boxes = [t for t in at.text_area if t.key and t.key.startswith("rq_comment_")]
    assert boxes and all(t.value in ("", None) for t in boxes)


def test_a_coach_edit_with_a_reason_shows_the_new_version_to_both(env: UiEnv) -> None:
    profile = _ana()
    profile["constraints"].update(
        budget=1500.0, hours_per_week=10.0, weeks=52
    )  # the limits it was planned in
    lc = learner(env, profile=profile)
    pid = int(lc.save_pathway(env.plan, title="Security pathway")["id"])
    lc.submit(pid)
    at = _open_review(env, lc)
    rid = _review_id(at)
    before = lc.pathway(pid)
    first_step = before["pathway"]["steps"][0]
    at.selectbox(key=f"ed_op_{rid}").set_value("remove")
    at.selectbox(key=f"ed_step_{rid}").set_value(first_step["id"])
    at.text_input(key=f"ed_note_{rid}").input("Start with the free exam instead")
    next(b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:edit_{rid}-")).click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert any(s.startswith(f"Version {before['current_version'] + 1} created") for s in texts(at.success))
    # the console now shows the new version, and says why it was made
    assert any("Start with the free exam instead" in c for c in texts(at.caption))
    now = lc.pathway(pid)
    assert now["current_version"] == before["current_version"] + 1
    assert first_step["id"] not in [s["id"] for s in now["pathway"]["steps"]]
    assert now["note"] == "Start with the free exam instead"
    audit = lc.audit(pid)
    assert any(e["action"] == "edit" and e["detail"].get("note") == now["note"] for e in audit)
    la = app_as(lc, page="My pathway")
    assert any("Start with the free exam instead" in i for i in texts(la.info))


def test_request_changes_requires_a_comment(env: UiEnv) -> None:
    lc, pid = submitted(env)
    at = _open_review(env, lc)
    rid = _review_id(at)
    at.radio(key=f"rq_decision_{rid}").set_value("request_changes")
    _decision_form(at).click().run()
    assert at.error, "requesting changes without a comment must be refused visibly"
    assert lc.pathway(pid)["status"] == "pending"


def test_empty_review_queue(env: UiEnv) -> None:
    at = app_as(staff(env), page="Review queue")
    at.radio(key="rq_status").set_value("rejected").run()
    assert any(i.startswith("Nothing here") for i in texts(at.info))


# ---- coach: cohort ---------------------------------------------------------------------------------------------


def test_cohort_shows_charts_and_the_table(env: UiEnv) -> None:
    lc, _ = submitted(env)
    at = app_as(staff(env), page="Cohort")
    assert not at.exception and not at.error
    assert int(next(m for m in at.metric if m.label == "Learners").value) >= 1
    assert len(at.get("vega_lite_chart")) >= 2  # status and progress
    table = at.dataframe[0].value
    assert lc.user["display_name"] in list(table["learner"])


def test_cohort_empty_state(env: UiEnv) -> None:
    from coach.store import get_engine, session_factory, transaction, user_repo

    _, write = session_factory(get_engine(env.settings.db_url))
    name = f"coach{next(_ids)}"
    with transaction(write) as session:
        user_repo.create_user(
            session=session, username=name, password=DEMO_PASSWORD, role="coach", display_name="New"
        )
    at = app_as(staff(env, name), page="Cohort")
    assert "No learners are assigned to you yet." in texts(at.info)
    assert not at.dataframe


# ---- roles and privacy -----------------------------------------------------------------------------------------


def test_learner_never_sees_coach_pages_nor_coach_routes(env: UiEnv) -> None:
    c = learner(env)
    at = app_as(c)
    assert not {"Review queue", "Cohort"} & set(at.radio(key="nav").options)
    for call in (c.reviews, c.cohort):
        with pytest.raises(ApiError) as refused:
            call()
        assert refused.value.status == 403


def test_learner_never_sees_another_learners_pathway(env: UiEnv) -> None:
    _, other_pid = submitted(env)
    c = learner(env)
    assert other_pid not in [p["id"] for p in c.pathways()]
    with pytest.raises(ApiError) as refused:
        c.pathway(other_pid)
    assert refused.value.status in (403, 404)
    at = app_as(c, page="My pathway")
    assert "No saved pathways yet." in texts(at.caption)


# ---- remote mode (COACH_API_URL) -------------------------------------------------------------------------------


@pytest.fixture
def remote(env: UiEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the app at a remote API URL for one test (settings re-read), then back to the embedded env."""

    def use(url: str) -> None:
        monkeypatch.setenv("COACH_API_URL", url)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("COACH_API_URL", raising=False)
    get_settings.cache_clear()


def test_unreachable_remote_api_is_a_clear_notice(remote: Any) -> None:
    from ui.server import free_port

    remote(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    at = app_as()
    assert not any("demo-password" in i for i in texts(at.info))  # no embedded-mode hint over a remote API
    at.text_input(key="login_user").input("coach")
    at.text_input(key="login_password").input("whatever-password")
    submit_button(at, "sign_in_form").click().run()
    assert not at.exception
    assert any("not reachable" in e for e in texts(at.error))


def test_remote_mode_talks_to_a_running_api(env: UiEnv, remote: Any) -> None:
    import threading

    import uvicorn

    from coach.api import create_app
    from ui.server import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(env.settings), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        remote(f"http://127.0.0.1:{port}")
        at = app_as()
        at.text_input(key="login_user").input("coach")
        at.text_input(key="login_password").input(DEMO_PASSWORD)
        submit_button(at, "sign_in_form").click().run()
        assert not at.exception and not at.error
        assert str(at.session_state["client"].connection().base_url).startswith(f"http://127.0.0.1:{port}")
        assert at.radio(key="nav").options == ["Review queue", "Cohort"]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ---- the `coach ui` command --------------------------------------------------------------------------------------


def test_coach_ui_serves_the_app_and_stops_on_sigterm(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from ui.server import free_port

    port = free_port()
    env = {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{tmp_path / 'ui.db'}",
        "COACH_DEMO_PASSWORD": "x-pass-123",
    }
    env.pop("COACH_API_URL", None)
    cmd = [sys.executable, "-m", "coach.cli", "ui", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, up = time.monotonic() + 90, False
        while not up and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                    up = r.status == 200
            except OSError:
                time.sleep(0.2)
        assert up, "coach ui did not serve the app"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)  # the command is the server: stopping it stops the app (no orphan on the port)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
