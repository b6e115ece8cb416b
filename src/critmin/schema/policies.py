"""Policies: sourcing shares and capex budgets."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Fraction, Id, IdList, Money, OptionalYear, Strict


class MinBlocShare(Strict):
    """At least `share` of a region's supply of each commodity comes from the given blocs."""

    id: Id
    region: Id
    commodities: IdList = Field(min_length=1)
    blocs: IdList = Field(min_length=1)
    share: Fraction
    start: OptionalYear = None
    end: OptionalYear = None


class MaxSupplierShare(Strict):
    """No single foreign supplier country provides more than `share` of a region's supply."""

    id: Id
    region: Id
    commodities: IdList = Field(min_length=1)
    share: Fraction
    start: OptionalYear = None
    end: OptionalYear = None


class MinService(Strict):
    """At least `share` of each matching demand row must be delivered, in every scenario (a hard service
    level, e.g. defence demand met in full). Omitted filters match every row."""

    id: Id
    region: Id | None = None
    commodity: Id | None = None
    compliance: str | None = None
    share: Fraction
    start: OptionalYear = None
    end: OptionalYear = None


class Budget(Strict):
    """Overnight capex of builds starting construction in [start, end] paid by investor regions or blocs:
    at most `amount` (a cap), or at least `amount` (a floor: committed spending, as a deal commits)."""

    id: Id
    investor: IdList = Field(min_length=1, description="region ids or blocs (one or several)")
    amount: Money = Field(description="currency")
    kind: Literal["cap", "floor"] = Field(default="cap", description="cap: at most amount; floor: at least")
    start: OptionalYear = None
    end: OptionalYear = None


class Policies(Strict):
    min_bloc_share: list[MinBlocShare] = Field(default_factory=list)
    max_supplier_share: list[MaxSupplierShare] = Field(default_factory=list)
    min_service: list[MinService] = Field(default_factory=list)
    budgets: list[Budget] = Field(default_factory=list)
