"""Load an instance: a YAML file, whose tables may be CSV files beside it.

Errors name the file, and the YAML field path or the CSV row and column, with a hint. Nothing in an instance
is executed: YAML is read with the safe loader and CSV paths must stay inside the instance's folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..errors import InstanceError, Problem, ReferenceProblems, did_you_mean, format_loc
from ..schema import Instance

# Tables that may be given as a path to a CSV file instead of an inline list.
CSV_TABLES = (
    "regions",
    "commodities",
    "facilities",
    "build_options",
    "routes",
    "route_defaults",
    "demand",
    "export_controls",
    "stockpiles",
    "substitutions",
    "price_floors",
    "offtakes",
)
POLICY_TABLES = ("min_bloc_share", "max_supplier_share", "min_service", "budgets")


class _Source:
    """Where each table came from, so a pydantic location can be turned into file/row/column."""

    def __init__(self, yaml_path: Path | None):
        self.yaml_path = yaml_path
        self.csv: dict[tuple[str, ...], Path] = {}
        self.lines: dict[tuple[str, ...], list[int]] = {}  # CSV line number of each kept data row

    def locate(self, problem: Problem) -> Problem:
        loc = problem.loc
        for key, path in self.csv.items():
            n = len(key)
            row = loc[n] if len(loc) > n else None
            if tuple(loc[:n]) == key and isinstance(row, int):
                problem.file = path.name
                lines = self.lines.get(key, [])
                problem.row = lines[row] if row < len(lines) else row + 2
                rest = [str(x) for x in loc[n + 1 :]]
                problem.column = ".".join(rest) if rest else None
                return problem
            if tuple(loc[:n]) == key and len(loc) == n:
                problem.file = path.name
                return problem
        if self.yaml_path is not None:
            problem.file = self.yaml_path.name
        return problem


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance file. Raises InstanceError listing every problem found."""
    path = Path(path)
    if not path.exists():
        others = [p.name for p in path.parent.glob("*.y*ml")] if path.parent.is_dir() else []
        near = did_you_mean(path.name, others) if others else "check the path"
        raise InstanceError(problems=[Problem((), f"file not found: {path}", near)])
    if path.is_dir():
        yamls = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
        if len(yamls) != 1:
            raise InstanceError(
                problems=[
                    Problem((), f"{path} is a folder with {len(yamls)} YAML files", "name the instance file")
                ]
            )
        path = yamls[0]
    source = _Source(path)
    hasher = hashlib.sha256()
    raw = _read_text(path, hasher)
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        ctx, ctx_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if ctx and ctx_mark:
            what += f" ({ctx} that starts at line {ctx_mark.line + 1})"
        raise InstanceError(
            problems=[
                Problem(
                    (), f"malformed YAML at {where}: {what}", "check indentation and quoting", file=path.name
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise InstanceError(
            problems=[
                Problem(
                    (),
                    "the file must hold a mapping of sections (horizon, regions, ...)",
                    "start from instances/demo/demo.yaml",
                    file=path.name,
                )
            ]
        )

    problems: list[Problem] = []
    base = path.parent.resolve()
    for key in CSV_TABLES:
        if isinstance(data.get(key), str):
            data[key] = _read_csv_table(base, data[key], (key,), source, hasher, problems)
    policies = data.get("policies")
    if isinstance(policies, dict):
        for key in POLICY_TABLES:
            if isinstance(policies.get(key), str):
                policies[key] = _read_csv_table(
                    base, policies[key], ("policies", key), source, hasher, problems
                )
    if problems:
        raise InstanceError(problems=[source.locate(p) if p.file is None else p for p in problems])
    instance = validate_instance(data, source)
    instance._source_path = str(path)
    instance._locator = source.locate
    instance._sha256 = hasher.hexdigest()
    return instance


def validate_instance(data: dict[str, Any], source: _Source | None = None) -> Instance:
    """Validate a plain dict into an Instance, turning pydantic errors into located problems."""
    source = source or _Source(None)
    try:
        instance = Instance.model_validate(data)
    except ValidationError as exc:
        raise InstanceError(problems=[source.locate(p) for p in problems_from(exc)]) from None
    return instance


def problems_from(exc: ValidationError) -> list[Problem]:
    """Flatten a pydantic ValidationError into user-facing problems (one per location)."""
    merged: dict[tuple, Problem] = {}
    for err in exc.errors(include_url=False):
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ReferenceProblems):
            base = tuple(_clean_loc(err["loc"]))
            for p in ctx_error.problems:
                p.loc = base + tuple(p.loc)
                merged[(p.loc, p.message)] = p
            continue
        loc = tuple(_clean_loc(err["loc"]))
        msg, hint = _describe(err, loc)
        if loc in merged and merged[loc].message != msg and err["type"] != "extra_forbidden":
            if msg not in merged[loc].message:
                merged[loc].message += f"; or {msg}"
            continue
        merged[loc] = Problem(loc, msg, hint)
    return list(merged.values())


# pydantic's names of union branches, which it puts in a location but a user never wrote
_BRANCHES = {
    "float",
    "int",
    "str",
    "bool",
    "list",
    "dict",
    "none",
    "constrained-float",
    "continuous",
    "discrete",
}


def _clean_loc(loc: tuple[str | int, ...]) -> list[str | int]:
    """Drop union-branch tags ('float', 'dict[int,...]', 'function-after[...]', 'discrete') from a loc."""
    return [p for p in loc if not (isinstance(p, str) and ("[" in p or p in _BRANCHES))]


def _describe(err: ErrorDetails, loc: tuple[str | int, ...]) -> tuple[str, str]:
    """Message and how-to-fix hint for one pydantic error."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    field = loc[-1] if loc else ""
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "missing":
        return f"required field '{field}' is missing", f"add '{field}' (see instances/README.md)"
    if kind == "extra_forbidden":
        known = _fields_at(loc[:-1])
        return f"unknown field '{field}'", did_you_mean(str(field), known)
    if kind == "finite_number":
        return f"'{field}' must be a finite number, got {shown}", "NaN and infinity are not allowed"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{msg}, got {shown}", f"use a value {'>=' if kind.endswith('equal') else '>'} {bound}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return (
            f"{msg}, got {shown}",
            f"use a value {'<=' if kind.endswith('equal') else '<'} {bound}; check the unit "
            "(tonnes, t/yr, currency, fractions in [0, 1])",
        )
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return f"{msg}, got {shown}", "write a plain number without units or thousands separators"
    if kind in ("bool_parsing", "bool_type"):
        return f"{msg}, got {shown}", "write true or false"
    if kind == "string_pattern_mismatch":
        return (
            f"'{value}' is not a valid id",
            "ids use letters, digits, '_', '.' and '-', and start with a letter, digit or '_'",
        )
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "")
        return f"unknown {field or 'kind'} '{ctx.get('tag', value)}'", f"use one of {expected}"
    if kind == "literal_error":
        return f"{msg}, got {shown}", f"use one of {ctx.get('expected', 'the listed values')}"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type", "string_type"):
        return f"{msg}, got {shown}", "see instances/README.md for this field's form"
    if kind in ("too_short", "too_long"):
        return f"{msg}", "see instances/README.md for this field's form"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return f"{msg}, got {shown}", "see instances/README.md for this field's form"
    return msg, "see instances/README.md"


def _fields_at(loc: tuple) -> set[str]:
    """Field names of the schema model found by walking `loc` from Instance (for 'did you mean')."""
    tp: Any = Instance
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int):
            args = typing.get_args(tp)
            tp = args[0] if args else tp
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        else:
            return set()
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return set(tp.model_fields)
    return set()


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Annotated/Union wrappers to the model or list type inside."""
    for _ in range(5):
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, __import__("types").UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            lists = [a for a in args if typing.get_origin(a) is list]
            tp = (models or lists or args)[0]
        else:
            break
    return tp


def _read_text(path: Path, hasher: Any) -> str:
    data = path.read_bytes()
    hasher.update(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InstanceError(
            problems=[
                Problem(
                    (),
                    f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}",
                    "save the file as UTF-8",
                    file=path.name,
                )
            ]
        ) from None


def _read_csv_table(
    base: Path, rel: str, key: tuple[str, ...], source: _Source, hasher: Any, problems: list[Problem]
) -> list[dict[str, Any]]:
    """Read a CSV table into a list of dicts; dotted headers ('outputs.ndpr') become nested dicts."""
    where = format_loc(key)
    target = (base / rel).resolve()
    if not target.is_relative_to(base):
        problems.append(
            Problem(
                key,
                f"CSV path '{rel}' points outside the instance folder",
                "keep table files beside the YAML file",
            )
        )
        return []
    if target.suffix.lower() != ".csv":
        problems.append(Problem(key, f"'{rel}' is not a .csv file", "give a CSV path or an inline list"))
        return []
    if not target.is_file():
        near = did_you_mean(Path(rel).name, [p.name for p in base.glob("*.csv")])
        problems.append(Problem(key, f"CSV file '{rel}' for {where} not found", near))
        return []
    source.csv[key] = target
    text = _read_text(target, hasher)
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        problems.append(Problem(key, f"CSV file '{rel}' is empty", "it needs a header row", file=target.name))
        return []
    header = [h.strip() for h in rows[0]]
    for j, h in enumerate(header):
        if not h:
            problems.append(
                Problem(key, f"header column {j + 1} is empty", "name every column", file=target.name, row=1)
            )
        elif header.count(h) > 1 and header.index(h) == j:
            problems.append(Problem(key, f"column '{h}' appears twice", "keep one", file=target.name, row=1))
    out: list[dict[str, Any]] = []
    source.lines[key] = []
    for i, row in enumerate(rows[1:]):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) > len(header):
            problems.append(
                Problem(
                    key,
                    f"{len(row)} cells but the header has {len(header)}",
                    "remove the extra cells or quote commas",
                    file=target.name,
                    row=i + 2,
                )
            )
        record: dict[str, Any] = {}
        source.lines[key].append(i + 2)
        for h, cell in zip(header, row, strict=False):
            cell = cell.strip()
            if not h or cell == "":
                continue
            node = record
            parts = h.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
            else:
                node[parts[-1]] = cell
        out.append(record)
    return out
