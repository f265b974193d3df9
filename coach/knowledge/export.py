"""Credentials out of the catalogue: one full record per credential (JSON lines), or CTDL JSON-LD.

A record carries every field of the model, its skills as {uri, label}, its sources as {name, url, as_of,
source_kind, title} and its sourced employer-recognition signals; CTDL uses the Credential Registry's terms
(ceterms:) and reads back through coach.knowledge.ctdl.
"""

from __future__ import annotations

import uuid
from typing import Any

from coach.knowledge.catalog import Catalog
from coach.models import Credential

CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
_CTID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pathway-coach.invalid/catalogue")
_CTDL_CLASS = {
    "certification": "ceterms:Certification",
    "designation": "ceterms:Certification",
    "licence": "ceterms:License",
    "professional_certificate": "ceterms:Certificate",
    "specialization": "ceterms:Certificate",
    "course": "ceterms:CertificateOfCompletion",
    "guided_project": "ceterms:CertificateOfCompletion",
    "badge": "ceterms:DigitalBadge",
    "program": "ceterms:Certificate",
    "degree": "ceterms:Degree",
    "apprenticeship": "ceterms:ApprenticeshipCertificate",
}


def credential_record(catalog: Catalog, cred: Credential) -> dict[str, Any]:
    """Every field of a credential, with labelled skills, typed sources and its recognition signals."""
    out = cred.model_dump(mode="json")
    out["skills"] = [{"uri": u, "label": catalog.skill_label(u)} for u in cred.skills]
    out["sources"] = [
        {"name": s.name, "url": s.url, "as_of": s.as_of, "source_kind": s.source_kind, "title": s.title}
        for s in cred.sources
    ]
    out["recognition"] = [
        {"signal": r.signal, "label": r.label, "detail": r.detail, "url": r.url, "date": r.date}
        for r in catalog.recognition.get(cred.id, [])
    ]
    return out


def _latest_date(cred: Credential) -> str | None:
    """The newest dated source of a record (YYYY[-MM[-DD]]), or None when no source is dated."""
    dates = sorted(s.as_of for s in cred.sources if s.as_of and s.as_of[:1].isdigit())
    return dates[-1] if dates else None


def ctid(kind: str, key: str) -> str:
    """A stable CTDL identifier ("ce-" + UUID) for a record of this catalogue."""
    return f"ce-{uuid.uuid5(_CTID_NAMESPACE, f'{kind}:{key}')}"


def credentials_ctdl(catalog: Catalog, creds: list[Credential]) -> dict[str, Any]:
    """CTDL JSON-LD: one ceterms credential per record and one ceterms:CredentialOrganization per provider."""
    graph: list[dict[str, Any]] = []
    orgs: dict[str, dict[str, Any]] = {}
    for cred in creds:
        org_id = ctid("organization", cred.provider.lower())
        orgs.setdefault(
            org_id,
            {
                "@id": org_id,
                "@type": "ceterms:CredentialOrganization",
                "ceterms:ctid": org_id,
                "ceterms:name": {"en-US": cred.provider},
            },
        )
        node: dict[str, Any] = {
            "@id": ctid("credential", cred.id),
            "@type": _CTDL_CLASS.get(cred.type, "ceterms:Credential"),
            "ceterms:ctid": ctid("credential", cred.id),
            "ceterms:name": {"en-US": cred.name},
            "ceterms:description": {"en-US": cred.description or cred.name},
            "ceterms:subjectWebpage": cred.url,
            "ceterms:credentialStatusType": {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
                "ceterms:targetNode": "credentialStat:Active",
            },
            "ceterms:ownedBy": [org_id],
            "ceterms:inLanguage": [cred.language] if cred.language else ["en-US"],
            "ceterms:dateEffective": _latest_date(cred),
            "ceterms:codedNotation": cred.exam_code,
            "ceterms:alternateName": {"en-US": cred.aliases} if cred.aliases else None,
            "ceterms:estimatedCost": [
                {
                    "@type": "ceterms:CostProfile",
                    "ceterms:price": cred.cost,
                    "ceterms:currency": cred.currency,
                    "ceterms:description": {"en-US": cred.cost_note or "Price to earn it"},
                }
            ]
            if cred.cost is not None
            else None,
            "ceterms:estimatedDuration": [
                {
                    "@type": "ceterms:DurationProfile",
                    "ceterms:exactDuration": f"PT{round(cred.hours)}H",
                }
            ]
            if cred.hours
            else None,
            "ceterms:requires": [
                {
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:description": {"en-US": cred.prerequisites or "Demonstrate the competencies"},
                    "ceterms:targetCompetency": [
                        {
                            "@type": "ceterms:CredentialAlignmentObject",
                            "ceterms:targetNode": u,
                            "ceterms:targetNodeName": {"en-US": catalog.skill_label(u)},
                            "ceterms:framework": "http://data.europa.eu/esco/skill",
                        }
                        for u in cred.skills
                    ],
                }
            ]
            if cred.skills
            else None,
            "ceterms:occupationType": [
                {"@type": "ceterms:CredentialAlignmentObject", "ceterms:codedNotation": cred.onet_soc}
            ]
            if cred.onet_soc
            else None,
        }
        graph.append({k: v for k, v in node.items() if v is not None})
    return {"@context": CTDL_CONTEXT, "@graph": [*orgs.values(), *graph]}
