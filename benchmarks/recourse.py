"""What recourse builds cost in model size and solve time: each stochastic instance solved with builds
decided per branch after a reveal (the default) and with every build first-stage (`recourse: false`).

    python benchmarks/recourse.py [--seeds 0 1 2] [--time-limit 300]

Recourse multiplies build columns by the branches a reveal opens, so the model grows; the question is whether
the solve slows. One HiGHS solve per (instance, mode, seed) in this process with critmin's defaults; CPU
seconds (median and worst over the seeds, so seed noise on near-tied MIPs does not decide), columns, integer
columns and the optimum. The generated medium size has no reveal years of its own: its scenarios are revealed
in its third year here so that recourse has branches to open. Written to benchmarks/recourse.json and printed
as the Markdown table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from critmin import load_instance
from critmin.backend.highs import SolveOptions
from critmin.backend.session import Session
from critmin.generate import synthetic_data
from critmin.io.instance_io import validate_instance
from critmin.model.assemble import model_arrays
from critmin.schema import Instance

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = [
    "rare-earths/controls-stochastic.yaml",
    "rare-earths/allied-frameworks-2025.yaml",
    "rare-earths/controls-cvar.yaml",
    "gallium/gallium-2024.yaml",
]


def generated_with_reveal() -> Instance:
    """The benchmark's medium size (30 regions x 8 years x 3 scenarios), revealed in its third year."""
    data = synthetic_data(30, 8, 3, 5, seed=0)
    third = sorted(data["horizon"]["years"])[2]
    for s in data.get("scenarios", []):
        s["revealed"] = third
    return validate_instance(data)


def measure(inst: Instance, recourse: bool, seed: int, time_limit: float) -> dict[str, Any]:
    arrays = model_arrays(inst.model_copy(update={"recourse": recourse}))
    session = Session(arrays, SolveOptions(seed=seed, time_limit=time_limit))
    cpu = time.process_time()
    run = session.solve()
    cpu = time.process_time() - cpu
    return {
        "cpu": cpu,
        "status": run.status,
        "objective": run.objective,
        "columns": int(arrays.A.shape[1]),
        "integers": int(arrays.integer.sum()),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--time-limit", type=float, default=300.0)
    args = ap.parse_args()
    cases = [(name, load_instance(ROOT / "instances" / name)) for name in BUNDLED]
    cases.append(("generated medium (revealed in year 3)", generated_with_reveal()))
    results = []
    for name, inst in cases:
        for recourse in (False, True):
            runs = [measure(inst, recourse, seed, args.time_limit) for seed in args.seeds]
            row = {
                "instance": name,
                "builds": "recourse (default)" if recourse else "first-stage only",
                "columns": runs[0]["columns"],
                "integers": runs[0]["integers"],
                "cpu_median": statistics.median(r["cpu"] for r in runs),
                "cpu_worst": max(r["cpu"] for r in runs),
                "objective": runs[0]["objective"],
                "status": sorted({r["status"] for r in runs}),
            }
            results.append(row)
            print(
                f"{name:40} {row['builds']:20} cols {row['columns']:>9,} int {row['integers']:>5} "
                f"cpu median {row['cpu_median']:7.2f} worst {row['cpu_worst']:7.2f} "
                f"obj {row['objective']:.6g}",
                flush=True,
            )
    out = {
        "machine": f"{platform.platform()}, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "seeds": args.seeds,
        "results": results,
    }
    (ROOT / "benchmarks" / "recourse.json").write_text(json.dumps(out, indent=1))
    print()
    print(
        "| instance | builds | columns | integers | CPU s median (worst) "
        "| optimum (objective, model money units: US$ m) |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['instance']} | {r['builds']} | {r['columns']:,} | {r['integers']} | "
            f"{r['cpu_median']:.2f} ({r['cpu_worst']:.2f}) | {r['objective']:.6g} |"
        )


if __name__ == "__main__":
    main()
