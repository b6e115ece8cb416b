"""Demand by region, commodity and year, with a compliance class."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Id, Strict, Tonnes, Year


class Demand(Strict):
    region: Id
    commodity: Id
    year: Year
    quantity: Tonnes = Field(description="t/yr")
    compliance: Literal["any", "clear"] = Field(
        default="any", description="'clear' accepts no controlled-origin material"
    )
