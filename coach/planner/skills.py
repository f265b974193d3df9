"""What a credential teaches and what a learner knows, read through ESCO's skill hierarchy one level up.

A role often names the broader concept ("query languages", "computer programming") where a credential or a
learner names the narrower one ("SQL", "Python"). ESCO records the narrower skill's `broader` concepts, so a
course that teaches SQL teaches a query language, and a learner who writes Python can program. Only one level
is climbed, and only to skill concepts (not to ESCO's skill groups or ISCED fields of study), so "SQL" does not
become "information and communication technologies".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SKILL_URI = "/esco/skill/"


def with_broader(catalog: Any, uris: Iterable[str]) -> set[str]:
    """`uris` and, for each, the skill concepts one level broader that the catalogue holds."""
    up = broader_sets(catalog)
    out: set[str] = set()
    for uri in uris:
        out |= up.get(uri) or {uri}
    return out


def broader_sets(catalog: Any) -> dict[str, frozenset[str]]:
    """Skill URI → itself and the skill concepts one level broader (kept on the catalogue; only skills that
    have such a concept are listed)."""

    def build(cat: Any) -> dict[str, frozenset[str]]:
        skills = cat.skills
        out: dict[str, frozenset[str]] = {}
        for uri, skill in skills.items():
            up = [b for b in skill.broader if SKILL_URI in b and b in skills]
            if up:
                out[uri] = frozenset([uri, *up])
        return out

    return _derived(catalog, "planner-broader-skills", build)


def taught(catalog: Any) -> dict[str, frozenset[str]]:
    """Credential id → the skills it teaches with their broader concepts (kept on the catalogue)."""

    def build(cat: Any) -> dict[str, frozenset[str]]:
        return {cid: frozenset(with_broader(cat, c.skills)) for cid, c in cat.credentials.items()}

    return _derived(catalog, "planner-taught-skills", build)


def skill_index(catalog: Any) -> dict[str, list[str]]:
    """Skill URI → ids of the credentials teaching it (kept on the catalogue: planning skips the full scan)."""

    def build(cat: Any) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for cid, uris in taught(cat).items():
            for uri in uris:
                index.setdefault(uri, []).append(cid)
        return index

    return _derived(catalog, "planner-skill-index", build)


def _derived(catalog: Any, name: str, build: Any) -> Any:
    """The catalogue's kept lookup `name` (a Catalog, or a test's stand-in with a `__dict__`)."""
    from coach.knowledge.catalog import derived

    # A stand-in catalogue may gain credentials after a lookup was built: key the lookup by the sizes.
    return derived(catalog, f"{name}:{len(catalog.credentials)}:{len(catalog.skills)}", build)
