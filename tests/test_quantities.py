"""Quantities in text: numbers in digits and words, money with currencies and local grouping, dates."""

from datetime import date

import pytest

from coach.quantities import (
    add_months,
    find_money,
    find_numbers,
    next_month_end,
    parse_year_month,
    words_value,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("twenty", 20),
        ("two hundred", 200),
        ("one and a half", 1.5),
        ("a couple", 2),
        ("forty five", 45),
        ("three thousand", 3000),
        ("a half", 0.5),
    ],
)
def test_number_words(text: str, value: float) -> None:
    assert words_value(text) == pytest.approx(value)


def test_words_that_are_not_numbers_are_none() -> None:
    assert words_value("several") is None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("about 1.800 € for everything", 1800, "EUR"),
        ("€2.500", 2500, "EUR"),
        ("₹2,50,000 from my savings", 250000, "INR"),
        ("3 lakh", 300000, "INR"),
        ("1 200 PLN", 1200, "PLN"),
        ("£750", 750, "GBP"),
        ("C$900", 900, "CAD"),
        ("$1,250 AUD", 1250, "AUD"),
        ("4k", 4000, None),
        ("three grand", 3000, None),
        ("Rs. 45,000", 45000, "INR"),
        ("900 quid", 900, "GBP"),
    ],
)
def test_money_reads_grouping_scale_and_currency(text: str, amount: float, currency: str | None) -> None:
    found = find_money(text)
    assert found, text
    assert found[0].amount == pytest.approx(amount)
    assert found[0].currency == currency


def test_a_bare_dollar_is_marked_but_of_unknown_country() -> None:
    (money,) = find_money("maybe $700 or so")
    assert money.marked and money.dollar and money.currency is None


def test_decimal_point_outside_money_is_a_decimal() -> None:
    assert [n.value for n in find_numbers("1.5 years and 2,5 hours")] == [1.5, 2.5]


def test_and_a_half_joins_the_digit_before_it() -> None:
    assert [n.value for n in find_numbers("about 4 and a half years")] == [4.5]


def test_dates_relative_to_today() -> None:
    today = date(2026, 12, 2)
    assert next_month_end(today, 5) == date(2027, 5, 31)
    assert next_month_end(today, 12) == date(2026, 12, 31)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert parse_year_month("2024-07") == (2024, 7)
    assert parse_year_month("2024-13") is None
    assert parse_year_month("July 2024") is None
