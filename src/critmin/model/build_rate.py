"""Build-rate limits: how much new capacity of a stage can come online (or start construction) per year in a
region or bloc — know-how, equipment and people bind, not only money (Neo Narva: 2 kt of magnets in 2.5
years; MP 10X: 7 kt in about 3 years).

`build_rate[rate, y, branch]`: over the builds in scope whose event (online year, or construction start)
falls in period y's calendar years,
    sum unit x build <= sum over the period's years of limit(j) + learning x w_y x (same capacity whose
    event came before the period),
per set of scenarios with the same builds (recourse). Its shadow price (diagnose) is what one more t/yr of
build rate is worth.
"""

from __future__ import annotations

from .builder import INF, ModelBuilder
from .builds import by_scenario_sets
from .data_types import BuildKey
from .terms import build_col
from .timeline import calendar_years, existing_capacity, in_window


def _scope(b: ModelBuilder, region: str | None, stage: str, stages: dict[str, str]) -> list[BuildKey]:
    """The builds a limit counts: options of facilities of its stage (Instance.facility_stages: a recycler is
    'recycling', not the stage of the oxide it makes) in its region or bloc."""
    md = b.md
    out = []
    for key in md.build_keys:
        fac = md.facility[md.option[key[0]].facility]
        if stages[fac.id] != stage:
            continue
        if region is None or fac.region == region or md.bloc_of[fac.region] == region:
            out.append(key)
    return out


def add_build_rates(b: ModelBuilder) -> None:
    md = b.md
    cal = calendar_years(md.inst)
    keys, upper, rows = [], [], []
    stages = md.inst.facility_stages()
    for br in md.inst.build_rates:
        scope = _scope(b, br.region, br.stage, stages)

        def event(k: BuildKey, counts: str = br.counts) -> int:
            return k[1] if counts == "online" else md.build_start[k]

        for y in md.years:
            years = cal[y]
            if not in_window(y, br.start, br.end):
                continue
            this = [k for k in scope if event(k) in years]
            if not this:
                continue
            before = [k for k in scope if event(k) < years[0]] if br.learning else []
            limit = sum(existing_capacity(br.limit, j) for j in years) / md.q
            current = set(this)
            for label, subset in by_scenario_sets(this + before, md.build_serves, md.scenarios):
                now = [k for k in subset if k in current]
                if not now:
                    continue
                terms = [(md.build_unit[k[0]], build_col(b, k)) for k in now]
                terms += [(-br.learning * len(years) * md.build_unit[k[0]], build_col(b, k))
                          for k in subset if k not in current]  # fmt: skip
                keys.append((br.id, y, label))
                upper.append(limit)
                rows.append(terms)
    b.rows_of_terms(b.constraints("build_rate", keys, -INF, upper), rows)
