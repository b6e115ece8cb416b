"""Non-anticipativity: a scenario's decisions before it is revealed (`scenarios[].revealed`) are those of
every scenario not yet revealed, since nobody can yet tell them apart. Without it, a two-stage model lets
each scenario see its own future from the first period (stockpiling for a ban nobody has announced).

For each second-stage variable family with a year (its own, or its demand row's) and each year where several
scenarios are still hidden: x[key, s] = x[key, first hidden scenario that has the column] for the others,
within each group of scenarios that cannot yet be told apart (one group, or several when schedule cases
cross the control scenarios)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .builder import Block, ModelBuilder
from .registry import VARIABLE_BY_NAME
from .timeline import Time


def _year_of(b: ModelBuilder, names: tuple[str, ...], key: tuple) -> int | None:
    if "year" in names:
        return int(key[names.index("year")])
    if "demand_row" in names:
        return b.md.demand[int(key[names.index("demand_row")])].year
    return None


def _unrevealed(reveal: dict[str, int | None], y: int) -> set[str]:
    """Branches of one dimension not yet told apart in year y: those revealed later, with those that set no
    reveal year (they continue the trunk) while any such later branch remains."""
    later = {b for b, r in reveal.items() if r is not None and r > y}
    return later | {b for b, r in reveal.items() if r is None} if later else set()


def groups_at(t: Time, y: int) -> list[list[str]]:
    """The scenarios that cannot be told apart in year y, as groups (singletons included). Two dimensions:
    the control scenario (`revealed`) and, with schedule_risk, the schedule case (`schedule_revealed`); two
    scenarios share a year's decisions only where neither dimension tells them apart."""
    scen = [t.scen_by[s] for s in t.scenarios]
    control = {(s.base or s.name): s.revealed for s in scen}
    case = {s.schedule_case: s.schedule_revealed for s in scen if s.schedule_case is not None}
    u1, u2 = _unrevealed(control, y), _unrevealed(case, y)

    def alike(a: Any, b: Any) -> bool:
        ca, cb = a.base or a.name, b.base or b.name
        same1 = ca == cb or (ca in u1 and cb in u1)
        same2 = a.schedule_case == b.schedule_case or (a.schedule_case in u2 and b.schedule_case in u2)
        return same1 and same2

    groups: list[list[str]] = []
    for s in scen:
        for g in groups:
            if alike(t.scen_by[g[0]], s):
                g.append(s.name)
                break
        else:
            groups.append([s.name])
    return groups


def compile_trunk(t: Time) -> dict[int, list[list[str]]]:
    """Per modelled year, the groups of two or more scenarios that share that year's decisions."""
    out: dict[int, list[list[str]]] = {}
    for y in t.years:
        shared = [g for g in groups_at(t, y) if len(g) > 1]
        if shared:
            out[y] = shared
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
        entry = "|".join(str(x) for x in rest)  # "|": Pyomo names it without quotes
        if entry.isdigit():
            entry = f"row{entry}"  # a lone demand row: Pyomo would quote a number-like string
        for group in b.md.trunk.get(year, []) if year is not None else []:
            hidden = [s for s in group if s in by_scen]
            for s in hidden[1:]:
                keys.append((block.name, entry, s))
                pairs.append((by_scen[s], by_scen[hidden[0]]))
