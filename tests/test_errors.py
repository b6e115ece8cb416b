"""Bad input gives located, actionable errors (file, field or row/column, what, how to fix)."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT, base_dict
from critmin import InstanceError, load_instance


def _load(tmp_path, data, name="inst.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    with pytest.raises(InstanceError) as exc:
        load_instance(p)
    return str(exc.value)


def test_unknown_reference_did_you_mean(tmp_path):
    d = base_dict()
    d["demand"][0]["commodity"] = "oxx"
    msg = _load(tmp_path, d)
    assert "inst.yaml, demand[0].commodity: unknown commodity 'oxx' (did you mean 'ox'?)" in msg


def test_unknown_field_did_you_mean(tmp_path):
    d = base_dict()
    d["facilities"][0]["var_cst"] = 3
    msg = _load(tmp_path, d)
    assert "facilities[0].var_cst: unknown field 'var_cst' (did you mean 'var_cost'?)" in msg


def test_negative_and_wrong_type_and_nan(tmp_path):
    d = base_dict()
    d["facilities"][0]["capacity"] = -5
    d["facilities"][1]["var_cost"] = "cheap"
    d["demand"][0]["quantity"] = float("nan")
    msg = _load(tmp_path, d)
    assert "facilities[0].capacity" in msg and "greater than or equal to 0" in msg
    assert "facilities[1].var_cost" in msg and "'cheap'" in msg
    assert "demand[0].quantity" in msg
    assert msg.count("\n  - ") == 3  # every problem reported at once


def test_probabilities_must_sum_to_one(tmp_path):
    d = base_dict()
    d["scenarios"] = [{"name": "a", "probability": 0.5}, {"name": "b", "probability": 0.4}]
    assert "scenario probabilities sum to 0.9, not 1" in _load(tmp_path, d)


def test_lead_time_past_horizon(tmp_path):
    d = base_dict()
    d["build_options"] = [{"id": "x", "facility": "au_plant", "capex": 1, "lead_time": 3}]
    msg = _load(tmp_path, d)
    assert "build_options[0].lead_time" in msg and "never come online" in msg


def test_route_to_itself_and_duplicates(tmp_path):
    d = base_dict()
    d["routes"].append({"commodity": "ox", "origin": "US", "destination": "US"})
    d["regions"].append({"id": "US", "bloc": "home"})
    msg = _load(tmp_path, d)
    assert "route from 'US' to itself" in msg
    assert "duplicate id 'US'" in msg


def test_empty_demand(tmp_path):
    d = base_dict()
    d["demand"] = []
    assert "no demand rows" in _load(tmp_path, d)


def test_malformed_yaml(tmp_path):
    msg = _load(tmp_path, "name: x\nregions: [a, b\n")
    assert "inst.yaml" in msg and "malformed YAML at line" in msg


def _csv_instance(tmp_path, demand_csv: str):
    d = base_dict()
    d["demand"] = "demand.csv"
    (tmp_path / "demand.csv").write_text(demand_csv)
    return d


def test_csv_row_and_column_in_errors(tmp_path):
    d = _csv_instance(tmp_path, "region,commodity,year,quantity\nUS,ox,2025,100\nUS,ox,2025,-1\n")
    msg = _load(tmp_path, d)
    assert "demand.csv, row 3, column 'quantity'" in msg


def test_csv_misspelt_column(tmp_path):
    d = _csv_instance(tmp_path, "region,commodity,year,quantty\nUS,ox,2025,100\n")
    msg = _load(tmp_path, d)
    assert "column 'quantty': unknown field 'quantty' (did you mean 'quantity'?)" in msg
    assert "column 'quantity': required field 'quantity' is missing" in msg


def test_csv_path_escaping_instance_folder(tmp_path):
    sub = tmp_path / "inst"
    sub.mkdir()
    (tmp_path / "demand.csv").write_text("region,commodity,year,quantity\nUS,ox,2025,100\n")
    d = base_dict()
    d["demand"] = "../demand.csv"
    msg = _load(sub, d)
    assert "points outside the instance folder" in msg


def test_missing_csv_did_you_mean(tmp_path):
    (tmp_path / "demand.csv").write_text("region,commodity,year,quantity\nUS,ox,2025,100\n")
    d = base_dict()
    d["demand"] = "demands.csv"
    assert "did you mean 'demand.csv'" in _load(tmp_path, d)


def test_non_utf8_bytes(tmp_path):
    p = tmp_path / "inst.yaml"
    p.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InstanceError, match="not UTF-8 text: byte 0xe9 at line 1"):
        load_instance(p)


def test_yaml_is_not_executed(tmp_path):
    msg = _load(tmp_path, "name: !!python/object/apply:os.system ['echo hacked']\n")
    assert "malformed YAML" in msg


def test_missing_file():
    with pytest.raises(InstanceError, match="file not found"):
        load_instance(ROOT / "nope.yaml")
