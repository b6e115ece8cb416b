"""Time in the model: periods and their calendar years, discounting, annuities, windows, step functions and
scenario multipliers. Read by the compile step (data.py) and by the families that compile their own inputs."""

from __future__ import annotations

from dataclasses import dataclass

from ..schema import Adjustment, Instance, Scenario
from .finance import price_path_adjustments


def annuity_factor(rate: float, lifetime: int) -> float:
    """Level payment at the start of each of `lifetime` years whose present value at the first year is 1
    (annuity-due). Charged in every year a plant operates, discounted like that year's other costs, so a
    plant whose whole life falls inside the horizon costs exactly its overnight capex at its online year."""
    growth = (1 + rate) ** lifetime
    if rate == 0 or growth == 1.0:  # a rate too small to move the powers behaves as zero
        return 1.0 / lifetime
    return rate * (1 + rate) ** (lifetime - 1) / (growth - 1)


def in_window(y: int, start: int | None, end: int | None) -> bool:
    """Is year y inside [start, end] (either end open when None)?"""
    return (start is None or y >= start) and (end is None or y <= end)


def _matches(
    adj: Adjustment, year: int, region: str | None, commodity: str | None, facility: str | None
) -> bool:
    return (
        in_window(year, adj.start, adj.end)
        and (adj.region is None or adj.region == region)
        and (adj.commodity is None or adj.commodity == commodity)
        and (adj.facility is None or adj.facility == facility)
    )


def factor(
    adjs: list[Adjustment],
    *,
    year: int,
    region: str | None = None,
    commodity: str | None = None,
    facility: str | None = None,
) -> float:
    """Product of the factors of every adjustment that matches."""
    out = 1.0
    for a in adjs:
        if _matches(a, year, region, commodity, facility):
            out *= a.factor
    return out


def existing_capacity(capacity: float | dict[int, float], year: int) -> float:
    """Step function: a mapping holds each value from its year until the next key; 0 before the first."""
    if not isinstance(capacity, dict):
        return float(capacity)
    value = 0.0
    for y in sorted(capacity):
        if y <= year:
            value = capacity[y]
    return float(value)


@dataclass
class Time:
    years: list[int]
    weight: dict[int, int]
    disc: dict[int, float]
    scenarios: list[str]
    prob: dict[str, float]
    scen_by: dict[str, Scenario]


def compile_time(inst: Instance, scenario: str | None) -> Time:
    hz = inst.horizon
    r = hz.discount_rate
    disc = {p.year: sum((1 + r) ** -(p.year + j - hz.base_year) for j in range(p.weight)) for p in hz.periods}
    scen = [s for s in inst.scenarios if scenario is None or s.name == scenario]
    prob = {scenario: 1.0} if scenario is not None else {s.name: s.probability for s in scen}
    if inst.price_paths:  # prices that move by year: read wherever a scenario's price factors are
        scen = [
            s.model_copy(update={"price": [*s.price, *price_path_adjustments(inst, s.name)]}) for s in scen
        ]
    return Time(
        hz.years,
        {p.year: p.weight for p in hz.periods},
        disc,
        [s.name for s in scen],
        prob,
        {s.name: s for s in scen},
    )


def calendar_years(inst: Instance) -> dict[int, list[int]]:
    """Each period's calendar years (a period stands for `weight` years from its first)."""
    return {p.year: list(range(p.year, p.year + p.weight)) for p in inst.horizon.periods}


def discount_factor(inst: Instance, year: int) -> float:
    hz = inst.horizon
    return float((1 + hz.discount_rate) ** -(year - hz.base_year))
