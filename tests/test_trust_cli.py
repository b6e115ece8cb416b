"""Trust: critmin never destroys a user's files and never answers wrongly in silence. Each test here is a case
found by trying to break critmin (issue 15); each failed before its fix."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, base_dict
from critmin.cli import main

DEMO = ROOT / "instances" / "demo"


@pytest.fixture
def runner():
    return CliRunner()


def _copy_demo(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    shutil.copytree(DEMO, folder)
    (folder / "notes.txt").write_text("my notes")
    return folder


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


# -- 1. --force never deletes what critmin did not write ---------------------------------------------------
@pytest.mark.parametrize("command", ["solve", "frontier"])
def test_force_does_not_delete_the_instance_folder(runner, tmp_path, command):
    folder = _copy_demo(tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    args = [command, str(folder / "demo.yaml"), "-o", str(folder), "--force"]
    r = runner.invoke(main, args + (["--points", "2"] if command == "frontier" else []))
    assert r.exit_code == 1, r.output
    assert "holds the input" in r.output or "not a folder critmin wrote" in r.output
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (folder / "notes.txt").read_text() == "my notes"


def test_force_does_not_replace_a_regular_file(runner, tmp_path):
    target = tmp_path / "important.txt"
    target.write_text("keep me")
    r = runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(target), "--force"])
    assert r.exit_code == 1 and "is a file" in r.output
    assert target.read_text() == "keep me"


def test_force_does_not_touch_a_device_or_pipe(runner, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/full")):
        r = runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(target), "--force"])
        assert r.exit_code == 1 and "not a regular" in r.output, r.output
    assert stat.S_ISFIFO(fifo.stat().st_mode) and Path("/dev/full").exists()


def test_force_refuses_a_folder_of_another_kind(runner, tmp_path):
    sol = tmp_path / "sol"
    assert runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(sol)]).exit_code == 0
    builds = (sol / "builds.csv").read_text()
    r = runner.invoke(main, ["compare", str(sol), str(sol), "-o", str(sol), "--force"])
    assert r.exit_code == 1 and "is a solution critmin wrote, not a comparison" in r.output
    assert (sol / "builds.csv").read_text() == builds


# -- 2. compare writes only into a new folder ------------------------------------------------------------
def test_compare_output_never_overwrites_a_solution(runner, tmp_path):
    sol = tmp_path / "sol"
    runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(sol)])
    builds = (sol / "builds.csv").read_text()
    for flag in ("-o", "--csv"):
        r = runner.invoke(main, ["compare", str(sol), str(sol), flag, str(sol)])
        assert r.exit_code == 1, r.output
    assert (sol / "builds.csv").read_text() == builds
    r = runner.invoke(main, ["compare", str(sol), str(sol)])
    assert r.exit_code == 0 and "built US separation" in r.output


# -- 3. a closed pipe does not lose the solution ----------------------------------------------------------
def test_solution_is_written_even_when_the_reader_closes_the_pipe(tmp_path):
    out = tmp_path / "out"
    cmd = f"{sys.executable} -m critmin solve {DEMO / 'demo.yaml'} -o {out} | head -1; echo rc=${{PIPESTATUS[0]}}"
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert "rc=0" in r.stdout, r.stdout + r.stderr
    assert "internal error" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr
    assert (out / "summary.json").exists()


# -- 4. ids pandas would read as missing values stay ids ------------------------------------------------
def test_region_na_survives_a_written_solution(runner, tmp_path):
    d = base_dict()
    d["regions"][2]["id"] = "NA"  # Namibia instead of Australia
    d["facilities"][1]["region"] = "NA"
    d["routes"][1]["origin"] = "NA"
    d["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    inst = _write(tmp_path / "na.yaml", d)
    out = tmp_path / "sol"
    assert runner.invoke(main, ["solve", str(inst), "-o", str(out)]).exit_code == 0
    from critmin import Solution

    sol = Solution.read(out)
    assert "NA" in set(sol.flows.origin) and sol.flows.origin.notna().all()
    r = runner.invoke(main, ["compare", str(out), str(inst)])
    assert r.exit_code == 0 and "inputs: identical" in r.output, r.output
    r = runner.invoke(main, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output


# -- 5. an interrupted replace is undone, strays from killed runs are cleaned ----------------------------
def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_killed_replace_is_restored_and_strays_cleaned(tmp_path):
    from critmin import load_instance, solve

    sol = solve(load_instance(DEMO / "demo.yaml"))
    out = sol.write(tmp_path / "sol")
    pid = _dead_pid()
    # a run killed between its two renames: the old output moved aside, the new one not yet in place
    old = tmp_path / f".sol.critmin-old-{pid}-abc"
    os.replace(out, old)
    # and a run killed while writing its new output
    new = tmp_path / f".sol.critmin-new-{pid}-def"
    new.mkdir()
    (new / "summary.json").write_text("{")
    from critmin.io.output import recover_strays

    notes = recover_strays(out)
    assert (out / "summary.json").exists() and not old.exists() and not new.exists()
    assert any("restored" in n for n in notes) and any("incomplete" in n for n in notes)


def test_replace_swaps_in_one_step(tmp_path, monkeypatch):
    from critmin import load_instance, solve
    from critmin.io import output

    sol = solve(load_instance(DEMO / "demo.yaml"))
    out = sol.write(tmp_path / "sol")
    seen_missing = []
    real_replace = os.replace

    def watching_replace(a, b):
        real_replace(a, b)
        if not Path(out).exists():
            seen_missing.append((a, b))

    monkeypatch.setattr(output.os, "replace", watching_replace)
    sol.write(out, force=True)
    assert (out / "summary.json").exists()
    assert not seen_missing, "the target was missing between two renames"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -- 6. the demo frontier sweeps (the objective's constant no longer hides the risk range) ---------------
def test_demo_frontier_has_several_points(runner):
    r = runner.invoke(main, ["frontier", str(DEMO / "demo.yaml"), "--points", "6"])
    assert r.exit_code == 0, r.output
    from critmin import frontier, load_instance

    fr = frontier(load_instance(DEMO / "demo.yaml"), 6)
    pareto = fr.pareto
    assert len(pareto) >= 3, fr.points
    assert pareto.risk.is_monotonic_decreasing and pareto.cost.is_monotonic_increasing


# -- 7. NaN and infinity are refused, never written ----------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_risk_weight_must_be_a_finite_number(runner, tmp_path, value):
    out = tmp_path / "sol"
    r = runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), f"--risk-weight={value}", "-o", str(out)])
    assert r.exit_code == 1, r.output
    assert "risk" in r.output and not out.exists()


def test_summary_json_never_holds_bare_nan(tmp_path):
    from critmin import load_instance, solve

    sol = solve(load_instance(DEMO / "demo.yaml"))
    sol.gap = float("nan")
    sol.objective_parts["x"] = float("inf")
    out = sol.write(tmp_path / "s")
    text = (out / "summary.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text)


# -- 8. input that would be lost silently is an error --------------------------------------------------
def test_duplicate_yaml_key_is_an_error(runner, tmp_path):
    text = (DEMO / "demo.yaml").read_text().replace("horizon:", "objective: {risk_weight: 1}\nhorizon:", 1)
    (tmp_path / "d.yaml").write_text(text)
    for name in ("facilities.csv", "routes.csv", "demand.csv"):
        shutil.copy(DEMO / name, tmp_path / name)
    r = runner.invoke(main, ["validate", str(tmp_path / "d.yaml")])
    assert r.exit_code == 1 and "duplicate key 'objective'" in r.output and "line" in r.output


def test_plain_and_dotted_column_for_one_field_is_an_error(runner, tmp_path):
    (tmp_path / "facilities.csv").write_text(
        "id,region,outputs.ox,capacity,capacity.2030\ncn_plant,CN,1,1000,2000\nau_plant,AU,1,1000,\n"
    )
    d = base_dict()
    d["facilities"] = "facilities.csv"
    r = runner.invoke(main, ["validate", str(_write(tmp_path / "i.yaml", d))])
    assert r.exit_code == 1 and "'capacity' and 'capacity.2030'" in r.output, r.output


def test_base_year_far_before_the_horizon_is_an_error(runner, tmp_path):
    d = base_dict()
    d["horizon"]["base_year"] = 1950
    d["horizon"]["discount_rate"] = 0.05
    r = runner.invoke(main, ["validate", str(_write(tmp_path / "i.yaml", d))])
    assert r.exit_code == 1 and "75 years before the first period" in r.output, r.output


# -- 9. compare tells when runs were solved differently --------------------------------------------------
def test_compare_lists_different_run_options(runner, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(a)])
    args = ["solve", str(DEMO / "demo.yaml"), "-o", str(b), "--scenario", "controls", "--risk-weight", "0"]
    assert runner.invoke(main, args + ["--mip-gap", "0.01"]).exit_code == 0
    r = runner.invoke(main, ["compare", str(a), str(b)])
    assert r.exit_code == 0
    assert "inputs: identical" not in r.output
    for option in ("scenario", "risk_weight", "mip_gap"):
        assert f"run options - {option}" in r.output, r.output


# -- 11. usage errors exit 1, as the contract says --------------------------------------------------------
USAGE_ERRORS = [
    ["solve", str(DEMO / "demo.yaml"), "--mip-gap", "-1"],
    ["solve", str(DEMO / "demo.yaml"), "--threads", "0"],
    ["solve"],
    ["solve", str(DEMO / "demo.yaml"), "--no-such-option"],
    ["frontier", str(DEMO / "demo.yaml"), "--points", "0"],
    ["diagnose", str(DEMO / "demo.yaml"), "--top", "-1"],
    ["compare"],
    ["report", str(DEMO)],
    ["export", str(DEMO / "demo.yaml")],
    ["generate", "--regions", "1", "-o", "x"],
    ["validate"],
    ["no-such-command"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=lambda a: " ".join(a[:1] + a[2:3]) or "none")
def test_usage_errors_exit_1(runner, args):
    r = runner.invoke(main, args)
    assert r.exit_code == 1, (args, r.exit_code, r.output)
    assert "Traceback" not in r.output


def test_usage_error_exit_code_in_a_real_process(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "critmin", "solve", "--threads", "0", "x.yaml"], capture_output=True
    )
    assert r.returncode == 1, r.stderr


# -- 12. numbers the schema must refuse -----------------------------------------------------------------
@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d.setdefault("units", {}).update(scale={"money": -1}), "units.scale.money"),
        (lambda d: d.setdefault("units", {}).update(scale={"quantity": 0}), "units.scale.quantity"),
        (lambda d: d.setdefault("units", {}).update(scale={"quantity": 1e-300}), "units.scale.quantity"),
        (
            lambda d: d.update(
                export_controls=[
                    {"id": "q", "exporter": "CN", "commodities": ["ox"], "kind": "quota", "amount": -5}
                ]
            ),
            "export_controls[0].amount",
        ),
        (
            lambda d: d.update(
                export_controls=[
                    {"id": "q", "exporter": "CN", "commodities": ["ox"], "kind": "quota", "amount": 5}
                ],
                scenarios=[{"name": "s", "probability": 1, "control_amounts": {"q": -2}}],
            ),
            "scenarios[0].control_amounts.q",
        ),
    ],
)
def test_invalid_numbers_are_refused_with_their_place(runner, tmp_path, mutate, where):
    d = base_dict()
    mutate(d)
    r = runner.invoke(main, ["solve", str(_write(tmp_path / "i.yaml", d))])
    assert r.exit_code == 1 and where in r.output, r.output


# -- 13. inputs that would exhaust memory or hang ----------------------------------------------------------
def test_yaml_alias_bomb_is_refused_at_once(runner, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    r = runner.invoke(main, ["validate", str(tmp_path / "bomb.yaml")])
    assert r.exit_code == 1 and "expands to more than" in r.output


def test_deep_nesting_is_refused(runner, tmp_path):
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    r = runner.invoke(main, ["validate", str(tmp_path / "deep.yaml")])
    assert r.exit_code == 1 and "nested more than" in r.output


def test_device_and_fifo_inputs_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "in.yaml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        r = subprocess.run(
            [sys.executable, "-m", "critmin", "validate", path], capture_output=True, text=True, timeout=30
        )
        assert r.returncode == 1 and "not a regular file" in r.stderr, r.stderr


def test_oversized_yaml_is_refused(runner, tmp_path, monkeypatch):
    from critmin.io import instance_io

    monkeypatch.setattr(instance_io, "MAX_YAML_BYTES", 100)
    r = runner.invoke(main, ["validate", str(DEMO / "demo.yaml")])
    assert r.exit_code == 1 and "limit" in r.output


# -- 14. the output location is checked before the solve ---------------------------------------------------
@pytest.mark.parametrize("target", [".", "file", "file/inside", "/proc/critmin-out"])
def test_bad_output_location_is_refused_before_solving(runner, tmp_path, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("x")
    calls = []
    import critmin.solving

    monkeypatch.setattr(critmin.solving, "solve", lambda *a, **k: calls.append(1))
    r = runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", target])
    assert r.exit_code == 1 and "internal error" not in r.output, r.output
    assert not calls, "the solve ran before the output location was checked"


def test_read_only_filesystem_is_refused_before_solving(runner, monkeypatch):
    ro = Path("/proc/critmin-out")  # /proc is read-only even for root
    r = runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(ro)])
    assert r.exit_code == 1 and "cannot write in /proc" in r.output, r.output


def test_disk_full_while_writing_is_a_clear_error(runner, tmp_path, monkeypatch):
    import errno

    import pandas as pd

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "sol" / "x.csv"))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    r = runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(tmp_path / "sol")])
    assert r.exit_code == 1 and "No space left on device" in r.output and "internal error" not in r.output
    assert not (tmp_path / "sol").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -- 15. damaged solution folders give a clear message naming the file ----------------------------------
@pytest.mark.parametrize(
    "damage, expect",
    [
        (lambda d: (d / "summary.json").write_text('{"status": "opt'), "summary.json: damaged"),
        (lambda d: (d / "summary.json").write_text('{"status": 3}'), "summary.json: damaged"),
        (lambda d: (d / "builds.csv").unlink(), "builds.csv: missing"),
        (lambda d: (d / "flows.csv").write_text("commodity,origin\nx,y\n"), "flows.csv: column(s)"),
        (lambda d: (d / "costs.csv").write_text("component,year,scenario,annual,period_total,discounted\nc,x,s,1,1,1\n"),
         "costs.csv: column 'year'"),
    ],
)  # fmt: skip
def test_damaged_solution_folder_is_reported(runner, tmp_path, damage, expect):
    sol = tmp_path / "sol"
    runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(sol)])
    damage(sol)
    for args in (["compare", str(sol)], ["report", str(sol), "-o", str(tmp_path / "r.html")]):
        r = runner.invoke(main, args)
        assert r.exit_code == 1 and expect in r.output and "internal error" not in r.output, (args, r.output)


# -- 16. CSV files as spreadsheets save them ------------------------------------------------------------
def _csv_instance(tmp_path: Path, demand: bytes) -> Path:
    (tmp_path / "demand.csv").write_bytes(demand)
    d = base_dict()
    d["demand"] = "demand.csv"
    return _write(tmp_path / "i.yaml", d)


def test_excel_csv_with_byte_order_mark_reads(runner, tmp_path):
    inst = _csv_instance(tmp_path, b"\xef\xbb\xbfregion,commodity,year,quantity\r\nUS,ox,2025,100\r\n")
    r = runner.invoke(main, ["validate", str(inst)])
    assert r.exit_code == 0, r.output


def test_semicolon_csv_gets_one_clear_error(runner, tmp_path):
    inst = _csv_instance(tmp_path, b"region;commodity;year;quantity\nUS;ox;2025;100\n")
    r = runner.invoke(main, ["validate", str(inst)])
    assert r.exit_code == 1 and "semicolons" in r.output
    assert r.output.count("\n  - ") == 1


def test_csv_path_that_is_a_folder(runner, tmp_path):
    (tmp_path / "demand.csv").mkdir()
    d = base_dict()
    d["demand"] = "demand.csv"
    r = runner.invoke(main, ["validate", str(_write(tmp_path / "i.yaml", d))])
    assert r.exit_code == 1 and "is a folder" in r.output and "did you mean" not in r.output


def test_ids_that_yaml_1_1_would_turn_into_booleans_or_octal_stay_ids(runner, tmp_path):
    text = yaml.safe_dump(base_dict()).replace("id: AU", "id: 'NO'").replace("region: AU", "region: 'NO'")
    text = text.replace("origin: AU", "origin: 'NO'").replace("'NO'", "NO")  # unquoted, as a user writes it
    text = (
        text.replace("id: CN", "id: '010'")
        .replace("region: CN", "region: '010'")
        .replace("origin: CN", "origin: '010'")
    )
    text = text.replace("'010'", "010")
    (tmp_path / "i.yaml").write_text(text)
    r = runner.invoke(main, ["solve", str(tmp_path / "i.yaml")])
    assert r.exit_code == 0, r.output


def test_a_million_problems_print_a_few_lines(runner, tmp_path):
    rows = "region,commodity,year,quantity\n" + "US,ox,2025,100\n" * 20_000
    inst = _csv_instance(tmp_path, rows.encode())
    r = runner.invoke(main, ["validate", str(inst)])
    assert r.exit_code == 1 and "more (the first 40 are shown)" in r.output
    assert len(r.output.splitlines()) < 50


# -- 18. diagnose shows the largest shortfalls first and counts what it does not show -----------------------
def test_diagnose_top_counts_the_rest_and_sorts_by_size(runner, tmp_path):
    r = runner.invoke(
        main, ["diagnose", str(ROOT / "instances/rare-earths/china-controls-oct2025.yaml"), "--top", "3"]
    )
    assert r.exit_code == 0, r.output
    section = r.output.split("shortfalls")[1].split("\n\n")[0].splitlines()[1:]
    shown = [
        float(line.split()[4].replace(",", ""))
        for line in section
        if line.startswith("  ") and " of " in line
    ]
    assert len(shown) == 3 and shown == sorted(shown, reverse=True)
    assert "more (--top 0 shows all" in r.output
    out = tmp_path / "dg"
    assert runner.invoke(main, ["diagnose", str(DEMO / "demo.yaml"), "-o", str(out)]).exit_code == 0
    assert (out / "shortfalls.csv").exists() and (out / "diagnosis.txt").exists()


# -- 19. outputs get the umask's permissions ------------------------------------------------------------
def test_outputs_follow_the_umask(runner, tmp_path):
    old = os.umask(0o022)
    try:
        sol = tmp_path / "sol"
        runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(sol)])
        runner.invoke(main, ["report", str(sol), "-o", str(tmp_path / "r.html")])
    finally:
        os.umask(old)
    assert stat.S_IMODE(sol.stat().st_mode) == 0o755
    assert stat.S_IMODE((sol / "builds.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o644


# -- the same overwrite rules for every writer -------------------------------------------------------------
def test_every_writer_follows_the_same_rules(runner, tmp_path):
    sol = tmp_path / "sol"
    assert runner.invoke(main, ["solve", str(DEMO / "demo.yaml"), "-o", str(sol)]).exit_code == 0
    theirs = tmp_path / "theirs.html"
    theirs.write_text("<html>someone else's</html>")
    mps = tmp_path / "theirs.mps"
    mps.write_text("NAME x\n")
    gen = tmp_path / "gen"
    gen.mkdir()
    (gen / "data.csv").write_text("mine")
    cases = [
        (["report", str(sol), "-o", str(theirs), "--force"], theirs),
        (["export", str(DEMO / "demo.yaml"), "--mps", str(mps), "--force"], mps),
        (["generate", "-o", str(gen), "--force"], gen / "data.csv"),
        (["diagnose", str(DEMO / "demo.yaml"), "-o", str(sol), "--force"], sol / "builds.csv"),
    ]
    for args, kept in cases:
        before = kept.read_text()
        r = runner.invoke(main, args)
        assert r.exit_code == 1, (args, r.output)
        assert kept.read_text() == before, args
    # and what critmin wrote, it replaces with --force (without it, it refuses)
    ours = tmp_path / "ours.html"
    assert runner.invoke(main, ["report", str(sol), "-o", str(ours)]).exit_code == 0
    assert runner.invoke(main, ["report", str(sol), "-o", str(ours)]).exit_code == 1
    assert runner.invoke(main, ["report", str(sol), "-o", str(ours), "--force"]).exit_code == 0
    lp = tmp_path / "m.lp"
    assert runner.invoke(main, ["export", str(DEMO / "demo.yaml"), "--lp", str(lp)]).exit_code == 0
    assert runner.invoke(main, ["export", str(DEMO / "demo.yaml"), "--lp", str(lp), "--force"]).exit_code == 0
    g2 = tmp_path / "g2"
    assert runner.invoke(main, ["generate", "-o", str(g2)]).exit_code == 0
    assert runner.invoke(main, ["generate", "-o", str(g2), "--seed", "3", "--force"]).exit_code == 0
