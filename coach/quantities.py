"""Quantities in people's text: numbers (in digits or words), money with its currency, and calendar dates.

One place for what the dialogue, the postings reader, the grounding check and the catalogue readers all need to
read: "1.200 €" (European grouping), "₹1,50,000" (Indian grouping), "5k", "two grand", "1 lakh", "twenty",
"one and a half", "3 and a half years", "by June", "end of Q1", "in 18 months".

Every finder returns spans (start, end) into the text it was given, so callers can show the evidence and can
look at the words around a quantity to decide what it means (a budget, a price or a salary; a deadline or years
of experience). The finders never guess a currency: an amount without a symbol, code or word has currency None.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

# ---- numbers ------------------------------------------------------------------------------------------------

UNITS = {
    "zero": 0, "nil": 0, "none": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "couple": 2, "dozen": 12, "half": 0.5,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "lakh": 100_000, "lakhs": 100_000,
          "lac": 100_000, "crore": 10_000_000, "million": 1_000_000, "mil": 1_000_000, "m": 1_000_000}  # fmt: skip
NUMBER_WORDS = {**UNITS, **TENS}

_WORD_ALT = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("a", "an")), key=len, reverse=True))
# A run of number words: "twenty", "two hundred", "one and a half", "a couple of", "half an".
_WORDS_RE = re.compile(
    rf"\b(?:(?:a|an)\s+)?(?:{_WORD_ALT})(?:[\s-]+(?:and\s+)?(?:a\s+)?(?:{_WORD_ALT}|hundred|thousand|grand|lakhs?))*\b",
    re.I,
)
# Digits with optional grouping: 1,200 / 1.200 / 1 500 / 1,50,000 / 2.5 / 1,5
_DIGITS_PATTERN = r"(?<![\w.,])(?:\d{{1,2}}(?:,\d{{2}})+,\d{{3}}|\d{{1,3}}(?:[,.{sep}]\d{{3}})+(?:[.,]\d{{1,2}})?|\d+(?:[.,]\d+)?)(?!\d)"
_DIGITS_RE = re.compile(_DIGITS_PATTERN.format(sep=""))
# Money may also be grouped with spaces ("1 500 EUR"); elsewhere "3 100" is two numbers.
_MONEY_DIGITS_RE = re.compile(_DIGITS_PATTERN.format(sep="\u202f\u00a0 "))
_SCALE_AFTER_RE = re.compile(r"\s?(k|K|grand|lakhs?|lac|crore|million|mil|m)\b|\s?(k|K)(?=\W|$)")


@dataclass(frozen=True)
class Number:
    """A number found in text, with its span."""

    value: float
    start: int
    end: int
    words: bool = False  # written in words ("twenty") rather than digits


def parse_digits(raw: str, money: bool = False) -> float | None:
    """The value of a digit string with the writer's grouping: "1.200" is 1200 for money, 1.2 otherwise."""
    s = raw.replace("\u202f", " ").replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,2}(?:,\d{2})+,\d{3}", s):  # Indian grouping 1,50,000
        return float(s.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?: \d{3})+(?:[.,]\d{1,2})?", s):  # 1 500 / 1 500,50 (French, Polish)
        return float(re.split(r"[.,](?=\d{1,2}$)", s)[0].replace(" ", ""))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", s):  # US grouping 1,200.50
        return float(s.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", s):
        # 1.200 / 2.000 / 1.500,50: European grouping when it is money or has more than one group; a single
        # "1.500" elsewhere (hours, years) is a decimal.
        if money or s.count(".") > 1 or "," in s:
            return float(s.replace(".", "").replace(",", "."))
        return float(s)
    if re.fullmatch(r"\d+,\d{1,2}", s):  # decimal comma: 2,5 hours / 1,50 €
        return float(s.replace(",", "."))
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


def words_value(text: str) -> float | None:
    """The value of number words: "twenty" 20, "two hundred" 200, "one and a half" 1.5, "a couple" 2."""
    tokens = [t for t in re.split(r"[\s-]+", text.lower().strip()) if t and t != "of"]
    article = bool(tokens) and tokens[0] in ("a", "an")
    if article:
        tokens = tokens[1:]
    total = current = 0.0
    seen = False
    for tok in tokens:
        if tok in ("and", "a", "an"):  # "one and a half", "half an"
            continue
        if tok == "half":
            current += 0.5
        elif tok in ("couple", "dozen"):
            current = (current or 1.0) * UNITS[tok]
        elif tok in UNITS or tok in TENS:
            current += NUMBER_WORDS[tok]
        elif tok in SCALES:
            current = (current or 1.0) * SCALES[tok]
            if SCALES[tok] >= 1000:
                total, current = total + current, 0.0
        else:
            return None
        seen = True
    if not seen:
        return 1.0 if article else None
    return total + current


def find_numbers(text: str, money: bool = False) -> list[Number]:
    """Every number in the text, in digits (with any grouping and a k/grand/lakh scale) or in words."""
    found: list[Number] = []
    taken: list[tuple[int, int]] = []
    for m in (_MONEY_DIGITS_RE if money else _DIGITS_RE).finditer(text):
        value = parse_digits(m.group(0), money=money)
        if value is None:
            continue
        end = m.end()
        scale = _SCALE_AFTER_RE.match(text, end)
        if scale:
            word = (scale.group(1) or scale.group(2) or "").lower()
            # "5m" is five metres or minutes as often as millions: only money reads it as a scale.
            if word not in ("m", "mil", "million") or money:
                value *= SCALES[word]
                end = scale.end()
        half = re.match(r"\s+and\s+a\s+half\b", text[end:], re.I)  # "3 and a half years"
        if half:
            value += 0.5
            end += half.end()
        found.append(Number(value, m.start(), end))
        taken.append((m.start(), end))
    for m in _WORDS_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        phrase = m.group(0)
        if re.fullmatch(r"(?:a|an)\s*", phrase, re.I):
            continue
        value = words_value(phrase)
        if value is None:
            continue
        end = m.end()
        scale = re.match(r"\s+(grand|thousand|lakhs?|k)\b", text[end:], re.I)
        if scale and not re.search(r"(grand|thousand|lakhs?)$", phrase, re.I):
            value *= SCALES[scale.group(1).lower()]
            end += scale.end()
        found.append(Number(value, m.start(), end, words=True))
    return sorted(found, key=lambda n: n.start)


# ---- money --------------------------------------------------------------------------------------------------

# Symbols and words → ISO 4217. "$" and "dollars" alone are "a dollar of unknown country": the caller decides
# from where the learner lives (CAD in Calgary, AUD in Perth), USD when nothing says otherwise.
CURRENCY_TOKENS: dict[str, str | None] = {
    "$": None, "dollar": None, "dollars": None, "bucks": None, "buck": None,
    "us$": "USD", "usd": "USD", "u.s. dollars": "USD", "us dollars": "USD",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD", "can$": "CAD", "canadian": "CAD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "nz$": "NZD", "nzd": "NZD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pounds": "GBP", "pound": "GBP", "quid": "GBP",
    "₹": "INR", "inr": "INR", "rs": "INR", "rs.": "INR", "rupees": "INR", "rupee": "INR",
    "zł": "PLN", "zl": "PLN", "pln": "PLN", "zloty": "PLN", "złoty": "PLN",
    "chf": "CHF", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "kr": None, "¥": "JPY", "jpy": "JPY",
    "yen": "JPY", "sgd": "SGD", "s$": "SGD", "zar": "ZAR", "rand": "ZAR", "aed": "AED", "dirhams": "AED",
    "ngn": "NGN", "naira": "NGN", "₦": "NGN", "php": None, "mxn": "MXN", "brl": "BRL", "r$": "BRL",
    "pesos": "MXN",
}  # fmt: skip
_CUR_ALT = "|".join(
    re.escape(t) for t in sorted(CURRENCY_TOKENS, key=len, reverse=True) if t not in ("php", "kr")
)
_CUR_BEFORE_RE = re.compile(rf"(?:(?<![\w$])|(?<=\d))({_CUR_ALT})\s?$", re.I)
_CUR_AFTER_RE = re.compile(rf"^\s?({_CUR_ALT})(?![\w])", re.I)
_CUR_AFTER_WORD_RE = re.compile(
    r"^\s?(?:canadian|australian|us|american|singapore|new zealand)\s+dollars?\b", re.I
)


@dataclass(frozen=True)
class Money:
    """An amount of money in text: `currency` is an ISO code, or None when the text gives only "$"/"dollars"
    (dollar of an unknown country) or no currency at all (`marked` False)."""

    amount: float
    currency: str | None
    start: int
    end: int
    marked: bool  # a symbol, code or currency word was written next to the number
    dollar: bool = False  # the mark was a bare "$" / "dollars" / "bucks"


def _currency_of(token: str) -> tuple[str | None, bool]:
    key = token.lower()
    code = CURRENCY_TOKENS.get(key)
    return code, code is None


def find_money(text: str) -> list[Money]:
    """Every amount in the text with its currency mark, if any ("€1.200", "1.500 €", "₹1,50,000", "5k")."""
    out: list[Money] = []
    for num in find_numbers(text, money=True):
        before = text[max(0, num.start - 6) : num.start]
        after = text[num.end : num.end + 22]
        currency: str | None = None
        dollar = False
        marked = False
        start, end = num.start, num.end
        mb = _CUR_BEFORE_RE.search(before)
        ma = _CUR_AFTER_RE.match(after)
        mw = _CUR_AFTER_WORD_RE.match(after)
        if mw:
            word = mw.group(0).lower()
            currency = (
                "CAD" if "canadian" in word else "AUD" if "australian" in word else "SGD"
                if "singapore" in word else "NZD" if "zealand" in word else "USD"
            )  # fmt: skip
            marked = True
            end = num.end + mw.end()
        elif mb:
            currency, dollar = _currency_of(mb.group(1))
            marked = True
            start = num.start - (len(before) - mb.start())
            # "$2,000 (AUD obviously)", "$4,000 CAD": a code right after a dollar sign names the dollar.
            if dollar:
                code = _CUR_AFTER_RE.match(after)
                if code and _currency_of(code.group(1))[0]:
                    currency, dollar = _currency_of(code.group(1))[0], False
                    end = num.end + code.end()
                else:
                    paren = re.match(r"^\s*\(\s*(aud|cad|usd|nzd|sgd)\b", after, re.I)
                    if paren:
                        currency, dollar = paren.group(1).upper(), False
        elif ma:
            currency, dollar = _currency_of(ma.group(1))
            marked = True
            end = num.end + ma.end()
        if (
            currency is None
            and not dollar
            and re.search(r"lakhs?|lac|crore", text[num.start : num.end], re.I)
        ):
            currency, marked = "INR", True  # lakh and crore are Indian units: the amount is in rupees
        out.append(Money(num.value, currency, start, end, marked, dollar))
    return out


# ---- dates --------------------------------------------------------------------------------------------------

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
# Seasons as the month they end in (northern hemisphere; a learner in Sydney is read the same way).
SEASON_END = {"spring": 5, "summer": 8, "fall": 11, "autumn": 11, "winter": 2}
QUARTER_END = {1: 3, 2: 6, 3: 9, 4: 12}


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def next_month_end(today: date, month: int, year: int | None = None) -> date:
    """The last day of the next such month on or after today (or of that month in the year given)."""
    if year is not None:
        return month_end(year, month)
    candidate = month_end(today.year, month)
    return candidate if candidate >= today else month_end(today.year + 1, month)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's length)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def span_to_date(today: date, amount: float, unit: str) -> date:
    """`today` plus an amount of days, weeks, months or years ("18 months" → the same day 18 months on)."""
    unit = unit.lower().rstrip("s")
    if unit in ("day",):
        return today + timedelta(days=round(amount))
    if unit in ("week", "wk"):
        return today + timedelta(days=round(amount * 7))
    if unit in ("month", "mo", "mth"):
        whole = int(amount)
        out = add_months(today, whole)
        return out + timedelta(days=round((amount - whole) * 30.4))
    whole = int(amount)
    out = add_months(today, 12 * whole)
    return out + timedelta(days=round((amount - whole) * 365))


def weeks_until(today: date, day: date) -> int:
    """Whole weeks from today to a date, rounded (the convention the coach uses for deadlines)."""
    return round((day - today).days / 7)


def parse_year_month(text: str) -> tuple[int, int] | None:
    """A `YYYY-MM` (or `YYYY/MM`) string as (year, month), or None when it is not one."""
    m = re.fullmatch(r"\s*(\d{4})[-/](\d{1,2})(?:[-/]\d{1,2})?\s*", text or "")
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return (year, month) if 1 <= month <= 12 else None
