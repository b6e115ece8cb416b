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


class CapacityBenchmark(Strict):
    """A group of regions' capacity at one stage able to produce at least `share` of its own consumption of
    a commodity (the EU CRMA's 10/40/25% benchmarks for extraction, processing and recycling). Capacity is
    what the group's plants of that stage could make of `commodity` (available capacity x output per unit);
    consumption is `per_unit` t of it per t of the group's demand for `basis` (e.g. NdPr oxide in magnets).
    `enforce: false` only reports how far the plan is from it (a benchmark the model cannot reach, e.g. no
    mine in the group)."""

    id: Id
    regions: IdList = Field(min_length=1, description="the group's regions")
    stage: str = Field(description="a facility stage: a commodity stage (mine, separation, ...) or recycling")
    commodity: Id = Field(description="what the stage's capacity is measured in (its output)")
    basis: Id = Field(description="the demand commodity consumption is measured on (e.g. magnets)")
    per_unit: float = Field(gt=0, le=1e6, description="t of commodity consumed per t of basis demand")
    share: Fraction
    enforce: bool = Field(default=True, description="a constraint (true) or only reported (false)")
    start: OptionalYear = None
    end: OptionalYear = None


class Policies(Strict):
    min_bloc_share: list[MinBlocShare] = Field(default_factory=list)
    max_supplier_share: list[MaxSupplierShare] = Field(default_factory=list)
    min_service: list[MinService] = Field(default_factory=list)
    budgets: list[Budget] = Field(default_factory=list)
    capacity_benchmarks: list[CapacityBenchmark] = Field(default_factory=list)


# every policy table, in one place (validation, the CSV reader, window checks, deal parts)
POLICY_TABLES = ("min_bloc_share", "max_supplier_share", "min_service", "budgets", "capacity_benchmarks")
