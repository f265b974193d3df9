"""Loading the catalogue: load_catalog, the process-wide get_catalog and reload_catalog, registered folders.

The process-wide catalogue (`_catalog`, guarded by `_lock`) lives in this module and only here: `get_catalog()`
looks `load_catalog` and `registered_catalog_dirs` up in this module, so a test replaces them here.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coach.errors import CatalogError
from coach.knowledge.build import apply_user_catalog, build_catalog
from coach.knowledge.cache import cache_path, read_cache, write_cache
from coach.knowledge.catalog import Catalog

if TYPE_CHECKING:
    from coach.settings import Settings

_lock = threading.Lock()
_catalog: Catalog | None = None


def load_catalog(
    knowledge_dir: Path | str | None = None,
    catalog_dirs: Sequence[Path | str] = (),
    cache_dir: Path | str | None = None,
) -> Catalog:
    """Load the catalogue from `knowledge_dir` (default: settings) plus bring-your-own catalogue folders.

    The result is cached on disk under `cache_dir` (default: settings.home/cache); a warm load takes ~1 s.
    The defaults read the process settings, for scripts and tests; a face passes both folders.
    """
    if knowledge_dir is None or cache_dir is None:
        from coach.settings import get_settings

        settings = get_settings()
        knowledge_dir = settings.knowledge_dir if knowledge_dir is None else knowledge_dir
        cache_dir = settings.home / "cache" if cache_dir is None else cache_dir
    kdir = Path(knowledge_dir)
    cdirs = [Path(d) for d in catalog_dirs]
    for d in cdirs:
        if not d.is_dir():
            raise CatalogError(f"catalogue folder not found: {d}")
    cdir = Path(cache_dir)
    catalog = _load_builtin(kdir, cdir)
    for folder in cdirs:
        apply_user_catalog(catalog, folder, cdir)
    return catalog


def _load_builtin(kdir: Path, cdir: Path) -> Catalog:
    """The catalogue built from knowledge_dir, from the disk cache when its sources and code are unchanged."""
    path = cache_path(kdir, cdir)
    cached = read_cache(path)
    if cached is not None:
        return cached
    catalog = build_catalog(kdir, cdir)
    write_cache(path, catalog)
    return catalog


def registered_catalog_dirs(home: Path | None = None) -> list[Path]:
    """Bring-your-own catalogue folders recorded by `register_catalog_dirs` (those that still exist)."""
    from coach.settings import get_settings

    path = (home or get_settings().home) / "catalog_dirs.json"
    try:
        dirs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Path(d) for d in dirs if isinstance(d, str) and Path(d).is_dir()]


def register_catalog_dirs(dirs: Sequence[Path | str], home: Path | None = None) -> None:
    """Record the catalogue folders `get_catalog()` adds from now on (e.g. after `coach kb build --catalog`)."""
    from coach.settings import get_settings

    global _catalog
    root = home or get_settings().home
    root.mkdir(parents=True, exist_ok=True)
    path = root / "catalog_dirs.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps([str(Path(d).resolve()) for d in dirs]), encoding="utf-8")
    tmp.replace(path)
    with _lock:
        _catalog = None


def default_catalog(settings: Settings) -> Catalog:
    """The knowledge base of `settings` plus every registered bring-your-own folder, loaded now."""
    cache_dir = settings.home / "cache"
    catalog = load_catalog(settings.knowledge_dir, cache_dir=cache_dir)
    for folder in registered_catalog_dirs(settings.home):
        try:
            apply_user_catalog(catalog, folder, cache_dir)
        except CatalogError as exc:  # a catalogue broken since it was registered must not stop the app
            catalog.errors.append(str(exc))
    return catalog


def _default_catalog() -> Catalog:
    from coach.settings import get_settings

    return default_catalog(get_settings())


def get_catalog() -> Catalog:
    """The process-wide catalogue from the default knowledge base (loaded once)."""
    global _catalog
    with _lock:
        if _catalog is None:
            _catalog = _default_catalog()
        return _catalog


def reload_catalog() -> Catalog:
    """Load the catalogue afresh and make it the process-wide one (the admin's catalogue refresh).

    The new catalogue is loaded before the swap: requests meanwhile keep the old one, and a load that fails
    leaves the old one in place. Caches derived from a catalogue are keyed by the catalogue object, so the
    next request derives them again from the new one."""
    global _catalog
    fresh = _default_catalog()
    with _lock:
        _catalog = fresh
    return fresh
