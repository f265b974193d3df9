"""Where a learner lives, read from the places they name, and the currency a bare "$" or amount means there.

A learner in Calgary who says "$1000" means Canadian dollars; one in Perth means Australian dollars; "40k" from
Nashik is rupees. The table holds countries, their people, and the regions and large cities people name when
they say where they are (lower case). It is deliberately small: a place that is not here leaves the currency to
the text (a symbol or code) or to the default (US dollars).
"""

from __future__ import annotations

import re

_PLACES: dict[str, tuple[str, ...]] = {
    "CAD": (
        "canada", "canadian", "ontario", "quebec", "québec", "alberta", "british columbia", "manitoba",
        "saskatchewan", "nova scotia", "new brunswick", "newfoundland", "toronto", "montreal", "montréal",
        "vancouver", "calgary", "edmonton", "ottawa", "winnipeg", "halifax", "victoria bc", "hamilton, on",
        "kitchener", "waterloo, on", "saskatoon", "regina", "gta", "cegep",
    ),
    "AUD": (
        "australia", "australian", "aussie", "sydney", "melbourne", "brisbane", "perth", "adelaide", "canberra",
        "hobart", "darwin", "gold coast", "queensland", "new south wales", "nsw", "tasmania", "tafe",
        "centrelink", "g'day",
    ),
    "NZD": ("new zealand", "auckland", "wellington", "christchurch", "kiwi"),
    "GBP": (
        "uk", "u.k.", "united kingdom", "britain", "british", "england", "scotland", "wales", "northern ireland",
        "london", "manchester", "birmingham", "leeds", "glasgow", "edinburgh", "liverpool", "bristol",
        "cardiff", "belfast", "sheffield", "newcastle", "nottingham", "leicester", "brighton", "nhs",
        "universal credit", "hmrc",
    ),
    "INR": (
        "india", "indian", "mumbai", "delhi", "new delhi", "bangalore", "bengaluru", "hyderabad", "chennai",
        "kolkata", "pune", "ahmedabad", "jaipur", "lucknow", "nashik", "nagpur", "indore", "kochi", "noida",
        "gurgaon", "gurugram", "chandigarh", "coimbatore", "kerala", "tamil nadu", "maharashtra", "karnataka",
        "rupees", "lakh", "lakhs", "iti", "b.tech", "btech", "bcom", "b.com", "b.pharm",
    ),
    "EUR": (
        "germany", "german", "france", "french", "spain", "spanish", "italy", "italian", "netherlands", "dutch",
        "belgium", "belgian", "ireland", "irish", "portugal", "portuguese", "austria", "austrian", "finland",
        "greece", "greek", "luxembourg", "slovakia", "slovenia", "estonia", "latvia", "lithuania", "croatia",
        "berlin", "munich", "münchen", "hamburg", "frankfurt", "cologne", "köln", "stuttgart", "düsseldorf",
        "paris", "lyon", "marseille", "toulouse", "lille", "madrid", "barcelona", "valencia", "seville",
        "sevilla", "bilbao", "rome", "milan", "milano", "naples", "turin", "florence", "bologna", "amsterdam",
        "rotterdam", "the hague", "utrecht", "eindhoven", "brussels", "antwerp", "ghent", "dublin", "cork",
        "lisbon", "porto", "vienna", "helsinki", "athens", "comune", "eurozone",
    ),
    "PLN": ("poland", "polish", "warsaw", "kraków", "krakow", "wrocław", "wroclaw", "gdańsk", "gdansk", "poznań",
            "poznan", "łódź", "lodz"),
    "CHF": ("switzerland", "swiss", "zurich", "zürich", "geneva", "basel", "bern", "lausanne"),
    "SEK": ("sweden", "swedish", "stockholm", "gothenburg", "malmö"),
    "NOK": ("norway", "norwegian", "oslo", "bergen"),
    "DKK": ("denmark", "danish", "copenhagen", "aarhus"),
    "ZAR": ("south africa", "johannesburg", "cape town", "durban", "pretoria"),
    "SGD": ("singapore",),
    "AED": ("dubai", "abu dhabi", "uae"),
    "NGN": ("nigeria", "nigerian", "lagos", "abuja"),
    "USD": ("usa", "u.s.", "united states", "america", "american", "texas", "california", "new york", "ohio",
            "florida", "chicago", "gi bill", "usajobs"),
}  # fmt: skip
_INDEX = {place: code for code, places in _PLACES.items() for place in places}
_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(p) for p in sorted(_INDEX, key=len, reverse=True)) + r")(?![\w])",
    re.I,
)


def local_currency(text: str) -> str | None:
    """The currency of the place the text names (the first one), or None when it names none we know."""
    for m in _RE.finditer(text):
        word = m.group(1).lower()
        # "uk"/"us" are ordinary words in other languages and "iti" must be upper case to be the Indian ITI.
        if word in ("iti", "uk", "gta") and not m.group(1).isupper():
            continue
        return _INDEX[word]
    return None
