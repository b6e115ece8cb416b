"""Excel workbooks in and out, through openpyxl (a maintained library, no hand-written XML).

In: an instance may be one `.xlsx` workbook — a sheet `instance` with the scalar sections (column A the
section, e.g. `horizon`, column B its value written as YAML, e.g. `{base_year: 2025, periods: [...]}`), and a
sheet per table named like the YAML key (`facilities`, `routes`, `demand`, `policies.budgets`, ...) with the
same columns as the CSV files, dotted headers included. A YAML file may also point a table at a sheet:
`facilities: book.xlsx#facilities`. Cells are read as text, exactly like CSV cells, so validation and its
errors are the same — naming the workbook, the sheet, the row and the column.

Reading is bounded: the workbook's inflated size and its cell count are checked before and while reading
(a small file can claim the whole grid or inflate to gigabytes), a sheet's claimed dimensions are ignored,
and a formula is read only by the value Excel saved with it (a formula without one is an error naming its
cell; a workbook read through formulas says so).

Out: a folder's tables as one workbook (a summary sheet first, then a sheet per table, units in the headers,
number formats set, columns as wide as their contents), and an instance as a workbook `load_instance`
reads back. Text is always written as text (a cell starting with '=' is never a live formula), and every
workbook critmin writes carries a hidden sheet with a hash of its contents, so a later `--force` replaces it
only if nobody has changed it since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any

from ..errors import CritminError

SCALAR_SHEET = "instance"
MARKER_SHEET = "critmin"  # hidden: "written by critmin" and the sha256 of every other sheet's cells
UNIT_RE = re.compile(r"^(.*?) \[[^\]]*\]$")
MAX_INFLATED = 512 * 2**20  # bytes a workbook may inflate to (its XML parts, uncompressed)
MAX_CELLS = 20_000_000  # cells read from one workbook
MAX_COLUMNS = 2_000  # columns of a table sheet
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


def _check_archive(path: Path) -> None:
    """Refuse a file that is not a zip archive of reasonable inflated size (a zip bomb), before openpyxl
    inflates it."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise CritminError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    if total > MAX_INFLATED:
        raise CritminError(
            f"{path}: inflates to {total / 2**20:,.0f} MiB, over the {MAX_INFLATED / 2**20:,.0f} MiB limit "
            "for a workbook (a damaged or hostile file?); save the tables as CSV"
        )


class Workbook:
    """A workbook opened for reading: its sheets' rows as text, formulas by their saved values."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        suffix = path.suffix.lower()
        if suffix in (".xlsm", ".xltm", ".xls", ".xlsb"):
            raise CritminError(
                f"{path}: {suffix} workbooks are not read (macros or a binary format); save it as .xlsx"
            )
        _check_archive(path)
        self.path = path
        self.cells = 0
        self.formulas: list[str] = []  # "sheet!A1" of each formula read by its saved value
        try:
            self.values = load_workbook(path, read_only=True, data_only=True)
            self.formulas_book = load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises several kinds for damaged or foreign files
            raise CritminError(
                f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
            ) from None

    @property
    def sheetnames(self) -> list[str]:
        return [n for n in self.values.sheetnames if n != MARKER_SHEET]

    def close(self) -> None:
        self.values.close()
        self.formulas_book.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, sheet: str) -> list[list[str]]:
        """A sheet's rows as text cells, trailing empty rows dropped. The sheet's claimed size is ignored
        (only cells that exist are read) and the workbook's cell count is bounded."""
        from openpyxl.utils import get_column_letter

        values, forms = self.values[sheet], self.formulas_book[sheet]
        for ws in (values, forms):
            ws.reset_dimensions()  # a 12 kB file may claim A1:XFD1048576
        out: list[list[str]] = []
        for r, (vrow, frow) in enumerate(zip(values.iter_rows(), forms.iter_rows(), strict=False), start=1):
            cells: list[str] = []
            for c, (vcell, fcell) in enumerate(zip(vrow, frow, strict=False), start=1):
                if c > MAX_COLUMNS:
                    raise CritminError(f"{self.path}, sheet '{sheet}': more than {MAX_COLUMNS} columns")
                value = getattr(vcell, "value", None)
                if getattr(fcell, "data_type", "") == "f":
                    where = f"{sheet}!{get_column_letter(c)}{r}"
                    if value is None:
                        at = f"{self.path}, sheet '{sheet}', row {r}, column {get_column_letter(c)}"
                        raise CritminError(
                            f"{at}: a formula ({fcell.value}) without a saved value; open and save the "
                            "workbook in Excel, or paste the values"
                        )
                    self.formulas.append(where)
                cells.append(cell_text(value))
            self.cells += len(cells)
            if self.cells > MAX_CELLS:
                raise CritminError(f"{self.path}: more than {MAX_CELLS:,} cells; save large tables as CSV")
            out.append(cells)
        while out and not any(c.strip() for c in out[-1]):
            out.pop()
        return out


def open_workbook(path: Path) -> Workbook:
    """A workbook for reading, or a CritminError naming the file."""
    return Workbook(path)


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


# -- writing -----------------------------------------------------------------------------------------------
def _put(ws: Any, row: list[Any], where: str) -> None:
    """Append a row with every string stored as text (never a formula), refusing characters Excel cannot
    hold with the cell named."""
    from openpyxl.utils import get_column_letter

    ws.append([None] * len(row))
    r = ws.max_row
    for c, raw in enumerate(row, start=1):
        value = _python(raw)
        if value is None or (isinstance(value, float) and value != value):
            continue
        cell = ws.cell(row=r, column=c)
        if isinstance(value, str):
            bad = _ILLEGAL.search(value)
            if bad:
                raise CritminError(
                    f"{where}, row {r}, column {get_column_letter(c)}: the text holds a control character "
                    f"({bad.group()!r}) that an Excel workbook cannot store; remove it from the input"
                )
            cell.value = value
            cell.data_type = "s"  # text, even when it starts with '=', '+', '-' or '@'
        else:
            cell.value = value


def _python(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (a workbook stores Python values)."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _fit_widths(ws: Any, texts: list[list[str]]) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in texts:
        for c, t in enumerate(row, start=1):
            widths[c] = max(widths.get(c, 0), len(t))
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(max(w + 2, 8), 60)


def content_hash(rows_by_sheet: dict[str, list[list[str]]]) -> str:
    """sha256 of a workbook's cells (sheet names and text of every cell), the marker a later --force
    checks: a workbook someone changed since critmin wrote it hashes differently."""
    h = hashlib.sha256()
    for name in sorted(rows_by_sheet):
        h.update(name.encode() + b"\x1e")
        rows = [_trimmed(r) for r in rows_by_sheet[name]]
        while rows and not rows[-1]:
            rows.pop()
        for row in rows:
            h.update("\x1f".join(row).encode() + b"\x1d")
    return h.hexdigest()


def _trimmed(row: list[str]) -> list[str]:
    """A row without its trailing empty cells (a workbook stores no empty cells)."""
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def _finish(wb: Any, written: dict[str, list[list[str]]], path: Path) -> None:
    """Add the hidden marker sheet and save."""
    from .output import XLSX_CREATOR

    wb.properties.creator = XLSX_CREATOR
    ws = wb.create_sheet(MARKER_SHEET)
    ws.append(["written by", XLSX_CREATOR])
    ws.append(["sha256 of the other sheets' cells", content_hash(written)])
    ws.sheet_state = "hidden"
    wb.save(path)


def workbook_content_hash(path: Path) -> tuple[str | None, str]:
    """(the hash recorded in a workbook's marker sheet or None, the hash of its cells now)."""
    with Workbook(path) as book:
        recorded = None
        if MARKER_SHEET in book.values.sheetnames:
            for row in book.values[MARKER_SHEET].iter_rows(values_only=True):
                if row and str(row[0]).startswith("sha256"):
                    recorded = str(row[1])
        now = content_hash({n: book.rows(n) for n in book.sheetnames})
    return recorded, now


def write_instance_workbook(data: dict[str, Any], path: Path, tables: dict[str, tuple[str, ...]]) -> None:
    """An instance (as plain data) as one workbook: the scalar sections on the `instance` sheet as YAML,
    each table given in `tables` (sheet name -> key path) on its own sheet with dotted headers."""
    import yaml
    from openpyxl import Workbook as NewWorkbook
    from openpyxl.styles import Font

    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    wb = NewWorkbook()
    ws = wb.active
    ws.title = SCALAR_SHEET
    written: dict[str, list[list[str]]] = {SCALAR_SHEET: [["section", "value (YAML)"]]}
    _put(ws, written[SCALAR_SHEET][0], f"{path.name}, sheet '{SCALAR_SHEET}'")
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
        written[SCALAR_SHEET].append([section, text])
        _put(ws, [section, text], f"{path.name}, sheet '{SCALAR_SHEET}'")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 100
    for sheet, rows in sheets:
        flat = [flatten_record(r) for r in rows]
        header: list[str] = []
        for r in flat:
            header += [k for k in r if k not in header]
        sh = wb.create_sheet(sheet)
        where = f"{path.name}, sheet '{sheet}'"
        _put(sh, header, where)
        for cell in sh[1]:
            cell.font = Font(bold=True)
        texts = [header]
        for r in flat:
            values = [r.get(h) for h in header]
            _put(sh, values, where)
            texts.append([cell_text(v) for v in values])
        written[sheet] = texts
        _fit_widths(sh, texts)
        sh.freeze_panes = "A2"
    _finish(wb, written, path)


def write_tables_workbook(
    path: Path,
    summary: list[tuple[str, Any, str]],
    tables: dict[str, Any],
    units: Any,
) -> None:
    """summary sheet (item, value, unit — money and quantities formatted), then one sheet per table;
    `units(column)` gives each column's unit label for its header ('' for none) and its number format."""
    from openpyxl import Workbook as NewWorkbook
    from openpyxl.styles import Font

    wb = NewWorkbook()
    ws = wb.active
    ws.title = "summary"
    where = f"{path.name}, sheet 'summary'"
    _put(ws, ["item", "value", "unit"], where)
    texts = [["item", "value", "unit"]]
    for item, value, unit in summary:
        _put(ws, [item, value, unit], where)
        texts.append([str(item), cell_text(value), unit])
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.cell(row=ws.max_row, column=2).number_format = _summary_format(unit)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    _fit_widths(ws, texts)
    written = {"summary": texts}
    for name, df in tables.items():
        sh = wb.create_sheet(name[:31])
        col_units = [units(str(c)) for c in df.columns]
        header = [f"{c} [{u}]" if u else str(c) for c, (u, _f) in zip(df.columns, col_units, strict=True)]
        where = f"{path.name}, sheet '{name[:31]}'"
        _put(sh, header, where)
        for cell in sh[1]:
            cell.font = Font(bold=True)
        texts = [header]
        for row in df.itertuples(index=False):
            values = [None if (isinstance(v, float) and v != v) else v for v in row]
            _put(sh, values, where)
            texts.append([cell_text(_python(v)) for v in values])
        for j, (_u, fmt) in enumerate(col_units, start=1):
            if fmt == "General":
                continue
            for (cell,) in sh.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        _fit_widths(sh, texts)
        sh.freeze_panes = "A2"
        written[name[:31]] = texts
    _finish(wb, written, path)


def _summary_format(unit: str) -> str:
    if unit in ("", "share"):
        return "0.00%" if unit == "share" else "General"
    if unit.startswith("t"):
        return "#,##0.0"
    return "#,##0"  # money


def read_tables_workbook(path: Path, names: list[str]) -> dict[str, Any]:
    """The tables of a folder's workbook (units stripped from the headers), as DataFrames of text and
    numbers (an empty cell is missing)."""
    import pandas as pd

    if not path.is_file():
        raise CritminError(f"{path}: missing (the folder is incomplete); run the command again")
    out = {}
    with Workbook(path) as book:
        for name in names:
            sheet = name[:31]
            if sheet not in book.sheetnames:
                raise CritminError(f"{path}, sheet '{sheet}': missing; run the command again")
            rows = book.rows(sheet)
            header = [strip_unit(h) for h in rows[0]] if rows else []
            body = [r + [""] * (len(header) - len(r)) for r in rows[1:]]
            if any(len(r) > len(header) and any(c.strip() for c in r[len(header) :]) for r in body):
                raise CritminError(f"{path}, sheet '{sheet}': cells beyond the header; run the command again")
            df = pd.DataFrame([r[: len(header)] for r in body], columns=header).replace("", None)
            out[name] = df.apply(_numeric_if_possible)
    return out


def _numeric_if_possible(col: Any) -> Any:
    import pandas as pd

    converted = pd.to_numeric(col, errors="coerce")
    return converted if converted.notna().sum() == col.notna().sum() else col
