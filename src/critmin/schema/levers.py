"""Policy levers: stockpiles, demand substitution, price floors and offtake contracts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Fraction, Id, Money, OptionalYear, Strict, Tonnes, Year


class Stockpile(Strict):
    """A strategic stock of one commodity in one region. Material keeps its provenance tag in store."""

    id: Id
    region: Id
    commodity: Id
    capacity: Tonnes = Field(default=0.0, description="existing storage, t")
    initial: Tonnes = Field(default=0.0, description="t in store before the first period")
    initial_tag: Literal["clear", "controlled"] = "clear"
    holding_cost: Money = Field(default=0.0, description="currency per t held per year")
    build_capex: Money | None = Field(default=None, description="currency per t of storage added")
    build_lead_time: int = Field(default=0, ge=0, le=30, description="years")
    max_build: Tonnes | None = Field(default=None, description="t of storage that may be added")
    days_of_cover: float | None = Field(default=None, ge=0, le=3650, description="target, days of demand")
    cover: Literal["hard", "soft"] = Field(default="hard", description="hard constraint or penalised")
    cover_penalty: Money = Field(default=0.0, description="soft: currency per t below target per year")
    cover_start: OptionalYear = None
    cover_end: OptionalYear = None
    drawdown: bool = Field(
        default=False,
        description="the target holds outside disruptions only: in a year an export control in force lists "
        "this commodity for this region, the stock may be drawn below it",
    )
    refill_rate: Tonnes | None = Field(
        default=None, description="after a disruption, t/yr the floor recovers by (default: at once)"
    )

    @model_validator(mode="after")
    def _check(self) -> Stockpile:
        if self.initial > self.capacity:
            raise ValueError(f"initial {self.initial} t exceeds storage capacity {self.capacity} t")
        if self.cover == "soft" and self.days_of_cover and not self.cover_penalty:
            raise ValueError("a soft days-of-cover target needs cover_penalty > 0")
        return self


class Substitution(Strict):
    """Part of a commodity's demand may be met by a substitute or thrifting (e.g. Dy-free magnets, ferrite
    motors) at a cost per tonne avoided, up to `share` of each matching demand row."""

    id: Id
    commodity: Id
    region: Id | None = None
    share: Fraction
    cost: Money = Field(description="currency per t of demand substituted")
    start: OptionalYear = None
    end: OptionalYear = None


class PriceFloor(Strict):
    """A guaranteed price to a producer: the buyer pays floor - reference price for every tonne the facility
    makes while the reference is below the floor (e.g. DoD's US$110/kg NdPr floor for MP Materials)."""

    id: Id
    facility: Id
    commodity: Id
    floor: Money = Field(description="currency per t")
    reference_price: Money | None = Field(
        default=None,
        description="market reference, currency per t (default: the commodity's market price that year and "
        "scenario, price paths and scenario price factors included)",
    )
    start: OptionalYear = None
    end: OptionalYear = None
    in_objective: bool = Field(default=True, description="count the payments as cost in the objective")


class Offtake(Strict):
    """A contract to buy at least `quantity` t/yr of a facility's output at `price`: a hard minimum
    production; the premium over the reference price is reported (and counted) as support."""

    id: Id
    facility: Id
    commodity: Id
    quantity: Tonnes | dict[Year, Tonnes] = Field(
        description="t/yr; a mapping year->value is a step function (e.g. following a ramp-up)"
    )
    price: Money = Field(description="contract price, currency per t")
    reference_price: Money = Field(default=0.0, description="market reference, currency per t")
    start: OptionalYear = None
    end: OptionalYear = None
    in_objective: bool = True


class Sale(Strict):
    """Sales to a buyer the instance does not model as demand (e.g. Chinese separators buying US
    concentrate): up to `quantity` t/yr of `commodity` from `region` at `price`. The revenue is a negative
    cost, so a plant whose output has a buyer is valued as the market values it. With a planner, the seller
    must be one of its members (the revenue is the planner's)."""

    id: Id
    region: Id
    commodity: Id
    buyer: str = Field(default="", max_length=200, description="who buys (documentation)")
    quantity: Tonnes | dict[Year, Tonnes] = Field(
        description="t/yr the buyer takes at most; a mapping year->value is a step function"
    )
    price: Money | None = Field(
        default=None, description="currency per t; default the commodity's price x scenario price factors"
    )
    start: OptionalYear = None
    end: OptionalYear = None
