"""What every command shares: the exit-code contract, error handling, safe printing, logging and the solver
options. Imports here are light (click and the standard library), so `critmin --help` starts quickly."""

from __future__ import annotations

import logging
import math
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
    TABLE_FORMATS,
    exit_code,
)
from ..errors import CritminError, NoPlanError

log = logging.getLogger("critmin")
F = TypeVar("F", bound=Callable[..., Any])


def _wants_json(args: Any) -> bool:
    return "--json" in (list(args) if args is not None else sys.argv[1:])


def ensure_std_streams() -> None:
    """A command run with stdout or stderr closed (`critmin solve X -o out >&-`) still runs and writes its
    files: a closed standard stream is reopened on /dev/null (HiGHS and Python write to them)."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "w", closefd=False))  # noqa: SIM115 - lives as long as the process


class CritminGroup(click.Group):
    """A click group whose usage errors exit 1 (bad usage), as the contract says, not click's 2; with --json
    a usage error or an interruption is a JSON document too."""

    def main(self, args: Any = None, *rest: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        ensure_std_streams()
        as_json = _wants_json(args)
        try:
            rv = click.Group.main(self, args, *rest, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.Abort:
            if as_json:
                emit_json(
                    _command_name(args), {"error": "interrupted: nothing was written"}, EXIT_INTERRUPTED
                )
            else:
                click.echo("interrupted: nothing was written; run the command again to retry", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as exc:
            if as_json:
                emit_json(_command_name(args), {"error": f"usage: {exc.format_message()}", "problems": []},
                          EXIT_BAD_INPUT)  # fmt: skip
            else:
                exc.show()
            sys.exit(EXIT_BAD_INPUT)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def _command_name(args: Any) -> str:
    words = [a for a in (list(args) if args is not None else sys.argv[1:]) if not a.startswith("-")]
    return words[0] if words else "critmin"


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
JSON_SCHEMA = 2  # bumped when a field is renamed or removed; new fields may appear in any version
# 2: solve's `clear_share` became `kpis_clear` (reach and Chinese-origin content, two tests kept apart)


def emit_json(command: str, payload: dict[str, Any], exit_code: int = 0) -> None:
    """One JSON document on stdout: {"critmin": version, "schema": 2, "command", "ok", "exit_code", ...}."""
    import json

    from .. import __version__
    from ..results.solution import json_safe

    doc = {"critmin": __version__, "schema": JSON_SCHEMA, "command": command, "ok": exit_code == 0,
           "exit_code": exit_code, **payload}  # fmt: skip
    say(json.dumps(json_safe(doc), indent=2, allow_nan=False, default=str))


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
        "kpis_clear": records_of(sol.tables.get("kpis_clear")),
        "warnings": list(sol.warnings),
        "written": written,
        "summary": sol.summary_dict(),
    }


json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="Print one JSON document on stdout instead of text (schema: README, 'Machine-readable output').",
)  # fmt: skip


def _json_error(ctx: click.Context, exc: BaseException, code: int, text: str = "") -> bool:
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
    message = str(exc) if isinstance(exc, CritminError) else text
    emit_json(str(ctx.command.name), {"error": message, "problems": problems}, exit_code=code)
    return True


def guard(fn: F) -> F:
    """Turn errors into a message and the contract's exit code (a JSON document with --json); never a
    traceback unless --debug."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.obj and ctx.obj.get("debug"))

        def fail(exc: BaseException, code: int, text: str) -> None:
            if not _json_error(ctx, exc, code, text):
                say(text, err=True)
            sys.exit(code)

        try:
            return fn(*args, **kwargs)
        except NoPlanError as exc:
            fail(exc, exit_code(exc.status), f"error: {exc}")
        except CritminError as exc:
            fail(exc, EXIT_BAD_INPUT, f"error: {exc}")
        except KeyboardInterrupt as exc:
            fail(exc, EXIT_INTERRUPTED, "interrupted: nothing was written; run the command again to retry")
        except click.exceptions.Exit:
            raise
        except click.ClickException as exc:  # a usage error found while running (e.g. a bad --group)
            fail(exc, EXIT_BAD_INPUT, f"error: {exc.format_message()}")
        except OSError as exc:  # the disk filled up, a folder became read-only, ...
            where = f"{exc.filename}: " if exc.filename else ""
            fail(exc, EXIT_BAD_INPUT, f"error: {where}{exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - last line of defence: a message, not a traceback
            if debug:
                traceback.print_exc()
            fail(
                exc,
                EXIT_NO_PLAN,
                f"internal error: {type(exc).__name__}: {exc}\n"
                "please report it with the instance; rerun with --debug for details",
            )

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
class Finite(click.ParamType):
    """A finite number within bounds (click's FloatRange lets NaN through)."""

    name = "number"

    def __init__(
        self, low: float | None = None, high: float | None = None, *, low_open: bool = False
    ) -> None:
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(x):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        too_low = self.low is not None and (x <= self.low if self.low_open else x < self.low)
        if too_low or (self.high is not None and x > self.high):
            lo = "" if self.low is None else f"{'>' if self.low_open else '>='} {self.low:g}"
            hi = "" if self.high is None else f"<= {self.high:g}"
            self.fail(f"{value} is not {' and '.join(t for t in (lo, hi) if t)}", param, ctx)
        return x


def _gap_help(analysis: str | None) -> str:
    from ..backend.gaps import DEFAULT_MIP_GAP, default_mip_gap

    gap = default_mip_gap(analysis)
    if gap == DEFAULT_MIP_GAP:
        return (f"Relative MIP gap to stop at (default {gap:g}, i.e. {gap:.2%}), on the part of the "
                "objective the decisions change.")  # fmt: skip
    return (f"Relative MIP gap to stop at (default {gap:g}, exploratory: each figure is shown with the "
            f"interval it leaves; {DEFAULT_MIP_GAP:g} is the tight gap), on the part of the objective the "
            "decisions change.")  # fmt: skip


def _solver_decorators(engine: bool, analysis: str | None = None) -> list[Callable[[Any], Any]]:
    out = [
        click.option("--time-limit", type=Finite(0), metavar="SECONDS",
                     help="Stop each solve after this many seconds (default: none)."),
        click.option("--mip-gap", type=Finite(0, 1), metavar="FRACTION", help=_gap_help(analysis)),
        click.option("--threads", type=click.IntRange(min=1, max=256), default=1, show_default=True,
                     metavar="N", help="HiGHS threads (1 keeps results identical run to run)."),
        click.option("--seed", type=click.IntRange(min=0, max=2**31 - 1), default=0, show_default=True,
                     metavar="N", help="HiGHS random seed."),
        click.option("--highs-option", "highs_options", multiple=True, metavar="KEY=VALUE",
                     help="A raw HiGHS option, e.g. solver=ipm (repeatable; applied last)."),
        click.option("--solver-log", is_flag=True, help="Show HiGHS's own log (on stderr)."),
        click.option("--rounding/--no-rounding", default=True, show_default=True,
                     help="A MIP first tries critmin's search on LP relaxations (the relaxation rounded, "
                          "then a short branch and bound), kept when proven within the gap; HiGHS's MIP "
                          "search runs if it proves nothing. --no-rounding, or any HiGHS mip_* option: "
                          "HiGHS's MIP search alone."),
    ]  # fmt: skip
    if engine:
        out.append(
            click.option("--engine", type=click.Choice(["matrix", "pyomo"]), default="matrix",
                         show_default=True,
                         help="matrix: the model's arrays straight to HiGHS (fast); pyomo: the Pyomo model.")
        )  # fmt: skip
    return out


def solver_options(*, engine: bool = False, analysis: str | None = None) -> Callable[[F], F]:
    """The solver options of a command that solves, written once and passed to it as one `options`
    (SolveOptions); `engine=True` also offers --engine (only where the command honours it); `analysis` names
    the analysis whose default gap applies (backend.gaps.ANALYSIS_MIP_GAPS)."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            kwargs["options"] = make_options(
                kwargs.pop("time_limit"), kwargs.pop("mip_gap"), kwargs.pop("threads"), kwargs.pop("seed"),
                kwargs.pop("highs_options"), verbose=kwargs.pop("solver_log"), analysis=analysis,
                rounding=kwargs.pop("rounding"),
            )  # fmt: skip
            return fn(*args, **kwargs)

        out: Any = inner
        for d in reversed(_solver_decorators(engine, analysis)):
            out = d(out)
        return out

    return decorate


def make_options(
    time_limit: float | None,
    mip_gap: float | None,
    threads: int,
    seed: int,
    highs_options: tuple[str, ...] = (),
    verbose: bool = False,
    analysis: str | None = None,
    rounding: bool = True,
) -> Any:
    from ..backend.gaps import default_mip_gap
    from ..backend.highs import SolveOptions

    return SolveOptions(
        time_limit=time_limit,
        mip_gap=default_mip_gap(analysis) if mip_gap is None else mip_gap,
        threads=threads,
        seed=seed,
        verbose=verbose,
        highs_options=parse_highs_options(highs_options),
        rounding=rounding,
    )


def parse_highs_options(items: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"needs KEY=VALUE, got '{item}'", param_hint="--highs-option")
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


def ranges_options(*, seed_aliases: tuple[str, ...] = ()) -> Callable[[F], F]:
    """--ranges N and its seed, the same on every command that takes them (analysis/ranges.py)."""

    def deco(fn: F) -> F:
        seed = click.IntRange(min=0, max=2**32 - 1)
        fn = click.option("--ranges-seed", *seed_aliases, "ranges_seed", type=seed, default=0,
                          show_default=True, metavar="N",
                          help="Seed of the --ranges draws (same bands on any workers).")(fn)  # fmt: skip
        return click.option("--ranges", type=click.IntRange(min=2, max=100_000), default=None, metavar="N",
                            help="Also re-run N times over the instance's declared uncertain inputs "
                            "(`uncertain:`) and give each headline figure as p10 / p50 / p90 beside its "
                            "value as written.")(fn)  # fmt: skip

    return deco


def format_option(what: str) -> Callable[[F], F]:
    """--format of a folder's tables, from the one list every writer offers (contract.TABLE_FORMATS)."""
    return click.option(
        "--format", "fmt", type=click.Choice(TABLE_FORMATS), default="csv", show_default=True,
        help=f"Table format of the {what} (xlsx: one workbook, tables.xlsx).",
    )  # fmt: skip


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


# -- progress of long runs ---------------------------------------------------------------------------------
def _span(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Progress of many solves on stderr, so a long analysis is never silent: on a terminal a bar with the
    time left; elsewhere (a log, a pipe) a line every ~10 s once the run has taken ~5 s, with an estimate;
    nothing with -q. Called as progress(done, total) by the sweep engine."""

    def __init__(self, label: str, *, first: float = 5.0, every: float = 10.0) -> None:
        import time

        self.label, self.first, self.every = label, first, every
        self.t0 = time.perf_counter()
        self.last = self.t0 - every  # the first line may come as soon as `first` seconds have passed
        self.round_t0 = self.t0  # an analysis runs rounds of solves (value: 3); the estimate is the round's
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        import time

        if quiet() or total <= 0:
            return
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(
                    length=total, label=f"{self.label}: solves", file=sys.stderr, show_eta=True
                )
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)
            if done >= total:
                self.bar.__exit__(None, None, None)
            return
        now = time.perf_counter()
        elapsed = now - self.t0
        if done >= total:
            self.round_t0 = now  # the next round starts as this one ends
            if elapsed >= self.first:
                say(f"{self.label}: {done}/{total} solves done in {_span(elapsed)}", err=True)
            return
        if elapsed < self.first or now - self.last < self.every or done == 0:
            return
        self.last = now
        line = f"{self.label}: {done}/{total} solves, {_span(elapsed)} so far"
        if done * 10 >= total:  # fewer done may be the round's long solves: no estimate from them
            line += f", about {_span((now - self.round_t0) / done * (total - done))} left"
        say(line, err=True)


def protect(instance_path: Path, instance: Any = None) -> tuple[Path, ...]:
    """Inputs an output must never replace or hold: the instance path and every file it was read from."""
    return (instance_path, *(getattr(instance, "inputs", ()) or ()))


def warn_load_notes(instance: Any) -> None:
    for note in getattr(instance, "load_notes", ()) or ():
        warn(note)
