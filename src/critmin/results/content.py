"""Chinese-origin content of every pool, estimated from a solved plan's flows as if each region's pool of a
commodity were well mixed: every tonne leaving it carries the pool's average share.

Why a second measure beside the model's own (origin.py): the model traces content only where a test can
read it, and lets lots be segregated (a clean batch for a defence buyer), so its allocation among buyers
that no test distinguishes is arbitrary. A headline such as "the Chinese-origin share of what the allies
received" needs a figure for every delivery that does not depend on such ties: the well-mixed estimate is
that figure, from the plan's quantities alone. It counts all Chinese-origin content (whatever any list
says), by value at reference prices, through every stage; a recycler's output has none; stock released is
taken at the pool's own share.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tables import Context

Pool = tuple[str, str, str]  # (region, commodity, tag)
EPS = 1e-9


def thrift_saved(ctx: Context) -> dict[tuple[Any, ...], float]:
    """(facility, input, output tag, year, scenario) -> scaled t/yr of the input thrifts saved."""
    out: dict[tuple[Any, ...], float] = defaultdict(float)
    for (_tid, f, c, k, y, s), x in zip(ctx.keys("thrift"), ctx.values("thrift"), strict=True):
        out[(f, c, k, y, s)] += float(x)
    return out


def stream_draws(ctx: Context) -> dict[tuple[Any, ...], tuple[float, list[tuple[str, str, float]]]]:
    """(facility, output tag, year, scenario) -> (scaled activity, [(input, input tag, scaled t drawn)]) for
    every stream above the noise level: a single-tag input by its recipe net of thrifts, a blended one by
    its input_use columns. One reading for the consumption table and the content estimates (read-only)."""
    return ctx.once("stream_draws", _stream_draws)


def _stream_draws(ctx: Context) -> dict[tuple[Any, ...], tuple[float, list[tuple[str, str, float]]]]:
    md = ctx.md
    uses = dict(zip(ctx.keys("input_use"), ctx.values("input_use"), strict=True))
    saved = thrift_saved(ctx)
    out: dict[tuple[Any, ...], tuple[float, list[tuple[str, str, float]]]] = {}
    for (f, kout, y, s), a in zip(ctx.keys("activity"), ctx.values("activity"), strict=True):
        if a <= EPS:
            continue
        fac = md.facility[f]
        draws = []
        for c, kins in md.recipe_of[(f, kout, y, s)]:
            for kin in kins:
                if len(kins) == 1:
                    q = fac.inputs[c] * a - saved.get((f, c, kout, y, s), 0.0)
                else:
                    q = uses.get((f, c, kin, kout, y, s), 0.0)
                if q > EPS:
                    draws.append((c, kin, q))
        out[(f, kout, y, s)] = (float(a), draws)
    return out


def well_mixed_shares(ctx: Context) -> dict[tuple[str, str, str, int, str], float]:
    """(region, commodity, tag, year, scenario) -> the pool's Chinese-origin share by value, for pools
    outside controlled origin that received anything (a fixed point per year and scenario; read-only)."""
    return ctx.once("well_mixed_shares", _well_mixed_shares)


def _well_mixed_shares(ctx: Context) -> dict[tuple[str, str, str, int, str], float]:
    md = ctx.md
    origin = {r.id for r in md.inst.regions if r.controlled_origin}
    price = {c.id: float(c.price) for c in md.inst.commodities if c.price}
    own = {f.id for f in md.inst.facilities if f.provenance == "own"}
    ships: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
    for (c, o, d, k, y, s), q in zip(ctx.keys("ship"), ctx.values("ship"), strict=True):
        if q > EPS and d not in origin:
            ships[(y, s)].append((c, o, d, k, q))
    made: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
    for (f, kout, y, s), (a, draws) in stream_draws(ctx).items():
        if md.facility[f].region not in origin:
            made[(y, s)].append((f, kout, a, draws))
    releases: dict[tuple[int, str], list[tuple[Pool, float]]] = defaultdict(list)
    if ctx.arrays.has_col_block("stock_release"):
        for (p, k, y, s), q in zip(ctx.keys("stock_release"), ctx.values("stock_release"), strict=True):
            if q > EPS:
                r, c = md.levers.stock.region[p]
                releases[(y, s)].append(((r, c, k), q))
    out: dict[tuple[str, str, str, int, str], float] = {}
    for y in md.years:
        for s in md.scenarios:
            shares = _fixed_point(md, ships[(y, s)], made[(y, s)], releases[(y, s)], origin, price, own)
            out.update({(r, c, k, y, s): v for (r, c, k), v in shares.items()})
    return out


def _fixed_point(
    md: Any,
    ships: list[tuple[Any, ...]],
    made: list[tuple[Any, ...]],
    releases: list[tuple[Pool, float]],
    origin: set[str],
    price: dict[str, float],
    own: set[str],
) -> dict[Pool, float]:
    """Each pool's share = content in / quantity in, iterated until it settles (content only moves
    downstream through plants and routes, so a chain of n stages settles in n rounds; loops converge)."""
    qty: dict[Pool, float] = defaultdict(float)
    for c, _o, d, k, q in ships:
        qty[(d, c, k)] += q
    for f, kout, a, _draws in made:
        for c2, coef in md.facility[f].outputs.items():
            qty[(md.region_of[f], c2, kout)] += coef * a
    for pool, q in releases:
        qty[pool] += q
    share: dict[Pool, float] = defaultdict(float)
    for _round in range(200):
        content: dict[Pool, float] = defaultdict(float)
        for c, o, d, k, q in ships:
            content[(d, c, k)] += q * (1.0 if o in origin else share[(o, c, k)])
        for f, kout, _a, draws in made:
            fac = md.facility[f]
            value = sum(price.get(c2, 0.0) * coef for c2, coef in fac.outputs.items())
            if f in own or value <= 0:
                continue
            drawn = sum(price.get(c, 0.0) * q * share[(fac.region, c, kin)] for c, kin, q in draws)
            for c2, coef in fac.outputs.items():
                content[(fac.region, c2, kout)] += drawn * coef / value  # t of c2 (value / its price)
        for pool, q in releases:
            content[pool] += q * share[pool]
        new = {p: min(1.0, content[p] / q) if q > EPS else 0.0 for p, q in qty.items()}
        if all(abs(new[p] - share[p]) <= 1e-10 for p in new):
            return new
        share = defaultdict(float, new)
    return dict(share)
