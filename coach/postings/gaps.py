"""Gaps → credentials: the catalogue credentials that close the most of a posting's unmet requirements."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from coach.knowledge.catalog import derived, is_retired
from coach.knowledge.languages import taught_for
from coach.models import CredentialSuggestion, Requirement

MAX_GAP_CREDENTIALS = 5
GAP_URI_SCORE = 0.6
# Soft skills are left out: a course title that mentions "communication" does not make a communicator.
_COVERABLE = ("certification", "skill", "knowledge", "tool")


def _equivalent_ids(cid: str, catalog: Any) -> set[str]:
    """The credential and those a catalogue rule declares its direct successor or predecessor."""
    out = {cid}
    for rule in catalog.rules_for(cid):
        if rule.type == "equivalence" and re.search(
            r"successor|replaced|new version", rule.condition + " " + (rule.quote or ""), re.I
        ):
            out.update([rule.subject, *rule.objects])
    return out


def _uri_index(catalog: Any) -> dict[str, list[str]]:
    """ESCO skill URI → ids of the micro-credentials that certify it (built once per catalogue, kept on it)."""
    return derived(catalog, "posting-gap-uri-index", _build_uri_index)


def _build_uri_index(catalog: Any) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for cred in catalog.credentials.values():
        if not cred.is_microcredential or cred.type in ("degree", "program"):
            continue
        for u in cred.skills:
            index.setdefault(u, []).append(cred.id)
    return index


def gap_credentials(
    gaps: Sequence[Requirement],
    catalog: Any,
    held: Sequence[tuple[Any, str | None]] = (),
    languages: set[str] | None = None,
) -> list[CredentialSuggestion]:
    """Catalogue credentials that close the most gaps, greedily: credentials a gap names first, then the
    widest cover of the gaps' ESCO skills (required gaps weigh 2, each weighted by how strongly the gap links
    to the skill), then the lower cost and hours. Years of experience, degrees and languages are not closed by
    a credential and are left out. Only credentials taught in one of `languages` (default English, the language
    the posting was read in) are suggested, unless the posting names one."""
    earned = {cid for hc, cid in held if cid and hc.status == "earned"}
    coverable = [g for g in gaps if g.kind in _COVERABLE]
    if not coverable:
        return []
    index = _uri_index(catalog)
    covers: dict[str, dict[int, float]] = {}  # credential id → gap index → link strength
    named: dict[str, set[int]] = {}
    for gi, g in enumerate(coverable):
        for cid in g.credentials:
            cred = catalog.credentials.get(cid)
            if cred is not None and cid not in earned:
                covers.setdefault(cid, {})[gi] = 1.0
                named.setdefault(cid, set()).add(gi)
        if g.kind == "certification":
            continue  # only the named credential (or its successor) closes "CompTIA Security+ required"
        for ref in g.skills[:3]:
            score = ref.score or 0.0
            if score >= GAP_URI_SCORE:
                for cid in index.get(ref.uri, ()):
                    if cid not in earned:
                        row = covers.setdefault(cid, {})
                        row[gi] = max(row.get(gi, 0.0), score)
    speaks = languages or {"English"}
    for cid in [c for c in covers if c not in named]:
        if is_retired(catalog.credentials[cid]) or not taught_for(catalog.credentials[cid], speaks):
            del covers[cid]  # "Fundamentos de la ciberseguridad" for an English posting
    for cid in named:
        for eq in _equivalent_ids(cid, catalog) - {cid}:
            if eq in earned:  # holding the predecessor/successor already closes it
                covers.pop(cid, None)
    weight = [2.0 if g.required else 1.0 for g in coverable]
    inf = float("inf")
    static = {
        cid: (
            catalog.credentials[cid].cost if catalog.credentials[cid].cost is not None else inf,
            catalog.credentials[cid].hours if catalog.credentials[cid].hours is not None else inf,
        )
        for cid in covers
    }

    def rank(cid: str, done: set[int]) -> tuple[float, float, float, float, str]:
        row = covers[cid]
        gain = sum(weight[i] * strength for i, strength in row.items() if i not in done)
        return (
            -sum(weight[i] for i in named.get(cid, set()) - done),
            -round(gain, 1),  # near-equal covers are decided by cost and hours
            *static[cid],
            cid,
        )

    chosen: list[CredentialSuggestion] = []
    done: set[int] = set()
    while len(chosen) < MAX_GAP_CREDENTIALS and covers:
        best_id = min(covers, key=lambda cid: rank(cid, done))
        gain = set(covers[best_id]) - done
        if not gain:
            break
        c = catalog.credentials[best_id]
        chosen.append(
            CredentialSuggestion(
                id=c.id,
                name=c.name,
                provider=c.provider,
                cost=c.cost,
                hours=c.hours,
                covers=[coverable[i].text for i in sorted(covers[best_id])],
                url=c.url,
            )
        )
        done |= gain
        del covers[best_id]
    return chosen
