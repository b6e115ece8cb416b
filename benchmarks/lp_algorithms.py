"""Which HiGHS LP algorithm for which model (issues 16, 25): simplex, interior point with crossover, interior
point without crossover and HiPDLP (first-order), on the synthetic benchmark sizes, for the two kinds of LP
critmin solves.

  lp       a cold LP: the LP relaxation, an LP instance, diagnose's LP with the integer builds fixed
  resolve  the same model re-solved after a cost change (what the frontier and a sweep's worker do)

Each measurement runs once, in one process, on the same arrays; the objective of every run is checked
against the first. The table it prints is the one in benchmarks/README.md, and `AUTO_PDLP_COLUMNS` in
src/critmin/backend/highs.py is chosen from it.

    python benchmarks/lp_algorithms.py [--sizes small,medium,large] [-o benchmarks/lp_algorithms.json]
    python benchmarks/lp_algorithms.py --sizes xl --time-limit 900 -o benchmarks/lp_algorithms_xl.json
    python benchmarks/lp_algorithms.py --sizes xl --algorithms hipdlp --time-limit 900 \
        -o benchmarks/lp_algorithms_xl_hipdlp.json

At XL (3.3M columns) only the cold LP is measured, with a time limit per run, and PDLP (HiGHS's older
first-order solver at a KKT tolerance of 1e-5) is added: simplex there takes far longer than any limit worth
waiting for. HiPDLP (HiGHS's newer first-order solver, at critmin's PDLP_TOLERANCE) runs at every size, cold
LPs only; a first-order objective is compared with the exact one by its relative difference. `--algorithms
hipdlp` runs only the named algorithms (the first word of each name).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from critmin.backend.highs import PDLP_TOLERANCE, SolveOptions, arrays_lp, configured_highs  # noqa: E402
from critmin.generate import synthetic  # noqa: E402
from critmin.model.assemble import model_arrays  # noqa: E402

SIZES = {"small": (10, 6, 2, 4), "medium": (30, 8, 3, 5), "large": (60, 11, 5, 6), "xl": (100, 21, 10, 6)}
HIPDLP = {"solver": "hipdlp", "kkt_tolerance": PDLP_TOLERANCE}  # critmin's choice from AUTO_PDLP_COLUMNS
ALGORITHMS = {
    "simplex": {"solver": "simplex"},
    "ipm + crossover": {"solver": "ipm", "run_crossover": "on"},
    "ipm, no crossover": {"solver": "ipm", "run_crossover": "off"},
    "hipdlp (kkt 1e-4)": HIPDLP,
}
XL_ALGORITHMS = {
    "ipm + crossover": {"solver": "ipm", "run_crossover": "on"},
    "ipm, no crossover": {"solver": "ipm", "run_crossover": "off"},
    "pdlp (kkt 1e-5)": {"solver": "pdlp", "kkt_tolerance": 1e-5},
    "hipdlp (kkt 1e-4)": HIPDLP,
}
FIRST_ORDER = ("pdlp", "hipdlp")  # a warm re-solve gains nothing from them: not measured as `resolve`


def _solve(lp, settings: dict, resolve: bool, limit: float | None = None) -> tuple[float, float, str, dict]:
    """Seconds, objective, HiGHS's status and, for a first-order run, its accuracy."""
    h = configured_highs(SolveOptions(highs_options=settings, time_limit=limit))
    h.passModel(lp)
    t0 = time.perf_counter()
    h.run()
    first = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    accuracy = {}
    if info.pdlp_iteration_count > 0:
        accuracy = {
            "pdlp_iterations": int(info.pdlp_iteration_count),
            "primal_dual_objective_error": float(info.primal_dual_objective_error),
            "max_relative_primal_infeasibility": float(info.max_relative_primal_infeasibility),
        }
    if not resolve:
        return first, float(info.objective_function_value), status, accuracy
    n = lp.num_col_
    cost = np.asarray(lp.col_cost_) * 1.05  # a 5% cost change, as between sweep samples
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    t1 = time.perf_counter()
    h.run()
    return time.perf_counter() - t1, float(h.getInfo().objective_function_value), status, accuracy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks/lp_algorithms.json"))
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per run (XL)")
    ap.add_argument("--algorithms", default=None, help="only these (comma-separated names, e.g. hipdlp)")
    args = ap.parse_args()
    rows = []
    wanted = {a.strip() for a in args.algorithms.split(",")} if args.algorithms else None
    for size in args.sizes.split(","):
        r, y, s, nb = SIZES[size]
        arrays = model_arrays(synthetic(regions=r, years=y, scenarios=s, neighbours=nb, seed=0))
        lp = arrays_lp(arrays)
        lp.integrality_ = []  # the LP relaxation
        xl = size == "xl"
        for kind in ("lp",) if xl else ("lp", "resolve"):
            ref = None
            for name, settings in (XL_ALGORITHMS if xl else ALGORITHMS).items():
                if wanted and name.split()[0] not in wanted:
                    continue
                if kind == "resolve" and settings["solver"] in FIRST_ORDER:
                    continue
                secs, obj, status, accuracy = _solve(
                    lp, settings, resolve=kind == "resolve", limit=args.time_limit
                )
                exact = settings["solver"] not in FIRST_ORDER
                if status == "Optimal" and exact:
                    ref = obj if ref is None else ref
                diff = None
                if status == "Optimal" and ref is not None:
                    diff = abs(obj - ref) / max(1.0, abs(ref))
                same = None if diff is None else diff <= (1e-5 if exact else 10 * PDLP_TOLERANCE)
                row = {"size": size, "columns": int(lp.num_col_), "rows": int(lp.num_row_), "kind": kind,
                       "algorithm": name, "seconds": secs, "status": status, "objective": obj,
                       "objective_rel_diff": diff, "objective_matches": same, **accuracy}  # fmt: skip
                rows.append(row)
                print(
                    f"{size:<7} {lp.num_col_:>8,} cols  {kind:<8} {name:<18} {secs:8.2f} s  {status}  "
                    f"same: {same}  rel diff: {diff if diff is None else f'{diff:.2g}'}  {accuracy or ''}",
                    flush=True,
                )
    out = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "time_limit": args.time_limit,
        "rows": rows,
    }
    Path(args.output).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
