"""How far each uncertain input moves the answer, and at what value the plan changes.

One at a time (a tornado): every input the instance declares under `uncertain` is set to its low and its
high value, all others as written, and the instance re-solved; inputs are ranked by the swing of the chosen
metric. For a scenario's probability, the **break-even** is found by bisection: the probability at which the
plan's first decisions (the builds decided before anything is revealed, branch 'all') change — "building X
pays if a full ban is more likely than p". Multipliers re-use each worker's loaded model (cost weights); a
probability or demand change rebuilds it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..errors import CritminError
from ..results.format import in_unit, money
from ..schema import Instance
from ..schema.uncertainty import Uncertain
from .jobs import Job, Outcome
from .output import AnalysisResult
from .ranges import declared as declared_inputs
from .ranges import sample_instance
from .sweep import Engine, Progress, engine_session, run_jobs

METRICS = {
    "planner_cost": "the planner's expected cost (money spent + value of demand not served)",
    "spent": "expected money spent",
    "unserved": "expected value of demand not served",
}
BISECTIONS = 6  # break-even to within (high - low) / 64
TOLERANCE = 0.05  # a first-stage build counts as changed when it moves by over 5% (or 1 t/yr)


def _metric(o: Outcome, metric: str) -> float | None:
    if not o.ok:
        return None
    if metric == "planner_cost":
        return o.planner_cost
    if metric == "spent":
        return o.parts_total("spent")
    return o.unserved


def _first_stage(o: Outcome) -> dict[tuple[str, int], float]:
    """The plan's first decisions: builds decided for every scenario (branch 'all')."""
    return {(b[0], b[1]): b[2] for b in o.builds if b[3] == "all" and b[2] > 1e-6}


def _changed(a: dict[tuple[str, int], float], b: dict[tuple[str, int], float]) -> list[str]:
    """Builds that differ by over TOLERANCE (relative) or 1 t/yr, as 'option year: x -> y t/yr'."""
    out = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k, 0.0), b.get(k, 0.0)
        if abs(x - y) > max(1.0, TOLERANCE * max(x, y)):
            out.append(f"{k[0]} {k[1]}: {x:,.0f} -> {y:,.0f} t/yr")
    return out


def _solve(instance: Instance, job: Job, options: SolveOptions | None, engine: Engine | None) -> Outcome:
    return run_jobs(instance, [job], options=options, engine=engine)[0]


def _change(u: Uncertain, value: float) -> dict[str, Any]:
    """A job's change for one uncertain input at one value: a multiplier or a scenario's probability."""
    if u.parameter == "probability":
        assert u.scenario is not None
        return {"probabilities": ((u.scenario, value),)}
    return {"factors": ((u.parameter, value),)}


def sensitivity(
    instance: Instance,
    *,
    metric: str = "planner_cost",
    only: Sequence[str] = (),
    break_even: bool = True,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """The tornado of the declared uncertain inputs (or the ids in `only`) on `metric`, and the break-even
    probability of each scenario-probability input."""
    figure = analysis_metric(instance, metric, options) if metric not in METRICS else None
    declared = {u.id: u for u in declared_inputs(instance)}
    unknown = [x for x in only if x not in declared]
    if unknown:
        raise CritminError(f"no uncertain input '{unknown[0]}'; declared: {', '.join(declared)}")
    chosen = [declared[x] for x in only] if only else list(declared.values())
    with engine_session(engine) as eng:
        base, rows = _tornado(instance, chosen, metric if figure is None else "planner_cost", options, eng,
                              progress)  # fmt: skip
        if figure is not None:  # the headline of another analysis, re-run at each input's two ends
            point_value = _figure_ends(instance, chosen, rows, figure, eng)
        even = [
            _break_even(instance, u, _first_stage(base), options, eng)
            for u in chosen
            if break_even and u.parameter == "probability"
        ]
    cur = instance.units.currency
    table = (
        pd.DataFrame(rows).sort_values("cost_swing", ascending=False, kind="stable").reset_index(drop=True)
    )
    point = _metric(base, metric) if figure is None else point_value
    unit = "year" if metric.startswith("time_to:") else "money"
    headline = _tornado_headline(table, metric, point, unit, cur, every_row=figure is not None)
    headline += [str(e.pop("says")) for e in even]
    if figure is not None:  # columns named by what they hold (a year, or money other than a cost)
        names = ("first_year_low", "first_year_high", "swing_years") if unit == "year" else (
            "value_low", "value_high", "value_swing")  # fmt: skip
        table = table.rename(columns=dict(zip(("cost_low", "cost_high", "cost_swing"), names, strict=True)))
    tables = {"tornado": table}
    if even:
        tables["break_even"] = pd.DataFrame(even)
    return AnalysisResult(
        kind="sensitivity",
        title=f"Sensitivity of {metric} to the uncertain inputs: {instance.name}",
        method="one at a time: each declared input at its low and high value, the others as written "
        f"(a tornado); break-even probabilities by bisection ({BISECTIONS} steps) on the first decisions",
        facts={"metric": metric, "point": point, "inputs": [u.id for u in chosen]},
        tables=tables,
        currency=cur,
        assumptions=[
            "multipliers scale the instance's figures (1 = as written); a probability range re-weights the "
            "other scenarios in proportion",
            "the plan's first decisions are the builds decided for every scenario (before anything is "
            f"revealed); a build changes when it moves by over {TOLERANCE:.0%} or 1 t/yr",
            "inputs vary one at a time: joint effects are not shown (a tornado, not a range)",
        ],
        headline=headline,
    )


ANALYSIS_METRICS = {
    "time_to": "the first year allied demand is met {x} without China (stress)",
    "deal": "what deal '{x}' saves (leave-one-out: the planner's cost without it less with it)",
    "leverage": "the damage of a ban from {x} with today's network (leverage)",
}
Figure = Callable[[Instance, Engine | None], float | None]


def _tornado_headline(
    table: pd.DataFrame, metric: str, point: float | None, unit: str, cur: str, every_row: bool
) -> list[str]:
    """The metric as written, then each input's two ends in the metric's unit, largest swing first."""

    def show(v: float | None) -> str:
        return in_unit(v, unit, cur)

    def swing(v: float | None) -> str:
        return f"{v:.0f} yr" if unit == "year" and v is not None and v == v else show(v)

    described = METRICS.get(metric) or describe_metric(metric)
    return [f"{described}: {show(point)} as written; largest swings first"] + [
        f"  {r['input']}: {show(r['cost_low'])} at {r['low']:g} .. {show(r['cost_high'])} at "
        f"{r['high']:g} ({swing(r['cost_swing'])})"
        + ("; the plan changes" if r["plan_changes_low"] or r["plan_changes_high"] else "")
        for r in table.to_dict("records")
        if every_row or (r["cost_low"] is not None and r["cost_high"] is not None)
    ]


def _figure_ends(
    instance: Instance,
    chosen: list[Uncertain],
    rows: list[dict[str, object]],
    figure: Figure,
    eng: Engine | None,
) -> float | None:
    """`figure` as written, and in each row at its input's low and high end (instances of their own)."""
    for u, row in zip(chosen, rows, strict=True):
        ends = (sample_instance(instance, [u], np.array([v])) for v in (u.low, u.high))
        lo, hi = (figure(i, eng) for i in ends)
        width = abs(hi - lo) if lo is not None and hi is not None else None
        row.update(cost_low=lo, cost_high=hi, cost_swing=width)
    return figure(instance, eng)


def describe_metric(metric: str) -> str:
    kind, _, x = metric.partition(":")
    shown = f"{float(x):.0%}" if kind == "time_to" else x
    return ANALYSIS_METRICS[kind].format(x=shown)


def analysis_metric(instance: Instance, metric: str, options: SolveOptions | None) -> Figure:
    """The headline of another analysis as a tornado metric: time_to:X (the first year X of allied demand is
    met without China), deal:ID (a deal's leave-one-out saving) or leverage:YEAR (a ban's damage from YEAR
    with today's network). Checked before any solve."""
    kind, sep, x = metric.partition(":")
    known = [*METRICS, *(f"{k}:..." for k in ANALYSIS_METRICS)]
    if not sep or kind not in ANALYSIS_METRICS or not x:
        raise CritminError(f"unknown metric '{metric}': choose one of {', '.join(known)}")
    if kind == "time_to":
        share = _number(x, metric)
        if not 0 < share <= 1:
            raise CritminError(f"metric '{metric}': the share must be in (0, 1], e.g. time_to:0.9")
        return lambda inst, eng: _time_to(inst, share, options, eng)
    if kind == "deal":
        ids = [d.id for d in instance.deals]
        if x not in ids:
            from ..errors import did_you_mean

            raise CritminError(f"metric '{metric}': no deal '{x}' in {instance.name}; {did_you_mean(x, ids)}")
        return lambda inst, eng: _deal_saving(inst, x, options, eng)
    year = int(_number(x, metric))
    if year not in instance.horizon.years:
        raise CritminError(f"metric '{metric}': {year} is not a modelled year ({instance.horizon.years})")
    return lambda inst, eng: _ban_damage(inst, year, options, eng)


def _number(x: str, metric: str) -> float:
    try:
        return float(x)
    except ValueError:
        raise CritminError(f"metric '{metric}': '{x}' is not a number") from None


def _time_to(inst: Instance, share: float, options: SolveOptions | None, eng: Engine | None) -> float | None:
    from .stress import nodes_of, stress

    res = stress(inst, nodes=nodes_of(inst)[:1], shares=(share,), options=options, engine=eng)
    first = res.tables["time_to_share"].first_year.iloc[0]
    return None if first is None or first != first else float(first)


def _deal_saving(inst: Instance, deal: str, options: SolveOptions | None, eng: Engine | None) -> float | None:
    on, off = run_jobs(inst, [Job("on"), Job("off", deals_off=(deal,))], options=options, engine=eng)
    if not (on.ok and off.ok) or on.planner_cost is None or off.planner_cost is None:
        return None
    return off.planner_cost - on.planner_cost


def _ban_damage(inst: Instance, year: int, options: SolveOptions | None, eng: Engine | None) -> float | None:
    from .leverage import leverage

    res = leverage(inst, starts=(year,), options=options, engine=eng)
    return float(res.tables["damage"].damage_today.iloc[0])


def _tornado(
    instance: Instance,
    chosen: list[Uncertain],
    metric: str,
    options: SolveOptions | None,
    engine: Engine | None,
    progress: Progress | None,
) -> tuple[Outcome, list[dict[str, object]]]:
    """The instance as written, then each input at its low and high value."""
    jobs = [Job("base")]
    for u in chosen:
        jobs += [Job(f"{u.id}:{side}", **_change(u, v)) for side, v in (("low", u.low), ("high", u.high))]
    done = {o.key: o for o in run_jobs(instance, jobs, options=options, engine=engine, progress=progress)}
    base = done["base"]
    if not base.ok:
        raise CritminError(f"{instance.name} has no plan as written ({base.status}) {base.message}")
    plan = _first_stage(base)
    rows: list[dict[str, object]] = []
    for u in chosen:
        lo, hi = done[f"{u.id}:low"], done[f"{u.id}:high"]
        m_lo, m_hi = _metric(lo, metric), _metric(hi, metric)
        rows.append(
            {
                "input": u.id,
                "parameter": u.parameter + (f" ({u.scenario})" if u.scenario else ""),
                "low": u.low,
                "high": u.high,
                "cost_low": m_lo,
                "cost_high": m_hi,
                "cost_swing": abs(m_hi - m_lo) if m_lo is not None and m_hi is not None else None,
                "plan_changes_low": "; ".join(_changed(plan, _first_stage(lo))) if lo.ok else lo.status,
                "plan_changes_high": "; ".join(_changed(plan, _first_stage(hi))) if hi.ok else hi.status,
                "source": u.source,
            }
        )
    return base, rows


def _break_even(
    instance: Instance,
    u: Uncertain,
    plan: dict[tuple[str, int], float],
    options: SolveOptions | None,
    engine: Engine | None,
) -> dict[str, object]:
    """The probability of u.scenario within [low, high] at which the first decisions change, by bisection
    between a probability where they equal the plan as written and one where they do not."""
    assert u.scenario is not None
    written = sum(s.probability for s in instance.scenarios if u.scenario in (s.name, s.name.split("__")[0]))

    def plan_at(p: float) -> dict[tuple[str, int], float]:
        o = _solve(instance, Job("p", probabilities=((u.scenario or "", p),)), options, engine)
        return _first_stage(o) if o.ok else {}

    row: dict[str, object] = {"input": u.id, "scenario": u.scenario, "as_written": written}
    ends = [(p, plan_at(p)) for p in (u.low, u.high)]
    differ = [(p, pl) for p, pl in ends if _changed(plan, pl)]
    if not differ:
        row.update(break_even=None, changes="", says=f"  {u.scenario}: the first decisions hold for a "
                   f"probability anywhere in {u.low:g}..{u.high:g}")  # fmt: skip
        return row
    same_p = written if u.low <= written <= u.high else None
    far_p, far_plan = differ[0] if differ[0][0] != written else differ[-1]
    near_p = same_p if same_p is not None else next((p for p, pl in ends if not _changed(plan, pl)), None)
    if near_p is None:
        says = f"  {u.scenario}: the first decisions differ at both ends of {u.low:g}..{u.high:g}"
        row.update(break_even=None, changes="; ".join(_changed(plan, far_plan)), says=says)
        return row
    for _ in range(BISECTIONS):
        mid = (near_p + far_p) / 2
        if _changed(plan, plan_at(mid)):
            far_p = mid
        else:
            near_p = mid
    changes = "; ".join(_changed(plan, far_plan))
    at = (near_p + far_p) / 2
    row.update(
        break_even=at,
        break_even_within=abs(far_p - near_p) / 2,
        changes=changes,
        says=f"  {u.scenario}: the first decisions change at a probability of about {at:.3g} "
        f"(as written {written:.3g}): {changes.split('; ')[0]}",
    )
    return row


RANGE_METRICS = ("planner_cost", "spent", "unserved")


def ranges(
    instance: Instance,
    samples: int,
    *,
    seed: int = 0,
    scenario: str | None = None,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Monte Carlo over the declared uncertain inputs, all at once: each drawn uniformly within its range
    (seeded: the same draws for the same seed on any engine), the instance re-solved per draw; each headline
    as p10 / p50 / p90 beside the value as written."""
    from .ranges import draw

    chosen, draws = draw(instance, samples, seed)
    width = len(str(samples - 1))
    jobs = [Job("as_written", scenario=scenario)]
    for i in range(samples):
        factors = tuple((u.parameter, float(x)) for u, x in zip(chosen, draws[i], strict=True)
                        if u.parameter != "probability")  # fmt: skip
        probs = tuple((u.scenario or "", float(x)) for u, x in zip(chosen, draws[i], strict=True)
                      if u.parameter == "probability")  # fmt: skip
        jobs.append(Job(f"sample_{i:0{width}d}", scenario=scenario, factors=factors, probabilities=probs))
    outs = run_jobs(instance, jobs, options=options, engine=engine, progress=progress)
    point, sampled = outs[0], outs[1:]
    rows = []
    for i, o in enumerate(sampled):
        row: dict[str, Any] = {"sample": i, "status": o.status}
        row.update({u.id: float(x) for u, x in zip(chosen, draws[i], strict=True)})
        row.update({m: _metric(o, m) for m in RANGE_METRICS})
        rows.append(row)
    table = pd.DataFrame(rows)
    ok = table[table.status.isin(["optimal", "feasible"])]
    summary = pd.DataFrame(
        [
            {
                "metric": m,
                "as_written": _metric(point, m),
                "p10": float(ok[m].quantile(0.1)) if len(ok) else None,
                "p50": float(ok[m].quantile(0.5)) if len(ok) else None,
                "p90": float(ok[m].quantile(0.9)) if len(ok) else None,
            }
            for m in RANGE_METRICS
        ]
    )
    cur = instance.units.currency
    headline = [
        f"{METRICS[r['metric']]}: {money(r['as_written'] or 0.0, cur)} as written; p10 / p50 / p90 "
        f"{money(r['p10'] or 0.0, cur)} / {money(r['p50'] or 0.0, cur)} / {money(r['p90'] or 0.0, cur)}"
        for r in summary.to_dict("records")
        if r["p10"] is not None
    ]
    if len(ok) < len(table):
        headline.append(f"{len(table) - len(ok)} of {len(table)} samples had no plan (see the samples table)")
    return AnalysisResult(
        kind="ranges",
        title=f"Ranges over the uncertain inputs: {instance.name}",
        method=f"Monte Carlo: {samples} samples, every declared input drawn uniformly within its range "
        f"(seed {seed}), the instance re-solved per sample",
        facts={"samples": samples, "seed": seed, "solved": len(ok), "inputs": [u.id for u in chosen]},
        tables={"ranges": summary, "samples": table},
        currency=cur,
        assumptions=[
            "inputs independent and uniform within their declared ranges (no joint distribution is known)",
            "probability inputs re-weight the other scenarios in proportion, one after another",
        ],
        headline=headline,
    )
