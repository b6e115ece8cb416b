"""Export controls imposed by an exporting region."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Fraction, Id, IdList, OptionalYear, Strict, Tonnes


class ExportControl(Strict):
    """A ban, quota or share on an exporter's shipments of what it lists to its destinations.

    What it lists: `commodities` by id, and every commodity carrying one of its `elements` (a commodity's
    `elements`), optionally only at the listed `stages` (a stage alone lists every commodity of that stage).
    So a control on Dy and Tb reaches the ore, concentrate, oxide, metal and magnet that carry them."""

    id: Id
    exporter: Id
    commodities: IdList = Field(default_factory=list, description="commodity ids it lists")
    elements: IdList = Field(default_factory=list, description="elements it lists, e.g. Dy, Tb")
    stages: IdList = Field(default_factory=list, description="stages it lists (alone, or limiting elements)")
    destinations: IdList | None = Field(
        default=None, description="regions or blocs; default every other region"
    )
    start: OptionalYear = None
    end: OptionalYear = None
    scenarios: IdList | None = Field(default=None, description="scenarios where it applies; default all")
    kind: Literal["ban", "quota", "share"] = "ban"
    amount: float = Field(default=0.0, ge=0, le=1e12, description="quota t/yr, or share in [0, 1]")
    reference: Tonnes | None = Field(
        default=None,
        description="share: t/yr the share is of (the exporter's reference-year exports of these items to "
        "these destinations), so the allowance cannot be raised by shipping more elsewhere",
    )
    reference_year: OptionalYear = Field(default=None, description="share: the year `reference` describes")
    extraterritorial: bool = Field(
        default=False,
        description="also limits controlled-origin material re-exported by any third country",
    )
    de_minimis: Fraction = Field(
        default=0.0,
        description="extraterritorial: a foreign product is reached when its controlled-origin content of "
        "listed items is at least this share of its value (0: any content)",
    )

    @model_validator(mode="after")
    def _amount(self) -> ExportControl:
        if not (self.commodities or self.elements or self.stages):
            raise ValueError("a control must list commodities, elements or stages")
        if self.kind == "share" and self.amount > 1:
            raise ValueError(f"a 'share' control needs amount in [0, 1], got {self.amount}")
        if self.kind == "share" and self.reference is None:
            raise ValueError(
                "a 'share' control needs 'reference': the t/yr its share is of (e.g. the exporter's 2024 "
                "exports of these items to these destinations)"
            )
        if self.de_minimis and not self.extraterritorial:
            raise ValueError("de_minimis applies to extraterritorial controls only")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self
