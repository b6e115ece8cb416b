"""Per-family golden files: each row family, variable family and cost component of the registry, built on a
small fixture, is compared entry by entry with a reviewed file in tests/golden/ (coefficients, bounds,
senses, integrality, objective coefficients). A family in the registry with neither a golden file nor a
hand-computed optimum test (marked `@pytest.mark.family(...)`) fails `test_every_family_is_covered`.

Regenerate after a deliberate model change, then review the diff:
    CRITMIN_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import ast
import os
from typing import Any

import numpy as np
import pytest

from conftest import ROOT, base_dict, make
from critmin.model.assemble import model_arrays
from critmin.model.builder import ModelArrays, label
from critmin.model.registry import CONSTRAINTS, COSTS, VARIABLES

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("CRITMIN_UPDATE_GOLDEN") == "1"


def every_family() -> dict[str, Any]:
    """Two periods, two scenarios, a magnet plant fed by oxide, a modular and a continuous build, a share
    control and an extraterritorial ban, every policy and lever, and CVaR: every family has rows."""
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
    d["objective"].update({"risk_weight": 3, "cvar_weight": 0.5, "cvar_alpha": 0.7})
    d["units"] = {"scale": {"quantity": 1, "money": 1}}  # golden numbers in instance units
    return d


FIXTURES = {"every_family": every_family}


def _num(x: float) -> str:
    return "inf" if x == np.inf else "-inf" if x == -np.inf else f"{x:.12g}"


def _terms(arrays: ModelArrays, coefs: np.ndarray, names: list[str]) -> str:
    nz = np.nonzero(coefs)[0]
    parts = sorted((names[j], coefs[j]) for j in nz)
    return " ".join(f"{'+' if c >= 0 else '-'}{_num(abs(c))} {n}" for n, c in parts) or "0"


def render(arrays: ModelArrays, family: str) -> str:
    """A family's entries as reviewable text, one line per row / column, sorted by name."""
    names = arrays.col_names()
    lines = []
    if any(b.name == family for b in arrays.rows):
        block = arrays.row_block(family)
        A = arrays.A.tocsr()
        for i, key in enumerate(block.keys):
            r = block.start + i
            row = np.zeros(arrays.num_cols)
            row[A.indices[A.indptr[r] : A.indptr[r + 1]]] = A.data[A.indptr[r] : A.indptr[r + 1]]
            lo, up = arrays.row_lower[r], arrays.row_upper[r]
            lines.append(f"{label(family, key)}: {_num(lo)} <= {_terms(arrays, row, names)} <= {_num(up)}")
    elif any(b.name == family for b in arrays.cols):
        block = arrays.col_block(family)
        for j, key in enumerate(block.keys):
            c = block.start + j
            kind = "integer" if arrays.integer[c] else "continuous"
            lines.append(
                f"{label(family, key)}: [{_num(arrays.col_lower[c])}, {_num(arrays.col_upper[c])}] {kind}"
            )
    else:
        comp = arrays.components[family]
        lines.append(f"weight {_num(arrays.weights.get(family, 1.0))}; constant {_num(comp.constant)}")
        nz = np.nonzero(comp.coef)[0]
        lines += sorted(f"{names[j]}: {_num(comp.coef[j])}" for j in nz)
    return "\n".join(sorted(lines) if lines and not lines[0].startswith("weight") else lines) + "\n"


FAMILIES = [v.name for v in VARIABLES] + [c.name for c in CONSTRAINTS] + [c.name for c in COSTS]


@pytest.mark.parametrize("family", FAMILIES)
def test_family_matches_its_golden_file(family):
    arrays = model_arrays(make(FIXTURES["every_family"]()))
    text = render(arrays, family)
    assert text.strip(), f"the fixture builds nothing for {family}: extend every_family()"
    path = GOLDEN / f"{family}.txt"
    if UPDATE:
        path.write_text(f"# {family} on tests/test_golden.py::every_family (instance units)\n" + text)
    assert path.exists(), f"no golden file for {family}: run with CRITMIN_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text().split("\n", 1)[1]
    assert text == expected, f"{family} changed; review with CRITMIN_UPDATE_GOLDEN=1 and git diff"


def _hand_computed() -> set[str]:
    """Families named by `@pytest.mark.family(...)` on hand-computed tests."""
    out: set[str] = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.mark.family":
                out |= {
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                }
    return out


def test_every_family_is_covered():
    golden = {p.stem for p in GOLDEN.glob("*.txt")}
    hand = _hand_computed()
    missing = [f for f in FAMILIES if f not in golden and f not in hand]
    assert not missing, f"families with neither a golden file nor a hand-computed test: {missing}"
    unknown = hand - set(FAMILIES)
    assert not unknown, f"@pytest.mark.family names no registry family: {sorted(unknown)}"
    assert {f for f in FAMILIES if f in hand}, "no hand-computed family test is marked"
