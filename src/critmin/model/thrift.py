"""Input thrifting: less of an input per tonne of output, adopted over time (grain-boundary diffusion cuts
the Dy in a tonne of NdFeB; a Dy-free grade saves all of it for the uses it serves).

`thrift[th, f, c, k, y, s]` is the t/yr of input c that stream (f, k) does not draw because part of its
activity runs the thrifted recipe: at most `saving x adoption_y x a_in x activity` (`thrift_limit`). It comes
off the stream's draw of c: on the `balance` row of its one allowed tag, or on its `blend` row when it blends
tags; it costs `thrifts[].cost` per t saved (in `cost_substitution`: a technology substitution).
"""

from __future__ import annotations

from .builder import INF, ModelBuilder
from .terms import activity_col
from .timeline import existing_capacity


def thrift_keys(md: object) -> list[tuple[str, str, str, str, int, str]]:
    """(thrift, facility, input, output tag, year, scenario) for every stream that may adopt a thrift in a
    year where its adoption is above 0."""
    from .data import ModelData

    assert isinstance(md, ModelData)
    stage = {c.id: c.stage for c in md.inst.commodities}
    out = []
    for th in md.inst.thrifts:
        for f, kout, y, s in md.activity_keys:
            fac = md.facility[f]
            if th.commodity not in fac.inputs:
                continue
            if th.facilities and f not in th.facilities:
                continue
            if not th.facilities and stage[next(iter(fac.outputs))] != th.stage:
                continue
            if existing_capacity(th.adoption, y) > 0:
                out.append((th.id, f, th.commodity, kout, y, s))
    return out


def add_thrift_variables(b: ModelBuilder) -> None:
    b.variables("thrift", thrift_keys(b.md))


def add_thrift(b: ModelBuilder) -> None:
    """thrift_limit rows, the saving taken off each stream's draw, and its cost."""
    md = b.md
    block = b.col("thrift")
    by_id = {th.id: th for th in md.inst.thrifts}
    rows = []
    for j, (tid, f, c, kout, y, s) in enumerate(block.keys):
        th = by_id[tid]
        share = th.saving * existing_capacity(th.adoption, y) * md.facility[f].inputs[c]
        rows.append([(1.0, block.start + j), (-share, activity_col(b, f, kout, y, s))])
    b.rows_of_terms(b.constraints("thrift_limit", list(block.keys), -INF, 0.0), rows)
    if not block.keys:
        return
    balance = b.rows[[blk.name for blk in b.rows].index("balance")]
    blend = b.rows[[blk.name for blk in b.rows].index("blend")]
    for j, (_tid, f, c, kout, y, s) in enumerate(block.keys):
        kins = dict(md.recipe_of[(f, kout, y, s)])[c]
        if len(kins) == 1:
            row = balance.index.get((md.region_of[f], c, kins[0], y, s))
        else:
            row = blend.index.get((f, c, kout, y, s))
        if row is not None:
            b.add_terms(row, [(1.0, block.start + j)])
    rates = [by_id[tid].cost * md.q / md.m for tid, *_ in block.keys]
    years = [b.year_index[k[4]] for k in block.keys]
    scens = [b.scen_index[k[5]] for k in block.keys]
    b.cost("substitution", block.positions(), rates, years, scens)
