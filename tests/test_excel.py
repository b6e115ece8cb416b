"""Excel in and out (issue 16): instances as one workbook or YAML pointing at sheets, errors naming the
sheet, row and column, and solutions written as a workbook that Solution.read restores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import ROOT
from critmin import CritminError, InstanceError, Solution, load_instance, solve
from critmin.cli import main
from critmin.io import write_workbook

BUNDLED = sorted((ROOT / "instances").glob("*/*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_instance_workbook_round_trip(path, tmp_path):
    inst = load_instance(path)
    book = write_workbook(inst, tmp_path / "book.xlsx")
    back = load_instance(book)
    assert back.model_dump(mode="json") == inst.model_dump(mode="json")


def test_solution_workbook_round_trip(tmp_path):
    sol = solve(load_instance(ROOT / "instances/demo/demo.yaml"))
    sol.write(tmp_path / "s", fmt="xlsx")
    back = Solution.read(tmp_path / "s")
    assert back.objective == sol.objective and set(back.tables) == set(sol.tables)
    for name, df in sol.tables.items():
        pd.testing.assert_frame_equal(
            df.reset_index(drop=True),
            back.tables[name].reset_index(drop=True),
            check_dtype=False,
            check_exact=False,
            rtol=1e-12,  # Excel keeps 15-17 significant digits
        )
    wb = load_workbook(tmp_path / "s" / "tables.xlsx")
    assert wb.sheetnames[0] == "summary"
    head = [c.value for c in wb["builds"][1]]
    assert "capacity_added [t/yr]" in head and "capex [USD]" in head
    col = head.index("capacity_added [t/yr]") + 1
    assert wb["builds"].cell(row=2, column=col).number_format == "#,##0.0"


def _demo_book(tmp_path: Path) -> Path:
    return write_workbook(load_instance(ROOT / "instances/demo/demo.yaml"), tmp_path / "demo.xlsx")


def test_workbook_errors_name_sheet_row_and_column(tmp_path):
    book = _demo_book(tmp_path)
    wb = load_workbook(book)
    sh = wb["facilities"]
    head = [c.value for c in sh[1]]
    sh.cell(row=3, column=head.index("region") + 1).value = "Atlantis"
    wb.create_sheet("facilites")
    wb.save(book)
    with pytest.raises(InstanceError) as err:
        load_instance(book)
    text = str(err.value)
    assert "did you mean 'facilities'" in text
    wb = load_workbook(book)
    del wb["facilites"]
    wb.save(book)
    with pytest.raises(InstanceError) as err:
        load_instance(book)
    assert "demo.xlsx, sheet 'facilities', row 3, column 'region'" in str(err.value)
    assert "Atlantis" in str(err.value)


def test_yaml_may_point_at_sheets(tmp_path):
    book = _demo_book(tmp_path)
    src = (ROOT / "instances/demo/demo.yaml").read_text().replace("facilities.csv", "demo.xlsx#facilities")
    for f in ("routes.csv", "demand.csv"):
        (tmp_path / f).write_text((ROOT / "instances/demo" / f).read_text())
    (tmp_path / "demo.yaml").write_text(src)
    inst = load_instance(tmp_path / "demo.yaml")
    assert inst.facilities == load_instance(ROOT / "instances/demo/demo.yaml").facilities
    (tmp_path / "demo.yaml").write_text(src.replace("#facilities", "#facility"))
    with pytest.raises(InstanceError, match="no sheet 'facility' in demo.xlsx.*did you mean 'facilities'"):
        load_instance(tmp_path / "demo.yaml")
    assert book.is_file()


def test_a_damaged_or_foreign_workbook_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(CritminError, match=r"x.xlsx: not a readable .xlsx workbook"):
        load_instance(bad)


def test_export_xlsx_refuses_to_replace_a_workbook_critmin_did_not_write(tmp_path):
    from openpyxl import Workbook

    mine = tmp_path / "mine.xlsx"
    Workbook().save(mine)  # the user's own workbook
    r = CliRunner().invoke(
        main, ["export", str(ROOT / "instances/demo/demo.yaml"), "--xlsx", str(mine), "--force"]
    )
    assert r.exit_code == 1 and "critmin" in r.output
    out = tmp_path / "out.xlsx"
    args = ["export", str(ROOT / "instances/demo/demo.yaml"), "--xlsx", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert CliRunner().invoke(main, args).exit_code == 1  # exists: needs --force
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0  # critmin wrote it: may replace
    r = CliRunner().invoke(main, ["solve", str(out), "-o", str(tmp_path / "s"), "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "s" / "tables.xlsx").is_file()


def test_a_solution_workbook_reads_like_a_report(tmp_path):
    """What an analyst sees on opening tables.xlsx: the summary first with money formatted, the tables that
    matter next and empty ones last, shares as percentages (0.001 is 0.10%, not '0.0 t'), no unit on an id,
    columns as wide as their contents."""
    from openpyxl import load_workbook

    from critmin import load_instance, solve

    sol = solve(load_instance(ROOT / "instances" / "demo" / "demo.yaml"))
    sol.write(tmp_path / "s", fmt="xlsx")
    wb = load_workbook(tmp_path / "s" / "tables.xlsx")
    names = wb.sheetnames
    assert names[:3] == ["summary", "builds", "unmet"]
    empty = [n for n in names if n != "critmin" and wb[n].max_row <= 1]
    assert empty and names.index(empty[0]) > names.index("costs")  # empty sheets after every full one
    summary = {r[0].value: r[1] for r in wb["summary"].iter_rows(min_row=2)}
    cost = summary["planner cost (spent + not served)"]
    assert isinstance(cost.value, float) and cost.number_format == "#,##0"
    prod = wb["production"]
    header = [c.value for c in prod[1]]
    col = header.index("chinese_content_share [share]") + 1
    assert prod.cell(row=2, column=col).number_format == "0.00%"
    assert all("[" not in h for h in header if h.split(" ")[0] in ("facility", "region", "commodity", "tag"))
    widths = {round(d.width) for d in prod.column_dimensions.values() if d.width}
    assert len(widths) > 2
    assert wb["critmin"].sheet_state == "hidden"
