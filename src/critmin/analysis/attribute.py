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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..errors import CritminError
from ..results.tables import records
from ..schema import Instance
from .jobs import Job, Outcome, closable_deals
from .output import AnalysisResult
from .sweep import Engine, Progress, engine_session, run_jobs

EXACT_MAX = 8


def _key(deals: list[str], on: frozenset[str]) -> str:
    return "on:" + ",".join(d for d in deals if d in on) if on else "none"


def _job(
    deals: list[str],
    on: frozenset[str],
    scenario: str | None,
    follows: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> Job:
    off = tuple(d for d in deals if d not in on)
    label = {"deals_on": ",".join(sorted(on)) or "(none)"}
    return Job(_key(deals, on), scenario=scenario, deals_off=off, follows=follows, label=label)


@dataclass
class _Game:
    """Coalition values (planner cost with exactly those deals on), how far each may be from the true
    optimum (objective - the solver's bound), and how many were solved or followed exactly from another."""

    v: dict[frozenset[str], float] = field(default_factory=dict)
    gap: dict[frozenset[str], float] = field(default_factory=dict)
    used: dict[frozenset[str], set[str]] = field(default_factory=dict)  # build options in its plan
    solved: int = 0
    skipped: int = 0


# parts that only widen what the planner may do: removing one the plan does not use changes nothing
RELAXING_TABLES = ("build_options", "finance.concessional")


def _relaxing_options(instance: Instance, deals: list[str]) -> dict[str, set[str]]:
    """Deals whose parts only add build options or cheaper finance for them -> those options' ids."""
    backs = {c.id: set(c.options) for c in instance.finance.concessional}
    out: dict[str, set[str]] = {}
    for d in instance.deals:
        if d.id not in deals:
            continue
        tables = [ref.partition(":") for ref in d.parts]
        if all(t in RELAXING_TABLES for t, _, _ in tables) and not d.when_off:
            out[d.id] = {eid for t, _, eid in tables if t == "build_options"}
            out[d.id] |= {o for t, _, eid in tables if t == "finance.concessional" for o in backs[eid]}
    return out


def _values(
    instance: Instance,
    deals: list[str],
    subsets: Iterable[frozenset[str]],
    scenario: str | None,
    options: SolveOptions | None,
    engine: Engine | None,
    progress: Progress | None,
    skip: bool = True,
) -> _Game:
    """Solve the coalitions most relaxed first; a coalition S whose neighbour T = S + {d} has a plan that
    uses none of what a relaxing deal d brings takes T's value exactly (T's plan is feasible for S and
    costs the same there, and S can do no better than T), so it is not solved. Where d only brings build
    options (closed by bounds on T's model, jobs.closable_deals), S and T share a model and a round: the
    worker that solved T checks S (Job.follows), so each model is assembled once, not once per round."""
    game = _Game()
    relaxing = _relaxing_options(instance, deals) if skip else {}
    closable = closable_deals(instance)
    on_model = {d: tuple(sorted(opts)) for d, opts in relaxing.items() if d in closable}
    for batch in _rounds(subsets, set(relaxing) - set(on_model)):
        todo = []
        for sub in batch:
            src = next(
                (
                    sub | {d}
                    for d, opts in relaxing.items()
                    if d not in sub and (sub | {d}) in game.v and not opts & game.used[sub | {d}]
                ),
                None,
            )
            if src is None:
                todo.append(sub)
            else:
                game.v[sub], game.gap[sub], game.used[sub] = game.v[src], game.gap[src], game.used[src]
                game.skipped += 1
        if not todo:
            continue
        solving = set(todo)
        jobs = [
            _job(deals, sub, scenario, tuple((_key(deals, sub | {d}), opts) for d, opts in on_model.items()
                                             if d not in sub and sub | {d} in solving))
            for sub in todo
        ]  # fmt: skip
        outs = run_jobs(instance, jobs, options=options, engine=engine, progress=progress)
        bad = [o for o in outs if o.planner_cost is None]
        if bad:
            raise CritminError(
                f"deals on {bad[0].label['deals_on']}: no plan ({bad[0].status}) {bad[0].message}"
            )
        for sub, o in zip(todo, outs, strict=True):
            game.v[sub], game.gap[sub] = _cost(o), o.bound_gap
            game.used[sub] = {b[0] for b in o.builds if b[2] > 0}
            if o.followed:
                game.skipped += 1
            else:
                game.solved += 1
    return game


def _rounds(subsets: Iterable[frozenset[str]], relaxing: set[str]) -> list[list[frozenset[str]]]:
    """The coalitions in the order they are solved. A coalition can only take the value of a neighbour with
    one more relaxing deal on, so round k holds the coalitions missing k of the relaxing deals (each round's
    neighbours solved in the one before), most relaxed first within it; without relaxing deals, one round.
    Before, one round per coalition size: allied-frameworks-2025 (6 deals, 3 relaxing) waited on 7 rounds'
    slowest solves instead of 4."""
    ordered = sorted(set(subsets), key=lambda sub: (len(relaxing - sub), -len(sub), sorted(sub)))
    return [list(group) for _k, group in itertools.groupby(ordered, key=lambda sub: len(relaxing - sub))]


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
    skip: bool = True,
) -> AnalysisResult:
    """Leave-one-out and Shapley values of the instance's deals (or the listed ones), and (`parts`) what
    each part of a deal with several is worth with the rest of it on."""
    known = [d.id for d in instance.deals if d.in_force]  # a policy set that is off is attributed once on
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
    with engine_session(engine) as eng:  # one set of workers for every round
        game, phi, err, bound, pairs = _estimate(
            instance, chosen, scenario, samples, seed, options, eng, progress, skip
        )
        part_table = (
            _part_values(instance, chosen, game.v[full], scenario, options, eng, progress) if parts else None
        )
    v = game.v
    table = _deal_table(instance, chosen, game, phi, err, bound)
    total = v[frozenset()] - v[full]
    cur = instance.units.currency
    headline = _headline(table, total, game.gap[frozenset()] + game.gap[full], part_table, cur)
    tables = {"deals": table.reset_index(drop=True), "interactions": pairs}
    if part_table is not None:
        tables["parts"] = part_table
    return AnalysisResult(
        kind="attribute",
        title=f"What each deal contributes: {instance.name}",
        method=(
            f"Shapley values over {n} deals, exact from all {2**n} combinations ({game.solved} solved, "
            f"{game.skipped} equal to a solved neighbour whose plan uses nothing the missing deal brings); "
            "saving_error is the half-width the solver's bounds leave"
            if exact
            else f"Shapley values over {n} deals estimated from {samples} random orders (seed {seed}); "
            "saving_error is the 95% sampling half-width plus what the solver's bounds leave"
        ),
        facts={
            "deals": chosen,
            "exact": exact,
            "all_off": v[frozenset()],
            "all_on": v[full],
            "saving": total,
            "saving_error": game.gap[frozenset()] + game.gap[full],
            "solved": game.solved,
            "skipped": game.skipped,
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


def _headline(
    table: pd.DataFrame, total: float, within: float, part_table: pd.DataFrame | None, cur: str
) -> list[str]:
    """The saving of all deals (with the interval the bounds leave) and each deal's Shapley value, its
    error and the part that carries it."""
    from ..results.format import money, plus_minus

    carried = _carriers(part_table)
    out = [
        f"all {len(table)} deals together save {money(total, cur)} of planner cost (all off vs all on)"
        + (f", within {money(within, cur)} (solver bounds)" if plus_minus(within, cur) else "")
    ]
    out += [
        f"  {r.deal}: {money(r.saving_shapley, cur)} (Shapley"
        + plus_minus(r.saving_error, cur)
        + ")"
        + carried.get(r.deal, "")
        for r in records(table)
    ]
    return out


def _deal_table(
    instance: Instance,
    chosen: list[str],
    game: _Game,
    phi: dict[str, float],
    err: dict[str, float],
    bound: dict[str, float],
) -> pd.DataFrame:
    """One row per deal: Shapley with its error (95% sampling half-width + what the solver's bounds leave),
    leave-one-out with its bound error, and the deal alone; largest saving first."""
    names = {d.id: d.name or d.id for d in instance.deals}
    v, gap = game.v, game.gap
    full = frozenset(chosen)
    return pd.DataFrame(
        [
            {
                "deal": d,
                "name": names[d],
                "saving_shapley": -phi[d],
                "saving_error": 1.96 * err[d] + bound[d],
                "saving_bound_error": bound[d],
                "saving_leave_one_out": v[full - {d}] - v[full],
                "leave_one_out_error": gap[full - {d}] + gap[full],
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
    # model_copy keeps the private attributes (source file, locator for errors, inputs)
    return instance.model_copy(update={"deals": split}), origin


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
    skip: bool = True,
) -> tuple[_Game, dict[str, float], dict[str, float], dict[str, float], pd.DataFrame]:
    """Coalition values, Shapley values, their sampling standard errors (0 when exact), the half-width the
    solver's bounds leave on each (a value v(S) lies in [v - gap, v]), and pairwise interactions."""
    n = len(chosen)
    full = frozenset(chosen)
    if n <= EXACT_MAX:
        subsets = [frozenset(c) for k in range(n + 1) for c in itertools.combinations(chosen, k)]
        game = _values(instance, chosen, subsets, scenario, options, engine, progress, skip)
        phi, pairs = shapley_exact(chosen, game.v)
        bound = {
            d: sum(
                math.factorial(len(sub)) * math.factorial(n - len(sub) - 1) / math.factorial(n)
                * (game.gap[sub | {d}] + game.gap[sub])
                for sub in game.v
                if d not in sub
            )
            for d in chosen
        }  # fmt: skip
        return game, phi, dict.fromkeys(chosen, 0.0), bound, pairs
    orders = _permutations(chosen, samples, seed)
    subsets = [frozenset(o[:k]) for o in orders for k in range(n + 1)] + [full - {d} for d in chosen]
    subsets += [frozenset({d}) for d in chosen]
    game = _values(instance, chosen, subsets, scenario, options, engine, progress, skip)
    v = game.v
    marg: dict[str, list[float]] = {d: [] for d in chosen}
    gaps: dict[str, list[float]] = {d: [] for d in chosen}
    for order in orders:
        for k, d in enumerate(order):
            before, after = frozenset(order[:k]), frozenset(order[: k + 1])
            marg[d].append(v[after] - v[before])
            gaps[d].append(game.gap[after] + game.gap[before])
    phi = {d: float(np.mean(m)) for d, m in marg.items()}
    err = {d: float(np.std(m, ddof=1) / math.sqrt(len(m))) if len(m) > 1 else 0.0 for d, m in marg.items()}
    bound = {d: float(np.mean(g)) for d, g in gaps.items()}
    return game, phi, err, bound, pd.DataFrame(columns=["deal_a", "deal_b", "interaction"])
