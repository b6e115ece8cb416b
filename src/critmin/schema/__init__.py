"""Pydantic schema of a critmin instance, one module per entity group."""

from .controls import ExportControl
from .deals import Deal, switch_deals
from .demand import BUILT_IN_CLASSES, ComplianceClass, Demand, DemandStep, EndUse
from .dynamics import BuildRate, Ramp, ScheduleCase, ScheduleRisk, Slip, Thrift, ramp_at
from .finance import Concessional, Finance, HurdleRate, PricePath
from .horizon import Horizon, Period, Scale, Units
from .instance import SCHEMA_VERSION, Instance
from .levers import Offtake, PriceFloor, Sale, Stockpile, Substitution
from .network import (
    BuildOption,
    Commodity,
    ContinuousOption,
    DiscreteOption,
    Facility,
    Region,
    Route,
    RouteDefault,
)
from .planner import Planner
from .policies import (
    POLICY_TABLES,
    Budget,
    CapacityBenchmark,
    MaxSupplierShare,
    MinBlocShare,
    MinService,
    Policies,
)
from .scenarios import Adjustment, Objective, Scenario

__all__ = [
    "BUILT_IN_CLASSES",
    "SCHEMA_VERSION",
    "ComplianceClass",
    "Adjustment",
    "Budget",
    "CapacityBenchmark",
    "POLICY_TABLES",
    "Concessional",
    "Finance",
    "HurdleRate",
    "PricePath",
    "BuildOption",
    "BuildRate",
    "Ramp",
    "ScheduleCase",
    "ScheduleRisk",
    "Slip",
    "Thrift",
    "ramp_at",
    "Commodity",
    "ContinuousOption",
    "Deal",
    "DiscreteOption",
    "Demand",
    "DemandStep",
    "EndUse",
    "ExportControl",
    "Facility",
    "Horizon",
    "Instance",
    "MaxSupplierShare",
    "MinBlocShare",
    "MinService",
    "Objective",
    "Offtake",
    "PriceFloor",
    "Stockpile",
    "Substitution",
    "Period",
    "Planner",
    "Policies",
    "Region",
    "Route",
    "RouteDefault",
    "Sale",
    "Scale",
    "Scenario",
    "Units",
    "switch_deals",
]
