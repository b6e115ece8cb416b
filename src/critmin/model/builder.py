"""The model as arrays, gathered family by family: where every family writes its columns, rows and costs.

Each family module (capacity.py, balance.py, ...) receives a `ModelBuilder` and declares its variables, its
rows (in column-index space) and its cost terms. `ModelBuilder.finish()` returns `ModelArrays`: the sparse
matrix, bounds, integrality and one coefficient vector per cost component. Both backends read only that:
HiGHS receives the arrays directly (the fast path) and the Pyomo backend turns them into named components.
So a family's logic, its row-skipping rule and its index filter exist exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from .data import ModelData

INF = float("inf")
Key = tuple[Any, ...]
Terms = list[tuple[float, int]]  # (coefficient, column)
FIRST_STAGE = -1  # scenario index of a first-stage cost term (paid in every scenario)
NO_YEAR = -1  # year index of a term that is not a yearly cost (CVaR): neither discounted nor tabled by year


@dataclass
class Block:
    """A family's columns (or rows): its keys in order, at positions start .. start + len(keys)."""

    name: str
    keys: list[Key]
    start: int
    _index: dict[Key, int] | None = field(default=None, repr=False)

    @property
    def index(self) -> dict[Key, int]:
        """key -> position, built on first use (large families may never need it)."""
        if self._index is None:
            self._index = {k: self.start + i for i, k in enumerate(self.keys)}
        return self._index

    @property
    def stop(self) -> int:
        return self.start + len(self.keys)

    def positions(self) -> np.ndarray:
        return np.arange(self.start, self.stop, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class CostTerms:
    """A cost component as (column, annual rate, year, scenario) terms plus constants.

    `rate` is scaled money per scaled unit of the column per year; the objective coefficient of a term is
    rate x discounted years of its period x the scenario's probability (1 for first-stage terms, whose
    scenario is FIRST_STAGE). A first-stage column paid in several years has one term per year. The cost
    table, each scenario's cost (CVaR) and the objective are all read from these terms."""

    cols: list[np.ndarray] = field(default_factory=list)
    rates: list[np.ndarray] = field(default_factory=list)
    years: list[np.ndarray] = field(default_factory=list)
    scens: list[np.ndarray] = field(default_factory=list)
    const_rate: list[float] = field(default_factory=list)
    const_year: list[int] = field(default_factory=list)
    const_scen: list[int] = field(default_factory=list)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(cols, rates, year index, scenario index) of every variable term."""
        if not self.cols:
            empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
            return empty_i, empty_f, empty_i, empty_i
        return (
            np.concatenate(self.cols),
            np.concatenate(self.rates),
            np.concatenate(self.years),
            np.concatenate(self.scens),
        )


@dataclass
class Component:
    """One cost component: objective coefficients (discounted, probability-weighted, scaled money per
    scaled unit), a constant, and the terms they were summed from."""

    name: str
    coef: np.ndarray
    constant: float
    terms: CostTerms


@dataclass
class ModelArrays:
    """min sum_k w_k (coef_k . x + const_k)  s.t.  row_lower <= A x <= row_upper, col bounds, integrality.

    `weights` holds each component's weight in the objective: 1 for money, the scaled risk weight for
    `risk`, the CVaR weight for `cvar`."""

    md: ModelData
    cols: list[Block]
    rows: list[Block]
    A: sp.csc_array
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    components: dict[str, Component]
    weights: dict[str, float]
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def year_index(self) -> dict[int, int]:
        return {y: i for i, y in enumerate(self.md.years)}

    @cached_property
    def scen_index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.md.scenarios)}

    def col(self, name: str) -> Block:
        return self.col_block(name)

    @property
    def num_cols(self) -> int:
        return len(self.col_lower)

    @property
    def num_rows(self) -> int:
        return len(self.row_lower)

    @property
    def c(self) -> np.ndarray:
        out = np.zeros(self.num_cols)
        for name, comp in self.components.items():
            w = self.weights.get(name, 1.0)
            if w:
                out += w * comp.coef
        return out

    @property
    def offset(self) -> float:
        return float(sum(self.weights.get(n, 1.0) * comp.constant for n, comp in self.components.items()))

    def col_block(self, name: str) -> Block:
        return next(b for b in self.cols if b.name == name)

    def row_block(self, name: str) -> Block:
        return next(b for b in self.rows if b.name == name)

    def has_col_block(self, name: str) -> bool:
        return any(b.name == name for b in self.cols)

    def has_row_block(self, name: str) -> bool:
        return any(b.name == name for b in self.rows)

    def col_names(self) -> list[str]:
        return [label(b.name, k) for b in self.cols for k in b.keys]

    def row_names(self) -> list[str]:
        return [label(b.name, k) for b in self.rows for k in b.keys]

    def locate_col(self, j: int) -> tuple[str, Key]:
        return _locate(self.cols, j)

    def locate_row(self, i: int) -> tuple[str, Key]:
        return _locate(self.rows, i)


def label(family: str, key: Key) -> str:
    """`ship[ndfeb,CN,US,clear,2030,base]`: a family and its key, as results and diagnostics print it."""
    return f"{family}[{','.join(map(str, key))}]" if key else family


def _locate(blocks: list[Block], pos: int) -> tuple[str, Key]:
    for b in blocks:
        if b.start <= pos < b.stop:
            return b.name, b.keys[pos - b.start]
    raise IndexError(pos)


class ModelBuilder:
    """Collects columns, rows, matrix entries and cost terms; `finish()` returns the `ModelArrays`."""

    def __init__(self, md: ModelData) -> None:
        self.md = md
        self.cols: list[Block] = []
        self.rows: list[Block] = []
        self.ncol = 0
        self.nrow = 0
        self._lo: list[np.ndarray] = []
        self._up: list[np.ndarray] = []
        self._int: list[np.ndarray] = []
        self._rlo: list[np.ndarray] = []
        self._rup: list[np.ndarray] = []
        self._ri: list[np.ndarray] = []
        self._ci: list[np.ndarray] = []
        self._v: list[np.ndarray] = []
        # scalar terms gathered in lists and converted once (cheaper per term than many small arrays)
        self._py_r: list[int] = []
        self._py_c: list[int] = []
        self._py_v: list[float] = []
        self.costs: dict[str, CostTerms] = {}
        self.cache: dict[str, Any] = {}
        self.weights: dict[str, float] = {}
        self.years = md.years
        self.year_index = {y: i for i, y in enumerate(md.years)}
        self.scen_index = {s: i for i, s in enumerate(md.scenarios)}

    # -- columns and rows ------------------------------------------------------------------------------
    def variables(
        self, name: str, keys: list[Key], lower: Any = 0.0, upper: Any = INF, integer: bool = False
    ) -> Block:
        block = Block(name, keys, self.ncol)
        n = len(keys)
        self.ncol += n
        self.cols.append(block)
        self._lo.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self._up.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self._int.append(np.full(n, integer))
        return block

    def constraints(self, name: str, keys: list[Key], lower: Any, upper: Any) -> Block:
        block = Block(name, keys, self.nrow)
        n = len(keys)
        self.nrow += n
        self.rows.append(block)
        self._rlo.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self._rup.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        return block

    def col(self, name: str) -> Block:
        return next(b for b in self.cols if b.name == name)

    # -- matrix entries --------------------------------------------------------------------------------
    def add(self, rows: Any, cols: Any, vals: Any) -> None:
        """Vectorised entries: rows, columns and values broadcast together."""
        r = np.asarray(rows, dtype=np.int64).ravel()
        c = np.asarray(cols, dtype=np.int64).ravel()
        v = np.broadcast_to(np.asarray(vals, dtype=float), r.shape).ravel()
        self._ri.append(r)
        self._ci.append(c)
        self._v.append(v)

    def add_terms(self, row: int, terms: Iterable[tuple[float, int]]) -> None:
        for coef, col in terms:
            self._py_r.append(row)
            self._py_c.append(col)
            self._py_v.append(coef)

    def rows_of_terms(self, block: Block, terms_per_row: Sequence[Terms]) -> None:
        """The terms of each row of `block`, in the block's order."""
        for r, terms in enumerate(terms_per_row, start=block.start):
            self.add_terms(r, terms)

    # -- cost terms -------------------------------------------------------------------------------------
    def cost(self, component: str, cols: Any, rate: Any, year: Any, scen: Any) -> None:
        """Terms of a cost component: columns, annual rates, year indices and scenario indices (broadcast)."""
        c = np.asarray(cols, dtype=np.int64)
        terms = self.costs.setdefault(component, CostTerms())
        terms.cols.append(c.ravel())
        terms.rates.append(_spread(rate, float, c.shape))
        terms.years.append(_spread(year, np.int64, c.shape))
        terms.scens.append(_spread(scen, np.int64, c.shape))

    def cost_constant(self, component: str, rate: float, year: int, scen: int) -> None:
        terms = self.costs.setdefault(component, CostTerms())
        terms.const_rate.append(rate)
        terms.const_year.append(year)
        terms.const_scen.append(scen)

    def declare_component(self, component: str, weight: float = 1.0) -> None:
        """Make a component exist (possibly empty) with its weight in the objective."""
        self.costs.setdefault(component, CostTerms())
        self.weights[component] = weight

    # -- result ------------------------------------------------------------------------------------------
    def finish(self) -> ModelArrays:
        n = self.ncol
        r = np.concatenate([*self._ri, np.asarray(self._py_r, dtype=np.int64)])
        c = np.concatenate([*self._ci, np.asarray(self._py_c, dtype=np.int64)])
        v = np.concatenate([*self._v, np.asarray(self._py_v, dtype=float)])
        A = sp.coo_array((v, (r, c)), shape=(self.nrow, n)).tocsc()
        A.sum_duplicates()
        A.eliminate_zeros()
        components = {name: self._component(name, terms, n) for name, terms in self.costs.items()}
        return ModelArrays(
            self.md,
            self.cols,
            self.rows,
            A,
            _cat(self._lo),
            _cat(self._up),
            _cat(self._int).astype(bool),
            _cat(self._rlo),
            _cat(self._rup),
            components,
            {name: self.weights.get(name, 1.0) for name in components},
        )

    def _component(self, name: str, terms: CostTerms, n: int) -> Component:
        cols, rate, year, scen = terms.arrays()
        return Component(
            name, objective_coefficients(self.md, cols, rate, year, scen, n), _constant(self.md, terms), terms
        )


def scenario_factor(md: ModelData, scen: np.ndarray) -> np.ndarray:
    """Probability of each term's scenario; 1 for first-stage terms."""
    prob = np.array([md.prob[s] for s in md.scenarios] + [1.0])  # index -1 reads the trailing 1
    return prob[scen]


def discount_of(md: ModelData) -> np.ndarray:
    """Discounted years of each period, by year index; index NO_YEAR reads the trailing 1."""
    return np.array([md.disc[y] for y in md.years] + [1.0])


def objective_coefficients(
    md: ModelData, cols: np.ndarray, rate: np.ndarray, year: np.ndarray, scen: np.ndarray, n: int
) -> np.ndarray:
    """sum over terms of rate x discounted years x probability, per column."""
    if not len(cols):
        return np.zeros(n)
    weights = rate * discount_of(md)[year] * scenario_factor(md, scen)
    return np.bincount(cols, weights=weights, minlength=n).astype(float)


def _constant(md: ModelData, terms: CostTerms) -> float:
    if not terms.const_rate:
        return 0.0
    year = np.asarray(terms.const_year, dtype=np.int64)
    scen = np.asarray(terms.const_scen, dtype=np.int64)
    rate = np.asarray(terms.const_rate, dtype=float)
    return float(np.sum(rate * discount_of(md)[year] * scenario_factor(md, scen)))


def _spread(value: Any, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    """`value` (a scalar, a list or an array) as a flat array matching `shape`."""
    arr = np.asarray(value, dtype=dtype)
    if arr.shape == shape:
        return arr.ravel()
    if arr.ndim == 0:
        return np.full(int(np.prod(shape)), arr, dtype=dtype)
    return np.broadcast_to(arr, shape).ravel()


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0)
