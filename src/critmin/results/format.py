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
    div, suffix = magnitude(abs(x))
    if suffix:
        return f"{x / div:,.{digits}f} {suffix}{unit}"
    return f"{x:,.0f}{unit}"


def plus_minus(error: float | None, currency: str = "") -> str:
    """' ± x' beside a figure whose solver bounds leave an interval worth printing, else ''. An error that
    money() would print as 0 is solver noise (a proven optimum's bound differs from it by ~1e-5 USD), and
    '± 0 USD' would claim an interval that is not there."""
    if error is None or not error >= 0.5:
        return ""
    return f" ± {money(error, currency)}"


MAGNITUDES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def magnitude(top: float) -> tuple[float, str]:
    """(divisor, name) for amounts up to `top`: '69.5 bn USD' in text and on axes, never '69.5G'."""
    for div, mag in MAGNITUDES:
        if top >= div:
            return div, mag
    return 1.0, ""


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


def points(x: float | None) -> str:
    """A change in a share: -0.056 -> '-5.6 pp' (percentage points, never a percentage of the share)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = _clean(float(x)) * 100
    return f"{x:+.1f} pp" if x else "0 pp"


def year(y: Any) -> str:
    """2030.0 -> '2030'; None or NaN -> '-'."""
    if y is None or (isinstance(y, float) and math.isnan(y)):
        return "-"
    try:
        return str(int(y))
    except (TypeError, ValueError):
        return str(y)


def in_unit(x: Any, unit: str, currency: str = "") -> str:
    """A figure in its own unit, as the bands and tornado tables carry it: 'year' (None or NaN: not reached
    by the horizon), 'money' or a plain 'number'."""
    missing = x is None or (isinstance(x, float) and math.isnan(x))
    if unit == "year":
        return "not by the horizon" if missing else year(x)
    if missing:
        return "-"
    return money(float(x), currency) if unit == "money" else number(x)


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


# what a table column holds, by a word in its name — one rule for the CLI, the report, Jupyter and workbooks
_MONEY = ("cost", "capex", "spent", "damage", "objective", "unserved", "revenue", "saving", "contribution",
          "interaction", "regret", "value", "vss", "evpi", "error", "money", "annual", "discounted",
          "period_total")  # fmt: skip
_CAPACITY = ("capacity", "existing", "built", "total")  # t/yr
_TONNES = ("unmet", "tonnes", "exports", "imports", "demand", "delivered", "met_t", "quantity", "substituted",
           "forgone", "controlled", "clear", "activity", "level", "stock")  # fmt: skip
_YEARS = ("year", "start", "ban_from")
_SHARE = ("share", "probability")
# columns that name an entity (an id or a label), never a quantity: no unit, no number format
_IDS = frozenset(("stockpile", "facility", "option", "region", "commodity", "scenario", "tag", "input_tag",
                  "sale", "support", "substitution", "stage", "kind", "component", "end_use", "compliance",
                  "buyer", "origin", "destination", "plan", "deal", "deal_a", "deal_b", "name", "node",
                  "measure", "metric", "run", "family", "constraint", "description", "unit", "status",
                  "message", "key", "statistic", "deals_on", "main_builds", "what"))  # fmt: skip


def column_kind(col: str) -> str | None:
    """'year', 'share', 'money', 'capacity' (t/yr), 'tonnes' or None (a plain number: multipliers, counts,
    or an entity's id)."""
    name = col.lower()
    if name in _IDS:
        return None
    if name.endswith("_factor") or name.startswith(("in_", "is_")) or name in ("gap", "modules"):
        return None  # multipliers, flags and counts
    if any(name == w or name.endswith("_" + w) for w in _YEARS):
        return "year"
    if any(w in name for w in _SHARE):
        return "share"
    if "seconds" in name:
        return None
    if any(w in name for w in _MONEY):
        return "money"
    if any(w in name for w in _CAPACITY):
        return "capacity"
    if any(w in name for w in _TONNES) or name.endswith("_t"):  # '_t': tonnes, e.g. content_t
        return "tonnes"
    return None


def column_formatter(col: str, currency: str) -> Any:
    """How a table column prints (column_kind), or None for a plain number."""
    kind = column_kind(col)
    if kind == "year":
        return year
    if kind == "share":
        return share
    if kind == "money":
        return lambda x: money(x, currency)
    if kind == "capacity":
        return lambda x: tonnes(x, "t/yr")
    if kind == "tonnes":
        return tonnes
    return None


def column_unit(col: str, quantity: str, currency: str) -> tuple[str, str]:
    """(unit label, Excel number format) of a column, for a workbook's header and cells."""
    return {
        "year": ("", "0"),
        "share": ("share", "0.00%"),
        "money": (currency, "#,##0"),
        "capacity": (f"{quantity}/yr", "#,##0.0"),
        "tonnes": (quantity, "#,##0.0"),
    }.get(column_kind(col) or "", ("", "General"))


def html_table(df: Any, currency: str = "", limit: int = 50) -> str:
    """A tidy table as HTML in critmin's formats (what Jupyter shows): money with its magnitude, tonnes,
    shares, years; no '1.4e+09', no 'NaN'."""
    shown = df.head(limit)
    fmt = {c: f for c in shown.columns if (f := column_formatter(str(c), currency)) is not None}
    more = f"<p>... {len(df) - limit} more rows</p>" if len(df) > limit else ""
    return str(shown.to_html(index=False, formatters=fmt, float_format=number, na_rep="-")) + more
