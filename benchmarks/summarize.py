"""Markdown tables of a benchmark results.json, for benchmarks/README.md.

python benchmarks/summarize.py [benchmarks/results.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("results.json"))
    res = json.loads(path.read_text())
    m = res["machine"]
    print(
        f"Machine: {m['platform']}, {m['cpus']} cores, Python {m['python']}; {res['date']}; MIP time limit "
        f"{res['mip_time_limit']:g} s; XL LP time limit {res.get('xl_lp_time_limit', 0):g} s.\n"
    )
    cols = [
        "size",
        "engine",
        "mode",
        "columns",
        "rows",
        "nonzeros",
        "integers",
        "load",
        "build",
        "hand-over",
        "HiGHS solve",
        "extract",
        "peak MB",
        "status",
        "non-solve / solve",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size, runs in res["runs"].items():
        for key in ("matrix_lp", "pyomo_lp", "matrix_mip", "pyomo_mip"):
            r = runs.get(key)
            if not r:
                continue
            if "error" in r:
                print(f"| {size} | {key} | error | | | | | | | | | | | {r['error'][-80:]!r} | |")
                continue
            non = r["load"] + r["build"] + r["handover"] + r["extract"]
            cells = [
                size,
                r["engine"],
                r["mode"],
                f"{r['columns']:,}",
                f"{r['rows']:,}",
                f"{r['nonzeros']:,}",
                f"{r['integers']:,}",
            ]
            cells += [f"{r[k]:.2f}" for k in ("load", "build", "handover", "solve", "extract")]
            cells += [f"{r['peak_mb']:,.0f}", r["status"], f"{non / max(r['solve'], 1e-9):.3f}"]
            print("| " + " | ".join(cells) + " |")
        h = runs.get("highs_alone")
        if h and "error" not in h:
            cells = [
                size,
                "HiGHS alone (MPS)",
                "lp",
                "",
                "",
                "",
                "",
                f"read {h['read']:.2f}",
                "",
                "",
                f"{h['solve']:.2f}",
                "",
                f"{h['peak_mb']:,.0f}",
                h.get("status", ""),
                "",
            ]
            print("| " + " | ".join(cells) + " |")
    print("\n| ratio | value |\n|---|---|")
    for k, v in res["ratios"].items():
        print(f"| {k} | {v:.3f} |")


if __name__ == "__main__":
    main()
