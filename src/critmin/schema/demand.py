"""Demand by region, commodity and year, with a compliance class."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Id, Strict, Tonnes, Year


class Demand(Strict):
    key_fields: ClassVar[tuple[str, ...]] = ("region", "commodity", "year", "compliance")

    region: Id
    commodity: Id
    year: Year
    quantity: Tonnes = Field(description="t/yr")
    compliance: Literal["any", "clear"] = Field(
        default="any", description="'clear' accepts no controlled-origin material"
    )
