"""Read complaint files. Every row is either accepted or rejected with its line and reason.

The CSV schema (UTF-8, with or without BOM; the header is line 1)::

    id            required  the complaint's id in the source system (kept only to report rows)
    received      required  date received, ISO YYYY-MM-DD (a time after it is ignored)
    province_code optional  2-digit DOPA code; checked against the district when given
    district_code one of    4-digit DOPA code of the district (a "TH" prefix is accepted)
    tambon_code   these     6-digit DOPA code of the tambon
    lat, lon      three     WGS84 coordinates, placed in a tambon by point-in-polygon
    category      required  a category code (see README); unknown codes get the default weight
    status        required  open | in_progress | resolved
    urgency       optional  low | normal | high | critical (default normal)

Other columns are ignored and never copied into any output (they may hold personal data).
When an ``id`` repeats, the **first** row wins and each later one is rejected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from caravan.errors import InputError
from caravan.geography import Geography, load_geography
from caravan.types import PROVINCES, STATUSES, Complaint, Reject

REQUIRED = ("id", "received", "category", "status")
URGENCIES = ("low", "normal", "high", "critical")
STATUS_ALIASES = {
    "open": "open",
    "new": "open",
    "in_progress": "in_progress",
    "in progress": "in_progress",
    "in-progress": "in_progress",
    "resolved": "resolved",
    "closed": "resolved",
    "done": "resolved",
}


@dataclass(frozen=True)
class ComplaintFile:
    """The result of reading a file: rows read = accepted + rejected, always."""

    source: str
    rows: int
    accepted: tuple[Complaint, ...]
    rejects: tuple[Reject, ...]
    notes: tuple[str, ...] = field(default=())

    def reject_counts(self) -> Counter[str]:
        return Counter(r.reason.split(":")[0] for r in self.rejects)


class _Placer:
    """Place a row in a district and tambon from its codes or coordinates."""

    def __init__(self, geography: Geography) -> None:
        self.geo = geography
        self._tree = None
        self._tambon_codes: list[str] = []

    def _strip(self, code: str) -> str:
        code = code.strip()
        if code[:2].upper() == "TH":
            code = code[2:]
        return code

    def by_codes(
        self, district: str, tambon: str, province: str
    ) -> tuple[str, str, str] | tuple[None, str, str]:
        """Return (province, district, tambon) or (None, field, reason)."""
        district, tambon, province = (self._strip(x) for x in (district, tambon, province))
        if tambon:
            if not (len(tambon) == 6 and tambon.isdigit()):
                return None, "tambon_code", f"not a 6-digit tambon code: '{tambon}'"
            if tambon[:2] not in PROVINCES:
                return None, "tambon_code", f"outside the three provinces: '{tambon}'"
            site = self.geo.sites.get(tambon)
            if site is None or site.level != "tambon":
                return None, "tambon_code", f"unknown tambon code '{tambon}'"
            if district and district != site.district_code:
                return (None, "district_code", f"tambon {tambon} is not in district '{district}'")
            district = site.district_code
        elif district:
            if not (len(district) == 4 and district.isdigit()):
                return None, "district_code", f"not a 4-digit district code: '{district}'"
            if district[:2] not in PROVINCES:
                return None, "district_code", f"outside the three provinces: '{district}'"
            site = self.geo.sites.get(district)
            if site is None or site.level != "district":
                return None, "district_code", f"unknown district code '{district}'"
        else:
            return None, "district_code", "no location (district_code, tambon_code or lat/lon)"
        if province and province != district[:2]:
            return None, "province_code", f"district {district} is not in province '{province}'"
        return district[:2], district, tambon

    def by_point(self, lon: float, lat: float) -> str | None:
        from shapely import STRtree
        from shapely.geometry import Point, shape

        from caravan.geography import boundaries

        if self._tree is None:
            feats = boundaries("tambon")
            self._tambon_codes = [f["properties"]["code"] for f in feats]
            self._shapes = [shape(f["geometry"]) for f in feats]
            self._tree = STRtree(self._shapes)
        pt = Point(lon, lat)
        hits = sorted(self._tree.query(pt, predicate="covered_by"))
        if hits:
            return self._tambon_codes[hits[0]]
        return None


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()
    for sep in ("T", " "):
        if sep in text:
            text = text.split(sep, 1)[0]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _read_text(path: Path) -> str:
    src = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=src) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", source=src) from None
    if b"\x00" in data[:4096]:
        raise InputError("not a text CSV file (binary content)", source=src)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", source=src, line=line) from None


def parse_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    source: str,
    today: dt.date,
    geography: Geography | None = None,
) -> ComplaintFile:
    """Check and place rows given as (line number, {field: value})."""
    geography = geography or load_geography()
    placer = _Placer(geography)
    accepted: list[Complaint] = []
    rejects: list[Reject] = []
    seen: dict[str, int] = {}
    n = 0
    for line, row in rows:
        n += 1

        def reject(field_name: str, reason: str, line=line, row=row) -> None:
            rejects.append(
                Reject(
                    line=line,
                    field=field_name,
                    reason=reason,
                    source=source,
                    raw=tuple(row.items()),
                )
            )

        values = {
            k: (row.get(k) or "").strip()
            for k in (
                "id",
                "received",
                "province_code",
                "district_code",
                "tambon_code",
                "category",
                "status",
                "urgency",
                "lat",
                "lon",
            )
        }
        missing = next((k for k in REQUIRED if not values[k]), None)
        if missing:
            reject(missing, "empty")
            continue
        cid = values["id"]
        if cid in seen:
            reject("id", f"duplicate id, first seen on line {seen[cid]}")
            continue
        received = _parse_date(values["received"])
        if received is None:
            reject("received", f"not a date (YYYY-MM-DD): '{values['received']}'")
            continue
        if received > today:
            reject("received", f"in the future: {received.isoformat()}")
            continue
        if received.year < 2000:
            reject("received", f"before 2000: {received.isoformat()}")
            continue
        status = STATUS_ALIASES.get(values["status"].lower())
        if status is None:
            reject(
                "status", f"unknown status '{values['status']}' (expected {', '.join(STATUSES)})"
            )
            continue
        urgency = (values["urgency"] or "normal").lower()
        if urgency not in URGENCIES:
            reject(
                "urgency",
                f"unknown urgency '{values['urgency']}' (expected {', '.join(URGENCIES)})",
            )
            continue
        if values["district_code"] or values["tambon_code"]:
            placed = placer.by_codes(
                values["district_code"], values["tambon_code"], values["province_code"]
            )
        elif values["lat"] or values["lon"]:
            try:
                lat, lon = float(values["lat"]), float(values["lon"])
            except ValueError:
                bad = "lat" if not _is_float(values["lat"]) else "lon"
                reject(bad, f"not a number: '{values[bad]}'")
                continue
            tambon = placer.by_point(lon, lat)
            if tambon is None:
                reject("lat", f"point {lat},{lon} (lat,lon) is outside the three provinces")
                continue
            placed = placer.by_codes("", tambon, values["province_code"])
        else:
            placed = (None, "district_code", "no location (district_code, tambon_code or lat/lon)")
        if placed[0] is None:
            reject(placed[1], placed[2])
            continue
        province, district, tambon = placed
        seen[cid] = line
        accepted.append(
            Complaint(
                id=cid,
                received=received,
                province_code=province,
                district_code=district,
                tambon_code=tambon,
                category=values["category"],
                status=status,  # type: ignore[arg-type]
                urgency=urgency,
                line=line,
            )
        )
    return ComplaintFile(source=source, rows=n, accepted=tuple(accepted), rejects=tuple(rejects))


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_complaints(
    path: str | Path, *, today: dt.date | None = None, geography: Geography | None = None
) -> ComplaintFile:
    """Read a complaint CSV (schema in the module docstring)."""
    path = Path(path)
    src = str(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file (no header line)", source=src, line=1) from None
    except csv.Error as exc:
        raise InputError(f"not a readable CSV: {exc}", source=src, line=1) from None
    names = [h.strip().lower() for h in header]
    for col in REQUIRED:
        if col not in names:
            raise InputError(f"missing column '{col}'", source=src, line=1)
    if not ({"district_code", "tambon_code"} & set(names) or {"lat", "lon"} <= set(names)):
        raise InputError(
            "missing location columns (district_code, tambon_code or lat and lon)",
            source=src,
            line=1,
        )
    today = today or dt.date.today()

    def rows():
        line = 1
        try:
            for record in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                yield line, dict(zip(names, record, strict=False))
        except csv.Error as exc:
            raise InputError(f"not a readable CSV: {exc}", source=src, line=line + 1) from None

    return parse_rows(rows(), source=src, today=today, geography=geography)
