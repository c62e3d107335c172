"""Money: Decimal amounts quantized to their currency, parsed strictly from strings.

Every amount in Confledger passes through here. Amounts arrive as JSON strings with at most the
currency's minor digits, are held as `Decimal`, and are rounded half up only where a rule divides
(percentage discounts, card-fee estimates, rates). Read models keep integer minor units, which are
exact in SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 active codes whose minor unit is not 2; every other listed code has 2.
_EXPONENTS = {
    "BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0,
    "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3, "UGX": 0,
    "UYI": 0, "UYW": 4, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0, "CLF": 4,
}
_TWO_DIGIT = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD "
    "GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
    "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP "
    "PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD UZS VES WST XCD YER ZAR ZMW ZWL"
)
EXPONENTS: dict[str, int] = {code: 2 for code in _TWO_DIGIT.split()} | _EXPONENTS
_MINOR_UNITS = {code: Decimal(1).scaleb(-digits) for code, digits in EXPONENTS.items()}

# At most 12 integer digits (below a trillion): read models sum exact minor units in 64-bit
# integers, which then hold at least 90,000 maximal amounts per sum without overflowing.
_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]+)?$")
HUNDRED = Decimal(100)


class MoneyFormatError(ValueError):
    """Raised when an amount is not a plain non-negative decimal string."""


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 code Confledger knows the minor unit of."""
    return code in EXPONENTS


def exponent(currency: str) -> int:
    """The number of minor digits of `currency` (2 for USD, 0 for JPY, 3 for KWD)."""
    return EXPONENTS[currency]


def parse(text: object) -> Decimal:
    """Parse a JSON money value: a string such as "150.00" or "7"; never a number."""
    if not isinstance(text, str):
        raise MoneyFormatError("amounts are JSON strings such as \"150.00\", not numbers")
    if not _AMOUNT.match(text):
        raise MoneyFormatError(f"{text[:40]!r} is not a non-negative decimal amount "
                               "below 1,000,000,000,000")
    return Decimal(text)


def fits(amount: Decimal, currency: str) -> bool:
    """True when `amount` has no more decimals than `currency` allows."""
    return -int(amount.as_tuple().exponent) <= exponent(currency)  # type: ignore[arg-type]


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` half up to the currency's minor unit."""
    return amount.quantize(_MINOR_UNITS[currency], rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact integer minor units (cents) of an amount that fits the currency."""
    return int(quantize(amount, currency).scaleb(exponent(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    """The Decimal amount of `units` minor units."""
    return quantize(Decimal(units).scaleb(-exponent(currency)), currency)


def minor_text(units: int, currency: str) -> str:
    """The wire form of `units` minor units: what `text(from_minor(...))` gives, without the
    rounding whole minor units never need (reports format thousands of them per request)."""
    return str(Decimal(units).scaleb(-EXPONENTS[currency]))


def text(amount: Decimal, currency: str) -> str:
    """The wire form: a string with exactly the currency's minor digits."""
    return str(quantize(amount, currency))


def rate(part: Decimal | int, whole: Decimal | int) -> str:
    """A percentage string with 2 decimals, half up; "0.00" when the base is 0."""
    if not whole:
        return "0.00"
    value = Decimal(part) * HUNDRED / Decimal(whole)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
