"""The LP algorithm chosen by size (benchmarks/lp_algorithms.py measured it): HiPDLP for the largest cold LPs,
dual simplex otherwise, interior point with crossover when asked for; the user's raw HiGHS option wins. A
first-order answer says it is approximate and carries its primal-dual interval."""

from __future__ import annotations

import pytest

from conftest import base_dict, make
from critmin import CritminError, solve
from critmin.analysis.jobs import Outcome
from critmin.backend.highs import (
    AUTO_PDLP_COLUMNS,
    PDLP_TOLERANCE,
    SolveOptions,
    choose_lp_algorithm,
    new_highs,
)
from critmin.backend.session import Session
from critmin.generate import synthetic
from critmin.model.assemble import model_arrays


def _chosen(options: SolveOptions, columns: int, mip: bool) -> tuple[str, str]:
    h = new_highs()
    algo = choose_lp_algorithm(h, options, columns, mip)
    return algo, str(h.getOptionValue("solver")[1])


def test_interior_point_only_when_asked_for():
    """Interior point was the default from 100,000 columns until the content tracing grew the models: now it
    ties with simplex at 0.5M columns and is 9x slower at 93,000 (benchmarks/README.md)."""
    assert _chosen(SolveOptions(), AUTO_PDLP_COLUMNS - 1, False) == ("simplex", "choose")
    assert _chosen(SolveOptions(), 100_000, False)[0] == "simplex"
    assert _chosen(SolveOptions(lp_algorithm="ipm"), 10, False) == ("ipm", "ipm")
    assert _chosen(SolveOptions(lp_algorithm="ipm"), 10, True)[0] == "simplex"  # a MIP: branch and bound
    assert (
        _chosen(SolveOptions(highs_options={"solver": "simplex"}), 10 * AUTO_PDLP_COLUMNS, False)[0]
        == "simplex"
    )
    with pytest.raises(CritminError, match="unknown lp_algorithm"):
        _chosen(SolveOptions(lp_algorithm="barrier"), 10, False)


def test_auto_picks_the_first_order_method_for_the_largest_lps_only():
    assert _chosen(SolveOptions(), AUTO_PDLP_COLUMNS, False) == ("pdlp", "hipdlp")
    assert _chosen(SolveOptions(), AUTO_PDLP_COLUMNS, True)[0] == "simplex"  # a MIP: branch and bound
    assert _chosen(SolveOptions(lp_algorithm="pdlp"), 10, False) == ("pdlp", "hipdlp")
    h = new_highs()
    choose_lp_algorithm(h, SolveOptions(), AUTO_PDLP_COLUMNS, False)
    assert h.getOptionValue("kkt_tolerance")[1] == PDLP_TOLERANCE
    h = new_highs()  # the user's tolerance is kept (configured_highs set it before)
    h.setOptionValue("kkt_tolerance", 1e-6)
    choose_lp_algorithm(h, SolveOptions(highs_options={"kkt_tolerance": 1e-6}), AUTO_PDLP_COLUMNS, False)
    assert h.getOptionValue("kkt_tolerance")[1] == 1e-6
    # the user's solver (set by configured_highs, not here) is kept: nothing chosen over it
    assert _chosen(SolveOptions(highs_options={"solver": "ipm"}), AUTO_PDLP_COLUMNS, False) == (
        "ipm",
        "choose",
    )


def test_interior_point_and_simplex_give_the_same_plan():
    inst = make(base_dict())
    a = solve(inst, options=SolveOptions(lp_algorithm="simplex"))
    b = solve(inst, options=SolveOptions(lp_algorithm="ipm"))
    assert a.objective == pytest.approx(100 * 15) and b.objective == pytest.approx(a.objective, rel=1e-9)


def test_a_first_order_answer_says_it_is_approximate_and_carries_its_interval():
    """The generated small instance's LP relaxation (12,427 columns) by simplex and by HiPDLP at critmin's
    tolerance: HiPDLP's objective is within 10x its tolerance of the exact one (2.9e-4 measured), its bound is
    its dual objective (not the objective itself), and the message says what it is."""
    arrays = model_arrays(synthetic(regions=10, years=6, scenarios=2, neighbours=4, seed=0))
    exact = Session(arrays, SolveOptions(lp_algorithm="simplex"), relax_integers=True).solve()
    approx = Session(arrays, SolveOptions(lp_algorithm="pdlp"), relax_integers=True).solve()
    assert exact.status == approx.status == "optimal"
    assert exact.gap == 0.0 and exact.bound == exact.objective and "approximate" not in exact.message
    assert approx.objective == pytest.approx(exact.objective, rel=10 * PDLP_TOLERANCE)
    assert approx.objective != exact.objective  # a first-order answer, not the vertex
    assert approx.gap is not None and 0 < approx.gap <= PDLP_TOLERANCE
    assert approx.bound is not None and approx.bound != approx.objective
    assert approx.message.startswith("approximate: a first-order solution (PDLP")
    assert "largest relative infeasibility" in approx.message


def test_an_analysis_reads_a_first_order_interval_on_either_side():
    """A MIP's bound is below its objective; a first-order LP's dual bound may be above it: the figure's
    error is the distance either way (it was max(objective - bound, 0): 0 for a dual bound above)."""
    below = Outcome(key="a", status="optimal", objective=100.0, bound=99.0)
    above = Outcome(key="b", status="optimal", objective=100.0, bound=100.5)
    assert below.bound_gap == 1.0 and above.bound_gap == 0.5
