"""Reading the command line's file arguments and printing JSON: one-line errors for a missing, binary or
invalid file, never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from coach.errors import BadInput


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
