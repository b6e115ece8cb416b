"""Regenerate the bad-input corpus: one folder per case with inst.yaml (+ CSV files) and expect.txt.

Each case is a valid base instance with one thing broken. expect.txt lists substrings the error output must
contain (one per line): the file, the field or row/column, and what is wrong. Run from this folder:
    python make_corpus.py
The folders are committed, so the corpus can be read without running this.
"""

from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import base_dict  # noqa: E402

HERE = Path(__file__).resolve().parent
DEMAND_CSV = "region,commodity,year,quantity,compliance\nUS,ox,2025,100,any\n"


def case(
    name: str,
    mutate: Any,
    expect: list[str],
    files: dict[str, bytes | str] | None = None,
    raw_yaml: bytes | str | None = None,
) -> None:
    d = HERE / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    if raw_yaml is not None:
        data = raw_yaml
    elif mutate is None:
        raise ValueError(f"{name}: give a mutation or raw_yaml")
    else:
        inst = copy.deepcopy(base_dict())
        mutate(inst)
        data = yaml.safe_dump(inst, sort_keys=False)
    (d / "inst.yaml").write_bytes(data.encode() if isinstance(data, str) else data)
    for fname, content in (files or {}).items():
        (d / fname).parent.mkdir(parents=True, exist_ok=True)
        (d / fname).write_bytes(content.encode() if isinstance(content, str) else content)
    (d / "expect.txt").write_text("\n".join(expect) + "\n")


def setp(path: str, value: Any):
    """A mutation setting a dotted path ('facilities.0.capacity') to a value; value DELETE removes it."""

    def f(inst: dict) -> None:
        node: Any = inst
        parts = path.split(".")
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return f


DELETE = object()


def many(*fs):
    def f(inst: dict) -> None:
        for g in fs:
            g(inst)

    return f


def csv_demand(inst: dict) -> None:
    inst["demand"] = "demand.csv"


def main() -> None:
    for d in HERE.iterdir():
        if d.is_dir():
            shutil.rmtree(d)
    y = "inst.yaml"
    case("missing_horizon", setp("horizon", DELETE), [y, "horizon", "required field 'horizon' is missing"])
    case("missing_bloc", setp("regions.0.bloc", DELETE), [y, "regions[0].bloc", "is missing"])
    case(
        "capacity_not_a_number",
        setp("facilities.0.capacity", "lots"),
        [y, "facilities[0].capacity", "'lots'"],
    )
    case(
        "negative_capacity",
        setp("facilities.0.capacity", -5),
        [y, "facilities[0].capacity", "greater than or equal to 0", "use a value >= 0"],
    )
    case("negative_var_cost", setp("facilities.1.var_cost", -1), [y, "facilities[1].var_cost", ">= 0"])
    case("negative_route_cost", setp("routes.0.cost", -3), [y, "routes[0].cost", ">= 0"])
    case("negative_demand", setp("demand.0.quantity", -100), [y, "demand[0].quantity", ">= 0"])
    case(
        "unknown_region_in_facility",
        setp("facilities.0.region", "CNN"),
        [y, "facilities[0].region", "unknown region 'CNN'", "did you mean 'CN'?"],
    )
    case(
        "unknown_commodity_in_outputs",
        setp("facilities.0.outputs", {"oxx": 1}),
        [y, "facilities[0].outputs.oxx", "unknown commodity 'oxx'", "did you mean 'ox'?"],
    )
    case(
        "unknown_facility_in_option",
        setp("build_options", [{"id": "b", "facility": "au_plnt", "capex": 10}]),
        [y, "build_options[0].facility", "unknown facility 'au_plnt'", "did you mean 'au_plant'?"],
    )
    case(
        "unknown_route_origin",
        setp("routes.0.origin", "China"),
        [y, "routes[0].origin", "unknown region 'China'"],
    )
    case(
        "unknown_demand_commodity",
        setp("demand.0.commodity", "OX"),
        [y, "demand[0].commodity", "unknown commodity 'OX'", "did you mean 'ox'?"],
    )
    case(
        "unknown_exporter",
        setp("export_controls", [{"id": "b", "exporter": "PRC", "commodities": ["ox"]}]),
        [y, "export_controls[0].exporter", "unknown region 'PRC'"],
    )
    case(
        "unknown_destination_bloc",
        setp(
            "export_controls",
            [{"id": "b", "exporter": "CN", "commodities": ["ox"], "destinations": ["allies"]}],
        ),
        [y, "export_controls[0].destinations", "unknown region or bloc 'allies'", "did you mean 'ally'?"],
    )
    case(
        "unknown_scenario_in_control",
        setp("export_controls", [{"id": "b", "exporter": "CN", "commodities": ["ox"], "scenarios": ["bas"]}]),
        [y, "export_controls[0].scenarios", "unknown scenario 'bas'", "did you mean 'base'?"],
    )
    case(
        "unknown_control_disabled",
        setp("scenarios", [{"name": "s", "probability": 1, "disable_controls": ["ban"]}]),
        [y, "scenarios[0].disable_controls", "unknown export control 'ban'"],
    )
    case(
        "duplicate_region_id",
        lambda i: i["regions"].append({"id": "US", "bloc": "home"}),
        [y, "regions[3].id", "duplicate id 'US'"],
    )
    case(
        "duplicate_facility_id",
        setp("facilities.1.id", "cn_plant"),
        [y, "facilities[1].id", "duplicate id 'cn_plant'"],
    )
    case(
        "duplicate_commodity_id",
        lambda i: i["commodities"].append({"id": "ox", "stage": "x"}),
        [y, "commodities[1].id", "duplicate id 'ox'"],
    )
    case(
        "duplicate_scenario_name",
        setp("scenarios", [{"name": "a", "probability": 0.5}, {"name": "a", "probability": 0.5}]),
        [y, "scenarios[1].name", "duplicate name 'a'"],
    )
    case(
        "probabilities_not_one",
        setp("scenarios", [{"name": "a", "probability": 0.5}, {"name": "b", "probability": 0.3}]),
        [y, "scenarios", "probabilities sum to 0.8, not 1", "rescale"],
    )
    case(
        "lead_time_past_horizon",
        setp("build_options", [{"id": "b", "facility": "au_plant", "capex": 10, "lead_time": 4}]),
        [y, "build_options[0].lead_time", "can never come online", "extend the horizon"],
    )
    case(
        "route_to_itself",
        lambda i: i["routes"].append({"commodity": "ox", "origin": "US", "destination": "US"}),
        [y, "routes[2].destination", "route from 'US' to itself"],
    )
    case(
        "duplicate_route",
        lambda i: i["routes"].append(dict(i["routes"][0])),
        [y, "routes[2]", "duplicate route"],
    )
    case("empty_demand", setp("demand", []), [y, "demand", "no demand rows"])
    case(
        "malformed_yaml",
        None,
        [y, "malformed YAML at line 4", "flow mapping that starts at line 3"],
        raw_yaml="name: x\nregions:\n  - {id: CN, bloc: adversary\nhorizon: {}\n",
    )
    case("yaml_is_a_list", None, [y, "must hold a mapping"], raw_yaml="- a\n- b\n")
    case(
        "csv_missing_column",
        csv_demand,
        ["demand.csv", "row 2", "column 'quantity'", "is missing"],
        files={"demand.csv": "region,commodity,year\nUS,ox,2025\n"},
    )
    case(
        "csv_misspelt_column",
        csv_demand,
        ["demand.csv", "column 'quantty'", "unknown field 'quantty'", "did you mean 'quantity'?"],
        files={"demand.csv": "region,commodity,year,quantty\nUS,ox,2025,100\n"},
    )
    case(
        "csv_number_with_unit",
        csv_demand,
        ["demand.csv", "row 3", "column 'quantity'", "'12t'"],
        files={"demand.csv": DEMAND_CSV + "US,ox,2025,12t,clear\n"},
    )
    case(
        "csv_nan",
        csv_demand,
        ["demand.csv", "row 2", "column 'quantity'", "finite number"],
        files={"demand.csv": "region,commodity,year,quantity\nUS,ox,2025,nan\n"},
    )
    case("non_utf8_yaml", None, [y, "not UTF-8", "byte 0xe9"], raw_yaml=b"name: caf\xe9\n")
    case(
        "non_utf8_csv",
        csv_demand,
        ["demand.csv", "not UTF-8", "line 2"],
        files={"demand.csv": b"region,commodity,year,quantity\nUS,ox\xff,2025,100\n"},
    )
    case(
        "absurd_magnitude",
        setp("demand.0.quantity", 1e20),
        [y, "demand[0].quantity", "less than or equal to", "check the unit"],
    )
    case(
        "csv_path_escapes_folder",
        setp("demand", "../../conftest.csv"),
        [y, "demand", "points outside the instance folder"],
    )
    case(
        "csv_file_missing",
        setp("demand", "demnd.csv"),
        [y, "demand", "CSV file 'demnd.csv'", "not found", "did you mean 'demand.csv'?"],
        files={"demand.csv": DEMAND_CSV},
    )
    case(
        "demand_year_not_in_horizon",
        setp("demand.0.year", 2026),
        [y, "demand[0].year", "year 2026 is not a period of the horizon"],
    )
    case(
        "unknown_field",
        setp("facilities.0.var_cst", 3),
        [y, "facilities[0].var_cst", "unknown field 'var_cst'", "did you mean 'var_cost'?"],
    )
    case(
        "discrete_option_without_size",
        setp(
            "build_options",
            [{"id": "b", "facility": "au_plant", "kind": "discrete", "fixed_cost": 10, "max_count": 1}],
        ),
        [y, "build_options[0]", "a discrete option needs module_size"],
    )
    case(
        "continuous_option_with_module_fields",
        setp("build_options", [{"id": "b", "facility": "au_plant", "capex": 1, "module_size": 5}]),
        [y, "build_options[0]", "module_size apply to kind 'discrete' only"],
    )
    case(
        "share_control_over_one",
        setp(
            "export_controls",
            [{"id": "b", "exporter": "CN", "commodities": ["ox"], "kind": "share", "amount": 30}],
        ),
        [y, "export_controls[0]", "needs amount in [0, 1], got 30"],
    )
    case(
        "availability_zero",
        setp("facilities.0.availability", 0),
        [y, "facilities[0].availability", "greater than 0"],
    )
    case(
        "periods_overlap",
        setp("horizon.periods", [{"year": 2025, "weight": 5}, {"year": 2027}]),
        [y, "horizon", "period 2025 with weight 5 overlaps period 2027"],
    )
    case(
        "base_year_after_start",
        setp("horizon.base_year", 2030),
        [y, "horizon", "base_year 2030 is after the first period 2025"],
    )
    case(
        "id_with_space",
        setp("regions.0.id", "South Korea"),
        [y, "regions[0].id", "'South Korea' is not a valid id"],
    )
    case(
        "tariff_without_price",
        many(setp("commodities.0.price", DELETE), setp("routes.0.tariff", 0.1)),
        [y, "routes[0].tariff", "ad valorem tariff on 'ox', which has no price"],
    )
    case(
        "control_start_after_end",
        setp(
            "export_controls",
            [{"id": "b", "exporter": "CN", "commodities": ["ox"], "start": 2030, "end": 2026}],
        ),
        [y, "export_controls[0]", "start 2030 is after end 2026"],
    )
    case(
        "unknown_compliance_class",
        setp("demand.0.compliance", "secret"),
        [y, "demand[0].compliance", "'secret'", "known: any, clear"],
    )
    case(
        "csv_extra_cells",
        csv_demand,
        ["demand.csv", "row 2", "5 cells but the header has 4"],
        files={"demand.csv": "region,commodity,year,quantity\nUS,ox,2025,100,oops\n"},
    )
    case(
        "probability_over_one",
        setp("scenarios", [{"name": "a", "probability": 1.5}]),
        [y, "scenarios[0].probability", "less than or equal to 1"],
    )
    case(
        "input_and_output_same",
        setp("facilities.0.inputs", {"ox": 1}),
        [y, "facilities[0].outputs", "both input and output"],
    )
    case(
        "discount_rate_percent",
        setp("horizon.discount_rate", 5),
        [y, "horizon.discount_rate", "less than 1", "fractions in [0, 1]"],
    )
    case(
        "offtake_on_idle_plant",
        many(
            setp("facilities.1.capacity", {2030: 1000}),
            setp(
                "offtakes",
                [{"id": "ot", "facility": "au_plant", "commodity": "ox", "quantity": 10, "price": 40}],
            ),
        ),
        [y, "offtakes[0].facility", "cannot run that year", "limit the offtake's start/end"],
    )
    # -- issue 15: input that was lost silently, numbers that reached the solver, resource limits --------
    base_yaml = yaml.safe_dump(base_dict(), sort_keys=False)
    case(
        "duplicate_yaml_key",
        None,
        [y, "duplicate key 'objective'", "line", "remove one of them"],
        raw_yaml=base_yaml + "objective: {unmet_penalty: 5}\n",
    )
    case(
        "plain_and_dotted_column",
        setp("facilities", "facilities.csv"),
        ["facilities.csv", "row 1", "'capacity' and 'capacity.2030' both set 'capacity'"],
        files={"facilities.csv": "id,region,outputs.ox,capacity,capacity.2030\ncn_plant,CN,1,1000,5\n"},
    )
    case(
        "base_year_long_before_horizon",
        many(setp("horizon.base_year", 1950), setp("horizon.discount_rate", 0.05)),
        [y, "horizon", "75 years before the first period", "set base_year"],
    )
    case(
        "semicolon_csv",
        csv_demand,
        ["demand.csv", "row 1", "separated by semicolons", "save as comma-separated"],
        files={"demand.csv": "region;commodity;year;quantity\nUS;ox;2025;100\n"},
    )
    case(
        "tab_separated_csv",
        csv_demand,
        ["demand.csv", "separated by tabs"],
        files={"demand.csv": "region\tcommodity\tyear\tquantity\nUS\tox\t2025\t100\n"},
    )
    case(
        "csv_path_is_a_folder",
        csv_demand,
        [y, "demand", "is a folder, not a CSV file"],
        files={"demand.csv/keep": ""},
    )
    case(
        "negative_money_scale", setp("units", {"scale": {"money": -1}}), [y, "units.scale.money", ">= 1e-06"]
    )
    case("zero_quantity_scale", setp("units", {"scale": {"quantity": 0}}), [y, "units.scale.quantity"])
    case("tiny_quantity_scale", setp("units", {"scale": {"quantity": 1e-300}}), [y, "units.scale.quantity"])
    case(
        "scale_not_a_number", setp("units", {"scale": {"money": "lots"}}), [y, "units.scale.money", "'lots'"]
    )
    ctl = {"id": "q", "exporter": "CN", "commodities": ["ox"], "kind": "quota", "amount": 5}
    case(
        "negative_quota",
        setp("export_controls", [{**ctl, "amount": -5}]),
        [y, "export_controls[0].amount", ">= 0"],
    )
    case(
        "negative_scenario_control_amount",
        many(
            setp("export_controls", [ctl]),
            setp("scenarios", [{"name": "s", "probability": 1, "control_amounts": {"q": -2}}]),
        ),
        [y, "scenarios[0].control_amounts.q", ">= 0"],
    )
    case(
        "scenario_share_amount_over_one",
        many(
            setp("export_controls", [{**ctl, "kind": "share", "amount": 0.5, "reference": 100}]),
            setp("scenarios", [{"name": "s", "probability": 1, "control_amounts": {"q": 3}}]),
        ),
        [y, "scenarios[0].control_amounts.q", "share control", "[0, 1]"],
    )
    bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    bomb += [
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    case("yaml_alias_bomb", None, [y, "expands to more than"], raw_yaml="\n".join(bomb) + "\n")
    case(
        "yaml_nested_too_deep",
        None,
        [y, "nested more than 100 levels"],
        raw_yaml="a: " + "[" * 500 + "]" * 500,
    )
    case(
        "yaml_two_documents",
        None,
        [y, "malformed YAML", "single document", "one document per file"],
        raw_yaml=base_yaml + "---\n" + base_yaml,
    )
    case("yaml_empty_file", None, [y, "must hold a mapping of sections"], raw_yaml="")
    case("yaml_tab_indent", None, [y, "malformed YAML", "line 2"], raw_yaml="horizon:\n\tbase_year: 2025\n")
    case(
        "thousands_separator",
        setp("demand.0.quantity", "1,000"),
        [y, "demand[0].quantity", "without units or thousands separators"],
    )
    case("percent_discount_rate", setp("horizon.discount_rate", "5%"), [y, "horizon.discount_rate", "'5%'"])
    case("lifetime_zero", setp("build_options", [{"id": "b", "facility": "au_plant", "capex": 1, "lifetime": 0}]),
         [y, "build_options[0].lifetime", ">= 1"])  # fmt: skip
    case(
        "availability_over_one",
        setp("facilities.0.availability", 1.5),
        [y, "facilities[0].availability", "<= 1"],
    )
    case(
        "unknown_build_kind",
        setp("build_options", [{"id": "b", "facility": "au_plant", "kind": "modular", "capex": 1}]),
        [y, "build_options[0]", "unknown kind 'modular'", "'continuous', 'discrete'"],
    )
    case(
        "csv_header_only_demand",
        csv_demand,
        ["demand.csv", "no demand rows"],
        files={"demand.csv": "region,commodity,year,quantity\n"},
    )
    case(
        "csv_empty_header_column",
        csv_demand,
        ["demand.csv", "row 1", "header column 5 is empty"],
        files={"demand.csv": "region,commodity,year,quantity,\nUS,ox,2025,100,\n"},
    )
    case(
        "csv_bom_and_bad_value",
        csv_demand,
        ["demand.csv", "row 2", "column 'quantity'"],
        files={"demand.csv": "\ufeffregion,commodity,year,quantity\nUS,ox,2025,lots\n"},
    )
    case(
        "risk_importer_unknown",
        setp("objective.risk_importers", ["USA"]),
        [y, "objective.risk_importers", "unknown region or bloc 'USA'"],
    )
    case(
        "share_without_reference",
        setp("export_controls", [{**ctl, "kind": "share", "amount": 0.5}]),
        [y, "export_controls[0]", "needs 'reference'"],
    )
    case(
        "control_lists_nothing",
        setp("export_controls", [{"id": "c", "exporter": "CN", "kind": "ban"}]),
        [y, "export_controls[0]", "must list commodities, elements or stages"],
    )
    case(
        "unknown_element",
        setp("export_controls", [{"id": "c", "exporter": "CN", "elements": ["Dyy"], "kind": "ban"}]),
        [y, "export_controls[0].elements", "unknown element symbol 'Dyy'", "did you mean 'Dy'?"],
    )
    case(
        "unknown_stage",
        setp("export_controls", [{"id": "c", "exporter": "CN", "stages": ["magnets"], "kind": "ban"}]),
        [y, "export_controls[0].stages", "unknown stage 'magnets'"],
    )
    case(
        "de_minimis_without_reach",
        setp("export_controls", [{"id": "c", "exporter": "CN", "commodities": ["ox"], "de_minimis": 0.001}]),
        [y, "export_controls[0]", "de_minimis applies to extraterritorial controls only"],
    )
    case(
        "de_minimis_needs_prices",
        many(
            setp("commodities", [{"id": "ox", "stage": "separation"}, {"id": "mag", "stage": "magnet", "price": 5}]),
            setp("facilities.1", {"id": "au_plant", "region": "AU", "inputs": {"ox": 1}, "outputs": {"mag": 1},
                                   "capacity": 1000}),
            setp("demand.0.commodity", "mag"),
            setp("routes", [{"commodity": "ox", "origin": "CN", "destination": "AU"},
                            {"commodity": "mag", "origin": "AU", "destination": "US"}]),
            setp("export_controls", [{"id": "c", "exporter": "CN", "commodities": ["ox"], "kind": "quota",
                                      "amount": 9, "extraterritorial": True, "de_minimis": 0.001}]),
        ),
        [y, "commodities[0].price", "'ox' needs a price", "0.1% rule"],
    )  # fmt: skip
    case(
        "ramp_above_one",
        setp("facilities.1.ramp", [0.5, 1.2]),
        [y, "facilities[1].ramp", "1.2 is not in (0, 1]"],
    )
    case(
        "ramp_not_ending_at_one",
        setp("ramps", {"separation": [0.4, 0.8]}),
        [y, "ramps.separation", "must end at 1"],
    )
    case(
        "build_rate_negative",
        setp("build_rates", [{"id": "r", "stage": "separation", "limit": -5}]),
        [y, "build_rates[0].limit", "-5"],
    )
    case(
        "build_rate_decreasing",
        setp("build_rates", [{"id": "r", "stage": "separation", "limit": {2025: 40, 2030: 10}}]),
        [y, "build_rates[0]", "limit falls from 40 (2025) to 10 (2030)"],
    )
    case(
        "slip_beyond_horizon",
        many(setp("build_options", [{"id": "b", "facility": "au_plant", "capex": 10}]),
             setp("scenarios", [{"name": "late", "probability": 1.0,
                                 "slips": [{"options": ["b"], "years": 5}]}])),
        [y, "scenarios[0].slips[0].years", "a slip of 5 years", "past the horizon"],
    )  # fmt: skip
    case(
        "recourse_without_reveal",
        many(setp("recourse", True),
             setp("scenarios", [{"name": "a", "probability": 0.5}, {"name": "b", "probability": 0.5}])),
        [y, "recourse", "no scenario has a reveal year"],
    )  # fmt: skip
    case(
        "heavy_yield_above_feed",
        many(
            setp("commodities", [{"id": "ox", "stage": "separation", "price": 100, "contains": {"Dy": 1}},
                                 {"id": "conc", "stage": "mining", "contains": {"Dy": 0.04}}]),
            setp("facilities.1", {"id": "au_plant", "region": "AU", "inputs": {"conc": 1},
                                  "outputs": {"ox": 0.05}, "capacity": 1000}),
        ),
        [y, "facilities[1].outputs", "recovers 0.05 t of Dy", "more than its inputs contain (0.04 t)"],
    )  # fmt: skip
    case(
        "compliance_class_unknown_test",
        many(setp("compliance_classes", [{"id": "dfars", "test": "ownership"}]),
             setp("demand.0.compliance", "dfars")),
        [y, "compliance_classes[0].test", "'origin' or 'none'"],
    )  # fmt: skip
    case(
        "compliance_share_above_one",
        many(
            setp("compliance_classes", [{"id": "feoc", "max_share": 1.5}]),
            setp("demand.0.compliance", "feoc"),
        ),
        [y, "compliance_classes[0].max_share", "1.5"],
    )
    case(
        "de_minimis_negative",
        setp("export_controls", [{"id": "c", "exporter": "CN", "commodities": ["ox"], "kind": "ban",
                                  "extraterritorial": True, "de_minimis": -0.001}]),
        [y, "export_controls[0].de_minimis", "-0.001"],
    )  # fmt: skip
    case(
        "compliance_element_not_carried",
        many(
            setp("commodities.0.elements", ["Nd", "Pr"]),
            setp("compliance_classes", [{"id": "dfars", "elements": ["Sm"]}]),
            setp("demand.0.compliance", "dfars"),
        ),
        [y, "compliance_classes[0].elements", "element 'Sm' is carried by no commodity"],
    )
    case(
        "control_element_not_carried",
        many(
            setp("commodities.0.elements", ["Nd", "Pr"]),
            setp("export_controls", [{"id": "c", "exporter": "CN", "elements": ["Sm"], "kind": "ban"}]),
        ),
        [y, "export_controls[0].elements", "lists elements no commodity carries (Sm)"],
    )
    two = [{"name": "a", "probability": 0.5}, {"name": "b", "probability": 0.5}]
    case(
        "revealed_before_base_year",
        setp("scenarios", [two[0], {**two[1], "revealed": 1990}]),
        [y, "scenarios[1].revealed", "revealed in 1990, before the base year"],
    )
    case(
        "revealed_after_horizon",
        setp("scenarios", [two[0], {**two[1], "revealed": 2031}]),
        [y, "scenarios[1].revealed", "after the horizon's last year"],
    )
    case(
        "schema_from_the_future",
        setp("schema_version", 7),
        [y, "schema_version", "newer than this critmin reads"],
    )
    # issue 24: deals as what they finance, cost of capital, price paths
    case(
        "deal_part_names_nothing",
        setp("deals", [{"id": "d", "parts": ["facilities:au_plnt"]}]),
        [y, "deals[0].parts[0]", "no facilities row with id 'au_plnt'", "au_plant"],
    )
    case(
        "deal_when_off_not_a_part",
        setp(
            "deals",
            [
                {
                    "id": "d",
                    "parts": ["facilities:au_plant"],
                    "when_off": [{"part": "facilities:cn_plant", "delay": 1}],
                }
            ],
        ),  # fmt: skip
        [y, "deals[0].when_off[0].part", "is not one of deal 'd''s parts"],
    )
    case(
        "hurdle_rate_one_or_more",
        setp("finance", {"hurdle_rates": [{"id": "h", "rate": 1.2}]}),
        [y, "finance.hurdle_rates[0].rate", "1.2"],
    )
    case(
        "hurdle_rate_negative",
        setp("finance", {"hurdle_rates": [{"id": "h", "rate": -0.05}]}),
        [y, "finance.hurdle_rates[0].rate", "-0.05"],
    )
    case(
        "concessional_unknown_option",
        setp("finance", {"concessional": [{"id": "c", "options": ["nosuch"], "rate": 0.02}]}),
        [y, "finance.concessional[0].options", "unknown build option 'nosuch'"],
    )
    case(
        "price_path_missing_years",
        setp("price_paths", [{"id": "p", "commodity": "ox", "factors": {2027: 1.5}}]),
        [y, "price_paths[0].factors", "the years 2025-2026 have no price"],
    )
    case(
        "price_path_unknown_commodity",
        setp("price_paths", [{"id": "p", "commodity": "oxx", "factors": {2025: 1.5}}]),
        [y, "price_paths[0].commodity", "unknown commodity 'oxx'", "ox"],
    )
    case(
        "price_floor_below_zero",
        setp("price_floors", [{"id": "f", "facility": "au_plant", "commodity": "ox", "floor": -10}]),
        [y, "price_floors[0].floor", "-10"],
    )
    bench = {"id": "cb", "regions": ["US", "AU"], "stage": "separation", "commodity": "ox", "basis": "ox",
             "per_unit": 1, "share": 0.4}  # fmt: skip
    case(
        "capacity_benchmark_unknown_stage",
        setp("policies", {"capacity_benchmarks": [dict(bench, stage="seperation")]}),
        [y, "policies.capacity_benchmarks[0].stage", "unknown stage 'seperation'", "separation"],
    )
    case(
        "capacity_benchmark_per_unit_zero",
        setp("policies", {"capacity_benchmarks": [dict(bench, per_unit=0)]}),
        [y, "policies.capacity_benchmarks[0].per_unit", "greater than 0"],
    )
    case(
        "capacity_benchmark_unknown_region",
        setp("policies", {"capacity_benchmarks": [dict(bench, regions=["US", "AUS"])]}),
        [y, "policies.capacity_benchmarks[0].regions", "unknown region 'AUS'", "AU"],
    )
    print(f"{sum(1 for d in HERE.iterdir() if d.is_dir())} cases")


if __name__ == "__main__":
    main()
