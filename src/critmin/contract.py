"""What every command and the Python API promise, written once and light to import (the CLI reads it before
any modelling library loads): the statuses a solve can end in, the exit code of each, and the table formats
every writer offers."""

from __future__ import annotations

OPTIMAL = "optimal"
FEASIBLE = "feasible"  # stopped by a time or gap limit with an incumbent: not proven optimal
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"
NO_SOLUTION = "no_solution"  # stopped by a limit before any feasible solution was found
ERROR = "error"

EXIT_OK = 0  # done; for a solve, optimal or feasible when stopped by a limit
EXIT_BAD_INPUT = 1  # bad input, usage or output location: the message says what and where
EXIT_NO_PLAN = 2  # infeasible, unbounded, solver or internal error
EXIT_NO_SOLUTION = 3  # stopped by a limit before any solution was found
EXIT_INTERRUPTED = 130  # Ctrl-C: nothing was written

# The exit code of each status (README, `critmin --help`).
EXIT_CODES = {
    OPTIMAL: EXIT_OK,
    FEASIBLE: EXIT_OK,
    INFEASIBLE: EXIT_NO_PLAN,
    UNBOUNDED: EXIT_NO_PLAN,
    ERROR: EXIT_NO_PLAN,
    NO_SOLUTION: EXIT_NO_SOLUTION,
}


def exit_code(status: str) -> int:
    """The exit code of a status; an unknown status is an error (2)."""
    return EXIT_CODES.get(status, EXIT_NO_PLAN)


# Table formats of every folder critmin writes (solutions, analyses, frontiers, comparisons, diagnoses).
TABLE_FORMATS = ("csv", "parquet", "xlsx")
