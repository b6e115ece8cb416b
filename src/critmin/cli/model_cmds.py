"""Commands on one instance: validate, solve, diagnose, export, generate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..contract import exit_code
from ..errors import CritminError
from . import main
from .common import (
    Finite,
    check_output,
    emit_json,
    force_option,
    format_option,
    guard,
    instance_argument,
    json_option,
    log,
    output_option,
    protect,
    ranges_options,
    records_of,
    say,
    solution_json,
    solver_options,
    warn,
    warn_load_notes,
)

if TYPE_CHECKING:
    from ..analysis.output import AnalysisResult
    from ..schema import Instance

scenario_option = click.option("--scenario", metavar="NAME", help="Keep one scenario only (probability 1).")


def _no_repeats(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise click.BadParameter(f"'{v}' is given twice")
        seen.add(v)
    return values


def _deals_on(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    ctx.meta["critmin.deals_on"] = _no_repeats(ctx, param, values)
    return values


_deal_off = click.option(
    "--deal-off", "deals_off", multiple=True, metavar="DEAL", callback=_no_repeats,
    help="Switch off one of the instance's deals (its parts removed, or given their terms without it); "
    "repeat for several.",
)  # fmt: skip
_deal_on = click.option(
    "--deal-on", multiple=True, metavar="DEAL", callback=_deals_on, expose_value=False,
    help="Switch on a deal or policy set the instance has off (in_force: false), e.g. eu_crma; repeatable.",
)  # fmt: skip


def deal_option(f: Any) -> Any:
    """--deal-off and --deal-on: which of the instance's deals and policy sets are in force."""
    return _deal_off(_deal_on(f))


def load_switched(path: Path, deals_off: tuple[str, ...] = ()) -> Instance:
    """The instance at `path`, with the deals named by --deal-on switched on and those named by --deal-off
    switched off (its load notes said on stderr)."""
    from ..io import load_instance

    inst = load_instance(path)
    warn_load_notes(inst)
    ctx = click.get_current_context(silent=True)
    on = ctx.meta.get("critmin.deals_on", ()) if ctx is not None else ()
    if on:
        inst = inst.with_deals_on(*on)
    return inst.without_deals(*deals_off) if deals_off else inst


risk_option = click.option(
    "--risk-weight", type=Finite(0), metavar="CURRENCY_PER_T",
    help="Override the instance's risk weight (currency per risk-weighted tonne imported, >= 0).",
)  # fmt: skip


@main.command()
@instance_argument
@click.option("--strict", is_flag=True, help="Treat warnings (likely mistakes) as errors: exit 1.")
@json_option
@guard
def validate(instance: Path, strict: bool, as_json: bool) -> None:
    """Check an instance (YAML, CSV tables or workbook) without solving it; also builds the model and warns
    about likely mistakes — demand nothing can reach, controls or policies whose years miss every modelled
    period — and badly scaled coefficients. Exit 0 valid, 1 not (or, with --strict, any warning)."""
    from ..io import load_instance
    from ..model.advice import instance_advice
    from ..model.assemble import assemble
    from ..model.data import compile_instance
    from ..model.numerics import arrays_warnings

    inst = load_instance(instance)
    md = compile_instance(inst)
    advice = instance_advice(md)
    warnings = list(inst.load_notes) + [str(p) for p in advice] + arrays_warnings(assemble(md))
    counts = {
        "regions": len(inst.regions),
        "commodities": len(inst.commodities),
        "facilities": len(inst.facilities),
        "build_options": len(inst.build_options),
        "routes": len(md.arcs),
        "demand_rows": len(inst.demand),
        "export_controls": len(inst.export_controls),
        "scenarios": len(inst.scenarios),
        "periods": len(md.years),
    }
    failed = strict and bool(warnings)
    if as_json:
        deals = [{"id": d.id, "name": d.name, "parts": list(d.parts)} for d in inst.deals]
        payload = {"instance": inst.name, "counts": counts, "warnings": warnings, "strict": strict,
                   "deals": deals}  # fmt: skip
        emit_json("validate", payload, exit_code=1 if failed else 0)
        sys.exit(1 if failed else 0)
    for w in warnings:
        warn(w) if not failed else say(f"error: {w}", err=True)
    if failed:
        say(f"not ok: {inst.name}: {len(warnings)} warning(s), and --strict treats them as errors", err=True)
        sys.exit(1)
    say(
        f"ok: {inst.name}: {len(inst.regions)} regions, {len(inst.commodities)} commodities, "
        f"{len(inst.facilities)} facilities, {len(inst.build_options)} build options, "
        f"{len(md.arcs)} routes, {len(inst.demand)} demand rows, {len(inst.export_controls)} export "
        f"controls, {len(inst.scenarios)} scenario(s), {len(md.years)} periods"
        + (f"; {len(warnings)} warning(s) above" if warnings else "")
    )
    for deal in inst.deals:
        switch = f"--deal-off {deal.id}" if deal.in_force else f"off as written; --deal-on {deal.id}"
        say(f"  deal {deal.id}: {deal.name or deal.id} ({len(deal.parts)} parts; {switch})")


@main.command()
@instance_argument
@scenario_option
@deal_option
@risk_option
@solver_options(engine=True)
@output_option("solution")
@format_option("solution folder")
@force_option
@click.option(
    "--year", "years", type=int, multiple=True, metavar="YEAR", help="Years to show in the summary."
)
@click.option(
    "--near-ties",
    is_flag=True,
    help="Also price each modular build's alternative (one module more "
    "or fewer, re-solved) and name those within 0.1% of the plan's variable cost, as diagnose does.",
)
@ranges_options(seed_aliases=("--sample-seed",))
@json_option
@guard
def solve(instance: Path, scenario: str | None, deals_off: tuple[str, ...], risk_weight: float | None,
          options: Any, engine: str, output: Path | None, fmt: str, force: bool, years: tuple[int, ...],
          near_ties: bool, ranges: int | None, ranges_seed: int, as_json: bool) -> None:  # fmt: skip
    """Solve an instance and print the plan; with -o, write it as a solution folder (before printing).

    Exit codes: 0 solved, 1 bad input or output location, 2 infeasible or solver error (`critmin diagnose`
    names the conflict), 3 stopped by a limit without a solution, 130 interrupted.
    """
    check_output(output, "solution", force, inputs=(instance,))
    from ..report.text import format_summary
    from ..solving import solve as run_solve

    log.info("load: reading %s", instance)
    inst = load_switched(instance, deals_off)
    sol = run_solve(inst, scenario=scenario, risk_weight=risk_weight, options=options, progress=log.info,
                    engine=engine)  # fmt: skip
    if near_ties and sol.has_solution and sol.result is not None:
        from ..analysis.diagnose import near_ties as find_near_ties

        log.info("near-ties: pricing each modular build's alternative")
        ties = find_near_ties(sol.result, options)
        sol.near_ties = [{str(k): v for k, v in r.items()} for r in ties.to_dict("records")]
    if output is not None and sol.has_solution:
        sol.write(output, fmt=fmt, force=force, protect=protect(instance, inst))
    for w in sol.warnings:
        warn(w)
    code = exit_code(sol.status)
    spread = _ranges(inst, ranges, ranges_seed, scenario, options) if ranges and sol.has_solution else None
    if as_json:
        written = str(output) if output is not None and sol.has_solution else None
        doc = solution_json(sol, written)
        if spread is not None:
            doc["ranges"] = spread.tables["ranges"].to_dict("records")
        emit_json("solve", doc, exit_code=code)
        sys.exit(code)
    say(format_summary(sol, list(years) or None))
    if spread is not None:
        say("\n" + "\n".join([spread.method, *spread.headline]))
    if output is not None and sol.has_solution:
        say(f"\nwrote {output}/ (summary.json + {len(sol.tables)} tables as {fmt})")
    elif output is not None:
        say(f"no solution to write ({sol.status}); {output} was not created", err=True)
    if code == 2 and sol.status == "infeasible":
        say(f"run `critmin diagnose {instance}` to name the constraints that conflict", err=True)
    sys.exit(code)


def _ranges(inst: Instance, samples: int, seed: int, scenario: str | None, options: Any) -> AnalysisResult:
    """`solve --ranges N`: the headlines over the declared uncertain inputs (analysis/sensitivity.py)."""
    from ..analysis.sensitivity import ranges
    from ..analysis.sweep import Engine, default_workers
    from .common import Progress

    return ranges(inst, samples, seed=seed, scenario=scenario, options=options,
                  engine=Engine(workers=default_workers()), progress=Progress("ranges"))  # fmt: skip


@main.command()
@instance_argument
@scenario_option
@deal_option
@solver_options(engine=True)
@click.option("--top", type=click.IntRange(min=0), default=15, show_default=True, metavar="N",
              help="Rows shown per section (0: all); the rest are counted.")  # fmt: skip
@output_option("diagnosis", help_text="Also write the diagnosis as tables in this new folder.")
@format_option("diagnosis folder")
@force_option
@json_option
@guard
def diagnose(instance: Path, scenario: str | None, deals_off: tuple[str, ...], options: Any, engine: str,
             top: int, output: Path | None, fmt: str, force: bool, as_json: bool) -> None:  # fmt: skip
    """Explain a plan: shortfalls (largest first), binding constraints with shadow prices, lead-time blocks,
    near-ties between build decisions; or, for an infeasible instance, an irreducible infeasible subset
    named by entity.

    Exit codes: 0 diagnosed a solvable instance, 1 bad input, 2 infeasible (IIS printed), 3 no solution.
    """
    check_output(output, "diagnosis", force, inputs=(instance,))
    from ..analysis.diagnose import diagnose as run_diagnose

    inst = load_switched(instance, deals_off)
    d = run_diagnose(inst, scenario=scenario, options=options, engine=engine)
    if output is not None:
        d.write(output, fmt=fmt, force=force, protect=protect(instance, inst))
    code = exit_code(d.status)
    if as_json:
        payload = {"status": d.status, "message": d.message, "currency": d.currency,
                   **{k: records_of(v) for k, v in d.tables().items()}}  # fmt: skip
        emit_json("diagnose", payload, exit_code=code)
        sys.exit(code)
    say(d.to_text(top))
    if output is not None:
        say(f"\nwrote {output}/")
    sys.exit(code)


@main.command()
@instance_argument
@click.option("--mps", type=click.Path(path_type=Path), metavar="FILE", help="Write the model as MPS.")
@click.option("--lp", type=click.Path(path_type=Path), metavar="FILE", help="Write the model as CPLEX LP.")
@click.option("--xlsx", type=click.Path(path_type=Path), metavar="FILE",
              help="Write the instance itself as one Excel workbook (any command reads it).")  # fmt: skip
@scenario_option
@deal_option
@risk_option
@force_option
@json_option
@guard
def export(instance: Path, mps: Path | None, lp: Path | None, xlsx: Path | None, scenario: str | None,
           deals_off: tuple[str, ...], risk_weight: float | None, force: bool,
           as_json: bool) -> None:  # fmt: skip
    """Write the model with readable names (in critmin's scaled units, printed) for another solver, and/or
    the instance as an Excel workbook (--xlsx)."""
    from ..backend.export import check_export_path, export_arrays
    from ..io import write_workbook
    from ..model.assemble import model_arrays

    if not mps and not lp and not xlsx:
        raise CritminError("give --mps FILE, --lp FILE and/or --xlsx FILE")
    for path in (mps, lp):
        if path:
            check_export_path(path, force)
    written: list[str] = []
    inst = load_switched(instance, deals_off)
    if xlsx:
        from ..io.output import check_target

        check_target(
            xlsx, kind="instance workbook", force=force, folder=False, protect=protect(instance, inst)
        )
        write_workbook(inst, xlsx, force=force, protect=protect(instance, inst))
        written.append(str(xlsx))
        if not as_json:
            say(f"wrote {xlsx} (the instance as a workbook: sheet 'instance' + a sheet per table)")
    scales: dict[str, Any] = {}
    if mps or lp:
        arrays = model_arrays(inst, scenario=scenario, risk_weight=risk_weight)
        for path in (mps, lp):
            if path:
                export_arrays(arrays, path, force=force)
                written.append(str(path))
                if not as_json:
                    say(f"wrote {path}")
        md = arrays.md
        scales = {"quantity_scale": md.q, "money_scale": md.m, "currency": md.inst.units.currency}
        if not as_json:
            say(f"scales: quantity_scale {md.q:g} t, money_scale {md.m:g} {md.inst.units.currency} "
                "(objective x money_scale = expected cost)")  # fmt: skip
    if as_json:
        emit_json("export", {"written": written, **scales})


@main.command()
@click.option(
    "--regions",
    type=click.IntRange(min=2, max=2000),
    default=10,
    show_default=True,
    metavar="N",
    help="Regions (the first is the controlled-origin exporter).",
)
@click.option(
    "--commodities",
    type=click.IntRange(min=3, max=50),
    default=4,
    show_default=True,
    metavar="N",
    help="Commodities: a concentrate, N-2 separated oxides, a magnet.",
)
@click.option(
    "--years",
    type=click.IntRange(min=1, max=60),
    default=6,
    show_default=True,
    metavar="N",
    help="Yearly periods from 2025.",
)
@click.option(
    "--scenarios",
    type=click.IntRange(min=1, max=200),
    default=2,
    show_default=True,
    metavar="N",
    help="Scenarios (all but the first ban exports from 2027).",
)
@click.option(
    "--neighbours",
    type=click.IntRange(min=1, max=2000),
    default=4,
    show_default=True,
    metavar="N",
    help="Routes per region and commodity.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**32 - 1),
    default=0,
    show_default=True,
    metavar="N",
    help="Random seed: the same arguments always give the same instance.",
)
@output_option("instance", required=True, help_text="Folder to write the instance (YAML + CSV) into.")
@force_option
@json_option
@guard  # fmt: skip
def generate(regions: int, commodities: int, years: int, scenarios: int, neighbours: int, seed: int,
             output: Path, force: bool, as_json: bool) -> None:  # fmt: skip
    """Write a SYNTHETIC instance (YAML + CSV) with the structure of the bundled ones, for benchmarks."""
    check_output(output, "instance", force)
    from ..generate import synthetic_data, write_instance

    data = synthetic_data(regions, years, scenarios, neighbours, seed, commodities)
    path = write_instance(data, output, name=str(data["name"]), force=force)
    if as_json:
        emit_json("generate", {"written": str(path)})
        return
    say(f"wrote {path}")
