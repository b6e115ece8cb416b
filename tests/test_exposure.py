"""`critmin exposure`, the trace question, on a case derivable by hand: a US magnet plant uses Chinese Dy
(0.01 t per t of magnet, Dy 300 per t, magnet 100: 3% of the magnet's value) and could use US Dy at 9 more
per tonne. Under a threshold x, Chinese Dy may be worth under x of the magnet's value: x x 100 / 300 t per t of
magnet; the rest of the 0.01 t is US Dy. Keeping 100 t of magnets under x costs 100 x (0.01 - x / 3) x 9
more: 9 at 0, 6 at 1%, 3 at 2%, nothing from 3% (just over it) up."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import make
from critmin.analysis.exposure import exposure
from critmin.cli import main
from critmin.errors import CritminError
from test_provenance import magnet_chain

THRESHOLDS = (0.0, 0.01, 0.02, 0.03, 0.05)


def case() -> dict:
    d = magnet_chain()
    d["facilities"].append(
        {"id": "us_dy", "region": "US", "outputs": {"dy": 1}, "capacity": 1000, "var_cost": 10}
    )
    d["compliance_classes"] = [{"id": "feoc", "max_share": 0.25}, {"id": "strict", "max_share": 0.02}]
    return d


def test_cost_of_staying_under_each_threshold_by_hand():
    res = exposure(make(case()), thresholds=THRESHOLDS, elements=["Dy"])
    curve = res.cost_of_staying_under.set_index("threshold")
    assert list(curve.status) == ["optimal"] * 5
    expected = {0.0: 9.0, 0.01: 6.0, 0.02: 3.0, 0.03: 0.0, 0.05: 0.0}
    for x, extra in expected.items():
        assert curve.loc[x, "extra_cost"] == pytest.approx(extra, abs=1e-3), x
    assert res.facts["plan_cost"] == pytest.approx(31)


def test_content_reach_and_buyer_rules_of_the_plan():
    res = exposure(make(case()), thresholds=THRESHOLDS, elements=["Dy"])
    c = res.content
    mag = c[c.facility == "us_mag"]
    assert list(mag.source) == ["dy"] and mag.content_share.iloc[0] == pytest.approx(0.03)
    assert mag.content_t.iloc[0] == pytest.approx(3.0)  # 3% of 100 t, in t of magnet
    reached = res.reached.set_index("facility").loc["us_mag"]
    assert reached.listed_share == pytest.approx(0.03)
    # reached at 0, 1%, 2% and at exactly 3% (content at the threshold is reached); not at 5%
    assert [bool(reached[f"reached_at_{x * 100:g}pct"]) for x in THRESHOLDS] == [
        True,
        True,
        True,
        True,
        False,
    ]
    rules = res.buyer_rules.set_index("rule")
    assert (
        not rules.loc["clear", "passes"] and rules.loc["feoc", "passes"] and not rules.loc["strict", "passes"]
    )
    by_el = res.by_element.set_index("element")
    assert by_el.loc["Dy", "content_share"] == pytest.approx(0.03)
    assert "at 0.1%" not in " ".join(res.headline)  # only the thresholds asked for
    assert any(line.startswith("at 3%: 1 allied product(s) would be reached") for line in res.headline)


def test_an_unlisted_source_is_content_but_never_reaches():
    """Chinese NdPr in the magnet (18% of value) under a Dy-only list: content, not reach; a buyer's rule
    that counts every source still fails it."""
    d = case()
    d["facilities"][0].update(id="cn_ndpr", region="CN")
    d["routes"].append({"commodity": "ndpr", "origin": "CN", "destination": "US"})
    d["facilities"].append({"id": "us_ndpr", "region": "US", "outputs": {"ndpr": 1}, "capacity": 1000,
                            "var_cost": 5})  # fmt: skip
    res = exposure(make(d), thresholds=(0.01,), elements=["Dy"])
    r = res.reached.set_index("facility").loc["us_mag"]
    assert r.listed_share == pytest.approx(0.03) and r.total_share == pytest.approx(0.21)
    curve = res.cost_of_staying_under.set_index("threshold")
    assert curve.loc[0.01, "extra_cost"] == pytest.approx(6.0, abs=1e-3)  # NdPr stays Chinese: unlisted


def test_bad_requests_are_refused_clearly():
    inst = make(case())
    with pytest.raises(CritminError, match=r"threshold 1.5 must be a share of value in \[0, 1\]"):
        exposure(inst, thresholds=(1.5,), elements=["Dy"])
    with pytest.raises(CritminError, match="none of the listed elements is carried"):
        exposure(inst, elements=["Sm"])
    with pytest.raises(CritminError, match="no export control 'oct' in magnet-chain"):
        exposure(inst, rule="oct")
    d = case()
    d["regions"][0]["controlled_origin"] = False
    with pytest.raises(CritminError, match="no region of controlled origin"):
        exposure(make(d))


def test_the_command_writes_its_tables_and_answers_in_json(tmp_path):
    import yaml

    path = tmp_path / "inst.yaml"
    path.write_text(yaml.safe_dump(case()))
    out = tmp_path / "odd place" / "exposure"
    r = CliRunner().invoke(
        main,
        ["exposure", str(path), "--element", "Dy", "--threshold", "0", "--threshold", "0.02", "-o", str(out),
         "--workers", "0", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["kind"] == "exposure" and doc["facts"]["thresholds"] == [0.0, 0.02]
    written = {p.name for p in out.iterdir()}
    assert {"content.csv", "reached.csv", "cost_of_staying_under.csv", "buyer_rules.csv"} <= written
    r = CliRunner().invoke(main, ["exposure", str(path), "--threshold", "2"])
    assert r.exit_code == 1 and "0<=x<=1" in r.output  # bad input: out of [0, 1]
    r = CliRunner().invoke(main, ["exposure", str(path), "--rule", "x", "--element", "Dy"])
    assert r.exit_code == 1 and "--rule or --element" in r.output


def test_the_readme_answer_reproduces():
    """The README's trace-question answer is what the command prints on the bundled October case."""
    from conftest import ROOT
    from critmin import load_instance

    inst = load_instance(ROOT / "instances" / "rare-earths" / "china-controls-oct2025.yaml")
    res = exposure(inst, thresholds=(0.0, 0.001, 0.01), start=2027)
    readme = (ROOT / "README.md").read_text()
    for line in res.headline:
        assert line in readme, line
