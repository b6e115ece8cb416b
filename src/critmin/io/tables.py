"""Folders of tables, in every format critmin offers (contract.TABLE_FORMATS), written and read the same way
by every writer: solutions, analyses, frontiers, comparisons and diagnoses.

csv: `<name>.csv` per table; parquet: `<name>.parquet` per table (pyarrow); xlsx: one workbook
`tables.xlsx` with a summary sheet first, then a sheet per table (non-empty ones first), units in the
headers, number formats set, columns as wide as their contents (io/excel.py writes it). The folder itself is
written all at once by io/output.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..contract import TABLE_FORMATS
from ..errors import CritminError

WORKBOOK = "tables.xlsx"  # the one file holding every table of an xlsx folder
Units = Callable[[str], tuple[str, str]]  # column -> (unit label for its header, Excel number format)


def check_format(fmt: str) -> str:
    if fmt not in TABLE_FORMATS:
        raise CritminError(f"unknown table format '{fmt}': use {', '.join(TABLE_FORMATS)}")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
            raise CritminError("the parquet format needs pyarrow: pip install pyarrow") from exc
    return fmt


def write_tables(
    folder: Path,
    tables: dict[str, pd.DataFrame],
    fmt: str,
    *,
    units: Units,
    summary: Sequence[tuple[str, Any, str]] = (),
    first: Sequence[str] = (),
) -> None:
    """Each table into `folder` in `fmt`. For xlsx, `summary` rows (item, value, unit) make the first sheet
    and `first` names the tables shown before the others (non-empty tables precede empty ones)."""
    check_format(fmt)
    if fmt == "xlsx":
        from .excel import write_tables_workbook

        order = [n for n in first if n in tables] + [n for n in tables if n not in first]
        order = [n for n in order if not tables[n].empty] + [n for n in order if tables[n].empty]
        write_tables_workbook(folder / WORKBOOK, list(summary), {n: tables[n] for n in order}, units)
        return
    for name, df in tables.items():
        if fmt == "csv":
            df.to_csv(folder / f"{name}.csv", index=False)
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)


def table_files(names: Sequence[str], fmt: str) -> list[str]:
    """The files a folder of these tables holds in `fmt`."""
    return [WORKBOOK] if fmt == "xlsx" else [f"{n}.{fmt}" for n in names]


def read_tables(folder: Path, names: Sequence[str], fmt: str) -> dict[str, pd.DataFrame]:
    """Tables written by `write_tables` (units stripped from workbook headers; empty cells are missing)."""
    check_format(fmt)
    if fmt == "xlsx":
        from .excel import read_tables_workbook

        return read_tables_workbook(folder / WORKBOOK, list(names))
    out: dict[str, pd.DataFrame] = {}
    for name in names:
        path = folder / f"{name}.{fmt}"
        if not path.is_file():
            raise CritminError(f"{path}: missing (the folder is incomplete); run the command again")
        try:
            if fmt == "csv":
                out[name] = pd.read_csv(path, keep_default_na=False, na_values=[""])
            else:
                out[name] = pd.read_parquet(path)
        except pd.errors.EmptyDataError:
            out[name] = pd.DataFrame()
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CritminError(f"{path}: not a readable table ({exc})") from None
    return out
