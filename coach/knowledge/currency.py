"""Catalogue prices in the learner's currency: every catalogue price is in US dollars, a budget may be in euros.

The rates are one central bank's published fixing (`knowledge_base/currency/rates.json`, with its source and
date). They are old, so a converted price is an estimate and the planner says so, naming the source and date;
a currency the table lacks is not converted (the plan stays in US dollars and says why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_RATES = Path(__file__).resolve().parents[2] / "knowledge_base" / "currency" / "rates.json"


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
        """The sentence a plan states when its US-dollar prices were converted."""
        return (
            f"Catalogue prices are in US dollars; shown in {to_currency} at the {self.source} ({self.as_of}), "
            "an old rate, so treat them as estimates."
        )


@lru_cache(maxsize=4)
def load_rates(path: Path) -> Rates:
    """The rate table in `path` (a JSON file as in knowledge_base/currency/rates.json)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    per_unit = {code: float(r["rate"]) / float(r.get("amount") or 1) for code, r in data["rates"].items()}
    return Rates(per_unit, data["source"], data["source_url"], data["as_of"])
