"""The web page's files: one working folder per session, sessions that expire, ids.

::

    WORKDIR/                        --workdir, default USER_DATA/web (caravan.folders)
      columns.json                  column mappings remembered per set of headers
      columns.lock                  held while a mapping is added (two planners at once)
      sessions/KEY/                 one planner's session (KEY: a hash of the session id)
        session.json                CSRF token, language, signed in, last seen
        uploads/ID/                 an upload: the file, meta.json, accepted.csv, rejects.csv
        plans/ID/                   a plan being made or made: job.json, progress.json,
                                    error.txt, and the plan's files (plan.json, map.html ...)

Every id in a URL is checked against :data:`ID_PATTERN` before it touches a path, and
every file served is looked up by id and by a name from a fixed list, so that no URL can
name a path outside the working folder. A session not used for ``ttl`` seconds expires,
and its folder (with the uploaded exports, which hold personal data) is deleted.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from caravan.atomic import atomic_write_text, locked
from caravan.text import squash

ID_PATTERN = re.compile(r"^[0-9a-f]{12}$")


def new_id() -> str:
    return secrets.token_hex(6)


def valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value or ""))


def read_json(path: Path) -> dict:
    """A small JSON file of the working folder ({} when missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1, default=str))


@dataclass
class Session:
    """One planner's session (what session.json holds, and where its folder is)."""

    sid: str
    folder: Path
    csrf: str
    lang: str = "th"
    signed_in: bool = False
    seen: float = 0.0

    def save(self) -> None:
        data = asdict(self)
        data.pop("folder")
        data.pop("sid")
        write_json(self.folder / "session.json", data)

    def uploads(self) -> Path:
        return self.folder / "uploads"

    def plans(self) -> Path:
        return self.folder / "plans"

    def upload_dir(self, upload_id: str) -> Path | None:
        return _child(self.uploads(), upload_id)

    def plan_dir(self, plan_id: str) -> Path | None:
        return _child(self.plans(), plan_id)


def _child(parent: Path, item_id: str) -> Path | None:
    if not valid_id(item_id):
        return None
    path = parent / item_id
    return path if path.is_dir() else None


class SessionStore:
    """Sessions on disk under ``WORKDIR/sessions`` (they survive a restart of the server)."""

    def __init__(self, workdir: Path, *, ttl: float, now: Callable[[], float]) -> None:
        self.root = workdir / "sessions"
        self.ttl = ttl
        self.now = now

    def _folder(self, sid: str) -> Path:
        return self.root / hashlib.sha256(sid.encode("ascii", "replace")).hexdigest()[:32]

    def create(self, lang: str = "th") -> Session:
        self.purge()  # the expired sessions of planners who did not come back
        sid = secrets.token_urlsafe(32)
        folder = self._folder(sid)
        folder.mkdir(parents=True)
        session = Session(sid, folder, csrf=secrets.token_urlsafe(32), lang=lang, seen=self.now())
        session.save()
        return session

    def get(self, sid: str | None) -> Session | None:
        """The live session of the cookie ``sid``; an expired one is deleted."""
        if not sid or len(sid) > 100:
            return None
        folder = self._folder(sid)
        data = read_json(folder / "session.json")
        if not data:
            return None
        if self.now() - float(data.get("seen", 0)) > self.ttl:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        session = Session(
            sid,
            folder,
            csrf=str(data.get("csrf", "")),
            lang=str(data.get("lang", "th")),
            signed_in=bool(data.get("signed_in", False)),
            seen=self.now(),
        )
        session.save()
        return session

    def purge(self) -> int:
        """Delete every expired session's folder; the number deleted."""
        gone = 0
        for folder in self.root.glob("*"):
            data = read_json(folder / "session.json")
            seen = float(data.get("seen", 0)) if data else folder.stat().st_mtime
            if self.now() - seen > self.ttl:
                shutil.rmtree(folder, ignore_errors=True)
                gone += 1
        return gone


class ColumnMemory:
    """Column mappings chosen on the page, remembered per set of headers (a file exported
    by the same system has the same headers), in ``WORKDIR/columns.json``. Only header
    names are kept."""

    def __init__(self, workdir: Path) -> None:
        self.path = workdir / "columns.json"

    @staticmethod
    def key(header: list[str] | tuple[str, ...]) -> str:
        names = sorted({squash(h) for h in header if h.strip()})
        return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()[:24]

    def get(self, header: list[str] | tuple[str, ...]) -> dict[str, str]:
        found = read_json(self.path).get(self.key(header), {})
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def remember(self, header: list[str] | tuple[str, ...], mapping: dict[str, str]) -> None:
        """Add one mapping; two planners saving at the same time both keep theirs (the
        read and the write happen under a lock on ``columns.lock``)."""
        lock = self.path.with_name("columns.lock")
        lock.touch(exist_ok=True)
        with locked(lock):
            data = read_json(self.path)
            data[self.key(header)] = dict(mapping)
            write_json(self.path, data)
