"""Print the README's table of bundled instances: each solved by critmin, with its headline results.

    python instances/headlines.py

Controlled-origin share = share of magnet (or refined gallium) deliveries outside China that is of
controlled (Chinese) origin, probability-weighted over scenarios.
"""

from __future__ import annotations

from pathlib import Path

from critmin import load_instance, solve

ROOT = Path(__file__).resolve().parent
INSTANCES = [
    ("demo/demo.yaml", "ndfeb"),
    ("rare-earths/baseline-2024.yaml", "ndfeb"),
    ("rare-earths/china-controls-apr2025.yaml", "ndfeb"),
    ("rare-earths/china-controls-oct2025.yaml", "ndfeb"),
    ("rare-earths/allied-frameworks-2025.yaml", "ndfeb"),
    ("rare-earths/controls-stochastic.yaml", "ndfeb"),
    ("rare-earths/controls-cvar.yaml", "ndfeb"),
    ("gallium/gallium-2024.yaml", "ga_refined"),
]


def controlled_share(sol, commodity: str, year: int) -> float:
    k = sol.kpis_region.merge(
        sol.kpis_total[["scenario", "year", "probability"]].drop_duplicates(), on=["scenario", "year"]
    )
    sub = k[(k.region != "CN") & (k.commodity == commodity) & (k.year == year)]
    ctrl = (sub.controlled * sub.probability).sum()
    deliv = (sub.delivered * sub.probability).sum()
    return ctrl / deliv if deliv else float("nan")


def main_builds(sol, top: int = 4) -> str:
    b = sol.builds
    if b.empty:
        return "none"
    g = b.groupby(["region", "stage"]).capacity_added.sum().sort_values(ascending=False).head(top)
    return ", ".join(
        f"{r} {s} {q / 1000:,.1f} kt" if q >= 1000 else f"{r} {s} {q:,.0f} t" for (r, s), q in g.items()
    )


def main() -> None:
    print("| instance | expected cost | controlled share outside China 2030 / 2035 | main builds (t/yr) |")
    print("|---|---|---|---|")
    for rel, comm in INSTANCES:
        sol = solve(load_instance(ROOT / rel))
        years = sorted(sol.kpis_total.year.unique())
        y1 = 2030 if 2030 in years else years[-1]
        y2 = 2035 if 2035 in years else years[-1]
        c1, c2 = controlled_share(sol, comm, y1), controlled_share(sol, comm, y2)
        cost = sol.objective / 1e9
        print(
            f"| `{rel}` | US${cost:,.1f} bn ({sol.status}) | {c1:.0%} ({y1}) / {c2:.0%} ({y2}) | "
            f"{main_builds(sol)} |"
        )


if __name__ == "__main__":
    main()
