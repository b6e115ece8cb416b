"""critmin's HiGHS defaults for MIPs (chosen by measurement: benchmarks/solver_defaults.py) are applied to
every MIP, never to an LP, and never over an option the user set."""

from __future__ import annotations

import pytest

from conftest import every_family, make, solved
from critmin.backend.highs import MIP_DEFAULTS, SolveOptions
from critmin.backend.session import Session
from critmin.model.assemble import model_arrays


def _option(session: Session, key: str):
    status, value = session.h.getOptionValue(key)
    return value


def test_mip_defaults_apply_to_mips_and_yield_to_the_user():
    arrays = model_arrays(make(every_family()))
    assert arrays.integer.any()
    mip = Session(arrays, SolveOptions())
    for key, value in MIP_DEFAULTS.items():
        assert _option(mip, key) == value, key
    mine = Session(arrays, SolveOptions(highs_options={"mip_allow_restart": True}))
    assert _option(mine, "mip_allow_restart") is True
    assert _option(mine, "mip_heuristic_run_rins") is False  # the others still critmin's
    lp = Session(arrays, SolveOptions(), relax_integers=True)
    assert _option(lp, "mip_allow_restart") is True  # HiGHS's own: an LP is left alone


def test_the_defaults_change_no_answer():
    """Same optimum with HiGHS's own MIP settings and critmin's, on a model with every family."""
    own = {k: not v for k, v in MIP_DEFAULTS.items()}
    a = solved(every_family())
    b = solved(every_family(), highs_options=own)
    assert b.objective == pytest.approx(a.objective, rel=1e-6)
