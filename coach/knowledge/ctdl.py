"""CTDL (Credential Transparency Description Language) JSON-LD: a bring-your-own credentials.jsonld as rows.

The rows are in the bring-your-own CSV format (see coach.knowledge.byo), so they are validated like any other.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from coach.knowledge.sources.common import ESCO_SKILL_PREFIX, slug

# The CTDL credential classes read, and the credential types they become.
CTDL_TYPES = {
    "Certification": "certification",
    "License": "certification",
    "ApprenticeshipCertificate": "certification",
    "JourneymanCertificate": "certification",
    "MasterCertificate": "certification",
    "Certificate": "professional_certificate",
    "CertificateOfCompletion": "course",
    "Badge": "badge",
    "DigitalBadge": "badge",
    "OpenBadge": "badge",
    "MicroCredential": "badge",
    "Course": "course",
    "LearningOpportunityProfile": "course",
    "LearningProgram": "program",
    "Diploma": "program",
    "Degree": "degree",
    "AssociateDegree": "degree",
    "BachelorDegree": "degree",
    "MasterDegree": "degree",
    "DoctoralDegree": "degree",
    "ProfessionalDoctorate": "degree",
    "ResearchDoctorate": "degree",
}
CTDL_CONDITIONS = {"ceterms:requires": "prerequisite_required", "ceterms:recommends": "recommended_before"}


def _ld_text(value: Any) -> str:
    """A JSON-LD literal as text: plain, {"@value": ...}, a language map ({"en-US": ...}) or a list of these."""
    if isinstance(value, list):
        return _ld_text(value[0]) if value else ""
    if isinstance(value, dict):
        if "@value" in value:
            return str(value["@value"]).strip()
        if "@id" in value:
            return str(value["@id"]).strip()
        for lang in ("en-US", "en", "en-GB", *value):
            if lang in value:
                return _ld_text(value[lang])
        return ""
    return "" if value is None else str(value).strip()


def _ld_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _iso_hours(duration: str) -> float | None:
    """Hours of an ISO 8601 duration given in hours and minutes ('PT40H', 'PT1H30M'); None for weeks, months."""
    m = re.fullmatch(r"PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?", duration.strip())
    if not m or not (m.group(1) or m.group(2)):
        return None
    return float(m.group(1) or 0) + float(m.group(2) or 0) / 60


def ctdl_rows(
    path: Path, errors: list[str]
) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    """Credential rows and rule rows (in the CSV format) from a CTDL JSON-LD file; bad JSON is one error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.append(f"{path.name}: not valid JSON ({exc})")
        return [], []
    graph = data.get("@graph", [data]) if isinstance(data, dict) else data
    if not isinstance(graph, list):
        errors.append(f"{path.name}: expected a JSON-LD document with an @graph list")
        return [], []
    nodes = {n["@id"]: n for n in graph if isinstance(n, dict) and isinstance(n.get("@id"), str)}

    def resolve(ref: Any) -> dict[str, Any]:
        key = ref.get("@id") if isinstance(ref, dict) and set(ref) == {"@id"} else ref
        if isinstance(key, str):
            return nodes.get(key, {"@id": key})
        return ref if isinstance(ref, dict) else {}

    creds: list[tuple[str, dict[str, Any]]] = []
    ours: dict[str, str] = {}  # JSON-LD @id → credential id
    found: list[tuple[str, dict[str, Any], str]] = []
    for n, node in enumerate(graph, start=1):
        if not isinstance(node, dict):
            continue
        kind = str(_ld_list(node.get("@type"))[0] if node.get("@type") else "").removeprefix("ceterms:")
        if kind not in CTDL_TYPES:
            continue  # organisations, profiles, alignment objects: read through the credentials
        where = f"{path.name} @graph item {n}"
        cid = _ld_text(node.get("ceterms:ctid")).removeprefix("urn:ctid:") or slug(_ld_text(node.get("@id")))
        provider = next(
            (
                _ld_text(resolve(ref).get("ceterms:name"))
                for key in ("ceterms:ownedBy", "ceterms:offeredBy")
                for ref in _ld_list(node.get(key))
                if _ld_text(resolve(ref).get("ceterms:name"))
            ),
            "",
        )
        row: dict[str, Any] = {
            "id": cid,
            "name": _ld_text(node.get("ceterms:name")),
            "provider": provider,
            "type": CTDL_TYPES[kind],
            "url": _ld_text(node.get("ceterms:subjectWebpage")),
            "as_of": _ld_text(node.get("ceterms:dateEffective"))[:10],
            "description": _ld_text(node.get("ceterms:description")),
        }
        for ref in _ld_list(node.get("ceterms:estimatedCost")):
            profile = resolve(ref)
            if _ld_text(profile.get("ceterms:price")):
                row["cost"] = _ld_text(profile.get("ceterms:price"))
                row["currency"] = _ld_text(profile.get("ceterms:currency"))
                break
        for ref in _ld_list(node.get("ceterms:estimatedDuration")):
            profile = resolve(ref)
            exact = _iso_hours(_ld_text(profile.get("ceterms:exactDuration")))
            lo = _iso_hours(_ld_text(profile.get("ceterms:minimumDuration"))) or exact
            hi = _iso_hours(_ld_text(profile.get("ceterms:maximumDuration"))) or exact
            if lo is not None or hi is not None:
                row["hours_min"], row["hours_max"] = lo, hi
                break
        skills = []
        for key in ("ceterms:teaches", "ceterms:subject", "ceterms:keyword"):
            for item in _ld_list(node.get(key)):
                item = resolve(item) if isinstance(item, dict) else item
                aligned = isinstance(item, dict) and bool(
                    {"ceterms:targetNode", "ceterms:targetNodeName"} & set(item)
                )
                target = _ld_text(item.get("ceterms:targetNode")) if aligned else ""
                text = _ld_text(item.get("ceterms:targetNodeName")) if aligned else _ld_text(item)
                skills.append(target if target.startswith(ESCO_SKILL_PREFIX) else text)
        row["skills"] = [x for x in skills if x]
        creds.append((where, row))
        ours[str(node.get("@id", cid))] = cid
        found.append((where, node, cid))
    rules: list[tuple[str, dict[str, Any]]] = []
    for where, node, cid in found:
        for key, rtype in CTDL_CONDITIONS.items():
            for k, ref in enumerate(_ld_list(node.get(key)), start=1):
                profile = resolve(ref)
                targets = [_ld_text(t) for t in _ld_list(profile.get("ceterms:targetCredential"))]
                if not targets:
                    continue  # a condition without credentials (e.g. experience) stays in the description
                rules.append(
                    (
                        where,
                        {
                            "id": f"{cid}-{key.removeprefix('ceterms:')}-{k}",
                            "type": rtype,
                            "subject": cid,
                            # All targets of one CTDL condition profile are required together.
                            "objects": [ours.get(t, t) for t in targets],
                            "any_of": "false",
                            "condition": _ld_text(profile.get("ceterms:description")),
                            "source_url": _ld_text(node.get("ceterms:subjectWebpage")),
                            "as_of": _ld_text(node.get("ceterms:dateEffective"))[:10],
                        },
                    )
                )
    return creds, rules
