"""Export controls: a ban, quota or share on an exporter's shipments of what a control lists to its
destinations; an extraterritorial rule also reaches controlled-tag material re-exported by third countries.
A share is of a stated reference quantity, so it bounds the listed shipments like a quota and cannot be raised
by shipping more elsewhere.

`compile_controls` decides which rows exist (a rule in force in a year and scenario that limits some flow)
and `control_destinations` which regions a rule reaches; `add_export_controls` writes the rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..schema import ExportControl, Instance
from .builder import INF
from .data_types import FlowKey
from .provenance import in_force
from .terms import flow_index, ship_cols
from .timeline import Time

if TYPE_CHECKING:
    from .builder import ModelBuilder


@dataclass
class ControlRow:
    """One export-control constraint: a rule in one year and scenario."""

    rule: str
    year: int
    scenario: str
    kind: str
    amount: float  # scaled quota, or share in [0, 1]
    exporter: str
    commodities: tuple[str, ...]
    flows: list[FlowKey]


def control_destinations(rule: ExportControl, bloc_of: Mapping[str, str]) -> set[str]:
    """The regions a control reaches: those listed, and the members of the blocs listed (every other region
    when it lists none); never the exporter itself."""
    if rule.destinations:
        dest = {r for r, b in bloc_of.items() if r in rule.destinations or b in rule.destinations}
    else:
        dest = set(bloc_of)
    dest.discard(rule.exporter)
    return dest


def compile_controls(
    inst: Instance,
    t: Time,
    flows: list[FlowKey],
    bloc_of: dict[str, str],
    q: float,
    covered: dict[str, frozenset[str]],
) -> list[ControlRow]:
    """One row per rule, year and scenario where it is in force and limits some flow. A share control's
    allowance is its share of a stated reference quantity, so shipping more elsewhere cannot raise it."""
    rows: list[ControlRow] = []
    for rule in inst.export_controls:
        dest = control_destinations(rule, bloc_of)
        comms = covered[rule.id]
        limited = [
            (c, o, d, k)
            for (c, o, d, k) in flows
            if c in comms
            and d in dest
            and (o == rule.exporter or (rule.extraterritorial and k == "controlled"))
        ]
        if not limited:
            continue
        for s in t.scenarios:
            sc = t.scen_by[s]
            amount = sc.control_amounts.get(rule.id, rule.amount)
            if rule.kind == "ban":
                amount = 0.0
            elif rule.kind == "share":
                amount = amount * (rule.reference or 0.0) / q
            else:
                amount = amount / q
            rows += [
                ControlRow(rule.id, y, s, rule.kind, amount, rule.exporter, tuple(sorted(comms)), limited)
                for y in t.years
                if in_force(rule, y, sc)
            ]
    return rows


def add_export_controls(b: ModelBuilder) -> None:
    md = b.md
    keys = [(c.rule, c.year, c.scenario) for c in md.controls]
    block = b.constraints("export_limit", keys, -INF, [c.amount for c in md.controls])
    fidx = flow_index(b)
    for r, ctl in enumerate(md.controls, start=block.start):
        flows = np.array([fidx[fk] for fk in ctl.flows])
        cols = ship_cols(b, flows, b.year_index[ctl.year], b.scen_index[ctl.scenario])
        b.add(np.full(len(flows), r), cols, 1.0)
