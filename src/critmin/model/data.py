"""Compile an Instance into the sparse index tables the model is built from.

Only combinations that can carry something exist: a stream (facility, tag) exists only if its inputs can be
present with that tag; a flow (commodity, origin, destination, tag) only on a route whose origin can hold that
commodity with that tag; a build (option, year) only where construction can finish by that year. Everything is
scaled here (quantities by `q`, money by `m`) so model code never sees raw units.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from ..schema import Adjustment, Instance

TAGS: tuple[str, str] = ("clear", "controlled")

Arc = tuple[str, str, str]  # commodity, origin, destination
FlowKey = tuple[str, str, str, str]  # commodity, origin, destination, tag
Stream = tuple[str, str]  # facility, tag of its input (or of its output when it has no inputs)


@dataclass
class DemandRow:
    index: int
    region: str
    commodity: str
    year: int
    compliance: str
    quantity: float  # tonnes, unscaled


@dataclass
class ControlRow:
    """One export-control constraint: a rule in one year and scenario."""

    rule: str
    year: int
    scenario: str
    kind: str
    amount: float  # scaled quota, or share in [0, 1]
    exporter: str
    commodities: tuple[str, ...]
    flows: list[FlowKey]


@dataclass
class Levers:
    """Compiled policy levers (all scaled)."""

    stocks: list[tuple[str, str]]  # (stockpile, tag)
    stock_region: dict[str, tuple[str, str]]  # stockpile -> (region, commodity)
    stock_initial: dict[tuple[str, str], float]
    stock_capacity: dict[str, float]
    stock_holding: dict[str, float]  # money per scaled t per year
    stock_builds: list[tuple[str, int]]  # (stockpile, online year)
    stock_online: dict[tuple[str, int], list[tuple[str, int]]]
    stock_build_coef: dict[tuple[str, int], float]  # annualised, discounted capex per scaled t
    stock_build_max: dict[str, float]
    cover: dict[tuple[str, int, str], float]  # (stockpile, year, scenario) -> required scaled t
    cover_soft: dict[str, float]  # stockpile -> penalty per scaled t short per year (soft targets)
    substitutions: list[tuple[str, int]]  # (substitution id, demand row)
    sub_share: dict[str, float]
    sub_cost: dict[str, float]  # money per scaled t
    floors: list[tuple[str, str, str, int, float]]  # (id, facility, commodity, year, scaled rate)
    floor_in_objective: dict[str, bool]
    offtakes: list[tuple[str, str, str, int, float, float]]  # (id, fac, commodity, year, min qty, premium)
    offtake_in_objective: dict[str, bool]


@dataclass
class ModelData:
    inst: Instance
    q: float
    m: float
    years: list[int]
    weight: dict[int, int]
    disc: dict[int, float]
    scenarios: list[str]
    prob: dict[str, float]
    region_of: dict[str, str]
    bloc_of: dict[str, str]
    fac_controlled: dict[str, bool]
    cap_keys: list[tuple[str, int]]
    existing: dict[tuple[str, int], float]
    streams: list[Stream]
    stream_out: dict[Stream, str]
    avail: dict[tuple[str, int, str], float]
    var_cost: dict[tuple[str, int, str], float]
    fixed_cost: dict[str, float]
    build_keys: list[tuple[str, int]]
    discrete: set[str]
    build_unit: dict[str, float]  # scaled capacity per unit of the build variable
    build_start: dict[tuple[str, int], int]
    online: dict[tuple[str, int], list[tuple[str, int]]]  # (facility, year) -> builds online then
    capex_coef: dict[tuple[str, int], float]  # annualised, discounted, per unit of build variable
    overnight: dict[tuple[str, int], float]  # scaled overnight capex per unit of build variable
    present: set[tuple[str, str, str]]  # (region, commodity, tag) that can exist
    arcs: dict[Arc, float]  # scaled transport cost
    tariff: dict[tuple[str, str, str, int, str], float]  # (c, o, d, year, scenario) -> scaled per unit
    flows: list[FlowKey]
    demand: list[DemandRow]
    demand_qty: dict[tuple[int, str], float]  # scaled, after scenario multipliers
    deliver_keys: list[tuple[int, str]]
    penalty: dict[int, float]
    risk: dict[str, float]
    risk_importers: set[str]
    controls: list[ControlRow]
    levers: Levers
    service: list[tuple[str, int, str, float]]  # min_service rows: (policy, demand row, scenario, max unmet)
    budget_builds: dict[str, list[tuple[str, int]]]  # budget id -> builds it pays for (empty: no row)
    notes: list[str] = field(default_factory=list)

    # adjacency used by several constraint families ----------------------------------------------
    def __post_init__(self) -> None:
        self.streams_of: dict[str, list[Stream]] = defaultdict(list)
        for s in self.streams:
            self.streams_of[s[0]].append(s)
        self.producers: dict[tuple[str, str, str], list[Stream]] = defaultdict(list)
        self.consumers: dict[tuple[str, str, str], list[Stream]] = defaultdict(list)
        facs = {f.id: f for f in self.inst.facilities}
        for f, k in self.streams:
            r = self.region_of[f]
            for c in facs[f].outputs:
                self.producers[(r, c, self.stream_out[(f, k)])].append((f, k))
            for c in facs[f].inputs:
                self.consumers[(r, c, k)].append((f, k))
        self.inflows: dict[tuple[str, str, str], list[FlowKey]] = defaultdict(list)
        self.outflows: dict[tuple[str, str, str], list[FlowKey]] = defaultdict(list)
        for fk in self.flows:
            c, o, d, k = fk
            self.inflows[(d, c, k)].append(fk)
            self.outflows[(o, c, k)].append(fk)
        self.deliveries: dict[tuple[str, str, str, int], list[tuple[int, str]]] = defaultdict(list)
        for i, k in self.deliver_keys:
            row = self.demand[i]
            self.deliveries[(row.region, row.commodity, k, row.year)].append((i, k))
        self.cap_years: dict[str, set[int]] = defaultdict(set)
        for f, y in self.cap_keys:
            self.cap_years[f].add(y)
        self.facility = facs
        self.option = {o.id: o for o in self.inst.build_options}


def annuity_factor(rate: float, lifetime: int) -> float:
    """Level payment at the start of each of `lifetime` years whose present value at the first year is 1
    (annuity-due). Charged in every year a plant operates, discounted like that year's other costs, so a
    plant whose whole life falls inside the horizon costs exactly its overnight capex at its online year."""
    if rate == 0:
        return 1.0 / lifetime
    return rate * (1 + rate) ** (lifetime - 1) / ((1 + rate) ** lifetime - 1)


def _matches(
    adj: Adjustment,
    *,
    year: int,
    region: str | None = None,
    commodity: str | None = None,
    facility: str | None = None,
) -> bool:
    if adj.start is not None and year < adj.start:
        return False
    if adj.end is not None and year > adj.end:
        return False
    if adj.region is not None and adj.region != region:
        return False
    if adj.commodity is not None and adj.commodity != commodity:
        return False
    return adj.facility is None or adj.facility == facility


def _factor(adjs: list[Adjustment], **kw: object) -> float:
    out = 1.0
    for a in adjs:
        if _matches(a, **kw):  # type: ignore[arg-type]
            out *= a.factor
    return out


def existing_capacity(capacity: float | dict[int, float], year: int) -> float:
    """Step function: a mapping holds each value from its year until the next key; 0 before the first."""
    if not isinstance(capacity, dict):
        return float(capacity)
    value = 0.0
    for y in sorted(capacity):
        if y <= year:
            value = capacity[y]
    return float(value)


def _power_of_ten(x: float) -> float:
    return 10.0 ** math.floor(math.log10(x)) if x > 0 else 1.0


def choose_scales(inst: Instance) -> tuple[float, float]:
    """Quantity scale so the largest demand or capacity is ~100-1000 units; money scale so a typical
    per-unit cost is ~1-10. Explicit values in `units.scale` win."""
    sizes = [d.quantity for d in inst.demand if d.quantity > 0]
    for f in inst.facilities:
        caps = f.capacity.values() if isinstance(f.capacity, dict) else [f.capacity]
        sizes += [c for c in caps if c > 0]
    q = inst.units.scale.quantity
    if q == "auto":
        q = _power_of_ten(max(sizes)) / 100 if sizes else 1.0
        q = max(q, 1e-3)
    rates = [f.var_cost for f in inst.facilities if f.var_cost > 0]
    rates += [r.cost for r in inst.routes if r.cost > 0]
    rates += [o.capex / 10 for o in inst.build_options if o.capex]
    rates += [o.fixed_cost / o.module_size / 10 for o in inst.build_options if o.fixed_cost and o.module_size]
    m = inst.units.scale.money
    if m == "auto":
        m = _power_of_ten(median(rates) * q) if rates else _power_of_ten(inst.objective.unmet_penalty * q)
    return float(q), float(m)


def compile_instance(inst: Instance, scenario: str | None = None) -> ModelData:
    """Turn a validated instance into sparse, scaled index tables. `scenario` keeps one scenario only
    (with probability 1). The risk weight is applied where the objective is built."""
    q, m = choose_scales(inst)
    hz = inst.horizon
    years = hz.years
    weight = {p.year: p.weight for p in hz.periods}
    r_ = hz.discount_rate
    disc = {
        p.year: sum((1 + r_) ** -(p.year + j - hz.base_year) for j in range(p.weight)) for p in hz.periods
    }
    scen = inst.scenarios
    if scenario is not None:
        scen = [s for s in scen if s.name == scenario]
        prob = {scenario: 1.0}
    else:
        prob = {s.name: s.probability for s in scen}
    scen_by = {s.name: s for s in scen}
    scenarios = [s.name for s in scen]

    regions = {r.id: r for r in inst.regions}
    bloc_of = {r.id: r.bloc for r in inst.regions}
    region_of = {f.id: f.region for f in inst.facilities}
    fac_controlled = {
        f.id: (
            f.controlled_origin if f.controlled_origin is not None else regions[f.region].controlled_origin
        )
        for f in inst.facilities
    }
    price = {c.id: (c.price or 0.0) for c in inst.commodities}

    # builds: an option's capacity comes online in period t if construction (t - lead) can start then
    build_keys: list[tuple[str, int]] = []
    build_unit: dict[str, float] = {}
    build_start: dict[tuple[str, int], int] = {}
    capex_coef: dict[tuple[str, int], float] = {}
    overnight: dict[tuple[str, int], float] = {}
    online: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    discrete: set[str] = set()
    for o in inst.build_options:
        first_start = max(hz.base_year, o.earliest_start or hz.base_year)
        if o.kind == "discrete":
            discrete.add(o.id)
            unit = o.module_size / q  # type: ignore[operator]
            cost_per_unit = o.fixed_cost  # type: ignore[assignment]
        else:
            unit = 1.0
            cost_per_unit = o.capex * q  # type: ignore[operator]
        build_unit[o.id] = unit
        crf = annuity_factor(r_, o.lifetime)
        for t in years:
            if t - o.lead_time < first_start:
                continue
            key = (o.id, t)
            build_keys.append(key)
            build_start[key] = t - o.lead_time
            served = [y for y in years if t <= y < t + o.lifetime]
            for y in served:
                online[(o.facility, y)].append(key)
            capex_coef[key] = crf * cost_per_unit / m * sum(disc[y] for y in served)
            overnight[key] = cost_per_unit / m

    existing: dict[tuple[str, int], float] = {}
    cap_keys: list[tuple[str, int]] = []
    for f in inst.facilities:
        for y in years:
            e = existing_capacity(f.capacity, y) / q
            if e > 0 or (f.id, y) in online:
                cap_keys.append((f.id, y))
                existing[(f.id, y)] = e
    active_facilities = {f for f, _ in cap_keys}

    # arcs: explicit routes, then bloc defaults where the origin makes and the destination uses the good
    arcs: dict[Arc, float] = {}
    arc_tariff: dict[Arc, tuple[float, float]] = {}
    for rt in inst.routes:
        arcs[(rt.commodity, rt.origin, rt.destination)] = rt.cost * q / m
        arc_tariff[(rt.commodity, rt.origin, rt.destination)] = (rt.tariff, rt.tariff_per_t)
    makes = {(region_of[f.id], c) for f in inst.facilities if f.id in active_facilities for c in f.outputs}
    uses = {(d.region, d.commodity) for d in inst.demand}
    uses |= {(region_of[f.id], c) for f in inst.facilities if f.id in active_facilities for c in f.inputs}
    for rd in inst.route_defaults:
        comms = rd.commodities or [c.id for c in inst.commodities]
        for o in inst.regions:
            if o.bloc != rd.from_bloc:
                continue
            for d in inst.regions:
                if d.bloc != rd.to_bloc or d.id == o.id:
                    continue
                for c in comms:
                    key = (c, o.id, d.id)
                    if key in arcs or (o.id, c) not in makes or (d.id, c) not in uses:
                        continue
                    arcs[key] = rd.cost * q / m
                    arc_tariff[key] = (rd.tariff, rd.tariff_per_t)

    # provenance: grow the set of (region, commodity, tag) that can exist, and the streams that make them
    facs = {f.id: f for f in inst.facilities}
    present: set[tuple[str, str, str]] = {
        (st.region, st.commodity, st.initial_tag) for st in inst.stockpiles if st.initial > 0
    }
    streams: set[Stream] = set()
    stream_out: dict[Stream, str] = {}
    changed = True
    while changed:
        changed = False
        for fid in active_facilities:
            f = facs[fid]
            r = f.region
            ctrl = fac_controlled[fid]
            tags = [("controlled" if ctrl else "clear")] if not f.inputs else list(TAGS)
            for k in tags:
                if (fid, k) in streams:
                    continue
                if f.inputs and not all((r, c, k) in present for c in f.inputs):
                    continue
                streams.add((fid, k))
                if f.provenance == "own":  # recycling: output takes this plant's origin
                    stream_out[(fid, k)] = "controlled" if ctrl else "clear"
                else:
                    stream_out[(fid, k)] = "controlled" if (ctrl or k == "controlled") else "clear"
                for c in f.outputs:
                    if (r, c, stream_out[(fid, k)]) not in present:
                        present.add((r, c, stream_out[(fid, k)]))
                changed = True
        for c, o, d in arcs:
            for k in TAGS:
                if (o, c, k) in present and (d, c, k) not in present:
                    present.add((d, c, k))
                    changed = True
    flows = [(c, o, d, k) for (c, o, d) in arcs for k in TAGS if (o, c, k) in present]
    tariff: dict[tuple[str, str, str, int, str], float] = {}
    for (c, o, d), (adv, per_t) in arc_tariff.items():
        if not (adv or per_t):
            continue
        for y in years:
            for s in scenarios:
                pf = _factor(scen_by[s].price, year=y, commodity=c) if adv else 1.0
                tariff[(c, o, d, y, s)] = (adv * price[c] * pf + per_t) * q / m

    avail: dict[tuple[str, int, str], float] = {}
    var_cost: dict[tuple[str, int, str], float] = {}
    for f, y in cap_keys:
        fac = facs[f]
        for s in scenarios:
            sc = scen_by[s]
            a = fac.availability * _factor(sc.availability, year=y, region=fac.region, facility=f)
            avail[(f, y, s)] = min(a, 1.0)
            var_cost[(f, y, s)] = (
                fac.var_cost * _factor(sc.var_cost, year=y, region=fac.region, facility=f) * q / m
            )
    fixed_cost = {f.id: f.fixed_cost * q / m for f in inst.facilities}

    demand: list[DemandRow] = []
    demand_qty: dict[tuple[int, str], float] = {}
    deliver_keys: list[tuple[int, str]] = []
    penalty: dict[int, float] = {}
    pen_by = {c.id: c.unmet_penalty for c in inst.commodities}
    for i, d in enumerate(inst.demand):
        row = DemandRow(i, d.region, d.commodity, d.year, d.compliance, d.quantity)
        demand.append(row)
        for s in scenarios:
            f = _factor(scen_by[s].demand, year=d.year, region=d.region, commodity=d.commodity)
            demand_qty[(i, s)] = d.quantity * f / q
        for k in TAGS if d.compliance == "any" else ("clear",):
            if (d.region, d.commodity, k) in present:
                deliver_keys.append((i, k))
        pen = pen_by.get(d.commodity) or inst.objective.unmet_penalty
        penalty[i] = pen * q / m

    risk = {r.id: r.risk for r in inst.regions}
    imp = inst.objective.risk_importers
    risk_importers = {r.id for r in inst.regions if not imp or r.id in imp or r.bloc in imp}

    controls = _compile_controls(inst, years, scenarios, scen_by, flows, bloc_of, q)
    levers = compile_levers(inst, q, m, years, disc, scenarios, demand, demand_qty, present, facs)
    service, budget_builds = _compile_policy_coverage(
        inst, scenarios, demand, demand_qty, build_keys, build_start, region_of, bloc_of
    )
    return ModelData(
        levers=levers,
        service=service,
        budget_builds=budget_builds,
        inst=inst,
        q=q,
        m=m,
        years=years,
        weight=weight,
        disc=disc,
        scenarios=scenarios,
        prob=prob,
        region_of=region_of,
        bloc_of=bloc_of,
        fac_controlled=fac_controlled,
        cap_keys=cap_keys,
        existing=existing,
        streams=sorted(streams),
        stream_out=stream_out,
        avail=avail,
        var_cost=var_cost,
        fixed_cost=fixed_cost,
        build_keys=build_keys,
        discrete=discrete,
        build_unit=build_unit,
        build_start=build_start,
        online=dict(online),
        capex_coef=capex_coef,
        overnight=overnight,
        present=present,
        arcs=arcs,
        tariff=tariff,
        flows=flows,
        demand=demand,
        demand_qty=demand_qty,
        deliver_keys=deliver_keys,
        penalty=penalty,
        risk=risk,
        risk_importers=risk_importers,
        controls=controls,
    )


def _compile_controls(
    inst: Instance,
    years: list[int],
    scenarios: list[str],
    scen_by: dict,
    flows: list[FlowKey],
    bloc_of: dict[str, str],
    q: float,
) -> list[ControlRow]:
    rows: list[ControlRow] = []
    for rule in inst.export_controls:
        if rule.destinations:
            dest = {r for r, b in bloc_of.items() if r in rule.destinations or b in rule.destinations}
        else:
            dest = set(bloc_of)
        dest.discard(rule.exporter)
        comms = set(rule.commodities)
        limited = [
            (c, o, d, k)
            for (c, o, d, k) in flows
            if c in comms
            and d in dest
            and (o == rule.exporter or (rule.extraterritorial and k == "controlled"))
        ]
        for s in scenarios:
            sc = scen_by[s]
            if rule.scenarios is not None and s not in rule.scenarios:
                continue
            if "all" in sc.disable_controls or rule.id in sc.disable_controls:
                continue
            amount = sc.control_amounts.get(rule.id, rule.amount)
            if rule.kind == "quota":
                amount = amount / q
            elif rule.kind == "ban":
                amount = 0.0
            for y in years:
                if (rule.start and y < rule.start) or (rule.end and y > rule.end):
                    continue
                if not limited:
                    continue
                rows.append(
                    ControlRow(rule.id, y, s, rule.kind, amount, rule.exporter, tuple(sorted(comms)), limited)
                )
    return rows


def in_window(y: int, start: int | None, end: int | None) -> bool:
    """Is year y inside [start, end] (either end open when None)?"""
    return (start is None or y >= start) and (end is None or y <= end)


def compile_levers(
    inst: Instance,
    q: float,
    m: float,
    years: list[int],
    disc: dict[int, float],
    scenarios: list[str],
    demand: list[DemandRow],
    demand_qty: dict[tuple[int, str], float],
    present: set[tuple[str, str, str]],
    facs: dict,
) -> Levers:
    """Index tables of stockpiles, substitutions, price floors and offtakes."""
    hz = inst.horizon
    stocks, initial, region, capacity, holding = [], {}, {}, {}, {}
    builds, online, coef, bmax, cover, soft = [], {}, {}, {}, {}, {}
    for st in inst.stockpiles:
        region[st.id] = (st.region, st.commodity)
        capacity[st.id] = st.capacity / q
        holding[st.id] = st.holding_cost * q / m
        for k in TAGS:
            if (st.region, st.commodity, k) in present:
                stocks.append((st.id, k))
                initial[(st.id, k)] = st.initial / q if k == st.initial_tag else 0.0
        if st.build_capex is not None:
            crf = annuity_factor(hz.discount_rate, 30)
            bmax[st.id] = (st.max_build / q) if st.max_build is not None else float("inf")
            for t in years:
                if t - st.build_lead_time < hz.base_year:
                    continue
                builds.append((st.id, t))
                served = [y for y in years if y >= t]
                for y in served:
                    online.setdefault((st.id, y), []).append((st.id, t))
                coef[(st.id, t)] = crf * st.build_capex * q / m * sum(disc[y] for y in served)
        if st.days_of_cover:
            for y in years:
                if not in_window(y, st.cover_start, st.cover_end):
                    continue
                for s in scenarios:
                    need = sum(
                        demand_qty[(d.index, s)]
                        for d in demand
                        if d.region == st.region and d.commodity == st.commodity and d.year == y
                    )
                    if need > 0:
                        cover[(st.id, y, s)] = st.days_of_cover / 365.0 * need
            if st.cover == "soft":
                soft[st.id] = st.cover_penalty * q / m
    subs, share, cost = [], {}, {}
    for sb in inst.substitutions:
        share[sb.id] = sb.share
        cost[sb.id] = sb.cost * q / m
        for d in demand:
            if (
                d.commodity == sb.commodity
                and (sb.region is None or sb.region == d.region)
                and in_window(d.year, sb.start, sb.end)
            ):
                subs.append((sb.id, d.index))
    floors, fin = [], {}
    for pf in inst.price_floors:
        fin[pf.id] = pf.in_objective
        rate = max(pf.floor - pf.reference_price, 0.0) * q / m
        floors += [
            (pf.id, pf.facility, pf.commodity, y, rate) for y in years if in_window(y, pf.start, pf.end)
        ]
    offs, oin = [], {}
    for o in inst.offtakes:
        oin[o.id] = o.in_objective
        prem = (o.price - o.reference_price) * o.quantity / m
        offs += [
            (o.id, o.facility, o.commodity, y, o.quantity / q, prem)
            for y in years
            if in_window(y, o.start, o.end)
        ]
    return Levers(
        stocks,
        region,
        initial,
        capacity,
        holding,
        builds,
        online,
        coef,
        bmax,
        cover,
        soft,
        subs,
        share,
        cost,
        floors,
        fin,
        offs,
        oin,
    )


def _compile_policy_coverage(
    inst: Instance,
    scenarios: list[str],
    demand: list[DemandRow],
    demand_qty: dict[tuple[int, str], float],
    build_keys: list[tuple[str, int]],
    build_start: dict[tuple[str, int], int],
    region_of: dict[str, str],
    bloc_of: dict[str, str],
) -> tuple[list, dict]:
    """Which demand rows each service level covers, and which builds each budget pays for; decided once
    here so both engines build the same rows."""
    pol = inst.policies
    service = []
    for p in pol.min_service:
        for d in demand:
            if (
                (p.region is None or p.region == d.region)
                and (p.commodity is None or p.commodity == d.commodity)
                and (p.compliance is None or p.compliance == d.compliance)
                and in_window(d.year, p.start, p.end)
            ):
                service += [(p.id, d.index, s, (1.0 - p.share) * demand_qty[(d.index, s)]) for s in scenarios]
    options = {o.id: o for o in inst.build_options}
    budget_builds: dict[str, list[tuple[str, int]]] = {}
    for b in pol.budgets:
        covered = []
        for key in build_keys:
            o = options[key[0]]
            investor = o.investor or region_of[o.facility]
            if (investor in b.investor or bloc_of[investor] in b.investor) and in_window(
                build_start[key], b.start, b.end
            ):
                covered.append(key)
        budget_builds[b.id] = covered
    return service, budget_builds
