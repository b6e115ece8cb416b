"""Blending, for facility streams that draw an input in both tags.

`blend`: the use columns of a blended input add up to what the stream needs of it,
  sum_k input_use[f, c, k, kout, y, s] = a_fc x activity[f, kout, y, s].
(The 0.1% rule on what a clear stream's output may contain is a test on traced content: origin.py.)
"""

from __future__ import annotations

from .builder import ModelBuilder, Terms
from .terms import activity_col, use_col


def add_blending(b: ModelBuilder) -> None:
    md = b.md
    keys: list[tuple[str, str, str, int, str]] = []
    rows: list[Terms] = []
    for f, kout, y, s in md.activity_keys:
        for c, kins in md.recipe_of[(f, kout, y, s)]:
            if len(kins) > 1:
                keys.append((f, c, kout, y, s))
                terms = [(1.0, use_col(b, f, c, kin, kout, y, s)) for kin in kins]
                rows.append([*terms, (-md.facility[f].inputs[c], activity_col(b, f, kout, y, s))])
    b.rows_of_terms(b.constraints("blend", keys, 0.0, 0.0), rows)
