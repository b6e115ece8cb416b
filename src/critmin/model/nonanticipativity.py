"""Non-anticipativity: a scenario's decisions before it is revealed (`scenarios[].revealed`) are those of
every scenario not yet revealed, since nobody can yet tell them apart. Without it, a two-stage model lets
each scenario see its own future from the first period (stockpiling for a ban nobody has announced).

For each second-stage variable family with a year (its own, or its demand row's) and each year where several
scenarios are still hidden: x[key, s] = x[key, first hidden scenario that has the column] for the others."""

from __future__ import annotations

from collections import defaultdict

from .builder import Block, ModelBuilder
from .registry import VARIABLE_BY_NAME
from .timeline import Time


def _year_of(b: ModelBuilder, names: tuple[str, ...], key: tuple) -> int | None:
    if "year" in names:
        return int(key[names.index("year")])
    if "demand_row" in names:
        return b.md.demand[int(key[names.index("demand_row")])].year
    return None


def compile_trunk(t: Time) -> dict[int, list[str]]:
    """Per year, the scenarios that cannot yet be told apart, so share that year's decisions: those that
    branch off later (`revealed` after the year), with those that set no `revealed` (they continue the trunk)
    while any such later branch remains. Only groups of two or more matter."""
    out: dict[int, list[str]] = {}
    for y in t.years:
        later = [s for s in t.scenarios if (t.scen_by[s].revealed or 0) > y]
        if later:
            group = [s for s in t.scenarios if s in later or t.scen_by[s].revealed is None]
            if len(group) > 1:
                out[y] = group
    return out


def add_nonanticipativity(b: ModelBuilder) -> None:
    md = b.md
    keys: list[tuple[str, str, str]] = []
    pairs: list[tuple[int, int]] = []
    if md.trunk:
        for block in list(b.cols):
            spec = VARIABLE_BY_NAME.get(block.name)
            if spec is None or "scenario" not in spec.keys:
                continue
            _pairs_of(b, block, spec.keys, keys, pairs)
    rows = b.constraints("nonanticipativity", keys, 0.0, 0.0)
    if pairs:
        r = rows.positions()
        b.add(r, [p[0] for p in pairs], 1.0)
        b.add(r, [p[1] for p in pairs], -1.0)


def _pairs_of(
    b: ModelBuilder,
    block: Block,
    names: tuple[str, ...],
    keys: list[tuple[str, str, str]],
    pairs: list[tuple[int, int]],
) -> None:
    """Rows tying each hidden scenario's column to the first hidden scenario's, for one family."""
    s_pos = names.index("scenario")
    groups: dict[tuple, dict[str, int]] = defaultdict(dict)
    for j, key in enumerate(block.keys):
        rest = key[:s_pos] + key[s_pos + 1 :]
        groups[rest][key[s_pos]] = block.start + j
    for rest, by_scen in groups.items():
        year = _year_of(b, names, rest[:s_pos] + ("",) + rest[s_pos:])
        hidden = [s for s in b.md.trunk.get(year, ()) if s in by_scen] if year is not None else []
        entry = "|".join(str(x) for x in rest)  # "|": Pyomo names it without quotes
        if entry.isdigit():
            entry = f"row{entry}"  # a lone demand row: Pyomo would quote a number-like string
        for s in hidden[1:]:
            keys.append((block.name, entry, s))
            pairs.append((by_scen[s], by_scen[hidden[0]]))
