"""`coach kb build|stats|search`: output formats and one-line errors (fixture index; the real one is slow)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_retrieval import small_catalog

from coach import cli, knowledge, retrieval
from coach.settings import Settings, get_settings


def run_cli(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> tuple[int, str, str]:
    """Run the real entry point (`coach.cli.main`) in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["coach", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def fixture_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("kb-cli")
    settings = Settings(home=home)
    retrieval.build_index(small_catalog(), settings, progress=False)
    return settings.index_path


@pytest.fixture
def use_index(fixture_index_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COACH_INDEX_DIR", str(fixture_index_dir))
    get_settings.cache_clear()
    retrieval.get_index.cache_clear()
    yield fixture_index_dir
    get_settings.cache_clear()
    retrieval.get_index.cache_clear()


@pytest.fixture
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COACH_INDEX_DIR", str(tmp_path / "no-index"))
    get_settings.cache_clear()
    retrieval.get_index.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    retrieval.get_index.cache_clear()


def test_search_json_has_ids_scores_and_sources(use_index, monkeypatch, capsys) -> None:
    code, out, _ = run_cli(
        ["kb", "search", "SAA-C03", "--kind", "credential", "--k", "3", "--json"], monkeypatch, capsys
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["kind"] == "credential" and len(doc["hits"]) == 3
    top = doc["hits"][0]
    assert top["id"] == "aws-saa" and top["kind"] == "credential"
    assert top["score"] > doc["hits"][1]["score"]
    assert top["source"]["name"] and top["source"]["url"]


def test_search_text_shows_source_per_hit(use_index, monkeypatch, capsys) -> None:
    code, out, _ = run_cli(
        ["kb", "search", "cybersecurity", "--k", "2", "--provider", "isc2"], monkeypatch, capsys
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("1.") and "isc2-" in lines[0]
    assert sum(line.strip().startswith("source: ") for line in lines) == 2


def test_search_filters_reach_the_index(use_index, monkeypatch, capsys) -> None:
    code, out, _ = run_cli(
        ["kb", "search", "certification", "--max-cost", "200", "--level", "entry", "--json"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert [h["id"] for h in json.loads(out)["hits"]] == ["isc2-cc"]


def test_stats_json_counts_catalogue_and_index(use_index, monkeypatch, capsys) -> None:
    monkeypatch.setattr(knowledge, "get_catalog", small_catalog)
    _use_catalog(monkeypatch, small_catalog())
    code, out, _ = run_cli(["kb", "stats", "--json"], monkeypatch, capsys)
    assert code == 0
    stats = json.loads(out)
    assert stats["credentials"] == 8 and stats["onet_occupations"] == 2 and stats["esco_occupations"] == 2
    assert stats["indexed"] == {"occupations": 4, "skills": 4, "credentials": 8, "rules": 2, "guidance": 0}
    assert stats["index"]["built"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kb", "search", "security", "--kind", "course"], "unknown kind"),
        (["kb", "search", "   "], "empty"),
        (["kb", "search", "security", "--level", "wizard"], "unknown level"),
        (["kb", "search", "security", "--k", "0"], "k must"),
        (["kb", "search", "security", "--k", "lots"], "integer"),
    ],
)
def test_bad_search_input_is_one_line(use_index, monkeypatch, capsys, args, message) -> None:
    code, out, err = run_cli(args, monkeypatch, capsys)
    assert code != 0 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_index_tells_user_to_build(empty_home, monkeypatch, capsys) -> None:
    code, _, err = run_cli(["kb", "search", "security"], monkeypatch, capsys)
    assert code == 1
    assert err.strip().splitlines() == [
        "error: the knowledge-base index is not built yet: run `coach kb build`"
    ]


def test_stats_without_index_says_not_built(empty_home, monkeypatch, capsys) -> None:
    monkeypatch.setattr(knowledge, "get_catalog", small_catalog)
    _use_catalog(monkeypatch, small_catalog())
    code, out, _ = run_cli(["kb", "stats", "--json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["index"]["built"] is False


def test_build_reports_catalogue_row_errors_and_continues(empty_home, monkeypatch, capsys) -> None:
    cat = small_catalog()
    cat.errors = [
        "credentials.csv line 3: cost is not a number: 'cheap'",
        "rules.csv line 2: unknown type 'x'",
    ]
    seen: dict = {}

    def fake_load(*, catalog_dirs=()):
        seen["dirs"] = list(catalog_dirs)
        return cat

    monkeypatch.setattr(knowledge, "load_catalog", fake_load)
    # Registering folders writes to the shared home: record the call instead.
    monkeypatch.setattr(
        knowledge, "register_catalog_dirs", lambda dirs: seen.setdefault("registered", list(dirs))
    )
    code, out, err = run_cli(["kb", "build", "--catalog", str(empty_home), "--json"], monkeypatch, capsys)
    assert code == 0
    assert seen["dirs"] == [empty_home] and seen["registered"] == [empty_home]
    assert [line for line in err.splitlines() if line.startswith("catalogue: ")] == [
        f"catalogue: {e}" for e in cat.errors
    ]
    report = json.loads(out)
    assert report["documents"]["credential"] == 8 and report["catalog_errors"] == cat.errors


def test_build_with_missing_catalogue_folder_is_one_line(empty_home, monkeypatch, capsys) -> None:
    code, out, err = run_cli(["kb", "build", "--catalog", str(empty_home / "nope")], monkeypatch, capsys)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "not found" in err


def test_build_with_malformed_catalogue_is_reported(empty_home, monkeypatch, capsys) -> None:
    """A catalogue file that cannot be read at all: a one-line error, or row errors and a build."""
    folder = empty_home / "catalogue"
    folder.mkdir()
    (folder / "credentials.json").write_text("{not json", encoding="utf-8")
    built: list = []
    monkeypatch.setattr(retrieval, "build_index", lambda cat, *a, **k: built.append(cat) or _empty_report())
    monkeypatch.setattr(knowledge, "register_catalog_dirs", lambda dirs: None)
    code, _, err = run_cli(["kb", "build", "--catalog", str(folder)], monkeypatch, capsys)
    assert "Traceback" not in err
    if code == 0:  # the loader chose to skip the file: it must say so
        assert any(line.startswith("catalogue: ") and "credentials.json" in line for line in err.splitlines())
    else:
        assert len(err.strip().splitlines()) == 1 and "credentials.json" in err


def _empty_report() -> retrieval.BuildReport:
    return retrieval.BuildReport(index_path="-")


@pytest.mark.slow
def test_real_index_entry_level_cybersecurity(built_index) -> None:
    """The must-show query over the real catalogue, through the installed `coach` command."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "coach.cli",
            "kb",
            "search",
            "entry level cybersecurity certification",
            "--kind",
            "credential",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    hits = json.loads(proc.stdout)["hits"]
    top5 = [h["id"] for h in hits[:5]]
    wanted = {"comptia-security-plus", "isc2-cc", "google-cybersecurity"}
    assert wanted & set(top5), top5
    assert all(h["source"]["name"] for h in hits)


@pytest.mark.slow
def test_real_index_counts_match_catalogue(built_index) -> None:
    stats = retrieval.index_stats(built_index.settings, knowledge.get_catalog())
    assert stats["indexed"]["credentials"] == stats["credentials"]
    assert stats["indexed"]["skills"] == stats["skills"] >= 13_800
    assert stats["indexed"]["occupations"] == stats["occupations"] >= 4_000
    assert stats["indexed"]["rules"] == stats["rules"]
    assert stats["indexed"]["guidance"] == stats["guidance"] >= 30


def _use_catalog(monkeypatch: pytest.MonkeyPatch, catalog) -> None:  # type: ignore[no-untyped-def]
    """The CLI's context (coach.context.process_context) over `catalog` instead of the knowledge base."""
    import coach.context
    from coach.settings import get_settings

    monkeypatch.setattr(
        coach.context, "process_context", lambda: coach.context.CoachContext(get_settings(), catalog=catalog)
    )


def test_kb_show_and_export_print_full_records_and_refuse_bad_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    code, out, _ = run_cli(["kb", "show", "Sec+", "--json"], monkeypatch, capsys)
    record = json.loads(out)
    assert code == 0 and record["id"] == "comptia-security-plus" and record["sources"][0]["source_kind"]
    code, out, err = run_cli(["kb", "show", "no such credential anywhere"], monkeypatch, capsys)
    assert code != 0 and err.count("\n") == 1 and "no credential" in err
    code, out, err = run_cli(["kb", "export", "--format", "xml"], monkeypatch, capsys)
    assert code != 0 and "--format must be jsonl or ctdl" in err
    code, out, _ = run_cli(["kb", "export", "--sector", "hr"], monkeypatch, capsys)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and lines and all(r["sector"] == "hr" and isinstance(r["skills"], list) for r in lines)


def test_kb_export_apprenticeships_carry_their_occupation_code_and_term(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    code, out, _ = run_cli(["kb", "export", "--kind", "apprenticeship"], monkeypatch, capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) >= 100
    assert sum(1 for r in rows if r["onet_soc"] and r["term_hours"]) >= 100
    assert all(r["type"] == "apprenticeship" and r["sources"][0]["source_kind"] == "register" for r in rows)
    code, out, _ = run_cli(["kb", "show", rows[0]["id"], "--json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["id"] == rows[0]["id"]
