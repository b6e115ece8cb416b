"""What `critmin validate` warns about: inputs that are valid but almost certainly not what was meant.

- demand that nothing can ever reach: no plant (existing or buildable) makes the commodity anywhere a chain of
  routes leads from, no stockpile holds it and no substitution replaces it — it can only go unmet;
- an export control or policy whose years miss every modelled period: it never applies;
- an element a control lists that no commodity carries (harmless, but perhaps a commodity is missing one);

(A build option that can never come online inside the horizon is already an error of the schema.)
`--strict` turns these into errors (exit 1).
"""

from __future__ import annotations

from collections import defaultdict

from ..errors import Problem
from ..schema import POLICY_TABLES
from .data import ModelData, in_window


def instance_advice(md: ModelData) -> list[Problem]:
    """Warnings about a compiled instance, each located like an input error."""
    return [*_unreachable_demand(md), *_windows(md), *_uncarried_elements(md)]


def _uncarried_elements(md: ModelData) -> list[Problem]:
    """Elements a control lists that no commodity carries: harmless (the law lists them; the model has no
    such material), but said, in case one was meant to be carried."""
    carried = {e for c in md.inst.commodities for e in c.elements}
    out = []
    for i, c in enumerate(md.inst.export_controls):
        missing = [e for e in c.elements if e not in carried]
        if missing and set(c.elements) & carried:
            out.append(
                md.inst.locate(
                    Problem(
                        ("export_controls", i, "elements"),
                        f"control '{c.id}' lists {', '.join(missing)}, which no commodity carries: it "
                        "reaches "
                        "no material through them",
                        "fine if the law lists them; else give a commodity those elements",
                    )
                )
            )
    return out


def _unreachable_demand(md: ModelData) -> list[Problem]:
    inst = md.inst
    makers: dict[str, set[str]] = defaultdict(set)  # commodity -> regions with a plant that makes it
    buildable = {o.facility for o in inst.build_options}
    for f in inst.facilities:
        cap = f.capacity if isinstance(f.capacity, dict) else {0: f.capacity}
        if f.id in buildable or any(v > 0 for v in cap.values()):
            for c in f.outputs:
                makers[c].add(f.region)
    edges: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for c, o, d in md.arcs:
        edges[c][o].add(d)
    stocked = {(s.region, s.commodity) for s in inst.stockpiles}
    substituted = {s.commodity for s in inst.substitutions}
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(inst.demand):
        key = (row.region, row.commodity)
        if key in seen:
            continue
        seen.add(key)
        reach = set(makers.get(row.commodity, set()))
        frontier = list(reach)
        while frontier:
            r = frontier.pop()
            for nxt in edges[row.commodity].get(r, ()):
                if nxt not in reach:
                    reach.add(nxt)
                    frontier.append(nxt)
        if row.region in reach or key in stocked or row.commodity in substituted:
            continue
        out.append(
            inst.locate(
                Problem(
                    ("demand", i),
                    f"demand for '{row.commodity}' in {row.region} can never be supplied: no plant makes it "
                    "there or anywhere a route leads from",
                    "add a route or a plant (or build option), or check the region and commodity",
                )
            )
        )
    return out


def _windows(md: ModelData) -> list[Problem]:
    inst = md.inst
    years = md.years
    out: list[Problem] = []
    items: list[tuple[tuple[str | int, ...], str, int | None, int | None]] = [
        (("export_controls", i), f"export control '{c.id}'", c.start, c.end)
        for i, c in enumerate(inst.export_controls)
    ]
    for table in POLICY_TABLES:
        for i, p in enumerate(getattr(inst.policies, table)):
            items.append((("policies", table, i), f"policy '{p.id}'", p.start, p.end))
    base = inst.horizon.base_year
    for loc, what, start, end in items:
        if any(in_window(y, start, end) for y in years):
            if start is not None and start < base:
                msg = f"{what} starts in {start}, before the base year {base}: it applies from {years[0]}"
                out.append(inst.locate(Problem(loc, msg, "start it at the base year or later")))
            elif start is not None and start not in years:
                first = next(y for y in years if in_window(y, start, end))
                msg = (
                    f"{what} starts in {start}, which is not a modelled period: it takes effect from {first} "
                    f"(periods: {', '.join(map(str, years))})"
                )
                out.append(
                    inst.locate(Problem(loc, msg, f"start it in a modelled year, or add a period {start}"))
                )
            continue
        span = f"{start or '...'}-{end or '...'}"
        out.append(
            inst.locate(
                Problem(
                    loc,
                    f"{what} applies in {span}, which misses every modelled period "
                    f"({years[0]}-{years[-1]}: {', '.join(map(str, years))}); it never applies",
                    "move its start/end onto a modelled year, or add the period",
                )
            )
        )
    return out
