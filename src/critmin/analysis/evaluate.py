"""Evaluate a plan, and what stochastic planning is worth: VSS, EVPI and a regret table.

A plan is its first-stage builds (option, online year, t/yr added) — read from a solution folder's builds
table or from a CSV with those columns, in instance units. Evaluating it fixes those builds and re-solves
every scenario's operations (the recourse), so its cost in each scenario is what that plan would cost there.

Methods (Birge & Louveaux, *Introduction to Stochastic Programming*, 2nd ed. 2011, ch. 4.1-4.2):
RP = the stochastic (recourse) problem's optimum; WS = wait-and-see, the probability-weighted optimum of each
scenario solved alone (perfect foresight); EEV = the expected result of the expected-value plan, evaluated in
every scenario. EVPI = RP - WS >= 0 (what perfect foresight would be worth), VSS = EEV - RP >= 0 (what
planning for all scenarios saves over planning for one reference future). All in the model's objective.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..backend.gaps import DEFAULT_MIP_GAP, default_mip_gap, gap_note
from ..backend.highs import SolveOptions
from ..errors import CritminError, NoPlanError, did_you_mean
from ..model.data import check_scenario
from ..results.costs import cvar
from ..results.solution import Solution
from ..results.tables import records
from ..schema import Instance
from .jobs import Job, Outcome, reference_scenario
from .output import AnalysisResult
from .sweep import Engine, Progress, engine_session, run_jobs

Plan = tuple[tuple[str, int, float, str], ...]  # (option, online year, t/yr added, branch; 'all' if omitted)


def plan_of(solution: Solution) -> Plan:
    """The builds of a solution, in instance units, each with its branch ('all': decided for every scenario;
    else the scenarios a build decided after a reveal is for)."""
    b = solution.builds
    if b.empty:
        return ()
    branch = b.branch if "branch" in b.columns else ["all"] * len(b)
    return tuple(
        (str(r.option), int(r.year), float(r.capacity_added), str(br or "all"))
        for r, br in zip(records(b), branch, strict=True)
    )


MAX_PLAN_BYTES = 64 * 2**20  # a builds table (a plan has a row per option and online year)


def read_plan(path: str | Path, instance: Instance | None = None) -> Plan:
    """A plan from a solution folder (its builds) or a builds CSV (columns option, year, capacity_added —
    or capacity — in t/yr, and optionally branch). Errors name the file, row and column; with `instance`,
    the plan is also checked against it (check_plan)."""
    p = Path(path)
    if p.is_dir():
        sol = Solution.read(p)
        rows = [(f"{p.name}/builds", n) for n in range(2, len(sol.builds) + 2)]
        plan = plan_of(sol)
    else:
        plan, rows = _plan_table(p)
    if instance is not None:
        check_plan(plan, instance, rows)
    return plan


def _plan_table(p: Path) -> tuple[Plan, list[tuple[str, int]]]:
    import io

    from ..io.files import read_bytes

    if not p.is_file():
        raise CritminError(f"{p}: no such solution folder or builds table")
    try:
        text = read_bytes(p, MAX_PLAN_BYTES, "builds table").decode("utf-8-sig")
        df = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""], dtype=str)
    except CritminError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever pandas or the decoder say, it is not a table
        raise CritminError(f"{p}: not a readable CSV ({exc})") from None
    qty = "capacity_added" if "capacity_added" in df.columns else "capacity"
    missing = [c for c in ("option", "year") if c not in df.columns]
    if qty not in df.columns:
        missing.append("capacity_added (or capacity)")
    if missing:
        raise CritminError(
            f"{p}: column(s) {', '.join(missing)} missing; "
            "a builds table has option, year, capacity_added (t/yr)"
        )
    out: list[tuple[str, int, float, str]] = []
    seen: dict[tuple[str, int, str], int] = {}
    for n, r in enumerate(df.to_dict("records"), start=2):
        where = f"{p}, row {n}"
        option = str(r["option"] or "").strip()
        if not option:
            raise CritminError(f"{where}, column option: empty")
        year_text, qty_text = str(r["year"] or "").strip(), str(r[qty] or "").strip()
        try:
            year_f, added = float(year_text), float(qty_text)
        except ValueError:
            raise CritminError(
                f"{where}: year ({year_text!r}) and {qty} ({qty_text!r}) must be numbers"
            ) from None
        if not year_f.is_integer():
            raise CritminError(f"{where}, column year: {year_text} is not a whole year")
        if not math.isfinite(added) or added < 0:
            raise CritminError(f"{where}, column {qty}: {qty_text or 'empty'} is not a capacity >= 0 (t/yr)")
        branch = str(r.get("branch") or "all").strip() or "all"
        key = (option, int(year_f), branch)
        if key in seen:
            raise CritminError(
                f"{where}: option '{option}' online in {key[1]} again (first at row {seen[key]}); give one "
                "row per option, year and branch (a plan's rows are not summed)"
            )
        seen[key] = n
        out.append((option, int(year_f), added, branch))
    return tuple(out), [(str(p), n) for n in seen.values()]


def check_plan(plan: Plan, instance: Instance, rows: list[tuple[str, int]] | None = None) -> None:
    """A plan must name the instance's build options, online in years each option allows, in whole modules
    for modular options, within each option's maximum. Every problem is named, with the plan's row."""
    from ..model.data import compile_instance
    from ..schema import DiscreteOption

    md = compile_instance(instance)
    allowed: dict[str, list[int]] = {}
    for opt_id, t, _branch in md.build_keys:
        if t not in allowed.get(opt_id, []):
            allowed.setdefault(opt_id, []).append(t)
    options = {o.id: o for o in instance.build_options}
    total: dict[tuple[str, str], float] = {}
    for k, (option, year, added, *rest) in enumerate(plan):
        branch = str(rest[0]) if rest else "all"
        file, n = rows[k] if rows and k < len(rows) else ("plan", k + 1)
        where = f"{file}, row {n}"
        if option not in options:
            raise CritminError(f"{where}: '{option}' is no build option of {instance.name} "
                               f"({did_you_mean(option, list(options))})")  # fmt: skip
        o = options[option]
        if added > 0 and year not in allowed.get(option, []):
            years = ", ".join(map(str, allowed.get(option, []))) or "none (left out: an investor outside "
            "the planner, or it cannot come online within the horizon)"
            raise CritminError(f"{where}: option '{option}' cannot come online in {year}; its years: {years}")
        if isinstance(o, DiscreteOption):
            modules = added / o.module_size
            if abs(modules - round(modules)) > 1e-6 * max(1.0, modules):
                raise CritminError(
                    f"{where}: {added:,.6g} t/yr of '{option}' is {modules:.4g} modules of "
                    f"{o.module_size:,.6g} "
                    "t/yr; a modular option adds whole modules"
                )
            amount: float = round(modules)
            limit, unit = float(o.max_count), "modules"
        else:
            amount = added
            limit, unit = (o.max_capacity if o.max_capacity is not None else math.inf), "t/yr"
        total[(option, branch)] = total.get((option, branch), 0.0) + amount
        # a scenario builds the shared plan and its own branch's: their sum is what the maximum bounds
        built = total[(option, branch)] + (total.get((option, "all"), 0.0) if branch != "all" else 0.0)
        if built > limit * (1 + 1e-9) + 1e-9:
            raise CritminError(
                f"{where}: the plan builds {built:,.6g} {unit} of '{option}' in all, over its maximum of "
                f"{limit:,.6g} {unit}"
            )


def _scenario_rows(o: Outcome, label: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for s, cost in o.scenario_cost.items():
        rows.append({"plan": label, "scenario": s, "probability": o.probability[s],
                     "planner_cost": cost, "unmet_tonnes": o.scenario_unmet[s]})  # fmt: skip
    return rows


def evaluate(
    plan: Plan,
    instance: Instance,
    *,
    scenario: str | None = None,
    options: SolveOptions | None = None,
    keep: bool = True,
) -> AnalysisResult:
    """Fix the plan's builds and re-solve every scenario's operations: cost and shortfall per scenario."""
    check_scenario(instance, scenario)
    plan = tuple((o, int(y), float(a), str(rest[0]) if rest else "all") for o, y, a, *rest in plan)
    check_plan(plan, instance)
    (o,) = run_jobs(instance, [Job("evaluated", scenario=scenario, builds=plan, keep=keep)], options=options)
    if not o.ok:
        raise NoPlanError(
            f"the plan has no feasible operation in {instance.name} ({o.status} {o.message}); "
            "a hard requirement (a minimum service level, an offtake, a stock cover) cannot be met with "
            "these builds; `critmin diagnose` names such conflicts",
            status=o.status,
        )
    table = pd.DataFrame(_scenario_rows(o, "evaluated"))
    headline = [
        f"expected planner cost {_m(o.planner_cost, instance)} (objective {_m(o.objective, instance)}); "
        f"expected allied shortfall {o.expected_unmet:,.0f} t over the horizon",
    ]
    return AnalysisResult(
        kind="evaluate",
        title=f"Plan of {len(plan)} build(s) evaluated in {instance.name}",
        method="First-stage builds fixed to the plan; each scenario's operations re-optimised (recourse).",
        facts={"objective": o.objective, "planner_cost": o.planner_cost, "builds": len(plan)},
        tables={
            "scenarios": table,
            "builds": pd.DataFrame(plan, columns=["option", "year", "capacity_added", "branch"]),
        },
        currency=instance.units.currency,
        solutions={"solution": o.solution} if o.solution is not None else {},
        headline=headline,
    )


def _gap_notes(mip_gap: float) -> list[str]:
    note = gap_note(mip_gap)
    if note is None:
        return []
    return [
        note,
        "the regret table is of the plans found: another plan within the interval may cost more or less in "
        "a single scenario (its expected cost stays within the interval)",
    ]


def _m(x: float | None, inst: Instance) -> str:
    from ..results.format import money

    return money(x, inst.units.currency)


def _plans(outcomes: Sequence[Outcome]) -> dict[str, Plan]:
    out: dict[str, Plan] = {}
    for o in outcomes:
        if not o.ok or o.solution is None:
            raise CritminError(
                f"the {o.label.get('what', o.key)} problem has no plan ({o.status}): {o.message}"
            )
        out[o.key] = plan_of(o.solution)
    return out


def stochastic_value(
    instance: Instance,
    *,
    reference: str | None = None,
    first_stage_only: bool = False,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """VSS, EVPI and the regret table of an instance with scenarios. `reference`: the scenario whose plan is
    the deterministic (expected-value) plan; default the most probable one (see `assumptions`). By default
    the planner can react once a scenario is revealed (builds after a reveal may differ by scenario, in RP and
    in EEV); `first_stage_only` decides every build in the base year for all scenarios (two-stage)."""
    options = options or SolveOptions(mip_gap=default_mip_gap("value"))
    if first_stage_only:
        instance = instance.model_copy(update={"recourse": False})
    recourse = any(s.revealed is not None or s.schedule_revealed is not None for s in instance.scenarios)
    recourse = recourse and instance.recourse is not False
    scens = [s.name for s in instance.scenarios]
    if len(scens) < 2:
        raise CritminError(f"{instance.name} has {len(scens)} scenario(s); VSS and EVPI need at least two")
    prob = {s.name: s.probability for s in instance.scenarios}
    ref = reference_scenario(instance, reference)
    assert ref is not None
    # both rounds on one set of workers, the instance sent once: a second cluster cost ~1.4 s of value's
    # 12 s on controls-stochastic, and EEV and the evaluations re-use the models the first round loaded
    with engine_session(engine) as eng:
        # phase 1: the stochastic plan (RP, the long solve, in a chunk of its own) and each scenario's own
        # plan (wait-and-see), quick one-scenario solves the other workers take meanwhile
        first = [Job("RP", keep=True, alone=True, label={"what": "stochastic"})]
        first += [Job(f"WS:{s}", scenario=s, keep=True, label={"what": f"scenario {s}"}) for s in scens]
        done = run_jobs(instance, first, options=options, engine=eng, progress=progress)
        plans = _plans(done)
        by_key = {o.key: o for o in done}
        rp = by_key["RP"]
        ws = _wait_and_see(instance, scens, prob, by_key)
        # phase 2: the reference plan in the stochastic instance (EEV, the other long solve, alone) beside
        # every plan in every other scenario (regret). The reference plan's decisions before anything is
        # revealed are fixed; a planner who can react builds after a reveal as it sees fit (recourse), so EEV
        # is not inflated by a planner who cannot react
        second = [Job("EEV", builds=plans[f"WS:{ref}"], recourse=True, alone=True)]
        for p in ["RP", *(f"WS:{s}" for s in scens)]:
            for s in scens:
                if p != f"WS:{s}":
                    second.append(Job(f"{p}@{s}", scenario=s, builds=plans[p], warm=True))  # objective only
        evals = {o.key: o for o in run_jobs(instance, second, options=options, engine=eng, progress=progress)}
    eev_o = evals["EEV"]
    if not eev_o.ok or rp.objective is None or eev_o.objective is None:
        raise CritminError(f"the reference plan of '{ref}' cannot operate in every scenario ({eev_o.status})")
    regret = _regret_table(scens, by_key, evals)
    weight = 1 + max(instance.objective.cvar_weight, 0.0)  # a CVaR term can move by its weight too
    gaps = {
        "RP": rp.bound_gap,
        "WS": weight * sum(prob[s] * by_key[f"WS:{s}"].bound_gap for s in scens),
        "EEV": eev_o.bound_gap,
    }
    return _value_result(instance, ref, ws, rp.objective, eev_o.objective, regret, recourse, gaps,
                         options.mip_gap)  # fmt: skip


def _wait_and_see(
    instance: Instance, scens: list[str], prob: dict[str, float], by_key: dict[str, Outcome]
) -> float:
    """WS under the objective's own measure. Each scenario's own optimum is its objective; with a CVaR term
    (E + lambda CVaR) the tail is of the distribution of the scenarios' own costs, not the mean of each
    one-scenario CVaR (which is that scenario's cost): WS = sum p_s (obj_s - lambda CVaR_s) + lambda
    CVaR_alpha(cost_s). Averaging the one-scenario objectives would count the tail premium in WS's stead and
    inflate EVPI by it."""
    weight = instance.objective.cvar_weight
    objs = {s: by_key[f"WS:{s}"].objective or 0.0 for s in scens}
    if weight <= 0:
        return sum(prob[s] * objs[s] for s in scens)
    own_tail = {s: by_key[f"WS:{s}"].parts.get("cvar", 0.0) for s in scens}
    cost = {s: by_key[f"WS:{s}"].scenario_cost.get(s, 0.0) for s in scens}
    mean = sum(prob[s] * (objs[s] - weight * own_tail[s]) for s in scens)
    return mean + weight * cvar(cost, prob, instance.objective.cvar_alpha)


def _value_result(
    instance: Instance,
    ref: str,
    ws: float,
    rp_v: float,
    eev: float,
    regret: pd.DataFrame,
    recourse: bool,
    gaps: dict[str, float] | None = None,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> AnalysisResult:
    """The summary with, per figure, the half-width the solver's bounds leave (each optimum lies within its
    gap below the value found; a difference within the sum of its two)."""
    g = gaps or {}
    rp_g, ws_g, eev_g = g.get("RP", 0.0), g.get("WS", 0.0), g.get("EEV", 0.0)
    summary = pd.DataFrame(
        [
            {"measure": "WS (wait-and-see)", "value": ws, "bound_error": ws_g},
            {"measure": "RP (stochastic plan)", "value": rp_v, "bound_error": rp_g},
            {"measure": f"EEV (plan for '{ref}', evaluated in all)", "value": eev, "bound_error": eev_g},
            {"measure": "EVPI = RP - WS", "value": rp_v - ws, "bound_error": rp_g + ws_g},
            {"measure": "VSS = EEV - RP", "value": eev - rp_v, "bound_error": eev_g + rp_g},
        ]
    )
    facts = {"WS": ws, "RP": rp_v, "EEV": eev, "EVPI": rp_v - ws, "VSS": eev - rp_v, "reference": ref,
             "recourse": recourse, "EVPI_error": rp_g + ws_g, "VSS_error": eev_g + rp_g}  # fmt: skip
    return AnalysisResult(
        kind="value",
        title=f"Value of the stochastic solution and of perfect information: {instance.name}",
        method="Birge & Louveaux (2011) ch. 4: RP, WS, EEV; each plan's builds fixed, operations re-solved",
        facts=facts,
        tables={"summary": summary, "regret": regret},
        currency=instance.units.currency,
        assumptions=[
            f"the expected-value plan is the plan for scenario '{ref}' (most probable unless --reference): "
            "the scenarios are regimes (a control in force or not), whose mean is not itself a scenario",
            "values are the model's objective (planner cost plus any risk/CVaR and tie-break terms)",
            "builds after a scenario's reveal respond to it, in the stochastic plan and in EEV (the "
            "reference plan fixes only what was decided before anything was known)"
            if recourse
            else "every build is decided in the base year for all scenarios (two-stage)",
            *_gap_notes(mip_gap),
        ],
        headline=[
            f"planning for all scenarios saves {_m(eev - rp_v, instance)}{_pm(eev_g + rp_g, instance)} (VSS) "
            f"over planning for '{ref}'; knowing the future in advance would be worth "
            f"{_m(rp_v - ws, instance)}{_pm(rp_g + ws_g, instance)} more (EVPI)",
        ],
    )


def _pm(err: float, instance: Instance) -> str:
    from ..results.format import plus_minus

    return plus_minus(err, instance.units.currency)


def _regret_table(scens: list[str], plans: dict[str, Outcome], evals: dict[str, Outcome]) -> pd.DataFrame:
    """Each plan (rows) in each scenario (columns): its cost there minus that scenario's own optimum."""
    rows = []
    for p in ["RP", *(f"WS:{s}" for s in scens)]:
        row: dict[str, object] = {"plan": "stochastic" if p == "RP" else f"plan for {p[3:]}"}
        worst = 0.0
        for s in scens:
            own = plans[f"WS:{s}"].objective
            o = plans[p] if p == f"WS:{s}" else evals[f"{p}@{s}"]
            if o.objective is None or own is None:
                row[f"regret {s}"] = None
                continue
            reg = o.objective - own
            row[f"regret {s}"] = reg
            worst = max(worst, reg)
        row["max_regret"] = worst
        rows.append(row)
    return pd.DataFrame(rows)
