"""Why is demand short, and what binds? Or, for an infeasible instance, which constraints conflict?

For a solvable instance: shortfalls by commodity, region and year; binding constraints with their shadow
prices from the LP with the integer builds fixed at their optimal values; and builds that lead times keep
out of a short year. For an infeasible one: an irreducible infeasible subset (IIS) of the LP relaxation
from HiGHS, named with the instance's own entities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy
import pandas as pd
import pyomo.environ as pyo

from .model import build_model, model_data
from .model.data import ModelData
from .schema import Instance
from .solve import INFEASIBLE, SolveOptions, configured_highs, run_highs, to_highs

# Families whose rows are "levers" worth reporting when they bind.
LEVER_FAMILIES = (
    "capacity_limit",
    "build_limit",
    "export_limit",
    "min_bloc_share",
    "max_supplier_share",
    "min_service",
    "budget_limit",
    "demand_met",
)
MONEY_ROWS = ("budget_limit",)


def _demand_text(md: ModelData, i: int) -> str:
    d = md.demand[int(i)]
    return f"demand row {i}: {d.region} {d.commodity} {d.year} {d.compliance}"


def describe(name: str, index: tuple, md: ModelData) -> str:
    """A sentence naming the entities of a constraint or variable, for people rather than solvers."""
    ix = list(index) if isinstance(index, tuple) else [index]
    try:
        match name:
            case "capacity_limit":
                return f"capacity of facility {ix[0]} in {ix[1]} (scenario {ix[2]})"
            case "build_limit":
                return f"maximum build of option {ix[0]}"
            case "balance":
                return f"balance of {ix[1]} ({ix[2]}) in {ix[0]}, {ix[3]} (scenario {ix[4]})"
            case "demand_met":
                return f"{_demand_text(md, ix[0])} (scenario {ix[1]})"
            case "export_limit":
                return f"export control {ix[0]} in {ix[1]} (scenario {ix[2]})"
            case "min_bloc_share":
                return f"minimum bloc share {ix[0]} on {ix[1]} in {ix[2]} (scenario {ix[3]})"
            case "max_supplier_share":
                return f"maximum share {ix[0]} of {ix[1]} from {ix[2]} in {ix[3]} (scenario {ix[4]})"
            case "min_service":
                return f"service level {ix[0]} on {_demand_text(md, ix[1])} (scenario {ix[2]})"
            case "budget_limit":
                return f"capex budget {ix[0]}"
            case "activity":
                return f"activity of {ix[0]} ({ix[1]} input) in {ix[2]} (scenario {ix[3]})"
            case "ship":
                return f"shipments of {ix[0]} ({ix[3]}) {ix[1]} -> {ix[2]} in {ix[4]} (scenario {ix[5]})"
            case "deliver":
                return f"{ix[1]} deliveries to {_demand_text(md, ix[0])} (scenario {ix[2]})"
            case "unmet":
                return f"shortfall of {_demand_text(md, ix[0])} (scenario {ix[1]})"
            case "build_capacity" | "build_modules":
                return f"build of option {ix[0]} online in {ix[1]}"
    except (IndexError, ValueError):
        pass
    return f"{name}[{','.join(map(str, ix))}]"


@dataclass
class Diagnosis:
    status: str
    message: str
    shortfalls: pd.DataFrame = field(default_factory=pd.DataFrame)
    binding: pd.DataFrame = field(default_factory=pd.DataFrame)
    lead_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    iis: pd.DataFrame = field(default_factory=pd.DataFrame)
    currency: str = ""

    @property
    def infeasible(self) -> bool:
        return self.status == INFEASIBLE

    def to_text(self, top: int = 15) -> str:
        out = [f"status     {self.status}  ({self.message})"]
        if self.infeasible:
            out.append("")
            if self.iis.empty:
                out.append("no irreducible infeasible subset found")
            else:
                out.append("irreducible infeasible subset (relax any one of these and the conflict goes):")
                for r in self.iis.itertuples():
                    out.append(f"  {r.kind:<10} {r.description}   [{r.component}{r.bound}]")
            return "\n".join(out)
        out.append("")
        if self.shortfalls.empty:
            out.append("shortfalls none")
        else:
            out.append("shortfalls (t/yr unmet, by scenario, commodity, region, year)")
            for r in self.shortfalls.head(top).itertuples():
                out.append(
                    f"  {r.scenario:<16} {r.commodity:<14} {r.region:<8} {r.year}  "
                    f"{r.unmet:>12,.1f} of {r.demand:,.1f}"
                )
        out.append("")
        if self.binding.empty:
            out.append("binding constraints none")
        else:
            out.append(
                f"binding constraints (shadow price: change in the expected discounted cost, "
                f"{self.currency}, per unit the bound is raised; LP with integer builds fixed)"
            )
            for r in self.binding.head(top).itertuples():
                out.append(f"  {r.family:<18} {r.description:<60} {r.shadow_price:>14,.2f} {r.unit}")
            if len(self.binding) > top:
                out.append(f"  ... {len(self.binding) - top} more")
        if not self.lead_time.empty:
            out.append("")
            out.append("builds that lead times keep out of short years")
            for r in self.lead_time.head(top).itertuples():
                out.append(
                    f"  {r.option:<24} ({r.facility}, {r.region}) earliest online "
                    f"{r.earliest_online}, short in {r.short_year} ({r.commodity})"
                )
        return "\n".join(out)


def diagnose(
    instance: Instance, *, scenario: str | None = None, options: SolveOptions | None = None
) -> Diagnosis:
    """Solve, then explain shortfalls and binding constraints; or name the IIS of an infeasible instance."""
    from .solve import solve

    opts = options or SolveOptions()
    model = build_model(instance, scenario=scenario)
    md = model_data(model)
    sol = solve(model=model, options=opts)
    cur = instance.units.currency
    if sol.status == INFEASIBLE:
        return Diagnosis(sol.status, sol.message, iis=irreducible_infeasible_subset(model, md), currency=cur)
    if not sol.has_solution:
        return Diagnosis(sol.status, sol.message, currency=cur)
    short = sol.unmet[sol.unmet.unmet > 1e-6]
    shortfalls = (
        short.groupby(["scenario", "commodity", "region", "year"], as_index=False)[["unmet", "demand"]]
        .sum()
        .sort_values(["scenario", "commodity", "region", "year"])
    )
    binding = binding_constraints(model, md, opts)
    return Diagnosis(
        sol.status,
        sol.message,
        shortfalls=shortfalls,
        binding=binding,
        lead_time=lead_time_blocks(md, shortfalls),
        currency=cur,
    )


def binding_constraints(model: pyo.ConcreteModel, md: ModelData, opts: SolveOptions) -> pd.DataFrame:
    """Shadow prices of lever constraints from the LP with integer builds fixed at their solution values."""
    fixed = []
    for v in model.build_modules.values():
        if not v.fixed:
            v.fix(round(v.value or 0))
            fixed.append(v)
    try:
        run = run_highs(model, SolveOptions(threads=opts.threads, seed=opts.seed))
    finally:
        for v in fixed:
            v.unfix()
    rows = []
    if run.row_duals is None:
        return pd.DataFrame(columns=["family", "constraint", "description", "shadow_price", "unit"])
    per_t = md.m / md.q
    for (con, _sense), dual in zip(run.rows, run.row_duals, strict=True):
        if abs(dual) <= 1e-9:
            continue
        family = con.parent_component().local_name
        if family not in LEVER_FAMILIES:
            continue
        money = family in MONEY_ROWS
        price = dual if money else dual * per_t
        unit = f"per {md.inst.units.currency}" if money else f"{md.inst.units.currency}/t"
        rows.append(
            {
                "family": family,
                "constraint": con.name,
                "description": describe(family, con.index(), md),
                "shadow_price": price,
                "unit": unit,
            }
        )
    df = pd.DataFrame(rows, columns=["family", "constraint", "description", "shadow_price", "unit"])
    if not df.empty:
        # levers a planner can pull (capacity, controls, policies) first, then the marginal value of demand
        order = df.assign(_demand=df.family == "demand_met", _abs=-df.shadow_price.abs())
        df = df.loc[order.sort_values(["_demand", "_abs"]).index].reset_index(drop=True)
    return df


def lead_time_blocks(md: ModelData, shortfalls: pd.DataFrame) -> pd.DataFrame:
    """Build options on the short commodity's chain that cannot be online by a short year."""
    cols = ["option", "facility", "region", "commodity", "short_year", "earliest_online"]
    if shortfalls.empty:
        return pd.DataFrame(columns=cols)
    makers: dict[str, set[str]] = {}
    for f in md.inst.facilities:
        for c in f.outputs:
            makers.setdefault(c, set()).add(f.id)

    def chain(c: str, seen: set[str]) -> set[str]:
        facs = set()
        for f in makers.get(c, ()):
            facs.add(f)
            for c_in in md.facility[f].inputs:
                if c_in not in seen:
                    seen.add(c_in)
                    facs |= chain(c_in, seen)
        return facs

    first_online: dict[str, int] = {}
    for o, t in md.build_keys:
        first_online[o] = min(first_online.get(o, t), t)
    rows = []
    for (c, y), _ in shortfalls.groupby(["commodity", "year"]):
        for f in sorted(chain(c, {c})):
            for opt in md.inst.build_options:
                if opt.facility == f and first_online.get(opt.id, 10**6) > y:
                    rows.append(
                        {
                            "option": opt.id,
                            "facility": f,
                            "region": md.region_of[f],
                            "commodity": c,
                            "short_year": y,
                            "earliest_online": first_online.get(opt.id),
                        }
                    )
    return pd.DataFrame(rows, columns=cols)


def irreducible_infeasible_subset(model: pyo.ConcreteModel, md: ModelData) -> pd.DataFrame:
    """HiGHS's IIS of the LP relaxation, rows and bounds named by entity."""
    lp, info = to_highs(model)
    lp.integrality_ = []
    h = configured_highs(SolveOptions())
    h.setOptionValue("iis_strategy", 4)  # find a true (irreducible) IIS
    h.passModel(lp)
    status, iis = h.getIis()
    rows: list[dict[str, Any]] = []
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return pd.DataFrame(columns=["kind", "component", "description", "bound"])
    # highspy.IisBoundStatus: 2 lower, 3 upper, 4 boxed (both)
    bound_text = {2: " (lower bound)", 3: " (upper bound)", 4: " (both bounds)"}
    for r, b in zip(iis.row_index_, iis.row_bound_, strict=True):
        con = info.rows[r].constraint
        fam = con.parent_component().local_name
        rows.append(
            {
                "kind": "constraint",
                "component": con.name,
                "description": describe(fam, con.index(), md),
                "bound": bound_text.get(int(b), ""),
            }
        )
    for c, b in zip(iis.col_index_, iis.col_bound_, strict=True):
        var = info.columns[c]
        fam = var.parent_component().local_name
        rows.append(
            {
                "kind": "variable",
                "component": var.name,
                "description": describe(fam, var.index(), md),
                "bound": bound_text.get(int(b), ""),
            }
        )
    return pd.DataFrame(rows, columns=["kind", "component", "description", "bound"])
