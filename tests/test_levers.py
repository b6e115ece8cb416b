"""Policy levers, each with a hand-computable optimum that depends on the lever."""

from __future__ import annotations

import pytest

from conftest import base_dict, solved
from critmin.errors import InstanceError


def _three_years(d):
    d["horizon"]["periods"] = [{"year": y} for y in (2025, 2026, 2027)]
    d["demand"] = [
        {"region": "US", "commodity": "ox", "year": y, "quantity": 100} for y in (2025, 2026, 2027)
    ]
    d["facilities"].pop(1)  # no Australian plant: China or nothing
    d["routes"].pop(1)
    return d


@pytest.mark.family(
    "stock_level",
    "stock_buy",
    "stock_release",
    "stock_balance",
    "stock_capacity",
    "storage_build",
    "stockpile",
)
def test_stockpile_is_filled_before_a_ban_and_drawn_down_during_it():
    d = _three_years(base_dict())
    d["export_controls"] = [
        {"id": "ban", "exporter": "CN", "commodities": ["ox"], "start": 2027, "scenarios": ["ban"]}
    ]
    d["scenarios"] = [{"name": "calm", "probability": 0.5}, {"name": "ban", "probability": 0.5}]
    d["stockpiles"] = [
        {"id": "us_ox", "region": "US", "commodity": "ox", "holding_cost": 10, "build_capex": 1.0}
    ]
    sol = solved(d)
    st = sol.stockpiles
    ban = st[st.scenario == "ban"].set_index("year")
    assert ban.loc[2026, "level"] == pytest.approx(100)  # bought in 2026, the year before the ban
    assert ban.loc[2027, "release"] == pytest.approx(100)  # drawn down during it
    assert st[st.scenario == "calm"].level.sum() == pytest.approx(0, abs=1e-9)
    assert sol.unmet.unmet.sum() == pytest.approx(0, abs=1e-9)
    # storage 100 t online 2026-2027 at 1/30 per t-year; calm 3 x 1500; ban 1500 + 3000 + holding 1000
    expected = 100 * 2 / 30 + 0.5 * 4500 + 0.5 * 5500
    assert sol.objective == pytest.approx(expected)
    assert sol.objective_parts["stockpile"] == pytest.approx(100 * 2 / 30 + 0.5 * 1000)

    d["stockpiles"] = []  # without the lever the ban year goes short
    assert solved(d).objective == pytest.approx(0.5 * 4500 + 0.5 * (3000 + 100 * 1000))


@pytest.mark.family("stock_cover", "cover_short")
def test_days_of_cover_hard_and_soft():
    d = _three_years(base_dict())
    d["stockpiles"] = [
        {
            "id": "us_ox",
            "region": "US",
            "commodity": "ox",
            "capacity": 1000,
            "holding_cost": 10,
            "days_of_cover": 73,
        }
    ]  # 73 days = 20% of a year's demand
    sol = solved(d)
    assert list(sol.stockpiles.groupby("year")["level"].sum()) == pytest.approx([20, 20, 20])
    # 20 t bought in 2025 at 15, held three years at 10
    assert sol.objective == pytest.approx(3 * 1500 + 20 * 15 + 3 * 20 * 10)
    d["stockpiles"][0].update({"cover": "soft", "cover_penalty": 5})  # cheaper to fall short
    sol = solved(d)
    assert sol.stockpiles.empty
    assert sol.objective == pytest.approx(3 * 1500 + 3 * 20 * 5)


def test_recycling_output_takes_the_recyclers_origin():
    d = base_dict()
    d["facilities"] = [
        {"id": "cn_scrap", "region": "CN", "outputs": {"scrap": 1}, "capacity": 50},
        {
            "id": "jp_recycling",
            "region": "JP",
            "inputs": {"scrap": 1},
            "outputs": {"ox": 0.9},
            "capacity": 100,
            "var_cost": 20,
            "provenance": "own",
        },
    ]
    d["regions"].append({"id": "JP", "bloc": "ally"})
    d["commodities"].append({"id": "scrap", "stage": "end-of-life"})
    d["routes"] = [
        {"commodity": "scrap", "origin": "CN", "destination": "JP", "cost": 5},
        {"commodity": "ox", "origin": "JP", "destination": "US", "cost": 5},
    ]
    d["demand"] = [{"region": "US", "commodity": "ox", "year": 2025, "quantity": 45, "compliance": "clear"}]
    sol = solved(d)
    assert sol.objective == pytest.approx(50 * 5 + 50 * 20 + 45 * 5)
    assert set(sol.deliveries.tag) == {"clear"}
    d["facilities"][1]["provenance"] = "inherit"  # Chinese scrap would stay Chinese-origin content
    assert solved(d).objective == pytest.approx(45 * 1000)
    d["compliance_classes"] = [{"id": "feoc", "max_share": 0.1}]
    d["demand"][0]["compliance"] = "feoc"  # a share test is by value: the scrap needs a price
    with pytest.raises(InstanceError, match="'scrap' needs a price"):
        solved(d)


@pytest.mark.family("substitute", "substitution_limit", "substitution")
def test_substitution_within_its_share():
    d = base_dict()
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    d["substitutions"] = [{"id": "ferrite", "commodity": "ox", "region": "US", "share": 0.3, "cost": 20}]
    sol = solved(d)
    assert sol.substitution.substituted.sum() == pytest.approx(30)
    assert sol.objective == pytest.approx(30 * 20 + 70 * 35)
    assert sol.unmet.delivered.sum() == pytest.approx(70)
    assert sol.kpis.met_share.iloc[0] == pytest.approx(1.0)
    d["substitutions"][0]["share"] = 0.0
    assert solved(d).objective == pytest.approx(100 * 35)


@pytest.mark.family("offtake_min", "support")
def test_price_floor_and_offtake_are_reported_as_support():
    d = base_dict()
    d["price_floors"] = [
        {
            "id": "floor",
            "facility": "cn_plant",
            "commodity": "ox",
            "floor": 100,
            "reference_price": 60,
            "in_objective": False,
        }
    ]
    sol = solved(d)
    assert sol.objective == pytest.approx(1500)  # a transfer: reported, not counted
    assert sol.support.payment.sum() == pytest.approx(100 * 40)
    d["price_floors"][0]["in_objective"] = True  # counted: 15 + 40 > 35, the plan moves to Australia
    sol = solved(d)
    assert sol.objective == pytest.approx(3500)
    d["price_floors"] = []
    d["offtakes"] = [
        {
            "id": "dod",
            "facility": "au_plant",
            "commodity": "ox",
            "quantity": 60,
            "price": 50,
            "reference_price": 40,
        }
    ]
    sol = solved(d)
    assert sol.objective == pytest.approx(60 * 35 + 40 * 15 + 60 * 10)
    assert sol.objective_parts["support"] == pytest.approx(600)
    assert sol.production[sol.production.facility == "au_plant"].quantity.sum() == pytest.approx(60)


def _cvar_case(alpha: float, weight: float):
    d = base_dict()
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"], "scenarios": ["ban"]}]
    d["scenarios"] = [{"name": "calm", "probability": 0.8}, {"name": "ban", "probability": 0.2}]
    d["objective"].update({"cvar_alpha": alpha, "cvar_weight": weight})
    return d


@pytest.mark.parametrize(
    ("alpha", "cvar"), [(0.8, 3500), (0.5, (0.2 * 3500 + 0.3 * 1500) / 0.5), (0.0, 1900)]
)
@pytest.mark.family("cvar_eta", "cvar_excess", "cvar_tail", "cvar")
def test_cvar_value_hand_computed(alpha, cvar):
    sol = solved(_cvar_case(alpha, 1.0))
    assert sol.objective_parts["cvar"] == pytest.approx(cvar)
    assert sol.objective == pytest.approx(0.8 * 1500 + 0.2 * 3500 + cvar)


def test_cvar_changes_the_first_stage_decision():
    d = _cvar_case(0.8, 0.0)
    d["facilities"][1] = {"id": "au_plant", "region": "AU", "outputs": {"ox": 1}, "var_cost": 30}
    d["build_options"] = [{"id": "au_new", "facility": "au_plant", "capex": 300, "lifetime": 1}]
    sol = solved(d)  # expected cost alone: building saves 0.2 x 965 = 193 < 300 per t, so no build
    assert sol.builds.empty
    assert sol.objective == pytest.approx(0.8 * 1500 + 0.2 * 100 * 1000)
    d["objective"]["cvar_weight"] = 1.0  # the worst 20% (the ban) now weighs fully: build 100
    sol = solved(d)
    assert sol.builds.capacity_added.sum() == pytest.approx(100)
    assert sol.objective_parts["cvar"] == pytest.approx(100 * 300 + 100 * 35)
    assert sol.objective == pytest.approx(30000 + 0.8 * 1500 + 0.2 * 3500 + 33500)
