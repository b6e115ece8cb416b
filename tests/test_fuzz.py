"""Fuzz: mutate valid instances at random places; the result must be a clear InstanceError or a solve that
returns a Solution. Any other exception is a bug (it would reach users as a traceback)."""

from __future__ import annotations

import copy
import math
import os
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, base_dict
from critmin import InstanceError, solve
from critmin.io import validate_instance
from critmin.report import format_summary
from critmin.solving import EXIT_CODES


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


def _demo_dict() -> dict:
    """The demo instance with its CSV tables read inline, as plain data."""
    from critmin.io.instance_io import _read_csv_table, _Source

    folder = ROOT / "instances" / "demo"
    data = yaml.safe_load((folder / "demo.yaml").read_text())
    import hashlib

    for key in ("facilities", "routes", "demand"):
        if isinstance(data.get(key), str):
            data[key] = _read_csv_table(
                folder.resolve(), data[key], (key,), _Source(None), hashlib.sha256(), []
            )
    return data


BASES = [base_dict(), _demo_dict()]
PATHS = [_paths(b) for b in BASES]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**16), 10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["CN", "US", "ox", "ndfeb", "2025", "", "-1", "1e300", "all", "ban", "share"]),
    st.just([]),
    st.just({}),
    st.lists(st.integers(-5, 3000), max_size=3),
)


def _apply(data: dict, path: tuple, action: str, value: Any) -> None:
    node: Any = data
    for p in path[:-1]:
        node = node[p]
    key = path[-1]
    if action == "delete":
        del node[key]
    elif action == "duplicate" and isinstance(node, list):
        node.append(copy.deepcopy(node[key]))
    else:
        node[key] = value


@settings(max_examples=int(os.environ.get("CRITMIN_FUZZ_EXAMPLES", "150")))
@given(base=st.integers(0, len(BASES) - 1), data=st.data())
def test_mutated_instance_gives_clear_error_or_solution(base, data):
    inst_data = copy.deepcopy(BASES[base])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(inst_data)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["set", "set", "delete", "duplicate"]))
        _apply(inst_data, path, action, data.draw(VALUES))
    try:
        inst = validate_instance(inst_data)
    except InstanceError as exc:
        text = str(exc)
        assert exc.problems and "problem" in text
        for p in exc.problems:
            assert p.message
        return
    sol = solve(inst, time_limit=10)
    assert sol.status in EXIT_CODES
    format_summary(sol)


# Every mutation the fuzz ever found to fail, kept as an explicit case: (base, path, value).
KNOWN_FAILURES = [
    (0, ("horizon", "discount_rate"), 6.7e-28),  # ZeroDivisionError in annuity_factor
    (0, ("horizon", "discount_rate"), 1e-300),
    (1, ("horizon", "discount_rate"), 5e-324),
]


@pytest.mark.parametrize("base, path, value", KNOWN_FAILURES)
def test_mutations_the_fuzz_once_broke(base, path, value):
    inst_data = copy.deepcopy(BASES[base])
    _apply(inst_data, path, "set", value)
    try:
        inst = validate_instance(inst_data)
    except InstanceError:
        return
    sol = solve(inst, time_limit=10)
    assert sol.status in EXIT_CODES and sol.has_solution
    assert all(math.isfinite(v) for v in sol.objective_parts.values())
