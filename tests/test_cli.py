"""The CLI through click's runner: exit codes, printed summary, output directories."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, base_dict
from critmin.cli import main

DEMO = str(ROOT / "instances" / "demo" / "demo.yaml")


@pytest.fixture
def runner():
    return CliRunner()


def test_validate_ok(runner):
    r = runner.invoke(main, ["validate", DEMO])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("ok: demo: 5 regions")


def test_solve_prints_summary_and_writes_directory(runner, tmp_path):
    out = tmp_path / "demo"
    r = runner.invoke(main, ["solve", DEMO, "-o", str(out)])
    assert r.exit_code == 0, r.output
    for text in (
        "status     optimal",
        "builds",
        "us_separation",
        "shortfalls",
        "allied demand met with material China's controls do not reach",
    ):
        assert text in r.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert (out / "builds.csv").exists() and (out / "flows.csv").exists()


def test_solve_parquet_and_force(runner, tmp_path):
    out = tmp_path / "demo"
    assert runner.invoke(main, ["solve", DEMO, "-o", str(out), "--format", "parquet"]).exit_code == 0
    assert (out / "builds.parquet").exists()
    r = runner.invoke(main, ["solve", DEMO, "-o", str(out)])
    assert r.exit_code == 1 and "exists" in r.output and "--force" in r.output
    r = runner.invoke(main, ["solve", DEMO, "-o", str(out), "--force"])
    assert r.exit_code == 0
    assert (out / "builds.csv").exists() and not (out / "builds.parquet").exists()


def test_solve_options_are_recorded(runner, tmp_path):
    out = tmp_path / "s"
    r = runner.invoke(
        main,
        [
            "solve",
            DEMO,
            "--scenario",
            "controls",
            "--mip-gap",
            "0",
            "--threads",
            "1",
            "--seed",
            "7",
            "--risk-weight",
            "0",
            "--time-limit",
            "60",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    opts = json.loads((out / "summary.json").read_text())["options"]
    assert opts == {
        "time_limit": 60.0,
        "mip_gap": 0.0,
        "threads": 1,
        "seed": 7,
        "verbose": False,
        "risk_weight": 0.0,
        "scenario": "controls",
        "highs_options": {},
        "lp_algorithm": "auto",
        "rounding": True,
        "engine": "matrix",
    }


def _write(tmp_path, data, name="inst.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data))
    return p


def test_bad_input_exit_1_no_output(runner, tmp_path):
    data = base_dict()
    data["routes"][0]["origin"] = "China"
    p = _write(tmp_path, data)
    out = tmp_path / "out"
    for cmd in (["validate", str(p)], ["solve", str(p), "-o", str(out)]):
        r = runner.invoke(main, cmd)
        assert r.exit_code == 1
        assert "inst.yaml, routes[0].origin: unknown region 'China'" in r.output
        assert "Traceback" not in r.output
    assert not out.exists()


def test_unknown_scenario_exit_1(runner):
    r = runner.invoke(main, ["solve", DEMO, "--scenario", "control"])
    assert r.exit_code == 1
    assert "did you mean 'controls'" in r.output


def test_infeasible_exit_2(runner, tmp_path, monkeypatch):
    from critmin import solve as api_solve

    def forced_infeasible(*a, **k):
        import pyomo.environ as pyo

        from critmin import build_model

        m = build_model(a[0])
        m.no = pyo.Constraint(expr=sum(m.unmet[k] for k in m.unmet) <= -1)
        return api_solve(model=m, options=k.get("options"))

    import sys

    monkeypatch.setattr(sys.modules["critmin.solving"], "solve", forced_infeasible)
    out = tmp_path / "o"
    r = runner.invoke(main, ["solve", DEMO, "-o", str(out)])
    assert r.exit_code == 2
    assert "infeasible" in r.output
    assert not out.exists()


def test_time_limit_without_solution_exit_3(runner, tmp_path):
    from critmin.io.orlib import cap_instance

    inst = cap_instance(ROOT / "tests" / "data" / "orlib" / "cap131.txt")
    p = tmp_path / "cap.yaml"
    p.write_text(yaml.safe_dump(inst.model_dump(mode="json", exclude_defaults=True)))
    r = runner.invoke(main, ["solve", str(p), "--time-limit", "0", "--mip-gap", "0"])
    assert r.exit_code in (0, 3)
    assert ("no_solution" in r.output) == (r.exit_code == 3)
    assert ("status     feasible" in r.output) == (r.exit_code == 0)


def test_csv_tables_beside_yaml(runner, tmp_path):
    src = ROOT / "instances" / "demo"
    shutil.copytree(src, tmp_path / "demo")
    r = runner.invoke(main, ["validate", str(tmp_path / "demo")])  # a folder with one YAML works too
    assert r.exit_code == 0, r.output


def test_a_long_analysis_reports_progress_with_an_estimate(monkeypatch, capsys):
    """Off a terminal (a log, a pipe), a run past ~5 s says how far it is and how long is left, every ~10 s;
    attribute ran 8-17 minutes with nothing on stderr."""
    import time

    from critmin.cli.common import Progress

    clock = iter([100.0, 101.0, 106.0, 107.0, 118.0, 200.0])
    monkeypatch.setattr(time, "perf_counter", lambda: next(clock))
    p = Progress("attribute")  # starts at t=100
    p(1, 32)  # t=101: too early to speak
    p(4, 32)  # t=106: past 5 s
    p(5, 32)  # t=107: too soon after the last line
    p(16, 32)  # t=118
    p(32, 32)  # t=200: done
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "attribute: 4/32 solves, 6s so far, about 42s left"
    assert err[1].startswith("attribute: 16/32 solves, 18s so far, about 18s left")
    assert err[2] == "attribute: 32/32 solves done in 2 min" and len(err) == 3


def test_progress_estimates_each_round_from_its_own_start(monkeypatch, capsys):
    """value runs three rounds of solves with one progress line; the estimate of the second round divided
    the whole run's time by the second round's count ("1/58 solves, 9s so far, about 8 min left" when 6 s
    were left)."""
    import time

    from critmin.cli.common import Progress

    clock = iter([100.0, 109.0, 115.0, 126.0, 132.0])
    monkeypatch.setattr(time, "perf_counter", lambda: next(clock))
    p = Progress("value")  # starts at t=100
    p(8, 8)  # t=109: the first round done (9 s)
    p(2, 58)  # t=115: the round's two long solves first: no estimate from them
    p(29, 58)  # t=126: half of the second round in its first 17 s
    p(58, 58)  # t=132
    err = capsys.readouterr().err.splitlines()
    assert err[1] == "value: 2/58 solves, 15s so far"
    assert err[2] == "value: 29/58 solves, 26s so far, about 17s left"
