"""Load an instance: a YAML file, whose tables may be CSV files (or workbook sheets) beside it, or one
Excel workbook (io/excel.py).

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

from ..errors import CritminError, InstanceError, Problem, ReferenceProblems, did_you_mean, format_loc
from ..schema import POLICY_TABLES, Instance
from .files import MAX_TABLE_BYTES, MAX_YAML_BYTES, read_bytes, read_text
from .yaml_safe import DuplicateKeyError, YamlLimitError, load_yaml

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


class _Source:
    """Where each table came from, so a pydantic location can be turned into file/row/column."""

    def __init__(self, yaml_path: Path | None):
        self.yaml_path = yaml_path
        self.inputs: list[Path] = [yaml_path] if yaml_path is not None else []  # every file read
        self.notes: list[str] = []  # what a user should know about how the files were read
        self.csv: dict[
            tuple[str, ...], str
        ] = {}  # table -> the file (or "book.xlsx, sheet 'x'") it came from
        self.lines: dict[tuple[str, ...], list[int]] = {}  # CSV line number of each kept data row

    def note_formulas(self, book: str, cells: list[str]) -> None:
        if cells:
            shown = ", ".join(cells[:3]) + (f" and {len(cells) - 3} more" if len(cells) > 3 else "")
            self.notes.append(
                f"{book}: {len(cells)} formula cell(s) read by the values Excel saved with them ({shown}); "
                "critmin does not recalculate formulas"
            )

    def locate(self, problem: Problem) -> Problem:
        loc = problem.loc
        for key, path in self.csv.items():
            n = len(key)
            row = loc[n] if len(loc) > n else None
            if tuple(loc[:n]) == key and isinstance(row, int):
                problem.file = path
                lines = self.lines.get(key, [])
                problem.row = lines[row] if row < len(lines) else row + 2
                rest = [str(x) for x in loc[n + 1 :]]
                problem.column = ".".join(rest) if rest else None
                return problem
            if tuple(loc[:n]) == key and len(loc) == n:
                problem.file = path
                return problem
        if self.yaml_path is not None:
            problem.file = self.yaml_path.name
        return problem


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance file. Raises InstanceError listing every problem found."""
    path = _instance_file(Path(path))
    source = _Source(path)
    hasher = hashlib.sha256()
    problems: list[Problem] = []
    base = path.parent.resolve()
    suffix = path.suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xls", ".xlsb", ".ods", ".csv", ".json"):
        hint = "save the workbook as .xlsx" if suffix.startswith((".xl", ".od")) else "give the YAML file"
        raise InstanceError(
            problems=[Problem((), f"{path.name}: a {suffix} file is not an instance (YAML or .xlsx)", hint)]
        )
    if suffix == ".xlsx":
        data = _workbook_data(path, source, hasher, problems)
    else:
        data = _parse_yaml(path, read_text(path, hasher, MAX_YAML_BYTES, "YAML file"))
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
    instance._inputs = tuple(source.inputs)
    instance._load_notes = tuple(source.notes)
    return instance


def _instance_file(path: Path) -> Path:
    """The YAML file to read: `path`, or the single YAML file in the folder `path`."""
    if not path.exists():
        others = [p.name for p in path.parent.glob("*.y*ml")] if path.parent.is_dir() else []
        near = did_you_mean(path.name, others) if others else "check the path"
        raise InstanceError(problems=[Problem((), f"file not found: {path}", near)])
    if path.is_dir():
        yamls = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
        if len(yamls) != 1:
            msg = f"{path} is a folder with {len(yamls)} YAML files"
            raise InstanceError(problems=[Problem((), msg, "name the instance file")])
        path = yamls[0]
    return path


def _parse_yaml(path: Path, raw: str) -> dict[str, Any]:
    """The YAML document as a dict, or an InstanceError located by line."""

    def fail(message: str, hint: str) -> InstanceError:
        return InstanceError(problems=[Problem((), message, hint, file=path.name)])

    try:
        data = load_yaml(raw)
    except DuplicateKeyError as exc:
        msg = (
            f"duplicate key '{exc.key}' at line {exc.line} (first at line {exc.first}); "
            "YAML would keep only the last"
        )
        raise fail(msg, "remove one of them, or merge their values") from None
    except YamlLimitError as exc:
        where = f" at line {exc.line}" if exc.line else ""
        raise fail(
            f"the YAML document {exc.message}{where}", "write tables out in full (or as CSV)"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        ctx, ctx_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if ctx and ctx_mark:
            what += f" ({ctx} that starts at line {ctx_mark.line + 1})"
        hint = "keep one document per file" if "another document" in what else "check indentation and quoting"
        raise fail(f"malformed YAML at {where}: {what}", hint) from None
    if not isinstance(data, dict):
        raise fail(
            "the file must hold a mapping of sections (horizon, regions, ...)",
            "start from instances/demo/demo.yaml",
        )
    return data


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


def _read_csv_table(
    base: Path, rel: str, key: tuple[str, ...], source: _Source, hasher: Any, problems: list[Problem]
) -> list[dict[str, Any]]:
    """Read a CSV table into a list of dicts; dotted headers ('outputs.ndpr') become nested dicts."""
    where = format_loc(key)
    target = (base / rel).resolve()
    if not target.is_relative_to(base):
        hint = "keep table files beside the YAML file"
        problems.append(Problem(key, f"CSV path '{rel}' points outside the instance folder", hint))
        return []
    if target.is_dir():
        problems.append(
            Problem(key, f"'{rel}' for {where} is a folder, not a CSV file", "give the CSV file's name")
        )
        return []
    book, hash_sign, sheet = rel.partition("#")
    if hash_sign and book.lower().endswith(".xlsx"):
        return _read_sheet_table(base, book, sheet, key, source, hasher, problems)
    if target.suffix.lower() != ".csv":
        hint = "give a CSV path, a sheet as book.xlsx#sheet, or an inline list"
        problems.append(Problem(key, f"'{rel}' is not a .csv file", hint))
        return []
    if not target.exists():
        near = did_you_mean(Path(rel).name, [p.name for p in base.glob("*.csv")])
        problems.append(Problem(key, f"CSV file '{rel}' for {where} not found", near))
        return []
    source.csv[key] = target.name
    source.inputs.append(target)
    text = read_text(target, hasher, MAX_TABLE_BYTES, "CSV table")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        problems.append(Problem(key, f"CSV file '{rel}' is empty", "it needs a header row", file=target.name))
        return []
    return table_records(rows, key, target.name, source, problems)


def table_records(
    rows: list[list[str]],
    key: tuple[str, ...],
    file: str,
    source: _Source,
    problems: list[Problem],
    first_line: int = 1,
) -> list[dict[str, Any]]:
    """A table (header row, then data rows, as text cells) as records: dotted headers ('capacity.2030')
    become nested fields. Shared by CSV files and workbook sheets."""
    header = [h.strip() for h in rows[0]]
    header_problems = _header_problems(header, key, file, first_line)
    problems += header_problems
    if header_problems:
        return []
    out: list[dict[str, Any]] = []
    source.lines[key] = []
    for i, row in enumerate(rows[1:]):
        line = first_line + 1 + i
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            hint = "remove the extra cells or quote commas"
            problems.append(
                Problem(key, f"{len(row)} cells but the header has {len(header)}", hint, file=file, row=line)
            )
        record: dict[str, Any] = {}
        source.lines[key].append(line)
        for h, cell in zip(header, row, strict=False):
            cell = cell.strip()
            if cell == "":
                continue
            node = record
            parts = h.split(".", 1)  # 'outputs.nd.pr': field 'outputs', key 'nd.pr' (ids may hold dots)
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = cell
        out.append(record)
    return out


def _header_problems(header: list[str], key: tuple[str, ...], file: str, line: int) -> list[Problem]:
    """Empty, repeated or conflicting column names, and a file that is not comma-separated."""
    out: list[Problem] = []
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        hint = "save as comma-separated CSV (in Excel: CSV UTF-8 with a comma list separator)"
        return [
            Problem(
                key,
                f"the header '{header[0][:60]}' looks separated by {sep}, not commas",
                hint,
                file=file,
                row=line,
            )
        ]
    roots = {h.split(".")[0] for h in header if "." in h}
    for j, h in enumerate(header):
        if not h:
            out.append(
                Problem(key, f"header column {j + 1} is empty", "name every column", file=file, row=line)
            )
        elif header.count(h) > 1 and header.index(h) == j:
            out.append(Problem(key, f"column '{h}' appears twice", "keep one", file=file, row=line))
        elif h in roots:
            dotted = next(x for x in header if x.startswith(h + "."))
            msg = f"columns '{h}' and '{dotted}' both set '{h}'"
            hint = f"use either '{h}' (one value) or '{h}.<key>' columns (one value per key), not both"
            out.append(Problem(key, msg, hint, file=file, row=line))
    return out


# -- workbooks ---------------------------------------------------------------------------------------------
def write_workbook(
    instance: Instance, path: str | Path, *, force: bool = False, protect: tuple[Path, ...] = ()
) -> Path:
    """Write an instance as one .xlsx workbook that `load_instance` reads back to the same instance (all at
    once; an existing file is replaced only with `force` and only if critmin wrote it)."""
    from .excel import write_instance_workbook
    from .output import atomic_file

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise CritminError(f"{target}: an instance workbook is an .xlsx file")
    data = instance.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return atomic_file(
        target,
        lambda tmp: write_instance_workbook(data, tmp, _table_keys()),
        kind="instance workbook",
        force=force,
        protect=protect,
    )


def _table_keys() -> dict[str, tuple[str, ...]]:
    """Sheet name -> the table it fills: 'facilities', 'policies.budgets', ..."""
    out: dict[str, tuple[str, ...]] = {k: (k,) for k in CSV_TABLES}
    out.update({f"policies.{k}": ("policies", k) for k in POLICY_TABLES})
    return out


def _workbook_data(path: Path, source: _Source, hasher: Any, problems: list[Problem]) -> dict[str, Any]:
    """An instance workbook as the dict a YAML file would give: the `instance` sheet's sections (YAML
    values in column B), then each table sheet's rows as records. A section given twice, or both as a
    section and as a sheet, is an error (one of them would win silently)."""
    from .excel import SCALAR_SHEET, open_workbook

    hasher.update(read_bytes(path, MAX_TABLE_BYTES, "workbook"))
    tables = _table_keys()
    data: dict[str, Any] = {}
    with open_workbook(path) as book:
        if SCALAR_SHEET not in book.sheetnames:
            hint = "add a sheet 'instance': column A the section (name, horizon, ...), B its YAML value"
            raise InstanceError(problems=[Problem((), f"no sheet '{SCALAR_SHEET}'", hint, file=path.name)])
        label = f"{path.name}, sheet '{SCALAR_SHEET}'"
        first_row: dict[str, int] = {}
        for n, row in enumerate(book.rows(SCALAR_SHEET), start=1):
            if not row or not row[0].strip() or (n == 1 and row[0].strip().lower() in ("section", "key")):
                continue
            section = row[0].strip()
            if section in first_row:
                msg = f"section '{section}' appears twice (first at row {first_row[section]}); one would win"
                problems.append(Problem((section,), msg, "keep one row per section", file=label, row=n))
                continue
            first_row[section] = n
            value = row[1] if len(row) > 1 else ""
            try:
                data[section] = load_yaml(value) if value.strip() else None
            except (yaml.YAMLError, DuplicateKeyError, YamlLimitError) as exc:
                msg = f"the value of '{section}' is not valid YAML ({str(exc).splitlines()[0]})"
                problems.append(Problem((section,), msg, "write it like in a YAML file", file=label, row=n))
        for sheet in book.sheetnames:
            if sheet == SCALAR_SHEET:
                continue
            if sheet not in tables:
                hint = (
                    did_you_mean(sheet, list(tables)) or f"name table sheets like {', '.join(CSV_TABLES[:4])}"
                )
                problems.append(
                    Problem((), f"sheet '{sheet}' is not a table of an instance", hint, file=path.name)
                )
                continue
            key = tables[sheet]
            node = data.setdefault("policies", {}) if len(key) == 2 else data
            if key[-1] in node and node[key[-1]] is not None:
                row_no = first_row.get(key[0], first_row.get(sheet))
                msg = (
                    f"'{sheet}' is both a section of sheet '{SCALAR_SHEET}' (row {row_no}) and a sheet of "
                    "its own; one would win"
                )
                problems.append(Problem(key, msg, "keep one of them", file=path.name))
                continue
            sheet_label = f"{path.name}, sheet '{sheet}'"
            rows = book.rows(sheet)
            source.csv[key] = sheet_label
            node[key[-1]] = table_records(rows, key, sheet_label, source, problems) if rows else []
        source.note_formulas(path.name, book.formulas)
    return data


def _read_sheet_table(
    base: Path, book_rel: str, sheet: str, key: tuple[str, ...], source: _Source, hasher: Any,
    problems: list[Problem],
) -> list[dict[str, Any]]:  # fmt: skip
    """A table given in YAML as `book.xlsx#sheet`."""
    from .excel import open_workbook

    raw = base / book_rel
    target = raw.resolve()
    if not target.is_relative_to(base):
        hint = "keep workbooks beside the YAML file (a link that leaves the folder is not followed)"
        problems.append(Problem(key, f"workbook '{book_rel}' points outside the instance folder", hint))
        return []
    if not target.is_file():
        near = did_you_mean(Path(book_rel).name, [p.name for p in base.glob("*.xlsx")])
        problems.append(Problem(key, f"workbook '{book_rel}' for {format_loc(key)} not found", near))
        return []
    hasher.update(read_bytes(target, MAX_TABLE_BYTES, "workbook"))
    source.inputs.append(target)
    with open_workbook(target) as book:
        if sheet not in book.sheetnames:
            near = did_you_mean(sheet, book.sheetnames) or f"its sheets: {', '.join(book.sheetnames)}"
            problems.append(Problem(key, f"no sheet '{sheet}' in {target.name}", near))
            return []
        label = f"{target.name}, sheet '{sheet}'"
        source.csv[key] = label
        rows = book.rows(sheet)
        source.note_formulas(target.name, book.formulas)
        if not rows:
            problems.append(Problem(key, f"sheet '{sheet}' is empty", "it needs a header row", file=label))
            return []
        return table_records(rows, key, label, source, problems)
