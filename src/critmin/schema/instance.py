"""The whole instance, and the cross-reference checks no single entity can do alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from ..errors import Problem, ReferenceProblems, did_you_mean
from .base import Strict
from .controls import ExportControl
from .demand import Demand
from .horizon import Horizon, Units
from .levers import Offtake, PriceFloor, Stockpile, Substitution
from .network import BuildOption, Commodity, Facility, Region, Route, RouteDefault
from .policies import Policies
from .scenarios import Objective, Scenario

SCHEMA_VERSION = 1


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
    export_controls: list[ExportControl] = Field(default_factory=list)
    policies: Policies = Field(default_factory=Policies)
    stockpiles: list[Stockpile] = Field(default_factory=list)
    substitutions: list[Substitution] = Field(default_factory=list)
    price_floors: list[PriceFloor] = Field(default_factory=list)
    offtakes: list[Offtake] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=lambda: [Scenario(name="base", probability=1.0)])
    objective: Objective = Field(default_factory=Objective)
    _source_path: str | None = PrivateAttr(default=None)
    _sha256: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _references(self) -> Instance:
        problems = _check(self)
        if problems:
            raise ReferenceProblems(problems)
        return self

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


def _check(inst: Instance) -> list[Problem]:
    """All cross-reference problems, each located at the offending field."""
    p: list[Problem] = []
    for name, key in (
        ("stockpiles", "id"),
        ("substitutions", "id"),
        ("price_floors", "id"),
        ("offtakes", "id"),
        ("regions", "id"),
        ("commodities", "id"),
        ("facilities", "id"),
        ("build_options", "id"),
        ("export_controls", "id"),
        ("scenarios", "name"),
    ):
        _duplicates(getattr(inst, name), key, name, p)

    regions = {r.id for r in inst.regions}
    commodities = {c.id for c in inst.commodities}
    facilities = {f.id: f for f in inst.facilities}
    blocs = inst.blocs
    scenario_names = {s.name for s in inst.scenarios}
    control_ids = {c.id for c in inst.export_controls}
    years = set(inst.horizon.years)
    region_or_bloc = regions | blocs

    def ref(value: str | None, known: set[str], loc: tuple, what: str) -> None:
        if value is not None and value not in known:
            p.append(Problem(loc, f"unknown {what} '{value}'", did_you_mean(value, known)))

    for i, f in enumerate(inst.facilities):
        ref(f.region, regions, ("facilities", i, "region"), "region")
        for side in ("inputs", "outputs"):
            for c in getattr(f, side):
                ref(c, commodities, ("facilities", i, side, c), "commodity")
        both = set(f.inputs) & set(f.outputs)
        if both:
            p.append(
                Problem(
                    ("facilities", i, "outputs"),
                    f"commodity {sorted(both)} is both input and output of facility '{f.id}'",
                    "model it as two facilities",
                )
            )

    last = inst.horizon.last_year
    for i, o in enumerate(inst.build_options):
        ref(o.facility, set(facilities), ("build_options", i, "facility"), "facility")
        ref(o.investor, regions, ("build_options", i, "investor"), "region")
        first_start = max(inst.horizon.base_year, o.earliest_start or inst.horizon.base_year)
        if first_start + o.lead_time > last:
            p.append(
                Problem(
                    ("build_options", i, "lead_time"),
                    f"option '{o.id}' can never come online within the horizon: construction from "
                    f"{first_start} plus lead_time {o.lead_time} gives {first_start + o.lead_time}, "
                    f"after the last period {last}",
                    "shorten lead_time, move earliest_start earlier or extend the horizon",
                )
            )

    seen_routes: dict[tuple[str, str, str], int] = {}
    for i, r in enumerate(inst.routes):
        ref(r.commodity, commodities, ("routes", i, "commodity"), "commodity")
        ref(r.origin, regions, ("routes", i, "origin"), "region")
        ref(r.destination, regions, ("routes", i, "destination"), "region")
        if r.origin == r.destination:
            p.append(
                Problem(
                    ("routes", i, "destination"),
                    f"route from '{r.origin}' to itself",
                    "material used where it is made needs no route; remove the row",
                )
            )
        price = next((c.price for c in inst.commodities if c.id == r.commodity), 0)
        if r.tariff > 0 and not price:
            p.append(
                Problem(
                    ("routes", i, "tariff"),
                    f"ad valorem tariff on '{r.commodity}', which has no price",
                    "give the commodity a price or use tariff_per_t",
                )
            )
        k = (r.commodity, r.origin, r.destination)
        if k in seen_routes:
            p.append(
                Problem(
                    ("routes", i, "destination"),
                    f"duplicate route {k} (first at routes[{seen_routes[k]}])",
                    "keep one row",
                )
            )
        seen_routes.setdefault(k, i)
    for i, d in enumerate(inst.route_defaults):
        ref(d.from_bloc, blocs, ("route_defaults", i, "from_bloc"), "bloc")
        ref(d.to_bloc, blocs, ("route_defaults", i, "to_bloc"), "bloc")
        for c in d.commodities or []:
            ref(c, commodities, ("route_defaults", i, "commodities"), "commodity")

    if not inst.demand:
        p.append(
            Problem(
                ("demand",),
                "no demand rows: there is nothing to plan for",
                "add at least one row with region, commodity, year, quantity",
            )
        )
    seen_demand: dict[tuple, int] = {}
    for i, d in enumerate(inst.demand):
        ref(d.region, regions, ("demand", i, "region"), "region")
        ref(d.commodity, commodities, ("demand", i, "commodity"), "commodity")
        if d.year not in years:
            p.append(
                Problem(
                    ("demand", i, "year"),
                    f"year {d.year} is not a period of the horizon",
                    did_you_mean(str(d.year), {str(y) for y in years}),
                )
            )
        k = (d.region, d.commodity, d.year, d.compliance)
        if k in seen_demand:
            p.append(
                Problem(
                    ("demand", i, "quantity"),
                    f"duplicate demand for {k} (first at demand[{seen_demand[k]}])",
                    "add the quantities into one row",
                )
            )
        seen_demand.setdefault(k, i)

    for i, c in enumerate(inst.export_controls):
        ref(c.exporter, regions, ("export_controls", i, "exporter"), "region")
        for x in c.commodities:
            ref(x, commodities, ("export_controls", i, "commodities"), "commodity")
        for x in c.destinations or []:
            ref(x, region_or_bloc, ("export_controls", i, "destinations"), "region or bloc")
        for x in c.scenarios or []:
            ref(x, scenario_names, ("export_controls", i, "scenarios"), "scenario")

    pol = inst.policies
    for i, m in enumerate(pol.min_bloc_share):
        ref(m.region, regions, ("policies", "min_bloc_share", i, "region"), "region")
        for x in m.commodities:
            ref(x, commodities, ("policies", "min_bloc_share", i, "commodities"), "commodity")
        for x in m.blocs:
            ref(x, blocs, ("policies", "min_bloc_share", i, "blocs"), "bloc")
    for i, m in enumerate(pol.max_supplier_share):
        ref(m.region, regions, ("policies", "max_supplier_share", i, "region"), "region")
        for x in m.commodities:
            ref(x, commodities, ("policies", "max_supplier_share", i, "commodities"), "commodity")
    for i, m in enumerate(pol.min_service):
        ref(m.region, regions, ("policies", "min_service", i, "region"), "region")
        ref(m.commodity, commodities, ("policies", "min_service", i, "commodity"), "commodity")
        if m.compliance is not None and m.compliance not in ("any", "clear"):
            p.append(
                Problem(
                    ("policies", "min_service", i, "compliance"),
                    f"unknown compliance class '{m.compliance}'",
                    "use 'any' or 'clear'",
                )
            )
    for i, b in enumerate(pol.budgets):
        for x in b.investor:
            ref(x, region_or_bloc, ("policies", "budgets", i, "investor"), "region or bloc")
    for group in ("min_bloc_share", "max_supplier_share", "min_service", "budgets"):
        _duplicates(getattr(pol, group), "id", f"policies.{group}", p)

    for i, st in enumerate(inst.stockpiles):
        ref(st.region, regions, ("stockpiles", i, "region"), "region")
        ref(st.commodity, commodities, ("stockpiles", i, "commodity"), "commodity")
    for i, sb in enumerate(inst.substitutions):
        ref(sb.region, regions, ("substitutions", i, "region"), "region")
        ref(sb.commodity, commodities, ("substitutions", i, "commodity"), "commodity")
    for group in ("price_floors", "offtakes"):
        for i, x in enumerate(getattr(inst, group)):
            ref(x.facility, set(facilities), (group, i, "facility"), "facility")
            if x.facility in facilities and x.commodity not in facilities[x.facility].outputs:
                p.append(
                    Problem(
                        (group, i, "commodity"),
                        f"facility '{x.facility}' does not make '{x.commodity}'",
                        did_you_mean(x.commodity, facilities[x.facility].outputs),
                    )
                )

    total = sum(s.probability for s in inst.scenarios)
    if abs(total - 1.0) > 1e-6:
        p.append(
            Problem(
                ("scenarios",),
                f"scenario probabilities sum to {total:.6g}, not 1",
                "rescale them so they add up to 1",
            )
        )
    for i, s in enumerate(inst.scenarios):
        for x in s.disable_controls:
            if x != "all":
                ref(x, control_ids, ("scenarios", i, "disable_controls"), "export control")
        for x in s.control_amounts:
            ref(x, control_ids, ("scenarios", i, "control_amounts", x), "export control")
        for group in ("demand", "availability", "var_cost", "price"):
            for j, a in enumerate(getattr(s, group)):
                loc = ("scenarios", i, group, j)
                ref(a.region, regions, loc + ("region",), "region")
                ref(a.commodity, commodities, loc + ("commodity",), "commodity")
                ref(a.facility, set(facilities), loc + ("facility",), "facility")

    for x in inst.objective.risk_importers or []:
        ref(x, region_or_bloc, ("objective", "risk_importers"), "region or bloc")

    return p
