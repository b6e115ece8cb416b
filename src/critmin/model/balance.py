"""Commodity balance per region, commodity, tag, year and scenario, with free disposal of surplus.

Provenance holds by construction here: each tag is its own stream through a facility and its own balance
row (data.py decides which streams exist and what tag each makes), so the model stays linear and controlled
material can never be relabelled clear. Vectorised over flows x years x scenarios: the largest family."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .builder import INF, ModelBuilder
from .data import Present
from .terms import activity_col, deliver_col, ship_cols


def _rows_with_a_use(
    b: ModelBuilder, present: list[Present], stocks_at: dict[Present, list[str]]
) -> np.ndarray:
    """(present stream, year) pairs where something draws on the stream: only those get a row, since with
    nothing drawing on it surplus is free to dispose."""
    md = b.md
    use = np.zeros((len(present), len(md.years)), dtype=bool)
    for i, key in enumerate(present):
        if md.outflows.get(key) or stocks_at.get(key):
            use[i, :] = True
            continue
        r, c, k = key
        for yi, y in enumerate(md.years):
            consumed = any(y in md.cap_years[f] for f, _ in md.consumers.get(key, ()))
            if consumed or md.deliveries.get((r, c, k, y)):
                use[i, yi] = True
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
    for f, k in md.streams:  # facility streams: inputs drawn with the input tag, outputs made with theirs
        fac = md.facility[f]
        ys = [y for y in years if y in md.cap_years[f]]
        if not ys:
            continue
        Y, S = np.meshgrid(np.array([b.year_index[y] for y in ys]), np.arange(ns), indexing="ij")
        acols = np.array([[activity_col(b, f, k, y, s) for s in scens] for y in ys])
        for c, coef in fac.outputs.items():
            rows = row(np.full(Y.shape, pidx[(fac.region, c, md.stream_out[(f, k)])]), Y, S)
            keep = rows >= 0
            b.add(rows[keep], acols[keep], coef)
        for c, coef in fac.inputs.items():
            b.add(row(np.full(Y.shape, pidx[(fac.region, c, k)]), Y, S), acols, -coef)
    for i, k in md.deliver_keys:  # deliveries to demand
        d = md.demand[i]
        rows = row(
            np.full(ns, pidx[(d.region, d.commodity, k)]), np.full(ns, b.year_index[d.year]), np.arange(ns)
        )
        b.add(rows, [deliver_col(b, i, k, s) for s in scens], -1.0)
    if stocks_at:  # stockpiles: a release supplies the stream, a purchase uses it
        buy = b.col("stock_buy")
        release = b.col("stock_release")
        for (r, c, k), sts in stocks_at.items():
            p = pidx[(r, c, k)]
            for st in sts:
                for yi, y in enumerate(years):
                    for si, s in enumerate(scens):
                        rr = int(row(np.array([p]), np.array([yi]), np.array([si]))[0])
                        b.add([rr, rr], [release.index[(st, k, y, s)], buy.index[(st, k, y, s)]], [1.0, -1.0])
