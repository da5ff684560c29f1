"""Which column holds which field: Thai and English headers, ``--column``, ``--columns``.

The fields caravan reads (everything else in a file is ignored and never copied)::

    id, received, province, district, tambon, lat, lon, coordinates, category, status, urgency

``province``, ``district`` and ``tambon`` hold a DOPA code or a name (``province_code``,
``district_code`` and ``tambon_code`` are other names for them). ``coordinates`` is one
column holding both numbers (``15.79, 104.14``); the order is told by the values, since in
Thailand a latitude is below 21 and a longitude above 97.

Headers are compared without case, spaces, dots, hyphens, underscores or brackets. When
two columns of a file match the same field, the one whose header comes first in
:data:`HEADERS` wins (codes before names); ``--column`` decides otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from caravan.complaints.privacy import is_personal_header
from caravan.errors import InputError, ParameterError
from caravan.text import read_toml, squash

FIELDS = (
    "id",
    "received",
    "province",
    "district",
    "tambon",
    "lat",
    "lon",
    "coordinates",
    "category",
    "status",
    "urgency",
)
FIELD_ALIASES = {
    "province_code": "province",
    "district_code": "district",
    "tambon_code": "tambon",
    "subdistrict": "tambon",
    "latitude": "lat",
    "longitude": "lon",
}
REQUIRED = ("id", "received", "category", "status")

#: recognised headers per field, best first
HEADERS: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "complaint_id",
        "complaint id",
        "complaint no",
        "ticket_id",
        "ticket id",
        "ticket",
        "case_id",
        "case id",
        "case no",
        "เลขที่เรื่อง",
        "รหัสเรื่อง",
        "เลขเรื่อง",
        "เลขที่รับเรื่อง",
        "เลขรับเรื่อง",
        "เลขที่รับ",
        "เลขรับ",
        "เลขที่คำร้อง",
        "รหัสคำร้อง",
        "เลขที่ร้องเรียน",
        "รหัสเรื่องร้องเรียน",
        "เลขที่เรื่องร้องเรียน",
    ),
    "received": (
        "received",
        "date_received",
        "received_date",
        "received date",
        "receive_date",
        "date received",
        "date",
        "created",
        "created_at",
        "timestamp",
        "วันที่รับเรื่อง",
        "วันรับเรื่อง",
        "วันที่รับ",
        "วันเวลาที่รับเรื่อง",
        "วันที่ร้องเรียน",
        "วันที่แจ้ง",
        "วันที่แจ้งเรื่อง",
        "วันที่บันทึก",
        "วันที่",
        "วันเดือนปี",
    ),
    "province": (
        "province_code",
        "province",
        "changwat",
        "รหัสจังหวัด",
        "จังหวัด",
        "ชื่อจังหวัด",
    ),
    "district": (
        "district_code",
        "district",
        "amphoe",
        "amphur",
        "district name",
        "รหัสอำเภอ",
        "อำเภอ",
        "ชื่ออำเภอ",
        "อำเภอ/เขต",
        "เขต/อำเภอ",
    ),
    "tambon": (
        "tambon_code",
        "subdistrict_code",
        "tambon",
        "subdistrict",
        "sub_district",
        "tambon name",
        "subdistrict name",
        "รหัสตำบล",
        "ตำบล",
        "ชื่อตำบล",
        "ตำบล/แขวง",
        "แขวง/ตำบล",
    ),
    "lat": ("lat", "latitude", "ละติจูด", "ลติจูด", "ละติจุด", "พิกัดละติจูด"),
    "lon": ("lon", "lng", "long", "longitude", "ลองจิจูด", "ลองติจูด", "ลองจิจุด", "พิกัดลองจิจูด"),
    "coordinates": (
        "coordinates",
        "coords",
        "latlon",
        "latlng",
        "lat,lon",
        "lat/lon",
        "gps",
        "พิกัด",
    ),
    "category": (
        "category",
        "category_code",
        "type",
        "complaint_type",
        "complaint type",
        "ประเภทเรื่อง",
        "ประเภท",
        "ประเภทเรื่องร้องเรียน",
        "ประเภทเรื่องร้องทุกข์",
        "ประเภทปัญหา",
        "หมวดหมู่",
        "หมวด",
        "หมวดเรื่อง",
    ),
    "status": (
        "status",
        "state",
        "สถานะ",
        "สถานะเรื่อง",
        "สถานะการดำเนินการ",
        "ผลการดำเนินการ",
    ),
    "urgency": (
        "urgency",
        "priority",
        "severity",
        "ความเร่งด่วน",
        "ระดับความเร่งด่วน",
        "ความสำคัญ",
        "ระดับความสำคัญ",
    ),
}
_RANK: dict[str, tuple[str, int]] = {}
for _field, _names in HEADERS.items():
    for _rank, _name in enumerate(_names):
        _RANK.setdefault(squash(_name), (_field, _rank))


def field_name(name: str) -> str | None:
    """The field a ``--column`` name means (``district_code`` is ``district``)."""
    key = name.strip().lower()
    key = FIELD_ALIASES.get(key, key)
    return key if key in FIELDS else None


class Preferred(tuple):
    """Headers a profile names for a field: used when the file has one of them, skipped
    silently when it has none (a ``--column`` choice that the file lacks is an error)."""

    __slots__ = ()


@dataclass(frozen=True)
class ColumnMap:
    """Column index and original header of every recognised field."""

    index: Mapping[str, int]
    headers: Mapping[str, str]
    notes: tuple[str, ...] = ()

    def has(self, name: str) -> bool:
        return name in self.index

    def missing_required(self) -> str | None:
        for name in REQUIRED:
            if name not in self.index:
                return name
        return None

    def has_location(self) -> bool:
        return bool(
            {"district", "tambon", "coordinates"} & set(self.index)
            or {"lat", "lon"} <= set(self.index)
        )

    def recognised(self) -> list[tuple[str, int, str]]:
        """(field, column index, original header) in the order of the file's columns."""
        return sorted(((f, i, self.headers[f]) for f, i in self.index.items()), key=lambda x: x[1])


def match_columns(
    header: Sequence[str], chosen: Mapping[str, str | Sequence[str]] | None = None
) -> ColumnMap:
    """Recognise the fields in a header row. ``chosen`` maps a field to the header (or
    headers, first present wins) that holds it and overrides the recognition. Raises
    :class:`LookupError` with a message when a chosen header is not in the row."""
    keys = [squash(h) for h in header]
    index: dict[str, int] = {}
    notes: list[str] = []
    taken: set[int] = set()
    for name, wanted in (chosen or {}).items():
        options = [wanted] if isinstance(wanted, str) else list(wanted)
        hit = next(
            (keys.index(squash(w)) for w in options if squash(w) and squash(w) in keys), None
        )
        if hit is None:
            if isinstance(wanted, Preferred):
                continue
            raise LookupError(f"{name}={' or '.join(options)}")
        index[name] = hit
        taken.add(hit)
    found: dict[str, list[tuple[int, int]]] = {}
    for i, key in enumerate(keys):
        if i not in taken and key in _RANK and _RANK[key][0] not in index:
            name, rank = _RANK[key]
            found.setdefault(name, []).append((rank, i))
    for name, hits in found.items():
        hits.sort()
        index[name] = hits[0][1]
        for _, other in hits[1:]:
            notes.append(
                f"columns '{header[hits[0][1]].strip()}' and '{header[other].strip()}' both "
                f"look like {name}; using '{header[hits[0][1]].strip()}' "
                f"(--column {name}=HEADER chooses)"
            )
    return ColumnMap(
        index=index,
        headers={name: header[i].strip() for name, i in index.items()},
        notes=tuple(notes),
    )


def header_score(header: Sequence[str], chosen: Mapping[str, object] | None = None) -> int:
    """How many fields a row would give as a header (to find the header under title rows)."""
    keys = {squash(h) for h in header}
    found = {_RANK[k][0] for k in keys if k in _RANK}
    for name, wanted in (chosen or {}).items():
        options = [wanted] if isinstance(wanted, str) else list(wanted)  # type: ignore[arg-type]
        if any(squash(w) in keys for w in options):
            found.add(name)
    return len(found)


def parse_column_options(options: Iterable[str]) -> dict[str, str]:
    """``FIELD=HEADER`` strings (``--column``) to a mapping; raises ParameterError."""
    out: dict[str, str] = {}
    for text in options:
        name, sep, header = text.partition("=")
        if not sep or not header.strip():
            raise ParameterError(
                f"'{text}' is not FIELD=HEADER (for example id=เลขที่เรื่อง)", param="--column"
            )
        field = field_name(name)
        if field is None:
            raise ParameterError(
                f"unknown field '{name.strip()}' (fields: {', '.join(FIELDS)})", param="--column"
            )
        _check_not_personal(field, header.strip(), param="--column")
        out[field] = header.strip()
    return out


def _check_not_personal(field: str, header: str, *, param: str = "", source: str = "") -> None:
    if is_personal_header(header):
        msg = f"column '{header}' holds personal data; caravan never reads it (not even as {field})"
        if source:
            raise InputError(msg, source=source, field=field)
        raise ParameterError(msg, param=param)


def read_columns_file(path: str | Path) -> dict[str, str | list[str]]:
    """A TOML file mapping fields to headers, at the top level or under ``[columns]``::

    [columns]
    id = "เลขรับ"
    received = ["วันที่รับ", "วันที่"]   # the first that the file has
    """
    src = str(path)
    data = read_toml(path)
    return columns_table(data.get("columns", data), src)


def columns_table(table: object, src: str, prefix: str = "") -> dict[str, str | list[str]]:
    """``{field: header or [headers]}`` from a TOML table (a ``--columns`` file or a
    profile's ``[columns]``), every field and header checked."""
    if not isinstance(table, dict):
        raise InputError('[columns] must be a table of FIELD = "HEADER"', source=src)
    out: dict[str, str | list[str]] = {}
    for name, value in table.items():
        field = field_name(name)
        if field is None:
            raise InputError(
                f"unknown field (fields: {', '.join(FIELDS)})", source=src, field=prefix + name
            )
        values = [value] if isinstance(value, str) else value
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v.strip() for v in values)
        ):
            raise InputError(
                "must be a header name or a list of header names", source=src, field=prefix + name
            )
        for v in values:
            _check_not_personal(field, v, source=src)
        out[field] = values[0] if len(values) == 1 else list(values)
    return out
