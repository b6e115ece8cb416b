"""Commands that run many solves as a sweep: evaluate, value (VSS/EVPI), stress, exposure, leverage,
attribute, sweep.
Each runs its solves through the sweep engine (analysis/sweep.py): --workers N local Dask worker processes
(0: in this process), or --scheduler ADDRESS for an existing Dask cluster."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import main
from .common import (
    Progress,
    check_output,
    emit_json,
    force_option,
    format_option,
    guard,
    instance_argument,
    json_option,
    output_option,
    protect,
    ranges_options,
    records_of,
    say,
    solver_options,
)
from .model_cmds import deal_option, load_switched, scenario_option

F = TypeVar("F", bound=Callable[..., Any])


def sweep_options(fn: F) -> F:
    """Where the solves run (--workers, --scheduler), passed on as one `runner` (analysis.sweep.Engine)."""

    @wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        from ..analysis.sweep import Engine, default_workers

        workers, scheduler = kwargs.pop("workers"), kwargs.pop("scheduler")
        kwargs["runner"] = Engine(
            workers=default_workers() if workers is None else workers, scheduler=scheduler
        )
        return fn(*args, **kwargs)

    out: Any = inner
    for d in reversed(
        [
            click.option("--workers", type=click.IntRange(min=0, max=512), default=None, metavar="N",
                         help="Local Dask worker processes (default: one per core; 0 runs in this process)."),
            click.option("--scheduler", metavar="ADDRESS", callback=_scheduler_address,
                         help="An existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (workers need critmin)."),
        ]
    ):  # fmt: skip
        out = d(out)
    return out


def _scheduler_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from ..analysis.sweep import parse_scheduler

    try:
        parse_scheduler(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _finish(result: Any, output: Path | None, fmt: str, force: bool, inputs: tuple[Path, ...]) -> None:
    if output is not None:
        result.write(output, fmt=fmt, force=force, protect=inputs)
    if click.get_current_context().params.get("as_json"):
        payload = {**result.summary_dict(), "tables": {n: records_of(t) for n, t in result.tables.items()},
                   "written": str(output) if output else None}  # fmt: skip
        emit_json(result.kind, payload, exit_code=result.exit_code)
    else:
        say(result.to_text())
        if output is not None:
            say(f"\nwrote {output}/ ({', '.join(result.tables)} as {fmt}, analysis.json)")
    if result.exit_code:
        raise SystemExit(result.exit_code)


def _analyse(inst: Any, kind: str, runner: Any, ranges: int | None, seed: int,
             run: Callable[[Any, Any, Any], Any]) -> Any:  # fmt: skip
    """The analysis `run(instance, engine, progress)` as written; with --ranges N, also on N draws of the
    declared uncertain inputs on one set of workers, its figures' bands added (analysis/ranges.py)."""
    if not ranges:
        return run(inst, runner, Progress(kind))
    from ..analysis.ranges import FIGURES, bands, with_bands
    from ..analysis.sweep import engine_session

    with engine_session(runner) as eng:
        b = bands(
            inst,
            ranges,
            seed,
            lambda i: run(i, eng, None),
            FIGURES[kind],
            progress=Progress(f"{kind} ranges"),
        )
    return with_bands(b.point, b)


_PLAN_HELP = "A solution folder or builds CSV (option, year, capacity_added in t/yr) to fix as the network."


@main.command(name="evaluate")
@click.argument("plan", type=click.Path(path_type=Path), metavar="PLAN")
@instance_argument
@click.option("--scenario", metavar="NAME", help="Evaluate in this scenario only.")
@deal_option
@solver_options()
@output_option("evaluation", help_text="Write the per-scenario table and the evaluated solution here.")
@format_option("evaluation folder")
@force_option
@json_option
@guard
def evaluate_cmd(plan: Path, instance: Path, scenario: str | None, deals_off: tuple[str, ...], options: Any,
                 output: Path | None, fmt: str, force: bool, as_json: bool) -> None:  # fmt: skip
    """Fix a plan's builds (PLAN: a solution folder or a builds CSV) and re-solve every scenario's operations.

    Exit codes: 0 done, 1 bad input or a plan that cannot operate, 130 interrupted.
    """
    check_output(output, "evaluate", force, inputs=(instance, plan))
    from ..analysis.evaluate import evaluate, read_plan

    inst = load_switched(instance, deals_off)
    res = evaluate(read_plan(plan, inst), inst, scenario=scenario, options=options)
    _finish(res, output, fmt, force, (*protect(instance, inst), plan))


@main.command(name="value")
@instance_argument
@click.option("--reference", metavar="SCENARIO",
              help="Scenario whose plan is the deterministic plan (default: the most probable).")  # fmt: skip
@click.option("--first-stage-only", is_flag=True,
              help="Every build decided in the base year for all scenarios (two-stage), for comparison "
              "with a planner who builds after a reveal (the default where scenarios have reveal "
              "years).")  # fmt: skip
@ranges_options()
@sweep_options
@deal_option
@solver_options(analysis="value")
@output_option("value", help_text="Write the summary and regret tables here.")
@format_option("value folder")
@force_option
@json_option
@guard
def value_cmd(instance: Path, reference: str | None, first_stage_only: bool, ranges: int | None,
              ranges_seed: int, runner: Any,
              deals_off: tuple[str, ...], options: Any, output: Path | None, fmt: str, force: bool,
              as_json: bool) -> None:  # fmt: skip
    """VSS, EVPI and the regret table (Birge & Louveaux 2011): what planning for every scenario is worth.

    Exit codes: 0 done, 1 bad input or an instance without two scenarios, 130 interrupted.
    """
    check_output(output, "value", force, inputs=(instance,))
    from ..analysis.evaluate import stochastic_value

    inst = load_switched(instance, deals_off)
    res = _analyse(
        inst,
        "value",
        runner,
        ranges,
        ranges_seed,
        lambda i, eng, prog: stochastic_value(
            i,
            reference=reference,
            first_stage_only=first_stage_only,
            options=options,
            engine=eng,
            progress=prog,
        ),
    )
    _finish(res, output, fmt, force, protect(instance, inst))


def _groups(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for text in values:
        name, sep, facs = text.partition("=")
        members = [f.strip() for f in facs.split(",") if f.strip()]
        if not sep or not name.strip() or not members:
            raise click.BadParameter(f"'{text}': write NAME=FACILITY,FACILITY, e.g. lynas=lynas_malaysia")
        if name.strip() in out:
            raise click.BadParameter(f"group '{name.strip()}' is given twice")
        out[name.strip()] = members
    return out


def _nodes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for text in values:
        region, sep, stage = text.partition(":")
        if not sep or not region.strip() or not stage.strip():
            raise click.BadParameter(f"'{text}': write REGION:STAGE, e.g. CN:separation")
        out.append((region.strip(), stage.strip()))
    return out


@main.command(name="stress")
@instance_argument
@click.option("--plan", type=click.Path(path_type=Path), metavar="PLAN",
              help=_PLAN_HELP + " Default: no builds.")  # fmt: skip
@click.option("--node", "nodes", multiple=True, metavar="REGION:STAGE", callback=_nodes,
              help="A node to stop (repeatable; default every region x stage with a plant).")  # fmt: skip
@click.option("--group", "groups", multiple=True, metavar="NAME=FAC1,FAC2", callback=_groups,
              help="A named group of facilities to stop together, e.g. lynas=lynas_malaysia,au_mine_lree "
              "(repeatable).")  # fmt: skip
@click.option("--start", "starts", multiple=True, type=int, metavar="YEAR",
              help="Disruption start year (repeatable; default the first modelled year).")  # fmt: skip
@click.option("--share", "shares", multiple=True, type=click.FloatRange(min=0, max=1, min_open=True),
              metavar="X", help="Share of allied demand for the time-to-X% curve (repeatable; default "
              ".25 .5 .75 .9 1).")  # fmt: skip
@click.option("--recover-share", type=click.FloatRange(min=0, max=1, min_open=True), default=1.0,
              show_default=True, metavar="X", help="Time-to-recover: years until allied builds replace this "
              "share of the stopped node's capacity.")  # fmt: skip
@click.option("--scenario", metavar="NAME", help="Scenario to stress (default: the most probable).")
@ranges_options()
@sweep_options
@deal_option
@solver_options()
@output_option("stress", help_text="Write the time-to-survive, time-to-share and China-free tables here.")
@format_option("stress folder")
@force_option
@json_option
@guard
def stress_cmd(instance: Path, plan: Path | None, nodes: list[tuple[str, str]], groups: dict[str, list[str]],
               starts: tuple[int, ...], shares: tuple[float, ...], recover_share: float,
               scenario: str | None, ranges: int | None, ranges_seed: int, runner: Any,
               deals_off: tuple[str, ...], options: Any, output: Path | None, fmt: str, force: bool,
               as_json: bool) -> None:  # fmt: skip
    """Time-to-survive / time-to-recover per node, a region x stage or a --group of facilities (Simchi-Levi et
    al. 2014), and the first year allied demand can be met X% without China: "a year or a decade".

    Exit codes: 0 done, 1 bad input, 130 interrupted.
    """
    check_output(output, "stress", force, inputs=(instance,))
    from ..analysis.evaluate import read_plan
    from ..analysis.stress import DEFAULT_SHARES, stress

    inst = load_switched(instance, deals_off)
    fixed = read_plan(plan, inst) if plan is not None else None
    res = _analyse(
        inst,
        "stress",
        runner,
        ranges,
        ranges_seed,
        lambda i, eng, prog: stress(
            i,
            plan=fixed,
            nodes=nodes,
            groups=groups,
            starts=starts,
            shares=shares or DEFAULT_SHARES,
            scenario=scenario,
            options=options,
            engine=eng,
            progress=prog,
            recover_share=recover_share,
        ),
    )
    _finish(res, output, fmt, force, protect(instance, inst))


@main.command(name="exposure")
@instance_argument
@click.option("--threshold", "thresholds", multiple=True, type=click.FloatRange(min=0, max=1), metavar="X",
              help="A de-minimis threshold, as a share of value (repeatable; default 0 .0005 .001 .0025 "
              ".005 .01; 0.001 is MOFCOM No. 61's 0.1%).")  # fmt: skip
@click.option("--rule", metavar="CONTROL", help="Take the listed items from this export control of the "
              "instance (default: its extraterritorial rule, else No. 61's twelve elements).")  # fmt: skip
@click.option("--element", "elements", multiple=True, metavar="SYMBOL",
              help="List these elements instead (repeatable), e.g. --element Dy --element Tb.")  # fmt: skip
@click.option("--from", "start", type=int, metavar="YEAR",
              help="The rule in force from this modelled year (default the first).")  # fmt: skip
@click.option("--scenario", metavar="NAME", help="Scenario to examine (default: the most probable).")
@sweep_options
@deal_option
@solver_options()
@output_option("exposure", help_text="Write the content, reach, cost-of-staying-under and buyer-rule tables "
               "and the plan's solution here.")  # fmt: skip
@format_option("exposure folder")
@force_option
@json_option
@guard
def exposure_cmd(instance: Path, thresholds: tuple[float, ...], rule: str | None, elements: tuple[str, ...],
                 start: int | None, scenario: str | None, runner: Any, deals_off: tuple[str, ...],
                 options: Any, output: Path | None, fmt: str, force: bool,
                 as_json: bool) -> None:  # fmt: skip
    """The trace question: Chinese-origin content of every allied plant's products by value and source
    (however many stages back), which products China's 0.1% rule would reach at thresholds from 0 to 1%,
    what keeping every allied product under each costs (re-solves), and which buyers' origin rules
    (compliance classes) each product passes.

    Exit codes: 0 done, 1 bad input, 130 interrupted.
    """
    if rule is not None and elements:
        raise click.UsageError("give --rule or --element, not both")
    check_output(output, "exposure", force, inputs=(instance,))
    from ..analysis.exposure import DEFAULT_THRESHOLDS, exposure

    inst = load_switched(instance, deals_off)
    res = exposure(inst, thresholds=thresholds or DEFAULT_THRESHOLDS, rule=rule, elements=elements,
                   start=start, scenario=scenario, options=options, engine=runner,
                   progress=Progress("exposure"))  # fmt: skip
    _finish(res, output, fmt, force, protect(instance, inst))


@main.command(name="leverage")
@instance_argument
@click.option("--plan", type=click.Path(path_type=Path), metavar="PLAN",
              help=_PLAN_HELP + " Default: the instance's own optimal plan.")  # fmt: skip
@click.option("--start", "starts", multiple=True, type=int, metavar="YEAR",
              help="Ban start year (repeatable; default every modelled year).")  # fmt: skip
@click.option("--scenario", metavar="NAME", help="Scenario the ban is added to (default: the most probable).")
@ranges_options()
@sweep_options
@deal_option
@solver_options()
@output_option("leverage", help_text="Write the damage and China revenue tables here.")
@format_option("leverage folder")
@force_option
@json_option
@guard
def leverage_cmd(instance: Path, plan: Path | None, starts: tuple[int, ...], scenario: str | None,
                 ranges: int | None, ranges_seed: int, runner: Any, deals_off: tuple[str, ...], options: Any,
                 output: Path | None, fmt: str, force: bool, as_json: bool) -> None:  # fmt: skip
    """Damage of a Chinese export ban to the allies with today's network vs the planned one, by start year,
    and China's export revenue at risk in each control scenario.

    Exit codes: 0 done, 1 bad input, 130 interrupted.
    """
    check_output(output, "leverage", force, inputs=(instance,))
    from ..analysis.evaluate import read_plan
    from ..analysis.leverage import leverage

    inst = load_switched(instance, deals_off)
    planned = read_plan(plan, inst) if plan is not None else None
    res = _analyse(
        inst,
        "leverage",
        runner,
        ranges,
        ranges_seed,
        lambda i, eng, prog: leverage(
            i, plan=planned, starts=starts, scenario=scenario, options=options, engine=eng, progress=prog
        ),
    )
    _finish(res, output, fmt, force, protect(instance, inst))


@main.command(name="sensitivity")
@instance_argument
@click.option("--metric", default="planner_cost", show_default=True, metavar="METRIC",
              help="The headline each input is ranked by: planner_cost, spent, unserved, time_to:X (first "
              "year X of allied demand is met without China, e.g. time_to:0.9), deal:ID (a deal's "
              "leave-one-out saving) or leverage:YEAR (a ban's damage from YEAR, today's "
              "network).")  # fmt: skip
@click.option("--input", "only", multiple=True, metavar="ID",
              help="Declared uncertain inputs to vary (repeatable; default all).")  # fmt: skip
@click.option("--break-even/--no-break-even", default=True, show_default=True,
              help="Find the probability at which the plan's first decisions change (bisect).")  # fmt: skip
@sweep_options
@deal_option
@solver_options()
@output_option("sensitivity", help_text="Write the tornado and break-even tables here.")
@format_option("sensitivity folder")
@force_option
@json_option
@guard
def sensitivity_cmd(instance: Path, metric: str, only: tuple[str, ...], break_even: bool, runner: Any,
                    deals_off: tuple[str, ...], options: Any, output: Path | None, fmt: str, force: bool,
                    as_json: bool) -> None:  # fmt: skip
    """How far each uncertain input the instance declares (`uncertain:`) moves the headline, one at a time
    at its low and high value (a tornado), and the probability of each scenario at which the plan's first
    decisions change.

    Exit codes: 0 done, 1 bad input (e.g. no declared inputs), 130 interrupted.
    """
    check_output(output, "sensitivity", force, inputs=(instance,))
    from ..analysis.sensitivity import sensitivity

    inst = load_switched(instance, deals_off)
    res = sensitivity(inst, metric=metric, only=only, break_even=break_even, options=options, engine=runner,
                      progress=Progress("sensitivity"))  # fmt: skip
    _finish(res, output, fmt, force, protect(instance, inst))


def _unique_deals(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(values)) != len(values):
        twice = next(v for v in values if values.count(v) > 1)
        raise click.BadParameter(f"deal '{twice}' is given twice")
    return values


@main.command(name="attribute")
@instance_argument
@click.option("--deal", "deals", multiple=True, metavar="DEAL", callback=_unique_deals,
              help="Deals to attribute (default: all).")  # fmt: skip
@click.option("--samples", type=click.IntRange(min=2, max=100_000), default=200, show_default=True,
              metavar="N", help="Random orders when there are over 8 deals (exact up to 8).")  # fmt: skip
@click.option("--sample-seed", type=click.IntRange(min=0, max=2**32 - 1), default=0, show_default=True,
              metavar="N", help="Seed of the orders.")  # fmt: skip
@click.option("--parts/--no-parts", default=True, show_default=True,
              help="Also value each part of a deal with several (one solve per part).")  # fmt: skip
@click.option("--solve-all", is_flag=True,
              help="Solve every combination, even those equal to a solved neighbour.")  # fmt: skip
@scenario_option
@ranges_options()
@sweep_options
@deal_option
@solver_options()
@output_option("attribution", help_text="Write the deals, parts and interactions tables here.")
@format_option("attribution folder")
@force_option
@json_option
@guard
def attribute_cmd(instance: Path, deals: tuple[str, ...], samples: int, sample_seed: int, parts: bool,
                  solve_all: bool, scenario: str | None, ranges: int | None, ranges_seed: int,
                  runner: Any, deals_off: tuple[str, ...],
                  options: Any, output: Path | None, fmt: str, force: bool,
                  as_json: bool) -> None:  # fmt: skip
    """What each deal contributes: leave-one-out and Shapley values of the planner's cost, with pairwise
    interactions (exact for up to 8 deals), and which of a deal's parts carry its value.

    Exit codes: 0 done, 1 bad input (e.g. no deals), 130 interrupted.
    """
    check_output(output, "attribute", force, inputs=(instance,))
    from ..analysis.attribute import attribute

    inst = load_switched(instance, deals_off)
    res = _analyse(
        inst,
        "attribute",
        runner,
        ranges,
        ranges_seed,
        lambda i, eng, prog: attribute(
            i,
            deals=list(deals) or None,
            scenario=scenario,
            samples=samples,
            seed=sample_seed,
            options=options,
            engine=eng,
            progress=prog,
            parts=parts,
            skip=not solve_all,
        ),
    )
    _finish(res, output, fmt, force, protect(instance, inst))


def _vary(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    from ..analysis.sweep import parse_vary
    from ..errors import CritminError

    try:
        return parse_vary(values)
    except CritminError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command(name="sweep")
@instance_argument
@click.option("--vary", multiple=True, required=True, metavar="NAME=LOW:HIGH", callback=_vary,
              help="A multiplier drawn uniformly, e.g. capex=0.8:1.2 (repeatable, each NAME once). NAME: "
              "capex, fixed_om, var_cost, imports, transport, tariff, voll (costs) or demand (every demand "
              "row).")  # fmt: skip
@click.option("--samples", type=click.IntRange(min=1, max=1_000_000), default=100, show_default=True,
              metavar="N", help="Number of draws (one solve each).")  # fmt: skip
@click.option("--sample-seed", type=click.IntRange(min=0, max=2**32 - 1), default=0, show_default=True,
              metavar="N", help="Seed of the draws (one seed, one table, at any worker count).")  # fmt: skip
@click.option("--keep", type=click.IntRange(min=0, max=1000), default=0, show_default=True, metavar="N",
              help="Write the solution folders of the first N samples.")  # fmt: skip
@scenario_option
@sweep_options
@deal_option
@solver_options()
@output_option("sweep", help_text="Write runs (one row per sample), summary and kept solutions here.")
@format_option("sweep folder")
@force_option
@json_option
@guard
def sweep_cmd(instance: Path, vary: dict[str, tuple[float, float]], samples: int, sample_seed: int,
              keep: int, scenario: str | None, runner: Any, deals_off: tuple[str, ...], options: Any,
              output: Path | None, fmt: str, force: bool, as_json: bool) -> None:  # fmt: skip
    """Monte Carlo over uncertain inputs (cost multipliers, demand): each sample one solve; a tidy table.

    A failed or timed-out sample is reported in its row; if every sample fails the command fails (exit 2).
    Exit codes: 0 done, 1 bad input, 2 no sample could be solved, 130 interrupted.
    """
    check_output(output, "sweep", force, inputs=(instance,))
    from ..analysis.sweep import sweep

    inst = load_switched(instance, deals_off)
    res = sweep(inst, vary, samples, seed=sample_seed, scenario=scenario, keep=keep, options=options,
                engine=runner, progress=Progress("sweep"))  # fmt: skip
    _finish(res, output, fmt, force, protect(instance, inst))
