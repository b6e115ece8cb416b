"""The plotly figures of the report and of `sol.plot` / `comparison.plot`, each built from tidy tables:
money axes in the instance currency and a stated magnitude, years as categories (only modelled years are
drawn, nothing interpolated between them), Sankey nodes carrying their quantities."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .costs import CostBreakdown, label
from .format import magnitude
from .solution import Solution
from .tables import expected_builds, records

TAG_COLOUR = {"controlled": "rgba(214, 39, 40, 0.45)", "clear": "rgba(31, 119, 180, 0.45)"}
STAGE_ORDER = ["mining", "separation", "metal", "magnet", "primary", "refined", "demand"]


def cost_breakdown(runs: list[tuple[str, Solution]]) -> go.Figure:
    """Money spent (blues) and the value of demand not served (reds), stacked by component, per run; risk
    terms and what lies outside the planner's cost are not costs and are not stacked in."""
    fig = go.Figure()
    breakdowns = [(n, CostBreakdown.from_parts(s.objective_parts)) for n, s in runs]
    currency = str(runs[0][1].units.get("currency", "")) if runs else ""
    top = max((abs(cb.planner_cost) for _, cb in breakdowns), default=0.0)
    div, mag = magnitude(top)
    palette = {
        "spent": ["#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#2171b5", "#4292c6", "#084594"],
        "unserved": ["#a50f15", "#ef3b2c", "#fc9272"],
    }
    for category in ("spent", "unserved"):
        names = list(dict.fromkeys(k for _, cb in breakdowns for k in cb.parts[category]))
        for j, part in enumerate(names):
            values = [cb.parts[category].get(part, 0.0) for _, cb in breakdowns]
            if not any(abs(v) > 0 for v in values):
                continue
            colour = palette[category][j % len(palette[category])]
            fig.add_bar(
                name=f"{label(part)}",
                x=[n for n, _ in breakdowns],
                y=[v / div for v in values],
                marker_color=colour,
                hovertemplate=f"%{{x}}: %{{y:,.2f}} {mag} {currency}<extra>{label(part)}</extra>",
            )
    fig.update_layout(
        barmode="stack",
        yaxis={"title": {"text": f"expected discounted cost, {mag} {currency}".replace("  ", " ")},
               "tickformat": ",.1f", "automargin": True},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        height=480,
        margin={"l": 90, "b": 120},
    )  # fmt: skip
    return fig


def _consumer_stage(instance: dict[str, Any]) -> dict[str, str]:
    """commodity -> the stage that uses it (the stage of a consuming facility's output), or 'demand'."""
    stage = {c["id"]: c["stage"] for c in instance.get("commodities", [])}
    out: dict[str, str] = {}
    for f in instance.get("facilities", []):
        outs = list(f.get("outputs", {}))
        for c in f.get("inputs", {}) or {}:
            if outs:
                out.setdefault(c, stage.get(outs[0], "?"))
    for d in instance.get("demand", []):
        out.setdefault(d["commodity"], "demand")
    return out


def sankey(sol: Solution, year: int, scenario: str | None = None) -> go.Figure:
    """Flows between (stage, country) nodes in one year: cross-border shipments plus what each country uses of
    its own output (use net of imports), coloured by provenance tag, each node labelled with its throughput.
    One Sankey per scenario with a selector; `scenario` is shown first (default: the most probable)."""
    scens = scenarios_by_probability(sol)
    first = scenario if scenario in scens else (scens[0] if scens else "")
    order = [first] + [s for s in scens if s != first]
    traces = [_sankey_trace(sol, year, s) for s in order]
    fig = go.Figure()
    for k, (trace, _n) in enumerate(traces):
        trace.visible = k == 0
        fig.add_trace(trace)
    n_nodes = max((n for _t, n in traces), default=0)
    menu = [
        {"label": s, "method": "update", "args": [{"visible": [j == k for j in range(len(order))]}]}
        for k, s in enumerate(order)
    ]
    subtitle = f"{year}; red: controlled origin, blue: clear; t/yr"
    if len(order) > 1:
        subtitle += "; choose the scenario on the right"
    elif first:
        subtitle += f"; scenario {first}"
    fig.update_layout(
        height=max(450, 18 * n_nodes),
        updatemenus=[{"buttons": menu, "x": 1.0, "xanchor": "right", "y": 1.12, "yanchor": "top"}]
        if len(order) > 1
        else [],
        annotations=[
            {"text": subtitle, "showarrow": False, "x": 0, "y": 1.1, "xref": "paper", "yref": "paper"}
        ],
    )
    return fig


def scenarios_by_probability(sol: Solution) -> list[str]:
    """A solution's scenarios, most probable first (ties in the order they were modelled)."""
    kt = sol.tables.get("kpis_total", pd.DataFrame())
    if kt.empty:
        return []
    p = kt.groupby("scenario", sort=False).probability.first().sort_values(ascending=False, kind="stable")
    return [str(s) for s in p.index]


def _sankey_trace(sol: Solution, year: int, scenario: str) -> tuple[go.Sankey, int]:
    inst = sol.instance_data or {}
    stage_of = {c["id"]: c["stage"] for c in inst.get("commodities", [])}
    user = _consumer_stage(inst)
    cons = sol.tables.get("consumption", pd.DataFrame())
    flows = sol.tables.get("flows", pd.DataFrame())
    deliv = sol.tables.get("deliveries", pd.DataFrame())
    cons = cons[(cons.year == year) & (cons.scenario == scenario)] if not cons.empty else cons
    flows = flows[(flows.year == year) & (flows.scenario == scenario)] if not flows.empty else flows
    deliv = deliv[(deliv.year == year) & (deliv.scenario == scenario)] if not deliv.empty else deliv

    links: dict[tuple[str, str, str], float] = {}

    def add(src: str, dst: str, tag: str, q: float) -> None:
        if q > 1e-6:
            links[(src, dst, tag)] = links.get((src, dst, tag), 0.0) + q

    imports: dict[tuple[str, str, str], float] = {}
    for r in records(flows):
        add(
            f"{stage_of.get(r.commodity, '?')}: {r.origin}",
            f"{user.get(r.commodity, '?')}: {r.destination}",
            r.tag,
            r.quantity,
        )
        imports[(r.destination, r.commodity, r.tag)] = (
            imports.get((r.destination, r.commodity, r.tag), 0) + r.quantity
        )
    use: dict[tuple[str, str, str], float] = {}
    for r in records(cons):
        use[(r.region, r.commodity, r.input_tag)] = (
            use.get((r.region, r.commodity, r.input_tag), 0) + r.quantity
        )
    for r in records(deliv):
        use[(r.region, r.commodity, r.tag)] = use.get((r.region, r.commodity, r.tag), 0) + r.quantity
    for (region, c, tag), q in use.items():
        local = q - imports.get((region, c, tag), 0.0)
        add(f"{stage_of.get(c, '?')}: {region}", f"{user.get(c, '?')}: {region}", tag, local)

    nodes = sorted({n for s, d, _ in links for n in (s, d)}, key=lambda n: (_stage_rank(n), n))
    index = {n: i for i, n in enumerate(nodes)}
    into = dict.fromkeys(nodes, 0.0)
    out_of = dict.fromkeys(nodes, 0.0)
    for (src, dst, _t), q in links.items():
        into[dst] += q
        out_of[src] += q
    through = {n: max(into[n], out_of[n]) for n in nodes}
    labels = [f"{n} ({through[n]:,.0f} t)" for n in nodes]
    xs, ys = _node_positions(nodes, through)
    trace = go.Sankey(
        arrangement="snap",
        name=scenario,
        node={"label": labels, "pad": 12, "thickness": 14, "x": xs, "y": ys},
        link={
            "source": [index[s] for s, _, _ in links],
            "target": [index[d] for _, d, _ in links],
            "value": list(links.values()),
            "color": [TAG_COLOUR.get(t, "grey") for _, _, t in links],
            "customdata": [t for _, _, t in links],
            "hovertemplate": "%{source.label} → %{target.label}<br>%{value:,.0f} t/yr (%{customdata})",
        },
    )
    return trace, len(nodes)


def _stage_rank(node: str) -> int:
    stage = node.split(":")[0]
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def _node_positions(nodes: list[str], through: dict[str, float]) -> tuple[list[float], list[float]]:
    """Each node in its stage's column (mining left, demand right), stacked by throughput within it, so a
    flow never runs backwards and labels sit beside their column, not on the ribbons."""
    ranks = sorted({_stage_rank(n) for n in nodes})
    column = {r: k for k, r in enumerate(ranks)}
    width = max(1, len(ranks) - 1)
    xs, ys = [], []
    for r in ranks:
        members = [n for n in nodes if _stage_rank(n) == r]
        total = sum(through[n] for n in members) or 1.0
        y = 0.02
        for n in members:
            share = through[n] / total
            xs.append(0.01 + 0.98 * column[r] / width)
            ys.append(min(0.98, y + share * 0.48))
            y += share * 0.96
    order = [n for r in ranks for n in nodes if _stage_rank(n) == r]
    position = {n: (x, y) for n, x, y in zip(order, xs, ys, strict=True)}
    return [position[n][0] for n in nodes], [position[n][1] for n in nodes]


def builds(sol: Solution) -> go.Figure:
    """Capacity coming online by stage, region and year, expected over the scenarios (recourse builds
    weighted by the probability of the scenarios they are for)."""
    b = expected_builds(sol.tables.get("builds", pd.DataFrame()))
    stages = sorted(b.stage.unique()) if not b.empty else ["(none)"]
    fig = make_subplots(rows=1, cols=len(stages), subplot_titles=stages, shared_yaxes=True)
    if b.empty:
        fig.add_annotation(text="no builds", showarrow=False)
        return fig
    regions = sorted(b.region.unique())
    palette = [
        "#636efa",
        "#ef553b",
        "#00cc96",
        "#ab63fa",
        "#ffa15a",
        "#19d3f3",
        "#ff6692",
        "#b6e880",
        "#ff97ff",
        "#fecb52",
    ]
    colour = {r: palette[i % len(palette)] for i, r in enumerate(regions)}
    shown: set[str] = set()
    for j, st in enumerate(stages, start=1):
        sub = b[b.stage == st]
        for r in regions:
            s = sub[sub.region == r].groupby("year").capacity_added.sum()
            if s.empty:
                continue
            fig.add_bar(
                name=r,
                x=[str(x) for x in s.index],
                y=s.values,
                legendgroup=r,
                marker_color=colour[r],
                showlegend=r not in shown,
                row=1,
                col=j,
            )
            shown.add(r)
    years = sorted({str(y) for y in b.year})
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=years, title_text="online year")
    fig.update_layout(
        barmode="stack",
        height=460,
        yaxis_title="capacity added, t/yr",
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "title": {"text": "region"}},
        margin={"l": 80, "b": 110},
    )
    return fig


def controlled_share(sol: Solution) -> go.Figure:
    k = sol.tables.get("kpis", pd.DataFrame())
    fig = go.Figure()
    for (s, c), sub in k.groupby(["scenario", "commodity"]) if not k.empty else []:
        fig.add_scatter(
            x=[str(y) for y in sub.year], y=sub.controlled_share, mode="markers", name=f"{c} ({s})"
        )
    fig.update_layout(
        yaxis={"title": "controlled-origin share of deliveries", "tickformat": ".0%", "range": [0, 1.05]},
        xaxis={"title": "modelled year", "type": "category"},
        height=380,
    )
    return fig


def unmet(sol: Solution) -> go.Figure:
    u = sol.tables.get("unmet", pd.DataFrame())
    fig = go.Figure()
    if not u.empty:
        g = u.groupby(["scenario", "year"], as_index=False).unmet.sum()
        for s, sub in g.groupby("scenario"):
            fig.add_bar(name=s, x=[str(y) for y in sub.year], y=sub.unmet)
    fig.update_layout(
        barmode="group",
        yaxis_title="unmet demand, t/yr",
        xaxis={"title": "modelled year", "type": "category"},
        height=360,
    )
    return fig


def frontier(front: Any) -> go.Figure:
    p = front.points
    fig = go.Figure()
    kept = p[~p.dominated]
    fig.add_scatter(
        x=kept.risk,
        y=kept.cost,
        mode="lines+markers",
        name="Pareto frontier",
        text=[f"point {i}" for i in kept.point],
    )
    dom = p[p.dominated & p.cost.notna()]
    if not dom.empty:
        fig.add_scatter(x=dom.risk, y=dom.cost, mode="markers", name="dominated", marker={"symbol": "x"})
    fig.update_layout(
        xaxis_title="risk exposure (expected discounted t x score)",
        yaxis_title="expected discounted cost",
        height=420,
    )
    return fig


class SolutionPlots:
    """`sol.plot.builds()`, `.costs()`, `.sankey(year)`, `.controlled_share()`, `.unmet()`: plotly figures
    (show with `.show()`, save with `.write_html(path)`)."""

    def __init__(self, sol: Solution) -> None:
        self._sol = sol

    def costs(self) -> go.Figure:
        return cost_breakdown([(str(self._sol.instance.get("name", "plan")), self._sol)])

    def builds(self) -> go.Figure:
        return builds(self._sol)

    def sankey(self, year: int | None = None, scenario: str | None = None) -> go.Figure:
        kt = self._sol.tables.get("kpis_total", pd.DataFrame())
        years = sorted(int(y) for y in kt.year.unique()) if not kt.empty else [0]
        return sankey(
            self._sol, year if year is not None else (2030 if 2030 in years else years[-1]), scenario
        )

    def controlled_share(self) -> go.Figure:
        return controlled_share(self._sol)

    def unmet(self) -> go.Figure:
        return unmet(self._sol)


class ComparisonPlots:
    """`cmp.plot.costs()` (money spent and value not served per run) and `cmp.plot.builds()`."""

    def __init__(self, cmp: Any) -> None:
        self._cmp = cmp

    def costs(self) -> go.Figure:
        return cost_breakdown(list(zip(self._cmp.runs, self._cmp.solutions, strict=False)))

    def builds(self) -> go.Figure:
        b = self._cmp.builds
        fig = go.Figure()
        for st, sub in b.groupby("stage") if not b.empty else []:
            g = sub.groupby("run", sort=False).capacity_added.sum()
            fig.add_bar(name=str(st), x=list(g.index), y=g.values)
        fig.update_layout(barmode="stack", yaxis_title="capacity added, t/yr", height=400)
        return fig
