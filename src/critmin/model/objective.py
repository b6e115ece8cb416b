"""The objective's cost components, each written once as (column, annual rate, year, scenario) terms.

Capex is annualised, not charged up front with a salvage value: each build pays a level annuity-due per unit
and per year online, discounted like that year's other costs (see models/critmin.md for why). The objective
coefficients, each scenario's cost (for CVaR), the cost table and the summary's parts are all read from these
terms (builder.CostTerms), so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .builder import FIRST_STAGE, ModelBuilder
from .terms import build_col, flow_index, output_terms, ship_cols

# The objective's components in reporting order; registry.COSTS describes each.
COMPONENTS = (
    "capex",
    "fixed_om",
    "variable",
    "transport",
    "tariff",
    "unmet",
    "stockpile",
    "substitution",
    "support",
    "risk",
    "tie_break",
)
# Model units of cost per model unit of a stream that could have been tagged otherwise at no cost: small
# enough to change nothing but the choice between equal plans, large enough for HiGHS to honour.
TIE_BREAK = 1e-4


def add_costs(b: ModelBuilder) -> None:
    for name in COMPONENTS:
        b.declare_component(name, b.md.risk_weight_scaled if name == "risk" else 1.0)
    _capacity_costs(b)
    _operating_costs(b)
    _shipping_costs(b)
    _demand_costs(b)
    _lever_costs(b)
    _tie_breaks(b)


def _capacity_costs(b: ModelBuilder) -> None:
    """capex (annuity per year online) and fixed O&M (existing capacity as a constant, builds as terms)."""
    md = b.md
    cols, rates, years = [], [], []
    for key in md.build_keys:
        col, rate = build_col(b, key), md.capex_rate[key]
        for y in md.online_years[key]:
            cols.append(col)
            rates.append(rate)
            years.append(b.year_index[y])
    b.cost("capex", cols, rates, years, FIRST_STAGE)
    cols, rates, years = [], [], []
    for f, y in md.cap_keys:
        rate = md.fixed_cost[f]
        if not rate:
            continue
        yi = b.year_index[y]
        b.cost_constant("fixed_om", rate * md.existing.get((f, y), 0.0), yi, FIRST_STAGE)
        for o, t in md.online.get((f, y), ()):
            cols.append(build_col(b, (o, t)))
            rates.append(rate * md.build_unit[o])
            years.append(yi)
    b.cost("fixed_om", cols, rates, years, FIRST_STAGE)


def _operating_costs(b: ModelBuilder) -> None:
    md = b.md
    act = b.col("activity")
    if act.keys:
        rate = [md.var_cost[(f, y, s)] for f, _, y, s in act.keys]
        years = [b.year_index[y] for _, _, y, _ in act.keys]
        scens = [b.scen_index[s] for *_, s in act.keys]
        b.cost("variable", act.positions(), rate, years, scens)


def _shipping_costs(b: ModelBuilder) -> None:
    """Transport on every shipment, tariffs where a route has one, and risk-weighted imports."""
    md = b.md
    nf, ny, ns = len(md.flows), len(md.years), len(md.scenarios)
    if not nf:
        return
    F, Y, S = np.meshgrid(np.arange(nf), np.arange(ny), np.arange(ns), indexing="ij")
    cols = ship_cols(b, F, Y, S)
    arc = np.array([md.arcs[(c, o, d)] for (c, o, d, _) in md.flows])
    b.cost("transport", cols, arc[F], Y, S)
    if md.tariff:
        flows_of = defaultdict(list)
        for fk, i in flow_index(b).items():
            flows_of[fk[:3]].append(i)
        f_l, y_l, s_l, r_l = [], [], [], []
        for (c, o, d, y, s), rate in md.tariff.items():
            for i in flows_of[(c, o, d)]:
                f_l.append(i)
                y_l.append(b.year_index[y])
                s_l.append(b.scen_index[s])
                r_l.append(rate)
        fa, ya, sa = np.array(f_l), np.array(y_l), np.array(s_l)
        b.cost("tariff", ship_cols(b, fa, ya, sa), np.array(r_l), ya, sa)
    risk = np.array(
        [md.risk[o] if d in md.risk_importers and md.risk[o] > 0 else 0.0 for (_, o, d, _) in md.flows]
    )
    risky = risk[F] > 0
    b.cost("risk", cols[risky], risk[F][risky], Y[risky], S[risky])


def _demand_costs(b: ModelBuilder) -> None:
    md = b.md
    for family, rate_of in (("unmet", md.penalty), ("substitute", None)):
        block = b.col(family)
        if not block.keys:
            continue
        if rate_of is not None:  # unmet[i, s]
            rates = [rate_of[k[0]] for k in block.keys]
            rows = [k[0] for k in block.keys]
        else:  # substitute[sid, i, s]
            rates = [md.levers.sub_cost[k[0]] for k in block.keys]
            rows = [k[1] for k in block.keys]
        years = [b.year_index[md.demand[i].year] for i in rows]
        scens = [b.scen_index[k[-1]] for k in block.keys]
        b.cost("unmet" if family == "unmet" else "substitution", block.positions(), rates, years, scens)


def _lever_costs(b: ModelBuilder) -> None:
    """Stockpiles (storage capex per year online, holding, soft-cover shortfall) and support payments."""
    md, lv, st = b.md, b.md.levers, b.md.levers.stock
    storage = b.col("storage_build")
    cols, rates, years = [], [], []
    for bk in st.builds:
        for y in st.build_years[bk]:
            cols.append(storage.index[bk])
            rates.append(st.build_rate[bk])
            years.append(b.year_index[y])
    b.cost("stockpile", cols, rates, years, FIRST_STAGE)
    for family, rate_of in (("stock_level", st.holding), ("cover_short", st.cover_soft)):
        block = b.col(family)
        if block.keys:  # keys (stockpile, ..., year, scenario)
            rates = [rate_of[k[0]] for k in block.keys]
            year_idx = [b.year_index[k[-2]] for k in block.keys]
            b.cost("stockpile", block.positions(), rates, year_idx, [b.scen_index[k[-1]] for k in block.keys])
    for fid, f, c, y, rate in lv.floors:
        if lv.floor_in_objective[fid] and rate:
            for s in md.scenarios:
                for coef, col in output_terms(b, f, c, y, s):
                    b.cost("support", col, rate * coef, b.year_index[y], b.scen_index[s])
    for oid, _f, _c, y, _q, premium in lv.offtakes:
        if lv.offtake_in_objective[oid]:
            for s in md.scenarios:
                b.cost_constant("support", premium, b.year_index[y], b.scen_index[s])


def _tie_breaks(b: ModelBuilder) -> None:
    """A plant not of controlled origin may make controlled output from inputs it could have made clear
    output from (its controlled stream takes clear inputs too, for blends). Such a plan costs the same, so
    a tie-break on controlled streams makes the reported tag the one the rules force, not an arbitrary one."""
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
