"""Solution: the plan as tidy tables in the instance's own units, plus run metadata.

Built from a neutral `ModelResult` (any solve path); all quantities are tonnes (t/yr for rates), all money in
the instance currency, unscaled. A solution is written as a directory (summary.json + one file per table)
and can be read back.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from ..backend.highs import SolveOptions
from ..backend.result import EXIT_CODES, FEASIBLE, OPTIMAL, ModelResult
from ..errors import CritminError
from ..io.atomic import atomic_directory
from ..model.registry import COSTS
from .tables import TABLES, extract_tables

FORMAT_VERSION = 2


def model_version() -> str:
    """Version of the formulation and result format: runs are comparable only when these match."""
    from ..schema import SCHEMA_VERSION

    return f"critmin-model-1/schema-{SCHEMA_VERSION}/results-{FORMAT_VERSION}"


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("critmin", "pyomo", "highspy", "pandas", "pydantic", "numpy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


@dataclass
class Solution:
    """A solved (or unsolved) plan. `tables` holds the DataFrames; attributes give each by name."""

    status: str
    message: str
    objective: float | None
    bound: float | None
    gap: float | None
    objective_parts: dict[str, float]
    timings: dict[str, float]
    counts: dict[str, int]
    options: dict[str, Any]
    instance: dict[str, Any]
    units: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=_versions)
    model_version: str = field(default_factory=lambda: model_version())
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    instance_data: dict[str, Any] | None = field(default=None, repr=False)  # the validated instance, as data
    result: ModelResult | None = field(default=None, repr=False)  # the solver's values (not written)

    # -- table accessors ---------------------------------------------------------------------------
    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in TABLES and "tables" in self.__dict__:
            return self.__dict__["tables"].get(name, pd.DataFrame())
        raise AttributeError(name)

    @property
    def has_solution(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def from_result(
        cls, result: ModelResult, options: SolveOptions, extra: dict[str, Any] | None = None
    ) -> Solution:
        """The plan of a solver run, with its tables, cost parts and metadata."""
        md = result.arrays.md
        inst = md.inst
        t0 = time.perf_counter()
        tables = extract_tables(result) if result.has_solution else {}
        parts: dict[str, float] = {}
        if tables:
            for spec in COSTS:
                if spec.name in result.arrays.components:
                    weight = result.arrays.weights.get(spec.name, 1.0)
                    parts[spec.name] = weight * result.component_value(spec.name) * md.m
        timings = {"build": 0.0, "handover": 0.0, "solve": 0.0, **result.timings}
        timings["extract"] = time.perf_counter() - t0
        return cls(
            status=result.status,
            message=result.message,
            objective=None if result.objective is None else result.objective * md.m,
            bound=None if result.bound is None else result.bound * md.m,
            gap=result.gap,
            objective_parts=parts,
            timings=timings,
            counts=dict(result.counts),
            options={
                **options.to_dict(),
                "risk_weight": md.risk_weight,
                "scenario": md.selected_scenario,
                **(extra or {}),
            },
            instance={
                "name": inst.name,
                "path": inst.source_path,
                "sha256": inst.sha256,
                "schema_version": inst.schema_version,
            },
            units={
                "quantity": inst.units.quantity,
                "currency": inst.units.currency,
                "quantity_scale": md.q,
                "money_scale": md.m,
            },
            tables=tables,
            warnings=list(result.warnings),
            instance_data=inst.model_dump(mode="json"),
            result=result,
        )

    # -- persistence --------------------------------------------------------------------------------
    def summary_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "model_version": model_version(),
            "status": self.status,
            "message": self.message,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "objective_parts": self.objective_parts,
            "timings": self.timings,
            "counts": self.counts,
            "options": self.options,
            "instance": self.instance,
            "units": self.units,
            "versions": self.versions,
            "warnings": self.warnings,
            "tables": sorted(self.tables),
        }

    def write(self, directory: str | Path, *, fmt: str = "csv", force: bool = False) -> Path:
        """Write summary.json and one file per table, atomically: a temp dir renamed into place."""
        target = Path(directory)
        if fmt not in ("csv", "parquet"):
            raise CritminError(f"unknown format '{fmt}': use csv or parquet")
        with atomic_directory(target, force=force) as tmp:
            summary = self.summary_dict()
            summary["table_format"] = fmt
            (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
            if self.instance_data is not None:
                (tmp / "instance.json").write_text(json.dumps(self.instance_data, indent=1) + "\n")
            for name, df in self.tables.items():
                if fmt == "csv":
                    df.to_csv(tmp / f"{name}.csv", index=False)
                else:
                    df.to_parquet(tmp / f"{name}.parquet", index=False)
        return target

    @classmethod
    def read(cls, directory: str | Path) -> Solution:
        """Restore a solution written by `write` (tables, objective, metadata; not the Pyomo model)."""
        d = Path(directory)
        summary_path = d / "summary.json"
        if not summary_path.is_file():
            raise CritminError(f"{d} is not a critmin solution directory (no summary.json)")
        s = json.loads(summary_path.read_text())
        fmt = s.get("table_format", "csv")
        tables = {}
        for name in s.get("tables", []):
            path = d / f"{name}.{fmt}"
            if fmt == "csv":
                try:
                    tables[name] = pd.read_csv(path)
                except pd.errors.EmptyDataError:
                    tables[name] = pd.DataFrame()
            else:
                tables[name] = pd.read_parquet(path)
        inst_path = d / "instance.json"
        instance_data = json.loads(inst_path.read_text()) if inst_path.is_file() else None
        return cls(
            status=s["status"],
            message=s.get("message", ""),
            objective=s["objective"],
            bound=s["bound"],
            gap=s["gap"],
            objective_parts=s["objective_parts"],
            timings=s["timings"],
            counts=s["counts"],
            options=s["options"],
            instance=s["instance"],
            units=s["units"],
            versions=s["versions"],
            warnings=s.get("warnings", []),
            tables=tables,
            instance_data=instance_data,
            model_version=s.get("model_version", "unknown"),
        )

    # -- presentation -------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        """Jupyter display: status, objective and parts, and the key tables."""
        import html as _html

        cur = self.units.get("currency", "")
        head = (
            f"<h4>critmin solution: {_html.escape(str(self.instance.get('name')))}</h4>"
            f"<p>status <b>{_html.escape(self.status)}</b> ({_html.escape(self.message)})"
        )
        if self.objective is not None:
            gap = "-" if self.gap is None else f"{self.gap:.4%}"
            head += f"; expected cost {self.objective:,.0f} {cur}; gap {gap}"
        head += "</p>"
        parts = (
            pd.DataFrame([self.objective_parts]).T.rename(columns={0: cur}) if self.objective_parts else None
        )
        out = [head]
        if parts is not None:
            out.append("<b>cost parts</b>" + parts.to_html(float_format=lambda x: f"{x:,.0f}"))
        for name in ("builds", "kpis_total"):
            df = self.tables.get(name)
            if df is not None and not df.empty:
                out.append(
                    f"<b>{name}</b> ({len(df)} rows)"
                    + df.head(20).to_html(index=False, float_format=lambda x: f"{x:,.4g}")
                )
        return "\n".join(out)
