"""Credential de-duplication across sources: one record per credential, its facts gathered from every source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from coach.knowledge.sources.common import name_key, norm, provider_key, slug, url_key
from coach.models import Credential

EXAM_TYPES = {"certification", "designation", "licence"}  # one exam, whichever source lists it


def merge_credentials(batches: Sequence[Sequence[Credential]]) -> dict[str, Credential]:
    """De-duplicate credentials; earlier batches (curated first) win and later duplicates add their facts.

    Duplicates are the same official URL, or the same provider and name once provider prefixes and kind
    suffixes ("Professional Certificate") are dropped. Ids stay stable: a clash between different credentials
    gets the provider appended.
    """
    merged: dict[str, Credential] = {}
    by_key: dict[tuple[str, str], str] = {}
    by_url: dict[str, str] = {}
    by_alias: dict[tuple[str, str], str] = {}
    for number, batch in enumerate(batches):
        # A URL identifies a credential only when one entry of the batch uses it: the roadmap points several
        # certifications (e.g. a vendor's whole programme) at one page. The same goes for a short name ("CKS")
        # within one provider: Cisco's two CCSTs share theirs, so neither is matched by it.
        url_count = Counter(url_key(c.url) for c in batch)
        alias_count = Counter(a for c in batch for a in _alias_keys(c))
        for cred in batch:
            key = (provider_key(cred.provider), name_key(cred.name, cred.provider))
            ukey = url_key(cred.url)
            if ukey and url_count[ukey] > 1:
                ukey = None
            aliases = [a for a in _alias_keys(cred) if alias_count[a] == 1]
            target = (
                by_key.get(key)
                or (by_url.get(ukey) if ukey else None)
                or next((by_alias[a] for a in aliases if a in by_alias), None)
            )
            if target is not None and merged[target].type == cred.type:
                merged[target] = _merge(merged[target], cred)
                continue
            cid = cred.id
            if cid in merged:
                cid = f"{cred.id}-{slug(cred.provider)}"[:100]
                n = 2
                while cid in merged:
                    cid, n = f"{cred.id}-{n}", n + 1
                cred = cred.model_copy(update={"id": cid})
            merged[cid] = cred
            by_key.setdefault(key, cid)
            if number == 0:  # only the first (curated) batch is matched by URL or short name
                if ukey:
                    by_url.setdefault(ukey, cid)
                for a in aliases:
                    by_alias.setdefault(a, cid)
    return merged


def _alias_keys(cred: Credential) -> set[tuple[str, str]]:
    """(provider, short name) keys of a credential's aliases and exam code ("CKS", "SY0-701"), 3+ characters."""
    names = [*cred.aliases, *([cred.exam_code] if cred.exam_code else [])]
    provider = provider_key(cred.provider)
    return {(provider, n.strip().lower()) for n in names if len(n.strip()) >= 3}


def _merge(primary: Credential, other: Credential) -> Credential:
    """`primary` keeps every fact it states; empty fields are filled from `other`; lists and sources united."""
    update: dict[str, object] = {}
    for name in ("level", "exam_code", "validity_years", "description"):
        if getattr(primary, name) in (None, "") and getattr(other, name) not in (None, ""):
            update[name] = getattr(other, name)
    platform = False
    if primary.type in EXAM_TYPES:  # one exam, whichever source names it: each missing fact is filled
        if primary.url is None and other.url:
            update["url"] = other.url
        if primary.cost is None and other.cost is not None:  # a note belongs to its price: taken together
            update |= {"cost": other.cost, "currency": other.currency, "cost_note": other.cost_note}
    else:
        # A course's price, page and hours belong to the platform that offers it: a record that states neither
        # price nor page takes all three from the platform that does (its own estimate stays as a note).
        platform = (
            primary.cost is None and primary.url is None and (other.cost is not None or bool(other.url))
        )
        if platform:
            update |= {"cost": other.cost, "currency": other.currency, "cost_note": other.cost_note}
            update["url"] = other.url
    stated_over_estimate = primary.hours_estimated and other.hours is not None and not other.hours_estimated
    if (primary.hours is None or platform or stated_over_estimate) and other.hours is not None:
        update |= {
            "hours_min": other.hours_min,
            "hours_max": other.hours_max,
            "hours_estimated": other.hours_estimated,
            "hours_rule": " ".join(x for x in (other.hours_rule, _stated(primary.hours_rule)) if x) or None,
        }
    update["skill_tags"] = list(dict.fromkeys([*primary.skill_tags, *other.skill_tags]))
    update["skills"] = list(dict.fromkeys([*primary.skills, *other.skills]))
    names = [other.name] if norm(other.name) != norm(primary.name) else []
    update["aliases"] = list(dict.fromkeys([*primary.aliases, *names, *other.aliases]))
    seen = {(s.name, s.url) for s in primary.sources}
    update["sources"] = [*primary.sources, *(s for s in other.sources if (s.name, s.url) not in seen)]
    return primary.model_copy(update=update)


def _stated(text: str | None) -> str | None:
    return f"The source states: {text}." if text else None
