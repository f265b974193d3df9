"""The JSON-lines stream of `coach skills rank` / `coach roles rank`: batched lines in, parsed requests out."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

MAX_LINE_BATCH = 256


def iter_line_batches(fd: int, max_batch: int = MAX_LINE_BATCH) -> Iterator[list[bytes]]:
    """Complete lines from a file descriptor, grouped by what has already arrived (at most `max_batch`).

    Reads with os.read, which returns whatever is waiting: a piped file yields big batches (fast, one
    embedding call each) while an interactive writer gets an answer per line without waiting for more input.
    """
    pending = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for start in range(0, len(lines), max_batch):
            yield lines[start : start + max_batch]
    if pending.strip():
        yield [pending]


def iter_stdin_batches(stream: Any, max_batch: int = MAX_LINE_BATCH) -> Iterator[list[bytes]]:
    """`iter_line_batches` over a text stream's file descriptor, or line by line when it has none (tests)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is not None:
        yield from iter_line_batches(fd, max_batch)
        return
    # No descriptor (an in-memory stream): nothing interactive can be waiting, so group lines freely.
    batch: list[bytes] = []
    for line in getattr(stream, "buffer", stream):
        batch.append(line if isinstance(line, bytes) else line.encode("utf-8"))
        if len(batch) >= max_batch:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_rank_line(raw: bytes) -> tuple[object, str, str | None] | None:
    """One input line → (id, text, error); None for a blank line. Never raises."""
    line = raw.decode("utf-8", "replace").strip()
    if not line:
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, "", f"invalid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(obj, dict):
        return None, "", 'each line must be a JSON object {"id": ..., "text": ...}'
    text = obj.get("text")
    if not isinstance(text, str):
        return obj.get("id"), "", '"text" must be a string'
    return obj.get("id"), text, None
