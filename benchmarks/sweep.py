"""Sweep engine throughput (issue 14): a Monte Carlo sweep of a bundled instance at 1 and 2 local Dask
workers, and through a Dask scheduler + 2 workers started as separate processes, in one run.

Reports per configuration: wall time, solves per second, mean solve time, and the per-task overhead as a
fraction of solve time — (wall x workers - total solve time) / total solve time: scheduling, transfer,
applying the job's changes to the loaded model and summarising the result. Scaling = wall(1) / wall(2).
Targets (issue 14): overhead <= 10% of solve time; two workers >= 1.7x one.

    python benchmarks/sweep.py                          # 1,000 samples of gallium-2024
    python benchmarks/sweep.py --samples 200 -o benchmarks/sweep_results.json
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from critmin.analysis.sweep import Engine, sweep  # noqa: E402
from critmin.io import load_instance  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _measure(inst, samples: int, engine: Engine, workers: int) -> dict:
    t0 = time.perf_counter()
    res = sweep(inst, {"capex": (0.8, 1.2), "imports": (0.8, 1.5)}, samples, seed=0, engine=engine)
    wall = time.perf_counter() - t0
    runs = res.runs
    solve = float(runs.solve_seconds.sum())
    return {
        "engine": engine.label,
        "workers": workers,
        "samples": samples,
        "failed": int((~runs.status.isin(["optimal", "feasible"])).sum()),
        "wall_seconds": wall,
        "solves_per_second": samples / wall,
        "mean_solve_seconds": solve / samples,
        "overhead_fraction": (wall * workers - solve) / solve,
        "objectives": runs.objective.round(3).tolist(),
    }


def _external_cluster(workers: int) -> tuple[str, list[subprocess.Popen]]:
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    sched = subprocess.Popen(
        [str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(3)
    work = subprocess.Popen(
        [str(bin_dir / "dask"), "worker", addr, "--nworkers", str(workers), "--nthreads", "1",
         "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    from distributed import Client

    with Client(addr, timeout="30s") as c:
        c.wait_for_workers(workers, timeout=60)
    return addr, [work, sched]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instance", default=str(ROOT / "instances/gallium/gallium-2024.yaml"))
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks/sweep_results.json"))
    args = ap.parse_args()
    inst = load_instance(args.instance)
    rows = [
        _measure(inst, args.samples, Engine(workers=1), 1),
        _measure(inst, args.samples, Engine(workers=2), 2),
    ]
    addr, procs = _external_cluster(2)
    try:
        rows.append(_measure(inst, args.samples, Engine(scheduler=addr), 2))
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
    same = all(r["objectives"] == rows[0]["objectives"] for r in rows)
    scaling = rows[0]["wall_seconds"] / rows[1]["wall_seconds"]
    print(f"instance {Path(args.instance).name}, {args.samples} samples, machine {platform.machine()}")
    print(f"{'engine':<38} {'wall s':>8} {'solves/s':>9} {'solve s':>8} {'overhead':>9}")
    for r in rows:
        print(
            f"{r['engine']:<38} {r['wall_seconds']:>8.1f} {r['solves_per_second']:>9.2f} "
            f"{r['mean_solve_seconds']:>8.3f} {r['overhead_fraction']:>8.1%}"
        )
    print(
        f"scaling 2 workers / 1: {scaling:.2f}x (target >= 1.7x); "
        f"identical results at every worker count: {same}"
    )
    for r in rows:
        r.pop("objectives")
    out = {"instance": Path(args.instance).name, "rows": rows, "scaling_2_over_1": scaling, "identical": same}
    Path(args.output).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
