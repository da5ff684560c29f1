"""Write files so that a reader never sees half of one: write a temporary file, then rename.

:class:`OutputDir` gives the same promise for a set of files: everything is written into a
hidden staging folder inside the target folder and moved into place only when every file
has been written, so an error half-way leaves the target folder as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from caravan.errors import CaravanError


class OutputError(CaravanError):
    """The output location cannot be written."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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


def write_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write one file the user named, atomically; raise OutputError naming it."""
    target = Path(path)
    check_writable_dir(target.parent)
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise OutputError(f"cannot write '{path}': {exc.strerror}") from None


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


class OutputDir:
    """Stage files, then move them all into ``target`` on success (``with`` block)."""

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = check_writable_dir(target)
        self.staging: Path | None = None
        self.written: list[str] = []

    def __enter__(self) -> OutputDir:
        self.staging = Path(tempfile.mkdtemp(prefix=".caravan-staging-", dir=self.target))
        return self

    def path(self, name: str) -> Path:
        assert self.staging is not None, "use OutputDir in a with block"
        self.written.append(name)
        return self.staging / name

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.staging is not None
        try:
            if exc_type is None:
                for name in self.written:
                    os.replace(self.staging / name, self.target / name)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def final_paths(self) -> list[Path]:
        return [self.target / n for n in self.written]
