"""Choose critmin's HiGHS defaults by measurement: candidate option sets, each over several random seeds, on
every bundled MIP instance and the generated benchmark sizes.

    python benchmarks/solver_defaults.py [--seeds 0 1 2] [--sizes small medium] [--time-limit 120]

One HiGHS solve per (instance, option set, seed), in this process, one thread. Reported per option set and
instance: the median and the worst CPU seconds of the solve over the seeds (CPU time, not wall time, so a
busy machine does not bias the comparison), the median simplex iterations and MIP nodes, and whether every
seed reached the same optimum within the gap. Seed noise is large on near-tied MIPs (one model varied 30-53 s
across seeds), so no choice rests on one run. Written to benchmarks/solver_defaults.json and printed as the
Markdown table in benchmarks/README.md.
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
from critmin.generate import synthetic
from critmin.model.assemble import model_arrays

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = [
    "demo/demo.yaml",
    "rare-earths/china-controls-oct2025.yaml",
    "rare-earths/controls-stochastic.yaml",
    "rare-earths/allied-frameworks-2025.yaml",
    "rare-earths/controls-cvar.yaml",
    "gallium/gallium-2024.yaml",
]
SIZES = {"small": (10, 6, 2), "medium": (30, 8, 3)}
# every candidate sets all four options, so critmin's own defaults (backend/highs.py: MIP_DEFAULTS) never
# stand in for HiGHS's
HIGHS_OWN = {
    "mip_heuristic_run_rens": True,
    "mip_heuristic_run_rins": True,
    "mip_allow_restart": True,
    "mip_heuristic_run_root_reduced_cost": True,
}
SUB_MIPS_OFF = {**HIGHS_OWN, "mip_heuristic_run_rens": False, "mip_heuristic_run_rins": False}
CANDIDATES: dict[str, dict[str, Any]] = {
    "HiGHS defaults": HIGHS_OWN,
    "root sub-MIPs off": SUB_MIPS_OFF,
    "root sub-MIPs and restarts off": {**SUB_MIPS_OFF, "mip_allow_restart": False},
    "+ root reduced-cost heuristic off (critmin's default)": {
        **SUB_MIPS_OFF,
        "mip_allow_restart": False,
        "mip_heuristic_run_root_reduced_cost": False,
    },
}


def measure(arrays: Any, options: dict[str, Any], seed: int, time_limit: float) -> dict[str, Any]:
    """One cold solve: CPU and wall seconds, status, objective, iterations and nodes."""
    session = Session(arrays, SolveOptions(seed=seed, time_limit=time_limit, highs_options=dict(options)))
    cpu, wall = time.process_time(), time.perf_counter()
    run = session.solve()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    counts = session.counts()
    return {
        "cpu": cpu,
        "wall": wall,
        "status": run.status,
        "objective": run.objective,
        "iterations": counts["simplex_iterations"],
        "nodes": counts["mip_nodes"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--sizes", nargs="*", default=list(SIZES))
    ap.add_argument("--instances", nargs="*", default=BUNDLED)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "solver_defaults.json")
    args = ap.parse_args()
    cases = [(rel, load_instance(ROOT / "instances" / rel)) for rel in args.instances]
    cases += [(f"generated {s}", synthetic(*SIZES[s], 5, seed=0)) for s in args.sizes]
    results: list[dict[str, Any]] = []
    for name, inst in cases:
        arrays = model_arrays(inst)
        if not arrays.integer.any():
            continue
        for label, options in CANDIDATES.items():
            runs = [measure(arrays, options, seed, args.time_limit) for seed in args.seeds]
            objs = [r["objective"] for r in runs if r["objective"] is not None]
            row = {
                "instance": name,
                "options": label,
                "highs_options": options,
                "seeds": args.seeds,
                "cpu_median": statistics.median(r["cpu"] for r in runs),
                "cpu_worst": max(r["cpu"] for r in runs),
                "iterations_median": statistics.median(r["iterations"] or 0 for r in runs),
                "nodes_median": statistics.median(r["nodes"] or 0 for r in runs),
                "statuses": sorted({r["status"] for r in runs}),
                "objective_spread": (max(objs) - min(objs)) / max(1.0, abs(min(objs))) if objs else None,
                "runs": runs,
            }
            results.append(row)
            print(
                f"{name:45} {label:36} cpu median {row['cpu_median']:7.2f} worst {row['cpu_worst']:7.2f} "
                f"{','.join(row['statuses'])}",
                flush=True,
            )
    meta = {
        "machine": f"{platform.platform()}, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "time_limit": args.time_limit,
    }
    args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print_table(results)


def print_table(results: list[dict[str, Any]]) -> None:
    print("\n| instance | options | CPU s median (worst) over seeds | iterations | nodes | status |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['instance']} | {r['options']} | {r['cpu_median']:.2f} ({r['cpu_worst']:.2f}) | "
            f"{r['iterations_median']:,.0f} | {r['nodes_median']:,.0f} | {', '.join(r['statuses'])} |"
        )


if __name__ == "__main__":
    main()
