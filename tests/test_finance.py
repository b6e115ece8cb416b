"""Deals as what they finance, capital that costs something, prices that move (issue 24), each on a
hand-computable instance solved by both engines (conftest.solved): a deal whose plant is worth the cost it
avoids (and less when, without the deal, the plant only comes later); a hurdle rate that flips a build and a
concessional loan that flips it back; a price floor paying the gap to a moving market; a Chinese price cut
that makes an unbacked plant not worth building while a backed one still is."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import base_dict, cost, make, solved
from critmin.errors import InstanceError


def crf(rate: float, life: int) -> float:
    """Annuity-due factor, written out by hand: r (1+r)^(n-1) / ((1+r)^n - 1)."""
    return rate * (1 + rate) ** (life - 1) / ((1 + rate) ** life - 1)


def _deal_case(when_off: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """China is banned from the US; Australia's plant (35/t delivered) exists only through a deal. Two years,
    100 t each, no discounting; a tonne short costs 1000."""
    d = base_dict()
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2026}]
    d["demand"] = [{"region": "US", "commodity": "ox", "year": y, "quantity": 100} for y in (2025, 2026)]
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"], "kind": "ban"}]
    d["deals"] = [{"id": "aus", "parts": ["facilities:au_plant"], "when_off": when_off or []}]
    return d


def test_a_deal_is_worth_the_cost_its_plant_avoids():
    on = solved(_deal_case())
    assert cost(on) == pytest.approx(2 * 100 * 35)
    off = solved(_deal_case(), deals_off=["aus"])  # no plant: every tonne short
    assert cost(off) == pytest.approx(2 * 100 * 1000)
    # without the deal the plant comes a year later: the deal is worth one year of shortfall, not two
    later = solved(_deal_case([{"part": "facilities:au_plant", "delay": 1}]), deals_off=["aus"])
    assert cost(later) == pytest.approx(100 * 1000 + 100 * 35)
    assert cost(later) - cost(on) == pytest.approx(100 * (1000 - 35))


def _build_case(**finance: Any) -> dict[str, Any]:
    """The US buys from Australia at 35/t delivered, or builds its own plant (capex 200 per t/yr, 10-year
    life, no running cost): at 5% a year of capital costs 200 x 0.1233 = 24.7/t, at 20% 39.8/t."""
    d = base_dict()
    d["facilities"] = [
        d["facilities"][1],
        {"id": "us_plant", "region": "US", "outputs": {"ox": 1}, "capacity": 0},
    ]
    d["routes"] = [d["routes"][1]]
    d["build_options"] = [{"id": "us_build", "facility": "us_plant", "capex": 200, "lifetime": 10}]
    d["horizon"]["discount_rate"] = 0.05
    d.update(finance)
    return d


def test_a_hurdle_rate_flips_a_build_and_concessional_finance_flips_it_back():
    assert 200 * crf(0.05, 10) < 35 < 200 * crf(0.20, 10)
    at_discount_rate = solved(_build_case())  # no finance terms: capital at the discount rate
    assert at_discount_rate.builds.capacity_added.sum() == pytest.approx(100)
    assert cost(at_discount_rate) == pytest.approx(100 * 200 * crf(0.05, 10))
    assert at_discount_rate.builds.cost_of_capital.iloc[0] == pytest.approx(0.05)
    private = {"hurdle_rates": [{"id": "private", "rate": 0.20}]}
    dear = solved(_build_case(finance=private))
    assert dear.builds.empty and cost(dear) == pytest.approx(100 * 35)  # imports instead
    backed = {**private, "concessional": [{"id": "loan", "options": ["us_build"], "rate": 0.05}]}
    cheap = solved(_build_case(finance=backed))
    assert cheap.builds.capacity_added.sum() == pytest.approx(100)
    # the most specific hurdle-rate row wins: a home-region rate over the catch-all
    specific = {
        "hurdle_rates": [{"id": "private", "rate": 0.20}, {"id": "home", "rate": 0.05, "region": "US"}]
    }
    assert solved(_build_case(finance=specific)).builds.capacity_added.sum() == pytest.approx(100)
    # a deal that brings the loan: switched off, the project pays its unsupported rate
    with_deal = _build_case(finance=backed)
    with_deal["deals"] = [{"id": "exim", "parts": ["finance.concessional:loan"]}]
    assert solved(with_deal, deals_off=["exim"]).builds.empty


def test_financing_cost_is_reported_apart_from_capex():
    sol = solved(_build_case(finance={"hurdle_rates": [{"id": "p", "rate": 0.10}]}, objective={
        "unmet_penalty": 1000}))  # fmt: skip
    b = sol.builds.iloc[0]
    assert b.capex == pytest.approx(100 * 200)  # overnight
    assert b.financing_per_year == pytest.approx(100 * 200 * (crf(0.10, 10) - crf(0.05, 10)))


def test_a_price_floor_pays_the_gap_to_a_market_that_moves():
    """China is banned; Australia makes 100 t under a floor of 150/t. The market is the list price 100 x a
    price path of 1.2 in 2025 and 1.6 from 2026: the floor pays 30/t, then nothing (market above it)."""
    d = _deal_case()
    d.pop("deals")
    d["price_paths"] = [{"id": "spike", "commodity": "ox", "factors": {2025: 1.2, 2026: 1.6}}]
    d["price_floors"] = [{"id": "floor", "facility": "au_plant", "commodity": "ox", "floor": 150}]
    sol = solved(d)
    pay = sol.support.groupby("year").payment.sum()
    assert pay[2025] == pytest.approx(100 * (150 - 120)) and pay[2026] == pytest.approx(0)
    assert cost(sol) == pytest.approx(2 * 100 * 35 + 3000)


def _price_cut_case(cut: bool) -> dict[str, Any]:
    """The allies (US, JP) buy Chinese oxide at its price, 100/t, or build at home (capex 500 per t/yr,
    10-year life, running cost 20/t). JP's plant is backed by a 2% loan (500 x 0.111 + 20 = 75.6/t), the US's
    pays a 12% hurdle rate (500 x 0.158 + 20 = 99.0/t). A Chinese price cut to 80/t aimed at allied plants
    leaves the backed plant worth building and the unbacked one not."""
    d = base_dict()
    d["regions"].append({"id": "JP", "bloc": "ally"})
    d["planner"] = {"members": ["US", "JP"]}
    d["facilities"] = [
        d["facilities"][0],
        {"id": "us_plant", "region": "US", "outputs": {"ox": 1}, "capacity": 0, "var_cost": 20},
        {"id": "jp_plant", "region": "JP", "outputs": {"ox": 1}, "capacity": 0, "var_cost": 20},
    ]
    d["routes"] = [
        {"commodity": "ox", "origin": "CN", "destination": "US", "cost": 0},
        {"commodity": "ox", "origin": "CN", "destination": "JP", "cost": 0},
    ]
    d["demand"] = [{"region": r, "commodity": "ox", "year": 2025, "quantity": 100} for r in ("US", "JP")]
    d["build_options"] = [
        {"id": f"{r}_build", "facility": f"{r}_plant", "capex": 500, "lifetime": 10} for r in ("us", "jp")
    ]
    d["finance"] = {
        "hurdle_rates": [{"id": "private", "rate": 0.12}],
        "concessional": [{"id": "jbic", "options": ["jp_build"], "rate": 0.02, "kind": "loan"}],
    }
    if cut:
        d["price_paths"] = [{"id": "cut", "commodity": "ox", "region": "CN", "prices": {2025: 80}}]
    return d


def test_a_chinese_price_cut_strands_an_unbacked_plant_but_not_a_backed_one():
    assert 500 * crf(0.02, 10) + 20 < 80 < 500 * crf(0.12, 10) + 20 < 100
    before = solved(_price_cut_case(cut=False))
    assert set(before.builds.option) == {"us_build", "jp_build"}
    after = solved(_price_cut_case(cut=True))
    assert set(after.builds.option) == {"jp_build"}
    # the planner's cost (China's own running cost enters only at the outside tie-break weight)
    assert cost(after) == pytest.approx(100 * (500 * crf(0.02, 10) + 20) + 100 * 80, abs=1.0)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"finance": {"hurdle_rates": [{"id": "h", "rate": 1.0}]}}, "rate"),
        ({"finance": {"hurdle_rates": [{"id": "h", "rate": -0.01}]}}, "rate"),
        ({"price_paths": [{"id": "p", "commodity": "ox", "factors": {2026: 1.1}}]}, "have no price"),
        ({"price_paths": [{"id": "p", "commodity": "ox", "factors": {2025: 1.1}, "prices": {2025: 9}}]},
         "exactly one"),
        ({"price_floors": [{"id": "f", "facility": "au_plant", "commodity": "ox", "floor": -5}]}, "floor"),
        ({"deals": [{"id": "d", "parts": ["facilities:au_plant"],
                     "when_off": [{"part": "facilities:cn_plant", "delay": 1}]}]}, "not one of"),
        ({"finance": {"concessional": [{"id": "c", "options": ["nosuch"], "rate": 0.02}]}}, "nosuch"),
    ],
)  # fmt: skip
def test_bad_finance_and_price_inputs_are_located_errors(change: dict[str, Any], field: str):
    d = base_dict()
    d.update(change)
    with pytest.raises((InstanceError, ValueError)) as e:
        make(d)
    assert field in str(e.value)


def test_attribute_says_which_part_of_a_deal_carries_its_value():
    """A deal brings Australia's plant (35/t delivered) and a spare plant (55/t): with the deal off every
    tonne is short (1000/t); with only the plant off the spare serves (20/t more); the spare alone is worth
    nothing while the plant is there."""
    from critmin.analysis.attribute import attribute

    d = _deal_case()
    d["facilities"].append(
        {"id": "au_spare", "region": "AU", "outputs": {"ox": 1}, "capacity": 1000, "var_cost": 50}
    )
    d["offtakes"] = [{"id": "buy", "facility": "au_plant", "commodity": "ox", "quantity": 10, "price": 100,
                      "reference_price": 100}]  # fmt: skip
    d["deals"] = [{"id": "aus", "parts": ["facilities:au_plant", "facilities:au_spare", "offtakes:buy"]}]
    res = attribute(make(d))
    assert res.tables["deals"].saving_shapley.iloc[0] == pytest.approx(2 * 100 * (1000 - 35), rel=1e-6)
    table = res.tables["parts"]
    assert (table.status == "optimal").all()  # the plant goes with the offtake on it (regression: error)
    parts = table.set_index("part").saving_leave_one_out
    assert parts["facilities:au_plant (with offtakes:buy)"] == pytest.approx(2 * 100 * (55 - 35), rel=1e-6)
    assert parts["facilities:au_spare"] == pytest.approx(0, abs=1e-3)
    assert parts["offtakes:buy"] == pytest.approx(0, abs=1e-3)
    assert "mostly facilities:au_plant" in res.headline[1]


def test_wait_and_see_under_a_cvar_objective_takes_the_tail_of_the_scenario_costs():
    """Regression (issue 26): with E + lambda CVaR, WS averaged each one-scenario objective (cost x (1 +
    lambda)), so EVPI was mostly tail premium. Calm (0.8): China supplies at 15/t; ban (0.2): only Australia,
    35/t; nothing to decide, so perfect foresight is worth nothing: EVPI = 0. E = 1,900, CVaR_0.9 = 3,500."""
    from critmin.analysis.evaluate import stochastic_value

    d = base_dict()
    d["scenarios"] = [{"name": "calm", "probability": 0.8}, {"name": "ban", "probability": 0.2}]
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"], "kind": "ban",
                             "scenarios": ["ban"]}]  # fmt: skip
    d["objective"]["cvar_weight"] = 1.0
    d["objective"]["cvar_alpha"] = 0.9
    res = stochastic_value(make(d))
    assert res.facts["RP"] == pytest.approx(1_900 + 3_500, rel=1e-6)
    assert res.facts["WS"] == pytest.approx(1_900 + 3_500, rel=1e-6)  # the old formula gave 3,800
    assert res.facts["EVPI"] == pytest.approx(0, abs=1e-3)


def _game_case() -> dict[str, Any]:
    """China is banned; the US can build at home (option a, 300 per t/yr, 1-year life) or in Australia
    through deal 'b' (option b, 100 per t/yr) or through deal 'c' (option c, 500 per t/yr, never worth it
    while b exists); deal 'd' brings a 2% loan on option a."""
    d = _deal_case()
    d["horizon"]["periods"] = [{"year": 2025}]
    d["demand"] = [d["demand"][0]]
    d["facilities"] += [
        {"id": "us_new", "region": "US", "outputs": {"ox": 1}, "capacity": 0},
        {"id": "au_new", "region": "AU", "outputs": {"ox": 1}, "capacity": 0},
        {"id": "au_dear", "region": "AU", "outputs": {"ox": 1}, "capacity": 0},
    ]
    d["facilities"] = [f for f in d["facilities"] if f["id"] != "au_plant"]
    d["build_options"] = [
        {"id": "a", "facility": "us_new", "capex": 300, "lifetime": 1},
        {"id": "b", "facility": "au_new", "capex": 100, "lifetime": 1},
        {"id": "c", "facility": "au_dear", "capex": 500, "lifetime": 1},
    ]
    d["finance"] = {"concessional": [{"id": "loan", "options": ["a"], "rate": 0.02}]}
    d["deals"] = [
        {"id": "b", "parts": ["build_options:b"]},
        {"id": "c", "parts": ["build_options:c"]},
        {"id": "d", "parts": ["finance.concessional:loan"]},
    ]
    return d


def test_attribute_skips_coalitions_that_follow_exactly_and_gets_the_same_values():
    """Most relaxed first: with b on, neither c's option nor d's loan is used, so {b} = {b,c} = {b,d} =
    {b,c,d} and only the others are solved; the values are those of solving every coalition."""
    from critmin.analysis.attribute import attribute

    inst = make(_game_case())
    fast, full = attribute(inst, parts=False), attribute(inst, parts=False, skip=False)
    assert full.facts["solved"] == 8 and full.facts["skipped"] == 0
    assert fast.facts["skipped"] >= 3 and fast.facts["solved"] + fast.facts["skipped"] == 8
    a, b = fast.tables["deals"].set_index("deal"), full.tables["deals"].set_index("deal")
    for col in ("saving_shapley", "saving_leave_one_out", "saving_alone"):
        assert a[col].to_dict() == pytest.approx(b[col].to_dict(), abs=1e-6)
    # an LP: the bounds are proven, so no error is added
    assert (a.saving_error == 0).all()


def test_attribute_on_workers_skips_as_in_process():
    """b and c only bring build options: a coalition without one is its neighbour's model with the option
    closed, checked by the worker that solved the neighbour (Job.follows). The chunks keep a job with the
    one it follows (before, a round of 4 jobs on 2 workers went one job per chunk): the same skips and
    values on two Dask workers as in this process."""
    from critmin.analysis.attribute import attribute
    from critmin.analysis.sweep import Engine

    inst = make(_game_case())
    here = attribute(inst, parts=False)
    there = attribute(inst, parts=False, engine=Engine(workers=2))
    assert there.facts["skipped"] == here.facts["skipped"] >= 3
    a, b = here.tables["deals"].set_index("deal"), there.tables["deals"].set_index("deal")
    assert a.saving_shapley.to_dict() == pytest.approx(b.saving_shapley.to_dict(), abs=1e-6)


def test_value_figures_carry_what_the_solver_bounds_leave():
    """Each optimum lies within its gap below the value found; EVPI and VSS within the sum of their two."""
    from critmin.analysis.evaluate import _value_result

    inst = make(base_dict())
    res = _value_result(inst, "s", 90.0, 100.0, 130.0, __import__("pandas").DataFrame(), True,
                        {"RP": 2.0, "WS": 3.0, "EEV": 5.0})  # fmt: skip
    t = res.tables["summary"].set_index("measure").bound_error
    assert t["EVPI = RP - WS"] == 5.0 and t["VSS = EEV - RP"] == 7.0
    assert res.facts["EVPI_error"] == 5.0 and "±" in res.headline[0]
    exact = _value_result(inst, "s", 90.0, 100.0, 130.0, __import__("pandas").DataFrame(), True)
    assert "±" not in exact.headline[0]
    # a proven optimum's bound differs from it by solver noise: no "± 0 USD" (demo printed one at 1e-3)
    noise = _value_result(inst, "s", 90.0, 100.0, 130.0, __import__("pandas").DataFrame(), True,
                          {"RP": 1.5e-5, "WS": 0.0, "EEV": 0.0})  # fmt: skip
    assert "±" not in noise.headline[0]


def test_a_policy_set_is_off_as_written_and_on_when_switched_on():
    """EU CRMA-style: a single-supplier cap brought by a deal with in_force: false. As written the US buys
    all 100 t from China (15/t); switched on (at most 50% from one country) half comes from Australia."""
    d = base_dict()
    d["policies"] = {
        "max_supplier_share": [{"id": "cap", "region": "US", "commodities": ["ox"], "share": 0.5}]
    }
    d["deals"] = [{"id": "crma", "parts": ["policies.max_supplier_share:cap"], "in_force": False}]
    inst = make(d)
    assert cost(solved(d)) == pytest.approx(100 * 15)
    on = inst.with_deals_on("crma")
    from critmin import solve

    assert cost(solve(on, mip_gap=0.0)) == pytest.approx(50 * 15 + 50 * 35)
    with pytest.raises(Exception, match="unknown deal 'crm'"):
        inst.with_deals_on("crm")


def _near_tie_case() -> dict[str, Any]:
    d = _deal_case()
    d.pop("deals")
    d["horizon"]["periods"] = [{"year": 2025}]
    d["demand"] = [d["demand"][0]]
    d["facilities"][1]["capacity"] = 0
    d["build_options"] = [{"id": "mod", "kind": "discrete", "facility": "au_plant", "module_size": 100,
                           "fixed_cost": 1_000, "max_count": 2, "lifetime": 1}]  # fmt: skip
    d["objective"]["unmet_penalty"] = 45.01
    return d


def test_diagnose_says_a_near_tie_out_loud():
    """China is banned; one 100 t/yr module in Australia costs 1,000 + 35/t, so serving 100 t costs 4,500;
    leaving them unserved at 45.01/t costs 4,501: the build is worth 1 (0.02%) — a near-tie, reported with
    the plan that is one module fewer, re-solved."""
    from critmin import diagnose

    ties = diagnose(make(_near_tie_case())).near_ties
    assert len(ties) == 1 and ties.option[0] == "mod" and ties.alternative[0] == "one module fewer"
    assert ties.cost_change[0] == pytest.approx(1.0, abs=1e-6)
    assert ties.share_of_variable_cost[0] == pytest.approx(1.0 / 4_500, rel=1e-6)


def test_solve_and_the_report_say_the_near_tie_too(tmp_path):
    """Issue 25: `solve --near-ties` names the same near-tie as diagnose (one module fewer costs 1, 0.022%),
    keeps it in the solution folder (summary.json) and the report shows it in the run's headline."""
    import yaml
    from click.testing import CliRunner

    from critmin import Solution
    from critmin.cli import main

    path = tmp_path / "tie.yaml"
    path.write_text(yaml.safe_dump(_near_tie_case()))
    out = tmp_path / "sol"
    r = CliRunner().invoke(main, ["solve", str(path), "--near-ties", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "near-ties: one module more or fewer" in r.stdout
    assert "mod 2025 (all): one module fewer costs 1 USD more (0.022%)" in r.stdout
    tie = Solution.read(out).near_ties
    assert [t["option"] for t in tie] == ["mod"] and tie[0]["cost_change"] == pytest.approx(1.0, abs=1e-6)
    report = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", str(out), "-o", str(report)]).exit_code == 0
    assert "one module fewer costs 1 USD more" in report.read_text()
    plain = CliRunner().invoke(main, ["solve", str(path)])
    assert "near-ties" not in plain.stdout  # only when asked: it re-solves
