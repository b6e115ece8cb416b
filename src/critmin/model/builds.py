"""Capacity as it really arrives, compiled once: which builds exist and for which scenarios (recourse), and
how much of every build and committed step is usable in each period and scenario (ramp-up, schedule slips).

- **Recourse.** A build is decided when its construction starts (online year - lead time). Scenarios that
  cannot yet be told apart then (non-anticipativity, `groups_at`) share the decision; once a scenario is
  revealed, a build starting then may differ by scenario. So a build is keyed (option, online year,
  branch): branch `all` is the one decision for every scenario; otherwise the scenarios it serves, joined by
  `+`. With `recourse: false` every build is `all` (the two-stage model).
- **Ramp.** New capacity runs at `ramp[i]` of nameplate in its (i+1)-th year of output, to the year, then at
  nameplate; within a multi-year period, the mean over its calendar years. The ramp is the option's (or the
  facility's, for its committed steps after the base year), else the instance's for its stage, else none.
- **Slips.** In a scenario whose slips name a project, its first output moves later by that many years (and
  its retirement with it). Costs are not deferred: the money is spent on schedule (conservative).

Capex and fixed O&M are paid on nameplate for the nominal years (`paid`), capacity_limit uses `usable`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..schema import DiscreteOption, Instance, ramp_at
from ..schema.dynamics import Slip
from ..schema.network import Facility
from .data_types import BuildKey
from .finance import capital_rates
from .nonanticipativity import groups_at
from .timeline import Time, annuity_factor, calendar_years, discount_factor, existing_capacity

ALL = "all"  # the branch of a build decided for every scenario


@dataclass
class Builds:
    """Compiled builds: keys, their scenarios, units, costs, and shares of each period they serve."""

    keys: list[BuildKey] = field(default_factory=list)
    serves: dict[BuildKey, frozenset[str]] = field(
        default_factory=dict
    )  # scenarios a build's decision is for
    unit: dict[str, float] = field(default_factory=dict)  # scaled capacity per unit of the build variable
    start: dict[BuildKey, int] = field(default_factory=dict)  # construction start year
    rate: dict[BuildKey, float] = field(default_factory=dict)  # annualised capex per unit and year online
    overnight: dict[BuildKey, float] = field(default_factory=dict)
    years: dict[BuildKey, list[int]] = field(default_factory=dict)  # periods paid for (nominal)
    online: dict[tuple[str, int], list[BuildKey]] = field(default_factory=lambda: defaultdict(list))
    share: dict[tuple[BuildKey, int], float] = field(default_factory=dict)  # nominal share of period's years
    paid: dict[tuple[BuildKey, int], float] = field(default_factory=dict)  # ... discount-weighted
    usable: dict[tuple[BuildKey, int, str], float] = field(default_factory=dict)  # ramped, slipped, by scen
    discrete: set[str] = field(default_factory=set)
    left_out: list[str] = field(default_factory=list)  # options of investors outside the planner
    capital_rate: dict[str, tuple[float, str]] = field(default_factory=dict)  # option -> (rate, set by)


@dataclass
class Existing:
    """Existing and committed capacity per facility and period: nominal (reports), discount-weighted (fixed
    O&M) and usable per scenario (ramped, slipped)."""

    cap_keys: list[tuple[str, int]]
    nominal: dict[tuple[str, int], float]
    paid: dict[tuple[str, int], float]
    usable: dict[tuple[str, int, str], float]


def stage_ramp(
    inst: Instance, facility: Facility, own: list[float] | None, stages: dict[str, str]
) -> list[float] | None:
    """The ramp that applies: its own, else the instance's for the facility's stage (`stages`:
    Instance.facility_stages, where a recycler's is 'recycling')."""
    if own is not None:
        return own
    return inst.ramps.get(stages[facility.id])


def slip_years(slips: list[Slip], *, option: object = None, facility: str | None = None) -> int:
    """Years a project slips in a scenario: the longest slip naming it (by id or by class)."""
    out = 0
    for sl in slips:
        if option is not None:
            hit = option.id in sl.options or sl.projects == "all"  # type: ignore[attr-defined]
            hit |= sl.projects == "pre_fid" and not option.fid  # type: ignore[attr-defined]
            hit |= sl.projects == "greenfield" and not option.brownfield  # type: ignore[attr-defined]
            hit |= sl.projects == "brownfield" and option.brownfield  # type: ignore[attr-defined]
        else:
            hit = facility in sl.facilities or sl.projects in ("all", "committed")
        if hit:
            out = max(out, sl.years)
    return out


def _mean_usable(first: int, lifetime: int, ramp: list[float] | None, years: list[int]) -> float:
    """Mean over a period's calendar years of the usable share of capacity whose first output is in year
    `first` (ramped, retired after `lifetime` years)."""
    return sum(ramp_at(ramp, j - first) for j in years if first <= j < first + lifetime) / len(years)


def branches(inst: Instance, t: Time, start: int) -> list[frozenset[str]]:
    """The scenario groups a build starting construction in `start` is decided for: one group (all) without
    recourse or before any reveal, else the groups that can be told apart by then."""
    everyone = [frozenset(t.scenarios)]
    reveals = [t.scen_by[s].revealed for s in t.scenarios] + [
        t.scen_by[s].schedule_revealed for s in t.scenarios
    ]
    if inst.recourse is False or not any(r is not None for r in reveals) or len(t.scenarios) < 2:
        return everyone
    return [frozenset(g) for g in groups_at(t, start)]


def branch_label(group: frozenset[str], t: Time) -> str:
    return ALL if len(group) == len(t.scenarios) else "+".join(s for s in t.scenarios if s in group)


def compile_builds(inst: Instance, t: Time, q: float, m: float, planner: set[str] | None) -> Builds:
    """An option's capacity comes online in period y if construction (y - lead time) can start by then; one
    build per branch of scenarios (recourse); each serves later periods for the share of their years its
    lifetime covers, ramped and slipped per scenario. With a planner, options whose investor is outside it are
    not the planner's decisions and are left out (and listed)."""
    hz = inst.horizon
    out = Builds()
    out.capital_rate = capital_rates(inst)
    cal = calendar_years(inst)
    facs = {f.id: f for f in inst.facilities}
    stages = inst.facility_stages()
    bloc_of = {r.id: r.bloc for r in inst.regions}
    for o in inst.build_options:
        fac = facs[o.facility]
        investor = o.investor or fac.region
        if planner is not None and investor not in planner and bloc_of.get(investor) not in planner:
            out.left_out.append(o.id)
            continue
        first_start = max(hz.base_year, o.earliest_start or hz.base_year)
        if isinstance(o, DiscreteOption):
            out.discrete.add(o.id)
            unit, cost_per_unit = o.module_size / q, o.fixed_cost
        else:
            unit, cost_per_unit = 1.0, o.capex * q
        out.unit[o.id] = unit
        crf = annuity_factor(out.capital_rate[o.id][0], o.lifetime)  # its cost of capital (finance.py)
        ramp = stage_ramp(inst, fac, o.ramp, stages)
        slip = {s: slip_years(t.scen_by[s].slips, option=o) for s in t.scenarios}
        for ty in hz.years:
            if ty - o.lead_time < first_start:
                continue
            for group in branches(inst, t, ty - o.lead_time):
                key = (o.id, ty, branch_label(group, t))
                out.keys.append(key)
                out.serves[key] = group
                out.start[key] = ty - o.lead_time
                out.rate[key] = crf * cost_per_unit / m
                out.overnight[key] = cost_per_unit / m
                served = []
                for y in hz.years:
                    years = cal[y]
                    nominal = [j for j in years if ty <= j < ty + o.lifetime]
                    usable = {s: _mean_usable(ty + slip[s], o.lifetime, ramp, years) for s in group}
                    if not nominal and not any(usable.values()):
                        continue
                    out.online[(o.facility, y)].append(key)
                    out.share[(key, y)] = len(nominal) / len(years)
                    weights = [discount_factor(inst, j) for j in years]
                    out.paid[(key, y)] = sum(discount_factor(inst, j) for j in nominal) / sum(weights)
                    for s, u in usable.items():
                        if u > 0:
                            out.usable[(key, y, s)] = u
                    if nominal:
                        served.append(y)
                out.years[key] = served
    return out


def by_scenario_sets(
    keys: list[BuildKey], serves: dict[BuildKey, frozenset[str]], scenarios: list[str]
) -> list[tuple[str, list[BuildKey]]]:
    """A limit on builds holds in every scenario over the builds decided for it (shared and its own branch's).
    Scenarios whose sets are equal share one row: ('all', keys) without recourse; else one per distinct set,
    labelled by its scenarios."""
    sets: dict[tuple[BuildKey, ...], list[str]] = {}
    for s in scenarios:
        subset = tuple(k for k in keys if s in serves[k])
        sets.setdefault(subset, []).append(s)
    if len(sets) == 1:
        return [(ALL, list(next(iter(sets))))]
    return [("+".join(group), list(subset)) for subset, group in sets.items() if subset]


def compile_existing(
    inst: Instance, t: Time, q: float, online: dict[tuple[str, int], list[BuildKey]]
) -> Existing:
    """(facility, period) pairs with existing capacity or a build online; the nominal capacity (its mean over
    the period's calendar years), the discount-weighted mean (fixed O&M), and the usable capacity per
    scenario: steps up after the base year are committed projects, ramped and slipped like builds."""
    cal = calendar_years(inst)
    base = inst.horizon.base_year
    out = Existing([], {}, {}, {})
    stages = inst.facility_stages()
    for f in inst.facilities:
        ramp = stage_ramp(inst, f, f.ramp, stages)
        steps = _steps(f.capacity, base)
        slip = {s: slip_years(t.scen_by[s].slips, facility=f.id) if steps else 0 for s in t.scenarios}
        for y, years in cal.items():
            nominal = [existing_capacity(f.capacity, j) / q for j in years]
            e = sum(nominal) / len(nominal)
            usable = {s: _usable_existing(f.capacity, steps, ramp, slip[s], years) / q for s in t.scenarios}
            if e > 0 or any(usable.values()) or (f.id, y) in online:
                out.cap_keys.append((f.id, y))
                out.nominal[(f.id, y)] = e
                w = [discount_factor(inst, j) for j in years]
                out.paid[(f.id, y)] = sum(v * x for v, x in zip(nominal, w, strict=True)) / sum(w)
                for s, u in usable.items():
                    out.usable[(f.id, y, s)] = u
    return out


def _steps(capacity: float | dict[int, float], base: int) -> list[tuple[int, float]]:
    """Committed steps up after the base year: (year, t/yr added)."""
    if not isinstance(capacity, dict):
        return []
    out, before = [], existing_capacity(capacity, base)
    for y in sorted(k for k in capacity if k > base):
        if capacity[y] > before:
            out.append((y, capacity[y] - before))
        before = capacity[y]
    return out


def _usable_existing(
    capacity: float | dict[int, float], steps: list[tuple[int, float]], ramp: list[float] | None, slip: int,
    years: list[int],
) -> float:  # fmt: skip
    """Mean usable capacity over a period's years: the step function with each committed step up replaced by
    its ramped, slipped arrival (steps down apply on schedule)."""
    if not steps or (ramp is None and slip == 0):
        return sum(existing_capacity(capacity, j) for j in years) / len(years)
    total = 0.0
    for j in years:
        value = existing_capacity(capacity, j)
        for y0, added in steps:
            if j >= y0:
                value -= added  # take the nominal step out ...
            if j >= y0 + slip:
                value += added * ramp_at(ramp, j - y0 - slip)  # ... and put its real arrival in
        total += max(value, 0.0)
    return total / len(years)
