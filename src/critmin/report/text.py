"""The readable text summary printed by `critmin solve` (`critmin.report.format_summary(solution)`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..results.tables import records

if TYPE_CHECKING:
    from ..results import Solution


def _money(x: float | None, cur: str) -> str:
    if x is None:
        return "-"
    a = abs(x)
    for div, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= div:
            return f"{x / div:,.2f} {suffix} {cur}"
    return f"{x:,.2f} {cur}"


def _t(x: float) -> str:
    return f"{x:,.0f} t" if abs(x) >= 10 else f"{x:,.2f} t"


def format_summary(sol: Solution, years: list[int] | None = None) -> str:
    cur = sol.units.get("currency", "")
    out = [
        f"instance   {sol.instance.get('name')}  (sha256 {str(sol.instance.get('sha256'))[:12]})",
        f"status     {sol.status}  ({sol.message})",
    ]
    if not sol.has_solution:
        return "\n".join(out)
    gap = "-" if sol.gap is None else f"{sol.gap:.4%}"
    out.append(f"objective  {_money(sol.objective, cur)}   bound {_money(sol.bound, cur)}   gap {gap}")
    parts = ", ".join(f"{k} {_money(v, cur)}" for k, v in sol.objective_parts.items() if abs(v) > 1e-9)
    out.append(f"  parts    {parts or '-'}")
    sup = sol.tables.get("support", pd.DataFrame())
    if not sup.empty and (~sup.in_objective.astype(bool)).any():
        outside = sup[~sup.in_objective.astype(bool)]
        prob = sol.tables["kpis_total"].drop_duplicates("scenario").set_index("scenario").probability
        expected = float((outside.period_total * outside.scenario.map(prob)).sum())
        out.append(
            f"  support  {_money(expected, cur)} expected over the horizon (undiscounted), reported outside "
            f"the objective as transfers: {', '.join(sorted(outside.support.unique()))}"
        )
    t = sol.timings
    c = sol.counts
    out.append(
        f"size       {c['variables']:,} variables ({c['integers']:,} integer), "
        f"{c['constraints']:,} constraints, {c['nonzeros']:,} nonzeros"
    )
    out.append(
        f"time       build {t['build']:.2f}s  hand-over {t['handover']:.2f}s  "
        f"solve {t['solve']:.2f}s  extract {t['extract']:.2f}s"
    )

    builds = sol.tables.get("builds", pd.DataFrame())
    out.append("")
    if builds.empty:
        out.append("builds     none")
    else:
        out.append("builds (capacity online, t/yr of activity)")
        g = builds.groupby(["region", "stage", "facility", "year"], as_index=False)[
            ["capacity_added", "capex"]
        ].sum()
        for r in records(g):
            out.append(
                f"  {r.region:<8} {r.stage:<12} {r.facility:<24} {r.year}  "
                f"+{_t(r.capacity_added):>12}  capex {_money(r.capex, cur)}"
            )

    unmet = sol.tables.get("unmet", pd.DataFrame())
    short = unmet[unmet.unmet > 1e-6] if not unmet.empty else unmet
    out.append("")
    if short.empty:
        out.append("shortfalls none: all demand met in every scenario")
    else:
        out.append("shortfalls (unmet demand)")
        g = short.groupby(["scenario", "commodity", "year"], as_index=False)[["unmet", "demand"]].sum()
        for r in records(g.head(30)):
            out.append(f"  {r.scenario:<16} {r.commodity:<16} {r.year}  {_t(r.unmet):>12} of {_t(r.demand)}")
        if len(g) > 30:
            out.append(f"  ... {len(g) - 30} more rows in unmet.csv")

    kpis = sol.tables.get("kpis", pd.DataFrame())
    if not kpis.empty:
        out.append("")
        out.append("controlled-origin share of deliveries, all regions (by commodity, year)")
        out += _share_table(kpis, years)
    regions = (sol.instance_data or {}).get("regions", [])
    controlled = {r["id"] for r in regions if r.get("controlled_origin")}
    kr = sol.tables.get("kpis_region", pd.DataFrame())
    if controlled and not kr.empty:
        outside = kr[~kr.region.isin(controlled)]
        if not outside.empty:
            g = outside.groupby(["scenario", "year", "commodity"], as_index=False)[
                ["controlled", "delivered"]
            ].sum()
            g["controlled_share"] = (g.controlled / g.delivered).where(g.delivered > 0, 0.0)
            out.append("")
            out.append(f"controlled-origin share of deliveries outside {', '.join(sorted(controlled))}")
            out += _share_table(g, years)
    return "\n".join(out)


def _share_table(k: pd.DataFrame, years: list[int] | None) -> list[str]:
    sel = k if not years else k[k.year.isin(years)]
    piv = sel.pivot_table(
        index=["scenario", "commodity"], columns="year", values="controlled_share", aggfunc="first"
    )
    lines = ["  " + " " * 34 + "".join(f"{y:>8}" for y in piv.columns)]
    for key, row in piv.iterrows():
        s, c = (str(x) for x in key) if isinstance(key, tuple) else (str(key), "")
        lines.append(f"  {s[:16]:<16} {c[:16]:<17}" + "".join(f"{v:>8.0%}" for v in row.to_numpy()))
    return lines
