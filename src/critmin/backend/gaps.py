"""The MIP gap each command stops at: one table, read by the CLI (its help and defaults) and the analyses.
Kept apart from backend/highs.py so that `--help` can show it without loading the solver."""

from __future__ import annotations

DEFAULT_MIP_GAP = 1e-4  # the tight gap: solve, and every analysis not listed in ANALYSIS_MIP_GAPS
# A faster gap for analyses whose figures are objective values, each reported with the interval its solves'
# bounds guarantee (issue 25: "a fast exploratory gap with its interval shown, a tight gap on request").
EXPLORATORY_MIP_GAP = 1e-3
# The gap each analysis stops at when the user sets none, chosen from what it reports and measured on the
# bundled instances (benchmarks/README.md): exploratory where the interval it leaves is small beside the
# figures, tight where it would blur them.
# - value: RP, WS, EEV, EVPI and VSS are objective values, each with its interval; at 1e-3 controls-stochastic
#   runs 25.9 -> 8.1 s (with the rounding below) and VSS is US$3.70 bn +- 23 m (0.6%): exploratory.
# - attribute: at 1e-3 allied-frameworks runs 41 -> 37 s only (--no-parts; critmin's LP search, rounding.py,
#   proves most combinations at either gap) and each Shapley value carries +- 6-8 m beside three deals worth
#   211-237 m: tight.
# - leverage: the damage with the planned network depends on which near-optimal plan is found, not only on
#   its cost (it moved US$9 bn at 1e-3 with no interval to show it): tight.
# - stress: no faster at 1e-3 (11.1 s either way): tight.
ANALYSIS_MIP_GAPS: dict[str, float] = {"value": EXPLORATORY_MIP_GAP}


def default_mip_gap(analysis: str | None = None) -> float:
    """The MIP gap `analysis` (a command name; None: solve) stops at unless told otherwise."""
    return ANALYSIS_MIP_GAPS.get(analysis or "", DEFAULT_MIP_GAP)


def gap_note(gap: float) -> str | None:
    """What an analysis says of a gap looser than the tight one, or None."""
    if gap <= DEFAULT_MIP_GAP:
        return None
    return (
        f"solves stopped at a relative gap of {gap:g} (exploratory): each figure lies within its bound_error "
        f"of its proven value; --mip-gap {DEFAULT_MIP_GAP:g} for the tight gap"
    )
