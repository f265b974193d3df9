"""Counts for `coach kb stats`: the catalogue's records and the index's documents per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coach.retrieval.chroma import _collection, chroma_client
from coach.retrieval.documents import CatalogLike
from coach.retrieval.layout import COLLECTIONS, KINDS, read_manifest

if TYPE_CHECKING:
    from coach.settings import Settings


def index_stats(settings: Settings, catalog: CatalogLike | None = None) -> dict[str, Any]:
    """Counts for `coach kb stats`: the catalogue's records and the index's documents per kind."""
    out: dict[str, Any] = {}
    if catalog is not None:
        stats = getattr(catalog, "stats", None)
        if callable(stats):
            out.update(stats())
        else:
            out.update(
                {
                    "onet_occupations": sum(o.source == "onet" for o in catalog.occupations.values()),
                    "esco_occupations": sum(o.source == "esco" for o in catalog.occupations.values()),
                    "occupations": len(catalog.occupations),
                    "skills": len(catalog.skills),
                    "credentials": len(catalog.credentials),
                    "rules": len(catalog.rules),
                    "guidance": len(getattr(catalog, "guidance", None) or []),
                }
            )
    manifest = read_manifest(settings.index_path)
    if manifest is None:
        out["index"] = {"built": False, "path": str(settings.index_path)}
        return out
    recorded = manifest.get("documents", {})
    counts: dict[str, Any] = {}
    try:
        client = chroma_client(settings)
    except Exception:  # no client: report what the manifest recorded
        client = None
    for k in KINDS:
        try:
            counts[k] = int(_collection(client, k, create=False).count())
        except Exception:  # a missing collection (an index built before its kind existed): the manifest's
            counts[k] = recorded.get(k, 0)
    out["indexed"] = {COLLECTIONS[k]: int(counts.get(k, 0)) for k in KINDS}
    out["indexed_total"] = sum(out["indexed"].values())
    out["index"] = {
        "built": bool(manifest.get("complete")),
        "path": str(settings.index_path),
        "built_at": manifest.get("built_at"),
        "build_seconds": manifest.get("seconds"),
        "chroma": manifest.get("chroma"),
    }
    return out
