"""Effect of the main HiGHS options on bundled and generated instances (one run, one machine).

    python benchmarks/options.py

For each instance the matrix model is built once; each option set solves it in a fresh Highs object. Printed
as a Markdown table for benchmarks/README.md: solve seconds, status, objective and its relative difference
from the default run.
"""

from __future__ import annotations

import time
from pathlib import Path

from critmin import load_instance
from critmin.backend.highs import SolveOptions, arrays_lp, configured_highs, run_loaded
from critmin.generate import synthetic
from critmin.model.assemble import model_arrays

ROOT = Path(__file__).resolve().parents[1]
OPTION_SETS = {
    "default (gap 1e-4, 1 thread, presolve on)": {},
    "mip_rel_gap 1e-2": {"mip_gap": 1e-2},
    "mip_rel_gap 0": {"mip_gap": 0.0},
    "threads 2": {"threads": 2},
    "presolve off": {"highs_options": {"presolve": "off"}},
    "LP solver ipm": {"highs_options": {"solver": "ipm"}},
}


def main() -> None:
    cases = [
        ("rare-earths/baseline-2024", load_instance(ROOT / "instances/rare-earths/baseline-2024.yaml")),
        (
            "rare-earths/controls-stochastic",
            load_instance(ROOT / "instances/rare-earths/controls-stochastic.yaml"),
        ),
        ("gallium-2024", load_instance(ROOT / "instances/gallium/gallium-2024.yaml")),
        ("generated r30 y8 s3", synthetic(30, 8, 3, 5, seed=0)),
    ]
    print("| instance | options | solve s | status | objective (scaled) | vs default |")
    print("|---|---|---|---|---|---|")
    for name, inst in cases:
        arrays = model_arrays(inst)
        base = None
        for label, kw in OPTION_SETS.items():
            opts = SolveOptions(**{"time_limit": 300, **kw})
            h = configured_highs(opts)
            lp = arrays_lp(arrays)
            h.passModel(lp)
            t = time.perf_counter()
            run = run_loaded(h, lp, arrays, opts, 0.0)
            dt = time.perf_counter() - t
            obj = run.objective
            base = obj if base is None else base
            rel = "-" if obj is None or base is None else f"{(obj - base) / abs(base):+.2e}"
            shown = "-" if obj is None else f"{obj:,.3f}"
            print(f"| {name} | {label} | {dt:.2f} | {run.status} | {shown} | {rel} |", flush=True)


if __name__ == "__main__":
    main()
