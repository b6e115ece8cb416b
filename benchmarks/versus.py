"""Build + hand-over time of this checkout against an earlier commit, measured in the same run.

    python benchmarks/versus.py --base e918602 [--sizes large,xl] [--repeats 3]

Checks out the base commit into a temporary git worktree and times, in alternating fresh processes on the
same generated instances: the default path (compile + build the model's arrays, then HighsLp + passModel)
and the Pyomo path (build_model, then Pyomo's standard-form compile + passModel). Each figure is the best of
`--repeats` runs; the ratio is this checkout over the base. The child code adapts to either API, so a
commit from before the one-author refactor (model/matrix.py) can be the base.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = {"medium": (30, 8, 3, 5), "large": (60, 11, 5, 6), "xl": (100, 21, 10, 6)}

CHILD = r"""
import json, sys, time, gc
from critmin.io import load_instance
path, engine = sys.argv[1], sys.argv[2]
inst = load_instance(path)
gc.collect()
try:  # this checkout: one author, arrays
    from critmin.backend.highs import SolveOptions, arrays_lp, configured_highs
    from critmin.backend.pyomo_model import compiled_lp
    from critmin.model.assemble import assemble
    from critmin.model.data import compile_instance
    new = True
except ImportError:  # before: model/matrix.py beside the Pyomo families
    from critmin.model.data import compile_instance
    from critmin.model.matrix import build_matrix
    from critmin.solve import SolveOptions, configured_highs, matrix_to_highs, to_highs
    new = False
from critmin import build_model
t0 = time.perf_counter()
if engine == "matrix":
    md = compile_instance(inst)
    mm = assemble(md) if new else build_matrix(md)
    t1 = time.perf_counter()
    lp = arrays_lp(mm) if new else matrix_to_highs(mm)
else:
    model = build_model(inst)
    t1 = time.perf_counter()
    lp = compiled_lp(model)[0] if new else to_highs(model)[0]
h = configured_highs(SolveOptions())
h.passModel(lp)
t2 = time.perf_counter()
print(json.dumps({"build": t1 - t0, "handover": t2 - t1, "columns": int(lp.num_col_)}))
"""


def measure(src: Path, instance: Path, engine: str) -> dict:
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    r = subprocess.run(
        [sys.executable, "-c", CHILD, str(instance), engine], capture_output=True, text=True, env=env
    )
    if r.returncode != 0:
        raise SystemExit(f"measurement failed in {src}:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="commit to compare against")
    ap.add_argument("--sizes", default="large,xl")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--engines", default="matrix,pyomo")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from critmin.generate import synthetic_data, write_instance

    with tempfile.TemporaryDirectory() as tmp:
        base_tree = Path(tmp) / "base"
        add = ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base_tree), a.base]
        subprocess.run(add, check=True, capture_output=True)
        try:
            rows = []
            for size in a.sizes.split(","):
                r, y, s, nb = SIZES[size]
                inst = write_instance(synthetic_data(r, y, s, nb, seed=0), Path(tmp) / size, name="inst")
                for engine in a.engines.split(","):
                    best: dict[str, dict[str, float]] = {"base": {}, "head": {}}
                    for _ in range(a.repeats):
                        for who, src in (("base", base_tree / "src"), ("head", ROOT / "src")):
                            m = measure(src, inst, engine)
                            for k in ("build", "handover"):
                                best[who][k] = min(best[who].get(k, float("inf")), m[k])
                            best[who]["columns"] = m["columns"]
                    b = best["base"]["build"] + best["base"]["handover"]
                    h = best["head"]["build"] + best["head"]["handover"]
                    rows.append((size, engine, best["head"]["columns"], b, h, h / b))
                    print(f"{size} {engine}: base {b:.2f}s head {h:.2f}s ratio {h / b:.3f}", file=sys.stderr)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base_tree)], check=False
            )
    print(f"Machine: 2-core x86_64; {time.strftime('%Y-%m-%d')}; best of {a.repeats}; base {a.base}")
    print()
    print("| size | path | columns | base build + hand-over s | this checkout s | ratio |")
    print("|---|---|---|---|---|---|")
    for size, engine, cols, b, h, ratio in rows:
        print(f"| {size} | {engine} | {cols:,} | {b:.2f} | {h:.2f} | {ratio:.3f} |")


if __name__ == "__main__":
    main()
