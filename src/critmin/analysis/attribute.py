"""What each deal contributes: leave-one-out values and Shapley values over an instance's deals.

The value of a set S of deals is the planner's expected cost with exactly those deals on (the others
switched off, `Instance.without_deals`). A deal's Shapley value is its marginal effect averaged over every
order in which the deals could have been signed (Shapley 1953); the values add up to v(all) - v(none)
(efficiency), equal deals get equal values (symmetry). Pairwise interaction is the Shapley interaction
index (Grabisch & Roubens 1999): negative when two deals overlap (each is worth less given the other).
Exact with all 2^n combinations for n <= 8; above that, `samples` random orders (seeded) with the standard
error of each estimate. Negative values lower the planner's cost: the tables show the saving, -value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..errors import CritminError
from ..results.tables import records
from ..schema import Instance
from .jobs import Job, Outcome
from .output import AnalysisResult
from .sweep import Engine, Progress, run_jobs

EXACT_MAX = 8


def _job(deals: list[str], on: frozenset[str], scenario: str | None) -> Job:
    off = tuple(d for d in deals if d not in on)
    key = "on:" + ",".join(d for d in deals if d in on) if on else "none"
    return Job(key, scenario=scenario, deals_off=off, label={"deals_on": ",".join(sorted(on)) or "(none)"})


def _values(
    instance: Instance,
    deals: list[str],
    subsets: Iterable[frozenset[str]],
    scenario: str | None,
    options: SolveOptions | None,
    engine: Engine | None,
    progress: Progress | None,
) -> dict[frozenset[str], float]:
    uniq = sorted(set(subsets), key=lambda s: (len(s), sorted(s)))
    jobs = [_job(deals, s, scenario) for s in uniq]
    outs = run_jobs(instance, jobs, options=options, engine=engine, progress=progress)
    bad = [o for o in outs if o.planner_cost is None]
    if bad:
        raise CritminError(f"deals on {bad[0].label['deals_on']}: no plan ({bad[0].status}) {bad[0].message}")
    return {s: _cost(o) for s, o in zip(uniq, outs, strict=True)}


def _cost(o: Outcome) -> float:
    assert o.planner_cost is not None
    return o.planner_cost


def shapley_exact(deals: list[str], v: dict[frozenset[str], float]) -> tuple[dict[str, float], pd.DataFrame]:
    """Shapley values and pairwise interaction indices from the values of all subsets."""
    n = len(deals)
    phi = {}
    for i in deals:
        total = 0.0
        rest = [d for d in deals if d != i]
        for k in range(n):
            w = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for combo in itertools.combinations(rest, k):
                s = frozenset(combo)
                total += w * (v[s | {i}] - v[s])
        phi[i] = total
    rows = []
    for i, j in itertools.combinations(deals, 2):
        rest = [d for d in deals if d not in (i, j)]
        total = 0.0
        for k in range(n - 1):
            w = math.factorial(k) * math.factorial(n - k - 2) / math.factorial(n - 1)
            for combo in itertools.combinations(rest, k):
                s = frozenset(combo)
                total += w * (v[s | {i, j}] - v[s | {i}] - v[s | {j}] + v[s])
        rows.append({"deal_a": i, "deal_b": j, "interaction": total})
    return phi, pd.DataFrame(rows, columns=["deal_a", "deal_b", "interaction"])


def _permutations(deals: list[str], samples: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[deals[k] for k in rng.permutation(len(deals))] for _ in range(samples)]


def attribute(
    instance: Instance,
    *,
    deals: list[str] | None = None,
    scenario: str | None = None,
    samples: int = 200,
    seed: int = 0,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    parts: bool = True,
) -> AnalysisResult:
    """Leave-one-out and Shapley values of the instance's deals (or the listed ones), and (`parts`) what
    each part of a deal with several is worth with the rest of it on."""
    known = [d.id for d in instance.deals]
    chosen = deals or known
    unknown = [d for d in chosen if d not in known]
    if unknown:
        raise CritminError(
            f"no deal '{unknown[0]}' in {instance.name}; its deals: {', '.join(known) or 'none'}"
        )
    if not chosen:
        raise CritminError(
            f"{instance.name} defines no deals to attribute (see `deals:` in instances/README.md)"
        )
    n = len(chosen)
    full = frozenset(chosen)
    exact = n <= EXACT_MAX
    v, phi, err, pairs = _estimate(instance, chosen, scenario, samples, seed, options, engine, progress)
    table = _deal_table(instance, chosen, v, phi, err)
    total = v[frozenset()] - v[full]
    cur = instance.units.currency
    from ..results.format import money

    part_table = (
        _part_values(instance, chosen, v[full], scenario, options, engine, progress) if parts else None
    )
    carried = _carriers(part_table)
    headline = [f"all {n} deals together save {money(total, cur)} of planner cost (all off vs all on)"]
    headline += [
        f"  {r.deal}: {money(r.saving_shapley, cur)} (Shapley)" + carried.get(r.deal, "")
        for r in records(table)
    ]
    tables = {"deals": table.reset_index(drop=True), "interactions": pairs}
    if part_table is not None:
        tables["parts"] = part_table
    return AnalysisResult(
        kind="attribute",
        title=f"What each deal contributes: {instance.name}",
        method=(
            f"Shapley values over {n} deals, exact from all {2**n} combinations"
            if exact
            else f"Shapley values over {n} deals estimated from {samples} random orders (seed {seed}); "
            "saving_error is the 95% half-width"
        ),
        facts={
            "deals": chosen,
            "exact": exact,
            "all_off": v[frozenset()],
            "all_on": v[full],
            "saving": total,
        },
        tables=tables,
        currency=cur,
        assumptions=[
            "a deal's value is the planner's expected cost (money spent + value of demand not served) "
            "with it on minus with it off; a deal that commits spending can cost more than it saves",
            "the Shapley values add up to the saving of all deals together (efficiency)",
            "a part's value (parts table) is the cost with only that part of its deal off, every other deal "
            "and part on, minus the cost with all on: which parts carry a deal's value",
        ],
        headline=headline,
    )


def _deal_table(
    instance: Instance,
    chosen: list[str],
    v: dict[frozenset[str], float],
    phi: dict[str, float],
    err: dict[str, float],
) -> pd.DataFrame:
    """One row per deal: Shapley, its 95% error, leave-one-out and alone savings, largest first."""
    names = {d.id: d.name or d.id for d in instance.deals}
    full = frozenset(chosen)
    return pd.DataFrame(
        [
            {
                "deal": d,
                "name": names[d],
                "saving_shapley": -phi[d],
                "saving_error": 1.96 * err[d],
                "saving_leave_one_out": v[full - {d}] - v[full],
                "saving_alone": v[frozenset()] - v[frozenset({d})] if frozenset({d}) in v else None,
            }
            for d in chosen
        ]
    ).sort_values("saving_shapley", ascending=False, kind="stable")


def _split_parts(instance: Instance, deals: list[str]) -> tuple[Instance, dict[str, tuple[str, str]]]:
    """The instance with each listed deal of several parts split into one deal per part (`deal__pN`), its
    `when_off` terms with the part, so one part can be switched off with everything else on."""
    from ..schema import Deal

    split: list[Deal] = []
    origin: dict[str, tuple[str, str]] = {}
    for d in instance.deals:
        if d.id not in deals or len(d.parts) < 2:
            split.append(d)
            continue
        for j, ref in enumerate(d.parts):
            pid = f"{d.id}__p{j}"
            origin[pid] = (d.id, ref)
            worse = [w for w in d.when_off if w.part == ref]
            split.append(d.model_copy(update={"id": pid, "parts": [ref], "when_off": worse}))
    out = instance.model_copy(update={"deals": split})
    out._source_path, out._locator = instance._source_path, instance._locator
    out._inputs, out._load_notes = instance._inputs, instance._load_notes
    return out, origin


def _part_values(
    instance: Instance,
    deals: list[str],
    all_on: float,
    scenario: str | None,
    options: SolveOptions | None,
    engine: Engine | None,
    progress: Progress | None,
) -> pd.DataFrame | None:
    """Leave-one-part-out savings for the parts of every deal with several (one solve per part)."""
    split, origin = _split_parts(instance, deals)
    if not origin:
        return None
    deps = _dependants(instance, origin)
    jobs = [
        Job(f"part:{pid}", scenario=scenario, deals_off=(pid, *deps[pid]), label={"part": pid})
        for pid in origin
    ]
    outs = run_jobs(split, jobs, options=options, engine=engine, progress=progress)
    rows = []
    for pid, o in zip(origin, outs, strict=True):
        deal, ref = origin[pid]
        with_ = f" (with {', '.join(origin[d][1] for d in deps[pid])})" if deps[pid] else ""
        saving = None if o.planner_cost is None else o.planner_cost - all_on
        rows.append({"deal": deal, "part": ref + with_, "saving_leave_one_out": saving, "status": o.status})
    return pd.DataFrame(rows)


def _dependants(instance: Instance, origin: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """For a facility part, the parts of the same deal that cannot exist without it (its offtakes, price
    floors and build options): switched off with it, so the instance stays whole."""
    on_facility: dict[str, str] = {}
    for table in ("offtakes", "price_floors", "build_options"):
        for row in getattr(instance, table):
            on_facility[f"{table}:{row.id}"] = row.facility
    out: dict[str, list[str]] = {pid: [] for pid in origin}
    for pid, (deal, ref) in origin.items():
        table, _, fid = ref.partition(":")
        if table == "facilities":
            out[pid] = [q for q, (d, r) in origin.items() if d == deal and on_facility.get(r) == fid]
    return out


def _carriers(parts: pd.DataFrame | None) -> dict[str, str]:
    """Per deal, the text naming the part that carries most of its value (for the headline)."""
    if parts is None or parts.empty:
        return {}
    out = {}
    for deal, g in parts.dropna(subset=["saving_leave_one_out"]).groupby("deal", sort=False):
        best = max(records(g), key=lambda r: abs(r.saving_leave_one_out))
        out[str(deal)] = f"; mostly {best.part}"
    return out


def _estimate(
    instance: Instance,
    chosen: list[str],
    scenario: str | None,
    samples: int,
    seed: int,
    options: SolveOptions | None,
    engine: Engine | None,
    progress: Progress | None,
) -> tuple[dict[frozenset[str], float], dict[str, float], dict[str, float], pd.DataFrame]:
    """Subset values, Shapley values, their standard errors (0 when exact) and pairwise interactions."""
    n = len(chosen)
    full = frozenset(chosen)
    if n <= EXACT_MAX:
        subsets = [frozenset(c) for k in range(n + 1) for c in itertools.combinations(chosen, k)]
        v = _values(instance, chosen, subsets, scenario, options, engine, progress)
        phi, pairs = shapley_exact(chosen, v)
        return v, phi, dict.fromkeys(chosen, 0.0), pairs
    orders = _permutations(chosen, samples, seed)
    subsets = [frozenset(o[:k]) for o in orders for k in range(n + 1)] + [full - {d} for d in chosen]
    subsets += [frozenset({d}) for d in chosen]
    v = _values(instance, chosen, subsets, scenario, options, engine, progress)
    marg: dict[str, list[float]] = {d: [] for d in chosen}
    for order in orders:
        for k, d in enumerate(order):
            marg[d].append(v[frozenset(order[: k + 1])] - v[frozenset(order[:k])])
    phi = {d: float(np.mean(m)) for d, m in marg.items()}
    err = {d: float(np.std(m, ddof=1) / math.sqrt(len(m))) if len(m) > 1 else 0.0 for d, m in marg.items()}
    return v, phi, err, pd.DataFrame(columns=["deal_a", "deal_b", "interaction"])
