"""The Python API: dicts in, a Pyomo model users can extend, a Solution out."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

import critmin
import critmin.io.orlib
from conftest import ROOT, make
from critmin import Instance, build_model, load_instance, solve


def test_public_api_names():
    for name in ("load_instance", "build_model", "solve", "Solution", "Instance", "SolveOptions"):
        assert hasattr(critmin, name)


def test_instance_from_plain_dicts(tiny):
    inst = Instance.model_validate(tiny)
    sol = solve(inst)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(1500)


def test_model_validate_reports_reference_problems(tiny):
    tiny["facilities"][0]["region"] = "CNN"
    with pytest.raises(ValueError, match="unknown region 'CNN'.*did you mean 'CN'"):
        Instance.model_validate(tiny)


def test_user_constraint_on_built_model(tiny):
    model = build_model(make(tiny))
    # a user rule: at least 60 t must come from Australia
    au = [model.ship[k] for k in model.ship if k[1] == "AU"]
    model.my_rule = pyo.Constraint(expr=sum(au) >= 60 / model._critmin_data.q)
    sol = solve(model=model)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(40 * 15 + 60 * 35)


def test_infeasible_user_constraint_returns_status_not_exception(tiny):
    model = build_model(make(tiny))
    model.impossible = pyo.Constraint(expr=sum(model.ship[k] for k in model.ship) >= 1e9)
    sol = solve(model=model)
    assert sol.status == "infeasible"
    assert sol.exit_code == 2
    assert not sol.has_solution
    assert sol.tables == {}


def test_scenario_selection_and_risk_weight_override(tiny):
    tiny["scenarios"] = [
        {"name": "a", "probability": 0.5, "demand": [{"factor": 2}]},
        {"name": "b", "probability": 0.5},
    ]
    inst = make(tiny)
    assert solve(inst, scenario="a").objective == pytest.approx(200 * 15)
    assert solve(inst, risk_weight=100).objective == pytest.approx(150 * 35)


def test_unknown_scenario_is_a_clear_error(tiny):
    with pytest.raises(critmin.InstanceError, match="did you mean 'base'"):
        build_model(make(tiny), scenario="bse")


def test_time_limit_returns_incumbent_or_no_solution():
    inst = critmin.io.orlib.cap_instance(ROOT / "tests" / "data" / "orlib" / "cap131.txt")
    sol = solve(inst, time_limit=0.0, mip_gap=0.0)
    assert sol.status in ("feasible", "no_solution")
    assert sol.exit_code == (0 if sol.status == "feasible" else 3)
    if sol.status == "feasible":
        assert sol.bound <= sol.objective


def test_load_demo_and_solve():
    inst = load_instance(ROOT / "instances" / "demo" / "demo.yaml")
    assert len(inst.sha256) == 64
    sol = solve(inst)
    assert sol.status == "optimal"
    assert sol.timings["build"] > 0 and sol.timings["solve"] > 0


def test_loose_gap_is_reported_feasible_not_optimal():
    inst = critmin.io.orlib.cap_instance(ROOT / "tests" / "data" / "orlib" / "cap131.txt")
    sol = solve(inst, mip_gap=0.5)
    assert sol.status == "feasible"
    assert sol.gap is not None and 1e-4 < sol.gap <= 0.5
    assert "not proven optimal" in sol.message
    assert sol.bound <= sol.objective
    assert sol.exit_code == 0
