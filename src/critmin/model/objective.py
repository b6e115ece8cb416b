"""Objective: expected discounted cost plus risk weight x risk exposure.

Capex is annualised (capital recovery factor over the option's lifetime) and charged for each modelled year
the capacity is online within the horizon; see models/critmin.md for why.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import linear
from .variables import build_var


def add_objective(m: pyo.ConcreteModel, md: ModelData, risk_weight: float) -> None:
    p, disc = md.prob, md.disc
    m.cost_capex = pyo.Expression(
        expr=linear((md.capex_coef[k], build_var(m, md, k)) for k in md.build_keys),
        doc="annualised capex of builds, discounted",
    )

    fixed_const = 0.0
    fixed_terms = []
    for f, y in md.cap_keys:
        rate = md.fixed_cost[f] * disc[y]
        if not rate:
            continue
        fixed_const += rate * md.existing.get((f, y), 0.0)
        for o, t in md.online.get((f, y), ()):
            fixed_terms.append((rate * md.build_unit[o], build_var(m, md, (o, t))))
    m.cost_fixed_om = pyo.Expression(
        expr=linear(fixed_terms, fixed_const), doc="fixed O&M on existing and built capacity, discounted"
    )

    m.cost_variable = pyo.Expression(
        expr=linear(
            (p[s] * disc[y] * md.var_cost[(f, y, s)], m.activity[f, k, y, s]) for (f, k, y, s) in m.ACTIVITIES
        ),
        doc="expected variable operating cost, discounted",
    )
    m.cost_transport = pyo.Expression(
        expr=linear(
            (p[s] * disc[y] * md.arcs[(c, o, d)], m.ship[c, o, d, k, y, s])
            for (c, o, d, k, y, s) in m.SHIPMENTS
        ),
        doc="expected transport cost, discounted",
    )
    m.cost_tariff = pyo.Expression(
        expr=linear(
            (p[s] * disc[y] * md.tariff.get((c, o, d, y, s), 0.0), m.ship[c, o, d, k, y, s])
            for (c, o, d, k, y, s) in m.SHIPMENTS
        ),
        doc="expected tariffs, discounted",
    )
    year_of = {d.index: d.year for d in md.demand}
    m.cost_unmet = pyo.Expression(
        expr=linear((p[s] * disc[year_of[i]] * md.penalty[i], m.unmet[i, s]) for (i, s) in m.DEMANDS),
        doc="expected unmet-demand penalty, discounted",
    )
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
    m.total_cost = pyo.Objective(
        expr=m.cost_capex
        + m.cost_fixed_om
        + m.cost_variable
        + m.cost_transport
        + m.cost_tariff
        + m.cost_unmet
        + m.risk_weight * m.risk_exposure,
        sense=pyo.minimize,
        doc="expected discounted cost + risk weight x risk exposure",
    )
