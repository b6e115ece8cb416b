"""Commands that run many solves as a sweep: evaluate, value (VSS/EVPI), stress, leverage, attribute, sweep.
Each runs its solves through the sweep engine (analysis/sweep.py): --workers N local Dask worker processes
(0: in this process), or --scheduler ADDRESS for an existing Dask cluster."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import main
from .common import (
    check_output,
    emit_json,
    force_option,
    guard,
    instance_argument,
    json_option,
    make_options,
    output_option,
    quiet,
    records_of,
    say,
)
from .common import solver_options as solver_opts
from .model_cmds import load_switched, scenario_option

F = TypeVar("F", bound=Callable[..., Any])


def engine_options(fn: F) -> F:
    """Where the solves run."""
    decorators = [
        click.option("--workers", type=click.IntRange(min=0, max=512), default=None, metavar="N",
                     help="Local Dask worker processes (default: one per core; 0 runs in this process)."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Use an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (workers need critmin)."),
        click.option("--deal-off", "deals_off", multiple=True, metavar="DEAL",
                     help="Switch off one of the instance's deals first; repeat for several."),
        json_option,
    ]  # fmt: skip
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def _engine(workers: int | None, scheduler: str | None) -> Any:
    from ..analysis.sweep import Engine, default_workers

    return Engine(workers=default_workers() if workers is None else workers, scheduler=scheduler)


def _progress(label: str) -> Callable[[int, int], None] | None:
    """A progress bar (click's) on stderr when it is a terminal; nothing in pipes and logs."""
    if quiet() or not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {}

    def tick(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label=f"{label}: solves", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return tick


def _finish(result: Any, output: Path | None, force: bool, instance: Path) -> None:
    if output is not None:
        result.write(output, force=force, protect=(instance,))
    if click.get_current_context().params.get("as_json"):
        payload = {**result.summary(), "tables": {n: records_of(t) for n, t in result.tables.items()},
                   "written": str(output) if output else None}  # fmt: skip
        emit_json(result.kind, payload)
        return
    say(result.to_text())
    if output is not None:
        say(f"\nwrote {output}/ ({', '.join(f'{t}.csv' for t in result.tables)}, analysis.json)")


_PLAN_HELP = "A solution folder or builds CSV (option, year, capacity_added in t/yr) to fix as the network."


@main.command(name="evaluate")
@click.argument("plan", type=click.Path(path_type=Path), metavar="PLAN")
@instance_argument
@click.option("--scenario", metavar="NAME", help="Evaluate in this scenario only.")
@solver_opts
@output_option("evaluation", help_text="Write the per-scenario table and the evaluated solution here.")
@force_option
@json_option
@guard
def evaluate_cmd(plan: Path, instance: Path, scenario: str | None, time_limit: float | None,
                 mip_gap: float | None, threads: int, seed: int, engine: str, highs_options: tuple[str, ...],
                 output: Path | None, force: bool, as_json: bool) -> None:  # fmt: skip
    """Fix a plan's builds (PLAN: a solution folder or a builds CSV) and re-solve every scenario's operations.

    Exit codes: 0 done, 1 bad input or a plan that cannot operate, 130 interrupted.
    """
    check_output(output, "evaluate", force, inputs=(instance, plan))
    from ..analysis.evaluate import evaluate, read_plan

    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    res = evaluate(read_plan(plan), load_switched(instance, ()), scenario=scenario, options=opts)
    _finish(res, output, force, instance)


@main.command(name="value")
@instance_argument
@click.option("--reference", metavar="SCENARIO",
              help="Scenario whose plan is the deterministic plan (default: the most probable).")  # fmt: skip
@engine_options
@solver_opts
@output_option("value", help_text="Write summary.csv and regret.csv here.")
@force_option
@guard
def value_cmd(instance: Path, reference: str | None, workers: int | None, scheduler: str | None,
              deals_off: tuple[str, ...], time_limit: float | None, mip_gap: float | None, threads: int,
              seed: int, engine: str, highs_options: tuple[str, ...], output: Path | None,
              force: bool, as_json: bool) -> None:  # fmt: skip
    """VSS, EVPI and the regret table (Birge & Louveaux 2011): what planning for every scenario is worth.

    Exit codes: 0 done, 1 bad input or an instance without two scenarios, 130 interrupted.
    """
    check_output(output, "value", force, inputs=(instance,))
    from ..analysis.evaluate import stochastic_value

    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    res = stochastic_value(load_switched(instance, deals_off), reference=reference, options=opts,
                           engine=_engine(workers, scheduler), progress=_progress("value"))  # fmt: skip
    _finish(res, output, force, instance)


def _group(text: str) -> tuple[str, list[str]]:
    name, sep, facs = text.partition("=")
    members = [f.strip() for f in facs.split(",") if f.strip()]
    if not sep or not name.strip() or not members:
        raise click.BadParameter(f"'{text}': write NAME=FACILITY,FACILITY, e.g. lynas=lynas_malaysia")
    return name.strip(), members


def _node(text: str) -> tuple[str, str]:
    region, sep, stage = text.partition(":")
    if not sep:
        raise click.BadParameter(f"'{text}': write REGION:STAGE, e.g. CN:separation")
    return region, stage


@main.command(name="stress")
@instance_argument
@click.option(
    "--plan", type=click.Path(path_type=Path), metavar="PLAN", help=_PLAN_HELP + " Default: no builds."
)
@click.option(
    "--node",
    "nodes",
    multiple=True,
    metavar="REGION:STAGE",
    help="A node to stop (repeatable; default every region x stage with a plant).",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME=FAC1,FAC2",
    help="A named group of facilities to stop together, e.g. lynas=lynas_malaysia,au_mine_lree (repeatable).",
)
@click.option(
    "--start",
    "starts",
    multiple=True,
    type=int,
    metavar="YEAR",
    help="Disruption start year (repeatable; default the first modelled year).",
)
@click.option(
    "--share",
    "shares",
    multiple=True,
    type=click.FloatRange(min=0, max=1, min_open=True),
    metavar="X",
    help="Share of allied demand for the time-to-X% curve (repeatable; default .25 .5 .75 .9 1).",
)
@click.option("--scenario", metavar="NAME", help="Scenario to stress (default: the most probable).")
@engine_options
@solver_opts
@output_option("stress", help_text="Write time_to_survive.csv, time_to_share.csv, china_free_met.csv here.")
@force_option
@guard
def stress_cmd(instance: Path, plan: Path | None, nodes: tuple[str, ...], groups: tuple[str, ...],
               starts: tuple[int, ...],
               shares: tuple[float, ...], scenario: str | None, workers: int | None, scheduler: str | None,
               deals_off: tuple[str, ...], time_limit: float | None, mip_gap: float | None, threads: int,
               seed: int, engine: str, highs_options: tuple[str, ...], output: Path | None,
               force: bool, as_json: bool) -> None:  # fmt: skip
    """Time-to-survive / time-to-recover per node, a region x stage or a --group of facilities (Simchi-Levi et
    al. 2014), and the first year allied demand can be met X% without China: "a year or a decade".

    Exit codes: 0 done, 1 bad input, 130 interrupted.
    """
    check_output(output, "stress", force, inputs=(instance,))
    from ..analysis.evaluate import read_plan
    from ..analysis.stress import DEFAULT_SHARES, stress

    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    res = stress(
        load_switched(instance, deals_off),
        plan=read_plan(plan) if plan is not None else None,
        nodes=[_node(n) for n in nodes],
        groups=dict(_group(g) for g in groups),
        starts=starts,
        shares=shares or DEFAULT_SHARES,
        scenario=scenario,
        options=opts,
        engine=_engine(workers, scheduler),
        progress=_progress("stress"),
    )
    _finish(res, output, force, instance)


@main.command(name="leverage")
@instance_argument
@click.option("--plan", type=click.Path(path_type=Path), metavar="PLAN",
              help=_PLAN_HELP + " Default: the instance's own optimal plan.")  # fmt: skip
@click.option("--start", "starts", multiple=True, type=int, metavar="YEAR",
              help="Ban start year (repeatable; default every modelled year).")  # fmt: skip
@click.option("--scenario", metavar="NAME", help="Scenario the ban is added to (default: the most probable).")
@engine_options
@solver_opts
@output_option("leverage", help_text="Write damage.csv and china_revenue.csv here.")
@force_option
@guard
def leverage_cmd(instance: Path, plan: Path | None, starts: tuple[int, ...], scenario: str | None,
                 workers: int | None, scheduler: str | None, deals_off: tuple[str, ...],
                 time_limit: float | None, mip_gap: float | None, threads: int, seed: int, engine: str,
                 highs_options: tuple[str, ...], output: Path | None, force: bool,
                  as_json: bool) -> None:  # fmt: skip
    """Damage of a Chinese export ban to the allies with today's network vs the planned one, by start year,
    and China's export revenue at risk in each control scenario.

    Exit codes: 0 done, 1 bad input, 130 interrupted.
    """
    check_output(output, "leverage", force, inputs=(instance,))
    from ..analysis.evaluate import read_plan
    from ..analysis.leverage import leverage

    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    res = leverage(load_switched(instance, deals_off), plan=read_plan(plan) if plan is not None else None,
                   starts=starts, scenario=scenario, options=opts, engine=_engine(workers, scheduler),
                   progress=_progress("leverage"))  # fmt: skip
    _finish(res, output, force, instance)


@main.command(name="attribute")
@instance_argument
@click.option("--deal", "deals", multiple=True, metavar="DEAL", help="Deals to attribute (default: all).")
@click.option("--samples", type=click.IntRange(min=2, max=100_000), default=200, show_default=True,
              metavar="N", help="Random orders when there are over 8 deals (exact up to 8).")  # fmt: skip
@click.option(
    "--sample-seed", type=int, default=0, show_default=True, metavar="N", help="Seed of the orders."
)
@scenario_option
@engine_options
@solver_opts
@output_option("attribution", help_text="Write deals.csv and interactions.csv here.")
@force_option
@guard
def attribute_cmd(instance: Path, deals: tuple[str, ...], samples: int, sample_seed: int,
                  scenario: str | None, workers: int | None, scheduler: str | None,
                  deals_off: tuple[str, ...],
                  time_limit: float | None, mip_gap: float | None, threads: int, seed: int, engine: str,
                  highs_options: tuple[str, ...], output: Path | None, force: bool,
                  as_json: bool) -> None:  # fmt: skip
    """What each deal contributes: leave-one-out and Shapley values of the planner's cost, with pairwise
    interactions (exact for up to 8 deals).

    Exit codes: 0 done, 1 bad input (e.g. no deals), 130 interrupted.
    """
    check_output(output, "attribute", force, inputs=(instance,))
    from ..analysis.attribute import attribute

    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    res = attribute(load_switched(instance, deals_off), deals=list(deals) or None, scenario=scenario,
                    samples=samples, seed=sample_seed, options=opts, engine=_engine(workers, scheduler),
                    progress=_progress("attribute"))  # fmt: skip
    _finish(res, output, force, instance)


@main.command(name="sweep")
@instance_argument
@click.option(
    "--vary",
    multiple=True,
    required=True,
    metavar="NAME=LOW:HIGH",
    help="A multiplier drawn uniformly, e.g. capex=0.8:1.2 (repeatable). NAME: capex, fixed_om, var_cost, "
    "imports, transport, tariff, voll (costs) or demand (every demand row).",
)
@click.option(
    "--samples",
    type=click.IntRange(min=1, max=10_000_000),
    default=100,
    show_default=True,
    metavar="N",
    help="Number of draws (one solve each).",
)
@click.option(
    "--sample-seed",
    type=int,
    default=0,
    show_default=True,
    metavar="N",
    help="Seed of the draws (same seed, same table, whatever the workers).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Write the solution folders of the first N samples.",
)
@scenario_option
@engine_options
@solver_opts
@output_option("sweep", help_text="Write runs.csv (one row per sample), summary.csv and kept solutions here.")
@force_option
@guard
def sweep_cmd(instance: Path, vary: tuple[str, ...], samples: int, sample_seed: int, keep: int,
              scenario: str | None, workers: int | None, scheduler: str | None, deals_off: tuple[str, ...],
              time_limit: float | None, mip_gap: float | None, threads: int, seed: int, engine: str,
              highs_options: tuple[str, ...], output: Path | None, force: bool,
                  as_json: bool) -> None:  # fmt: skip
    """Monte Carlo over uncertain inputs (cost multipliers, demand): each sample one solve; a tidy table.

    Failed or timed-out samples are reported in their row, not fatal. Exit codes: 0 done, 1 bad input.
    """
    check_output(output, "sweep", force, inputs=(instance,))
    from ..analysis.sweep import parse_vary, sweep

    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    res = sweep(load_switched(instance, deals_off), parse_vary(vary), samples, seed=sample_seed,
                scenario=scenario, keep=keep, options=opts, engine=_engine(workers, scheduler),
                progress=_progress("sweep"))  # fmt: skip
    _finish(res, output, force, instance)
