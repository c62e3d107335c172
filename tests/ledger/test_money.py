"""Money formatting: minor units written as the wire string, exactly as the rounding path does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ledger import money

CURRENCIES = st.sampled_from(sorted(money.EXPONENTS))


@given(units=st.integers(-10**16, 10**16), currency=CURRENCIES)
def test_minor_units_are_written_as_the_rounding_path_writes_them(units: int,
                                                                  currency: str) -> None:
    assert money.minor_text(units, currency) == money.text(money.from_minor(units, currency),
                                                           currency)


def test_minor_units_show_every_minor_digit_of_the_currency() -> None:
    assert [money.minor_text(u, c) for u, c in ((0, "USD"), (5, "USD"), (-150, "EUR"),
                                                (7, "JPY"), (1234, "KWD"), (1, "UYW"))] == [
        "0.00", "0.05", "-1.50", "7", "1.234", "0.0001"]
