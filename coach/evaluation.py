"""Runs the evaluation suites and benchmarks in `evals/` and writes their reports.

Each quality suite is a module `evals/<suite>_eval.py` with `run(quick: bool) -> dict` (keys: suite, title,
data, metrics, anchors, markdown). Each benchmark is `evals/bench_<area>.py` with `run(quick: bool) ->
list[dict]` (rows: name, unit, median, p95, n, target, note, optional peak_mb). Headline floors live in
`evals/floors.json`; `check_floors` compares a report with them (the CI quality gate).
"""

from __future__ import annotations

import importlib.util
import json
import platform
import resource
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from coach.errors import BadInput
from coach.settings import REPO_ROOT

EVALS_DIR = REPO_ROOT / "evals"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"evals_{path.stem}", path)
    if spec is None or spec.loader is None:  # pragma: no cover - a file we just listed
        raise BadInput(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    if str(EVALS_DIR) not in sys.path:
        sys.path.insert(0, str(EVALS_DIR))
    # Registered before running, so pydantic can resolve the module's postponed annotations.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def available_suites(folder: Path = EVALS_DIR) -> dict[str, Path]:
    """Quality suites found in `evals/`, by name (the file name without `_eval.py`)."""
    return {p.name.removesuffix("_eval.py"): p for p in sorted(folder.glob("*_eval.py"))}


def available_benchmarks(folder: Path = EVALS_DIR) -> dict[str, Path]:
    """Benchmarks found in `evals/`, by area (the file name without `bench_` and `.py`)."""
    return {p.stem.removeprefix("bench_"): p for p in sorted(folder.glob("bench_*.py"))}


def machine_description() -> str:
    """A one-line description of the machine figures were measured on."""
    import os

    cpus = os.cpu_count() or 0
    mem_gib = 0.0
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_gib = int(line.split()[1]) / 1024 / 1024
                    break
    except OSError:
        pass
    return (
        f"{platform.machine()}, {cpus} CPU cores, {mem_gib:.0f} GiB RAM, Python {platform.python_version()}"
    )


def run_suites(
    names: list[str] | None = None,
    quick: bool = False,
    progress: Callable[[str], None] | None = None,
    folder: Path = EVALS_DIR,
) -> dict[str, Any]:
    """Run the chosen suites (all by default) and return the combined report (failures are recorded)."""
    suites = available_suites(folder)
    chosen = names or list(suites)
    unknown = [n for n in chosen if n not in suites]
    if unknown:
        raise BadInput(f"unknown suite {unknown[0]!r}; choose from: {', '.join(suites) or 'none found'}")
    results: list[dict[str, Any]] = []
    for name in chosen:
        if progress:
            progress(name)
        started = time.perf_counter()
        try:
            result = dict(_load(suites[name]).run(quick=quick))
            result.setdefault("suite", name)
            result["ok"] = True
        except Exception as exc:  # a broken suite is reported, not hidden, and the others still run
            result = {
                "suite": name,
                "title": name,
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(limit=3),
                "metrics": {},
            }
        result["seconds"] = round(time.perf_counter() - started, 2)
        results.append(result)
    return {
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "quick": quick,
        "suites": results,
    }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def report_markdown(report: dict[str, Any]) -> str:
    """The evaluation report as Markdown (every figure comes from `report`)."""
    lines = [
        "# Pathway Coach — evaluation report",
        "",
        f"Generated {report['generated']} on {report['machine']}"
        + (" (quick mode: samples, see each section)" if report.get("quick") else "")
        + ". Reproduce with `coach eval`.",
        "",
    ]
    for s in report["suites"]:
        lines.append(f"## {s.get('title', s['suite'])}")
        lines.append("")
        if not s.get("ok"):
            lines += [f"**This suite failed to run:** `{s.get('error')}`", ""]
            continue
        if s.get("data"):
            lines += [f"*Data:* {s['data']}", ""]
        if s.get("markdown"):
            lines += [s["markdown"].strip(), ""]
        else:
            lines += ["| metric | value |", "|---|---|"]
            lines += [f"| {k} | {_fmt(v)} |" for k, v in s.get("metrics", {}).items()]
            lines.append("")
            if s.get("anchors"):
                lines += ["Anchors: " + "; ".join(f"{k}: {v}" for k, v in s["anchors"].items()), ""]
        lines += [f"*Ran in {s['seconds']} s.*", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_report(report: dict[str, Any], folder: Path = EVALS_DIR) -> tuple[Path, Path]:
    """Write `report.md` and `report.json` into `folder`."""
    md, js = folder / "report.md", folder / "report.json"
    md.write_text(report_markdown(report), encoding="utf-8")
    js.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return md, js


def check_floors(report: dict[str, Any], floors_path: Path = EVALS_DIR / "floors.json") -> list[str]:
    """Headline figures below their floor (or missing, or from a failed suite); empty when all pass.

    `floors.json` maps "suite.metric" to {"min": x} or {"max": x}. Only suites present in the report are checked.
    """
    if not floors_path.exists():
        return []
    floors: dict[str, dict[str, float]] = json.loads(floors_path.read_text(encoding="utf-8"))
    by_suite = {s["suite"]: s for s in report["suites"]}
    problems: list[str] = []
    for key, bound in floors.items():
        suite, _, metric = key.partition(".")
        if suite not in by_suite:
            continue
        s = by_suite[suite]
        if not s.get("ok"):
            problems.append(f"{suite}: suite failed ({s.get('error')})")
            continue
        value = s.get("metrics", {}).get(metric)
        if value is None:
            problems.append(f"{key}: missing from the report")
        elif "min" in bound and value < bound["min"]:
            problems.append(f"{key} = {_fmt(value)} is below its floor {bound['min']}")
        elif "max" in bound and value > bound["max"]:
            problems.append(f"{key} = {_fmt(value)} is above its ceiling {bound['max']}")
    return problems


def run_benchmarks(
    names: list[str] | None = None,
    quick: bool = False,
    progress: Callable[[str], None] | None = None,
    folder: Path = EVALS_DIR,
) -> dict[str, Any]:
    """Run the chosen benchmarks (all by default); each row gains the area and the process's peak memory."""
    benches = available_benchmarks(folder)
    chosen = names or list(benches)
    unknown = [n for n in chosen if n not in benches]
    if unknown:
        raise BadInput(f"unknown benchmark {unknown[0]!r}; choose from: {', '.join(benches) or 'none found'}")
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    for name in chosen:
        if progress:
            progress(name)
        try:
            for row in _load(benches[name]).run(quick=quick):
                row = dict(row)
                row.setdefault("area", name)
                row.setdefault("peak_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
                rows.append(row)
        except Exception as exc:
            failures.append({"area": name, "error": f"{type(exc).__name__}: {exc}"})
    return {
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "quick": quick,
        "rows": rows,
        "failures": failures,
    }


def bench_markdown(bench: dict[str, Any]) -> str:
    """The benchmark report as Markdown."""
    lines = [
        "# Pathway Coach — speed benchmarks",
        "",
        f"Measured {bench['generated']} on {bench['machine']}"
        + (" (quick mode: fewer repetitions)" if bench.get("quick") else "")
        + ". Reproduce with `coach bench`. Peak memory is the benchmark process's maximum resident size so far.",
        "",
        "| area | what | median | p95 | unit | n | target | peak MB | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in bench["rows"]:
        lines.append(
            f"| {r.get('area', '')} | {r.get('name', '')} | {_fmt(r.get('median', ''))} | {_fmt(r.get('p95', ''))}"
            f" | {r.get('unit', '')} | {r.get('n', '')} | {r.get('target', '')} | {r.get('peak_mb', '')}"
            f" | {r.get('note', '')} |"
        )
    for f in bench.get("failures", []):
        lines.append(f"\n**{f['area']} failed:** `{f['error']}`")
    return "\n".join(lines) + "\n"


def read_bench(folder: Path) -> dict[str, Any]:
    """The benchmark report in `folder` (bench.json); a clear error when it is unreadable."""
    path = folder / "bench.json"
    try:
        bench = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(
            f"{path} cannot be read ({exc}); run `coach bench` without --area to rewrite it"
        ) from exc
    if not isinstance(bench, dict) or not isinstance(bench.get("rows"), list):
        raise BadInput(f"{path} is not a benchmark report; run `coach bench` without --area to rewrite it")
    return bench


def merge_bench(previous: dict[str, Any], fresh: dict[str, Any], areas: Sequence[str]) -> dict[str, Any]:
    """`previous` with the rows and failures of `areas` replaced by `fresh` (re-running one area keeps the
    others' figures); areas keep their order of first appearance."""
    chosen = set(areas)
    rows = [r for r in previous.get("rows", []) if r.get("area") not in chosen]
    order: list[str] = list(dict.fromkeys(r.get("area") for r in [*previous.get("rows", []), *fresh["rows"]]))
    rows = sorted([*rows, *fresh["rows"]], key=lambda r: order.index(r.get("area")))
    failures = [f for f in previous.get("failures", []) if f.get("area") not in chosen] + fresh["failures"]
    return {
        **previous,
        **{k: v for k, v in fresh.items() if k not in ("rows", "failures")},
        "rows": rows,
        "failures": failures,
    }


def write_bench(bench: dict[str, Any], folder: Path = EVALS_DIR) -> tuple[Path, Path]:
    """Write `bench.md` and `bench.json` into `folder`."""
    md, js = folder / "bench.md", folder / "bench.json"
    md.write_text(bench_markdown(bench), encoding="utf-8")
    js.write_text(json.dumps(bench, indent=2, default=str) + "\n", encoding="utf-8")
    return md, js


README = REPO_ROOT / "README.md"
QUICK_DIR = EVALS_DIR / "out"


def output_dir(quick: bool) -> Path:
    """Where reports go: evals/ for full runs (what the README quotes), evals/out/ for quick CI runs."""
    folder = QUICK_DIR if quick else EVALS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _replace_block(text: str, name: str, body: str) -> str:
    start, end = f"<!-- results:{name}:start -->", f"<!-- results:{name}:end -->"
    if start not in text or end not in text:
        return text
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body.strip()}\n{end}{tail}"


def quality_table(report: dict[str, Any], limit: int = 12) -> str:
    """A compact table of each suite's headline metrics (the first `limit` of each), with anchors."""
    lines = [f"Measured {report['generated']} on {report['machine']} (`coach eval`).", ""]
    lines += ["| suite | figures | anchors |", "|---|---|---|"]
    for s in report["suites"]:
        if not s.get("ok"):
            lines.append(f"| {s.get('title', s['suite'])} | failed: {s.get('error')} | |")
            continue
        figures = ", ".join(f"{k} {_fmt(v)}" for k, v in list(s.get("metrics", {}).items())[:limit])
        anchors = "; ".join(f"{k}: {v}" for k, v in list((s.get("anchors") or {}).items())[:4])
        lines.append(f"| {s.get('title', s['suite'])} | {figures} | {anchors} |")
    return "\n".join(lines)


def speed_table(bench: dict[str, Any]) -> str:
    """The benchmark rows as a compact table."""
    lines = [f"Measured {bench['generated']} on {bench['machine']} (`coach bench`).", ""]
    lines += ["| area | what | median | p95 | unit | target |", "|---|---|---|---|---|---|"]
    for r in bench["rows"]:
        lines.append(
            f"| {r.get('area', '')} | {r.get('name', '')} | {_fmt(r.get('median', ''))} | {_fmt(r.get('p95', ''))}"
            f" | {r.get('unit', '')} | {r.get('target', '')} |"
        )
    for f in bench.get("failures", []):
        lines.append(f"| {f['area']} | failed: {f['error']} | | | | |")
    return "\n".join(lines)


def update_readme(
    report: dict[str, Any] | None = None, bench: dict[str, Any] | None = None, readme: Path = README
) -> bool:
    """Write the quality and speed tables into the README's results blocks; True when it changed."""
    if not readme.exists():
        return False
    text = original = readme.read_text(encoding="utf-8")
    if report is not None:
        text = _replace_block(text, "quality", quality_table(report))
    if bench is not None:
        text = _replace_block(text, "speed", speed_table(bench))
    if text != original:
        readme.write_text(text, encoding="utf-8")
    return text != original
