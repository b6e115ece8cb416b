"""The example notebook (examples/tour.ipynb) runs cell by cell as written, in one namespace, as a kernel
would run it — so the notebook cannot rot."""

from __future__ import annotations

import json

from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "tour.ipynb"


def test_the_example_notebook_runs(tmp_path, monkeypatch):
    nb = json.loads(NOTEBOOK.read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(cells) >= 5
    work = tmp_path / "examples"
    work.mkdir()
    (tmp_path / "instances").symlink_to(ROOT / "instances")
    monkeypatch.chdir(work)  # as if opened from the repository's examples/ folder
    namespace: dict = {"__name__": "__notebook__"}
    for i, src in enumerate(cells):
        exec(compile(src, f"tour.ipynb cell {i + 1}", "exec"), namespace)  # noqa: S102 - our notebook
    assert (work / "out" / "demo.xlsx").is_file()
    assert (work / "out" / "demo-solution" / "tables.xlsx").is_file()
    assert namespace["fig_flows"].data and namespace["fig_costs"].data
    saved = (work / "out" / "costs.html").read_text()
    assert 'src="https://cdn.plot.ly' not in saved and len(saved) > 1_000_000  # plotly inlined: opens offline
