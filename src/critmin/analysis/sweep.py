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

import contextlib
import itertools
import logging
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..backend.result import ERROR
from ..errors import CritminError
from ..model.data import check_scenario
from ..schema import Instance
from ..schema.uncertainty import COST_FACTORS
from .jobs import MODEL_FACTORS, Job, Outcome, followed, model_key, run_job
from .output import AnalysisResult

Progress = Callable[[int, int], None]
log = logging.getLogger("critmin")


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


Reduce = Callable[[Outcome], Any]


def _run_chunk(
    instance: Instance,
    jobs: Sequence[Job],
    options: SolveOptions,
    reduce: Reduce | None = None,
    done: dict[str, Outcome] | None = None,
) -> list[Any]:
    """Run jobs in this worker; an exception becomes that job's 'error' outcome, not the chunk's. `reduce`
    turns each outcome into what the analysis keeps (a table row), here, before it travels back. A job that
    follows one run before it in the chunk (`done`) may take its outcome (Job.follows)."""
    out: list[Any] = []
    done = {} if done is None else done
    for job in jobs:
        t0 = time.perf_counter()
        outcome = followed(job, done) if job.follows else None
        if outcome is None:
            try:
                outcome = run_job(instance, job, options)
            except Exception as exc:  # a bad job must not sink the sweep: its row says what went wrong
                msg = str(exc) or type(exc).__name__
                outcome = Outcome(
                    job.key, ERROR, msg, seconds=time.perf_counter() - t0, label=dict(job.label)
                )
        done[job.key] = outcome
        out.append(reduce(outcome) if reduce is not None else outcome)
    return out


def run_jobs(
    instance: Instance,
    jobs: Iterable[Job],
    *,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    total: int | None = None,
    reduce: Reduce | None = None,
) -> list[Any]:
    """Outcomes of `jobs` (or `reduce` of each), in their order. `jobs` may be a generator (with `total`
    given): jobs are made as workers take them, never all at once."""
    opts = options or SolveOptions()
    eng = engine or Engine()
    if total is None:
        jobs = list(jobs)
        total = len(jobs)
        keys = [j.key for j in jobs]
        if len(set(keys)) != len(keys):
            raise CritminError("internal: job keys must be unique")
        if reduce is None:
            unique = _unique(jobs)
            if len(unique) < len(jobs):
                return _solved_once(instance, jobs, unique, opts, eng, progress)
        order = _by_model(instance, jobs, opts)
        if order != list(range(total)):
            done = run_jobs(instance, [jobs[i] for i in order], options=opts, engine=eng, progress=progress,
                            total=total, reduce=reduce)  # fmt: skip
            out: list[Any] = [None] * total
            for pos, i in enumerate(order):
                out[i] = done[pos]
            return out
    tick = progress or (lambda _done, _total: None)
    log.info("%d solve(s) on %s", total, eng.label)
    if eng.workers == 0 and not eng.scheduler:
        out = []
        ran: dict[str, Outcome] = {}
        for i, job in enumerate(jobs):
            out.extend(_run_chunk(instance, [job], opts, reduce, ran))
            tick(i + 1, total)
        return out
    return _run_dask(instance, iter(jobs), total, opts, eng, tick, reduce)


def _by_model(instance: Instance, jobs: list[Job], opts: SolveOptions) -> list[int]:
    """The jobs' positions with those that share a model next to each other (groups in order of first
    appearance). A worker keeps a few assembled models (jobs.model_key); value's evaluations came plan by
    plan, each in every scenario, so each job missed the cache and re-assembled its scenario's model: 15 of
    the evaluations' 20 s on controls-stochastic."""
    groups: dict[tuple[Any, ...], int] = {}
    rank = [groups.setdefault(model_key(instance, j, opts), len(groups)) for j in jobs]
    return sorted(range(len(jobs)), key=rank.__getitem__)


def _chunks(instance: Instance, jobs: Iterator[Job], size: int, opts: SolveOptions) -> Iterator[list[Job]]:
    """Up to `size` consecutive jobs at a time. A run of jobs on one model (value's evaluations in one
    scenario) starts a chunk of its own, so a worker assembles only the model it needs; jobs each on a model
    of their own (a demand sweep) are packed as before. A job marked `alone` (a long solve) travels in a
    chunk of its own instead of holding up the quick jobs packed with it. A job that follows one in the
    chunk (Job.follows) stays with it, past `size` if need be: the worker checks it against that one."""
    keyed = ((job, model_key(instance, job, opts)) for job in jobs)  # each job's key computed once
    chunk: list[Job] = []
    key: tuple[Any, ...] | None = None
    ahead = next(keyed, None)
    while ahead is not None:
        (job, k), ahead = ahead, next(keyed, None)
        starts_run = k != key and ahead is not None and ahead[1] == k
        full = len(chunk) >= size and not (
            k == key and any(f in {j.key for j in chunk} for f, _o in job.follows)
        )
        if chunk and (full or job.alone or starts_run):
            yield chunk
            chunk = []
        key = k
        if job.alone:
            yield [job]
            continue
        chunk.append(job)
    if chunk:
        yield chunk


def _content(job: Job) -> Job:
    """What a job solves, without its name (`label` is not compared): two jobs equal here are one solve."""
    return replace(job, key="")


def _unique(jobs: list[Job]) -> list[Job]:
    """The first job of each content, in order."""
    seen: dict[Job, Job] = {}
    for j in jobs:
        seen.setdefault(_content(j), j)
    return list(seen.values())


def _solved_once(
    instance: Instance,
    jobs: list[Job],
    unique: list[Job],
    opts: SolveOptions,
    eng: Engine,
    progress: Progress | None,
) -> list[Any]:
    """Jobs that repeat another exactly (the same scenario, plan, changes; e.g. two scenarios whose own plans
    are the same plan, evaluated in a third) are solved once: a solve is deterministic (the solver's state
    is cleared before each), so the copy is the answer, under the repeating job's key and label."""
    log.info("%d of %d solve(s) repeat another exactly: each solved once", len(jobs) - len(unique), len(jobs))
    outcomes = run_jobs(instance, unique, options=opts, engine=eng, progress=progress)
    solved = {_content(u): o for u, o in zip(unique, outcomes, strict=True)}
    out = []
    for j in jobs:
        o = solved[_content(j)]
        out.append(o if o.key == j.key else replace(o, key=j.key, label=dict(j.label)))
    return out


def _chunk_size(total: int, eng: Engine, workers: int) -> int:
    return eng.chunk or max(1, min(25, total // max(1, 4 * workers)))


def parse_scheduler(address: str) -> tuple[str, int]:
    """(host, port) of a scheduler address `tcp://HOST:PORT` (or `HOST:PORT`), or a ValueError saying
    what is wrong with it."""
    text = address.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    if scheme != "tcp":
        raise ValueError(
            f"'{address}': only tcp:// scheduler addresses are supported, e.g. tcp://10.0.0.5:8786"
        )
    host, colon, port_text = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"'{address}' is not an address: write tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    return host, int(port_text)


HANDSHAKE_SECONDS = 3.0  # a scheduler that has not answered by then is reported, not waited for


def probe_scheduler(address: str, timeout: float = HANDSHAKE_SECONDS) -> None:
    """Check that a Dask scheduler answers at `address` before handing it to Dask: a refused port, an
    unknown host, a server that accepts and says nothing, or one that speaks another protocol each give a
    clear error within `timeout` seconds (Dask itself would wait long, or fail on the junk it reads)."""
    import socket
    import struct

    host, port = parse_scheduler(address)
    where = f"the Dask scheduler {address}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror:
        raise CritminError(f"{where}: unknown host '{host}'") from None
    except ConnectionRefusedError:
        raise CritminError(f"{where}: connection refused (is `dask scheduler` running there?)") from None
    except TimeoutError:
        raise CritminError(f"{where}: no answer within {timeout:g} s (a firewall, or a wrong host)") from None
    except OSError as exc:
        raise CritminError(f"{where}: cannot connect ({exc.strerror or exc})") from None
    try:
        sock.settimeout(timeout)
        head = _recv(sock, 8)
        (size,) = struct.unpack("Q", head)
        if not 0 < size < 2**20:
            raise ValueError
        _recv(sock, size)
    except TimeoutError:
        raise CritminError(
            f"{where}: accepted the connection but sent nothing within {timeout:g} s; not a Dask scheduler"
        ) from None
    except (ValueError, OSError, struct.error):
        raise CritminError(f"{where}: answered, but not in Dask's protocol; not a Dask scheduler") from None
    finally:
        sock.close()


def _recv(sock: Any, n: int) -> bytes:
    data = b""
    while len(data) < n:
        part = sock.recv(n - len(data))
        if not part:
            raise ValueError("closed")
        data += part
    return data


@dataclass
class _Connection:
    """A session's client and the instances it has sent its workers. An analysis in rounds (value: the
    plans, then their evaluations) sends each instance once: a worker keeps the same object between rounds,
    so the models it loaded in one round (keyed by that object) serve the next — value's evaluations re-used
    the scenarios' models assembled for their own plans instead of assembling them again."""

    client: Any
    scattered: dict[int, tuple[Instance, Any]] = field(default_factory=dict)  # id -> (instance, its future)

    def instance_future(self, instance: Instance) -> Any:
        held = self.scattered.get(id(instance))
        if held is None:  # the instance is held too, so its id cannot pass to another object meanwhile
            held = (instance, self.client.scatter(instance, broadcast=True))
            self.scattered[id(instance)] = held
        return held[1]


_SESSIONS: dict[str, _Connection] = {}  # scheduler address -> the open session's connection


@contextlib.contextmanager
def engine_session(engine: Engine | None) -> Iterator[Engine | None]:
    """One set of local workers for an analysis that runs jobs in several rounds (value, attribute):
    started once, with one client, each instance sent once, kept warm (their loaded models cached) and
    closed at the end, instead of a new cluster per round. A scheduler address or in-process engine is
    used as it is."""
    if engine is None or engine.workers == 0 or engine.scheduler:
        yield engine
        return
    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from distributed import Client

    try:
        cluster = _local_cluster(engine.workers)
    except (OSError, TimeoutError) as exc:
        raise CritminError(f"could not start the Dask workers ({engine.label}): {exc}") from None
    address = cluster.scheduler_address
    try:
        _SESSIONS[address] = _Connection(Client(cluster))
        yield Engine(workers=engine.workers, scheduler=address, chunk=engine.chunk)
    finally:
        conn = _SESSIONS.pop(address, None)
        with contextlib.suppress(Exception):
            if conn is not None:
                conn.client.close()
            cluster.close()


def _local_cluster(workers: int) -> Any:
    """A LocalCluster of single-threaded worker processes that ignore Ctrl-C (the parent handles it and
    closes them: one message, not a traceback per worker)."""
    import signal

    from distributed import LocalCluster

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the worker processes
    try:
        with warnings.catch_warnings():  # e.g. "port 8787 in use": nothing a user of critmin must act on
            warnings.simplefilter("ignore")
            return LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_dask(
    instance: Instance,
    jobs: Iterator[Job],
    total: int,
    opts: SolveOptions,
    eng: Engine,
    tick: Progress,
    reduce: Reduce | None,
) -> list[Any]:
    """Jobs in chunks on Dask, a bounded number in flight (made as workers free up), results in order."""
    from distributed import Client, as_completed

    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    cluster = None
    session = _SESSIONS.get(eng.scheduler) if eng.scheduler else None
    conn = session
    try:
        if conn is None and eng.scheduler:
            probe_scheduler(eng.scheduler)
            conn = _Connection(Client(eng.scheduler, timeout="10s"))
        elif conn is None:
            cluster = _local_cluster(eng.workers)
            conn = _Connection(Client(cluster))
    except (OSError, TimeoutError) as exc:
        raise CritminError(f"could not start or reach the Dask workers ({eng.label}): {exc}") from None
    client = conn.client
    try:
        workers = len(client.scheduler_info().get("workers", {}))
        if not workers:
            raise CritminError(f"{eng.label} has no workers: start `dask worker {eng.scheduler}` first")
        inst = conn.instance_future(instance)
        size = _chunk_size(total, eng, workers)
        chunks: dict[int, list[Job]] = {}
        results: dict[int, list[Any]] = {}
        pending = as_completed()
        futures: dict[Any, int] = {}
        numbers = itertools.count()

        take = _chunks(instance, jobs, size, opts)

        def submit_next() -> bool:
            chunk = next(take, [])
            if not chunk:
                return False
            n = next(numbers)
            chunks[n] = chunk
            fut = client.submit(_run_chunk, inst, chunk, opts, reduce, pure=False)
            futures[fut] = n
            pending.add(fut)
            return True

        for _ in range(4 * workers):
            if not submit_next():
                break
        done = 0
        for fut in pending:
            n = futures.pop(fut)
            try:
                results[n] = fut.result()
            except Exception as exc:  # the worker died or could not run the chunk
                failed = [
                    Outcome(j.key, ERROR, f"task failed: {exc}", label=dict(j.label)) for j in chunks[n]
                ]
                results[n] = [reduce(o) if reduce is not None else o for o in failed]
            done += len(chunks.pop(n))
            tick(done, total)
            submit_next()
        return [o for n in range(len(results)) for o in results[n]]
    finally:
        if session is None:  # a session's client stays open for its next round
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
        if name in out:
            raise CritminError(f"--vary {spec!r}: '{name}' is varied twice; give each input once")
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
    check_scenario(instance, scenario)
    rng = np.random.default_rng(seed)
    names = sorted(vary)
    draws = np.column_stack([rng.uniform(*vary[n], size=samples) for n in names])

    width = max(5, len(str(samples - 1)))

    def jobs() -> Iterator[Job]:  # made as workers take them: a million samples never sit in memory as jobs
        for i in range(samples):
            yield Job(
                key=f"sample_{i:0{width}d}",
                scenario=scenario,
                factors=tuple(zip(names, map(float, draws[i]), strict=True)),
                keep=i < keep,
                label={"sample": i, **{f"{n}_factor": float(draws[i, k]) for k, n in enumerate(names)}},
            )

    t0 = time.perf_counter()
    reduced = run_jobs(instance, jobs(), options=options, engine=engine, progress=progress, total=samples,
                       reduce=sweep_reduce)  # fmt: skip
    wall = time.perf_counter() - t0
    runs = pd.DataFrame([row for row, _inert, _sol in reduced])
    ok = runs[runs.status.isin(["optimal", "feasible"])]
    stats = _statistics(ok)
    inert = sorted({n for _row, names_inert, _sol in reduced for n in names_inert})
    headline = [
        f"warning: {n} is not a cost of this instance (e.g. imports are priced only with a planner): "
        "varying it changes nothing"
        for n in inert
    ]
    code = 0
    if ok.empty:
        first = runs.message.iloc[0] if len(runs) else ""
        headline.insert(
            0, f"error: no sample could be solved (first: {runs.status.iloc[0]} {first})".rstrip()
        )
        code = 2
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
        solutions={row["key"]: sol for row, _i, sol in reduced if sol is not None},
        headline=headline,
        exit_code=code,
    )


def sweep_reduce(o: Outcome) -> tuple[dict[str, Any], tuple[str, ...], Any]:
    """What a sweep keeps of a sample (its table row, inert inputs, a kept solution), made on the worker."""
    return outcome_row(o), o.inert, o.solution


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


def outcome_row(o: Outcome) -> dict[str, Any]:
    """A job's tidy row: its labels, status, costs and allied shortfall."""
    return {
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


def outcome_table(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """One tidy row per job: its labels, status, costs and allied shortfall."""
    return pd.DataFrame([outcome_row(o) for o in outcomes])
