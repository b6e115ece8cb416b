"""Deals: named agreements as switchable parts of an instance, so an analysis can switch one off and measure
what it contributes (US–Japan, US–Australia, US–Malaysia, US–Thailand, ...).

A deal names the entities it brings (`parts`): present while it is on (the default), removed when it is
switched off. Entities are named `table:id`, where `table` is any table of the instance whose rows have an
`id` (`build_options`, `export_controls`, `policies.budgets`, `stockpiles`, `offtakes`, ...). An entity that
several deals bring is present while any of them is on (a jointly financed project needs only one of its
backers). The instance as written is the instance with every deal on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from ..errors import CritminError, Problem, did_you_mean
from .base import Id, Strict

if TYPE_CHECKING:
    from .instance import Instance


class Deal(Strict):
    """One agreement: what it commits, as the instance's entities it brings."""

    id: Id
    name: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    signed: str = Field(default="", max_length=40, description="date signed or announced, as text")
    parts: list[str] = Field(min_length=1, description="'table:id' of the entities it brings")


def deal_tables() -> dict[str, tuple[str, ...]]:
    """Tables whose rows a deal may name: every entity table of the schema keyed by `id`."""
    from .instance import Instance
    from .keys import entity_tables

    return {t: k for t, k in entity_tables(Instance).items() if k == ("id",) and t != "deals"}


def _rows(data: dict[str, Any], table: str) -> list[Any]:
    node: Any = data
    for part in table.split("."):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if node is None:
            return []
    return list(node)


def _row_id(row: Any) -> Any:
    return row.get("id") if isinstance(row, dict) else getattr(row, "id", None)


def check_deals(inst: Instance) -> list[Problem]:
    """Each deal's parts name an existing entity of a table a deal may name, once."""
    tables = deal_tables()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, deal in enumerate(inst.deals):
        if deal.id in seen:
            problems.append(
                Problem(("deals", i, "id"), f"duplicate id '{deal.id}' (first at deals[{seen[deal.id]}])", "")
            )
        seen.setdefault(deal.id, i)
        mine: set[str] = set()
        for j, ref in enumerate(deal.parts):
            loc = ("deals", i, "parts", j)
            table, sep, eid = ref.partition(":")
            if not sep or not eid:
                problems.append(
                    Problem(loc, f"'{ref}' is not 'table:id'", "e.g. 'build_options:nolans_mine'")
                )
            elif table not in tables:
                problems.append(Problem(loc, f"unknown table '{table}'", did_you_mean(table, tables)))
            else:
                ids = {_row_id(r) for r in _rows(inst.__dict__, table)}
                if eid not in ids:
                    problems.append(Problem(loc, f"no {table} row with id '{eid}'", did_you_mean(eid, ids)))
            if ref in mine:
                problems.append(Problem(loc, f"'{ref}' is named twice by deal '{deal.id}'", "name it once"))
            mine.add(ref)
    return problems


def switch_deals(inst: Instance, off: Iterable[str]) -> Instance:
    """The instance with the named deals switched off: their parts removed, unless a deal that is on brings
    them too, and the deals themselves listed in `deals_off` instead of `deals`. Unknown deal ids are an
    error (with a did-you-mean)."""
    from .instance import Instance

    off = [d for d in dict.fromkeys(off) if d not in inst._deals_off]  # already off: nothing to do
    known = {d.id for d in inst.deals}
    unknown = [d for d in off if d not in known]
    if unknown:
        raise CritminError(
            f"unknown deal '{unknown[0]}'"
            + (f": {did_you_mean(unknown[0], known)}" if known else ": this instance names no deals")
        )
    if not off:
        return inst
    present = {ref for d in inst.deals if d.id not in off for ref in d.parts}
    absent = {ref for d in inst.deals if d.id in off for ref in d.parts} - present
    data = inst.model_dump(mode="python", exclude_unset=False)
    for ref in absent:
        table, _, eid = ref.partition(":")
        node: Any = data
        *parents, last = table.split(".")
        for part in parents:
            node = node[part]
        node[last] = [row for row in node[last] if _row_id(row) != eid]
    data["deals"] = [d for d in data["deals"] if d["id"] not in off]  # what is off is recorded, not kept
    out = Instance.model_validate(data)
    out._source_path, out._locator = inst._source_path, inst._locator
    out._inputs, out._load_notes = inst._inputs, inst._load_notes
    out._deals_off = tuple(sorted(set(inst._deals_off) | set(off)))
    return out


def deals_in_force(inst: Instance, off: Iterable[str] = ()) -> list[str]:
    """Ids of the deals that are on."""
    off = set(off)
    return [d.id for d in inst.deals if d.id not in off]
