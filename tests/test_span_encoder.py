"""The span encoder (MiniLM fine-tuned on SkillSpan) as the posting tagger uses it: shipped, batch-independent,
bounded, and reading the requirements a recruiter reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coach.errors import CoachError
from coach.postings import analyze_posting
from coach.postings.span_encoder import SpanEncoder
from coach.postings.tagger import SPAN_ENCODER_FILE, default_model_path, get_span_tagger


def _words(text: str) -> list[str]:
    return text.split()


@pytest.fixture(scope="module")
def tagger():  # type: ignore[no-untyped-def]
    return get_span_tagger()


def test_the_knowledge_base_ships_the_span_encoder_and_the_tagger_uses_it(tagger) -> None:  # type: ignore[no-untyped-def]
    assert (default_model_path().parent / SPAN_ENCODER_FILE).exists()
    assert isinstance(tagger.encoder, SpanEncoder) and tagger.encoder.int8
    assert set(tagger.encoder.bias) == {"skill", "knowledge"}


def test_a_sentence_is_tagged_the_same_alone_and_in_a_batch(tagger) -> None:  # type: ignore[no-untyped-def]
    sentences = [
        _words("Experience with SQL and Power BI dashboards is required ."),
        _words("You will coordinate deliveries with our warehouse team and suppliers ."),
        [],
        _words("Knowledge of Python"),
    ]
    assert tagger.predict_batch(sentences) == [tagger.predict(s) for s in sentences]


def test_tools_and_skills_in_a_requirement_sentence_are_found(tagger) -> None:  # type: ignore[no-untyped-def]
    words = _words(
        "Solid knowledge of Python and PostgreSQL , and the ability to explain findings to managers ."
    )
    spans = tagger.predict(words)
    knowledge = {" ".join(words[i:j]) for i, j in spans["knowledge"]}
    assert {"Python", "PostgreSQL"} <= knowledge, spans
    assert any("explain" in " ".join(words[i:j]) for i, j in spans["skill"]), spans


def test_a_sentence_past_the_encoders_length_is_read_without_failing(tagger) -> None:  # type: ignore[no-untyped-def]
    words = ("Maintain accurate records of stock levels and deliveries ; " * 60).split()
    scores = tagger.encoder.scores([words])[0]
    assert scores["skill"].shape == (len(words), 3)
    assert np.isfinite(scores["skill"]).all()
    assert (scores["skill"][-5:].argmax(axis=1) == 0).all()  # past the limit: outside any span
    tagger.predict(words)


def test_an_encoder_file_that_does_not_fit_is_a_clear_error(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    bad = tmp_path / SPAN_ENCODER_FILE
    save_file({"encoder.layer.0.output.dense.weight": np.zeros((3, 3), np.float16)}, str(bad), metadata={})
    with pytest.raises(CoachError, match="span encoder"):
        SpanEncoder(bad)


def test_a_data_analyst_posting_keeps_its_tools_and_statistics(tagger) -> None:  # type: ignore[no-untyped-def]
    from coach.knowledge import get_catalog
    from coach.skills import get_linker

    text = (
        "Junior Data Analyst\n\nWhat you will do\n- Clean and reconcile data in Excel every week.\n"
        "- Build dashboards in Power BI for the sales team.\n\nRequirements\n- Basic statistics.\n"
        "- Clear written communication.\n"
    )
    a = analyze_posting(text, catalog=get_catalog(), linker=get_linker(), tagger=tagger)
    texts = {r.text for r in a.requirements}
    assert {"Excel", "Power BI"} <= texts, texts
    assert any("statistics" in t.lower() for t in texts), texts
