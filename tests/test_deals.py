"""Deals as switchable parts of an instance (issue 13): switching one off removes what it brings, a part two
deals bring stays while either is on, and bad references are located errors."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from conftest import base_dict, cost, make, solved
from critmin import CritminError, InstanceError, load_instance
from critmin.cli import main


def with_deals() -> dict[str, Any]:
    """China is banned from supplying the US; Australia's plant is idle (capacity 0). Deal 'au' brings an
    Australian build (capex 100 per t/yr, 1-yr life) and deal 'jp' a soft stockpile-free floor: a budget
    floor that commits 2,000 of Australian capex. Without 'au' nothing can be built: 100 t unmet at 1,000."""
    d = base_dict()
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    d["facilities"][1]["capacity"] = 0
    d["build_options"] = [
        {"id": "au_build", "facility": "au_plant", "capex": 100, "lifetime": 1, "max_capacity": 60}
    ]
    d["policies"] = {"budgets": [{"id": "au_floor", "investor": ["AU"], "amount": 2000, "kind": "floor"}]}
    d["deals"] = [
        {
            "id": "au",
            "name": "US-Australia",
            "parts": ["build_options:au_build", "policies.budgets:au_floor"],
        },
        {"id": "jp", "name": "US-Japan", "parts": ["build_options:au_build"]},
    ]
    return d


def test_switching_a_deal_off_removes_its_parts():
    inst = make(with_deals())
    on = solved(with_deals())
    # 60 t built at 100 + 30 + 5 per t; 40 t short at 1,000
    assert cost(on) == pytest.approx(60 * (100 + 30 + 5) + 40 * 1000)
    off = inst.without_deals("au")
    assert {b.id for b in off.policies.budgets} == set()  # the floor only 'au' brings is gone
    assert {o.id for o in off.build_options} == {"au_build"}  # 'jp' still brings the build
    assert off.deals_off == ("au",)
    both = inst.without_deals("au", "jp")
    assert not both.build_options
    from critmin import solve

    sol = solve(both)
    assert cost(sol) == pytest.approx(100 * 1000)
    assert sol.options["deals_off"] == ["au", "jp"]
    assert inst.build_options and inst.policies.budgets  # the original is untouched


def test_unknown_deal_and_bad_parts_are_clear_errors():
    inst = make(with_deals())
    with pytest.raises(CritminError, match="unknown deal 'ua'.*au"):
        inst.without_deals("ua")
    d = with_deals()
    d["deals"][0]["parts"] = ["build_option:au_build", "build_options:au_bild", "au_build"]
    with pytest.raises(InstanceError) as e:
        make(d)
    text = str(e.value)
    assert "deals[0].parts[0]: unknown table 'build_option'" in text and "build_options" in text
    assert "deals[0].parts[1]: no build_options row with id 'au_bild'" in text and "au_build" in text
    assert "deals[0].parts[2]: 'au_build' is not 'table:id'" in text


def test_cli_deal_off(tmp_path):
    import yaml

    path = tmp_path / "deals.yaml"
    path.write_text(yaml.safe_dump(with_deals()))
    assert load_instance(path).deals
    runner = CliRunner()
    r = runner.invoke(
        main, ["solve", str(path), "--deal-off", "au", "--deal-off", "jp", "-o", str(tmp_path / "s")]
    )
    assert r.exit_code == 0, r.output
    assert "100 t of 100 t" in r.output or "100 t" in r.output
    from critmin import Solution

    assert Solution.read(tmp_path / "s").options["deals_off"] == ["au", "jp"]
    r = runner.invoke(main, ["solve", str(path), "--deal-off", "nope"])
    assert r.exit_code == 1 and "unknown deal 'nope'" in r.output
    r = runner.invoke(main, ["validate", str(path)])
    assert r.exit_code == 0 and "deal au: US-Australia (2 parts; --deal-off au)" in r.output
