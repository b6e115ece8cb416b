"""`--ranges N` on every analysis (issue 26): a band known exactly by hand, the same bands on any worker
count for a seed, and a cost multiplier that scales a CVaR objective's tail as well as its mean.

The case (conftest.build_or_lose): the US needs 100 t in 2025; China supplies at 15/t delivered except in
'ban' (probability 0.2), where a tonne short costs 1000; Australia can build 100 t/yr for 300 per t/yr and
deliver at 35/t, decided before anyone knows which scenario holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from conftest import build_or_lose, make
from critmin.analysis.output import AnalysisResult
from critmin.analysis.ranges import bands, draw, sample_instance
from critmin.cli import main
from critmin.solving import solve

VOLL = {"id": "voll", "parameter": "voll", "low": 0.5, "high": 2.0, "source": "ASSUMED"}


def test_a_band_linear_in_one_uniform_input_is_its_draws_quantiles_exactly():
    """Nothing can serve the US (China banned in every scenario, no build): the cost is 100 t x 1000 x the
    value-of-lost-load multiplier, so each percentile of the cost is 100,000 x that percentile of the draws."""
    d = build_or_lose([VOLL])
    d["build_options"] = []
    d["export_controls"][0].pop("scenarios")
    inst = make(d)

    def run(i: Any) -> AnalysisResult:
        sol = solve(i)
        return AnalysisResult("t", "t", "t", {"cost": sol.objective}, {})

    b = bands(inst, 40, 7, run, lambda a: {"cost": ("money", float(a.facts["cost"]))})
    _, draws = draw(inst, 40, 7)
    row = b.summary.iloc[0]
    for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        assert row[name] == pytest.approx(100_000 * float(np.quantile(draws[:, 0], q)), rel=1e-9)
    assert row.as_written == pytest.approx(100_000, rel=1e-9)
    assert row.answered == 40


def test_a_cost_multiplier_scales_a_cvar_objectives_tail_too():
    """Regression: a multiplier re-weighted only the objective's components, so under E + 0.5 CVaR_0.5 the
    value of lost load x2 left the tail (its scenario-cost rows) at x1. With it built into the model, the
    instance with voll x2 costs exactly what the instance with the penalty written as 2000 costs."""
    d = build_or_lose([VOLL])
    d["build_options"] = []  # the ban scenario's 100 t go short: the tail is the value lost
    d["objective"].update({"cvar_weight": 0.5, "cvar_alpha": 0.5})
    doubled = make({**d, "objective": {**d["objective"], "unmet_penalty": 2000}})
    scaled = make(d).with_factors({"voll": 2.0})
    # E = 0.8 x 1,500 + 0.2 x 200,000; CVaR_0.5 = (0.2 x 200,000 + 0.3 x 1,500) / 0.5
    assert solve(doubled).objective == pytest.approx(41_200 + 0.5 * 80_900, rel=1e-9)
    assert solve(scaled).objective == pytest.approx(solve(doubled).objective, rel=1e-9)
    from critmin.analysis.jobs import Job, run_job

    (o,) = [run_job(make(d), Job("x", factors=(("voll", 2.0),)))]
    assert o.objective == pytest.approx(solve(doubled).objective, rel=1e-9)


def test_a_sample_is_its_own_instance_with_its_own_hash():
    inst = make(build_or_lose([VOLL, {"id": "p", "parameter": "probability", "scenario": "ban", "low": 0.1,
                              "high": 0.5}]))  # fmt: skip
    chosen, draws = draw(inst, 3, 0)
    a, b = (sample_instance(inst, chosen, draws[i]) for i in (0, 1))
    assert len({inst.sha256, a.sha256, b.sha256}) == 3
    assert a.cost_factors == {"voll": pytest.approx(draws[0, 0])}
    assert {s.name: s.probability for s in a.scenarios}["ban"] == pytest.approx(draws[0, 1])


def _cli(tmp: Path, d: dict[str, Any], *args: str) -> dict[str, Any]:
    path = tmp / "case.yaml"
    path.write_text(yaml.safe_dump(d))
    res = CliRunner().invoke(main, [*args[:1], str(path), *args[1:], "--json"])
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))  # progress lines go to stderr


@pytest.mark.parametrize(
    "command, extra, figure",
    [
        ("value", (), "VSS"),
        ("leverage", (), "damage of a ban from 2025, today's network"),
        ("stress", (), "first year 100% met without China"),
        ("attribute", (), "saving of aus (Shapley)"),
    ],
)
def test_every_analysis_takes_ranges_and_gives_each_figure_a_band(
    tmp_path: Path, command: str, extra: tuple[str, ...], figure: str
):
    d = build_or_lose(
        [VOLL, {"id": "p_ban", "parameter": "probability", "scenario": "ban", "low": 0.1, "high": 0.6}]
    )
    d["deals"] = [{"id": "aus", "parts": ["build_options:b"]}]
    doc = _cli(tmp_path, d, command, *extra, "--ranges", "6", "--ranges-seed", "2", "--workers", "0")
    table = {r["figure"]: r for r in doc["tables"]["ranges"]}
    row = table[figure]
    assert row["answered"] == 6
    if row["unit"] == "money":
        assert row["p10"] <= row["p50"] <= row["p90"]
    assert len(doc["tables"]["range_samples"]) == 6
    assert "ranges" in doc["facts"] and any("p10 / p50 / p90" in h for h in doc["headline"])
    assert not any("planned's" in f for f in table)  # regression: "planned's network"


def test_frontier_takes_ranges(tmp_path: Path):
    d = build_or_lose([VOLL])
    doc = _cli(tmp_path, d, "frontier", "--points", "3", "--ranges", "4")
    rows = {r["figure"]: r for r in doc["ranges"]["ranges"]}
    cost = rows["least-cost plan: expected cost"]
    assert cost["p10"] <= cost["p50"] <= cost["p90"] and cost["answered"] == 4


def test_ranges_are_the_same_on_dask_workers_as_in_process(tmp_path: Path):
    d = build_or_lose(
        [VOLL, {"id": "p_ban", "parameter": "probability", "scenario": "ban", "low": 0.1, "high": 0.6}]
    )
    here = _cli(tmp_path, d, "value", "--ranges", "5", "--ranges-seed", "9", "--workers", "0")
    there = _cli(tmp_path, d, "value", "--ranges", "5", "--ranges-seed", "9", "--workers", "2")
    assert here["tables"]["ranges"] == there["tables"]["ranges"]
    assert here["tables"]["range_samples"] == there["tables"]["range_samples"]


def test_lead_time_and_build_rate_multipliers_change_the_model_they_name():
    """A lead time of 2 years x1.5 is 3 (whole years); a build-rate limit of 50 t/yr x0.5 is 25, so the 100 t
    plant takes four years to add instead of two."""
    d = build_or_lose([])
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2030}]
    d["build_options"][0]["lead_time"] = 2
    d["build_rates"] = [{"id": "r", "stage": "separation", "limit": 50}]
    inst = make(d).with_factors({"lead_time": 1.5, "build_rate": 0.5})
    assert inst.build_options[0].lead_time == 3 and inst.build_rates[0].limit == 25
    # x3 = 6 years would pass 2030: capped at 5 (online in 2030), and the sample re-validates
    stretched = make(d).with_factors({"lead_time": 3.0})
    assert stretched.build_options[0].lead_time == 5 and solve(stretched).status == "optimal"
    type(stretched).model_validate(stretched.model_dump())
    with pytest.raises(Exception, match="cannot scale 'lead'"):
        make(d).with_factors({"lead": 2.0})
