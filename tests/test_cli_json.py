"""Machine-readable output (--json) and validate's warnings (issue 16): a stable document per command, an
error as a JSON document too, and likely mistakes warned about (or refused with --strict)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT, base_dict
from critmin.cli import main

DEMO = str(ROOT / "instances/demo/demo.yaml")


def run(*args: str) -> tuple[int, dict[str, Any]]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, json.loads(r.stdout)


def test_solve_json_is_one_document_with_costs_builds_and_shortfalls():
    code, doc = run("solve", DEMO, "--json")
    assert code == 0 and doc["ok"] and doc["command"] == "solve" and doc["schema"] == 2
    c = doc["costs"]
    assert c["planner_cost"] == pytest.approx(c["by_category"]["spent"] + c["by_category"]["unserved"])
    assert {b["option"] for b in doc["builds"]} == {"us_sep_new", "us_magnet_module", "au_mine_expansion"}
    assert all(s["unmet"] > 0 or s["forgone"] > 0 for s in doc["shortfalls"]) and doc["shortfalls"]
    assert doc["summary"]["status"] == "optimal"


def test_validate_compare_diagnose_and_analyses_json(tmp_path):
    code, doc = run("validate", DEMO, "--json")
    assert code == 0 and doc["counts"]["regions"] == 5 and doc["warnings"] == []
    code, doc = run("compare", DEMO, f"{DEMO}@controls", "--json")
    assert code == 0 and len(doc["runs"]) == 2 and doc["metrics"]
    code, doc = run("diagnose", DEMO, "--json")
    assert code == 0 and doc["status"] == "optimal" and doc["shortfalls"]
    code, doc = run("stress", DEMO, "--node", "CN:magnet", "--share", "0.25", "--workers", "0", "--json")
    assert code == 0 and doc["kind"] == "stress" and doc["tables"]["time_to_survive"][0]["region"] == "CN"


def test_errors_are_json_too():
    code, doc = run("solve", str(ROOT / "instances/nope.yaml"), "--json")
    assert code == 1 and not doc["ok"] and "file not found" in doc["problems"][0]["message"]


def _write(tmp_path, d: dict[str, Any]) -> str:
    import yaml

    p = tmp_path / "i.yaml"
    p.write_text(yaml.safe_dump(d))
    return str(p)


def test_validate_warns_about_likely_mistakes_and_strict_refuses(tmp_path):
    d = base_dict()
    d["regions"].append({"id": "JP", "bloc": "ally"})
    d["commodities"].append({"id": "mag", "stage": "magnet", "price": 10})
    d["demand"].append({"region": "JP", "commodity": "mag", "year": 2025, "quantity": 5})  # nothing makes it
    d["export_controls"] = [{"id": "late", "exporter": "CN", "commodities": ["ox"], "start": 2030}]
    path = _write(tmp_path, d)
    r = CliRunner().invoke(main, ["validate", path])
    assert r.exit_code == 0, r.output
    assert "demand for 'mag' in JP can never be supplied" in r.output
    assert "export control 'late' applies in 2030-..., which misses every modelled period" in r.output
    assert "2 warning(s)" in r.output
    r = CliRunner().invoke(main, ["validate", path, "--strict"])
    assert r.exit_code == 1 and "--strict treats them as errors" in r.output
    code, doc = run("validate", path, "--strict", "--json")
    assert code == 1 and len(doc["warnings"]) == 2 and not doc["ok"]


def test_help_and_completion_load_no_solver_or_table_library():
    """`critmin --help` and validate --help import neither Pyomo, HiGHS, pandas nor Dask (quick start-up;
    benchmarks/startup.py measures it)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from critmin.cli import main\n"
        "for args in (['--help'], ['validate', '--help'], ['sweep', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('pyomo', 'highspy', 'pandas', 'dask', 'distributed', 'openpyxl', 'numpy')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out[-300:]


def test_validate_warns_when_a_control_starts_off_the_modelled_years(tmp_path):
    d = base_dict()
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2027, "weight": 3}]
    d["demand"].append({"region": "US", "commodity": "ox", "year": 2027, "quantity": 100})
    d["export_controls"] = [
        {"id": "mid", "exporter": "CN", "commodities": ["ox"], "start": 2026},
        {
            "id": "early",
            "exporter": "CN",
            "commodities": ["ox"],
            "start": 2020,
            "kind": "quota",
            "amount": 50,
        },
    ]
    code, doc = run("validate", _write(tmp_path, d), "--json")
    assert code == 0
    text = " ".join(doc["warnings"])
    assert "'mid' starts in 2026, which is not a modelled period: it takes effect from 2027" in text
    assert "'early' starts in 2020, before the base year 2025: it applies from 2025" in text


def test_diagnose_counts_demand_forgone_at_its_price_as_solve_does():
    """Demand forgone at its price is a shortfall: `solve` lists it, and so must `diagnose` (it used to say
    'shortfalls none' on the April 2025 case, where demand was forgone and none unmet)."""
    code, doc = run("diagnose", str(ROOT / "instances/rare-earths/china-controls-oct2025.yaml"), "--json")
    assert code == 0 and doc["shortfalls"]
    assert all(r["short"] == pytest.approx(r["unmet"] + r["forgone"]) for r in doc["shortfalls"])
    assert any(r["forgone"] > 0 for r in doc["shortfalls"])
