"""The knowledge base: occupations (O*NET, ESCO), the ESCO skill space, credentials, pathway rules and guidance.

`load_catalog()` reads knowledge_base/sources/ and guidance/ (and any bring-your-own catalogue folders), normalises them into
the records of coach.models and caches the result under settings.home/cache, keyed by the sources' sizes and
modification times and the text of the code that builds it, so a warm load only unpickles. `get_catalog()` is
the process-wide one.

The modules, by concern:

- `catalog`: the Catalog and its lookups.
- `sources/`: one reader per raw source (esco, onet, roadmap, coursera, edx, curated, rules; helpers in common).
- `guidance`: the guidance collection (sourced answers to open questions; `Catalog.guidance`).
- `merge`: credential de-duplication across sources.
- `matcher`: linking phrases to ESCO skills (SkillMatcher and its thresholds).
- `skill_links`: ESCO skills of O*NET occupations and of credentials.
- `occupation_links`: O*NET ↔ ESCO occupation links.
- `byo` and `ctdl`: bring-your-own catalogues (CSV/JSON rows and their validation; CTDL JSON-LD).
- `build`: a catalogue assembled from the sources, and bring-your-own folders applied to it.
- `cache`: the disk cache (its key and the pickle).
- `load`: load_catalog, the process-wide get_catalog / reload_catalog and the registered folders (the only
  module-level catalogue state; patch it there).

The names other modules use are re-exported here.
"""

from __future__ import annotations

from coach.errors import CatalogError
from coach.knowledge.build import apply_user_catalog
from coach.knowledge.byo import load_user_catalog
from coach.knowledge.cache import _cache_key
from coach.knowledge.catalog import Catalog
from coach.knowledge.load import (
    get_catalog,
    load_catalog,
    register_catalog_dirs,
    registered_catalog_dirs,
    reload_catalog,
)
from coach.knowledge.matcher import PHRASE_THRESHOLD, SkillMatcher
from coach.knowledge.merge import merge_credentials

__all__ = [
    "PHRASE_THRESHOLD",
    "Catalog",
    "CatalogError",
    "SkillMatcher",
    "_cache_key",
    "apply_user_catalog",
    "get_catalog",
    "load_catalog",
    "load_user_catalog",
    "merge_credentials",
    "register_catalog_dirs",
    "registered_catalog_dirs",
    "reload_catalog",
]
