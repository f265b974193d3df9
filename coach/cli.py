"""The `coach` command line (Typer). A face: it parses arguments, calls core functions, prints results.

Every `CoachError` (and bad input of any kind) becomes one line on stderr and a non-zero exit, never a
traceback. The contract of each command is in DESIGN.md and the README.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from coach.errors import BadInput, CoachError

app = typer.Typer(
    name="coach",
    help="Pathway Coach: plan stacked microcredential pathways grounded in real catalogues.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
kb_app = typer.Typer(help="Build, inspect and search the knowledge base.", no_args_is_help=True)
skills_app = typer.Typer(help="Link text to ESCO skills.", no_args_is_help=True)
roles_app = typer.Typer(help="Link job titles to occupations.", no_args_is_help=True)
posting_app = typer.Typer(help="Analyse job postings.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(skills_app, name="skills")
app.add_typer(roles_app, name="roles")
app.add_typer(posting_app, name="posting")


def print_json(data: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def read_text_arg(path: str, *, what: str = "input") -> str:
    """Read a file argument (or '-' for stdin) as UTF-8 text, refusing binary content with a clear error."""
    if path == "-":
        raw = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.exists():
            raise BadInput(f"{what} file not found: {path}")
        if p.is_dir():
            raise BadInput(f"{what} is a folder, not a file: {path}")
        raw = p.read_bytes()
    if b"\x00" in raw[:8192]:
        raise BadInput(f"{what} looks like a binary file, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{what} is not UTF-8 text (byte {exc.start})") from exc


def load_json_arg(path: str, *, what: str = "input") -> Any:
    """Read a JSON file argument with a one-line error when it is missing or invalid."""
    text = read_text_arg(path, what=what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc


# ---- kb: knowledge base (issue 2) ------------------------------------------------------------------------------


# ---- skills / roles: the taxonomy linker (issue 3) -------------------------------------------------------------


# ---- posting (issue 3) -----------------------------------------------------------------------------------------


# ---- plan (issue 4) --------------------------------------------------------------------------------------------


# ---- draft (issue 5) -------------------------------------------------------------------------------------------


# ---- chat (issue 6) --------------------------------------------------------------------------------------------


# ---- serve / ui (issues 7, 8) ----------------------------------------------------------------------------------


# ---- eval / bench (issue 9) ------------------------------------------------------------------------------------


def main() -> None:
    """Entry point: run the app, turning every known error into one line and exit code 1."""
    try:
        app(standalone_mode=False)
    except CoachError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise SystemExit(1) from None
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except Exception as exc:  # click usage errors and anything unexpected: one line, never a traceback
        import click

        if isinstance(exc, click.ClickException):
            typer.echo(f"error: {exc.format_message()}", err=True)
            raise SystemExit(exc.exit_code or 2) from None
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
