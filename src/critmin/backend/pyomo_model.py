"""The Pyomo backend: the model's arrays as a named Pyomo `ConcreteModel`, and a solve of such a model.

For users who extend the model with their own components (README), and for the component names the
formulation in models/critmin.md is written with. Nothing here decides anything about the model: every
variable, row, bound and cost comes from the arrays the families built (model/assemble.py), named and indexed
as the registry says. A model solved here (perhaps with a user's own rows) comes back as the same neutral
`ModelResult` as the fast path.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from ..model.assemble import model_arrays
from ..model.builder import ModelArrays
from ..model.data import TAGS, ModelData
from ..model.registry import CONSTRAINT_BY_NAME, COSTS, VARIABLE_BY_NAME
from ..perf import paused_gc
from ..schema import Instance
from .highs import SolveOptions, choose_lp_algorithm, configured_highs, highs_lp, run_loaded
from .result import INFEASIBLE, ModelResult
from .rounding import solve_mip

INF = float("inf")


def _index(key: tuple[Any, ...]) -> Any:
    """Pyomo writes one-element keys as the element itself."""
    return key[0] if len(key) == 1 else key


def _set(m: pyo.ConcreteModel, name: str | None, keys: list[tuple[Any, ...]], width: int, doc: str) -> Any:
    """The named index set (made once, shared by the families it indexes) or the plain key list."""
    if name is None:
        return [_index(k) for k in keys]
    if not hasattr(m, name):
        setattr(m, name, pyo.Set(initialize=[_index(k) for k in keys], dimen=width, ordered=True, doc=doc))
    return getattr(m, name)


def to_pyomo(arrays: ModelArrays) -> pyo.ConcreteModel:
    """A Pyomo model with the registry's component names, built from `arrays` (nothing recomputed)."""
    t0 = time.perf_counter()
    md = arrays.md
    m = pyo.ConcreteModel(name=md.inst.name)
    with paused_gc():
        m.YEARS = pyo.Set(initialize=md.years, ordered=True, doc="modelled periods (first year)")
        m.SCENARIOS = pyo.Set(initialize=md.scenarios, ordered=True)
        m.TAGS = pyo.Set(initialize=TAGS, ordered=True, doc="provenance tags")
        m.CAPACITIES = pyo.Set(
            initialize=md.cap_keys, dimen=2, ordered=True, doc="(facility, year) with capacity"
        )
        columns = _add_variables(m, arrays)
        _add_constraints(m, arrays, columns)
        _add_objective(m, arrays, columns)
    m._critmin_arrays = arrays
    m._critmin_data = md
    m._critmin_build_seconds = time.perf_counter() - t0
    return m


def _add_variables(m: pyo.ConcreteModel, arrays: ModelArrays) -> list[Any]:
    """Every variable family; returns the Pyomo variable of each column, in column order."""
    columns: list[Any] = []
    for block in arrays.cols:
        spec = VARIABLE_BY_NAME[block.name]
        lo = arrays.col_lower[block.start : block.stop]
        up = arrays.col_upper[block.start : block.stop]
        if not spec.keys:
            var = pyo.Var(
                domain=pyo.Reals if spec.domain == "free" else pyo.NonNegativeReals, doc=spec.describe
            )
            setattr(m, block.name, var)
            columns.append(var)
            continue
        index = _set(m, spec.index_set, block.keys, len(spec.keys), ", ".join(spec.keys))
        if spec.domain == "integer":
            upper = {_index(k): up[i] for i, k in enumerate(block.keys)}
            var = pyo.Var(
                index,
                domain=lambda _m, *k, u=upper: pyo.Binary if u[_index(k)] == 1 else pyo.NonNegativeIntegers,
                bounds=lambda _m, *k, u=upper: (0, u[_index(k)]),
                doc=spec.describe,
            )
        elif np.any(np.isfinite(up)) or np.any(lo != 0):
            bounds = {
                _index(k): (float(lo[i]), float(up[i]) if np.isfinite(up[i]) else None)
                for i, k in enumerate(block.keys)
            }
            var = pyo.Var(
                index, domain=pyo.Reals, bounds=lambda _m, *k, b=bounds: b[_index(k)], doc=spec.describe
            )
        else:
            var = pyo.Var(index, domain=pyo.NonNegativeReals, doc=spec.describe)
        setattr(m, block.name, var)
        columns += list(var.values())  # the index is ordered as block.keys
    return columns


def _add_constraints(m: pyo.ConcreteModel, arrays: ModelArrays, columns: list[Any]) -> None:
    """Every row family. Pyomo constructs an indexed component in the order of its (ordered) index, which is
    the block's key order, so each rule call takes the next row of the block."""
    A = arrays.A.tocsr()
    indptr, indices, data = A.indptr.tolist(), A.indices.tolist(), A.data.tolist()
    lower, upper = arrays.row_lower.tolist(), arrays.row_upper.tolist()
    for block in arrays.rows:
        spec = CONSTRAINT_BY_NAME[block.name]
        index = _set(m, spec.index_set, block.keys, len(spec.keys), ", ".join(spec.keys))
        rows = iter(range(block.start, block.stop))
        level = _bound_param(m, spec.bound_param, block.keys, upper[block.start : block.stop])

        def rule(_m: pyo.ConcreteModel, *key: Any, rows: Any = rows, level: Any = level) -> Any:
            r = next(rows)
            a, b = indptr[r], indptr[r + 1]
            expr = LinearExpression(
                constant=0.0, linear_coefs=data[a:b], linear_vars=[columns[j] for j in indices[a:b]]
            )
            if level is not None:  # a bound an analysis moves: expr <= its mutable Param
                return expr <= (level[key] if key else level)
            lo, up = lower[r], upper[r]
            if lo == up:
                return expr == lo
            if lo == -INF:
                return expr <= up
            if up == INF:
                return expr >= lo
            return (lo, expr, up)

        setattr(m, block.name, pyo.Constraint(index, rule=rule, doc=spec.doc))


def _bound_param(m: pyo.ConcreteModel, name: str, keys: list[tuple[Any, ...]], upper: list[float]) -> Any:
    """The mutable Param holding the upper bounds of a row family an analysis changes (registry
    `bound_param`), e.g. `risk_cap_level`; None for other families."""
    if not name:
        return None
    if keys == [()]:
        param = pyo.Param(initialize=upper[0], mutable=True, doc="upper bound (scaled units; inf: inactive)")
    else:
        values = {_index(k): u for k, u in zip(keys, upper, strict=True)}
        param = pyo.Param(
            [_index(k) for k in keys], initialize=values, mutable=True, doc="upper bounds (scaled units)"
        )
    setattr(m, name, param)
    return param


def _linear(coef: np.ndarray, constant: float, columns: list[Any]) -> Any:
    nz = np.nonzero(coef)[0].tolist()
    if not nz:
        return constant
    return LinearExpression(
        constant=constant, linear_coefs=coef[nz].tolist(), linear_vars=[columns[j] for j in nz]
    )


def _add_objective(m: pyo.ConcreteModel, arrays: ModelArrays, columns: list[Any]) -> None:
    total: Any = 0.0
    for spec in COSTS:
        comp = arrays.components.get(spec.name)
        if comp is None:
            continue
        setattr(m, spec.pyomo, pyo.Expression(expr=_linear(comp.coef, comp.constant, columns), doc=spec.doc))
        expr = getattr(m, spec.pyomo)
        if spec.name == "risk":
            m.risk_weight = pyo.Param(
                initialize=arrays.weights["risk"], mutable=True, doc="scaled money per scaled risk-weighted t"
            )
            total = total + m.risk_weight * expr
        else:
            weight = arrays.weights.get(spec.name, 1.0)
            total = total + (expr if weight == 1.0 else weight * expr)
    m.total_cost = pyo.Objective(
        expr=total, sense=pyo.minimize, doc="expected discounted cost + risk weight x risk exposure (+ CVaR)"
    )


def build_model(
    instance: Instance,
    *,
    scenario: str | None = None,
    risk_weight: float | None = None,
    extras: Iterable[str] = (),
) -> pyo.ConcreteModel:
    """The Pyomo model of an instance, with the component names of models/critmin.md. Add your own
    components and pass it to `critmin.solve(model=...)`. `scenario` keeps a single scenario (probability 1);
    `risk_weight` overrides the instance's; `extras` adds optional rows (e.g. `risk_cap`: a cap on risk
    exposure whose level is the mutable Param `risk_cap_level`, infinite until you set it)."""
    t0 = time.perf_counter()
    model = to_pyomo(model_arrays(instance, scenario=scenario, risk_weight=risk_weight, extras=extras))
    model._critmin_build_seconds = time.perf_counter() - t0
    return model


def model_arrays_of(model: pyo.ConcreteModel) -> ModelArrays:
    arrays = getattr(model, "_critmin_arrays", None)
    if not isinstance(arrays, ModelArrays):
        raise ValueError("this model was not built by critmin.build_model")
    return arrays


def model_data(model: pyo.ConcreteModel) -> ModelData:
    """The compiled instance data a model was built from."""
    return model_arrays_of(model).md


def standard_form(model: pyo.ConcreteModel) -> Any:
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    return LinearStandardFormCompiler().write(model, mixed_form=True)


def compiled_lp(model: pyo.ConcreteModel) -> tuple[Any, Any]:
    """The Pyomo model compiled to standard form and loaded into a HighsLp."""
    with paused_gc():
        info = standard_form(model)
    n = len(info.columns)
    c = info.c.toarray()[0] if info.c.shape[0] else np.zeros(n)
    lower = np.array([-INF if v.lb is None else v.lb for v in info.columns], dtype=float)
    upper = np.array([INF if v.ub is None else v.ub for v in info.columns], dtype=float)
    senses = np.array([r.bound_type for r in info.rows], dtype=int)
    rhs = np.asarray(info.rhs, dtype=float)
    integer = np.array([v.is_integer() or v.is_binary() for v in info.columns], dtype=bool)
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    lp = highs_lp(
        info.A,
        np.asarray(c, dtype=float),
        offset,
        lower,
        upper,
        np.where(senses == 1, -INF, rhs),
        np.where(senses == -1, INF, rhs),
        integer,
    )
    return lp, info


def solve_pyomo(model: pyo.ConcreteModel, options: SolveOptions) -> ModelResult:
    """Compile a (perhaps extended) Pyomo model, solve it with HiGHS and map the values back onto the
    model's own arrays: the same neutral result as the fast path."""
    from pyomo.common.errors import InfeasibleConstraintException

    arrays = model_arrays_of(model)
    t0 = time.perf_counter()
    try:
        lp, info = compiled_lp(model)
    except InfeasibleConstraintException as exc:
        return ModelResult(arrays, INFEASIBLE, f"a constraint is infeasible before solving: {exc}")
    h = configured_highs(options)
    choose_lp_algorithm(h, options, int(lp.num_col_), bool(arrays.integer.any()))
    offset, lp.offset_ = float(lp.offset_), 0.0  # gaps on the part the decisions change (session.py)
    h.passModel(lp)
    handover = time.perf_counter() - t0
    if arrays.integer.any():
        result = solve_mip(h, lp, arrays, options, handover)  # the rounded relaxation first if asked
    else:
        result = run_loaded(h, lp, arrays, options, handover)
    if result.objective is not None:
        result.objective += offset
    if result.bound is not None:
        result.bound += offset
    result.timings["build"] = float(getattr(model, "_critmin_build_seconds", 0.0))
    if result.x is not None:
        for var, value in zip(info.columns, result.x, strict=True):
            var.set_value(
                round(value) if var.is_integer() or var.is_binary() else value, skip_validation=True
            )
        result.x = _arrays_values(model, arrays)
        result.row_duals = _arrays_duals(model, arrays, info, result.row_duals)
    return result


def _columns(model: pyo.ConcreteModel, arrays: ModelArrays) -> list[Any]:
    out: list[Any] = []
    for block in arrays.cols:
        comp = getattr(model, block.name)
        out += [comp] if not VARIABLE_BY_NAME[block.name].keys else [comp[_index(k)] for k in block.keys]
    return out


def _arrays_values(model: pyo.ConcreteModel, arrays: ModelArrays) -> np.ndarray:
    """Values of the model's own variables in array column order; a variable the compiler left out (in no
    row and no objective term) is zero, or its lower bound, in any optimum."""
    x = np.zeros(arrays.num_cols)
    for j, var in enumerate(_columns(model, arrays)):
        value = var.value
        x[j] = float(value) if value is not None else max(0.0, float(var.lb or 0.0))
    return x


def _arrays_duals(
    model: pyo.ConcreteModel, arrays: ModelArrays, info: Any, duals: np.ndarray | None
) -> np.ndarray | None:
    """Row duals in array row order (rows a user added are left out)."""
    if duals is None:
        return None
    where: dict[int, int] = {}
    for block in arrays.rows:
        comp = getattr(model, block.name)
        for i, k in enumerate(block.keys):
            where[id(comp[_index(k)])] = block.start + i
    out = np.zeros(arrays.num_rows)
    for row, dual in zip(info.rows, duals, strict=True):
        pos = where.get(id(row.constraint))
        if pos is not None:
            out[pos] = dual
    return out
