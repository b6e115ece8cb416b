"""OR-Library capacitated warehouse location: critmin reproduces the published optima through its API."""

from __future__ import annotations

import pytest

from conftest import DATA
from critmin import solve
from critmin.io.orlib import cap_instance

# Published optimal values (Beasley 1988, OR-Library capopt); see tests/data/orlib/README.md.
OPTIMA = {"cap71": 932615.750, "cap131": 793439.562}


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_cap_instance_matches_published_optimum(name):
    inst = cap_instance(DATA / "orlib" / f"{name}.txt")
    sol = solve(inst, mip_gap=1e-9)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(OPTIMA[name], rel=1e-6)
    # the plan is a real warehouse plan: every opened warehouse is opened whole, all demand is served
    assert set(sol.builds.modules) <= {1}
    assert sol.unmet.unmet.sum() == pytest.approx(0, abs=1e-6)
    assert sol.objective_parts["unmet"] == pytest.approx(0, abs=1e-6)


def test_cap71_parse_shape():
    from critmin.io.orlib import read_cap

    wh, demand, cost = read_cap(DATA / "orlib" / "cap71.txt")
    assert (len(wh), len(demand), len(cost[0])) == (16, 50, 16)
    assert wh[10] == (58268.0, 0.0)
