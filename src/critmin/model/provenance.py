"""Reach, decided at compile time: which tag each facility stream can make, from which inputs, in which
year and scenario; and which commodities each export control lists.

A tag says whether China's export controls reach the material: `controlled` (subject to them) or `clear`.
Material made in a region of controlled origin (a region's `controlled_origin`, or the facility's override)
is controlled. A plant elsewhere makes clear output — unless an extraterritorial control is in force (MOFCOM
No. 61: a foreign product whose Chinese-origin content of listed items is 0.1% of its value or more), in
which case it runs two streams: a `clear` one whose listed Chinese-origin content stays under every
threshold in force (rows in origin.py, on content traced through every stage), and a `controlled` one that
takes anything. A recycling plant (`provenance: own`) makes its own origin's tag from any scrap.

Where the material's Chinese-origin content comes from, by value, whatever the tag, is the other attribute:
origin.py traces it through every stage, for the reach rows above and for buyers' origin rules (compliance
classes). Everything stays linear: the tag is a stream, content is a column, neither is a binary.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..schema import ExportControl, Instance, Scenario
from .data_types import TAGS, Arc, Present, Stream

Recipe = tuple[tuple[str, tuple[str, ...]], ...]  # ((input commodity, tags it may be drawn in), ...)
YearScen = tuple[int, str]


@dataclass(frozen=True)
class TaintRule:
    """An extraterritorial control in force: the commodities it lists and its de-minimis threshold."""

    control: str
    covered: frozenset[str]
    threshold: float


@dataclass
class Provenance:
    present: set[Present]
    streams: list[Stream]  # (facility, output tag), each feasible in some year and scenario
    groups: dict[Stream, list[tuple[Recipe, list[YearScen]]]]  # its recipes and where each holds
    rules: dict[YearScen, list[TaintRule]]  # extraterritorial controls in force
    covered: dict[str, frozenset[str]] = field(default_factory=dict)  # control id -> commodities it lists


def covered_commodities(rule: ExportControl, inst: Instance) -> frozenset[str]:
    """What a control lists: its commodities, and those carrying its elements (at its stages, if given),
    or every commodity of its stages when it names stages alone."""
    out = set(rule.commodities)
    for c in inst.commodities:
        at_stage = not rule.stages or c.stage in rule.stages
        if (
            rule.elements
            and set(c.elements) & set(rule.elements)
            and at_stage
            or rule.stages
            and not rule.elements
            and c.stage in rule.stages
        ):
            out.add(c.id)
    return frozenset(out)


def in_force(rule: ExportControl, y: int, scen: Scenario) -> bool:
    """Does a control apply in year y of a scenario (its window, its scenarios, not disabled)?"""
    if rule.scenarios is not None and scen.name not in rule.scenarios:
        return False
    if "all" in scen.disable_controls or rule.id in scen.disable_controls:
        return False
    return (rule.start is None or y >= rule.start) and (rule.end is None or y <= rule.end)


def taint_rules(
    inst: Instance, years: list[int], scens: list[Scenario], covered: dict[str, frozenset[str]]
) -> dict[YearScen, list[TaintRule]]:
    rules: dict[YearScen, list[TaintRule]] = {}
    for y in years:
        for sc in scens:
            rules[(y, sc.name)] = [
                TaintRule(r.id, covered[r.id], r.de_minimis)
                for r in inst.export_controls
                if r.extraterritorial and in_force(r, y, sc)
            ]
    return rules


@dataclass
class _Plant:
    fid: str
    region: str
    inputs: tuple[str, ...]
    controlled: bool
    own: bool

    def outputs(self, reach: bool) -> tuple[str, ...]:
        """Tags this plant can make: `reach` says whether an extraterritorial control is in force."""
        if self.controlled:
            return ("controlled",)
        if self.own or not self.inputs or not reach:
            return ("clear",)
        return ("clear", "controlled")

    def recipe(self, present: set[Present]) -> Recipe | None:
        """The tags each input may be drawn in (every tag present in its region), or None if some input
        can never reach it."""
        out = []
        for c in self.inputs:
            have = tuple(k for k in TAGS if (self.region, c, k) in present)
            if not have:
                return None
            out.append((c, have))
        return tuple(out)


def compile_provenance(
    inst: Instance,
    active: set[str],
    cap_years: dict[str, set[int]],
    fac_controlled: dict[str, bool],
    arcs: dict[Arc, float],
    years: list[int],
    scens: list[Scenario],
) -> Provenance:
    """Grow the set of (region, commodity, tag) that can exist to a fixed point, then fix each stream's
    recipe and the years and scenarios it runs in."""
    covered = {r.id: covered_commodities(r, inst) for r in inst.export_controls}
    rules = taint_rules(inst, years, scens, covered)
    reach_anywhere = any(rules.values())
    facs = {f.id: f for f in inst.facilities}
    plants = [
        _Plant(
            fid, facs[fid].region, tuple(facs[fid].inputs), fac_controlled[fid], facs[fid].provenance == "own"
        )
        for fid in sorted(active)
    ]
    present: set[Present] = {
        (st.region, st.commodity, st.initial_tag) for st in inst.stockpiles if st.initial > 0
    }
    changed = True
    while changed:
        changed = False
        for p in plants:
            if p.recipe(present) is None:
                continue
            for kout in p.outputs(reach_anywhere):
                new = {(p.region, c, kout) for c in facs[p.fid].outputs} - present
                if new:
                    present |= new
                    changed = True
        for c, o, d in arcs:
            for k in TAGS:
                if (o, c, k) in present and (d, c, k) not in present:
                    present.add((d, c, k))
                    changed = True
    groups: dict[Stream, list[tuple[Recipe, list[YearScen]]]] = {}
    names = [s.name for s in scens]
    for p in plants:
        recipe = p.recipe(present)
        if recipe is None:
            continue
        runs: dict[str, list[YearScen]] = defaultdict(list)
        for y in years:
            if y not in cap_years.get(p.fid, set()):
                continue
            for s in names:
                for kout in p.outputs(bool(rules[(y, s)])):
                    runs[kout].append((y, s))
        for kout, where in runs.items():
            groups[(p.fid, kout)] = [(recipe, where)]
    return Provenance(present, sorted(groups), groups, rules, covered)
