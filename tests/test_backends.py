"""The two backends are one model: the Pyomo model assembled from the arrays, compiled back to standard form
by Pyomo, has the same columns, rows, coefficients, bounds, integrality and objective as the arrays handed
to HiGHS, compared by name, on every bundled instance and on an instance using every family."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT, base_dict, make
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
    d = base_dict()
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2026, "weight": 2}]
    d["demand"].append(
        {"region": "US", "commodity": "ox", "year": 2026, "quantity": 80, "compliance": "clear"}
    )
    d["regions"].append({"id": "JP", "bloc": "ally"})
    d["routes"] += [
        {"commodity": "ox", "origin": "CN", "destination": "JP", "cost": 5, "tariff": 0.1},
        {"commodity": "ox", "origin": "JP", "destination": "US", "cost": 5},
    ]
    d["facilities"].append(
        {
            "id": "jp_plant",
            "region": "JP",
            "inputs": {"ox": 1},
            "outputs": {"mag": 1},
            "capacity": {2026: 50},
            "fixed_cost": 3,
        }
    )
    d["commodities"].append({"id": "mag", "stage": "magnet"})
    d["demand"].append({"region": "JP", "commodity": "mag", "year": 2026, "quantity": 30})
    d["build_options"] = [
        {"id": "b", "facility": "au_plant", "capex": 100, "max_capacity": 50},
        {
            "id": "m",
            "facility": "jp_plant",
            "kind": "discrete",
            "fixed_cost": 10,
            "module_size": 5,
            "max_count": 3,
        },
    ]
    d["export_controls"] = [
        {
            "id": "q",
            "exporter": "CN",
            "commodities": ["ox"],
            "kind": "share",
            "amount": 0.3,
            "extraterritorial": True,
        },
        {"id": "b", "exporter": "CN", "commodities": ["ox"], "destinations": ["US"], "scenarios": ["s2"]},
    ]
    d["scenarios"] = [
        {"name": "s1", "probability": 0.6},
        {"name": "s2", "probability": 0.4, "demand": [{"factor": 1.2}]},
    ]
    d["policies"] = {
        "min_bloc_share": [
            {"id": "m1", "region": "US", "commodities": ["ox"], "blocs": ["ally"], "share": 0.2}
        ],
        "max_supplier_share": [{"id": "x1", "region": "US", "commodities": ["ox"], "share": 0.8}],
        "min_service": [{"id": "sv", "region": "US", "share": 0.5}],
        "budgets": [{"id": "bd", "investor": ["ally", "JP"], "amount": 1e6}],
    }
    d["stockpiles"] = [
        {
            "id": "st",
            "region": "US",
            "commodity": "ox",
            "capacity": 10,
            "initial": 5,
            "holding_cost": 1,
            "build_capex": 2,
            "max_build": 40,
            "days_of_cover": 30,
            "cover": "soft",
            "cover_penalty": 9,
        }
    ]
    d["substitutions"] = [{"id": "sub", "commodity": "ox", "share": 0.1, "cost": 20}]
    d["price_floors"] = [
        {"id": "pf", "facility": "au_plant", "commodity": "ox", "floor": 50, "reference_price": 30}
    ]
    d["offtakes"] = [
        {
            "id": "ot",
            "facility": "au_plant",
            "commodity": "ox",
            "quantity": 10,
            "price": 40,
            "reference_price": 30,
        }
    ]
    d["objective"].update({"risk_weight": 3, "cvar_weight": 0.5, "cvar_alpha": 0.7})
    assert_same_model(make(d))
