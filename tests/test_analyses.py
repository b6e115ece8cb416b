"""The analyses of issue 14 — evaluate, VSS/EVPI/regret, stress (TTS/TTR, time-to-X%), leverage, deal
attribution (Shapley) and the sweep engine — on hand-computable cases and generated instances."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import base_dict, make
from critmin import CritminError, solve
from critmin.analysis.attribute import attribute, shapley_exact
from critmin.analysis.evaluate import evaluate, plan_of, read_plan, stochastic_value
from critmin.analysis.jobs import Job, clear_cache, run_job
from critmin.analysis.leverage import leverage
from critmin.analysis.stress import stress
from critmin.analysis.sweep import Engine, parse_vary, run_jobs, sweep
from critmin.backend.highs import SolveOptions
from critmin.cli import main
from critmin.generate import synthetic
from critmin.io import load_instance

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
DEMO = ROOT / "instances/demo/demo.yaml"


# -- evaluate, VSS, EVPI ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wait_and_see_le_stochastic_le_expected_value_on_generated_instances(seed):
    inst = synthetic(regions=4, years=3, scenarios=3, seed=seed)
    v = stochastic_value(inst)
    f = v.facts
    tol = 1e-6 * abs(f["RP"])
    assert f["WS"] <= f["RP"] + tol <= f["EEV"] + 2 * tol
    assert f["VSS"] >= -tol and f["EVPI"] >= -tol
    regret = v.regret.set_index("plan")
    assert (regret.drop(columns="max_regret").to_numpy(dtype=float) >= -tol).all()  # nobody beats an optimum
    own = [c for c in regret.columns if c.startswith("regret ")]
    for c in own:  # each scenario's own plan has zero regret there
        assert regret.loc[f"plan for {c[7:]}", c] == pytest.approx(0.0, abs=tol)


@pytest.mark.parametrize("seed", [4, 5])
def test_evaluating_a_plan_in_its_own_instance_reproduces_its_objective(seed):
    inst = synthetic(regions=4, years=3, scenarios=2, seed=seed)
    sol = solve(inst)
    ev = evaluate(plan_of(sol), inst)
    assert ev.facts["objective"] == pytest.approx(sol.objective, rel=1e-7)
    per = ev.scenarios
    expected = (per.probability * per.planner_cost).sum()
    assert expected == pytest.approx(ev.facts["planner_cost"], rel=1e-9)


def test_evaluate_hand_computed_builds_fixed_to_zero():
    """China banned; Australia idle unless built (capex 100/t/yr, 1-yr life). Fixing 'no builds' leaves 100 t
    unmet at 1,000; fixing 60 t costs 60 x (100 + 30 + 5) + 40 x 1,000."""
    d = base_dict()
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    d["facilities"][1]["capacity"] = 0
    d["build_options"] = [
        {"id": "au_build", "facility": "au_plant", "capex": 100, "lifetime": 1, "max_capacity": 60}
    ]
    inst = make(d)
    assert evaluate((), inst).facts["planner_cost"] == pytest.approx(100 * 1000)
    assert evaluate((("au_build", 2025, 60.0),), inst).facts["planner_cost"] == pytest.approx(
        60 * 135 + 40 * 1000
    )
    with pytest.raises(CritminError, match="'nope' is no build option of"):
        evaluate((("nope", 2025, 1.0),), inst)


def test_read_plan_from_a_csv_and_errors_name_row_and_column(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("option,year,capacity_added\nau_build,2025,60\n")
    assert read_plan(p) == (("au_build", 2025, 60.0, "all"),)  # no branch column: decided for all
    p.write_text("option,year,capacity_added,branch\nau_build,2025,60,ban\nau_build,2025,20,all\n")
    assert read_plan(p) == (("au_build", 2025, 60.0, "ban"), ("au_build", 2025, 20.0, "all"))
    p.write_text("option,year,capacity_added\nau_build,2025,-1\n")
    with pytest.raises(CritminError, match=r"b.csv, row 2, column capacity_added"):
        read_plan(p)
    p.write_text("option,year\nau_build,2025\n")
    with pytest.raises(CritminError, match=r"capacity_added \(or capacity\) missing"):
        read_plan(p)


def test_value_needs_two_scenarios():
    with pytest.raises(CritminError, match="VSS and EVPI need at least two"):
        stochastic_value(make(base_dict()))


# -- stress: TTS / TTR, time-to-X% -----------------------------------------------------------------------
def _six_years(stock: float) -> dict[str, Any]:
    """US demand 100 t/yr 2025-2030 (5% discounting), supplied by China at 15/t; a US stock of `stock` t;
    Australia idle (capacity 0) but may build up to 60 t/yr with a 2-year lead time."""
    d = base_dict()
    d["horizon"] = {
        "base_year": 2025,
        "discount_rate": 0.05,
        "periods": [{"year": y} for y in range(2025, 2031)],
    }
    d["demand"] = [{"region": "US", "commodity": "ox", "year": y, "quantity": 100} for y in range(2025, 2031)]
    d["facilities"][1]["capacity"] = 0
    d["build_options"] = [
        {
            "id": "au_build",
            "facility": "au_plant",
            "capex": 100,
            "lifetime": 20,
            "max_capacity": 60,
            "lead_time": 2,
        }
    ]
    if stock:
        d["stockpiles"] = [
            {"id": "st", "region": "US", "commodity": "ox", "capacity": stock, "initial": stock}
        ]
    return d


def test_time_to_survive_is_the_years_a_stock_covers():
    """China's plant stops in 2025; 250 t of stock cover 2025 and 2026 in full (discounting makes later
    shortfalls cheaper, so the stock is used first); 2027 is short: TTS = 2. TTR is scale-aware: China ran
    100 t/yr; Australia may build 60 t/yr, 2 years out — half of China's throughput by 2027 (TTR 2), never
    all of it (exposed, limited by the option's size)."""
    res = stress(make(_six_years(250)), nodes=[("CN", "separation")], shares=(1.0,), recover_share=0.5)
    row = res.time_to_survive.iloc[0]
    assert row.tts_years == 2 and row.ttr_years == 2 and not row.exposed
    assert row.throughput_t == pytest.approx(100) and row.ttr_limited_by == "lead time"
    res = stress(make(_six_years(250)), nodes=[("CN", "separation")], shares=(1.0,))
    row = res.time_to_survive.iloc[0]
    assert row.ttr_years is None or pd.isna(row.ttr_years)
    assert row.exposed and "option size" in row.ttr_limited_by
    assert row.extra_unmet_tonnes == pytest.approx(600 - 250)


def test_time_to_share_is_the_first_year_a_build_can_reach_it():
    """Without China: Australia can build 60 t/yr, online from 2027 (lead time 2). 25% and 50% of 100 t are
    reachable from 2027, 75% and 100% never. The programme for X% is the cheapest that meets X% (demand
    beyond it not valued): 25 t/yr for 25%, 50 t/yr for 50%, so its cost grows with X (it was the same
    for every X when demand beyond X was still valued at its value of lost load)."""
    res = stress(make(_six_years(0)), nodes=[("AU", "separation")], shares=(0.25, 0.5, 0.75, 1.0))
    curve = res.time_to_share.set_index("share")
    assert curve.loc[0.25, "first_year"] == 2027 and curve.loc[0.5, "first_year"] == 2027
    assert pd.isna(curve.loc[0.75, "first_year"]) and pd.isna(curve.loc[1.0, "first_year"])
    assert "au_build 25 t/yr (2027)" in curve.loc[0.25, "main_builds"]
    assert "au_build 50 t/yr (2027)" in curve.loc[0.5, "main_builds"]
    assert curve.loc[0.25, "new_capacity_t"] == pytest.approx(25)
    assert curve.loc[0.5, "programme_spent"] > curve.loc[0.25, "programme_spent"] > 0


def test_a_programme_cost_carries_the_interval_its_solve_guarantees(tmp_path):
    """Issue 25: a programme stopped at its first incumbent reports how far its optimum may lie below it, and
    the proven optimum lies inside that interval (a synthetic instance whose 50% programme needs a search)."""
    from critmin import load_instance
    from critmin.generate import synthetic_data, write_instance

    write_instance(synthetic_data(regions=12, years=5, scenarios=2, seed=1), tmp_path / "i", name="syn")
    inst = load_instance(tmp_path / "i" / "syn.yaml")
    first = SolveOptions(mip_gap=0, highs_options={"mip_max_improving_sols": 1, "mip_heuristic_effort": 0})
    loose = stress(inst, shares=(0.5,), nodes=[], options=first).time_to_share.iloc[0]
    tight = stress(inst, shares=(0.5,), nodes=[], options=SolveOptions(mip_gap=0)).time_to_share.iloc[0]
    assert loose.first_year == tight.first_year
    assert loose.programme_bound_error > 0 and tight.programme_bound_error == 0
    assert abs(loose.programme_spent - tight.programme_spent) <= loose.programme_bound_error + 1e-6


def test_stress_rejects_unknown_nodes_and_years():
    inst = make(_six_years(0))
    with pytest.raises(CritminError, match="no plant of stage 'magnet' in region 'CN'"):
        stress(inst, nodes=[("CN", "magnet")])
    with pytest.raises(CritminError, match="start year 2040 is not a modelled year"):
        stress(inst, starts=[2040])


# -- leverage ----------------------------------------------------------------------------------------------
def test_leverage_hand_computed():
    """One year, 100 t: a ban with today's network (Australia idle) costs 100 x 1,000 - 100 x 15; with the
    plan's 60 t Australian build the ban costs 40 x 1,000 + 60 x 35 - 100 x 15 ... minus what the plan
    costs without a ban (it still pays the build)."""
    d = base_dict()
    d["facilities"][1]["capacity"] = 0
    d["build_options"] = [
        {"id": "au_build", "facility": "au_plant", "capex": 100, "lifetime": 1, "max_capacity": 60}
    ]
    inst = make(d)
    plan = (("au_build", 2025, 60.0),)
    res = leverage(inst, plan=plan)
    row = res.damage.iloc[0]
    assert row.damage_today == pytest.approx(100 * 1000 - 100 * 15)
    # planned: with no ban it buys from China at 15 (the plant idles); with a ban 60 t at 35 and 40 t short
    assert row.damage_planned == pytest.approx(60 * 35 + 40 * 1000 - 100 * 15)
    assert row.damage_avoided == pytest.approx(row.damage_today - row.damage_planned)
    # each damage with the interval the solves guarantee: both LPs here (the network fixed), so exact
    assert row.damage_today_bound_error == 0 and row.damage_planned_bound_error == 0
    rev = res.china_revenue.iloc[0]
    assert rev.exports_tonnes == pytest.approx(100) and rev.revenue == pytest.approx(100 * 100)


# -- attribution -------------------------------------------------------------------------------------------
def test_shapley_efficiency_and_symmetry_on_a_game():
    deals = ["a", "b", "c"]

    def v(s: frozenset[str]) -> float:  # a and b are interchangeable; they overlap; c adds alone
        base = 100.0
        base -= 30 if ("a" in s or "b" in s) else 0
        base -= 5 if ("a" in s and "b" in s) else 0
        return base - (10 if "c" in s else 0)

    values = {frozenset(c): v(frozenset(c)) for k in range(4) for c in itertools.combinations(deals, k)}
    phi, pairs = shapley_exact(deals, values)
    assert sum(phi.values()) == pytest.approx(values[frozenset(deals)] - values[frozenset()])
    assert phi["a"] == pytest.approx(phi["b"]) and phi["c"] == pytest.approx(-10)
    ab = pairs[(pairs.deal_a == "a") & (pairs.deal_b == "b")].interaction.iloc[0]
    assert ab == pytest.approx(30 - 5)  # v(ab) - v(a) - v(b) + v(): -35 + 30 + 30 - 0 = 25 (they overlap)


def _two_equal_deals() -> dict[str, Any]:
    """China banned; two identical idle Australian plants, each brought by its own deal (60 t at 100 capex)."""
    d = base_dict()
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    d["facilities"][1]["capacity"] = 0
    d["facilities"].append(
        {"id": "au_two", "region": "AU", "outputs": {"ox": 1}, "capacity": 0, "var_cost": 30}
    )
    d["build_options"] = [
        {"id": "b1", "facility": "au_plant", "capex": 100, "lifetime": 1, "max_capacity": 60},
        {"id": "b2", "facility": "au_two", "capex": 100, "lifetime": 1, "max_capacity": 60},
    ]
    d["deals"] = [{"id": "one", "parts": ["build_options:b1"]}, {"id": "two", "parts": ["build_options:b2"]}]
    return d


def test_attribute_symmetric_deals_share_the_saving_equally():
    """All off: 100 t short (100,000). One deal: 60 t at 135 + 40 short = 48,100. Both: 100 t at 135 =
    13,500. Each deal's Shapley saving is half of 86,500; leave-one-out 34,600; alone 51,900."""
    res = attribute(make(_two_equal_deals()))
    t = res.deals.set_index("deal")
    assert t.loc["one", "saving_shapley"] == pytest.approx(t.loc["two", "saving_shapley"])
    assert t.saving_shapley.sum() == pytest.approx(100_000 - 13_500)
    assert t.loc["one", "saving_leave_one_out"] == pytest.approx(48_100 - 13_500)
    assert t.loc["one", "saving_alone"] == pytest.approx(100_000 - 48_100)
    assert res.interactions.interaction.iloc[0] == pytest.approx(13_500 - 48_100 - 48_100 + 100_000)


def test_attribute_solves_in_one_round_when_no_deal_can_spare_a_solve(monkeypatch):
    """Issue 25: coalitions went by size, one round each, so a relaxing deal's results could spare the next
    round's solves; each round waited on its slowest solve. Now rounds follow how many relaxing deals a
    coalition misses, and with skipping off (or no relaxing deal) every coalition goes at once. Same
    values."""
    import critmin.analysis.attribute as attr

    subsets = [frozenset(c) for k in range(4) for c in itertools.combinations("abc", k)]
    assert [len(r) for r in attr._rounds(subsets, set())] == [8]  # by size, 4 rounds before
    # a relaxing: the coalitions with a on first (their neighbours with a are what the rest may take)
    rounds = attr._rounds(subsets, {"a"})
    assert [len(r) for r in rounds] == [4, 4] and all("a" in s for s in rounds[0])
    assert rounds[0][0] == frozenset("abc")  # most relaxed first
    assert [len(r) for r in attr._rounds(subsets, {"a", "b"})] == [2, 4, 2]
    calls = []
    real = attr.run_jobs
    monkeypatch.setattr(attr, "run_jobs", lambda *a, **k: calls.append(len(a[1])) or real(*a, **k))
    inst = make(_two_equal_deals())
    once = attribute(inst, parts=False, skip=False)
    assert calls == [4]
    calls.clear()
    # both deals only add a build option: relaxing, but closed by bounds on one model, so their
    # neighbours are checked on the worker within the one round (Job.follows)
    followed = attribute(inst, parts=False)
    assert calls == [4]
    pd.testing.assert_frame_equal(once.deals, followed.deals, check_exact=False, atol=1e-6)


def test_a_deal_of_build_options_is_switched_off_on_the_loaded_model_at_the_same_value():
    """A deal that only brings build options is switched off by holding its options' build columns at 0 on
    the model with it on, instead of assembling the instance without it: one model for both jobs, and the
    same value as removing the deal (allied-frameworks-2025's us_thailand, both plans proven within 1e-4)."""
    from critmin.analysis import jobs as jobs_mod
    from critmin.analysis.jobs import closable_deals

    inst = load_instance(ROOT / "instances" / "rare-earths" / "allied-frameworks-2025.yaml")
    assert {"us_malaysia", "us_thailand"} <= closable_deals(inst)
    assert "us_japan" not in closable_deals(inst) and "us_dod_mp" not in closable_deals(inst)
    clear_cache()
    before = jobs_mod.ASSEMBLED
    on = run_job(inst, Job("on"))
    off = run_job(inst, Job("off", deals_off=("us_thailand",)))
    assert jobs_mod.ASSEMBLED - before == 1  # the second job re-used the first's model
    removed = run_job(inst.without_deals("us_thailand"), Job("removed"))
    assert jobs_mod.ASSEMBLED - before == 2
    assert off.planner_cost == pytest.approx(removed.planner_cost, rel=2e-4)
    assert off.planner_cost > on.planner_cost  # the deal is worth something: its options are built
    assert any(b[0].startswith("th_") and b[2] > 0 for b in on.builds)
    assert not any(b[0] in ("th_new_magnet_build", "th_new_sep_lree_build") and b[2] > 0 for b in off.builds)


def test_attribute_errors():
    with pytest.raises(CritminError, match="defines no deals"):
        attribute(make(base_dict()))
    with pytest.raises(CritminError, match="no deal 'three'"):
        attribute(make(_two_equal_deals()), deals=["three"])


# -- the sweep engine --------------------------------------------------------------------------------------
def test_sweep_draws_are_seeded_and_costs_scale():
    inst = make(base_dict())
    a = sweep(inst, {"var_cost": (0.5, 1.5)}, samples=6, seed=7)
    b = sweep(inst, {"var_cost": (0.5, 1.5)}, samples=6, seed=7)
    pd.testing.assert_frame_equal(a.runs.drop(columns=["seconds", "solve_seconds"]),
                                  b.runs.drop(columns=["seconds", "solve_seconds"]))  # fmt: skip
    for r in a.runs.itertuples():  # 100 t from China at 10 x factor + 5 transport
        assert r.planner_cost == pytest.approx(100 * (10 * r.var_cost_factor + 5))


def test_a_failing_job_is_reported_not_fatal():
    inst = make(base_dict())
    out = run_jobs(inst, [Job("good"), Job("bad", builds=(("nope", 2025, 1.0),)), Job("also_good")])
    assert [o.status for o in out] == ["optimal", "error", "optimal"]
    assert "no build option" in out[1].message


def test_reusing_the_loaded_model_gives_the_same_answer_as_a_fresh_one():
    inst = synthetic(regions=4, years=3, scenarios=2, seed=9)
    jobs = [Job("a", factors=(("capex", 1.3),)), Job("b", builds=()), Job("c"), Job("d", ban_from=2026)]
    clear_cache()
    warm = [run_job(inst, j) for j in jobs]
    cold = []
    for j in jobs:
        clear_cache()
        cold.append(run_job(inst, j))
    assert [o.objective for o in warm] == pytest.approx([o.objective for o in cold], rel=1e-9)


def test_dask_workers_give_the_same_table_as_one_process():
    """More chunks than the engine keeps in flight (2 workers x 4), so chunks are made as others finish."""
    inst = synthetic(regions=4, years=3, scenarios=2, seed=3)
    here = sweep(inst, {"capex": (0.8, 1.2)}, samples=20, seed=1)
    dask = sweep(inst, {"capex": (0.8, 1.2)}, samples=20, seed=1, engine=Engine(workers=2, chunk=2))
    cols = ["sample", "capex_factor", "status", "objective", "planner_cost"]
    pd.testing.assert_frame_equal(here.runs[cols], dask.runs[cols])


def test_parse_vary_errors_suggest():
    assert parse_vary(["capex=0.8:1.2"]) == {"capex": (0.8, 1.2)}
    with pytest.raises(CritminError, match="did you mean 'capex'"):
        parse_vary(["capx=0.8:1.2"])
    with pytest.raises(CritminError, match="NAME=LOW:HIGH"):
        parse_vary(["capex=a:b"])
    with pytest.raises(CritminError, match="LOW <= HIGH"):
        parse_vary(["capex=1.2:0.8"])


# -- the commands ------------------------------------------------------------------------------------------
def test_the_commands_run_and_write(tmp_path):
    r = CliRunner()
    out = tmp_path / "v"
    res = r.invoke(main, ["value", str(DEMO), "--workers", "0", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "VSS" in res.output and (out / "regret.csv").is_file() and (out / "analysis.json").is_file()
    sol = tmp_path / "sol"
    assert r.invoke(main, ["solve", str(DEMO), "-o", str(sol)]).exit_code == 0
    res = r.invoke(main, ["evaluate", str(sol), str(DEMO), "-o", str(tmp_path / "e")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "e" / "solution" / "summary.json").is_file()
    for cmd in (["stress", "--node", "CN:separation"], ["leverage", "--start", "2027"],
                ["sweep", "--vary", "capex=0.9:1.1", "--samples", "3", "--keep", "1"]):  # fmt: skip
        res = r.invoke(main, [cmd[0], str(DEMO), *cmd[1:], "--workers", "0", "-o", str(tmp_path / cmd[0])])
        assert res.exit_code == 0, res.output
    assert (tmp_path / "sweep" / "sample_00000" / "summary.json").is_file()
    res = r.invoke(main, ["attribute", str(DEMO), "--workers", "0"])
    assert res.exit_code == 1 and "defines no deals" in res.output
    res = r.invoke(main, ["stress", str(DEMO), "--node", "CN", "--workers", "0"])
    assert res.exit_code != 0 and "REGION:STAGE" in res.output
    assert load_instance(DEMO).name == "demo"


@pytest.mark.parametrize("seed", [11, 12])
def test_the_digest_agrees_with_the_solution_tables(seed):
    """A job's per-scenario cost, shortfall and met demand (numpy digest) equal what the costs and unmet
    tables of the same solution say."""
    from critmin.model.data import compile_instance
    from critmin.model.registry import COST_BY_NAME

    inst = synthetic(regions=4, years=3, scenarios=2, seed=seed)
    o = run_job(inst, Job("x", keep=True))
    sol = o.solution
    costs = sol.costs[sol.costs.component.map(lambda c: COST_BY_NAME[c].category in ("spent", "unserved"))]
    first = costs[costs.scenario == "all"].discounted.sum()
    for s, value in o.scenario_cost.items():
        assert value == pytest.approx(first + costs[costs.scenario == s].discounted.sum(), rel=1e-9, abs=1e-6)
    allies = compile_instance(inst).allies
    u = sol.unmet[sol.unmet.region.isin(allies)]
    weight = dict(zip(sol.kpis_total.year, sol.kpis_total.year, strict=False))
    assert weight
    for s, short in o.scenario_unmet.items():
        sub = u[u.scenario == s]
        md = compile_instance(inst)
        expected = ((sub.unmet + sub.forgone) * sub.year.map(md.weight)).sum()
        assert short == pytest.approx(expected, rel=1e-9, abs=1e-6)
    for s, y, demand, met in o.met:
        sub = u[(u.scenario == s) & (u.year == y)]
        assert demand == pytest.approx(sub.demand.sum()) and met == pytest.approx(
            (sub.demand - sub.unmet - sub.forgone).sum(), abs=1e-6
        )


def test_a_named_facility_group_is_a_node():
    """Stopping the group {cn_plant} is stopping China's separation: the same TTS of 2 years."""
    res = stress(make(_six_years(250)), groups={"china": ["cn_plant"]}, shares=(1.0,))
    row = res.time_to_survive.set_index("node").loc["china"]
    assert row.tts_years == 2 and row.region == "CN" and row.stage == "separation"
    with pytest.raises(CritminError, match="group 'x': no facility 'cn_plnt'.*did you mean 'cn_plant'"):
        stress(make(_six_years(0)), groups={"x": ["cn_plnt"]})


def test_demand_can_be_varied_and_rebuilds_the_model():
    """100 t x factor bought from China at 15 per t."""
    res = sweep(make(base_dict()), {"demand": (0.5, 1.5)}, samples=4, seed=3)
    for r in res.runs.itertuples():
        assert r.planner_cost == pytest.approx(100 * r.demand_factor * 15)
    assert parse_vary(["demand=0.9:1.1"]) == {"demand": (0.9, 1.1)}


def test_a_multiplier_on_a_cost_the_instance_does_not_have_is_reported():
    """Without a planner nothing is priced as an import: varying 'imports' changes nothing, and says so."""
    res = sweep(make(base_dict()), {"imports": (0.5, 1.5), "var_cost": (1.0, 1.0)}, samples=2, seed=0)
    assert res.facts["inert"] == ["imports"]
    assert any("imports is not a cost of this instance" in h for h in res.headline)
    assert res.runs.planner_cost.nunique() == 1


def test_time_to_recover_is_held_back_by_a_build_rate_and_a_ramp():
    """The same network, with at most 20 t/yr of separation coming online a year: half of China's 100 t/yr
    needs 2027 + 2028 + 2029 (TTR 4 years, limited by the build rate). With a ramp [0.25, 0.5, 1] on top,
    2029 has 20 + 10 + 5 = 35 t/yr usable and 2030 (no room left: 60 t/yr built) 20 + 20 + 10 = 50 (TTR 5)."""
    d = _six_years(250)
    d["build_rates"] = [{"id": "sep_rate", "stage": "separation", "limit": 20}]
    row = stress(
        make(d), nodes=[("CN", "separation")], shares=(1.0,), recover_share=0.5
    ).time_to_survive.iloc[0]
    assert row.ttr_years == 4 and row.ttr_limited_by == "build rate sep_rate"
    d["ramps"] = {"separation": [0.25, 0.5, 1]}
    row = stress(
        make(d), nodes=[("CN", "separation")], shares=(1.0,), recover_share=0.5
    ).time_to_survive.iloc[0]
    assert row.ttr_years == 5


def test_a_job_that_repeats_another_is_solved_once():
    """Issue 25, no repeated work: two jobs that differ only in name (e.g. two scenarios whose own plans are
    the same plan, evaluated in a third) are one solve; each gets the answer under its own key and label."""
    inst = make(base_dict())
    ticks: list[tuple[int, int]] = []
    jobs = [Job("a", label={"n": 1}), Job("b", label={"n": 2}), Job("c", ban_from=2025)]
    outs = run_jobs(inst, jobs, engine=Engine(workers=0), progress=lambda d, t: ticks.append((d, t)))
    assert [o.key for o in outs] == ["a", "b", "c"] and [o.label for o in outs[:2]] == [{"n": 1}, {"n": 2}]
    assert outs[0].objective == outs[1].objective == pytest.approx(100 * 15)
    assert outs[2].objective == pytest.approx(100 * 35)  # China banned: Australia at 35/t
    assert ticks[-1] == (2, 2)  # two solves, not three


def test_jobs_that_share_a_model_run_together_and_answer_in_their_own_order(monkeypatch):
    """Issue 25, no repeated work: value's evaluations came plan by plan, each in every scenario, so a worker
    keeping a few models re-assembled one for every job (15 of 20 s on controls-stochastic). Jobs are now
    grouped by the model they load; the answers come back in the order asked."""
    import critmin.analysis.jobs as jobs_mod

    inst = synthetic(regions=4, years=3, scenarios=3, seed=1)
    scens = [s.name for s in inst.scenarios]
    clear_cache()
    monkeypatch.setattr(jobs_mod, "_CACHE_SIZE", 1)
    made = []
    real = jobs_mod.assemble
    monkeypatch.setattr(jobs_mod, "assemble", lambda md: made.append(md) or real(md))
    jobs = [
        Job(f"{p}@{s}", scenario=s, factors=(("var_cost", f),))
        for p, f in (("a", 1), ("b", 1.5))
        for s in scens
    ]
    outs = run_jobs(inst, jobs, engine=Engine(workers=0))
    assert [o.key for o in outs] == [j.key for j in jobs]
    assert all(o.ok for o in outs), [o.message for o in outs]
    assert len(made) == len(scens)  # one model per scenario, not one per job (6 before)
    got = {o.key: o.objective for o in outs}
    for s in scens:  # each answer is its own job's: variable costs x1.5 cost more in every scenario
        assert got[f"b@{s}"] > got[f"a@{s}"]
    clear_cache()


def test_a_run_of_jobs_on_one_model_starts_its_own_chunk_and_a_long_solve_travels_alone():
    from critmin.analysis.sweep import _chunks

    inst = make(base_dict())
    opts = SolveOptions()
    s1 = [Job(k) for k in "abcd"]
    s2 = [Job("e", ban_from=2025), Job("f", deals_off=("x",)), Job("g", deals_off=("x",))]
    long = Job("RP", alone=True)
    got = [[j.key for j in c] for c in _chunks(inst, iter([*s1, s2[0], s2[1], long, s2[2]]), 3, opts)]
    # ban_from is applied to a loaded model (same model as a..d); deals_off is a model of its own
    assert got == [["a", "b", "c"], ["d", "e", "f"], ["RP"], ["g"]]
    # a run of jobs on one model (f, g) starts a chunk of its own
    got = [[j.key for j in c] for c in _chunks(inst, iter([s1[0], s1[1], s2[1], s2[2]]), 4, opts)]
    assert got == [["a", "b"], ["f", "g"]]
    # jobs each on a model of their own (a demand sweep) are packed, not sent one by one
    singles = [Job(f"d{i}", factors=(("demand", 1 + i / 10),)) for i in range(5)]
    assert [len(c) for c in _chunks(inst, iter(singles), 3, opts)] == [3, 2]


def test_a_fixed_network_is_solved_as_an_lp_with_the_mips_answer():
    """Issue 25: a job that fixes every integer column (a plan evaluated: value's regret, EEV without
    recourse) is an LP; it is solved as one (half the MIP path's time on the bundled instances) and gives
    the MIP path's objective."""
    from dataclasses import replace as dc_replace

    import critmin.analysis.jobs as jobs_mod
    from critmin.backend.session import Session

    inst = synthetic(regions=4, years=3, scenarios=3, seed=2)
    clear_cache()
    plan = plan_of(solve(inst))
    assert plan, "the generated instance builds something"
    s = inst.scenarios[1].name
    job = Job("eval", scenario=s, builds=tuple(plan))
    out = run_job(inst, job, SolveOptions())
    loaded = jobs_mod._loaded(inst, job, SolveOptions())
    assert loaded.fixed_session is not None and not loaded.fixed_session.is_mip
    arrays = jobs_mod.job_arrays(loaded, job)
    assert arrays.integer.any()
    mip = Session(dc_replace(arrays, cache={}), SolveOptions()).solve()
    assert mip.objective is not None and out.objective is not None
    assert out.objective == pytest.approx(mip.objective * arrays.md.m, rel=1e-9)
    clear_cache()


def test_value_stops_at_its_exploratory_gap_and_its_figures_hold_the_tight_ones():
    """Issue 25: an analysis chooses its gap from what it reports. value's figures are objective values with
    their intervals, so it stops at the exploratory gap by default; each figure lies within its interval
    (plus the tight run's) of the tight gap's, and the output says which gap it used."""
    from critmin.backend.gaps import DEFAULT_MIP_GAP, EXPLORATORY_MIP_GAP, default_mip_gap

    assert default_mip_gap("value") == EXPLORATORY_MIP_GAP > DEFAULT_MIP_GAP
    assert default_mip_gap("attribute") == default_mip_gap("leverage") == default_mip_gap() == DEFAULT_MIP_GAP
    inst = synthetic(regions=6, years=4, scenarios=3, seed=4)
    quick = stochastic_value(inst, engine=Engine(workers=0))
    tight = stochastic_value(inst, options=SolveOptions(mip_gap=DEFAULT_MIP_GAP), engine=Engine(workers=0))
    q, t = (r.tables["summary"].set_index("measure") for r in (quick, tight))
    for measure in t.index:
        slack = q.bound_error[measure] + t.bound_error[measure] + 1e-6 * abs(t.value[measure])
        assert abs(q.value[measure] - t.value[measure]) <= slack, measure
    assert any("exploratory" in a for a in quick.assumptions)
    assert not any("exploratory" in a for a in tight.assumptions)


def test_value_on_the_command_line_says_its_gap_and_takes_the_tight_one_on_request(tmp_path):
    import json

    runner = CliRunner()
    for extra, exploratory in (([], True), (["--mip-gap", "1e-4"], False)):
        out = tmp_path / f"v{len(extra)}"
        r = runner.invoke(main, ["value", str(DEMO), "--workers", "0", "-o", str(out), *extra])
        assert r.exit_code == 0, r.output
        doc = json.loads((out / "analysis.json").read_text())
        assert any("exploratory" in a for a in doc["assumptions"]) is exploratory


def test_a_warm_evaluation_starts_from_the_last_basis_and_finds_the_cold_objective():
    """Issue 25: value's regret evaluations read only the objective, so they start from the last basis their
    worker solved on that model (`Job.warm`): fewer simplex iterations, the same optimum. A job that is not
    warm still clears the solver first (its flows must not depend on what ran before)."""
    import critmin.analysis.jobs as jobs_mod

    inst = synthetic(regions=4, years=3, scenarios=3, seed=2)
    clear_cache()
    plan = plan_of(solve(inst))
    s = inst.scenarios[1].name
    other = tuple((o, y, a * 0.5, br) for o, y, a, br in plan)  # another network, so the basis must move
    opts = SolveOptions()

    def iterations(job: Job) -> tuple[float, int]:
        out = run_job(inst, job, opts)
        loaded = jobs_mod._loaded(inst, job, opts)
        assert loaded.fixed_session is not None and out.objective is not None
        return out.objective, loaded.fixed_session.counts()["simplex_iterations"]

    iterations(Job("first", scenario=s, builds=tuple(plan)))
    cold_obj, cold_its = iterations(Job("cold", scenario=s, builds=other))
    iterations(Job("again", scenario=s, builds=tuple(plan)))
    warm_obj, warm_its = iterations(Job("warm", scenario=s, builds=other, warm=True))
    assert warm_obj == pytest.approx(cold_obj, rel=1e-9)
    assert warm_its < cold_its
    # the same job twice: cold repeats the work, warm starts at the optimum
    _, again_cold = iterations(Job("cold2", scenario=s, builds=other))
    _, again_warm = iterations(Job("warm2", scenario=s, builds=other, warm=True))
    assert again_cold == cold_its and again_warm == 0
    clear_cache()


def test_a_session_sends_the_instance_once_and_its_workers_reuse_models_across_rounds():
    """Issue 25: value runs in two rounds on one set of workers (engine_session). Before, each round made
    its own client and sent the instance again, so a worker's models (keyed by the instance object) were
    assembled again in the second round; now the second round's jobs on an already-loaded model assemble
    nothing, and the answers equal the in-process ones."""
    import critmin.analysis.jobs as jobs_mod
    from critmin.analysis.sweep import engine_session

    inst = synthetic(regions=4, years=3, scenarios=2, seed=3)
    s = inst.scenarios[0].name
    first = [Job("plan", scenario=s)]
    here = run_jobs(inst, first + [Job("again", scenario=s, factors=(("capex", 1.2),))])
    with engine_session(Engine(workers=1)) as eng:
        a = run_jobs(inst, first, engine=eng, reduce=lambda o: (o.objective, jobs_mod.ASSEMBLED))
        b = run_jobs(inst, [Job("again", scenario=s, factors=(("capex", 1.2),))], engine=eng,
                     reduce=lambda o: (o.objective, jobs_mod.ASSEMBLED))  # fmt: skip
    assert a[0][0] == pytest.approx(here[0].objective, rel=1e-9)
    assert b[0][0] == pytest.approx(here[1].objective, rel=1e-9)
    assert a[0][1] == 1 and b[0][1] == 1, "the second round assembled the model again"
