"""models/*.md and the Pyomo model name the same components: neither may drift from the other."""

from __future__ import annotations

import re

import pyomo.environ as pyo

from conftest import ROOT
from critmin import build_model, load_instance
from critmin.schema import Planner

KINDS = (pyo.Set, pyo.Var, pyo.Constraint, pyo.Expression, pyo.Param, pyo.Objective)


def documented(frontier: bool = False, tag: str = "") -> set[str]:
    """Component names headed '### `name`'; optional ones are headed '### `name` (analysis)' or '(cvar)'."""
    want = "(analysis)" if frontier else tag
    names: set[str] = set()
    for md in (ROOT / "models").glob("*.md"):
        for name, rest in re.findall(r"^### `(\w+)`(.*)$", md.read_text(), flags=re.M):
            if (want and want in rest) or (not want and "(" not in rest):
                names.add(name)
    return names


def built(frontier: bool = False, planner: bool = False) -> set[str]:
    inst = load_instance(ROOT / "instances" / "demo" / "demo.yaml")
    if planner:
        inst = inst.model_copy(update={"planner": Planner(name="allies", members=["ally", "home"])})
    model = build_model(inst)
    if frontier:
        before = {c.local_name for c in model.component_objects(descend_into=True)}
        extended = build_model(inst, extras=("risk_cap", "min_met_share"))
        return {c.local_name for c in extended.component_objects(descend_into=True)} - before
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


def test_planner_components_match_docs():
    """Components only a model with a planner has are headed '(planner)'."""
    only = built(planner=True) - built()
    assert only == documented(tag="(planner)") == {"cost_imports", "cost_outside", "cost_outside_unserved"}


def test_analysis_components_match_docs():
    expected = {"risk_cap", "risk_cap_level", "min_met_share", "min_met_share_level"}
    assert built(frontier=True) == documented(frontier=True) == expected


def test_cvar_components_match_docs():
    from conftest import base_dict
    from critmin.io import validate_instance

    data = base_dict()
    data["objective"]["cvar_weight"] = 1.0
    model = build_model(validate_instance(data))
    data["objective"]["cvar_weight"] = 0.0
    plain = build_model(validate_instance(data))
    extra = {c.local_name for c in model.component_objects(descend_into=True)} - {
        c.local_name for c in plain.component_objects(descend_into=True)
    }
    extra = {n for n in extra if not n.endswith(("_index", "_domain"))}
    assert extra == documented(tag="(cvar)") == {"cvar_eta", "cvar_excess", "cvar_tail", "cvar"}


def test_registry_and_docs_name_the_same_families():
    """The registry (what every consumer reads) and models/ agree: each variable family, row family, index
    set and cost expression the registry names is documented, and nothing documented is unknown to it."""
    from critmin.model.registry import CONSTRAINTS, COSTS, PLAIN_SETS, VARIABLES

    named = {v.name for v in VARIABLES} | {c.name for c in CONSTRAINTS} | {c.pyomo for c in COSTS}
    named |= {s.index_set for s in (*VARIABLES, *CONSTRAINTS) if s.index_set} | set(PLAIN_SETS)
    named |= {"risk_weight", "total_cost"}  # the objective's parameter and the objective itself
    named |= {c.bound_param for c in CONSTRAINTS if c.bound_param}  # bounds an analysis moves
    documented_all = (
        documented() | documented(tag="(cvar)") | documented(tag="(planner)") | documented(tag="(analysis)")
    )
    only_code, only_doc = sorted(named - documented_all), sorted(documented_all - named)
    assert not only_code, f"in the registry, not in models/: {only_code}"
    assert not only_doc, f"in models/, not in the registry: {only_doc}"
