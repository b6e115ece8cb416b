"""Excel workbooks in and out, through openpyxl (a maintained library, no hand-written XML).

In: an instance may be one `.xlsx` workbook — a sheet `instance` with the scalar sections (column A the
section, e.g. `horizon`, column B its value written as YAML, e.g. `{base_year: 2025, periods: [...]}`), and a
sheet per table named like the YAML key (`facilities`, `routes`, `demand`, `policies.budgets`, ...) with the
same columns as the CSV files, dotted headers included. A YAML file may also point a table at a sheet:
`facilities: book.xlsx#facilities`. Cells are read as text, exactly like CSV cells, so validation and its
errors are the same — naming the workbook, the sheet, the row and the column.

Out: a solution's tables as one workbook — a summary sheet first, then a sheet per table, units in the
headers (`capacity_added [t/yr]`), number formats set — that `Solution.read` reads back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import CritminError

SCALAR_SHEET = "instance"
UNIT_RE = re.compile(r"^(.*?) \[[^\]]*\]$")


def cell_text(value: Any) -> str:
    """A cell as the text a CSV export would hold (1.0 -> '1', True -> 'true', a date -> ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def open_workbook(path: Path) -> Any:
    """A read-only workbook, or a CritminError naming the file."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for damaged or foreign files
        raise CritminError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None


def sheet_rows(book: Any, sheet: str) -> list[list[str]]:
    """A sheet's rows as text cells, trailing empty rows dropped."""
    rows = [[cell_text(v) for v in row] for row in book[sheet].iter_rows(values_only=True)]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows


def strip_unit(header: str) -> str:
    """'capacity_added [t/yr]' -> 'capacity_added'."""
    m = UNIT_RE.match(header)
    return m.group(1) if m else header


def flatten_record(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested record as one row of a table: dicts become dotted columns ('capacity.2030'), lists 'a;b'."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten_record(v, key + "."))
        elif isinstance(v, list):
            out[key] = ";".join(str(x) for x in v)
        else:
            out[key] = v
    return out


def write_instance_workbook(data: dict[str, Any], path: Path, tables: dict[str, tuple[str, ...]]) -> None:
    """An instance (as plain data) as one workbook: the scalar sections on the `instance` sheet as YAML,
    each table given in `tables` (sheet name -> key path) on its own sheet with dotted headers."""
    import yaml
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .output import XLSX_CREATOR

    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    wb = Workbook()
    wb.properties.creator = XLSX_CREATOR
    ws = wb.active
    ws.title = SCALAR_SHEET
    ws.append(["section", "value (YAML)"])
    sheets: list[tuple[str, list[dict[str, Any]]]] = []
    for sheet, key in tables.items():
        node = data.get(key[0]) if len(key) == 2 else data
        if isinstance(node, dict) and isinstance(node.get(key[-1]), list) and node[key[-1]]:
            sheets.append((sheet, node.pop(key[-1])))
    for section, value in data.items():
        if value in (None, {}, []):
            continue
        text = yaml.safe_dump(value, default_flow_style=True, width=10**9, sort_keys=False).strip()
        if len(text) > 32_000:
            raise CritminError(f"section '{section}' is too long for one Excel cell; keep it in YAML")
        ws.append([section, text])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 100
    for sheet, rows in sheets:
        flat = [flatten_record(r) for r in rows]
        header: list[str] = []
        for r in flat:
            header += [k for k in r if k not in header]
        sh = wb.create_sheet(sheet)
        sh.append(header)
        for cell in sh[1]:
            cell.font = Font(bold=True)
        for r in flat:
            sh.append([r.get(h) for h in header])
        sh.freeze_panes = "A2"
    wb.save(path)


# -- solution workbooks ----------------------------------------------------------------------------------
def write_solution_workbook(
    path: Path,
    summary: list[tuple[str, Any]],
    tables: dict[str, Any],
    units: Callable[[str], tuple[str, str]],
) -> None:
    """summary sheet (key, value), then one sheet per table; `units(column)` gives each column's unit label
    for its header ('' for none) and its Excel number format."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .output import XLSX_CREATOR

    wb = Workbook()
    wb.properties.creator = XLSX_CREATOR
    ws = wb.active
    ws.title = "summary"
    ws.append(["item", "value"])
    for key, value in summary:
        ws.append([key, value])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 22
    for name, df in tables.items():
        sh = wb.create_sheet(name[:31])
        col_units = [units(str(c)) for c in df.columns]
        sh.append([f"{c} [{u}]" if u else str(c) for c, (u, _f) in zip(df.columns, col_units, strict=True)])
        for cell in sh[1]:
            cell.font = Font(bold=True)
        for row in df.itertuples(index=False):
            sh.append([None if (isinstance(v, float) and v != v) else v for v in row])
        for j, (_u, fmt) in enumerate(col_units, start=1):
            if fmt == "General":
                continue
            for (cell,) in sh.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        sh.freeze_panes = "A2"
    wb.save(path)
