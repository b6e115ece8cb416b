"""Trust on the surface that landed last (issue 21): workbooks, evaluate, sweeps and remote schedulers. Every
test is a case found by trying to break critmin; each failed before its fix. Numbers in the comments are the
issue's."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, base_dict, make
from critmin.cli import main

DEMO = ROOT / "instances" / "demo" / "demo.yaml"


@pytest.fixture
def runner():
    return CliRunner()


def _json(output: str) -> dict:
    doc = json.loads(output)
    assert {"critmin", "schema", "command", "ok", "exit_code"} <= set(doc)
    return doc


# -- 1. a user's workbook is never replaced -----------------------------------------------------------------
def test_export_force_never_replaces_a_workbook_someone_edited(runner, tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "demo.xlsx"
    assert runner.invoke(main, ["export", str(DEMO), "--xlsx", str(book)]).exit_code == 0
    assert (
        runner.invoke(main, ["export", str(DEMO), "--xlsx", str(book), "--force"]).exit_code == 0
    )  # untouched
    wb = load_workbook(book)
    assert wb.properties.creator == "critmin"  # Excel keeps this field on save: it proves nothing
    wb["facilities"]["B2"] = "edited by the user"
    wb.save(book)
    r = runner.invoke(main, ["export", str(DEMO), "--xlsx", str(book), "--force"])
    assert r.exit_code == 1 and "changed since" in r.output, r.output
    assert load_workbook(book)["facilities"]["B2"].value == "edited by the user"


def test_export_never_replaces_a_workbook_the_instance_reads(runner, tmp_path):
    book = tmp_path / "book.xlsx"
    assert runner.invoke(main, ["export", str(DEMO), "--xlsx", str(book)]).exit_code == 0
    data = yaml.safe_load(DEMO.read_text())
    data["facilities"] = "book.xlsx#facilities"
    for key in ("routes", "demand"):
        data[key] = str((DEMO.parent / data[key]).name) if isinstance(data[key], str) else data[key]
        if isinstance(data[key], str):
            shutil.copy(DEMO.parent / data[key], tmp_path / data[key])
    inst = tmp_path / "inst.yaml"
    inst.write_text(yaml.safe_dump(data))
    assert runner.invoke(main, ["validate", str(inst)]).exit_code == 0
    r = runner.invoke(main, ["export", str(inst), "--xlsx", str(book), "--force"])
    assert r.exit_code == 1 and "is the input" in r.output, r.output


# -- 2. text is never a live formula -----------------------------------------------------------------------
def test_text_starting_with_a_formula_sign_is_written_as_text(runner, tmp_path):
    from openpyxl import load_workbook

    d = base_dict()
    d["name"] = '=HYPERLINK("http://example.com","click")'
    d["description"] = "+1 -2 @sum"
    d["regions"][1]["name"] = "=1+1"
    d["facilities"][0]["source"] = "-cmd|' /C calc'!A0"
    inst = tmp_path / "inst.yaml"
    inst.write_text(yaml.safe_dump(d))
    book = tmp_path / "b.xlsx"
    assert runner.invoke(main, ["export", str(inst), "--xlsx", str(book)]).exit_code == 0
    wb = load_workbook(book)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)  # text, never 'f' (a formula)
    from critmin import load_instance

    assert load_instance(book).model_dump() == load_instance(inst).model_dump()
    sol = tmp_path / "sol"
    assert runner.invoke(main, ["solve", str(inst), "--format", "xlsx", "-o", str(sol)]).exit_code == 0
    summary = load_workbook(sol / "tables.xlsx")["summary"]
    name = next(r[1] for r in summary.iter_rows() if r[0].value == "instance")
    assert name.value == d["name"] and name.data_type == "s"


# -- 3. a valid dotted id round-trips through CSV and workbooks ---------------------------------------------
def test_a_dotted_id_survives_csv_and_workbooks(runner, tmp_path):
    from critmin import load_instance

    d = base_dict()
    d["commodities"][0]["id"] = "nd.pr"
    for f in d["facilities"]:
        f["outputs"] = {"nd.pr": 1}
    for r in d["routes"]:
        r["commodity"] = "nd.pr"
    d["demand"][0]["commodity"] = "nd.pr"
    inst = tmp_path / "inst.yaml"
    inst.write_text(yaml.safe_dump(d))
    book = tmp_path / "b.xlsx"
    assert runner.invoke(main, ["export", str(inst), "--xlsx", str(book)]).exit_code == 0
    assert load_instance(book).model_dump() == load_instance(inst).model_dump()
    (tmp_path / "f.csv").write_text("id,region,outputs.nd.pr,capacity,var_cost\np,AU,1,100,5\n")
    d2 = dict(d, facilities="f.csv")
    (tmp_path / "i2.yaml").write_text(yaml.safe_dump(d2))
    assert load_instance(tmp_path / "i2.yaml").facilities[0].outputs == {"nd.pr": 1.0}


# -- 4, 5, 13. evaluate: every plan problem named, no silent rounding, no unconstrained optimum -------------
def _plan_instance(tmp_path: Path) -> Path:
    d = base_dict()
    d["build_options"] = [
        {"id": "mod", "facility": "au_plant", "kind": "discrete", "fixed_cost": 10, "module_size": 5000,
         "max_count": 3},
        {"id": "cont", "facility": "au_plant", "capex": 10, "max_capacity": 100},
    ]  # fmt: skip
    d["horizon"]["periods"] = [{"year": 2025}, {"year": 2030}]
    d["demand"].append({"region": "US", "commodity": "ox", "year": 2030, "quantity": 100})
    p = tmp_path / "inst.yaml"
    p.write_text(yaml.safe_dump(d))
    return p


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("cont,2030,inf", "is not a capacity"),
        ("cont,2030,nan", "is not a capacity"),
        ("cont,2030,", "is not a capacity"),
        ("cont,2030,-5", "is not a capacity"),
        ("cont,2030.9,5", "not a whole year"),
        ("mod,2030,7500", "1.5 modules"),
        ("mod,2030,12500", "2.5 modules"),
        ("nope,2030,5", "'nope' is no build option"),
        ("cont,2040,5", "cannot come online in 2040"),
        ("cont,2030,500", "over its maximum of 100 t/yr"),
        ("cont,2030,5\ncont,2030,6", "again (first at row 2)"),
    ],
)
def test_evaluate_names_every_plan_problem(runner, tmp_path, rows, message):
    inst = _plan_instance(tmp_path)
    plan = tmp_path / "plan.csv"
    plan.write_text("option,year,capacity_added\n" + rows + "\n")
    r = runner.invoke(main, ["evaluate", str(plan), str(inst)])
    assert r.exit_code == 1 and message in r.output and "hard requirement" not in r.output, r.output
    assert "plan.csv, row" in r.output


def test_evaluate_unknown_scenario_is_named(runner, tmp_path):
    inst = _plan_instance(tmp_path)
    plan = tmp_path / "plan.csv"
    plan.write_text("option,year,capacity_added\ncont,2030,5\n")
    r = runner.invoke(main, ["evaluate", str(plan), str(inst), "--scenario", "nosuch"])
    assert r.exit_code == 1 and "no scenario named 'nosuch'" in r.output


def test_a_non_finite_bound_never_reaches_highs_silently():
    """HiGHS refuses a NaN bound and keeps the old one; the session refuses first, naming the column."""
    from critmin.analysis.jobs import Job, run_job
    from critmin.errors import CritminError

    d = base_dict()
    d["build_options"] = [{"id": "b", "facility": "au_plant", "capex": 10}]
    with pytest.raises(CritminError, match=r"build_capacity\[b,2025,all\].*not a number"):
        run_job(make(d), Job("x", builds=(("b", 2025, float("nan")),)))


def test_a_damaged_solution_folder_with_an_edited_table_is_refused(runner, tmp_path):
    sol = tmp_path / "sol"
    assert runner.invoke(main, ["solve", str(DEMO), "-o", str(sol)]).exit_code == 0
    with (sol / "builds.csv").open("a") as fh:
        fh.write("us_sep_build,us_separation,US,separation,continuous,2030,2025,,5.0,1.0\n")
    for args in (["compare", str(sol)], ["evaluate", str(sol), str(DEMO)]):
        r = runner.invoke(main, args)
        assert r.exit_code == 1 and "changed since critmin wrote" in r.output, r.output


# -- 6. gaps and tolerances on the part of the objective the decisions change -------------------------------
def _gap_case(constant: bool):
    """Twelve modular builds and a demand the modules do not divide, plus (optionally) a plant whose fixed
    O&M puts a constant of 1e15 into the objective."""
    rng = np.random.default_rng(0)
    regions = [{"id": "US", "bloc": "home"}] + [{"id": f"R{i}", "bloc": "ally"} for i in range(12)]
    fac, opt, routes = [], [], []
    for i in range(12):
        fac.append({"id": f"p{i}", "region": f"R{i}", "outputs": {"ox": 1}, "capacity": 0,
                    "var_cost": float(rng.integers(10, 40))})  # fmt: skip
        opt.append(
            {
                "id": f"m{i}",
                "facility": f"p{i}",
                "kind": "discrete",
                "max_count": 3,
                "fixed_cost": float(rng.integers(2000, 9000)),
                "module_size": float(rng.integers(70, 190)),
            }
        )
        routes.append(
            {"commodity": "ox", "origin": f"R{i}", "destination": "US", "cost": float(rng.integers(1, 9))}
        )
    if constant:
        fac.append(
            {"id": "legacy", "region": "R0", "outputs": {"other": 1}, "capacity": 1e6, "fixed_cost": 1e9}
        )
    return make({"name": "gap", "horizon": {"base_year": 2025, "discount_rate": 0.0, "periods": [{"year": 2025}]},
                 "regions": regions, "commodities": [{"id": "ox", "stage": "separation"},
                                                     {"id": "other", "stage": "mining"}],
                 "facilities": fac, "build_options": opt, "routes": routes,
                 "demand": [{"region": "US", "commodity": "ox", "year": 2025, "quantity": 1237}],
                 "objective": {"unmet_penalty": 1000}, "units": {"scale": {"quantity": 1, "money": 1}}})  # fmt: skip


def test_a_large_constant_does_not_make_a_poor_plan_optimal():
    """With 1e15 of fixed O&M in the objective, a gap taken on the total accepted a plan 0.45% worse than the
    optimum as 'optimal, gap 0'; on the part the builds change, the default 1e-4 finds the optimum."""
    from critmin import solve

    exact = solve(_gap_case(False), mip_gap=0.0).objective
    sol = solve(_gap_case(True))
    constant = 1e9 * 1e6
    assert sol.status == "optimal"
    assert sol.objective - constant == pytest.approx(exact, rel=1e-4)


def test_frontier_dominance_is_judged_without_the_constant():
    import pandas as pd

    from critmin.analysis.frontier import _dominated

    pts = pd.DataFrame({"cost": [1e15 + 100.0, 1e15 + 150.0], "risk": [10.0, 5.0]})
    assert _dominated(pts, constant=1e15) == [False, False]  # two real Pareto points: cheaper, or safer
    assert _dominated(pts) == [True, False]  # a tolerance on the total calls the costs equal, drops one


# -- 7. workbook formulas, duplicate sections, a section and a sheet ----------------------------------------
def _instance_book(tmp_path: Path) -> Path:
    book = tmp_path / "inst.xlsx"
    assert CliRunner().invoke(main, ["export", str(DEMO), "--xlsx", str(book)]).exit_code == 0
    return book


def test_a_formula_without_a_saved_value_is_an_error_naming_its_cell(tmp_path):
    from openpyxl import load_workbook

    from critmin import load_instance
    from critmin.errors import CritminError

    book = _instance_book(tmp_path)
    wb = load_workbook(book)
    wb["facilities"]["E2"] = "=2*1000"  # openpyxl saves no cached value, as a formula typed in code
    wb.save(book)
    with pytest.raises(CritminError, match=r"sheet 'facilities', row 2, column E: a formula \(=2\*1000\)"):
        load_instance(book)


def test_duplicate_sections_and_a_section_beside_a_sheet_are_refused(tmp_path):
    from openpyxl import load_workbook

    from critmin import load_instance
    from critmin.errors import InstanceError

    book = _instance_book(tmp_path)
    wb = load_workbook(book)
    ws = wb["instance"]
    ws.append(["name", "again"])
    ws.append(["routes", "[]"])
    wb.save(book)
    with pytest.raises(InstanceError) as err:
        load_instance(book)
    text = str(err.value)
    assert "section 'name' appears twice" in text and "'routes' is both a section" in text


# -- 8. analyses refuse what they cannot answer ------------------------------------------------------------
def _no_china(tmp_path: Path) -> Path:
    d = base_dict()
    d["regions"][0]["controlled_origin"] = False
    p = tmp_path / "free.yaml"
    p.write_text(yaml.safe_dump(d))
    return p


@pytest.mark.parametrize("command", ["stress", "leverage"])
def test_ban_analyses_refuse_an_instance_without_a_controlled_origin(runner, tmp_path, command):
    r = runner.invoke(main, [command, str(_no_china(tmp_path)), "--workers", "0"])
    assert r.exit_code == 1 and "no region of controlled origin" in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["attribute", "X", "--deal", "us_japan", "--deal", "us_japan"], "given twice"),
        (["sweep", "X", "--vary", "capex=0.8:1.2", "--vary", "capex=0.9:1.1"], "varied twice"),
        (["sweep", "X", "--vary", "capex=0.8:1.2", "--scenario", "nosuch", "--workers", "0"], "nosuch"),
        (["stress", "X", "--node", "CN"], "REGION:STAGE"),
        (["stress", "X", "--group", "lynas"], "NAME=FACILITY"),
        (["attribute", "X", "--sample-seed", "-1"], "-1"),
        (["sweep", "X", "--vary", "capex=1:1", "--scheduler", "not an address"], "not an address"),
        (["solve", "X", "--mip-gap", "nan"], "not a finite number"),
        (["solve", "X", "--time-limit", "nan"], "not a finite number"),
    ],
)
def test_bad_analysis_options_are_usage_errors_not_internal_errors(runner, args, message):
    args = [str(DEMO) if a == "X" else a for a in args]
    r = runner.invoke(main, args)
    assert r.exit_code == 1 and message in r.output and "internal error" not in r.output, r.output


def test_report_never_reads_outside_an_analysis_folder(runner, tmp_path):
    out = tmp_path / "v"
    assert runner.invoke(main, ["value", str(DEMO), "--workers", "0", "-o", str(out)]).exit_code == 0
    meta = json.loads((out / "analysis.json").read_text())
    meta["tables"] = ["../secret"]
    (out / "analysis.json").write_text(json.dumps(meta))
    (tmp_path / "secret.csv").write_text("a\n1\n")
    r = runner.invoke(main, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 1 and "not a plain name" in r.output


# -- 9. exhaustion ----------------------------------------------------------------------------------------
def test_a_workbook_claiming_the_whole_grid_reads_only_its_cells(tmp_path):
    """A 12 kB workbook whose sheet claims A1:XFD1048576 took 3.8 GB; its cells are read, nothing more."""
    import zipfile

    from critmin.io.excel import Workbook

    book = _instance_book(tmp_path)
    claimed = tmp_path / "claim.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(claimed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet") and b"<dimension" in data:
                head, _, rest = data.partition(b"<dimension")
                data = head + b'<dimension ref="A1:XFD1048576"/' + rest.partition(b"/")[2]
            dst.writestr(item, data)
    with Workbook(claimed) as wb:
        rows = wb.rows("facilities")
    assert 2 < len(rows) < 50 and max(len(r) for r in rows) < 30


def test_a_workbook_that_inflates_beyond_the_limit_is_refused(tmp_path, monkeypatch):
    import critmin.io.excel as excel
    from critmin.errors import CritminError

    book = _instance_book(tmp_path)
    monkeypatch.setattr(excel, "MAX_INFLATED", 10_000)  # the real limit is 512 MiB: the same check
    with pytest.raises(CritminError, match="inflates to"):
        excel.Workbook(book)


def test_a_sweep_makes_its_jobs_as_workers_take_them(monkeypatch):
    """A million samples built every job first (3.7 GB); now jobs are made as they are run."""
    from critmin import load_instance
    from critmin.analysis import sweep as sw

    made: list[int] = []
    real = sw.run_jobs

    def counting(instance, jobs, **kw):
        assert not isinstance(jobs, (list, tuple))  # a generator, not a list of every job

        def gen():
            for j in jobs:
                made.append(1)
                yield j

        return real(instance, gen(), **kw)

    monkeypatch.setattr(sw, "run_jobs", counting)
    res = sw.sweep(load_instance(DEMO), {"capex": (0.9, 1.1)}, samples=3, engine=sw.Engine(workers=0))
    assert len(made) == 3 and res.facts["solved"] == 3


# -- 10. remote schedulers: refused, silent, junk, invalid -- each a clear error within seconds -----------
def _server(behaviour: str) -> tuple[int, threading.Event]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.2)
        conns = []
        while not stop.is_set():
            try:
                c, _ = sock.accept()
            except TimeoutError:
                continue
            if behaviour == "junk":
                c.sendall(b"\xff" * 64)
            conns.append(c)
        for c in conns:
            c.close()
        sock.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock.getsockname()[1], stop


@pytest.mark.parametrize("behaviour", ["silent", "junk", "refused"])
def test_a_scheduler_that_is_not_one_gives_a_clear_error_quickly(behaviour):
    import time

    from critmin.analysis.sweep import probe_scheduler
    from critmin.errors import CritminError

    if behaviour == "refused":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port, stop = s.getsockname()[1], threading.Event()
        s.close()
    else:
        port, stop = _server(behaviour)
    t0 = time.perf_counter()
    expect = {"silent": "sent nothing", "junk": "not in Dask's protocol", "refused": "refused"}[behaviour]
    with pytest.raises(CritminError, match=expect):
        probe_scheduler(f"tcp://127.0.0.1:{port}", timeout=1.0)
    assert time.perf_counter() - t0 < 5
    stop.set()


# -- 11, 12. no internal errors; --json one document on every exit path -------------------------------------
def test_a_closed_stdout_still_writes_the_solution(tmp_path):
    import os
    import subprocess
    import sys

    out = tmp_path / "sol"
    cmd = f'"{Path(sys.executable).parent / "critmin"}" solve "{DEMO}" -o "{out}" >&-'
    r = subprocess.run(cmd, shell=True, capture_output=False, stderr=subprocess.PIPE, text=True, timeout=300,
                       env=dict(os.environ))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (out / "summary.json").is_file() and "internal error" not in r.stderr


def test_a_control_character_at_export_is_named(runner, tmp_path):
    d = base_dict()
    d["facilities"][0]["name"] = "bad\x01name"
    inst = tmp_path / "inst.yaml"
    inst.write_text(yaml.safe_dump(d))
    r = runner.invoke(main, ["export", str(inst), "--xlsx", str(tmp_path / "b.xlsx")])
    assert r.exit_code == 1 and "control character" in r.output and "row 2, column" in r.output
    assert not (tmp_path / "b.xlsx").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "X", "--no-such-option", "--json"],  # a usage error
        ["solve", "nosuch.yaml", "--json"],  # bad input
        ["diagnose", "X", "--top", "-3", "--json"],
        ["compare", "nosuch-folder", "--json"],
        ["frontier", "X", "--points", "1", "--json"],
        ["value", "X", "--workers", "0", "--reference", "nosuch", "--json"],
        ["export", "X", "--json"],
        ["report", "nosuch", "-o", "r.html", "--json"],
        ["sweep", "X", "--vary", "nope=1:2", "--json"],
        ["generate", "--regions", "1", "-o", "g", "--json"],
    ],
)
def test_json_is_one_document_on_every_error_path(runner, args):
    r = runner.invoke(main, [str(DEMO) if a == "X" else a for a in args])
    doc = _json(r.stdout)
    assert doc["ok"] is False and doc["exit_code"] == r.exit_code and r.exit_code == 1 and doc["error"]


def test_json_on_a_full_disk_and_with_the_solver_log(runner, tmp_path, monkeypatch):
    import pandas as pd

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    r = runner.invoke(main, ["solve", str(DEMO), "--json", "--solver-log"])
    doc = _json(r.stdout)  # HiGHS's log went to stderr: stdout is one JSON document
    assert doc["ok"] and doc["status"] == "optimal"
    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    r = runner.invoke(main, ["solve", str(DEMO), "-o", str(tmp_path / "s"), "--json"])
    doc = _json(r.stdout)
    assert r.exit_code == 1 and not doc["ok"] and "No space left" in doc["error"]


# -- 13. what the schema refuses ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["scenarios"].__setitem__(1, {**d["scenarios"][1], "revealed": 1990}),
            "before the base year",
        ),
        (lambda d: d.__setitem__("schema_version", 99), "newer than this critmin reads"),
    ],
)
def test_impossible_reveal_years_and_future_schemas_are_refused(change, message):
    from critmin.errors import InstanceError

    d = base_dict()
    d["scenarios"] = [{"name": "a", "probability": 0.5}, {"name": "b", "probability": 0.5}]
    change(d)
    with pytest.raises(InstanceError, match=message):
        make(d)


def test_an_xlsm_is_not_read_as_yaml(runner, tmp_path):
    p = tmp_path / "book.xlsm"
    p.write_bytes(b"PK\x03\x04not really")
    r = runner.invoke(main, ["validate", str(p)])
    assert r.exit_code == 1 and ".xlsm file is not an instance" in r.output and "UTF-8" not in r.output


def test_a_workbook_link_that_leaves_the_folder_is_named(runner, tmp_path):
    inside = tmp_path / "inst"
    inside.mkdir()
    outside = tmp_path / "elsewhere.xlsx"
    assert runner.invoke(main, ["export", str(DEMO), "--xlsx", str(outside)]).exit_code == 0
    (inside / "book.xlsx").symlink_to(outside)
    d = base_dict()
    d["facilities"] = "book.xlsx#facilities"
    (inside / "i.yaml").write_text(yaml.safe_dump(d))
    r = runner.invoke(main, ["validate", str(inside / "i.yaml")])
    assert (
        r.exit_code == 1
        and "points outside the instance folder" in r.output
        and "did you mean" not in r.output
    )


def test_an_infeasible_solve_points_to_diagnose(runner, tmp_path):
    d = base_dict()
    d["policies"] = {"min_service": [{"id": "all", "share": 1.0}]}
    d["facilities"] = [f | {"capacity": 1} for f in d["facilities"]]
    p = tmp_path / "inf.yaml"
    p.write_text(yaml.safe_dump(d))
    r = runner.invoke(main, ["solve", str(p)])
    assert r.exit_code == 2 and "critmin diagnose" in r.output


def _critmin_in_a_subprocess(code: str, tmp_path: Path, timeout: float = 120):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))  # fmt: skip


def test_a_full_disk_during_export_xlsx_is_one_message(tmp_path):
    """Everything the process prints, not just what click captures: no stray traceback."""
    code = f"""
import openpyxl
def full(self, *a, **k):
    raise OSError(28, "No space left on device")
openpyxl.Workbook.save = full
from critmin.cli import main
main(["export", {str(DEMO)!r}, "--xlsx", "out.xlsx"])
"""
    r = _critmin_in_a_subprocess(code, tmp_path)
    assert r.returncode == 1 and "No space left on device" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr + r.stdout and not list(tmp_path.glob("*.xlsx"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_ctrl_c_on_a_two_worker_sweep_is_one_message(tmp_path):
    """A terminal's Ctrl-C reaches the whole process group; the workers used to print a traceback each."""
    import os
    import signal
    import subprocess
    import sys
    import time

    exe = Path(sys.executable).parent / "critmin"
    args = [str(exe), "sweep", str(DEMO), "--vary", "capex=0.8:1.2", "--samples", "5000", "--workers", "2"]
    p = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)  # fmt: skip
    time.sleep(8)
    os.killpg(p.pid, signal.SIGINT)
    _out, err = p.communicate(timeout=120)
    assert p.returncode == 130 and "interrupted" in err and "Traceback" not in err, err[-2000:]
