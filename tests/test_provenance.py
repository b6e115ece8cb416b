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


def _content(sol, facility: str) -> float:
    """Chinese-origin content of what a facility made, as a share of its value (all its streams)."""
    p = sol.production[sol.production.facility == facility]
    return float((p.chinese_content_share * p.quantity).sum() / p.quantity.sum())


@pytest.mark.family("input_use", "blend")
def test_without_a_rule_a_plant_blends_chinese_dy_and_nothing_reaches_its_magnets():
    sol = solved(magnet_chain())
    assert cost(sol) == pytest.approx(100 * 0.3 + 100 * 0.01)  # all 100 t made; nothing short
    assert _made(sol, "us_mag", "clear") == pytest.approx(100)  # no extraterritorial rule: nothing reached
    p = sol.production.set_index("facility").chinese_content_share
    assert p["cn_dy"] == 1 and p["us_ndpr"] == 0  # made in China; mined in the US
    assert p["us_mag"] == pytest.approx(0.03)  # content is reported whether or not a test reads it
    assert sol.tables["origin"].empty  # ... but the model traces none: no test could read it


@pytest.mark.family("origin_limit", "origin_balance")
def test_a_buyer_that_takes_no_chinese_content_refuses_the_blend():
    d = magnet_chain()
    d["demand"][0]["compliance"] = "clear"  # a defence buyer: no Chinese-origin content at all
    sol = solved(d)
    assert cost(sol) == pytest.approx(100 * 1000)
    assert _made(sol, "us_mag", "clear") == 0


def _with_dy_rule(threshold: float, **extra: Any) -> dict[str, Any]:
    """China's Dy rule reaches foreign products (MOFCOM No. 61 style) and bans reached Dy products to the
    EU; the US magnets are for an EU buyer (any origin), so a reached magnet cannot be sold there."""
    d = magnet_chain()
    d["regions"].append({"id": "EU", "bloc": "ally"})
    d["routes"].append({"commodity": "mag", "origin": "US", "destination": "EU"})
    d["demand"][0]["region"] = "EU"
    d["export_controls"] = [
        {
            "id": "dy_rule",
            "exporter": "CN",
            "elements": ["Dy"],
            "destinations": ["EU"],
            "kind": "ban",
            "extraterritorial": True,
            "de_minimis": threshold,
            **extra,
        }
    ]
    return d


@pytest.mark.family("de_minimis")
def test_threshold_above_the_dy_value_share_leaves_the_magnet_unreached():
    sol = solved(_with_dy_rule(0.05))  # Dy content 3% of value < 5%
    assert cost(sol) == pytest.approx(31)
    assert _made(sol, "us_mag", "clear") == pytest.approx(100)
    assert _content(sol, "us_mag") == pytest.approx(0.03)
    sol = solved(_with_dy_rule(0.02))  # 3% >= 2%: the magnet is reached, the EU may not have it
    assert cost(sol) == pytest.approx(100 * 1000)
    assert _made(sol, "us_mag", "clear") == 0


@pytest.mark.family("de_minimis")
def test_content_exactly_at_the_threshold_is_reached():
    """MOFCOM No. 61 reaches content of 0.1% 'or more': at exactly 3% under a 3% threshold the magnet is
    reached and the EU goes short; a hair above, it is not."""
    assert cost(solved(_with_dy_rule(0.03))) == pytest.approx(100 * 1000)
    assert cost(solved(_with_dy_rule(0.0301))) == pytest.approx(31)


def _with_us_dy(threshold: float) -> dict[str, Any]:
    d = _with_dy_rule(threshold)
    d["facilities"].append(
        {"id": "us_dy", "region": "US", "outputs": {"dy": 1}, "capacity": 1000, "var_cost": 10}
    )
    return d


@pytest.mark.family("de_minimis")
def test_threshold_binds_at_its_value():
    sol = solved(_with_us_dy(0.015))
    # Chinese Dy may be under 1.5% of the magnet's value: 0.015 x 100 / 300 = 0.005 t per t, half of 0.01 t
    assert shipped(sol, "CN", "US") == pytest.approx(0.5, rel=1e-5)
    assert cost(sol) == pytest.approx(100 * 0.3 + 0.5 * 1 + 0.5 * 10, rel=1e-6)
    assert _made(sol, "us_mag", "clear") == pytest.approx(100)
    assert _content(sol, "us_mag") == pytest.approx(0.015, rel=1e-5)
    assert _content(sol, "us_mag") < 0.015  # strictly under: at it, the magnet would be reached
    # a threshold 0.75 points higher lets 0.25 t more Chinese Dy (cost 1) replace US Dy (cost 10)
    assert cost(sol) - cost(solved(_with_us_dy(0.0225))) == pytest.approx(0.25 * 9, rel=1e-4)


def three_stages(threshold: float, us_dy: bool = True) -> dict[str, Any]:
    """A US ore (price 20, cost 1/t) is separated, reduced to metal and made into magnets, each stage adding
    0.02 t of Dy per t (Chinese Dy cost 1/t, US Dy cost 10/t, price 300): 6 of value per t at each stage.
    Oxide 100, metal 120, magnet 140 per t. Content by value: oxide 6/100 = 6%; metal (6 + 6)/120 = 10%;
    magnet (12 + 6)/140 = 12.86%. Each stage's own Chinese inputs are at most 6% of its output's value."""
    d = _with_dy_rule(threshold)
    d["commodities"] = [
        {"id": "ore", "stage": "mining", "price": 20, "elements": ["Nd"]},
        {"id": "oxide", "stage": "separation", "price": 100, "elements": ["Nd"]},
        {"id": "metal", "stage": "metal", "price": 120, "elements": ["Nd"]},
        {"id": "dy", "stage": "separation", "price": 300, "elements": ["Dy"]},
        {"id": "mag", "stage": "magnet", "price": 140, "elements": ["Nd", "Dy"]},
    ]
    d["facilities"] = [
        {"id": "us_mine", "region": "US", "outputs": {"ore": 1}, "capacity": 1000, "var_cost": 1},
        {"id": "cn_dy", "region": "CN", "outputs": {"dy": 1}, "capacity": 1000, "var_cost": 1},
        {"id": "us_sep", "region": "US", "inputs": {"ore": 1, "dy": 0.02}, "outputs": {"oxide": 1},
         "capacity": 1000},
        {"id": "us_metal", "region": "US", "inputs": {"oxide": 1, "dy": 0.02}, "outputs": {"metal": 1},
         "capacity": 1000},
        {"id": "us_mag", "region": "US", "inputs": {"metal": 1, "dy": 0.02}, "outputs": {"mag": 1},
         "capacity": 1000},
    ]  # fmt: skip
    if us_dy:
        d["facilities"].append(
            {"id": "us_dy", "region": "US", "outputs": {"dy": 1}, "capacity": 1000, "var_cost": 10}
        )
    return d


@pytest.mark.family("origin_balance", "origin_cap", "de_minimis")
def test_content_accumulates_over_three_stages_past_a_threshold_no_stage_crosses():
    sol = solved(three_stages(0.12, us_dy=False))
    assert cost(sol) == pytest.approx(100 * 1000)  # 12.86% >= 12%: reached, banned to the EU
    sol = solved(three_stages(0.13, us_dy=False))
    assert cost(sol) == pytest.approx(100 * (1 + 0.06))  # under 13%: every magnet unreached
    assert _content(sol, "us_sep") == pytest.approx(0.06)
    assert _content(sol, "us_metal") == pytest.approx(0.10)
    assert _content(sol, "us_mag") == pytest.approx(18 / 140)
    # with US Dy at 10/t: replace just enough Chinese Dy value (18 - 0.12 x 140 = 1.2 per magnet, 0.004 t) at
    # any stage; dumping extra oxide cannot carry content away faster than the oxide holds it
    sol = solved(three_stages(0.12))
    assert cost(sol) == pytest.approx(100 * (1 + 0.06) + 100 * 0.004 * 9, rel=1e-5)
    assert _content(sol, "us_mag") == pytest.approx(0.12, rel=1e-5)


def test_a_buyer_rule_counts_chinese_content_china_does_not_list():
    """The unrelated-control case: China's Dy rule is in force, but the US magnets are made of 100% Chinese
    NdPr. They are not reached (NdPr is not on the Dy list), yet a defence buyer who takes no Chinese-origin
    content cannot have them: its demand goes short."""
    d = _scope_case(["Dy"], 0.001)
    d["facilities"] = [f for f in d["facilities"] if f["id"] != "us_dy"]
    d["facilities"][-1]["inputs"] = {"ndpr": 0.3}
    d["demand"][0].update(region="US", compliance="clear")
    d["demand"].append({"region": "US", "commodity": "mag", "year": 2025, "quantity": 10})  # any origin
    sol = solved(d)
    assert cost(sol) == pytest.approx(100 * 1000 + 10 * 0.3)
    assert _made(sol, "us_mag", "clear") == pytest.approx(10)  # unreached, and 18% Chinese
    assert _content(sol, "us_mag") == pytest.approx(0.18)


def _feoc(share: float) -> dict[str, Any]:
    """Chinese NdPr (18% of the magnet's value) and Chinese Dy (3%), or US Dy at 10/t; the buyer's class
    caps Chinese-origin content at `share` of value, whatever China lists (FEOC-style)."""
    d = magnet_chain()
    d["facilities"][0].update(id="cn_ndpr", region="CN")
    d["facilities"].append(
        {"id": "us_dy", "region": "US", "outputs": {"dy": 1}, "capacity": 1000, "var_cost": 10}
    )
    d["routes"].append({"commodity": "ndpr", "origin": "CN", "destination": "US"})
    d["compliance_classes"] = [{"id": "feoc", "max_share": share, "description": "EV credit, 2026"}]
    d["demand"][0]["compliance"] = "feoc"
    return d


@pytest.mark.family("origin_limit")
def test_a_share_threshold_lets_some_chinese_content_through():
    assert cost(solved(_feoc(0.25))) == pytest.approx(31)  # 21% <= 25%
    # at 20%, replace 1 of value per magnet: 1/300 t of Dy at 9 more per t
    sol = solved(_feoc(0.20))
    assert cost(sol) == pytest.approx(31 + 100 / 300 * 9, rel=1e-6)
    og = sol.origin[sol.origin.facility == "us_mag"]
    assert og.content_share.sum() == pytest.approx(0.20, rel=1e-6)
    assert cost(solved(_feoc(0.0))) == pytest.approx(100 * 1000)  # no US NdPr: nothing qualifies


def test_dfars_style_full_chain_from_a_year():
    """Before 2027 only the magnet's own production counts (a US magnet of Chinese NdPr passes, a magnet
    made in China fails); from 2027 the whole chain: the same US magnet fails."""
    d = _feoc(0.0)
    d["horizon"]["periods"] = [{"year": 2026}, {"year": 2027}]
    d["horizon"]["base_year"] = 2026
    d["compliance_classes"] = [{"id": "dfars", "elements": ["Nd", "Pr", "Dy"], "full_chain_from": 2027}]
    d["facilities"] = [f for f in d["facilities"] if f["id"] != "us_dy"]
    d["facilities"].append({"id": "cn_mag", "region": "CN", "outputs": {"mag": 1}, "capacity": 1000})
    d["routes"].append({"commodity": "mag", "origin": "CN", "destination": "US"})  # free Chinese magnets
    d["demand"] = [
        {"region": "US", "commodity": "mag", "year": y, "quantity": 100, "compliance": "dfars"}
        for y in (2026, 2027)
    ]
    sol = solved(d)
    assert shipped(sol, "CN", "US", commodity="mag") == 0  # a Chinese magnet never qualifies
    assert cost(sol) == pytest.approx(100 * (0.3 + 0.01) + 100 * 1000)
    u = sol.unmet.set_index("year")
    assert u.loc[2026, "unmet"] == 0 and u.loc[2027, "unmet"] == pytest.approx(100)


def _scope_case(elements: list[str], threshold: float) -> dict[str, Any]:
    """Chinese NdPr and US Dy: is a US magnet reached under a list with or without Nd and Pr? The EU buyer
    (any origin) may not have a reached magnet."""
    d = _with_dy_rule(threshold)
    d["facilities"][0].update(id="cn_ndpr", region="CN")
    d["facilities"][1].update(id="us_dy", region="US")
    d["routes"] = [
        {"commodity": "ndpr", "origin": "CN", "destination": "US"},
        {"commodity": "mag", "origin": "US", "destination": "EU"},
    ]
    d["export_controls"][0].update(elements=elements, commodities=["mag"])
    return d


def test_chinese_ndpr_counts_under_the_october_list_not_the_april_one():
    april = solved(_scope_case(["Dy", "Tb", "Sm", "Gd", "Lu", "Sc", "Y"], 0.0))  # No. 18: medium/heavy REEs
    assert cost(april) == pytest.approx(31) and _made(april, "us_mag", "clear") == pytest.approx(100)
    october = solved(_scope_case(["Nd", "Pr", "Dy", "Tb"], 0.001))  # NdPr listed; 18% of value >= 0.1%
    assert cost(october) == pytest.approx(100 * 1000) and _made(october, "us_mag", "clear") == 0


def test_without_an_extraterritorial_rule_nothing_made_abroad_is_reached():
    d = _scope_case(["Nd", "Pr", "Dy"], 0.0)
    d["export_controls"][0]["extraterritorial"] = False
    sol = solved(d)  # a ban on China's own exports to the EU: the US magnet of Chinese NdPr may go there
    assert _made(sol, "us_mag", "clear") == pytest.approx(100) and cost(sol) == pytest.approx(31)


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
