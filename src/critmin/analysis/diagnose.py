"""Why is demand short, and what binds? Or, for an infeasible instance, which constraints conflict?

For a solvable instance: shortfalls by scenario, commodity, region and year; binding constraints with
their shadow prices from the LP with the integer builds fixed at their optimal values; and builds that lead
times keep out of a short year. For an infeasible one: an irreducible infeasible subset (IIS) of the LP
relaxation from HiGHS. Everything runs on the model's arrays; rows and columns are named by entity through
the registry (`registry.describe`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..backend.result import INFEASIBLE, ModelResult
from ..backend.session import Session, fixed_integer_lp, infeasible_subset
from ..io.output import atomic_directory
from ..io.tables import write_tables
from ..model.builder import ModelArrays, label
from ..model.data import ModelData
from ..model.registry import CONSTRAINT_BY_NAME, describe
from ..results.format import column_unit, money, number, tonnes, year
from ..results.tables import records
from ..schema import Instance

BINDING_COLUMNS = ["family", "constraint", "description", "shadow_price", "unit"]


@dataclass
class Diagnosis:
    status: str
    message: str
    shortfalls: pd.DataFrame = field(default_factory=pd.DataFrame)
    binding: pd.DataFrame = field(default_factory=pd.DataFrame)
    lead_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    iis: pd.DataFrame = field(default_factory=pd.DataFrame)
    near_ties: pd.DataFrame = field(default_factory=pd.DataFrame)
    currency: str = ""

    @property
    def infeasible(self) -> bool:
        return self.status == INFEASIBLE

    def to_text(self, top: int = 15) -> str:
        """The diagnosis as text; `top` rows per section (0: all), the rest counted, never cut silently."""
        out = [f"status     {self.status}  ({self.message})"]
        if self.infeasible:
            out.append("")
            if self.iis.empty:
                out.append("no irreducible infeasible subset found")
            else:
                out.append("irreducible infeasible subset (relax any one of these and the conflict goes):")
                out += [
                    f"  {r.kind:<10} {r.description}   [{r.component}{r.bound}]" for r in records(self.iis)
                ]
            return "\n".join(out)
        out += ["", *_section(self.shortfalls, top, "shortfalls", _SHORT_HEAD, _short_line)]
        head = (
            "binding constraints (shadow price: change in the expected discounted cost, "
            f"{self.currency}, per unit the bound is raised; LP with integer builds fixed)"
        )
        out += ["", *_section(self.binding, top, "binding constraints", head, _binding_line)]
        if not self.lead_time.empty:
            out += ["", *_section(self.lead_time, top, "", _LEAD_HEAD, _lead_line)]
        if not self.near_ties.empty:
            line = functools.partial(tie_line, cur=self.currency)
            out += ["", *_section(self.near_ties, top, "", TIE_HEAD, line)]
        return "\n".join(out)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"shortfalls": self.shortfalls, "binding": self.binding, "lead_time": self.lead_time,
                "iis": self.iis, "near_ties": self.near_ties}  # fmt: skip

    def write(
        self, directory: str | Path, *, fmt: str = "csv", force: bool = False, protect: tuple[Path, ...] = ()
    ) -> Path:
        """The diagnosis as tables (shortfalls, binding, lead_time, iis) in `fmt`, and diagnosis.txt."""
        cur = self.currency
        with atomic_directory(Path(directory), kind="diagnosis", force=force, protect=protect) as d:
            (d / "diagnosis.txt").write_text(self.to_text(top=0) + "\n")
            summary = [("status", self.status, ""), ("message", self.message, ""), ("currency", cur, "")]
            write_tables(d, self.tables(), fmt, units=lambda c: column_unit(c, "t", cur), summary=summary)
        return Path(directory)


_SHORT_HEAD = "shortfalls (t/yr not served: unmet, or forgone at its price; largest first)"
_LEAD_HEAD = "builds that lead times keep out of short years"
NEAR_TIE = 1e-3  # an alternative build within this share of the plan's variable cost is a near-tie
TIE_HEAD = (
    f"near-ties: one module more or fewer of a build costs within {NEAR_TIE:.1%} of the plan's variable cost "
    "(the other builds fixed, operations re-optimised): a choice the data barely decide"
)


def tie_line(r: Any, cur: str) -> str:
    return (
        f"  {r.option} {r.year} ({r.branch}): {r.alternative} costs {money(r.cost_change, cur)} more "
        f"({r.share_of_variable_cost:.3%})"
    )


def _short_line(r: Any) -> str:
    return (
        f"  {r.scenario:<16} {r.commodity:<14} {r.region:<8} {year(r.year)}  {tonnes(r.short):>12} "
        f"of {tonnes(r.demand)}"
        + (f" ({tonnes(r.forgone)} forgone at its price)" if r.forgone > 1e-6 else "")
    )


def _binding_line(r: Any) -> str:
    if str(r.unit).startswith("per "):  # a price per unit of money: a plain number
        return f"  {r.family:<18} {r.description:<60} {number(r.shadow_price):>14} {r.unit}"
    cur, _, per = str(r.unit).partition("/")
    return f"  {r.family:<18} {r.description:<60} {money(r.shadow_price, cur):>16}/{per}"


def _lead_line(r: Any) -> str:
    return (
        f"  {r.option:<24} ({r.facility}, {r.region}) earliest online {r.earliest_online}, "
        f"short in {r.short_year} ({r.commodity})"
    )


def _section(df: pd.DataFrame, top: int, name: str, head: str, line: Callable[[Any], str]) -> list[str]:
    if df.empty:
        return [f"{name} none"] if name else []
    shown = df if top <= 0 else df.head(top)
    out = [head, *(line(r) for r in records(shown))]
    if len(df) > len(shown):
        out.append(f"  ... {len(df) - len(shown)} more (--top 0 shows all; -o writes them all as CSV)")
    return out


def diagnose(
    instance: Instance,
    *,
    scenario: str | None = None,
    options: SolveOptions | None = None,
    engine: str = "matrix",
) -> Diagnosis:
    """Solve, then explain shortfalls and binding constraints; or name the IIS of an infeasible instance."""
    from ..results.solution import Solution
    from ..solving import solve_result

    opts = options or SolveOptions()
    result = solve_result(instance, scenario=scenario, options=opts, engine=engine)
    md = result.arrays.md
    cur = instance.units.currency
    if result.status == INFEASIBLE:
        iis = irreducible_infeasible_subset(result.arrays)
        return Diagnosis(result.status, result.message, iis=iis, currency=cur)
    if not result.has_solution:
        return Diagnosis(result.status, result.message, currency=cur)
    sol = Solution.from_result(result, opts)
    u = sol.unmet.assign(short=sol.unmet.unmet + sol.unmet.forgone)  # as `solve` reports them
    short = u[u.short > 1e-6]
    keys = ["scenario", "commodity", "region", "year"]
    shortfalls = short.groupby(keys, as_index=False)[["short", "unmet", "forgone", "demand"]].sum()
    order = ["short", *keys]  # largest first: what a planner reads first
    shortfalls = shortfalls.sort_values(order, ascending=[False] + [True] * len(keys), kind="stable")
    return Diagnosis(
        result.status,
        result.message,
        shortfalls=shortfalls.reset_index(drop=True),
        binding=binding_constraints(result, opts),
        lead_time=lead_time_blocks(md, shortfalls),
        near_ties=near_ties(result, opts),
        currency=cur,
    )


def near_ties(
    result: ModelResult, opts: SolveOptions, share: float = NEAR_TIE, top: int = 10
) -> pd.DataFrame:
    """Modular builds whose alternative (one module more, or one fewer) costs within `share` of the plan's
    variable cost. Candidates come from the reduced costs of the LP with integer builds fixed (a lower bound
    on each change); each of the `top` cheapest is then re-solved with that one module changed and the other
    builds fixed, so the cost reported is that of a plan that exists."""
    arrays, md = result.arrays, result.arrays.md
    columns = ["option", "year", "branch", "modules", "alternative", "cost_change", "share_of_variable_cost"]
    if not arrays.integer.any() or result.x is None or result.objective is None:
        return pd.DataFrame(columns=columns)
    lp = fixed_integer_lp(result, opts)
    if lp.row_duals is None or lp.objective is None:
        return pd.DataFrame(columns=columns)
    variable = abs(lp.objective - arrays.offset) or 1.0
    block = arrays.col_block("build_modules")
    pos = np.arange(block.start, block.stop)
    reduced = arrays.c[pos] - arrays.A[:, pos].T @ lp.row_duals
    x = np.round(result.x[pos])
    cands = []
    for j, (rc, k) in enumerate(zip(reduced, x, strict=True)):
        if k + 1 <= arrays.col_upper[pos[j]] and rc <= share * variable:
            cands.append((max(rc, 0.0), j, +1))
        if k - 1 >= arrays.col_lower[pos[j]] and -rc <= share * variable:
            cands.append((max(-rc, 0.0), j, -1))
    rows = []
    for _bound, j, step in sorted(cands)[:top]:
        lo, up = arrays.col_lower.copy(), arrays.col_upper.copy()
        ints = arrays.integer
        lo[ints] = up[ints] = np.round(result.x[ints])
        lo[pos[j]] = up[pos[j]] = x[j] + step
        alt = Session(replace(arrays, col_lower=lo, col_upper=up, integer=np.zeros(len(lo), dtype=bool),
                              cache={}), opts).solve()  # fmt: skip
        if alt.objective is None:
            continue  # that module cannot be added or removed on its own (e.g. a build rate binds)
        change = (alt.objective - lp.objective) * md.m
        if change > share * variable * md.m:
            continue
        o, y, br = block.keys[j]
        rows.append({"option": o, "year": y, "branch": br, "modules": int(x[j]),
                     "alternative": "one more module" if step > 0 else "one module fewer",
                     "cost_change": change, "share_of_variable_cost": change / md.m / variable})  # fmt: skip
    df = pd.DataFrame(rows, columns=columns)
    return df.sort_values("cost_change", kind="stable").reset_index(drop=True)


def binding_constraints(result: ModelResult, opts: SolveOptions) -> pd.DataFrame:
    """Shadow prices of lever rows (registry: `lever`) from the LP with integer builds fixed."""
    arrays, md = result.arrays, result.arrays.md
    lp = (
        result
        if not arrays.integer.any() and result.row_duals is not None
        else fixed_integer_lp(result, opts)
    )
    if lp.row_duals is None:
        return pd.DataFrame(columns=BINDING_COLUMNS)
    per_t = md.m / md.q
    cur = md.inst.units.currency
    rows: list[dict[str, Any]] = []
    for block in arrays.rows:
        spec = CONSTRAINT_BY_NAME[block.name]
        if not spec.lever:
            continue
        duals = lp.row_duals[block.start : block.stop]
        for i in np.nonzero(np.abs(duals) > 1e-9)[0]:
            key = block.keys[i]
            money = spec.dual == "per_money"
            rows.append(
                {
                    "family": block.name,
                    "constraint": label(block.name, key),
                    "description": describe(block.name, key, md),
                    "shadow_price": float(duals[i]) if money else float(duals[i]) * per_t,
                    "unit": f"per {cur}" if money else f"{cur}/t",
                }
            )
    df = pd.DataFrame(rows, columns=BINDING_COLUMNS)
    if not df.empty:
        # levers a planner can pull (capacity, controls, policies) first, then the marginal value of demand
        order = df.assign(_demand=df.family == "demand_met", _abs=-df.shadow_price.abs())
        df = df.loc[order.sort_values(["_demand", "_abs"], kind="stable").index].reset_index(drop=True)
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
    for o, t, _branch in md.build_keys:
        first_online[o] = min(first_online.get(o, t), t)
    rows = []
    pairs = shortfalls[["commodity", "year"]].drop_duplicates().sort_values(["commodity", "year"])
    for c, y in zip(pairs.commodity.astype(str), pairs.year.astype(int), strict=True):
        for fac in sorted(chain(c, {c})):
            for opt in md.inst.build_options:
                if opt.facility == fac and first_online.get(opt.id, 10**6) > y:
                    rows.append((opt.id, fac, md.region_of[fac], c, y, first_online.get(opt.id)))
    return pd.DataFrame(rows, columns=cols)


def irreducible_infeasible_subset(arrays: ModelArrays) -> pd.DataFrame:
    """HiGHS's IIS of the LP relaxation, rows and bounds named by entity."""
    cols = ["kind", "component", "description", "bound"]
    bound_text = {2: " (lower bound)", 3: " (upper bound)", 4: " (both bounds)"}  # highspy.IisBoundStatus
    iis_rows, iis_cols = infeasible_subset(arrays)
    rows: list[tuple[str, str, str, str]] = []
    for r, b in iis_rows:
        fam, key = arrays.locate_row(r)
        rows.append(("constraint", label(fam, key), describe(fam, key, arrays.md), bound_text.get(b, "")))
    for c, b in iis_cols:
        fam, key = arrays.locate_col(c)
        rows.append(("variable", label(fam, key), describe(fam, key, arrays.md), bound_text.get(b, "")))
    return pd.DataFrame(rows, columns=cols)
