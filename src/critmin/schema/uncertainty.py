"""Uncertain inputs, declared: the parameters an answer depends on that have no public value (the value of
lost load, scenario probabilities, capex, prices, demand), each with a range and a source, so `critmin
sensitivity` can say how far each moves the headline and at what value the plan changes.

`parameter` is a multiplier the sweep engine knows (capex, fixed_om, var_cost, imports, transport, tariff,
voll, demand, build_rate, lead_time: `low`/`high` are factors on the instance's figures, 1 = as
written) or `probability` (of
`scenario`: `low`/`high` are probabilities; the other scenarios keep their relative weights)."""

from __future__ import annotations

from pydantic import Field, model_validator

from .base import Id, Strict

# cost components a multiplier scales, by the name users type (--vary NAME=LOW:HIGH, `uncertain:`): the one
# list read by the sweep engine's jobs and by an instance's own cost factors (Instance.with_factors)
COST_FACTORS: dict[str, tuple[str, ...]] = {
    "capex": ("capex",),
    "fixed_om": ("fixed_om",),
    "var_cost": ("variable",),
    "imports": ("imports",),
    "transport": ("transport",),
    "tariff": ("tariff",),
    "voll": ("unmet", "forgone"),
}
# multipliers that change the model itself (each value a model of its own): name -> what they scale
MODEL_MULTIPLIERS: dict[str, str] = {
    "demand": "every demand row's quantity",
    "build_rate": "every build-rate limit (t/yr a region may add per year)",
    "lead_time": "every build option's lead time (rounded to whole years)",
}
MULTIPLIERS = (*COST_FACTORS, *MODEL_MULTIPLIERS)
PARAMETERS = (*MULTIPLIERS, "probability")


class Uncertain(Strict):
    """One uncertain input and its plausible range."""

    id: Id
    parameter: str = Field(description=f"one of {', '.join(PARAMETERS)}")
    scenario: Id | None = Field(
        default=None, description="probability: the scenario whose probability varies"
    )
    low: float = Field(ge=0, le=1e6)
    high: float = Field(ge=0, le=1e6)

    @model_validator(mode="after")
    def _check(self) -> Uncertain:
        if self.parameter not in PARAMETERS:
            from ..errors import did_you_mean

            raise ValueError(
                f"unknown parameter '{self.parameter}': {did_you_mean(self.parameter, PARAMETERS)}"
            )
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        if self.parameter == "probability":
            if self.scenario is None:
                raise ValueError("a probability range names its scenario")
            if not 0 < self.low <= self.high < 1:
                raise ValueError("a probability range lies strictly between 0 and 1")
        elif self.scenario is not None:
            raise ValueError("only a probability range names a scenario")
        elif self.low <= 0:
            raise ValueError("a multiplier range must be above 0")
        return self
