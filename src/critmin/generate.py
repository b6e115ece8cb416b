"""Synthetic instances with the structure of the bundled ones, for timing (not for planning).

Every figure here is SYNTHETIC: random, seeded, in plausible ranges. The first region is a controlled-origin
adversary holding most capacity; every region has a mine, a separation plant and a magnet plant, candidate
builds (continuous separation, modular magnets), sparse routes to a few neighbours, magnet demand each year,
and scenarios that switch on export controls.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import yaml

from .io import validate_instance
from .io.excel import flatten_record
from .io.output import atomic_directory
from .schema import Instance

CSV_TABLES = ("facilities", "build_options", "routes", "demand")


def synthetic(
    regions: int = 10,
    years: int = 6,
    scenarios: int = 2,
    neighbours: int = 4,
    seed: int = 0,
    commodities: int = 4,
) -> Instance:
    """A synthetic instance; the same arguments always give the same instance."""
    return validate_instance(synthetic_data(regions, years, scenarios, neighbours, seed, commodities))


def synthetic_data(
    regions: int = 10,
    years: int = 6,
    scenarios: int = 2,
    neighbours: int = 4,
    seed: int = 0,
    commodities: int = 4,
) -> dict[str, Any]:
    """The plain-data form of `synthetic` (what `write_instance` writes). `commodities` >= 3: a concentrate,
    `commodities - 2` separated oxides (NdPr, Dy, then minor oxides) and a magnet that uses them all."""
    if regions < 2 or years < 1 or scenarios < 1 or commodities < 3:
        raise ValueError("need at least 2 regions, 1 year, 1 scenario and 3 commodities")
    oxides = ["ndpr", "dy", "tb"][: commodities - 2] + [f"ox{j}" for j in range(4, commodities - 1)]
    rng = random.Random(seed)
    ids = [f"R{i:03d}" for i in range(regions)]
    # deterministic round-robin so every bloc the controls name exists whenever there are enough regions
    blocs = ["adversary"] + [("home", "ally", "partner", "neutral")[i % 4] for i in range(regions - 1)]
    y0 = 2025
    yrs = list(range(y0, y0 + years))
    prices = {"ndpr": 60000, "dy": 260000, "tb": 810000}
    comms = (
        [("conc", "mining", 5000)]
        + [(o, "separation", prices.get(o, 20000)) for o in oxides]
        + [("magnet", "magnet", 100000)]
    )
    tables: dict[str, list[dict[str, Any]]] = {
        "facilities": [],
        "build_options": [],
        "routes": [],
        "demand": [],
    }
    for i, r in enumerate(ids):  # one region at a time, so the random sequence is fixed by the seed
        tables["facilities"] += _plants(rng, r, oxides, 20.0 if i == 0 else 1.0)
        tables["build_options"] += _options(rng, r, years)
        for c, _, _ in comms:
            for j in rng.sample([x for x in range(regions) if x != i], min(neighbours, regions - 1)):
                route = {"commodity": c, "origin": r, "destination": ids[j], "cost": rng.uniform(100, 1500)}
                tables["routes"].append(
                    {**route, "tariff": rng.choice([0, 0, 0.1, 0.25]) if c != "conc" else 0}
                )
        tables["demand"] += _demand(rng, r, yrs, y0)
    controls = [
        {
            "id": "ban",
            "exporter": ids[0],
            "commodities": [o for o in oxides if o != "ndpr"] + ["magnet"],
            "destinations": [b for b in ("home", "ally") if b in blocs],
            "start": y0 + 2,
            "kind": "ban",
            "extraterritorial": True,
            "scenarios": [f"s{k}" for k in range(1, scenarios)] or None,
        }
    ]
    scen: list[dict[str, Any]] = [{"name": f"s{k}", "probability": 1 / scenarios} for k in range(scenarios)]
    scen[-1]["probability"] = 1 - sum(s["probability"] for s in scen[:-1])
    region_rows = [
        {
            "id": r,
            "bloc": b,
            "risk": 0.8 if b == "adversary" else rng.uniform(0, 0.4),
            "controlled_origin": b == "adversary",
        }
        for r, b in zip(ids, blocs, strict=True)
    ]
    return {
        "name": f"synthetic-r{regions}-y{years}-s{scenarios}-seed{seed}",
        "description": "SYNTHETIC benchmark instance",
        "horizon": {"base_year": y0, "discount_rate": 0.05, "years": yrs},
        "regions": region_rows,
        "commodities": [{"id": c, "stage": s, **({"price": p} if p else {})} for c, s, p in comms],
        **tables,
        "export_controls": controls,
        "scenarios": scen,
        "objective": {"risk_weight": 500, "unmet_penalty": 1e6},
    }


def _plants(rng: random.Random, r: str, oxides: list[str], big: float) -> list[dict[str, Any]]:
    """A region's mine, separation plant and magnet plant (the first region's are 20 times larger)."""
    mine = {
        "id": f"{r}_mine",
        "region": r,
        "outputs": {"conc": 1},
        "capacity": round(rng.uniform(2e3, 1e4) * big),
        "var_cost": rng.uniform(2e3, 5e3),
    }
    yields = {o: (rng.uniform(0.15, 0.25) if o == "ndpr" else rng.uniform(0.002, 0.02)) for o in oxides}
    sep = {
        "id": f"{r}_sep",
        "region": r,
        "inputs": {"conc": 1},
        "outputs": yields,
        "capacity": round(rng.uniform(0, 8e3) * big),
        "var_cost": rng.uniform(3e3, 8e3),
        "fixed_cost": 500,
    }
    mag = {
        "id": f"{r}_mag",
        "region": r,
        "inputs": {o: (0.31 if o == "ndpr" else 0.01) for o in oxides},
        "outputs": {"magnet": 1},
        "capacity": round(rng.uniform(0, 3e3) * big),
        "var_cost": rng.uniform(1.5e4, 2.5e4),
    }
    return [mine, sep, mag]


def _options(rng: random.Random, r: str, years: int) -> list[dict[str, Any]]:
    """Continuous separation builds and modular magnet builds."""
    sep = {
        "id": f"{r}_sep_new",
        "facility": f"{r}_sep",
        "capex": rng.uniform(5e4, 1.5e5),
        "lead_time": min(rng.randint(2, 5), years - 1),
        "lifetime": 25,
        "max_capacity": 20000,
    }
    mag = {
        "id": f"{r}_mag_mod",
        "facility": f"{r}_mag",
        "kind": "discrete",
        "fixed_cost": rng.uniform(1e8, 4e8),
        "module_size": 2500,
        "max_count": 3,
        "lead_time": min(rng.randint(1, 3), years - 1),
        "lifetime": 20,
    }
    return [sep, mag]


def _demand(rng: random.Random, r: str, yrs: list[int], y0: int) -> list[dict[str, Any]]:
    """Magnet demand each year, growing 5%/yr, with a compliance-clear tenth in about 30% of years."""
    rows: list[dict[str, Any]] = []
    for y in yrs:
        q = rng.uniform(500, 3000) * (1 + 0.05 * (y - y0))
        rows.append({"region": r, "commodity": "magnet", "year": y, "quantity": round(q)})
        if rng.random() < 0.3:
            rows.append(
                {
                    "region": r,
                    "commodity": "magnet",
                    "year": y,
                    "quantity": round(q / 10),
                    "compliance": "clear",
                }
            )
    return rows


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    """A record as one CSV row (dotted columns, 'a;b' lists), synthetic floats to 6 significant digits."""
    return {k: f"{v:.6g}" if isinstance(v, float) else v for k, v in flatten_record(row).items()}


def write_instance(
    data: dict[str, Any], directory: str | Path, *, name: str = "instance", force: bool = False
) -> Path:
    """Write an instance as YAML with its large tables as CSV files beside it, as one new folder (an
    existing one is replaced only with `force` and only if critmin generated it); returns the YAML path."""
    target = Path(directory)
    with atomic_directory(target, kind="instance", force=force) as d:
        _write_instance_files(dict(data), d, name)
    return target / f"{name}.yaml"


def _write_instance_files(data: dict[str, Any], d: Path, name: str) -> None:
    for table in CSV_TABLES:
        rows = data.get(table)
        if not rows:
            continue
        flat = [_flatten(r) for r in rows]
        header: list[str] = []
        for r in flat:
            header += [k for k in r if k not in header]
        with open(d / f"{table}.csv", "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=header)
            w.writeheader()
            w.writerows(flat)
        data[table] = f"{table}.csv"
    (d / f"{name}.yaml").write_text(
        "# SYNTHETIC instance generated by critmin generate: not real-world data\n"
        + yaml.safe_dump(data, sort_keys=False)
    )
