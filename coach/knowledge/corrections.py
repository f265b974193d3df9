"""Corrections and aliases over the built-in sources (knowledge_base/curated/corrections.csv, aliases.csv).

The source files stay byte-identical to their published copies; a fact found wrong, stale or resting on a weak
page is corrected here, each correction with the page it rests on. Actions:

- `set` a field to a value (the value's page becomes a source of the record),
- `clear` a field no acceptable page states (it stays empty rather than guessed),
- `drop_source` a page that must not be relied on (exam-dump, AI-written or spam sites),
- `add_source` a page that states the record's facts,
- `drop_record` an entry that is not a credential (a chart's note), with the reason in `note`.

A rule whose source is cleared is withdrawn: the product never applies a rule it cannot cite.

`rejected_sources.csv` (columns `domain,reason`) lists the sites judged unacceptable (exam-dump vendors,
AI-written or content-farm pages, spam); a domain covers its subdomains. After the corrections, every source on
a rejected site is dropped from every credential and every rule citing one is withdrawn, so a page added later
by a source dataset cannot slip back in. Dropping a page does not remove the facts a dataset row took from it:
those need their own `set` or `clear` rows, and a correction whose value rests on a rejected page (a `set` not
overridden by a later `set` or `clear` of the same field) is an error.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.errors import CatalogError
from coach.knowledge.sources.common import domain, read_csv
from coach.models import Credential, Rule, Source

CREDENTIAL_FIELDS = {
    "cost",
    "cost_note",
    "exam_code",
    "name",
    "url",
    "prerequisites",
    "renewal",
    "validity_years",
    "hours_min",
    "hours_max",
    "member_cost",
    "type",
    "provider",
}
NUMBER_FIELDS = {"cost", "validity_years", "hours_min", "hours_max", "member_cost"}
RULE_FIELDS = {"condition", "quote", "source_url", "experience_years_with_degree"}
ACTIONS = {"set", "clear", "drop_source", "add_source", "drop_record"}
SOURCE_KINDS = {"provider", "regulator", "register", "third_party", "dataset"}
REJECTED_SOURCES = "rejected_sources.csv"


@dataclass
class CorrectionReport:
    """What the corrections changed: counts per action, the rules withdrawn for want of a source, and how many
    pages on rejected sites were dropped from credentials."""

    applied: dict[str, int] = field(default_factory=dict)
    withdrawn_rules: list[str] = field(default_factory=list)
    rejected_dropped: int = 0


def load_rejected_domains(curated_dir: Path) -> dict[str, str]:
    """The sites judged unacceptable as sources (`rejected_sources.csv`): domain → reason; {} when absent."""
    path = curated_dir / REJECTED_SOURCES
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for line, row in enumerate(read_csv(path), start=2):
        name = (row.get("domain") or "").strip().lower()
        reason = (row.get("reason") or "").strip()
        # A bare host: a scheme or path would never match `domain()` and silently reject nothing.
        if not name or "/" in name or ":" in name or name.startswith("www."):
            raise CatalogError(f"{path.name} line {line}: domain must be a bare host name, got {name!r}")
        if not reason:
            raise CatalogError(f"{path.name} line {line}: {name} needs the reason it was rejected")
        out[name] = reason
    return out


def is_rejected(url: str | None, rejected: Collection[str]) -> bool:
    """Whether `url` is on a rejected site: its host is a rejected domain or a subdomain of one."""
    host = domain(url or "")
    return bool(host) and any(host == d or host.endswith("." + d) for d in rejected)


def _source(row: dict[str, str]) -> Source:
    kind = row.get("source_kind", "").strip() or None
    return Source(
        name=f"corrections: {domain(row['source_url'])}",
        url=row["source_url"].strip(),
        as_of=row.get("as_of", "").strip() or "n.d.",
        source_kind=kind,  # type: ignore[arg-type]
        title=row.get("source_title", "").strip() or None,
    )


def _check(row: dict[str, str], line: int, path: Path) -> None:
    where = f"{path.name} line {line}"
    if row["record_kind"] not in ("credential", "rule"):
        raise CatalogError(f"{where}: record_kind must be credential or rule, got {row['record_kind']!r}")
    if row["action"] not in ACTIONS:
        raise CatalogError(
            f"{where}: action must be one of {', '.join(sorted(ACTIONS))}, got {row['action']!r}"
        )
    allowed = CREDENTIAL_FIELDS if row["record_kind"] == "credential" else RULE_FIELDS
    if row["action"] in ("set", "clear") and row["field"] not in allowed:
        raise CatalogError(f"{where}: a {row['record_kind']} has no correctable field {row['field']!r}")
    if row["action"] in ("drop_source", "add_source") and not row["source_url"]:
        raise CatalogError(f"{where}: {row['action']} needs a source_url")
    if row["action"] == "set" and not row["source_url"]:
        raise CatalogError(f"{where}: a value set by a correction needs the page it rests on (source_url)")
    kind = row.get("source_kind", "").strip()
    if kind and kind not in SOURCE_KINDS:
        raise CatalogError(
            f"{where}: source_kind must be one of {', '.join(sorted(SOURCE_KINDS))}, got {kind!r}"
        )


def _set_credential(cred: Credential, name: str, value: str | None, row: dict[str, str]) -> None:
    parsed: Any = value
    if value is not None and name in NUMBER_FIELDS:
        parsed = float(value.replace(",", ""))
    setattr(cred, name, parsed)
    if name == "cost":
        cred.currency = (row.get("currency") or "USD").strip().upper() if value is not None else None
        cred.cost_approximate = value is not None and row.get("approximate", "").strip().lower() == "yes"
    if name in ("prerequisites", "renewal"):
        cred.description = curated_description(cred.prerequisites, cred.renewal, cred.description)


def _drop_rejected(cred: Credential, rejected: Collection[str]) -> int:
    """Drop every page of `cred` on a rejected site (as `drop_source` would); returns how many were dropped."""
    urls = {s.url for s in cred.sources if s.url and is_rejected(s.url, rejected)}
    for url in urls:
        _drop_source(cred, url)
    return len(urls)


def _drop_source(cred: Credential, url: str) -> None:
    """Stop citing `url`: a page is removed; a dataset's entry that pointed at it stays, without the page."""
    kept = []
    for src in cred.sources:
        if src.url == url and ":" in src.name:
            continue  # a page of its own ("curated-credentials: examlabs.com")
        if src.url == url:
            src.url = None  # the dataset itself ("curated-credentials") remains the record's source
        kept.append(src)
    cred.sources = kept


def curated_description(prerequisites: str | None, renewal: str | None, old: str = "") -> str:
    """The description a curated record shows: its prerequisites and renewal as stated (other text kept)."""
    kept = old.split("Prerequisites (as stated):")[0].split("Renewal:")[0].strip()
    parts = [kept] if kept else []
    if prerequisites:
        parts.append(f"Prerequisites (as stated): {prerequisites}")
    if renewal:
        parts.append(f"Renewal: {renewal}")
    return " ".join(parts)


def apply_corrections(
    credentials: dict[str, Credential], rules: list[Rule], curated_dir: Path
) -> tuple[list[Rule], CorrectionReport]:
    """Apply corrections.csv and aliases.csv (when present) in place; returns the rules still citable."""
    report = CorrectionReport()
    path = curated_dir / "corrections.csv"
    by_rule = {r.id: r for r in rules}
    withdrawn: set[str] = set()
    rejected = load_rejected_domains(curated_dir)
    # The page each corrected field's current value rests on (None once cleared): a value must not rest on a
    # rejected site, so a `set` from one has to be overridden by a later row (see the module docstring).
    value_page: dict[tuple[str, str, str], tuple[str | None, int]] = {}
    if path.exists():
        for line, row in enumerate(read_csv(path), start=2):
            row = {k: (v or "").strip() for k, v in row.items() if k is not None}
            _check(row, line, path)
            action, name = row["action"], row["field"]
            if action in ("set", "clear"):
                page = row["source_url"] if action == "set" else None
                value_page[(row["record_kind"], row["record_id"], name)] = (page, line)
            if row["record_kind"] == "rule":
                rule = by_rule.get(row["record_id"])
                if rule is None:
                    continue  # the rule left the source: nothing to correct
                if action == "clear" and name == "source_url":
                    withdrawn.add(rule.id)
                elif action in ("set", "clear"):
                    value = row["value"] if action == "set" else None
                    if name == "experience_years_with_degree":
                        rule.experience_years_with_degree = float(value) if value else None
                    else:
                        setattr(rule, name, value if name != "condition" else value or "")
                    if name == "source_url" and value:
                        rule.as_of = row.get("as_of") or "n.d."
            else:
                cred = credentials.get(row["record_id"])
                if cred is None:
                    raise CatalogError(
                        f"{path.name} line {line}: no credential {row['record_id']!r} to correct"
                    )
                if action == "drop_record":
                    del credentials[cred.id]
                elif action == "drop_source":
                    _drop_source(cred, row["source_url"])
                elif action in ("set", "clear"):
                    _set_credential(cred, name, row["value"] if action == "set" else None, row)
                cited = {s.url for s in cred.sources}
                if action in ("set", "add_source") and row["source_url"] and row["source_url"] not in cited:
                    cred.sources.append(_source(row))
            report.applied[action] = report.applied.get(action, 0) + 1
    aliases = curated_dir / "aliases.csv"
    if aliases.exists():
        for row in read_csv(aliases):
            cred = credentials.get(row["credential_id"].strip())
            alias = row["alias"].strip()
            if cred is not None and alias and alias not in cred.aliases:
                cred.aliases.append(alias)
    for (kind, record, name), (page, line) in value_page.items():
        if page and is_rejected(page, rejected):
            raise CatalogError(
                f"{path.name} line {line}: the {name} of {kind} {record} rests on a rejected site ({domain(page)});"
                " set it from another page or clear it in a later row"
            )
    # Rejected sites are dropped everywhere, not only where a row names the page: the source datasets cite
    # them too, and a rule whose only page is rejected has nothing left to cite.
    for cred in credentials.values():
        report.rejected_dropped += _drop_rejected(cred, rejected)
    withdrawn |= {r.id for r in rules if r.id not in withdrawn and is_rejected(r.source_url, rejected)}
    report.withdrawn_rules = sorted(withdrawn)
    return [r for r in rules if r.id not in withdrawn], report
