"""What identifies each entity of an instance, derived from the schema, so every table of the schema is
compared (critmin compare) without anyone keeping a list: a model's `key_fields` if it declares them, else
its `id`, else its `name`."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds directly (through Annotated, Optional and unions)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(tp) for m in _models_in(a)]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return []


def _list_item(tp: Any) -> Any:
    """The item type of a list annotation (through Annotated and Optional), or None."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _list_item(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        items = [_list_item(a) for a in typing.get_args(tp) if a is not type(None)]
        return next((i for i in items if i is not None), None)
    if origin is list:
        return typing.get_args(tp)[0]
    return None


def key_of(models: list[type[BaseModel]]) -> tuple[str, ...]:
    first = models[0]
    declared = getattr(first, "key_fields", None)
    if declared:
        return tuple(declared)
    if "id" in first.model_fields:
        return ("id",)
    if "name" in first.model_fields:
        return ("name",)
    return tuple(first.model_fields)  # no identity: every field is the key


def entity_tables(model: type[BaseModel], prefix: str = "") -> dict[str, tuple[str, ...]]:
    """Dotted path of every list of entities in the schema -> the fields that identify an entity."""
    out: dict[str, tuple[str, ...]] = {}
    for name, f in model.model_fields.items():
        item = _list_item(f.annotation)
        models = _models_in(item) if item is not None else []
        if models:
            out[prefix + name] = key_of(models)
            continue
        nested = _models_in(f.annotation)
        if nested and _is_group(nested[0]):
            out.update(entity_tables(nested[0], f"{prefix}{name}."))
    return out


def _is_group(model: type[BaseModel]) -> bool:
    """A record that only groups lists of entities (like `policies`): its lists are tables of their own."""
    fields = [g for n, g in model.model_fields.items() if n != "source"]
    return bool(fields) and all(_models_in(_list_item(g.annotation)) for g in fields)


def sections(model: type[BaseModel]) -> list[str]:
    """Top-level fields that are single records (horizon, units, objective, ...), compared field by field."""
    return [
        n for n, f in model.model_fields.items() if (m := _models_in(f.annotation)) and not _is_group(m[0])
    ]
