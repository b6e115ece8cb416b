"""The cost-risk Pareto frontier by the epsilon-constraint method.

1. minimise cost (risk free)            -> the plan with the most risk, R_max;
2. minimise risk, then cost at that risk -> the plan with the least risk, R_min (lexicographic);
3. minimise cost s.t. risk <= eps for eps evenly spaced in (R_min, R_max);
then remove dominated points. The model is built and handed to HiGHS once: between points only the bound of
the `risk_cap` row changes (and, for step 2, the objective), so HiGHS can also warm-start LPs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pyomo.environ as pyo

from .errors import CritminError
from .io.atomic import atomic_directory
from .model import build_model, model_data
from .results import Solution
from .schema import Instance
from .solve import (
    FEASIBLE,
    OPTIMAL,
    PROVEN_GAP,
    SolveOptions,
    SolverRun,
    configured_highs,
    run_interruptibly,
    to_highs,
)


def add_risk_cap(model: pyo.ConcreteModel, level: float = float("inf")) -> None:
    """Add `risk_exposure <= risk_cap_level` (scaled units); inactive while the level is infinite."""
    model.risk_cap_level = pyo.Param(initialize=level, mutable=True, doc="cap on risk_exposure (scaled)")
    model.risk_cap = pyo.Constraint(
        expr=model.risk_exposure <= model.risk_cap_level, doc="risk exposure <= cap (epsilon-constraint)"
    )


@dataclass
class Frontier:
    points: pd.DataFrame  # point, epsilon, cost, risk, status, gap, dominated
    solutions: list[Solution]
    timings: dict[str, float] = field(default_factory=dict)
    currency: str = ""

    @property
    def pareto(self) -> pd.DataFrame:
        return self.points[~self.points.dominated].reset_index(drop=True)

    def to_text(self) -> str:
        lines = [f"{'point':>5}  {'risk cap':>16}  {'risk':>16}  {'expected cost':>22}  status"]
        for r in self.points.itertuples():
            cap = "none" if not np.isfinite(r.epsilon) else f"{r.epsilon:,.1f}"
            flag = "  (dominated, removed)" if r.dominated else ""
            lines.append(
                f"{r.point:>5}  {cap:>16}  {r.risk:>16,.1f}  {r.cost:>18,.0f} {self.currency:<3}  "
                f"{r.status}{flag}"
            )
        t = self.timings
        lines.append("")
        lines.append(
            "risk = expected discounted risk-weighted imports (t x score); cost excludes the risk term"
        )
        lines.append(
            f"model built and handed over once: {t['build'] + t['handover']:.2f}s; each further point "
            f"changes one bound ({t['update_per_point'] * 1e3:.2f} ms) and re-solves "
            f"(mean {t['solve_per_point']:.2f}s)"
        )
        lines.append(
            f"rebuilding per point would add ~{t['rebuild_per_point']:.2f}s each: reuse saved "
            f"~{t['saved']:.2f}s over {len(self.points)} points"
        )
        return "\n".join(lines)

    def write(self, directory: str | Path, *, fmt: str = "csv", force: bool = False) -> Path:
        """frontier.csv, frontier.json (timings) and one solution directory per point, atomically."""
        target = Path(directory)
        with atomic_directory(target, force=force) as tmp:
            self.points.to_csv(tmp / "frontier.csv", index=False)
            (tmp / "frontier.json").write_text(
                json.dumps({"timings": self.timings, "currency": self.currency}, indent=2) + "\n"
            )
            for sol in self.solutions:
                sol.write(tmp / f"point_{sol.options['frontier_point']:02d}", fmt=fmt)
        return target

    @classmethod
    def read(cls, directory: str | Path) -> Frontier:
        d = Path(directory)
        if not (d / "frontier.csv").is_file():
            raise CritminError(f"{d} is not a frontier directory (no frontier.csv)")
        points = pd.read_csv(d / "frontier.csv")
        meta = json.loads((d / "frontier.json").read_text()) if (d / "frontier.json").exists() else {}
        sols = [Solution.read(p) for p in sorted(d.glob("point_*"))]
        return cls(points, sols, meta.get("timings", {}), meta.get("currency", ""))

    def _repr_html_(self) -> str:
        return "<h4>critmin cost-risk frontier</h4>" + self.points.to_html(index=False)


def _status(h: highspy.Highs, is_mip: bool) -> tuple[str, float | None]:
    S = highspy.HighsModelStatus
    st = h.getModelStatus()
    info = h.getInfo()
    gap = float(info.mip_gap) if is_mip and np.isfinite(info.mip_gap) else (None if is_mip else 0.0)
    if st == S.kOptimal:
        return (OPTIMAL if gap is None or gap <= PROVEN_GAP + 1e-12 else FEASIBLE), gap
    if info.primal_solution_status == 2:
        return FEASIBLE, gap
    return h.modelStatusToString(st), gap


def frontier(
    instance: Instance,
    points: int = 5,
    *,
    scenario: str | None = None,
    options: SolveOptions | None = None,
    measure_rebuild: bool = True,
) -> Frontier:
    """Pareto set of expected cost versus risk exposure (`points` >= 2 points before removing dominated)."""
    if points < 2:
        raise CritminError("a frontier needs at least 2 points")
    opts = options or SolveOptions()
    t0 = time.perf_counter()
    model = build_model(instance, scenario=scenario, risk_weight=0.0)
    add_risk_cap(model)
    build = time.perf_counter() - t0
    md = model_data(model)

    t1 = time.perf_counter()
    lp, info = to_highs(model)
    h = configured_highs(opts)
    h.passModel(lp)
    handover = time.perf_counter() - t1
    row = next(i for i, r in enumerate(info.rows) if r.constraint is model.risk_cap)
    risk_coef = np.asarray(info.A.tocsr()[row].toarray()).ravel()
    cost_coef = np.asarray(lp.col_cost_, dtype=float).copy()
    n = lp.num_col_
    idx = np.arange(n, dtype=np.int32)
    is_mip = lp.integrality_ is not None and len(lp.integrality_) > 0
    inf = highspy.kHighsInf

    solve_times: list[float] = []
    update_times: list[float] = []

    def solve_at(cap: float) -> tuple[str, float | None, np.ndarray | None]:
        tu = time.perf_counter()
        h.changeRowBounds(row, -inf, cap)
        update_times.append(time.perf_counter() - tu)
        ts = time.perf_counter()
        run_interruptibly(h)
        solve_times.append(time.perf_counter() - ts)
        status, gap = _status(h, is_mip)
        if status not in (OPTIMAL, FEASIBLE):
            return status, gap, None
        return status, gap, np.asarray(h.getSolution().col_value, dtype=float)

    # 1. least cost, risk free
    s_hi, g_hi, x_hi = solve_at(inf)
    if x_hi is None:
        raise CritminError(f"the instance has no least-cost plan ({s_hi}); run `critmin diagnose`")
    r_max = float(risk_coef @ x_hi)
    # 2. least risk (then least cost at that risk)
    h.changeColsCost(n, idx, risk_coef)
    run_interruptibly(h)
    st_min, _ = _status(h, is_mip)
    if st_min not in (OPTIMAL, FEASIBLE):
        raise CritminError(f"could not minimise risk ({st_min})")
    r_min = float(h.getInfo().objective_function_value)  # the objective is now the risk row alone
    h.changeColsCost(n, idx, cost_coef)
    caps = [inf] + [float(e) for e in np.linspace(r_max, r_min, points)[1:]]
    caps[-1] = r_min + max(1e-7 * abs(r_min), 1e-9)

    results = []
    for k, cap in enumerate(caps):
        status, gap, x = (s_hi, g_hi, x_hi) if k == 0 else solve_at(cap)
        if x is None:
            results.append((k, cap, status, gap, None))
            continue
        results.append((k, cap, status, gap, x))

    rows, sols = [], {}
    for k, cap, status, gap, x in results:
        if x is None:
            rows.append(
                {
                    "point": k,
                    "epsilon": cap * md.q,
                    "cost": np.nan,
                    "risk": np.nan,
                    "status": status,
                    "gap": gap,
                }
            )
            continue
        for var, value in zip(info.columns, x, strict=True):
            var.set_value(
                round(value) if var.is_integer() or var.is_binary() else value, skip_validation=True
            )
        cost = float(cost_coef @ x + lp.offset_)
        run = SolverRun(
            status=status,
            message=f"frontier point {k}",
            objective=cost,
            bound=None,
            gap=gap,
            handover_seconds=handover,
            solve_seconds=solve_times[k] if k < len(solve_times) else 0,
            num_variables=n,
            num_constraints=lp.num_row_,
            num_integers=int(sum(1 for v in info.columns if v.is_integer() or v.is_binary())),
            num_nonzeros=int(info.A.nnz),
        )
        sol = Solution.from_run(model, run, opts)
        sol.message = (
            f"frontier point {k}: risk <= {'none' if not np.isfinite(cap) else f'{cap * md.q:,.1f}'}"
        )
        sol.options["frontier_point"] = k
        sols[k] = sol
        rows.append(
            {
                "point": k,
                "epsilon": cap * md.q,
                "cost": cost * md.m,
                "risk": float(risk_coef @ x) * md.q,
                "status": status,
                "gap": gap,
            }
        )
    pts = pd.DataFrame(rows)
    pts["dominated"] = _dominated(pts)

    rebuild = 0.0
    if measure_rebuild:
        tr = time.perf_counter()
        m2 = build_model(instance, scenario=scenario, risk_weight=0.0)
        add_risk_cap(m2)
        lp2, _ = to_highs(m2)
        configured_highs(opts).passModel(lp2)
        rebuild = time.perf_counter() - tr
    timings = {
        "build": build,
        "handover": handover,
        "update_per_point": float(np.mean(update_times)) if update_times else 0.0,
        "solve_per_point": float(np.mean(solve_times)) if solve_times else 0.0,
        "rebuild_per_point": rebuild,
        "saved": rebuild * (len(caps)) - float(np.sum(update_times)),
    }
    keep = [sols[int(p.point)] for p in pts.itertuples() if not p.dominated and int(p.point) in sols]
    return Frontier(pts, keep, timings, instance.units.currency)


def _dominated(points: pd.DataFrame, tol: float = 1e-7) -> list[bool]:
    """A point is dominated if another has no more cost and no more risk, and less of one; of identical
    points only the first is kept."""
    out = []
    for i, a in points.iterrows():
        if not np.isfinite(a.cost):
            out.append(True)
            continue
        dom = False
        for j, b in points.iterrows():
            if i == j or not np.isfinite(b.cost):
                continue
            le = b.cost <= a.cost * (1 + tol) + tol and b.risk <= a.risk * (1 + tol) + tol
            lt = b.cost < a.cost * (1 - tol) - tol or b.risk < a.risk * (1 - tol) - tol
            if le and (lt or j < i):  # strictly better, or the same point found earlier
                dom = True
                break
        out.append(dom)
    return out
