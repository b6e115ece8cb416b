"""What every command shares: the exit-code contract, error handling, safe printing, logging and the solver
options. Imports here are light (click and the standard library), so `critmin --help` starts quickly."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from ..contract import (  # the exit-code contract of every command, written once
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NO_PLAN,
    EXIT_OK,
    exit_code,
)
from ..errors import CritminError, NoPlanError

log = logging.getLogger("critmin")
F = TypeVar("F", bound=Callable[..., Any])


class CritminGroup(click.Group):
    """A click group whose usage errors exit 1 (bad usage), as the contract says, not click's 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            rv = click.Group.main(self, *args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.Abort:
            click.echo("interrupted: nothing was written; run the command again to retry", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_BAD_INPUT)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


_stdout_closed = False


def say(text: str = "", *, err: bool = False) -> None:
    """Print for the user; a reader that closed the pipe (`| head`) ends the printing, not the run."""
    global _stdout_closed
    if _stdout_closed and not err:
        return
    try:
        click.echo(text, err=err)
    except BrokenPipeError:
        if err:
            return
        _stdout_closed = True
        devnull = os.open(os.devnull, os.O_WRONLY)  # Python flushes stdout at exit; let that go nowhere
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


# -- machine-readable output (--json) ------------------------------------------------------------------------
JSON_SCHEMA = 1  # bumped when a field is renamed or removed; new fields may appear in any version


def emit_json(command: str, payload: dict[str, Any], exit_code: int = 0) -> None:
    """One JSON document on stdout: {"critmin": version, "schema": 1, "command", "ok", "exit_code", ...}."""
    import json

    from .. import __version__
    from ..results.solution import json_safe

    doc = {"critmin": __version__, "schema": JSON_SCHEMA, "command": command, "ok": exit_code == 0,
           "exit_code": exit_code, **payload}  # fmt: skip
    say(json.dumps(json_safe(doc), indent=2, allow_nan=False))


def records_of(df: Any) -> list[dict[str, Any]]:
    """A DataFrame as JSON records (NaN -> null)."""
    if df is None or len(df) == 0:
        return []
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        for r in df.to_dict("records")
    ]


def solution_json(sol: Any, written: str | None) -> dict[str, Any]:
    """A solve's JSON: status, the planner's costs by category and component, builds, shortfalls (by place,
    end use and scenario), the clear share of allied demand, warnings and the full summary."""
    from ..results.costs import CATEGORIES, CostBreakdown

    cb = CostBreakdown.from_parts(sol.objective_parts)
    unmet = sol.tables.get("unmet")
    short = unmet[(unmet.unmet > 1e-6) | (unmet.forgone > 1e-6)] if unmet is not None and len(unmet) else None
    return {
        "status": sol.status,
        "message": sol.message,
        "instance": sol.instance.get("name"),
        "units": sol.units,
        "objective": sol.objective,
        "costs": {
            "planner_cost": cb.planner_cost if sol.has_solution else None,
            "by_category": {c: cb.total(c) for c in CATEGORIES},
            "components": cb.parts,
        },
        "builds": records_of(sol.tables.get("builds")),
        "shortfalls": records_of(short),
        "clear_share": records_of(sol.tables.get("kpis_clear")),
        "warnings": list(sol.warnings),
        "written": written,
        "summary": sol.summary_dict(),
    }


json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="Print one JSON document on stdout instead of text (schema: README, 'Machine-readable output').",
)  # fmt: skip


def _json_error(ctx: click.Context, exc: Exception, code: int) -> bool:
    """With --json, an error is a JSON document too (ok false, the message and located problems)."""
    if not (ctx.params or {}).get("as_json"):
        return False
    problems = [
        {
            "file": p.file,
            "row": p.row,
            "column": p.column,
            "field": list(map(str, p.loc)),
            "message": p.message,
            "hint": p.hint,
        }  # fmt: skip
        for p in getattr(exc, "problems", []) or []
    ]
    emit_json(str(ctx.command.name), {"error": str(exc), "problems": problems}, exit_code=code)
    return True


def guard(fn: F) -> F:
    """Turn errors into a message and the contract's exit code; never a traceback unless --debug."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.obj and ctx.obj.get("debug"))
        try:
            return fn(*args, **kwargs)
        except NoPlanError as exc:
            code = exit_code(exc.status)
            if not _json_error(ctx, exc, code):
                say(f"error: {exc}", err=True)
            sys.exit(code)
        except CritminError as exc:
            if not _json_error(ctx, exc, EXIT_BAD_INPUT):
                say(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            say("interrupted: nothing was written; run the command again to retry", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.exceptions.Exit:
            raise
        except OSError as exc:  # the disk filled up, a folder became read-only, ...
            where = f"{exc.filename}: " if exc.filename else ""
            say(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as exc:  # noqa: BLE001 - last line of defence: a message, not a traceback
            if debug:
                traceback.print_exc()
            say(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "please report it with the instance; rerun with --debug for details",
                err=True,
            )
            sys.exit(EXIT_NO_PLAN)

    return wrapper  # type: ignore[return-value]


def setup_logging(verbose: int, quiet: int) -> None:
    """-v shows each phase (load, build, solve, extract) with times, -vv debugging detail, -q only errors."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbose - quiet, logging.DEBUG)
    if verbose - quiet < -1:
        level = logging.CRITICAL
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[critmin %(relativeCreated)7.0fms] %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def quiet() -> bool:
    """-q given: print only what was asked (tables, paths), not commentary."""
    return log.getEffectiveLevel() > logging.WARNING


def warn(message: str) -> None:
    if not quiet():
        say(f"warning: {message}", err=True)


# -- shared options ----------------------------------------------------------------------------------------
def solver_options(fn: F) -> F:
    """The options of every command that solves: limits, reproducibility, backend."""
    decorators = [
        click.option("--time-limit", type=click.FloatRange(min=0), metavar="SECONDS",
                     help="Stop each solve after this many seconds (default: none)."),
        click.option("--mip-gap", type=click.FloatRange(min=0, max=1), metavar="FRACTION",
                     help="Relative MIP gap to stop at (default 1e-4, i.e. 0.01%)."),
        click.option("--threads", type=click.IntRange(min=1, max=256), default=1, show_default=True,
                     metavar="N", help="HiGHS threads (1 keeps results identical run to run)."),
        click.option("--seed", type=click.IntRange(min=0, max=2**31 - 1), default=0, show_default=True,
                     metavar="N", help="HiGHS random seed."),
        click.option("--engine", type=click.Choice(["matrix", "pyomo"]), default="matrix", show_default=True,
                     help="matrix: hand the model's arrays to HiGHS (fast); pyomo: solve the Pyomo model."),
        click.option("--highs-option", "highs_options", multiple=True, metavar="KEY=VALUE",
                     help="A raw HiGHS option, e.g. solver=ipm (repeatable)."),
    ]  # fmt: skip
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def make_options(
    time_limit: float | None,
    mip_gap: float | None,
    threads: int,
    seed: int,
    highs_options: tuple[str, ...] = (),
    verbose: bool = False,
) -> Any:
    from ..backend.highs import DEFAULT_MIP_GAP, SolveOptions

    return SolveOptions(
        time_limit=time_limit,
        mip_gap=DEFAULT_MIP_GAP if mip_gap is None else mip_gap,
        threads=threads,
        seed=seed,
        verbose=verbose,
        highs_options=parse_highs_options(highs_options),
    )


def parse_highs_options(items: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
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


def output_option(kind: str, required: bool = False, help_text: str = "") -> Callable[[F], F]:
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        required=required,
        metavar="PATH",
        help=help_text or f"Write the {kind} here (a new folder; see --force).",
    )


force_option = click.option(
    "--force", is_flag=True, help="Replace an existing output, if critmin wrote it and it holds nothing else."
)
instance_argument = click.argument(
    "instance", type=click.Path(dir_okay=True, path_type=Path), metavar="INSTANCE"
)


def check_output(
    path: Path | None, kind: str, force: bool, inputs: tuple[Path, ...] = (), folder: bool = True
) -> None:
    """Check the output location before any work, so a long solve never ends in a failed write."""
    if path is None:
        return
    from ..io.output import check_target

    for note in check_target(path, kind=kind, force=force, folder=folder, protect=inputs):
        warn(note)
