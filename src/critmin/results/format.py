"""One way to print numbers, for every output (the CLI, compare, diagnose, the HTML report, Jupyter): money
with its currency and magnitude, tonnes with thousands separators, shares as percentages, years as integers,
and no float noise (a value within 1e-9 of zero, relative to its scale, prints as zero)."""

from __future__ import annotations

import math
from typing import Any

NOISE = 1e-9


def _clean(x: float, scale: float = 1.0) -> float:
    return 0.0 if abs(x) <= NOISE * max(abs(scale), 1.0) else x


def money(x: float | None, currency: str = "", *, digits: int = 2) -> str:
    """1234567890 -> '1.23 bn USD'; negative values keep their sign; None -> '-'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = float(x)
    if abs(x) < 0.5:  # prints as 0: no "-0 USD" from solver noise
        x = 0.0
    unit = f" {currency}" if currency else ""
    a = abs(x)
    for div, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= div:
            return f"{x / div:,.{digits}f} {suffix}{unit}"
    return f"{x:,.0f}{unit}"


def tonnes(x: float | None, unit: str = "t") -> str:
    """12345.6 -> '12,346 t'; below 10 t one decimal; None -> '-'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = _clean(float(x))
    return f"{x:,.0f} {unit}" if abs(x) >= 10 or x == 0 else f"{x:,.1f} {unit}"


def share(x: float | None) -> str:
    """0.4567 -> '46%'; small shares keep a decimal ('0.4%'); None or NaN -> '-'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = _clean(float(x))
    return f"{x:.0%}" if x == 0 or abs(x) >= 0.095 or abs(x) >= 1 else f"{x:.1%}"


def year(y: Any) -> str:
    """2030.0 -> '2030'; None or NaN -> '-'."""
    if y is None or (isinstance(y, float) and math.isnan(y)):
        return "-"
    try:
        return str(int(y))
    except (TypeError, ValueError):
        return str(y)


def number(x: Any, *, digits: int = 3) -> str:
    """A plain number without noise: integers as integers, others to `digits` significant figures."""
    if x is None:
        return "-"
    if isinstance(x, (bool, str)):
        return str(x)
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "none" if v > 0 else "-inf"  # e.g. an unbounded cap
    v = _clean(v)
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.{digits}g}"


# how a column prints, by a word in its name
_MONEY = ("cost", "capex", "spent", "damage", "objective", "unserved", "revenue", "saving", "contribution",
          "interaction", "regret", "value", "vss", "evpi", "error", "money")  # fmt: skip
_TONNES = ("unmet", "tonnes", "exports", "imports", "demand", "delivered", "met_t", "capacity", "quantity")
_YEARS = ("year", "start", "ban_from")
_SHARE = ("share", "probability")


def column_formatter(col: str, currency: str) -> Any:
    """How a table column prints, by a word in its name (money, tonnes, shares, years), or None."""
    name = col.lower()
    if name.endswith("_factor") or name in ("gap", "modules"):  # multipliers and counts print as numbers
        return None
    if any(name == w or name.endswith("_" + w) for w in _YEARS):
        return year
    if any(w in name for w in _SHARE):
        return share
    if any(w in name for w in _TONNES):
        return tonnes
    if any(w in name for w in _MONEY) and "seconds" not in name:
        return lambda x: money(x, currency)
    return None
