"""The plan as tidy tables in the instance's own units, one function per table, read from a neutral
`ModelResult` (column values by family), so every solve path gives the same tables.

All quantities are tonnes (t/yr for rates); all money is in the instance currency, unscaled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..backend.result import ModelResult
from ..model.builder import FIRST_STAGE, NO_YEAR, ModelArrays
from ..model.data import ModelData
from ..model.registry import COST_BY_NAME
from ..model.terms import output_terms
from ..model.timeline import annuity_factor
from .content import stream_draws, well_mixed_shares

EPS = 1e-9  # values at or below this (scaled) are solver noise, not a plan


# Every table's columns and their kinds, in one place: the table functions build them in this order and
# Solution.read checks and types them ("str" ids are read as text, so a region 'NA' stays 'NA').
def _kinds(spec: str) -> dict[str, str]:
    """'a:str b:int' -> {'a': 'str', 'b': 'int'}."""
    return dict(item.split(":") for item in spec.split())


COLUMNS: dict[str, dict[str, str]] = {
    "stockpiles": _kinds(
        "stockpile:str region:str commodity:str year:int scenario:str tag:str "
        "level:float buy:float release:float"
    ),
    "substitution": _kinds(
        "substitution:str region:str commodity:str year:int scenario:str substituted:float"
    ),
    "thrift": _kinds(
        "thrift:str facility:str region:str commodity:str year:int scenario:str tag:str saved:float"
    ),
    "sales": _kinds(
        "sale:str region:str commodity:str buyer:str year:int scenario:str tag:str quantity:float "
        "price:float revenue:float"
    ),
    "support": _kinds(
        "support:str kind:str facility:str commodity:str year:int scenario:str quantity:float payment:float "
        "in_objective:bool period_total:float"
    ),
    "builds": _kinds(
        "option:str facility:str region:str stage:str kind:str year:int construction_start:int branch:str "
        "probability:float modules:float capacity_added:float capex:float cost_of_capital:float "
        "financing_per_year:float"
    ),
    "capacity": _kinds(
        "facility:str region:str stage:str year:int scenario:str existing:float built:float capacity:float "
        "usable:float"
    ),
    "production": _kinds(
        "facility:str region:str commodity:str year:int scenario:str tag:str activity:float quantity:float "
        "chinese_content_share:float"
    ),
    "origin": _kinds(
        "facility:str region:str commodity:str year:int scenario:str tag:str class:str content_t:float "
        "content_share:float"
    ),
    "consumption": _kinds(
        "facility:str region:str commodity:str year:int scenario:str input_tag:str tag:str quantity:float"
    ),
    "flows": _kinds("commodity:str origin:str destination:str year:int scenario:str tag:str quantity:float"),
    "deliveries": _kinds(
        "region:str commodity:str year:int compliance:str scenario:str tag:str quantity:float"
    ),
    "unmet": _kinds(
        "region:str commodity:str end_use:str year:int compliance:str scenario:str "
        "demand:float delivered:float substituted:float forgone:float unmet:float value_lost:float"
    ),
    "costs": _kinds("component:str year:int scenario:str annual:float period_total:float discounted:float"),
    "kpis": _kinds(
        "scenario:str year:int commodity:str demand:float delivered:float substituted:float forgone:float "
        "unmet:float met_share:float controlled:float controlled_share:float"
    ),
    "kpis_region": _kinds(
        "scenario:str year:int region:str commodity:str demand:float delivered:float substituted:float "
        "forgone:float unmet:float met_share:float controlled:float controlled_share:float"
    ),
    "kpis_clear": _kinds(
        "scenario:str year:int stage:str demand:float unreached:float reached:float chinese_content_t:float "
        "unmet:float unreached_share:float chinese_content_share:float"
    ),
    "kpis_total": _kinds(
        "scenario:str year:int probability:float demand:float delivered:float substituted:float "
        "forgone:float unmet:float met_share:float controlled_share:float imports:float "
        "risk_weighted_imports:float annual_cost:float"
    ),
}


@dataclass
class Context:
    """What every table function reads: the compiled data, the arrays and the solution."""

    md: ModelData
    arrays: ModelArrays
    result: ModelResult
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def once(self, name: str, compute: Callable[[Context], Any]) -> Any:
        """`compute(self)`, computed once per solution: readings several tables share (the streams' draws
        and the pools' content shares were computed two and four times, ~0.1 s of a solve's tables)."""
        if name not in self.memo:
            self.memo[name] = compute(self)
        return self.memo[name]

    def values(self, family: str) -> np.ndarray:
        return self.result.values(family)

    def keys(self, family: str) -> list[tuple[Any, ...]]:
        return self.arrays.col_block(family).keys


def stage_of(md: ModelData) -> dict[str, str]:
    """A facility's stage (Instance.facility_stages: one rule for the model and the tables)."""
    return md.inst.facility_stages()


def records(df: pd.DataFrame) -> list[Any]:
    """A table's rows as attribute records (`r.quantity`), typed loosely, for formatting loops."""
    return list(df.itertuples(index=False))


def _frame(rows: list[dict[str, Any]] | list[tuple[Any, ...]], table: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS[table]))


def _positive(ctx: Context, family: str) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    """Keys and scaled values of a family's columns above the noise level."""
    vals = ctx.values(family)
    nz = np.nonzero(vals > EPS)[0]
    keys = ctx.keys(family)
    return [keys[i] for i in nz], vals[nz]


def built_capacity(ctx: Context) -> dict[tuple[str, int, str], float]:
    """(option, online year, branch) -> t/yr added, for builds above the noise level."""
    md = ctx.md
    out: dict[tuple[str, int, str], float] = {}
    for family in ("build_capacity", "build_modules"):
        for key, x in zip(ctx.keys(family), ctx.values(family), strict=True):
            if abs(x) > EPS:
                out[key] = float(x) * md.build_unit[key[0]] * md.q
    return out


def expected_builds(builds: pd.DataFrame) -> pd.DataFrame:
    """Builds weighted by the probability of the scenarios each is decided for: a recourse build counts once
    in expectation, never once per alternative (tables written before branches count in full)."""
    if builds.empty or "probability" not in builds:
        return builds
    p = builds.probability.astype(float)
    return builds.assign(capacity_added=builds.capacity_added * p, capex=builds.capex * p)


def builds_table(ctx: Context) -> pd.DataFrame:
    md = ctx.md
    stage = stage_of(md)
    built = built_capacity(ctx)
    values = {
        k: v
        for f in ("build_capacity", "build_modules")
        for k, v in zip(ctx.keys(f), ctx.values(f), strict=True)
    }
    rows = []
    for key in md.build_keys:  # in option order, whichever kind
        if key not in built:
            continue
        o, t, branch = key
        opt = md.option[o]
        x = float(values[key])
        rate = md.capital_rate[o][0]
        crf0 = annuity_factor(md.inst.horizon.discount_rate, opt.lifetime)
        rows.append(
            {
                "option": o,
                "facility": opt.facility,
                "region": md.region_of[opt.facility],
                "stage": stage[opt.facility],
                "kind": opt.kind,
                "year": t,
                "construction_start": md.build_start[key],
                "branch": branch,
                "probability": sum(md.prob[s] for s in md.build_serves[key]),
                "modules": int(round(x)) if o in md.discrete else None,
                "capacity_added": built[key],
                "capex": md.overnight[key] * x * md.m,
                "cost_of_capital": rate,
                # what its cost of capital adds each year online over an annuity at the discount rate
                "financing_per_year": md.overnight[key]
                * x
                * md.m
                * (annuity_factor(rate, opt.lifetime) - crf0),
            }
        )
    return _frame(rows, "builds")


def capacity_table(ctx: Context) -> pd.DataFrame:
    md = ctx.md
    stage = stage_of(md)
    built = built_capacity(ctx)
    rows = []
    for f, y in md.cap_keys:
        existing = md.existing.get((f, y), 0.0) * md.q
        for s in md.scenarios:
            keys = [k for k in md.online.get((f, y), ()) if s in md.build_serves[k]]
            # nameplate: a build retiring inside a multi-year period adds capacity for the share of its years
            new = sum(built.get(k, 0.0) * md.online_share.get((k, y), 0.0) for k in keys)
            usable = md.existing_usable.get((f, y, s), 0.0) * md.q  # ramped, slipped (builds.py)
            usable += sum(built.get(k, 0.0) * md.online_usable.get((k, y, s), 0.0) for k in keys)
            rows.append((f, md.region_of[f], stage[f], y, s, existing, new, existing + new, usable))
    return _frame(rows, "capacity")


def production_table(ctx: Context) -> pd.DataFrame:
    """What each facility stream made, with its Chinese-origin content as a share of its value: 1 in a
    region of controlled origin, 0 for a mine or a recycler elsewhere, else what its inputs carried through
    every stage, estimated as if each region's pool were well mixed (results/content.py; the model's own
    allocation of the content its tests read is the `origin` table)."""
    md = ctx.md
    content = _stream_content(ctx, well_mixed_shares(ctx))
    rows = []
    for key, a in zip(*_positive(ctx, "activity"), strict=True):
        f, k, y, s = key
        fac = md.facility[f]
        for c, coef in fac.outputs.items():
            rows.append((f, fac.region, c, y, s, k, a * md.q, a * coef * md.q, content.get(key, np.nan)))
    return _frame(rows, "production")


def _stream_content(ctx: Context, shares: dict[tuple[Any, ...], float]) -> dict[tuple[Any, ...], float]:
    """(facility, tag, year, scenario) -> the Chinese-origin share of the stream's output value, from the
    well-mixed shares of the pools it drew (NaN where a priceless input carries content)."""
    md = ctx.md
    origin = {r.id for r in md.inst.regions if r.controlled_origin}
    price = {c.id: c.price for c in md.inst.commodities}
    out: dict[tuple[Any, ...], float] = {}
    for key, (a, draws) in stream_draws(ctx).items():
        f, _kout, y, s = key
        fac = md.facility[f]
        if fac.region in origin:
            out[key] = 1.0
            continue
        if not fac.inputs or fac.provenance == "own":
            out[key] = 0.0
            continue
        value = sum((price[c] or 0.0) * q for c, q in fac.outputs.items()) * a
        drawn = 0.0
        for c, kin, q in draws:
            sh = shares.get((fac.region, c, kin, y, s), 0.0)
            if sh > 0:
                drawn += (price[c] or np.nan) * q * sh
        out[key] = drawn / value if value > 0 else np.nan
    return out


def _output_content(ctx: Context) -> dict[tuple[Any, ...], dict[str, float]]:
    """(facility, tag, year, scenario) -> class -> Chinese-origin content value per year (currency, scaled
    quantities x price), from the content each stream drew."""
    og = ctx.md.origin
    out: dict[tuple[Any, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    own = {f.id for f in ctx.md.inst.facilities if f.provenance == "own"}
    for (f, c, _kin, kout, w, y, s), u in zip(ctx.keys("origin_use"), ctx.values("origin_use"), strict=True):
        if u > EPS and f not in own:
            out[(f, kout, y, s)][w] += u * og.price[c]
    return out


def _nominal(og: Any, fac: Any) -> bool:
    """Whether a plant's content share rests on a nominal price (no price given: presence is all we know)."""
    return bool(og.nominal & (set(fac.inputs) | set(fac.outputs)))


def origin_table(ctx: Context) -> pd.DataFrame:
    """Chinese-origin content of what each plant outside controlled origin made, by class (the lists that
    count it), in tonnes of the product and as a share of its value: the answer to 'how much of this
    magnet is Chinese, and is it listed?'"""
    md, og = ctx.md, ctx.md.origin
    drawn = _output_content(ctx)
    activity = dict(zip(*_positive(ctx, "activity"), strict=True))
    rows = []
    for (f, k, y, s), by_class in sorted(drawn.items()):
        fac, a = md.facility[f], activity.get((f, k, y, s), 0.0)
        value = sum(og.price.get(c, 0.0) * q for c, q in fac.outputs.items())
        if a <= EPS or value <= 0:
            continue
        for c, coef in fac.outputs.items():
            if og.price.get(c, 0.0) <= 0:
                continue
            for w, v in sorted(by_class.items()):
                tonnes = coef / value * v  # content in t of the product (scaled)
                share = np.nan if _nominal(og, fac) else tonnes / (coef * a)
                rows.append((f, fac.region, c, y, s, k, w, tonnes * md.q, share))
    return _frame(rows, "origin")


def thrift_table(ctx: Context) -> pd.DataFrame:
    """What each thrift saved, by plant stream, year and scenario (t/yr of the input not drawn)."""
    md = ctx.md
    rows = [(tid, f, md.region_of[f], c, y, s, k, x * md.q)
            for (tid, f, c, k, y, s), x in zip(*_positive(ctx, "thrift"), strict=True)]  # fmt: skip
    return _frame(rows, "thrift")


def consumption_table(ctx: Context) -> pd.DataFrame:
    """What each facility stream drew of each input, by the input's tag (blended inputs in both), net of
    what thrifts saved."""
    md = ctx.md
    rows = [
        (f, md.region_of[f], c, y, s, kin, k, q * md.q)
        for (f, k, y, s), (_a, draws) in stream_draws(ctx).items()
        for c, kin, q in draws
    ]
    return _frame(rows, "consumption")


def flows_table(ctx: Context) -> pd.DataFrame:
    keys, vals = _positive(ctx, "ship")
    rows = [(c, o, d, y, s, k, x * ctx.md.q) for (c, o, d, k, y, s), x in zip(keys, vals, strict=True)]
    return _frame(rows, "flows")


def deliveries_table(ctx: Context) -> pd.DataFrame:
    md = ctx.md
    rows = []
    for (i, k, s), x in zip(*_positive(ctx, "deliver"), strict=True):
        d = md.demand[i]
        rows.append((d.region, d.commodity, d.year, d.compliance, s, k, x * md.q))
    return _frame(rows, "deliveries")


def stockpiles_table(ctx: Context) -> pd.DataFrame:
    md, st = ctx.md, ctx.md.levers.stock
    level, buy, release = (ctx.values(f) * md.q for f in ("stock_level", "stock_buy", "stock_release"))
    rows = []
    for j, (p, k, y, s) in enumerate(ctx.keys("stock_level")):
        if max(level[j], buy[j], release[j]) > EPS:
            r, c = st.region[p]
            rows.append((p, r, c, y, s, k, level[j], buy[j], release[j]))
    return _frame(rows, "stockpiles")


def substitution_table(ctx: Context) -> pd.DataFrame:
    md = ctx.md
    rows = []
    for (sid, i, s), x in zip(*_positive(ctx, "substitute"), strict=True):
        d = md.demand[i]
        rows.append((sid, d.region, d.commodity, d.year, s, x * md.q))
    return _frame(rows, "substitution")


def sales_table(ctx: Context) -> pd.DataFrame:
    """What was sold outside the model's demand, per sale, year, scenario and tag, at what price."""
    md, lv = ctx.md, ctx.md.levers
    buyer = {sl.id: sl.buyer for sl in md.inst.sales}
    rows = []
    for (sid, k, y, s), x in zip(*_positive(ctx, "sell"), strict=True):
        r, c = lv.sale_at[sid]
        price = lv.sale_price[(sid, y, s)] * md.m / md.q
        rows.append((sid, r, c, buyer[sid], y, s, k, x * md.q, price, x * md.q * price))
    return _frame(rows, "sales")


def support_table(ctx: Context) -> pd.DataFrame:
    """Price-floor and offtake payments per year and scenario, in or outside the objective."""
    md, lv = ctx.md, ctx.md.levers
    x = ctx.result.x if ctx.result.x is not None else np.zeros(ctx.arrays.num_cols)

    def made(f: str, c: str, y: int, s: str) -> float:
        return float(sum(coef * x[col] for coef, col in output_terms(ctx.arrays, f, c, y, s))) * md.q

    rows = []
    for fid, f, c, y, s, rate in lv.floors:
        qty = made(f, c, y, s)
        pay = rate * qty / md.q * md.m
        rows.append(
            (fid, "price_floor", f, c, y, s, qty, pay, lv.floor_in_objective[fid], pay * md.weight[y])
        )
    for oid, f, c, y, _qmin, premium in lv.offtakes:
        for s in md.scenarios:
            pay = premium * md.m
            row = (
                oid,
                "offtake",
                f,
                c,
                y,
                s,
                made(f, c, y, s),
                pay,
                lv.offtake_in_objective[oid],
                pay * md.weight[y],
            )
            rows.append(row)
    return _frame(rows, "support")


def unmet_table(ctx: Context) -> pd.DataFrame:
    """Per demand row and scenario: demand, what was delivered, substituted, forgone at its price and left
    unmet, and the value lost (unmet at the value of lost load + forgone at its willingness to pay), per
    year; outside the planner, the value is the priority that made the region serve itself first."""
    md = ctx.md
    unmet = ctx.values("unmet") * md.q
    substituted: dict[tuple[int, str], float] = defaultdict(float)
    for (_sid, i, s), x in zip(ctx.keys("substitute"), ctx.values("substitute"), strict=True):
        substituted[(i, s)] += x * md.q
    forgone: dict[tuple[int, str], float] = defaultdict(float)
    forgone_value: dict[tuple[int, str], float] = defaultdict(float)
    value = {(i, j): v for i, j, _sh, v in md.forgo}
    for (i, j, s), x in zip(ctx.keys("forgone"), ctx.values("forgone"), strict=True):
        forgone[(i, s)] += x * md.q
        forgone_value[(i, s)] += x * value[(i, j)] * md.m
    rows = []
    for (i, s), u in zip(ctx.keys("unmet"), unmet, strict=True):
        d = md.demand[i]
        dem = md.demand_qty[(i, s)] * md.q
        u = u if u > EPS * md.q else 0.0
        sub, fg = substituted[(i, s)], forgone[(i, s)]
        lost = u / md.q * md.penalty[i] * md.m + forgone_value[(i, s)]
        delivered = max(dem - u - sub - fg, 0.0)
        rows.append(
            (
                d.region,
                d.commodity,
                d.end_use or "",
                d.year,
                d.compliance,
                s,
                dem,
                delivered,
                sub,
                fg,
                u,
                lost,
            )
        )
    return _frame(rows, "unmet")


def costs_table(ctx: Context) -> pd.DataFrame:
    """Each cost component by year and scenario ('all' for first-stage costs): annual, period total and
    discounted, read from the same terms as the objective (the risk term with its weight)."""
    md, arrays = ctx.md, ctx.arrays
    x = ctx.result.x if ctx.result.x is not None else np.zeros(arrays.num_cols)
    ny, ns = len(md.years), len(md.scenarios)
    first: list[tuple[str, int, str, float]] = []
    second: list[tuple[str, int, str, float]] = []
    for name, comp in arrays.components.items():
        if not COST_BY_NAME[name].per_year:
            continue
        weight = arrays.weights.get(name, 1.0) * md.m
        cols, rate, year, scen = comp.terms.arrays()
        grid = np.zeros((ny, ns + 1))  # last column: first stage
        np.add.at(grid, (year, np.where(scen == FIRST_STAGE, ns, scen)), rate * x[cols] * weight)
        seen = np.zeros((ny, ns + 1), dtype=bool)
        seen[year, np.where(scen == FIRST_STAGE, ns, scen)] = True
        for rate_c, y_c, s_c in zip(
            comp.terms.const_rate, comp.terms.const_year, comp.terms.const_scen, strict=True
        ):
            if y_c == NO_YEAR:
                continue
            col = ns if s_c == FIRST_STAGE else s_c
            grid[y_c, col] += rate_c * weight
            seen[y_c, col] = True
        for yi, j in zip(*np.nonzero(seen), strict=True):
            row = (name, md.years[yi], "all" if j == ns else md.scenarios[j], float(grid[yi, j]))
            (first if j == ns else second).append(row)
    rows = []
    for name, y, s, annual in sorted(first) + sorted(second):
        rows.append((name, y, s, annual, annual * md.weight[y], annual * md.disc[y]))
    return _frame(rows, "costs")


def _ratio(num: pd.Series, den: pd.Series, empty: float) -> np.ndarray:
    """num / den, or `empty` where den is 0 (no demand, nothing delivered)."""
    n = num.to_numpy(dtype=float)
    d = den.to_numpy(dtype=float)
    return np.where(d > 0, n / np.where(d > 0, d, 1.0), empty)


def kpis_table(unmet: pd.DataFrame, deliveries: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per `keys` (scenario, year, [region,] commodity): demand, how it was met, and the controlled-origin
    share of what was delivered. Met = delivered + substituted: demand forgone at its price is not met (the
    same definition as `solve`'s shortfalls and every analysis)."""
    cols = [*keys, "demand", "delivered", "substituted", "forgone", "unmet", "met_share", "controlled",
            "controlled_share"]  # fmt: skip
    if unmet.empty:
        return pd.DataFrame(columns=cols)
    base = unmet.groupby(keys, as_index=False)[
        ["demand", "delivered", "substituted", "forgone", "unmet"]
    ].sum()
    ctrl = (
        deliveries[deliveries.tag == "controlled"]
        .groupby(keys, as_index=False)
        .agg(controlled=("quantity", "sum"))
    )
    out = base.merge(ctrl, on=keys, how="left")
    out["controlled"] = out["controlled"].fillna(0.0).astype(float)
    out["met_share"] = _ratio(out.demand - out.unmet - out.forgone, out.demand, 1.0)
    out["controlled_share"] = _ratio(out.controlled, out.delivered, 0.0)
    return out[cols]


def kpis_clear_table(ctx: Context, unmet: pd.DataFrame, deliveries: pd.DataFrame) -> pd.DataFrame:
    """Allied demand by stage and year, and its two tests kept apart: the share met with material China's
    controls do not reach (clear tag), and the Chinese-origin share of the value delivered, traced through
    every stage, estimated as if each pool were well mixed (results/content.py)."""
    md = ctx.md
    allies = md.allies
    stage = {c.id: c.stage for c in md.inst.commodities}
    keys = ["scenario", "year", "stage"]
    u = unmet[unmet.region.isin(allies)].assign(stage=lambda d: d.commodity.map(stage))
    dv = deliveries[deliveries.region.isin(allies)].assign(stage=lambda d: d.commodity.map(stage))
    if u.empty:
        return pd.DataFrame(columns=list(COLUMNS["kpis_clear"]))
    base = u.groupby(keys, as_index=False).agg(
        demand=("demand", "sum"), unmet=("unmet", "sum"), forgone=("forgone", "sum")
    )
    base["unmet"] = base.unmet + base.forgone
    by_tag = dv.pivot_table(index=keys, columns="tag", values="quantity", aggfunc="sum", fill_value=0.0)
    by_tag = by_tag.reindex(columns=["clear", "controlled"], fill_value=0.0).reset_index()
    by_tag = by_tag.rename(columns={"clear": "unreached", "controlled": "reached"})
    out = base.merge(by_tag, on=keys, how="left").fillna({"unreached": 0.0, "reached": 0.0})
    content = _delivered_content(ctx)
    groups = zip(out.scenario, out.year, out.stage, strict=True)
    out["chinese_content_t"] = [content.get((s, int(y), st), 0.0) for s, y, st in groups]
    out["unreached_share"] = _ratio(out["unreached"], out["demand"], 1.0)
    delivered = out["unreached"] + out["reached"]
    out["chinese_content_share"] = _ratio(out["chinese_content_t"], delivered, np.nan)
    return out[list(COLUMNS["kpis_clear"])]


def _delivered_content(ctx: Context) -> dict[tuple[str, int, str], float]:
    """(scenario, year, stage) -> Chinese-origin content (t) of what the allies received, every year, as if
    each pool were well mixed (results/content.py): a figure for every delivery, independent of how the
    model allocated lots no test distinguishes."""
    md = ctx.md
    shares = well_mixed_shares(ctx)
    stage = {c.id: c.stage for c in md.inst.commodities}
    out: dict[tuple[str, int, str], float] = defaultdict(float)
    for (i, k, s), q in zip(ctx.keys("deliver"), ctx.values("deliver"), strict=True):
        row = md.demand[i]
        if row.region in md.allies and q > EPS:
            share = shares.get((row.region, row.commodity, k, row.year, s), 0.0)
            out[(s, row.year, stage[row.commodity])] += q * md.q * share
    return out


def kpis_total_table(
    ctx: Context, unmet: pd.DataFrame, deliveries: pd.DataFrame, costs: pd.DataFrame
) -> pd.DataFrame:
    """Per scenario and year: the allies' demand (the planner's regions, or every region not of controlled
    origin) and how it was met — met = delivered + substituted, never demand forgone at its price — the
    controlled-origin share of their deliveries, their imports and risk-weighted imports (t x the exporter's
    score, undiscounted), and the plan's annual cost."""
    md = ctx.md
    allies = md.allies
    ship = ctx.values("ship") * md.q
    flows = md.flows
    into = np.array([d in md.risk_importers for (_c, _o, d, _k) in flows], dtype=bool)
    risk = np.array([md.risk[o] for (_c, o, _d, _k) in flows])
    ny, ns = len(md.years), len(md.scenarios)
    per_flow = ship.reshape(len(flows), ny, ns) if len(flows) else np.zeros((0, ny, ns))
    imports = per_flow[into].sum(axis=0) if len(flows) else np.zeros((ny, ns))
    exposure = (per_flow[into] * risk[into][:, None, None]).sum(axis=0) if len(flows) else np.zeros((ny, ns))
    first = costs[costs.scenario == "all"].groupby("year").annual.sum()
    second = costs[costs.scenario != "all"].groupby(["year", "scenario"]).annual.sum()
    u = unmet[unmet.region.isin(allies)]
    dv = deliveries[deliveries.region.isin(allies)]
    quantities = ["demand", "delivered", "substituted", "forgone", "unmet"]
    by: dict[Any, Any] = u.groupby(["scenario", "year"])[quantities].sum().to_dict("index")
    ctrl = dv[dv.tag == "controlled"].groupby(["scenario", "year"]).quantity.sum()
    rows = []
    for si, s in enumerate(md.scenarios):
        for yi, y in enumerate(md.years):
            g = by.get((s, y), dict.fromkeys(quantities, 0.0))
            dem, delivered = float(g["demand"]), float(g["delivered"])
            short = float(g["unmet"]) + float(g["forgone"])
            cost = float(first.get(y, 0.0)) + float(second.get((y, s), 0.0))
            rows.append(
                {
                    "scenario": s,
                    "year": y,
                    "probability": md.prob[s],
                    "demand": dem,
                    "delivered": delivered,
                    "substituted": float(g["substituted"]),
                    "forgone": float(g["forgone"]),
                    "unmet": float(g["unmet"]),
                    "met_share": (dem - short) / dem if dem else 1.0,
                    "controlled_share": float(ctrl.get((s, y), 0.0)) / delivered if delivered else 0.0,
                    "imports": float(imports[yi, si]),
                    "risk_weighted_imports": float(exposure[yi, si]),
                    "annual_cost": cost,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS["kpis_total"]))


TABLES = (
    "origin",
    "stockpiles",
    "substitution",
    "thrift",
    "sales",
    "support",
    "builds",
    "capacity",
    "production",
    "consumption",
    "flows",
    "deliveries",
    "unmet",
    "costs",
    "kpis",
    "kpis_region",
    "kpis_clear",
    "kpis_total",
)
SIMPLE: dict[str, Callable[[Context], pd.DataFrame]] = {
    "stockpiles": stockpiles_table,
    "substitution": substitution_table,
    "thrift": thrift_table,
    "sales": sales_table,
    "support": support_table,
    "builds": builds_table,
    "capacity": capacity_table,
    "production": production_table,
    "origin": origin_table,
    "consumption": consumption_table,
    "flows": flows_table,
    "deliveries": deliveries_table,
    "unmet": unmet_table,
    "costs": costs_table,
}


def extract_tables(result: ModelResult) -> dict[str, pd.DataFrame]:
    """Every table of a solved model, in TABLES order."""
    ctx = Context(result.arrays.md, result.arrays, result)
    out = {name: fn(ctx) for name, fn in SIMPLE.items()}
    out["kpis"] = kpis_table(out["unmet"], out["deliveries"], ["scenario", "year", "commodity"])
    out["kpis_region"] = kpis_table(
        out["unmet"], out["deliveries"], ["scenario", "year", "region", "commodity"]
    )
    out["kpis_clear"] = kpis_clear_table(ctx, out["unmet"], out["deliveries"])
    out["kpis_total"] = kpis_total_table(ctx, out["unmet"], out["deliveries"], out["costs"])
    return {name: out[name] for name in TABLES}
