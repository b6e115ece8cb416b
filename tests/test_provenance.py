"""Export controls as they really bite (issue 11), on hand-computable instances: blending inputs of different
origin, the de-minimis threshold by value, element-specific scope, share controls that cannot be gamed, and
bans that close the whole chain they name."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conftest import cost, shipped, solved


def magnet_chain() -> dict[str, Any]:
    """The US makes NdPr (0.3 t per t of magnet, cost 1/t); China makes Dy (0.01 t per t of magnet, cost 1/t)
    and ships it free. Prices: NdPr 60, Dy 300, magnet 100 per t, so Dy is 3% of a magnet's value and NdPr 18%.
    The US needs 100 t of magnets; a tonne short costs 1000. One period, no discounting."""
    return {
        "name": "magnet-chain",
        "horizon": {"base_year": 2025, "discount_rate": 0.0, "periods": [{"year": 2025}]},
        "regions": [
            {"id": "CN", "bloc": "adversary", "controlled_origin": True},
            {"id": "US", "bloc": "home"},
        ],
        "commodities": [
            {"id": "ndpr", "stage": "separation", "price": 60, "elements": ["Nd", "Pr"]},
            {"id": "dy", "stage": "separation", "price": 300, "elements": ["Dy"]},
            {"id": "mag", "stage": "magnet", "price": 100, "elements": ["Nd", "Pr", "Dy"]},
        ],
        "facilities": [
            {"id": "us_ndpr", "region": "US", "outputs": {"ndpr": 1}, "capacity": 1000, "var_cost": 1},
            {"id": "cn_dy", "region": "CN", "outputs": {"dy": 1}, "capacity": 1000, "var_cost": 1},
            {
                "id": "us_mag",
                "region": "US",
                "inputs": {"ndpr": 0.3, "dy": 0.01},
                "outputs": {"mag": 1},
                "capacity": 1000,
            },
        ],
        "routes": [{"commodity": "dy", "origin": "CN", "destination": "US"}],
        "demand": [{"region": "US", "commodity": "mag", "year": 2025, "quantity": 100}],
        "objective": {"unmet_penalty": 1000},
    }


def _made(sol, facility: str, tag: str) -> float:
    p = sol.production
    return float(p[(p.facility == facility) & (p.tag == tag)].quantity.sum())


@pytest.mark.family("input_use", "blend")
def test_plant_blends_allied_ndpr_with_chinese_dy_and_its_output_is_controlled():
    sol = solved(magnet_chain())
    assert cost(sol) == pytest.approx(100 * 0.3 + 100 * 0.01)  # all 100 t made; nothing short
    assert _made(sol, "us_mag", "controlled") == pytest.approx(100)
    assert _made(sol, "us_mag", "clear") == 0
    row = sol.production[sol.production.facility == "us_mag"].iloc[0]
    assert row.controlled_content == pytest.approx(0.01 * 300 / 100)  # Dy's value share: 3%


def _with_dy_rule(threshold: float, **extra: Any) -> dict[str, Any]:
    d = magnet_chain()
    d["demand"][0]["compliance"] = "clear"  # only clear magnets will do (e.g. defence)
    d["export_controls"] = [
        {
            "id": "dy_rule",
            "exporter": "CN",
            "elements": ["Dy"],
            "kind": "quota",
            "amount": 1e6,  # not binding on shipments: only its extraterritorial reach matters here
            "extraterritorial": True,
            "de_minimis": threshold,
            **extra,
        }
    ]
    return d


@pytest.mark.family("de_minimis")
def test_threshold_above_the_dy_value_share_makes_the_same_magnet_clear():
    sol = solved(_with_dy_rule(0.05))  # Dy content 3% of value < 5%
    assert cost(sol) == pytest.approx(31)
    assert _made(sol, "us_mag", "clear") == pytest.approx(100)
    sol = solved(_with_dy_rule(0.02))  # 3% >= 2%: the magnet is reached, clear demand goes short
    assert cost(sol) == pytest.approx(100 * 1000)
    assert _made(sol, "us_mag", "clear") == 0


@pytest.mark.family("de_minimis")
def _with_us_dy(threshold: float) -> dict[str, Any]:
    d = _with_dy_rule(threshold)
    d["facilities"].append(
        {"id": "us_dy", "region": "US", "outputs": {"dy": 1}, "capacity": 1000, "var_cost": 10}
    )
    return d


def test_threshold_binds_exactly_at_its_value():
    sol = solved(_with_us_dy(0.015))
    # Chinese Dy may be 1.5% of the magnet's value: 0.015 x 100 / 300 = 0.005 t per t, half of the 0.01 t
    assert shipped(sol, "CN", "US") == pytest.approx(0.5)
    assert cost(sol) == pytest.approx(100 * 0.3 + 0.5 * 1 + 0.5 * 10)
    row = sol.production[(sol.production.facility == "us_mag")].iloc[0]
    assert row.tag == "clear" and row.controlled_content == pytest.approx(0.015)
    # a threshold 0.75 points higher lets 0.25 t more Chinese Dy (cost 1) replace US Dy (cost 10)
    assert cost(sol) - cost(solved(_with_us_dy(0.0225))) == pytest.approx(0.25 * 9)


def _scope_case(elements: list[str], threshold: float) -> dict[str, Any]:
    """Chinese NdPr and US Dy: is a US magnet clear under a list with or without Nd and Pr?"""
    d = magnet_chain()
    d["facilities"][0]["region"] = "CN"
    d["facilities"][0]["id"] = "cn_ndpr"
    d["facilities"][1]["region"] = "US"
    d["facilities"][1]["id"] = "us_dy"
    d["routes"] = [{"commodity": "ndpr", "origin": "CN", "destination": "US"}]
    d["demand"][0]["compliance"] = "clear"
    d["export_controls"] = [
        {
            "id": "rule",
            "exporter": "CN",
            "elements": elements,
            "commodities": ["mag"],
            "kind": "quota",
            "amount": 1e6,
            "extraterritorial": True,
            "de_minimis": threshold,
        }
    ]
    return d


def test_chinese_ndpr_counts_under_the_october_list_not_the_april_one():
    april = solved(_scope_case(["Dy", "Tb", "Sm", "Gd", "Lu", "Sc", "Y"], 0.0))  # No. 18: medium/heavy REEs
    assert cost(april) == pytest.approx(31) and _made(april, "us_mag", "clear") == pytest.approx(100)
    october = solved(_scope_case(["Nd", "Pr", "Dy", "Tb"], 0.001))  # NdPr listed; 18% of value >= 0.1%
    assert cost(october) == pytest.approx(100 * 1000) and _made(october, "us_mag", "clear") == 0


def test_without_an_extraterritorial_rule_any_controlled_content_taints():
    d = _scope_case(["Dy"], 0.0)
    d["export_controls"][0]["extraterritorial"] = False
    sol = solved(d)  # no extraterritorial rule in force: clear means no controlled-origin content at all
    assert _made(sol, "us_mag", "clear") == 0 and cost(sol) == pytest.approx(100 * 1000)


def test_share_control_cannot_be_raised_by_over_shipping_elsewhere():
    """China may ship the US 25% of its reference exports (400 t): 100 t. A costless route to Japan, where
    surplus can be dumped, must not raise that."""
    d = copy.deepcopy(magnet_chain())
    d["facilities"] = [
        {"id": "cn_mag", "region": "CN", "outputs": {"mag": 1}, "capacity": 10_000, "var_cost": 1},
        {"id": "us_mag_alt", "region": "US", "outputs": {"mag": 1}, "capacity": 10_000, "var_cost": 50},
    ]
    d["routes"] = [{"commodity": "mag", "origin": "CN", "destination": "US"}]
    d["demand"] = [{"region": "US", "commodity": "mag", "year": 2025, "quantity": 300}]
    d["export_controls"] = [
        {"id": "share", "exporter": "CN", "commodities": ["mag"], "destinations": ["US"], "kind": "share",
         "amount": 0.25, "reference": 400, "reference_year": 2024}
    ]  # fmt: skip
    plain = solved(d)
    assert shipped(plain, "CN", "US") == pytest.approx(100)
    assert cost(plain) == pytest.approx(100 * 1 + 200 * 50)
    d["regions"].append({"id": "JP", "bloc": "ally"})
    d["routes"].append({"commodity": "mag", "origin": "CN", "destination": "JP"})
    d["demand"].append({"region": "JP", "commodity": "mag", "year": 2025, "quantity": 1})
    gamed = solved(d)
    assert shipped(gamed, "CN", "US") == pytest.approx(100)  # shipping to Japan gains nothing
    assert cost(gamed) == pytest.approx(cost(plain) + 1)  # only Japan's own tonne


def test_a_ban_on_elements_closes_the_chain_down_to_the_ore():
    d = magnet_chain()
    d["commodities"].append({"id": "ore", "stage": "mining", "elements": ["Nd", "Pr", "Dy", "Tb"]})
    d["facilities"] = [
        {"id": "cn_mine", "region": "CN", "outputs": {"ore": 1}, "capacity": 1000, "var_cost": 1},
        {"id": "us_mine", "region": "US", "outputs": {"ore": 1}, "capacity": 1000, "var_cost": 5},
        {"id": "us_sep", "region": "US", "inputs": {"ore": 1}, "outputs": {"mag": 0.5}, "capacity": 1000},
    ]
    d["routes"] = [{"commodity": "ore", "origin": "CN", "destination": "US"}]
    assert shipped(solved(d), "CN", "US") == pytest.approx(200)  # China's ore is cheaper
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "elements": ["Dy", "Tb"], "kind": "ban"}]
    sol = solved(d)
    assert shipped(sol, "CN", "US") == 0  # the ore carries Dy: the ban on Dy reaches it
    assert cost(sol) == pytest.approx(200 * 5)
    d["export_controls"][0]["stages"] = ["separation", "magnet"]  # a ban on Dy products, not on ore
    assert shipped(solved(d), "CN", "US") == pytest.approx(200)
