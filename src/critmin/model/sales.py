"""Sales to buyers the instance does not model as demand: `sell` draws on the seller's balance (any tag),
`sale_limit` caps it at what the buyer takes, and the revenue enters the objective as a negative cost."""

from __future__ import annotations

from .builder import INF, ModelBuilder


def add_sale_variables(b: ModelBuilder) -> None:
    md = b.md
    b.variables("sell", [(sid, k, y, s) for sid, k, y in md.levers.sales for s in md.scenarios])


def add_sales(b: ModelBuilder) -> None:
    """sale_limit[sale, year, scenario]: the tags sold together are at most the quantity."""
    md, lv = b.md, b.md.levers
    sell = b.col("sell")
    keys = [(sid, y, s) for (sid, y) in lv.sale_qty for s in md.scenarios]
    block = b.constraints("sale_limit", keys, -INF, [lv.sale_qty[(sid, y)] for sid, y, _ in keys])
    row_of = {k: block.start + i for i, k in enumerate(keys)}
    rows = [row_of[(sid, y, s)] for sid, _k, y, s in sell.keys]
    b.add(rows, sell.positions(), 1.0)
