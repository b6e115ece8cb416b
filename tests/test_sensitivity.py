"""Ranges, not points (issue 26): the declared uncertain inputs, the one-at-a-time tornado and the
break-even probability of a scenario, on a hand-computable instance.

The US needs 100 t in 2025. China supplies at 15/t delivered, except in 'ban' (probability 0.2 as written),
where a tonne not served costs 1000. Australia can build 100 t/yr for 300 per t/yr (1-year life) and deliver
at 35/t, decided before anyone knows which scenario holds. Building pays when 300 < p x (1000 - 35), i.e. for
p > 300 / 965 = 0.3109; as written (p = 0.2) nothing is built."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import build_or_lose, make
from critmin.analysis.jobs import with_probability
from critmin.analysis.sensitivity import sensitivity
from critmin.errors import CritminError


def test_the_tornado_ranks_inputs_by_swing_and_says_when_the_plan_changes():
    res = sensitivity(
        make(build_or_lose([
            {"id": "voll", "parameter": "voll", "low": 0.5, "high": 2.0, "source": "ASSUMED"},
            {"id": "capex", "parameter": "capex", "low": 0.8, "high": 1.25},
        ])),
        break_even=False,
    )  # fmt: skip
    t = res.tables["tornado"].set_index("input")
    assert list(t.index) == ["voll", "capex"]  # largest swing first
    # voll x0.5: 0.8 x 1,500 + 0.2 x 100 x 500 = 11,200 (no build); x2: build, 30,000 + 1,200 + 0.2 x 3,500
    assert t.cost_low["voll"] == pytest.approx(11_200, rel=1e-6)
    assert t.cost_high["voll"] == pytest.approx(31_900, rel=1e-6)
    assert t.plan_changes_high["voll"].startswith("b 2025: 0 -> 100") and t.plan_changes_low["voll"] == ""
    # capex does not matter while nothing is built
    assert t.cost_swing["capex"] == pytest.approx(0, abs=1e-6)
    assert res.facts["point"] == pytest.approx(0.8 * 1_500 + 0.2 * 100_000, rel=1e-6)


def test_the_break_even_probability_is_where_building_starts_to_pay():
    res = sensitivity(make(build_or_lose([{"id": "p_ban", "parameter": "probability", "scenario": "ban", "low": 0.05,
                                   "high": 0.6}])))  # fmt: skip
    row = res.tables["break_even"].iloc[0]
    assert row.break_even == pytest.approx(300 / 965, abs=row.break_even_within + 1e-9)
    assert row.break_even_within <= 0.4 / 64 / 2 + 1e-12
    assert "b 2025" in row.changes and "about 0.3" in res.headline[-1]


def test_with_probability_keeps_the_other_scenarios_relative_weights():
    d = build_or_lose([])
    d["scenarios"] = [{"name": "a", "probability": 0.5}, {"name": "b", "probability": 0.3},
                      {"name": "ban", "probability": 0.2}]  # fmt: skip
    inst = with_probability(make(d), "ban", 0.6)
    p = {s.name: s.probability for s in inst.scenarios}
    assert p == pytest.approx({"a": 0.25, "b": 0.15, "ban": 0.6})


@pytest.mark.parametrize(
    "bad, says",
    [
        ({"id": "x", "parameter": "vol", "low": 1, "high": 2}, "unknown parameter 'vol'"),
        ({"id": "x", "parameter": "voll", "low": 2, "high": 1}, "above high"),
        ({"id": "x", "parameter": "probability", "low": 0.1, "high": 0.2}, "names its scenario"),
        ({"id": "x", "parameter": "probability", "scenario": "nosuch", "low": 0.1, "high": 0.2}, "nosuch"),
        ({"id": "x", "parameter": "probability", "scenario": "ban", "low": 0.1, "high": 1.0}, "strictly"),
    ],
)
def test_bad_uncertain_inputs_are_refused(bad: dict[str, Any], says: str):
    with pytest.raises((CritminError, ValueError)) as e:
        make(build_or_lose([bad]))
    assert says in str(e.value)


def test_an_instance_without_declared_inputs_is_refused_with_a_hint():
    with pytest.raises(CritminError, match="declares no uncertain inputs"):
        sensitivity(make(build_or_lose([])))


def test_ranges_draw_every_input_at_once_seeded_and_bracket_the_tornado():
    """`solve --ranges N`: p10 <= p50 <= p90, all within what the value of lost load alone can do at its ends
    (11,200 .. 31,900), and the same draws for the same seed."""
    from critmin.analysis.sensitivity import ranges

    inst = make(build_or_lose([{"id": "voll", "parameter": "voll", "low": 0.5, "high": 2.0}]))
    a, b = ranges(inst, 12, seed=3), ranges(inst, 12, seed=3)
    r = a.tables["ranges"].set_index("metric").loc["planner_cost"]
    assert 11_200 - 1e-6 <= r.p10 <= r.p50 <= r.p90 <= 31_900 + 1e-6
    assert r.as_written == pytest.approx(0.8 * 1_500 + 0.2 * 100_000, rel=1e-9)
    assert a.tables["samples"].planner_cost.tolist() == b.tables["samples"].planner_cost.tolist()
    assert a.facts["solved"] == 12


def test_the_tornado_ranks_inputs_by_another_analysis_headline():
    """--metric deal:ID: the deal brings Australia's build option; with it, a ban's 100 t are served at 35
    (build 300) instead of lost at 1000 x voll. Its leave-one-out saving, by hand: without the option the
    cost is 0.8 x 1,500 + 0.2 x 100,000 x f; with it min(that, 30,000 + 0.8 x 1,500 + 0.2 x 3,500).
    Regression: switching a deal off dropped a sample's multipliers (the value at voll x0.5 came out
    10,000, not 0)."""
    d = build_or_lose([{"id": "voll", "parameter": "voll", "low": 0.5, "high": 2.0}])
    d["deals"] = [{"id": "aus", "parts": ["build_options:b"]}]

    def saving(f: float) -> float:
        without = 0.8 * 1_500 + 0.2 * 100_000 * f
        return without - min(without, 30_000 + 0.8 * 1_500 + 0.2 * 3_500)

    res = sensitivity(make(d), metric="deal:aus", break_even=False)
    row = res.tables["tornado"].iloc[0]
    assert row.value_low == pytest.approx(saving(0.5), abs=1e-6)
    assert row.value_high == pytest.approx(saving(2.0), rel=1e-6)
    assert res.facts["point"] == pytest.approx(saving(1.0), abs=1e-6)
    assert "what deal 'aus' saves" in res.headline[0]


def test_an_unknown_analysis_metric_is_refused_with_the_choices():
    d = build_or_lose([{"id": "voll", "parameter": "voll", "low": 0.5, "high": 2.0}])
    d["deals"] = [{"id": "aus", "parts": ["build_options:b"]}]
    for metric, says in (("deal:au", "did you mean 'aus'"), ("time_to:2", "in (0, 1]"),
                         ("leverage:2031", "not a modelled year"), ("cost", "time_to:...")):  # fmt: skip
        with pytest.raises(CritminError, match=re.escape(says)):
            sensitivity(make(d), metric=metric)
