"""Exact numbers for the engine: the decimal context, rounding to cents and reading inputs.

Quotients are kept as exact rationals (fractions.Fraction built exactly from the Decimals, never
from binary floats) until the single final rounding to 2 decimals, half up (`cents`); sums of
already rounded points are done on Decimals in `decimal_context` (50 digits, every error
trapped).
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction

ZERO_POINTS = Decimal("0.00")
CENT = Decimal("0.01")


def decimal_context() -> AbstractContextManager[Context]:
    """An explicit context rather than the thread's current one, so a caller's settings (a low
    precision, untrapped errors) can never change a score."""
    return localcontext(
        Context(
            prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
        )
    )


def cents(value: Fraction) -> Decimal:
    """Round an exact non-negative value to 2 decimals, half up, without any earlier rounding."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


def round_decimal(value: Decimal) -> Decimal:
    """A Decimal rounded to 2 decimals, half up, in its own decimal_context."""
    with decimal_context():
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def cent(value: Decimal) -> Decimal:
    """round_decimal inside an active decimal_context (sheet_figures rounds every leaf of
    a sheet: one context for all of them, not one each)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def clamp(value: Fraction, maximum: Decimal) -> Fraction:
    """The value kept within [0, maximum]."""
    return min(max(value, Fraction(0)), Fraction(maximum))


def as_decimal(value: object) -> Decimal | None:
    """The value as a finite Decimal, or None when it is not one (floats are refused: never
    binary floating point for a score)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    return None


def as_whole(value: object) -> int | None:
    """The value as an int when it is a whole number (an int or an integral Decimal)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def has_at_most_2_decimals(value: Decimal) -> bool:
    with decimal_context():
        scaled = value * 100
        return scaled == scaled.to_integral_value()
