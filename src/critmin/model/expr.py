"""Building linear expressions directly from (coefficient, variable) lists.

Pyomo's operator overloading builds a tree and then flattens it; constructing a LinearExpression from
parallel lists skips that work, which matters when a constraint family has hundreds of thousands of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyomo.core.expr.numeric_expr import LinearExpression

Terms = list[tuple[float, Any]]


def linear(terms: Iterable[tuple[float, Any]], constant: float = 0.0) -> Any:
    """sum(coef * var) + constant as one LinearExpression (or the constant alone when empty)."""
    coefs: list[float] = []
    variables: list[Any] = []
    for coef, var in terms:
        if coef:
            coefs.append(coef)
            variables.append(var)
    if not variables:
        return constant
    return LinearExpression(constant=constant, linear_coefs=coefs, linear_vars=variables)
