"""What a sweep job reports, computed with numpy from the column values: the planner's cost per scenario, the
allied shortfall, demand met per (scenario, year) and the controlled-origin regions' exports.

The same quantities as the `costs` and `unmet` tables (results/tables.py), read from the same cost terms and
columns, but without building DataFrames: the index arrays depend only on the model, so they are built once
per loaded model and each job's digest is a handful of vector operations (a few ms, against ~30 ms for the
tables: the difference between a sweep's overhead above and below 10% of a small instance's solve time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.builder import FIRST_STAGE, NO_YEAR, ModelArrays, discount_of
from ..model.registry import COST_BY_NAME, PLANNER_CATEGORIES
from ..model.requirements import AlliedShortfall, allied_shortfall


@dataclass
class Digest:
    """Index arrays of one model, for digesting any solution of it."""

    scenarios: list[str]
    years: list[int]
    disc: np.ndarray  # discounted years per year index (NO_YEAR reads a trailing 1)
    terms: dict[
        str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    ]  # planner cost terms per component
    consts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # their constants (rate, year, scenario)
    short: AlliedShortfall  # allied demand's unmet and forgone columns by (scenario, year)
    years_in_group: np.ndarray  # years each group's period stands for
    export_cols: np.ndarray  # ship columns from controlled-origin regions to others
    export_scen: np.ndarray
    export_tonnes: np.ndarray  # t per unit of the column over the horizon (q x years of the period)
    export_value: np.ndarray  # currency per unit of the column over the horizon

    @classmethod
    def of(cls, arrays: ModelArrays) -> Digest:
        md = arrays.md
        terms, consts = {}, {}
        for name, comp in arrays.components.items():
            if COST_BY_NAME[name].category not in PLANNER_CATEGORIES:
                continue
            terms[name] = comp.terms.arrays()
            consts[name] = (
                np.asarray(comp.terms.const_rate, dtype=float),
                np.asarray(comp.terms.const_year, dtype=int),
                np.asarray(comp.terms.const_scen, dtype=int),
            )
        forgone = arrays.col_block("forgone") if arrays.has_col_block("forgone") else None
        short = allied_shortfall(md, arrays.col_block("unmet"), forgone)
        years_in = np.array([md.weight[y] for _s in md.scenarios for y in md.years], dtype=float)
        si = {s: k for k, s in enumerate(md.scenarios)}
        e_cols, e_scen, e_t, e_v = _exports(arrays, si)
        return cls(
            list(md.scenarios), list(md.years), discount_of(md), terms, consts, short, years_in,
            e_cols, e_scen, e_t, e_v,
        )  # fmt: skip

    def scenario_cost(self, x: np.ndarray, weights: dict[str, float], m: float) -> dict[str, float]:
        """The planner's discounted cost (money spent + value not served) in each scenario, first stage in."""
        ns = len(self.scenarios)
        per = np.zeros(ns + 1)  # last: first stage
        for name, (cols, rate, year, scen) in self.terms.items():
            w = weights.get(name, 1.0) * m
            where = np.where(scen == FIRST_STAGE, ns, scen)
            keep = year != NO_YEAR
            np.add.at(per, where[keep], rate[keep] * x[cols[keep]] * w * self.disc[year[keep]])
            c_rate, c_year, c_scen = self.consts[name]
            keep_c = c_year != NO_YEAR
            where_c = np.where(c_scen == FIRST_STAGE, ns, c_scen)
            np.add.at(per, where_c[keep_c], c_rate[keep_c] * w * self.disc[c_year[keep_c]])
        return {s: float(per[k] + per[ns]) for k, s in enumerate(self.scenarios)}

    def shortfall(
        self, x: np.ndarray, q: float
    ) -> tuple[dict[str, float], list[tuple[str, int, float, float]]]:
        """Allied demand short (unmet + forgone) per scenario over the horizon, and per (scenario, year) the
        demand and what was met, t/yr."""
        ny, ns = len(self.years), len(self.scenarios)
        sf = self.short
        short = np.bincount(sf.group, weights=x[sf.cols] * q, minlength=ns * ny)
        short = np.where(short > 1e-9 * max(1.0, q), short, 0.0)
        total = (short * self.years_in_group).reshape(ns, ny).sum(axis=1)
        dem = sf.demand
        met = [
            (s, y, float(dem[k * ny + t]), float(dem[k * ny + t] - short[k * ny + t]))
            for k, s in enumerate(self.scenarios)
            for t, y in enumerate(self.years)
            if dem[k * ny + t] > 0
        ]
        return {s: float(total[k]) for k, s in enumerate(self.scenarios)}, met

    def exports(self, x: np.ndarray) -> dict[str, tuple[float, float]]:
        """Per scenario: controlled-origin regions' exports over the horizon (t, value)."""
        ns = len(self.scenarios)
        v = np.maximum(x[self.export_cols], 0.0)
        t = np.bincount(self.export_scen, weights=v * self.export_tonnes, minlength=ns)
        val = np.bincount(self.export_scen, weights=v * self.export_value, minlength=ns)
        return {s: (float(t[k]), float(val[k])) for k, s in enumerate(self.scenarios)}


def _exports(
    arrays: ModelArrays, si: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ship columns from controlled-origin regions to others, with t and value per unit over the horizon (the
    planner's price where it buys them, else the commodity's list price)."""
    md = arrays.md
    origin = {r.id for r in md.inst.regions if r.controlled_origin}
    list_price = {c.id: c.price or 0.0 for c in md.inst.commodities}
    block = arrays.col_block("ship")
    cols, scen, tonnes, value = [], [], [], []
    for j, (c, o, d, _k, y, s) in enumerate(block.keys):
        if o in origin and d not in origin:
            t = md.q * md.weight[y]
            paid = md.import_price.get((c, o, y, s))
            price = paid * md.m / md.q if paid is not None else list_price[c]
            cols.append(block.start + j)
            scen.append(si[s])
            tonnes.append(t)
            value.append(t * price)
    return (
        np.asarray(cols, dtype=np.int64),
        np.asarray(scen, dtype=np.int64),
        np.asarray(tonnes, dtype=float),
        np.asarray(value, dtype=float),
    )
