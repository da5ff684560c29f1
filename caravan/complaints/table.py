"""Accepted complaints stored by column: a million rows without a million objects.

:class:`ComplaintTable` is a read-only ``Sequence[Complaint]``: ``len``, indexing and
iteration work as on a tuple of :class:`~caravan.types.Complaint` (each one is built when
asked for). Underneath, every field is one numpy array (dates as day numbers; places,
categories, statuses and urgencies as small integers into lookup tuples) plus the list of
ids, so that :func:`caravan.plan.priority.score_sites` can score it with a few array operations
and ``accepted.csv`` can be written without building the objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import numpy as np

from caravan.types import STATUSES, Complaint

URGENCIES = ("low", "normal", "high", "critical")
Place = tuple[str, str, str]  # (province, district, tambon); tambon "" for a district only


def _frozen(values, dtype) -> np.ndarray:
    arr = np.asarray(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


class ComplaintTable(Sequence[Complaint]):
    """Accepted complaints in the order of the file (see the module docstring)."""

    __slots__ = (
        "_categories",
        "_category",
        "_day",
        "_ids",
        "_line",
        "_place",
        "_places",
        "_status",
        "_urgencies",
        "_urgency",
    )

    def __init__(
        self,
        *,
        ids: Sequence[str],
        line: Iterable[int] | np.ndarray,
        day: Iterable[int] | np.ndarray,  # proleptic Gregorian ordinal (date.toordinal())
        place: Iterable[int] | np.ndarray,
        places: Sequence[Place],
        category: Iterable[int] | np.ndarray,
        categories: Sequence[str],
        status: Iterable[int] | np.ndarray,  # index into STATUSES
        urgency: Iterable[int] | np.ndarray,  # index into urgencies
        urgencies: Sequence[str] = URGENCIES,
    ) -> None:
        self._ids = ids if isinstance(ids, tuple | list) else list(ids)
        self._line = _frozen(line, np.int64)
        self._day = _frozen(day, np.int32)
        self._place = _frozen(place, np.int32)
        self._places = tuple(places)
        self._category = _frozen(category, np.int32)
        self._categories = tuple(categories)
        self._status = _frozen(status, np.int8)
        self._urgency = _frozen(urgency, np.int16)
        self._urgencies = tuple(urgencies)
        n = len(self._ids)
        for arr in (self._line, self._day, self._place, self._category, self._status):
            if len(arr) != n:
                raise ValueError("every column of a ComplaintTable needs one value per row")

    # ------------------------------------------------------------------ Sequence
    def __len__(self) -> int:
        return len(self._ids)

    def _make(self, i: int) -> Complaint:
        prov, dist, tam = self._places[self._place[i]]
        return Complaint(
            self._ids[i],
            dt.date.fromordinal(int(self._day[i])),
            prov,
            dist,
            tam,
            self._categories[self._category[i]],
            STATUSES[self._status[i]],
            self._urgencies[self._urgency[i]],
            int(self._line[i]),
        )

    @overload
    def __getitem__(self, i: int) -> Complaint: ...
    @overload
    def __getitem__(self, i: slice) -> ComplaintTable: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.take(np.arange(len(self))[i])
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("complaint index out of range")
        return self._make(i)

    def __iter__(self) -> Iterator[Complaint]:
        for i in range(len(self)):
            yield self._make(i)

    def __repr__(self) -> str:
        return f"<ComplaintTable of {len(self)} complaints>"

    # ------------------------------------------------------------------ columns
    @property
    def ids(self) -> Sequence[str]:
        return self._ids

    def take(self, rows: np.ndarray) -> ComplaintTable:
        """The rows at the given positions (or where a boolean mask is true)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        return ComplaintTable(
            ids=[self._ids[i] for i in rows.tolist()],
            line=self._line[rows],
            day=self._day[rows],
            place=self._place[rows],
            places=self._places,
            category=self._category[rows],
            categories=self._categories,
            status=self._status[rows],
            urgency=self._urgency[rows],
            urgencies=self._urgencies,
        )

    def in_provinces(self, provinces: Iterable[str]) -> ComplaintTable:
        wanted = set(provinces)
        ok = np.array([p[0] in wanted for p in self._places], dtype=bool)
        if ok.all():
            return self
        return self.take(ok[self._place] if len(self._places) else np.zeros(0, dtype=bool))

    def open_count(self) -> int:
        """Complaints that are not resolved (open or in progress)."""
        return int(np.count_nonzero(self._status != STATUSES.index("resolved")))

    def columns(self) -> dict[str, object]:
        """The raw columns: ``day`` (ordinals), ``place`` with ``places``, ``category``
        with ``categories``, ``status`` (index into STATUSES), ``urgency`` with
        ``urgencies``, ``line``, ``ids``. Arrays are read-only."""
        return {
            "ids": self._ids,
            "line": self._line,
            "day": self._day,
            "place": self._place,
            "places": self._places,
            "category": self._category,
            "categories": self._categories,
            "status": self._status,
            "urgency": self._urgency,
            "urgencies": self._urgencies,
        }

    def records(self) -> Iterator[tuple[str, str, str, str, str, str, str, str]]:
        """(id, received ISO, province, district, tambon, category, status, urgency) per row,
        without building Complaint objects (for writing ``accepted.csv``)."""
        iso = {}
        for cid, day, place, cat, st, urg in zip(
            self._ids,
            self._day.tolist(),
            self._place.tolist(),
            self._category.tolist(),
            self._status.tolist(),
            self._urgency.tolist(),
            strict=True,
        ):
            text = iso.get(day)
            if text is None:
                text = iso[day] = dt.date.fromordinal(day).isoformat()
            yield (
                cid,
                text,
                *self._places[place],
                self._categories[cat],
                STATUSES[st],
                self._urgencies[urg],
            )

    @classmethod
    def of(cls, complaints: Iterable[Complaint]) -> ComplaintTable:
        """A table of any iterable of Complaint (a ComplaintTable is returned as it is)."""
        if isinstance(complaints, ComplaintTable):
            return complaints
        places: dict[Place, int] = {}
        cats: dict[str, int] = {}
        urgs: dict[str, int] = {u: i for i, u in enumerate(URGENCIES)}
        ids, line, day, place, category, status, urgency = [], [], [], [], [], [], []
        for c in complaints:
            ids.append(c.id)
            line.append(c.line)
            day.append(c.received.toordinal())
            key = (c.province_code, c.district_code, c.tambon_code)
            place.append(places.setdefault(key, len(places)))
            category.append(cats.setdefault(c.category, len(cats)))
            status.append(STATUSES.index(c.status))
            urgency.append(urgs.setdefault(c.urgency, len(urgs)))
        return cls(
            ids=ids,
            line=line,
            day=day,
            place=place,
            places=list(places),
            category=category,
            categories=list(cats),
            status=status,
            urgency=urgency,
            urgencies=list(urgs),
        )
