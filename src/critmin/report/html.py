"""One self-contained HTML report of one or more plans (and a frontier): opens with no network.

plotly's JavaScript is inlined once; every chart is a plotly figure. Sections: a summary table, the Sankey of
flows mine -> separation -> metal -> magnet -> demand by country (controlled vs clear), capacity builds over
time by country and stage, the controlled-origin share over time, the cost breakdown, unmet demand, the
frontier when given, and the key tables.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import __version__
from ..analysis.charts import charts_of
from ..analysis.output import by_row_unit
from ..errors import CritminError
from ..io.output import atomic_file, check_target
from ..results import Solution, charts
from ..results.costs import CostBreakdown
from ..results.format import column_formatter, number

MAX_CHARTED = 6  # runs drawn in full; tables cover every run

if TYPE_CHECKING:
    import plotly.graph_objects as go

if TYPE_CHECKING:
    from ..analysis.frontier import Frontier
    from ..analysis.output import AnalysisResult


def _load(paths: list[Path]) -> tuple[list[tuple[str, Solution]], Frontier | None, list[AnalysisResult]]:
    from ..analysis.frontier import Frontier
    from ..analysis.output import AnalysisResult

    runs: list[tuple[str, Solution]] = []
    front: Frontier | None = None
    analyses: list[AnalysisResult] = []
    for p in paths:
        if (p / "analysis.json").is_file():
            analyses.append(AnalysisResult.read(p))
        elif (p / "frontier.json").is_file():
            front = Frontier.read(p)
            runs += [
                (f"{p.name}/point {s.options.get('frontier_point', i)}", s)
                for i, s in enumerate(front.solutions)
            ]
        elif (p / "summary.json").is_file():
            runs.append((p.name, Solution.read(p)))
        else:
            raise CritminError(
                f"{p} is not a solution (summary.json), frontier (frontier.json) or analysis (analysis.json) "
                "folder"
            )
    return runs, front, analyses


def build_report(paths: list[str | Path], *, year: int | None = None, scenario: str | None = None) -> str:
    """The report's HTML for solution, frontier and/or analysis directories."""
    runs, front, analyses = _load([Path(p) for p in paths])
    if not runs and not analyses:
        raise CritminError("nothing to report")
    if not runs:
        return _page("critmin report: " + ", ".join(a.title for a in analyses), _analysis_sections(analyses))
    figs: list[tuple[str, go.Figure]] = []
    base_name, base = runs[0]
    figs.append(("Overview: money spent and value of demand not served", charts.cost_breakdown(runs)))
    charted = runs[: MAX_CHARTED if front is None else 1]
    for name, sol in charted:
        if not sol.has_solution:
            continue
        y = year or _default_year(sol)
        s = scenario or _default_scenario(sol)
        figs.append((f"{name}: material flows {y}, scenario {s}", charts.sankey(sol, y, s)))
        figs.append((f"{name}: capacity built by country and stage", charts.builds(sol)))
        figs.append((f"{name}: controlled-origin share of deliveries", charts.controlled_share(sol)))
        figs.append((f"{name}: unmet demand", charts.unmet(sol)))
    if front is not None:
        figs.append(("Cost-risk frontier", charts.frontier(front)))
    body = []
    first = True
    for title, fig in figs:
        div = fig.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False})
        first = False
        body.append(f"<section><h2>{html.escape(title)}</h2>{div}</section>")
    left = len(runs) - len(charted)
    note = (
        f"<p>Flows, builds and shares are drawn for the first {len(charted)} of {len(runs)} runs; the tables "
        "below cover every run.</p>"
        if left
        else ""
    )
    heads = "".join(_headline(name, sol) for name, sol in charted if sol.has_solution)
    tables = [f"<section><h2>Summary</h2>{heads}{_summary_table(runs)}{note}</section>"]
    if len(runs) > 1 and front is None:  # several runs: what differs, not each run's tables stacked
        tables.append(_what_changed(runs))
    for name, sol in runs if front is None and len(runs) == 1 else []:
        b = sol.tables.get("builds", pd.DataFrame())
        kt = sol.tables.get("kpis_total", pd.DataFrame())
        cur = str(sol.units.get("currency", ""))
        tables.append(
            f"<section><h2>{html.escape(name)}: builds</h2>"
            f"{_table(b, currency=cur)}<h3>KPIs by scenario and year</h3>{_table(kt, currency=cur)}</section>"
        )
    if front is not None:
        tables.append(
            f"<section><h2>Frontier points</h2>{_table(front.points, currency=front.currency)}</section>"
        )
        tables.append(
            "<section><h2>Builds at every frontier point</h2>"
            f"{_table(_frontier_builds(front), currency=front.currency)}</section>"
        )
    names = ", ".join(dict.fromkeys(str(s.instance.get("name", n)) for n, s in runs))
    extra = _analysis_sections(analyses, plotly_included=True) if analyses else ""
    return _page(f"critmin report: {names}", "\n".join(tables[:1] + body + tables[1:]) + extra)


def _what_changed(runs: list[tuple[str, Solution]]) -> str:
    """Each run against the first: its changed inputs and options, costs and the builds that moved, then
    the aligned metrics (with Δ columns), builds by region and stage, and every input that differs."""
    from ..analysis.compare import compare

    cmp = compare([sol for _name, sol in runs], allow_mismatch=True, names=[name for name, _sol in runs])
    cur = str(runs[0][1].units.get("currency", ""))
    text = html.escape("\n".join(cmp.what_changed()))
    wide = cmp.table.reset_index()
    builds = cmp.builds.pivot_table(index=["region", "stage"], columns="run", values="capacity_added",
                                    aggfunc="sum", fill_value=0.0).reset_index()  # fmt: skip
    # an input's old and new values are of any type (lists, ids, years): shown as written, not as money
    inputs = cmp.inputs.rename(columns={"baseline": "in the first run", "value": "in this run"})
    inputs = inputs.astype({c: str for c in ("in the first run", "in this run") if c in inputs.columns})
    return (
        f"<section><h2>What changed against {html.escape(cmp.runs[0])}</h2>"
        f'<pre style="white-space: pre-wrap">{text}</pre>'
        f"<h3>Metrics</h3>{_table(wide, currency=cur)}"
        f"<h3>Capacity built by region and stage (t/yr, expected)</h3>{_table(builds, currency=cur)}"
        f"<h3>Inputs and options that differ</h3>{_table(inputs, currency=cur)}</section>"
    )


def _headline(name: str, sol: Solution) -> str:
    """A run's answer before its charts: whose plan, the cost split, what is short (largest first) and the
    largest builds — the lines `critmin solve` prints first."""
    from .text import build_lines, cost_lines, near_tie_lines, planner_text, shortfall_lines

    cur = str(sol.units.get("currency", ""))
    short = shortfall_lines(sol)[:4]
    builds = build_lines(sol, cur)[:6]
    lines = [f"planner    {planner_text(sol)}", *cost_lines(sol, cur)[:3], *short, *builds,
             *near_tie_lines(sol, cur)]  # fmt: skip
    text = html.escape(chr(10).join(lines))
    return f'<h3>{html.escape(name)}</h3><pre style="white-space: pre-wrap">{text}</pre>'


def _frontier_builds(front: Frontier) -> pd.DataFrame:
    """Every non-dominated point's builds in one table (a `point` column), so none is left out."""
    parts = []
    for sol in front.solutions:
        b = sol.tables.get("builds", pd.DataFrame())
        if not b.empty:
            parts.append(b.assign(point=sol.options.get("frontier_point")))
    if not parts:
        return pd.DataFrame(columns=["point"])
    out = pd.concat(parts, ignore_index=True)
    return out[["point", *[c for c in out.columns if c != "point"]]]


def _analysis_sections(analyses: list[AnalysisResult], plotly_included: bool = False) -> str:
    """Per analysis: its answer (headline), a chart, its tables, the method cited and the assumptions."""
    out = []
    first = not plotly_included
    for a in analyses:
        parts = [f"<section><h2>{html.escape(a.title)}</h2>"]
        parts += [f"<p><b>{html.escape(h)}</b></p>" for h in a.headline]
        for title, fig in charts_of(a):
            div = fig.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False})
            first = False
            parts.append(f"<h3>{html.escape(title)}</h3>{div}")
        for name, df in a.tables.items():
            shown = by_row_unit(df, a.currency)  # a bands table: each row in its own unit
            parts.append(f"<h3>{html.escape(name)}</h3>{_table(shown, currency=a.currency)}")
        parts.append(f"<p>Method: {html.escape(a.method)}</p>")
        if a.assumptions:
            items = "".join(f"<li>{html.escape(x)}</li>" for x in a.assumptions)
            parts.append(f"<p>Assumptions:</p><ul>{items}</ul>")
        out.append("".join(parts) + "</section>")
    return "\n".join(out)


def write_report(
    paths: list[str | Path],
    output: str | Path,
    *,
    force: bool = False,
    year: int | None = None,
    scenario: str | None = None,
) -> Path:
    """Write the report all at once (critmin.io.output): an existing file is replaced only with `force` and
    only if critmin wrote it. The location is checked before the report is built."""
    out = Path(output)
    if out.suffix.lower() != ".html":
        raise CritminError(f"{out}: a report is an .html file; name it e.g. out/report.html")
    check_target(out, kind="report", force=force, folder=False, protect=tuple(Path(p) for p in paths))
    text = build_report(paths, year=year, scenario=scenario)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return atomic_file(out, write, kind="report", force=force)


def _default_year(sol: Solution) -> int:
    years = sorted(sol.tables["kpis_total"].year.unique()) if "kpis_total" in sol.tables else []
    return 2030 if 2030 in years else (int(years[-1]) if years else 0)


def _default_scenario(sol: Solution) -> str:
    return next(iter(charts.scenarios_by_probability(sol)), "")


def _summary_table(runs: list[tuple[str, Solution]]) -> str:
    rows = []
    for name, s in runs:
        cb = CostBreakdown.from_parts(s.objective_parts)
        row = {
            "run": name,
            "status": s.status,
            "cost (spent + not served)": cb.planner_cost,
            "money spent": cb.money_spent,
            "value of demand not served": cb.value_unserved,
            "risk terms": cb.total("risk"),
            "outside the planner": cb.total("outside"),
            "gap": s.gap,
        }
        rows.append(row)
    cur = str(runs[0][1].units.get("currency", "")) if runs else ""
    return _table(pd.DataFrame(rows), currency=cur)


def _table(df: pd.DataFrame, limit: int = 200, currency: str = "") -> str:
    """An HTML table in critmin's number formats (money with currency, tonnes, shares, years)."""
    if df is None or df.empty:
        return "<p>(none)</p>"
    shown = df.head(limit)
    fmt = {c: f for c in shown.columns if (f := column_formatter(str(c), currency)) is not None}
    more = f"<p>... {len(df) - limit} more rows in the output folder</p>" if len(df) > limit else ""
    html_table = shown.to_html(
        index=False, formatters=fmt, float_format=number, na_rep="-", classes="tbl", border=0
    )
    return html_table + more


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="generator" content="critmin {html.escape(__version__)}"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }}
table.tbl {{ border-collapse: collapse; font-size: 0.85em; }}
table.tbl th, table.tbl td {{ padding: 2px 8px; text-align: right; border-bottom: 1px solid #eee; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Quantities in tonnes (t/yr for rates), money in the instance currency. Generated by critmin; no network
needed to view.</p>
{body}
</body></html>
"""
