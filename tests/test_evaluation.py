"""The evaluation runner: suites are discovered, failures reported, floors enforced."""

import json
from pathlib import Path

import pytest

from coach import evaluation
from coach.errors import BadInput


def _write_suite(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}_eval.py").write_text(body)


@pytest.fixture()
def evals_dir(tmp_path: Path) -> Path:
    _write_suite(
        tmp_path,
        "good",
        "def run(quick=False):\n    return {'title': 'Good', 'data': 'd', 'metrics': {'hit5': 0.9 if not quick else 0.8}}\n",
    )
    _write_suite(tmp_path, "broken", "def run(quick=False):\n    raise RuntimeError('boom')\n")
    (tmp_path / "bench_fast.py").write_text(
        "def run(quick=False):\n    return [{'name': 'x', 'unit': 'ms', 'median': 1.0, 'p95': 2.0, 'n': 3}]\n"
    )
    return tmp_path


def test_suites_run_and_failures_are_reported(evals_dir: Path) -> None:
    report = evaluation.run_suites(folder=evals_dir, quick=True)
    by = {s["suite"]: s for s in report["suites"]}
    assert by["good"]["ok"] and by["good"]["metrics"]["hit5"] == 0.8
    assert not by["broken"]["ok"] and "boom" in by["broken"]["error"]
    md = evaluation.report_markdown(report)
    assert "Good" in md and "failed to run" in md and "0.800" in md


def test_unknown_suite_is_a_clear_error(evals_dir: Path) -> None:
    with pytest.raises(BadInput, match="unknown suite"):
        evaluation.run_suites(["nope"], folder=evals_dir)


def test_floors_catch_a_drop(evals_dir: Path, tmp_path: Path) -> None:
    report = evaluation.run_suites(["good"], folder=evals_dir, quick=True)
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"good.hit5": {"min": 0.85}, "other.x": {"min": 1}}))
    assert evaluation.check_floors(report, floors) == ["good.hit5 = 0.800 is below its floor 0.85"]
    floors.write_text(json.dumps({"good.hit5": {"min": 0.5}, "good.missing": {"min": 0}}))
    assert evaluation.check_floors(report, floors) == ["good.missing: missing from the report"]


def test_benchmarks_write_a_table(evals_dir: Path) -> None:
    bench = evaluation.run_benchmarks(folder=evals_dir)
    assert bench["rows"][0]["area"] == "fast" and bench["rows"][0]["peak_mb"] > 0
    md, js = evaluation.write_bench(bench, folder=evals_dir)
    assert "| fast | x | 1.000 | 2.000 | ms | 3 |" in md.read_text()
    assert json.loads(js.read_text())["rows"][0]["median"] == 1.0


def test_readme_results_blocks_are_rewritten_from_the_reports(evals_dir: Path, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "intro\n<!-- results:quality:start -->\nold\n<!-- results:quality:end -->\n"
        "<!-- results:speed:start -->\nold\n<!-- results:speed:end -->\nend\n"
    )
    report = evaluation.run_suites(["good"], folder=evals_dir)
    bench = evaluation.run_benchmarks(folder=evals_dir)
    assert evaluation.update_readme(report, bench, readme=readme)
    text = readme.read_text()
    assert "old" not in text and "hit5 0.900" in text and "| fast | x | 1.000 | 2.000 | ms |" in text
    assert text.startswith("intro\n") and text.endswith("end\n")
    assert not evaluation.update_readme(report, bench, readme=readme)  # idempotent


def test_eval_command_exits_non_zero_when_a_suite_fails(
    evals_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI relies on this exit code: a failed suite (or a figure below its floor) must fail the build.
    from coach import cli

    monkeypatch.setattr(evaluation, "EVALS_DIR", evals_dir)
    monkeypatch.setattr(evaluation, "QUICK_DIR", tmp_path / "out")
    real = evaluation.run_suites
    monkeypatch.setattr(evaluation, "run_suites", lambda names, **kw: real(names, folder=evals_dir, **kw))
    monkeypatch.setattr("sys.argv", ["coach", "eval", "--quick", "--suite", "broken"])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 1
    monkeypatch.setattr("sys.argv", ["coach", "eval", "--quick", "--suite", "good"])
    cli.main()  # a passing run returns normally


def test_rerunning_one_benchmark_area_keeps_the_other_areas() -> None:
    from coach.evaluation import merge_bench

    previous = {
        "generated": "old",
        "rows": [
            {"area": "kb", "name": "build", "median": 120},
            {"area": "skills", "name": "rank", "median": 70},
            {"area": "ui", "name": "first screen", "median": 1.3},
        ],
        "failures": [{"area": "skills", "error": "boom"}],
    }
    fresh = {"generated": "new", "rows": [{"area": "skills", "name": "rank", "median": 210}], "failures": []}
    merged = merge_bench(previous, fresh, ["skills"])
    assert [(r["area"], r["median"]) for r in merged["rows"]] == [("kb", 120), ("skills", 210), ("ui", 1.3)]
    assert merged["failures"] == [] and merged["generated"] == "new"


def test_an_unreadable_benchmark_report_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from coach.errors import BadInput
    from coach.evaluation import read_bench

    (tmp_path / "bench.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(BadInput, match="without --area"):
        read_bench(tmp_path)
    (tmp_path / "bench.json").write_text('["not", "a", "report"]', encoding="utf-8")
    with pytest.raises(BadInput, match="not a benchmark report"):
        read_bench(tmp_path)
    (tmp_path / "bench.json").write_text('{"rows": [{"area": "kb"}], "failures": []}', encoding="utf-8")
    assert read_bench(tmp_path)["rows"] == [{"area": "kb"}]
