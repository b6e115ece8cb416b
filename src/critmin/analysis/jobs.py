"""One solve of an analysis, described as data (a `Job`) so a sweep can run it on any worker.

Every analysis in critmin — evaluating a plan, VSS/EVPI, stress tests, leverage, deal attribution and
parameter sweeps — is many solves of one instance that differ only in what is fixed, stopped, banned or
re-priced. A Job says which; `run_job` applies it to the instance's model and reports the outcome. The
model's arrays and a loaded HiGHS model are cached per worker, so a job that only changes bounds or costs
re-uses them (no rebuild, no hand-over); the solver's state is cleared before every solve so a result never
depends on which job ran before it on that worker (deterministic whatever the worker count).

All quantities in a Job are in instance units (t/yr); the scaling to the model's internal units happens here.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..backend.highs import SolveOptions
from ..backend.result import FEASIBLE, OPTIMAL, ModelResult
from ..backend.session import Session
from ..errors import CritminError
from ..model.assemble import assemble
from ..model.builder import ModelArrays
from ..model.data import compile_instance
from ..model.requirements import MIN_MET, met_share_upper
from ..results.costs import CostBreakdown
from ..results.solution import Solution, objective_parts
from ..results.tables import Context, built_capacity, stage_of
from ..schema import Instance
from ..schema.instance import derived_hash
from ..schema.uncertainty import COST_FACTORS, MODEL_MULTIPLIERS
from .digest import Digest

# inputs a sweep may scale that change the model itself (rebuilt per value, not re-used): name -> what
MODEL_FACTORS = MODEL_MULTIPLIERS
BUILD_FAMILIES = ("build_capacity", "build_modules")
# rows that constrain only which builds to choose: relaxed when a job fixes the builds
BUILD_CHOICE_ROWS = ("budget_limit", "capacity_benchmark")


@dataclass(frozen=True)
class Job:
    """One solve: the instance as given, changed only as stated. Quantities in instance units.

    deals_off: these deals switched off (`Instance.without_deals`); a deal that brings only build options is
        switched off on the loaded model with it on, its options' build columns held at 0 (`closable_deals`).
    builds: fix every build to these (option, online year, t/yr added, branch); unlisted builds are 0. A
        plan's 'all' entry applies to every branch of that option and year (a shared plan, applied whatever
        is revealed).
    recourse: with `builds`, leave the builds decided after a reveal (branch other than 'all') free: the
        plan fixes what was decided before anything was known, the planner reacts after (EEV, regret).
    stop: (region, stage or None for all, from year): those facilities produce nothing from that year on.
    stop_facilities: (facility id, from year): that plant produces nothing from that year on.
    ban_from: from this year, controlled-origin regions ship nothing to any other region.
    inbound_from: from this year, allied regions ship nothing into controlled-origin regions (whose demand
        is outside the plan: a disrupted China must not bid for allied supply at its serve-first priority).
    factors: (name in COST_FACTORS or MODEL_FACTORS, multiplier): cost components re-weighted on the loaded
        model; 'demand' scales every demand row (a model of its own, built once per value).
    min_met: (share, from year): allied demand met (not unmet, not forgone) at least this share in every
        scenario and year from then on — a requirement, so the job may be infeasible.
    de_minimis: (control id, threshold): that extraterritorial control's threshold set to this value (a
        model of its own per value).
    unreached_from: from this year, no allied plant makes output China's controls reach (every allied
        product kept under the thresholds in force).
    trace_sources: trace Chinese-origin content by source commodity in every year (`critmin exposure`).
    reach_only: only this control reaches foreign products: every other control's extraterritorial reach
        is switched off (their limits on the exporter's own shipments stay).
    alone: a long solve among quick ones (value's RP and EEV beside its evaluations): sent to a worker in a
        chunk of its own, so the other workers take the rest meanwhile. How it is run, not what it solves.
    warm: only the objective is read (value's regret evaluations): a plan evaluated as an LP starts from the
        basis of the last LP its worker solved on that model (0.024 s instead of 0.07 s on
        controls-stochastic). The objective is the LP optimum, to the solver's tolerances; the flows are
        one optimal set, and which one depends on what the worker solved before, so a job whose flows,
        costs by part or shortfall are read must stay cold. MIP solves always start cold.
    follows: (key, build options) pairs: if the job with that key ran before this one in the same chunk and
        its plan builds none of those options, this job's outcome is that one's, not solved again (exact
        when this job is that one with those options closed: its plan is feasible here, costs the same, and
        nothing here can do better; attribute's coalitions without a deal that only brings build options).
    """

    key: str
    scenario: str | None = None
    deals_off: tuple[str, ...] = ()
    builds: tuple[tuple[str, int, float, str], ...] | None = None
    recourse: bool = False
    stop: tuple[tuple[str, str | None, int], ...] = ()
    stop_facilities: tuple[tuple[str, int], ...] = ()
    ban_from: int | None = None
    inbound_from: int | None = None
    factors: tuple[tuple[str, float], ...] = ()
    probabilities: tuple[tuple[str, float], ...] = ()  # (scenario, p): the others re-weighted in proportion
    min_met: tuple[float, int] | None = None
    de_minimis: tuple[str, float] | None = None
    unreached_from: int | None = None
    trace_sources: bool = False
    reach_only: str | None = None
    keep: bool = False
    alone: bool = False
    warm: bool = False
    follows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    label: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Outcome:
    """What a job found: status, the planner's expected cost and its parts, and per scenario the planner's
    cost and allied shortfall; per (scenario, year) allied demand and what was met. `solution` if kept."""

    key: str
    status: str
    message: str = ""
    objective: float | None = None
    bound: float | None = None  # the solver's proven bound on the objective (MIPs: below it by the gap)
    parts: dict[str, float] = field(default_factory=dict)
    scenario_cost: dict[str, float] = field(default_factory=dict)
    scenario_unmet: dict[str, float] = field(default_factory=dict)
    met: list[tuple[str, int, float, float]] = field(default_factory=list)  # scenario, year, demand, met
    builds: tuple[tuple[str, int, float, str], ...] = ()  # the plan: (option, online year, t/yr, branch)
    exports: dict[str, tuple[float, float]] = field(default_factory=dict)  # scenario -> controlled-origin
    # regions' exports to others over the horizon: (t, value at the import price, undiscounted)
    probability: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    solve_seconds: float = 0.0
    solution: Solution | None = None
    label: dict[str, Any] = field(default_factory=dict)
    followed: str = ""  # the key of the job whose outcome this is (Job.follows), else ""
    inert: tuple[
        str, ...
    ] = ()  # varied inputs this instance has no cost for (the multiplier changes nothing)
    binding: tuple[str, ...] = ()  # build limits at their bound (build_rate, build_limit rows), by name

    @property
    def ok(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    @property
    def bound_gap(self) -> float:
        """How far the true optimum may lie from the objective found: |objective - bound| (0 if proven or an
        LP solved by simplex or interior point). A MIP's bound is below the objective; a first-order LP's
        dual bound may lie on either side. Every value computed from this job is uncertain by this much."""
        if self.objective is None or self.bound is None:
            return 0.0
        return abs(self.objective - self.bound)

    @property
    def planner_cost(self) -> float | None:
        """Expected money spent + value of demand not served (None without a plan)."""
        return CostBreakdown.from_parts(self.parts).planner_cost if self.ok else None

    def parts_total(self, category: str) -> float | None:
        """The expected discounted cost of one category (e.g. 'spent'), None without a plan."""
        return CostBreakdown.from_parts(self.parts).total(category) if self.ok else None

    @property
    def unserved(self) -> float | None:
        return CostBreakdown.from_parts(self.parts).value_unserved if self.ok else None

    @property
    def expected_unmet(self) -> float | None:
        """Expected allied demand not met (unmet + forgone), t summed over the modelled years' periods."""
        if not self.ok:
            return None
        return float(sum(self.probability[s] * u for s, u in self.scenario_unmet.items()))


@dataclass
class _Index:
    """Built once per loaded model: each activity column's facility, region, stage and year, and each ship
    column's year and whether it leaves a controlled-origin region or enters one from an ally — so a job's
    stops and bans are vector masks, not loops over every column."""

    act_pos: np.ndarray
    act_facility: np.ndarray
    act_region: np.ndarray
    act_stage: np.ndarray
    act_year: np.ndarray
    act_reached_abroad: np.ndarray  # a stream outside controlled origin whose output China's controls reach
    ship_pos: np.ndarray
    ship_year: np.ndarray
    ship_out: np.ndarray  # from a controlled-origin region to another region
    ship_in: np.ndarray  # from an allied region into a controlled-origin one

    @classmethod
    def of(cls, arrays: ModelArrays) -> _Index:
        md = arrays.md
        stage = stage_of(md)
        act = arrays.col_block("activity")
        facs = [f for f, _k, _y, _s in act.keys]
        origin = {r.id for r in md.inst.regions if r.controlled_origin}
        allies = md.allies
        ship = arrays.col_block("ship")
        own = {f.id for f in md.inst.facilities if f.provenance == "own"}
        abroad = [
            k == "controlled"
            and not md.fac_controlled[f]
            and bool(md.facility[f].inputs)
            and f not in own
            and md.region_of[f] in allies
            for f, k, _y, _s in act.keys
        ]
        return cls(
            act_pos=np.arange(act.start, act.stop),
            act_facility=np.array(facs, dtype=object),
            act_region=np.array([md.region_of[f] for f in facs], dtype=object),
            act_stage=np.array([stage[f] for f in facs], dtype=object),
            act_year=np.array([y for _f, _k, y, _s in act.keys], dtype=np.int64),
            act_reached_abroad=np.array(abroad, dtype=bool),
            ship_pos=np.arange(ship.start, ship.stop),
            ship_year=np.array([k[4] for k in ship.keys], dtype=np.int64),
            ship_out=np.array([o in origin and d not in origin for _c, o, d, *_ in ship.keys], dtype=bool),
            ship_in=np.array([o in allies and d in origin for _c, o, d, *_ in ship.keys], dtype=bool),
        )


@dataclass
class _Loaded:
    arrays: ModelArrays
    session: Session
    index: _Index
    digest: Digest
    fixed_session: Session | None = None  # the LP for jobs whose every integer column is fixed (made once)

    def session_for(self, arrays: ModelArrays) -> Session:
        """The session to solve `arrays` in. A job that fixes every integer column (a plan's network,
        evaluated) is an LP: solved as one it skips the MIP solver's presolve and root work, which took
        twice the LP's time on the bundled instances (value's regret evaluations: 0.14 s against 0.07 s
        each, the same objectives; benchmarks/README.md)."""
        ints = arrays.integer
        if not ints.any() or np.any(arrays.col_lower[ints] != arrays.col_upper[ints]):
            self.session.update(arrays)
            return self.session
        if self.fixed_session is None:
            self.fixed_session = Session(arrays, self.session.options, relax_integers=True)
        else:
            self.fixed_session.update(arrays)
        return self.fixed_session


_CACHE: OrderedDict[tuple[Any, ...], _Loaded] = OrderedDict()
_CACHE_SIZE = 4
ASSEMBLED = 0  # models this process has assembled (the cache's misses; tests read it on a worker)


def model_key(instance: Instance, job: Job, options: SolveOptions) -> tuple[Any, ...]:
    """What a job's loaded model depends on: jobs with the same key share one assembled model (the rest of a
    job, its bounds, costs and fixed builds, is applied to it)."""
    return (id(instance), instance.sha256, job.scenario, _removed(instance, job), _scaled(instance, job),
            job.de_minimis, job.trace_sources, job.reach_only, job.probabilities, repr(options))  # fmt: skip


def _loaded(instance: Instance, job: Job, options: SolveOptions) -> _Loaded:
    """The instance's model for this job's scenario and deals, assembled and loaded once per worker."""
    key = model_key(instance, job, options)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    removed = _removed(instance, job)
    inst = instance.without_deals(*removed) if removed else instance
    scaled = _scaled(instance, job)
    if scaled:
        inst = inst.with_factors(dict(scaled))
    for name, p in job.probabilities:
        inst = with_probability(inst, name, p)
    if job.de_minimis is not None:
        inst = with_threshold(inst, *job.de_minimis)
    if job.reach_only is not None:
        inst = reaching_only(inst, job.reach_only)
    md = compile_instance(inst, scenario=job.scenario, extras=(MIN_MET,), trace_sources=job.trace_sources)
    arrays = assemble(md)
    loaded = _Loaded(arrays, Session(arrays, options), _Index.of(arrays), Digest.of(arrays))
    global ASSEMBLED
    ASSEMBLED += 1
    _CACHE[key] = loaded
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return loaded


def closable_deals(instance: Instance) -> frozenset[str]:
    """Deals in force that bring only build options (nothing later or dearer without them): switched off,
    their options are closed by bounds on the model with them on (`_close_options`) instead of removed.
    The same optimum — a build option's columns held at 0 add nothing and cost nothing — without another
    model to assemble: attribute's 64 combinations of allied-frameworks-2025's deals need 16 models."""
    return frozenset(
        d.id
        for d in instance.deals
        if d.in_force and not d.when_off and all(ref.startswith("build_options:") for ref in d.parts)
    )


def _removed(instance: Instance, job: Job) -> tuple[str, ...]:
    """The job's deals switched off by removing their parts from the instance (a model of its own); the
    closable ones are switched off on the loaded model."""
    if not job.deals_off:
        return ()
    closable = closable_deals(instance)
    return tuple(d for d in job.deals_off if d not in closable)


def _close_options(
    arrays: ModelArrays, deals_off: tuple[str, ...], lower: np.ndarray, upper: np.ndarray
) -> None:
    """Hold at 0 the build columns of the options that the job's closable deals bring and no deal still on
    brings (schema/deals.py: an entity several deals bring is present while any of them is on). The loaded
    model's instance still lists exactly the closable deals among those switched off."""
    deals = arrays.md.inst.deals
    off = {d.id for d in deals if d.id in deals_off}
    if not off:
        return
    kept = {ref for d in deals if d.id not in off for ref in d.parts}
    closed = {ref.partition(":")[2] for d in deals if d.id in off for ref in d.parts if ref not in kept}
    for family in BUILD_FAMILIES:
        if arrays.has_col_block(family):
            block = arrays.col_block(family)
            at = [block.start + j for j, (option, *_rest) in enumerate(block.keys) if option in closed]
            lower[at] = upper[at] = 0.0


def _scaled(instance: Instance, job: Job) -> tuple[tuple[str, float], ...]:
    """The job's multipliers built into its model (the rest re-weight the loaded one)."""
    return tuple((n, f) for n, f in job.factors if _built_in(n, instance))


def _built_in(name: str, instance: Instance) -> bool:
    """Whether a job's multiplier is built into its model rather than applied to the loaded one's cost
    weights: demand always; every cost under a CVaR objective, whose scenario-cost rows must scale too."""
    return name in MODEL_FACTORS or (name in COST_FACTORS and instance.objective.cvar_weight > 0)


def with_probability(instance: Instance, scenario: str, p: float) -> Instance:
    """The instance with `scenario`'s probability p (or its schedule crossings' total p, in proportion) and
    the other scenarios re-weighted to keep their relative weights."""
    hit = [s for s in instance.scenarios if scenario in (s.name, s.name.split("__")[0])]
    if not hit:
        raise CritminError(f"no scenario '{scenario}' in {instance.name}")
    p_hit = sum(s.probability for s in hit)
    p_rest = 1 - p_hit
    if p_rest <= 0:
        raise CritminError(f"'{scenario}' is every scenario: its probability cannot vary")
    names = {s.name for s in hit}
    scen = [
        s.model_copy(
            update={
                "probability": s.probability / p_hit * p
                if s.name in names
                else s.probability / p_rest * (1 - p)
            }
        )
        for s in instance.scenarios
    ]
    # model_copy keeps the private attributes (source file, locator for errors, inputs); not its hash
    out = instance.model_copy(update={"scenarios": scen})
    out._sha256 = derived_hash(instance.sha256, ("probability", scenario, p))
    return out


def with_threshold(instance: Instance, control: str, threshold: float) -> Instance:
    """The instance with one extraterritorial control's de-minimis threshold replaced."""
    if not any(c.id == control and c.extraterritorial for c in instance.export_controls):
        raise CritminError(f"no extraterritorial export control '{control}' in {instance.name}")
    rules = [
        c.model_copy(update={"de_minimis": float(threshold)}) if c.id == control else c
        for c in instance.export_controls
    ]
    return instance.model_copy(update={"export_controls": rules})


def reaching_only(instance: Instance, control: str) -> Instance:
    """The instance where only `control` reaches foreign products; other controls keep their limits on the
    exporter's own shipments."""
    rules = [
        c.model_copy(update={"extraterritorial": False, "de_minimis": 0.0})
        if c.extraterritorial and c.id != control
        else c
        for c in instance.export_controls
    ]
    return instance.model_copy(update={"export_controls": rules})


def reference_scenario(instance: Instance, scenario: str | None) -> str | None:
    """The scenario a single-future analysis uses: the one asked for, else the most probable (None if the
    instance has no scenarios)."""
    names = [s.name for s in instance.scenarios]
    if scenario is not None:
        if scenario not in names:
            raise CritminError(
                f"no scenario '{scenario}' in {instance.name}: it has {', '.join(names) or 'none'}"
            )
        return scenario
    if not names:
        return None
    return max(instance.scenarios, key=lambda s: (s.probability, -names.index(s.name))).name


def require_controlled_origin(instance: Instance, analysis: str) -> None:
    """An analysis of a ban or of supply without China needs a region of controlled origin to stop."""
    if not any(r.controlled_origin for r in instance.regions):
        raise CritminError(
            f"{analysis}: {instance.name} has no region of controlled origin (regions[].controlled_origin), "
            "so there is no exporter to ban or stop; mark the exporter, e.g. China, controlled_origin: true"
        )


def clear_cache() -> None:
    """Forget the loaded models (tests; an instance edited in place)."""
    _CACHE.clear()


def job_arrays(loaded: _Loaded, job: Job) -> ModelArrays:
    """The arrays with the job's bounds, row bounds and cost weights (the matrix and data are shared)."""
    arrays = loaded.arrays
    lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
    if job.builds is not None:
        _fix_builds(arrays, job.builds, lower, upper, free_recourse=job.recourse)
    _close_options(arrays, job.deals_off, lower, upper)
    ix = loaded.index
    for region, stage, start in job.stop:
        hit = (ix.act_region == region) & (ix.act_year >= start)
        if stage is not None:
            hit &= ix.act_stage == stage
        upper[ix.act_pos[hit]] = 0.0
    unknown = sorted({f for f, _y in job.stop_facilities} - set(arrays.md.facility))
    if unknown:
        raise CritminError(f"no facility '{unknown[0]}' in this instance")
    for facility, start in job.stop_facilities:
        upper[ix.act_pos[(ix.act_facility == facility) & (ix.act_year >= start)]] = 0.0
    if job.unreached_from is not None:
        upper[ix.act_pos[ix.act_reached_abroad & (ix.act_year >= job.unreached_from)]] = 0.0
    if job.ban_from is not None:  # controlled-origin regions ship nothing to others
        upper[ix.ship_pos[ix.ship_out & (ix.ship_year >= job.ban_from)]] = 0.0
    if job.inbound_from is not None:  # allies ship nothing into controlled-origin regions
        upper[ix.ship_pos[ix.ship_in & (ix.ship_year >= job.inbound_from)]] = 0.0
    row_lower, row_upper = arrays.row_lower, arrays.row_upper
    if job.builds is not None or job.min_met is not None:
        row_lower, row_upper = row_lower.copy(), row_upper.copy()
    for family in BUILD_CHOICE_ROWS:
        if job.builds is not None and arrays.has_row_block(family):
            # a fixed network: the plan's builds are given, so spending floors and caps and capacity
            # benchmarks (what they constrain: which builds to choose) do not bind its operation
            rows = arrays.row_block(family)
            row_lower[rows.start : rows.stop], row_upper[rows.start : rows.stop] = -np.inf, np.inf
    if job.min_met is not None:
        rows = arrays.row_block(MIN_MET)
        share, start = job.min_met
        row_upper[rows.start : rows.stop] = met_share_upper(
            loaded.digest.short, rows.keys, arrays.md.q, share, start
        )
    weights = dict(arrays.weights)
    for name, factor in job.factors:
        if _built_in(name, arrays.md.inst):
            continue  # built into the loaded model
        if name not in COST_FACTORS:
            known = ", ".join([*COST_FACTORS, *MODEL_FACTORS])
            raise CritminError(f"cannot vary '{name}': use one of {known}")
        for comp in COST_FACTORS[name]:
            if comp in arrays.components:
                weights[comp] = weights.get(comp, 1.0) * float(factor)
    return replace(
        arrays,
        col_lower=lower,
        col_upper=upper,
        row_lower=row_lower,
        row_upper=row_upper,
        weights=weights,
        cache={},
    )


def _fix_builds(
    arrays: ModelArrays,
    builds: tuple[tuple[str, int, float, str], ...],
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    free_recourse: bool = False,
) -> None:
    """Fix each build column to the plan's value in model units; builds the plan does not list to 0. A plan's
    'all' entry stands for every branch of its option and year; with `free_recourse`, builds decided after a
    reveal stay free."""
    md = arrays.md
    plan: dict[tuple[str, int, str], float] = {}
    for option, year, added, *rest in builds:  # (option, year, t/yr[, branch]); no branch: 'all'
        branch = str(rest[0]) if rest else "all"
        if option not in md.option:
            raise CritminError(f"the plan builds '{option}', which this instance has no build option for")
        key = (option, int(year), branch)
        plan[key] = plan.get(key, 0.0) + float(added)
    known = {(o, t) for o, t, _br in md.build_keys}
    for option, year, _branch in plan:
        if (option, year) not in known and plan[(option, year, _branch)] > 1e-9:
            raise CritminError(
                f"the plan builds '{option}' online in {year}, which is not a modelled year this instance "
                f"allows for that option"
            )
    for family in BUILD_FAMILIES:
        if not arrays.has_col_block(family):
            continue
        block = arrays.col_block(family)
        for j, (option, year, branch) in enumerate(block.keys):
            if free_recourse and branch != "all":
                continue
            added = _planned(plan, option, year, branch, md.scenarios)
            value = added / (md.build_unit[option] * md.q)
            if family == "build_modules":
                value = float(round(value))
            value = min(max(value, arrays.col_lower[block.start + j]), arrays.col_upper[block.start + j])
            lower[block.start + j] = upper[block.start + j] = value


BUILD_LIMIT_ROWS = ("build_rate", "build_limit")


def binding_build_limits(arrays: ModelArrays, x: np.ndarray) -> tuple[str, ...]:
    """The build-rate and build-limit rows a plan holds at their bound (slack below 1e-6 of the bound):
    what stopped it building more, named for people."""
    from ..model.builder import label

    out = []
    for family in BUILD_LIMIT_ROWS:
        if not arrays.has_row_block(family):
            continue
        block = arrays.row_block(family)
        pos = block.positions()
        activity = arrays.A[pos, :] @ x
        upper = arrays.row_upper[pos]
        for i in np.nonzero(upper - activity <= 1e-6 * np.maximum(1.0, np.abs(upper)))[0]:
            out.append(label(family, block.keys[i]))
    return tuple(out)


def _planned(plan: dict[tuple[str, int, str], float], option: str, year: int, branch: str,
             scenarios: list[str]) -> float:  # fmt: skip
    """What a plan builds for one build column: its own entry; in a one-scenario model, everything the plan
    builds for that scenario (shared, and the branches that include it); else the plan's shared entry."""
    if (option, year, branch) in plan:
        return plan[(option, year, branch)]
    if len(scenarios) == 1:
        s = scenarios[0]
        return sum(v for (o, y, br), v in plan.items()
                   if o == option and y == year and (br == "all" or s in br.split("+")))  # fmt: skip
    return plan.get((option, year, "all"), 0.0)


def run_job(instance: Instance, job: Job, options: SolveOptions | None = None) -> Outcome:
    """Solve one job in this process (re-using the cached model) and summarise it."""
    t0 = time.perf_counter()
    opts = options or SolveOptions()
    loaded = _loaded(instance, job, opts)
    arrays = job_arrays(loaded, job)
    session = loaded.session_for(arrays)
    # the solver's state cleared (the same answer on any worker) unless only the LP's objective is read
    result = session.solve(warm=job.warm and not session.is_mip)
    out = summarise(result, job, opts, loaded.digest)
    out.seconds = time.perf_counter() - t0
    out.inert = tuple(
        n for n, _f in job.factors if n in COST_FACTORS and not set(COST_FACTORS[n]) & set(arrays.components)
    )
    return out


def followed(job: Job, done: dict[str, Outcome]) -> Outcome | None:
    """The outcome `job` takes from a job it follows (Job.follows) that ran before it and whose plan builds
    none of the options named, else None."""
    for key, options in job.follows:
        o = done.get(key)
        if o is not None and o.ok and not any(b[0] in options and b[2] > 0 for b in o.builds):
            return replace(o, key=job.key, label=dict(job.label), followed=key, seconds=0.0)
    return None


def summarise(result: ModelResult, job: Job, options: SolveOptions, digest: Digest | None = None) -> Outcome:
    """The job's outcome from a solver result: costs by component, per scenario, and allied demand met."""
    md = result.arrays.md
    out = Outcome(
        key=job.key,
        status=result.status,
        message=result.message,
        probability=dict(md.prob),
        solve_seconds=result.timings.get("solve", 0.0),
        label=dict(job.label),
    )
    if not result.has_solution:
        return out
    assert result.objective is not None
    out.objective = result.objective * md.m
    out.bound = None if result.bound is None else result.bound * md.m
    arrays = result.arrays
    out.parts = objective_parts(result)
    assert result.x is not None
    digest = digest or Digest.of(arrays)
    out.scenario_cost = digest.scenario_cost(result.x, arrays.weights, md.m)
    out.scenario_unmet, out.met = digest.shortfall(result.x, md.q)
    out.exports = digest.exports(result.x)
    ctx = Context(md, arrays, result)
    out.builds = tuple(
        (o, int(y), float(added), br)
        for (o, y, br), added in sorted(built_capacity(ctx).items(), key=lambda kv: kv[0])
    )
    out.binding = binding_build_limits(arrays, result.x)
    if job.keep:
        out.solution = Solution.from_result(result, options, extra={"job": job.key})
        out.solution.result = None
    return out
