"""The bad-input corpus (tests/bad_inputs/*, made by make_corpus.py): every case gives exit code 1 from
`validate` and from `solve` on both backends (the same message from each), a message with the file, the field
or row/column, what is wrong and a hint, no traceback, and no output directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from critmin.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(d.name for d in CORPUS.iterdir() if d.is_dir())


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_clearly(case, tmp_path):
    folder = CORPUS / case
    expect = [line for line in (folder / "expect.txt").read_text().splitlines() if line.strip()]
    out = tmp_path / "out"
    runner = CliRunner()
    said = {}
    for args in (
        ["validate", str(folder / "inst.yaml")],
        ["solve", str(folder / "inst.yaml"), "-o", str(out)],
        ["solve", str(folder / "inst.yaml"), "-o", str(out), "--engine", "pyomo"],
    ):
        r = runner.invoke(main, args)
        text = r.output
        said[tuple(args[2:])] = text
        assert r.exit_code == 1, f"{case} {args[0]}: exit {r.exit_code}\n{text}"
        assert "Traceback" not in text and "internal error" not in text, text
        for piece in expect:
            assert piece in text, f"{case} {args[0]}: missing {piece!r} in\n{text}"
        problems = [line for line in text.splitlines() if line.startswith("  - ")]
        assert problems, text
        for line in problems:
            assert line.rstrip().endswith(")") or "?" in line, f"no hint in: {line}"
    assert not out.exists()
    assert said[("-o", str(out))] == said[("-o", str(out), "--engine", "pyomo")], "the backends disagree"
