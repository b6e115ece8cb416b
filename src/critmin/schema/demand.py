"""Demand by region, commodity, end use and year, with a compliance class; end uses value what goes short."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import Fraction, Id, Money, Strict, Tonnes, Year


class Demand(Strict):
    key_fields: ClassVar[tuple[str, ...]] = ("region", "commodity", "end_use", "year", "compliance")

    region: Id
    commodity: Id
    year: Year
    quantity: Tonnes = Field(description="t/yr")
    compliance: Literal["any", "clear"] = Field(
        default="any", description="'clear' accepts no controlled-origin material"
    )
    end_use: Id | None = Field(default=None, description="what the material is for (an end_uses id)")


class DemandStep(Strict):
    """Part of each demand row of an end use that is bought only while it is worth its price: the first
    `share` of the quantity is forgone when supplying it would cost more than `value` per t."""

    share: Fraction
    value: Money = Field(description="willingness to pay, currency per t")


class EndUse(Strict):
    """What demand is for (EV motors, wind, electronics, defence, ...), with the value lost per tonne that
    goes short (value of lost load) and optional steps of demand that high prices destroy first."""

    id: Id
    description: str = ""
    value: Money = Field(description="value of a tonne not served, currency per t")
    steps: list[DemandStep] = Field(default_factory=list, description="price-sensitive parts of demand")

    @model_validator(mode="after")
    def _steps(self) -> EndUse:
        total = sum(s.share for s in self.steps)
        if total > 1 + 1e-9:
            raise ValueError(f"the steps' shares add up to {total:g}, more than the whole demand (1)")
        for s in self.steps:
            if s.value >= self.value:
                raise ValueError(
                    f"a step's value ({s.value:g}) must be below the end use's value of lost load "
                    f"({self.value:g})"
                )
        return self
