"""A platform's JSON or GeoJSON answer saved to a file, read as a table of complaints.

Read are (the file's content decides, not its name):

* an API answer whose ``results`` is a list of records (Traffy Fondue's ``get-issues``:
  ``{"status": "success", "count": 2, "results": [{"ticket_id": ...}, ...]}``), or one
  record (``get-issue``);
* a bare list of records;
* a GeoJSON ``FeatureCollection``: each feature's ``properties`` are a record, and a
  ``Point`` geometry gives its ``longitude`` and ``latitude`` (GeoJSON's order is lon, lat).

The header is every key of the records, in the order first seen; then the columns are
recognised as in a CSV (:mod:`caravan.complaints.columns`), so that personal fields
(``description``, ``address``, ``photo``) are never read. A cell is the value as text: a
number as written, ``true``/``false``, nothing for ``null``, and a list of texts in the
``{a,b}`` form of a list of labels. Line numbers are the numbers of the records in the
answer (1 = the first). An answer that reports an error (``"status": "fail"``) is one error
naming the platform's message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from caravan.complaints.columns import match_columns
from caravan.complaints.fetch import server_words
from caravan.complaints.privacy import is_personal_header
from caravan.complaints.source import Table
from caravan.errors import InputError

HEAD_BYTES = 4096
#: how a JSON document of records begins: an object, or a list of objects, lists or texts
_JSON_START = re.compile(rb'\s*(?:\{\s*["}]|\[\s*[{\["\]])')


class JsonTable(Table):
    """A :class:`~caravan.complaints.source.Table` of JSON records."""

    def describe(self) -> str:
        return f"{self.encoding}, line numbers are record numbers"


def open_json_table(path: Path, chosen: Mapping | None = None) -> JsonTable | None:
    """The records of a JSON or GeoJSON file as a table, or None when the file is not
    JSON (then it is read as CSV or Excel; a file that cannot be opened is left to that
    reader's errors too)."""
    src = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None
    if not _JSON_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return None  # a CSV, even one whose first cell is "[title]"
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if Path(path).suffix.lower() in (".json", ".geojson"):
            raise InputError(f"not valid JSON ({server_words(str(exc))})", source=src) from None
        return None  # a CSV whose first cell starts with a bracket
    records, what = _records(data, src)
    header = list(dict.fromkeys(k for r in records if isinstance(r, dict) for k in r))
    try:
        columns = match_columns(header, chosen)
    except LookupError as exc:
        raise InputError(f"no field {exc.args[0]} in the records", source=src) from None
    return JsonTable(
        source=src,
        kind="json",
        columns=columns,
        header=header,
        header_line=1,
        rows=_rows(records, header),
        encoding=what,
    )


def _records(data: object, src: str) -> tuple[list, str]:
    """The list of records in an answer, and what kind of answer it was."""
    if isinstance(data, list):
        return data, "JSON list of records"
    if not isinstance(data, dict):
        raise InputError("no complaint records in this JSON", source=src)
    if data.get("type") == "FeatureCollection" or "features" in data:
        features = data.get("features")
        if not isinstance(features, list):
            raise InputError("GeoJSON without a list of features", source=src)
        return [_feature_record(f) for f in features], "GeoJSON features"
    status = data.get("status")
    if isinstance(status, str) and status.lower() in ("fail", "failed", "error"):
        message = server_words(str(data.get("message") or "no message"))
        raise InputError(f"an error answer of the platform, not complaints: {message}", source=src)
    results = data.get("results")
    if isinstance(results, dict):
        return [results], "JSON answer (one record)"
    if not isinstance(results, list):
        raise InputError(
            "no complaint records in this JSON (expected a 'results' list, a list of records "
            "or GeoJSON features)",
            source=src,
        )
    return results, "JSON answer"


def _feature_record(feature: object) -> object:
    if not isinstance(feature, dict):
        return feature
    props = feature.get("properties")
    record = dict(props) if isinstance(props, dict) else {}
    geometry = feature.get("geometry")
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        xy = geometry.get("coordinates")
        if isinstance(xy, list) and len(xy) >= 2 and "longitude" not in record:
            record["longitude"], record["latitude"] = xy[0], xy[1]
    return record


def _rows(records: list, header: list[str]) -> Iterator[tuple[int, list[str]]]:
    """The records as rows of text cells; the fields that hold personal data (description,
    address, photos) are left empty, never turned into text."""
    keys = [None if is_personal_header(k) else k for k in header]
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            yield number, [""] * len(header)  # no fields: rejected for its missing id
            continue
        yield number, [cell_text(record.get(k)) if k else "" for k in keys]


def cell_text(value: object) -> str:
    """A JSON value as a table cell (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "{" + ",".join(value) + "}"
    return json.dumps(value, ensure_ascii=False)
