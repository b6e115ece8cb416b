"""Whole-process times a user waits for: each bundled instance solved, and each analysis on the stochastic
instances, as `critmin` commands in a fresh process (start-up, load, build, solves, output), against the
targets of issue 25 on this 2-core machine.

    python benchmarks/analyses.py [--repeat 2] [--base REV --only value,stress]

Wall seconds, the best of `--repeat` runs (the machine's noise only ever adds time). Written to
benchmarks/analyses.json and printed as the Markdown table in benchmarks/README.md. With `--base REV`, each
command is also timed on a git worktree of REV (its own code and instances), alternating with this checkout
in the same run, so "before" and "after" share the machine's state.
"""

from __future__ import annotations

import argparse
import json
import os
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


def timed(args: list[str], root: Path = ROOT) -> tuple[float, int]:
    """One run of `critmin args` from the checkout at `root` (its code and its instances)."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        rc = subprocess.run(
            [*CRITMIN, *args, "-o", str(Path(tmp) / "out")], cwd=root, capture_output=True, env=env
        ).returncode
        return time.perf_counter() - t, rc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--base", help="also time a git revision (e.g. the commit a change started from)")
    ap.add_argument("--only", help="comma-separated words: time only commands whose label has one")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "benchmarks" / "analyses.json")
    args = ap.parse_args()
    rows = []
    cases = [(f"solve {name}", ["solve", f"instances/{name}"], 5.0) for name in BUNDLED] + ANALYSES
    if args.only:
        words = args.only.split(",")
        cases = [c for c in cases if any(w in c[0] for w in words)]
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        if args.base:
            base = Path(tmp) / "base"
            subprocess.run(
                ["git", "worktree", "add", "-q", "--detach", str(base), args.base], cwd=ROOT, check=True
            )
        try:
            for label, cmd, target in cases:
                runs, base_runs = [], []
                for _ in range(args.repeat):  # alternating: both see the same machine
                    runs.append(timed(cmd))
                    if base is not None:
                        base_runs.append(timed(cmd, base))
                best = min(t for t, _ in runs)
                ok = all(rc == 0 for _, rc in runs)
                row = {"what": label, "seconds": best, "target": target, "exit_ok": ok}
                if base_runs:
                    row["base_seconds"] = min(t for t, _ in base_runs)
                    row["base_exit_ok"] = all(rc == 0 for _, rc in base_runs)
                rows.append(row)
                was = f"  (base {row['base_seconds']:.1f} s)" if base_runs else ""
                print(f"{label:55} {best:7.1f} s{was}  target {target or '-'}  {'ok' if ok else 'FAILED'}",
                      flush=True)  # fmt: skip
        finally:
            if base is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    out = {
        "machine": f"{platform.platform()}, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "repeat": args.repeat,
        "base": args.base,
        "results": rows,
    }
    args.output.write_text(json.dumps(out, indent=1))
    print()
    before = f" | base (`{args.base}`) s" if args.base else ""
    print(f"| command{before} | wall s (best of runs) | target | meets it |")
    print("|---|" + ("---|" if args.base else "") + "---|---|---|")
    for r in rows:
        meets = "-" if r["target"] is None else ("yes" if r["seconds"] <= r["target"] else "**no**")
        was = f" | {r['base_seconds']:.1f}" if "base_seconds" in r else ""
        print(f"| `critmin {r['what']}`{was} | {r['seconds']:.1f} | {r['target'] or '-'} | {meets} |")


if __name__ == "__main__":
    main()
