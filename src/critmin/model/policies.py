"""Policies: a minimum share of supply from given blocs, a maximum share from one supplier, a hard service
level on demand, capex budgets, and capacity benchmarks (a group's capacity at a stage against its own
consumption). A region's supply is its own production plus its imports (terms.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InstanceError, Problem
from ..schema import CapacityBenchmark, Instance
from .builder import INF, ModelBuilder, Terms
from .builds import by_scenario_sets
from .data_types import BuildKey, DemandRow
from .terms import build_col, capacity_online, origins_into, supply_terms
from .timeline import in_window

if TYPE_CHECKING:  # data.py imports this module
    from .data import ModelData


def add_min_bloc_share(b: ModelBuilder) -> None:
    md = b.md
    keys: list[tuple[str, str, int, str]] = []
    rows: list[Terms] = []
    for p in md.inst.policies.min_bloc_share:
        for c in p.commodities:
            for y in md.years:
                if not in_window(y, p.start, p.end):
                    continue
                for s in md.scenarios:
                    own, imports, supply = supply_terms(b, p.region, c, y, s)
                    if not supply:
                        continue
                    from_blocs = list(own) if md.bloc_of[p.region] in p.blocs else []
                    from_blocs += [t for o, ts in imports.items() if md.bloc_of[o] in p.blocs for t in ts]
                    keys.append((p.id, c, y, s))
                    rows.append(from_blocs + [(-p.share * coef, col) for coef, col in supply])
    b.rows_of_terms(b.constraints("min_bloc_share", keys, 0.0, INF), rows)


def add_max_supplier_share(b: ModelBuilder) -> None:
    md = b.md
    keys: list[tuple[str, str, str, int, str]] = []
    rows: list[Terms] = []
    for p in md.inst.policies.max_supplier_share:
        for c in p.commodities:
            for o in origins_into(b, p.region, c):
                for y in md.years:
                    if not in_window(y, p.start, p.end):
                        continue
                    for s in md.scenarios:
                        _own, imports, supply = supply_terms(b, p.region, c, y, s)
                        keys.append((p.id, c, o, y, s))
                        rows.append(list(imports[o]) + [(-p.share * coef, col) for coef, col in supply])
    b.rows_of_terms(b.constraints("max_supplier_share", keys, -INF, 0.0), rows)


def add_min_service(b: ModelBuilder) -> None:
    """unmet <= (1 - share) x demand, i.e. deliveries >= share x demand, on the rows data.py selected."""
    md = b.md
    unmet = b.col("unmet")
    keys = [(pid, i, s) for pid, i, s, _ in md.service]
    block = b.constraints("min_service", keys, -INF, [ub for *_, ub in md.service])
    b.add(block.positions(), [unmet.index[(i, s)] for _, i, s in keys], 1.0)


def add_budgets(b: ModelBuilder) -> None:
    """Overnight capex of builds whose construction starts in the budget's window: at most its amount (a
    cap), or at least (a floor: spending a deal commits)."""
    md = b.md
    keys: list[tuple[str, str]] = []
    lower: list[float] = []
    upper: list[float] = []
    rows: list[Terms] = []
    for i, bg in enumerate(md.inst.policies.budgets):
        builds = md.budget_builds[bg.id]
        if not builds:
            if bg.kind == "floor" and bg.amount > 0:
                msg = (
                    f"budget floor '{bg.id}' commits {bg.amount:,.0f} but no build of its investors "
                    "starts in its window"
                )
                hint = "check its investor, start and end, or the build options' lead times"
                raise InstanceError(problems=[md.inst.locate(Problem(("policies", "budgets", i), msg, hint))])
            continue
        for label, keys_s in by_scenario_sets(builds, md.build_serves, md.scenarios):
            keys.append((bg.id, label))
            lower.append(bg.amount / md.m if bg.kind == "floor" else -INF)
            upper.append(INF if bg.kind == "floor" else bg.amount / md.m)
            rows.append([(md.overnight[k], build_col(b, k)) for k in keys_s])
    b.rows_of_terms(b.constraints("budget_limit", keys, lower, upper), rows)


def compile_policy_coverage(
    inst: Instance,
    scenarios: list[str],
    demand: list[DemandRow],
    demand_qty: dict[tuple[int, str], float],
    build_keys: list[BuildKey],
    build_start: dict[BuildKey, int],
    region_of: dict[str, str],
    bloc_of: dict[str, str],
) -> tuple[list[tuple[str, int, str, float]], dict[str, list[BuildKey]]]:
    """Which demand rows each service level covers, and which builds each budget pays for."""
    pol = inst.policies
    service: list[tuple[str, int, str, float]] = []
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
    budget_builds: dict[str, list[BuildKey]] = {}
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


def benchmark_plants(md: ModelData, p: CapacityBenchmark) -> list[tuple[str, float]]:
    """The group's plants of the benchmark's stage that make its commodity: (facility, output per unit)."""
    stage = md.inst.facility_stages()
    regions = set(p.regions)
    return [
        (f.id, float(f.outputs[p.commodity]))
        for f in md.inst.facilities
        if f.region in regions and stage[f.id] == p.stage and p.commodity in f.outputs
    ]


def benchmark_consumption(md: ModelData, p: CapacityBenchmark, y: int, s: str) -> float:
    """The group's consumption of the benchmark's commodity (scaled t): per_unit x its demand for basis."""
    regions = set(p.regions)
    rows = [d.index for d in md.demand if d.year == y and d.region in regions and d.commodity == p.basis]
    return p.per_unit * sum(md.demand_qty.get((i, s), 0.0) for i in rows)


def benchmark_capacity(md: ModelData, plants: list[tuple[str, float]], y: int, s: str) -> float:
    """What the plants' existing capacity can make of the commodity (scaled t): the constant part."""
    return sum(
        coef * md.avail.get((f, y, s), 0.0) * md.existing_usable.get((f, y, s), 0.0) for f, coef in plants
    )


def add_capacity_benchmarks(b: ModelBuilder) -> None:
    """Existing + built capacity of the group's plants at the stage, times their output of the commodity, at
    least share x the group's consumption, in every scenario and year of the window; only benchmarks with
    `enforce` (the others are reported, results/benchmarks.py). A benchmark no plant or option of the group
    can serve is refused with its location rather than made infeasible."""
    md = b.md
    keys: list[tuple[str, int, str]] = []
    lower: list[float] = []
    rows: list[Terms] = []
    for i, p in enumerate(md.inst.policies.capacity_benchmarks):
        if not p.enforce:
            continue
        plants = benchmark_plants(md, p)
        for y in md.years:
            if not in_window(y, p.start, p.end):
                continue
            for s in md.scenarios:
                need = p.share * benchmark_consumption(md, p, y, s) - benchmark_capacity(md, plants, y, s)
                terms = [
                    (coef * md.avail.get((f, y, s), 0.0) * u, col)
                    for f, coef in plants
                    for u, col in capacity_online(b, f, y, s)
                ]
                if need > 1e-9 and not terms:
                    msg = (
                        f"capacity benchmark '{p.id}' cannot be met in {y}: the regions "
                        f"{', '.join(p.regions)} have no {p.stage} plant or build option making "
                        f"{p.commodity} that is online then"
                    )
                    hint = "set enforce: false to report how far the plan is from it, or add a build option"
                    problem = Problem(("policies", "capacity_benchmarks", i), msg, hint)
                    raise InstanceError(problems=[md.inst.locate(problem)])
                keys.append((p.id, y, s))
                lower.append(need)
                rows.append(terms)
    b.rows_of_terms(b.constraints("capacity_benchmark", keys, lower, INF), rows)
