"""What a step costs the learner, as the knowledge base supports it: the catalogue price, or a sourced price
fact (several exams priced in full), a free-exam or holder-discount rule applied, a platform subscription
priced by the months the learner needs at their hours a week (flagged as an estimate), free audit when the
certificate cannot fit the budget, and "unknown" when nobody states a price.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from coach.knowledge.catalog import Catalog
from coach.models import Credential
from coach.planner.calendar import weeks_for
from coach.planner.text import _money

WEEKS_PER_MONTH = 52 / 12
_PERCENT_RE = re.compile(r"(\d{1,2})\s?%")
# A holder discount names who gets it ("holding any AWS certification gives a 50% discount voucher").
_HOLDER_RE = re.compile(r"\b(?:holding|holders?|hold)\b", re.I)
_FREE_EXAM_RE = re.compile(r"\bfree\b[^.;]{0,60}\bexam\b|\bexam\b[^.;]{0,20}\bfree\b", re.I)
_EXAM_COUNT_RE = re.compile(r"\b(both|two|three|four|2|3|4)\b[^.;]{0,40}?\bexams\b", re.I)
_COUNT_WORDS = {"both": 2, "two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}


@dataclass
class StepPrice:
    """A step's price in US dollars: `amount` None when unknown; `estimate` when derived by a stated rule."""

    amount: float | None
    estimate: bool = False
    note: str = ""
    audit_free: bool = False
    audit: bool = False  # planned as a free audit: the learning without the certificate
    url: str | None = None

    @property
    def known(self) -> bool:
        """True when the price is stated (or derived from stated prices)."""
        return self.amount is not None


def price_of(
    cred: Credential,
    catalog: Catalog,
    *,
    hours: float,
    hours_per_week: float,
    held: set[str],
    budget_usd: float | None,
) -> StepPrice:
    """The price of earning `cred` for this learner; `budget_usd` (the budget in US dollars) decides whether a
    certificate that can never fit is planned as a free audit instead."""
    fact = catalog.pricing.credentials.get(cred.id)
    platform = catalog.pricing.platform_of(cred)
    audit_free = bool(
        (fact and fact.audit_free)
        or (platform and platform.fact.audit_free)
        or "free to audit" in (cred.cost_note or "").lower()
    )
    price: StepPrice
    if fact is not None and fact.total is not None:
        note = (
            f"{fact.exams} exams at {_money(fact.price_per_exam or 0)} each."
            if fact.exams and fact.exams > 1 and fact.price_per_exam is not None
            else ""
        )
        price = StepPrice(fact.total, fact.approximate, note, audit_free, url=fact.url)
    elif fact is not None and fact.monthly_price is not None:
        price = _subscription(fact.monthly_price, hours, hours_per_week, audit_free, fact.url)
    elif cred.cost is not None:
        exams = _exam_count(cred, catalog)
        note = f"{exams} exams at {_money(cred.cost)} each." if exams > 1 else ""
        price = StepPrice(float(cred.cost) * exams, False, note, audit_free)
    elif platform is not None and platform.fact.monthly_price is not None:
        price = _subscription(
            platform.fact.monthly_price, hours, hours_per_week, audit_free, platform.fact.url
        )
    else:
        price = StepPrice(None, audit_free=audit_free)
    _apply_rules(price, cred, catalog, held)
    if budget_usd is not None and audit_free and (price.amount is None or price.amount > budget_usd + 1e-9):
        certificate = (
            f"the certificate costs {_money(price.amount)}"
            if price.amount
            else "the certificate's price is not published"
        )
        return StepPrice(
            0.0,
            False,
            f"Planned as a free audit (the course without the certificate): {certificate}, more than the budget.",
            audit_free=True,
            audit=True,
            url=price.url,
        )
    return price


def _subscription(
    monthly: float, hours: float, hours_per_week: float, audit_free: bool, url: str
) -> StepPrice:
    months = max(1, math.ceil(weeks_for(hours, hours_per_week) / WEEKS_PER_MONTH - 1e-9))
    return StepPrice(
        round(monthly * months, 2),
        True,
        f"Estimated: a subscription of {_money(monthly)} a month for about {months} month"
        f"{'s' if months != 1 else ''} at {hours_per_week:g} h a week.",
        audit_free,
        url=url,
    )


def _exam_count(cred: Credential, catalog: Catalog) -> int:
    """How many exams a price "per exam" stands for, when a rule about the credential says so (else 1)."""
    if "per exam" not in (cred.cost_note or "").lower():
        return 1
    for rule in catalog.rules_for(cred.id):
        m = _EXAM_COUNT_RE.search(rule.condition or "") if rule.subject == cred.id else None
        if m:
            return _COUNT_WORDS[m.group(1).lower()]
    return 1


def _apply_rules(price: StepPrice, cred: Credential, catalog: Catalog, held: set[str]) -> None:
    """Free-exam and holder-discount rules (`discount_or_voucher`) the learner qualifies for."""
    if price.amount is None and not any(r.type == "discount_or_voucher" for r in catalog.rules_for(cred.id)):
        return
    for rule in catalog.rules_for(cred.id):
        if rule.type != "discount_or_voucher":
            continue
        text = rule.condition or ""
        group = {rule.subject, *rule.objects}
        if _HOLDER_RE.search(text):
            m = _PERCENT_RE.search(text)
            holds = sorted(held & group - {cred.id})
            if m and holds and price.amount:
                pct = int(m.group(1))
                price.amount = round(price.amount * (1 - pct / 100), 2)
                price.note = (price.note + " " if price.note else "") + (
                    f"With the {pct}% discount for holders ({rule.id}): {text}"
                )
        elif rule.subject == cred.id and _FREE_EXAM_RE.search(text):
            price.amount, price.estimate = 0.0, False
            price.note = f"Free ({rule.id}): {text}"
