"""Command line: `critmin validate|solve|diagnose|export|generate|frontier|compare|report` and the sweeps
(`evaluate|value|stress|leverage|attribute|sweep`).

Exit codes, the same for every command: 0 done (a solve: optimal, or feasible when stopped by a limit);
1 bad input, usage or output location; 2 infeasible, unbounded, solver or internal error; 3 stopped by a limit
before any solution; 130 interrupted (nothing written). Commands load the modelling and solver libraries only
when they run, so `critmin --help` and shell completion start quickly.
"""

from __future__ import annotations

import click

from .. import __version__
from .common import CritminGroup, setup_logging


@click.group(
    cls=CritminGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option(
    "-v", "--verbose", count=True, help="More detail on stderr: -v phases and times, -vv debugging."
)
@click.option("-q", "--quiet", count=True, help="Less on stderr: -q no warnings, -qq nothing but errors.")
@click.version_option(__version__, package_name="critmin")
@click.pass_context
def main(ctx: click.Context, debug: bool, verbose: int, quiet: int) -> None:
    """critmin: plan critical-mineral supply chains under export controls.

    Exit codes: 0 done, 1 bad input or usage, 2 infeasible or solver error, 3 stopped by a limit without a
    solution, 130 interrupted.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    setup_logging(verbose, quiet)


from . import analysis_cmds, model_cmds, sweep_cmds  # noqa: E402  (commands attach themselves to `main`)

__all__ = ["analysis_cmds", "main", "model_cmds", "sweep_cmds"]
