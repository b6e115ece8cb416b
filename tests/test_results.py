"""Solution tables are consistent with the objective and survive a write/read round trip."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import ROOT
from critmin import Solution, load_instance, solve
from critmin.errors import OutputExistsError
from critmin.io.output import OutputError
from critmin.results import TABLES


@pytest.fixture(scope="module")
def demo_solution():
    return solve(load_instance(ROOT / "instances" / "demo" / "demo.yaml"))


def test_objective_parts_and_cost_table_add_up(demo_solution):
    sol = demo_solution
    assert sum(sol.objective_parts.values()) == pytest.approx(sol.objective, rel=1e-9)
    costs = sol.costs
    prob = {s: p for s, p in zip(sol.kpis_total.scenario, sol.kpis_total.probability, strict=True)}
    weight = costs.scenario.map(lambda s: 1.0 if s == "all" else prob[s])
    assert (costs.discounted * weight).sum() == pytest.approx(sol.objective, rel=1e-9)
    by_part = (costs.discounted * weight).groupby(costs.component).sum()
    for part, value in sol.objective_parts.items():
        assert by_part.get(part, 0.0) == pytest.approx(value, rel=1e-9, abs=1e-6)


def test_tables_are_tidy_and_in_tonnes(demo_solution):
    sol = demo_solution
    for name in TABLES:
        assert isinstance(getattr(sol, name), pd.DataFrame), name
    # deliveries + unmet = demand, per demand row and scenario
    u = sol.unmet
    d = sol.deliveries.groupby(["region", "commodity", "year", "compliance", "scenario"]).quantity.sum()
    merged = u.set_index(["region", "commodity", "year", "compliance", "scenario"]).join(d).fillna(0)
    assert (merged.quantity + merged.unmet).to_numpy() == pytest.approx(merged.demand.to_numpy())
    # production never exceeds the capacity usable in its scenario (nameplate at most)
    cap = sol.capacity.set_index(["facility", "year", "scenario"])
    assert (cap.usable <= cap.capacity + 1e-6).all()
    act = sol.production.groupby(["facility", "year", "scenario", "tag"]).activity.first()
    act = act.groupby(["facility", "year", "scenario"]).sum()
    for (f, y, s), a in act.items():
        assert a <= cap.loc[(f, y, s), "usable"] + 1e-6


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_read_round_trip(demo_solution, tmp_path, fmt):
    out = demo_solution.write(tmp_path / "sol", fmt=fmt)
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "status",
        "objective",
        "objective_parts",
        "bound",
        "gap",
        "timings",
        "counts",
        "versions",
        "options",
        "instance",
    ):
        assert key in summary
    assert len(summary["instance"]["sha256"]) == 64
    assert summary["counts"]["variables"] > 0
    back = Solution.read(out)
    assert back.objective == demo_solution.objective
    for name in TABLES:
        a, b = getattr(demo_solution, name), getattr(back, name)
        assert len(a) == len(b), name
        if len(a):
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b, check_dtype=False)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_write_refuses_to_overwrite_without_force(demo_solution, tmp_path):
    out = demo_solution.write(tmp_path / "sol")
    with pytest.raises(OutputExistsError):
        demo_solution.write(out)
    demo_solution.write(out, force=True)  # a folder critmin wrote, holding only its own files: replaced
    assert (out / "summary.json").exists()
    (out / "builds.csv").write_text("my edit")
    with pytest.raises(OutputError, match="changed since critmin wrote them.*builds.csv"):
        demo_solution.write(out, force=True)  # the user edited one of its files: never replaced
    assert (out / "builds.csv").read_text() == "my edit"


def test_force_never_replaces_a_folder_holding_a_users_files(demo_solution, tmp_path):
    out = demo_solution.write(tmp_path / "sol")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="notes.txt"):
        demo_solution.write(out, force=True)
    assert (out / "notes.txt").read_text() == "mine" and (out / "summary.json").exists()


def test_demo_tells_the_story(demo_solution):
    """China dominates; the ban scenario stops controlled magnets reaching the US; the US builds."""
    sol = demo_solution
    d = sol.deliveries
    us_ctrl = d[(d.region == "US") & (d.scenario == "controls") & (d.year >= 2027) & (d.tag == "controlled")]
    assert us_ctrl.quantity.sum() == pytest.approx(0, abs=1e-6)
    assert set(sol.builds.region) >= {"US"}
    quo = sol.kpis[(sol.kpis.scenario == "status_quo") & (sol.kpis.year == 2025)]
    assert quo.controlled_share.iloc[0] > 0.9


def test_kpis_by_region(demo_solution):
    k = demo_solution.kpis_region
    us = k[(k.region == "US") & (k.scenario == "controls") & (k.year == 2030)]
    assert us.controlled_share.iloc[0] == pytest.approx(0.0, abs=1e-9)  # ban + extraterritorial rule
    total = k.groupby(["scenario", "year", "commodity"]).demand.sum()
    assert total.to_numpy() == pytest.approx(
        demo_solution.kpis.set_index(["scenario", "year", "commodity"]).demand.loc[total.index].to_numpy()
    )
