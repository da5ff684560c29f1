"""Write files so that a reader never sees half of one, and sets of files all or none.

One file: :func:`atomic_write_bytes` writes a temporary file beside the target, flushes it
to the disk (``fsync``) and renames it over the target: a reader sees the old file or the
new one.

A set of files (``caravan plan --out``, ``caravan complaints check --out``): :class:`OutputDir`
stages every file in a hidden folder ``.caravan-staging-*`` inside the target folder, then
*switches* the set in one step that survives ``kill -9`` and a power cut:

1. every staged file and the staging folder are flushed to the disk;
2. the folder's new manifest ``.caravan-manifest.json`` (which files caravan wrote there, per
   set, with their SHA-256) is staged too;
3. the journal ``.caravan-switch.json`` (the files to move into place and the files of the
   earlier set to remove) is written and renamed into place: **this rename is the commit
   point**. Before it the folder is wholly old; after it, it is wholly new as soon as the
   journal has been carried out;
4. the staged files are renamed into place, the earlier set's files removed, the journal
   deleted.

Every caravan command that writes or reads such a folder first calls :func:`recover`: it
carries out a journal that a killed process left (roll forward: every step can be done
twice) and removes staging folders that no live process owns (each writer holds a lock on its
staging folder while it works). A folder is therefore complete whenever it holds no
``.caravan-switch.json``; a folder copied while one was there is completed by the next caravan
command run on the copy.

Files of an earlier set that the new set does not write again (``map.png`` when the new plan
has none, ``itinerary.html`` exported from the earlier plan...) are removed in the same
switch, but only those that the manifest lists *and* whose content is still what caravan
wrote (same SHA-256): a file caravan did not write, or that someone changed since, is never
touched. An existing target that is not a regular file (a folder, a FIFO, a device) is refused.

Test hook: ``CARAVAN_TEST_PAUSE_AT=switch:N`` makes a switch print ``caravan: paused at
switch:N`` on stderr and sleep (the tests kill the process there): N = 0 just before the
commit point, 1..k before each rename or removal, k + 1 before the journal is deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from caravan.errors import CaravanError

MANIFEST = ".caravan-manifest.json"
JOURNAL = ".caravan-switch.json"
STAGING_PREFIX = ".caravan-staging-"
PAUSE_AT_ENV = "CARAVAN_TEST_PAUSE_AT"


class OutputError(CaravanError):
    """The output location cannot be written."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_file(path: str | os.PathLike[str]) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (renames, new and removed names) to the disk, where the
    system allows it (not on Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_target(path: str | os.PathLike[str]) -> None:
    """Raise OutputError when ``path`` exists and is not a regular file (following a
    symbolic link): caravan replaces files, never folders, pipes or devices."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot write '{path}': {_describe(exc)}") from None
    if not stat.S_ISREG(mode):
        raise OutputError(f"cannot write '{path}': it is {_kind(mode)}, not a regular file")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600 files; give the file the permissions open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


#: The UTF-8 byte order mark: Excel reads a CSV that starts with it as UTF-8 (Thai shows).
BOM = b"\xef\xbb\xbf"


def utf8(text: str, *, bom: bool = False) -> bytes:
    return (BOM if bom else b"") + text.encode("utf-8")


def atomic_write_text(path: str | os.PathLike[str], text: str, *, bom: bool = False) -> None:
    atomic_write_bytes(path, utf8(text, bom=bom))


def write_file(path: str | os.PathLike[str], data: bytes, *, join: str = "") -> None:
    """Write one file the user named, atomically; raise OutputError naming it. With
    ``join`` (a set's name), in a folder that caravan wrote a set into, the file joins that
    set in the folder's manifest (``caravan export`` joins ``plan``: the next plan written
    there removes the export of the earlier one)."""
    target = Path(path)
    check_writable_dir(target.parent)
    check_target(target)
    if join and (target.parent / MANIFEST).exists():
        with OutputDir(target.parent, group=join, replace=False) as od:
            od.path(target.name).write_bytes(data)
        return
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise OutputError(f"cannot write '{path}': {_describe(exc)}") from None
    fsync_dir(target.parent)


def _describe(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def check_writable_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` if needed and prove a file can be written there; raise OutputError."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".caravan-probe-", dir=path)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write to output folder '{path}': {_describe(exc)}") from None
    return path


# ---------------------------------------------------------------------------- locks


@contextlib.contextmanager
def locked(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """An exclusive lock on a folder or file (``flock`` on its descriptor) while the block runs;
    yields False when ``wait`` is false and another process holds it. Without ``fcntl``
    (Windows) nothing is locked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux
        yield True
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield True
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        except OSError:  # a file system without locks
            pass
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# ---------------------------------------------------------------------------- manifest


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _plain_name(name: object) -> bool:
    """A file name inside the folder: no separator, not ``.`` or ``..``."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
    )


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """The sets caravan wrote into ``folder``: set name -> {file name: SHA-256}. A missing,
    unreadable or damaged manifest is an empty one (then no earlier file is ever removed)."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    sets = data.get("sets") if isinstance(data, dict) else None
    if not isinstance(sets, dict):
        return {}
    return {
        str(group): {n: h for n, h in files.items() if _plain_name(n) and isinstance(h, str)}
        for group, files in sets.items()
        if isinstance(files, dict)
    }


def _manifest_text(sets: dict[str, dict[str, str]]) -> str:
    doc = {"format": "caravan-folder", "version": 1, "sets": sets}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _unchanged(path: Path, sha: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode) and _sha256(path) == sha
    except OSError:
        return False


# ---------------------------------------------------------------------------- switch


def _pause(step: int | str) -> None:
    if os.environ.get(PAUSE_AT_ENV) == f"switch:{step}":
        print(f"caravan: paused at switch:{step}", file=sys.stderr, flush=True)
        time.sleep(600)


def _journal(folder: Path) -> dict | None:
    """The journal of an interrupted switch in ``folder``, checked, or None."""
    path = folder / JOURNAL
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        data = None
    ok = (
        isinstance(data, dict)
        and _plain_name(data.get("staging"))
        and str(data["staging"]).startswith(STAGING_PREFIX)
        and isinstance(data.get("move"), list)
        and isinstance(data.get("remove"), list)
        and all(_plain_name(n) for n in data["move"] + data["remove"])
    )
    if not ok:
        raise OutputError(
            f"'{path}' is damaged: the folder's last write cannot be completed; remove that "
            "file and write the folder again"
        )
    return data


def _carry_out(folder: Path, journal: dict) -> None:
    """Steps 4 of the module docstring; each step may be done twice (roll forward)."""
    staging = folder / journal["staging"]
    step = 0
    for name in journal["move"]:
        step += 1
        _pause(step)
        source = staging / name
        if source.exists():
            os.replace(source, folder / name)
    for name in journal["remove"]:
        step += 1
        _pause(step)
        target = folder / name
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(os.lstat(target).st_mode):
                target.unlink()
    fsync_dir(folder)
    _pause(step + 1)
    with contextlib.suppress(FileNotFoundError):
        (folder / JOURNAL).unlink()
    fsync_dir(folder)
    shutil.rmtree(staging, ignore_errors=True)


def recover(folder: str | os.PathLike[str]) -> bool:
    """Complete a switch that a killed process left in ``folder`` and remove staging folders
    that no live process owns. Returns True when an interrupted switch was completed.

    Called by every command that writes or reads a caravan folder. In a folder that cannot
    be written, an interrupted switch is an OutputError; stale staging folders are left."""
    folder = Path(folder)
    if not folder.is_dir():
        return False
    done = False
    with locked(folder):
        journal = _journal(folder)
        if journal is not None:
            try:
                _carry_out(folder, journal)
            except OSError as exc:
                raise OutputError(
                    f"'{folder}' holds an unfinished write that cannot be completed "
                    f"({_describe(exc)}): run caravan on a writable copy of the folder"
                ) from None
            done = True
        for entry in _stale_staging(folder):
            shutil.rmtree(entry, ignore_errors=True)
    return done


def _stale_staging(folder: Path) -> list[Path]:
    try:
        entries = [e for e in folder.iterdir() if e.name.startswith(STAGING_PREFIX)]
    except OSError:
        return []
    stale = []
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            with locked(entry, wait=False) as mine:
                if mine:  # its writer is gone: nobody holds its lock
                    stale.append(entry)
    return stale


class OutputDir:
    """Stage files, then switch them into ``target`` in one step on success (``with``
    block; the module docstring says how). ``group`` names the set in the folder's manifest
    (``plan``, ``check``); with ``replace`` (the default) the files of the group's earlier set
    that this one does not write again are removed in the same step, else they stay."""

    def __init__(
        self, target: str | os.PathLike[str], *, group: str = "plan", replace: bool = True
    ) -> None:
        self.target = check_writable_dir(target)
        recover(self.target)
        self.group = group
        self.replace = replace
        self.staging: Path | None = None
        self.written: list[str] = []
        self.removed: list[str] = []
        self._lock: contextlib.ExitStack | None = None

    def __enter__(self) -> OutputDir:
        self._lock = contextlib.ExitStack()
        with locked(self.target):  # no recover() sees the new folder before it is locked
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.target))
            self._lock.enter_context(locked(self.staging))  # "alive": recover() leaves it
        return self

    def path(self, name: str) -> Path:
        assert self.staging is not None, "use OutputDir in a with block"
        if name not in self.written:
            self.written.append(name)
        return self.staging / name

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.staging is not None and self._lock is not None
        try:
            if exc_type is None:
                for name in self.written:
                    check_target(self.target / name)
                try:
                    self._switch()
                except OSError as exc:
                    raise OutputError(
                        f"cannot write into '{self.target}': {_describe(exc)}"
                    ) from None
        finally:
            self._lock.close()
            shutil.rmtree(self.staging, ignore_errors=True)

    def _switch(self) -> None:
        assert self.staging is not None
        staging, folder = self.staging, self.target
        sets = read_manifest(folder)
        new = {name: _sha256(staging / name) for name in self.written}
        for name in self.written:
            _fsync_file(staging / name)
        earlier = sets.get(self.group, {})
        for files in sets.values():  # a name belongs to the set that wrote it last
            for name in new:
                files.pop(name, None)
        remove = [n for n, sha in earlier.items() if n not in new and _unchanged(folder / n, sha)]
        kept = {} if self.replace else {n: h for n, h in earlier.items() if n not in new}
        sets[self.group] = {**kept, **new}
        atomic_write_text(staging / MANIFEST, _manifest_text(sets))
        fsync_dir(staging)
        journal = {
            "format": "caravan-switch",
            "version": 1,
            "staging": staging.name,
            "move": [*self.written, MANIFEST],
            "remove": remove if self.replace else [],
        }
        with locked(folder):
            _pause(0)
            atomic_write_text(folder / JOURNAL, json.dumps(journal, ensure_ascii=False) + "\n")
            fsync_dir(folder)  # the commit point is on the disk
            _carry_out(folder, journal)
        self.removed = journal["remove"]

    def final_paths(self) -> WrittenSet:
        """The files written (in the order written), with the earlier set's files that the
        switch removed (``.removed``)."""
        return WrittenSet(
            [self.target / n for n in self.written], removed=[self.target / n for n in self.removed]
        )


class WrittenSet(list[Path]):
    """The paths of a set written by :class:`OutputDir` (a list) and ``removed``: the files
    of the folder's earlier set that the same switch removed."""

    def __init__(self, paths, *, removed=()) -> None:
        super().__init__(paths)
        self.removed: tuple[Path, ...] = tuple(removed)
