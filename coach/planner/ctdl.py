"""CTDL export: a pathway as Credential Transparency Description Language JSON-LD."""

from __future__ import annotations

from typing import Any

from coach.models import Pathway
from coach.planner.text import _slug

_CTDL_TYPE = {
    "course": "ceterms:CourseComponent",
    "guided_project": "ceterms:CourseComponent",
    "apprenticeship": "ceterms:WorkExperienceComponent",
    "internship": "ceterms:WorkExperienceComponent",
    "on_the_job_assessment": "ceterms:WorkExperienceComponent",
    "portfolio_project": "ceterms:BasicComponent",
}


def pathway_to_ctdl(pathway: Pathway, base: str = "urn:pathway-coach:") -> dict:
    """The pathway as CTDL JSON-LD: a ceterms:Pathway whose destination component requires every step
    (ComponentCondition, requiredNumber = all), steps linked by ceterms:prerequisite (required order) and
    ceterms:precedes (the suggested sequence)."""
    pid = f"{base}pathway:{_slug(pathway.target)}"
    dest_id = f"{base}destination:{_slug(pathway.target)}"

    def cid(step_id: str) -> str:
        return f"{base}component:{step_id}"

    graph: list[dict] = []
    components: list[dict] = []
    by_id = {s.id: s for s in pathway.steps}
    for n, s in enumerate(pathway.steps):
        comp: dict[str, Any] = {
            "@id": cid(s.id),
            "@type": _CTDL_TYPE.get(s.kind, "ceterms:CredentialComponent"),
            "ceterms:name": {"en-US": s.name},
            "ceterms:description": {"en-US": s.why} if s.why else None,
            "ceterms:isPartOf": [pid],
            "ceterms:subjectWebpage": s.url,
            "ceterms:credentialType": f"ceterms:{_ctdl_credential_type(s.kind)}"
            if not s.work_based
            else None,
            "ceterms:prerequisite": [cid(p) for p in s.prerequisites if p in by_id] or None,
            "ceterms:precedes": [cid(pathway.steps[n + 1].id)] if n + 1 < len(pathway.steps) else None,
            "ceterms:hasChild": [cid(p) for p in s.prerequisites if p in by_id] or None,
            "ceterms:targetCompetency": [
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:targetNode": k.uri,
                    "ceterms:targetNodeName": {"en-US": k.label},
                }
                for k in s.skills
            ]
            or None,
            "ceterms:estimatedCost": [
                {"@type": "ceterms:CostProfile", "ceterms:price": s.cost, "ceterms:currency": s.currency}
            ]
            if s.cost_known and not s.work_based
            else None,
            "ceterms:estimatedDuration": [
                {
                    "@type": "ceterms:DurationProfile",
                    "ceterms:timeRequired": {
                        "@type": "ceterms:QuantitativeValue",
                        "ceterms:value": s.hours,
                        "ceterms:unitText": "hour",
                    },
                }
            ]
            if s.hours_known and s.hours
            else None,
            "ceterms:proxyFor": s.url if not s.work_based else None,
        }
        components.append({k: v for k, v in comp.items() if v is not None})
    top = [
        cid(s.id) for s in pathway.steps if not any(s.id in o.prerequisites for o in pathway.steps)
    ]  # steps nothing else depends on hang directly under the destination
    destination = {
        "@id": dest_id,
        "@type": "ceterms:JobComponent",
        "ceterms:name": {"en-US": pathway.target},
        "ceterms:isDestinationComponentOf": [pid],
        "ceterms:hasChild": top,
        "ceterms:hasCondition": [
            {
                "@type": "ceterms:ComponentCondition",
                "ceterms:name": {"en-US": "Complete every step of the pathway"},
                "ceterms:requiredNumber": len(pathway.steps),
                "ceterms:targetComponent": [cid(s.id) for s in pathway.steps],
            }
        ],
    }
    graph.append(
        {
            "@id": pid,
            "@type": "ceterms:Pathway",
            "ceterms:name": {"en-US": f"Pathway to {pathway.target}"},
            "ceterms:description": {"en-US": pathway.explanation},
            "ceterms:hasDestinationComponent": [dest_id],
            "ceterms:hasChild": top,
            "ceterms:hasPart": [dest_id, *(c["@id"] for c in components)],
        }
    )
    graph.append(destination)
    graph.extend(components)
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": graph}


def _ctdl_credential_type(kind: str) -> str:
    return {
        "certification": "Certification",
        "professional_certificate": "Certificate",
        "specialization": "Certificate",
        "badge": "DigitalBadge",
        "designation": "Certification",
        "licence": "License",
        "apprenticeship": "ApprenticeshipCertificate",
    }.get(kind, "Credential")
