"""Per-family golden files: each row family, variable family and cost component of the registry, built on a
small fixture, is compared entry by entry with a reviewed file in tests/golden/ (coefficients, bounds,
senses, integrality, objective coefficients). A family in the registry with neither a golden file nor a
hand-computed optimum test (marked `@pytest.mark.family(...)`) fails `test_every_family_is_covered`.

Regenerate after a deliberate model change, then review the diff:
    CRITMIN_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import ast
import functools
import os
from typing import Any

import numpy as np
import pytest

from conftest import ROOT, every_family, make
from critmin.model.assemble import model_arrays
from critmin.model.builder import ModelArrays, label
from critmin.model.registry import CONSTRAINTS, COSTS, VARIABLES

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("CRITMIN_UPDATE_GOLDEN") == "1"


def planner_view() -> dict[str, Any]:
    """every_family seen by the allies (US, JP, AU) as planner: China's costs lie outside, its own demand is
    served first, imports are paid at the exporter's price, US demand has end uses with a step, and
    Australia and Japan (magnets with Chinese content) sell to buyers outside the model from 2026."""
    d = every_family()
    d["planner"] = {"name": "allies", "members": ["US", "JP", "AU"]}
    d["demand"].append({"region": "CN", "commodity": "ox", "year": 2025, "quantity": 40})
    d["end_uses"] = [{"id": "ev", "value": 500, "steps": [{"share": 0.25, "value": 80}]}]
    d["demand"][0]["end_use"] = "ev"
    d["sales"] = [
        {"id": "au_sale", "region": "AU", "commodity": "ox", "quantity": {2026: 20}, "price": 45},
        {"id": "jp_sale", "region": "JP", "commodity": "mag", "quantity": {2026: 5}, "price": 380},
    ]
    return d


# families are taken from the first fixture that builds them
FIXTURES = {"every_family": every_family, "planner_view": planner_view}


def _num(x: float) -> str:
    return "inf" if x == np.inf else "-inf" if x == -np.inf else f"{x:.12g}"


def _terms(arrays: ModelArrays, coefs: np.ndarray, names: list[str]) -> str:
    nz = np.nonzero(coefs)[0]
    parts = sorted((names[j], coefs[j]) for j in nz)
    return " ".join(f"{'+' if c >= 0 else '-'}{_num(abs(c))} {n}" for n, c in parts) or "0"


def render(arrays: ModelArrays, kind: str, family: str) -> str:
    """A family's entries as reviewable text, one line per row / column, sorted by name."""
    names = arrays.col_names()
    lines = []
    if kind == "row":
        if not any(b.name == family for b in arrays.rows):
            return ""
        block = arrays.row_block(family)
        A = arrays.A.tocsr()
        for i, key in enumerate(block.keys):
            r = block.start + i
            row = np.zeros(arrays.num_cols)
            row[A.indices[A.indptr[r] : A.indptr[r + 1]]] = A.data[A.indptr[r] : A.indptr[r + 1]]
            lo, up = arrays.row_lower[r], arrays.row_upper[r]
            lines.append(f"{label(family, key)}: {_num(lo)} <= {_terms(arrays, row, names)} <= {_num(up)}")
    elif kind == "variable":
        if not any(b.name == family for b in arrays.cols):
            return ""
        block = arrays.col_block(family)
        for j, key in enumerate(block.keys):
            c = block.start + j
            kind = "integer" if arrays.integer[c] else "continuous"
            lines.append(
                f"{label(family, key)}: [{_num(arrays.col_lower[c])}, {_num(arrays.col_upper[c])}] {kind}"
            )
    else:
        comp = arrays.components.get(family)
        if comp is None or not np.any(comp.coef) and not comp.constant:
            return ""
        lines.append(f"weight {_num(arrays.weights.get(family, 1.0))}; constant {_num(comp.constant)}")
        nz = np.nonzero(comp.coef)[0]
        lines += sorted(f"{names[j]}: {_num(comp.coef[j])}" for j in nz)
    return "\n".join(sorted(lines) if lines and not lines[0].startswith("weight") else lines) + "\n"


# (kind, registry name, golden file stem = the Pyomo component's name)
FAMILIES = (
    [("variable", v.name, v.name) for v in VARIABLES]
    + [("row", c.name, c.name) for c in CONSTRAINTS]
    + [("cost", c.name, c.pyomo) for c in COSTS]
)


ANALYSIS_ROWS = tuple(c.name for c in CONSTRAINTS if c.optional == "analysis")


@functools.cache
def _arrays(fixture: str) -> ModelArrays:
    """The fixture's model with every optional row an analysis can add (inactive, as analyses build them)."""
    return model_arrays(make(FIXTURES[fixture]()), extras=ANALYSIS_ROWS)


@pytest.mark.parametrize(("kind", "family", "stem"), FAMILIES, ids=[f[2] for f in FAMILIES])
def test_family_matches_its_golden_file(kind, family, stem):
    text, fixture = "", ""
    for fixture in FIXTURES:
        text = render(_arrays(fixture), kind, family)
        if text.strip():
            break
    assert text.strip(), f"no fixture builds anything for {kind} {family}: extend every_family()"
    path = GOLDEN / f"{stem}.txt"
    if UPDATE:
        path.write_text(f"# {kind} {family} on tests/test_golden.py::{fixture} (instance units)\n" + text)
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
    missing = [f for _, f, stem in FAMILIES if stem not in golden and f not in hand]
    assert not missing, f"families with neither a golden file nor a hand-computed test: {missing}"
    stale = golden - {stem for *_, stem in FAMILIES}
    assert not stale, f"golden files for no registry family (remove them): {sorted(stale)}"
    unknown = hand - {f for _, f, _ in FAMILIES}
    assert not unknown, f"@pytest.mark.family names no registry family: {sorted(unknown)}"
    assert {f for _, f, _ in FAMILIES if f in hand}, "no hand-computed family test is marked"
