"""Inputs → what to present: each credential and work-based step with its status, date and skills."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from coach.claims import (
    month_year,
    normalise,
    step_end_dates,
)
from coach.errors import BadInput, NotFound
from coach.models import (
    Experience,
    HeldCredential,
    Pathway,
    Profile,
)
from coach.presenter.models import PresentedCredential
from coach.presenter.text import _month_label

if TYPE_CHECKING:
    from coach.knowledge import Catalog

WORK_KINDS = ("apprenticeship", "internship", "portfolio_project", "on_the_job_assessment")


def check_inputs(profile: Profile, pathway: Pathway | None, catalog: Catalog | None) -> None:
    """Refuse an empty profile and a plan whose steps name credentials the catalogue does not know."""
    if not (
        profile.name.strip()
        or profile.skills
        or profile.credentials
        or profile.experience
        or (profile.current_role or "").strip()
    ):
        raise BadInput(
            "the profile is empty: give at least a name, a current role, skills, credentials or experience"
        )
    if pathway is None or catalog is None or not catalog.credentials:
        return
    unknown = [
        s.id
        for s in pathway.steps
        if not s.id.startswith("work:") and s.kind not in WORK_KINDS and catalog.find_credential(s.id) is None
    ]
    if unknown:
        raise NotFound(f"the plan names credential ids the catalogue does not know: {', '.join(unknown[:5])}")


def _catalog_skill_labels(catalog: Catalog | None, uris: Iterable[str]) -> list[str]:
    if catalog is None:
        return []
    return [catalog.skill_label(u) for u in uris if u in catalog.skills]


def presented_credentials(
    profile: Profile, pathway: Pathway | None, catalog: Catalog | None, today: date
) -> list[PresentedCredential]:
    """The profile's credentials and the pathway's steps, merged, each with status and (expected) date."""
    ends = step_end_dates(pathway, today)
    items: list[PresentedCredential] = []
    by_key: dict[str, PresentedCredential] = {}

    def key_of(name: str, cid: str | None) -> str:
        return cid or normalise(name)

    for held in profile.credentials:
        cred = catalog.find_credential(held.id or held.name) if catalog is not None else None
        when = _month_label(held.date)
        label = ""
        if when:
            label = f"earned {when}" if held.status == "earned" else f"expected {when}"
        item = PresentedCredential(
            name=held.name,
            issuer=_extra(held, "issuer") or (cred.provider if cred else None),
            status=held.status,
            date=held.date,
            date_label=label,
            catalog_id=cred.id if cred else held.id,
            url=held.url or (cred.url if cred else None),
            credential_id=_extra(held, "credential_id"),
            skill_uris=[u for u in (cred.skills if cred else []) if catalog and u in catalog.skills][:6],
            catalog_skills=_catalog_skill_labels(catalog, cred.skills)[:6] if cred else [],
        )
        items.append(item)
        by_key[key_of(held.name, item.catalog_id)] = item
        by_key.setdefault(normalise(held.name), item)

    for step in pathway.steps if pathway else []:
        cred = None
        if catalog is not None and step.kind not in WORK_KINDS and not step.id.startswith("work:"):
            cred = catalog.find_credential(step.id)
        end = ends.get(step.id)
        when = month_year(end) if end else None
        skills = [s.label for s in step.skills]
        uris = [s.uri for s in step.skills] or (list(cred.skills) if cred else [])
        cat_skills = _catalog_skill_labels(catalog, cred.skills)[:6] if cred else []
        existing = by_key.get(key_of(step.name, cred.id if cred else step.id)) or by_key.get(
            normalise(step.name)
        )
        if existing is not None:
            # The profile already lists it: keep the learner's status; fill in what the plan knows.
            if existing.status != "earned" and not existing.date and end:
                existing.date = end.strftime("%Y-%m")
                existing.date_label = f"expected {when}"
            existing.skills = existing.skills or skills[:6]
            existing.skill_uris = existing.skill_uris or uris[:6]
            existing.catalog_skills = existing.catalog_skills or cat_skills
            existing.url = existing.url or step.url
            existing.issuer = existing.issuer or step.provider
            continue
        item = PresentedCredential(
            name=step.name,
            issuer=step.provider or (cred.provider if cred else None),
            status="planned",
            date=end.strftime("%Y-%m") if end else None,
            date_label=f"expected {when}" if when else "",
            catalog_id=cred.id if cred else step.id,
            url=step.url or (cred.url if cred else None),
            skills=skills[:6],
            skill_uris=uris[:6],
            catalog_skills=cat_skills,
            kind=step.kind if step.kind in WORK_KINDS else "credential",
            source="pathway",
        )
        items.append(item)
        by_key[key_of(step.name, item.catalog_id)] = item
    order = {"earned": 0, "in_progress": 1, "planned": 2}
    return sorted(items, key=lambda c: (order[c.status], c.kind != "credential"))


def _extra(model: HeldCredential | Experience, name: str) -> str | None:
    value = (model.model_extra or {}).get(name)
    return str(value) if value else None


def _pending_label(c: PresentedCredential) -> str:
    """'CompTIA Security+ (planned, expected February 2027)': the status always travels with the name."""
    status = c.status.replace("_", " ")
    return f"{c.name} ({status}, {c.date_label})" if c.date_label else f"{c.name} ({status})"
