"""Assemble the model of an instance as arrays: compile the data once, then run every family in the order
below (the registry describes the families; this module fixes their order). This is the single author of the
model; the backends only translate its output."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..perf import paused_gc
from ..schema import Instance
from .balance import add_balance
from .blending import add_blending
from .build_rate import add_build_rates
from .builder import ModelArrays, ModelBuilder
from .capacity import add_capacity
from .cvar import add_cvar
from .data import ModelData, compile_instance
from .demand import add_demand, add_forgone_limit
from .export_controls import add_export_controls
from .nonanticipativity import add_nonanticipativity
from .objective import add_costs
from .origin import add_origin, add_origin_variables
from .policies import (
    add_budgets,
    add_capacity_benchmarks,
    add_max_supplier_share,
    add_min_bloc_share,
    add_min_service,
)
from .requirements import add_min_met_share, add_risk_cap
from .sales import add_sale_variables, add_sales
from .stockpiles import add_stock_variables, add_stockpiles
from .substitution import add_substitution, add_substitution_variables
from .support import add_offtakes
from .thrift import add_thrift, add_thrift_variables
from .variables import add_variables

# Families are built in this order: every column first (core, then levers), then rows, then the objective.
BUILD_ORDER: tuple[Callable[[ModelBuilder], None], ...] = (
    add_variables,
    add_stock_variables,
    add_substitution_variables,
    add_sale_variables,
    add_thrift_variables,
    add_origin_variables,
    add_capacity,
    add_build_rates,
    add_balance,
    add_blending,
    add_thrift,
    add_origin,
    add_demand,
    add_forgone_limit,
    add_export_controls,
    add_min_bloc_share,
    add_max_supplier_share,
    add_min_service,
    add_budgets,
    add_capacity_benchmarks,
    add_stockpiles,
    add_substitution,
    add_offtakes,
    add_sales,
    add_min_met_share,
    add_nonanticipativity,
    add_costs,
    add_cvar,
    add_risk_cap,
)


def assemble(md: ModelData) -> ModelArrays:
    """The model of compiled data `md` as arrays (columns, rows, matrix, bounds, cost components)."""
    with paused_gc():
        b = ModelBuilder(md)
        for add_family in BUILD_ORDER:
            add_family(b)
        return b.finish()


def model_arrays(
    instance: Instance,
    *,
    scenario: str | None = None,
    risk_weight: float | None = None,
    extras: Iterable[str] = (),
) -> ModelArrays:
    """Compile and assemble in one call (`extras`: optional row families, see compile_instance)."""
    return assemble(compile_instance(instance, scenario=scenario, risk_weight=risk_weight, extras=extras))
