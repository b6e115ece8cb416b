"""Shared builders for small, hand-computable instances."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from critmin import Instance, solve
from critmin.io import validate_instance

ROOT = Path(__file__).resolve().parents[1]

# `make test`: the same examples every run (a test that fails by chance blocks everyone); `make fuzz`:
# many more, freshly random, and failures shrunk and remembered in .hypothesis/.
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
DATA = Path(__file__).resolve().parent / "data"


def base_dict() -> dict[str, Any]:
    """China (controlled origin, risk 0.8) and Australia (ally) can both supply 'ox' to the US.

    China: var cost 10 + route 5 = 15 per t. Australia: 30 + 5 = 35 per t. Demand: 100 t in 2025.
    Unmet demand costs 1000 per t. One period, no discounting.
    """
    return {
        "name": "tiny",
        "horizon": {"base_year": 2025, "discount_rate": 0.0, "periods": [{"year": 2025}]},
        "regions": [
            {"id": "CN", "bloc": "adversary", "risk": 0.8, "controlled_origin": True},
            {"id": "US", "bloc": "home"},
            {"id": "AU", "bloc": "ally"},
        ],
        "commodities": [{"id": "ox", "stage": "separation", "price": 100}],
        "facilities": [
            {"id": "cn_plant", "region": "CN", "outputs": {"ox": 1}, "capacity": 1000, "var_cost": 10},
            {"id": "au_plant", "region": "AU", "outputs": {"ox": 1}, "capacity": 1000, "var_cost": 30},
        ],
        "routes": [
            {"commodity": "ox", "origin": "CN", "destination": "US", "cost": 5},
            {"commodity": "ox", "origin": "AU", "destination": "US", "cost": 5},
        ],
        "demand": [{"region": "US", "commodity": "ox", "year": 2025, "quantity": 100}],
        "objective": {"unmet_penalty": 1000},
    }


def make(data: dict[str, Any]) -> Instance:
    return validate_instance(copy.deepcopy(data))


def solved(data: dict[str, Any], **kw: Any):
    """Solve with the matrix engine (the default) and check the Pyomo engine agrees on status, objective,
    its parts and the plan's tables."""
    inst = make(data)
    sol = solve(inst, mip_gap=0.0, **kw)
    assert sol.status == "optimal", sol.message
    ref = solve(inst, mip_gap=0.0, engine="pyomo", **kw)
    assert ref.status == sol.status
    assert ref.objective == pytest.approx(sol.objective, rel=1e-9, abs=1e-9)
    for part, value in ref.objective_parts.items():
        assert sol.objective_parts[part] == pytest.approx(value, rel=1e-7, abs=1e-6), part
    for name in ("unmet", "kpis_total", "capacity"):
        a, b = getattr(sol, name), getattr(ref, name)
        assert len(a) == len(b), name
    return sol


def shipped(sol, origin: str, destination: str, **filters: Any) -> float:
    f = sol.flows
    sel = (f.origin == origin) & (f.destination == destination)
    for k, v in filters.items():
        sel &= f[k] == v
    return float(f[sel].quantity.sum())


@pytest.fixture
def tiny() -> dict[str, Any]:
    return base_dict()
