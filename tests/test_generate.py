"""`critmin generate`: valid, deterministic synthetic instances for any size and seed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from critmin.cli import main
from critmin.generate import synthetic_data
from critmin.io import load_instance, validate_instance


@pytest.mark.parametrize("regions", [2, 3, 5, 10])
@pytest.mark.parametrize("seed", range(4))
def test_generated_instances_validate(regions, seed):
    validate_instance(synthetic_data(regions=regions, years=3, scenarios=2, seed=seed))


@pytest.mark.parametrize("commodities", [3, 4, 7])
def test_commodity_count(commodities):
    inst = validate_instance(synthetic_data(regions=5, years=3, commodities=commodities))
    assert len(inst.commodities) == commodities


def test_generate_is_deterministic_and_writes_yaml_and_csv(tmp_path):
    assert synthetic_data(regions=6, seed=3) == synthetic_data(regions=6, seed=3)
    assert synthetic_data(regions=6, seed=3) != synthetic_data(regions=6, seed=4)
    r = CliRunner().invoke(
        main,
        [
            "generate",
            "--regions",
            "6",
            "--years",
            "3",
            "--scenarios",
            "2",
            "--seed",
            "1",
            "-o",
            str(tmp_path / "g"),
        ],
    )
    assert r.exit_code == 0, r.output
    files = sorted(p.name for p in (tmp_path / "g").iterdir())
    assert "demand.csv" in files and any(f.endswith(".yaml") for f in files)
    inst = load_instance(next((tmp_path / "g").glob("*.yaml")))
    assert len(inst.regions) == 6 and "SYNTHETIC" in inst.description
