"""The cost-risk Pareto frontier by the epsilon-constraint method.

1. minimise cost (risk free)            -> the plan with the most risk, R_max;
2. minimise risk, then cost at that risk -> the plan with the least risk, R_min (lexicographic);
3. minimise cost s.t. risk <= eps for eps evenly spaced in (R_min, R_max);
then remove dominated points. The model's arrays are built and handed to HiGHS once, with one extra row
(risk <= cap, the `risk_cap` family): between points only that row's bound changes (and, for step 2, the
objective), so HiGHS can also warm-start LPs. Costs and risks compare without the objective's constant.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..backend.result import ModelResult
from ..backend.session import Session
from ..errors import CritminError
from ..io.output import atomic_directory
from ..io.tables import check_format, read_tables, write_tables
from ..model.assemble import assemble
from ..model.builder import ModelArrays
from ..model.data import compile_instance
from ..model.requirements import RISK_CAP
from ..results.format import column_unit, html_table, money, number
from ..results.solution import Solution
from ..results.tables import records
from ..schema import Instance

INF = float("inf")
Point = tuple[int, float, str, float | None, np.ndarray | None]  # point, cap, status, gap, solution


@dataclass
class Frontier:
    points: pd.DataFrame  # point, epsilon, cost, risk, status, gap, dominated
    solutions: list[Solution]
    timings: dict[str, float] = field(default_factory=dict)
    currency: str = ""
    bands: dict[str, pd.DataFrame] = field(default_factory=dict)  # --ranges: ranges, range_samples
    band_lines: list[str] = field(default_factory=list)  # --ranges: each figure's p10 / p50 / p90

    @property
    def pareto(self) -> pd.DataFrame:
        return self.points[~self.points.dominated].reset_index(drop=True)

    def to_text(self) -> str:
        lines = [f"{'point':>5}  {'risk cap':>16}  {'risk':>16}  {'expected cost':>18}  status"]
        for r in records(self.points):
            flag = "  (dominated, removed)" if r.dominated else ""
            lines.append(
                f"{r.point:>5}  {number(r.epsilon):>16}  {number(r.risk):>16}  "
                f"{money(r.cost, self.currency):>18}  {r.status}{flag}"
            )
        t = self.timings
        lines += [
            "",
            "risk = expected discounted risk-weighted imports (t x score); cost excludes the risk term",
            f"model built and handed over once: {t['build'] + t['handover']:.2f}s; each further point "
            f"changes one bound ({t['update_per_point'] * 1e3:.2f} ms) and re-solves "
            f"(mean {t['solve_per_point']:.2f}s)",
        ]
        if t.get("rebuild_per_point"):
            lines.append(
                f"rebuilding per point would add ~{t['rebuild_per_point']:.2f}s each: "
                f"reuse saved ~{t['saved']:.2f}s over {len(self.points)} points"
            )
        if self.band_lines:
            lines += ["", "ranges over the declared uncertain inputs:", *(f"  {x}" for x in self.band_lines)]
        return "\n".join(lines)

    def write(
        self, directory: str | Path, *, fmt: str = "csv", force: bool = False, protect: tuple[Path, ...] = ()
    ) -> Path:
        """The points' table (`frontier`) in `fmt`, frontier.json (timings, format) and one solution folder
        per non-dominated point, all at once."""
        target = Path(directory)
        check_format(fmt)
        cur = self.currency
        with atomic_directory(target, kind="frontier", force=force, protect=protect) as tmp:
            tables = {"frontier": self.points, **self.bands}
            write_tables(tmp, tables, fmt, units=lambda c: column_unit(c, "t", cur))
            meta = {"timings": self.timings, "currency": cur, "table_format": fmt, "ranges": self.band_lines}
            (tmp / "frontier.json").write_text(json.dumps(meta, indent=2) + "\n")
            for sol in self.solutions:
                sol.write(tmp / f"point_{sol.options['frontier_point']:02d}", fmt=fmt)
        return target

    @classmethod
    def read(cls, directory: str | Path) -> Frontier:
        d = Path(directory)
        if not (d / "frontier.json").is_file():
            raise CritminError(f"{d} is not a frontier folder (no frontier.json)")
        try:
            meta = json.loads((d / "frontier.json").read_text())
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CritminError(f"{d}: damaged frontier files ({exc}); run the frontier again") from None
        points = read_tables(d, ["frontier"], str(meta.get("table_format", "csv")))["frontier"]
        missing = [
            c for c in ("point", "epsilon", "cost", "risk", "status", "dominated") if c not in points.columns
        ]
        if missing:
            raise CritminError(f"{d}: column(s) {', '.join(missing)} missing; run the frontier again")
        points["dominated"] = points.dominated.map(lambda v: str(v).strip().lower() in ("true", "1"))
        sols = [Solution.read(p) for p in sorted(d.glob("point_*"))]
        return cls(points, sols, meta.get("timings", {}), meta.get("currency", ""))

    def _repr_html_(self) -> str:
        return "<h4>critmin cost-risk frontier</h4>" + html_table(self.points, self.currency)


class _Sweep:
    """One HiGHS session of the model with its `risk_cap` row; each point changes the cap's bound (or, for
    the least-risk point, the objective), so LP points warm-start from the last basis."""

    def __init__(self, arrays: ModelArrays, opts: SolveOptions) -> None:
        self.arrays = arrays
        self.cost = arrays.c  # the risk weight is 0 here, so this is cost alone
        self.risk = arrays.components["risk"].coef
        self.session = Session(arrays, opts)
        self.solve_times: list[float] = []
        self.update_times: list[float] = []

    def solve_at(self, cap: float) -> tuple[str, float | None, np.ndarray | None]:
        tu = time.perf_counter()
        self.session.set_row_bounds(RISK_CAP, -INF, cap)
        self.update_times.append(time.perf_counter() - tu)
        result = self.session.solve(warm=True)
        self.solve_times.append(result.timings.get("solve", 0.0))
        return result.status, result.gap, result.x if result.has_solution else None

    def least_risk(self) -> float:
        """Minimise risk alone; returns its value (the objective is the risk row, no constant)."""
        self.session.set_objective(self.risk)
        result = self.session.solve(warm=True)
        if not result.has_solution:
            self.session.restore_objective()
            raise CritminError(f"could not minimise risk ({result.status})")
        r_min = self.session.objective_value()
        self.session.restore_objective()
        return r_min


def frontier(
    instance: Instance,
    points: int = 5,
    *,
    scenario: str | None = None,
    options: SolveOptions | None = None,
    measure_rebuild: bool = True,
) -> Frontier:
    """Pareto set of expected cost versus risk exposure (`points` >= 2 points before removing dominated).
    `measure_rebuild` times one rebuild and hand-over, to report what reusing the HiGHS model saved."""
    if points < 2:
        raise CritminError("a frontier needs at least 2 points")
    opts = options or SolveOptions()
    t0 = time.perf_counter()
    arrays = assemble(compile_instance(instance, scenario=scenario, risk_weight=0.0, extras=(RISK_CAP,)))
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    sweep = _Sweep(arrays, opts)
    handover = time.perf_counter() - t1
    s_hi, g_hi, x_hi = sweep.solve_at(INF)  # 1. least cost
    if x_hi is None:
        raise CritminError(f"the instance has no least-cost plan ({s_hi}); run `critmin diagnose`")
    r_max = float(sweep.risk @ x_hi)
    r_min = sweep.least_risk()  # 2. least risk
    caps = [INF] + [float(e) for e in np.linspace(r_max, r_min, points)[1:]]
    slack = max(1e-7 * abs(r_min), 1e-9)  # the least risk, with room for the solver's tolerance
    results: list[Point] = [(0, INF, s_hi, g_hi, x_hi)]
    results += [  # 3. the caps between
        (k, cap, *sweep.solve_at(cap + (slack if k == len(caps) - 1 else 0.0)))
        for k, cap in enumerate(caps)
        if k > 0
    ]
    rows, sols = _points(arrays, sweep, results, opts, handover)
    pts = pd.DataFrame(rows)
    pts["dominated"] = _dominated(pts, constant=arrays.offset * arrays.md.m)
    rebuild = 0.0
    if measure_rebuild:
        tr = time.perf_counter()
        again = compile_instance(instance, scenario=scenario, risk_weight=0.0, extras=(RISK_CAP,))
        _Sweep(assemble(again), opts)
        rebuild = time.perf_counter() - tr
    timings = {
        "build": build,
        "handover": handover,
        "update_per_point": float(np.mean(sweep.update_times)) if sweep.update_times else 0.0,
        "solve_per_point": float(np.mean(sweep.solve_times)) if sweep.solve_times else 0.0,
        "rebuild_per_point": rebuild,
        "saved": rebuild * len(caps) - float(np.sum(sweep.update_times)),
    }
    keep = [
        sols[k]
        for k, dominated in zip(pts.point.tolist(), pts.dominated.tolist(), strict=True)
        if not dominated and k in sols
    ]
    return Frontier(pts, keep, timings, instance.units.currency)


def _points(
    arrays: ModelArrays,
    sweep: _Sweep,
    results: list[Point],
    opts: SolveOptions,
    handover: float,
) -> tuple[list[dict[str, Any]], dict[int, Solution]]:
    md = arrays.md
    rows: list[dict[str, Any]] = []
    sols: dict[int, Solution] = {}
    for k, cap, status, gap, x in results:
        row: dict[str, Any] = {"point": k, "epsilon": cap * md.q, "status": status, "gap": gap}
        if x is None:
            rows.append({**row, "cost": np.nan, "risk": np.nan})
            continue
        cost = float(sweep.cost @ x + arrays.offset)
        solve_s = sweep.solve_times[k] if k < len(sweep.solve_times) else 0.0
        result = ModelResult(
            arrays, status, f"frontier point {k}", objective=cost, gap=gap, x=x,
            timings={"handover": handover, "solve": solve_s},
            counts={"variables": arrays.num_cols, "constraints": arrays.num_rows,
                    "integers": int(arrays.integer.sum()), "nonzeros": int(arrays.A.nnz)},
        )  # fmt: skip
        sol = Solution.from_result(result, opts, extra={"frontier_point": k})
        cap_text = "none" if not np.isfinite(cap) else f"{cap * md.q:,.1f}"
        sol.message = f"frontier point {k}: risk <= {cap_text}"
        sols[k] = sol
        rows.append({**row, "cost": cost * md.m, "risk": float(sweep.risk @ x) * md.q})
    return rows, sols


def _dominated(points: pd.DataFrame, constant: float = 0.0, tol: float = 1e-7) -> list[bool]:
    """A point is dominated if another has no more cost and no more risk, and less of one; of identical
    points only the first is kept. Costs are compared without the objective's `constant` (fixed O&M of
    existing capacity): a tolerance relative to a total swollen by a constant would call different plans
    equal."""
    cost = points.cost.to_numpy(dtype=float) - constant
    risk = points.risk.to_numpy(dtype=float)
    out = []
    for i in range(len(points)):
        if not np.isfinite(cost[i]):
            out.append(True)
            continue
        dom = False
        for j in range(len(points)):
            if i == j or not np.isfinite(cost[j]):
                continue
            dc, dr = tol * (abs(cost[i]) + 1.0), tol * (abs(risk[i]) + 1.0)
            le = cost[j] <= cost[i] + dc and risk[j] <= risk[i] + dr
            lt = cost[j] < cost[i] - dc or risk[j] < risk[i] - dr
            if le and (lt or j < i):  # strictly better, or the same point found earlier
                dom = True
                break
        out.append(dom)
    return out
