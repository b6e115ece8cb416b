"""Price floors and offtake contracts. A floor pays (floor - reference) per tonne the supported plant makes;
an offtake forces a minimum output and pays a premium. Both are reported as 'support'."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import linear


def output_terms(m: pyo.ConcreteModel, md: ModelData, f: str, c: str, y: int, s: str) -> list:
    """Terms of facility f's output of c in year y, scenario s (all streams)."""
    if y not in md.cap_years[f]:
        return []
    coef = md.facility[f].outputs[c]
    return [(coef, m.activity[f, k, y, s]) for _, k in md.streams_of.get(f, ())]


def add_support(m: pyo.ConcreteModel, md: ModelData) -> None:
    rows = {(oid, y, s): (f, c, qty) for oid, f, c, y, qty, _ in md.levers.offtakes for s in md.scenarios}

    def offtake(_m: pyo.ConcreteModel, oid: str, y: int, s: str) -> object:
        f, c, qty = rows[(oid, y, s)]
        terms = output_terms(m, md, f, c, y, s)
        if not terms:
            if qty <= 0:
                return pyo.Constraint.Skip
            from ..errors import InstanceError, Problem

            i = next(j for j, o in enumerate(md.inst.offtakes) if o.id == oid)
            raise InstanceError(
                problems=[
                    Problem(
                        ("offtakes", i, "facility"),
                        f"offtake '{oid}' needs {c} from '{f}' in {y}, but '{f}' can have no capacity "
                        "that year",
                        "limit the offtake's start/end to years the plant can run, or give it a build option",
                    )
                ]
            )
        return linear(terms) >= qty

    m.offtake_min = pyo.Constraint(list(rows), rule=offtake, doc="facility output >= contracted quantity")
