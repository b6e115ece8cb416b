"""`--ranges N` on any analysis: its headline figures as p10 / p50 / p90 over the declared uncertainty.

Every input the instance declares under `uncertain:` is drawn at once, uniformly within its range (seeded:
the same draws for the same seed, whatever runs the solves); each draw is an instance of its own
(`sample_instance`: multipliers built into its model, scenario probabilities re-weighted) and the analysis is
run on it exactly as on the instance as written, its solves on the same Dask engine. The figures each
analysis reports (`FIGURES`, one function per kind) are then summarised per figure: the value as written
and the 10th, 50th and 90th percentiles over the samples that gave an answer. A year figure (the first year
X% of demand is met without China) not reached by the horizon counts as later than any year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

from ..errors import CritminError
from ..results.format import in_unit
from ..schema import Instance
from ..schema.uncertainty import Uncertain
from .frontier import Frontier
from .jobs import with_probability
from .output import AnalysisResult
from .sweep import Progress

T = TypeVar("T")
# figure -> (unit: 'money', 'year' or 'number', value; a year None: not reached by the horizon)
Figures = dict[str, tuple[str, float | None]]
QUANTILES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}


def declared(instance: Instance) -> list[Uncertain]:
    """The instance's uncertain inputs, refused with a hint when it declares none."""
    if not instance.uncertain:
        raise CritminError(
            f"{instance.name} declares no uncertain inputs: add an `uncertain:` section (instances/README.md)"
        )
    return list(instance.uncertain)


def draw(instance: Instance, samples: int, seed: int) -> tuple[list[Uncertain], np.ndarray]:
    """The declared inputs and a (samples x inputs) table of draws, each uniform within its range."""
    if samples < 2:
        raise CritminError("--ranges needs at least 2 samples")
    chosen = declared(instance)
    rng = np.random.default_rng(seed)
    return chosen, np.column_stack([rng.uniform(u.low, u.high, size=samples) for u in chosen])


def sample_instance(instance: Instance, chosen: list[Uncertain], values: np.ndarray) -> Instance:
    """The instance at one draw: multipliers applied (Instance.with_factors), probabilities re-weighted."""
    factors: dict[str, float] = {}
    for u, x in zip(chosen, values, strict=True):
        if u.parameter != "probability":
            factors[u.parameter] = factors.get(u.parameter, 1.0) * float(x)
    inst = instance.with_factors(factors)
    for u, x in zip(chosen, values, strict=True):
        if u.parameter == "probability":
            assert u.scenario is not None
            inst = with_probability(inst, u.scenario, float(x))
    return inst


@dataclass
class Bands(Generic[T]):
    """An analysis as written and its figures' bands over the samples."""

    point: T
    summary: pd.DataFrame  # figure, unit, as_written, p10, p50, p90, answered
    samples: pd.DataFrame  # sample, status, each input's draw, each figure
    method: str

    def lines(self, currency: str) -> list[str]:
        """'figure: X as written; p10 / p50 / p90 A / B / C' for each figure."""
        out = []
        for r in self.summary.to_dict("records"):
            shown = [in_unit(r[k], r["unit"], currency) for k in ("as_written", "p10", "p50", "p90")]
            out.append(f"{r['figure']}: {shown[0]} as written; p10 / p50 / p90 {' / '.join(shown[1:])}")
        failed = int((self.samples.status != "answered").sum())
        if failed:
            out.append(f"{failed} of {len(self.samples)} samples gave no answer (see range_samples)")
        return out


def _draw_column(u: Uncertain) -> str:
    """A sample's draw of `u` as a column: a multiplier ('capex_factor') or a probability."""
    return f"{u.id}_probability" if u.parameter == "probability" else f"{u.id}_factor"


def _quantile(values: list[float | None], unit: str, q: float) -> float | None:
    if not values:
        return None
    if unit == "year":  # a year never reached is later than any; the band's years are years that occur
        arr = np.array([np.inf if v is None else v for v in values], dtype=float)
        x = float(np.quantile(arr, q, method="inverted_cdf"))
        return None if np.isinf(x) else x
    arr = np.array([v for v in values if v is not None], dtype=float)
    return float(np.quantile(arr, q)) if len(arr) else None


def bands(
    instance: Instance,
    samples: int,
    seed: int,
    run: Callable[[Instance], T],
    figures: Callable[[T], Figures],
    progress: Progress | None = None,
) -> Bands[T]:
    """Run `run` on the instance as written and on each draw; summarise `figures` of each."""
    chosen, draws = draw(instance, samples, seed)
    point = run(instance)
    written = figures(point)
    rows: list[dict[str, Any]] = []
    for i in range(samples):
        row: dict[str, Any] = {"sample": i}
        row.update({_draw_column(u): float(x) for u, x in zip(chosen, draws[i], strict=True)})
        try:
            found = figures(run(sample_instance(instance, chosen, draws[i])))
            row["status"] = "answered"
            row.update({name: value for name, (_unit, value) in found.items()})
        except CritminError as exc:  # a draw without a plan: said in the table, left out of the bands
            row["status"] = f"no answer: {str(exc).splitlines()[0]}"
        rows.append(row)
        if progress is not None:
            progress(i + 1, samples)
    table = pd.DataFrame(rows)
    ok = table[table.status == "answered"]
    summary = []
    for name, (unit, value) in written.items():
        got: list[float | None] = (
            [None if v != v else float(v) for v in ok[name]] if name in ok else []  # NaN: not reached
        )
        summary.append({"figure": name, "unit": unit, "as_written": value,
                        **{k: _quantile(got, unit, q) for k, q in QUANTILES.items()},
                        "answered": len(got)})  # fmt: skip
    method = (
        f"ranges: {samples} samples, every declared input ({', '.join(u.id for u in chosen)}) drawn "
        f"uniformly within its range at once (seed {seed}); the analysis re-run per sample"
    )
    return Bands(point, pd.DataFrame(summary), table, method)


def with_bands(result: AnalysisResult, b: Bands[Any]) -> AnalysisResult:
    """The analysis as written, its headline followed by each figure's band; `ranges` and `range_samples`
    tables and the draw's description in its facts (analysis.json)."""
    result.headline = [*result.headline, "", "ranges over the declared uncertain inputs:",
                       *(f"  {line}" for line in b.lines(result.currency))]  # fmt: skip
    result.tables = {**result.tables, "ranges": b.summary, "range_samples": b.samples}
    result.facts = {**result.facts, "ranges": b.method}
    result.assumptions = [
        *result.assumptions,
        "ranges: inputs independent and uniform within their declared ranges (no joint distribution is "
        "known); a probability re-weights the other scenarios in proportion",
    ]
    return result


# -- the figures each analysis reports ----------------------------------------------------------------


def value_figures(a: AnalysisResult) -> Figures:
    return {k: ("money", float(a.facts[k])) for k in ("RP", "WS", "EEV", "EVPI", "VSS")}


def leverage_figures(a: AnalysisResult) -> Figures:
    out: Figures = {}
    for r in a.tables["damage"].to_dict("records"):
        y = int(r["ban_from"])
        for net, name in (("today", "today's network"), ("planned", "the planned network")):
            out[f"damage of a ban from {y}, {name}"] = ("money", float(r[f"damage_{net}"]))
    return out


def stress_figures(a: AnalysisResult) -> Figures:
    out: Figures = {}
    for r in a.tables["time_to_share"].to_dict("records"):
        first = r["first_year"]
        out[f"first year {r['share']:.0%} met without China"] = (
            "year", None if first is None or first != first else float(first)
        )  # fmt: skip
    return out


def attribute_figures(a: AnalysisResult) -> Figures:
    out: Figures = {"saving of all deals": ("money", float(a.facts["saving"]))}
    for r in a.tables["deals"].to_dict("records"):
        out[f"saving of {r['deal']} (Shapley)"] = ("money", float(r["saving_shapley"]))
    return out


def frontier_figures(f: Frontier) -> Figures:
    """The frontier's two ends: the least-cost plan and the least-risk plan, each's cost and risk."""
    pareto = f.pareto
    ok = pareto[pareto.cost.notna()]
    if ok.empty:
        raise CritminError("the frontier has no solved point")
    cheap = ok.sort_values("cost", kind="stable").iloc[0]
    safe = ok.sort_values("risk", kind="stable").iloc[0]
    return {
        "least-cost plan: expected cost": ("money", float(cheap.cost)),
        "least-cost plan: risk": ("number", float(cheap.risk)),
        "least-risk plan: expected cost": ("money", float(safe.cost)),
        "least-risk plan: risk": ("number", float(safe.risk)),
    }


FIGURES: dict[str, Callable[[AnalysisResult], Figures]] = {
    "value": value_figures,
    "leverage": leverage_figures,
    "stress": stress_figures,
    "attribute": attribute_figures,
}
