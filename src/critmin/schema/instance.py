"""The whole instance, and the cross-reference checks no single entity can do alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from ..errors import Problem, ReferenceProblems, did_you_mean
from .base import ELEMENTS, Strict
from .controls import ExportControl
from .deals import Deal, check_deals
from .demand import BUILT_IN_CLASSES, ComplianceClass, Demand, EndUse
from .dynamics import BuildRate, Ramp, ScheduleRisk, Slip, Thrift
from .finance import Finance, PricePath
from .horizon import Horizon, Units
from .levers import Offtake, PriceFloor, Sale, Stockpile, Substitution
from .network import BuildOption, Commodity, Facility, Region, Route, RouteDefault
from .planner import Planner
from .policies import POLICY_TABLES, Policies
from .scenarios import Objective, Scenario
from .uncertainty import Uncertain

SCHEMA_VERSION = 1
RECYCLING = "recycling"  # the stage of a plant that resets provenance (Instance.facility_stages)


def derived_hash(base: str, changes: object) -> str:
    """The hash of an instance derived from one with hash `base` by `changes` (caches key on it)."""
    import hashlib

    return hashlib.sha256(f"{base}|{changes!r}".encode()).hexdigest()


class Instance(Strict):
    """A planning question as data. Build one from YAML with `load_instance` or from dicts with
    `Instance.model_validate(...)`; both run the same checks."""

    name: str = "instance"
    description: str = ""
    schema_version: int = SCHEMA_VERSION
    units: Units = Field(default_factory=Units)
    horizon: Horizon
    regions: list[Region] = Field(min_length=1)
    commodities: list[Commodity] = Field(min_length=1)
    facilities: list[Facility] = Field(default_factory=list)
    build_options: list[BuildOption] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    route_defaults: list[RouteDefault] = Field(default_factory=list)
    demand: list[Demand] = Field(default_factory=list)
    end_uses: list[EndUse] = Field(default_factory=list)
    compliance_classes: list[ComplianceClass] = Field(default_factory=list)
    planner: Planner | None = None
    export_controls: list[ExportControl] = Field(default_factory=list)
    policies: Policies = Field(default_factory=Policies)
    stockpiles: list[Stockpile] = Field(default_factory=list)
    substitutions: list[Substitution] = Field(default_factory=list)
    price_floors: list[PriceFloor] = Field(default_factory=list)
    offtakes: list[Offtake] = Field(default_factory=list)
    sales: list[Sale] = Field(default_factory=list)
    deals: list[Deal] = Field(default_factory=list)
    finance: Finance = Field(default_factory=Finance)
    price_paths: list[PricePath] = Field(default_factory=list)
    uncertain: list[Uncertain] = Field(
        default_factory=list, description="inputs with no public value, each with a range (sensitivity)"
    )
    scenarios: list[Scenario] = Field(default_factory=lambda: [Scenario(name="base", probability=1.0)])
    schedule_risk: ScheduleRisk | None = Field(
        default=None, description="schedule cases crossed with the scenarios (expanded on load)"
    )
    ramps: dict[str, Ramp] = Field(
        default_factory=dict, description="stage -> ramp of new capacity where a plant or option sets none"
    )
    build_rates: list[BuildRate] = Field(default_factory=list)
    thrifts: list[Thrift] = Field(default_factory=list)
    recourse: bool | None = Field(
        default=None,
        description="builds whose construction starts at or after their scenario's reveal year may differ by "
        "scenario (default: where reveal years exist); false: every build decided for all scenarios",
    )
    objective: Objective = Field(default_factory=Objective)
    _source_path: str | None = PrivateAttr(default=None)
    _sha256: str | None = PrivateAttr(default=None)
    _locator: Callable[[Problem], Problem] | None = PrivateAttr(default=None)
    _deals_off: tuple[str, ...] = PrivateAttr(default=())
    _inputs: tuple[Path, ...] = PrivateAttr(default=())  # every file it was read from
    _load_notes: tuple[str, ...] = PrivateAttr(default=())  # how they were read (formulas, ...)
    _cost_factors: tuple[tuple[str, float], ...] = PrivateAttr(default=())  # see with_factors

    @model_validator(mode="after")
    def _references(self) -> Instance:
        problems = _check(self)
        if problems:
            raise ReferenceProblems(problems)
        if self.schedule_risk is not None:
            _cross_schedule(self)
        return self

    def locate(self, problem: Problem) -> Problem:
        """Add the file, CSV row and column to a problem found after loading (e.g. while compiling)."""
        return self._locator(problem) if self._locator is not None else problem

    def facility_stages(self) -> dict[str, str]:
        """A facility's stage: that of its first output; plants that reset provenance are 'recycling'. The one
        rule for every stage-wise input (ramps, build rates, capacity benchmarks) and table."""
        stage = {c.id: c.stage for c in self.commodities}
        return {
            f.id: RECYCLING if f.provenance == "own" and f.inputs else stage[next(iter(f.outputs))]
            for f in self.facilities
        }

    def stage_names(self) -> set[str]:
        """The stages an input may name: the commodities' and 'recycling'."""
        return {c.stage for c in self.commodities} | {RECYCLING}

    def with_deals_on(self, *on: str) -> Instance:
        """This instance with the named deals in force, e.g. a policy set that is off as written."""
        from .deals import switch_on

        return switch_on(self, on)

    def without_deals(self, *off: str) -> Instance:
        """This instance with the named deals switched off (their parts removed); see schema/deals.py."""
        from .deals import switch_deals

        return switch_deals(self, off)

    def with_factors(self, factors: Mapping[str, float]) -> Instance:
        """This instance with multipliers applied (schema/uncertainty.py MULTIPLIERS, 1 = as written):
        'demand' scales every demand row; a cost multiplier scales that cost component's every term where
        the model is assembled (objective, scenario costs and CVaR alike); 'lead_time' rounds to whole years
        and stops at the horizon's last year (an option stretched past it comes online then). Its hash
        changes with them."""
        from .uncertainty import COST_FACTORS, MULTIPLIERS

        unknown = [n for n in factors if n not in MULTIPLIERS]
        if unknown:
            from ..errors import CritminError

            raise CritminError(f"cannot scale '{unknown[0]}': {did_you_mean(unknown[0], MULTIPLIERS)}")
        inst = self
        if "demand" in factors:
            f = float(factors["demand"])
            inst = inst.model_copy(
                update={"demand": [d.model_copy(update={"quantity": d.quantity * f}) for d in inst.demand]}
            )
        if "build_rate" in factors:
            f = float(factors["build_rate"])
            rates = [r.model_copy(update={"limit": {y: v * f for y, v in r.limit.items()}
                                          if isinstance(r.limit, dict) else r.limit * f})
                     for r in inst.build_rates]  # fmt: skip
            inst = inst.model_copy(update={"build_rates": rates})
        if "lead_time" in factors:  # whole years; never past the horizon's last year (online then at latest)
            f, hz = float(factors["lead_time"]), inst.horizon

            def stretched(lead: int, earliest: int | None) -> int:
                longest = hz.last_year - max(hz.base_year, earliest or hz.base_year)
                return min(int(round(lead * f)), max(lead, longest))

            opts = [o.model_copy(update={"lead_time": stretched(o.lead_time, o.earliest_start)})
                    for o in inst.build_options]  # fmt: skip
            inst = inst.model_copy(update={"build_options": opts})
        cost = dict(inst._cost_factors)
        for name, f in factors.items():
            if name in COST_FACTORS:
                cost[name] = cost.get(name, 1.0) * float(f)
        out = inst.model_copy()
        out._cost_factors = tuple(sorted(cost.items()))
        out._sha256 = derived_hash(self.sha256, sorted(factors.items()))
        return out

    @property
    def cost_factors(self) -> dict[str, float]:
        """Cost multipliers applied where the model is assembled (with_factors), by multiplier name."""
        return dict(self._cost_factors)

    @property
    def deals_off(self) -> tuple[str, ...]:
        """Deals switched off on the way to this instance (recorded with its solutions)."""
        return self._deals_off

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file this instance was read from (YAML, CSV tables, workbooks): never replaced by outputs."""
        return self._inputs

    @property
    def load_notes(self) -> tuple[str, ...]:
        """What a user should know about how its files were read (e.g. formulas read by saved values)."""
        return self._load_notes

    @property
    def source_path(self) -> str | None:
        """The YAML file this instance was read from, if any."""
        return self._source_path

    @property
    def sha256(self) -> str:
        """SHA-256 of the instance files (YAML then CSVs in read order), or of its JSON dump."""
        if self._sha256 is None:
            import hashlib
            import json

            self._sha256 = hashlib.sha256(
                json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
            ).hexdigest()
        return self._sha256

    # convenient look-ups -------------------------------------------------------------------------
    def region(self, rid: str) -> Region:
        return next(r for r in self.regions if r.id == rid)

    @property
    def blocs(self) -> set[str]:
        return {r.bloc for r in self.regions}


def _duplicates(items: Iterable[Any], key: str, where: str, out: list[Problem]) -> None:
    seen: dict[Any, int] = {}
    for i, item in enumerate(items):
        k = getattr(item, key)
        if k in seen:
            out.append(
                Problem(
                    (where, i, key),
                    f"duplicate {key} '{k}' (first at {where}[{seen[k]}])",
                    "each id must be unique",
                )
            )
        else:
            seen[k] = i


Loc = tuple[str | int, ...]


class _Checker:
    """Cross-reference checks, one method per part of the instance; every problem located at its field."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.p: list[Problem] = []
        self.regions = {r.id for r in inst.regions}
        self.commodities = {c.id for c in inst.commodities}
        self.facilities = {f.id: f for f in inst.facilities}
        self.blocs = inst.blocs
        self.region_or_bloc = self.regions | self.blocs
        self.controls = {c.id for c in inst.export_controls}

    def ref(self, value: str | None, known: Iterable[str], loc: Loc, what: str) -> None:
        known = set(known)
        if value is not None and value not in known:
            self.p.append(Problem(loc, f"unknown {what} '{value}'", did_you_mean(value, known)))

    def problem(self, loc: Loc, message: str, hint: str) -> None:
        self.p.append(Problem(loc, message, hint))

    def run(self) -> list[Problem]:
        if self.inst.schema_version > SCHEMA_VERSION:
            self.problem(
                ("schema_version",),
                f"schema_version {self.inst.schema_version} is newer than this critmin reads "
                f"({SCHEMA_VERSION})",
                "upgrade critmin, or write the instance for schema_version 1",
            )
        elif self.inst.schema_version < 1:
            self.problem(("schema_version",), f"schema_version {self.inst.schema_version} does not exist",
                         f"use {SCHEMA_VERSION}")  # fmt: skip
        for name, key in (
            ("stockpiles", "id"),
            ("substitutions", "id"),
            ("price_floors", "id"),
            ("offtakes", "id"),
            ("sales", "id"),
            ("regions", "id"),
            ("commodities", "id"),
            ("facilities", "id"),
            ("build_options", "id"),
            ("export_controls", "id"),
            ("scenarios", "name"),
        ):
            _duplicates(getattr(self.inst, name), key, name, self.p)
        for check in (
            self.commodity_refs,
            self.facility_refs,
            self.build_options,
            self.routes,
            self.demand,
            self.export_controls,
            self.policies,
            self.levers,
            self.scenarios,
        ):
            check()
        for x in self.inst.objective.risk_importers or []:
            self.ref(x, self.region_or_bloc, ("objective", "risk_importers"), "region or bloc")
        for x in self.inst.planner.members if self.inst.planner else []:
            self.ref(x, self.region_or_bloc, ("planner", "members"), "region or bloc")
        _duplicates(self.inst.end_uses, "id", "end_uses", self.p)
        self.compliance_classes()
        self.dynamics()
        self.finance()
        self.p += check_deals(self.inst)
        return self.p

    def finance(self) -> None:
        """Hurdle rates and concessional terms name what exists; price paths start by the first year."""
        inst = self.inst
        fin = inst.finance
        stages = {c.stage for c in inst.commodities}
        options = {o.id for o in inst.build_options}
        for i, h in enumerate(fin.hurdle_rates):
            loc: Loc = ("finance", "hurdle_rates", i)
            self.ref(h.investor, self.region_or_bloc, (*loc, "investor"), "region or bloc")
            self.ref(h.region, self.region_or_bloc, (*loc, "region"), "region or bloc")
            self.ref(h.stage, stages, (*loc, "stage"), "stage")
        _duplicates(fin.hurdle_rates, "id", "finance.hurdle_rates", self.p)
        for i, c in enumerate(fin.concessional):
            for x in c.options:
                self.ref(x, options, ("finance", "concessional", i, "options"), "build option")
        _duplicates(fin.concessional, "id", "finance.concessional", self.p)
        first = inst.horizon.years[0]
        prices = {c.id: c.price for c in inst.commodities}
        scenarios = {s.name for s in inst.scenarios} | {s.name.split("__")[0] for s in inst.scenarios}
        for i, pp in enumerate(inst.price_paths):
            loc = ("price_paths", i)
            self.ref(pp.commodity, self.commodities, (*loc, "commodity"), "commodity")
            self.ref(pp.region, self.regions, (*loc, "region"), "region")
            for x in pp.scenarios:
                self.ref(x, scenarios, (*loc, "scenarios"), "scenario")
            values = pp.factors if pp.factors is not None else pp.prices or {}
            field = "factors" if pp.factors is not None else "prices"
            if values and min(values) > first:
                self.problem(
                    (*loc, field),
                    f"price path '{pp.id}' starts in {min(values)}, but the horizon starts in {first}: the "
                    f"years {first}-{min(values) - 1} have no price",
                    f"give a value for {first} (factor 1 keeps the list price)",
                )
            if pp.prices is not None and pp.commodity in prices and not prices[pp.commodity]:
                self.problem(
                    (*loc, "prices"),
                    f"commodity '{pp.commodity}' has no list price, so its path cannot be priced",
                    "give the commodity a price (currency per t)",
                )
        _duplicates(inst.price_paths, "id", "price_paths", self.p)
        names = {s.name for s in inst.scenarios} | {s.name.split("__")[0] for s in inst.scenarios}
        for i, u in enumerate(inst.uncertain):
            if u.scenario is not None:
                self.ref(u.scenario, names, ("uncertain", i, "scenario"), "scenario")
        _duplicates(inst.uncertain, "id", "uncertain", self.p)

    def dynamics(self) -> None:
        """Ramps, build rates, slips, thrifts, recourse and what a plant can recover from its feed."""
        stages = self.inst.stage_names()
        for stage in self.inst.ramps:
            self.ref(stage, stages, ("ramps", stage), "stage")
        for i, br in enumerate(self.inst.build_rates):
            self.ref(br.region, self.region_or_bloc, ("build_rates", i, "region"), "region or bloc")
            self.ref(br.stage, stages, ("build_rates", i, "stage"), "stage")
        _duplicates(self.inst.build_rates, "id", "build_rates", self.p)
        for i, th in enumerate(self.inst.thrifts):
            loc: Loc = ("thrifts", i)
            self.ref(th.commodity, self.commodities, (*loc, "commodity"), "commodity")
            self.ref(th.stage, stages, (*loc, "stage"), "stage")
            for x in th.facilities:
                self.ref(x, self.facilities, (*loc, "facilities"), "facility")
                f = self.facilities.get(x)
                if f is not None and th.commodity not in f.inputs:
                    msg = f"'{x}' does not draw '{th.commodity}': nothing to save"
                    self.problem(
                        (*loc, "facilities"), msg, f"list plants whose inputs include {th.commodity}"
                    )
        _duplicates(self.inst.thrifts, "id", "thrifts", self.p)
        for i, s in enumerate(self.inst.scenarios):
            for j, slip in enumerate(s.slips):
                self.slip(slip, ("scenarios", i, "slips", j))
        if self.inst.schedule_risk is not None:
            for i, case in enumerate(self.inst.schedule_risk.cases):
                for j, slip in enumerate(case.slips):
                    self.slip(slip, ("schedule_risk", "cases", i, "slips", j))
            names = {s.name for s in self.inst.scenarios}
            for i, case in enumerate(self.inst.schedule_risk.cases):
                clash = [f"{s}__{case.name}" for s in names if f"{s}__{case.name}" in names]
                if clash:
                    msg = f"crossing makes '{clash[0]}', which is already a scenario"
                    self.problem(
                        ("schedule_risk", "cases", i, "name"), msg, "rename the case or the scenario"
                    )
        reveals = [s.revealed for s in self.inst.scenarios] + [
            c.revealed for c in (self.inst.schedule_risk.cases if self.inst.schedule_risk else [])
        ]
        if self.inst.recourse and not any(r is not None for r in reveals):
            msg = (
                "recourse builds respond to a scenario once it is revealed, but no scenario has a reveal year"
            )
            self.problem(("recourse",), msg, "give scenarios 'revealed' years, or drop recourse")
        self.recovery()

    def slip(self, slip: Slip, loc: Loc) -> None:
        hz = self.inst.horizon
        for x in slip.options:
            self.ref(x, {o.id for o in self.inst.build_options}, (*loc, "options"), "build option")
        for x in slip.facilities:
            self.ref(x, self.facilities, (*loc, "facilities"), "facility")
        if hz.base_year + slip.years > hz.last_year:
            msg = f"a slip of {slip.years} years moves every project it names past the horizon "
            msg += f"({hz.base_year}-{hz.last_year})"
            self.problem((*loc, "years"), msg, "a shorter slip, or a longer horizon")

    def recovery(self) -> None:
        """A plant cannot recover more of an element than its inputs contain (where both declare
        `contains`)."""
        contains = {c.id: c.contains for c in self.inst.commodities}
        for i, f in enumerate(self.inst.facilities):
            out: dict[str, float] = {}
            for c, a in f.outputs.items():
                for e, x in contains.get(c, {}).items():
                    out[e] = out.get(e, 0.0) + a * x
            for e, got in out.items():
                feeds = [c for c in f.inputs if contains.get(c)]
                if not feeds:
                    continue
                has = sum(f.inputs[c] * contains[c].get(e, 0.0) for c in feeds)
                if got > has * (1 + 1e-9) + 1e-12:
                    msg = f"'{f.id}' recovers {got:.4g} t of {e} per t of activity, more than its inputs "
                    msg += f"contain ({has:.4g} t)"
                    self.problem(("facilities", i, "outputs"), msg, f"lower its {e} yield, or check the feed")

    def compliance_classes(self) -> None:
        _duplicates(self.inst.compliance_classes, "id", "compliance_classes", self.p)
        for i, cc in enumerate(self.inst.compliance_classes):
            loc: Loc = ("compliance_classes", i)
            if cc.id in BUILT_IN_CLASSES:
                hint = "choose another id (any: no test; clear: no Chinese-origin content)"
                self.problem((*loc, "id"), f"'{cc.id}' is a built-in compliance class", hint)
            self.elements(cc.elements, (*loc, "elements"))

    def elements(self, elements: Iterable[str], loc: Loc) -> None:
        """Element symbols that exist and that some commodity carries (else the list reaches nothing)."""
        carried = {e for c in self.inst.commodities for e in c.elements}
        for x in elements:
            self.ref(x, ELEMENTS, loc, "element symbol")
            if x in ELEMENTS and x not in carried:
                hint = "list elements the instance's commodities carry (commodities[].elements)"
                self.problem(loc, f"element '{x}' is carried by no commodity", hint)

    def commodity_refs(self) -> None:
        for i, cm in enumerate(self.inst.commodities):
            for x in cm.elements:
                self.ref(x, ELEMENTS, ("commodities", i, "elements"), "element symbol")

    def facility_refs(self) -> None:
        for i, f in enumerate(self.inst.facilities):
            self.ref(f.region, self.regions, ("facilities", i, "region"), "region")
            for side, coefs in (("inputs", f.inputs), ("outputs", f.outputs)):
                for c in coefs:
                    self.ref(c, self.commodities, ("facilities", i, side, c), "commodity")
            both = set(f.inputs) & set(f.outputs)
            if both:
                msg = f"commodity {sorted(both)} is both input and output of facility '{f.id}'"
                self.problem(("facilities", i, "outputs"), msg, "model it as two facilities")

    def build_options(self) -> None:
        hz = self.inst.horizon
        for i, o in enumerate(self.inst.build_options):
            self.ref(o.facility, self.facilities, ("build_options", i, "facility"), "facility")
            self.ref(o.investor, self.regions, ("build_options", i, "investor"), "region")
            first_start = max(hz.base_year, o.earliest_start or hz.base_year)
            if first_start + o.lead_time > hz.last_year:
                self.problem(
                    ("build_options", i, "lead_time"),
                    f"option '{o.id}' can never come online within the horizon: construction from "
                    f"{first_start} plus lead_time {o.lead_time} gives {first_start + o.lead_time}, "
                    f"after the last period {hz.last_year}",
                    "shorten lead_time, move earliest_start earlier or extend the horizon",
                )

    def routes(self) -> None:
        price = {c.id: c.price for c in self.inst.commodities}
        seen: dict[tuple[str, str, str], int] = {}
        for i, r in enumerate(self.inst.routes):
            self.ref(r.commodity, self.commodities, ("routes", i, "commodity"), "commodity")
            self.ref(r.origin, self.regions, ("routes", i, "origin"), "region")
            self.ref(r.destination, self.regions, ("routes", i, "destination"), "region")
            if r.origin == r.destination:
                hint = "material used where it is made needs no route; remove the row"
                self.problem(("routes", i, "destination"), f"route from '{r.origin}' to itself", hint)
            if r.tariff > 0 and not price.get(r.commodity):
                msg = f"ad valorem tariff on '{r.commodity}', which has no price"
                self.problem(("routes", i, "tariff"), msg, "give the commodity a price or use tariff_per_t")
            k = (r.commodity, r.origin, r.destination)
            if k in seen:
                msg = f"duplicate route {k} (first at routes[{seen[k]}])"
                self.problem(("routes", i, "destination"), msg, "keep one row")
            seen.setdefault(k, i)
        for i, d in enumerate(self.inst.route_defaults):
            self.ref(d.from_bloc, self.blocs, ("route_defaults", i, "from_bloc"), "bloc")
            self.ref(d.to_bloc, self.blocs, ("route_defaults", i, "to_bloc"), "bloc")
            for c in d.commodities or []:
                self.ref(c, self.commodities, ("route_defaults", i, "commodities"), "commodity")

    def demand(self) -> None:
        if not self.inst.demand:
            hint = "add at least one row with region, commodity, year, quantity"
            self.problem(("demand",), "no demand rows: there is nothing to plan for", hint)
        years = set(self.inst.horizon.years)
        seen: dict[tuple[str, str, str | None, int, str], int] = {}
        uses = {e.id for e in self.inst.end_uses}
        classes = {*BUILT_IN_CLASSES, *(c.id for c in self.inst.compliance_classes)}
        for i, d in enumerate(self.inst.demand):
            self.ref(d.end_use, uses, ("demand", i, "end_use"), "end use")
            self.ref(d.compliance, classes, ("demand", i, "compliance"), "compliance class")
            self.ref(d.region, self.regions, ("demand", i, "region"), "region")
            self.ref(d.commodity, self.commodities, ("demand", i, "commodity"), "commodity")
            if d.year not in years:
                hint = did_you_mean(str(d.year), {str(y) for y in years})
                self.problem(("demand", i, "year"), f"year {d.year} is not a period of the horizon", hint)
            k = (d.region, d.commodity, d.end_use, d.year, d.compliance)
            if k in seen:
                msg = f"duplicate demand for {k} (first at demand[{seen[k]}])"
                self.problem(("demand", i, "quantity"), msg, "add the quantities into one row")
            seen.setdefault(k, i)

    def export_controls(self) -> None:
        scenarios = {s.name for s in self.inst.scenarios}
        for i, c in enumerate(self.inst.export_controls):
            self.ref(c.exporter, self.regions, ("export_controls", i, "exporter"), "region")
            for x in c.commodities:
                self.ref(x, self.commodities, ("export_controls", i, "commodities"), "commodity")
            for x in c.destinations or []:
                self.ref(x, self.region_or_bloc, ("export_controls", i, "destinations"), "region or bloc")
            for x in c.scenarios or []:
                self.ref(x, scenarios, ("export_controls", i, "scenarios"), "scenario")
            for x in c.elements:
                self.ref(x, ELEMENTS, ("export_controls", i, "elements"), "element symbol")
            carried = {e for cm in self.inst.commodities for e in cm.elements}
            if c.elements and not c.commodities and not c.stages and not set(c.elements) & carried:
                self.problem(
                    ("export_controls", i, "elements"),
                    f"control '{c.id}' lists elements no commodity carries ({', '.join(c.elements)}): it "
                    "reaches nothing",
                    "list elements the instance's commodities carry (commodities[].elements)",
                )
            stages = {cm.stage for cm in self.inst.commodities}
            for x in c.stages:
                self.ref(x, stages, ("export_controls", i, "stages"), "stage")

    def policies(self) -> None:
        pol = self.inst.policies
        for i, mb in enumerate(pol.min_bloc_share):
            loc: Loc = ("policies", "min_bloc_share", i)
            self.ref(mb.region, self.regions, (*loc, "region"), "region")
            for x in mb.commodities:
                self.ref(x, self.commodities, (*loc, "commodities"), "commodity")
            for x in mb.blocs:
                self.ref(x, self.blocs, (*loc, "blocs"), "bloc")
        for i, ms in enumerate(pol.max_supplier_share):
            self.ref(ms.region, self.regions, ("policies", "max_supplier_share", i, "region"), "region")
            for x in ms.commodities:
                self.ref(
                    x, self.commodities, ("policies", "max_supplier_share", i, "commodities"), "commodity"
                )
        for i, sv in enumerate(pol.min_service):
            loc = ("policies", "min_service", i)
            self.ref(sv.region, self.regions, (*loc, "region"), "region")
            self.ref(sv.commodity, self.commodities, (*loc, "commodity"), "commodity")
            classes = {*BUILT_IN_CLASSES, *(c.id for c in self.inst.compliance_classes)}
            self.ref(sv.compliance, classes, (*loc, "compliance"), "compliance class")
        for i, b in enumerate(pol.budgets):
            for x in b.investor:
                self.ref(x, self.region_or_bloc, ("policies", "budgets", i, "investor"), "region or bloc")
        commodity_stages = self.inst.stage_names()
        for i, cb in enumerate(pol.capacity_benchmarks):
            loc = ("policies", "capacity_benchmarks", i)
            for x in cb.regions:
                self.ref(x, self.regions, (*loc, "regions"), "region")
            self.ref(cb.commodity, self.commodities, (*loc, "commodity"), "commodity")
            self.ref(cb.basis, self.commodities, (*loc, "basis"), "commodity")
            self.ref(cb.stage, commodity_stages, (*loc, "stage"), "stage")
        for group in POLICY_TABLES:
            _duplicates(getattr(pol, group), "id", f"policies.{group}", self.p)

    def levers(self) -> None:
        inst = self.inst
        for i, st in enumerate(inst.stockpiles):
            self.ref(st.region, self.regions, ("stockpiles", i, "region"), "region")
            self.ref(st.commodity, self.commodities, ("stockpiles", i, "commodity"), "commodity")
        for i, sb in enumerate(inst.substitutions):
            self.ref(sb.region, self.regions, ("substitutions", i, "region"), "region")
            self.ref(sb.commodity, self.commodities, ("substitutions", i, "commodity"), "commodity")
        supported: list[tuple[str, PriceFloor | Offtake]] = [("price_floors", x) for x in inst.price_floors]
        supported += [("offtakes", x) for x in inst.offtakes]
        index: dict[str, int] = {}
        for group, x in supported:
            i = index[group] = index.get(group, -1) + 1
            self.ref(x.facility, self.facilities, (group, i, "facility"), "facility")
            fac = self.facilities.get(x.facility)
            if (
                isinstance(x, PriceFloor)
                and x.reference_price is None
                and any(c.id == x.commodity and not c.price for c in inst.commodities)
            ):
                self.problem(
                    (group, i, "reference_price"),
                    f"price floor '{x.id}' pays the gap to the market, but '{x.commodity}' has no price",
                    "give the floor a reference_price or the commodity a price (currency per t)",
                )
            if fac is not None and x.commodity not in fac.outputs:
                msg = f"facility '{x.facility}' does not make '{x.commodity}'"
                self.problem((group, i, "commodity"), msg, did_you_mean(x.commodity, fac.outputs))
        self.sales()

    def sales(self) -> None:
        """A sale names a region and a priced commodity; with a planner, the seller is one of its members."""
        inst = self.inst
        prices = {c.id: c.price for c in inst.commodities}
        members = set(inst.planner.members) if inst.planner else None
        bloc = {r.id: r.bloc for r in inst.regions}
        for i, sl in enumerate(inst.sales):
            self.ref(sl.region, self.regions, ("sales", i, "region"), "region")
            self.ref(sl.commodity, self.commodities, ("sales", i, "commodity"), "commodity")
            if sl.price is None and sl.commodity in prices and prices[sl.commodity] is None:
                msg = f"sale '{sl.id}' has no price and commodity '{sl.commodity}' has none either"
                self.problem(
                    ("sales", i, "price"), msg, "give the sale or the commodity a price (currency/t)"
                )
            if members is not None and sl.region in bloc and not {sl.region, bloc[sl.region]} & members:
                msg = f"'{sl.region}' sells, but is not a planner member (the revenue is not the planner's)"
                self.problem(
                    ("sales", i, "region"), msg, "sell from a planner region, or add it to planner.members"
                )

    def scenarios(self) -> None:
        total = sum(s.probability for s in self.inst.scenarios)
        if abs(total - 1.0) > 1e-6:
            msg = f"scenario probabilities sum to {total:.6g}, not 1"
            self.problem(("scenarios",), msg, "rescale them so they add up to 1")
        for i, s in enumerate(self.inst.scenarios):
            for x in s.disable_controls:
                if x != "all":
                    self.ref(x, self.controls, ("scenarios", i, "disable_controls"), "export control")
            kinds = {c.id: c.kind for c in self.inst.export_controls}
            for x, amount in s.control_amounts.items():
                self.ref(x, self.controls, ("scenarios", i, "control_amounts", x), "export control")
                if kinds.get(x) == "share" and amount > 1:
                    msg = f"'{x}' is a share control: its amount must be in [0, 1], got {amount}"
                    self.problem(("scenarios", i, "control_amounts", x), msg, "give a fraction, e.g. 0.25")
            for group in ("demand", "availability", "var_cost", "price"):
                for j, adj in enumerate(getattr(s, group)):
                    loc: Loc = ("scenarios", i, group, j)
                    self.ref(adj.region, self.regions, (*loc, "region"), "region")
                    self.ref(adj.commodity, self.commodities, (*loc, "commodity"), "commodity")
                    self.ref(adj.facility, self.facilities, (*loc, "facility"), "facility")
            self.revealed(i, s)

    def revealed(self, i: int, sc: Scenario) -> None:
        """A scenario that branches off in year R may not differ from the others before R: its decisions are
        tied to theirs then, so a difference it could see would make it revealed earlier. R lies between the
        base year (when the plan is decided) and the horizon's last year."""
        hz = self.inst.horizon
        first_year = min(p.year for p in hz.periods)
        if sc.revealed is not None and not hz.base_year <= sc.revealed <= hz.last_year:
            where = "before the base year" if sc.revealed < hz.base_year else "after the horizon's last year"
            self.problem(
                ("scenarios", i, "revealed"),
                f"scenario '{sc.name}' is revealed in {sc.revealed}, {where} ({hz.base_year}-{hz.last_year})",
                f"give a year from {hz.base_year} to {hz.last_year}, or omit 'revealed' (known from the "
                "start)",
            )
            return
        if sc.revealed is None or sc.revealed <= first_year:
            return
        reveal = sc.revealed
        hint = f"give it start: {reveal} or later, or reveal the scenario earlier"
        for group in ("demand", "availability", "var_cost", "price"):
            for j, adj in enumerate(getattr(sc, group)):
                start = adj.start or first_year
                if start < reveal:
                    msg = f"scenario '{sc.name}' differs in {start}, before it is revealed ({reveal})"
                    self.problem(("scenarios", i, group, j, "start"), msg, hint)
        for j, c in enumerate(self.inst.export_controls):
            if c.scenarios and sc.name in c.scenarios and (c.start or first_year) < reveal:
                msg = f"control '{c.id}' applies only in some scenarios from {c.start or first_year}, before "
                msg += f"scenario '{sc.name}' is revealed ({reveal})"
                self.problem(("export_controls", j, "start"), msg, hint)
        changed = list(sc.control_amounts) + [x for x in sc.disable_controls if x != "all"]
        for c in self.inst.export_controls:
            if ("all" in sc.disable_controls or c.id in changed) and (c.start or first_year) < reveal:
                msg = (
                    f"scenario '{sc.name}' changes control '{c.id}', in force from {c.start or first_year}, "
                )
                msg += f"before it is revealed ({reveal})"
                self.problem(("scenarios", i, "revealed"), msg, "reveal the scenario when the control starts")


def _cross_schedule(inst: Instance) -> None:
    """Replace the scenarios by their crossing with the schedule cases (`s__c`, probability p(s) p(c), the
    case's slips added), each remembering both parts and both reveal years for non-anticipativity; controls
    listed for a scenario apply to all its crossings. Done once: the result has no schedule_risk left."""
    risk = inst.schedule_risk
    assert risk is not None
    crossed = []
    for s in inst.scenarios:
        for c in risk.cases:
            crossed.append(
                s.model_copy(
                    update={
                        "name": f"{s.name}__{c.name}",
                        "probability": s.probability * c.probability,
                        "slips": [*s.slips, *c.slips],
                        "base": s.name,
                        "schedule_case": c.name,
                        "schedule_revealed": c.revealed,
                        "description": " / ".join(x for x in (s.description, c.description) if x),
                    }
                )
            )
    names = {s.name: [f"{s.name}__{c.name}" for c in risk.cases] for s in inst.scenarios}
    rules = [
        r.model_copy(update={"scenarios": [n for x in r.scenarios for n in names.get(x, [x])]})
        if r.scenarios is not None
        else r
        for r in inst.export_controls
    ]
    object.__setattr__(inst, "scenarios", crossed)
    object.__setattr__(inst, "export_controls", rules)
    object.__setattr__(inst, "schedule_risk", None)


def _check(inst: Instance) -> list[Problem]:
    """All cross-reference problems, each located at the offending field."""
    return _Checker(inst).run()
