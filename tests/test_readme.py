"""Every Python block of the README runs as written (from a folder holding the bundled instances), so the
documentation cannot rot."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def test_readme_has_python_blocks():
    assert BLOCKS


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "instances").symlink_to(ROOT / "instances")
    code = compile(BLOCKS[index], f"README.md python block {index + 1}", "exec")
    exec(code, {"__name__": "__readme__"})  # noqa: S102 - the README's own code, as a user runs it


def _tour_commands() -> list[str]:
    """The shell commands of the README's command-line tour, continuation lines joined."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"### Command line\n\n```sh\n(.*?)```", text, flags=re.S)
    assert block, "README has no command-line tour"
    joined = block.group(1).replace("\\\n", " ")
    return [line.split("  #")[0].strip() for line in joined.splitlines() if line.strip()]


def test_the_tour_runs_as_a_user_types_it(tmp_path):
    """A fresh user's first day: the environment activated (its bin on PATH), a scratch folder holding the
    bundled instances, every command of the tour typed as written. Each must succeed."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "instances").symlink_to(ROOT / "instances")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("PYTHONPATH", None)
    commands = _tour_commands()
    assert len(commands) >= 8 and all(c.startswith(("critmin ", "python -m critmin")) for c in commands)
    for cmd in commands:
        r = subprocess.run(
            cmd, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    assert (tmp_path / "out" / "controls" / "builds.parquet").is_file()  # pyarrow comes with critmin
    assert (tmp_path / "out" / "report.html").is_file()


def test_the_python_tour_prints_formatted_answers():
    """`print(stochastic_value(demo))` is the analysis in critmin's formats, not a bare float, and
    `mc.summary` is the statistics table."""
    from critmin import load_instance
    from critmin.analysis.evaluate import stochastic_value
    from critmin.analysis.sweep import Engine, sweep

    demo = load_instance(ROOT / "instances" / "demo" / "demo.yaml")
    text = str(stochastic_value(demo))
    assert "VSS" in text and " USD" in text
    mc = sweep(demo, {"capex": (0.8, 1.2)}, samples=3, seed=1, engine=Engine(workers=0))
    assert list(mc.summary.columns)[:2] == ["statistic", "planner_cost"]


def test_what_the_tour_needs_is_installed_by_make_demo():
    """`make demo` installs only the runtime dependencies; the tour's `--format parquet` needs pyarrow, so
    pyarrow must be one of them (it was a test extra, and the tour failed after `make demo`)."""
    import tomllib

    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("pyarrow") for d in runtime)
    assert "source .venv/bin/activate" in (ROOT / "README.md").read_text()
