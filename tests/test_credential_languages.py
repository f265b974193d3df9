"""The language a credential is taught in: plans and gap suggestions keep to the languages the learner studies in."""

from __future__ import annotations

import pytest

from coach.knowledge.languages import learner_languages, teaching_language, title_language
from coach.models import Credential, Profile, Requirement, SkillRef


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Introducción a la analítica de datos", "Spanish"),
        ("Gestion de la paie et des congés", "French"),
        ("Grundlagen der Buchhaltung für Einsteiger", "German"),
        ("Gestão de projetos para iniciantes", "Portuguese"),
        ("Data Analytics for Beginners", None),
        ("Project Management for Development", None),
        ("Risk Management in Development Projects", None),
        ("AWS Certified Cloud Practitioner", None),
    ],
)
def test_a_title_says_its_language_only_when_plain(title: str, language: str | None) -> None:
    assert title_language(title) == language


def test_the_stated_language_wins_and_the_learners_languages_come_from_their_profile() -> None:
    stated = Credential(id="x", name="Data Analytics Basics", provider="P", type="course", language="Español")
    assert teaching_language(stated) == "Spanish"
    assert (
        teaching_language(Credential(id="y", name="Data Analytics Basics", provider="P", type="course"))
        is None
    )
    assert learner_languages(Profile(skills=["Spanish (native)", "Excel"])) == {"English", "Spanish"}
    assert learner_languages(Profile(skills=["Excel"])) == {"English"}


def test_gap_credentials_keep_to_the_learners_languages() -> None:
    """A Python and SQL gap once got a Spanish-taught cybersecurity course first for an English posting."""
    from coach.knowledge import get_catalog
    from coach.postings.gaps import gap_credentials

    catalog = get_catalog()
    gaps = [
        Requirement(text=name, kind="tool", start=0, end=len(name), required=True, match="missing",
                    skills=[SkillRef(uri=uri, label=name, score=1.0)])
        for name, uri in (
            ("Python", "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"),
            ("SQL", next(s.uri for s in catalog.skills.values() if s.label == "SQL")),
        )
    ]  # fmt: skip
    english = gap_credentials(gaps, catalog)
    assert english and all(teaching_language(catalog.credentials[g.id]) in (None, "English") for g in english)
    either = gap_credentials(gaps, catalog, languages={"English", "Spanish"})
    assert any(teaching_language(catalog.credentials[g.id]) == "Spanish" for g in either)
