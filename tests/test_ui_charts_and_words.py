"""The app's charts are sized from their content, and refusals reach people as sentences, not validator output."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ui import charts
from ui.services import _detail


def _steps(n: int) -> dict[str, Any]:
    return {
        "steps": [
            {
                "id": f"s{i}",
                "name": f"A credential with a fairly long name number {i} that goes on and on",
                "start_week": 4 * i,
                "end_week": 4 * i + 3,
                "kind": "certification" if i % 2 else "course",
                "cost": 100.0,
                "hours": 30.0,
                "prerequisites": ["s0"] if i == 2 else [],
            }
            for i in range(n)
        ]
    }


@pytest.mark.parametrize("n", [1, 3, 4, 12])
def test_the_timeline_has_a_readable_row_per_step_and_its_legend_above(n: int) -> None:
    spec = charts.timeline(_steps(n)).to_dict()  # type: ignore[union-attr]
    assert spec["height"] > 120 and spec["height"] >= charts.ROW * n
    assert spec["encoding"]["color"]["legend"]["orient"] == "top"
    labels = [r["step"] for r in spec["datasets"][next(iter(spec["datasets"]))]]
    assert len(set(labels)) == n and all(len(x) <= charts.LABEL for x in labels)


def test_the_prerequisite_graph_draws_required_and_order_edges() -> None:
    dot = charts.prerequisite_dot(_steps(3))
    assert '"s0" -> "s2" [label="required"' in dot
    assert '"s0" -> "s1"' in dot and '"s1" -> "s2"' in dot


def test_cohort_counts_have_whole_number_axes() -> None:
    cohort = [
        {"username": "a", "latest_status": "approved", "progress": 0.5},
        {"username": "b", "latest_status": "changes_requested", "progress": 0.0},
    ]
    spec = charts.cohort_status(cohort).to_dict()  # type: ignore[union-attr]
    assert spec["encoding"]["x"]["axis"]["format"] == "d"
    assert spec["height"] > 120
    statuses = spec["datasets"][next(iter(spec["datasets"]))]
    assert {r["status"] for r in statuses} == {"approved", "changes requested"}


def _refusal(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_a_too_long_message_is_a_sentence_without_the_text() -> None:
    secret = "my whole resume " * 600
    said = _detail(
        _refusal(
            422,
            {
                "detail": [
                    {
                        "type": "string_too_long",
                        "loc": ["body", "message"],
                        "msg": "String should have at most 8000 characters",
                        "input": secret,
                        "ctx": {"max_length": 8000},
                    }
                ]
            },
        )
    )
    assert said == "Your message is too long: at most 8,000 characters."
    assert "resume" not in said and "String should" not in said


def test_a_bad_evidence_link_says_what_a_link_looks_like() -> None:
    said = _detail(
        _refusal(
            422,
            {
                "detail": [
                    {
                        "type": "string_pattern_mismatch",
                        "loc": ["body", "evidence_url"],
                        "msg": "String should match pattern '^https?://\\S+$'",
                        "ctx": {"pattern": "^https?://\\S+$"},
                    }
                ]
            },
        )
    )
    assert said == "The evidence link must be a web address starting with http:// or https://."
    assert "pattern" not in said


def test_plain_refusals_keep_their_words_and_non_json_errors_are_explained() -> None:
    assert _detail(_refusal(409, {"detail": "a comment is required"})) == "A comment is required"
    assert "too much text" in _detail(httpx.Response(413, text="Request Entity Too Large"))
    assert "Traceback" not in _detail(httpx.Response(500, text="Traceback (most recent call last) ..."))


def test_a_step_says_its_recognition_and_sources_once_and_names_datasets_as_people_do() -> None:
    from ui.views import _source_name, _why_for_page

    why = (
        "Closes incident response. Why: the next step up from A+, which you hold. Employer recognition: accredited "
        "to ISO/IEC 17024 (ANAB) [https://example.org/a.b]; on the DoD list [https://example.com/z], a third-party "
        "page. Source: curated-credentials; corrections."
    )
    shown = _why_for_page(why)
    assert shown == "Closes incident response. Why: the next step up from A+, which you hold."
    assert _source_name({"name": "coursera-courses-2023"}) == "Coursera catalogue (2023)"
    assert _source_name({"name": "corrections: www.comptia.org"}) == "catalogue correction (www.comptia.org)"
    assert (
        _source_name({"name": "x", "title": "CompTIA Security+ exam page"}) == "CompTIA Security+ exam page"
    )


def test_a_comment_is_shown_as_text_never_as_a_link_or_a_remote_image() -> None:
    from markdown_it import MarkdownIt

    from ui.views import _plain_text

    body = "See [my site](https://evil.example/x) ![pixel](https://evil.example/p.png) # not a heading *bold*"
    html = MarkdownIt("commonmark").render(_plain_text(body))
    assert "<a " not in html and "<img" not in html and "<h1" not in html and "<em>" not in html
    assert "[my site](https://evil" in html  # the words themselves are all there
