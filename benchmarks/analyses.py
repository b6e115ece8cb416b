"""Whole-process times a user waits for: each bundled instance solved, and each analysis on the stochastic
instances, as `critmin` commands in a fresh process (start-up, load, build, solves, output), against the
targets of issue 25 on this 2-core machine.

    python benchmarks/analyses.py [--repeat 2]

Wall seconds, the best of `--repeat` runs (the machine's noise only ever adds time). Written to
benchmarks/analyses.json and printed as the Markdown table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRITMIN = [sys.executable, "-m", "critmin"]
BUNDLED = [
    "demo/demo.yaml",
    "rare-earths/baseline-2024.yaml",
    "rare-earths/china-controls-apr2025.yaml",
    "rare-earths/china-controls-oct2025.yaml",
    "rare-earths/controls-stochastic.yaml",
    "rare-earths/controls-cvar.yaml",
    "rare-earths/allied-frameworks-2025.yaml",
    "rare-earths/market-shocks-2027.yaml",
    "gallium/gallium-2024.yaml",
]
STOCH = "instances/rare-earths/controls-stochastic.yaml"
FRAMEWORKS = "instances/rare-earths/allied-frameworks-2025.yaml"
# (label, arguments, target seconds or None)
ANALYSES: list[tuple[str, list[str], float | None]] = [
    ("value controls-stochastic (its default, exploratory gap 1e-3)", ["value", STOCH], 10.0),
    ("value controls-stochastic --mip-gap 1e-4 (tight)", ["value", STOCH, "--mip-gap", "1e-4"], None),
    ("stress controls-stochastic", ["stress", STOCH], None),
    ("leverage controls-stochastic", ["leverage", STOCH], None),
    ("attribute allied-frameworks-2025 (deals only)", ["attribute", FRAMEWORKS, "--no-parts"], 60.0),
    ("attribute allied-frameworks-2025 (deals and parts)", ["attribute", FRAMEWORKS], None),
    (
        "attribute allied-frameworks-2025 --solve-all",
        ["attribute", FRAMEWORKS, "--no-parts", "--solve-all"],
        None,
    ),
]


def timed(args: list[str]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        rc = subprocess.run(
            [*CRITMIN, *args, "-o", str(Path(tmp) / "out")], cwd=ROOT, capture_output=True
        ).returncode
        return time.perf_counter() - t, rc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    rows = []
    cases = [(f"solve {name}", ["solve", f"instances/{name}"], 5.0) for name in BUNDLED] + ANALYSES
    for label, cmd, target in cases:
        runs = [timed(cmd) for _ in range(args.repeat)]
        best = min(t for t, _ in runs)
        ok = all(rc == 0 for _, rc in runs)
        rows.append({"what": label, "seconds": best, "target": target, "exit_ok": ok})
        print(f"{label:55} {best:7.1f} s  target {target or '-'}  {'ok' if ok else 'FAILED'}", flush=True)
    out = {
        "machine": f"{platform.platform()}, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "repeat": args.repeat,
        "results": rows,
    }
    (ROOT / "benchmarks" / "analyses.json").write_text(json.dumps(out, indent=1))
    print()
    print("| command | wall s (best of runs) | target | meets it |")
    print("|---|---|---|---|")
    for r in rows:
        meets = "-" if r["target"] is None else ("yes" if r["seconds"] <= r["target"] else "**no**")
        print(f"| `critmin {r['what']}` | {r['seconds']:.1f} | {r['target'] or '-'} | {meets} |")


if __name__ == "__main__":
    main()
