"""The guidance collection (knowledge_base/guidance/): it loads, every answer is sourced, and bad files fail clearly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from coach.errors import CatalogError
from coach.knowledge.guidance import (
    GuidanceEntry,
    entry_citations,
    entry_text,
    guidance_dir,
    guidance_files,
    load_guidance,
)

ROOT = Path(__file__).resolve().parent.parent
FOLDER = guidance_dir(ROOT / "knowledge_base")


@pytest.fixture(scope="module")
def entries() -> list[GuidanceEntry]:
    return load_guidance(FOLDER)


def _good_entry(**over: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": "test-entry",
        "topic": "test",
        "title": "A test entry",
        "question_forms": ["is this a test?", "what is this?"],
        "answer": "This is a test answer for a learner. It has two sentences.",
        "statements": [
            {
                "text": "A test statement with a source.",
                "source_url": "https://example.gov/page",
                "source_title": "Example page",
                "publisher": "Example agency",
                "as_of": "2026-12-02",
                "as_of_basis": "read",
            }
        ],
    }
    entry.update(over)
    return entry


def _write(folder: Path, name: str, rows: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(rows), encoding="utf-8")


def test_collection_loads_with_enough_entries(entries: list[GuidanceEntry]) -> None:
    assert 30 <= len(entries) <= 45
    assert len(guidance_files(FOLDER)) >= 8
    assert (FOLDER / "PROVENANCE.md").is_file()


def test_ids_are_unique(entries: list[GuidanceEntry]) -> None:
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))


def test_every_entry_has_statements_with_https_urls_and_iso_dates(entries: list[GuidanceEntry]) -> None:
    today = dt.date.today()
    for entry in entries:
        assert entry.statements, entry.id
        assert len(entry.question_forms) >= 2, entry.id
        for st in entry.statements:
            assert st.source_url.startswith("https://"), (entry.id, st.source_url)
            day = dt.date.fromisoformat(st.as_of if len(st.as_of) == 10 else st.as_of + "-01")
            assert dt.date(1990, 1, 1) <= day <= today, (entry.id, st.as_of)
            assert st.as_of_basis in ("stated", "read")
            assert st.publisher and st.source_title


def test_answers_are_plain_words(entries: list[GuidanceEntry]) -> None:
    banned = ("o*net", "esco", "taxonomy", "solver", "infeasible")
    for entry in entries:
        low = entry.answer.lower()
        assert not any(b in low for b in banned), entry.id


def test_topics_cover_what_learners_ask(entries: list[GuidanceEntry]) -> None:
    topics = {e.topic for e in entries}
    for topic in (
        "recognition",
        "credential_types",
        "apprenticeships",
        "exams",
        "funding",
        "renewal",
        "eligibility",
        "sector_rules",
        "europe",
        "planning",
    ):
        assert topic in topics, topic


def test_applies_to_credentials_exist_in_the_catalogue(entries: list[GuidanceEntry]) -> None:
    from coach.knowledge import get_catalog

    catalog = get_catalog()
    used = {c for e in entries for c in e.applies_to.credentials}
    assert used, "some entries name catalogue credentials"
    assert used <= set(catalog.credentials), sorted(used - set(catalog.credentials))
    load_guidance(FOLDER, credential_ids=catalog.credentials)  # the loader's own check agrees


def test_entry_text_and_citations(entries: list[GuidanceEntry]) -> None:
    entry = next(e for e in entries if e.id == "sector-dod-8140")
    text = entry_text(entry)
    assert entry.title in text and entry.question_forms[0] in text and "8570" in text
    cites = entry_citations(entry)
    assert cites and all(c["url"].startswith("https://") for c in cites)
    assert len({c["url"] for c in cites}) == len(cites)


def test_broken_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("[{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.json: not readable JSON"):
        load_guidance(tmp_path)


def test_bad_entry_names_file_entry_and_field(tmp_path: Path) -> None:
    bad_statement = dict(_good_entry()["statements"][0], as_of="last year")  # type: ignore[index]
    _write(tmp_path, "topic.json", [_good_entry(), _good_entry(id="no-date", statements=[bad_statement])])
    with pytest.raises(CatalogError) as info:
        load_guidance(tmp_path)
    msg = str(info.value)
    assert "topic.json: entry 2 (no-date): statements.0.as_of" in msg
    assert "ISO date" in msg


def test_missing_statements_duplicates_and_unknown_credentials(tmp_path: Path) -> None:
    _write(tmp_path, "a.json", [_good_entry(), _good_entry(id="empty", statements=[])])
    _write(
        tmp_path,
        "b.json",
        [_good_entry(), _good_entry(id="other", applies_to={"credentials": ["no-such-cert"]})],
    )
    with pytest.raises(CatalogError) as info:
        load_guidance(tmp_path, credential_ids={"comptia-security-plus"})
    msg = str(info.value)
    assert "a.json: entry 2 (empty): statements:" in msg
    assert "b.json: entry 1 (test-entry): duplicate id (first in a.json)" in msg
    assert "b.json: entry 2 (other): unknown credential id(s) in applies_to: no-such-cert" in msg


def test_answer_length_and_url_are_checked(tmp_path: Path) -> None:
    long_answer = " ".join(f"Sentence number {i} is here." for i in range(7))
    bad_url = dict(_good_entry()["statements"][0], source_url="example.gov/page")  # type: ignore[index]
    _write(tmp_path, "t.json", [_good_entry(answer=long_answer), _good_entry(id="url", statements=[bad_url])])
    with pytest.raises(CatalogError) as info:
        load_guidance(tmp_path)
    msg = str(info.value)
    assert "entry 1 (test-entry): answer: Value error, must be 2 to 5 sentences (found 7)" in msg
    assert "entry 2 (url): statements.0.source_url" in msg


def test_not_an_array_and_missing_folder(tmp_path: Path) -> None:
    _write(tmp_path, "obj.json", {"id": "x"})
    with pytest.raises(CatalogError, match=r"obj\.json: must hold a JSON array"):
        load_guidance(tmp_path)
    with pytest.raises(CatalogError, match="guidance folder not found"):
        load_guidance(tmp_path / "nope")
