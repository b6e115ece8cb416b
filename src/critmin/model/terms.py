"""Terms several families share, each defined once: capacity online, a facility's output, a region's
production, imports and supply. Terms are (coefficient, column)
pairs in the model's column space, so every family and both backends read the same definition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .builder import Block, Terms
from .data_types import TAGS, BuildKey

if TYPE_CHECKING:
    from .data import ModelData


class Columns(Protocol):
    """Where columns are: a ModelBuilder while the model is built, or the finished ModelArrays."""

    md: ModelData
    cache: dict[str, Any]  # lookups terms.py builds once per model

    @property
    def year_index(self) -> dict[int, int]: ...

    @property
    def scen_index(self) -> dict[str, int]: ...

    def col(self, name: str) -> Block: ...


def _cache(b: Columns) -> dict[str, Any]:
    cache = b.cache
    if "flow" not in cache:  # other lookups may share the dict (origin.py's draws)
        cache.update(
            flow={fk: i for i, fk in enumerate(b.md.flows)},
            ship=b.col("ship"),
            activity=b.col("activity"),
            deliver=b.col("deliver"),
            input_use=b.col("input_use"),
            build_capacity=b.col("build_capacity"),
            build_modules=b.col("build_modules"),
        )
    return cache


def flow_index(b: Columns) -> dict[tuple[str, str, str, str], int]:
    """(commodity, origin, destination, tag) -> position in md.flows."""
    return _cache(b)["flow"]


def ship_cols(b: Columns, flow: Any, year: Any, scen: Any) -> np.ndarray:
    """Columns of `ship` for flow positions, year indices and scenario indices (broadcast): shipments are
    laid out flow-major, then year, then scenario, so their columns are computed, not looked up."""
    ny, ns = len(b.md.years), len(b.md.scenarios)
    start = _cache(b)["ship"].start
    return start + (np.asarray(flow) * ny + np.asarray(year)) * ns + np.asarray(scen)


def ship_col(b: Columns, fk: tuple[str, str, str, str], y: int, s: str) -> int:
    return int(ship_cols(b, flow_index(b)[fk], b.year_index[y], b.scen_index[s]))


def build_col(b: Columns, key: BuildKey) -> int:
    """The column of a build, whichever kind (continuous or modular) its option is."""
    family = "build_modules" if key[0] in b.md.discrete else "build_capacity"
    return _cache(b)[family].index[key]


def activity_col(b: Columns, f: str, k: str, y: int, s: str) -> int:
    return _cache(b)["activity"].index[(f, k, y, s)]


def use_col(b: Columns, f: str, c: str, kin: str, kout: str, y: int, s: str) -> int:
    return _cache(b)["input_use"].index[(f, c, kin, kout, y, s)]


def deliver_col(b: Columns, i: int, k: str, s: str) -> int:
    return _cache(b)["deliver"].index[(i, k, s)]


def capacity_online(b: Columns, f: str, y: int, s: str) -> Terms:
    """Capacity that builds add to facility f in period y, scenario s: (scaled t/yr per unit, build column),
    each build the scenario's decision counting for its usable share of the period (ramp, slips, retirement;
    builds.py)."""
    md = b.md
    out = []
    for key in md.online.get((f, y), ()):
        u = md.online_usable.get((key, y, s), 0.0)
        if u > 0:
            out.append((md.build_unit[key[0]] * u, build_col(b, key)))
    return out


def output_terms(b: Columns, f: str, c: str, y: int, s: str) -> Terms:
    """Facility f's output of c in year y, scenario s (all its streams)."""
    md = b.md
    if y not in md.cap_years[f]:
        return []
    coef = md.facility[f].outputs[c]
    return [
        (coef, activity_col(b, f, k, y, s))
        for _, k in md.streams_of.get(f, ())
        if (f, k, y, s) in md.recipe_of
    ]


def production_terms(b: Columns, region: str, commodities: tuple[str, ...], y: int, s: str) -> Terms:
    """A region's output of some commodities (all tags) in one year and scenario."""
    md = b.md
    out: Terms = []
    for c in commodities:
        for k in TAGS:
            for f, kout in md.producers.get((region, c, k), ()):
                if (f, kout, y, s) in md.recipe_of:
                    out.append((md.facility[f].outputs[c], activity_col(b, f, kout, y, s)))
    return out


def imports_by_origin(b: Columns, region: str, c: str, y: int, s: str) -> dict[str, Terms]:
    """Shipments of c into a region (all tags), by origin."""
    out: dict[str, Terms] = {}
    for k in TAGS:
        for fk in b.md.inflows.get((region, c, k), ()):
            out.setdefault(fk[1], []).append((1.0, ship_col(b, fk, y, s)))
    return out


def supply_terms(b: Columns, region: str, c: str, y: int, s: str) -> tuple[Terms, dict[str, Terms], Terms]:
    """A region's supply of c: (own production, imports by origin, all of it)."""
    own = production_terms(b, region, (c,), y, s)
    imports = imports_by_origin(b, region, c, y, s)
    return own, imports, own + [t for ts in imports.values() for t in ts]


def origins_into(b: Columns, region: str, c: str) -> list[str]:
    """Regions with a route carrying c into `region`."""
    return sorted({fk[1] for k in TAGS for fk in b.md.inflows.get((region, c, k), ())})
