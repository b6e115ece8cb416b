"""Blending and the de-minimis rule, for facility streams that draw an input in both tags.

`blend`: the use columns of a blended input add up to what the stream needs of it,
  sum_k input_use[f, c, k, kout, y, s] = a_fc x activity[f, kout, y, s].
`de_minimis`: a clear stream's controlled-origin content of what an extraterritorial control in force lists
stays under the control's threshold, by value (rows exist only where the threshold is above 0: at 0 the
recipe already allows no controlled content of listed items),
  sum_{c listed} p_c x (controlled use of c) <= threshold x (value of the output) x activity.
"""

from __future__ import annotations

from ..errors import InstanceError, Problem
from .builder import INF, ModelBuilder, Terms
from .data import ModelData
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
    _de_minimis(b)


def _de_minimis(b: ModelBuilder) -> None:
    md = b.md
    price = {c.id: c.price for c in md.inst.commodities}
    keys: list[tuple[str, str, int, str]] = []
    rows: list[Terms] = []
    for f, kout, y, s in md.activity_keys:
        if kout != "clear" or md.fac_controlled[f] or md.facility[f].provenance == "own":
            continue
        recipe = md.recipe_of[(f, kout, y, s)]
        for rule in md.provenance.rules[(y, s)]:
            listed = [(c, kins) for c, kins in recipe if c in rule.covered and "controlled" in kins]
            if rule.threshold <= 0 or not listed:
                continue
            value = _output_value(md, f, price)
            terms: Terms = [(-rule.threshold * value, activity_col(b, f, kout, y, s))]
            for c, kins in listed:
                p = _price(md, c, f, price)
                if len(kins) > 1:
                    terms.append((p, use_col(b, f, c, "controlled", kout, y, s)))
                else:
                    terms.append((p * md.facility[f].inputs[c], activity_col(b, f, kout, y, s)))
            keys.append((f, rule.control, y, s))
            rows.append(terms)
    b.rows_of_terms(b.constraints("de_minimis", keys, -INF, 0.0), rows)


def _output_value(md: ModelData, f: str, price: dict[str, float | None]) -> float:
    return sum(_price(md, c, f, price) * a for c, a in md.facility[f].outputs.items())


def _price(md: ModelData, c: str, f: str, price: dict[str, float | None]) -> float:
    """A commodity's reference price (scaled money per scaled t) for the value test; it must be known."""
    p = price.get(c)
    if p is None:
        inst = md.inst
        i = next(j for j, cm in enumerate(inst.commodities) if cm.id == c)
        raise InstanceError(
            problems=[
                inst.locate(
                    Problem(
                        ("commodities", i, "price"),
                        f"'{c}' needs a price: facility '{f}' blends it under a de-minimis rule, "
                        "which is by value",
                        "give the commodity a reference price (currency per t)",
                    )
                )
            ]
        )
    return float(p) * md.q / md.m
