"""Demand by region, commodity, end use and year, with a compliance class; end uses value what goes short."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import Fraction, Id, IdList, Money, OptionalYear, Strict, Tonnes, Year

BUILT_IN_CLASSES = ("any", "clear")  # compliance classes every instance has (see ComplianceClass)


class Demand(Strict):
    key_fields: ClassVar[tuple[str, ...]] = ("region", "commodity", "end_use", "year", "compliance")

    region: Id
    commodity: Id
    year: Year
    quantity: Tonnes = Field(description="t/yr")
    compliance: Id = Field(
        default="any",
        description="the buyer's origin rule: 'any' (none), 'clear' (no Chinese-origin content at all, the "
        "whole chain), or a compliance_classes id",
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


class ComplianceClass(Strict):
    """A buyer's origin rule: which Chinese-origin content a product it buys may carry, by value, through
    the whole chain (what went into the product at every stage, however many stages back).

    This is the buyer's own law (DFARS 225.7018 for US defence magnets, FEOC rules for EV credits), not
    China's: it does not care whether China lists an element, only where the content came from. Whether
    China's export controls reach a product is a separate attribute (its provenance tag).

    Two built-in classes: `any` (no test) and `clear` (no Chinese-origin content at all, whole chain)."""

    id: Id
    description: str = ""
    test: Literal["origin", "none"] = Field(
        default="origin", description="origin: a cap on Chinese-origin content by value; none: no test"
    )
    max_share: Fraction = Field(
        default=0.0,
        description="Chinese-origin content, by value, at most this share of the product's value (0: none)",
    )
    elements: IdList = Field(
        default_factory=list,
        description="only content carrying these elements counts (default: content of any commodity)",
    )
    full_chain_from: OptionalYear = Field(
        default=None,
        description="before this year only the product's own production counts (a product made in China "
        "fails, one made elsewhere from Chinese inputs passes); from it, the whole chain (default: always)",
    )
