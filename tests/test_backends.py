"""The two backends are one model: the Pyomo model assembled from the arrays, compiled back to standard form
by Pyomo, has the same columns, rows, coefficients, bounds, integrality and objective as the arrays handed
to HiGHS, compared by name, on every bundled instance and on an instance using every family."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT, every_family, make
from critmin import build_model, load_instance
from critmin.backend.pyomo_model import compiled_lp, model_arrays_of

BUNDLED = sorted((ROOT / "instances").rglob("*.yaml"))


def assert_same_model(inst):
    model = build_model(inst)
    lp, info = compiled_lp(model)
    mm = model_arrays_of(model)
    p_cols = [v.name for v in info.columns]
    m_cols = mm.col_names()
    m_index = {n: j for j, n in enumerate(m_cols)}
    missing = [n for n in p_cols if n not in m_index]
    assert not missing, f"columns only in Pyomo: {missing[:5]}"
    p_rows = [r.constraint.name for r in info.rows]
    m_rows = mm.row_names()
    assert sorted(p_rows) == sorted(m_rows), set(p_rows) ^ set(m_rows)
    m_row_index = {n: i for i, n in enumerate(m_rows)}
    cperm = np.array([m_index[n] for n in p_cols])
    rperm = np.array([m_row_index[n] for n in p_rows])
    # matrix columns Pyomo dropped must be empty and free of cost
    extra = np.setdiff1d(np.arange(len(m_cols)), cperm)
    if len(extra):
        assert mm.A[:, extra].nnz == 0 and not np.any(mm.c[extra])
    A_m = mm.A.tocsr()[rperm][:, cperm].tocsr()
    A_p = info.A.tocsr()
    assert A_m.shape == A_p.shape and A_m.nnz == A_p.nnz
    diff = abs(A_m - A_p)
    assert diff.nnz == 0 or diff.max() <= 1e-12 * max(1.0, abs(A_p).max())
    np.testing.assert_allclose(mm.row_lower[rperm], np.asarray(lp.row_lower_), rtol=1e-12)
    np.testing.assert_allclose(mm.row_upper[rperm], np.asarray(lp.row_upper_), rtol=1e-12)
    np.testing.assert_allclose(mm.c[cperm], np.asarray(lp.col_cost_), rtol=1e-10, atol=1e-12)
    assert mm.offset == pytest.approx(lp.offset_, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(mm.col_lower[cperm], np.asarray(lp.col_lower_))
    np.testing.assert_allclose(mm.col_upper[cperm], np.asarray(lp.col_upper_))
    integer = np.array([v.is_integer() or v.is_binary() for v in info.columns])
    np.testing.assert_array_equal(mm.integer[cperm], integer)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_pyomo_backend_equals_arrays_on_bundled_instances(path):
    assert_same_model(load_instance(path))


def test_pyomo_backend_equals_arrays_with_every_lever_and_policy():
    assert_same_model(make(every_family()))
