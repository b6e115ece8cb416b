"""Write outputs all at once or not at all, and never destroy what critmin did not write.

One set of rules for every writer (solution, frontier and comparison folders, generated instances, the HTML
report, exported models):

- A target that exists is replaced only with `force`, and only if critmin wrote it: a folder holding critmin's
  marker file and nothing else but the files that marker lists, or a file carrying critmin's marker line.
  Never a file where a folder is expected, a device, a FIFO, the current folder, a folder holding the input,
  or a folder with anything else in it.
- The output location is checked before any work is done (`check_target`), so a solve never runs for an
  hour and then fails to write.
- New content is written into a temporary sibling and swapped into place in one step (Linux's
  renameat2 RENAME_EXCHANGE; elsewhere two renames with Ctrl-C held off between them), so the target is
  always either the old or the new output. Temporary siblings left by a killed run are cleaned up, or an
  interrupted replace is undone, the next time that target is written, and the user is told.
- Folders and files get the permissions the user's umask gives, not a temporary file's private ones.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CritminError, OutputExistsError

MARKER = ".critmin-output.json"
_TAG = ".critmin-"  # temporary siblings: .<name>.critmin-new-<pid>-<rand>, .<name>.critmin-old-<pid>-<rand>
# the first line of a file critmin wrote, by suffix (HTML carries a <meta name="generator"> instead)
FILE_MARKS = {
    ".mps": "* written by critmin",
    ".lp": "\\ written by critmin",
    ".html": '<meta name="generator" content="critmin',
}


class OutputError(CritminError):
    """The output location cannot be used; nothing was written."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_of(name: str) -> int | None:
    try:
        return int(name.split(_TAG, 1)[1].split("-")[1])
    except (IndexError, ValueError):
        return None


def recover_strays(target: Path) -> list[str]:
    """Clean up after runs killed while writing `target`: remove incomplete new outputs, and restore the
    previous output if a replace was cut between its two steps. Returns what was done, for the user."""
    notes: list[str] = []
    parent = target.parent
    if not parent.is_dir():
        return notes
    for entry in sorted(parent.iterdir()):
        if not entry.name.startswith(f".{target.name}{_TAG}"):
            continue
        pid = _pid_of(entry.name)
        if pid is None or _alive(pid):
            continue
        kind = entry.name.split(_TAG, 1)[1].split("-")[0]
        if kind == "old" and not target.exists() and not target.is_symlink():
            os.replace(entry, target)
            notes.append(f"restored {target} from an interrupted replace ({entry.name})")
        else:
            _remove(entry)
            what = "an incomplete output" if kind == "new" else "the previous output of a finished replace"
            notes.append(f"removed {entry.name}: {what} left by a killed run")
    return notes


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _is_inside(inner: Path, outer: Path) -> bool:
    try:
        inner.resolve().relative_to(outer.resolve())
        return True
    except ValueError:
        return False


def _ours(folder: Path) -> tuple[str | None, list[str], list[str]]:
    """The kind of output critmin wrote in `folder` (None if it did not), what else the folder holds, and
    which of critmin's files were changed since it wrote them (their content hash differs)."""
    marker = folder / MARKER
    if not marker.is_file():
        return None, [], []
    try:
        meta = json.loads(marker.read_text())
        listed, kind = set(meta.get("files", [])), str(meta.get("kind", ""))
        hashes = dict(meta.get("sha256", {}))
    except (OSError, ValueError, AttributeError, TypeError):
        return None, [], []
    foreign = sorted(e.name for e in folder.iterdir() if e.name != MARKER and e.name not in listed)
    changed = sorted(rel for rel, digest in hashes.items() if _file_hash(folder / rel) != digest)
    return kind, foreign, changed


def changed_since_written(folder: Path) -> list[str]:
    """Files of a folder critmin wrote whose content differs from what it wrote (hashes in its marker);
    empty for a folder without recorded hashes."""
    _kind, _foreign, changed = _ours(folder)
    return changed


def _file_hash(path: Path) -> str | None:
    import hashlib

    if not path.is_file() or path.is_symlink():
        return None
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(2**20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (by relative path), for the marker."""
    out = {}
    for root, _dirs, files in os.walk(folder):
        for f in files:
            p = Path(root) / f
            digest = _file_hash(p)
            if digest is not None and f != MARKER:
                out[str(p.relative_to(folder))] = digest
    return out


XLSX_CREATOR = "critmin"  # a workbook critmin wrote names it as creator in its document properties


def _file_is_ours(path: Path) -> bool:
    if path.suffix.lower() == ".xlsx":
        return _workbook_is_ours(path)
    mark = FILE_MARKS.get(path.suffix.lower())
    if mark is None:
        return False
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return mark in head


def _workbook_is_ours(path: Path) -> bool:
    """A workbook critmin wrote and nobody changed since: its hidden marker sheet holds the hash of its
    cells, and the cells still hash to it (Excel keeps a creator field on save; it keeps no such hash)."""
    from .excel import workbook_content_hash

    try:
        recorded, now = workbook_content_hash(path)
    except CritminError:
        return False
    if recorded is None:
        return False
    if recorded != now:
        raise OutputError(
            f"{path} was written by critmin but has been changed since (its cells differ from what critmin "
            "wrote); critmin never replaces it (choose another -o, or move it away)"
        )
    return True


def check_target(
    target: str | Path, *, kind: str, force: bool, folder: bool = True, protect: tuple[Path, ...] = ()
) -> list[str]:
    """Raise OutputError unless `target` can be written (and, if it exists, replaced). `protect` are input
    paths the output must not contain or replace. Returns notes about strays cleaned up."""
    target = Path(target)
    if target.resolve() == Path.cwd().resolve() or _is_inside(Path.cwd(), target):
        raise OutputError(
            f"{target} is the current folder (or holds it); give -o a new folder, e.g. out/{kind}"
        )
    for p in protect:
        if _is_inside(p, target):
            what = "is" if Path(p).resolve() == target.resolve() else "holds"
            raise OutputError(
                f"{target} {what} the input {p}; write the output somewhere else, e.g. out/{kind}"
            )
    notes = recover_strays(target)
    if target.is_symlink() or (target.exists() and not (target.is_dir() or target.is_file())):
        raise OutputError(
            f"{target} is not a regular {'folder' if folder else 'file'} (a link, device or pipe); "
            "critmin never replaces it"
        )
    if target.exists():
        if folder and not target.is_dir():
            raise OutputError(f"{target} is a file; a {kind} is a folder: give -o a folder name")
        if not folder and target.is_dir():
            raise OutputError(f"{target} is a folder; give -o a file name")
        if folder:
            ours, foreign, changed = _ours(target)
            if ours is None:
                raise OutputError(
                    f"{target} exists and is not a folder critmin wrote; critmin never replaces it "
                    "(choose another -o)"
                )
            if ours != kind:
                raise OutputError(
                    f"{target} is a {ours} critmin wrote, not a {kind}; critmin does not replace it with one "
                    "(choose another -o)"
                )
            if foreign:
                shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
                raise OutputError(
                    f"{target} holds files critmin did not write ({shown}); move them or choose another -o"
                )
            if changed:
                shown = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
                raise OutputError(
                    f"{target} holds files changed since critmin wrote them ({shown}); critmin never "
                    "replaces your edits: move them or choose another -o"
                )
        elif not _file_is_ours(target):
            raise OutputError(
                f"{target} exists and was not written by critmin; critmin never replaces it "
                "(choose another -o)"
            )
        if not force:
            raise OutputExistsError(f"{target} exists; pass --force (force=True) to replace it")
    _probe_parent(target)
    return notes


def _probe_parent(target: Path) -> None:
    """Create the parent folder if needed and make sure a file can be created there."""
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}{_TAG}probe-{os.getpid()}-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"cannot write in {parent}: {exc.strerror or exc}") from None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    ok = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(ok == 0)


def _swap_in(tmp: Path, target: Path) -> None:
    """Put `tmp` at `target`; the old target (if any) is deleted after. Atomic where the OS allows."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = target.with_name(f".{target.name}{_TAG}old-{os.getpid()}-{os.urandom(3).hex()}")
    if _exchange(tmp, target):
        os.replace(tmp, old)  # tmp now holds the old output
    else:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:  # Ctrl-C is held off between the two renames, so the target is never left missing
            os.replace(target, old)
            os.replace(tmp, target)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    _remove(old)


@contextmanager
def atomic_directory(
    target: str | Path, *, kind: str = "solution", force: bool = False, protect: tuple[Path, ...] = ()
) -> Iterator[Path]:
    """Yield a temporary folder; on success it becomes `target`, with critmin's marker listing its files."""
    target = Path(target)
    check_target(target, kind=kind, force=force, protect=protect)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}{_TAG}new-{os.getpid()}-", dir=target.parent))
    try:
        yield tmp
        files = sorted(e.name for e in tmp.iterdir())
        meta = {"kind": kind, "files": files, "written_by": "critmin", "sha256": _hashes(tmp)}
        (tmp / MARKER).write_text(json.dumps(meta, indent=1) + "\n")
        _fix_modes(tmp)
        _swap_in(tmp, target)
    except BaseException:
        _remove(tmp)
        raise


def atomic_file(
    target: str | Path,
    write: Callable[[Path], None],
    *,
    kind: str,
    force: bool = False,
    protect: tuple[Path, ...] = (),
) -> Path:
    """Write a file through `write(tmp_path)` and move it into place; its first line must carry critmin's
    marker for its suffix (FILE_MARKS), so a later --force knows it may replace it."""
    target = Path(target)
    check_target(target, kind=kind, force=force, folder=False, protect=protect)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}{_TAG}new-{os.getpid()}-", suffix=target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _fix_modes(folder: Path) -> None:
    """Give a finished output the permissions the umask gives (mkdtemp makes folders private)."""
    mask = _umask()
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o777 & ~mask)
        for d in dirs:
            os.chmod(Path(root) / d, 0o777 & ~mask)
        for f in files:
            os.chmod(Path(root) / f, 0o666 & ~mask)
