"""Reading input files safely: only regular files, within a size limit, as UTF-8 (a byte-order mark, as Excel
writes in "CSV UTF-8", is dropped). A FIFO, a device such as /dev/zero, or a huge file is refused with a
clear message instead of hanging or exhausting memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from ..errors import InstanceError, Problem

MAX_YAML_BYTES = 16 * 2**20  # an instance's YAML file
MAX_TABLE_BYTES = 256 * 2**20  # one CSV table or workbook


def _problem(path: Path, message: str, hint: str) -> InstanceError:
    return InstanceError(problems=[Problem((), message, hint, file=path.name)])


def check_regular(path: Path, limit: int, what: str = "file") -> None:
    """Refuse anything but a regular file no larger than `limit` bytes (before opening it)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise _problem(
            path, f"cannot read {path}: {exc.strerror}", "check the path and permissions"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise _problem(path, f"{path} is a folder, not a {what}", f"give the {what}'s path")
    if not stat.S_ISREG(info.st_mode):
        raise _problem(
            path, f"{path} is not a regular file (a device, pipe or socket)", f"give a {what} on disk"
        )
    if info.st_size > limit:
        raise _problem(
            path,
            f"{path} is {info.st_size / 2**20:,.0f} MiB, over the {limit / 2**20:,.0f} MiB limit "
            f"for a {what}",
            "check it is the right file; split very large tables",
        )


def read_bytes(path: Path, limit: int, what: str = "file") -> bytes:
    check_regular(path, limit, what)
    with open(path, "rb", buffering=0) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew while we read it
        raise _problem(
            path, f"{path} is over the {limit / 2**20:,.0f} MiB limit", "check it is the right file"
        )
    return data


def read_text(path: Path, hasher: Any, limit: int, what: str = "file") -> str:
    """The file's text (UTF-8, a leading byte-order mark dropped), its bytes added to `hasher`."""
    data = read_bytes(path, limit, what)
    hasher.update(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _problem(
            path, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}", "save the file as UTF-8"
        ) from None


def is_fifo_or_device(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
