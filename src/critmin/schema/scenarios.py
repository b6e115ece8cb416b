"""Scenarios (second-stage outcomes) and the objective's weights."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from .base import Id, IdList, Money, OptionalYear, Strict
from .dynamics import Slip


class Adjustment(Strict):
    """Multiply a parameter by `factor` where all given filters match (omitted filter = any)."""

    region: Id | None = None
    commodity: Id | None = None
    facility: Id | None = None
    start: OptionalYear = None
    end: OptionalYear = None
    factor: float = Field(ge=0, le=1e6)


class Scenario(Strict):
    name: Id
    probability: float = Field(gt=0, le=1)
    description: str = ""
    demand: list[Adjustment] = Field(default_factory=list, description="demand multipliers")
    availability: list[Adjustment] = Field(default_factory=list, description="availability multipliers")
    var_cost: list[Adjustment] = Field(default_factory=list, description="variable-cost multipliers")
    price: list[Adjustment] = Field(default_factory=list, description="price multipliers (tariffs)")
    disable_controls: IdList = Field(default_factory=list, description="control ids, or 'all'")
    control_amounts: dict[Id, Annotated[float, Field(ge=0, le=1e12)]] = Field(
        default_factory=dict, description="replace a control's amount (t/yr quota, or share in [0, 1])"
    )
    revealed: OptionalYear = Field(
        default=None,
        description="year this scenario branches off: before it, its decisions are those of every scenario "
        "that has not branched off yet, incl. those without `revealed` (non-anticipativity); default: known "
        "from the start unless another scenario branches later",
    )
    slips: list[Slip] = Field(default_factory=list, description="projects that come online late here")
    base: Id | None = Field(
        default=None, description="set by schedule_risk: the control scenario this one crosses with a case"
    )
    schedule_case: Id | None = Field(default=None, description="set by schedule_risk: its schedule case")
    schedule_revealed: OptionalYear = Field(
        default=None, description="set by schedule_risk: when it is known"
    )


class Objective(Strict):
    risk_weight: Money = Field(default=0.0, description="currency per risk-weighted tonne imported")
    unmet_penalty: Money = Field(default=1.0e6, description="currency per t of unmet demand")
    risk_importers: IdList | None = Field(
        default=None, description="regions or blocs whose imports count as risk; default all"
    )

    cvar_weight: float = Field(default=0.0, ge=0, le=1e3, description="lambda on CVaR of scenario costs")
    cvar_alpha: float = Field(default=0.9, ge=0, lt=1, description="CVaR level: the worst (1 - alpha) share")

    @model_validator(mode="after")
    def _positive_penalty(self) -> Objective:
        if self.unmet_penalty <= 0:
            raise ValueError("unmet_penalty must be positive so shortfalls are never free")
        return self
