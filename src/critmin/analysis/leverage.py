"""Leverage: what a Chinese export ban would cost the allies with today's network and with the planned one,
by the year it starts — how much building alternatives takes the sting out of the threat — and China's
export revenue at risk under each of the instance's control scenarios.

Damage = the planner's cost (money spent + value of demand not served) with every controlled-origin region
shipping nothing to anyone else from the start year, minus the same network's cost without the ban; both
with the network fixed, so only operations (stockpiles, other supply, substitution, going without) respond.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..backend.highs import SolveOptions
from ..errors import CritminError, NoPlanError
from ..results.format import money, plus_minus
from ..schema import Instance
from .jobs import Job, Outcome, reference_scenario, require_controlled_origin
from .output import AnalysisResult
from .sweep import Engine, Progress, run_jobs


def _cost(o: Outcome, what: str, instance: Instance | None = None) -> float:
    if o.planner_cost is None:
        hint = ""
        if instance is not None and instance.deals:
            ids = ", ".join(d.id for d in instance.deals)
            hint = (
                "; a hard requirement cannot be met on this network (a service level, an offtake, a stock "
                f"cover); try switching off the deal that brings it with --deal-off ({ids}), or "
                "`critmin diagnose` the instance"
            )
        raise NoPlanError(f"{what}: no plan ({o.status}) {o.message}{hint}", status=o.status)
    return o.planner_cost


def leverage(
    instance: Instance,
    *,
    plan: tuple[tuple[str, int, float, str], ...] | None = None,
    starts: Sequence[int] = (),
    scenario: str | None = None,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Damage of a ban by start year (today's vs the planned network) and China's export revenue by scenario.
    `plan`: the planned network (default: the instance's own optimal plan over all its scenarios)."""
    from ..model.data import compile_instance

    ref = reference_scenario(instance, scenario)
    require_controlled_origin(instance, "leverage")
    years = list(compile_instance(instance, scenario=ref).years)
    start_years = list(starts) or years
    wrong = [y for y in start_years if y not in years]
    if wrong:
        raise CritminError(f"start year {wrong[0]} is not a modelled year ({', '.join(map(str, years))})")
    (planned,) = run_jobs(instance, [Job("plan")], options=options)  # the instance as given: all scenarios
    if not planned.ok:
        raise NoPlanError(
            f"{instance.name} has no plan ({planned.status}): {planned.message}", status=planned.status
        )
    network = {"today": (), "planned": plan if plan is not None else planned.builds}
    jobs = []
    for name, builds in network.items():
        jobs.append(Job(f"{name}:none", scenario=ref, builds=builds))
        jobs += [Job(f"{name}:{y}", scenario=ref, builds=builds, ban_from=y) for y in start_years]
    outs = {o.key: o for o in run_jobs(instance, jobs, options=options, engine=engine, progress=progress)}
    rows = []
    for y in start_years:
        row: dict[str, object] = {"ban_from": y}
        for name in network:
            base = _cost(outs[f"{name}:none"], f"{name}'s network without a ban", instance)
            hit = outs[f"{name}:{y}"]
            row[f"damage_{name}"] = _cost(hit, f"{name}'s network, ban from {y}", instance) - base
            # the interval the solver's bounds guarantee (0 when both solves are proven or LPs)
            row[f"damage_{name}_bound_error"] = hit.bound_gap + outs[f"{name}:none"].bound_gap
            row[f"unmet_tonnes_{name}"] = (hit.expected_unmet or 0.0) - (
                outs[f"{name}:none"].expected_unmet or 0.0
            )
        row["damage_avoided"] = float(row["damage_today"]) - float(row["damage_planned"])  # type: ignore[arg-type]
        rows.append(row)
    damage = pd.DataFrame(rows)
    revenue = _revenue(planned, ref)
    cur = instance.units.currency
    first = damage.iloc[0]
    headline = [
        f"a ban from {int(first.ban_from)} would cost the allies {money(first.damage_today, cur)}"
        f"{plus_minus(first.damage_today_bound_error, cur)} with today's network and "
        f"{money(first.damage_planned, cur)}{plus_minus(first.damage_planned_bound_error, cur)} "
        "with the planned one",
    ]
    if not revenue.empty:
        worst = revenue.sort_values("revenue_at_risk", ascending=False).iloc[0]
        headline.append(
            f"China's export revenue at risk: up to {money(worst.revenue_at_risk, cur)} over the horizon "
            f"(scenario {worst.scenario}); a negative value means China earns more in that scenario"
        )
    return AnalysisResult(
        kind="leverage",
        title=f"Leverage of a Chinese export ban: {instance.name}" + (f" (scenario {ref})" if ref else ""),
        method="Network fixed (today's: no new builds; planned: the plan's builds); a ban stops every "
        "controlled-origin region's exports from its start year; operations re-optimised",
        facts={"scenario": ref, "plan_builds": len(network["planned"])},
        tables={"damage": damage, "china_revenue": revenue},
        currency=cur,
        assumptions=[
            "a ban stops all shipments from controlled-origin regions to other regions (every commodity, "
            "every stage)",
            "damage is the discounted planner cost over the whole horizon, as in the objective",
            "China's revenue: its exports at the importer's price (the commodity's list price where the "
            "planner does not buy them), undiscounted, in the stochastic plan of the instance",
        ],
        headline=headline,
    )


def _revenue(planned: Outcome, ref: str | None) -> pd.DataFrame:
    if not planned.exports:
        return pd.DataFrame(
            columns=["scenario", "probability", "exports_tonnes", "revenue", "revenue_at_risk", "why"]
        )
    base_s = ref if ref in planned.exports else next(iter(planned.exports))
    base_t, base_v = planned.exports[base_s]
    rows = []
    for s, (t, v) in planned.exports.items():
        if s == base_s:
            why = "the reference"
        elif v > base_v:
            why = (
                "China earns more: its controls raise its export prices more than they cut its volumes"
                if t < base_t
                else "China earns more: it exports more at higher prices"
            )
        else:
            why = "China earns less: it exports less" + (" at higher prices" if t < base_t and v > 0 else "")
        rows.append({"scenario": s, "probability": planned.probability[s], "exports_tonnes": t, "revenue": v,
                     "revenue_at_risk": base_v - v, "why": why})  # fmt: skip
    return pd.DataFrame(rows)
