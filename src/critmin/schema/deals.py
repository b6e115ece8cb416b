"""Deals: named agreements as switchable parts of an instance, so an analysis can switch one off and measure
what it contributes (US–Japan, US–Australia, US–Malaysia, US–Thailand, ...).

A deal names the entities it brings (`parts`): present while it is on (the default), removed when it is
switched off. Entities are named `table:id`, where `table` is any table of the instance whose rows have an
`id` (`build_options`, `export_controls`, `policies.budgets`, `stockpiles`, `offtakes`, ...). An entity that
several deals bring is present while any of them is on (a jointly financed project needs only one of its
backers). The instance as written is the instance with every deal on.

A deal is what it finances: a facility it paid for, a concessional loan (`finance.concessional:id`), an
offtake, a floor. Some of what it brings would exist without it on worse terms: `when_off` names those parts
and what they become switched off (a facility or option `delay` years later, an option at its unsupported
`hurdle_rate`), instead of absent. So a deal is worth the cost it avoids, not zero by construction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from ..errors import CritminError, Problem, did_you_mean
from .base import Id, Strict

if TYPE_CHECKING:
    from .instance import Instance


class WhenOff(Strict):
    """What one of a deal's parts becomes without the deal, instead of being absent: a facility or build
    option later online, a build option at the cost of capital it would pay unsupported."""

    part: str = Field(description="'table:id' of one of the deal's parts (facilities or build_options)")
    delay: int = Field(default=0, ge=0, le=30, description="years later online without the deal")
    hurdle_rate: float | None = Field(
        default=None, ge=0, lt=1, description="build options: the real cost of capital without the deal"
    )


class Deal(Strict):
    """One agreement: what it commits, as the instance's entities it brings."""

    id: Id
    name: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    signed: str = Field(default="", max_length=40, description="date signed or announced, as text")
    parts: list[str] = Field(min_length=1, description="'table:id' of the entities it brings")
    when_off: list[WhenOff] = Field(
        default_factory=list,
        description="parts that exist without the deal on worse terms (later, dearer capital), not absent",
    )
    in_force: bool = Field(
        default=True,
        description="false: a policy set or proposal that is off unless switched on (--deal-on, "
        "Instance.with_deals_on), e.g. the EU CRMA benchmarks for EU questions",
    )


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
        for j, w in enumerate(deal.when_off):
            wloc: tuple[str | int, ...] = ("deals", i, "when_off", j, "part")
            table = w.part.partition(":")[0]
            if w.part not in mine:
                problems.append(
                    Problem(
                        wloc, f"'{w.part}' is not one of deal '{deal.id}''s parts", did_you_mean(w.part, mine)
                    )
                )
            elif table not in ("facilities", "build_options"):
                problems.append(
                    Problem(
                        wloc,
                        f"'{w.part}': only facilities and build options can come later or dearer",
                        "leave it out of when_off: without the deal it is absent",
                    )  # fmt: skip
                )
            elif w.hurdle_rate is not None and table != "build_options":
                problems.append(
                    Problem(
                        ("deals", i, "when_off", j, "hurdle_rate"),
                        "a hurdle rate applies to build options only",
                        "use delay for a facility",
                    )  # fmt: skip
                )
            elif not w.delay and w.hurdle_rate is None:
                problems.append(
                    Problem(wloc, f"'{w.part}': when_off changes nothing", "give a delay or a hurdle_rate")
                )
    return problems


def _worse_terms(row: dict[str, Any], table: str, w: WhenOff, base_year: int) -> dict[str, Any]:
    """A part as it would be without the deal: `delay` years later online, at its unsupported rate."""
    row = dict(row)
    if table == "facilities" and w.delay:
        cap = row.get("capacity")
        steps = cap if isinstance(cap, dict) else {base_year: cap}
        row["capacity"] = {y + w.delay: v for y, v in steps.items()}
    if table == "build_options":
        if w.delay:
            row["earliest_start"] = max(row.get("earliest_start") or base_year, base_year) + w.delay
        if w.hurdle_rate is not None:
            row["hurdle_rate"] = w.hurdle_rate
    return row


def _check_known(inst: Instance, ids: list[str]) -> None:
    """Refuse a deal id the instance does not name, with a did-you-mean."""
    known = {d.id for d in inst.deals}
    unknown = [d for d in ids if d not in known]
    if unknown:
        raise CritminError(
            f"unknown deal '{unknown[0]}'"
            + (f": {did_you_mean(unknown[0], known)}" if known else ": this instance names no deals")
        )


def switch_deals(inst: Instance, off: Iterable[str]) -> Instance:
    """The instance with the named deals switched off: their parts removed, unless a deal that is on brings
    them too, and the deals themselves listed in `deals_off` instead of `deals`. Unknown deal ids are an
    error (with a did-you-mean)."""
    from .instance import Instance

    off = [d for d in dict.fromkeys(off) if d not in inst._deals_off]  # already off: nothing to do
    _check_known(inst, off)
    if not off:
        return inst
    present = {ref for d in inst.deals if d.id not in off for ref in d.parts}
    absent = {ref for d in inst.deals if d.id in off for ref in d.parts} - present
    worse = {w.part: w for d in inst.deals if d.id in off for w in d.when_off if w.part in absent}
    data = inst.model_dump(mode="python", exclude_unset=False)
    for ref in absent:
        table, _, eid = ref.partition(":")
        node: Any = data
        *parents, last = table.split(".")
        for part in parents:
            node = node[part]
        if ref in worse:  # it exists without the deal, later or dearer
            w = worse[ref]
            node[last] = [
                _worse_terms(row, table, w, inst.horizon.base_year) if _row_id(row) == eid else row
                for row in node[last]
            ]
        else:
            node[last] = [row for row in node[last] if _row_id(row) != eid]
    data["deals"] = [d for d in data["deals"] if d["id"] not in off]  # what is off is recorded, not kept
    out = Instance.model_validate(data)
    out._source_path, out._locator = inst._source_path, inst._locator
    out._inputs, out._load_notes = inst._inputs, inst._load_notes
    out._cost_factors = inst._cost_factors  # a sample's multipliers stay with it (Instance.with_factors)
    out._deals_off = tuple(sorted(set(inst._deals_off) | set(off)))
    return out


def apply_in_force(inst: Instance) -> Instance:
    """The instance the model is built from: deals not in force (`in_force: false`, not switched on)
    switched off, their parts removed. One place, read by compile_instance for every engine and analysis."""
    off = [d.id for d in inst.deals if not d.in_force]
    return switch_deals(inst, off) if off else inst


def switch_on(inst: Instance, on: Iterable[str]) -> Instance:
    """The instance with the named deals in force (a policy set switched on); unknown ids are an error."""
    on = list(dict.fromkeys(on))
    _check_known(inst, on)
    if not on:
        return inst
    deals = [d.model_copy(update={"in_force": True}) if d.id in on else d for d in inst.deals]
    # model_copy keeps the private attributes (source file, locator for errors, inputs)
    return inst.model_copy(update={"deals": deals})


def deals_in_force(inst: Instance, off: Iterable[str] = ()) -> list[str]:
    """Ids of the deals that are on (in force and not switched off)."""
    off = set(off)
    return [d.id for d in inst.deals if d.id not in off and d.in_force]
