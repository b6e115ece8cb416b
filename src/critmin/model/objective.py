"""Objective: expected discounted cost plus risk weight x risk exposure (plus lambda x CVaR if asked).

Capex is annualised (annuity-due over the option's lifetime) and charged for each modelled year the capacity
is online within the horizon; see models/critmin.md for why. Costs are gathered per scenario first, so the
expected cost and each scenario's cost (for CVaR and the cost table) come from the same terms.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from .cvar import add_cvar
from .data import ModelData
from .expr import Terms, linear
from .support import output_terms
from .variables import build_var

SECOND_STAGE = ("variable", "transport", "tariff", "unmet", "stockpile", "substitution", "support")


def add_objective(m: pyo.ConcreteModel, md: ModelData, risk_weight: float) -> None:
    p, disc, lv = md.prob, md.disc, md.levers
    first: dict[str, Terms] = defaultdict(list)
    first_const: dict[str, float] = defaultdict(float)
    second: dict[str, dict[str, Terms]] = {c: defaultdict(list) for c in SECOND_STAGE}
    second_const: dict[str, dict[str, float]] = {c: defaultdict(float) for c in SECOND_STAGE}

    first["capex"] = [(md.capex_coef[k], build_var(m, md, k)) for k in md.build_keys]
    for f, y in md.cap_keys:
        rate = md.fixed_cost[f] * disc[y]
        if rate:
            first_const["fixed_om"] += rate * md.existing.get((f, y), 0.0)
            first["fixed_om"] += [
                (rate * md.build_unit[o], build_var(m, md, (o, t))) for o, t in md.online.get((f, y), ())
            ]
    first["storage"] = [(lv.stock_build_coef[b], m.storage_build[b]) for b in lv.stock_builds]

    for f, k, y, s in m.ACTIVITIES:
        second["variable"][s].append((disc[y] * md.var_cost[(f, y, s)], m.activity[f, k, y, s]))
    for c, o, d, k, y, s in m.SHIPMENTS:
        v = m.ship[c, o, d, k, y, s]
        second["transport"][s].append((disc[y] * md.arcs[(c, o, d)], v))
        t = md.tariff.get((c, o, d, y, s))
        if t:
            second["tariff"][s].append((disc[y] * t, v))
    year_of = {d.index: d.year for d in md.demand}
    for i, s in m.DEMANDS:
        second["unmet"][s].append((disc[year_of[i]] * md.penalty[i], m.unmet[i, s]))
    for st, k, y, s in m.STOCKS:
        second["stockpile"][s].append((disc[y] * lv.stock_holding[st], m.stock_level[st, k, y, s]))
    for st, y, s in m.cover_short:
        second["stockpile"][s].append((disc[y] * lv.cover_soft[st], m.cover_short[st, y, s]))
    for sid, i, s in m.SUBSTITUTIONS:
        second["substitution"][s].append((disc[year_of[i]] * lv.sub_cost[sid], m.substitute[sid, i, s]))
    for fid, f, c, y, rate in lv.floors:
        if lv.floor_in_objective[fid] and rate:
            for s in md.scenarios:
                second["support"][s] += [
                    (disc[y] * rate * cf, v) for cf, v in output_terms(m, md, f, c, y, s)
                ]
    for oid, _f, _c, y, _q, prem in lv.offtakes:
        if lv.offtake_in_objective[oid]:
            for s in md.scenarios:
                second_const["support"][s] += disc[y] * prem

    def expected(comp: str) -> object:
        terms = [(p[s] * c, v) for s in md.scenarios for c, v in second[comp][s]]
        return linear(terms, sum(p[s] * second_const[comp][s] for s in md.scenarios))

    m.cost_capex = pyo.Expression(expr=linear(first["capex"]), doc="annualised capex of builds, discounted")
    m.cost_fixed_om = pyo.Expression(
        expr=linear(first["fixed_om"], first_const["fixed_om"]),
        doc="fixed O&M on existing and built capacity, discounted",
    )
    m.cost_variable = pyo.Expression(expr=expected("variable"), doc="expected variable operating cost")
    m.cost_transport = pyo.Expression(expr=expected("transport"), doc="expected transport cost")
    m.cost_tariff = pyo.Expression(expr=expected("tariff"), doc="expected tariffs")
    m.cost_unmet = pyo.Expression(expr=expected("unmet"), doc="expected unmet-demand penalty")
    m.cost_stockpile = pyo.Expression(
        expr=linear(
            [(p[s] * c, v) for s in md.scenarios for c, v in second["stockpile"][s]] + first["storage"]
        ),
        doc="storage capex (annualised), holding cost and soft-cover penalties",
    )
    m.cost_substitution = pyo.Expression(expr=expected("substitution"), doc="expected substitution cost")
    m.cost_support = pyo.Expression(expr=expected("support"), doc="expected price-floor and offtake support")
    m.risk_exposure = pyo.Expression(
        expr=linear(
            (p[s] * disc[y] * md.risk[o], m.ship[c, o, d, k, y, s])
            for (c, o, d, k, y, s) in m.SHIPMENTS
            if d in md.risk_importers and md.risk[o] > 0
        ),
        doc="expected discounted risk-weighted imports, scaled t",
    )
    m.risk_weight = pyo.Param(
        initialize=risk_weight * md.q / md.m, mutable=True, doc="scaled money per scaled risk-weighted t"
    )
    total = (
        m.cost_capex
        + m.cost_fixed_om
        + m.cost_variable
        + m.cost_transport
        + m.cost_tariff
        + m.cost_unmet
        + m.cost_stockpile
        + m.cost_substitution
        + m.cost_support
        + m.risk_weight * m.risk_exposure
    )
    weight = md.inst.objective.cvar_weight
    if weight > 0:
        fixed_terms = first["capex"] + first["fixed_om"] + first["storage"]
        fixed_const = first_const["fixed_om"]
        scenario_cost = {
            s: (
                fixed_const + sum(second_const[c][s] for c in SECOND_STAGE),
                fixed_terms + [t for c in SECOND_STAGE for t in second[c][s]],
            )
            for s in md.scenarios
        }
        add_cvar(m, md, scenario_cost)
        total = total + weight * m.cvar
    m.total_cost = pyo.Objective(
        expr=total,
        sense=pyo.minimize,
        doc="expected discounted cost + risk weight x risk exposure (+ lambda x CVaR)",
    )
