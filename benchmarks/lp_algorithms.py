"""Which HiGHS LP algorithm for which model (issue 16): simplex, interior point with crossover, interior
point without crossover, on the synthetic benchmark sizes, for the two kinds of LP critmin solves.

  lp       a cold LP: the LP relaxation, an LP instance, diagnose's LP with the integer builds fixed
  resolve  the same model re-solved after a cost change (what the frontier and a sweep's worker do)

Each measurement runs once, in one process, on the same arrays; the objective of every run is checked
against the first. The table it prints is the one in benchmarks/README.md, and `AUTO_IPM_COLUMNS` in
src/critmin/backend/highs.py is chosen from it.

    python benchmarks/lp_algorithms.py [--sizes small,medium,large] [-o benchmarks/lp_algorithms.json]
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

SIZES = {"small": (10, 6, 2, 4), "medium": (30, 8, 3, 5), "large": (60, 11, 5, 6)}
ALGORITHMS = {
    "simplex": {"solver": "simplex"},
    "ipm + crossover": {"solver": "ipm", "run_crossover": "on"},
    "ipm, no crossover": {"solver": "ipm", "run_crossover": "off"},
}


def _solve(lp, settings: dict, resolve: bool) -> tuple[float, float]:
    h = configured_highs(SolveOptions(highs_options=settings))
    h.passModel(lp)
    t0 = time.perf_counter()
    h.run()
    first = time.perf_counter() - t0
    if not resolve:
        return first, float(h.getInfo().objective_function_value)
    n = lp.num_col_
    cost = np.asarray(lp.col_cost_) * 1.05  # a 5% cost change, as between sweep samples
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    t1 = time.perf_counter()
    h.run()
    return time.perf_counter() - t1, float(h.getInfo().objective_function_value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks/lp_algorithms.json"))
    args = ap.parse_args()
    rows = []
    for size in args.sizes.split(","):
        r, y, s, nb = SIZES[size]
        arrays = model_arrays(synthetic(regions=r, years=y, scenarios=s, neighbours=nb, seed=0))
        lp = arrays_lp(arrays)
        lp.integrality_ = []  # the LP relaxation
        for kind in ("lp", "resolve"):
            ref = None
            for name, settings in ALGORITHMS.items():
                secs, obj = _solve(lp, settings, resolve=kind == "resolve")
                ref = obj if ref is None else ref
                same = abs(obj - ref) <= 1e-6 * max(1.0, abs(ref))
                row = {"size": size, "columns": int(lp.num_col_), "rows": int(lp.num_row_), "kind": kind,
                       "algorithm": name, "seconds": secs, "objective_matches": same}  # fmt: skip
                rows.append(row)
                print(f"{size:<7} {lp.num_col_:>8,} cols  {kind:<8} {name:<18} {secs:8.2f} s  same: {same}")
    out = {"machine": platform.platform(), "python": platform.python_version(), "rows": rows}
    Path(args.output).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
