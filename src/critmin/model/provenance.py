"""Provenance tags: which (region, commodity, tag) streams exist and what tag a stream's output has.

There is no constraint of its own here: segregated streams make provenance hold by construction. A facility
runs one stream per input tag; its output is 'controlled' if the plant is of controlled origin or its input
was, else 'clear'. The balance family then keeps each tag's material apart. This module documents and
exposes that mapping for the model and the results.
"""

from __future__ import annotations

from .data import TAGS, ModelData


def output_tag(md: ModelData, facility: str, input_tag: str) -> str:
    """Tag of what a facility stream makes."""
    return md.stream_out[(facility, input_tag)]


def tags_present(md: ModelData, region: str, commodity: str) -> list[str]:
    """Tags in which a commodity can be held in a region."""
    return [k for k in TAGS if (region, commodity, k) in md.present]
