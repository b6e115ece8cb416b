"""Whole-process times a user waits for: each bundled instance solved, and each analysis on the stochastic
instances, as `critmin` commands in a fresh process (start-up, load, build, solves, output), against the
targets of issue 25 on this 2-core machine.

    python benchmarks/analyses.py [--repeat 2] [--base REV --only value,stress] [--seeds 0,1,2]

Wall seconds, the best of `--repeat` runs (the machine's noise only ever adds time). With `--seeds`, each
command runs once per HiGHS random seed (`--seed N`) and is judged on its slowest seed (a target met with
seed 0 only is luck, not speed). Written to
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
    ("attribute allied-frameworks-2025 (deals and parts)", ["attribute", FRAMEWORKS], 60.0),  # as typed
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
    ap.add_argument("--seeds", default="0", help="comma-separated HiGHS random seeds, each timed (--seed N)")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "benchmarks" / "analyses.json")
    args = ap.parse_args()
    rows = []
    cases = [(f"solve {name}", ["solve", f"instances/{name}"], 5.0) for name in BUNDLED] + ANALYSES
    seeds = [int(x) for x in args.seeds.split(",")]
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
                by_seed, base_by_seed, ok, base_ok = [], [], True, True
                for seed in seeds:
                    seeded = [*cmd, "--seed", str(seed)]
                    runs, base_runs = [], []
                    for _ in range(args.repeat):  # alternating: both see the same machine
                        runs.append(timed(seeded))
                        if base is not None:
                            base_runs.append(timed(seeded, base))
                    by_seed.append(min(t for t, _ in runs))
                    ok = ok and all(rc == 0 for _, rc in runs)
                    if base_runs:
                        base_by_seed.append(min(t for t, _ in base_runs))
                        base_ok = base_ok and all(rc == 0 for _, rc in base_runs)
                row = {"what": label, "seconds": max(by_seed), "target": target, "exit_ok": ok,
                       "seconds_by_seed": dict(zip(seeds, by_seed, strict=True))}  # fmt: skip
                if base_by_seed:
                    row["base_seconds"] = max(base_by_seed)
                    row["base_seconds_by_seed"] = dict(zip(seeds, base_by_seed, strict=True))
                    row["base_exit_ok"] = base_ok
                rows.append(row)
                was = f"  (base {row['base_seconds']:.1f} s)" if base_by_seed else ""
                each = " / ".join(f"{t:.1f}" for t in by_seed)
                print(f"{label:55} {each} s{was}  target {target or '-'}  {'ok' if ok else 'FAILED'}",
                      flush=True)  # fmt: skip
        finally:
            if base is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    out = {
        "machine": f"{platform.platform()}, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "repeat": args.repeat,
        "base": args.base,
        "seeds": seeds,
        "results": rows,
    }
    args.output.write_text(json.dumps(out, indent=1))
    print()
    before = f" | base (`{args.base}`) s" if args.base else ""
    per_seed = f", seeds {' / '.join(map(str, seeds))}" if len(seeds) > 1 else ""
    print(f"| command{before} | wall s (best of runs{per_seed}) | target | meets it (slowest seed) |")
    print("|---|" + ("---|" if args.base else "") + "---|---|---|")
    for r in rows:
        meets = "-" if r["target"] is None else ("yes" if r["seconds"] <= r["target"] else "**no**")
        was = f" | {r['base_seconds']:.1f}" if "base_seconds" in r else ""
        each = " / ".join(f"{t:.1f}" for t in r["seconds_by_seed"].values())
        print(f"| `critmin {r['what']}`{was} | {each} | {r['target'] or '-'} | {meets} |")


if __name__ == "__main__":
    main()
