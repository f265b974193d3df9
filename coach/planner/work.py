"""Where to find the work-based steps a plan proposes: the knowledge base's sourced guidance on finding an
apprenticeship or internship (apprenticeship.gov, the UK's apprenticeship finder, the EU's pages), chosen by
the learner's country as their currency suggests. The step then cites those pages instead of only naming a kind
of work."""

from __future__ import annotations

from coach.knowledge.catalog import Catalog
from coach.models import Credential, Source

# A learner's currency is the best hint of where they live that a profile holds.
_COUNTRY_BY_CURRENCY = {"GBP": "GB", "EUR": "EU"}
_TOPIC_WORDS = {"apprenticeship": ("apprenticeship",), "internship": ("internship",)}


def finding_sources(catalog: Catalog, kind: str, currency: str | None) -> list[Source]:
    """Sourced pages on finding this kind of work (at most two), for the learner's country; none for other
    kinds (on the job needs no finding)."""
    words = _TOPIC_WORDS.get(kind)
    if not words:
        return []
    country = _COUNTRY_BY_CURRENCY.get((currency or "USD").upper(), "US")
    out: list[Source] = []
    for entry in catalog.guidance:
        about = f"{entry.id} {entry.topic} {entry.title}".lower()
        if not any(w in about for w in words) or country not in (entry.applies_to.countries or [country]):
            continue
        # "How do I find one" entries first: they point at the finder itself.
        for st in entry.sources:
            if st.source_url not in {s.url for s in out}:
                out.append(Source(name=f"{st.publisher}: {st.source_title}", url=st.source_url))
    finders = [s for s in out if "find" in s.name.lower() or "help" in (s.url or "")]
    return (finders + [s for s in out if s not in finders])[:2]


def finding_note(sources: list[Source]) -> str:
    """The sentence a work step adds about where to look (empty without sources)."""
    return f" Where to look: {sources[0].url}." if sources else ""


def registered_apprenticeship(
    catalog: Catalog, role_id: str | None, currency: str | None
) -> Credential | None:
    """The registered apprenticeship (shortest term) leading to the target role, for a learner in the register's
    country (the US register for a learner budgeting in dollars); None when the register lists none."""
    if role_id is None or _COUNTRY_BY_CURRENCY.get((currency or "USD").upper(), "US") != "US":
        return None
    found = catalog.apprenticeships_for(role_id)
    return found[0] if found else None


def apprenticeship_note(entry: Credential | None) -> str:
    """The sentence an apprenticeship step adds about the registered apprenticeship for the role."""
    if entry is None:
        return ""
    term = entry.description.split(": ", 1)[-1].rstrip(".")
    return f" A registered apprenticeship leads to this role: {entry.name} (code {entry.exam_code}, {term})."
