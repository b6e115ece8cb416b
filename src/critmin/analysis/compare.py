"""Compare plans across instances and scenarios: metrics side by side, differences from a baseline, and the
inputs that differ, so a user can check a scenario changed what they meant.

Every table has a `run` column; the first run is the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CritminError
from ..io.output import atomic_directory
from ..io.tables import check_format, write_tables
from ..results.costs import CostBreakdown, label
from ..results.format import column_unit, money, number, points, share, tonnes
from ..results.solution import Solution
from ..results.tables import expected_builds, records
from ..schema import Instance
from ..schema.keys import entity_tables, sections

# Run options recorded in summary.json that change a plan: a difference is listed with the inputs.
RUN_OPTIONS = ("scenario", "risk_weight", "mip_gap", "time_limit", "engine")


@dataclass
class Comparison:
    """Aligned results of several runs. `metrics` is long (run, metric, value, delta); `table` is wide."""

    runs: list[str]
    metrics: pd.DataFrame
    builds: pd.DataFrame
    inputs: pd.DataFrame
    solutions: list[Solution] = field(default_factory=list, repr=False)

    @property
    def plot(self) -> Any:
        """Plotly figures of the comparison: `cmp.plot.costs()`, `cmp.plot.builds()`."""
        from ..results.charts import ComparisonPlots

        return ComparisonPlots(self)

    @property
    def table(self) -> pd.DataFrame:
        """metric x run, with a 'Δ run' column for each run after the baseline."""
        wide = self.metrics.pivot_table(
            index="metric", columns="run", values="value", aggfunc="first", sort=False
        )
        wide = wide[[r for r in self.runs if r in wide.columns]]
        order = list(dict.fromkeys(self.metrics.metric))
        wide = wide.reindex(order)
        built = [m for m in wide.index if str(m).startswith("built ")]
        wide.loc[built] = wide.loc[built].fillna(0.0)  # a run that built nothing there built 0
        base = self.runs[0]
        for r in self.runs[1:]:
            wide[f"Δ {r}"] = pd.to_numeric(wide[r], errors="coerce") - pd.to_numeric(
                wide[base], errors="coerce"
            )
        return wide

    def to_text(self) -> str:
        t = self.table
        lines = [f"baseline: {self.runs[0]}", ""]
        headers = ["metric"] + [str(c) for c in t.columns]
        width = [max(28, max((len(str(i)) for i in t.index), default=0))] + [
            max(14, len(h)) for h in headers[1:]
        ]
        lines.append(
            "  ".join(
                h.ljust(w) if i == 0 else h.rjust(w)
                for i, (h, w) in enumerate(zip(headers, width, strict=True))
            )
        )
        currency = str(self.solutions[0].units.get("currency", "")) if self.solutions else ""
        for metric, row in t.iterrows():
            cells = [str(metric).ljust(width[0])]
            for col, v, w in zip(t.columns, row.values, width[1:], strict=True):
                delta = str(col).startswith("Δ ")
                cells.append(_fmt(v, str(metric), currency, delta=delta).rjust(w))
            lines.append("  ".join(cells))
        lines.append("")
        if self.inputs.empty:
            lines.append("inputs: identical")
        else:
            lines.append("inputs that differ from the baseline:")
            for r in records(self.inputs.head(40)):
                if r.change == "changed":
                    lines.append(f"  {r.run}: {r.table} {r.key} {r.field}: {r.baseline} -> {r.value}")
                else:
                    lines.append(f"  {r.run}: {r.table} {r.key} {r.change}")
            if len(self.inputs) > 40:
                lines.append(f"  ... {len(self.inputs) - 40} more (see inputs.csv)")
        return "\n".join(lines)

    def what_changed(self, top: int = 5) -> list[str]:
        """Per run after the baseline, what differs, in the order an analyst asks: the inputs and solver
        options changed, the planner's cost and its split, then the builds that moved most."""
        cur = str(self.solutions[0].units.get("currency", "")) if self.solutions else ""
        t = self.table
        base = self.runs[0]
        out: list[str] = []
        for run in self.runs[1:]:
            out.append(f"{run} against {base}:")
            diff = self.inputs[self.inputs.run == run] if not self.inputs.empty else self.inputs
            if diff.empty:
                out.append("  inputs and options: identical")
            else:
                shown = [
                    f"{r.table} {r.key} {r.field}: {r.baseline} -> {r.value}"
                    if r.change == "changed"
                    else f"{r.table} {r.key} {r.change}"
                    for r in records(diff.head(top))
                ]
                by_table = diff.table.value_counts(sort=False)
                counts = ", ".join(f"{t} {n}" for t, n in by_table.items())
                more = f"; +{len(diff) - top} more" if len(diff) > top else ""
                out.append(
                    f"  {len(diff)} input(s) or option(s) differ ({counts}): " + "; ".join(shown) + more
                )
            for metric in ("cost", "money spent", "value of demand not served"):
                if metric in t.index:
                    d = t.loc[metric, f"Δ {run}"]
                    sign = "+" if isinstance(d, (int, float)) and d > 0 else ""
                    out.append(f"  {metric}: {_fmt(t.loc[metric, run], metric, cur)} "
                               f"(Δ {sign}{_fmt(d, metric, cur, delta=True)})")  # fmt: skip
            built = [m for m in t.index if str(m).startswith("built ")]
            moved = sorted(
                ((m, float(t.loc[m, f"Δ {run}"])) for m in built if abs(float(t.loc[m, f"Δ {run}"])) > 0.5),
                key=lambda x: -abs(x[1]),
            )
            if moved:
                shown = [
                    f"{m.removeprefix('built ').removesuffix(' (t/yr)')} {d:+,.0f} t/yr" for m, d in moved
                ]
                out.append("  builds that moved most: " + "; ".join(shown[:top]))
            else:
                out.append("  builds: the same")
        return out

    def write(self, directory: str | Path, *, fmt: str = "csv", force: bool = False) -> Path:
        """metrics, metrics_wide, builds and inputs as one new folder in `fmt` (critmin.io.output): an
        existing one is replaced only with `force` and only if it is a comparison critmin wrote."""
        check_format(fmt)
        cur = str(self.solutions[0].units.get("currency", "")) if self.solutions else ""
        tables = {"metrics": self.metrics, "metrics_wide": self.table.reset_index(), "builds": self.builds,
                  "inputs": self.inputs}  # fmt: skip
        with atomic_directory(Path(directory), kind="comparison", force=force) as d:
            write_tables(d, tables, fmt, units=lambda c: column_unit(c, "t", cur))
        return Path(directory)

    def _repr_html_(self) -> str:
        """Jupyter: the metrics in critmin's formats (money with magnitude, shares, changes in pp)."""
        import html

        t = self.table
        cur = str(self.solutions[0].units.get("currency", "")) if self.solutions else ""
        shown = pd.DataFrame(
            [
                [
                    _fmt(v, str(m), cur, delta=str(c).startswith("Δ "))
                    for c, v in zip(t.columns, row, strict=True)
                ]
                for m, row in zip(t.index, t.to_numpy(), strict=True)
            ],
            index=t.index,
            columns=t.columns,
        )
        inputs = (
            "<h4>inputs that differ</h4>" + self.inputs.to_html(index=False, na_rep="-")
            if not self.inputs.empty
            else "<p>inputs identical</p>"
        )
        return (
            f"<h4>critmin comparison (baseline {html.escape(self.runs[0])})</h4>" + shown.to_html() + inputs
        )


def _fmt(v: Any, metric: str = "", currency: str = "", *, delta: bool = False) -> str:
    """A metric's value in critmin's one format (results/format.py), by what the metric is; a change in a
    share (`delta`) is in percentage points, not a percentage of it."""
    if isinstance(v, str):
        return v
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if x != x:  # NaN
        return "-"
    m = metric.lower()
    if "share" in m:
        return points(x) if delta else share(x)
    if "(t/yr)" in m or "(expected t)" in m:
        return tonnes(x, "t/yr" if "(t/yr)" in m else "t")
    if m.startswith("risk exposure"):
        return number(x)
    return money(x, currency)


def load_run(item: str | Path | Solution, **solve_kw: Any) -> tuple[str, Solution]:
    """A solution folder, an instance file (solved now), `file.yaml@scenario` (that scenario alone), or a
    Solution."""
    if isinstance(item, Solution):
        return str(item.instance.get("name", "run")), item
    text = str(item)
    scenario = None
    if "@" in text and not Path(text).exists():
        text, scenario = text.rsplit("@", 1)
    path = Path(text)
    if path.is_dir() and (path / "summary.json").exists():
        return path.name, Solution.read(path)
    if path.is_dir() and (path / "frontier.json").exists():
        raise CritminError(f"{path} is a frontier folder: compare its point_NN/ solution folders")
    from ..io import load_instance
    from ..solving import solve

    inst = load_instance(path)
    name = f"{path.stem}@{scenario}" if scenario else path.stem
    return name, solve(inst, scenario=scenario, **solve_kw)


def compare(
    items: Sequence[str | Path | Solution],
    *,
    years: Sequence[int] | None = None,
    allow_mismatch: bool = False,
    names: Sequence[str] | None = None,
    **solve_kw: Any,
) -> Comparison:
    """Compare runs (solution folders, instance files or Solutions); the first is the baseline. `solve_kw`
    (options, engine, ...) applies to instance files solved on the fly.

    Refuses runs whose model version, quantity unit or currency differ, unless `allow_mismatch`."""
    if len(items) < 1:
        raise CritminError("compare needs at least one run")
    loaded = [load_run(i, **solve_kw) for i in items]
    names = _unique(list(names) if names is not None else [n for n, _ in loaded])
    sols = [s for _, s in loaded]
    base = sols[0]
    for name, sol in zip(names[1:], sols[1:], strict=True):
        problems = []
        if sol.model_version != base.model_version:
            problems.append(f"model version {sol.model_version} vs {base.model_version}")
        for key in ("quantity", "currency"):
            if sol.units.get(key) != base.units.get(key):
                problems.append(f"{key} {sol.units.get(key)} vs {base.units.get(key)}")
        if problems and not allow_mismatch:
            raise CritminError(
                f"run '{name}' is not comparable with '{names[0]}': {'; '.join(problems)} "
                "(use --allow-mismatch to compare anyway)"
            )
    metrics = pd.concat([_metrics(n, s, years) for n, s in zip(names, sols, strict=True)], ignore_index=True)
    base_vals = metrics[metrics.run == names[0]].set_index("metric").value
    metrics["delta"] = [
        (v - b) if isinstance(v, (int, float)) and isinstance(b := base_vals.get(m), (int, float)) else None
        for m, v in zip(metrics.metric, metrics.value, strict=True)
    ]
    builds = pd.concat([_builds(n, s) for n, s in zip(names, sols, strict=True)], ignore_index=True)
    diffs = [
        pd.concat(
            [
                diff_inputs(names[0], base.instance_data, n, s.instance_data),
                pd.DataFrame(diff_options(n, base, s)),
            ]
        )
        for n, s in zip(names[1:], sols[1:], strict=True)
    ]
    inputs = pd.concat(diffs or [_empty_diff()], ignore_index=True)
    inputs = inputs[inputs.change.notna()].reset_index(drop=True) if not inputs.empty else _empty_diff()
    return Comparison(names, metrics, builds, inputs, sols)


def _unique(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        k, i = n, 2
        while k in out:
            k, i = f"{n}#{i}", i + 1
        out.append(k)
    return out


def _metrics(run: str, sol: Solution, years: Sequence[int] | None) -> pd.DataFrame:
    """One run's metrics. `cost` is the planner's: money spent plus the value of demand not served (risk
    terms and costs outside the planner are listed apart, never added in)."""
    cb = CostBreakdown.from_parts(sol.objective_parts)
    rows: list[tuple[str, Any]] = [
        ("status", sol.status),
        ("cost", cb.planner_cost if sol.has_solution else None),
        ("money spent", cb.money_spent if sol.has_solution else None),
        ("value of demand not served", cb.value_unserved if sol.has_solution else None),
    ]
    for category in ("spent", "unserved", "risk", "outside"):
        rows += [(f"{category}: {label(k)}", v) for k, v in cb.parts[category].items()]
    rows.append(("objective (all terms, weighted)", sol.objective))
    kt = sol.tables.get("kpis_total", pd.DataFrame())
    if not kt.empty:
        p = kt.probability
        if "risk_exposure" in sol.metrics:  # the model's definition, as the frontier reports it
            rows.append(("risk exposure (expected discounted t x score)", sol.metrics["risk_exposure"]))
        w = _period_weights(sol)
        weight = kt.year.map(lambda y: w.get(int(y), 1))
        short = kt.unmet + kt.forgone if "forgone" in kt.columns else kt.demand - kt.delivered
        rows.append(("allied demand not met (expected t)", float((short * p * weight).sum())))
    k = sol.tables.get("kpis", pd.DataFrame())
    if not k.empty and not kt.empty:
        prob = kt.drop_duplicates("scenario").set_index("scenario").probability
        k = k.assign(p=k.scenario.map(prob))
        use_years = list(years) if years else sorted({int(min(k.year)), int(max(k.year))})
        for c in sorted(k.commodity.unique()):
            for y in use_years:
                sub = k[(k.commodity == c) & (k.year == y)]
                if sub.empty:
                    continue
                d = (sub.delivered * sub.p).sum()
                share = (sub.controlled * sub.p).sum() / d if d else float("nan")
                rows.append((f"controlled share {c} {y}", float(share)))
    b = expected_builds(sol.tables.get("builds", pd.DataFrame()))
    if not b.empty:
        g = b.groupby(["region", "stage"], as_index=False).capacity_added.sum()
        rows += [
            (f"built {r} {s} (t/yr)", float(v))
            for r, s, v in zip(g.region, g.stage, g.capacity_added, strict=True)
        ]
    return pd.DataFrame({"run": run, "metric": [r[0] for r in rows], "value": [r[1] for r in rows]})


def _period_weights(sol: Solution) -> dict[int, int]:
    """Years each modelled period stands for, from the solution's instance (1 each if not stored)."""
    periods = ((sol.instance_data or {}).get("horizon") or {}).get("periods") or []
    return {int(p["year"]): int(p.get("weight", 1)) for p in periods} or {}


def _builds(run: str, sol: Solution) -> pd.DataFrame:
    """Capacity and capex built per region and stage, expected over the scenarios."""
    b = expected_builds(sol.tables.get("builds", pd.DataFrame()))
    if b.empty:
        return pd.DataFrame(columns=["run", "region", "stage", "capacity_added", "capex"])
    g = b.groupby(["region", "stage"], as_index=False)[["capacity_added", "capex"]].sum()
    g.insert(0, "run", run)
    return g


def _empty_diff() -> pd.DataFrame:
    return pd.DataFrame(columns=["run", "change", "table", "key", "field", "baseline", "value"])


def _get(data: dict, dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _changed(run: str, table: str, key: str, field: str, base: Any, value: Any) -> dict[str, Any]:
    return {
        "run": run,
        "change": "changed",
        "table": table,
        "key": key,
        "field": field,
        "baseline": base,
        "value": value,
    }


def _diff_table(
    run: str, table: str, keys: tuple[str, ...], la: list[Any], lb: list[Any]
) -> list[dict[str, Any]]:
    """Entities of one table added, removed or changed (field by field; `source` text is not an input)."""

    def keyed(items: list[Any]) -> dict[tuple[str, ...], dict[str, Any]]:
        return {tuple(str(x.get(k)) for k in keys): x for x in items if isinstance(x, dict)}

    ka, kb = keyed(la), keyed(lb)
    rows = [
        {"run": run, "change": "added", "table": table, "key": "/".join(k)}
        for k in sorted(kb.keys() - ka.keys())
    ]
    rows += [
        {"run": run, "change": "removed", "table": table, "key": "/".join(k)}
        for k in sorted(ka.keys() - kb.keys())
    ]
    for key in sorted(ka.keys() & kb.keys()):
        fa, fb = _flatten(ka[key]), _flatten(kb[key])
        for f in sorted(fa.keys() | fb.keys()):
            if f != "source" and fa.get(f) != fb.get(f):
                rows.append(_changed(run, table, "/".join(key), f, fa.get(f), fb.get(f)))
    return rows


def diff_options(run: str, base: Solution, sol: Solution) -> list[dict[str, Any]]:
    """Run options (scenario, risk weight, MIP gap, ...) that differ between two solutions."""
    return [
        _changed(run, "run options", "-", k, base.options.get(k), sol.options.get(k))
        for k in RUN_OPTIONS
        if base.options.get(k) != sol.options.get(k)
    ]


def diff_inputs(base_name: str, a: dict | None, run: str, b: dict | None) -> pd.DataFrame:
    """Entities added, removed or changed (field by field) between two instances' data."""
    if a is None or b is None:
        return pd.DataFrame(
            [
                {
                    "run": run,
                    "change": "unknown",
                    "table": "-",
                    "key": "-",
                    "field": "-",
                    "baseline": "-",
                    "value": "instance data not stored with this solution",
                }
            ]
        )
    rows: list[dict[str, Any]] = []
    for table, keys in entity_tables(Instance).items():
        rows += _diff_table(run, table, keys, _get(a, table) or [], _get(b, table) or [])
    for section in sections(Instance):
        fa, fb = _flatten(a.get(section)), _flatten(b.get(section))
        for f in sorted(fa.keys() | fb.keys()):
            if fa.get(f) != fb.get(f):
                rows.append(_changed(run, section, "-", f, fa.get(f), fb.get(f)))
    df = pd.DataFrame(rows, columns=["run", "change", "table", "key", "field", "baseline", "value"])
    return df if not df.empty else _empty_diff()
