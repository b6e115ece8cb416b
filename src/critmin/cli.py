"""Command line: `critmin validate|solve ...`.

Exit codes: 0 solved (optimal, or feasible when stopped by a limit), 1 bad input or usage,
2 infeasible / unbounded / solver error, 3 stopped by a limit without a solution, 130 interrupted.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from .errors import CritminError, InstanceError

EXIT_BAD_INPUT = 1
EXIT_INTERRUPTED = 130


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user-facing errors into messages and exit codes; never show a traceback unless --debug."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.obj and ctx.obj.get("debug"))
        try:
            return fn(*args, **kwargs)
        except InstanceError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except CritminError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was written; run the command again to retry", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence: a message, not a traceback
            if debug:
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "please report it with the instance; rerun with --debug for details",
                err=True,
            )
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.version_option(package_name="critmin")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """critmin: plan critical-mineral supply chains under export controls."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
@click.argument("instance", type=click.Path(dir_okay=True, path_type=Path))
@_guard
def validate(instance: Path) -> None:
    """Check an instance file (and its CSV tables) without solving it; also builds the model and warns
    about badly scaled coefficients."""
    from .io import load_instance
    from .model.assemble import assemble
    from .model.data import compile_instance
    from .model.numerics import arrays_warnings

    inst = load_instance(instance)
    md = compile_instance(inst)
    for w in arrays_warnings(assemble(md)):
        click.echo(f"warning: {w}", err=True)
    click.echo(
        f"ok: {inst.name}: {len(inst.regions)} regions, {len(inst.commodities)} commodities, "
        f"{len(inst.facilities)} facilities, {len(inst.build_options)} build options, "
        f"{len(md.arcs)} routes, {len(inst.demand)} demand rows, {len(inst.export_controls)} export "
        f"controls, {len(inst.scenarios)} scenario(s), {len(md.years)} periods"
    )


@main.command()
@click.argument("instance", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--scenario", help="Solve one scenario only (probability 1).")
@click.option("--time-limit", type=click.FloatRange(min=0), help="Seconds.")
@click.option(
    "--mip-gap", type=click.FloatRange(min=0), default=None, help="Relative MIP gap (default 1e-4)."
)
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="HiGHS random seed.")
@click.option("--risk-weight", type=click.FloatRange(min=0), help="Override the instance's risk weight.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the solution directory.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@click.option("--verbose", is_flag=True, help="Show the HiGHS log.")
@click.option("--year", "years", type=int, multiple=True, help="Years to show in the summary.")
@click.option(
    "--highs-option",
    "highs_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Raw HiGHS option, e.g. mip_max_nodes=100 (repeatable).",
)
@click.option(
    "--engine",
    type=click.Choice(["matrix", "pyomo"]),
    default="matrix",
    show_default=True,
    help="matrix: build the model straight as arrays (fast, proven identical); pyomo: through Pyomo.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Print phases (load, build, solve, extract) to stderr; default: if stderr is a tty.",
)
@_guard
def solve(
    instance: Path,
    scenario: str | None,
    time_limit: float | None,
    mip_gap: float | None,
    threads: int,
    seed: int,
    risk_weight: float | None,
    output: Path | None,
    fmt: str,
    force: bool,
    verbose: bool,
    years: tuple[int, ...],
    highs_options: tuple[str, ...],
    engine: str,
    progress: bool | None,
) -> None:
    """Solve an instance and print the plan; with -o, write it as a solution directory.

    Exit codes: 0 solved, 1 bad input, 2 infeasible or no solution, 3 stopped by a limit without a
    solution.
    """
    from .io import load_instance
    from .report.text import format_summary
    from .solving import DEFAULT_MIP_GAP, SolveOptions
    from .solving import solve as run_solve

    if output is not None and output.exists() and not force:
        raise CritminError(f"{output} exists; pass --force to replace it")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise CritminError("--format parquet needs pyarrow: pip install 'critmin[parquet]'") from exc
    say = _progress_printer(progress)
    say(f"load: reading {instance}")
    inst = load_instance(instance)
    opts = SolveOptions(
        time_limit=time_limit,
        mip_gap=DEFAULT_MIP_GAP if mip_gap is None else mip_gap,
        threads=threads,
        seed=seed,
        verbose=verbose,
        highs_options=_parse_highs_options(highs_options),
    )
    sol = run_solve(
        inst, scenario=scenario, risk_weight=risk_weight, options=opts, progress=say, engine=engine
    )
    for w in sol.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(format_summary(sol, list(years) or None))
    if output is not None and sol.has_solution:
        sol.write(output, fmt=fmt, force=force)
        click.echo(f"\nwrote {output}/ (summary.json + {len(sol.tables)} tables as {fmt})")
    elif output is not None:
        click.echo(f"\nno solution to write ({sol.status}); {output} was not created", err=True)
    sys.exit(sol.exit_code)


def _progress_printer(enabled: bool | None) -> Callable[[str], None]:
    """Phase lines on stderr with elapsed time, so long runs show where they are."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    start = time.perf_counter()

    def say(message: str) -> None:
        if enabled:
            click.echo(f"[critmin {time.perf_counter() - start:7.2f}s] {message}", err=True)

    return say


def _parse_highs_options(items: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise CritminError(f"--highs-option needs KEY=VALUE, got '{item}'")
        value: object = raw
        for cast in (int, float):
            try:
                value = cast(raw)
                break
            except ValueError:
                continue
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        out[key.strip()] = value
    return out


@main.command()
@click.argument("instance", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--scenario", help="Diagnose one scenario only.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Rows per section.")
@_guard
def diagnose(instance: Path, scenario: str | None, top: int) -> None:
    """Explain a plan: shortfalls, binding constraints with shadow prices, lead-time blocks; or, for an
    infeasible instance, an irreducible infeasible subset named by entity.

    Exit codes: 0 diagnosed a solvable instance, 1 bad input, 2 infeasible (IIS printed), 3 no solution.
    """
    from .analysis.diagnose import diagnose as run_diagnose
    from .io import load_instance
    from .solving import EXIT_CODES

    d = run_diagnose(load_instance(instance), scenario=scenario)
    click.echo(d.to_text(top))
    sys.exit(EXIT_CODES[d.status])


@main.command()
@click.argument("instance", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--mps", type=click.Path(path_type=Path), help="Write the model as MPS.")
@click.option("--lp", type=click.Path(path_type=Path), help="Write the model as LP.")
@click.option("--scenario", help="Export one scenario only.")
@click.option("--risk-weight", type=click.FloatRange(min=0), help="Override the instance's risk weight.")
@_guard
def export(
    instance: Path, mps: Path | None, lp: Path | None, scenario: str | None, risk_weight: float | None
) -> None:
    """Write the model with readable names (in scaled units) for another solver."""
    from .backend.export import export_arrays
    from .io import load_instance
    from .model.assemble import model_arrays

    if not mps and not lp:
        raise CritminError("give --mps FILE and/or --lp FILE")
    arrays = model_arrays(load_instance(instance), scenario=scenario, risk_weight=risk_weight)
    md = arrays.md
    for path in (mps, lp):
        if path:
            export_arrays(arrays, path)
            click.echo(f"wrote {path}")
    click.echo(
        f"scales: quantity_scale {md.q:g} t, money_scale {md.m:g} {md.inst.units.currency} "
        f"(objective x money_scale = expected cost)"
    )


@main.command()
@click.option("--regions", type=click.IntRange(min=2), default=10, show_default=True)
@click.option(
    "--commodities",
    type=click.IntRange(min=3),
    default=4,
    show_default=True,
    help="Commodities: a concentrate, M-2 separated oxides, a magnet.",
)
@click.option("--years", type=click.IntRange(min=1), default=6, show_default=True)
@click.option("--scenarios", type=click.IntRange(min=1), default=2, show_default=True)
@click.option(
    "--neighbours",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Routes per region and commodity.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--force", is_flag=True, help="Write into an existing directory.")
@_guard
def generate(
    regions: int,
    commodities: int,
    years: int,
    scenarios: int,
    neighbours: int,
    seed: int,
    output: Path,
    force: bool,
) -> None:
    """Write a SYNTHETIC instance (YAML + CSV) with the structure of the bundled ones, for benchmarks."""
    from .generate import synthetic_data, write_instance

    if output.exists() and any(output.iterdir()) and not force:
        raise CritminError(f"{output} exists and is not empty; pass --force")
    data = synthetic_data(regions, years, scenarios, neighbours, seed, commodities)
    path = write_instance(data, output, name=data["name"])
    click.echo(f"wrote {path}")


@main.command(name="frontier")
@click.argument("instance", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--points", type=click.IntRange(min=2), default=5, show_default=True)
@click.option("--scenario", help="One scenario only.")
@click.option("--mip-gap", type=click.FloatRange(min=0), default=None, help="Relative MIP gap per point.")
@click.option("--time-limit", type=click.FloatRange(min=0), help="Seconds per point.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write frontier.csv and each point's plan."
)
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@_guard
def frontier_cmd(
    instance: Path,
    points: int,
    scenario: str | None,
    mip_gap: float | None,
    time_limit: float | None,
    output: Path | None,
    force: bool,
) -> None:
    """Cost-risk Pareto frontier by the epsilon-constraint method (dominated points removed)."""
    from .analysis.frontier import frontier
    from .io import load_instance
    from .solving import DEFAULT_MIP_GAP, SolveOptions

    if output is not None and output.exists() and not force:
        raise CritminError(f"{output} exists; pass --force to replace it")
    opts = SolveOptions(mip_gap=DEFAULT_MIP_GAP if mip_gap is None else mip_gap, time_limit=time_limit)
    fr = frontier(load_instance(instance), points, scenario=scenario, options=opts)
    click.echo(fr.to_text())
    if output is not None:
        fr.write(output, force=force)
        click.echo(f"\nwrote {output}/ (frontier.csv + point_NN/ per non-dominated point)")


@main.command()
@click.argument(
    "runs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="report.html")
@click.option("--year", type=int, help="Year of the Sankey (default 2030 or the last).")
@click.option("--scenario", help="Scenario of the Sankey (default the most likely).")
@click.option("--force", is_flag=True, help="Replace an existing report.")
@_guard
def report(runs: tuple[Path, ...], output: Path, year: int | None, scenario: str | None, force: bool) -> None:
    """One self-contained HTML report (no network needed) of solution and/or frontier directories."""
    from .report import write_report

    out = write_report(list(runs), output, force=force, year=year, scenario=scenario)
    click.echo(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


@main.command(name="compare")
@click.argument("runs", nargs=-1, required=True)
@click.option("--year", "years", type=int, multiple=True, help="Years for controlled shares (repeatable).")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path), help="Write the tables as CSV here.")
@click.option("--force", is_flag=True, help="Compare runs with different model versions or units.")
@_guard
def compare_cmd(runs: tuple[str, ...], years: tuple[int, ...], csv_dir: Path | None, force: bool) -> None:
    """Compare solution directories and/or instance files (solved on the fly); the first is the baseline.
    FILE.yaml@SCENARIO solves that scenario alone.

    Prints metrics side by side with differences from the baseline, and the inputs that differ.
    """
    from .analysis.compare import compare

    cmp = compare(list(runs), years=list(years) or None, force=force)
    click.echo(cmp.to_text())
    if csv_dir:
        cmp.write_csv(csv_dir)
        click.echo(f"\nwrote {csv_dir}/ (metrics.csv, metrics_wide.csv, builds.csv, inputs.csv)")


if __name__ == "__main__":  # pragma: no cover
    main()
