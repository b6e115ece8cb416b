"""Cost of capital and prices that move.

A build's capex is annualised at its **cost of capital** (a real rate), not at the social discount rate that
discounts every year's costs: private projects need 8-12% real, government equity, loans and guarantees lower
that for the projects they back. The rate of a build option is, first found: its own `hurdle_rate`; the lowest
rate of any `finance.concessional` term that backs it; the most specific `finance.hurdle_rates` row that
matches its investor, site region and stage; else the horizon's discount rate (as before finance existed).
Concessional terms have ids, so a deal can bring one (`finance.concessional:id`); switched off, the project
pays its unsupported rate.

`price_paths` make a commodity's price move by year (a 2025 NdPr spike, a Chinese price cut aimed at allied
plants): a step function of factors on the commodity's price, in every scenario or the ones named, for one
exporting region or all. They multiply like scenario price factors, wherever a price is used (imports from
outside, sales, ad valorem tariffs, a price floor's market reference).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Id, IdList, Money, Strict, Year

Rate = float


class HurdleRate(Strict):
    """The real cost of capital for builds that match every filter given (the most specific row wins)."""

    id: Id
    rate: Rate = Field(ge=0, lt=1, description="real rate per year, e.g. 0.10")
    investor: Id | None = Field(default=None, description="investor region or bloc")
    region: Id | None = Field(default=None, description="site region or bloc")
    stage: str | None = Field(default=None, description="stage of the facility built, e.g. separation")


class Concessional(Strict):
    """Government equity, a loan or a guarantee that lowers the cost of capital of the options it backs to
    `rate` (the all-in cost to the allies: the government's funding cost plus its expected loss)."""

    id: Id
    options: IdList = Field(min_length=1, description="build option ids it backs")
    rate: Rate = Field(ge=0, lt=1, description="real rate per year the backed projects pay")
    kind: Literal["equity", "loan", "guarantee", "grant"] = "loan"
    amount: Money | None = Field(default=None, description="currency committed (documentation)")


class Finance(Strict):
    hurdle_rates: list[HurdleRate] = Field(default_factory=list)
    concessional: list[Concessional] = Field(default_factory=list)


class PricePath(Strict):
    """A commodity's price by year: `factors` (on its list price) or `prices` (currency per t), a step
    function from the horizon's first year."""

    id: Id
    commodity: Id
    region: Id | None = Field(default=None, description="exporting region (default: every region)")
    scenarios: IdList = Field(default_factory=list, description="scenarios it applies in (default: all)")
    factors: dict[Year, float] | None = Field(default=None, description="year -> factor on the list price")
    prices: dict[Year, Money] | None = Field(default=None, description="year -> currency per t")

    @model_validator(mode="after")
    def _one_kind(self) -> PricePath:
        if (self.factors is None) == (self.prices is None):
            raise ValueError("give exactly one of factors (on the list price) or prices (currency per t)")
        values = self.factors if self.factors is not None else self.prices
        assert values is not None
        if not values:
            raise ValueError("a price path needs at least one year")
        bad = [y for y, v in values.items() if not v > 0 or v != v or v == float("inf")]
        if bad:
            raise ValueError(f"the value for {bad[0]} must be a positive finite number")
        return self
