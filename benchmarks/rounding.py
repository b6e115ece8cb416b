"""What critmin's search on LP relaxations (backend/rounding.py) saves: HiGHS's MIP search alone against the
search first (HiGHS only if the search proves nothing), on the MIPs solve and the analyses solve.

    python benchmarks/rounding.py [--combinations 64] [--gaps 1e-4 1e-3]

Cases: every combination of allied-frameworks-2025's deals (what `attribute` solves; --combinations N
keeps the first N, most relaxed first) and each bundled stochastic instance (what `solve` and `value`
solve). Per case and gap: CPU seconds of each way (one thread, seed 0, in this process), whether the
search proved its plan (and in how many LPs), and the two objectives' relative
difference. The totals per group are the measurement behind making it every MIP's first solver. Written to
benchmarks/rounding.json and printed as the Markdown table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import time
from pathlib import Path
from typing import Any

from critmin import load_instance
from critmin.backend.highs import SolveOptions
from critmin.backend.rounding import answered_by_rounding
from critmin.backend.session import Session
from critmin.model.assemble import assemble, model_arrays
from critmin.model.builder import ModelArrays
from critmin.model.data import compile_instance

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = "rare-earths/allied-frameworks-2025.yaml"
STOCHASTIC = ["rare-earths/controls-stochastic.yaml", "rare-earths/controls-cvar.yaml"]


def cases(combinations: int) -> list[tuple[str, str, ModelArrays]]:
    """(group, label, model arrays) for each case."""
    out = []
    inst = load_instance(ROOT / "instances" / FRAMEWORKS)
    deals = [d.id for d in inst.deals if d.in_force]
    subsets = [c for k in range(len(deals) + 1) for c in itertools.combinations(deals, k)]
    for off in subsets[:combinations]:
        arrays = assemble(compile_instance(inst.without_deals(*off) if off else inst))
        out.append(("attribute: allied-frameworks-2025 deal combinations", f"{len(off)} deal(s) off", arrays))
    for name in STOCHASTIC:
        out.append((f"solve/value: {name}", name, model_arrays(load_instance(ROOT / "instances" / name))))
    return out


def timed(arrays: ModelArrays, gap: float, rounding: bool) -> dict[str, Any]:
    session = Session(arrays, SolveOptions(mip_gap=gap, rounding=rounding))
    cpu = time.process_time()
    result = session.solve()
    cpu = time.process_time() - cpu
    proven = answered_by_rounding(result)
    return {"cpu": cpu, "objective": result.objective, "status": result.status, "proven": proven,
            "nodes": result.counts.get("nodes")}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--combinations", type=int, default=64)
    ap.add_argument("--gaps", type=float, nargs="+", default=[1e-4, 1e-3])
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks" / "rounding.json"))
    args = ap.parse_args()
    rows = []
    for group, label, arrays in cases(args.combinations):
        for gap in args.gaps:
            highs, rounded = timed(arrays, gap, False), timed(arrays, gap, True)
            diff = (rounded["objective"] - highs["objective"]) / abs(highs["objective"])
            rows.append({"group": group, "case": label, "gap": gap, "highs_cpu": highs["cpu"],
                         "rounding_cpu": rounded["cpu"], "proven": rounded["proven"],
                         "nodes": rounded["nodes"], "objective_difference": diff})  # fmt: skip
            way = "proven" if rounded["proven"] else "handed to HiGHS"
            print(f"{label:40s} gap {gap:g}: HiGHS {highs['cpu']:6.2f} s, search first "
                  f"{rounded['cpu']:6.2f} s, {way}, objectives differ {diff:+.1e}", flush=True)  # fmt: skip
    record = {"machine": platform.platform(), "date": time.strftime("%Y-%m-%d"), "rows": rows}
    Path(args.output).write_text(json.dumps(record, indent=1))
    print(
        "\n| cases | gap | proven by the search | HiGHS CPU s | search first CPU s | ratio "
        "| largest objective difference |"
    )
    print("|---|---|---|---|---|---|---|")
    for (group, gap), grp in itertools.groupby(sorted(rows, key=lambda r: (r["group"], r["gap"])),
                                               key=lambda r: (r["group"], r["gap"])):  # fmt: skip
        g = list(grp)
        h, r = sum(x["highs_cpu"] for x in g), sum(x["rounding_cpu"] for x in g)
        worst = max(abs(x["objective_difference"]) for x in g)
        print(
            f"| {group} ({len(g)}) | {gap:g} | {sum(x['proven'] for x in g)} of {len(g)} | {h:.1f} "
            f"| {r:.1f} | {r / h:.2f} | {worst:.1e} |"
        )


if __name__ == "__main__":
    main()
