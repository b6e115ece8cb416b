"""Which cost of capital each build pays, and price paths as price factors (schema/finance.py says why).

One place decides a build option's rate (`capital_rates`), read by the capex annuity (builds.py), the builds
table and the docs; one place turns price paths into the scenario price factors every price already reads
(`price_path_adjustments`), so imports, sales, tariffs and price floors move together.
"""

from __future__ import annotations

from ..schema import Adjustment, Instance


def _specificity(h: object) -> int:
    return sum(getattr(h, k) is not None for k in ("investor", "region", "stage"))


def capital_rates(inst: Instance) -> dict[str, tuple[float, str]]:
    """Option id -> (real rate, what set it): its own hurdle rate; the lowest concessional term backing it;
    the most specific matching hurdle-rate row (first listed on a tie); else the discount rate."""
    fac = {f.id: f for f in inst.facilities}
    stage = {c.id: c.stage for c in inst.commodities}
    bloc = {r.id: r.bloc for r in inst.regions}
    out: dict[str, tuple[float, str]] = {}
    for o in inst.build_options:
        if o.hurdle_rate is not None:
            out[o.id] = (o.hurdle_rate, "its own hurdle_rate")
            continue
        backing = [c for c in inst.finance.concessional if o.id in c.options]
        if backing:
            best = min(backing, key=lambda c: c.rate)
            out[o.id] = (best.rate, f"concessional {best.kind} '{best.id}'")
            continue
        f = fac[o.facility]
        investor = o.investor or f.region
        st = stage[next(iter(f.outputs))] if f.outputs else None

        def matches(h: object, investor: str = investor, region: str = f.region, st: str | None = st) -> bool:
            inv, reg, stg = (getattr(h, k) for k in ("investor", "region", "stage"))
            return (
                (inv is None or inv in (investor, bloc.get(investor)))
                and (reg is None or reg in (region, bloc.get(region)))
                and (stg is None or stg == st)
            )

        rows = [h for h in inst.finance.hurdle_rates if matches(h)]
        if rows:
            top = max(_specificity(h) for h in rows)
            h = next(h for h in rows if _specificity(h) == top)
            out[o.id] = (h.rate, f"hurdle rate '{h.id}'")
        else:
            out[o.id] = (inst.horizon.discount_rate, "the discount rate (no finance terms)")
    return out


def price_path_adjustments(inst: Instance, scenario: str) -> list[Adjustment]:
    """The price paths that apply in `scenario` (by name, or by its control scenario's name when schedule
    cases were crossed in: `s__c` follows `s`), as price factors by year window."""
    base = scenario.split("__")[0]
    price = {c.id: c.price for c in inst.commodities}
    last = inst.horizon.years[-1]
    out: list[Adjustment] = []
    for pp in inst.price_paths:
        if pp.scenarios and scenario not in pp.scenarios and base not in pp.scenarios:
            continue
        if pp.factors is not None:
            steps = dict(pp.factors)
        else:
            listed = price.get(pp.commodity) or 0.0
            steps = {y: v / listed for y, v in (pp.prices or {}).items()} if listed else {}
        years = sorted(steps)
        for i, y in enumerate(years):
            end = years[i + 1] - 1 if i + 1 < len(years) else max(last, y)
            out.append(
                Adjustment(region=pp.region, commodity=pp.commodity, start=y, end=end, factor=steps[y])
            )
    return out
