"""The code stays readable and typed: mypy finds no error in src/critmin, no function runs over ~80 lines
without a written reason, and modules import without cycles through the package layers."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "critmin"
MAX_LINES = 80
REASON = "Long because"  # a function over MAX_LINES says why at the top of its docstring


def test_mypy_finds_no_error():
    if shutil.which("mypy", path=str(ROOT / ".venv" / "bin")) is None and not _has_mypy():
        pytest.fail("mypy is not installed: `make test` installs it with the dev extra")
    r = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "Success" in r.stdout


def _has_mypy() -> bool:
    try:
        import mypy  # noqa: F401
    except ImportError:
        return False
    return True


def _long_functions() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if length > MAX_LINES and REASON not in doc:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return out


def test_no_function_is_long_without_a_reason():
    assert not _long_functions(), "\n".join(_long_functions())


LAYERS = ["errors", "perf", "schema", "io", "model", "backend", "results", "analysis", "report", "cli"]


def _imports(path) -> set[str]:
    """Top-level package layers a module imports from (relative imports inside critmin)."""
    tree = ast.parse(path.read_text())
    rel = path.relative_to(SRC).parts
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(rel[:-1])[: len(rel) - 1 - (node.level - 1)] if node.level > 1 else list(rel[:-1])
            target = base + (node.module.split(".") if node.module else [])
            if target:
                out.add(target[0])
    return out


def test_lower_layers_do_not_import_higher_ones():
    """file -> Instance -> model data -> families -> backend -> Solution -> analyses -> reports: a module
    may import its own layer and those before it, never one after it (deferred imports included)."""
    rank = {name: i for i, name in enumerate(LAYERS)}
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        layer = path.relative_to(SRC).parts[0].removesuffix(".py")
        if layer not in rank:
            continue
        for target in _imports(path):
            if target in rank and rank[target] > rank[layer]:
                bad.append(f"{path.relative_to(ROOT)} ({layer}) imports {target}")
    assert not bad, "\n".join(bad)


def test_only_the_backend_talks_to_the_solver():
    """highspy is imported in backend/ alone: every solve, re-solve, IIS and dual goes through its Session
    (status, gap, rounding and duals read in one place)."""
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC).parts[0] == "backend":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            if any(n == "highspy" or n.startswith("highspy.") for n in names):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, "highspy imported outside backend/: " + ", ".join(bad)
