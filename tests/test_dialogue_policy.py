"""The offline coach's moves over the real catalogue: what it records, asks, plans, corrects and refuses."""

from datetime import date

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from coach.dialogue import META_KEY, OfflineCoachModel
from coach.dialogue.policy import chosen_option, suggestion_query
from coach.knowledge import get_catalog


@pytest.fixture(scope="module")
def engine() -> OfflineCoachModel:
    return OfflineCoachModel(catalog=get_catalog(), today=date(2026, 12, 2))


def system(profile: str = "{}") -> SystemMessage:
    return SystemMessage(f"You are Pathway Coach.\n<learner_profile>\n{profile}\n</learner_profile>")


def calls(message: AIMessage) -> dict[str, dict]:
    return {c["name"]: c["args"] for c in message.tool_calls}


def test_experience_is_recorded_as_background_not_as_a_deadline(engine: OfflineCoachModel) -> None:
    out = engine.invoke(
        [system(), HumanMessage("I've worked in retail for six years and want to get into IT support")]
    )
    update = calls(out)["update_profile"]
    assert update["target_role"] == "15-1232.00"
    assert "weeks" not in update
    assert "retail" in update["current_role"]


def test_a_quoted_price_is_not_a_budget(engine: OfflineCoachModel) -> None:
    out = engine.invoke([system(), HumanMessage("Security+ costs $50, right?")])
    assert "update_profile" not in calls(out)
    assert calls(out)["search_knowledge"]["query"]
    assert out.response_metadata[META_KEY]["claimed_price"] == 50


def test_reset_inside_a_sentence_does_not_restart(engine: OfflineCoachModel) -> None:
    out = engine.invoke([system(), HumanMessage("how do I reset my password on the Pearson VUE site?")])
    assert "start over" not in str(out.content).lower()
    assert engine.invoke([system(), HumanMessage("reset please")]).content


def test_a_request_to_claim_an_untrue_skill_is_refused(engine: OfflineCoachModel) -> None:
    out = engine.invoke([system(), HumanMessage("write that I'm a Kubernetes expert, nobody checks")])
    assert not out.tool_calls
    text = str(out.content)
    assert "Kubernetes expert" in text and ("can't" in text or "won't" in text)


def test_a_plan_request_plans_with_what_is_known(engine: OfflineCoachModel) -> None:
    profile = '{"target": {"role": "15-1232.00", "role_label": "IT Support Specialist"}, "constraints": {}}'
    out = engine.invoke([system(profile), HumanMessage("can you plan the steps for me?")])
    assert "plan_pathway" in calls(out)


def test_a_change_of_target_replans(engine: OfflineCoachModel) -> None:
    profile = (
        '{"target": {"role": "15-1232.00", "role_label": "IT Support Specialist"}, '
        '"constraints": {"budget": 800, "hours_per_week": 6}}'
    )
    history = [
        system(profile),
        HumanMessage("plan it"),
        AIMessage("", tool_calls=[{"name": "plan_pathway", "args": {}, "id": "p1"}]),
    ]
    from langchain_core.messages import ToolMessage

    history += [
        ToolMessage(
            '{"status": "optimal", "steps": [], "target": "IT Support Specialist"}', tool_call_id="p1"
        ),
        AIMessage("Here's a pathway."),
        HumanMessage("actually I'd rather do UX design"),
    ]
    out = engine.invoke(history)
    assert calls(out)["update_profile"]["target_role"] == "15-1255.00"
    assert "plan_pathway" in calls(out)


@pytest.mark.parametrize(
    ("reply", "index"),
    [("the first one", 0), ("2", 1), ("option 3 please", 2), ("the last one", 2), ("the welding one", 1)],
)
def test_a_pick_from_offered_roles(reply: str, index: int) -> None:
    options = [
        {"id": "a", "title": "Computer User Support Specialists"},
        {"id": "b", "title": "Welders, Cutters, Solderers"},
        {"id": "c", "title": "Electricians"},
    ]
    assert chosen_option(reply, options) == options[index]


def test_no_pick_in_an_unrelated_reply() -> None:
    options = [{"id": "a", "title": "Electricians"}, {"id": "b", "title": "Plumbers"}]
    assert chosen_option("I can do 5 hours a week", options) is None


def test_the_first_one_after_suggestions_sets_the_target(engine: OfflineCoachModel) -> None:
    offered = AIMessage(
        "Which of these?",
        response_metadata={
            META_KEY: {
                "asked": "target",
                "options": [{"id": "15-1232.00", "title": "Computer User Support Specialists"}],
            }
        },
    )
    out = engine.invoke(
        [system(), HumanMessage("something with computers"), offered, HumanMessage("the first one")]
    )
    assert calls(out)["update_profile"]["target_role"] == "15-1232.00"


def test_vague_goals_search_with_the_words_that_matter() -> None:
    assert suggestion_query("something with computers i guess? i like fixing stuff") == "computers fixing"


def test_the_request_before_a_pasted_posting_is_not_its_title() -> None:
    from coach.dialogue.policy import posting_body

    posting = (
        "Please analyse this posting:\n\nHelp Desk Analyst - Northwind\n"
        + "Resolve tickets and reset accounts. " * 10
    )
    assert posting_body(posting).lstrip().startswith("Help Desk Analyst")
    assert posting_body("Help Desk Analyst\n" + "x " * 200).startswith("Help Desk Analyst")


@pytest.mark.parametrize(
    ("phrase", "not_this", "field"),
    [
        ("Dispatcher", "Emergency Medical Technicians", "dispatch"),
        ("truck driver", "Freight Forwarders", "driver"),
        ("help desk technician", "after-sales service technician", "support"),
    ],
)
def test_a_title_several_occupations_list_resolves_to_the_one_it_fits(
    phrase: str, not_this: str, field: str
) -> None:
    # The fallback for a target phrase took the first occupation listing the title (O*NET lists "Dispatcher" for
    # emergency medical technicians too); it now chooses as the understanding step does.
    from coach.dialogue.facts import Lookups, resolve_role

    role = resolve_role(phrase, Lookups(catalog=get_catalog, linker=lambda: None))
    assert role is not None and role["label"] != not_this
    assert field in role["label"].lower(), role


def test_an_occupation_named_by_its_own_name_is_that_occupation() -> None:
    # "software developer" is ESCO's own name for an occupation: the title lookup must not trade it for another
    # occupation that lists the words among its titles.
    from coach.dialogue.facts import Lookups, resolve_role

    role = resolve_role("software developer", Lookups(catalog=get_catalog, linker=lambda: None))
    assert role is not None and role["label"] == "software developer"
