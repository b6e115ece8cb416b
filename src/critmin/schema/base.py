"""Shared pydantic settings and field types for the instance schema.

Units are part of the type names: every quantity is tonnes of the commodity (or t/yr for capacities and
flows), every amount of money is in the instance's stated currency. Bounds reject absurd magnitudes early.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"


def _split_list(value: Any) -> Any:
    """Let a CSV cell or a YAML scalar stand for a list: 'a; b' or 'a,b' -> ['a', 'b']."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
    return value


def _none_if_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class Strict(BaseModel):
    """Base for every schema entity: unknown fields are errors, NaN and infinity are refused.

    Every entity may carry `source`: where its figures come from, tagged reported / derived / assumed /
    synthetic, so data provenance is visible where each number is defined."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)

    source: str = Field(default="", max_length=2000, description="provenance of the figures")


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=80)]
IdList = Annotated[list[Id], BeforeValidator(_split_list)]
# Tonnes (or t/yr). 1e12 t is more than the mass of every mine on Earth moves in a century.
Tonnes = Annotated[float, Field(ge=0, le=1e12)]
PositiveTonnes = Annotated[float, Field(gt=0, le=1e12)]
# Money in the instance currency (absolute amounts or per-tonne rates).
Money = Annotated[float, Field(ge=0, le=1e15)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Coefficient = Annotated[float, Field(gt=0, le=1e6)]
Year = Annotated[int, Field(ge=1900, le=2200)]
OptionalYear = Annotated[Year | None, BeforeValidator(_none_if_blank)]


# Chemical element symbols: what `elements` fields may name (a typo like 'Dyy' is caught, with a hint).
ELEMENTS = frozenset(
    (
        "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si",
        "P", "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni",
        "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo",
        "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba",
        "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
        "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po",
        "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf",
        "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn",
        "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
    )
)  # fmt: skip
