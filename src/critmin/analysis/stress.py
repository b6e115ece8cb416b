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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..backend.highs import SolveOptions
from ..errors import CritminError, did_you_mean
from ..results.format import money
from ..results.tables import facility_stages, records
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
    stage = facility_stages(instance)
    regions = sorted({known[f].region for f in facilities})
    stages = sorted({stage[f] for f in facilities})
    return Node(name, ",".join(regions), ",".join(stages), facilities=tuple(facilities))


TOLERANCE = 0.005


def nodes_of(instance: Instance) -> list[tuple[str, str]]:
    """Every region x stage that has a plant."""
    stage = facility_stages(instance)
    return sorted({(f.region, stage[f.id]) for f in instance.facilities})


def _met(o: Outcome, scenario: str | None) -> dict[int, tuple[float, float]]:
    return {y: (d, m) for s, y, d, m in o.met if scenario is None or s == scenario}


def _ttr(instance: Instance, stage: dict[str, str], allies: set[str]) -> dict[str, int]:
    """Per stage: the shortest lead time (years) of a build option for a plant of it in an allied region."""
    fac = {f.id: f for f in instance.facilities}
    out: dict[str, int] = {}
    for o in instance.build_options:
        f = fac.get(o.facility)
        if f is None or f.region not in allies:
            continue
        st = stage[f.id]
        out[st] = min(out.get(st, 10**6), o.lead_time)
    return out


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
    stage = facility_stages(instance)
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
    jobs = _jobs(instance, plan, chosen, start_years, shares, years, ref)
    outs = {o.key: o for o in run_jobs(instance, jobs, options=options, engine=engine, progress=progress)}
    tts = _tts_table(outs, chosen, start_years, years, stage, allies, instance, ref, tolerance)
    curve, natural = _share_curve(outs, shares, years, ref)
    cur = instance.units.currency
    headline = []
    for r in records(curve):
        when = "not by the horizon" if pd.isna(r.first_year) else f"from {int(r.first_year)}"
        cost = (
            ""
            if pd.isna(r.first_year)
            else f" (the cheapest programme that does it spends {money(r.programme_spent, cur)})"
        )
        headline.append(f"allied demand met {r.share:.0%} without China: {when}{cost}")
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
            "network": "today's (no new builds)" if plan is None else f"a plan of {len(plan)} builds",
        },  # fmt: skip
        tables={"time_to_survive": tts, "time_to_share": curve, "china_free_met": natural},
        currency=cur,
        assumptions=_assumptions(plan is None, tolerance),
        headline=headline,
    )


def _assumptions(today: bool, tolerance: float) -> list[str]:
    """What a stress test assumes, stated with its answer."""
    return [
        "TTS: the network is fixed ("
        + ("no builds beyond existing and committed capacity" if today else "the plan's builds")
        + "); stockpiles, spare capacity and other routes may be used",  # fmt: skip
        f"a year counts as short when allied demand met falls more than {tolerance:.1%} of demand below "
        "the undisrupted run; years between modelled periods are not resolved",
        "allied regions ship nothing into controlled-origin regions: their demand is outside the allies' "
        "plan, and a disrupted China does not outbid allied buyers in the model",
        "TTR: the shortest lead time of a build option for that stage in an allied region (permits, "
        "financing and ramp-up are outside it)",
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
) -> pd.DataFrame:
    base = outs["base"]
    if not base.ok:
        raise CritminError(f"the network cannot operate even undisrupted ({base.status}): {base.message}")
    base_met = _met(base, ref)
    ttr = _ttr(instance, stage, allies)
    rows = []
    for node in chosen:
        node_ttr = [ttr[st] for st in node.stage.split(",") if st in ttr]
        recover = min(node_ttr) if node_ttr else None
        for y in starts:
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
            horizon = years[-1] - y + 1
            row["tts_years"] = tts
            row["survives_horizon"] = o.ok and tts is None
            row["ttr_years"] = recover
            row["exposed"] = bool(tts is not None and recover is not None and tts < recover)
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
                "new_capacity_t": sum(b[2] for b in o.builds) if o is not None else None,
                "main_builds": "; ".join(f"{b[0]} {b[2]:,.0f} t/yr ({b[1]})" for b in top),
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
    jobs = [Job("base", scenario=ref, builds=network, inbound_from=closed)]
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
