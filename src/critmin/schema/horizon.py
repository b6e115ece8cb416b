"""Time: periods with weights, base year and discounting; units and internal scaling."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .base import Strict, Year

MAX_LEAD_IN = 15  # years a decision (base_year) may precede the first modelled period


class Period(Strict):
    """A modelled year standing for `weight` consecutive calendar years starting at `year`."""

    year: Year
    weight: int = Field(default=1, ge=1, le=50, description="calendar years this period represents")


class Horizon(Strict):
    base_year: Year = Field(description="year of the decision; discounting and lead times start here")
    discount_rate: float = Field(default=0.05, ge=0, lt=1, description="real rate per year")
    periods: list[Period] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _years_shorthand(cls, data: Any) -> Any:
        """`years: [2025, 2030]` is shorthand for periods whose weights run to the next year."""
        if isinstance(data, dict) and "years" in data and "periods" not in data:
            data = dict(data)
            years = data.pop("years")
            if isinstance(years, list) and all(isinstance(y, int) for y in years):
                years = sorted(years)
                periods = []
                for i, y in enumerate(years):
                    weight = years[i + 1] - y if i + 1 < len(years) else data.pop("last_weight", 1)
                    periods.append({"year": y, "weight": weight})
                data["periods"] = periods
            else:
                data["periods"] = years
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        years = [p.year for p in self.periods]
        if years != sorted(years) or len(set(years)) != len(years):
            raise ValueError(f"periods must be in increasing year order without repeats, got {years}")
        for a, b in zip(self.periods, self.periods[1:], strict=False):
            if a.year + a.weight > b.year:
                raise ValueError(
                    f"period {a.year} with weight {a.weight} overlaps period {b.year}; "
                    f"lower its weight to {b.year - a.year}"
                )
        if self.base_year > years[0]:
            raise ValueError(f"base_year {self.base_year} is after the first period {years[0]}")
        if years[0] - self.base_year > MAX_LEAD_IN:
            shrink = (1 + self.discount_rate) ** -(years[0] - self.base_year)
            raise ValueError(
                f"base_year {self.base_year} is {years[0] - self.base_year} years before the first period "
                f"{years[0]}: every cost would be discounted by {shrink:.2g} and every lead time would pass "
                f"before the horizon starts; set base_year to the year the plan is decided (at most "
                f"{MAX_LEAD_IN} years before the first period)"
            )
        return self

    @property
    def years(self) -> list[int]:
        return [p.year for p in self.periods]

    @property
    def last_year(self) -> int:
        return self.periods[-1].year


class Scale(Strict):
    """Internal scaling: the solver sees tonnes / quantity and money / money. 'auto' picks powers of 10."""

    quantity: Annotated[float, Field(ge=1e-6, le=1e9)] | Literal["auto"] = Field(
        default="auto", description="tonnes per model unit (a power of ten is best)"
    )
    money: Annotated[float, Field(ge=1e-6, le=1e15)] | Literal["auto"] = Field(
        default="auto", description="currency per model unit (a power of ten is best)"
    )


class Units(Strict):
    quantity: Literal["t"] = Field(default="t", description="tonnes of the commodity (t/yr for rates)")
    currency: str = Field(default="USD", min_length=1, max_length=12)
    scale: Scale = Field(default_factory=Scale)
