"""The one place texts come from: templates in `prompts/`, rendered with Jinja2 in strict mode.

A template is a file `prompts/<name>.md.j2` (or `.txt.j2`). A missing variable raises an error instead of
rendering a blank, so a broken template is caught by tests rather than shown to a learner.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from coach.errors import CoachError
from coach.settings import get_settings


@lru_cache(maxsize=4)
def _environment(folder: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["money"] = lambda v, cur="USD": "unknown cost" if v is None else f"{cur} {v:,.0f}"
    env.filters["hours"] = lambda v: "unknown hours" if v is None else f"{v:,.0f} h"
    return env


def render(name: str, folder: Path | None = None, **variables: Any) -> str:
    """Render template `name` (e.g. 'system_prompt.md') with `variables`; fails loudly on a missing one."""
    base = folder or get_settings().prompts_dir
    env = _environment(str(base))
    for candidate in (f"{name}.j2", name):
        try:
            template = env.get_template(candidate)
        except jinja2.TemplateNotFound:
            continue
        try:
            return template.render(**variables).strip()
        except jinja2.UndefinedError as exc:
            raise CoachError(f"Template {name} needs a value it was not given: {exc.message}") from exc
    raise CoachError(f"No template named {name} in {base}")


def load_text(name: str, folder: Path | None = None) -> str:
    """Read a plain text from `prompts/` (e.g. a tool description) without rendering."""
    base = folder or get_settings().prompts_dir
    path = base / name
    if not path.exists():
        raise CoachError(f"No text named {name} in {base}")
    return path.read_text(encoding="utf-8").strip()
