"""Requirements linked as a recruiter reads them: the phrase in its sentence and in the posting's field, with a
calibrated confidence (real linker and catalogue)."""

from __future__ import annotations

import pytest

from coach.models import RoleMatch
from coach.postings import analyze_posting
from coach.postings.linking import MIN_SKILL_SCORE, _field_occupations
from coach.postings.tagger import get_span_tagger
from coach.skills.linker import link_confidence

# An O*NET occupation whose first ESCO link (telecommunications analyst) is narrower than the job.
OPERATIONS_ANALYST = RoleMatch(
    uri="http://data.europa.eu/esco/occupation/c5d36eef-df20-47a8-a332-5b4358fa83e3",
    label="Operations Research Analysts",
    onet_soc="15-2031.00",
)


@pytest.fixture(scope="module")
def linker():  # type: ignore[no-untyped-def]
    from coach.skills import get_linker

    return get_linker()


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    from coach.knowledge import get_catalog

    return get_catalog()


def _skill(catalog, label: str) -> str:  # type: ignore[no-untyped-def]
    return next(s.uri for s in catalog.skills.values() if s.label == label)


def test_the_field_takes_every_esco_occupation_the_crosswalk_links(catalog) -> None:  # type: ignore[no-untyped-def]
    titles = {catalog.occupations[i].title for i in _field_occupations(catalog, OPERATIONS_ANALYST)}
    assert {"telecommunications analyst", "data analyst"} <= titles
    assert _field_occupations(catalog, None) == []


def test_field_fit_keeps_the_fields_skills_and_transversal_ones(linker, catalog) -> None:  # type: ignore[no-untyped-def]
    field = _field_occupations(catalog, OPERATIONS_ANALYST)
    fit = linker.field_fit(field)
    col = {u: i for i, u in enumerate(linker.skill_ids)}
    assert fit[col[_skill(catalog, "statistics")]] == 1.0  # an analyst's own skill
    assert fit[col[_skill(catalog, "think analytically")]] == 1.0  # transversal: every field's
    assert fit[col[_skill(catalog, "perform military operations")]] < 0.5
    assert fit[col[_skill(catalog, "analytical chemistry")]] < 0.5
    assert (linker.field_fit([]) == 1.0).all()  # no field known: nothing is demoted


@pytest.mark.parametrize(
    ("phrase", "sentence", "not_this"),
    [
        (
            "operations reviews",
            "Lead weekly operations reviews with the site managers.",
            "perform military operations",
        ),
        ("analytical role", "This is an analytical role in the planning team.", "analytical chemistry"),
        (
            "Keep runbooks up to date",
            "Keep runbooks up to date.",
            "stay up-to-date with latest book releases",
        ),
        ("automation", "You will push automation of the monthly reporting.", "robotics"),
    ],
)
def test_a_link_outside_the_postings_field_is_demoted_below_the_floor(  # type: ignore[no-untyped-def]
    linker, catalog, phrase: str, sentence: str, not_this: str
) -> None:
    field = _field_occupations(catalog, OPERATIONS_ANALYST)
    plain = linker.rank_skills_in_context([phrase], [sentence], 20)[0]
    placed = linker.rank_skills_in_context([phrase], [sentence], 20, field=field)[0]
    before = next(r.score for r in plain if r.label == not_this)
    after = next((r.score for r in placed if r.label == not_this), 0.0)
    assert after < before and after < MIN_SKILL_SCORE, (before, after)
    # Either something else leads, or nothing clears the floor and the requirement shows no link at all.
    assert placed[0].label != not_this or placed[0].score < MIN_SKILL_SCORE


def test_the_sentence_is_part_of_the_link(linker) -> None:  # type: ignore[no-untyped-def]
    alone = linker.rank_skills_in_context(["java"], ["javascript reactjs java"], 5, context_weight=0.0)[0]
    assert [r.uri for r in alone] == [r.uri for r in linker.rank_skills("java", 5)]
    read = linker.rank_skills_in_context(["java"], ["javascript reactjs java"], 5)[0]
    assert [r.score for r in read] != [r.score for r in alone]


def test_confidence_is_a_chance_that_grows_with_the_score() -> None:
    values = [link_confidence(s) for s in (0.2, 0.5, 0.6, 0.7, 0.9)]
    assert values == sorted(values) and 0 < values[0] < 0.05 and 0.8 < values[-1] < 1


POSTING = """Operations Analyst
Harbourline Logistics, Rotterdam

About the role
This analytical role sits in our network planning team.

Responsibilities
- Lead weekly operations reviews with the site managers.
- Push automation of the monthly reporting.
- Keep runbooks up to date.

Requirements
- Advanced Excel skills.
- Basic statistics.
"""


def test_a_posting_links_as_a_recruiter_reads_it(linker, catalog) -> None:  # type: ignore[no-untyped-def]
    a = analyze_posting(POSTING, catalog=catalog, linker=linker, tagger=get_span_tagger())
    assert a.occupation is not None and a.occupation.onet_soc == "15-2031.00"
    labels = {s.label for r in a.requirements for s in r.skills}
    assert not labels & {
        "perform military operations",
        "analytical chemistry",
        "stay up-to-date with latest book releases",
        "robotics",
    }, labels
    by_text = {r.text.lower(): r for r in a.requirements}
    assert any("excel" in t for t in by_text), by_text  # "Advanced Excel skills" keeps its tool
    assert any("statistics" in t for t in by_text) and "statistics" in labels
    assert all(s.confidence is not None and 0 <= s.confidence <= 1 for r in a.requirements for s in r.skills)


def test_a_spreadsheet_product_links_to_the_spreadsheet_skill_and_a_made_up_one_to_nothing(
    linker, catalog
) -> None:  # type: ignore[no-untyped-def]
    """A tool is kept when its link is as close as a product name gets to ESCO's wording ("Excel" → use
    spreadsheets software, about 0.63); a name ESCO has no skill for only finds look-alike words, and is left
    without a link."""
    text = (
        "Finance Assistant\n\nRequirements\n- Reconcile supplier statements in Excel every month.\n"
        "- Raise purchase orders in Quorvantix.\n"
    )
    a = analyze_posting(text, None, catalog=catalog, linker=linker, tagger=get_span_tagger())
    tools = {r.text: [s.label for s in r.skills] for r in a.requirements if r.kind == "tool"}
    assert "use spreadsheets software" in tools["Excel"][:1]
    assert tools.get("Quorvantix", []) == []


def test_a_language_requirement_names_the_esco_language(catalog) -> None:  # type: ignore[no-untyped-def]
    """ESCO files each language under its own name; a language requirement links to it without ranking."""
    from coach.postings.linking import _language_skills

    refs = _language_skills("Fluent spoken and written Portuguese; conversational French", catalog)
    assert [r.label for r in refs] == ["Portuguese", "French"]
    assert _language_skills("Strong written communication", catalog) == []


def test_a_tool_link_short_of_confident_counts_only_in_the_postings_field(linker, catalog) -> None:  # type: ignore[no-untyped-def]
    """ "Docker" finds *dock operations* at about 0.66: no software posting means it, and with no field known a
    tool needs a confident link."""
    text = "Junior Software Developer\n\nRequirements\n- Build and ship services with Docker.\n- Python.\n"
    a = analyze_posting(text, None, catalog=catalog, linker=linker, tagger=get_span_tagger())
    docker = next(r for r in a.requirements if r.text == "Docker")
    assert "dock operations" not in [s.label for s in docker.skills]
    bare = analyze_posting(
        "Requirements\n- Docker and Excel.\n", None, catalog=catalog, linker=linker, tagger=get_span_tagger()
    )
    assert all((s.score or 0) >= 0.7 for r in bare.requirements if r.kind == "tool" for s in r.skills)
