"""OR-Library capacitated warehouse location (Beasley 1988) as critmin instances.

Used to check the model against published optima: one candidate facility per warehouse (a binary build whose
capacity is the warehouse capacity and whose cost is its fixed cost), one demand region per customer, and a
route per warehouse-customer pair costing allocation cost / demand per tonne. Single period, no discounting,
lifetime 1 so annualised capex equals the fixed cost.
"""

from __future__ import annotations

from pathlib import Path

from ..schema import Instance
from .instance_io import validate_instance


def read_cap(path: str | Path) -> tuple[list[tuple[float, float]], list[float], list[list[float]]]:
    """Parse a cap file: (capacity, fixed cost) per warehouse, demand per customer, cost[customer][wh]."""
    tokens = Path(path).read_text().split()
    pos = 0

    def nxt() -> float:
        nonlocal pos
        pos += 1
        return float(tokens[pos - 1])

    m, n = int(nxt()), int(nxt())
    warehouses = [(nxt(), nxt()) for _ in range(m)]
    demand: list[float] = []
    cost: list[list[float]] = []
    for _ in range(n):
        demand.append(nxt())
        cost.append([nxt() for _ in range(m)])
    return warehouses, demand, cost


def cap_instance(path: str | Path, *, year: int = 2025) -> Instance:
    """Build the critmin instance equivalent to an OR-Library cap file."""
    warehouses, demand, cost = read_cap(path)
    regions = [{"id": f"w{i + 1}", "bloc": "warehouse"} for i in range(len(warehouses))]
    regions += [{"id": f"c{j + 1}", "bloc": "customer"} for j in range(len(demand))]
    facilities = [
        {"id": f"wh{i + 1}", "region": f"w{i + 1}", "outputs": {"good": 1.0}, "capacity": 0}
        for i in range(len(warehouses))
    ]
    options = [
        {
            "id": f"open{i + 1}",
            "facility": f"wh{i + 1}",
            "kind": "discrete",
            "fixed_cost": fc,
            "module_size": cap,
            "max_count": 1,
            "lead_time": 0,
            "lifetime": 1,
        }
        for i, (cap, fc) in enumerate(warehouses)
    ]
    routes = [
        {
            "commodity": "good",
            "origin": f"w{i + 1}",
            "destination": f"c{j + 1}",
            "cost": cost[j][i] / demand[j],
        }
        for j in range(len(demand))
        if demand[j] > 0
        for i in range(len(warehouses))
    ]
    dem = [
        {"region": f"c{j + 1}", "commodity": "good", "year": year, "quantity": d}
        for j, d in enumerate(demand)
        if d > 0
    ]
    total_cost = sum(sum(row) for row in cost) + sum(fc for _, fc in warehouses)
    data = {
        "name": Path(path).stem,
        "description": "OR-Library capacitated warehouse location (Beasley 1988)",
        "horizon": {"base_year": year, "discount_rate": 0.0, "periods": [{"year": year, "weight": 1}]},
        "regions": regions,
        "commodities": [{"id": "good", "stage": "warehouse"}],
        "facilities": facilities,
        "build_options": options,
        "routes": routes,
        "demand": dem,
        # a shortfall must cost more than serving all demand from scratch, so none is ever chosen
        "objective": {"unmet_penalty": total_cost, "risk_weight": 0.0},
    }
    return validate_instance(data)
