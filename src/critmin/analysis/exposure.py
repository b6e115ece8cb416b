"""The trace question: what happens to an allied magnet maker that uses a trace of Chinese dysprosium under
China's 0.1% rule (MOFCOM Announcement No. 61, 9 October 2025)?

Answered on one future of an instance (its most probable scenario, or the one asked for), in three parts:

1. **Content.** The plan as the instance stands, solved with Chinese-origin content traced by source
   commodity in every year (origin.py): for every allied plant, product and year, the Chinese-origin share
   of its value, by what it came from (and the elements that carries), however many stages back.
2. **Reach.** With a probe rule in force from the first modelled year — an extraterritorial control listing
   the chosen elements (default: the instance's own extraterritorial rule's list, else No. 61's twelve),
   which limits nothing by itself — which of those products would be reached at each threshold (0 to 1%):
   listed content at or above it.
3. **Cost of staying under.** For each threshold, a re-solve in which no allied plant may make a reached
   product: every allied product's listed content stays under the threshold, the probe being the only rule
   that reaches (the instance's own extraterritorial rules keep their limits on China's own exports, not
   their reach, so a 1% probe is not overruled by a 0.1% rule already in the instance). Its cost over the
   same world without the obligation is what keeping every product outside China's licensing costs at that
   threshold (the sweep engine runs the solves).

And, for each product, which buyers' origin rules (compliance classes) it passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..backend.highs import SolveOptions
from ..errors import CritminError
from ..model.data import planner_regions
from ..model.provenance import covered_commodities
from ..results.format import money, tonnes
from ..results.tables import records
from ..schema import Instance
from ..schema.controls import ExportControl
from ..schema.demand import ComplianceClass
from .jobs import Job, Outcome, reference_scenario, require_controlled_origin
from .output import AnalysisResult
from .sweep import Engine, Progress, run_jobs

PROBE = "exposure_probe"  # the id of the hypothetical rule the analysis adds
NO_61_ELEMENTS = ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y", "Ho", "Er", "Tm", "Eu", "Yb")  # Nos. 18 and 61
DEFAULT_THRESHOLDS = (0.0, 0.0005, 0.001, 0.0025, 0.005, 0.01)
EPS = 1e-9


def probe_rule(instance: Instance, rule: str | None, elements: Sequence[str], start: int) -> ExportControl:
    """The hypothetical extraterritorial rule: the list of `rule` (an instance control), else `elements`,
    else the instance's first extraterritorial control's list, else No. 61's; in force from `start`, limiting
    no shipment (a quota no flow reaches), so only its reach matters."""
    exporters = [r.id for r in instance.regions if r.controlled_origin]
    base: dict[str, Any] = {"elements": list(NO_61_ELEMENTS)}
    if rule is not None:
        found = next((c for c in instance.export_controls if c.id == rule), None)
        if found is None:
            known = ", ".join(c.id for c in instance.export_controls) or "none"
            raise CritminError(f"no export control '{rule}' in {instance.name} (it has: {known})")
        base = {"elements": found.elements, "commodities": found.commodities, "stages": found.stages}
    elif elements:
        base = {"elements": list(elements)}
    else:
        own = next((c for c in instance.export_controls if c.extraterritorial), None)
        if own is not None:
            base = {"elements": own.elements, "commodities": own.commodities, "stages": own.stages}
    carried = {e for c in instance.commodities for e in c.elements}
    if base.get("elements") and not base.get("commodities"):
        base["elements"] = [e for e in base["elements"] if e in carried]
        if not base["elements"]:
            raise CritminError(
                f"none of the listed elements is carried by a commodity of {instance.name}: give --element "
                "with elements its commodities carry (commodities[].elements)"
            )
    return ExportControl.model_validate(
        {"id": PROBE, "exporter": exporters[0], "kind": "quota", "amount": 1e12, "start": start,
         "extraterritorial": True, "de_minimis": 0.001, **base}
    )  # fmt: skip


def exposure(
    instance: Instance,
    *,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    rule: str | None = None,
    elements: Sequence[str] = (),
    start: int | None = None,
    scenario: str | None = None,
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Content by plant, product, year and source; reach at each threshold; the cost of staying under each
    (the probe rule in force from `start`, default the first modelled year); and the buyers' rules each
    product passes (module docstring)."""
    _check_request(instance, thresholds)
    ref = reference_scenario(instance, scenario)
    first = _first_year(instance, start)
    probe = probe_rule(instance, rule, elements, first)
    probed = instance.model_copy(update={"export_controls": [*instance.export_controls, probe]})
    listed = covered_commodities(probe, probed)
    levels = sorted(set(float(x) for x in thresholds))
    jobs = [
        Job("plan", scenario=ref, trace_sources=True, keep=True, de_minimis=(PROBE, 0.001)),
        Job("free", scenario=ref, de_minimis=(PROBE, 0.001), reach_only=PROBE),
    ]
    jobs += [
        Job(f"under:{x:g}", scenario=ref, de_minimis=(PROBE, x), unreached_from=first, reach_only=PROBE,
            label={"threshold": x})
        for x in levels
    ]  # fmt: skip
    outs = {o.key: o for o in run_jobs(probed, jobs, options=options, engine=engine, progress=progress)}
    plan = outs["plan"]
    if not plan.ok or plan.solution is None:
        raise CritminError(f"exposure: the plan could not be solved ({plan.status}: {plan.message})")
    sources = {c.id: c for c in instance.commodities}
    allies = planner_regions(instance) or {r.id for r in instance.regions if not r.controlled_origin}
    content = _content(plan, sources)
    content = content[content.region.isin(allies)].reset_index(drop=True)
    reached = _reached(content, listed, levels)
    reached = reached[reached.year >= first].reset_index(drop=True)
    curve = _curve(outs["free"], [outs[f"under:{x:g}"] for x in levels])
    rules = _buyer_rules(content, instance)
    cur = instance.units.currency
    return AnalysisResult(
        kind="exposure",
        title=f"Chinese-origin content and the 0.1% rule: {instance.name}"
        + (f" (scenario {ref})" if ref else ""),
        method="content traced by value through every stage (models/critmin.md, origin.py); reach: listed "
        "content at or above the threshold (MOFCOM No. 61); cost of staying under: re-solves with no allied "
        "product reached",
        facts={
            "scenario": ref,
            "thresholds": levels,
            "in_force_from": first,
            "probe_list": {
                "elements": probe.elements,
                "commodities": probe.commodities,
                "stages": probe.stages,
            },
            "listed_commodities": sorted(listed),
            "plan_cost": plan.planner_cost,
            "cost_without_reach": outs["free"].planner_cost,
        },
        tables={
            "content": content,
            "by_element": _by_element(content),
            "reached": reached,
            "cost_of_staying_under": curve,
            "buyer_rules": rules,
        },
        currency=cur,
        assumptions=_assumptions(ref, probe),
        headline=_headline(reached, curve, levels, cur, outs["free"].planner_cost),
        solutions={"plan": plan.solution},
    )


def _check_request(instance: Instance, thresholds: Sequence[float]) -> None:
    require_controlled_origin(instance, "exposure")
    bad = [x for x in thresholds if not 0 <= x <= 1]
    if bad:
        raise CritminError(f"threshold {bad[0]:g} must be a share of value in [0, 1] (0.001 is 0.1%)")
    if not thresholds:
        raise CritminError("give at least one threshold")
    if PROBE in {c.id for c in instance.export_controls}:
        raise CritminError(f"the instance already has a control named '{PROBE}': rename it")


def _first_year(instance: Instance, start: int | None) -> int:
    years = sorted(p.year for p in instance.horizon.periods)
    first = years[0] if start is None else start
    if first not in years:
        raise CritminError(f"--from {first} is not a modelled year ({', '.join(map(str, years))})")
    return first


def _content(plan: Outcome, sources: dict[str, Any]) -> pd.DataFrame:
    """Allied plants' products with Chinese-origin content, by source commodity: t of content in t of the
    product (value / price) and as a share of the product's value, over all its streams."""
    assert plan.solution is not None
    og = plan.solution.tables.get("origin", pd.DataFrame())
    cols = ["facility", "region", "commodity", "year", "source", "elements", "content_t", "content_share"]
    if og.empty:
        return pd.DataFrame(columns=cols)
    keys = ["facility", "region", "commodity", "year"]
    df = (
        og.rename(columns={"class": "source"})
        .groupby([*keys, "source"], as_index=False)
        .agg(content_t=("content_t", "sum"))
    )
    made = plan.solution.production.groupby(keys, as_index=False).agg(quantity=("quantity", "sum"))
    df = df.merge(made, on=keys, how="left")
    df["content_share"] = df.content_t / df.quantity
    df["elements"] = [" ".join(sources[s].elements) if s in sources else "" for s in df.source]
    df = df[df.content_t > EPS]
    return df[cols].sort_values(["year", "facility", "commodity", "source"]).reset_index(drop=True)


def _by_element(content: pd.DataFrame) -> pd.DataFrame:
    """The same content by element: each source's content counted under every element it carries (a Dy-Tb
    oxide's content appears under both), so a row answers 'how much of this product's value is Chinese
    material carrying Dy?'."""
    rows = []
    for r in records(content):
        for e in str(r.elements).split():
            rows.append((r.facility, r.commodity, int(r.year), e, r.content_share))
    df = pd.DataFrame(rows, columns=["facility", "commodity", "year", "element", "content_share"])
    if df.empty:
        return df
    keys = ["facility", "commodity", "year", "element"]
    return df.groupby(keys, as_index=False).agg(content_share=("content_share", "sum"))


def _reached(content: pd.DataFrame, listed: frozenset[str], levels: list[float]) -> pd.DataFrame:
    """Per product and year: its listed Chinese-origin content share, and whether each threshold reaches it
    (content at or above it)."""
    cols = ["facility", "region", "commodity", "year", "listed_share", "total_share"]
    if content.empty:
        return pd.DataFrame(columns=cols + [_level(x) for x in levels])
    keys = ["facility", "region", "commodity", "year"]
    total = content.groupby(keys, as_index=False).agg(total_share=("content_share", "sum"))
    lst = content[content.source.isin(listed)]
    lst = lst.groupby(keys, as_index=False).agg(listed_share=("content_share", "sum"))
    out = total.merge(lst, on=keys, how="left")
    out["listed_share"] = out.listed_share.fillna(0.0)
    for x in levels:  # at the threshold or above it (a hair of rounding tolerated), and some content
        out[_level(x)] = (out.listed_share >= x * (1 - 1e-7)) & (out.listed_share > EPS)
    return out[cols + [_level(x) for x in levels]].sort_values(["year", "facility"]).reset_index(drop=True)


def _level(x: float) -> str:
    return f"reached_at_{x * 100:g}pct"


def _curve(free: Outcome, unders: list[Outcome]) -> pd.DataFrame:
    """Per threshold: the planner's cost with every allied product kept under it, and its excess over the
    same world where the rule's reach has no consequence (the probe alone reaches, limiting nothing);
    allied demand not met in each."""
    rows = []
    base = free.planner_cost
    for o in unders:
        cost = o.planner_cost
        rows.append(
            {
                "threshold": o.label["threshold"],
                "status": o.status,
                "planner_cost": cost,
                "extra_cost": None if cost is None or base is None else cost - base,
                "allied_unmet": o.expected_unmet,
                "free_allied_unmet": free.expected_unmet,
            }
        )
    return pd.DataFrame(rows)


def _buyer_rules(content: pd.DataFrame, instance: Instance) -> pd.DataFrame:
    """Per product, year and buyer's origin rule (the built-in `clear` and every instance class with a test):
    the content the rule counts, its cap, and whether the product passes (made outside China, so a
    production-only rule counts nothing)."""
    classes = [ComplianceClass(id="clear", description="no Chinese-origin content")]
    classes += [c for c in instance.compliance_classes if c.test == "origin"]
    carries = {c.id: set(c.elements) for c in instance.commodities}
    cols = ["facility", "commodity", "year", "rule", "counted_share", "max_share", "passes"]
    if content.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    products = content[["facility", "commodity", "year"]].drop_duplicates()
    for r in records(products):
        grp = content[(content.facility == r.facility) & (content.commodity == r.commodity)]
        grp = grp[grp.year == r.year]
        for cc in classes:
            production_only = cc.full_chain_from is not None and int(r.year) < cc.full_chain_from
            counted = 0.0
            if not production_only:
                want = set(cc.elements)
                sel = grp if not want else grp[[bool(carries.get(s, set()) & want) for s in grp.source]]
                counted = float(sel.content_share.sum())
            passes = counted <= cc.max_share + EPS
            rows.append((r.facility, r.commodity, int(r.year), cc.id, counted, cc.max_share, passes))
    return pd.DataFrame(rows, columns=cols)


def _assumptions(ref: str | None, probe: ExportControl) -> list[str]:
    listed = ", ".join([*probe.elements, *probe.commodities]) or "every commodity"
    at = f" at stages {', '.join(probe.stages)}" if probe.stages else ""
    return [
        f"the probe rule lists {listed}{at} and is in force from {probe.start}; it limits no shipment by "
        "itself (the instance's own controls stay as they are)",
        "content by value at reference prices (commodities[].price), traced through every stage; a lot may "
        "be "
        "segregated (a clean batch for one buyer) but material thrown away carries no content",
        "a plant's content is the plan's allocation of lots; where allocations of the same material cost the "
        "same, the one reported is one of them (the cost of staying under is the robust figure)",
        "a product is reached when its listed content is at or above the threshold, as MOFCOM No. 61 words "
        "it",
        "staying under: no allied plant makes a product the probe reaches, the probe being the only rule "
        "that reaches (the instance's extraterritorial rules keep their limits on China's own exports); "
        "compared with the same world without that obligation; Chinese products themselves are unaffected",
        f"one future: {'scenario ' + ref if ref else 'the instance as given'}",
    ]


def _headline(
    reached: pd.DataFrame, curve: pd.DataFrame, levels: list[float], cur: str, base: float | None
) -> list[str]:
    out = []
    extra = {float(r.threshold): r.extra_cost for r in records(curve)}
    for x in levels:
        col = _level(x)
        if col in reached.columns:
            hit = reached[reached[col]]
            n = hit[["facility", "commodity"]].drop_duplicates().shape[0]
            years = sorted(hit.year.unique())
            when = f" (in {', '.join(map(str, years[:4]))}{'...' if len(years) > 4 else ''})" if years else ""
            free = n and extra.get(x) is not None and abs(extra[x]) <= 1e-6 * max(1.0, abs(base or 0.0))
            # the plan's lots are one allocation of its material; another, at the same cost, may avoid reach
            why = ": the same material allocated differently keeps them under, at no cost" if free else ""
            out.append(f"at {_pct(x)}: {n} allied product(s) would be reached{when}{why}")
    for r in records(curve):
        if r.planner_cost is None or (isinstance(r.planner_cost, float) and np.isnan(r.planner_cost)):
            out.append(f"keeping every allied product under {_pct(r.threshold)}: {r.status}")
        else:
            short = r.allied_unmet - (r.free_allied_unmet or 0.0) if r.allied_unmet is not None else 0.0
            more = f"; {tonnes(short)} more allied demand not met" if short > 0.5 else ""
            out.append(
                f"keeping every allied product under {_pct(r.threshold)} costs {money(r.extra_cost, cur)} "
                "more" + more
            )
    return out


def _pct(x: float) -> str:
    """A threshold as the law writes it: 0.1%, 0.05%, 1%."""
    return f"{x * 100:g}%"
