"""The readable text summary printed by `critmin solve` (`critmin.report.format_summary(solution)`).

Costs are shown by what they are (results/costs.py): money spent, the value of demand not served, risk terms
and what lies outside the planner's cost, each named; the one sum shown is named too (the planner's cost).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..results.costs import CostBreakdown, label
from ..results.format import money, share, tonnes
from ..results.tables import expected_builds, records

if TYPE_CHECKING:
    from ..results import Solution

MAX_ROWS = 30


def format_summary(sol: Solution, years: list[int] | None = None) -> str:
    cur = sol.units.get("currency", "")
    out = [
        f"instance   {sol.instance.get('name')}  (sha256 {str(sol.instance.get('sha256'))[:12]})",
        f"status     {sol.status}  ({sol.message})",
    ]
    if not sol.has_solution:
        return "\n".join(out)
    out.append(f"planner    {planner_text(sol)}")
    out += cost_lines(sol, cur)
    t, c = sol.timings, sol.counts
    out.append(
        f"size       {c['variables']:,} variables ({c['integers']:,} integer), "
        f"{c['constraints']:,} constraints, {c['nonzeros']:,} nonzeros"
    )
    out.append(
        f"time       build {t['build']:.2f}s  hand-over {t['handover']:.2f}s  "
        f"solve {t['solve']:.2f}s  extract {t['extract']:.2f}s"
    )
    out += ["", *build_lines(sol, cur), *near_tie_lines(sol, cur), "", *shortfall_lines(sol)]
    out += clear_share_lines(sol, years)
    return "\n".join(out)


def near_tie_lines(sol: Solution, cur: str) -> list[str]:
    """The near-ties `solve --near-ties` found, said as diagnose says them (nothing if none was asked)."""
    if not sol.near_ties:
        return []
    from types import SimpleNamespace

    from ..analysis.diagnose import TIE_HEAD, tie_line

    return ["", TIE_HEAD, *(tie_line(SimpleNamespace(**r), cur) for r in sol.near_ties)]


def planner_text(sol: Solution) -> str:
    planner = (sol.instance_data or {}).get("planner")
    if not planner:
        return "global: every region's costs (the instance names no planner)"
    return f"{planner.get('name', 'planner')}: {', '.join(planner.get('members', []))} (costs to them alone)"


def cost_lines(sol: Solution, cur: str) -> list[str]:
    """Costs by kind, each named; expected over scenarios and discounted to the base year."""
    cb = CostBreakdown.from_parts(sol.objective_parts)
    gap = "-" if sol.gap is None else f"{sol.gap:.4%}"
    whom = "to the planner" if (sol.instance_data or {}).get("planner") else "to all regions"
    out = [
        f"cost       {money(cb.planner_cost, cur)} {whom} = money spent {money(cb.money_spent, cur)} "
        f"+ value of demand not served {money(cb.value_unserved, cur)} (expected, discounted)",
        "  spent    " + _parts(cb.parts["spent"], cur),
        "  unserved " + _parts(cb.parts["unserved"], cur),
    ]
    if any(abs(v) > 0 for v in cb.parts["risk"].values()):
        weight = (sol.instance_data or {}).get("objective", {})
        extra = f" (CVaR weight {weight.get('cvar_weight', 0):g}, level {weight.get('cvar_alpha', 0.9):g})"
        out.append(
            "  risk     " + _parts(cb.parts["risk"], cur) + (extra if "cvar" in cb.parts["risk"] else "")
        )
    if cb.parts["outside"]:
        out.append("  outside  " + _parts(cb.parts["outside"], cur) + " (not the planner's cost)")
    out.append(
        f"objective {money(sol.objective, cur)} minimised (all of the above, with their weights)   "
        f"bound {money(sol.bound, cur)}   gap {gap}"
    )
    out += support_outside_lines(sol, cur)
    out += benchmark_lines(sol)
    return out


def benchmark_lines(sol: Solution) -> list[str]:
    """Each capacity benchmark: the share of its group's consumption its capacity could make, by year
    (expected over scenarios), against the benchmark, and whether the plan was held to it."""
    pol = ((sol.instance_data or {}).get("policies") or {}).get("capacity_benchmarks") or []
    out = []
    for p in pol:
        reached = {
            int(k.rsplit(":", 1)[1]): v
            for k, v in sol.metrics.items()
            if k.startswith(f"benchmark:{p['id']}:")
        }
        if not reached:
            continue
        years = ", ".join(f"{y} {v:.0%}" for y, v in sorted(reached.items()))
        held = "enforced" if p.get("enforce", True) else "reported only"
        out.append(
            f"  benchmark {p['id']} ({p['stage']} capacity in {', '.join(p['regions'])} for "
            f"{p['commodity']}): {years} of consumption; benchmark {p['share']:.0%} ({held})"
        )
    return out


def _parts(parts: dict[str, float], cur: str) -> str:
    shown = [f"{label(k)} {money(v, cur)}" for k, v in parts.items() if abs(v) > 1e-9 * max(1.0, abs(v))]
    return ", ".join(shown) or "none"


def support_outside_lines(sol: Solution, cur: str) -> list[str]:
    sup = sol.tables.get("support", pd.DataFrame())
    if sup.empty or not (~sup.in_objective.astype(bool)).any():
        return []
    outside = sup[~sup.in_objective.astype(bool)]
    prob = sol.tables["kpis_total"].drop_duplicates("scenario").set_index("scenario").probability
    expected = float((outside.period_total * outside.scenario.map(prob)).sum())
    return [
        f"  support  {money(expected, cur)} expected over the horizon (undiscounted), reported outside the "
        f"objective as transfers: {', '.join(sorted(outside.support.unique()))}"
    ]


def build_lines(sol: Solution, cur: str) -> list[str]:
    """Builds by facility and online year; a recourse build (decided for some scenarios only) on its own line
    with the scenarios it is for, so capacity is never summed across alternatives."""
    builds = sol.tables.get("builds", pd.DataFrame())
    if builds.empty:
        return ["builds     none"]
    if "branch" not in builds:
        builds = builds.assign(branch="all")
    recourse = bool((builds.branch != "all").any())
    out = [
        "builds (capacity online, t/yr of activity"
        + ("; recourse builds name their scenarios)" if recourse else ")")
    ]
    keys = ["region", "stage", "facility", "year", "branch"]
    g = builds.groupby(keys, as_index=False, sort=False)[["capacity_added", "capex"]].sum()
    # the same build in several branches is one line naming them all (no name when that is every scenario)
    g = g.assign(size=g.capacity_added.round(3))
    g = g.groupby([*keys[:4], "size"], as_index=False, sort=False).agg(
        capacity_added=("capacity_added", "first"), capex=("capex", "first"), branch=("branch", "+".join)
    )
    every = set(sol.tables["kpis_total"].scenario.unique()) if "kpis_total" in sol.tables else set()
    g = g.sort_values([*keys[:4], "branch"], kind="stable")
    for r in records(g):
        named = set(r.branch.split("+")) - {"all"}
        where = f"  if {', '.join(sorted(named))}" if named and named != every else ""
        out.append(
            f"  {r.region:<8} {r.stage:<12} {r.facility:<24} {r.year}  "
            f"+{tonnes(r.capacity_added):>12}  capex {money(r.capex, cur)}{where}"
        )
    out += financing_lines(builds, sol, cur)
    return out


def financing_lines(builds: pd.DataFrame, sol: Solution, cur: str) -> list[str]:
    """The cost of capital apart from capex: the rates builds pay, and what paying them above the discount
    rate adds per year once all are online (expected over scenarios)."""
    if "cost_of_capital" not in builds or builds.empty:
        return []
    rates = sorted(set(builds.cost_of_capital.round(4)))
    disc = float(((sol.instance_data or {}).get("horizon") or {}).get("discount_rate", 0.0))
    extra = float(expected_builds(builds).financing_per_year.sum())
    if abs(extra) < 1e-6 and all(abs(r - disc) < 1e-9 for r in rates):
        return []  # every build pays the discount rate: nothing to say apart from capex
    shown = ", ".join(f"{r:.0%}" if abs(r * 100 - round(r * 100)) < 1e-9 else f"{r:.1%}" for r in rates)
    return [
        f"  finance  capex annualised at {shown} real (cost of capital; costs discounted at {disc:.0%}): "
        f"{money(extra, cur)} a year above an annuity at the discount rate, expected (builds table: "
        "cost_of_capital, financing_per_year)"
    ]


def shortfall_lines(sol: Solution) -> list[str]:
    """Demand not served, with its place: region, end use (or compliance class), year and scenario."""
    unmet = sol.tables.get("unmet", pd.DataFrame())
    if unmet.empty:
        return ["shortfalls none: all demand met in every scenario"]
    unmet = unmet.assign(short=unmet.unmet + unmet.get("forgone", 0.0))
    short = unmet[unmet.short > 1e-6]
    if short.empty:
        return ["shortfalls none: all demand met in every scenario"]
    use = short.end_use.where(short.end_use.astype(str) != "", short.compliance)
    short = short.assign(use=use)
    keys = ["scenario", "region", "commodity", "use", "year"]
    g = short.groupby(keys, as_index=False)[["short", "forgone", "demand"]].sum()
    g = g.sort_values(["short", *keys], ascending=[False] + [True] * len(keys), kind="stable")
    out = ["shortfalls (t/yr not served, largest first: scenario, region, commodity, end use or class, year)"]
    ws = max([16, *(len(str(x)) for x in g.scenario)])
    wu = max([12, *(len(str(x)) for x in g.use)])
    for r in records(g.head(MAX_ROWS)):
        forgone = f" ({tonnes(r.forgone)} forgone at its price)" if r.forgone > 1e-6 else ""
        out.append(
            f"  {r.scenario:<{ws}} {r.region:<6} {r.commodity:<12} {str(r.use):<{wu}} {r.year}  "
            f"{tonnes(r.short):>12} of {tonnes(r.demand)}{forgone}"
        )
    if len(g) > MAX_ROWS:
        out.append(f"  ... {len(g) - MAX_ROWS} more rows (unmet table; `critmin diagnose` sorts them too)")
    return out


def clear_share_lines(sol: Solution, years: list[int] | None) -> list[str]:
    """Allied demand by stage and year, two tests kept apart: the share met with material China's controls do
    not reach, and the Chinese-origin share of the value delivered (what buyers' origin rules test)."""
    kc = sol.tables.get("kpis_clear", pd.DataFrame())
    if kc.empty:
        return []
    sel = kc if not years else kc[kc.year.isin(years)]
    allies = (
        "the planner's regions"
        if (sol.instance_data or {}).get("planner")
        else "regions not of controlled origin"
    )
    out: list[str] = []
    titles = (
        ("unreached_share", f"allied demand met with material China's controls do not reach (share of demand "
         f"in {allies})"),
        ("chinese_content_share", "Chinese-origin content of what the allies received, traced through every "
         "stage (share of its value; '-': not traced that year)"),
    )  # fmt: skip
    for column, title in titles:
        piv = sel.pivot_table(index=["scenario", "stage"], columns="year", values=column, aggfunc="first",
                              dropna=False)  # fmt: skip
        keys = [tuple(str(x) for x in k) if isinstance(k, tuple) else (str(k), "") for k in piv.index]
        ws = max([16, *(len(k[0]) for k in keys)])
        wt = max([12, *(len(k[1]) for k in keys)])
        out += ["", title, "  " + " " * (ws + wt + 2) + "".join(f"{int(y):>8}" for y in piv.columns)]
        for (s, st), (_key, row) in zip(keys, piv.iterrows(), strict=True):
            out.append(f"  {s:<{ws}} {st:<{wt}} " + "".join(f"{share(v):>8}" for v in row.to_numpy()))
    return out
