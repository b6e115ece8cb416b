"""models/*.md and the Pyomo model name the same components: neither may drift from the other."""

from __future__ import annotations

import re

import pyomo.environ as pyo

from conftest import ROOT
from critmin import build_model, load_instance

KINDS = (pyo.Set, pyo.Var, pyo.Constraint, pyo.Expression, pyo.Param, pyo.Objective)


def documented(frontier: bool = False) -> set[str]:
    """Component names headed '### `name`' (frontier ones are headed '### `name` (frontier)')."""
    names: set[str] = set()
    for md in (ROOT / "models").glob("*.md"):
        for name, tag in re.findall(r"^### `(\w+)`(.*)$", md.read_text(), flags=re.M):
            if ("(frontier)" in tag) == frontier:
                names.add(name)
    return names


def built(frontier: bool = False) -> set[str]:
    model = build_model(load_instance(ROOT / "instances" / "demo" / "demo.yaml"))
    if frontier:
        from critmin.frontier import add_risk_cap

        before = {c.local_name for c in model.component_objects(descend_into=True)}
        add_risk_cap(model)
        return {c.local_name for c in model.component_objects(descend_into=True)} - before
    names = set()
    for kind in KINDS:
        for comp in model.component_objects(kind, descend_into=True):
            name = comp.local_name
            if name.endswith(("_index", "_domain")):  # Pyomo's implicit helper sets
                continue
            names.add(name)
    return names


def test_every_component_is_documented():
    missing = built() - documented()
    assert not missing, f"Pyomo components missing from models/: {sorted(missing)}"


def test_every_documented_component_exists():
    extra = documented() - built()
    assert not extra, f"models/ names components the code does not build: {sorted(extra)}"


def test_docs_are_nonempty():
    assert len(documented()) >= 30


def test_frontier_components_match_docs():
    assert built(frontier=True) == documented(frontier=True) == {"risk_cap", "risk_cap_level"}
