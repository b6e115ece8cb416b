"""Stockpiles: inventory per stockpile, tag, year and scenario; storage capacity (existing + built); a
days-of-cover target, hard or penalised. Material keeps its provenance tag in store; releases and purchases
enter the balance (balance.py)."""

from __future__ import annotations

from collections import defaultdict

from .builder import INF, ModelBuilder, Terms


def add_stock_variables(b: ModelBuilder) -> None:
    md, st = b.md, b.md.levers.stock
    keys = [(p, k, y, s) for (p, k) in st.stocks for y in md.years for s in md.scenarios]
    for name in ("stock_level", "stock_buy", "stock_release"):
        b.variables(name, keys)
    b.variables("storage_build", list(st.builds))
    b.variables("cover_short", [k for k in st.cover if k[0] in st.cover_soft])


def add_stockpiles(b: ModelBuilder) -> None:
    md, st = b.md, b.md.levers.stock
    level, buy, release = b.col("stock_level"), b.col("stock_buy"), b.col("stock_release")
    storage, short = b.col("storage_build"), b.col("cover_short")
    prev = {y: (md.years[i - 1] if i else None) for i, y in enumerate(md.years)}
    keys = level.keys
    first = [st.initial.get((p, k), 0.0) if prev[y] is None else 0.0 for p, k, y, _ in keys]
    rows: list[Terms] = []
    for p, k, y, s in keys:  # level = previous level + weight x (buy - release)
        w = md.weight[y]
        terms = [
            (1.0, level.index[(p, k, y, s)]),
            (-w, buy.index[(p, k, y, s)]),
            (w, release.index[(p, k, y, s)]),
        ]
        before = prev[y]
        if before is not None:
            terms.append((-1.0, level.index[(p, k, before, s)]))
        rows.append(terms)
    b.rows_of_terms(b.constraints("stock_balance", keys, first, first), rows)

    tags: dict[str, list[str]] = defaultdict(list)
    for p, k in st.stocks:
        tags[p].append(k)
    cap_keys = [(p, y, s) for p in tags for y in md.years for s in md.scenarios]
    rows = []
    for p, y, s in cap_keys:  # stock <= existing + built storage
        terms = [(1.0, level.index[(p, k, y, s)]) for k in tags[p]]
        rows.append(terms + [(-1.0, storage.index[bk]) for bk in st.online.get((p, y), ())])
    b.rows_of_terms(
        b.constraints("stock_capacity", cap_keys, -INF, [st.capacity[p] for p, _, _ in cap_keys]), rows
    )

    limited = [(p,) for p in st.build_max if any(bk[0] == p for bk in st.builds) and st.build_max[p] != INF]
    rows = [[(1.0, storage.index[bk]) for bk in st.builds if bk[0] == p] for (p,) in limited]
    b.rows_of_terms(
        b.constraints("storage_build_limit", limited, -INF, [st.build_max[p] for (p,) in limited]), rows
    )

    cover = list(st.cover)
    rows = []
    for p, y, s in cover:  # stock (+ shortfall, if soft) >= days of cover / 365 x demand
        terms = [(1.0, level.index[(p, k, y, s)]) for k in tags.get(p, ())]
        if p in st.cover_soft:
            terms.append((1.0, short.index[(p, y, s)]))
        rows.append(terms)
    b.rows_of_terms(b.constraints("stock_cover", cover, [st.cover[k] for k in cover], INF), rows)
