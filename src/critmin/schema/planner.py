"""Whose plan it is: the planner (e.g. the allies) and what the objective counts as its cost."""

from __future__ import annotations

from pydantic import Field

from .base import IdList, Money, Strict


class Planner(Strict):
    """The regions whose costs the objective counts. They pay capex and operating costs at home, the
    exporter's price for imports from outside, transport and tariffs into their regions, and the value of
    their own demand not served. Regions outside serve their own demand first (at `outside_priority` per
    tonne short) and export only the rest; their own costs count only at `outside_weight`, a tie-break."""

    name: str = Field(default="planner", max_length=80)
    members: IdList = Field(min_length=1, description="region ids or blocs")
    outside_priority: Money | None = Field(
        default=None,
        description="currency per t of outside demand not served; default 10 x the largest value lost",
    )
    outside_weight: float = Field(
        default=1e-4, ge=0, le=0.01, description="weight of outside regions' own costs (a tie-break)"
    )
