"""Choose critmin's HiGHS defaults by measurement: candidate option sets, each over several random seeds, on
every bundled MIP instance and the generated benchmark sizes.

    python benchmarks/solver_defaults.py [--seeds 0 1 2] [--sizes small medium] [--time-limit 120]

One HiGHS solve per (instance, option set, seed), in this process, one thread. Reported per option set and
instance: the median and the worst CPU seconds of the solve over the seeds (CPU time, not wall time, so a
busy machine does not bias the comparison), the median simplex iterations and MIP nodes, and whether every
seed reached the same optimum within the gap. Seed noise is large on near-tied MIPs (one model varied 30-53 s
across seeds), so no choice rests on one run. Written to benchmarks/solver_defaults.json and printed as the
Markdown table in benchmarks/README.md.

    python benchmarks/solver_defaults.py --defaults-only --out benchmarks/solver_work.json    # make bench
    python benchmarks/solver_defaults.py --defaults-only --check benchmarks/solver_work.json  # bench-check

The regression guard (`make bench-check`) measures critmin's own defaults only, over the recorded seeds, and
compares the work with the recorded run: the median simplex iterations (deterministic for a seed, so a
change there is the model's or the solver's, never the machine's) and the median CPU seconds. It fails when
either grew by more than 25% (CPU: and by more than 0.05 s, below which timer noise dominates), or when the
objective moved by more than the gap.
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
from critmin.backend.highs import DEFAULT_MIP_GAP, MIP_DEFAULTS, SolveOptions
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
DEFAULTS = "+ root reduced-cost heuristic off (critmin's default)"
CANDIDATES: dict[str, dict[str, Any]] = {
    "HiGHS defaults": HIGHS_OWN,
    "root sub-MIPs off": SUB_MIPS_OFF,
    "root sub-MIPs and restarts off": {**SUB_MIPS_OFF, "mip_allow_restart": False},
    DEFAULTS: {**HIGHS_OWN, **MIP_DEFAULTS},  # what the code uses now (the check follows it)
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
    ap.add_argument("--defaults-only", action="store_true", help="measure critmin's defaults only")
    ap.add_argument("--check", type=Path, help="compare the work with this recorded run; exit 1 if worse")
    args = ap.parse_args()
    candidates = CANDIDATES
    if args.defaults_only:
        candidates = {DEFAULTS: CANDIDATES[DEFAULTS]}
    if args.check:  # the recorded run's seeds, instances and sizes, or the medians are not comparable
        recorded = json.loads(args.check.read_text())
        args.seeds = recorded["meta"]["seeds"]
        names = {r["instance"] for r in recorded["results"]}
        args.instances = [n for n in BUNDLED if n in names]
        args.sizes = [s for s in SIZES if f"generated {s}" in names]
    cases = [(rel, load_instance(ROOT / "instances" / rel)) for rel in args.instances]
    cases += [(f"generated {s}", synthetic(*SIZES[s], 5, seed=0)) for s in args.sizes]
    results: list[dict[str, Any]] = []
    for name, inst in cases:
        arrays = model_arrays(inst)
        if not arrays.integer.any():
            continue
        for label, options in candidates.items():
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
        "seeds": args.seeds,
    }
    if args.check:
        raise SystemExit(check(results, json.loads(args.check.read_text())["results"]))
    args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print_table(results)


def check(results: list[dict[str, Any]], recorded: list[dict[str, Any]]) -> int:
    """Compare this run's work with the recorded run's, row by row (instance, option set); 1 if any is
    worse by more than the tolerances in the module docstring."""
    before = {(r["instance"], r["options"]): r for r in recorded}
    bad = 0
    print(
        "\n| instance | iterations: recorded -> now | CPU s median: recorded -> now | objective | verdict |"
    )
    print("|---|---|---|---|---|")
    for r in results:
        old = before.get((r["instance"], r["options"]))
        if old is None:
            print(f"| {r['instance']} | not recorded | | | - |")
            continue
        it0, it1 = old["iterations_median"], r["iterations_median"]
        cpu0, cpu1 = old["cpu_median"], r["cpu_median"]
        obj0 = statistics.median(x["objective"] for x in old["runs"] if x["objective"] is not None)
        obj1 = statistics.median(x["objective"] for x in r["runs"] if x["objective"] is not None)
        moved = abs(obj1 - obj0) / max(1.0, abs(obj0))
        worse = [
            *(["iterations"] if it1 > 1.25 * it0 + 100 else []),
            *(["CPU"] if cpu1 > 1.25 * cpu0 + 0.05 else []),
            *(["objective"] if moved > 2 * DEFAULT_MIP_GAP else []),
        ]
        bad += bool(worse)
        verdict = "worse: " + ", ".join(worse) if worse else "ok"
        print(
            f"| {r['instance']} | {it0:,.0f} -> {it1:,.0f} | {cpu0:.2f} -> {cpu1:.2f} | {moved:.1e} "
            f"| {verdict} |"
        )
    print(f"\nbench-check (solver work over seeds): {bad} row(s) worse than recorded")
    return 1 if bad else 0


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
