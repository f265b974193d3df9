"""The `coach understand` stream: JSON lines {"id", "text", "asked"?} in, one understanding per line out.

A line that is not a JSON object with a string `text` gets {"id", "error"} and the stream goes on, so one bad
line never loses the others.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from coach.dialogue.understand import ASKABLE, Understander


def understand_line(raw: str, understander: Understander, today: date) -> dict[str, Any] | None:
    """One input line → its output object (None for a blank line)."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not a JSON object: {exc.msg} at column {exc.colno}"}
    if not isinstance(row, dict):
        return {"id": None, "error": "each line must be a JSON object with an 'id' and a 'text'"}
    uid = row.get("id")
    text = row.get("text")
    if not isinstance(text, str):
        return {"id": uid, "error": "'text' must be a string"}
    asked = row.get("asked")
    if asked is not None and asked not in ASKABLE:
        return {"id": uid, "error": f"'asked' must be one of {', '.join(ASKABLE)} or null"}
    return understander.read(text, asked, today).contract(uid)


def understand_stream(lines: Iterable[str], understander: Understander, today: date) -> Iterator[str]:
    """Output JSON lines for input JSON lines, one for one, in order."""
    for raw in lines:
        out = understand_line(raw, understander, today)
        if out is not None:
            yield json.dumps(out, ensure_ascii=False)


def pathway_summary(
    pathway: dict[str, Any], target_id: str | None, catalog: Any, label: str | None = None
) -> dict[str, Any]:
    """The `pathway` of a `coach chat --json` line: id, status, target (onet_soc, uri, label), steps (id, name).

    A pathway is not saved yet when it is planned, so its id is a digest of its target and steps: the same plan
    has the same id, a changed plan a new one.
    """
    steps = [{"id": s.get("id"), "name": s.get("name")} for s in pathway.get("steps") or []]
    onet_soc = uri = None
    occ = catalog.find_occupation(target_id) if (catalog is not None and target_id) else None
    if occ is not None:
        linked = occ.links[0].target if occ.links else None
        onet_soc, uri = (occ.id, linked) if occ.source == "onet" else (linked, occ.id)
    digest = hashlib.sha256(
        json.dumps([target_id, [s["id"] for s in steps]], sort_keys=True).encode("utf-8")
    ).hexdigest()[:12]
    return {
        "id": f"plan-{digest}",
        "status": pathway.get("status"),
        "target": {
            "onet_soc": onet_soc,
            "uri": uri,
            "label": label or pathway.get("target") or (occ.title if occ else None),
        },
        "steps": steps,
    }
