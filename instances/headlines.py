"""Print the README's table of bundled instances: each solved by critmin, with its headline results.

    python instances/headlines.py

Cost is the planner's (the allies' for the rare-earth and gallium instances): money spent (capex, operations,
imports at the exporter's price, transport, net of sales) plus the value of their demand not served (by
end use), expected over scenarios and discounted to 2025. The tail is the mean cost of the worst 10% of
scenario probability (CVaR 0.9), for instances with scenarios. Clear share: the share of the planner's
magnet (gallium: refined gallium) demand met with material free of Chinese-origin content.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin import load_instance, solve
from critmin.model.registry import COST_BY_NAME
from critmin.results.costs import CostBreakdown, cvar
from critmin.results.tables import expected_builds

ROOT = Path(__file__).resolve().parent
INSTANCES = [
    ("demo/demo.yaml", "magnet"),
    ("rare-earths/baseline-2024.yaml", "magnet"),
    ("rare-earths/china-controls-apr2025.yaml", "magnet"),
    ("rare-earths/china-controls-oct2025.yaml", "magnet"),
    ("rare-earths/controls-stochastic.yaml", "magnet"),
    ("rare-earths/controls-cvar.yaml", "magnet"),
    ("rare-earths/allied-frameworks-2025.yaml", "magnet"),
    ("rare-earths/market-shocks-2027.yaml", "magnet"),
    ("gallium/gallium-2024.yaml", "refined"),
]


def scenario_costs(sol) -> pd.Series:
    """Each scenario's planner cost (money spent + value not served), first-stage costs included."""
    c = sol.costs
    planner = [n for n, spec in COST_BY_NAME.items() if spec.category in ("spent", "unserved")]
    c = c[c.component.isin(planner)]
    first = c[c.scenario == "all"].discounted.sum()
    return c[c.scenario != "all"].groupby("scenario").discounted.sum() + first


def tail(sol, alpha: float = 0.9) -> float | None:
    """CVaR_alpha of the scenario costs: the mean of the worst (1 - alpha) probability mass."""
    per = scenario_costs(sol)
    if len(per) < 2:
        return None
    prob = sol.kpis_total.drop_duplicates("scenario").set_index("scenario").probability
    return cvar(per.to_dict(), prob.to_dict(), alpha)


def _expected(sol, stage: str, year: int, column: str, over: str) -> float:
    """Probability-weighted share: sum of column over sum of `over` (allied demand at a stage, in a year)."""
    k = sol.tables["kpis_clear"]
    k = k[(k.stage == stage) & (k.year == year)].merge(
        sol.kpis_total[["scenario", "year", "probability"]].drop_duplicates(), on=["scenario", "year"]
    )
    total = (k.eval(over) * k.probability).sum()
    return float((k[column] * k.probability).sum() / total) if total else float("nan")


def unreached_share(sol, stage: str, year: int) -> float:
    """Share of allied demand met with material China's export controls do not reach."""
    return _expected(sol, stage, year, "unreached", "demand")


def content_share(sol, stage: str, year: int) -> float:
    """Chinese-origin share of the value the allies received (NaN where content is not traced)."""
    return _expected(sol, stage, year, "chinese_content_t", "unreached + reached")


def pct(x: float) -> str:
    return "-" if x != x else f"{x:.0%}"


def main_builds(sol, top: int = 4) -> str:
    """The largest builds per region and stage, expected over the scenarios (recourse builds weighted)."""
    b = expected_builds(sol.builds)
    if b.empty:
        return "none"
    g = b.groupby(["region", "stage"]).capacity_added.sum().sort_values(ascending=False).head(top)
    return ", ".join(
        f"{r} {s} {q / 1000:,.1f} kt" if q >= 1000 else f"{r} {s} {q:,.0f} t" for (r, s), q in g.items()
    )


def bn(x: float) -> str:
    return f"US${x / 1e9:,.1f} bn" if abs(x) >= 1e9 else f"US${x / 1e6:,.0f} m"


def main() -> None:
    print(
        "| instance | planner cost, expected (spent + not served) | of which not served "
        "| worst 10% (CVaR 0.9) | unreached share of demand 2030 / 2035 "
        "| Chinese-origin content 2030 / 2035 | main builds (t/yr, expected) |"
    )
    print("|---|---|---|---|---|---|---|")
    for rel, stage in INSTANCES:
        sol = solve(load_instance(ROOT / rel))
        cb = CostBreakdown.from_parts(sol.objective_parts)
        years = sorted(sol.kpis_total.year.unique())
        y1 = 2030 if 2030 in years else years[-1]
        y2 = 2035 if 2035 in years else years[-1]
        t = tail(sol)
        print(
            f"| `{rel}` | {bn(cb.planner_cost)} ({sol.status}) | {bn(cb.value_unserved)} | "
            f"{bn(t) if t is not None else '-'} | {pct(unreached_share(sol, stage, y1))} ({y1}) / "
            f"{pct(unreached_share(sol, stage, y2))} ({y2}) | {pct(content_share(sol, stage, y1))} / "
            f"{pct(content_share(sol, stage, y2))} | {main_builds(sol)} |"
        )


if __name__ == "__main__":
    main()
