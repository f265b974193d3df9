"""The catalogue's disk cache: a key over everything that shapes a built catalogue, and the pickle itself."""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

from coach.knowledge.catalog import Catalog

CACHE_VERSION = "1"

# The coach/ folder: _CODE_FILES are relative to it.
_CODE_ROOT = Path(__file__).resolve().parent.parent
# Every file whose code shapes a built catalogue: this package (readers, merging, linking, assembly and
# bring-your-own parsing), the record models (a pickled catalogue of an older model would load with missing or
# stale fields) and the embedder that links titles.
_CODE_FILES = ("knowledge/**/*.py", "models.py", "embeddings.py")


def _code_files() -> list[Path]:
    """The files `_CODE_FILES` names, in a stable order (a pattern that matches nothing is an error)."""
    out: list[Path] = []
    for pattern in _CODE_FILES:
        matches = sorted(p for p in _CODE_ROOT.glob(pattern) if p.is_file())
        if not matches:
            raise FileNotFoundError(f"no code file matches {_CODE_ROOT / pattern}")
        out += matches
    return out


def _files_under(root: Path) -> list[Path]:
    """Every file under `root` except hidden ones, sorted ([] when `root` does not exist)."""
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def _cache_key(knowledge_dir: Path, catalog_dirs: Sequence[Path]) -> str:
    """A hash of every input file's path, size and mtime plus the full text of the code that builds it.

    Any change to a source or to that code rebuilds (a change to bring-your-own parsing too: one rebuild is
    cheaper than a stale catalogue)."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in _code_files():
        digest.update(f"{path.relative_to(_CODE_ROOT).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    for root in (
        knowledge_dir / "sources",
        knowledge_dir / "curated",
        knowledge_dir / "guidance",
        knowledge_dir / "recognition",
        knowledge_dir / "pricing",
        *catalog_dirs,
    ):
        for path in _files_under(root):
            st = path.stat()
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def cache_path(knowledge_dir: Path, cache_dir: Path) -> Path:
    """Where the catalogue built from `knowledge_dir` is cached under `cache_dir`."""
    return cache_dir / f"catalog-{_cache_key(knowledge_dir, [])}.pkl"


def read_cache(path: Path) -> Catalog | None:
    """The catalogue pickled at `path`; None when there is none or it is damaged or outdated."""
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        # ~100k small objects: the cyclic GC would run dozens of times during unpickling (half the time).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            cached = pickle.loads(raw)
        finally:
            if was_enabled:
                gc.enable()
        if isinstance(cached, Catalog):
            return cached
    except Exception:  # a damaged or outdated cache file is rebuilt by the caller
        pass
    return None


def write_cache(path: Path, catalog: Catalog) -> None:
    """Pickle `catalog` to `path` atomically and drop older caches next to it."""
    cdir = path.parent
    cdir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(catalog, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    # Older caches (other code or data versions) are dropped, keeping the two newest for concurrent readers.
    olds = sorted(cdir.glob("catalog-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds[2:]:
        old.unlink(missing_ok=True)
