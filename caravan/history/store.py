"""The visit history: a SQLite database (stdlib ``sqlite3``) of recorded plans and outcomes.

Where it is: ``--db PATH``, else the ``CARAVAN_DB`` environment variable, else a file in the
user's data folder (:func:`default_db_path`): ``$XDG_DATA_HOME/caravan/history.sqlite``
(``~/.local/share/caravan/history.sqlite``) on Linux, ``~/Library/Application
Support/caravan/history.sqlite`` on macOS, ``%LOCALAPPDATA%\\caravan\\history.sqlite`` on
Windows. The first command that writes creates it; commands that only read never create it.

What it holds (schema version :data:`SCHEMA_VERSION`, in ``PRAGMA user_version``):

``plans``      one row per recorded plan: its week, level, provinces, the full plan.json
``visits``     one row per visit of a recorded plan (date, unit, site, the open complaints
               the plan counted there). A plan recorded for a week and provinces replaces
               the visits of earlier plans for that week and those provinces: their
               ``superseded_by`` is set. The *active* visits (``superseded_by IS NULL``) are
               the history the next plans use.
``outcomes``   what the field team reported per visit (keyed by date, unit and site, so a
               mid-week replan that keeps a visit keeps its outcome): whether the visit took
               place, complaints resolved and escalated on the spot.
``outcome_complaints``  the ids of the complaints resolved on the spot, when given.

Reliability: every write is one ``BEGIN IMMEDIATE ... COMMIT`` transaction, so a process
killed half-way leaves the database as it was before the write; the database is in WAL
mode, so readers go on reading while a plan is written. A database whose schema version is
newer than this caravan's is refused before anything is written. Older versions are
migrated, in one transaction, by the steps in :data:`MIGRATIONS` (never edited once
released: a change is a new step).

Test hook: when ``CARAVAN_TEST_PAUSE_IN_TRANSACTION`` is set to a number of seconds, a write
prints ``caravan: paused inside the write transaction`` to stderr and sleeps that long just
before its COMMIT (the tests kill the process there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from caravan import clock
from caravan.clock import hhmm_or_empty, monday_of
from caravan.errors import CaravanError
from caravan.folders import user_data_dir

APPLICATION_ID = 0x43525654  # "CRVT" in PRAGMA application_id: a caravan history database
SCHEMA_VERSION = 2
PAUSE_ENV = "CARAVAN_TEST_PAUSE_IN_TRANSACTION"

_V1 = """
CREATE TABLE plans (
    id           INTEGER PRIMARY KEY,
    week         TEXT NOT NULL,                 -- ISO week, 2026-W49
    week_monday  TEXT NOT NULL,                 -- its Monday, YYYY-MM-DD
    level        TEXT NOT NULL CHECK (level IN ('district', 'tambon')),
    provinces    TEXT NOT NULL,                 -- '35 37 65'
    created      TEXT,                          -- when the plan was made (plan.json)
    recorded     TEXT NOT NULL,                 -- when it was recorded, Asia/Bangkok
    source       TEXT NOT NULL,                 -- where it came from
    replan_of    INTEGER REFERENCES plans(id),
    sha256       TEXT NOT NULL,                 -- of plan_json
    plan_json    TEXT NOT NULL
);
CREATE TABLE visits (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans(id),
    week            TEXT NOT NULL,
    date            TEXT NOT NULL,              -- YYYY-MM-DD
    unit            TEXT NOT NULL,              -- 35-1
    stop            INTEGER NOT NULL,
    code            TEXT NOT NULL,              -- district or tambon code
    level           TEXT NOT NULL,
    province_code   TEXT NOT NULL,
    district_code   TEXT NOT NULL,
    name_th         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    arrive          TEXT NOT NULL,              -- HH:MM
    depart          TEXT NOT NULL,
    priority        REAL NOT NULL,
    open_complaints INTEGER NOT NULL,
    superseded_by   INTEGER REFERENCES plans(id),
    UNIQUE (plan_id, date, unit, stop)
);
CREATE INDEX visits_active ON visits (superseded_by, date);
CREATE INDEX visits_code ON visits (code, date);
"""

_V2 = """
ALTER TABLE visits ADD COLUMN change TEXT NOT NULL DEFAULT '';
CREATE TABLE outcomes (
    date       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    code       TEXT NOT NULL,
    visited    INTEGER NOT NULL CHECK (visited IN (0, 1)),
    resolved   INTEGER NOT NULL CHECK (resolved >= 0),
    escalated  INTEGER NOT NULL CHECK (escalated >= 0),
    note       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,
    line       INTEGER NOT NULL,
    recorded   TEXT NOT NULL,
    PRIMARY KEY (date, unit, code)
);
CREATE TABLE outcome_complaints (
    date          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    code          TEXT NOT NULL,
    complaint_id  TEXT NOT NULL,
    PRIMARY KEY (date, unit, code, complaint_id),
    FOREIGN KEY (date, unit, code) REFERENCES outcomes (date, unit, code) ON DELETE CASCADE
);
"""

#: (version reached, SQL). Version 1: plans and visits. Version 2: outcomes, visit changes.
MIGRATIONS: tuple[tuple[int, str], ...] = ((1, _V1), (2, _V2))


class HistoryError(CaravanError):
    """The history database cannot be used (newer schema, not a database, locked...)."""


def default_db_path() -> Path:
    """``CARAVAN_DB`` if set, else the platform's per-user data folder (module docstring)."""
    env = os.environ.get("CARAVAN_DB")
    if env:
        return Path(env)
    return user_data_dir() / "history.sqlite"


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class VisitRecord:
    """An active visit with its outcome (None where no outcome was recorded)."""

    date: dt.date
    week: str
    unit: str
    code: str
    level: str
    province_code: str
    district_code: str
    name_th: str
    name_en: str
    arrive: str
    depart: str
    priority: float
    open_complaints: int
    plan_id: int
    visited: bool | None = None
    resolved: int = 0
    escalated: int = 0
    resolved_ids: tuple[str, ...] = ()
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.date.isoformat(), self.unit, self.code)

    @property
    def made(self) -> bool:
        """For planning (:mod:`caravan.plan.rolling`): the visit counts unless its outcome
        says it did not take place, a visit still to come included (it is in the plan)."""
        return self.visited is not False

    def made_by(self, today: dt.date) -> bool:
        """For reporting (``caravan report``): the visit was made when an outcome says so,
        or, without an outcome, when its day has passed (is before ``today``)."""
        return self.date < today if self.visited is None else self.visited


@dataclass(frozen=True)
class PlanRecord:
    id: int
    week: str
    level: str
    provinces: tuple[str, ...]
    created: str | None
    recorded: str
    source: str
    replan_of: int | None
    visits: int  # visits recorded with the plan
    active_visits: int  # of those, not replaced by a later plan
    superseded_by: tuple[int, ...]


@dataclass(frozen=True)
class RecordResult:
    plan_id: int
    visits: int
    replaced: tuple[int, ...]  # plans whose visits this one replaced
    already: bool = False  # the same plan.json was already recorded and active


@dataclass(frozen=True)
class OutcomeRow:
    line: int
    date: dt.date
    unit: str
    code: str
    visited: bool
    resolved: int
    escalated: int
    resolved_ids: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class HistorySnapshot:
    """The history a plan reads: active visits before a date, and when history began."""

    source: str
    visits: tuple[VisitRecord, ...]
    first_monday: dict[str, dt.date]  # province -> Monday of its first recorded plan
    weeks: tuple[str, ...]  # distinct recorded weeks, sorted

    @staticmethod
    def empty(source: str = "") -> HistorySnapshot:
        return HistorySnapshot(source=source, visits=(), first_monday={}, weeks=())


# ---------------------------------------------------------------------------- opening


def _refuse_if_foreign_or_newer(conn: sqlite3.Connection, path: Path) -> int:
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"{path}: not a caravan history database ({exc})") from None
    if app not in (0, APPLICATION_ID) or (app == 0 and tables > 0):
        raise HistoryError(f"{path}: not a caravan history database (it holds other data)")
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: history database schema version {version} is newer than this caravan "
            f"supports ({SCHEMA_VERSION}): upgrade caravan (the database was not changed)"
        )
    return version


class History:
    """An open history database. Use :func:`open_history` (a context manager)."""

    def __init__(self, path: Path, conn: sqlite3.Connection | None) -> None:
        self.path = path
        self.conn = conn  # None: the file does not exist and we only read

    # -- lifecycle
    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __enter__(self) -> History:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            raise damaged(self.path, exc) from None

    @property
    def exists(self) -> bool:
        return self.conn is not None

    def _write(self):
        return _Transaction(self)

    # -- writes
    def record_plan(
        self, *, plan, plan_json: str, source: str, replan_of: int | None = None
    ) -> RecordResult:
        """Record a :class:`~caravan.types.WeekPlan` (and the plan.json text that shows it).

        The plan replaces the active visits of earlier plans of the same week in its
        provinces. Refused (nothing written) when outcomes were recorded for replaced visits
        that the new plan does not keep: that is what ``caravan replan`` is for.
        """
        p = plan.parameters
        sha = hashlib.sha256(plan_json.encode("utf-8")).hexdigest()
        provinces = tuple(p.provinces)
        rows = []
        for route in plan.routes:
            ud = route.unit_day
            for s in route.visits:
                site = plan.sites[s.code]
                score = plan.scores.get(s.code)
                rows.append(
                    (
                        p.week,
                        ud.date.isoformat(),
                        ud.unit,
                        s.stop,
                        s.code,
                        p.level,
                        site.province_code,
                        site.district_code,
                        site.name_th,
                        site.name_en,
                        hhmm_or_empty(s.arrive),
                        hhmm_or_empty(s.depart),
                        round(s.priority, 2),
                        score.open if score else 0,
                        plan.replan.change_of(ud.date, ud.unit, s.code) if plan.replan else "",
                    )
                )
        new_keys = {(r[1], r[2], r[4]) for r in rows}
        marks = ",".join("?" * len(provinces))
        with self._write() as c:
            same = c.execute(
                f"SELECT DISTINCT p.id FROM plans p JOIN visits v ON v.plan_id = p.id "
                f"WHERE p.sha256 = ? AND v.superseded_by IS NULL AND v.province_code IN ({marks})",
                (sha, *provinces),
            ).fetchone()
            if same is None:
                same = c.execute(
                    "SELECT id FROM plans p WHERE sha256 = ? AND NOT EXISTS "
                    "(SELECT 1 FROM visits v WHERE v.plan_id = p.id) AND NOT EXISTS "
                    "(SELECT 1 FROM plans q WHERE q.week = p.week AND q.id > p.id)",
                    (sha,),
                ).fetchone()
            if same is not None:
                return RecordResult(plan_id=same[0], visits=len(rows), replaced=(), already=True)
            old = c.execute(
                f"SELECT v.id, v.plan_id, v.date, v.unit, v.code FROM visits v "
                f"WHERE v.week = ? AND v.superseded_by IS NULL AND v.province_code IN ({marks})",
                (p.week, *provinces),
            ).fetchall()
            for _vid, _pid, date, unit, code in old:
                if (date, unit, code) in new_keys:
                    continue
                has = c.execute(
                    "SELECT 1 FROM outcomes WHERE date = ? AND unit = ? AND code = ?",
                    (date, unit, code),
                ).fetchone()
                if has:
                    raise HistoryError(
                        f"{self.path}: week {p.week} already has an outcome for the visit of "
                        f"{code} by unit {unit} on {date}, which this plan drops: use "
                        "'caravan replan' to keep the visits already made"
                    )
            cur = c.execute(
                "INSERT INTO plans (week, week_monday, level, provinces, created, recorded, "
                "source, replan_of, sha256, plan_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    p.week,
                    monday_of(p.week).isoformat(),
                    p.level,
                    " ".join(provinces),
                    plan.created.isoformat() if plan.created else None,
                    clock.now().isoformat(),
                    source,
                    replan_of,
                    sha,
                    plan_json,
                ),
            )
            plan_id = cur.lastrowid
            replaced = sorted({pid for _v, pid, *_ in old})
            if old:
                c.executemany(
                    "UPDATE visits SET superseded_by = ? WHERE id = ?",
                    [(plan_id, vid) for vid, *_ in old],
                )
            c.executemany(
                "INSERT INTO visits (plan_id, week, date, unit, stop, code, level, province_code, "
                "district_code, name_th, name_en, arrive, depart, priority, open_complaints, "
                "change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(plan_id, *r) for r in rows],
            )
        return RecordResult(plan_id=plan_id, visits=len(rows), replaced=tuple(replaced))

    def record_outcomes(self, rows: Sequence[OutcomeRow], *, source: str) -> tuple[int, int]:
        """Insert or replace the outcome of each row's visit, all in one transaction.

        Returns (new outcomes, replaced outcomes). The rows must have been checked against
        the active visits (:func:`caravan.history.outcomes.read_outcomes` does).
        """
        new = replaced = 0
        stamp = clock.now().isoformat()
        with self._write() as c:
            for r in rows:
                key = (r.date.isoformat(), r.unit, r.code)
                had = c.execute(
                    "SELECT 1 FROM outcomes WHERE date = ? AND unit = ? AND code = ?", key
                ).fetchone()
                c.execute("DELETE FROM outcomes WHERE date = ? AND unit = ? AND code = ?", key)
                c.execute(
                    "INSERT INTO outcomes (date, unit, code, visited, resolved, escalated, note, "
                    "source, line, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, int(r.visited), r.resolved, r.escalated, r.note, source, r.line, stamp),
                )
                c.executemany(
                    "INSERT INTO outcome_complaints (date, unit, code, complaint_id) "
                    "VALUES (?, ?, ?, ?)",
                    [(*key, cid) for cid in dict.fromkeys(r.resolved_ids)],
                )
                if had:
                    replaced += 1
                else:
                    new += 1
        return new, replaced

    # -- reads
    def visits(
        self,
        *,
        before: dt.date | None = None,
        weeks: Iterable[str] | None = None,
        provinces: Iterable[str] | None = None,
    ) -> list[VisitRecord]:
        """Active visits (optionally before a date, in some weeks or provinces), by date."""
        if self.conn is None:
            return []
        where = ["v.superseded_by IS NULL"]
        args: list[object] = []
        if before is not None:
            where.append("v.date < ?")
            args.append(before.isoformat())
        if weeks is not None:
            ws = list(weeks)
            where.append(f"v.week IN ({','.join('?' * len(ws))})")
            args += ws
        if provinces is not None:
            ps = list(provinces)
            where.append(f"v.province_code IN ({','.join('?' * len(ps))})")
            args += ps
        rows = self.conn.execute(
            "SELECT v.date, v.week, v.unit, v.code, v.level, v.province_code, v.district_code, "
            "v.name_th, v.name_en, v.arrive, v.depart, v.priority, v.open_complaints, v.plan_id, "
            "o.visited, o.resolved, o.escalated, o.note FROM visits v LEFT JOIN outcomes o "
            "ON o.date = v.date AND o.unit = v.unit AND o.code = v.code "
            f"WHERE {' AND '.join(where)} ORDER BY v.date, v.unit, v.stop",
            args,
        ).fetchall()
        ids: dict[tuple[str, str, str], list[str]] = {}
        for date, unit, code, cid in self.conn.execute(
            "SELECT date, unit, code, complaint_id FROM outcome_complaints ORDER BY complaint_id"
        ):
            ids.setdefault((date, unit, code), []).append(cid)
        out = []
        for r in rows:
            out.append(
                VisitRecord(
                    date=dt.date.fromisoformat(r[0]),
                    week=r[1],
                    unit=r[2],
                    code=r[3],
                    level=r[4],
                    province_code=r[5],
                    district_code=r[6],
                    name_th=r[7],
                    name_en=r[8],
                    arrive=r[9],
                    depart=r[10],
                    priority=r[11],
                    open_complaints=r[12],
                    plan_id=r[13],
                    visited=None if r[14] is None else bool(r[14]),
                    resolved=r[15] or 0,
                    escalated=r[16] or 0,
                    resolved_ids=tuple(ids.get((r[0], r[2], r[3]), ())),
                    note=r[17] or "",
                )
            )
        return out

    def active_plan(self, week: str) -> int | None:
        """The one recorded plan whose visits are the active ones of ``week`` (what a replan
        of that week replaces); None when there is none or more than one."""
        active = {v.plan_id for v in self.visits(weeks=[week])}
        return min(active) if len(active) == 1 else None

    def plans(self, *, week: str | None = None) -> list[PlanRecord]:
        if self.conn is None:
            return []
        where, args = ("WHERE p.week = ?", (week,)) if week else ("", ())
        rows = self.conn.execute(
            "SELECT p.id, p.week, p.level, p.provinces, p.created, p.recorded, p.source, "
            "p.replan_of, count(v.id), sum(v.superseded_by IS NULL), "
            "group_concat(DISTINCT v.superseded_by) FROM plans p "
            f"LEFT JOIN visits v ON v.plan_id = p.id {where} GROUP BY p.id ORDER BY p.id",
            args,
        ).fetchall()
        return [
            PlanRecord(
                id=r[0],
                week=r[1],
                level=r[2],
                provinces=tuple(r[3].split()),
                created=r[4],
                recorded=r[5],
                source=r[6],
                replan_of=r[7],
                visits=r[8],
                active_visits=r[9] or 0,
                superseded_by=tuple(sorted(int(x) for x in (r[10] or "").split(",") if x)),
            )
            for r in rows
        ]

    def plan_json(self, plan_id: int) -> str:
        assert self.conn is not None
        row = self.conn.execute("SELECT plan_json FROM plans WHERE id = ?", (plan_id,)).fetchone()
        return row[0]

    def weeks(self) -> list[str]:
        if self.conn is None:
            return []
        return [r[0] for r in self.conn.execute("SELECT DISTINCT week FROM plans ORDER BY week")]

    def snapshot(self, *, before: dt.date) -> HistorySnapshot:
        """Everything a plan of the week starting ``before`` reads from the history."""
        if self.conn is None:
            return HistorySnapshot.empty(str(self.path))
        first: dict[str, dt.date] = {}
        weeks = set()
        for monday, provinces, week in self.conn.execute(
            "SELECT week_monday, provinces, week FROM plans"
        ):
            day = dt.date.fromisoformat(monday)
            if day >= before:
                continue
            weeks.add(week)
            for p in provinces.split():
                first[p] = min(first.get(p, day), day)
        return HistorySnapshot(
            source=str(self.path),
            visits=tuple(self.visits(before=before)),
            first_monday=first,
            weeks=tuple(sorted(weeks)),
        )


class _Transaction:
    """``with history._write() as conn:`` one BEGIN IMMEDIATE ... COMMIT, or ROLLBACK."""

    def __init__(self, history: History) -> None:
        self.history = history

    def __enter__(self) -> sqlite3.Connection:
        if self.history.conn is None:
            self.history.conn = _connect(self.history.path, create=True)
        self.conn = self.history.conn
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"{self.history.path}: cannot write ({exc})") from None
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.conn.execute("ROLLBACK")
            return
        _test_pause()
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.conn.execute("ROLLBACK")
            raise HistoryError(f"{self.history.path}: cannot write ({exc})") from None


def _test_pause() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        print("caravan: paused inside the write transaction", file=sys.stderr, flush=True)
        time.sleep(float(seconds))


def _connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open (and create or migrate) the database; refuse a foreign or newer one untouched."""
    if not path.exists():
        if not create:
            raise FileNotFoundError(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(
                f"{path}: cannot create the history database ({exc.strerror})"
            ) from None
    elif path.is_dir():
        raise HistoryError(f"{path}: is a folder, not a history database")
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: cannot open the history database ({exc})") from None
    try:
        version = _refuse_if_foreign_or_newer(conn, path)
        if version < SCHEMA_VERSION:
            _migrate(conn, path)
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError):
            raise HistoryError(f"{path}: cannot open the history database ({exc})") from None
        raise damaged(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


def damaged(path: Path, exc: sqlite3.DatabaseError) -> HistoryError:
    """A database whose pages are damaged (a disk fault, a copy cut short): one line that
    says what to do, naming SQLite's words (the file is not changed)."""
    return HistoryError(
        f"{path}: the history database is damaged ({exc}); restore it from a backup"
    )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise HistoryError(f"{path}: cannot migrate the history database ({exc})") from None
    try:
        version = _refuse_if_foreign_or_newer(conn, path)  # another process may have migrated
        if version == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        for target, sql in MIGRATIONS:
            if target > version:
                for statement in sql.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def open_history(path: str | Path | None = None, *, create: bool = False) -> History:
    """Open the history at ``path`` (default :func:`default_db_path`).

    With ``create=False`` a missing file is an empty history and nothing is created; an
    existing one is checked (a newer schema is refused) and migrated if older.
    """
    p = Path(path) if path is not None else default_db_path()
    if not p.exists() and not create:
        if p.is_dir():
            raise HistoryError(f"{p}: is a folder, not a history database")
        return History(p, None)
    return History(p, _connect(p, create=create))


__all__ = [
    "SCHEMA_VERSION",
    "History",
    "HistoryError",
    "HistorySnapshot",
    "OutcomeRow",
    "VisitRecord",
    "default_db_path",
    "open_history",
]
