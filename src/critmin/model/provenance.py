"""Provenance, decided at compile time: which tags each facility can make, from which inputs, in which year
and scenario; which commodities each export control lists; and the de-minimis rows of blended output.

Material carries one of two tags, `clear` or `controlled`. Mines and plants of controlled origin (a
region's `controlled_origin`, or the facility's override) make controlled material. Another plant runs one
stream per output tag and draws each input from clear and controlled supply in any mix (blending), with one
rule for what its output may be:

- its `controlled` stream takes any inputs (a plant using Chinese Dy beside its own NdPr runs; its output
  is controlled), and exists only where some input's controlled supply could not go into a clear product
  freely (otherwise the clear stream does everything it could, and the tag would be an arbitrary choice);
- its `clear` stream takes clear inputs, and controlled inputs only where the controls in force allow: with
  no extraterritorial control in force (year and scenario), no controlled content at all (the tag is then
  plain origin); with some in force, controlled content of a commodity none of them lists is free, and
  content of listed commodities is allowed only up to each listing control's de-minimis threshold, by value
  (a linear row per control, `de_minimis`); a threshold of 0 allows none;
- a recycling plant (`provenance: own`) makes its own origin's tag from any scrap.

Everything stays linear: the tag is a stream, not a binary. Recipes (the tags each input may have) depend on
the year and scenario only through which controls are in force, so streams are grouped by that.
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


@dataclass(frozen=True)
class Blending:
    """Under the rules in force: whose controlled material may enter a clear product (`allowed`: listed
    by no rule, or only by rules with a threshold above 0), and which freely (`free`: listed by none)."""

    allowed: frozenset[str]
    free: frozenset[str]


def blending(rules: list[TaintRule], commodities: frozenset[str]) -> Blending:
    if not rules:
        return Blending(frozenset(), frozenset())  # no extraterritorial control in force: clear = no content
    barred = {c for r in rules if r.threshold <= 0 for c in r.covered}
    listed = {c for r in rules for c in r.covered}
    return Blending(commodities - barred, commodities - listed)


@dataclass
class _Plant:
    fid: str
    region: str
    inputs: tuple[str, ...]
    controlled: bool
    own: bool

    def outputs(self) -> tuple[str, ...]:
        """Tags this plant can make."""
        if not self.inputs:
            return ("controlled",) if self.controlled else ("clear",)
        if self.controlled:
            return ("controlled",)
        if self.own:
            return ("clear",)
        return ("clear", "controlled")

    def recipe(self, kout: str, present: set[Present], blend: Blending) -> Recipe | None:
        """The tags each input may be drawn in for output tag `kout`, or None if the stream cannot run."""
        inherit = not (self.own or self.controlled)
        out = []
        for c in self.inputs:
            have = tuple(k for k in TAGS if (self.region, c, k) in present)
            if kout == "clear" and inherit:
                have = tuple(k for k in have if k == "clear" or c in blend.allowed)
            elif kout == "controlled" and inherit and len(self.inputs) == 1:
                have = tuple(k for k in have if k == "controlled")  # a clear-only input makes clear output
            if not have:
                return None
            out.append((c, have))
        if kout == "controlled" and inherit:
            needed = any("controlled" in kins and c not in blend.free for c, kins in out)
            if not needed:
                return None  # the clear stream can take every input this one could
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
    recipes by year and scenario."""
    covered = {r.id: covered_commodities(r, inst) for r in inst.export_controls}
    rules = taint_rules(inst, years, scens, covered)
    all_comms = frozenset(c.id for c in inst.commodities)
    blend_of = {ys: blending(rs, all_comms) for ys, rs in rules.items()}
    blend_sets = sorted(set(blend_of.values()), key=lambda b: (sorted(b.allowed), sorted(b.free)))
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
            for kout in p.outputs():
                if any(p.recipe(kout, present, b) is not None for b in blend_sets):
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
        for kout in p.outputs():
            by_recipe: dict[Recipe, list[YearScen]] = defaultdict(list)
            for y in years:
                if y not in cap_years.get(p.fid, set()):
                    continue
                for s in names:
                    recipe = p.recipe(kout, present, blend_of[(y, s)])
                    if recipe is not None:
                        by_recipe[recipe].append((y, s))
            if by_recipe:
                groups[(p.fid, kout)] = list(by_recipe.items())
    return Provenance(present, sorted(groups), groups, rules, covered)
