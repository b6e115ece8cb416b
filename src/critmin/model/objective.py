"""The objective's cost components, each written once as (column, annual rate, year, scenario) terms.

Whose costs: without a planner, every region's (a global planner). With one (`planner`), the planner's:
capex of its builds, operating costs of its plants, the exporter's price for what it imports from outside,
transport and tariffs into its regions, stockpiles and substitution of its own, and the value of its own
demand not served. Outside regions' own costs go to `outside` (weighted by `planner.outside_weight`, a
tie-break so their flows are sensible) and their demand not served to `outside_unserved` (at a priority that
makes them serve themselves first); neither is the planner's cost.

Capex is annualised, not charged up front with a salvage value: each build pays a level annuity-due per unit
and per year online, discounted like that year's other costs (see models/critmin.md for why). The objective
coefficients, each scenario's cost (for CVaR), the cost table and the summary's parts are all read from these
terms (builder.CostTerms), so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from .builder import FIRST_STAGE, ModelBuilder
from .terms import build_col, flow_index, output_terms, ship_cols

# The objective's components in reporting order; registry.COSTS describes each.
COMPONENTS = (
    "capex",
    "fixed_om",
    "variable",
    "imports",
    "transport",
    "tariff",
    "unmet",
    "forgone",
    "stockpile",
    "substitution",
    "support",
    "sales",
    "risk",
    "outside",
    "outside_unserved",
    "tie_break",
)
# Model units of cost per model unit of a stream that could have been tagged otherwise at no cost: small
# enough to change nothing but the choice between equal plans, large enough for HiGHS to honour.
TIE_BREAK = 1e-4


class _Owned:
    """Split cost terms between a planner component and `outside` by whose they are."""

    def __init__(self, b: ModelBuilder) -> None:
        self.b = b
        self.planner = b.md.planner

    def inside(self, region: str) -> bool:
        return self.planner is None or region in self.planner

    def cost(self, component: str, cols: Any, rate: Any, years: Any, scens: Any, inside: Any) -> None:
        """Terms of `component` where `inside` is true; the rest to `outside` (all arrays alike)."""
        cols, rate, years, scens = (np.asarray(a) for a in (cols, rate, years, scens))
        mask = np.broadcast_to(np.asarray(inside, dtype=bool), cols.shape)
        rate, years, scens = (np.broadcast_to(a, cols.shape) for a in (rate, years, scens))
        if mask.any():
            self.b.cost(component, cols[mask], rate[mask], years[mask], scens[mask])
        if (~mask).any():
            self.b.cost("outside", cols[~mask], rate[~mask], years[~mask], scens[~mask])


def add_costs(b: ModelBuilder) -> None:
    md = b.md
    for name in COMPONENTS:
        if name in ("imports", "outside", "outside_unserved") and md.planner is None:
            continue
        weight = {"risk": md.risk_weight_scaled, "outside": md.outside_weight}.get(name, 1.0)
        b.declare_component(name, weight)
    owned = _Owned(b)
    _capacity_costs(b, owned)
    _operating_costs(b, owned)
    _shipping_costs(b, owned)
    _demand_costs(b, owned)
    _lever_costs(b, owned)
    _sales(b)
    _tie_breaks(b)
    _scale_by_cost_factors(b)


def _scale_by_cost_factors(b: ModelBuilder) -> None:
    """An instance's cost multipliers (Instance.with_factors: a range's sample, a sensitivity's end) scale
    every term of the components they name, before the objective and the scenario costs (CVaR) read them."""
    from ..schema.uncertainty import COST_FACTORS

    for name, factor in b.md.inst.cost_factors.items():
        for comp in COST_FACTORS[name]:
            terms = b.costs.get(comp)
            if terms is None or factor == 1.0:
                continue
            terms.rates = [r * factor for r in terms.rates]
            terms.const_rate = [c * factor for c in terms.const_rate]


def _capacity_costs(b: ModelBuilder, owned: _Owned) -> None:
    """capex (annuity per year online; the planner's builds only exist with a planner) and fixed O&M
    (existing capacity as a constant, builds as terms), each for the share of a period's years served."""
    md = b.md
    cols, rates, years, scens = [], [], [], []
    for key in md.build_keys:
        col, rate = build_col(b, key), md.capex_rate[key]
        for y in md.online_years[key]:
            for scen in _payers(b, key):
                cols.append(col)
                rates.append(rate * md.online_paid[(key, y)])
                years.append(b.year_index[y])
                scens.append(scen)
    b.cost("capex", cols, rates, years, scens)
    cols, rates, years, scens, inside = [], [], [], [], []
    for f, y in md.cap_keys:
        rate = md.fixed_cost[f]
        if not rate:
            continue
        yi = b.year_index[y]
        mine = owned.inside(md.region_of[f])
        const = rate * md.existing_paid.get((f, y), 0.0)
        b.cost_constant("fixed_om" if mine else "outside", const, yi, FIRST_STAGE)
        for key in md.online.get((f, y), ()):
            if (key, y) not in md.online_paid:
                continue
            for scen in _payers(b, key):
                cols.append(build_col(b, key))
                rates.append(rate * md.build_unit[key[0]] * md.online_paid[(key, y)])
                years.append(yi)
                scens.append(scen)
                inside.append(mine)
    owned.cost("fixed_om", cols, rates, years, scens, inside)


def _payers(b: ModelBuilder, key: tuple[str, int, str]) -> list[int]:
    """Who pays for a build: every scenario (first stage) for a decision shared by all; else each scenario it
    was decided for, at that scenario's probability (a recourse build)."""
    serves = b.md.build_serves[key]
    if len(serves) == len(b.md.scenarios):
        return [FIRST_STAGE]
    return [b.scen_index[s] for s in b.md.scenarios if s in serves]


def _operating_costs(b: ModelBuilder, owned: _Owned) -> None:
    md = b.md
    act = b.col("activity")
    if act.keys:
        rate = [md.var_cost[(f, y, s)] for f, _, y, s in act.keys]
        years = [b.year_index[y] for _, _, y, _ in act.keys]
        scens = [b.scen_index[s] for *_, s in act.keys]
        inside = [owned.inside(md.region_of[f]) for f, *_ in act.keys]
        owned.cost("variable", act.positions(), rate, years, scens, inside)


def _shipping_costs(b: ModelBuilder, owned: _Owned) -> None:
    """Transport on every shipment, tariffs where a route has one, imports from outside the planner at the
    exporter's price, and risk-weighted imports. The importer pays: a shipment's transport and tariff are
    the planner's when it arrives in one of its regions."""
    md = b.md
    nf, ny, ns = len(md.flows), len(md.years), len(md.scenarios)
    if not nf:
        return
    F, Y, S = np.meshgrid(np.arange(nf), np.arange(ny), np.arange(ns), indexing="ij")
    cols = ship_cols(b, F, Y, S)
    arc = np.array([md.arcs[(c, o, d)] for (c, o, d, _) in md.flows])
    into = np.array([owned.inside(d) for (_, _, d, _) in md.flows], dtype=bool)
    owned.cost("transport", cols, arc[F], Y, S, into[F])
    if md.tariff:
        _tariffs(b, owned)
    if md.import_price:
        _imports(b)
    risk = np.array(
        [md.risk[o] if d in md.risk_importers and md.risk[o] > 0 else 0.0 for (_, o, d, _) in md.flows]
    )
    risky = risk[F] > 0
    b.cost("risk", cols[risky], risk[F][risky], Y[risky], S[risky])


def _tariffs(b: ModelBuilder, owned: _Owned) -> None:
    md = b.md
    flows_of: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for fk, i in flow_index(b).items():
        flows_of[fk[:3]].append(i)
    f_l, y_l, s_l, r_l, in_l = [], [], [], [], []
    for (c, o, d, y, s), rate in md.tariff.items():
        for i in flows_of[(c, o, d)]:
            f_l.append(i)
            y_l.append(b.year_index[y])
            s_l.append(b.scen_index[s])
            r_l.append(rate)
            in_l.append(owned.inside(d))
    fa, ya, sa = np.array(f_l), np.array(y_l), np.array(s_l)
    owned.cost("tariff", ship_cols(b, fa, ya, sa), np.array(r_l), ya, sa, np.array(in_l, dtype=bool))


def _imports(b: ModelBuilder) -> None:
    md = b.md
    f_l, y_l, s_l, r_l = [], [], [], []
    for i, (c, o, d, _k) in enumerate(md.flows):
        if md.planner is None or o in md.planner or d not in md.planner:
            continue
        for y in md.years:
            for s in md.scenarios:
                f_l.append(i)
                y_l.append(b.year_index[y])
                s_l.append(b.scen_index[s])
                r_l.append(md.import_price[(c, o, y, s)])
    if f_l:
        fa, ya, sa = np.array(f_l), np.array(y_l), np.array(s_l)
        b.cost("imports", ship_cols(b, fa, ya, sa), np.array(r_l), ya, sa)


def _demand_costs(b: ModelBuilder, owned: _Owned) -> None:
    """The value of demand not served (the planner's rows at their value of lost load, outside rows at
    their priority), demand forgone at its willingness to pay, and substitution."""
    md = b.md
    un = b.col("unmet")
    if un.keys:
        rate = [md.penalty[i] for i, _ in un.keys]
        years = [b.year_index[md.demand[i].year] for i, _ in un.keys]
        scens = [b.scen_index[s] for _, s in un.keys]
        inside = np.array([md.demand[i].inside for i, _ in un.keys], dtype=bool)
        cols = un.positions()
        b.cost(
            "unmet", cols[inside], np.array(rate)[inside], np.array(years)[inside], np.array(scens)[inside]
        )
        if (~inside).any():
            out = ~inside
            b.cost(
                "outside_unserved", cols[out], np.array(rate)[out], np.array(years)[out], np.array(scens)[out]
            )
    forgone = b.col("forgone")
    if forgone.keys:
        value = {(i, j): v for i, j, _sh, v in md.forgo}
        rate = [value[(i, j)] for i, j, _ in forgone.keys]
        years = [b.year_index[md.demand[i].year] for i, _, _ in forgone.keys]
        b.cost("forgone", forgone.positions(), rate, years, [b.scen_index[s] for *_, s in forgone.keys])
    sub = b.col("substitute")
    if sub.keys:
        rate = [md.levers.sub_cost[sid] for sid, _, _ in sub.keys]
        years = [b.year_index[md.demand[i].year] for _, i, _ in sub.keys]
        sub_inside = [md.demand[i].inside for _, i, _ in sub.keys]
        scens = [b.scen_index[s] for *_, s in sub.keys]
        owned.cost("substitution", sub.positions(), rate, years, scens, sub_inside)


def _sales(b: ModelBuilder) -> None:
    """Revenue from sales outside the model's demand: a negative cost (sellers are planner members)."""
    sell, lv = b.col("sell"), b.md.levers
    if sell.keys:
        rate = [-lv.sale_price[(sid, y, s)] for sid, _k, y, s in sell.keys]
        years = [b.year_index[y] for _sid, _k, y, _s in sell.keys]
        b.cost("sales", sell.positions(), rate, years, [b.scen_index[s] for *_, s in sell.keys])


def _lever_costs(b: ModelBuilder, owned: _Owned) -> None:
    """Stockpiles (storage capex per year online, holding, soft-cover shortfall) and support payments."""
    md, lv, st = b.md, b.md.levers, b.md.levers.stock
    storage = b.col("storage_build")
    cols, rates, years, inside = [], [], [], []
    for bk in st.builds:
        for y in st.build_years[bk]:
            cols.append(storage.index[bk])
            rates.append(st.build_rate[bk])
            years.append(b.year_index[y])
            inside.append(owned.inside(st.region[bk[0]][0]))
    owned.cost("stockpile", cols, rates, years, FIRST_STAGE, inside)
    for family, rate_of in (("stock_level", st.holding), ("cover_short", st.cover_soft)):
        block = b.col(family)
        if block.keys:  # keys (stockpile, ..., year, scenario)
            rates = [rate_of[k[0]] for k in block.keys]
            year_idx = [b.year_index[k[-2]] for k in block.keys]
            scens = [b.scen_index[k[-1]] for k in block.keys]
            mine = [owned.inside(st.region[k[0]][0]) for k in block.keys]
            owned.cost("stockpile", block.positions(), rates, year_idx, scens, mine)
    for fid, f, c, y, s, rate in lv.floors:
        if lv.floor_in_objective[fid] and rate:
            for coef, col in output_terms(b, f, c, y, s):
                b.cost("support", col, rate * coef, b.year_index[y], b.scen_index[s])
    for oid, _f, _c, y, _q, premium in lv.offtakes:
        if lv.offtake_in_objective[oid]:
            for s in md.scenarios:
                b.cost_constant("support", premium, b.year_index[y], b.scen_index[s])


def _tie_breaks(b: ModelBuilder) -> None:
    """A plant not of controlled origin may make controlled output from inputs it could have made clear
    output from (its controlled stream takes clear inputs too, for blends). Such a plan costs the same, so
    a tie-break on controlled streams makes the reported tag the one the rules force, not an arbitrary one.
    Likewise buying into a stockpile and releasing in the same year costs nothing: a tie-break on purchases
    keeps the stock table free of such churn."""
    md = b.md
    act = b.col("activity")
    own = {f.id for f in md.inst.facilities if f.provenance == "own"}
    pick = [
        j
        for j, (f, k, _y, _s) in enumerate(act.keys)
        if k == "controlled" and md.facility[f].inputs and not md.fac_controlled[f] and f not in own
    ]
    if pick:
        keys = [act.keys[j] for j in pick]
        years = [b.year_index[y] for _, _, y, _ in keys]
        scens = [b.scen_index[s] for *_, s in keys]
        b.cost("tie_break", act.start + np.array(pick), TIE_BREAK, years, scens)
    buy = b.col("stock_buy")
    if buy.keys:
        years = [b.year_index[y] for _, _, y, _ in buy.keys]
        b.cost("tie_break", buy.positions(), TIE_BREAK, years, [b.scen_index[s] for *_, s in buy.keys])
