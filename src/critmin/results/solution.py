"""Solution: the plan as tidy tables in the instance's own units, plus run metadata.

Built from a neutral `ModelResult` (any solve path); all quantities are tonnes (t/yr for rates), all money in
the instance currency, unscaled. A solution is written as a directory (summary.json + one file per table)
and can be read back.
"""

from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from ..backend.highs import SolveOptions
from ..backend.result import EXIT_CODES, FEASIBLE, OPTIMAL, ModelResult
from ..contract import TABLE_FORMATS
from ..errors import CritminError
from ..io.output import atomic_directory, changed_since_written
from ..io.tables import WORKBOOK, write_tables
from ..model.registry import COSTS
from ..model.timeline import in_window
from .tables import COLUMNS, TABLES, extract_tables

FORMAT_VERSION = 2
# sheets a workbook shows first: what an analyst opens it for (the rest follow, empty ones last)
FIRST_SHEETS = ("builds", "unmet", "kpis_clear", "kpis_total", "costs", "capacity", "flows")


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


# summary.json fields and their types; a missing or ill-typed one is reported, not a KeyError
SUMMARY_FIELDS: dict[str, tuple[type, ...]] = {
    "status": (str,),
    "objective": (int, float, type(None)),
    "bound": (int, float, type(None)),
    "gap": (int, float, type(None)),
    "objective_parts": (dict,),
    "timings": (dict,),
    "counts": (dict,),
    "options": (dict,),
    "instance": (dict,),
    "units": (dict,),
    "versions": (dict,),
    "tables": (list,),
}


def json_safe(value: Any) -> Any:
    """Replace NaN and infinity (which JSON cannot hold) by None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def _read_summary(d: Path) -> dict[str, Any]:
    path = d / "summary.json"
    if not d.is_dir():
        raise CritminError(f"{d} is not a folder (a solution is a folder with summary.json)")
    if not path.is_file():
        raise CritminError(f"{d} is not a critmin solution folder (no summary.json)")
    try:
        s = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CritminError(f"{path}: damaged, not readable JSON ({exc}); solve again to rewrite it") from None
    if not isinstance(s, dict):
        raise CritminError(f"{path}: damaged, expected a JSON object")
    for key, types in SUMMARY_FIELDS.items():
        if key not in s:
            raise CritminError(f"{path}: damaged, field '{key}' is missing; solve again to rewrite it")
        if not isinstance(s[key], types):
            raise CritminError(f"{path}: damaged, field '{key}' has the wrong type ({type(s[key]).__name__})")
    unknown = [t for t in s["tables"] if t not in COLUMNS]
    if unknown:
        raise CritminError(f"{path}: lists unknown tables {unknown}")
    return s


def objective_parts(result: ModelResult) -> dict[str, float]:
    """Each cost component at the solution, weighted as in the objective, in instance currency."""
    arrays, m = result.arrays, result.arrays.md.m
    return {
        spec.name: arrays.weights.get(spec.name, 1.0) * result.component_value(spec.name) * m
        for spec in COSTS
        if spec.name in arrays.components
    }


def solution_metrics(result: ModelResult) -> dict[str, float]:
    """Figures every report reads the same way: `risk_exposure`, the model's risk component (expected,
    discounted, risk-weighted t imported; what the frontier caps), whatever the risk weight."""
    md = result.arrays.md
    return {"risk_exposure": result.component_value("risk") * md.q, **benchmark_shares(result)}


def benchmark_shares(result: ModelResult) -> dict[str, float]:
    """Each capacity benchmark's share reached, `benchmark:<id>:<year>`: what the group's plants of its stage
    could make of its commodity over its consumption, expected over scenarios (enforced or only reported)."""
    from ..model.policies import benchmark_capacity, benchmark_consumption, benchmark_plants
    from ..model.terms import capacity_online

    md, arrays, x = result.arrays.md, result.arrays, result.x
    out: dict[str, float] = {}
    if x is None:
        return out
    for p in md.inst.policies.capacity_benchmarks:
        plants = benchmark_plants(md, p)
        for y in md.years:
            if not in_window(y, p.start, p.end):
                continue
            have = need = 0.0
            for s in md.scenarios:
                built = sum(
                    coef * md.avail.get((f, y, s), 0.0) * u * float(x[col])
                    for f, coef in plants
                    for u, col in capacity_online(arrays, f, y, s)
                )
                have += md.prob[s] * (benchmark_capacity(md, plants, y, s) + built)
                need += md.prob[s] * benchmark_consumption(md, p, y, s)
            if need > 0:
                out[f"benchmark:{p.id}:{y}"] = have / need
    return out


def read_workbook_tables(path: Path, names: list[str]) -> dict[str, pd.DataFrame]:
    """The tables of a solution workbook (units stripped from the headers), checked and typed like CSV."""
    from ..io.excel import read_tables_workbook

    raw = read_tables_workbook(path, names)
    return {name: _typed(df, name, f"{path}, sheet '{name}'") for name, df in raw.items()}


def read_table(path: Path, name: str) -> pd.DataFrame:
    """One solution table, checked against its columns and typed (ids stay text: a region 'NA' is 'NA')."""
    spec = COLUMNS[name]
    if not path.is_file():
        raise CritminError(f"{path}: missing (the solution folder is incomplete); solve again to rewrite it")
    try:
        if path.suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            text_cols = {c: "string" for c, kind in spec.items() if kind == "str"}
            df = pd.read_csv(path, dtype=text_cols, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES[k]) for c, k in spec.items()})
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise CritminError(f"{path}: not a readable table ({exc})") from None
    return _typed(df, name, str(path))


def _typed(df: pd.DataFrame, name: str, path: str) -> pd.DataFrame:
    """A table checked against its columns and cast to their kinds."""
    spec = COLUMNS[name]
    if df.empty and len(df.columns) == 0:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES[k]) for c, k in spec.items()})
    missing = [c for c in spec if c not in df.columns]
    if missing:
        raise CritminError(f"{path}: column(s) {', '.join(missing)} missing; solve again to rewrite it")
    try:
        for col, kind in spec.items():
            if kind in ("int", "float"):
                df[col] = pd.to_numeric(df[col], errors="raise")
            elif kind == "str":  # tables write no missing text; an empty cell is the empty string
                df[col] = df[col].astype(object).where(df[col].notna(), "")
    except (ValueError, TypeError) as exc:
        raise CritminError(f"{path}: column '{col}' is not {kind} ({exc})") from None
    return df


_DTYPES = {"str": "object", "int": "int64", "float": "float64", "bool": "bool"}


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
    metrics: dict[str, float] = field(default_factory=dict)  # risk exposure (the model's definition), ...
    # build decisions whose alternative (a module more or fewer) costs within 0.1% of the plan's variable
    # cost (`solve --near-ties`, analysis/diagnose.near_ties): option, year, branch, alternative, cost_change
    near_ties: list[dict[str, Any]] = field(default_factory=list)
    instance_data: dict[str, Any] | None = field(default=None, repr=False)  # the validated instance, as data
    result: ModelResult | None = field(default=None, repr=False)  # the solver's values (not written)

    # -- table accessors ---------------------------------------------------------------------------
    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in TABLES and "tables" in self.__dict__:
            return self.__dict__["tables"].get(name, pd.DataFrame())
        raise AttributeError(name)

    @property
    def plot(self) -> Any:
        """Plotly figures of this plan: `sol.plot.builds()`, `.costs()`, `.sankey(2030)`, ..."""
        from .charts import SolutionPlots

        return SolutionPlots(self)

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
        parts = objective_parts(result) if tables else {}
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
            metrics=solution_metrics(result) if tables else {},
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
            "metrics": self.metrics,
            "near_ties": self.near_ties,
            "tables": sorted(self.tables),
        }

    def write(
        self, directory: str | Path, *, fmt: str = "csv", force: bool = False, protect: tuple[Path, ...] = ()
    ) -> Path:
        """Write summary.json and one file per table, all at once (critmin.io.output): an existing folder is
        replaced only with `force` and only if critmin wrote it; `protect` are inputs it must not hold."""
        target = Path(directory)
        if fmt not in TABLE_FORMATS:
            raise CritminError(f"unknown format '{fmt}': use {', '.join(TABLE_FORMATS)}")
        with atomic_directory(target, kind="solution", force=force, protect=protect) as tmp:
            summary = self.summary_dict()
            summary["table_format"] = fmt
            (tmp / "summary.json").write_text(
                json.dumps(json_safe(summary), indent=2, allow_nan=False) + "\n"
            )
            if self.instance_data is not None:
                (tmp / "instance.json").write_text(json.dumps(self.instance_data, indent=1) + "\n")
            write_tables(
                tmp, self.tables, fmt, units=self._units, summary=self._summary_rows(), first=FIRST_SHEETS
            )
        return target

    def _units(self, column: str) -> tuple[str, str]:
        from .format import column_unit

        return column_unit(column, str(self.units.get("quantity", "t")), str(self.units.get("currency", "")))

    def _summary_rows(self) -> list[tuple[str, Any, str]]:
        """The summary sheet of a workbook: status, the planner's cost by category, units."""
        from .costs import CATEGORIES, CostBreakdown

        cur = str(self.units.get("currency", ""))
        cb = CostBreakdown.from_parts(self.objective_parts)
        return [
            ("instance", self.instance.get("name"), ""),
            ("status", self.status, ""),
            ("planner cost (spent + not served)", cb.planner_cost, cur),
            *((f"{c}", cb.total(c), cur) for c in CATEGORIES),
            ("objective (all terms, weighted)", self.objective, cur),
            ("relative gap", self.gap, "share"),
            ("quantity unit", self.units.get("quantity"), ""),
            ("currency", cur, ""),
            ("scenario", self.options.get("scenario") or "all", ""),
            ("critmin model version", self.model_version, ""),
        ]

    @classmethod
    def read(cls, directory: str | Path) -> Solution:
        """Restore a solution written by `write` (tables, objective, metadata). A folder that is not one, or
        a damaged one (bad summary.json, a missing table or column), gives a CritminError naming the file."""
        d = Path(directory)
        s = _read_summary(d)
        fmt = s.get("table_format", "csv")
        if fmt not in TABLE_FORMATS:
            raise CritminError(f"{d / 'summary.json'}: unknown table_format {fmt!r}")
        if fmt == "xlsx":
            tables = read_workbook_tables(d / WORKBOOK, s.get("tables", []))
        else:
            tables = {name: read_table(d / f"{name}.{fmt}", name) for name in s.get("tables", [])}
        changed = changed_since_written(d)
        if changed:
            raise CritminError(
                f"{d}: {', '.join(changed[:3])} changed since critmin wrote the solution, so its tables no "
                "longer agree with each other; solve again (to evaluate an edited plan, give its builds "
                "table "
                "as a CSV file)"
            )
        inst_path = d / "instance.json"
        try:
            instance_data = json.loads(inst_path.read_text()) if inst_path.is_file() else None
        except (OSError, ValueError) as exc:
            raise CritminError(f"{inst_path}: not readable JSON ({exc})") from None
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
            near_ties=list(s.get("near_ties") or []),
            metrics={k: float(v) for k, v in (s.get("metrics") or {}).items() if isinstance(v, (int, float))},
            tables=tables,
            instance_data=instance_data,
            model_version=s.get("model_version", "unknown"),
        )

    # -- presentation -------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        """Jupyter display: status, the planner's cost by component, and the key tables, in critmin's number
        formats (money with its magnitude and currency, tonnes, shares)."""
        import html as _html

        from .costs import CostBreakdown, label
        from .format import html_table, money

        cur = str(self.units.get("currency", ""))
        head = (
            f"<h4>critmin solution: {_html.escape(str(self.instance.get('name')))}</h4>"
            f"<p>status <b>{_html.escape(self.status)}</b> ({_html.escape(self.message)})"
        )
        if self.has_solution:
            cb = CostBreakdown.from_parts(self.objective_parts)
            gap = "-" if self.gap is None else f"{self.gap:.4%}"
            head += (
                f"; planner cost {money(cb.planner_cost, cur)} = money spent {money(cb.money_spent, cur)} + "
                f"value of demand not served {money(cb.value_unserved, cur)}; gap {gap}"
            )
        out = [head + "</p>"]
        if self.objective_parts:
            parts = pd.DataFrame(
                [{"component": label(k), "category": c, "value": v} for c, ps in
                 CostBreakdown.from_parts(self.objective_parts).parts.items() for k, v in ps.items()]
            )  # fmt: skip
            out.append("<b>cost by component</b>" + html_table(parts, cur))
        for name in ("builds", "kpis_total"):
            df = self.tables.get(name)
            if df is not None and not df.empty:
                out.append(f"<b>{name}</b> ({len(df)} rows)" + html_table(df, cur, limit=20))
        return "\n".join(out)
