"""Bring-your-own catalogues: credentials and rules from a folder of CSV, JSON or CTDL JSON-LD files.

Every row is validated on its own (one readable error per bad row, with its file and line or item); good rows
load even when others are bad. The format is documented in knowledge_base/README.md.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, get_args

from coach.errors import CatalogError
from coach.knowledge.ctdl import ctdl_rows
from coach.knowledge.sources.common import ESCO_SKILL_PREFIX
from coach.knowledge.sources.rules import parse_any_of, parse_experience_years
from coach.models import Credential, CredentialType, Level, Rule, RuleType, Source, SourceKind

CREDENTIAL_TYPES = set(get_args(CredentialType))
LEVEL_VALUES = set(get_args(Level))
RULE_TYPES = set(get_args(RuleType))
SOURCE_KINDS = set(get_args(SourceKind))
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}
# The key of the stand-in row for a JSON item that is not an object (the row parser reports it).
_NOT_OBJECT = "\x00not-an-object"


class RowError(ValueError):
    """One problem with one row of a user catalogue."""


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value).strip()


def _number(row: dict[str, Any], key: str) -> float | None:
    raw = _text(row, key)
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "")) if isinstance(row.get(key), str) else float(row[key])
    except (TypeError, ValueError):
        raise RowError(f"{key} must be a number ≥ 0, got {raw!r}") from None
    if value < 0 or value != value:
        raise RowError(f"{key} must be a number ≥ 0, got {raw!r}")
    return value


def _url(row: dict[str, Any], key: str) -> str | None:
    raw = _text(row, key)
    if raw and not re.match(r"^https?://\S+$", raw):
        raise RowError(f"{key} must be an http(s) URL, got {raw!r}")
    return raw or None


def _list(row: dict[str, Any], key: str) -> list[str]:
    value = row.get(key)
    items = value if isinstance(value, list) else _text(row, key).split(";")
    return [str(v).strip() for v in items if str(v).strip()]


def _check_object(row: dict[str, Any]) -> None:
    if _NOT_OBJECT in row:
        raise RowError(f"expected an object, got {type(row[_NOT_OBJECT]).__name__}")


def parse_user_credential(row: dict[str, Any], source_name: str) -> Credential:
    """One row of a user credentials file → Credential (raises RowError with a readable message)."""
    _check_object(row)
    cid = _text(row, "id")
    if not cid:
        raise RowError("id is required")
    if not _ID.match(cid):
        raise RowError(f"id must be letters, digits, '-', '_', '.' or ':' without spaces, got {cid!r}")
    for key in ("name", "provider", "type", "as_of"):
        if not _text(row, key):
            raise RowError(f"{key} is required")
    ctype = _text(row, "type").lower()
    if ctype not in CREDENTIAL_TYPES:
        raise RowError(
            f"type must be one of {', '.join(sorted(CREDENTIAL_TYPES))}, got {_text(row, 'type')!r}"
        )
    level = _text(row, "level").lower() or None
    if level is not None and level not in LEVEL_VALUES:
        raise RowError(f"level must be one of {', '.join(sorted(LEVEL_VALUES))}, got {_text(row, 'level')!r}")
    lo, hi = _number(row, "hours_min"), _number(row, "hours_max")
    if lo is not None and hi is not None and lo > hi:
        raise RowError(f"hours_min ({lo:g}) is larger than hours_max ({hi:g})")
    cost = _number(row, "cost")
    currency = _text(row, "currency").upper() or None
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise RowError(f"currency must be a three-letter code such as USD, got {_text(row, 'currency')!r}")
    if cost is not None and currency is None:
        raise RowError("currency is required when cost is given")
    as_of = _text(row, "as_of")
    if not _DATE.match(as_of):
        raise RowError(f"as_of must be a date YYYY, YYYY-MM or YYYY-MM-DD, got {as_of!r}")
    url, source_url = _url(row, "url"), _url(row, "source_url")
    micro_raw = _text(row, "is_microcredential").lower()
    if micro_raw not in _TRUE | _FALSE:
        raise RowError(f"is_microcredential must be true or false, got {_text(row, 'is_microcredential')!r}")
    skills = _list(row, "skills")
    kind = _text(row, "source_kind").lower() or None
    if kind is not None and kind not in SOURCE_KINDS:
        raise RowError(f"source_kind must be one of {', '.join(sorted(SOURCE_KINDS))}, got {kind!r}")
    return Credential(
        id=cid,
        name=_text(row, "name"),
        provider=_text(row, "provider"),
        type=ctype,  # type: ignore[arg-type]
        level=level,  # type: ignore[arg-type]
        hours_min=lo,
        hours_max=hi,
        cost=cost,
        currency=currency,
        format=_text(row, "format") or None,
        url=url,
        exam_code=_text(row, "exam_code") or None,
        description=_text(row, "description"),
        skills=[s for s in skills if s.startswith(ESCO_SKILL_PREFIX)],
        skill_tags=[s for s in skills if not s.startswith(ESCO_SKILL_PREFIX)],
        is_microcredential=(micro_raw in _TRUE) if micro_raw else ctype not in ("degree", "program"),
        sources=[Source(name=source_name, url=source_url or url, as_of=as_of, source_kind=kind)],  # type: ignore[arg-type]
    )


def parse_user_rule(row: dict[str, Any]) -> Rule:
    """One row of a user rules file → Rule (raises RowError with a readable message)."""
    _check_object(row)
    rid = _text(row, "id")
    if not rid:
        raise RowError("id is required")
    rtype = _text(row, "type") or _text(row, "rule_type")
    if rtype not in RULE_TYPES:
        raise RowError(f"type must be one of {', '.join(sorted(RULE_TYPES))}, got {rtype!r}")
    subject = _text(row, "subject")
    if not subject:
        raise RowError("subject is required")
    objects = _list(row, "objects")
    condition = _text(row, "condition")
    any_raw = _text(row, "any_of").lower()
    if any_raw not in _TRUE | _FALSE:
        raise RowError(f"any_of must be true or false, got {_text(row, 'any_of')!r}")
    years = _number(row, "experience_years")
    if rtype == "experience_required" and years is None:
        years = parse_experience_years(condition)
    as_of = _text(row, "as_of")
    if as_of and not _DATE.match(as_of):
        raise RowError(f"as_of must be a date YYYY, YYYY-MM or YYYY-MM-DD, got {as_of!r}")
    return Rule(
        id=rid,
        type=rtype,  # type: ignore[arg-type]
        subject=subject,
        objects=objects,
        any_of=(any_raw in _TRUE) if any_raw else (len(objects) > 1 and parse_any_of(condition)),
        condition=condition,
        experience_years=years,
        source_url=_url(row, "source_url"),
        quote=_text(row, "quote") or None,
        as_of=as_of or None,
    )


def _user_rows(folder: Path, stem: str, errors: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """(where, row) pairs from `stem`.csv or `stem`.json; `where` is 'file line N' / 'file item N'."""
    csv_path, json_path = folder / f"{stem}.csv", folder / f"{stem}.json"
    rows: list[tuple[str, dict[str, Any]]] = []
    if csv_path.exists():
        try:
            with open(csv_path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
                    errors.append(
                        f"{csv_path.name} line 1: the header must name the columns and include 'id'"
                    )
                    return rows
                start = 2
                for row in reader:
                    clean = {(k or "").strip(): v for k, v in row.items() if k is not None}
                    if None in row:
                        errors.append(f"{csv_path.name} line {start}: more cells than header columns")
                    elif any((v or "").strip() for v in clean.values()):
                        rows.append((f"{csv_path.name} line {start}", clean))
                    start = reader.line_num + 1
        except (UnicodeDecodeError, csv.Error) as exc:
            errors.append(f"{csv_path.name}: not a readable UTF-8 CSV file ({exc})")
    if json_path.exists():
        try:
            data = json.loads(json_path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors.append(f"{json_path.name}: not valid JSON ({exc})")
            return rows
        items = data.get(stem) if isinstance(data, dict) else data
        if not isinstance(items, list):
            errors.append(f'{json_path.name}: expected a list of objects (or {{"{stem}": [...]}})')
            return rows
        for n, item in enumerate(items, start=1):
            # A non-object item is reported in file order, with the rows, by the row parser.
            rows.append(
                (f"{json_path.name} item {n}", item if isinstance(item, dict) else {_NOT_OBJECT: item})
            )
    return rows


def load_user_catalog(
    folder: Path | str, known_ids: set[str] | None = None, skill_uris: Collection[str] | None = None
) -> tuple[list[Credential], list[Rule], list[str]]:
    """Credentials and rules from a bring-your-own catalogue folder, with one error per bad row.

    Reads credentials.csv / credentials.json and rules.csv / rules.json (format in knowledge_base/README.md), and
    CTDL JSON-LD in credentials.jsonld (credentials, with requires / recommends conditions as rules).
    Good rows load even when others are bad. Raises CatalogError (listing every problem) only when the folder
    holds no such file or nothing valid loads. `known_ids` are credential ids rules may refer to (besides the
    folder's own); `skill_uris` the ESCO skill URIs a credential may name. Without them they are not checked.
    """

    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogError(f"catalogue folder not found: {folder}")
    names = [*(f"{s}.{e}" for s in ("credentials", "rules") for e in ("csv", "json")), "credentials.jsonld"]
    if not any((folder / n).exists() for n in names):
        raise CatalogError(f"catalogue folder {folder} has none of {', '.join(names)}")
    errors: list[str] = []
    source_name = f"user catalogue: {folder.name}"
    creds: list[Credential] = []
    seen: dict[str, str] = {}
    ld_path = folder / "credentials.jsonld"
    ld_creds, ld_rules = ctdl_rows(ld_path, errors) if ld_path.exists() else ([], [])
    for where, row in [*_user_rows(folder, "credentials", errors), *ld_creds]:
        try:
            cred = parse_user_credential(row, source_name)
        except (RowError, ValueError) as exc:
            errors.append(f"{where}: {exc}")
            continue
        bad = [u for u in cred.skills if skill_uris is not None and u not in skill_uris]
        if bad:
            errors.append(f"{where}: unknown ESCO skill URI {bad[0]!r}")
            continue
        if cred.id in seen:
            errors.append(f"{where}: duplicate id {cred.id!r} (first at {seen[cred.id]})")
            continue
        seen[cred.id] = where
        creds.append(cred)
    ids = set(seen) | (known_ids or set())
    rules: list[Rule] = []
    rule_ids: set[str] = set()
    for where, row in [*_user_rows(folder, "rules", errors), *ld_rules]:
        try:
            rule = parse_user_rule(row)
        except (RowError, ValueError) as exc:
            errors.append(f"{where}: {exc}")
            continue
        unknown = [c for c in (rule.subject, *rule.objects) if known_ids is not None and c not in ids]
        if unknown:
            errors.append(f"{where}: unknown credential id {unknown[0]!r}")
            continue
        if rule.id in rule_ids:
            errors.append(f"{where}: duplicate id {rule.id!r}")
            continue
        rule_ids.add(rule.id)
        rules.append(rule)
    if not creds and not rules:
        raise CatalogError(
            f"nothing valid in catalogue {folder}: "
            + ("; ".join(errors) if errors else "the files are empty")
        )
    return creds, rules, errors
