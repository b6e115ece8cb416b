"""The sweep engine: run many independent jobs (analysis/jobs.py) on Dask, gather their outcomes in order.

`workers=0` runs the jobs here, one after another (tests, small analyses); `workers=N` starts an embedded
`distributed.LocalCluster` of N single-threaded worker processes; `scheduler="tcp://host:8786"` uses an
existing Dask cluster (its workers need critmin installed). The instance is sent to each worker once
(scattered), jobs go in chunks so scheduling costs little next to a solve, and each worker keeps the
model loaded between jobs (jobs.py). Outcomes come back in the jobs' order whatever finished first, so a
sweep gives the same table at any worker count. A job that fails or hits its time limit is reported in its
row (status 'error' with the message, or the limit's status), never fatal to the sweep.

Also here: Monte Carlo over uncertain cost inputs (`sweep`, `critmin sweep --vary capex=0.8:1.2`).
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..backend.result import ERROR
from ..errors import CritminError
from ..schema import Instance
from .jobs import COST_FACTORS, MODEL_FACTORS, Job, Outcome, run_job
from .output import AnalysisResult

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Engine:
    """Where jobs run: `workers` local processes (0: this process) or an existing `scheduler` address."""

    workers: int = 0
    scheduler: str | None = None
    chunk: int | None = None  # jobs per task (default: enough tasks for 4 per worker, at most 25 jobs each)

    @property
    def label(self) -> str:
        if self.scheduler:
            return f"Dask scheduler {self.scheduler}"
        return "this process" if self.workers == 0 else f"{self.workers} local Dask worker(s)"


def default_workers() -> int:
    """One worker per core (each solve uses one thread)."""
    return max(1, os.cpu_count() or 1)


def _run_chunk(instance: Instance, jobs: Sequence[Job], options: SolveOptions) -> list[Outcome]:
    """Run jobs in this worker; an exception becomes that job's 'error' outcome, not the chunk's."""
    out = []
    for job in jobs:
        t0 = time.perf_counter()
        try:
            out.append(run_job(instance, job, options))
        except Exception as exc:  # a bad job must not sink the sweep: its row says what went wrong
            msg = str(exc) or type(exc).__name__
            out.append(Outcome(job.key, ERROR, msg, seconds=time.perf_counter() - t0, label=dict(job.label)))
    return out


def run_jobs(
    instance: Instance,
    jobs: Sequence[Job],
    *,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Outcomes of `jobs`, in their order."""
    opts = options or SolveOptions()
    eng = engine or Engine()
    keys = [j.key for j in jobs]
    if len(set(keys)) != len(keys):
        raise CritminError("internal: job keys must be unique")
    tick = progress or (lambda _done, _total: None)
    if eng.workers == 0 and not eng.scheduler:
        out = []
        for i, job in enumerate(jobs):
            out.extend(_run_chunk(instance, [job], opts))
            tick(i + 1, len(jobs))
        return out
    return _run_dask(instance, list(jobs), opts, eng, tick)


def _chunks(jobs: list[Job], eng: Engine, workers: int) -> list[list[Job]]:
    size = eng.chunk or max(1, min(25, len(jobs) // max(1, 4 * workers)))
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _run_dask(
    instance: Instance, jobs: list[Job], opts: SolveOptions, eng: Engine, tick: Progress
) -> list[Outcome]:
    from distributed import Client, LocalCluster, as_completed

    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None
    try:
        if eng.scheduler:
            client = Client(eng.scheduler, timeout="20s")
        else:
            with warnings.catch_warnings():  # e.g. "port 8787 in use": nothing a user of critmin must act on
                warnings.simplefilter("ignore")
                cluster = LocalCluster(
                    n_workers=eng.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                client = Client(cluster)
    except OSError as exc:
        raise CritminError(f"could not reach the Dask scheduler {eng.scheduler}: {exc}") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        inst = client.scatter(instance, broadcast=True)
        chunks = _chunks(jobs, eng, workers)
        futures = {
            client.submit(_run_chunk, inst, chunk, opts, pure=False): n for n, chunk in enumerate(chunks)
        }
        results: dict[int, list[Outcome]] = {}
        done = 0
        for fut in as_completed(futures):
            n = futures[fut]
            try:
                results[n] = fut.result()
            except Exception as exc:  # the worker died or could not run the chunk
                results[n] = [
                    Outcome(j.key, ERROR, f"task failed: {exc}", label=dict(j.label)) for j in chunks[n]
                ]
            done += len(chunks[n])
            tick(done, len(jobs))
        return [o for n in range(len(chunks)) for o in results[n]]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- Monte Carlo over cost inputs -------------------------------------------------------------------------
def parse_vary(specs: Sequence[str]) -> dict[str, tuple[float, float]]:
    """'capex=0.8:1.2' -> {'capex': (0.8, 1.2)}: a multiplier drawn uniformly between the two."""
    out: dict[str, tuple[float, float]] = {}
    for spec in specs:
        name, _, rng = spec.partition("=")
        name = name.strip()
        known = [*COST_FACTORS, *MODEL_FACTORS]
        if name not in known:
            import difflib

            near = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise CritminError(f"--vary {spec!r}: unknown input '{name}'{hint}; use {', '.join(known)}")
        lo_s, sep, hi_s = rng.partition(":")
        try:
            lo, hi = float(lo_s), float(hi_s if sep else lo_s)
        except ValueError:
            raise CritminError(f"--vary {spec!r}: write NAME=LOW:HIGH, e.g. capex=0.8:1.2") from None
        if not (0 <= lo <= hi < 1e6) or not np.isfinite(hi):
            raise CritminError(f"--vary {spec!r}: need 0 <= LOW <= HIGH (multipliers)")
        out[name] = (lo, hi)
    if not out:
        raise CritminError("give at least one --vary NAME=LOW:HIGH")
    return out


def sweep(
    instance: Instance,
    vary: dict[str, tuple[float, float]],
    samples: int = 100,
    *,
    seed: int = 0,
    scenario: str | None = None,
    keep: int = 0,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Monte Carlo: `samples` solves with each varied input drawn uniformly (seeded: the same draws for the
    same seed, whatever the engine). Cost multipliers re-use each worker's loaded model; 'demand' rebuilds the
    model per sample (slower). Keeps the first `keep` runs' solutions."""
    if samples < 1:
        raise CritminError("--samples must be at least 1")
    rng = np.random.default_rng(seed)
    names = sorted(vary)
    draws = np.column_stack([rng.uniform(*vary[n], size=samples) for n in names])
    jobs = [
        Job(
            key=f"sample_{i:05d}",
            scenario=scenario,
            factors=tuple(zip(names, map(float, draws[i]), strict=True)),
            keep=i < keep,
            label={"sample": i, **{f"{n}_factor": float(draws[i, k]) for k, n in enumerate(names)}},
        )
        for i in range(samples)
    ]
    t0 = time.perf_counter()
    outcomes = run_jobs(instance, jobs, options=options, engine=engine, progress=progress)
    wall = time.perf_counter() - t0
    runs = outcome_table(outcomes)
    ok = runs[runs.status.isin(["optimal", "feasible"])]
    stats = _statistics(ok)
    inert = sorted({n for o in outcomes for n in o.inert})
    headline = [
        f"warning: {n} is not a cost of this instance (e.g. imports are priced only with a planner): "
        "varying it changes nothing"
        for n in inert
    ]
    facts = {
        "samples": samples,
        "seed": seed,
        "varied": {n: list(vary[n]) for n in names},
        "solved": int(len(ok)),
        "failed": int(len(runs) - len(ok)),
        "engine": (engine or Engine()).label,
        "inert": inert,
        "wall_seconds": wall,
        "solve_seconds": float(runs.solve_seconds.sum()),
    }
    return AnalysisResult(
        kind="sweep",
        title=f"Monte Carlo sweep of {instance.name}: {samples} samples",
        method="Uniform draws of input multipliers (seeded); each sample is one full solve of the instance.",
        facts=facts,
        tables={"summary": stats, "runs": runs},
        currency=instance.units.currency,
        solutions={o.key: o.solution for o in outcomes if o.solution is not None},
        headline=headline,
    )


def _statistics(ok: pd.DataFrame) -> pd.DataFrame:
    """Mean, 5th/50th/95th percentiles, min and max of the planner's cost, the value not served and the
    expected allied shortfall over the solved samples (one column per metric, so each prints in its unit)."""
    metrics = ["planner_cost", "unserved", "expected_unmet"]
    rows = []
    for name, fn in (
        ("mean", "mean"),
        ("p05", 0.05),
        ("p50", 0.5),
        ("p95", 0.95),
        ("min", "min"),
        ("max", "max"),
    ):
        row: dict[str, object] = {"statistic": name}
        for m in metrics:
            v = ok[m].astype(float)
            row[m] = (getattr(v, fn)() if isinstance(fn, str) else v.quantile(fn)) if len(v) else None
        rows.append(row)
    return pd.DataFrame(rows, columns=["statistic", *metrics])


def outcome_table(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """One tidy row per job: its labels, status, costs and allied shortfall."""
    rows = []
    for o in outcomes:
        rows.append(
            {
                **o.label,
                "key": o.key,
                "status": o.status,
                "objective": o.objective,
                "planner_cost": o.planner_cost,
                "unserved": o.unserved,
                "expected_unmet": o.expected_unmet,
                "solve_seconds": o.solve_seconds,
                "seconds": o.seconds,
                "message": o.message,
            }
        )
    return pd.DataFrame(rows)
