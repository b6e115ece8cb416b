"""Start-up time of the command line (issue 16): `critmin --help`, `critmin validate --help` and one shell
completion request, against `python -c "import click"` (the floor: click itself). Target: each at most 3x the
floor. Median of 7 runs each, measured in one run of this script.

    python benchmarks/startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _median(cmd: list[str], env: dict[str, str] | None = None, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    floor = _median([sys.executable, "-c", "import click"])
    complete = {
        **os.environ,
        "_CRITMIN_COMPLETE": "bash_complete",
        "COMP_WORDS": "critmin so",
        "COMP_CWORD": "1",
    }
    cases = {
        "critmin --help": _median([str(BIN / "critmin"), "--help"]),
        "critmin validate --help": _median([str(BIN / "critmin"), "validate", "--help"]),
        "completion of 'critmin so'": _median([str(BIN / "critmin")], env=complete),
    }
    print(f"python -c 'import click': {floor * 1e3:.0f} ms (the floor)")
    for name, t in cases.items():
        print(f"{name:<30} {t * 1e3:6.0f} ms  = {t / floor:.2f}x the floor (target <= 3x)")


if __name__ == "__main__":
    main()
