"""Which HiGHS LP algorithm for which model (issue 16): simplex, interior point with crossover, interior
point without crossover, on the synthetic benchmark sizes, for the two kinds of LP critmin solves.

  lp       a cold LP: the LP relaxation, an LP instance, diagnose's LP with the integer builds fixed
  resolve  the same model re-solved after a cost change (what the frontier and a sweep's worker do)

Each measurement runs once, in one process, on the same arrays; the objective of every run is checked
against the first. The table it prints is the one in benchmarks/README.md, and `AUTO_IPM_COLUMNS` in
src/critmin/backend/highs.py is chosen from it.

    python benchmarks/lp_algorithms.py [--sizes small,medium,large] [-o benchmarks/lp_algorithms.json]
    python benchmarks/lp_algorithms.py --sizes xl --time-limit 900 -o benchmarks/lp_algorithms_xl.json

At XL (1.2M columns) only the cold LP is measured, with a time limit per run, and PDLP (HiGHS's first-order
solver at a KKT tolerance of 1e-5) is added: simplex there takes far longer than any limit worth waiting for.
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

from critmin.backend.highs import SolveOptions, arrays_lp, configured_highs  # noqa: E402
from critmin.generate import synthetic  # noqa: E402
from critmin.model.assemble import model_arrays  # noqa: E402

SIZES = {"small": (10, 6, 2, 4), "medium": (30, 8, 3, 5), "large": (60, 11, 5, 6), "xl": (100, 21, 10, 6)}
ALGORITHMS = {
    "simplex": {"solver": "simplex"},
    "ipm + crossover": {"solver": "ipm", "run_crossover": "on"},
    "ipm, no crossover": {"solver": "ipm", "run_crossover": "off"},
}
XL_ALGORITHMS = {
    "ipm + crossover": {"solver": "ipm", "run_crossover": "on"},
    "ipm, no crossover": {"solver": "ipm", "run_crossover": "off"},
    "pdlp (kkt 1e-5)": {"solver": "pdlp", "kkt_tolerance": 1e-5},
}


def _solve(lp, settings: dict, resolve: bool, limit: float | None = None) -> tuple[float, float, str]:
    h = configured_highs(SolveOptions(highs_options=settings, time_limit=limit))
    h.passModel(lp)
    t0 = time.perf_counter()
    h.run()
    first = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    if not resolve:
        return first, float(h.getInfo().objective_function_value), status
    n = lp.num_col_
    cost = np.asarray(lp.col_cost_) * 1.05  # a 5% cost change, as between sweep samples
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    t1 = time.perf_counter()
    h.run()
    return time.perf_counter() - t1, float(h.getInfo().objective_function_value), status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks/lp_algorithms.json"))
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per run (XL)")
    args = ap.parse_args()
    rows = []
    for size in args.sizes.split(","):
        r, y, s, nb = SIZES[size]
        arrays = model_arrays(synthetic(regions=r, years=y, scenarios=s, neighbours=nb, seed=0))
        lp = arrays_lp(arrays)
        lp.integrality_ = []  # the LP relaxation
        xl = size == "xl"
        for kind in ("lp",) if xl else ("lp", "resolve"):
            ref = None
            for name, settings in (XL_ALGORITHMS if xl else ALGORITHMS).items():
                secs, obj, status = _solve(lp, settings, resolve=kind == "resolve", limit=args.time_limit)
                if status == "Optimal":
                    ref = obj if ref is None else ref
                same = status == "Optimal" and ref is not None and abs(obj - ref) <= 1e-5 * max(1.0, abs(ref))
                row = {"size": size, "columns": int(lp.num_col_), "rows": int(lp.num_row_), "kind": kind,
                       "algorithm": name, "seconds": secs, "status": status, "objective": obj,
                       "objective_matches": same}  # fmt: skip
                rows.append(row)
                print(
                    f"{size:<7} {lp.num_col_:>8,} cols  {kind:<8} {name:<18} {secs:8.2f} s  {status}  "
                    f"same: {same}",
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
