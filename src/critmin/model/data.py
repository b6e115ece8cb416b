"""Compile an Instance into the sparse, scaled index tables every model family is built from.

Every decision about the data is made here, once, before any family or backend runs: the scales, the risk
weight, which builds can come online when, which (region, commodity, tag) can exist and which facility
streams make it from what (provenance.py), which routes, controls, service levels and budgets produce rows,
and every check that needs the compiled network (an offtake on a plant that cannot run that year). Only
combinations that can carry something exist: a stream (facility, output tag) only in the years and scenarios
its inputs can reach it in allowed tags; a flow (commodity, origin, destination, tag) only on a route whose
origin can hold that commodity with that tag; a build (option, year) only where construction can finish by
that year. Quantities are divided by `q` and money by `m` here, so family code
never sees raw units.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from ..errors import InstanceError, Problem, did_you_mean
from ..schema import ContinuousOption, DiscreteOption, Instance
from ..schema.deals import apply_in_force
from .builds import compile_builds, compile_existing
from .data_types import TAGS, Arc, BuildKey, DemandRow, FlowKey, Present, Stream
from .export_controls import ControlRow, compile_controls, control_destinations
from .nonanticipativity import compile_trunk
from .origin import Origin, compile_origin
from .policies import compile_policy_coverage
from .provenance import Provenance, Recipe, TaintRule, compile_provenance, in_force
from .registry import optional_families
from .timeline import (
    Time,
    annuity_factor,
    compile_time,
    existing_capacity,
    factor,
    in_window,
)

__all__ = [
    "TAGS",
    "Arc",
    "BuildKey",
    "ControlRow",
    "DemandRow",
    "FlowKey",
    "ModelData",
    "Present",
    "Recipe",
    "Stream",
    "TaintRule",
    "annuity_factor",
    "existing_capacity",
    "factor",
    "in_window",
]


@dataclass
class Stocks:
    """Compiled stockpiles (all scaled)."""

    stocks: list[tuple[str, str]] = field(default_factory=list)  # (stockpile, tag)
    region: dict[str, tuple[str, str]] = field(default_factory=dict)  # stockpile -> (region, commodity)
    initial: dict[tuple[str, str], float] = field(default_factory=dict)
    capacity: dict[str, float] = field(default_factory=dict)
    holding: dict[str, float] = field(default_factory=dict)  # money per scaled t per year
    builds: list[tuple[str, int]] = field(default_factory=list)  # (stockpile, online year)
    online: dict[tuple[str, int], list[tuple[str, int]]] = field(default_factory=dict)
    build_rate: dict[tuple[str, int], float] = field(default_factory=dict)  # annualised capex per t and year
    build_years: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # years a build is paid for
    build_max: dict[str, float] = field(default_factory=dict)
    cover: dict[tuple[str, int, str], float] = field(default_factory=dict)  # (stockpile, year, scen) -> t
    cover_soft: dict[str, float] = field(default_factory=dict)  # penalty per scaled t short per year


@dataclass
class Levers:
    """Compiled policy levers (all scaled)."""

    stock: Stocks
    substitutions: list[tuple[str, int]]  # (substitution id, demand row)
    sub_share: dict[str, float]
    sub_cost: dict[str, float]  # money per scaled t
    floors: list[tuple[str, str, str, int, str, float]]  # (id, facility, commodity, year, scenario, rate)
    floor_in_objective: dict[str, bool]
    offtakes: list[tuple[str, str, str, int, float, float]]  # (id, fac, commodity, year, min qty, premium)
    offtake_in_objective: dict[str, bool]
    sales: list[tuple[str, str, int]] = field(default_factory=list)  # (sale id, tag, year)
    sale_at: dict[str, tuple[str, str]] = field(default_factory=dict)  # sale -> (region, commodity)
    sale_qty: dict[tuple[str, int], float] = field(default_factory=dict)  # scaled t/yr
    sale_price: dict[tuple[str, int, str], float] = field(default_factory=dict)  # scaled, per scenario


@dataclass
class ModelData:
    inst: Instance
    q: float
    m: float
    risk_weight: float  # currency per risk-weighted t (instance units), resolved once here
    years: list[int]
    weight: dict[int, int]
    disc: dict[int, float]
    scenarios: list[str]
    prob: dict[str, float]
    region_of: dict[str, str]
    bloc_of: dict[str, str]
    fac_controlled: dict[str, bool]
    cap_keys: list[tuple[str, int]]
    existing: dict[tuple[str, int], float]  # nominal mean over the period (reports)
    existing_usable: dict[tuple[str, int, str], float]  # ramped and slipped, per scenario (builds.py)
    provenance: Provenance  # streams, their recipes by year and scenario, controls' lists (provenance.py)
    origin: Origin  # Chinese-origin content traced by value: classes, traced years, parts, tests (origin.py)
    avail: dict[tuple[str, int, str], float]
    var_cost: dict[tuple[str, int, str], float]
    fixed_cost: dict[str, float]
    build_keys: list[BuildKey]  # (option, online year, branch: 'all' or the scenarios it is decided for)
    build_serves: dict[BuildKey, frozenset[str]]  # the scenarios each build's decision is for
    discrete: set[str]
    build_unit: dict[str, float]  # scaled capacity per unit of the build variable
    build_start: dict[BuildKey, int]
    online: dict[tuple[str, int], list[BuildKey]]  # (facility, year) -> builds online then
    capex_rate: dict[BuildKey, float]  # annualised capex per unit of build variable and year online
    online_years: dict[BuildKey, list[int]]  # modelled periods a build serves (in whole or in part)
    online_share: dict[tuple[BuildKey, int], float]  # (build, period) -> share of the period's years
    online_paid: dict[tuple[BuildKey, int], float]  # ... share of its discounted years (capex, fixed O&M)
    online_usable: dict[tuple[BuildKey, int, str], float]  # ramped, slipped usable share, per scenario
    existing_paid: dict[tuple[str, int], float]  # existing capacity, discount-weighted over the period
    overnight: dict[BuildKey, float]  # scaled overnight capex per unit of build variable
    capital_rate: dict[str, tuple[float, str]]  # option -> (real cost of capital, what set it)
    arcs: dict[Arc, float]  # scaled transport cost
    tariff: dict[tuple[str, str, str, int, str], float]  # (c, o, d, year, scenario) -> scaled per unit
    flows: list[FlowKey]
    demand: list[DemandRow]
    demand_qty: dict[tuple[int, str], float]  # scaled, after scenario multipliers
    deliver_keys: list[tuple[int, str]]
    penalty: dict[int, float]  # value of a scaled t of the row not served (outside rows: the priority)
    forgo: list[
        tuple[int, int, float, float]
    ]  # (demand row, step, share, scaled value) of price-sensitive demand
    planner: set[str] | None  # the planner's regions; None: the global objective
    outside_weight: float  # weight of outside regions' own costs (1 without a planner)
    import_price: dict[tuple[str, str, int, str], float]  # (commodity, origin, year, scen) -> scaled per unit
    risk: dict[str, float]
    risk_importers: set[str]
    controls: list[ControlRow]
    levers: Levers
    service: list[tuple[str, int, str, float]]  # min_service rows: (policy, demand row, scenario, max unmet)
    trunk: dict[int, list[list[str]]]  # year -> groups of scenarios not yet told apart (they share decisions)
    budget_builds: dict[str, list[BuildKey]]  # budget id -> builds it pays for (empty: no row)
    selected_scenario: str | None = None  # the one scenario asked for (probability 1), if any
    notes: list[str] = field(default_factory=list)
    extras: frozenset[str] = frozenset()  # optional row families to build (registry `optional`)

    # adjacency used by several families -----------------------------------------------------------------
    def __post_init__(self) -> None:
        self.facility = {f.id: f for f in self.inst.facilities}
        self.option = {o.id: o for o in self.inst.build_options}
        self.present = self.provenance.present
        self.streams = self.provenance.streams
        self.streams_of: dict[str, list[Stream]] = defaultdict(list)
        self.producers: dict[Present, list[Stream]] = defaultdict(list)
        self.consumers_of: dict[tuple[str, str], list[Stream]] = defaultdict(list)  # (region, commodity)
        for f, k in self.streams:
            self.streams_of[f].append((f, k))
            r = self.region_of[f]
            for c in self.facility[f].outputs:
                self.producers[(r, c, k)].append((f, k))
            for c in self.facility[f].inputs:
                self.consumers_of[(r, c)].append((f, k))
        # activity columns: each stream in the years and scenarios where it can run, and its recipe there
        self.recipe_of: dict[tuple[str, str, int, str], Recipe] = {}
        runs: dict[Stream, set[tuple[int, str]]] = defaultdict(set)
        for stream, groups in self.provenance.groups.items():
            for recipe, where in groups:
                for y, s in where:
                    self.recipe_of[(*stream, y, s)] = recipe
                    runs[stream].add((y, s))
        self.activity_keys = [
            (f, k, y, s)
            for (f, k) in self.streams
            for y in self.years
            for s in self.scenarios
            if (y, s) in runs[(f, k)]
        ]
        # blended inputs: an input that may be drawn in both tags gets a use column per tag
        self.use_keys = [
            (f, c, kin, k, y, s)
            for (f, k, y, s) in self.activity_keys
            for c, kins in self.recipe_of[(f, k, y, s)]
            if len(kins) > 1
            for kin in kins
        ]
        self.inflows: dict[Present, list[FlowKey]] = defaultdict(list)
        self.outflows: dict[Present, list[FlowKey]] = defaultdict(list)
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

    @property
    def modules_max(self) -> dict[str, int]:
        """Modular options' maximum module count."""
        return {o.id: o.max_count for o in self.inst.build_options if isinstance(o, DiscreteOption)}

    @property
    def allies(self) -> set[str]:
        """Whose demand counts as allied (shares met, time-to-X%, damage): the planner's regions, or else
        every region not of controlled origin."""
        if self.planner:
            return set(self.planner)
        return {r.id for r in self.inst.regions if not r.controlled_origin}

    @property
    def risk_weight_scaled(self) -> float:
        """The risk weight in scaled money per scaled risk-weighted tonne (what the objective uses)."""
        return self.risk_weight * self.q / self.m


def _power_of_ten(x: float) -> float:
    return 10.0 ** math.floor(math.log10(x)) if x > 0 else 1.0


def choose_scales(inst: Instance) -> tuple[float, float]:
    """Quantity scale so the largest demand or capacity is ~100-1000 units; money scale so a typical
    per-unit cost is ~1-10. Explicit values in `units.scale` win."""
    sizes = [d.quantity for d in inst.demand if d.quantity > 0]
    for f in inst.facilities:
        caps = f.capacity.values() if isinstance(f.capacity, dict) else [f.capacity]
        sizes += [c for c in caps if c > 0]
    q_set = inst.units.scale.quantity
    q = max(_power_of_ten(max(sizes)) / 100 if sizes else 1.0, 1e-3) if q_set == "auto" else q_set
    rates = [f.var_cost for f in inst.facilities if f.var_cost > 0]
    rates += [r.cost for r in inst.routes if r.cost > 0]
    for o in inst.build_options:
        per_t = o.capex if isinstance(o, ContinuousOption) else o.fixed_cost / o.module_size
        if per_t:
            rates.append(per_t / 10)
    m_set = inst.units.scale.money
    if m_set != "auto":
        return float(q), float(m_set)
    m = _power_of_ten(median(rates) * q) if rates else _power_of_ten(inst.objective.unmet_penalty * q)
    return float(q), float(m)


def check_scenario(instance: Instance, scenario: str | None) -> None:
    """A clear error for an unknown --scenario."""
    if scenario is not None and scenario not in {s.name for s in instance.scenarios}:
        raise InstanceError(
            problems=[
                instance.locate(
                    Problem(
                        ("scenarios",),
                        f"no scenario named '{scenario}'",
                        did_you_mean(scenario, [s.name for s in instance.scenarios]),
                    )
                )
            ]
        )


def resolve_risk_weight(instance: Instance, risk_weight: float | None) -> float:
    """The risk weight: an override, else the instance's. Refused unless finite and >= 0."""
    rw = instance.objective.risk_weight if risk_weight is None else risk_weight
    if not isinstance(rw, (int, float)) or not math.isfinite(rw) or rw < 0:
        problem = Problem(
            ("objective", "risk_weight"),
            f"risk weight must be a finite number >= 0, got {rw!r}",
            "give currency per risk-weighted tonne, e.g. --risk-weight 2000",
        )
        raise InstanceError(problems=[instance.locate(problem)])
    return float(rw)


def _compile_arcs(
    inst: Instance, q: float, m: float, region_of: dict[str, str], active: set[str]
) -> tuple[dict[Arc, float], dict[Arc, tuple[float, float]]]:
    """Explicit routes, then bloc defaults where the origin makes and the destination uses the good."""
    arcs: dict[Arc, float] = {}
    arc_tariff: dict[Arc, tuple[float, float]] = {}
    for rt in inst.routes:
        arcs[(rt.commodity, rt.origin, rt.destination)] = rt.cost * q / m
        arc_tariff[(rt.commodity, rt.origin, rt.destination)] = (rt.tariff, rt.tariff_per_t)
    active_facs = [f for f in inst.facilities if f.id in active]
    makes = {(region_of[f.id], c) for f in active_facs for c in f.outputs}
    uses = {(d.region, d.commodity) for d in inst.demand}
    uses |= {(region_of[f.id], c) for f in active_facs for c in f.inputs}
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
    return arcs, arc_tariff


def _compile_tariffs(
    inst: Instance, t: Time, q: float, m: float, arc_tariff: dict[Arc, tuple[float, float]]
) -> dict[tuple[str, str, str, int, str], float]:
    price = {c.id: (c.price or 0.0) for c in inst.commodities}
    tariff: dict[tuple[str, str, str, int, str], float] = {}
    for (c, o, d), (adv, per_t) in arc_tariff.items():
        if not (adv or per_t):
            continue
        for y in t.years:
            for s in t.scenarios:
                pf = factor(t.scen_by[s].price, year=y, commodity=c) if adv else 1.0
                tariff[(c, o, d, y, s)] = (adv * price[c] * pf + per_t) * q / m
    return tariff


def _compile_operations(
    inst: Instance, t: Time, q: float, m: float, cap_keys: list[tuple[str, int]]
) -> tuple[dict[tuple[str, int, str], float], dict[tuple[str, int, str], float]]:
    """Availability (capped at 1) and variable cost of each facility, year and scenario."""
    facs = {f.id: f for f in inst.facilities}
    avail: dict[tuple[str, int, str], float] = {}
    var_cost: dict[tuple[str, int, str], float] = {}
    for f, y in cap_keys:
        fac = facs[f]
        for s in t.scenarios:
            sc = t.scen_by[s]
            a = fac.availability * factor(sc.availability, year=y, region=fac.region, facility=f)
            avail[(f, y, s)] = min(a, 1.0)
            var_cost[(f, y, s)] = (
                fac.var_cost * factor(sc.var_cost, year=y, region=fac.region, facility=f) * q / m
            )
    return avail, var_cost


def planner_regions(inst: Instance) -> set[str] | None:
    """The planner's regions (members named directly or by bloc), or None for the global objective."""
    if inst.planner is None:
        return None
    members = set(inst.planner.members)
    return {r.id for r in inst.regions if r.id in members or r.bloc in members}


def _values_of_lost_load(inst: Instance) -> dict[int, float]:
    """Per demand row, currency per t not served: its end use's value, else the commodity's or the default
    penalty."""
    use_value = {e.id: e.value for e in inst.end_uses}
    pen_by = {c.id: c.unmet_penalty for c in inst.commodities}
    return {
        i: use_value[d.end_use] if d.end_use else (pen_by.get(d.commodity) or inst.objective.unmet_penalty)
        for i, d in enumerate(inst.demand)
    }


def outside_priority(inst: Instance) -> float:
    """Currency per t of an outside region's demand not served: high enough that outside regions serve their
    own demand before exporting to the planner."""
    if inst.planner is not None and inst.planner.outside_priority is not None:
        return inst.planner.outside_priority
    values = list(_values_of_lost_load(inst).values()) or [inst.objective.unmet_penalty]
    return 10.0 * max(values)


def _compile_demand(
    inst: Instance, t: Time, q: float, m: float, present: set[Present], planner: set[str] | None
) -> tuple[
    list[DemandRow],
    dict[tuple[int, str], float],
    list[tuple[int, str]],
    dict[int, float],
    list[tuple[int, int, float, float]],
]:
    """Demand rows, their scaled quantity per scenario, the tags each may receive, the value of a tonne not
    served, and the price-sensitive steps (the planner's own rows only)."""
    demand: list[DemandRow] = []
    demand_qty: dict[tuple[int, str], float] = {}
    deliver_keys: list[tuple[int, str]] = []
    penalty: dict[int, float] = {}
    forgo: list[tuple[int, int, float, float]] = []
    voll = _values_of_lost_load(inst)
    priority = outside_priority(inst)
    steps = {e.id: e.steps for e in inst.end_uses}
    for i, d in enumerate(inst.demand):
        inside = planner is None or d.region in planner
        demand.append(
            DemandRow(i, d.region, d.commodity, d.year, d.compliance, d.quantity, d.end_use, inside)
        )
        for s in t.scenarios:
            f = factor(t.scen_by[s].demand, year=d.year, region=d.region, commodity=d.commodity)
            demand_qty[(i, s)] = d.quantity * f / q
        for k in TAGS:  # any tag: a buyer's origin rule tests content (origin.py), not the tag
            if (d.region, d.commodity, k) in present:
                deliver_keys.append((i, k))
        penalty[i] = (voll[i] if inside else priority) * q / m
        if inside and d.end_use:
            forgo += [(i, j, st.share, st.value * q / m) for j, st in enumerate(steps[d.end_use])]
    return demand, demand_qty, deliver_keys, penalty, forgo


def _compile_import_prices(
    inst: Instance, t: Time, q: float, m: float, planner: set[str] | None, flows: list[FlowKey]
) -> dict[tuple[str, str, int, str], float]:
    """What the planner pays per t for imports from outside: the exporter's price (commodity price x the
    scenario's price factors for that exporter), for every commodity that can flow in from outside."""
    if planner is None:
        return {}
    price = {c.id: c.price for c in inst.commodities}
    needed = sorted({(c, o) for (c, o, d, _k) in flows if o not in planner and d in planner})
    missing = sorted({c for c, _ in needed if price[c] is None})
    if missing:
        rows = [i for i, c in enumerate(inst.commodities) if c.id in missing]
        raise InstanceError(
            problems=[
                inst.locate(
                    Problem(
                        ("commodities", i, "price"),
                        f"'{inst.commodities[i].id}' can be imported by the planner from outside, at the "
                        "exporter's price, but has no price",
                        "give the commodity a price (currency per t), or no route from outside the planner",
                    )
                )
                for i in rows
            ]
        )
    out: dict[tuple[str, str, int, str], float] = {}
    for c, o in needed:
        for y in t.years:
            for s in t.scenarios:
                pf = factor(t.scen_by[s].price, year=y, region=o, commodity=c)
                out[(c, o, y, s)] = float(price[c] or 0.0) * pf * q / m
    return out


def compile_instance(
    inst: Instance,
    scenario: str | None = None,
    risk_weight: float | None = None,
    extras: Iterable[str] = (),
    trace_sources: bool = False,
) -> ModelData:
    """Turn a validated instance into sparse, scaled index tables. `scenario` keeps one scenario only
    (with probability 1); `risk_weight` overrides the instance's; `extras` names optional row families an
    analysis needs (registry: `risk_cap`, `min_met_share`); `trace_sources` traces Chinese-origin content by
    source commodity in every year (origin.py, for `critmin exposure`). Raises InstanceError for problems
    only the compiled network reveals.

    Long because it is the one place that assembles every field of ModelData, in the order the fields
    depend on each other; each step is a helper of its own."""
    inst = apply_in_force(inst)  # policy sets not switched on are absent (schema/deals.py)
    check_scenario(inst, scenario)
    rw = resolve_risk_weight(inst, risk_weight)
    q, m = choose_scales(inst)
    t = compile_time(inst, scenario)
    regions = {r.id: r for r in inst.regions}
    bloc_of = {r.id: r.bloc for r in inst.regions}
    region_of = {f.id: f.region for f in inst.facilities}
    fac_controlled = {
        f.id: f.controlled_origin if f.controlled_origin is not None else regions[f.region].controlled_origin
        for f in inst.facilities
    }
    planner = planner_regions(inst)
    builds = compile_builds(inst, t, q, m, planner)
    ex = compile_existing(inst, t, q, builds.online)
    cap_keys = ex.cap_keys
    active = {f for f, _ in cap_keys}
    arcs, arc_tariff = _compile_arcs(inst, q, m, region_of, active)
    cap_years: dict[str, set[int]] = defaultdict(set)
    for f, y in cap_keys:
        cap_years[f].add(y)
    prov = compile_provenance(
        inst, active, cap_years, fac_controlled, arcs, t.years, list(t.scen_by.values())
    )
    present = prov.present
    flows = [(c, o, d, k) for (c, o, d) in arcs for k in TAGS if (o, c, k) in present]
    avail, var_cost = _compile_operations(inst, t, q, m, cap_keys)
    demand, demand_qty, deliver_keys, penalty, forgo = _compile_demand(inst, t, q, m, present, planner)
    imp = inst.objective.risk_importers or (sorted(planner) if planner else None)
    runs: dict[str, set[int]] = defaultdict(set)  # years a facility has capacity and a stream to run
    for stream, groups in prov.groups.items():
        for _recipe, where in groups:
            runs[stream[0]] |= {y for y, _ in where}
    levers = compile_levers(inst, q, m, t, demand, demand_qty, present, runs, prov.covered)
    service, budget_builds = compile_policy_coverage(
        inst, t.scenarios, demand, demand_qty, builds.keys, builds.start, region_of, bloc_of
    )
    return ModelData(
        inst=inst,
        q=q,
        m=m,
        risk_weight=rw,
        years=t.years,
        weight=t.weight,
        disc=t.disc,
        scenarios=t.scenarios,
        prob=t.prob,
        region_of=region_of,
        bloc_of=bloc_of,
        fac_controlled=fac_controlled,
        cap_keys=cap_keys,
        existing=ex.nominal,
        existing_usable=ex.usable,
        provenance=prov,
        origin=compile_origin(inst, t, demand, present, arcs, active, prov.covered, by_source=trace_sources),
        avail=avail,
        var_cost=var_cost,
        fixed_cost={f.id: f.fixed_cost * q / m for f in inst.facilities},
        build_keys=builds.keys,
        build_serves=builds.serves,
        discrete=builds.discrete,
        build_unit=builds.unit,
        build_start=builds.start,
        online=dict(builds.online),
        capex_rate=builds.rate,
        online_years=builds.years,
        online_share=builds.share,
        online_paid=builds.paid,
        online_usable=builds.usable,
        existing_paid=ex.paid,
        overnight=builds.overnight,
        capital_rate=builds.capital_rate,
        arcs=arcs,
        tariff=_compile_tariffs(inst, t, q, m, arc_tariff),
        flows=flows,
        demand=demand,
        demand_qty=demand_qty,
        deliver_keys=deliver_keys,
        penalty=penalty,
        forgo=forgo,
        planner=planner,
        outside_weight=inst.planner.outside_weight if inst.planner else 1.0,
        import_price=_compile_import_prices(inst, t, q, m, planner, flows),
        risk={r.id: r.risk for r in inst.regions},
        risk_importers={r.id for r in inst.regions if not imp or r.id in imp or r.bloc in imp},
        controls=compile_controls(inst, t, flows, bloc_of, q, prov.covered),
        levers=levers,
        service=service,
        budget_builds=budget_builds,
        selected_scenario=scenario,
        extras=optional_families(extras),
        trunk=compile_trunk(t),
        notes=[f"build options of investors outside the planner, left out: {', '.join(builds.left_out)}"]
        if builds.left_out
        else [],
    )


def compile_levers(
    inst: Instance,
    q: float,
    m: float,
    t: Time,
    demand: list[DemandRow],
    demand_qty: dict[tuple[int, str], float],
    present: set[Present],
    runs: dict[str, set[int]],
    covered: dict[str, frozenset[str]],
) -> Levers:
    """Index tables of stockpiles, substitutions, price floors and offtakes."""
    stock = _compile_stockpiles(inst, q, m, t, demand, demand_qty, present)
    _drawdown_floors(inst, t, q, stock, covered)
    subs: list[tuple[str, int]] = []
    for sb in inst.substitutions:
        subs += [
            (sb.id, d.index)
            for d in demand
            if d.commodity == sb.commodity
            and (sb.region is None or sb.region == d.region)
            and in_window(d.year, sb.start, sb.end)
        ]
    floors: list[tuple[str, str, str, int, str, float]] = []
    listed = {c.id: c.price or 0.0 for c in inst.commodities}
    where = {f.id: f.region for f in inst.facilities}
    for pf in inst.price_floors:
        for y in t.years:
            if not in_window(y, pf.start, pf.end):
                continue
            for (
                s
            ) in t.scenarios:  # the gap to the market of that year and scenario, unless a reference is fixed
                market = (
                    pf.reference_price
                    if pf.reference_price is not None
                    else listed[pf.commodity]
                    * factor(t.scen_by[s].price, year=y, region=where[pf.facility], commodity=pf.commodity)
                )
                floors.append((pf.id, pf.facility, pf.commodity, y, s, max(pf.floor - market, 0.0) * q / m))
    return Levers(
        stock=stock,
        substitutions=subs,
        sub_share={sb.id: sb.share for sb in inst.substitutions},
        sub_cost={sb.id: sb.cost * q / m for sb in inst.substitutions},
        floors=floors,
        floor_in_objective={pf.id: pf.in_objective for pf in inst.price_floors},
        offtakes=_compile_offtakes(inst, q, m, t.years, runs),
        offtake_in_objective={o.id: o.in_objective for o in inst.offtakes},
        **_compile_sales(inst, q, m, t, present),
    )


def _compile_sales(inst: Instance, q: float, m: float, t: Time, present: set[Present]) -> dict[str, Any]:
    """Sales in the years of their window with a quantity, in every tag that can be present where they
    are made; the price is the sale's, else the commodity's times the scenario's price factors there."""
    prices = {c.id: c.price for c in inst.commodities}
    out: dict[str, Any] = {"sales": [], "sale_at": {}, "sale_qty": {}, "sale_price": {}}
    for sl in inst.sales:
        out["sale_at"][sl.id] = (sl.region, sl.commodity)
        tags = [k for k in TAGS if (sl.region, sl.commodity, k) in present]
        for y in t.years:
            qty = existing_capacity(sl.quantity, y)
            if not tags or qty <= 0 or not in_window(y, sl.start, sl.end):
                continue
            out["sale_qty"][(sl.id, y)] = qty / q
            out["sales"] += [(sl.id, k, y) for k in tags]
            for sc in t.scenarios:
                pf = (
                    1.0
                    if sl.price is not None
                    else factor(t.scen_by[sc].price, year=y, region=sl.region, commodity=sl.commodity)
                )
                out["sale_price"][(sl.id, y, sc)] = (
                    float(sl.price or prices[sl.commodity] or 0.0) * pf * q / m
                )
    return out


def _compile_offtakes(
    inst: Instance, q: float, m: float, years: list[int], runs: dict[str, set[int]]
) -> list[tuple[str, str, str, int, float, float]]:
    """Offtake rows; an offtake needing output from a plant that cannot run that year is refused here, so
    every backend gives the same clear error."""
    out: list[tuple[str, str, str, int, float, float]] = []
    problems: list[Problem] = []
    for i, o in enumerate(inst.offtakes):
        for y in years:
            if not in_window(y, o.start, o.end):
                continue
            qty = existing_capacity(o.quantity, y)
            prem = (o.price - o.reference_price) * qty / m
            if y not in runs.get(o.facility, set()):
                if qty <= 0:
                    continue  # a zero offtake on an idle plant: no row
                problems.append(
                    Problem(
                        ("offtakes", i, "facility"),
                        f"offtake '{o.id}' needs {o.commodity} from '{o.facility}' in {y}, but "
                        f"'{o.facility}' cannot run that year (no capacity then, or its inputs never "
                        "reach it)",
                        "limit the offtake's start/end to years the plant can run, or give it a build option",
                    )
                )
                break
            out.append((o.id, o.facility, o.commodity, y, qty / q, prem))
    if problems:
        raise InstanceError(problems=[inst.locate(p) for p in problems])
    return out


def _compile_stockpiles(
    inst: Instance,
    q: float,
    m: float,
    t: Time,
    demand: list[DemandRow],
    demand_qty: dict[tuple[int, str], float],
    present: set[Present],
) -> Stocks:
    hz = inst.horizon
    out = Stocks()
    for st in inst.stockpiles:
        out.region[st.id] = (st.region, st.commodity)
        out.capacity[st.id] = st.capacity / q
        out.holding[st.id] = st.holding_cost * q / m
        for k in TAGS:
            if (st.region, st.commodity, k) in present:
                out.stocks.append((st.id, k))
                out.initial[(st.id, k)] = st.initial / q if k == st.initial_tag else 0.0
        if st.build_capex is not None:
            crf = annuity_factor(hz.discount_rate, 30)
            out.build_max[st.id] = (st.max_build / q) if st.max_build is not None else float("inf")
            for y0 in t.years:
                if y0 - st.build_lead_time < hz.base_year:
                    continue
                out.builds.append((st.id, y0))
                served = [y for y in t.years if y >= y0]
                for y in served:
                    out.online.setdefault((st.id, y), []).append((st.id, y0))
                out.build_rate[(st.id, y0)] = crf * st.build_capex * q / m
                out.build_years[(st.id, y0)] = served
        if st.days_of_cover:
            for y in t.years:
                if not in_window(y, st.cover_start, st.cover_end):
                    continue
                for s in t.scenarios:
                    need = sum(
                        demand_qty[(d.index, s)]
                        for d in demand
                        if d.region == st.region and d.commodity == st.commodity and d.year == y
                    )
                    if need > 0:
                        out.cover[(st.id, y, s)] = st.days_of_cover / 365.0 * need
            if st.cover == "soft":
                out.cover_soft[st.id] = st.cover_penalty * q / m
    return out


def disrupted(
    inst: Instance, t: Time, region: str, commodity: str, covered: dict[str, frozenset[str]]
) -> set[tuple[int, str]]:
    """(year, scenario) where an export control in force lists `commodity` for `region`: a disruption."""
    bloc_of = {r.id: r.bloc for r in inst.regions}
    out: set[tuple[int, str]] = set()
    for rule in inst.export_controls:
        if commodity not in covered[rule.id] or region not in control_destinations(rule, bloc_of):
            continue
        out |= {(y, s) for y in t.years for s in t.scenarios if in_force(rule, y, t.scen_by[s])}
    return out


def _drawdown_floors(
    inst: Instance, t: Time, q: float, stock: Stocks, covered: dict[str, frozenset[str]]
) -> None:
    """A stockpile that may be drawn down keeps its days-of-cover target outside disruptions only: no floor
    in a disrupted period, and after one the floor returns at `refill_rate` t/yr (at once if none) until it
    reaches the target again. Decided per scenario, since disruptions differ by scenario."""
    for st in inst.stockpiles:
        if not (st.drawdown and st.days_of_cover):
            continue
        hit = disrupted(inst, t, st.region, st.commodity, covered)
        for s in t.scenarios:
            ended: int | None = None  # first calendar year after the latest disruption
            for y in t.years:
                key = (st.id, y, s)
                if (y, s) in hit:
                    stock.cover.pop(key, None)
                    ended = y + t.weight[y]
                    continue
                if key not in stock.cover or ended is None or st.refill_rate is None:
                    continue
                since = y + t.weight[y] - ended  # years of refilling by the end of this period
                stock.cover[key] = min(stock.cover[key], st.refill_rate / q * since)
