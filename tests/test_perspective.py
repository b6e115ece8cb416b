"""Whose plan, and what a shortfall costs (issue 12), on hand-computable instances: the planner's cost, demand
by end use with its value of lost load and price-sensitive steps, stockpiles drawn down in a disruption and
refilled after it, budgets as commitments, and lifetimes honoured to the year."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conftest import base_dict, cost, make, shipped, solved
from critmin import InstanceError


def two_regions() -> dict[str, Any]:
    """China makes ox at 10/t (its own plant) and sells it at 60/t; the US can make it at 40/t. China needs
    100 t itself, the US 100 t. China's plant holds 150 t, so only 50 t are left to export."""
    d = base_dict()
    d["regions"] = [
        {"id": "CN", "bloc": "adversary", "controlled_origin": True},
        {"id": "US", "bloc": "home"},
    ]
    d["commodities"] = [{"id": "ox", "stage": "separation", "price": 60}]
    d["facilities"] = [
        {"id": "cn_plant", "region": "CN", "outputs": {"ox": 1}, "capacity": 150, "var_cost": 10},
        {"id": "us_plant", "region": "US", "outputs": {"ox": 1}, "capacity": 1000, "var_cost": 40},
    ]
    d["routes"] = [{"commodity": "ox", "origin": "CN", "destination": "US", "cost": 5}]
    d["demand"] = [
        {"region": "US", "commodity": "ox", "year": 2025, "quantity": 100},
        {"region": "CN", "commodity": "ox", "year": 2025, "quantity": 100},
    ]
    return d


@pytest.mark.family("imports", "outside", "outside_unserved")
def test_the_planner_pays_the_exporters_price_not_its_costs():
    d = two_regions()
    glob = solved(d)  # global: China's cheap plant serves the US as far as it can (50 t)
    assert cost(glob) == pytest.approx(100 * 10 + 50 * 10 + 50 * 5 + 50 * 40)
    d["planner"] = {"name": "US", "members": ["US"]}
    sol = solved(d)
    # the planner buys at China's price + transport (60 + 5 = 65) > its own 40: it makes all 100 t itself
    assert shipped(sol, "CN", "US") == 0
    parts = sol.objective_parts
    assert parts["variable"] == pytest.approx(100 * 40)  # only the US plant's cost is the planner's
    assert parts["imports"] == 0 and parts["unmet"] == 0
    assert parts["outside_unserved"] == 0  # China served its own demand first
    assert parts["outside"] == pytest.approx(1e-4 * 100 * 10)  # China's own cost only as a tie-break
    # with its own plant costing 70/t, the planner imports what China has left (50 t at 65), makes the rest
    d["facilities"][1]["var_cost"] = 70
    sol = solved(d)
    assert shipped(sol, "CN", "US") == pytest.approx(50)
    assert sol.objective_parts["imports"] == pytest.approx(50 * 60)
    assert sol.objective_parts["transport"] == pytest.approx(50 * 5)
    assert sol.objective_parts["variable"] == pytest.approx(50 * 70)


def test_outside_regions_serve_their_own_demand_before_exporting():
    d = two_regions()
    d["planner"] = {"members": ["US"]}
    d["facilities"][1]["capacity"] = 0  # the planner cannot make any itself
    sol = solved(d)
    assert shipped(sol, "CN", "US") == pytest.approx(50)  # not 100: China keeps what it needs
    assert sol.objective_parts["unmet"] == pytest.approx(50 * 1000)
    assert sol.objective_parts["outside_unserved"] == 0


def end_uses() -> dict[str, Any]:
    """The US needs 100 t for EV motors (lost value 500/t) and 100 t for defence (5,000/t), with 120 t of
    supply at 50/t. EV demand has a step: its first 30% is bought only up to 200/t."""
    d = base_dict()
    d["facilities"] = [
        {"id": "us_plant", "region": "US", "outputs": {"ox": 1}, "capacity": 120, "var_cost": 50}
    ]
    d["routes"] = []
    d["end_uses"] = [
        {"id": "ev", "value": 500, "steps": [{"share": 0.3, "value": 200}]},
        {"id": "defence", "value": 5000},
    ]
    d["demand"] = [
        {"region": "US", "commodity": "ox", "year": 2025, "quantity": 100, "end_use": "ev"},
        {"region": "US", "commodity": "ox", "year": 2025, "quantity": 100, "end_use": "defence"},
    ]
    return d


@pytest.mark.family("forgone", "forgone_limit", "unmet")
def test_low_value_demand_is_shed_first():
    sol = solved(end_uses())
    u = sol.unmet.set_index("end_use")
    assert u.loc["defence", "unmet"] == 0 and u.loc["defence", "delivered"] == pytest.approx(100)
    # EV gets the 20 t left: its price-sensitive 30 t are forgone at 200, the other 50 t go short at 500
    assert u.loc["ev", "forgone"] == pytest.approx(30)
    assert u.loc["ev", "unmet"] == pytest.approx(50)
    assert cost(sol) == pytest.approx(120 * 50 + 30 * 200 + 50 * 500)
    assert sol.objective_parts["forgone"] == pytest.approx(30 * 200)
    assert u.loc["ev", "value_lost"] == pytest.approx(30 * 200 + 50 * 500)


def test_price_sensitive_demand_is_bought_when_it_is_worth_it():
    d = end_uses()
    d["facilities"][0]["capacity"] = 1000  # plenty of supply at 50/t < 200/t: everything is bought
    sol = solved(d)
    assert sol.unmet.forgone.sum() == 0 and sol.unmet.unmet.sum() == 0
    d["facilities"][0]["var_cost"] = 300  # now supply costs more than the step's 200/t: the step is forgone
    sol = solved(d)
    assert sol.unmet.set_index("end_use").loc["ev", "forgone"] == pytest.approx(30)
    assert cost(sol) == pytest.approx(170 * 300 + 30 * 200)


def test_end_use_steps_must_add_up_and_be_worth_less():
    d = end_uses()
    d["end_uses"][0]["steps"] = [{"share": 0.7, "value": 100}, {"share": 0.5, "value": 50}]
    with pytest.raises(InstanceError, match="more than the whole demand"):
        make(d)
    d["end_uses"][0]["steps"] = [{"share": 0.3, "value": 600}]
    with pytest.raises(InstanceError, match="must be below the end use's value"):
        make(d)


def stock_case() -> dict[str, Any]:
    """The US uses 365 t/yr from Australia; a one-year ban on Australia's exports in 2026. A stockpile holds
    60 days (60 t); a tonne short costs 1000. Three yearly periods, no discounting."""
    d = base_dict()
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2026}, {"year": 2027}]
    d["regions"][2]["controlled_origin"] = False
    d["facilities"] = [
        {"id": "au_plant", "region": "AU", "outputs": {"ox": 1}, "capacity": 1000, "var_cost": 10}
    ]
    d["routes"] = [{"commodity": "ox", "origin": "AU", "destination": "US"}]
    d["demand"] = [
        {"region": "US", "commodity": "ox", "year": y, "quantity": 365} for y in (2025, 2026, 2027)
    ]
    d["export_controls"] = [
        {"id": "ban", "exporter": "AU", "commodities": ["ox"], "start": 2026, "end": 2026}
    ]
    d["stockpiles"] = [
        {"id": "st", "region": "US", "commodity": "ox", "capacity": 60, "initial": 60, "days_of_cover": 60,
         "drawdown": True}
    ]  # fmt: skip
    return d


def test_stockpile_is_drawn_in_a_ban_and_refilled_after():
    sol = solved(stock_case())
    st = sol.stockpiles.set_index("year")
    assert st.loc[2026, "release"] == pytest.approx(60) and st.loc[2026, "level"] == pytest.approx(0)
    assert st.loc[2027, "buy"] == pytest.approx(60) and st.loc[2027, "level"] == pytest.approx(60)
    # the release covers 60 t of the ban year; 305 t go short
    assert sol.unmet.set_index("year").loc[2026, "unmet"] == pytest.approx(305)
    assert cost(sol) == pytest.approx((365 + 0 + 365 + 60) * 10 + 305 * 1000)


def test_refill_rate_limits_how_fast_the_target_returns_and_a_floor_without_drawdown_holds():
    d = stock_case()
    d["stockpiles"][0]["refill_rate"] = 20  # only 20 t/yr back: the 2027 floor is 20 t, not 60
    sol = solved(d)
    assert sol.stockpiles.set_index("year").loc[2027, "level"] == pytest.approx(20)
    d["stockpiles"][0]["drawdown"] = False  # the old floor: never drawn below 60 days
    sol = solved(d)
    assert sol.stockpiles.set_index("year").loc[2026, "release"] == pytest.approx(0)
    assert sol.unmet.set_index("year").loc[2026, "unmet"] == pytest.approx(365)


def budget_case(kind: str, amount: float) -> dict[str, Any]:
    """A US plant can be built (capex 100 per t/yr, 1-yr lifetime so annualised = overnight); China supplies
    the US cheaper, so without a commitment nothing is built."""
    d = base_dict()
    d["regions"][0]["controlled_origin"] = False
    d["facilities"].append(
        {"id": "us_plant", "region": "US", "outputs": {"ox": 1}, "capacity": 0, "var_cost": 1}
    )
    d["build_options"] = [
        {"id": "b", "facility": "us_plant", "capex": 100, "lifetime": 1, "max_capacity": 100}
    ]
    d["policies"] = {"budgets": [{"id": "deal", "investor": ["US"], "amount": amount, "kind": kind}]}
    return d


@pytest.mark.family("budget_limit")
def test_a_budget_floor_commits_spending_and_a_cap_limits_it():
    free = solved(budget_case("cap", 1e9))
    assert free.builds.empty  # China at 15/t beats building at 100 + 1
    floor = solved(budget_case("floor", 3000))  # at least 3,000 committed: 30 t/yr built and used
    assert floor.builds.capacity_added.sum() == pytest.approx(30)
    assert floor.builds.capex.sum() == pytest.approx(3000)
    assert cost(floor) == pytest.approx(30 * (100 + 1) + 70 * 15)
    d = budget_case("cap", 2000)
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    d["regions"][2]["controlled_origin"] = False
    d["facilities"][1]["capacity"] = 0  # no Australian supply: the US must build, but only 20 t/yr of it
    capped = solved(d)
    assert capped.builds.capacity_added.sum() == pytest.approx(20)
    assert capped.unmet.unmet.sum() == pytest.approx(80)


def test_a_floor_no_build_can_meet_is_refused():
    d = budget_case("floor", 3000)
    d["build_options"][0]["lead_time"] = 5
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2030}]
    d["demand"].append({"region": "US", "commodity": "ox", "year": 2030, "quantity": 100})
    d["policies"]["budgets"][0]["end"] = 2024
    with pytest.raises(InstanceError, match="no build of its investors starts in its window"):
        solved(d)


def test_lifetime_inside_a_multi_year_period_counts_to_the_year():
    """Periods 2025 (1 yr) and 2026 (4 yrs, to 2029). A build online 2026 with a 2-year lifetime serves half
    of the second period: it adds 50% of its capacity there, and costs 2 years of its annuity."""
    d = base_dict()
    d["regions"][0]["controlled_origin"] = False
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2026, "weight": 4}]
    d["facilities"] = [{"id": "us_plant", "region": "US", "outputs": {"ox": 1}, "capacity": 0, "var_cost": 0}]
    d["routes"] = []
    d["demand"] = [
        {"region": "US", "commodity": "ox", "year": 2025, "quantity": 0},
        {"region": "US", "commodity": "ox", "year": 2026, "quantity": 100},
    ]
    d["build_options"] = [{"id": "b", "facility": "us_plant", "capex": 10, "lead_time": 1, "lifetime": 2}]
    sol = solved(d)
    # 100 t/yr on average over 2026-2029 needs 200 t/yr of capacity for the two years it lives
    assert sol.builds.capacity_added.sum() == pytest.approx(200)
    assert sol.capacity.set_index("year").loc[2026, "capacity"] == pytest.approx(100)
    assert sol.objective_parts["capex"] == pytest.approx(200 * 10)  # 2 years x annuity 10/2 x 200
    assert sol.unmet.unmet.sum() == 0


def test_existing_capacity_that_changes_inside_a_period_is_averaged():
    d = base_dict()
    d["horizon"]["periods"] = [{"year": 2025, "weight": 4}]
    d["regions"][0]["controlled_origin"] = False
    d["facilities"] = [
        {
            "id": "cn_plant",
            "region": "CN",
            "outputs": {"ox": 1},
            "capacity": {2025: 100, 2027: 0},
            "var_cost": 10,
        }
    ]
    d["routes"] = [d["routes"][0]]
    sol = solved(d)  # 100 t/yr in 2025-2026, none in 2027-2028: 50 t/yr on average
    assert shipped(sol, "CN", "US") == pytest.approx(50)
    assert sol.unmet.unmet.sum() == pytest.approx(50)


def test_risk_counts_the_planners_imports_by_default():
    d = copy.deepcopy(two_regions())
    d["planner"] = {"members": ["US"]}
    d["regions"][0]["risk"] = 0.8
    d["facilities"][1]["var_cost"] = 70
    d["objective"]["risk_weight"] = 1
    sol = solved(d)
    assert sol.objective_parts["risk"] == pytest.approx(0.8 * 50)


def test_build_options_of_investors_outside_the_planner_are_left_out_with_a_warning():
    """The planner decides only its own members' investments; another country's option is not its to take."""
    d = budget_case("cap", 1e9)
    d["policies"] = {}
    d["regions"][0]["controlled_origin"] = True
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    d["facilities"][1]["capacity"] = 0  # Australia's plant exists but has no capacity yet
    d["build_options"].append({"id": "au_b", "facility": "au_plant", "capex": 1, "lifetime": 1})
    d["planner"] = {"members": ["US"]}
    sol = solved(d)
    assert set(sol.builds.option) == {"b"}  # the cheap Australian option is not the US planner's to build
    assert any("outside the planner" in w and "au_b" in w for w in sol.warnings)
    d["planner"]["members"] = ["US", "AU"]
    sol = solved(d)
    assert set(sol.builds.option) == {"au_b"}
    assert not any("outside the planner" in w for w in sol.warnings)


@pytest.mark.family("sell", "sale_limit", "sales")
def test_sales_earn_their_price_up_to_what_the_buyer_takes():
    """The US mine (100 t/yr at 30/t) serves US demand (40 t) and may sell up to 50 t to a buyer the model
    does not represent, at 60/t: it mines 90 t, and the revenue is a negative cost."""
    d = base_dict()
    d["facilities"] = [
        {"id": "us_mine", "region": "US", "outputs": {"ox": 1}, "capacity": 100, "var_cost": 30}
    ]
    d["routes"] = []
    d["demand"] = [{"region": "US", "commodity": "ox", "year": 2025, "quantity": 40}]
    d["planner"] = {"members": ["US"]}
    d["sales"] = [
        {"id": "to_cn", "region": "US", "commodity": "ox", "buyer": "CN", "quantity": 50, "price": 60}
    ]
    sol = solved(d)
    assert sol.objective_parts["sales"] == pytest.approx(-50 * 60)
    assert cost(sol) == pytest.approx(90 * 30 - 50 * 60)
    t = sol.tables["sales"]
    assert t.quantity.sum() == pytest.approx(50) and t.revenue.sum() == pytest.approx(3000)
    d["sales"][0]["price"] = 20  # below the mine's cost: nothing is sold
    assert cost(solved(d)) == pytest.approx(40 * 30)
    d["sales"][0].pop("price")  # the commodity's price (100) x a scenario price factor of 0.5 = 50
    d["scenarios"] = [{"name": "low", "probability": 1, "price": [{"commodity": "ox", "factor": 0.5}]}]
    assert solved(d).objective_parts["sales"] == pytest.approx(-50 * 50)
    d["sales"][0]["quantity"] = {2026: 50}  # nothing to sell before 2026
    assert solved(d).objective_parts.get("sales", 0.0) == 0


def test_a_sale_from_outside_the_planner_is_refused():
    d = two_regions()
    d["planner"] = {"members": ["US"]}
    d["sales"] = [{"id": "s", "region": "CN", "commodity": "ox", "quantity": 5}]
    with pytest.raises(InstanceError, match=r"sales\[0\]\.region: 'CN' sells, but is not a planner member"):
        make(d)


@pytest.mark.family("nonanticipativity")
def test_a_scenario_not_yet_revealed_shares_the_decisions_of_the_others():
    """Two equally likely scenarios, 2025-2026; China (15/t delivered) is banned in 2026 in 'ban' only,
    Australia costs 35/t; 50 t of storage at 5/t-yr. With foresight, only 'ban' stockpiles 50 t in 2025:
    calm 3,000, ban 150 x 15 + 250 + 50 x 35 = 4,250, expected 3,625. If 'ban' is revealed only in 2026,
    2025 must be decided alike: stockpiling in both (calm then buys 50 t less in 2026: 3,250) gives 3,750;
    not stockpiling gives (3,000 + 5,000) / 2 = 4,000."""
    d = base_dict()
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2026}]
    d["demand"].append({"region": "US", "commodity": "ox", "year": 2026, "quantity": 100})
    d["stockpiles"] = [{"id": "st", "region": "US", "commodity": "ox", "capacity": 50, "holding_cost": 5}]
    d["export_controls"] = [
        {"id": "ban", "exporter": "CN", "commodities": ["ox"], "start": 2026, "scenarios": ["ban"]}
    ]
    d["scenarios"] = [{"name": "calm", "probability": 0.5}, {"name": "ban", "probability": 0.5}]
    assert cost(solved(d)) == pytest.approx(3625)
    d["scenarios"][1]["revealed"] = 2026
    sol = solved(d)
    assert cost(sol) == pytest.approx(3750)
    st = sol.stockpiles.set_index(["scenario", "year"]).level
    assert st[("calm", 2025)] == pytest.approx(50) and st[("ban", 2025)] == pytest.approx(50)
    d["scenarios"][1]["revealed"] = 2025  # revealed from the start: foresight again
    assert cost(solved(d)) == pytest.approx(3625)


def test_a_scenario_that_differs_before_it_is_revealed_is_refused():
    d = base_dict()
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2026}]
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"], "scenarios": ["ban"]}]
    d["scenarios"] = [
        {"name": "calm", "probability": 0.5},
        {"name": "ban", "probability": 0.5, "revealed": 2026, "demand": [{"factor": 2}]},
    ]
    with pytest.raises(InstanceError) as e:
        make(d)
    text = str(e.value)
    assert (
        "scenarios[1].demand[0].start: scenario 'ban' differs in 2025, before it is revealed (2026)" in text
    )
    assert "export_controls[0].start: control 'ban' applies only in some scenarios from 2025" in text
