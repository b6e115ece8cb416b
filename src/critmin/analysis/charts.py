"""The chart that answers each analysis, one function per kind in one table (`CHARTS`), so a new analysis
adds its chart here and the report draws it: curves for stress and leverage, bars for deal attribution and
VSS/EVPI, a histogram for a sweep. Money axes carry their magnitude and currency (results/format.py)."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

from ..results.format import magnitude
from .output import AnalysisResult

Chart = Callable[[AnalysisResult], list[tuple[str, go.Figure]]]


def _money_axis(values: list[float], currency: str) -> tuple[float, str]:
    div, mag = magnitude(max((abs(v) for v in values if v == v), default=0.0))
    return div, f"{mag} {currency}".strip()


def stress_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    m = a.tables.get("china_free_met")
    if m is None or m.empty:
        return []
    fig = go.Figure(go.Scatter(x=[str(y) for y in m.year], y=m.met_share, mode="lines+markers",
                               name="met without China"))  # fmt: skip
    fig.update_layout(yaxis={"title": "share of allied demand met", "tickformat": ".0%", "range": [0, 1.05]},
                      xaxis={"title": "modelled year", "type": "category"}, height=380)  # fmt: skip
    return [("Allied demand met without China, today's network", fig)]


def leverage_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    d = a.tables.get("damage")
    if d is None or d.empty:
        return []
    div, unit = _money_axis([*d.damage_today, *d.damage_planned], a.currency)
    fig = go.Figure()
    fig.add_scatter(x=[str(y) for y in d.ban_from], y=d.damage_today / div, mode="lines+markers",
                    name="today's network")  # fmt: skip
    fig.add_scatter(x=[str(y) for y in d.ban_from], y=d.damage_planned / div, mode="lines+markers",
                    name="planned network")  # fmt: skip
    fig.update_layout(yaxis_title=f"damage to the allies, {unit}", height=380,
                      xaxis={"title": "ban from", "type": "category"})  # fmt: skip
    return [("Damage of a Chinese export ban by its start year", fig)]


def attribute_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    d = a.tables.get("deals")
    if d is None or d.empty:
        return []
    div, unit = _money_axis([*d.saving_shapley], a.currency)
    fig = go.Figure(go.Bar(x=d.deal, y=d.saving_shapley / div,
                           error_y={"type": "data", "array": d.saving_error / div}))  # fmt: skip
    fig.update_layout(yaxis_title=f"saving, Shapley value, {unit}", height=380)
    return [("What each deal saves the planner", fig)]


def value_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    d = a.tables.get("summary")
    if d is None or d.empty:
        return []
    div, unit = _money_axis(list(d.value), a.currency)
    fig = go.Figure(go.Bar(x=d.measure, y=d.value / div))
    fig.update_layout(yaxis_title=unit, height=380)
    return [("Wait-and-see, stochastic and expected-value plans", fig)]


def sweep_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    runs = a.tables.get("runs")
    if runs is None or runs.empty or "planner_cost" not in runs:
        return []
    costs = runs.planner_cost.dropna()
    div, unit = _money_axis(list(costs), a.currency)
    fig = go.Figure(go.Histogram(x=costs / div))
    fig.update_layout(xaxis_title=f"planner cost, {unit}", yaxis_title="samples", height=380)
    return [("Distribution of the planner's cost over the samples", fig)]


def exposure_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    c = a.tables.get("cost_of_staying_under")
    if c is None or c.empty:
        return []
    ok = c[c.extra_cost.notna()]
    div, unit = _money_axis(list(ok.extra_cost), a.currency)
    labels = [f"{x * 100:g}%" for x in ok.threshold]
    fig = go.Figure(go.Scatter(x=labels, y=ok.extra_cost / div, mode="lines+markers", name="extra cost"))
    axis = {"title": "de-minimis threshold (share of value)", "type": "category"}
    fig.update_layout(yaxis_title=f"extra cost over the plan, {unit}", height=380, xaxis=axis)
    return [("What keeping every allied product under the threshold costs", fig)]


def sensitivity_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    """A tornado: each input's low and high value as bars from the answer as written, largest swing on top."""
    d = a.tables.get("tornado")
    point = a.facts.get("point")
    if d is None or d.empty or point is None:
        return []
    kind = next((k for k in ("cost", "value", "first_year") if f"{k}_low" in d.columns), None)
    if kind is None:
        return []
    d = d.dropna(subset=[f"{kind}_low", f"{kind}_high"]).iloc[::-1]  # largest swing at the top
    low, high = d[f"{kind}_low"] - point, d[f"{kind}_high"] - point
    div, unit = (1.0, "years") if kind == "first_year" else _money_axis([*low, *high], a.currency)
    fig = go.Figure()
    fig.add_bar(y=d.input, x=low / div, orientation="h", name="at its low value")
    fig.add_bar(y=d.input, x=high / div, orientation="h", name="at its high value")
    fig.update_layout(barmode="overlay", height=220 + 50 * len(d), yaxis={"type": "category"},
                      legend={"orientation": "h", "y": 1.15},
                      xaxis_title=f"change in {a.facts.get('metric', 'the answer')}, {unit}")  # fmt: skip
    return [("How far each uncertain input moves the answer (one at a time)", fig)]


CHARTS: dict[str, Chart] = {
    "sensitivity": sensitivity_chart,
    "stress": stress_chart,
    "exposure": exposure_chart,
    "leverage": leverage_chart,
    "attribute": attribute_chart,
    "value": value_chart,
    "sweep": sweep_chart,
}


def bands_chart(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    """--ranges: a fan of the years by which each share of demand is met without China (p10-p90 shaded,
    p50 line, as written dotted) and each money figure's p10-p90 bar around its p50, as written marked."""
    r = a.tables.get("ranges")
    if r is None or r.empty or "unit" not in r:
        return []
    out = []
    years = r[r.unit == "year"]
    if len(years):
        x = [str(f).removeprefix("first year ").split(" ")[0] for f in years.figure]
        fig = go.Figure()
        fig.add_scatter(x=x, y=years.p90, mode="lines", line={"width": 0}, name="p90", showlegend=False)
        fig.add_scatter(x=x, y=years.p10, mode="lines", line={"width": 0}, fill="tonexty", name="p10-p90")
        fig.add_scatter(x=x, y=years.p50, mode="lines+markers", name="p50")
        fig.add_scatter(x=x, y=years.as_written, mode="markers", name="as written", marker={"symbol": "x"})
        fig.update_layout(xaxis={"title": "share of allied demand met without China", "type": "category"},
                          yaxis_title="first year (a gap: not by the horizon)", height=380)  # fmt: skip
        out.append(("Time to X% without China over the uncertain inputs (fan: p10-p90)", fig))
    money_rows = r[(r.unit == "money") & r.p50.notna()]
    if len(money_rows):
        div, unit = _money_axis([*money_rows.p10, *money_rows.p90, *money_rows.as_written], a.currency)
        fig = go.Figure()
        fig.add_scatter(x=money_rows.p50 / div, y=money_rows.figure, mode="markers", name="p50 (p10-p90)",
                        error_x={"type": "data", "symmetric": False,
                                 "array": (money_rows.p90 - money_rows.p50) / div,
                                 "arrayminus": (money_rows.p50 - money_rows.p10) / div})  # fmt: skip
        fig.add_scatter(x=money_rows.as_written / div, y=money_rows.figure, mode="markers",
                        name="as written", marker={"symbol": "x"})  # fmt: skip
        fig.update_layout(xaxis_title=unit, yaxis={"type": "category", "autorange": "reversed"},
                          height=200 + 40 * len(money_rows),
                          legend={"orientation": "h", "y": 1.1})  # fmt: skip
        out.append(("Each figure's range over the uncertain inputs (p10-p90)", fig))
    return out


def charts_of(a: AnalysisResult) -> list[tuple[str, go.Figure]]:
    """The figures that answer an analysis (none for a kind without a chart, e.g. evaluate), and its bands
    where it was run with --ranges."""
    chart = CHARTS.get(a.kind)
    return (chart(a) if chart is not None else []) + bands_chart(a)
