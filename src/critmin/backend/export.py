"""Export the model as MPS or LP with readable names, for a second solver or for inspection.

Written by HiGHS from the model's arrays (no Pyomo needed). Names are the family and its key,
`ship(ndpr_oxide_CN_US_clear_2027_s1)`, with characters outside letters, digits, '_' and '.' replaced by
'_' (and a suffix where that makes two names equal); a name longer than `MAX_NAME` characters is cut and ends
in a short hash of the whole (CBC crashes reading names of 160 characters or so). The model is in critmin's
internal scaled units: quantities / quantity_scale and money / money_scale (both printed by `critmin export`
and recorded in solution summaries), so its objective times money_scale is the expected cost.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from ..errors import CritminError
from ..io.output import FILE_MARKS, atomic_file, check_target
from ..model.builder import Block, ModelArrays
from .highs import arrays_lp, new_highs

_UNSAFE = re.compile(r"[^A-Za-z0-9_.]")
MAX_NAME = 100


def _bounded(name: str) -> str:
    """The name, or its first characters and an 8-character hash of all of it when it is too long."""
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 10]}~{digest})"


def solver_names(blocks: list[Block]) -> list[str]:
    """Unique names a solver's file format accepts, in position order."""
    out: list[str] = []
    seen: set[str] = set()
    for block in blocks:
        for key in block.keys:
            inner = "_".join(_UNSAFE.sub("_", str(k)) for k in key)
            name = _bounded(f"{block.name}({inner})" if key else block.name)
            base, n = name, 2
            while name in seen:
                name, n = f"{base}#{n}", n + 1
            seen.add(name)
            out.append(name)
    return out


def check_export_path(path: str | Path, force: bool = False) -> Path:
    """An export path must end in .mps or .lp and be writable under critmin's output rules."""
    path = Path(path)
    if path.suffix.lower() not in (".mps", ".lp"):
        raise CritminError(f"unknown export format '{path.suffix}' for {path}: use a .mps or .lp file name")
    check_target(path, kind="model file", force=force, folder=False)
    return path


def export_arrays(arrays: ModelArrays, path: str | Path, *, force: bool = False) -> Path:
    """Write the model to `path` as MPS or LP (by its suffix), all at once, with critmin's marker as the first
    (comment) line so a later --force may replace it."""
    path = check_export_path(path, force)
    lp = arrays_lp(arrays)
    lp.col_names_ = solver_names(arrays.cols)
    lp.row_names_ = solver_names(arrays.rows)
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)

    def write(tmp: Path) -> None:
        body = tmp.with_name(tmp.name + ".body" + path.suffix.lower())
        try:
            h.writeModel(str(body))
            with open(tmp, "w", encoding="utf-8") as out, open(body, encoding="utf-8") as src:
                out.write(
                    f"{FILE_MARKS[path.suffix.lower()]} (quantities / quantity_scale, money / money_scale)\n"
                )
                shutil.copyfileobj(src, out, 1 << 20)  # streamed: a 358 MB model is never held in memory
        finally:
            body.unlink(missing_ok=True)

    return atomic_file(path, write, kind="model file", force=force)


def export_model(model: object, path: str | Path, fmt: str | None = None) -> Path:
    """Write a Pyomo model (perhaps with your own components) as MPS or LP through Pyomo's writers."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("mps", "lp"):
        raise CritminError(f"unknown export format '{fmt}' for {path}: use .mps or .lp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        model.write(str(tmp), format=fmt, io_options={"symbolic_solver_labels": True})  # type: ignore[attr-defined]
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
