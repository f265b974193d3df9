"""Standard exports of a learner's drafts: JSON Resume, Open Badges 3.0, Markdown and DOCX.

- JSON Resume (`to_json_resume`) fills `basics`, `work`, `volunteer`, `projects`, `skills` and `certificates`
  (earned credentials only; in-progress and planned ones go under `meta.pathwayCoach`, never among certificates).
- Open Badges 3.0 (`to_open_badges`) makes one `OpenBadgeCredential` per EARNED credential. The learner is the
  issuer: each badge is self-asserted and says so in its name, description and evidence. With a key, each badge
  is also secured as a VC-JWT (compact JWS, `alg: EdDSA`, Ed25519, issuer and `kid` a `did:key`), which
  `verify_open_badge_jwt` checks. Signing proves who made the record, not that the provider awarded it.
- Both validate against the official schemas copied in knowledge_base/schemas/ (`validate_json_resume`,
  `validate_open_badge`).
- `to_markdown` and `to_docx` are for people.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.errors import BadInput, CoachError
from coach.models import Profile
from coach.presenter import Drafts, PresentedCredential, presented_credentials

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from coach.knowledge import Catalog

JSON_RESUME_SCHEMA = "jsonresume_schema_v1.3.1.json"
OPEN_BADGE_SCHEMA = "ob_v3p0_achievementcredential_schema.json"
OB_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pathway-coach.invalid/self-asserted")
_ISO_PARTIAL = re.compile(r"^[12]\d{3}(-[01]\d(-[0-3]\d)?)?$")
_ACHIEVEMENT_TYPES = {
    "certification": "Certification",
    "professional_certificate": "Certificate",
    "specialization": "Certificate",
    "course": "Course",
    "guided_project": "Assignment",
    "badge": "Badge",
    "designation": "Certification",
    "program": "LearningProgram",
    "degree": "Degree",
    "licence": "License",
    "apprenticeship": "ApprenticeshipCertificate",
}


# --------------------------------------------------------------------------------------------------------------
# JSON Resume
# --------------------------------------------------------------------------------------------------------------


def _iso(value: str | None) -> str | None:
    """A JSON Resume date (YYYY, YYYY-MM or YYYY-MM-DD), or None when the profile's value is not one."""
    return value if value and _ISO_PARTIAL.match(value) else None


def _http_url(value: str | None) -> str | None:
    return value if value and re.match(r"^https?://\S+$", value) else None


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def to_json_resume(profile: Profile, drafts: Drafts | None = None) -> dict[str, Any]:
    """A JSON Resume document (schema v1.3.1) from the profile, with the drafts' About text and bullets."""
    work, volunteer, projects = [], [], []
    for exp in profile.experience:
        common = {"startDate": _iso(exp.start), "endDate": _iso(exp.end), "highlights": list(exp.evidence)}
        if exp.kind in ("job", "internship", "apprenticeship"):
            position = exp.title if exp.kind == "job" else f"{exp.title} ({exp.kind})"
            work.append(_drop_empty({"name": exp.organization, "position": position, **common}))
        elif exp.kind == "volunteer":
            volunteer.append(_drop_empty({"organization": exp.organization, "position": exp.title, **common}))
        else:
            projects.append(_drop_empty({"name": exp.title, "entity": exp.organization, **common}))
    creds = drafts.credentials if drafts is not None else None
    certificates: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    if creds is None:
        for held in profile.credentials:
            entry = {"name": held.name, "date": _iso(held.date), "url": _http_url(held.url)}
            (certificates if held.status == "earned" else pending).append(
                _drop_empty({**entry, "status": held.status})
            )
    else:
        for c in creds:
            if c.kind != "credential":
                pending.append(
                    _drop_empty({"name": c.name, "kind": c.kind, "status": c.status, "expected": c.date})
                )
                continue
            entry = {"name": c.name, "date": _iso(c.date), "issuer": c.issuer, "url": _http_url(c.url)}
            if c.status == "earned":
                certificates.append(_drop_empty(entry))
            else:
                pending.append(_drop_empty({**entry, "status": c.status, "date": None, "expected": c.date}))
    for cert in certificates:
        cert.pop("status", None)
    skills = [{"name": s} for s in profile.skills]
    basics = _drop_empty(
        {
            "name": profile.name,
            "label": profile.current_role,
            "summary": drafts.linkedin.about if drafts is not None else None,
        }
    )
    meta: dict[str, Any] = {"version": "v1.0.0"}
    coach_meta = _drop_empty(
        {
            "inProgressAndPlanned": pending,
            "resumeBullets": [b.text for b in drafts.resume_bullets] if drafts is not None else [],
            "note": "Credentials in progress or planned are listed here, not under certificates.",
        }
    )
    if pending or coach_meta.get("resumeBullets"):
        meta["pathwayCoach"] = coach_meta
    return _drop_empty(
        {
            "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
            "basics": basics,
            "work": work,
            "volunteer": volunteer,
            "projects": projects,
            "skills": skills,
            "certificates": certificates,
            "meta": meta,
        }
    )


# --------------------------------------------------------------------------------------------------------------
# Open Badges 3.0
# --------------------------------------------------------------------------------------------------------------


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '|'.join(parts))}"


def _timestamp(value: str | None) -> str | None:
    """'2026-05' → '2026-05-01T00:00:00Z' (the first day of the stated month)."""
    if not value:
        return None
    match = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?", value)
    if not match:
        return None
    return f"{match.group(1)}-{match.group(2)}-{match.group(3) or '01'}T00:00:00Z"


def to_open_badges(
    profile: Profile,
    drafts: Drafts | None = None,
    *,
    catalog: Catalog | None = None,
    issuer_id: str | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """One self-asserted OpenBadgeCredential per earned credential (none for in-progress or planned ones).

    `issuer_id` is the learner's identifier (a did:key when the badges will be signed); without one a stable
    urn:uuid derived from the learner's name is used.
    """
    today = today or date.today()
    creds = drafts.credentials if drafts is not None else presented_credentials(profile, None, catalog, today)
    learner = profile.name or "The learner"
    issuer_id = issuer_id or _urn("learner", profile.name)
    issued_at = datetime(today.year, today.month, today.day, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    bullets = {b.item: b for b in drafts.resume_bullets} if drafts is not None else {}
    badges = []
    for cred in creds:
        if cred.status != "earned" or cred.kind != "credential":
            continue
        badges.append(_badge(cred, learner, issuer_id, issued_at, catalog, bullets.get(cred.name)))
    return badges


def _badge(
    cred: PresentedCredential,
    learner: str,
    issuer_id: str,
    issued_at: str,
    catalog: Catalog | None,
    bullet: Any,
) -> dict[str, Any]:
    entry = catalog.find_credential(cred.catalog_id or cred.name) if catalog is not None else None
    provider = cred.issuer or (entry.provider if entry else None)
    by = provider or "the awarding body"
    caveat = (
        f"Self-asserted: {learner} created this record about their own credential. It was not issued, signed "
        f"or verified by {by}; check the credential with {by} before relying on it."
    )
    kind = (entry.type.replace("_", " ") if entry else "credential").replace(
        "professional certificate", "certificate"
    )
    # The catalogue's own notes (prerequisites, renewal) are not a description of the achievement: keep it plain.
    description = f"{cred.name}, a {kind}" + (f" from {provider}" if provider else "") + f". {caveat}"
    criteria: dict[str, Any] = {
        "narrative": (
            f"Awarded by {by} to candidates who meet its requirements."
            + (f" Exam code(s): {entry.exam_code.replace(';', ', ')}." if entry and entry.exam_code else "")
        )
    }
    if _http_url(cred.url):
        criteria["id"] = cred.url
    alignment = []
    uris = cred.skill_uris or (entry.skills if entry else [])
    for uri in uris[:12]:
        if not uri.startswith(ESCO_SKILL_PREFIX):
            continue
        label = catalog.skill_label(uri) if catalog is not None else None
        alignment.append(
            {
                "type": ["Alignment"],
                "targetName": label if label and label != uri else uri.rsplit("/", 1)[-1],
                "targetUrl": uri,
                "targetFramework": "ESCO",
                "targetType": "ceasn:Competency",
                "targetCode": uri.rsplit("/", 1)[-1],
            }
        )
    achievement: dict[str, Any] = {
        "id": _urn("achievement", cred.catalog_id or cred.name),
        "type": ["Achievement"],
        "name": cred.name,
        "description": description,
        "criteria": criteria,
        "achievementType": _ACHIEVEMENT_TYPES.get(entry.type, "Achievement") if entry else "Achievement",
    }
    if provider:
        achievement["creator"] = {"id": _urn("provider", provider), "type": ["Profile"], "name": provider}
    if alignment:
        achievement["alignment"] = alignment
    narrative = caveat
    if bullet is not None and bullet.evidence:
        narrative += f" The learner's own evidence: {bullet.evidence} ({bullet.evidence_from})."
    badge: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": _urn("badge", learner, cred.catalog_id or cred.name, cred.date or ""),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{cred.name} (self-asserted)",
        "description": caveat,
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": learner,
            "description": "The learner, asserting their own achievement (self-asserted).",
        },
        "validFrom": issued_at,
        "credentialSubject": {
            "id": issuer_id,
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
        "evidence": [{"type": ["Evidence"], "name": "Learner's statement", "narrative": narrative}],
        "credentialSchema": [{"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    awarded = _timestamp(cred.date)
    if awarded:
        badge["awardedDate"] = awarded
    return badge


# ---- signing: Ed25519, did:key, VC-JWT ----------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_MULTICODEC = b"\xed\x01"


def _b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = _B58[rem] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def _b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        idx = _B58.find(ch)
        if idx < 0:
            raise BadInput(f"not base58: {ch!r}")
        n = n * 58 + idx
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def generate_key() -> Ed25519PrivateKey:
    """A new Ed25519 signing key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def did_key(public_key: Ed25519PublicKey) -> str:
    """The did:key identifier of an Ed25519 public key (multicodec 0xed01, base58btc, 'z' prefix)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "did:key:z" + _b58encode(_ED25519_MULTICODEC + raw)


def public_key_from_did(did: str) -> Ed25519PublicKey:
    """The Ed25519 public key a did:key names (raises BadInput for anything else)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    did = did.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        raise BadInput(f"not an Ed25519 did:key: {did}")
    data = _b58decode(did[len("did:key:z") :])
    if not data.startswith(_ED25519_MULTICODEC) or len(data) != 34:
        raise BadInput(f"not an Ed25519 did:key: {did}")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The learner's signing key at `path` (PEM, PKCS#8), created with owner-only permissions if missing."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise BadInput(f"{path} is not an Ed25519 private key")
        return key
    key = generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return key


def sign_open_badge(credential: dict[str, Any], private_key: Ed25519PrivateKey) -> str:
    """Secure a badge as a VC-JWT: a compact JWS (EdDSA) whose payload is the credential itself.

    The credential's issuer id must be the key's did:key, so a verifier can resolve the key from the issuer.
    """
    import jwt

    did = did_key(private_key.public_key())
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != did:
        raise CoachError("the badge's issuer id must be the signing key's did:key")
    headers = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": f"{did}#{did[len('did:key:') :]}"}
    return jwt.encode(credential, private_key, algorithm="EdDSA", headers=headers)


def verify_open_badge_jwt(token: str) -> dict[str, Any]:
    """Check a VC-JWT badge's signature against its issuer's did:key and return the credential."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise BadInput(f"not a compact JWS: {exc}") from exc
    if header.get("alg") != "EdDSA":
        raise BadInput(f"unsupported algorithm: {header.get('alg')}")
    kid = str(header.get("kid", ""))
    key = public_key_from_did(kid)
    try:
        payload = jwt.decode(token, key, algorithms=["EdDSA"], options={"verify_aud": False})
    except jwt.PyJWTError as exc:
        raise BadInput(f"badge signature does not verify: {exc}") from exc
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != kid.split("#", 1)[0]:
        raise BadInput("badge issuer does not match the signing key")
    return payload


# ---- schema validation -------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _validator(name: str, schemas_dir: str) -> Any:
    import jsonschema

    path = Path(schemas_dir) / name
    if not path.exists():
        raise CoachError(f"schema missing: {path}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(name: str, document: Any, schemas_dir: Path) -> list[str]:
    validator = _validator(name, str(schemas_dir))
    out = []
    for err in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message}")
    return out


def validate_json_resume(document: Any, schemas_dir: Path) -> list[str]:
    """Problems with a JSON Resume document against the official schema; [] when valid."""
    return _errors(JSON_RESUME_SCHEMA, document, schemas_dir)


def validate_open_badge(document: Any, schemas_dir: Path) -> list[str]:
    """Problems with an OpenBadgeCredential against 1EdTech's OB 3.0 JSON schema; [] when valid."""
    return _errors(OPEN_BADGE_SCHEMA, document, schemas_dir)


# --------------------------------------------------------------------------------------------------------------
# Markdown and DOCX
# --------------------------------------------------------------------------------------------------------------

_STATUS_LABEL = {"earned": "Earned", "in_progress": "In progress", "planned": "Planned"}


def _status_phrase(status: str, date_label: str) -> str:
    """'Earned May 2026', 'In progress, expected December 2026', 'Planned, expected March 2027'."""
    if status == "earned":
        return date_label[:1].upper() + date_label[1:] if date_label else "Earned"
    return _STATUS_LABEL[status] + (f", {date_label}" if date_label else "")


def _sections(drafts: Drafts) -> list[tuple[str, list[str], str]]:
    """(heading, lines, style) for each part of the drafts: the shared layout of Markdown and DOCX."""
    parts: list[tuple[str, list[str], str]] = []
    parts.append(
        (
            "Credentials",
            [
                f"{c.name}{' (' + c.issuer + ')' if c.issuer else ''}: "
                + (_status_phrase(c.status, c.date_label))
                for c in drafts.credentials
            ],
            "list",
        )
    )
    parts.append(("Resume bullets", [b.text for b in drafts.resume_bullets], "list"))
    certs = []
    for e in drafts.linkedin.certifications:
        bits = [e.name]
        if e.issuing_organization:
            bits.append(f"issuer: {e.issuing_organization}")
        if e.issue_date:
            bits.append(f"issued: {e.issue_date}")
        if e.credential_id:
            bits.append(f"credential id: {e.credential_id}")
        if e.credential_url:
            bits.append(e.credential_url)
        if e.note:
            bits.append(e.note)
        certs.append(" · ".join(bits))
    parts.append(("LinkedIn headline", [drafts.linkedin.headline], "para"))
    parts.append(("LinkedIn About", [drafts.linkedin.about], "para"))
    parts.append(("LinkedIn: Licenses & certifications", certs, "list"))
    if drafts.cover_letter:
        title = (
            f"Cover letter paragraph ({drafts.cover_letter_for})"
            if drafts.cover_letter_for
            else "Cover letter paragraph"
        )
        parts.append((title, [drafts.cover_letter], "para"))
    star = []
    for p in drafts.talking_points:
        star.append(f"{p.experience} | S: {p.situation} | T: {p.task} | A: {p.action} | R: {p.result}")
    parts.append(("Interview talking points (STAR)", star, "star"))
    parts.append(("30-second pitch", [drafts.pitch], "para"))
    if drafts.notices:
        parts.append(("Notices", drafts.notices, "list"))
    return [p for p in parts if any(line.strip() for line in p[1])]


def to_markdown(drafts: Drafts) -> str:
    """The drafts as a Markdown document for the learner to copy from."""
    lines = [f"# Drafts for {drafts.learner or 'the learner'}", ""]
    if drafts.target:
        lines += [
            f"Target: {drafts.target}. Dates marked 'expected' are computed from the plan as of {drafts.today}.",
            "",
        ]
    for heading, items, style in _sections(drafts):
        lines += [f"## {heading}", ""]
        if style == "star":
            for p in drafts.talking_points:
                lines += [
                    f"**{p.experience}**",
                    "",
                    f"- **Situation:** {p.situation}",
                    f"- **Task:** {p.task}",
                    f"- **Action:** {p.action}",
                    f"- **Result:** {p.result}",
                    "",
                ]
        elif style == "list":
            lines += [f"- {item}" for item in items] + [""]
        else:
            lines += [*items, ""]
    return "\n".join(lines).rstrip() + "\n"


def to_docx(drafts: Drafts, path: Path | str) -> Path:
    """The drafts as a Word document at `path`."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = f"Drafts for {drafts.learner or 'the learner'}"
    doc.add_heading(f"Drafts for {drafts.learner or 'the learner'}", level=1)
    if drafts.target:
        doc.add_paragraph(f"Target: {drafts.target}. Expected dates computed as of {drafts.today}.")
    for heading, items, style in _sections(drafts):
        doc.add_heading(heading, level=2)
        if style == "star":
            for p in drafts.talking_points:
                doc.add_paragraph(p.experience).runs[0].bold = True
                for label, text in (
                    ("Situation", p.situation),
                    ("Task", p.task),
                    ("Action", p.action),
                    ("Result", p.result),
                ):
                    para = doc.add_paragraph(style="List Bullet")
                    para.add_run(f"{label}: ").bold = True
                    para.add_run(text)
        elif style == "list":
            for item in items:
                doc.add_paragraph(item, style="List Bullet")
        else:
            for item in items:
                doc.add_paragraph(item)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def badge_bundle(
    profile: Profile,
    drafts: Drafts | None,
    *,
    catalog: Catalog | None = None,
    key: Ed25519PrivateKey | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The `open-badges` export: every earned credential as a badge, plus VC-JWTs when a key is given."""
    issuer_id = did_key(key.public_key()) if key is not None else None
    badges = to_open_badges(profile, drafts, catalog=catalog, issuer_id=issuer_id, today=today)
    bundle: dict[str, Any] = {
        "self_asserted": True,
        "note": "Made by the learner about their own credentials; not issued or verified by the providers.",
        "issuer": issuer_id or (badges[0]["issuer"]["id"] if badges else None),
        "credentials": badges,
    }
    if key is not None:
        bundle["vc_jwt"] = [sign_open_badge(b, key) for b in badges]
    return bundle


def b64url_json(segment: str) -> dict[str, Any]:
    """Decode one base64url JWT segment to JSON (for display and tests)."""
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))
