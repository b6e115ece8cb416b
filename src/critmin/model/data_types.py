"""Names for the keys the compiled model data uses (shared by data.py and provenance.py)."""

from __future__ import annotations

TAGS: tuple[str, str] = ("clear", "controlled")

Arc = tuple[str, str, str]  # commodity, origin, destination
FlowKey = tuple[str, str, str, str]  # commodity, origin, destination, tag
Stream = tuple[str, str]  # facility, tag of what it makes
BuildKey = tuple[str, int]  # option, online year
Present = tuple[str, str, str]  # region, commodity, tag
