"""Chinese-origin content, traced by value through every stage: what the 0.1% rule and buyers' origin rules
test, whatever stage added it.

Why: a tag alone (provenance.py) says whether China's controls reach a product; it cannot say how much of a
product's value came from China, and a content test applied stage by stage lets the content of a clear
intermediate vanish at the next stage (a magnet with 13.2% Chinese content passed a 12% threshold). So content
is a quantity that flows alongside the material, in every pool outside the regions of controlled origin:

- Material shipped out of a region of controlled origin is Chinese-origin content in full (its whole value).
- A plant elsewhere passes the content of what it draws into what it makes, in proportion to the value of its
  outputs at reference prices (`commodities[].price`); the value it adds is its own origin. A recycling plant
  (`provenance: own`) makes new-origin material.
- Content is measured in tonnes of the commodity it sits in (value / price), split into classes by the lists
  that count it: each extraterritorial control's list (its reach test), and each buyer's origin rule (what its
  test counts). Content no list counts is not traced.
- Lots may be segregated: a pool's content may go to some outflows and not others (a plant runs a clean batch
  for defence), but content is conserved: what leaves a pool equals what entered (`origin_balance`), so
  material disposed of carries none (what is kept carries it all), and a lot carries at most the highest
  share any tonne of its pool could hold (`origin_cap`, with `Origin.mu`).

The tests: a clear (unreached) product's listed content stays strictly under each threshold in force
(`de_minimis`; content at the threshold is reached, as MOFCOM No. 61 words it); a buyer's class caps the
counted content of what it takes (`origin_limit`; at 0 the content columns simply do not exist).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InstanceError, Problem
from ..schema import Facility, Instance
from .builder import INF
from .data_types import TAGS, Arc, DemandRow, Present
from .provenance import in_force

if TYPE_CHECKING:
    from .builder import ModelBuilder
    from .timeline import Time

REACH_MARGIN = 1e-6  # a clear product's listed content stays below threshold x (1 - this): at it, reached
MU_FLOOR = (
    1e-4  # lots' highest content shares below this are taken as this (a looser cap; coefficients >= it)
)
Part = tuple[str, str, str, str]  # (region, commodity, tag, class)
Pool = tuple[str, str, str]  # (region, commodity, tag)


@dataclass(frozen=True)
class OriginTest:
    """A buyer's origin rule as it applies to one demand row: the classes it counts and the cap."""

    compliance: str
    share: float
    counted: frozenset[str]  # class labels whose content counts


@dataclass
class Origin:
    """What compile_origin decided: the classes, the years content is traced, the pools that can hold each
    class, and the tests."""

    lists: dict[str, frozenset[str]] = field(default_factory=dict)  # list name -> commodities it counts
    class_of: dict[str, str] = field(default_factory=dict)  # Chinese source commodity -> its class label
    lists_of: dict[str, frozenset[str]] = field(default_factory=dict)  # class label -> lists counting it
    members: dict[str, frozenset[str]] = field(default_factory=dict)  # class label -> source commodities
    tracked: set[int] = field(default_factory=set)  # years content is traced in
    parts: set[Part] = field(default_factory=set)  # pools that can hold a class (outside controlled origin)
    tests: dict[int, OriginTest] = field(default_factory=dict)  # demand row -> its test
    barred: dict[tuple[int, str], frozenset[str]] = field(default_factory=dict)  # (y, s) -> classes a clear
    # stream may not draw (listed by a control in force with a threshold of 0)
    reach: dict[tuple[int, str], list[tuple[str, float, frozenset[str]]]] = field(default_factory=dict)
    # (y, s) -> (control, threshold > 0, classes it lists) in force
    price: dict[str, float] = field(default_factory=dict)  # reference price per t (instance currency)
    mu: dict[Pool, float] = field(default_factory=dict)  # pool -> highest content share a tonne can have
    regions: frozenset[str] = frozenset()  # regions of controlled origin: what leaves them is content
    nominal: frozenset[str] = frozenset()  # commodities without a price, traced at a nominal 1 (zero tests)
    live: dict[tuple[int, str], frozenset[Part]] = field(default_factory=dict)  # (y, s) -> the pool parts
    # whose content can still reach a test then (elsewhere content is not traced: it can never matter)

    def classes(self) -> list[str]:
        return sorted(self.members)

    def traced(self, region: str, commodity: str, tag: str, w: str, y: int, s: str) -> bool:
        """Whether content of class w is traced in that pool in year y, scenario s."""
        return (region, commodity, tag, w) in self.live.get((y, s), frozenset())

    def pool_classes(self, region: str, commodity: str, tag: str) -> list[str]:
        return [w for w in self.classes() if (region, commodity, tag, w) in self.parts]


def _lists(inst: Instance, t: Time, demand: list[DemandRow], covered: dict[str, frozenset[str]]) -> dict:
    """List name -> commodities whose Chinese-origin content it counts: each extraterritorial control's
    list ('reach/<id>'), each origin rule in its full-chain mode ('<class>') and production-only mode
    ('<class>@production': the delivered commodity itself, i.e. a product made in China)."""
    out: dict[str, set[str]] = {}
    for rule in inst.export_controls:
        ever = any(in_force(rule, y, t.scen_by[s]) for y in t.years for s in t.scenarios)
        if rule.extraterritorial and ever:
            out[f"reach/{rule.id}"] = set(covered[rule.id])
    classes = {c.id: c for c in inst.compliance_classes}
    for d in demand:
        if d.compliance == "any":
            continue
        cc = classes.get(d.compliance)
        if cc is not None and cc.test == "none":
            continue
        if cc is not None and cc.full_chain_from is not None and d.year < cc.full_chain_from:
            out.setdefault(f"{d.compliance}@production", set()).add(d.commodity)
            continue
        elements = set(cc.elements) if cc is not None else set()
        out.setdefault(d.compliance, set()).update(
            c.id for c in inst.commodities if not elements or set(c.elements) & elements
        )
    return {k: frozenset(v) for k, v in out.items()}


def _tests(
    inst: Instance, demand: list[DemandRow], lists_of: dict[str, frozenset[str]]
) -> dict[int, OriginTest]:
    classes = {c.id: c for c in inst.compliance_classes}
    tests: dict[int, OriginTest] = {}
    for d in demand:
        cc = classes.get(d.compliance)
        if d.compliance == "any" or (cc is not None and cc.test == "none"):
            continue
        production = cc is not None and cc.full_chain_from is not None and d.year < cc.full_chain_from
        name = f"{d.compliance}@production" if production else d.compliance
        counted = frozenset(w for w, names in lists_of.items() if name in names)
        tests[d.index] = OriginTest(d.compliance, cc.max_share if cc is not None else 0.0, counted)
    return tests


def compile_origin(
    inst: Instance,
    t: Time,
    demand: list[DemandRow],
    present: set[Present],
    arcs: dict[Arc, float],
    active: set[str],
    covered: dict[str, frozenset[str]],
    by_source: bool = False,
) -> Origin:
    """Lists, classes, traced years, the pools that can hold each class, and the tests. Long because it is one
    fixed point over the network; each decision is a helper or a short loop.

    `by_source` traces every Chinese source commodity as a class of its own, in every year, whether or not a
    list counts it (`critmin exposure`: the content of a product by what it came from); the tests are the
    same, on more columns."""
    origin = {r.id for r in inst.regions if r.controlled_origin}
    lists = _lists(inst, t, demand, covered)
    out = Origin(
        lists=lists,
        price={c.id: float(c.price) for c in inst.commodities if c.price is not None},
        regions=frozenset(origin),
    )
    if not lists and not by_source:
        return out
    sources = {c for (c, o, _d) in arcs if o in origin and any((o, c, k) in present for k in TAGS)}
    sources |= {st.commodity for st in inst.stockpiles if st.initial > 0 and st.initial_tag == "controlled"}
    for c in sorted(sources):
        names = frozenset(n for n, members in lists.items() if c in members)
        if names or by_source:
            w = c if by_source else "+".join(sorted(names))
            out.class_of[c] = w
            out.lists_of[w] = names
    for c, w in out.class_of.items():
        out.members[w] = out.members.get(w, frozenset()) | {c}
    out.tests = _tests(inst, demand, out.lists_of)
    out.tracked = set(t.years) if by_source else _tracked(inst, t, out)
    if not out.tracked or not out.members:
        out.tracked = set()
        return out
    out.parts = _parts(inst, present, arcs, active, origin, out)
    _rules(inst, t, covered, out)
    _check_prices(inst, active, origin, out)
    out.mu = _max_shares(inst, present, arcs, active, origin, out)
    out.live = _live(inst, t, demand, arcs, active, origin, out, everywhere=by_source)
    return out


def _tracked(inst: Instance, t: Time, out: Origin) -> set[int]:
    """Years content is traced in: those with a test or an extraterritorial control in force, and, when
    stockpiles carry content across years, every year before such a year."""
    years: set[int] = set()
    for y in t.years:
        reach = any(
            rule.extraterritorial and in_force(rule, y, t.scen_by[s])
            for rule in inst.export_controls
            for s in t.scenarios
        )
        tested = any(inst.demand[i].year == y for i in out.tests)
        if reach or tested:
            years.add(y)
    if years and inst.stockpiles:
        years |= {y for y in t.years if y <= max(years)}
    return years


def _parts(
    inst: Instance,
    present: set[Present],
    arcs: dict[Arc, float],
    active: set[str],
    origin: set[str],
    out: Origin,
) -> set[Part]:
    """The pools outside controlled-origin regions that can hold each class: where Chinese material lands,
    and where plants and routes carry its content on (a fixed point)."""
    parts: set[Part] = set()
    for c, o, d in arcs:
        w = out.class_of.get(c)
        if w is None or o not in origin or d in origin:
            continue
        parts |= {(d, c, k, w) for k in TAGS if (o, c, k) in present and (d, c, k) in present}
    for st in inst.stockpiles:
        w = out.class_of.get(st.commodity)
        if w is not None and st.initial > 0 and st.initial_tag == "controlled" and st.region not in origin:
            parts.add((st.region, st.commodity, "controlled", w))
    plants = _carriers(inst, active, origin)
    changed = True
    while changed:
        changed = False
        for f in plants:
            held = {w for c in f.inputs for k in ("clear", "controlled") for w in out.members
                    if (f.region, c, k, w) in parts}  # fmt: skip
            for w in held:
                for c2 in f.outputs:
                    if out.price.get(c2, 0.0) <= 0:
                        continue
                    for k in ("clear", "controlled"):
                        if (f.region, c2, k) in present and (f.region, c2, k, w) not in parts:
                            parts.add((f.region, c2, k, w))
                            changed = True
        for c, o, d in arcs:
            if o in origin or d in origin:
                continue
            for k in ("clear", "controlled"):
                for w in out.members:
                    if (o, c, k, w) in parts and (d, c, k) in present and (d, c, k, w) not in parts:
                        parts.add((d, c, k, w))
                        changed = True
    return parts


def _live(
    inst: Instance,
    t: Time,
    demand: list[DemandRow],
    arcs: dict[Arc, float],
    active: set[str],
    origin: set[str],
    out: Origin,
    everywhere: bool,
) -> dict[tuple[int, str], frozenset[Part]]:
    """Per traced (year, scenario), the pool parts from which content can still reach a test: a buyer's rule
    on a demand row that year, or a clear stream under a reach rule in force (its threshold or its bar) —
    and, backwards, every pool feeding one through plants and routes, and a stockpile's pool in every year
    before one where it is live. Content elsewhere cannot matter, so it is not traced (it leaves the traced
    pools as a lot like any other). Scenarios that share a year's decisions share its parts. `everywhere`:
    every part, every year (`critmin exposure`)."""
    from .nonanticipativity import compile_trunk

    keys = [(y, s) for y in sorted(out.tracked) for s in t.scenarios]
    if everywhere:
        return {k: frozenset(out.parts) for k in keys}
    plants = _carriers(inst, active, origin)
    feeds: dict[tuple[str, str], list[Facility]] = defaultdict(list)  # (region, output) -> plants making it
    for f in plants:
        for c2 in f.outputs:
            feeds[(f.region, c2)].append(f)
    into: dict[tuple[str, str], list[str]] = defaultdict(list)  # (destination, commodity) -> origins
    for c, o, d in arcs:
        if o not in origin and d not in origin:
            into[(d, c)].append(o)

    def close(seeds: set[Part]) -> set[Part]:
        done, todo = set(seeds), list(seeds)
        while todo:
            r, c, k, w = todo.pop()
            ups = [(r, c1, k1, w) for f in feeds.get((r, c), ()) for c1 in f.inputs for k1 in TAGS]
            ups += [(o, c, k, w) for o in into.get((r, c), ())]
            for part in ups:
                if part in out.parts and part not in done:
                    done.add(part)
                    todo.append(part)
        return done

    live = {k: close(_test_points(plants, demand, out, *k)) for k in keys}
    stocks = {(st.region, st.commodity) for st in inst.stockpiles}
    trunk = compile_trunk(t)
    for _round in range(len(keys) + 1):  # stores carry content forward; trunk years share parts
        changed = False
        for s in t.scenarios:
            later: set[Part] = set()
            for y in sorted(out.tracked, reverse=True):
                held = {p for p in live[(y, s)] if (p[0], p[1]) in stocks}
                if not later <= live[(y, s)]:
                    live[(y, s)] = close(live[(y, s)] | later)
                    changed = True
                later |= held
        for y, groups in trunk.items():
            for group in groups if y in out.tracked else []:
                union = set().union(*(live[(y, s)] for s in group if (y, s) in live))
                for s in group:
                    if (y, s) in live and live[(y, s)] != union:
                        live[(y, s)] = set(union)
                        changed = True
        if not changed:
            break
    return {k: frozenset(v) for k, v in live.items()}


def _test_points(plants: list[Facility], demand: list[DemandRow], out: Origin, y: int, s: str) -> set[Part]:
    """Pool parts a test reads directly in year y, scenario s: what a tested buyer takes, and what a clear
    stream under a reach rule in force draws."""
    seeds: set[Part] = set()
    for d in demand:
        test = out.tests.get(d.index)
        if d.year == y and test is not None:
            seeds |= {(d.region, d.commodity, k, w) for k in TAGS for w in test.counted}
    read = set(out.barred.get((y, s), frozenset()))
    for _control, _theta, listed in out.reach.get((y, s), []):
        read |= listed
    if read:
        seeds |= {(f.region, c, k, w) for f in plants for c in f.inputs for k in TAGS for w in read}
    return {p for p in seeds if p in out.parts}


def _rules(inst: Instance, t: Time, covered: dict[str, frozenset[str]], out: Origin) -> None:
    """Per traced (year, scenario): the classes a clear stream may not draw (listed by a control in force
    with threshold 0) and the reach tests with a positive threshold."""
    for y in sorted(out.tracked):
        for s in t.scenarios:
            barred: set[str] = set()
            tests: list[tuple[str, float, frozenset[str]]] = []
            for rule in inst.export_controls:
                if not (rule.extraterritorial and in_force(rule, y, t.scen_by[s])):
                    continue
                listed = frozenset(w for w in out.members if f"reach/{rule.id}" in out.lists_of[w])
                if rule.de_minimis <= 0:
                    barred |= listed
                elif listed:
                    tests.append((rule.id, rule.de_minimis, listed))
            out.barred[(y, s)] = frozenset(barred)
            out.reach[(y, s)] = tests


def _carriers(inst: Instance, active: set[str], origin: set[str]) -> list[Facility]:
    """Plants that pass their inputs' content on: every active plant with inputs outside the regions of
    controlled origin, whatever its tag (a Chinese-owned plant abroad makes controlled output, but its
    content is what it draws), except recyclers (recycled material takes the recycler's origin)."""
    return [
        f for f in inst.facilities
        if f.id in active and f.region not in origin and f.provenance != "own" and f.inputs
    ]  # fmt: skip


def _max_shares(
    inst: Instance,
    present: set[Present],
    arcs: dict[Arc, float],
    active: set[str],
    origin: set[str],
    out: Origin,
) -> dict[Pool, float]:
    """The highest traced content share (by value) any tonne of each pool can have: 1 for what lands from a
    region of controlled origin; a plant's output, the value its inputs could carry at their own highest
    shares over its output's value; a route passes its origin's. Lots are capped by it, so content cannot
    be concentrated into a lot beyond what some batch could hold (a fixed point; loops that keep growing
    end at 1)."""
    mu: dict[Pool, float] = defaultdict(float)
    for r, c, k, _w in out.parts:
        mu[(r, c, k)] = 0.0
    for c, o, d in arcs:
        if o in origin and d not in origin and c in out.class_of:
            for k in TAGS:
                if (o, c, k) in present and (d, c, k) in present:
                    mu[(d, c, k)] = 1.0
    for st in inst.stockpiles:
        held = st.initial > 0 and st.initial_tag == "controlled" and st.commodity in out.class_of
        if held and st.region not in origin:
            mu[(st.region, st.commodity, "controlled")] = 1.0
    plants = _carriers(inst, active, origin)
    for _round in range(200):
        changed = False
        for f in plants:
            value = sum(out.price.get(c2, 0.0) * a for c2, a in f.outputs.items())
            if value <= 0:
                continue
            drawn = sum(
                a * out.price.get(c, 0.0) * max(mu.get((f.region, c, k), 0.0) for k in TAGS)
                for c, a in f.inputs.items()
            )
            share = min(1.0, drawn / value)
            for c2 in f.outputs:
                for k in TAGS:
                    key = (f.region, c2, k)
                    if key in mu and share > mu[key] + 1e-12:
                        mu[key] = share
                        changed = True
        for c, o, d in arcs:
            if o in origin or d in origin:
                continue
            for k in TAGS:
                if (d, c, k) in mu and mu.get((o, c, k), 0.0) > mu[(d, c, k)] + 1e-12:
                    mu[(d, c, k)] = mu[(o, c, k)]
                    changed = True
        if not changed:
            break
    else:
        for key in mu:
            mu[key] = 1.0  # a loop that keeps growing: no cap tighter than the lot itself
    return {key: max(v, MU_FLOOR) for key, v in mu.items()}


def _by_value(inst: Instance, out: Origin) -> bool:
    """Whether some test compares content with a positive share (then prices decide it)."""
    shares = [t.share for t in out.tests.values()]
    shares += [r.de_minimis for r in inst.export_controls if r.extraterritorial]
    return any(x > 0 for x in shares)


def _check_prices(inst: Instance, active: set[str], origin: set[str], out: Origin) -> None:
    """Content is traced by value: every commodity a plant draws traced content from needs a price, and so
    does one of its outputs (unless every test is a zero threshold: then any content fails)."""
    problems: list[Problem] = []
    index = {c.id: i for i, c in enumerate(inst.commodities)}
    missing: set[str] = set()
    for f in _carriers(inst, active, origin):
        carries = [
            c for c in f.inputs if any(out.pool_classes(f.region, c, k) for k in ("clear", "controlled"))
        ]
        if not carries:
            continue
        missing |= {c for c in carries if c not in out.price}
        if not any(out.price.get(c, 0.0) > 0 for c in f.outputs):
            missing |= set(f.outputs)
    if missing and not _by_value(inst, out):
        # every test in force is a zero threshold: any content fails, so its value does not matter; trace
        # presence at a nominal price of 1 (shares reported as unknown: Origin.nominal)
        out.nominal = frozenset(missing)
        out.price.update({c: 1.0 for c in missing})
        return
    for c in sorted(missing):
        problems.append(
            Problem(
                ("commodities", index[c], "price"),
                f"'{c}' needs a price: Chinese-origin content is traced through it by value (the 0.1% rule "
                "and buyers' origin rules are by value)",
                "give the commodity a reference price (currency per t)",
            )
        )
    if problems:
        raise InstanceError(problems=[inst.locate(p) for p in problems])


# -- the families ------------------------------------------------------------------------------------------
@dataclass
class _Draw:
    """One input a stream draws in one tag, in one year and scenario: where its quantity is."""

    facility: str
    commodity: str
    kin: str
    kout: str
    year: int
    scen: str
    quantity: list[tuple[float, int]]  # terms of the drawn quantity (a use column, or a_in x activity)


def _draws(b: ModelBuilder) -> list[_Draw]:
    """Every input drawn by a traced stream of a plant outside controlled origin that can carry content (a
    recycler draws content too: it ends there, since recycled material takes the recycler's origin). Read by
    the content columns and by their caps: listed once per model."""
    if "origin_draws" not in b.cache:
        b.cache["origin_draws"] = _list_draws(b)
    return b.cache["origin_draws"]


def _list_draws(b: ModelBuilder) -> list[_Draw]:
    from .terms import activity_col, use_col

    md, og = b.md, b.md.origin
    saved: dict[tuple[str, str, str, int, str], list[int]] = defaultdict(list)  # thrift columns by draw
    thrift = b.col("thrift")
    for j, (_tid, f, c, kout, y, s) in enumerate(thrift.keys):
        saved[(f, c, kout, y, s)].append(thrift.start + j)
    out: list[_Draw] = []
    for f, kout, y, s in md.activity_keys:
        fac = md.facility[f]
        if y not in og.tracked or fac.region in og.regions:
            continue
        for c, kins in md.recipe_of[(f, kout, y, s)]:
            for kin in kins:
                if not og.pool_classes(fac.region, c, kin):
                    continue
                if len(kins) > 1:
                    q = [(1.0, use_col(b, f, c, kin, kout, y, s))]
                else:  # the recipe's draw, less what a thrift saves
                    q = [(fac.inputs[c], activity_col(b, f, kout, y, s))]
                    q += [(-1.0, col) for col in saved.get((f, c, kout, y, s), [])]
                out.append(_Draw(f, c, kin, kout, y, s, q))
    return out


def add_origin_variables(b: ModelBuilder) -> None:
    """Content columns (tonnes of the commodity they sit in) beside every traced quantity."""
    md, og = b.md, b.md.origin
    ships = []
    for c, o, d, k in md.flows:
        if o in og.regions:
            continue
        for w in og.pool_classes(o, c, k):
            ships += [(c, o, d, k, w, y, s) for y in md.years if y in og.tracked for s in md.scenarios
                      if og.traced(o, c, k, w, y, s)]  # fmt: skip
    b.variables("origin_ship", ships)
    uses = []
    for dr in _draws(b):
        inherits = md.facility[dr.facility].provenance != "own"
        barred = (
            og.barred.get((dr.year, dr.scen), frozenset()) if dr.kout == "clear" and inherits else frozenset()
        )
        region = md.region_of[dr.facility]
        for w in og.pool_classes(region, dr.commodity, dr.kin):
            if w not in barred and og.traced(region, dr.commodity, dr.kin, w, dr.year, dr.scen):
                uses.append((dr.facility, dr.commodity, dr.kin, dr.kout, w, dr.year, dr.scen))
    b.variables("origin_use", uses)
    delivers = []
    for i, k in md.deliver_keys:
        row = md.demand[i]
        if row.year not in og.tracked:
            continue
        test = og.tests.get(i)
        barred = test.counted if test is not None and test.share <= 0 else frozenset()
        for w in og.pool_classes(row.region, row.commodity, k):
            if w not in barred:
                delivers += [(i, k, w, s) for s in md.scenarios
                             if og.traced(row.region, row.commodity, k, w, row.year, s)]  # fmt: skip
    b.variables("origin_deliver", delivers)
    sells = []
    for sid, k, y in md.levers.sales:
        if y in og.tracked:
            r, c = md.levers.sale_at[sid]
            sells += [(sid, k, w, y, s) for w in og.pool_classes(r, c, k) for s in md.scenarios
                      if og.traced(r, c, k, w, y, s)]  # fmt: skip
    b.variables("origin_sell", sells)
    stocks = []
    for p, k in md.levers.stock.stocks:
        r, c = md.levers.stock.region[p]
        for w in og.pool_classes(r, c, k):
            stocks += [(p, k, w, y, s) for y in md.years if y in og.tracked for s in md.scenarios
                       if og.traced(r, c, k, w, y, s)]  # fmt: skip
    for name in ("origin_stock_level", "origin_stock_buy", "origin_stock_release"):
        b.variables(name, stocks)


def add_origin(b: ModelBuilder) -> None:
    """Content balances and caps, the reach tests and buyers' origin limits."""
    md = b.md
    if not md.origin.tracked:
        for name in ("origin_balance", "origin_cap", "origin_stock_balance", "de_minimis", "origin_limit"):
            b.constraints(name, [], 0.0, 0.0)
        return
    inflow, outflow = _pool_terms(b)
    _balances(b, inflow, outflow)
    _caps(b)
    _stock_balance(b)
    _reach(b)
    _limits(b)


PoolKey = tuple[str, str, str, str, int, str]  # (region, commodity, tag, class, year, scenario)


Flows = dict[PoolKey, list[tuple[float, int]]]


def _pool_terms(b: ModelBuilder) -> tuple[Flows, Flows]:
    """Content entering and leaving each traced pool part: Chinese inflows in full, traced inflows, plants'
    outputs (their inputs' content shared by output value), stock releases; draws, outflows, deliveries,
    sales, stock purchases."""
    from .terms import ship_col

    md, og = b.md, b.md.origin
    inflow: Flows = defaultdict(list)
    outflow: Flows = defaultdict(list)
    for c, o, d, k in md.flows:  # from controlled origin: the whole flow is content of the commodity's class
        w = og.class_of.get(c)
        if o in og.regions and d not in og.regions and w is not None and (d, c, k, w) in og.parts:
            for y in md.years:
                if y in og.tracked:
                    for s in md.scenarios:
                        if og.traced(d, c, k, w, y, s):
                            inflow[(d, c, k, w, y, s)].append((1.0, ship_col(b, (c, o, d, k), y, s)))
    block = b.col("origin_ship")
    for j, (c, o, d, k, w, y, s) in enumerate(block.keys):
        outflow[(o, c, k, w, y, s)].append((1.0, block.start + j))
        if og.traced(d, c, k, w, y, s):  # else a sink: the content can no longer matter
            inflow[(d, c, k, w, y, s)].append((1.0, block.start + j))
    block = b.col("origin_use")
    for j, (f, c, kin, kout, w, y, s) in enumerate(block.keys):
        fac = md.facility[f]
        outflow[(fac.region, c, kin, w, y, s)].append((1.0, block.start + j))
        if fac.provenance == "own":
            continue  # recycled: the content ends here
        value = sum(og.price.get(c2, 0.0) * a for c2, a in fac.outputs.items())
        for c2, a in fac.outputs.items():
            if og.price.get(c2, 0.0) > 0 and og.traced(fac.region, c2, kout, w, y, s):
                inflow[(fac.region, c2, kout, w, y, s)].append((a / value * og.price[c], block.start + j))
    block = b.col("origin_deliver")
    for j, (i, k, w, s) in enumerate(block.keys):
        row = md.demand[i]
        outflow[(row.region, row.commodity, k, w, row.year, s)].append((1.0, block.start + j))
    block = b.col("origin_sell")
    for j, (sid, k, w, y, s) in enumerate(block.keys):
        r, c = md.levers.sale_at[sid]
        outflow[(r, c, k, w, y, s)].append((1.0, block.start + j))
    buy, release = b.col("origin_stock_buy"), b.col("origin_stock_release")
    for j, (p, k, w, y, s) in enumerate(buy.keys):
        r, c = md.levers.stock.region[p]
        outflow[(r, c, k, w, y, s)].append((1.0, buy.start + j))
        inflow[(r, c, k, w, y, s)].append((1.0, release.start + j))
    return inflow, outflow


def _balances(b: ModelBuilder, inflow: Flows, outflow: Flows) -> None:
    """origin_balance: the content leaving a pool part equals what entered. Material disposed of (the
    `balance` row's surplus) carries none: what is kept carries all of it. Conservative on purpose: were
    disposal to take content away, a plan could make extra product, scrap the lots holding the content and
    deliver the rest as clean (content laundering); no linear model of pooled lots can price that honestly."""
    keys = sorted(set(inflow) | set(outflow))
    rows = [inflow.get(k, []) + [(-c, col) for c, col in outflow.get(k, [])] for k in keys]
    b.rows_of_terms(b.constraints("origin_balance", keys, 0.0, 0.0), rows)


def _caps(b: ModelBuilder) -> None:
    """origin_cap: the content of a lot (draws, shipments, deliveries, sales, stocks) is at most the highest
    share any tonne of its pool can hold (`Origin.mu`) times the lot. One row per lot (family, lot key): its
    content columns (one per class) against mu x the lot; shipments' lots first, in the order they first
    appear, then the other families'. The shipments' rows are computed as arrays (most of the rows: a loop
    over them was a third of the model's build on controls-stochastic)."""
    from .terms import deliver_col, flow_index, ship_cols

    md, og = b.md, b.md.origin
    block = b.col("origin_ship")
    ship_keys: list[tuple[str, str]] = []
    if block.keys:  # the shipments' columns computed at once (laid out flow, year, scenario)
        flows = flow_index(b)
        lots = ship_cols(
            b,
            [flows[(c, o, d, k)] for c, o, d, k, _w, _y, _s in block.keys],
            [b.year_index[y] for *_rest, y, _s in block.keys],
            [b.scen_index[s] for *_rest, s in block.keys],
        )
        distinct, first, group = np.unique(lots, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # lots in the order they first appear
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        lot_of = distinct[order]
        heads = [block.keys[j] for j in first[order]]
        ship_keys = [("ship", f"{c}|{o}|{d}|{k}|{y}|{s}") for c, o, d, k, _w, y, s in heads]
        ship_mu = np.array([og.mu[(o, c, k)] for c, o, _d, k, _w, _y, _s in heads])
        ship_row = rank[np.asarray(group).ravel()]
    # the other lots: (family, lot key) -> (content columns, the lot's terms, mu)
    groups: dict[tuple[str, tuple], tuple[list[int], list[tuple[float, int]], float]] = {}

    def add(family: str, key: tuple, col: int, quantity: list[tuple[float, int]], pool: Pool) -> None:
        group = groups.get((family, key))
        if group is None:
            group = groups[(family, key)] = ([], quantity, og.mu[pool])
        group[0].append(col)

    draws = {(dr.facility, dr.commodity, dr.kin, dr.kout, dr.year, dr.scen): dr.quantity for dr in _draws(b)}
    use = b.col("origin_use")
    for j, (f, c, kin, kout, _w, y, s) in enumerate(use.keys):
        pool = (md.region_of[f], c, kin)
        add("use", (f, c, kin, kout, y, s), use.start + j, draws[(f, c, kin, kout, y, s)], pool)
    deliver = b.col("origin_deliver")
    for j, (i, k, _w, s) in enumerate(deliver.keys):
        row = md.demand[i]
        pool = (row.region, row.commodity, k)
        add("deliver", (i, k, s), deliver.start + j, [(1.0, deliver_col(b, i, k, s))], pool)
    sell = b.col("sell")
    sold = b.col("origin_sell")
    for j, (sid, k, _w, y, s) in enumerate(sold.keys):
        r, c = md.levers.sale_at[sid]
        add("sell", (sid, k, y, s), sold.start + j, [(1.0, sell.index[(sid, k, y, s)])], (r, c, k))
    for family, lot in (("origin_stock_level", "stock_level"), ("origin_stock_buy", "stock_buy"),
                        ("origin_stock_release", "stock_release")):  # fmt: skip
        stock, qty = b.col(family), b.col(lot)
        for j, (p, k, _w, y, s) in enumerate(stock.keys):
            r, c = md.levers.stock.region[p]
            add(lot, (p, k, y, s), stock.start + j, [(1.0, qty.index[(p, k, y, s)])], (r, c, k))
    keys = ship_keys + [(family, "|".join(str(x) for x in key)) for family, key in groups]
    rows = b.constraints("origin_cap", keys, -INF, 0.0)
    if ship_keys:
        b.add(rows.start + ship_row, block.start + np.arange(len(block.keys)), 1.0)
        b.add(rows.start + np.arange(len(ship_keys)), lot_of, -ship_mu)
    others = [
        [(1.0, col) for col in cols] + [(-mu * c, q) for c, q in qty] for cols, qty, mu in groups.values()
    ]
    for at, terms in enumerate(others, start=rows.start + len(ship_keys)):
        b.add_terms(at, terms)


def _stock_balance(b: ModelBuilder) -> None:
    """Content in store: level = previous level + weight x (bought - released); an initial stock tagged
    controlled is Chinese-origin content in full."""
    md, og = b.md, b.md.origin
    level, buy = b.col("origin_stock_level"), b.col("origin_stock_buy")
    release = b.col("origin_stock_release")
    prev = {y: (md.years[i - 1] if i else None) for i, y in enumerate(md.years)}
    st = md.levers.stock
    keys, lower, rows = [], [], []
    for j, (p, k, w, y, s) in enumerate(level.keys):
        before = prev[y]
        terms = [(1.0, level.start + j), (-md.weight[y], buy.index[(p, k, w, y, s)]),
                 (md.weight[y], release.index[(p, k, w, y, s)])]  # fmt: skip
        if before is not None and (p, k, w, before, s) in level.index:
            terms.append((-1.0, level.index[(p, k, w, before, s)]))
            first = 0.0
        else:
            commodity = st.region[p][1]
            full = k == "controlled" and og.class_of.get(commodity) == w and before is None
            first = st.initial.get((p, k), 0.0) if full else 0.0
        keys.append((p, k, w, y, s))
        lower.append(first)
        rows.append(terms)
    b.rows_of_terms(b.constraints("origin_stock_balance", keys, lower, lower), rows)


def _reach(b: ModelBuilder) -> None:
    """de_minimis: a clear product's content listed by a control in force stays under its threshold, by
    value: sum of (price / output value) x listed content drawn <= threshold x (1 - margin) x activity
    (divided through by the output's value per unit of activity, so coefficients stay near 1)."""
    from .terms import activity_col

    md, og = b.md, b.md.origin
    use = b.col("origin_use")
    by_stream: dict[tuple[str, int, str], list[tuple[str, str, int]]] = defaultdict(list)
    for j, (f, c, _kin, kout, w, y, s) in enumerate(use.keys):
        if kout == "clear" and md.facility[f].provenance != "own":
            by_stream[(f, y, s)].append((c, w, use.start + j))
    keys, rows = [], []
    for (f, y, s), cols in sorted(by_stream.items()):
        fac = md.facility[f]
        value = sum(og.price.get(c2, 0.0) * a for c2, a in fac.outputs.items())
        for control, threshold, listed in og.reach.get((y, s), []):
            terms = [(og.price[c] / value, col) for c, w, col in cols if w in listed]
            if not terms:
                continue
            terms.append((-threshold * (1 - REACH_MARGIN), activity_col(b, f, "clear", y, s)))
            keys.append((f, control, y, s))
            rows.append(terms)
    b.rows_of_terms(b.constraints("de_minimis", keys, -INF, 0.0), rows)


def _limits(b: ModelBuilder) -> None:
    """origin_limit: what a buyer takes carries counted content of at most its class's share of it."""
    from .terms import deliver_col

    md, og = b.md, b.md.origin
    block = b.col("origin_deliver")
    counted: dict[tuple[int, str], list[int]] = defaultdict(list)
    for j, (i, _k, w, s) in enumerate(block.keys):
        test = og.tests.get(i)
        if test is not None and test.share > 0 and w in test.counted:
            counted[(i, s)].append(block.start + j)
    tags: dict[int, list[str]] = defaultdict(list)
    for i, k in md.deliver_keys:
        tags[i].append(k)
    keys, rows = [], []
    for (i, s), cols in sorted(counted.items()):
        share = og.tests[i].share
        terms = [(1.0, col) for col in cols] + [(-share, deliver_col(b, i, k, s)) for k in tags[i]]
        keys.append((i, s))
        rows.append(terms)
    b.rows_of_terms(b.constraints("origin_limit", keys, -INF, 0.0), rows)


def content_share(values: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Content as a share of the quantity it sits in (NaN where nothing moved)."""
    return np.where(total > 0, values / np.where(total > 0, total, 1.0), np.nan)
