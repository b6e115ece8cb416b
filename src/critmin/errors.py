"""Errors a user can act on: where the bad input is, what is wrong, how to fix it.

Every problem carries a location (file, and either a YAML field path or a CSV row and column) so the CLI can
print one line per problem and never a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Loc = tuple[str | int, ...]


@dataclass
class Problem:
    """One thing wrong with an instance."""

    loc: Loc
    message: str
    hint: str = ""
    file: str | None = None
    row: int | None = None  # 1-based line in a CSV file (the header is line 1)
    column: str | None = None

    def where(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        elif self.loc:
            parts.append(format_loc(self.loc))
        return ", ".join(parts) if parts else "instance"

    def __str__(self) -> str:
        text = f"{self.where()}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class CritminError(Exception):
    """Base class: an error whose message is meant for the user, not a developer."""

    message: str = ""

    def __str__(self) -> str:
        return self.message


MAX_SHOWN = 40  # problems printed; the rest are counted


@dataclass
class InstanceError(CritminError):
    """The instance cannot be used. Holds every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.message:
            n = len(self.problems)
            self.message = f"{n} problem{'s' if n != 1 else ''} in the instance"

    def __str__(self) -> str:
        lines = [self.message + ":"]
        lines += [f"  - {p}" for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:  # a million duplicate rows should not print a million lines
            lines.append(
                f"  ... and {len(self.problems) - MAX_SHOWN:,} more (the first {MAX_SHOWN} are shown)"
            )
        return "\n".join(lines)


class ReferenceProblems(ValueError):
    """Raised inside pydantic validation to carry located problems out of a validator."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class OutputExistsError(CritminError):
    """A solution directory exists and --force was not given."""


@dataclass
class NoPlanError(CritminError):
    """An analysis needed a plan and the instance has none (infeasible, unbounded, or stopped without one);
    the CLI exits with that outcome's code (2 or 3), like `solve`."""

    status: str = "infeasible"


def format_loc(loc: Sequence[str | int]) -> str:
    """('facilities', 3, 'region') -> 'facilities[3].region'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint for a near-miss name, or a list of valid names when few."""
    options = sorted({str(c) for c in choices})
    same_case = [o for o in options if o.lower() == str(word).lower()]
    if same_case:
        return f"did you mean '{same_case[0]}'? (names are case-sensitive)"
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return "none are defined"
    if len(options) <= 8:
        return "known: " + ", ".join(options)
    return f"{len(options)} are defined, e.g. " + ", ".join(options[:5])
