"""What the plan costs, by what each cost is (registry categories): money spent, the value of demand not
served, risk terms, and what lies outside the planner's cost (outside regions' tie-break costs and
priority, tie-breaks). Every report reads this, so no headline adds costs of different kinds unnamed."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.registry import COST_BY_NAME, COSTS, PLANNER_CATEGORIES

CATEGORIES = ("spent", "unserved", "risk", "outside", "tie-break")


@dataclass
class CostBreakdown:
    """Expected, discounted values (instance currency) of each cost component, grouped by category."""

    parts: dict[str, dict[str, float]] = field(default_factory=dict)  # category -> component -> value

    @classmethod
    def from_parts(cls, objective_parts: dict[str, float]) -> CostBreakdown:
        out: dict[str, dict[str, float]] = {c: {} for c in CATEGORIES}
        for spec in COSTS:  # registry order
            if spec.name in objective_parts:
                out[spec.category][spec.name] = float(objective_parts[spec.name])
        return cls(out)

    def total(self, category: str) -> float:
        return sum(self.parts.get(category, {}).values())

    @property
    def money_spent(self) -> float:
        return self.total("spent")

    @property
    def value_unserved(self) -> float:
        return self.total("unserved")

    @property
    def planner_cost(self) -> float:
        """Money spent + value of demand not served: what the plan costs whoever's plan it is."""
        return sum(self.total(c) for c in PLANNER_CATEGORIES)


def cvar(costs: dict[str, float], prob: dict[str, float], alpha: float) -> float:
    """CVaR_alpha of scenario costs: the mean of the worst (1 - alpha) of probability mass (Rockafellar and
    Uryasev 2000), the measure the model's cvar rows minimise. One definition for analyses and reports."""
    tail = 1 - alpha
    mass, total = 0.0, 0.0
    for s in sorted(costs, key=lambda k: -costs[k]):
        take = min(prob[s], tail - mass)
        total, mass = total + take * costs[s], mass + take
        if mass >= tail - 1e-12:
            break
    return total / tail


def label(component: str) -> str:
    spec = COST_BY_NAME.get(component)
    return spec.label if spec else component
