"""What it costs to earn a credential, beyond the catalogue's single price: sourced price facts per credential
(a total, or several exams at a price each) and per learning platform (a monthly subscription, free audit),
read from `knowledge_base/pricing/pricing.json`.

The planner turns these into a cost per step (`coach.planner.costs`); a fact without a page is an error, and a
price nobody states stays unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.errors import CatalogError
from coach.models import Credential

PRICING_FILE = "pricing/pricing.json"


@dataclass(frozen=True)
class PriceFact:
    """A sourced price: a total, or `exams` × `price_per_exam`; `monthly_price` for a subscription."""

    url: str
    detail: str = ""
    title: str | None = None
    date: str | None = None
    official: bool = True
    currency: str = "USD"
    price: float | None = None
    exams: int | None = None
    price_per_exam: float | None = None
    monthly_price: float | None = None
    audit_free: bool = False
    approximate: bool = False

    @property
    def total(self) -> float | None:
        """The price to earn it when the fact states one (None for a subscription)."""
        if self.price is not None:
            return self.price
        if self.exams is not None and self.price_per_exam is not None:
            return self.exams * self.price_per_exam
        return None


@dataclass(frozen=True)
class PlatformPrice:
    """How a learning platform charges for the credentials it hosts (e.g. a monthly subscription)."""

    platform: str  # matches the catalogue source the credential came from, e.g. "coursera"
    fact: PriceFact
    applies_to: tuple[str, ...] = ()  # credential types; empty: all


@dataclass
class Pricing:
    """Every price fact of the knowledge base."""

    credentials: dict[str, PriceFact] = field(default_factory=dict)
    platforms: list[PlatformPrice] = field(default_factory=list)

    def platform_of(self, cred: Credential) -> PlatformPrice | None:
        """The platform pricing that applies to a credential hosted there (by its catalogue source)."""
        names = {s.name.split(":")[0].strip().lower() for s in cred.sources}
        for p in self.platforms:
            if any(n.startswith(p.platform) for n in names) and (
                not p.applies_to or cred.type in p.applies_to
            ):
                return p
        return None


def _fact(path: Path, where: str, raw: Mapping[str, Any]) -> PriceFact:
    if not raw.get("url"):
        raise CatalogError(f"{path}: {where}: a price fact without a source URL")

    def num(key: str) -> float | None:
        v = raw.get(key)
        if v is None:
            return None
        x = float(v)
        if not x >= 0:
            raise CatalogError(f"{path}: {where}: {key} must be zero or more")
        return x

    exams = raw.get("exams")
    return PriceFact(
        url=str(raw["url"]),
        detail=str(raw.get("detail") or ""),
        title=raw.get("title"),
        date=raw.get("date"),
        official=bool(raw.get("official", True)),
        currency=str(raw.get("currency") or "USD").upper(),
        price=num("price"),
        exams=int(exams) if exams is not None else None,
        price_per_exam=num("price_per_exam"),
        monthly_price=num("monthly_price"),
        audit_free=bool(raw.get("audit_free", False)),
        approximate=bool(raw.get("approximate", False)),
    )


def load_pricing(knowledge_dir: Path, credential_ids: Mapping[str, Any]) -> Pricing:
    """The knowledge base's price facts (none when it has no pricing file); only US-dollar facts are used, as
    every catalogue price is in US dollars."""
    path = knowledge_dir / PRICING_FILE
    if not path.exists():
        return Pricing()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pricing = Pricing()
        for cid, raw in (data.get("credentials") or {}).items():
            if cid not in credential_ids:
                raise CatalogError(f"{path}: a price for unknown credential {cid!r}")
            fact = _fact(path, cid, raw)
            if fact.currency == "USD":
                pricing.credentials[cid] = fact
        for raw in data.get("platforms") or []:
            fact = _fact(path, str(raw.get("platform")), raw)
            if fact.currency == "USD":
                pricing.platforms.append(
                    PlatformPrice(str(raw["platform"]).lower(), fact, tuple(raw.get("applies_to") or ()))
                )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{path}: not a pricing file ({exc})") from exc
    return pricing
