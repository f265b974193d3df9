"""What a built index is on disk: its kinds, collection names, files, versions and manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# Bump when the kinds or the document layout change: a build then re-checks every document's hash instead of
# trusting the manifest (2: the guidance kind).
INDEX_VERSION = 2
LEXICAL_VERSION = 3  # bump when tokenisation or BM25 weighting changes: the lexical index is then rebuilt
KINDS: tuple[str, ...] = ("occupation", "skill", "credential", "rule", "guidance")
COLLECTIONS = {
    "occupation": "occupations",
    "skill": "skills",
    "credential": "credentials",
    "rule": "rules",
    "guidance": "guidance",
}


MANIFEST = "manifest.json"
DOCS_FILE = "documents.json"
LEXICAL_FILE = "lexical.npz"
VOCAB_FILE = "lexical_vocab.json"


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a file


def _files_present(folder: Path) -> bool:
    return all((folder / f).exists() for f in (DOCS_FILE, LEXICAL_FILE, VOCAB_FILE))


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The build manifest, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
