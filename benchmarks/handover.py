"""Which Pyomo -> HiGHS path is fastest for critmin models? Measured in one run on one machine.

Candidates, on the same built model (LP relaxation, so the solve is short and overhead shows):
  std_form   Pyomo's LinearStandardFormCompiler -> highspy.passModel (what critmin.solve uses)
  appsi      pyomo.contrib.appsi 'appsi_highs' (persistent interface)
  contrib    pyomo.contrib.solver 'highs' (the newer persistent interface)
Each is timed from the built model to a solved model with values loaded back into the Pyomo variables;
HiGHS's own solve time (taken from the std_form run) is subtracted to show the hand-over overhead.

Run: python benchmarks/handover.py [--regions N --years T --scenarios S]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import pyomo.environ as pyo

from critmin import build_model
from critmin.backend.pyomo_model import solve_pyomo
from critmin.generate import synthetic
from critmin.solving import SolveOptions


def relax(model: pyo.ConcreteModel) -> None:
    for v in model.build_modules.values():
        v.domain = pyo.NonNegativeReals


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", type=int, default=40)
    ap.add_argument("--years", type=int, default=11)
    ap.add_argument("--scenarios", type=int, default=3)
    a = ap.parse_args()
    inst = synthetic(a.regions, a.years, a.scenarios)
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"instance: {inst.name}")

    t = time.perf_counter()
    m = build_model(inst)
    relax(m)
    build = time.perf_counter() - t
    t = time.perf_counter()
    run = solve_pyomo(m, SolveOptions())
    total = time.perf_counter() - t
    obj = pyo.value(m.total_cost)
    print(
        f"model: {run.counts['variables']:,} columns, {run.counts['constraints']:,} rows, "
        f"{run.counts['nonzeros']:,} nonzeros; build {build:.2f}s"
    )
    highs_solve = run.timings["solve"]
    results = {"std_form": total - highs_solve}
    print(
        f"  std_form   total {total:6.2f}s  (~{total - highs_solve:5.2f}s beyond HiGHS's solve of "
        f"{highs_solve:.2f}s)  objective {obj:.6g}"
    )

    for name in ("appsi_highs", "highs"):
        m2 = build_model(inst)
        relax(m2)
        solver = pyo.SolverFactory(name)
        t = time.perf_counter()
        res = solver.solve(m2)
        total = time.perf_counter() - t
        obj2 = pyo.value(m2.total_cost)
        results[name] = total - highs_solve
        print(
            f"  {name:<11}total {total:6.2f}s  (~{total - highs_solve:5.2f}s beyond HiGHS's solve)  "
            f"objective {obj2:.6g}  {res.solver.termination_condition}"
        )
    best = min(results, key=results.get)
    print(
        "ratios of hand-over overhead to std_form: "
        + ", ".join(f"{k} {v / results['std_form']:.1f}x" for k, v in results.items())
    )
    print(f"fastest: {best}")


if __name__ == "__main__":
    main()
