"""Commands across runs: the cost-risk frontier, comparisons and the HTML report."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from .common import (
    check_output,
    emit_json,
    force_option,
    guard,
    instance_argument,
    json_option,
    log,
    make_options,
    output_option,
    records_of,
    say,
)
from .common import solver_options as solver_opts
from .model_cmds import scenario_option


@main.command(name="frontier")
@instance_argument
@click.option("--points", type=click.IntRange(min=2, max=200), default=5, show_default=True, metavar="N",
              help="Points to solve, from least cost to least risk (dominated dropped).")  # fmt: skip
@scenario_option
@solver_opts
@output_option("frontier", help_text="Write frontier.csv and each point's plan into this new folder.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "xlsx"]), default="csv",
              show_default=True, help="Table format of each point's solution folder.")  # fmt: skip
@force_option
@guard
def frontier_cmd(
    instance: Path,
    points: int,
    scenario: str | None,
    time_limit: float | None,
    mip_gap: float | None,
    threads: int,
    seed: int,
    engine: str,
    highs_options: tuple[str, ...],
    output: Path | None,
    fmt: str,
    force: bool,
) -> None:
    """Cost-risk Pareto frontier by the epsilon-constraint method, reusing one HiGHS model.

    Exit codes: 0 done, 1 bad input or output location, 2 the instance has no plan, 130 interrupted.
    """
    check_output(output, "frontier", force, inputs=(instance,))
    from ..analysis.frontier import frontier
    from ..io import load_instance

    if engine != "matrix":
        log.info("frontier: sweeps the model's arrays in HiGHS (--engine does not apply)")
    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    fr = frontier(load_instance(instance), points, scenario=scenario, options=opts)
    if output is not None:
        fr.write(output, fmt=fmt, force=force, protect=(instance,))
    say(fr.to_text())
    if output is not None:
        say(f"\nwrote {output}/ (frontier.csv + point_NN/ per non-dominated point)")


@main.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="RUN...")
@output_option("report", required=True, help_text="The report file to write (.html).")
@click.option("--year", type=int, metavar="YEAR", help="Year of the Sankey (default 2030 or the last).")
@click.option("--scenario", metavar="NAME", help="Scenario of the Sankey (default the most likely).")
@force_option
@guard
def report(runs: tuple[Path, ...], output: Path, year: int | None, scenario: str | None, force: bool) -> None:
    """One self-contained HTML report (no network needed) of solution and/or frontier folders."""
    from ..report import write_report

    out = write_report(list(runs), output, force=force, year=year, scenario=scenario)
    say(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


@main.command(name="compare")
@click.argument("runs", nargs=-1, required=True, metavar="RUN...")
@click.option("--year", "years", type=int, multiple=True, metavar="YEAR",
              help="Years for controlled shares (repeatable; default the first and last).")  # fmt: skip
@solver_opts
@output_option("comparison", help_text="Write metrics.csv, metrics_wide.csv, builds.csv, inputs.csv here.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path), hidden=True, help="Old name of -o.")
@force_option
@click.option("--allow-mismatch", is_flag=True,
              help="Compare runs whose model version, quantity unit or currency differ.")  # fmt: skip
@json_option
@guard
def compare_cmd(
    runs: tuple[str, ...],
    years: tuple[int, ...],
    time_limit: float | None,
    mip_gap: float | None,
    threads: int,
    seed: int,
    engine: str,
    highs_options: tuple[str, ...],
    output: Path | None,
    csv_dir: Path | None,
    force: bool,
    allow_mismatch: bool,
    as_json: bool,
) -> None:
    """Compare solution folders and/or instance files (solved on the fly); the first is the baseline.
    FILE.yaml@SCENARIO solves that scenario alone.

    Prints metrics side by side with differences from the baseline, and the inputs (and run options) that
    differ. Exit codes: 0 done, 1 bad input, a damaged folder or an output location that cannot be used.
    """
    output = output or csv_dir
    check_output(output, "comparison", force)
    from ..analysis.compare import compare

    opts = make_options(time_limit, mip_gap, threads, seed, highs_options)
    cmp = compare(
        list(runs), years=list(years) or None, allow_mismatch=allow_mismatch, options=opts, engine=engine
    )
    if output is not None:
        cmp.write(output, force=force)
    if as_json:
        payload = {"runs": cmp.runs, "metrics": records_of(cmp.metrics), "builds": records_of(cmp.builds),
                   "inputs": records_of(cmp.inputs), "written": str(output) if output else None}  # fmt: skip
        emit_json("compare", payload)
        return
    say(cmp.to_text())
    if output is not None:
        say(f"\nwrote {output}/ (metrics.csv, metrics_wide.csv, builds.csv, inputs.csv)")
