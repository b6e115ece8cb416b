"""Names for the keys the compiled model data uses (shared by data.py and provenance.py)."""

from __future__ import annotations

from dataclasses import dataclass

TAGS: tuple[str, str] = ("clear", "controlled")

Arc = tuple[str, str, str]  # commodity, origin, destination
FlowKey = tuple[str, str, str, str]  # commodity, origin, destination, tag
Stream = tuple[str, str]  # facility, tag of what it makes
BuildKey = tuple[str, int, str]  # option, online year, branch ('all' or the scenarios it is decided for)
Present = tuple[str, str, str]  # region, commodity, tag


@dataclass
class DemandRow:
    index: int
    region: str
    commodity: str
    year: int
    compliance: str
    quantity: float  # tonnes, unscaled
    end_use: str | None = None
    inside: bool = True  # the planner's own demand (always, without a planner)
