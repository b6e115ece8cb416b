"""compare, frontier and report: what analysts do all day."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import critmin
from conftest import ROOT, base_dict, make
from critmin.analysis.frontier import Frontier, frontier
from critmin.cli import main


def _write(path, data):
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def two_instances(tmp_path):
    a = base_dict()
    b = base_dict()
    b["export_controls"] = [{"id": "ban", "exporter": "CN", "commodities": ["ox"]}]
    b["facilities"][1]["var_cost"] = 40
    return _write(tmp_path / "a.yaml", a), _write(tmp_path / "b.yaml", b)


def test_compare_python_api(two_instances):
    a, b = two_instances
    cmp = critmin.compare([a, b])
    assert cmp.runs == ["a", "b"]
    m = cmp.metrics.set_index(["run", "metric"]).value
    assert m[("a", "cost")] == pytest.approx(1500)
    assert m[("b", "cost")] == pytest.approx(100 * 45)
    delta = cmp.metrics.set_index(["run", "metric"]).delta
    assert delta[("b", "cost")] == pytest.approx(3000)
    assert "run" in cmp.builds.columns and "run" in cmp.inputs.columns
    changes = {(r.change, r.table, r.key, r.field) for r in cmp.inputs.itertuples()}
    assert ("added", "export_controls", "ban", None) in {
        (c, t, k, None if f != f else f) for c, t, k, f in changes
    }
    assert ("changed", "facilities", "au_plant", "var_cost") in changes
    assert cmp.table.loc["cost", "Δ b"] == pytest.approx(3000)
    assert "<table" in cmp._repr_html_()


def test_compare_cli_with_solution_dirs_and_csv(two_instances, tmp_path):
    a, b = two_instances
    runner = CliRunner()
    assert runner.invoke(main, ["solve", str(a), "-o", str(tmp_path / "sol_a")]).exit_code == 0
    r = runner.invoke(main, ["compare", str(tmp_path / "sol_a"), str(b), "--csv", str(tmp_path / "csv")])
    assert r.exit_code == 0, r.output
    assert "baseline: sol_a" in r.output and "money spent" in r.output
    assert "facilities au_plant var_cost: 30.0 -> 40.0" in r.output
    assert "export_controls ban added" in r.output
    for f in ("metrics.csv", "metrics_wide.csv", "builds.csv", "inputs.csv"):
        assert (tmp_path / "csv" / f).exists()
    assert set(pd.read_csv(tmp_path / "csv" / "metrics.csv").run) == {"sol_a", "b"}


def test_compare_scenarios_of_one_instance():
    path = ROOT / "instances" / "demo" / "demo.yaml"
    cmp = critmin.compare([f"{path}@status_quo", f"{path}@controls"])
    t = cmp.table
    assert t.loc["cost", "demo@controls"] > t.loc["cost", "demo@status_quo"]


def test_compare_refuses_different_units_unless_allowed(two_instances, tmp_path):
    a, _ = two_instances
    d = base_dict()
    d["units"] = {"currency": "EUR"}
    c = _write(tmp_path / "c.yaml", d)
    with pytest.raises(critmin.CritminError, match="not comparable.*currency EUR vs USD"):
        critmin.compare([a, c])
    r = CliRunner().invoke(main, ["compare", str(a), str(c)])
    assert r.exit_code == 1 and "--allow-mismatch" in r.output
    assert critmin.compare([a, c], allow_mismatch=True).runs == ["a", "c"]


def test_frontier_hand_computable(tmp_path):
    """China: 15/t at risk 0.8; Australia: 35/t at risk 0. Cost = 1500 + 20 x (100 - eps / 0.8)."""
    fr = frontier(make(base_dict()), points=3)
    p = fr.points
    assert list(p.risk) == pytest.approx([80, 40, 0], abs=1e-6)
    assert list(p.cost) == pytest.approx([1500, 2500, 3500], rel=1e-9)
    assert not p.dominated.any()
    assert len(fr.solutions) == 3
    for key in ("build", "handover", "update_per_point", "solve_per_point", "rebuild_per_point", "saved"):
        assert key in fr.timings
    out = fr.write(tmp_path / "fr")
    assert (out / "frontier.csv").exists() and (out / "point_00" / "summary.json").exists()
    back = Frontier.read(out)
    assert len(back.solutions) == 3


def test_frontier_drops_dominated_points(tmp_path):
    # a second exporter with the same risk as Australia but dearer never helps: every point stays on the
    # line; a cap between equal-cost plans gives equal cost -> the tighter-risk point dominates
    d = base_dict()
    d["facilities"][1]["var_cost"] = 10  # Australia as cheap as China: zero risk costs nothing
    fr = frontier(make(d), points=4)
    pareto = fr.pareto
    assert len(pareto) == 1 and pareto.risk.iloc[0] == pytest.approx(0, abs=1e-9)
    assert fr.points.dominated.sum() == len(fr.points) - 1


def test_frontier_cli(tmp_path):
    r = CliRunner().invoke(
        main,
        [
            "frontier",
            str(ROOT / "instances" / "demo" / "demo.yaml"),
            "--points",
            "3",
            "-o",
            str(tmp_path / "fr"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "reuse saved" in r.output and (tmp_path / "fr" / "frontier.csv").exists()


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rep")
    runner = CliRunner()
    demo = str(ROOT / "instances" / "demo" / "demo.yaml")
    assert runner.invoke(main, ["solve", demo, "-o", str(tmp / "demo")]).exit_code == 0
    assert runner.invoke(main, ["frontier", demo, "--points", "3", "-o", str(tmp / "fr")]).exit_code == 0
    r = runner.invoke(main, ["report", str(tmp / "demo"), str(tmp / "fr"), "-o", str(tmp / "report.html")])
    assert r.exit_code == 0, r.output
    return tmp / "report.html"


def test_report_is_self_contained(report_html):
    text = report_html.read_text()
    assert not re.search(r"<script[^>]+src=", text), "no external scripts"
    assert not re.search(r"<link[^>]+href=\"http", text), "no external stylesheets"
    assert text.count("Plotly.newPlot") >= 6
    for title in (
        "material flows",
        "capacity built",
        "controlled-origin share",
        "unmet demand",
        "Cost-risk frontier",
        "money spent and value of demand not served",
        "Summary",
    ):
        assert title in text


def test_report_refuses_overwrite(report_html):
    r = CliRunner().invoke(main, ["report", str(report_html.parent / "demo"), "-o", str(report_html)])
    assert r.exit_code == 1 and "exists" in r.output


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        "Chromium is not installed (Debian packages chromium and chromium-driver; .ci/run installs "
        "them where it can)"
    )


def test_report_renders_in_headless_chromium(report_html, tmp_path):
    chrome = _chromium()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=20000",
    ]
    dom = subprocess.run(
        [chrome, *flags, "--dump-dom", report_html.as_uri()], capture_output=True, text=True, timeout=180
    ).stdout
    # plotly draws each figure into <svg class="main-svg">; data marks must exist, not just empty axes
    assert dom.count('class="main-svg"') >= 2 * 6, dom[:500]
    assert dom.count("sankey-link") > 5
    assert dom.count('class="point"') > 5  # bars
    assert "scatterlayer" in dom and 'class="js-line"' in dom  # lines (shares, frontier)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [chrome, *flags, f"--screenshot={shot}", "--window-size=1200,2400", report_html.as_uri()],
        capture_output=True,
        timeout=180,
    )
    assert shot.exists() and shot.stat().st_size > 30_000  # a blank page compresses to a few kB
    from PIL import Image  # pixels, not just the DOM: the charts are drawn, in colour

    img = Image.open(shot).convert("RGB").resize((300, 600))
    pixels = list(img.get_flattened_data() if hasattr(img, "get_flattened_data") else img.getdata())
    inked = sum(1 for r, g, b in pixels if min(r, g, b) < 235) / len(pixels)
    reds = sum(1 for r, g, b in pixels if r > 180 and g < 190 and b < 190 and r - g > 40)
    blues = sum(1 for r, g, b in pixels if b > 150 and r < 160 and b - r > 40)
    assert inked > 0.05, f"only {inked:.1%} of the page is drawn"
    assert reds > 20 and blues > 20, (reds, blues)  # controlled (red) and clear (blue) flows, bars


def test_report_names_every_run_draws_analyses_and_labels_money_axes(tmp_path):
    runner = CliRunner()
    demo = str(ROOT / "instances" / "demo" / "demo.yaml")
    assert runner.invoke(main, ["solve", demo, "-o", str(tmp_path / "demo")]).exit_code == 0
    gal = str(ROOT / "instances" / "gallium" / "gallium-2024.yaml")
    assert runner.invoke(main, ["solve", gal, "-o", str(tmp_path / "ga")]).exit_code == 0
    st = ["stress", demo, "--node", "CN:magnet", "--workers", "0", "-o", str(tmp_path / "st")]
    assert runner.invoke(main, st).exit_code == 0
    out = tmp_path / "r.html"
    r = runner.invoke(
        main, ["report", str(tmp_path / "demo"), str(tmp_path / "ga"), str(tmp_path / "st"), "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "<title>critmin report: demo, gallium-2024</title>" in text
    assert "Stress test of demo" in text and "Allied demand met without China" in text
    assert "expected discounted cost, bn USD" in text  # money axes carry magnitude and currency
    assert '"type":"category"' in text  # shares and shortfalls only at modelled years
    assert "(t/yr" in text or "t/yr" in text


def test_solution_and_comparison_plot_helpers():
    from critmin import compare, load_instance, solve

    demo = ROOT / "instances" / "demo" / "demo.yaml"
    sol = solve(load_instance(demo))
    assert sol.plot.builds().data and sol.plot.costs().data and sol.plot.unmet().data
    fig = sol.plot.sankey(2030)
    assert len(fig.data) == 2 and fig.layout.updatemenus  # one Sankey per scenario, a selector
    assert "t)" in fig.data[0].node.label[0]  # nodes carry their quantities
    cmp = compare([str(demo), f"{demo}@controls"])
    assert len(cmp.plot.costs().data) >= 2 and cmp.plot.builds().data


_LAYOUT_PROBE = """<script>
function critminProbe() {
  const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach((g) => {
    const svg = g.querySelector('svg.main-svg').getBoundingClientRect();
    const t = g.querySelector('.ytitle');
    let title = 'none';
    if (t) {
      const b = t.getBoundingClientRect();
      title = (b.top >= svg.top - 1 && b.bottom <= svg.bottom + 1 && b.left >= svg.left - 1) ? 'inside' : 'clipped';
    }
    const ticks = [...g.querySelectorAll('.xtick text')]
      .map((e) => [e.getBoundingClientRect().left, e.textContent])
      .sort((a, b) => a[0] - b[0]).map((p) => p[1]);
    out.push({title: title, ticks: ticks});
  });
  document.title = 'probe:' + JSON.stringify(out);
}
setTimeout(critminProbe, 1500);
</script>"""


def _drawn(figs, tmp_path):
    """The figures drawn in Chromium: per figure, whether its y-axis title is inside the drawing and its
    x-axis tick labels from left to right (what a reader sees)."""
    import json

    chrome = _chromium()
    page = tmp_path / "probe.html"
    divs = [f.to_html(full_html=False, include_plotlyjs=(k == 0)) for k, f in enumerate(figs)]
    page.write_text(
        "<html><head><title>x</title></head><body>" + "".join(divs) + _LAYOUT_PROBE + "</body></html>"
    )
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'p'}",
             "--virtual-time-budget=10000", "--window-size=1000,1400"]  # fmt: skip
    dom = subprocess.run([chrome, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=180).stdout  # fmt: skip
    head = dom.split("<title>", 1)[1].split("</title>", 1)[0]
    assert head.startswith("probe:"), dom[:300]
    return json.loads(head[len("probe:") :].replace("&quot;", '"'))


def test_capacity_years_in_order_and_money_title_not_clipped_in_chromium(tmp_path):
    """Drawn, not just specified: the capacity chart's years run left to right in calendar order even when
    the first region built later than another (plotly orders categories as they first appear), and the
    overview's money axis title fits inside the figure."""
    import pandas as pd

    from critmin.results import Solution, charts

    def sol(parts, builds=None):
        return Solution(status="optimal", message="", objective=0.0, bound=0.0, gap=0.0, objective_parts=parts,
                        timings={}, counts={}, options={}, instance={"name": "x"}, units={"currency": "USD"},
                        tables={"builds": builds if builds is not None else pd.DataFrame()})  # fmt: skip

    builds = pd.DataFrame({"region": ["AA", "AA", "BB", "BB"], "stage": ["magnet"] * 4,
                           "year": [2030, 2035, 2028, 2032], "capacity_added": [5.0, 6.0, 7.0, 8.0]})  # fmt: skip
    parts = {"capex": 3.2e10, "variable": 1.1e10, "unmet": 9.0e9}
    cost = charts.cost_breakdown([("a run with a long name", sol(parts)), ("b", sol(parts))])
    drawn = _drawn([charts.builds(sol(parts, builds)), cost], tmp_path)
    assert drawn[0]["ticks"] == ["2028", "2030", "2032", "2035"], drawn[0]
    assert drawn[1]["title"] == "inside", drawn[1]


def test_a_solution_report_opens_with_its_answer(report_html):
    """Before any chart: whose plan, the cost split, what is short and the largest builds (issue 26)."""
    text = report_html.read_text()
    head = text[text.index("<h2>Summary</h2>") : text.index("Overview: money spent")]
    assert "<pre" in head and "planner" in head and "money spent" in head
    assert "shortfalls" in head and "builds (capacity online" in head


def test_a_report_of_several_runs_says_what_changed(tmp_path):
    """Two runs of the demo, the second with China's controls off and a tighter gap: the report names the
    changed input and option, the cost difference and the builds that moved, instead of stacking each
    run's tables (issue 26)."""
    runner = CliRunner()
    demo = str(ROOT / "instances" / "demo" / "demo.yaml")
    assert runner.invoke(main, ["solve", demo, "-o", str(tmp_path / "a")]).exit_code == 0
    inst = yaml.safe_load((ROOT / "instances" / "demo" / "demo.yaml").read_text())
    inst["objective"]["unmet_penalty"] = inst["objective"].get("unmet_penalty", 1000) * 2
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(inst))
    for f in (ROOT / "instances" / "demo").glob("*.csv"):
        (tmp_path / f.name).write_text(f.read_text())
    r = runner.invoke(
        main, ["solve", str(tmp_path / "b.yaml"), "--mip-gap", "1e-5", "-o", str(tmp_path / "b")]
    )
    assert r.exit_code == 0, r.output
    out = tmp_path / "r.html"
    assert (
        runner.invoke(main, ["report", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out)]).exit_code
        == 0
    )
    text = out.read_text()
    section = text[text.index("What changed against a") :]
    assert "b against a:" in section and "unmet_penalty" in section and "mip_gap" in section
    assert "cost: " in section and ("builds that moved most" in section or "builds: the same" in section)
    assert "<h2>a: builds</h2>" not in text  # not stacked
