"""Export controls imposed by an exporting region."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Id, IdList, OptionalYear, Strict


class ExportControl(Strict):
    id: Id
    exporter: Id
    commodities: IdList = Field(min_length=1)
    destinations: IdList | None = Field(
        default=None, description="regions or blocs; default every other region"
    )
    start: OptionalYear = None
    end: OptionalYear = None
    scenarios: IdList | None = Field(default=None, description="scenarios where it applies; default all")
    kind: Literal["ban", "quota", "share"] = "ban"
    amount: float = Field(default=0.0, ge=0, le=1e12, description="quota t/yr, or share in [0, 1]")
    extraterritorial: bool = Field(
        default=False,
        description="also limits controlled-origin material re-exported by any third country",
    )

    @model_validator(mode="after")
    def _amount(self) -> ExportControl:
        if self.kind == "share" and self.amount > 1:
            raise ValueError(f"a 'share' control needs amount in [0, 1], got {self.amount}")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self
