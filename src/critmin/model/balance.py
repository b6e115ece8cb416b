"""Commodity balance per region, commodity, tag, year and scenario, with free disposal of surplus.

Provenance holds by construction here: each tag is its own row, a facility stream makes one tag, and its
inputs are drawn in the tags its recipe allows that year (provenance.py) - directly when one tag is allowed,
through `input_use` columns when it may blend both. So controlled material can never be relabelled clear,
and the model stays linear. Vectorised over flows x years x scenarios: the largest family."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .builder import INF, ModelBuilder
from .data import Present
from .terms import activity_col, deliver_col, ship_cols, use_col


def _rows_with_a_use(
    b: ModelBuilder, present: list[Present], stocks_at: dict[Present, list[str]]
) -> np.ndarray:
    """(present stream, year) pairs where something draws on the stream: only those get a row, since with
    nothing drawing on it surplus is free to dispose."""
    md = b.md
    pidx = {p: i for i, p in enumerate(present)}
    use = np.zeros((len(present), len(md.years)), dtype=bool)
    for i, key in enumerate(present):
        if md.outflows.get(key) or stocks_at.get(key):
            use[i, :] = True
    for i, _k in md.deliver_keys:
        d = md.demand[i]
        use[pidx[(d.region, d.commodity, _k)], b.year_index[d.year]] = True
    for sid, k, y in md.levers.sales:
        r, c = md.levers.sale_at[sid]
        use[pidx[(r, c, k)], b.year_index[y]] = True
    for (f, _kout), groups in md.provenance.groups.items():
        r = md.region_of[f]
        for recipe, where in groups:
            years = sorted({b.year_index[y] for y, _ in where})
            for c, kins in recipe:
                for kin in kins:
                    use[pidx[(r, c, kin)], years] = True
    return use


def add_balance(b: ModelBuilder) -> None:
    md = b.md
    years, scens = md.years, md.scenarios
    ny, ns = len(years), len(scens)
    present = sorted(md.present)
    pidx = {p: i for i, p in enumerate(present)}
    stocks_at: dict[Present, list[str]] = defaultdict(list)
    for st, k in md.levers.stock.stocks:
        r, c = md.levers.stock.region[st]
        stocks_at[(r, c, k)].append(st)
    use = _rows_with_a_use(b, present, stocks_at)
    row_id = np.full((len(present), ny), -1, dtype=np.int64)
    row_id[use] = np.arange(int(use.sum()))
    keys = [(*present[p], years[y], s) for p, y in zip(*np.nonzero(use), strict=True) for s in scens]
    block = b.constraints("balance", keys, 0.0, INF)

    def row(p: np.ndarray, y: np.ndarray, s: np.ndarray) -> np.ndarray:
        rid = row_id[p, y]
        return np.where(rid >= 0, block.start + rid * ns + s, -1)

    if md.flows:  # shipments: out of the origin's stream, into the destination's
        F, Y, S = np.meshgrid(np.arange(len(md.flows)), np.arange(ny), np.arange(ns), indexing="ij")
        cols = ship_cols(b, F, Y, S).ravel()
        p_out = np.array([pidx[(o, c, k)] for (c, o, d, k) in md.flows])
        p_in = np.array([pidx[(d, c, k)] for (c, o, d, k) in md.flows])
        for p_arr, coef in ((p_out, -1.0), (p_in, 1.0)):
            rows = row(p_arr[F], Y, S).ravel()
            keep = rows >= 0
            b.add(rows[keep], cols[keep], coef)
    _facility_streams(b, pidx, row)
    for i, k in md.deliver_keys:  # deliveries to demand
        d = md.demand[i]
        rows = row(
            np.full(ns, pidx[(d.region, d.commodity, k)]), np.full(ns, b.year_index[d.year]), np.arange(ns)
        )
        b.add(rows, [deliver_col(b, i, k, s) for s in scens], -1.0)
    if md.levers.sales:  # sales: a use of the seller's stream
        sell = b.col("sell")
        at = md.levers.sale_at
        sp = np.array([pidx[(*at[sid], k)] for sid, k, _y, _s in sell.keys])
        sy = np.array([b.year_index[yr] for _sid, _k, yr, _s in sell.keys])
        ss = np.array([b.scen_index[s] for *_, s in sell.keys])
        b.add(row(sp, sy, ss), sell.positions(), -1.0)
    if stocks_at:  # stockpiles: a release supplies the stream, a purchase uses it
        buy, release = b.col("stock_buy"), b.col("stock_release")
        for (r, c, k), sts in stocks_at.items():
            p = pidx[(r, c, k)]
            for st in sts:
                for yi, y in enumerate(years):
                    for si, s in enumerate(scens):
                        rr = int(row(np.array([p]), np.array([yi]), np.array([si]))[0])
                        b.add([rr, rr], [release.index[(st, k, y, s)], buy.index[(st, k, y, s)]], [1.0, -1.0])


def _facility_streams(b: ModelBuilder, pidx: dict[Present, int], row: object) -> None:
    """Outputs made in the stream's tag; inputs drawn in the one tag the recipe allows, or through the
    input_use columns of a blended input."""
    md = b.md
    for (f, kout), groups in md.provenance.groups.items():
        fac = md.facility[f]
        for recipe, where in groups:
            Y = np.array([b.year_index[y] for y, _ in where])
            S = np.array([b.scen_index[s] for _, s in where])
            acols = np.array([activity_col(b, f, kout, y, s) for y, s in where])
            for c, coef in fac.outputs.items():
                rows = row(np.full(len(Y), pidx[(fac.region, c, kout)]), Y, S)  # type: ignore[operator]
                keep = rows >= 0
                b.add(rows[keep], acols[keep], coef)
            for c, kins in recipe:
                if len(kins) == 1:
                    b.add(row(np.full(len(Y), pidx[(fac.region, c, kins[0])]), Y, S), acols, -fac.inputs[c])  # type: ignore[operator]
                    continue
                for kin in kins:
                    ucols = [use_col(b, f, c, kin, kout, y, s) for y, s in where]
                    b.add(row(np.full(len(Y), pidx[(fac.region, c, kin)]), Y, S), ucols, -1.0)  # type: ignore[operator]
