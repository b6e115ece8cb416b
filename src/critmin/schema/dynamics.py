"""How fast capacity really arrives: ramp-up after first output, limits on how much can be built per year,
schedule slips by scenario, and input thrifting (less Dy per tonne of magnet) adopted over time.

Why: a plan that runs every new plant at nameplate from its first year, builds without limit and never slips
is a best case (MP Materials made 1.3 kt NdPr in 2024 against a >6 kt design; Iluka Eneabba, due 2025, is due
2027). These fields let an instance say what the public record says.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from .base import Id, IdList, Money, OptionalYear, Strict, Tonnes, Year  # noqa: F401 (Money used below)

MAX_RAMP_YEARS = 10


def _check_ramp(values: list[float]) -> list[float]:
    if not values:
        raise ValueError("a ramp lists at least one year's utilisation (e.g. [0.4, 0.75, 1])")
    if len(values) > MAX_RAMP_YEARS:
        raise ValueError(f"a ramp covers at most {MAX_RAMP_YEARS} years, got {len(values)}")
    bad = [v for v in values if not 0 < v <= 1]
    if bad:
        raise ValueError(f"ramp utilisation {bad[0]:g} is not in (0, 1]: a share of nameplate capacity")
    if values[-1] != 1:
        raise ValueError(f"a ramp must end at 1 (nameplate), got {values[-1]:g}: add 1 as its last year")
    falls = [i for i in range(1, len(values)) if values[i] < values[i - 1]]
    if falls:
        i = falls[0]
        raise ValueError(
            f"a ramp must not fall: year {i + 1} ({values[i]:g}) is below year {i} ({values[i - 1]:g})"
        )
    return values


def _ramp_list(value: object) -> object:
    """A ramp written in a CSV cell ('0.4;0.75;1') or as one number (1: nameplate at once)."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]
    if isinstance(value, (int, float)):
        return [value]
    return value


# Utilisation of new capacity in its 1st, 2nd, ... year of output (share of nameplate); 1 after the list.
Ramp = Annotated[list[float], BeforeValidator(_ramp_list), AfterValidator(_check_ramp)]


def ramp_at(ramp: list[float] | None, years_since_first_output: int) -> float:
    """Usable share of nameplate capacity `years_since_first_output` years after its first output (0 = the
    first year)."""
    if ramp is None or years_since_first_output >= len(ramp):
        return 1.0
    return ramp[years_since_first_output]


class BuildRate(Strict):
    """At most `limit` t/yr of new capacity of one stage may come online (or start construction) per year in
    a region or bloc — know-how, equipment and people bind, not only money. With `learning`, the limit widens
    by that many t/yr per t/yr of the same capacity already built there (a learning curve)."""

    id: Id
    region: Id | None = Field(default=None, description="region or bloc (default: all the planner's builds)")
    stage: str = Field(description="stage of the facilities it limits, e.g. magnet")
    limit: Tonnes | dict[Year, Tonnes] = Field(
        description="t/yr of capacity per calendar year; a mapping year -> value is a step function that may "
        "only rise"
    )
    learning: float = Field(
        default=0.0, ge=0, le=10, description="t/yr of limit added per t/yr already built"
    )
    counts: Literal["online", "start"] = Field(
        default="online", description="limit capacity coming online (default) or starting construction"
    )
    start: OptionalYear = None
    end: OptionalYear = None

    @model_validator(mode="after")
    def _rising(self) -> BuildRate:
        if isinstance(self.limit, dict):
            years = sorted(self.limit)
            down = [(a, b) for a, b in zip(years, years[1:], strict=False) if self.limit[b] < self.limit[a]]
            if down:
                a, b = down[0]
                raise ValueError(
                    f"limit falls from {self.limit[a]:g} ({a}) to {self.limit[b]:g} ({b}): a build rate only "
                    "widens (use end to stop it)"
                )
        return self


Projects = Literal["all", "pre_fid", "greenfield", "brownfield", "committed"]


class Slip(Strict):
    """In a scenario, these projects come online `years` later than planned: build options by id or by class
    (`pre_fid`: no investment decision yet; `greenfield` / `brownfield`; `committed`: facilities' capacity
    steps after the base year), and facilities' committed steps by id. Costs are not deferred (conservative:
    the money is spent, the output comes late)."""

    options: IdList = Field(default_factory=list, description="build option ids")
    facilities: IdList = Field(default_factory=list, description="facilities whose committed steps slip")
    projects: Projects | None = Field(default=None, description="a class of projects instead of ids")
    years: int = Field(ge=1, le=30, description="years of delay")

    @model_validator(mode="after")
    def _names_something(self) -> Slip:
        if not self.options and not self.facilities and self.projects is None:
            raise ValueError(
                "a slip names options, facilities or a class of projects (projects: pre_fid, ...)"
            )
        return self


class ScheduleCase(Strict):
    """One schedule outcome, crossed with every scenario of the instance (`schedule_risk`)."""

    name: Id
    probability: float = Field(gt=0, le=1)
    description: str = ""
    slips: list[Slip] = Field(default_factory=list)
    revealed: OptionalYear = Field(
        default=None,
        description="year it is known which schedule case holds (decisions before it are shared)",
    )


class ScheduleRisk(Strict):
    """Schedule outcomes crossed with the control scenarios: each scenario s and case c make the scenario
    `s__c` with probability p(s) x p(c) (independent), its slips, and both reveal years honoured by
    non-anticipativity (two scenarios share a year's decisions only if neither dimension is told apart)."""

    cases: list[ScheduleCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> ScheduleRisk:
        total = sum(c.probability for c in self.cases)
        if abs(total - 1) > 1e-6:
            raise ValueError(f"schedule case probabilities sum to {total:g}, not 1: rescale them")
        names = [c.name for c in self.cases]
        if len(set(names)) != len(names):
            raise ValueError("schedule case names must be unique")
        return self


class Thrift(Strict):
    """Less of an input per tonne of output, adopted over time: grain-boundary diffusion cuts Dy per tonne of
    NdFeB; a Dy-free grade (saving 1) serves some uses. Up to `adoption` of a plant's activity in a year may
    run with `saving` less of the input, at `cost` per tonne of input saved."""

    id: Id
    commodity: Id = Field(description="the input saved, e.g. dy_oxide")
    facilities: IdList = Field(default_factory=list, description="plants that may adopt it (default: stage)")
    stage: str | None = Field(default=None, description="or every plant of this stage drawing the input")
    saving: float = Field(gt=0, le=1, description="share of the input's recipe amount saved where adopted")
    adoption: float | dict[Year, float] = Field(
        description="share of a plant's activity that may adopt it (a step function of the year), in [0, 1]"
    )
    cost: Money = Field(default=0.0, description="currency per t of input saved")

    @model_validator(mode="after")
    def _valid(self) -> Thrift:
        if not self.facilities and self.stage is None:
            raise ValueError("a thrift names facilities or a stage")
        values = self.adoption.values() if isinstance(self.adoption, dict) else [self.adoption]
        bad = [v for v in values if not 0 <= v <= 1]
        if bad:
            raise ValueError(f"adoption {bad[0]:g} is not a share in [0, 1]")
        return self


__all__ = [
    "BuildRate",
    "Ramp",
    "ScheduleCase",
    "ScheduleRisk",
    "Slip",
    "Thrift",
    "ramp_at",
    "MAX_RAMP_YEARS",
]
