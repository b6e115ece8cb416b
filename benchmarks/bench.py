"""critmin benchmark suite: sizes from small to XL, both engines, LP relaxation and MIP, against HiGHS alone.

    python benchmarks/bench.py [--sizes small,medium,large,xl] [--mip-time-limit 120] [-o results.json]
    python benchmarks/bench.py --check benchmarks/results.json     # regression guard (>25% worse fails)

Each measurement runs in its own subprocess so peak memory (max RSS) belongs to that run alone:
  load     write the synthetic instance (YAML + CSV) and read + validate it back
  build    Pyomo engine: build_model; matrix engine: compile + build_matrix
  handover Pyomo engine: standard-form compile + passModel; matrix engine: HighsLp + passModel
  solve    HiGHS's run() (LP relaxation, and the MIP with a time limit)
  extract  result tables
  highs    HiGHS alone: read the exported MPS and solve it (its own peak memory is the reference)
Ratios reported: non-solve time / HiGHS solve time, Pyomo build+handover / matrix build+handover, and peak
memory / HiGHS-alone peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {
    # regions, years, scenarios, neighbours
    "small": (10, 6, 2, 4),
    "medium": (30, 8, 3, 5),
    "large": (60, 11, 5, 6),
    "xl": (100, 21, 10, 6),
}
HERE = Path(__file__).resolve().parent


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(
    size: str,
    engine: str,
    mode: str,
    mip_time_limit: float,
    workdir: Path,
    lp_time_limit: float | None = None,
) -> dict:
    """One measurement, inside its own process."""
    import numpy as np

    from critmin.generate import synthetic_data, write_instance
    from critmin.io import load_instance
    from critmin.solving import SolveOptions

    r, y, s, nb = SIZES[size]
    out: dict = {"size": size, "engine": engine, "mode": mode}
    t = time.perf_counter()
    path = write_instance(synthetic_data(r, y, s, nb, seed=0), workdir / size, name="inst")
    inst = load_instance(path)
    out["load"] = time.perf_counter() - t
    opts = SolveOptions(mip_gap=1e-4, time_limit=mip_time_limit if mode == "mip" else lp_time_limit)
    from critmin.results import Solution

    if engine == "matrix":
        from critmin.backend.highs import arrays_lp, new_highs, solve_arrays
        from critmin.model.assemble import assemble
        from critmin.model.data import compile_instance

        t = time.perf_counter()
        arrays = assemble(compile_instance(inst))
        out["build"] = time.perf_counter() - t
        if mode == "lp":
            arrays.integer[:] = False
        run = solve_arrays(arrays, opts)
        if mode == "lp":
            h = new_highs()
            h.setOptionValue("output_flag", False)
            h.passModel(arrays_lp(arrays))
            h.writeModel(str(workdir / f"{size}.mps"))
            del h
    else:
        import pyomo.environ as pyo

        from critmin import build_model
        from critmin.backend.pyomo_model import solve_pyomo

        t = time.perf_counter()
        model = build_model(inst)
        out["build"] = time.perf_counter() - t
        if mode == "lp":
            for v in model.build_modules.values():
                v.domain = pyo.NonNegativeReals
        run = solve_pyomo(model, opts)
    t = time.perf_counter()
    if run.x is None:  # no solution within the limit: time extraction on a zero plan instead
        import dataclasses

        zero = dataclasses.replace(run, status="feasible", x=np.zeros(run.arrays.num_cols))
        Solution.from_result(zero, opts)
        out["extract_on_zero_plan"] = True
    else:
        Solution.from_result(run, opts)
    out["extract"] = time.perf_counter() - t
    out.update(
        {
            "handover": run.timings["handover"],
            "solve": run.timings["solve"],
            "status": run.status,
            "objective": run.objective,
            "columns": run.counts["variables"],
            "rows": run.counts["constraints"],
            "nonzeros": run.counts["nonzeros"],
            "integers": run.counts["integers"] if mode == "mip" else 0,
            "peak_mb": _maxrss_mb(),
        }
    )
    return out


def run_highs_alone(mps: Path, time_limit: float | None = None) -> dict:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    t = time.perf_counter()
    h.readModel(str(mps))
    read = time.perf_counter() - t
    t = time.perf_counter()
    h.run()
    return {
        "read": read,
        "solve": time.perf_counter() - t,
        "objective": h.getInfo().objective_function_value,
        "status": h.modelStatusToString(h.getModelStatus()),
        "peak_mb": _maxrss_mb(),
    }


def _sub(args: list[str]) -> dict:
    r = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": r.stderr[-2000:]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def ratios(res: dict) -> dict:
    out = {}
    for size, runs in res["runs"].items():
        hi = runs.get("highs_alone", {})
        for key in ("matrix_lp", "pyomo_lp", "matrix_mip", "pyomo_mip"):
            m = runs.get(key)
            if not m or "error" in m:
                continue
            non_solve = m["load"] + m["build"] + m["handover"] + m["extract"]
            out[f"{size}/{key}/non_solve_over_solve"] = non_solve / max(m["solve"], 1e-9)
            if hi.get("peak_mb"):
                out[f"{size}/{key}/peak_over_highs"] = m["peak_mb"] / hi["peak_mb"]
        m = runs.get("matrix_lp")
        if m and "error" not in m and hi.get("read"):
            out[f"{size}/matrix_build_handover_over_highs_mps_read"] = (m["build"] + m["handover"]) / hi[
                "read"
            ]
        p, m = runs.get("pyomo_lp"), runs.get("matrix_lp")
        if p and m and "error" not in p and "error" not in m:
            out[f"{size}/pyomo_over_matrix_build_handover"] = (p["build"] + p["handover"]) / (
                m["build"] + m["handover"]
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--mip-time-limit", type=float, default=60.0)
    ap.add_argument("--skip-pyomo-above", default="xl", help="largest size the Pyomo engine runs at")
    ap.add_argument(
        "--xl-lp-time-limit",
        type=float,
        default=300.0,
        help="time limit on XL LP solves (the non-solve/solve ratio is then an upper bound)",
    )
    ap.add_argument("-o", "--output", default=str(HERE / "results.json"))
    ap.add_argument("--check", help="compare this run's ratios with a recorded results.json")
    ap.add_argument("--one", nargs=4, metavar=("SIZE", "ENGINE", "MODE", "WORKDIR"), help=argparse.SUPPRESS)
    ap.add_argument("--highs-alone", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        size, engine, mode, workdir = a.one
        lp_limit = a.xl_lp_time_limit if size == "xl" else None
        print(json.dumps(run_one(size, engine, mode, a.mip_time_limit, Path(workdir), lp_limit)))
        return
    if a.highs_alone:
        lp_limit = a.xl_lp_time_limit if "xl" in Path(a.highs_alone).name else None
        print(json.dumps(run_highs_alone(Path(a.highs_alone), lp_limit)))
        return
    if a.check:  # measure under the recorded run's settings, or the ratios are not comparable
        recorded_run = json.loads(Path(a.check).read_text())
        a.mip_time_limit = recorded_run.get("mip_time_limit", a.mip_time_limit)
        a.xl_lp_time_limit = recorded_run.get("xl_lp_time_limit", a.xl_lp_time_limit)
        print(
            f"bench-check: MIP time limit {a.mip_time_limit:g} s, XL LP limit {a.xl_lp_time_limit:g} s "
            "(from the recorded run)"
        )
    order = list(SIZES)
    limit = order.index(a.skip_pyomo_above)
    res = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "mip_time_limit": a.mip_time_limit,
        "xl_lp_time_limit": a.xl_lp_time_limit,
        "runs": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for size in a.sizes.split(","):
            runs = {}
            for mode in ("lp", "mip"):
                for engine in ("matrix", "pyomo"):
                    if engine == "pyomo" and order.index(size) > limit:
                        continue
                    runs[f"{engine}_{mode}"] = _sub(
                        [
                            "--one",
                            size,
                            engine,
                            mode,
                            tmp,
                            "--mip-time-limit",
                            str(a.mip_time_limit),
                            "--xl-lp-time-limit",
                            str(a.xl_lp_time_limit),
                        ]
                    )
                    print(size, engine, mode, json.dumps(runs[f"{engine}_{mode}"]), flush=True)
            mps = Path(tmp) / f"{size}.mps"
            if mps.exists():
                runs["highs_alone"] = _sub(
                    ["--highs-alone", str(mps), "--xl-lp-time-limit", str(a.xl_lp_time_limit)]
                )
                print(size, "highs_alone", json.dumps(runs["highs_alone"]), flush=True)
            res["runs"][size] = runs
    res["ratios"] = ratios(res)
    for k, v in res["ratios"].items():
        print(f"{k:<55} {v:8.3f}")
    if a.check:
        recorded = json.loads(Path(a.check).read_text()).get("ratios", {})
        worse = {
            k: (recorded[k], v)
            for k, v in res["ratios"].items()
            if k in recorded
            and v > 1.25 * recorded[k]
            and not k.endswith("non_solve_over_solve")
            or (k in recorded and k.endswith("non_solve_over_solve") and v > 1.25 * recorded[k] + 0.05)
        }
        if worse:
            for k, (old, new) in worse.items():
                print(f"REGRESSION {k}: recorded {old:.3f}, now {new:.3f} (> 25% worse)")
            sys.exit(1)
        print("bench-check: no ratio more than 25% worse than recorded")
        return
    Path(a.output).write_text(json.dumps(res, indent=2) + "\n")
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
