"""Commands across runs: the cost-risk frontier, comparisons and the HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from .model_cmds import load_switched, scenario_option


@main.command(name="frontier")
@instance_argument
@click.option("--points", type=click.IntRange(min=2, max=200), default=5, show_default=True, metavar="N",
              help="Points to solve, from least cost to least risk (dominated dropped).")  # fmt: skip
@scenario_option
@ranges_options()
@solver_options()
@output_option(
    "frontier", help_text="Write the frontier's points and each point's plan into this new folder."
)
@format_option("frontier folder and each point's solution")
@force_option
@json_option
@guard
def frontier_cmd(instance: Path, points: int, scenario: str | None, ranges: int | None, ranges_seed: int,
                 options: Any, output: Path | None, fmt: str, force: bool,
                 as_json: bool) -> None:  # fmt: skip
    """Cost-risk Pareto frontier by the epsilon-constraint method, reusing one HiGHS model.

    Exit codes: 0 done, 1 bad input or output location, 2 the instance has no plan, 130 interrupted.
    """
    check_output(output, "frontier", force, inputs=(instance,))
    from ..analysis.frontier import frontier

    inst = load_switched(instance)
    fr = frontier(inst, points, scenario=scenario, options=options)
    if ranges:  # each draw's frontier in this process: one HiGHS model re-used per draw, as written
        from ..analysis.ranges import bands, frontier_figures

        b = bands(inst, ranges, ranges_seed,
                  lambda i: frontier(i, points, scenario=scenario, options=options),
                  frontier_figures, progress=Progress("frontier ranges"))  # fmt: skip
        fr.bands = {"ranges": b.summary, "range_samples": b.samples}
        fr.band_lines = b.lines(fr.currency)
    if output is not None:
        fr.write(output, fmt=fmt, force=force, protect=protect(instance, inst))
    if as_json:
        payload = {"points": records_of(fr.points), "timings": fr.timings, "currency": fr.currency,
                   "ranges": {n: records_of(t) for n, t in fr.bands.items()},
                   "written": str(output) if output else None}  # fmt: skip
        emit_json("frontier", payload)
        return
    say(fr.to_text())
    if output is not None:
        say(f"\nwrote {output}/ (the points' table + point_NN/ per non-dominated point)")


@main.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="RUN...")
@output_option("report", required=True, help_text="The report file to write (.html).")
@click.option("--year", type=int, metavar="YEAR", help="Year of the Sankey (default 2030 or the last).")
@click.option("--scenario", metavar="NAME", help="Scenario of the Sankey (default the most likely).")
@force_option
@json_option
@guard
def report(runs: tuple[Path, ...], output: Path, year: int | None, scenario: str | None, force: bool,
           as_json: bool) -> None:  # fmt: skip
    """One self-contained HTML report (no network needed) of solution, frontier and analysis folders."""
    from ..report import write_report

    out = write_report(list(runs), output, force=force, year=year, scenario=scenario)
    if as_json:
        emit_json("report", {"written": str(out), "bytes": out.stat().st_size})
        return
    say(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


@main.command(name="compare")
@click.argument("runs", nargs=-1, required=True, metavar="RUN...")
@click.option("--year", "years", type=int, multiple=True, metavar="YEAR",
              help="Years for controlled shares (repeatable; default the first and last).")  # fmt: skip
@solver_options(engine=True)
@output_option("comparison", help_text="Write metrics, metrics_wide, builds and inputs tables here.")
@format_option("comparison folder")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path), hidden=True, help="Old name of -o.")
@force_option
@click.option("--allow-mismatch", is_flag=True,
              help="Compare runs whose model version, quantity unit or currency differ.")  # fmt: skip
@json_option
@guard
def compare_cmd(runs: tuple[str, ...], years: tuple[int, ...], options: Any, engine: str,
                output: Path | None, fmt: str, csv_dir: Path | None, force: bool, allow_mismatch: bool,
                as_json: bool) -> None:  # fmt: skip
    """Compare solution folders and/or instance files (solved on the fly); the first is the baseline.
    FILE.yaml@SCENARIO solves that scenario alone.

    Prints metrics side by side with differences from the baseline, and the inputs (and run options) that
    differ. Exit codes: 0 done, 1 bad input, a damaged folder or an output location that cannot be used.
    """
    output = output or csv_dir
    check_output(output, "comparison", force)
    from ..analysis.compare import compare

    cmp = compare(
        list(runs), years=list(years) or None, allow_mismatch=allow_mismatch, options=options, engine=engine
    )
    if output is not None:
        cmp.write(output, fmt=fmt, force=force)
    if as_json:
        payload = {"runs": cmp.runs, "metrics": records_of(cmp.metrics), "builds": records_of(cmp.builds),
                   "inputs": records_of(cmp.inputs), "written": str(output) if output else None}  # fmt: skip
        emit_json("compare", payload)
        return
    say(cmp.to_text())
    if output is not None:
        say(f"\nwrote {output}/ (metrics, metrics_wide, builds, inputs as {fmt})")
