"""Plans that can really be built (issue 23), each on a hand-computable instance: ramp-up within a multi-year
period, a build-rate limit that binds (and widens with learning), a schedule slip, a recourse build after a
reveal that the two-stage model cannot make, a heavy circuit beside a light one, and Dy thrifting. Both
backends agree on every case (conftest.solved)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import base_dict, cost, make, solved
from critmin.errors import InstanceError


def _au_only(periods: list[dict[str, int]]) -> dict[str, Any]:
    """The US needs 100 t/yr of ox; only Australia (30/t + 5 route) can make it; 1000 per t short."""
    d = base_dict()
    d["horizon"]["periods"] = periods
    d["facilities"] = [d["facilities"][1]]
    d["routes"] = [d["routes"][1]]
    d["demand"] = [{"region": "US", "commodity": "ox", "year": p["year"], "quantity": 100} for p in periods]
    return d


@pytest.mark.family("capacity_limit")
def test_a_committed_plant_ramps_within_a_two_year_period():
    d = _au_only([{"year": 2025}, {"year": 2026, "weight": 2}])
    d["facilities"][0]["capacity"] = {2026: 100}  # committed: first output in 2026
    plain = solved(d)
    assert cost(plain) == pytest.approx(100 * 1000 + 2 * 100 * 35)
    d["facilities"][0]["ramp"] = [0.5, 1]  # half of nameplate in 2026, all of it in 2027: 75 t/yr on average
    ramped = solved(d)
    assert cost(ramped) == pytest.approx(100 * 1000 + 2 * (75 * 35 + 25 * 1000))
    cap = ramped.capacity.set_index(["year"])
    assert cap.loc[2026, "capacity"] == pytest.approx(100) and cap.loc[2026, "usable"] == pytest.approx(75)


@pytest.mark.family("capacity_limit")
def test_a_build_ramps_by_the_stage_default_unless_it_has_its_own():
    d = _au_only([{"year": 2025}, {"year": 2026, "weight": 2}])
    d["facilities"][0]["capacity"] = 0
    d["build_options"] = [
        {"id": "b", "facility": "au_plant", "capex": 0, "lead_time": 1, "max_capacity": 100}
    ]
    d["ramps"] = {"separation": [0.25, 1]}  # 2026: 25, 2027: 100 -> 62.5 t/yr over the period
    sol = solved(d)
    assert cost(sol) == pytest.approx(100 * 1000 + 2 * (62.5 * 35 + 37.5 * 1000))
    d["build_options"][0]["ramp"] = [1]  # its own: nameplate at once
    assert cost(solved(d)) == pytest.approx(100 * 1000 + 2 * 100 * 35)


def _rate_case(learning: float) -> dict[str, Any]:
    """Two single years; Australia has no capacity and may build (capex 300 per t/yr, 30-year life, no
    discounting: 10 per t/yr and year online); at most 40 t/yr of separation may come online per year."""
    d = _au_only([{"year": 2025}, {"year": 2026}])
    d["facilities"][0]["capacity"] = 0
    d["build_options"] = [{"id": "b", "facility": "au_plant", "capex": 300}]
    d["build_rates"] = [{"id": "sep", "stage": "separation", "limit": 40, "learning": learning}]
    return d


@pytest.mark.family("build_rate")
def test_a_build_rate_limit_binds_and_learning_widens_it():
    sol = solved(_rate_case(0.0))
    b = sol.builds.set_index("year").capacity_added
    assert b.loc[2025] == pytest.approx(40) and b.loc[2026] == pytest.approx(40)
    # 2025: 40 made, 60 short; 2026: 80 made, 20 short; capex 10/yr per t/yr online
    expected = 40 * 35 + 60 * 1000 + 80 * 35 + 20 * 1000 + 40 * 10 * 2 + 40 * 10
    assert cost(sol) == pytest.approx(expected)
    sol = solved(_rate_case(0.5))  # 2026: 40 + 0.5 x 40 = 60 may come online: the US is served in full
    b = sol.builds.set_index("year").capacity_added
    assert b.loc[2026] == pytest.approx(60)
    assert sol.unmet.set_index("year").loc[2026, "unmet"] == pytest.approx(0, abs=1e-6)


def _recycler(d: dict[str, Any]) -> dict[str, Any]:
    """Australia's plant made a recycler: it makes ox from scrap (free, plenty) and resets provenance."""
    d["commodities"].append({"id": "scrap", "stage": "end-of-life", "price": 1})
    d["facilities"].append({"id": "au_scrap", "region": "AU", "outputs": {"scrap": 1}, "capacity": 1000})
    d["facilities"][0].update(inputs={"scrap": 1}, provenance="own")
    return d


@pytest.mark.family("build_rate")
def test_a_recycler_is_held_by_a_recycling_build_rate_and_ramp_not_a_separation_one():
    """One rule for a plant's stage (Instance.facility_stages): a recycler making oxide is 'recycling' for
    build rates and ramps as for capacity benchmarks and the tables. Build rates and ramps took the stage of
    its first output (separation), so a separation limit held recyclers and a recycling one was refused."""
    d = _recycler(_rate_case(0.0))
    b = solved(d).builds.set_index("year").capacity_added
    assert b.loc[2025] == pytest.approx(100)  # the separation limit does not hold a recycler
    d["build_rates"][0]["stage"] = "recycling"
    b = solved(d).builds.set_index("year").capacity_added
    assert b.loc[2025] == pytest.approx(40) and b.loc[2026] == pytest.approx(40)
    d = _recycler(_au_only([{"year": 2025}, {"year": 2026, "weight": 2}]))
    d["facilities"][0]["capacity"] = 0
    d["build_options"] = [
        {"id": "b", "facility": "au_plant", "capex": 0, "lead_time": 1, "max_capacity": 100}
    ]
    d["ramps"] = {"separation": [0.25, 1]}
    assert cost(solved(d)) == pytest.approx(100 * 1000 + 2 * 100 * 35)  # not a separation plant: no ramp
    d["ramps"] = {"recycling": [0.25, 1]}  # 2026: 25, 2027: 100 -> 62.5 t/yr over the period
    assert cost(solved(d)) == pytest.approx(100 * 1000 + 2 * (62.5 * 35 + 37.5 * 1000))


def test_diagnose_prices_a_binding_build_rate():
    from critmin.analysis.diagnose import diagnose

    rep = diagnose(make(_rate_case(0.0)))
    rows = rep.binding[rep.binding.family == "build_rate"]
    assert len(rows) == 2
    # one more t/yr online in 2026 serves a tonne short in 2026 (1000) less making it (35) and its capex (10)
    price = rows[rows.constraint.str.contains("2026")].shadow_price.iloc[0]
    assert abs(price) == pytest.approx(1000 - 35 - 10)


@pytest.mark.family("capacity_limit")
def test_a_slip_delays_a_project_in_its_scenario_only():
    d = _au_only([{"year": 2025}, {"year": 2026}])
    d["facilities"][0]["capacity"] = 0
    d["build_options"] = [{"id": "b", "facility": "au_plant", "capex": 0, "max_capacity": 100}]
    d["scenarios"] = [
        {"name": "on_time", "probability": 0.6},
        {"name": "late", "probability": 0.4, "slips": [{"projects": "pre_fid", "years": 1}]},
    ]
    sol = solved(d)
    # built in 2025 for both; in 'late' it comes online in 2026: 2025 is short there
    assert cost(sol) == pytest.approx(0.6 * 2 * 100 * 35 + 0.4 * (100 * 1000 + 100 * 35))
    d["build_options"][0]["fid"] = True  # decided: a pre-FID slip spares it
    assert cost(solved(d)) == pytest.approx(2 * 100 * 35)


def _recourse_case(recourse: bool | None) -> dict[str, Any]:
    """China supplies the US at 15/t; in 'ban' (p 0.2, revealed 2026) it stops from 2027. Australia can
    build (capex 300 per t/yr, 1-year life: 300 a year online; lead time 1: decided in 2026, online 2027)."""
    d = base_dict()
    d["horizon"]["periods"] = [{"year": y} for y in (2025, 2026, 2027)]
    d["demand"] = [
        {"region": "US", "commodity": "ox", "year": y, "quantity": 100} for y in (2025, 2026, 2027)
    ]
    d["facilities"][1]["capacity"] = 0
    d["build_options"] = [{"id": "b", "facility": "au_plant", "capex": 300, "lifetime": 1, "lead_time": 1}]
    d["scenarios"] = [
        {"name": "calm", "probability": 0.8},
        {"name": "ban", "probability": 0.2, "revealed": 2026},
    ]
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"], "kind": "ban",
                             "scenarios": ["ban"], "start": 2027}]  # fmt: skip
    if recourse is not None:
        d["recourse"] = recourse
    return d


@pytest.mark.family("build_capacity")
def test_a_recourse_build_after_the_reveal_that_the_two_stage_model_cannot_make():
    sol = solved(_recourse_case(None))  # recourse by default: the build is decided in 2026, for 'ban' only
    assert set(sol.builds.branch) == {"ban"} and sol.builds.capacity_added.iloc[0] == pytest.approx(100)
    common = 2 * 100 * 15 + 0.8 * 100 * 15
    assert cost(sol) == pytest.approx(common + 0.2 * (100 * 300 + 100 * 35))
    two_stage = solved(_recourse_case(False))  # one build for both: not worth it, so 'ban' goes short
    assert two_stage.builds.empty
    assert cost(two_stage) == pytest.approx(common + 0.2 * 100 * 1000)
    assert cost(two_stage) - cost(sol) == pytest.approx(13_300)


def test_recourse_without_a_reveal_year_is_refused():
    d = _recourse_case(True)
    d["scenarios"][1].pop("revealed")
    d["export_controls"][0].pop("start")
    with pytest.raises(InstanceError, match="no scenario has a reveal year"):
        make(d)


def _heavy() -> dict[str, Any]:
    """Japan needs 10 t of Dy oxide. Light ore (no Dy recovered by a light circuit) is plentiful; heavy
    concentrate holds 4% Dy, and the heavy circuit can take 100 t of it a year: 4 t of Dy at most."""
    d = base_dict()
    d["regions"].append({"id": "JP", "bloc": "ally"})
    d["commodities"] = [
        {"id": "lree", "stage": "mining", "elements": ["Nd", "Pr"], "contains": {"Nd": 0.15, "Pr": 0.05}},
        {"id": "hree", "stage": "mining", "elements": ["Dy", "Y"], "contains": {"Dy": 0.04, "Y": 0.3}},
        {"id": "ndpr", "stage": "separation", "price": 60, "elements": ["Nd", "Pr"],
         "contains": {"Nd": 0.75, "Pr": 0.25}},
        {"id": "dy", "stage": "separation", "price": 300, "elements": ["Dy"], "contains": {"Dy": 1}},
    ]  # fmt: skip
    d["facilities"] = [
        {"id": "mine_l", "region": "JP", "outputs": {"lree": 1}, "capacity": 10_000},
        {"id": "mine_h", "region": "JP", "outputs": {"hree": 1}, "capacity": 10_000},
        {"id": "light", "region": "JP", "inputs": {"lree": 1}, "outputs": {"ndpr": 0.2}, "capacity": 10_000},
        {"id": "heavy", "region": "JP", "inputs": {"hree": 1}, "outputs": {"dy": 0.04}, "capacity": 100},
    ]
    d["routes"] = []
    d["demand"] = [{"region": "JP", "commodity": "dy", "year": 2025, "quantity": 10}]
    return d


@pytest.mark.family("capacity_limit")
def test_dy_comes_from_the_heavy_circuit_only():
    sol = solved(_heavy())
    assert sol.unmet.unmet.sum() == pytest.approx(6)  # 4 t from the heavy circuit; the light one makes none
    assert cost(sol) == pytest.approx(6 * 1000)
    d = _heavy()
    d["facilities"][3]["outputs"] = {"dy": 0.05}  # more Dy than the concentrate holds
    with pytest.raises(InstanceError, match=r"facilities\[3\]\.outputs.*'heavy' recovers 0\.05 t of Dy"):
        make(d)


def _magnets(thrift: bool) -> dict[str, Any]:
    """100 t of magnets need 0.01 t of Dy each; only 0.6 t of Dy exist. Grain-boundary diffusion saves half
    the Dy on up to 80% of a plant's output, at 100 per t of Dy saved."""
    d = base_dict()
    d["commodities"] = [
        {"id": "dy", "stage": "separation", "price": 300, "elements": ["Dy"]},
        {"id": "mag", "stage": "magnet", "price": 100, "elements": ["Dy"]},
    ]
    d["facilities"] = [
        {"id": "us_dy", "region": "US", "outputs": {"dy": 1}, "capacity": 0.6},
        {"id": "us_mag", "region": "US", "inputs": {"dy": 0.01}, "outputs": {"mag": 1}, "capacity": 1000},
    ]
    d["routes"] = []
    d["demand"] = [{"region": "US", "commodity": "mag", "year": 2025, "quantity": 100}]
    if thrift:
        d["thrifts"] = [{"id": "gbd", "commodity": "dy", "stage": "magnet", "saving": 0.5, "adoption": 0.8,
                         "cost": 100}]  # fmt: skip
    return d


@pytest.mark.family("thrift", "thrift_limit")
def test_dy_thrifting_stretches_a_short_supply():
    assert cost(solved(_magnets(False))) == pytest.approx(40 * 1000)  # 60 magnets from 0.6 t of Dy
    sol = solved(_magnets(True))
    assert cost(sol) == pytest.approx(0.4 * 100)  # 0.4 t saved (0.5 x 0.8 x 0.01 x 100): all 100 made
    t = sol.tables["thrift"]
    assert t.saved.sum() == pytest.approx(0.4)
    c = sol.tables["consumption"]
    assert c[c.commodity == "dy"].quantity.sum() == pytest.approx(0.6)


def test_recourse_builds_are_shown_per_branch_and_never_summed_across_alternatives():
    """Regression: the console summed one option's builds over its branches (two bans -> +200 t/yr, twice
    what any scenario builds) and compare/charts did the same; now each branch is its own line naming its
    scenarios, and aggregates weigh a build by the probability of the scenarios it is for."""
    from critmin.report.text import build_lines
    from critmin.results.tables import expected_builds

    d = _recourse_case(None)
    d["scenarios"] = [
        {"name": "calm", "probability": 0.6},
        {"name": "ban", "probability": 0.2, "revealed": 2026},
        {"name": "ban2", "probability": 0.2, "revealed": 2026},
    ]
    d["export_controls"][0]["scenarios"] = ["ban", "ban2"]
    sol = solved(d)
    assert sorted(sol.builds.branch) == ["ban", "ban2"]
    assert sol.builds.probability.tolist() == pytest.approx([0.2, 0.2])
    lines = [x for x in build_lines(sol, "USD") if "au_plant" in x]
    assert len(lines) == 1 and "+100t" in lines[0].replace(" ", "") and lines[0].endswith("if ban, ban2")
    assert expected_builds(sol.builds).capacity_added.sum() == pytest.approx(40)
