"""Every third-party module the project imports is declared in pyproject.toml, installed, and importable.

Many imports are lazy (inside a function, so start-up stays fast): without this test a missing package would
only show at a user's first click. Here every import statement in the project, lazy or not, is imported once.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("coach", "ui", "evals", "tests")
# Installed by the Makefile with --no-deps (its metadata pulls torch, which the product does not need).
MAKEFILE_PINNED = re.compile(r'(?i)pip\)? install --no-deps "([A-Za-z0-9_.-]+)==')


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return [Requirement(r) for r in reqs]


def _training_only() -> set[str]:
    """Distributions declared only in the `train` extra: used by the offline trainers in evals/, not installed
    by the test command, so they must be declared but need not import here."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"].get("optional-dependencies", {})
    return {_norm(Requirement(r).name) for r in extras.get("train", [])}


def _declared() -> set[str]:
    names = {_norm(r.name) for r in _requirements()}
    return names | {_norm(m) for m in MAKEFILE_PINNED.findall((ROOT / "Makefile").read_text())}


def _local_names() -> set[str]:
    return {p.name for p in ROOT.iterdir() if p.is_dir()} | {
        p.stem for folder in FOLDERS for p in (ROOT / folder).rglob("*.py")
    }


def _distributions(module: str, owners: dict[str, list[str]]) -> set[str]:
    """The distributions that provide `module` (langgraph's checkpointers share its namespace package)."""
    parts = module.split(".")
    # base, memory and serde ship with langgraph itself; the others are plugins of their own.
    if (
        parts[:2] == ["langgraph", "checkpoint"]
        and len(parts) > 2
        and parts[2] not in ("base", "memory", "serde")
    ):
        return {f"langgraph-checkpoint-{parts[2]}"}
    return {_norm(d) for d in owners.get(parts[0], [])}


def _third_party_imports() -> dict[str, set[str]]:
    """Module name -> files importing it, for every absolute import of a non-stdlib, non-project module."""
    local, found = _local_names(), {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in local or top.startswith("_"):
                        continue
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_import_is_declared_and_importable() -> None:
    declared, owners = _declared(), metadata.packages_distributions()
    imports = _third_party_imports()
    assert "onnx" in imports and "highspy" in imports  # the scan sees lazy imports inside functions
    undeclared, broken = [], []
    training_only = _training_only()
    for name, files in sorted(imports.items()):
        # Not installed: only a training-only package may be missing, and it is known by its own name.
        provided = _distributions(name, owners) or {_norm(name.split(".")[0])} & training_only
        if not provided & declared:
            undeclared.append(f"{name} ({', '.join(sorted(files))})")
        if provided and provided <= training_only:
            assert all(f.startswith("evals/train_") for f in files), f"{name} is for training only: {files}"
            continue
        try:
            importlib.import_module(name)
        except ImportError as exc:
            broken.append(f"{name}: {exc}")
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    assert not broken, f"declared but not importable: {broken}"


@pytest.mark.parametrize(
    "req", [r for r in _requirements() if _norm(r.name) not in _training_only()], ids=lambda r: r.name
)
def test_installed_versions_meet_the_declared_bounds(req: Requirement) -> None:
    installed = metadata.version(req.name)
    assert req.specifier.contains(installed, prereleases=True), (
        f"{req.name} {installed} is not {req.specifier}"
    )


def test_no_declared_runtime_dependency_is_idle() -> None:
    """A runtime dependency nobody imports is dead weight on every install (plugins and servers excepted)."""
    # Used without an import statement: psycopg is named in database URLs, python-multipart by
    # FastAPI's form parsing, langchain-openai (and its openai client) by init_chat_model.
    indirect = {"psycopg", "python-multipart", "langchain-openai", "openai"}
    owners = metadata.packages_distributions()
    imported = {d for name in _third_party_imports() for d in _distributions(name, owners)}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    idle = [
        r.name for r in map(Requirement, project["dependencies"]) if _norm(r.name) not in imported | indirect
    ]
    assert not idle, f"declared but never imported: {idle}"
