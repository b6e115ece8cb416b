"""Solution: the plan as tidy tables in the instance's own units, plus run metadata.

All quantities are tonnes (t/yr for rates), all money in the instance currency, unscaled. A solution is
written as a directory (summary.json + one file per table) and can be read back.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from .errors import CritminError
from .io.atomic import atomic_directory
from .model import model_data
from .model.data import ModelData, annuity_factor
from .solve import FEASIBLE, OPTIMAL, SolveOptions, SolverRun

TABLES = (
    "stockpiles",
    "substitution",
    "support",
    "builds",
    "capacity",
    "production",
    "flows",
    "deliveries",
    "unmet",
    "costs",
    "kpis",
    "kpis_region",
    "kpis_total",
)
COST_COMPONENTS = ("capex", "fixed_om", "variable", "transport", "tariff", "unmet_penalty", "risk")
FORMAT_VERSION = 1


def model_version() -> str:
    """Version of the formulation and result format: runs are comparable only when these match."""
    from .schema import SCHEMA_VERSION

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
    model: Any = field(default=None, repr=False)

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
        from .solve import EXIT_CODES

        return EXIT_CODES[self.status]

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def from_run(cls, model: pyo.ConcreteModel, run: SolverRun, options: SolveOptions) -> Solution:
        md = model_data(model)
        inst = md.inst
        t0 = time.perf_counter()
        tables = extract_tables(model, md) if run.status in (OPTIMAL, FEASIBLE) else {}
        parts: dict[str, float] = {}
        if tables:
            parts = {
                "capex": pyo.value(model.cost_capex) * md.m,
                "fixed_om": pyo.value(model.cost_fixed_om) * md.m,
                "variable": pyo.value(model.cost_variable) * md.m,
                "transport": pyo.value(model.cost_transport) * md.m,
                "tariff": pyo.value(model.cost_tariff) * md.m,
                "unmet_penalty": pyo.value(model.cost_unmet) * md.m,
                "stockpile": pyo.value(model.cost_stockpile) * md.m,
                "substitution": pyo.value(model.cost_substitution) * md.m,
                "support": pyo.value(model.cost_support) * md.m,
                "risk": pyo.value(model.risk_weight) * pyo.value(model.risk_exposure) * md.m,
            }
            if hasattr(model, "cvar"):
                parts["cvar"] = md.inst.objective.cvar_weight * pyo.value(model.cvar) * md.m
        extract = time.perf_counter() - t0
        scale = md.m
        return cls(
            status=run.status,
            message=run.message,
            objective=None if run.objective is None else run.objective * scale,
            bound=None if run.bound is None else run.bound * scale,
            gap=run.gap,
            objective_parts=parts,
            timings={
                "build": float(getattr(model, "_critmin_build_seconds", 0.0)),
                "handover": run.handover_seconds,
                "solve": run.solve_seconds,
                "extract": extract,
            },
            counts={
                "variables": run.num_variables,
                "constraints": run.num_constraints,
                "integers": run.num_integers,
                "nonzeros": run.num_nonzeros,
                "scenarios": len(md.scenarios),
                "years": len(md.years),
            },
            options={
                **options.to_dict(),
                "risk_weight": getattr(model, "_critmin_risk_weight", None),
                "scenario": md.scenarios[0] if len(md.scenarios) == 1 else None,
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
            warnings=run.warnings,
            instance_data=inst.model_dump(mode="json"),
            model=model,
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

    def summary(self, years: list[int] | None = None) -> str:
        """A readable report: status, objective and parts, builds, shortfalls, controlled shares."""
        from .report_text import format_summary

        return format_summary(self, years)


# ---------------------------------------------------------------------------------------------------
def _stage_of(md: ModelData) -> dict[str, str]:
    """A facility's stage: that of its first output; plants that reset provenance are 'recycling'."""
    stage = {c.id: c.stage for c in md.inst.commodities}
    return {
        f.id: "recycling" if f.provenance == "own" and f.inputs else stage[next(iter(f.outputs))]
        for f in md.inst.facilities
    }


def extract_tables(model: pyo.ConcreteModel, md: ModelData) -> dict[str, pd.DataFrame]:
    """Read variable values into tidy, unscaled tables."""
    q, m_ = md.q, md.m
    inst = md.inst
    stage = _stage_of(md)
    eps = 1e-9

    def val(v: Any) -> float:
        x = v.value
        return 0.0 if x is None else float(x)

    # builds -------------------------------------------------------------------------------------
    rows = []
    built: dict[tuple[str, int], float] = {}
    for key in md.build_keys:
        o, t = key
        opt = md.option[o]
        var = model.build_modules[key] if o in md.discrete else model.build_capacity[key]
        x = val(var)
        if abs(x) <= eps:
            continue
        cap = x * md.build_unit[o] * q
        built[key] = cap
        rows.append(
            {
                "option": o,
                "facility": opt.facility,
                "region": md.region_of[opt.facility],
                "stage": stage[opt.facility],
                "kind": opt.kind,
                "year": t,
                "construction_start": md.build_start[key],
                "modules": int(round(x)) if o in md.discrete else None,
                "capacity_added": cap,
                "capex": md.overnight[key] * x * m_,
            }
        )
    builds = pd.DataFrame(
        rows,
        columns=[
            "option",
            "facility",
            "region",
            "stage",
            "kind",
            "year",
            "construction_start",
            "modules",
            "capacity_added",
            "capex",
        ],
    )

    # capacity -----------------------------------------------------------------------------------
    rows = []
    for f, y in md.cap_keys:
        new = sum(built.get(k, 0.0) for k in md.online.get((f, y), ()))
        ex = md.existing.get((f, y), 0.0) * q
        rows.append(
            {
                "facility": f,
                "region": md.region_of[f],
                "stage": stage[f],
                "year": y,
                "existing": ex,
                "built": new,
                "capacity": ex + new,
            }
        )
    capacity = pd.DataFrame(
        rows, columns=["facility", "region", "stage", "year", "existing", "built", "capacity"]
    )

    # production ---------------------------------------------------------------------------------
    rows = []
    annual: dict[tuple[str, int, str], float] = {}  # (component, year, scenario) -> annual cost
    for f, k, y, s in model.ACTIVITIES:
        a = val(model.activity[f, k, y, s])
        if a <= eps:
            continue
        fac = md.facility[f]
        annual[("variable", y, s)] = annual.get(("variable", y, s), 0.0) + a * md.var_cost[(f, y, s)] * m_
        for c, coef in fac.outputs.items():
            rows.append(
                {
                    "facility": f,
                    "region": fac.region,
                    "commodity": c,
                    "year": y,
                    "scenario": s,
                    "input_tag": k,
                    "tag": md.stream_out[(f, k)],
                    "activity": a * q,
                    "quantity": a * coef * q,
                }
            )
    production = pd.DataFrame(
        rows,
        columns=[
            "facility",
            "region",
            "commodity",
            "year",
            "scenario",
            "input_tag",
            "tag",
            "activity",
            "quantity",
        ],
    )

    # flows --------------------------------------------------------------------------------------
    rows = []
    risk_rows: dict[tuple[int, str], float] = {}
    import_rows: dict[tuple[int, str], float] = {}
    for c, o, d, k, y, s in model.SHIPMENTS:
        x = val(model.ship[c, o, d, k, y, s])
        if x <= eps:
            continue
        rows.append(
            {
                "commodity": c,
                "origin": o,
                "destination": d,
                "year": y,
                "scenario": s,
                "tag": k,
                "quantity": x * q,
            }
        )
        tr = md.arcs[(c, o, d)] * x * m_
        ta = md.tariff.get((c, o, d, y, s), 0.0) * x * m_
        annual[("transport", y, s)] = annual.get(("transport", y, s), 0.0) + tr
        annual[("tariff", y, s)] = annual.get(("tariff", y, s), 0.0) + ta
        if d in md.risk_importers:
            risk_rows[(y, s)] = risk_rows.get((y, s), 0.0) + md.risk[o] * x * q
            import_rows[(y, s)] = import_rows.get((y, s), 0.0) + x * q
    flows = pd.DataFrame(
        rows, columns=["commodity", "origin", "destination", "year", "scenario", "tag", "quantity"]
    )

    # deliveries and unmet -------------------------------------------------------------------------
    rows = []
    for i, k, s in model.DELIVERIES:
        x = val(model.deliver[i, k, s])
        if x <= eps:
            continue
        d = md.demand[i]
        rows.append(
            {
                "region": d.region,
                "commodity": d.commodity,
                "year": d.year,
                "compliance": d.compliance,
                "scenario": s,
                "tag": k,
                "quantity": x * q,
            }
        )
    deliveries = pd.DataFrame(
        rows, columns=["region", "commodity", "year", "compliance", "scenario", "tag", "quantity"]
    )
    # levers: stockpiles, substitution, support -----------------------------------------------------
    lv = md.levers
    rows = []
    for st, k, y, s in model.STOCKS:
        level, buy, rel = (
            val(v[st, k, y, s]) * q for v in (model.stock_level, model.stock_buy, model.stock_release)
        )
        r, c = lv.stock_region[st]
        if max(level, buy, rel) > eps:
            rows.append(
                {
                    "stockpile": st,
                    "region": r,
                    "commodity": c,
                    "year": y,
                    "scenario": s,
                    "tag": k,
                    "level": level,
                    "buy": buy,
                    "release": rel,
                }
            )
        annual[("stockpile", y, s)] = (
            annual.get(("stockpile", y, s), 0.0) + lv.stock_holding[st] * level / q * m_
        )
    for st, y, s in model.cover_short:
        annual[("stockpile", y, s)] = (
            annual.get(("stockpile", y, s), 0.0) + lv.cover_soft[st] * val(model.cover_short[st, y, s]) * m_
        )
    stockpiles = pd.DataFrame(
        rows,
        columns=["stockpile", "region", "commodity", "year", "scenario", "tag", "level", "buy", "release"],
    )
    rows = []
    substituted: dict[tuple[int, str], float] = {}
    for sid, i, s in model.SUBSTITUTIONS:
        x = val(model.substitute[sid, i, s]) * q
        substituted[(i, s)] = substituted.get((i, s), 0.0) + x
        d = md.demand[i]
        annual[("substitution", d.year, s)] = (
            annual.get(("substitution", d.year, s), 0.0) + lv.sub_cost[sid] * x / q * m_
        )
        if x > eps:
            rows.append(
                {
                    "substitution": sid,
                    "region": d.region,
                    "commodity": d.commodity,
                    "year": d.year,
                    "scenario": s,
                    "substituted": x,
                }
            )
    substitution = pd.DataFrame(
        rows, columns=["substitution", "region", "commodity", "year", "scenario", "substituted"]
    )
    rows = []
    made: dict[tuple[str, str, int, str], float] = {}
    for f, k, y, s in model.ACTIVITIES:
        a = val(model.activity[f, k, y, s])
        for c, coef in md.facility[f].outputs.items():
            made[(f, c, y, s)] = made.get((f, c, y, s), 0.0) + a * coef * q
    for fid, f, c, y, rate in lv.floors:
        for s in md.scenarios:
            qty = made.get((f, c, y, s), 0.0)
            pay = rate * qty / q * m_
            rows.append(
                {
                    "support": fid,
                    "kind": "price_floor",
                    "facility": f,
                    "commodity": c,
                    "year": y,
                    "scenario": s,
                    "quantity": qty,
                    "payment": pay,
                    "in_objective": lv.floor_in_objective[fid],
                    "period_total": pay * md.weight[y],
                }
            )
            if lv.floor_in_objective[fid]:
                annual[("support", y, s)] = annual.get(("support", y, s), 0.0) + pay
    for oid, f, c, y, _qmin, prem in lv.offtakes:
        for s in md.scenarios:
            rows.append(
                {
                    "support": oid,
                    "kind": "offtake",
                    "facility": f,
                    "commodity": c,
                    "year": y,
                    "scenario": s,
                    "quantity": made.get((f, c, y, s), 0.0),
                    "payment": prem * m_,
                    "in_objective": lv.offtake_in_objective[oid],
                    "period_total": prem * m_ * md.weight[y],
                }
            )
            if lv.offtake_in_objective[oid]:
                annual[("support", y, s)] = annual.get(("support", y, s), 0.0) + prem * m_
    support = pd.DataFrame(
        rows,
        columns=[
            "support",
            "kind",
            "facility",
            "commodity",
            "year",
            "scenario",
            "quantity",
            "payment",
            "in_objective",
            "period_total",
        ],
    )

    rows = []
    for i, s in model.DEMANDS:
        d = md.demand[i]
        u = val(model.unmet[i, s]) * q
        dem = md.demand_qty[(i, s)] * q
        annual[("unmet_penalty", d.year, s)] = (
            annual.get(("unmet_penalty", d.year, s), 0.0) + u / q * md.penalty[i] * m_
        )
        rows.append(
            {
                "region": d.region,
                "commodity": d.commodity,
                "year": d.year,
                "compliance": d.compliance,
                "scenario": s,
                "demand": dem,
                "delivered": max(dem - u - substituted.get((i, s), 0.0), 0.0),
                "unmet": u if u > eps * q else 0.0,
            }
        )
    unmet = pd.DataFrame(
        rows,
        columns=["region", "commodity", "year", "compliance", "scenario", "demand", "delivered", "unmet"],
    )

    # costs ----------------------------------------------------------------------------------------
    rw = float(pyo.value(model.risk_weight)) * m_ / q  # currency per risk-weighted t
    for (y, s), r in risk_rows.items():
        annual[("risk", y, s)] = rw * r
    first_stage: dict[tuple[str, int], float] = {}
    r_ = inst.horizon.discount_rate
    for key, cap in built.items():
        o, t = key
        opt = md.option[o]
        per_unit = opt.fixed_cost / opt.module_size if opt.kind == "discrete" else opt.capex
        pay = annuity_factor(r_, opt.lifetime) * per_unit * cap
        for y in md.years:
            if t <= y < t + opt.lifetime:
                first_stage[("capex", y)] = first_stage.get(("capex", y), 0.0) + pay
    for f, y in md.cap_keys:
        fc = md.facility[f].fixed_cost
        if fc:
            cap_total = md.existing.get((f, y), 0.0) * q + sum(
                built.get(k, 0.0) for k in md.online.get((f, y), ())
            )
            first_stage[("fixed_om", y)] = first_stage.get(("fixed_om", y), 0.0) + fc * cap_total
    for (st, t), x in ((b, val(model.storage_build[b]) * q) for b in lv.stock_builds):
        if x > eps:
            cap_st = next(p for p in inst.stockpiles if p.id == st)
            pay = annuity_factor(r_, 30) * cap_st.build_capex * x
            for y in md.years:
                if y >= t:
                    first_stage[("stockpile", y)] = first_stage.get(("stockpile", y), 0.0) + pay
    rows = []
    for (comp, y), v in sorted(first_stage.items()):
        rows.append(
            {
                "component": comp,
                "year": y,
                "scenario": "all",
                "annual": v,
                "period_total": v * md.weight[y],
                "discounted": v * md.disc[y],
            }
        )
    for (comp, y, s), v in sorted(annual.items()):
        rows.append(
            {
                "component": comp,
                "year": y,
                "scenario": s,
                "annual": v,
                "period_total": v * md.weight[y],
                "discounted": v * md.disc[y],
            }
        )
    costs = pd.DataFrame(
        rows, columns=["component", "year", "scenario", "annual", "period_total", "discounted"]
    )

    # KPIs -------------------------------------------------------------------------------------------
    kpis = _kpis(unmet, deliveries, ["scenario", "year", "commodity"])
    kpis_region = _kpis(unmet, deliveries, ["scenario", "year", "region", "commodity"])
    totals = []
    for s in md.scenarios:
        for y in md.years:
            sub = unmet[(unmet.scenario == s) & (unmet.year == y)]
            dem = float(sub.demand.sum())
            short = float(sub.unmet.sum())
            dsub = deliveries[(deliveries.scenario == s) & (deliveries.year == y)]
            delivered = float(dsub.quantity.sum())
            ctrl = float(dsub[dsub.tag == "controlled"].quantity.sum())
            cost = sum(v for (c, yy, ss), v in annual.items() if yy == y and ss == s)
            cost += sum(v for (c, yy), v in first_stage.items() if yy == y)
            totals.append(
                {
                    "scenario": s,
                    "year": y,
                    "probability": md.prob[s],
                    "demand": dem,
                    "delivered": delivered,
                    "met_share": (dem - short) / dem if dem else 1.0,
                    "controlled_share": ctrl / delivered if delivered else 0.0,
                    "imports": import_rows.get((y, s), 0.0),
                    "risk_exposure": risk_rows.get((y, s), 0.0),
                    "annual_cost": cost,
                }
            )
    kpis_total = pd.DataFrame(totals)
    return {
        "stockpiles": stockpiles,
        "substitution": substitution,
        "support": support,
        "builds": builds,
        "capacity": capacity,
        "production": production,
        "flows": flows,
        "deliveries": deliveries,
        "unmet": unmet,
        "costs": costs,
        "kpis": kpis,
        "kpis_region": kpis_region,
        "kpis_total": kpis_total,
    }


def _ratio(num: pd.Series, den: pd.Series, empty: float) -> np.ndarray:
    """num / den, or `empty` where den is 0 (no demand, nothing delivered)."""
    n = num.to_numpy(dtype=float)
    d = den.to_numpy(dtype=float)
    return np.where(d > 0, n / np.where(d > 0, d, 1.0), empty)


def _kpis(unmet: pd.DataFrame, deliveries: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per `keys` (scenario, year, [region,] commodity): demand met and the controlled-origin share of what
    was delivered."""
    cols = keys + ["demand", "delivered", "unmet", "met_share", "controlled", "controlled_share"]
    if unmet.empty:
        return pd.DataFrame(columns=cols)
    base = unmet.groupby(keys, as_index=False)[["demand", "delivered", "unmet"]].sum()
    ctrl = deliveries[deliveries.tag == "controlled"].groupby(keys, as_index=False)["quantity"].sum()
    ctrl = ctrl.rename(columns={"quantity": "controlled"})
    out = base.merge(ctrl, on=keys, how="left")
    out["controlled"] = out["controlled"].fillna(0.0).astype(float)
    out["met_share"] = _ratio(out.demand - out.unmet, out.demand, 1.0)  # substitution counts as met
    out["controlled_share"] = _ratio(out.controlled, out.delivered, 0.0)
    return out[cols]
