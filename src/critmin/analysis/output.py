"""What every multi-solve analysis returns: its tables, headline facts, method and assumptions, and the
solutions it kept — printed the one critmin way (results/format.py) and written as one folder at once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CritminError
from ..io.output import atomic_directory
from ..io.tables import check_format, read_tables, write_tables
from ..results.format import column_formatter, column_unit, html_table
from ..results.solution import Solution, json_safe

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}$")


def format_table(df: pd.DataFrame, currency: str, max_rows: int = 40) -> str:
    """A table with money, tonnes and shares in critmin's formats, years as integers, no float noise."""
    if df.empty:
        return "  (none)"
    shown = by_row_unit(df.head(max_rows), currency)
    fmt = {c: f for c in shown.columns if (f := column_formatter(str(c), currency)) is not None}
    text = shown.to_string(index=False, formatters=fmt, na_rep="-", float_format=lambda x: f"{x:,.4g}")
    extra = f"\n  ... {len(df) - max_rows} more rows (written in full with -o)" if len(df) > max_rows else ""
    return "\n".join("  " + line for line in text.splitlines()) + extra


ROW_UNIT_COLUMNS = ("as_written", "p10", "p50", "p90")


def by_row_unit(df: pd.DataFrame, currency: str) -> pd.DataFrame:
    """A bands table (analysis/ranges.py) holds money, years and plain numbers in the same columns, its
    `unit` column saying which: print each row's values in its own unit (the files keep the numbers)."""
    if "unit" not in df.columns or not set(ROW_UNIT_COLUMNS) & set(df.columns):
        return df
    from ..results.format import in_unit

    out = df.copy()
    for c in ROW_UNIT_COLUMNS:
        if c in out.columns:
            out[c] = [in_unit(v, u, currency) for v, u in zip(df[c], df["unit"], strict=True)]
    return out


@dataclass
class AnalysisResult:
    kind: str  # evaluate, value, stress, leverage, attribute, sweep
    title: str
    method: str
    facts: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    currency: str = ""
    assumptions: list[str] = field(default_factory=list)
    solutions: dict[str, Solution] = field(default_factory=dict)
    headline: list[str] = field(default_factory=list)  # the lines that answer the question, printed first
    exit_code: int = 0  # the command's exit code (a sweep where every sample failed: 2)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        lines = [self.title, ""]
        lines += self.headline + ([""] if self.headline else [])
        for name, df in self.tables.items():
            lines += [f"{name}:", format_table(df, self.currency), ""]
        lines.append(f"method: {self.method}")
        lines += [f"assumption: {a}" for a in self.assumptions]
        return "\n".join(lines)

    def summary_dict(self) -> dict[str, Any]:
        """What the analysis found, without its tables: written as analysis.json, printed by --json."""
        return {
            "kind": self.kind,
            "title": self.title,
            "method": self.method,
            "assumptions": self.assumptions,
            "headline": self.headline,
            "facts": self.facts,
            "currency": self.currency,
        }

    def write(
        self, directory: str | Path, *, fmt: str = "csv", force: bool = False, protect: tuple[Path, ...] = ()
    ) -> Path:
        """Its tables in `fmt`, analysis.json (facts, method, assumptions) and a folder per kept solution."""
        target = Path(directory)
        check_format(fmt)
        cur = self.currency
        with atomic_directory(target, kind=self.kind, force=force, protect=protect) as tmp:
            summary = [("analysis", self.title, ""), *((h, None, "") for h in self.headline)]
            write_tables(tmp, self.tables, fmt, units=lambda c: column_unit(c, "t", cur), summary=summary)
            meta = {**self.summary_dict(), "tables": list(self.tables), "table_format": fmt}
            (tmp / "analysis.json").write_text(json.dumps(json_safe(meta), indent=2, allow_nan=False) + "\n")
            for key, sol in self.solutions.items():
                sol.write(tmp / key, fmt=fmt)
        return target

    @classmethod
    def read(cls, directory: str | Path) -> AnalysisResult:
        d = Path(directory)
        path = d / "analysis.json"
        try:
            meta = json.loads(path.read_text())
            names = [str(n) for n in meta["tables"]]
            fmt = str(meta.get("table_format", "csv"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CritminError(f"{d}: not a readable critmin analysis folder ({exc})") from None
        bad = [n for n in names if not _SAFE_NAME.match(n)]
        if bad:
            raise CritminError(
                f"{path}: names a table '{bad[0]}' that is not a plain name; an analysis folder only reads "
                "its own files"
            )
        tables = read_tables(d, names, fmt)
        sols = {p.name: Solution.read(p) for p in sorted(d.iterdir()) if (p / "summary.json").is_file()}
        return cls(
            kind=meta["kind"],
            title=meta["title"],
            method=meta["method"],
            facts=meta.get("facts", {}),
            tables=tables,
            currency=meta.get("currency", ""),
            assumptions=meta.get("assumptions", []),
            solutions=sols,
            headline=meta.get("headline", []),
        )

    def _repr_html_(self) -> str:
        import html

        parts = [f"<h4>{html.escape(self.title)}</h4>"]
        parts += [f"<p>{html.escape(h)}</p>" for h in self.headline]
        for name, df in self.tables.items():
            parts.append(
                f"<h5>{html.escape(name)}</h5>" + html_table(by_row_unit(df, self.currency), self.currency)
            )
        return "".join(parts)
