"""Stress tests: how long allied demand survives the loss of a node, and how long until supply without
China can meet X% of allied demand — the "a year or a decade" question.

Time-to-survive (TTS) and time-to-recover (TTR) follow Simchi-Levi, Schmidt & Wei, "From superstorms to
factory fires", Harvard Business Review, Jan-Feb 2014, and Simchi-Levi & Simchi-Levi, "We need a stress test
for critical supply chains", HBR 2020. A node is a region x stage (e.g. CN separation). From a start year the
node produces nothing; operations re-optimise with the network fixed (today's, or a plan's): stockpiles drawn,
spare capacity used, flows rerouted. TTS is the number of years until allied demand met first falls more than
`tolerance` of demand below what the same network meets without the disruption; TTR is the shortest lead
time of a build option that could replace the stage in an allied region. TTS < TTR flags an exposed node.

Time-to-X%: with every controlled-origin region's plants stopped from the first year, the earliest modelled
year T from which allied demand can be met at least X% in every later year, under the cheapest build
programme that achieves it (a requirement row per year; infeasible means not by then).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..backend.highs import SolveOptions
from ..errors import CritminError, did_you_mean
from ..results.format import money, plus_minus
from ..results.tables import records
from ..schema import Instance
from .jobs import Job, Outcome, reference_scenario, require_controlled_origin
from .output import AnalysisResult
from .sweep import Engine, Progress, run_jobs

DEFAULT_SHARES = (0.25, 0.5, 0.75, 0.9, 1.0)


@dataclass(frozen=True)
class Node:
    """What stops: a region x stage, or a named group of facilities (e.g. one company's plants)."""

    name: str
    region: str
    stage: str
    pairs: tuple[tuple[str, str], ...] = ()  # (region, stage)
    facilities: tuple[str, ...] = ()

    def job(self, key: str, start: int, **kw: Any) -> Job:
        return Job(
            key,
            stop=tuple((r, st, start) for r, st in self.pairs),
            stop_facilities=tuple((f, start) for f in self.facilities),
            label={"node": self.name, "start": start},
            **kw,
        )


def group_node(instance: Instance, name: str, facilities: Sequence[str]) -> Node:
    """A named facility group as a node (its regions and stages listed), or a located error."""
    known = {f.id: f for f in instance.facilities}
    bad = [f for f in facilities if f not in known]
    if bad:
        raise CritminError(f"group '{name}': no facility '{bad[0]}' ({did_you_mean(bad[0], list(known))})")
    stage = instance.facility_stages()
    regions = sorted({known[f].region for f in facilities})
    stages = sorted({stage[f] for f in facilities})
    return Node(name, ",".join(regions), ",".join(stages), facilities=tuple(facilities))


TOLERANCE = 0.005


def nodes_of(instance: Instance) -> list[tuple[str, str]]:
    """Every region x stage that has a plant."""
    stage = instance.facility_stages()
    return sorted({(f.region, stage[f.id]) for f in instance.facilities})


def _met(o: Outcome, scenario: str | None) -> dict[int, tuple[float, float]]:
    return {y: (d, m) for s, y, d, m in o.met if scenario is None or s == scenario}


@dataclass(frozen=True)
class Recovery:
    """How long until allied builds can replace a share of a stopped node's capacity, and what limits it."""

    years: int | None  # None: not within the horizon's options
    limited_by: str
    capacity: float  # t/yr of the node's throughput to replace (activity, at the start year)


def node_facilities(instance: Instance, node: Node, stage: dict[str, str]) -> set[str]:
    """The plants a node stops: its named facilities, or every plant of its regions x stages."""
    return set(node.facilities) | {f.id for f in instance.facilities if (f.region, stage[f.id]) in node.pairs}


def throughput(base: Outcome, facilities: set[str], start: int, scenario: str | None) -> float:
    """What the node's plants run in the undisrupted run: the most they run in any year from `start` (t/yr
    of activity; the reference scenario's, else the expected value). The most, not the start year's: a
    free stock drawn first can leave a plant idle in the first years of the undisrupted run."""
    assert base.solution is not None
    p = base.solution.production
    p = p[p.facility.isin(facilities) & (p.year >= start)]
    if scenario is not None:
        p = p[p.scenario == scenario]
        by_year = p.groupby(["year", "facility", "tag"]).activity.first().groupby("year").sum()
        return float(by_year.max()) if len(by_year) else 0.0
    prob = base.probability
    act = p.groupby(["year", "facility", "tag", "scenario"], as_index=False).activity.first()
    act["weighted"] = [a * prob.get(s, 0.0) for a, s in zip(act.activity, act.scenario, strict=True)]
    by_year = act.groupby("year").weighted.sum()
    return float(by_year.max()) if len(by_year) else 0.0


@dataclass
class _Candidate:
    first: int  # first year its capacity can be online
    room: float  # t/yr it may still add
    option: str
    region: str
    ramp: list[float] | None


def recovery(
    instance: Instance,
    node: Node,
    start: int,
    share: float,
    allies: set[str],
    stage: dict[str, str],
    lost: float,
) -> Recovery:
    """Scale-aware time-to-recover: from `start`, construction may begin at once; each year, build options of
    the node's stage in allied regions outside the node add capacity — no sooner than their lead time, no
    more than their maximum, no faster than the build-rate limits allow (with learning) — and new capacity
    runs at its ramp. The answer is the first year the usable additions reach `share` of `lost` (the node's
    throughput at `start` in the undisrupted run, t/yr of activity), with the limit that held it back last."""
    from ..model.builds import stage_ramp
    from ..schema import DiscreteOption, ramp_at

    facs = {f.id: f for f in instance.facilities}
    stages = node.stage.split(",")
    inside = node_facilities(instance, node, stage)
    target = share * lost
    if target <= 0:
        return Recovery(0, "nothing to replace", lost)
    cands: list[_Candidate] = []
    for o in instance.build_options:
        f = facs.get(o.facility)
        if f is None or f.id in inside or f.region not in allies or stage[f.id] not in stages:
            continue
        first = max(start, instance.horizon.base_year, o.earliest_start or start) + o.lead_time
        size = o.max_count * o.module_size if isinstance(o, DiscreteOption) else o.max_capacity
        room = math.inf if size is None else float(size)
        cands.append(_Candidate(first, room, o.id, f.region, stage_ramp(instance, f, o.ramp, stage)))
    if not cands:
        return Recovery(None, "no allied build option for this stage", lost)
    cands.sort(key=lambda c: (c.first, c.option))
    rates = [r for r in instance.build_rates if r.stage in stages]
    bloc_of = {r.id: r.bloc for r in instance.regions}
    built_in: dict[str, float] = defaultdict(float)
    added: list[tuple[int, float, list[float] | None]] = []
    reason = "lead time"
    for year in range(start, start + 60):
        for c in cands:
            if c.first > year or c.room <= 0:
                continue
            scopes = [r for r in rates if r.region is None or r.region in (c.region, bloc_of[c.region])]
            need = max(target * 1.5 - sum(q for _y, q, _r in added), 0.0)  # enough nameplate to beat the ramp
            rooms = {r.id: _rate_room(r, year, built_in) for r in scopes}
            allowed = min([c.room, need, *rooms.values()])
            if allowed < c.room and allowed < need and rooms:
                reason = f"build rate {min(rooms, key=lambda k: rooms[k])}"
            if allowed > 0:
                added.append((year, allowed, c.ramp))
                c.room -= allowed
                for r in scopes:
                    built_in[f"{r.id}:{year}"] += allowed
                    built_in[r.id] += allowed
        usable = sum(q * ramp_at(rp, year - y0) for y0, q, rp in added if year >= y0)
        if usable >= target * (1 - 1e-9):
            return Recovery(
                year - start, reason if reason.startswith("build rate") else _why(added, year), lost
            )
        if all(c.room <= 0 for c in cands):
            reason = "option size"
    return Recovery(None, f"{reason}: not within 60 years", lost)


def _why(added: list[tuple[int, float, list[float] | None]], year: int) -> str:
    """What held recovery back when nothing else did: the lead time, or the ramp of what was built."""
    return "ramp-up" if any(y0 < year for y0, _q, _r in added) else "lead time"


def _rate_room(rate: Any, year: int, built: dict[str, float]) -> float:
    """What a build rate still allows in a year: its limit (+ learning on what came before) less what
    already came online that year."""
    from ..model.timeline import existing_capacity, in_window

    if not in_window(year, rate.start, rate.end):
        return math.inf
    before = built[rate.id] - built[f"{rate.id}:{year}"]
    return max(existing_capacity(rate.limit, year) + rate.learning * before - built[f"{rate.id}:{year}"], 0.0)


def stress(
    instance: Instance,
    *,
    plan: tuple[tuple[str, int, float, str], ...] | None = None,
    starts: Sequence[int] = (),
    nodes: Sequence[tuple[str, str]] = (),
    groups: Mapping[str, Sequence[str]] | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    scenario: str | None = None,
    tolerance: float = TOLERANCE,
    recover_share: float = 1.0,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """TTS/TTR per node (region x stage; default all, or `nodes`) and named facility group (`groups`: name ->
    facility ids), per start year, and the time-to-X% curve without China."""
    from ..model.data import compile_instance

    ref = reference_scenario(instance, scenario)
    require_controlled_origin(instance, "stress")
    md = compile_instance(instance, scenario=ref)
    allies = md.allies
    stage = instance.facility_stages()
    years = list(md.years)
    all_nodes = nodes_of(instance)
    pairs = list(nodes) or ([] if groups else all_nodes)
    bad = [n for n in pairs if n not in all_nodes]
    if bad:
        raise CritminError(f"no plant of stage '{bad[0][1]}' in region '{bad[0][0]}'")
    chosen = [Node(f"{r} {st}", r, st, pairs=((r, st),)) for r, st in pairs]
    chosen += [group_node(instance, name, facs) for name, facs in (groups or {}).items()]
    start_years = list(starts) or [years[0]]
    wrong = [y for y in start_years if y not in years]
    if wrong:
        raise CritminError(f"start year {wrong[0]} is not a modelled year ({', '.join(map(str, years))})")
    bad_share = [x for x in shares if not 0 < x <= 1]
    if bad_share:
        raise CritminError(f"share {bad_share[0]} must be in (0, 1]")
    if not 0 < recover_share <= 1:
        raise CritminError(f"recover share {recover_share} must be in (0, 1]")
    jobs = _jobs(instance, plan, chosen, start_years, shares, years, ref)
    outs = {o.key: o for o in run_jobs(instance, jobs, options=options, engine=engine, progress=progress)}
    tts = _tts_table(outs, chosen, start_years, years, stage, allies, instance, ref, tolerance, recover_share)
    curve, natural = _share_curve(outs, shares, years, ref)
    cur = instance.units.currency
    headline = []
    for r in records(curve):
        when = "not by the horizon" if pd.isna(r.first_year) else f"from {int(r.first_year)}"
        cost = (
            ""
            if pd.isna(r.first_year)
            else f" (the cheapest programme that does it spends {money(r.programme_spent, cur)}"
            + plus_minus(r.programme_bound_error, cur)
            + ")"
        )
        held = f"; held back by {r.binding_limits}" if r.binding_limits else ""
        headline.append(f"allied demand met {r.share:.0%} without China: {when}{cost}{held}")
    exposed = tts[tts.exposed]
    if len(exposed):
        headline.append(f"{len(exposed)} node(s) run out before they can be replaced (TTS < TTR)")
    return AnalysisResult(
        kind="stress",
        title=f"Stress test of {instance.name}" + (f" (scenario {ref})" if ref else ""),
        method="Simchi-Levi et al. (HBR 2014) time-to-survive / time-to-recover; time-to-X% by requirement",
        facts={
            "scenario": ref,
            "starts": start_years,
            "shares": list(shares),
            "tolerance": tolerance,
            "recover_share": recover_share,
            "network": "today's (no new builds)" if plan is None else f"a plan of {len(plan)} builds",
        },  # fmt: skip
        tables={"time_to_survive": tts, "time_to_share": curve, "china_free_met": natural},
        currency=cur,
        assumptions=_assumptions(plan is None, tolerance, recover_share),
        headline=headline,
    )


def _assumptions(today: bool, tolerance: float, recover_share: float) -> list[str]:
    """What a stress test assumes, stated with its answer."""
    return [
        "TTS: the network is fixed ("
        + ("no builds beyond existing and committed capacity" if today else "the plan's builds")
        + "); stockpiles, spare capacity and other routes may be used",  # fmt: skip
        f"a year counts as short when allied demand met falls more than {tolerance:.1%} of demand below "
        "the undisrupted run; years between modelled periods are not resolved",
        "allied regions ship nothing into controlled-origin regions: their demand is outside the allies' "
        "plan, and a disrupted China does not outbid allied buyers in the model",
        f"TTR: years until allied builds of that stage (outside the node) replace {recover_share:.0%} of "
        "its capacity at the start year, construction starting then: each option no sooner than its lead "
        "time, no more than its maximum, no faster than the build-rate limits, its capacity at its ramp "
        "(permits and financing beyond the lead time are outside it)",
        "time-to-X%: plants in controlled-origin regions stopped from the first year; demand met "
        "excludes demand forgone at its price; the requirement holds in every modelled year from then "
        "on; the programme is the cheapest that meets X% (demand beyond X% is not valued), its cost the "
        "money the allies spend on their whole supply over the horizon (discounted)",
    ]


def _tts_table(
    outs: dict[str, Outcome],
    chosen: list[Node],
    starts: list[int],
    years: list[int],
    stage: dict[str, str],
    allies: set[str],
    instance: Instance,
    ref: str | None,
    tol: float,
    recover_share: float,
) -> pd.DataFrame:
    base = outs["base"]
    if not base.ok:
        raise CritminError(f"the network cannot operate even undisrupted ({base.status}): {base.message}")
    base_met = _met(base, ref)
    rows = []
    for node in chosen:
        for y in starts:
            lost = throughput(base, node_facilities(instance, node, stage), y, ref)
            rec = recovery(instance, node, y, recover_share, allies, stage, lost)
            recover = rec.years
            o = outs[f"stop:{node.name}:{y}"]
            row = {
                "node": node.name,
                "region": node.region,
                "stage": node.stage,
                "start": y,
                "status": o.status,
            }
            tts = None
            if o.ok:
                met = _met(o, ref)
                short = [
                    yy for yy in years if yy >= y and met[yy][1] < base_met[yy][1] - tol * base_met[yy][0]
                ]
                tts = (short[0] - y) if short else None
                row["extra_unmet_tonnes"] = (o.expected_unmet or 0.0) - (base.expected_unmet or 0.0)
                row["extra_cost"] = (o.planner_cost or 0.0) - (base.planner_cost or 0.0)
                row["extra_cost_bound_error"] = o.bound_gap + base.bound_gap
            horizon = years[-1] - y + 1
            row["tts_years"] = tts
            row["survives_horizon"] = o.ok and tts is None
            row["ttr_years"] = recover
            row["ttr_limited_by"] = rec.limited_by
            row["throughput_t"] = rec.capacity
            row["exposed"] = bool(tts is not None and (recover is None or tts < recover))
            row["horizon_years"] = horizon
            rows.append(row)
    return pd.DataFrame(rows)


def _share_curve(
    outs: dict[str, Outcome], shares: Sequence[float], years: list[int], ref: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for x in shares:
        first = next((t for t in years if outs[f"share:{x:g}:{t}"].ok), None)
        o = outs[f"share:{x:g}:{first}"] if first is not None else None
        top = sorted(o.builds, key=lambda b: -b[2])[:3] if o is not None else []
        rows.append(
            {
                "share": x,
                "first_year": first,
                "programme_spent": o.parts_total("spent") if o is not None else None,
                # how far the programme's optimum may lie below what was found (the solver's bound gap)
                "programme_bound_error": o.bound_gap if o is not None else None,
                "new_capacity_t": sum(b[2] for b in o.builds) if o is not None else None,
                "main_builds": "; ".join(f"{b[0]} {b[2]:,.0f} t/yr ({b[1]})" for b in top),
                "binding_limits": "; ".join(o.binding) if o is not None else "",
            }
        )
    natural = outs["china_free"]
    met = _met(natural, ref) if natural.ok else {}
    nat = pd.DataFrame(
        [
            {"year": y, "demand": d, "met_t": m, "met_share": (m / d if d else 1.0)}
            for y, (d, m) in sorted(met.items())
        ]
    )
    return pd.DataFrame(rows), nat


def _jobs(
    instance: Instance,
    plan: tuple[tuple[str, int, float, str], ...] | None,
    chosen: list[Node],
    starts: list[int],
    shares: Sequence[float],
    years: list[int],
    ref: str | None,
) -> list[Job]:
    """The undisrupted network, each node stopped from each start year, and China-free requirement solves."""
    network = () if plan is None else plan
    closed = years[0]  # no allied shipments into controlled-origin regions: their shortfall is their own
    jobs = [Job("base", scenario=ref, builds=network, inbound_from=closed, keep=True)]
    for node in chosen:
        for y in starts:
            key = f"stop:{node.name}:{y}"
            jobs.append(node.job(key, y, scenario=ref, builds=network, inbound_from=closed))

    origin = sorted({r.id for r in instance.regions if r.controlled_origin})
    no_china = tuple((r, None, years[0]) for r in origin)
    jobs.append(Job("china_free", scenario=ref, stop=no_china, inbound_from=closed))
    for x in shares:
        for t in years:
            jobs.append(Job(f"share:{x:g}:{t}", scenario=ref, stop=no_china, min_met=(x, t),
                            factors=(("voll", 0.0),), inbound_from=closed,
                            label={"share": x, "year": t}))  # fmt: skip
    return jobs
