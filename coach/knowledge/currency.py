"""Prices and budgets in different currencies: each price keeps its own currency, a budget may be in another.

The rates are one day's European Central Bank euro reference rates (`knowledge_base/currency/ecb_rates.json`,
with its source and date). A converted price is an estimate and the planner says so, naming the source and
date; a currency the table lacks is not converted (the plan says why, and the price counts as unknown).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_RATES = Path(__file__).resolve().parents[2] / "knowledge_base" / "currency" / "ecb_rates.json"


@dataclass(frozen=True)
class Rates:
    """A fixing: units of the base currency per unit of each currency, with where and when it was published."""

    per_unit: dict[str, float]
    source: str
    source_url: str
    as_of: str

    def factor(self, from_currency: str, to_currency: str) -> float | None:
        """How many `to_currency` one `from_currency` buys (None when either is not in the table)."""
        a, b = self.per_unit.get(from_currency.upper()), self.per_unit.get(to_currency.upper())
        if a is None or b is None:
            return None
        return a / b

    def note(self, to_currency: str) -> str:
        """The sentence a plan states when prices in other currencies were converted."""
        return (
            f"Prices not in {to_currency} are converted at the {self.source} ({self.as_of}), so treat them as "
            "estimates; each step still names its own price."
        )


@lru_cache(maxsize=4)
def load_rates(path: Path) -> Rates:
    """The rate table in `path`: units of each currency per one unit of `base` (`"quote": "per_base"`, as the ECB
    publishes), or units of `base` per `amount` units of each (as most central banks' fixings list them)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    base = str(data["base"]).upper()
    if data.get("quote") == "per_base":
        per_unit = {code.upper(): 1.0 / float(rate) for code, rate in data["rates"].items()}
    else:
        per_unit = {
            code.upper(): float(r["rate"]) / float(r.get("amount") or 1) for code, r in data["rates"].items()
        }
    per_unit[base] = 1.0
    return Rates(per_unit, data["source"], data["source_url"], data["as_of"])
