"""The registry: every variable family, constraint family and cost component of the model, described once.

It declares; it does not build. The order families are built in is assemble.py's, so a family module may read
the registry (nonanticipativity reads which variables have a scenario, cvar which costs are the planner's)
without a cycle.

Everything that needs to know the model's families reads them here: assembly (the order families are built
in), the Pyomo backend (component and index-set names), numerics warnings (which instance fields feed a
family), diagnose (a sentence per row or column, which rows are levers, the unit of a shadow price), results
and reports (one name and label per cost component), and the tests (every family has a golden file or a
hand-computed optimum; models/critmin.md names the same components).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .builder import Key
    from .data import ModelData


@dataclass(frozen=True)
class VariableFamily:
    name: str
    keys: tuple[str, ...]  # what each position of a key means
    describe: str  # a sentence template over the key names, for people rather than solvers
    unit: str  # of the column value, in instance units (the model itself is scaled)
    scaled: Literal["quantity", "none"]  # how a value converts back to instance units
    cost_fields: str  # instance fields that set its objective coefficient
    index_set: str | None = None  # the Pyomo set indexing it, when it has a name of its own
    domain: Literal["nonneg", "integer", "free"] = "nonneg"
    module: str = ""
    optional: str = ""  # "" always built; "cvar" only with a CVaR weight


@dataclass(frozen=True)
class ConstraintFamily:
    name: str
    keys: tuple[str, ...]
    describe: str
    fields: str  # instance fields that feed its coefficients and bounds (for numerics warnings)
    lever: bool  # a planner can move it: diagnose reports its shadow price when it binds
    dual: Literal["per_t", "per_money", "none"]  # what one unit of its bound is
    doc: str
    index_set: str | None = None
    module: str = ""
    optional: str = ""  # "" always built; "cvar" with a CVaR weight; "analysis" when an analysis asks
    bound_param: str = ""  # a row whose upper bound an analysis changes: the Pyomo Param holding it


@dataclass(frozen=True)
class CostComponent:
    name: str  # one name everywhere: `cost_<name>` in Pyomo, the summary, the costs table, the report
    label: str
    category: Literal["spent", "unserved", "risk", "outside", "tie-break"]
    pyomo: str  # the Pyomo expression that holds it
    doc: str
    per_year: bool = True  # has a yearly breakdown in the costs table


VARIABLES: tuple[VariableFamily, ...] = (
    VariableFamily(
        "build_capacity",
        ("option", "year", "branch"),
        "build of option {option} online in {year} (for {branch})",
        "t/yr",
        "quantity",
        "build_options[].capex, facilities[].fixed_cost",
        "BUILDS_CONTINUOUS",
        module="variables",
    ),
    VariableFamily(
        "build_modules",
        ("option", "year", "branch"),
        "modules of option {option} online in {year} (for {branch})",
        "modules",
        "none",
        "build_options[].fixed_cost, facilities[].fixed_cost",
        "BUILDS_DISCRETE",
        "integer",
        "variables",
    ),
    VariableFamily(
        "activity",
        ("facility", "tag", "year", "scenario"),
        "activity of {facility} making {tag} output in {year} (scenario {scenario})",
        "t/yr",
        "quantity",
        "facilities[].var_cost",
        "ACTIVITIES",
        module="variables",
    ),
    VariableFamily(
        "input_use",
        ("facility", "commodity", "input_tag", "tag", "year", "scenario"),
        "{input_tag} {commodity} used by {facility}'s {tag} stream in {year} (scenario {scenario})",
        "t/yr",
        "quantity",
        "-",
        "BLENDS",
        module="variables",
    ),
    VariableFamily(
        "ship",
        ("commodity", "origin", "destination", "tag", "year", "scenario"),
        "shipments of {commodity} ({tag}) {origin} -> {destination} in {year} (scenario {scenario})",
        "t/yr",
        "quantity",
        "routes[].cost / tariff, regions[].risk x objective.risk_weight",
        "SHIPMENTS",
        module="variables",
    ),
    VariableFamily(
        "deliver",
        ("demand_row", "tag", "scenario"),
        "{tag} deliveries to {demand_row} (scenario {scenario})",
        "t/yr",
        "quantity",
        "-",
        "DELIVERIES",
        module="variables",
    ),
    VariableFamily(
        "unmet",
        ("demand_row", "scenario"),
        "shortfall of {demand_row} (scenario {scenario})",
        "t/yr",
        "quantity",
        "objective.unmet_penalty, commodities[].unmet_penalty",
        "DEMANDS",
        module="variables",
    ),
    VariableFamily(
        "forgone",
        ("demand_row", "step", "scenario"),
        "demand of {demand_row} forgone at its price (step {step}, scenario {scenario})",
        "t/yr",
        "quantity",
        "end_uses[].steps[].value",
        module="variables",
    ),
    VariableFamily(
        "stock_level",
        ("stockpile", "tag", "year", "scenario"),
        "stock of {stockpile} ({tag}) at the end of {year} (scenario {scenario})",
        "t",
        "quantity",
        "stockpiles[].holding_cost",
        "STOCKS",
        module="stockpiles",
    ),
    VariableFamily(
        "stock_buy",
        ("stockpile", "tag", "year", "scenario"),
        "purchases into {stockpile} ({tag}) in {year} (scenario {scenario})",
        "t/yr",
        "quantity",
        "-",
        module="stockpiles",
    ),
    VariableFamily(
        "stock_release",
        ("stockpile", "tag", "year", "scenario"),
        "releases from {stockpile} ({tag}) in {year} (scenario {scenario})",
        "t/yr",
        "quantity",
        "-",
        module="stockpiles",
    ),
    VariableFamily(
        "storage_build",
        ("stockpile", "year"),
        "storage added to {stockpile} usable from {year}",
        "t",
        "quantity",
        "stockpiles[].build_capex",
        module="stockpiles",
    ),
    VariableFamily(
        "cover_short",
        ("stockpile", "year", "scenario"),
        "shortfall of {stockpile} below its days-of-cover target in {year} (scenario {scenario})",
        "t",
        "quantity",
        "stockpiles[].cover_penalty",
        module="stockpiles",
    ),
    VariableFamily(
        "substitute",
        ("substitution", "demand_row", "scenario"),
        "{demand_row} met by substitution {substitution} (scenario {scenario})",
        "t/yr",
        "quantity",
        "substitutions[].cost",
        "SUBSTITUTIONS",
        module="substitution",
    ),
    VariableFamily(
        "thrift",
        ("thrift", "facility", "commodity", "tag", "year", "scenario"),
        "{commodity} not drawn by {facility} ({tag} stream) under thrift {thrift} in {year} "
        "(scenario {scenario})",
        "t/yr",
        "quantity",
        "thrifts[].cost",
        module="thrift",
    ),
    VariableFamily(
        "sell",
        ("sale", "tag", "year", "scenario"),
        "{tag} material sold under sale {sale} in {year} (scenario {scenario})",
        "t/yr",
        "quantity",
        "sales[].price, commodities[].price",
        module="sales",
    ),
    VariableFamily(
        "origin_ship",
        ("commodity", "origin", "destination", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) in shipments of {commodity} ({tag}) {origin} -> {destination} in "
        "{year} (scenario {scenario})",
        "t",
        "quantity",
        "-",
        module="origin",
    ),
    VariableFamily(
        "origin_use",
        ("facility", "commodity", "input_tag", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) of the {input_tag} {commodity} {facility}'s {tag} stream draws in "
        "{year} (scenario {scenario})",
        "t",
        "quantity",
        "-",
        module="origin",
    ),
    VariableFamily(
        "origin_deliver",
        ("demand_row", "tag", "class", "scenario"),
        "Chinese-origin content ({class}) of {tag} deliveries to {demand_row} (scenario {scenario})",
        "t",
        "quantity",
        "-",
        module="origin",
    ),
    VariableFamily(
        "origin_sell",
        ("sale", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) of sale {sale} ({tag}) in {year} (scenario {scenario})",
        "t",
        "quantity",
        "-",
        module="origin",
    ),
    VariableFamily(
        "origin_stock_level",
        ("stockpile", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) in {stockpile} ({tag}) at the end of {year} (scenario {scenario})",
        "t",
        "quantity",
        "-",
        module="origin",
    ),
    VariableFamily(
        "origin_stock_buy",
        ("stockpile", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) of purchases into {stockpile} ({tag}) in {year} (scenario "
        "{scenario})",
        "t/yr",
        "quantity",
        "-",
        module="origin",
    ),
    VariableFamily(
        "origin_stock_release",
        ("stockpile", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) of releases from {stockpile} ({tag}) in {year} (scenario "
        "{scenario})",
        "t/yr",
        "quantity",
        "-",
        module="origin",
    ),
    VariableFamily(
        "cvar_eta",
        (),
        "value-at-risk threshold of scenario costs",
        "currency",
        "none",
        "-",
        domain="free",
        module="cvar",
        optional="cvar",
    ),
    VariableFamily(
        "cvar_excess",
        ("scenario",),
        "cost of scenario {scenario} above the value-at-risk",
        "currency",
        "none",
        "objective.cvar_weight",
        module="cvar",
        optional="cvar",
    ),
)

CONSTRAINTS: tuple[ConstraintFamily, ...] = (
    ConstraintFamily(
        "capacity_limit",
        ("facility", "year", "scenario"),
        "capacity of facility {facility} in {year} (scenario {scenario})",
        "facilities[].capacity / availability, build_options[].module_size",
        True,
        "per_t",
        "activity <= availability x capacity",
        module="capacity",
    ),
    ConstraintFamily(
        "build_limit",
        ("option", "branch"),
        "maximum build of option {option} (scenarios {branch})",
        "build_options[].max_capacity / max_count",
        True,
        "per_t",
        "total modules / capacity an option may add",
        module="capacity",
    ),
    ConstraintFamily(
        "balance",
        ("region", "commodity", "tag", "year", "scenario"),
        "balance of {commodity} ({tag}) in {region}, {year} (scenario {scenario})",
        "facilities[].inputs / outputs",
        False,
        "per_t",
        "production + imports >= use + exports + deliveries",
        module="balance",
    ),
    ConstraintFamily(
        "blend",
        ("facility", "commodity", "tag", "year", "scenario"),
        "inputs of {commodity} to {facility}'s {tag} stream in {year} (scenario {scenario})",
        "facilities[].inputs",
        False,
        "per_t",
        "clear + controlled use of an input = its share of activity",
        module="blending",
    ),
    ConstraintFamily(
        "de_minimis",
        ("facility", "control", "year", "scenario"),
        "de-minimis threshold of {control} on {facility}'s clear output in {year} (scenario {scenario})",
        "export_controls[].de_minimis, commodities[].price, facilities[].inputs / outputs",
        True,
        "per_money",
        "value of listed Chinese-origin content, traced through every stage, < threshold x value of output",
        module="origin",
    ),
    ConstraintFamily(
        "origin_balance",
        ("region", "commodity", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) of {commodity} ({tag}) in {region}, {year} (scenario {scenario})",
        "commodities[].price, facilities[].inputs / outputs",
        False,
        "per_t",
        "content leaving a pool <= content entering it (conserved, never created or lost unaccounted)",
        module="origin",
    ),
    ConstraintFamily(
        "origin_cap",
        ("variable", "entry"),
        "Chinese-origin content of {variable}[{entry}] at most the lot itself",
        "-",
        False,
        "per_t",
        "sum of a lot's content over classes <= the lot's quantity",
        module="origin",
    ),
    ConstraintFamily(
        "origin_stock_balance",
        ("stockpile", "tag", "class", "year", "scenario"),
        "Chinese-origin content ({class}) in {stockpile} ({tag}) in {year} (scenario {scenario})",
        "stockpiles[].initial / initial_tag",
        False,
        "per_t",
        "content in store = previous + weight x (bought - released)",
        module="origin",
    ),
    ConstraintFamily(
        "origin_limit",
        ("demand_row", "scenario"),
        "origin rule of {demand_row}'s compliance class (scenario {scenario})",
        "compliance_classes[].max_share / elements / full_chain_from, demand[].compliance",
        True,
        "per_t",
        "counted Chinese-origin content delivered <= max_share x delivered",
        module="origin",
    ),
    ConstraintFamily(
        "demand_met",
        ("demand_row", "scenario"),
        "{demand_row} (scenario {scenario})",
        "demand[].quantity",
        True,
        "per_t",
        "deliveries + substitution + unmet = demand",
        "DEMANDS",
        module="demand",
    ),
    ConstraintFamily(
        "forgone_limit",
        ("demand_row", "step", "scenario"),
        "price-sensitive step {step} of {demand_row} (scenario {scenario})",
        "end_uses[].steps[].share, demand[].quantity",
        True,
        "per_t",
        "demand forgone <= the step's share of demand",
        module="demand",
    ),
    ConstraintFamily(
        "export_limit",
        ("control", "year", "scenario"),
        "export control {control} in {year} (scenario {scenario})",
        "export_controls[].amount / reference",
        True,
        "per_t",
        "listed shipments <= quota, 0, or share x reference",
        "CONTROLS",
        module="export_controls",
    ),
    ConstraintFamily(
        "min_bloc_share",
        ("policy", "commodity", "year", "scenario"),
        "minimum bloc share {policy} on {commodity} in {year} (scenario {scenario})",
        "policies.min_bloc_share[].share, facilities[].outputs",
        True,
        "per_t",
        "supply from given blocs >= share x supply",
        module="policies",
    ),
    ConstraintFamily(
        "max_supplier_share",
        ("policy", "commodity", "origin", "year", "scenario"),
        "maximum share {policy} of {commodity} from {origin} in {year} (scenario {scenario})",
        "policies.max_supplier_share[].share, facilities[].outputs",
        True,
        "per_t",
        "imports from one country <= share x supply",
        module="policies",
    ),
    ConstraintFamily(
        "min_service",
        ("policy", "demand_row", "scenario"),
        "service level {policy} on {demand_row} (scenario {scenario})",
        "policies.min_service[].share, demand[].quantity",
        True,
        "per_t",
        "deliveries >= share x demand (hard service level)",
        module="policies",
    ),
    ConstraintFamily(
        "budget_limit",
        ("budget", "branch"),
        "capex budget {budget} (scenarios {branch})",
        "build_options[].capex / fixed_cost, policies.budgets[].amount",
        True,
        "per_money",
        "overnight capex started in the window <= budget",
        module="policies",
    ),
    ConstraintFamily(
        "capacity_benchmark",
        ("benchmark", "year", "scenario"),
        "capacity benchmark {benchmark} in {year} (scenario {scenario})",
        "policies.capacity_benchmarks[].share / per_unit, demand[].quantity, facilities[].outputs",
        True,
        "per_t",
        "the group's capacity at the stage x output >= share x per_unit x its demand for the basis",
        module="policies",
    ),
    ConstraintFamily(
        "stock_balance",
        ("stockpile", "tag", "year", "scenario"),
        "stock balance of {stockpile} ({tag}) in {year} (scenario {scenario})",
        "stockpiles[].initial, horizon.periods[].weight",
        False,
        "per_t",
        "level = previous level + weight x (buy - release)",
        "STOCKS",
        module="stockpiles",
    ),
    ConstraintFamily(
        "stock_capacity",
        ("stockpile", "year", "scenario"),
        "storage capacity of {stockpile} in {year} (scenario {scenario})",
        "stockpiles[].capacity",
        True,
        "per_t",
        "stock <= existing + built storage",
        module="stockpiles",
    ),
    ConstraintFamily(
        "storage_build_limit",
        ("stockpile",),
        "maximum storage build of {stockpile}",
        "stockpiles[].max_build",
        True,
        "per_t",
        "storage that may be added",
        module="stockpiles",
    ),
    ConstraintFamily(
        "stock_cover",
        ("stockpile", "year", "scenario"),
        "days-of-cover target of {stockpile} in {year} (scenario {scenario})",
        "stockpiles[].days_of_cover, demand[].quantity",
        True,
        "per_t",
        "stock >= days of cover / 365 x demand (hard, or with a penalised shortfall)",
        module="stockpiles",
    ),
    ConstraintFamily(
        "substitution_limit",
        ("substitution", "demand_row", "scenario"),
        "substitution limit {substitution} on {demand_row} (scenario {scenario})",
        "substitutions[].share, demand[].quantity",
        True,
        "per_t",
        "substituted <= share x demand",
        "SUBSTITUTIONS",
        module="substitution",
    ),
    ConstraintFamily(
        "thrift_limit",
        ("thrift", "facility", "commodity", "tag", "year", "scenario"),
        "adoption limit of thrift {thrift} at {facility} ({tag} stream) in {year} (scenario {scenario})",
        "thrifts[].saving / adoption, facilities[].inputs",
        True,
        "per_t",
        "input saved <= saving x adoption x recipe x activity",
        module="thrift",
    ),
    ConstraintFamily(
        "build_rate",
        ("rate", "year", "branch"),
        "build rate {rate} in {year} (scenarios {branch})",
        "build_rates[].limit / learning, build_options[].module_size",
        True,
        "per_t",
        "capacity coming online (or starting) in a period <= its limit (+ learning x capacity built before)",
        module="build_rate",
    ),
    ConstraintFamily(
        "sale_limit",
        ("sale", "year", "scenario"),
        "sale {sale} in {year} (scenario {scenario})",
        "sales[].quantity",
        True,
        "per_t",
        "sold <= what the buyer takes",
        module="sales",
    ),
    ConstraintFamily(
        "nonanticipativity",
        ("variable", "entry", "scenario"),
        "{variable}[{entry}] in scenario {scenario}, not yet revealed, equals the other hidden scenarios'",
        "scenarios[].revealed",
        False,
        "none",
        "x[key, s] = x[key, first hidden scenario] before s is revealed",
        module="nonanticipativity",
    ),
    ConstraintFamily(
        "offtake_min",
        ("offtake", "year", "scenario"),
        "offtake {offtake} in {year} (scenario {scenario})",
        "offtakes[].quantity, facilities[].outputs",
        True,
        "per_t",
        "facility output >= contracted quantity",
        module="support",
    ),
    ConstraintFamily(
        "risk_cap",
        (),
        "cap on the expected discounted risk-weighted imports (frontier)",
        "regions[].risk, objective.risk_importers",
        True,
        "per_t",
        "risk exposure <= cap (epsilon-constraint; the cap is risk_cap_level)",
        module="requirements",
        optional="analysis",
        bound_param="risk_cap_level",
    ),
    ConstraintFamily(
        "min_met_share",
        ("scenario", "year"),
        "required share of allied demand met in {year} (scenario {scenario})",
        "demand[].quantity (the allies' rows)",
        True,
        "per_t",
        "allied demand not met (unmet + forgone) <= (1 - share) x allied demand (min_met_share_level)",
        module="requirements",
        optional="analysis",
        bound_param="min_met_share_level",
    ),
    ConstraintFamily(
        "cvar_tail",
        ("scenario",),
        "CVaR tail of scenario {scenario}",
        "objective.cvar_weight / cvar_alpha, all costs",
        False,
        "per_money",
        "excess_s >= cost_s - eta",
        module="cvar",
        optional="cvar",
    ),
)

COSTS: tuple[CostComponent, ...] = (
    CostComponent(
        "capex", "capex (annualised)", "spent", "cost_capex", "annualised capex of builds, discounted"
    ),
    CostComponent(
        "fixed_om", "fixed O&M", "spent", "cost_fixed_om", "fixed O&M on existing and built capacity"
    ),
    CostComponent("variable", "operating cost", "spent", "cost_variable", "expected variable operating cost"),
    CostComponent(
        "imports",
        "imports from outside",
        "spent",
        "cost_imports",
        "expected payments for imports from outside the planner, at the exporter's price",
    ),
    CostComponent("transport", "transport", "spent", "cost_transport", "expected transport cost"),
    CostComponent("tariff", "tariffs", "spent", "cost_tariff", "expected tariffs"),
    CostComponent(
        "unmet",
        "demand not served (value lost)",
        "unserved",
        "cost_unmet",
        "expected value of demand not served, at each end use's value of lost load",
    ),
    CostComponent(
        "forgone",
        "demand forgone at its price",
        "unserved",
        "cost_forgone",
        "expected value of price-sensitive demand not bought, at its willingness to pay",
    ),
    CostComponent(
        "stockpile",
        "stockpiles",
        "spent",
        "cost_stockpile",
        "storage capex (annualised), holding and soft-cover penalties",
    ),
    CostComponent("substitution", "substitution", "spent", "cost_substitution", "expected substitution cost"),
    CostComponent(
        "support", "support payments", "spent", "cost_support", "expected price-floor and offtake support"
    ),
    CostComponent(
        "sales",
        "sales outside the model's demand (revenue, negative)",
        "spent",
        "cost_sales",
        "expected revenue from sales, as a negative cost",
    ),
    CostComponent(
        "risk",
        "risk (weight x exposure)",
        "risk",
        "risk_exposure",
        "expected discounted risk-weighted imports (scaled t); the objective adds risk_weight x it",
    ),
    CostComponent(
        "outside",
        "outside regions' own costs (tie-break weight)",
        "outside",
        "cost_outside",
        "outside the planner: their operating, transport and other costs, weighted by planner.outside_weight",
    ),
    CostComponent(
        "outside_unserved",
        "outside demand not served (priority)",
        "outside",
        "cost_outside_unserved",
        "outside the planner: their demand not served, at planner.outside_priority (served first)",
    ),
    CostComponent(
        "tie_break",
        "tie-breaks (negligible)",
        "tie-break",
        "cost_tie_break",
        "a negligible cost that makes equal plans report the tag the rules force (objective.py)",
    ),
    CostComponent(
        "cvar",
        "CVaR of scenario costs (weighted)",
        "risk",
        "cvar",
        "CVaR_alpha of scenario costs; the objective adds cvar_weight x it",
        per_year=False,
    ),
)

# The planner's cost is money spent plus the value of demand not served: these categories, everywhere (the
# summary, scenario costs for CVaR, sweep digests, reports). Risk, outside and tie-break terms are reported
# beside it, never in it.
PLANNER_CATEGORIES = ("spent", "unserved")

VARIABLE_BY_NAME = {v.name: v for v in VARIABLES}
CONSTRAINT_BY_NAME = {c.name: c for c in CONSTRAINTS}
COST_BY_NAME = {c.name: c for c in COSTS}
# The Pyomo sets that are not the index of any variable or row but are part of the model's vocabulary.
PLAIN_SETS = ("YEARS", "SCENARIOS", "TAGS", "CAPACITIES")


def describe(family: str, key: Key, md: ModelData | None = None) -> str:
    """A sentence naming the entities of a row or column, e.g. 'export control ban in 2027 (scenario s2)'."""
    spec: Any = VARIABLE_BY_NAME.get(family) or CONSTRAINT_BY_NAME.get(family)
    if spec is None or len(spec.keys) != len(key):
        return f"{family}[{','.join(map(str, key))}]"
    values: dict[str, Any] = dict(zip(spec.keys, key, strict=True))
    if "demand_row" in values and md is not None:
        d = md.demand[int(values["demand_row"])]
        values["demand_row"] = f"demand row {d.index}: {d.region} {d.commodity} {d.year} {d.compliance}"
    return str(spec.describe.format(**values))


def optional_families(names: Iterable[str]) -> frozenset[str]:
    """Check names of optional row families an analysis asks for (`optional: "analysis"` in CONSTRAINTS)."""
    known = {c.name for c in CONSTRAINTS if c.optional == "analysis"}
    wanted = frozenset(names)
    unknown = sorted(wanted - known)
    if unknown:
        raise ValueError(f"unknown optional family {unknown[0]!r}: use one of {sorted(known)}")
    return wanted
