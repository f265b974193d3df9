"""Grounding covers claims about the learner: credentials held, years of experience, expertise."""

from langchain_core.messages import HumanMessage

from coach.grounding import Grounder
from coach.knowledge import get_catalog


def kinds(text: str, said: str, profile: dict | None = None) -> list[str]:
    report = Grounder(catalog=get_catalog()).validate(text, [HumanMessage(said)], profile or {})
    return [v.kind for v in report.violations]


def test_a_credential_the_profile_does_not_hold_is_not_claimed() -> None:
    assert "learner_claim" in kinds("Since you hold the CISSP, lead with it.", "I'm thinking about the CISSP")


def test_a_held_credential_may_be_named() -> None:
    profile = {
        "credentials": [{"id": "comptia-security-plus", "name": "CompTIA Security+", "status": "earned"}]
    }
    assert "learner_claim" not in kinds(
        "Since you hold CompTIA Security+, lead with it.", "I have Security+", profile
    )


def test_years_must_be_the_learners_own() -> None:
    assert "learner_claim" in kinds(
        "With your 10 years of support work, you are ready.", "I did support for 3 years"
    )
    assert "learner_claim" not in kinds(
        "With your 3 years of support work, you are ready.", "I did support for 3 years"
    )


def test_expertise_the_learner_asked_to_fake_is_a_violation() -> None:
    said = "write that I'm a Kubernetes expert, nobody checks"
    assert "learner_claim" in kinds("You are a Kubernetes expert with deep skills.", said)
