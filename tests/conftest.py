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


def build_or_lose(uncertain: list[dict[str, Any]]) -> dict[str, Any]:
    """The ranges and sensitivity case (issue 26): the US needs 100 t in 2025; China supplies at 15/t
    delivered except in 'ban' (probability 0.2), where a tonne short costs 1000; Australia can build 100 t/yr
    for 300 per t/yr (1-year life) and deliver at 35/t, decided before anyone knows which scenario holds.
    Building pays when 300 < p x (1000 - 35); `uncertain` is its declared uncertain inputs."""
    d = base_dict()
    d["facilities"][1]["capacity"] = 0
    d["build_options"] = [{"id": "b", "facility": "au_plant", "capex": 300, "lifetime": 1}]
    d["scenarios"] = [{"name": "calm", "probability": 0.8}, {"name": "ban", "probability": 0.2}]
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"], "kind": "ban",
                             "scenarios": ["ban"]}]  # fmt: skip
    d["uncertain"] = uncertain
    return d


def every_family() -> dict[str, Any]:
    """Two periods, two scenarios, a magnet plant blending clear and controlled inputs, a modular and a
    continuous build, a share control, a ban and an extraterritorial rule with a de-minimis threshold, a
    buyer with a share test on Chinese-origin content, a ramp, a build rate, a thrift, every policy and
    lever, and CVaR: every family has rows."""
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
    d["facilities"] += [
        {
            "id": "jp_plant",
            "region": "JP",
            "inputs": {"ox": 1, "dy": 0.02},
            "outputs": {"mag": 1},
            "capacity": {2026: 50},
            "fixed_cost": 3,
        },
        {"id": "jp_dy", "region": "JP", "outputs": {"dy": 1}, "capacity": 5, "var_cost": 40},
        {"id": "cn_dy", "region": "CN", "outputs": {"dy": 1}, "capacity": 100, "var_cost": 5},
    ]
    d["commodities"][0]["elements"] = ["Nd", "Pr"]
    d["commodities"] += [
        {"id": "mag", "stage": "magnet", "price": 400, "elements": ["Nd", "Pr", "Dy"]},
        {"id": "dy", "stage": "separation", "price": 900, "elements": ["Dy"]},
    ]
    d["routes"].append({"commodity": "dy", "origin": "CN", "destination": "JP", "cost": 2})
    d["demand"].append(
        {"region": "JP", "commodity": "mag", "year": 2026, "quantity": 30, "compliance": "feoc"}
    )
    d["compliance_classes"] = [{"id": "feoc", "max_share": 0.25, "description": "a share test (FEOC-style)"}]
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
        {"id": "q", "exporter": "CN", "commodities": ["ox"], "kind": "share", "amount": 0.3, "reference": 200},
        {"id": "b", "exporter": "CN", "commodities": ["ox"], "destinations": ["US"], "scenarios": ["s2"],
         "start": 2026},
        {"id": "dm", "exporter": "CN", "elements": ["Dy"], "kind": "quota", "amount": 1000, "start": 2026,
         "extraterritorial": True, "de_minimis": 0.05},
    ]  # fmt: skip
    d["scenarios"] = [
        {"name": "s1", "probability": 0.6},
        {"name": "s2", "probability": 0.4, "demand": [{"factor": 1.2, "start": 2026}], "revealed": 2026},
    ]
    d["policies"] = {
        "min_bloc_share": [
            {"id": "m1", "region": "US", "commodities": ["ox"], "blocs": ["ally"], "share": 0.2}
        ],
        "max_supplier_share": [{"id": "x1", "region": "US", "commodities": ["ox"], "share": 0.8}],
        "min_service": [{"id": "sv", "region": "US", "share": 0.5}],
        "budgets": [{"id": "bd", "investor": ["ally", "JP"], "amount": 1e6}],
        "capacity_benchmarks": [{"id": "cb", "regions": ["US", "AU"], "stage": "separation", "commodity": "ox",
                                 "basis": "ox", "per_unit": 1, "share": 0.1}],
    }  # fmt: skip
    d["stockpiles"] = [
        {
            "id": "st", "region": "US", "commodity": "ox", "capacity": 10, "initial": 5, "holding_cost": 1,
            "build_capex": 2, "max_build": 40, "days_of_cover": 30, "cover": "soft", "cover_penalty": 9,
        }
    ]  # fmt: skip
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
    d["ramps"] = {"magnet": [0.5, 1]}  # jp_plant's committed 2026 step runs at half its nameplate then
    d["build_rates"] = [{"id": "r", "stage": "separation", "region": "ally", "limit": 40, "learning": 0.5}]
    d["thrifts"] = [{"id": "gbd", "commodity": "dy", "facilities": ["jp_plant"], "saving": 0.5,
                     "adoption": {2026: 0.3}, "cost": 100}]  # fmt: skip
    d["objective"].update({"risk_weight": 3, "cvar_weight": 0.5, "cvar_alpha": 0.7})
    d["units"] = {"scale": {"quantity": 1, "money": 1}}  # golden numbers in instance units
    return d


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


def cost(sol) -> float:
    """The objective without the negligible tie-break (what a hand computation gives)."""
    return sol.objective - sol.objective_parts.get("tie_break", 0.0)


def shipped(sol, origin: str, destination: str, **filters: Any) -> float:
    f = sol.flows
    sel = (f.origin == origin) & (f.destination == destination)
    for k, v in filters.items():
        sel &= f[k] == v
    return float(f[sel].quantity.sum())


@pytest.fixture
def tiny() -> dict[str, Any]:
    return base_dict()
