"""The fast path of a plain complaint CSV: pyarrow's multi-threaded CSV reader.

A file is read this way when it is UTF-8 (with or without a BOM), comma-separated, with its
header on line 1, and every record is well formed: quotes only around whole cells (``""``
inside them), the same number of cells in every row, no carriage return but before a line
feed and none inside quotes, no record over ``MAX_RECORD_LINES`` lines or holding whole rows
in a quoted cell (a stray quote), no blank record, at most ``MAX_BYTES``
(the file is read into memory at once). Anything else (other encodings or
separators, title rows, a workbook, JSON, a short row, ...) makes :func:`read_plain` return
None and the standard reader (:mod:`caravan.complaints.source`) reads the file, with its
messages for what is wrong. Both readers give the same cells: ``tests/test_columnar.py``
reads every kind of row both ways.

Line numbers stay the file's own: the bytes are scanned for line feeds and quotes, and a line
feed ends a record when an even number of quotes comes before it (a quoted line break is part
of its cell); the first line of a record is the number of line feeds before it, plus one.

Only the recognised columns are kept (see :class:`caravan.complaints.columns.ColumnMap`); the
other cells (free text, photos) are never turned into Python strings.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from caravan.complaints.source import MAX_FIELD_CHARS, MAX_RECORD_LINES, Table, swallows_rows

_CHUNK = 1 << 26  # bytes scanned at a time
#: a larger file is read row by row (the fast path holds the whole file in memory)
MAX_BYTES = 1 << 31
_LF, _CR, _QUOTE, _COMMA = 10, 13, 34, 44
#: a cell that may be blank to Python's str.strip() (a superset of its white space)
_BLANKISH = (
    r"^[\s\x{0b}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}]*$"
)


@dataclass
class Columns:
    """The recognised columns of a plain CSV, one value per data record."""

    rows: int
    #: the first line of each record in the file (int64)
    line: np.ndarray
    #: column index in the file -> its cells (a pyarrow string array)
    cells: dict[int, Any]
    #: the cells of a column the file does not have (made when first asked for)
    empty: Any = None

    def column(self, index: int | None) -> Any:
        """The cells of a column; all empty for a column the file does not have."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if index is None or index not in self.cells:
            if self.empty is None:
                self.empty = pc.fill_null(pa.nulls(self.rows, pa.string()), "")
            return self.empty
        return self.cells[index]


def read_plain(table: Table, wanted: Sequence[int]) -> Columns | None:
    """The ``wanted`` columns of a CSV opened by :func:`caravan.complaints.source.open_table`,
    or None when the file is not plain (module docstring)."""
    if (
        table.kind != "csv"
        or table.encoding not in ("utf-8", "utf-8-sig")
        or table.delimiter != ","
        or table.header_line != 1
    ):
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(table.source)
    if not 0 < path.stat().st_size <= MAX_BYTES:
        return None
    raw = path.read_bytes()
    data = np.frombuffer(raw, dtype=np.uint8)
    if not _valid_utf8(data):
        return None
    bounds = _records(raw, data, len(table.header))
    if bounds is None:
        return None
    starts, ends, lines = bounds
    width = len(table.header)
    names = [f"c{i}" for i in range(width)]
    keep = sorted({i for i in wanted if 0 <= i < width})
    try:
        read = pacsv.read_csv(
            pa.BufferReader(raw),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=[names[i] for i in keep],
                column_types={names[i]: pa.string() for i in keep},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError):
        return None
    if not keep or read.num_rows != len(lines) or _has_blank_record(read, raw, starts, ends):
        return None
    cells = {i: read.column(names[i]).combine_chunks() for i in keep}
    return Columns(rows=read.num_rows, line=lines, cells=cells)


def _valid_utf8(data: np.ndarray) -> bool:
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _positions(data: np.ndarray, byte: int) -> np.ndarray:
    parts = [
        np.flatnonzero(data[at : at + _CHUNK] == byte) + at for at in range(0, len(data), _CHUNK)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _records(raw: bytes, data: np.ndarray, width: int) -> tuple[np.ndarray, ...] | None:
    """(start, end) byte offsets and first line of every data record that is not empty, or
    None when a quote, a carriage return or a record is not plain (module docstring)."""
    size = len(data)
    quotes = _positions(data, _QUOTE)
    if not _quotes_plain(data, quotes):
        return None
    feeds = _positions(data, _LF)
    returns = _positions(data, _CR) if b"\r" in raw else np.zeros(0, dtype=np.int64)
    if len(returns) and (
        returns[-1] + 1 >= size
        or (data[returns + 1] != _LF).any()
        or (np.searchsorted(quotes, returns) % 2).any()
    ):
        return None
    ends_at = np.flatnonzero(np.searchsorted(quotes, feeds) % 2 == 0)  # indices into feeds
    ends = feeds[ends_at]
    if len(ends) == 0 or ends_at[0] != 0:  # the header is one line
        return None
    if ends[-1] != size - 1:  # a last line without a line feed
        ends = np.append(ends, size)
        ends_at = np.append(ends_at, len(feeds))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lines = np.concatenate(([0], ends_at[:-1] + 1)) + 1
    spans = np.diff(np.concatenate(([-1], ends_at)))  # lines per record
    if (spans > MAX_RECORD_LINES).any() or ((ends - starts) >= MAX_FIELD_CHARS).any():
        return None
    length = ends - starts
    empty = (length == 0) | ((length == 1) & (data[np.minimum(starts, size - 1)] == _CR))
    if _holds_rows(raw, starts[1:][spans[1:] > 1], ends[1:][spans[1:] > 1], width):
        return None
    data_rows = ~empty
    data_rows[0] = False  # the header
    return starts[data_rows], ends[data_rows], lines[data_rows]


def _quotes_plain(data: np.ndarray, quotes: np.ndarray) -> bool:
    """True when every quote opens a cell, closes it, or is doubled inside it."""
    if len(quotes) % 2:
        return False
    if not len(quotes):
        return True
    size = len(data)
    opens, closes = quotes[0::2], quotes[1::2]
    start = 3 if bytes(data[:3]) == codecs.BOM_UTF8 else 0
    before = data[np.maximum(opens - 1, 0)]
    after_close = np.concatenate(([-9], closes[:-1] + 1))
    open_ok = (opens == start) | (before == _COMMA) | (before == _LF) | (opens == after_close)
    after = data[np.minimum(closes + 1, size - 1)]
    next_open = np.concatenate((opens[1:] - 1, [-9]))
    close_ok = (
        (closes == size - 1)
        | (after == _COMMA)
        | (after == _LF)
        | (after == _CR)
        | (closes == next_open)
    )
    return bool(open_ok.all() and close_ok.all())


def _decoded(raw: bytes, starts: np.ndarray, ends: np.ndarray) -> list[list[str]]:
    """The cells of the given records, read by Python's csv module as the standard reader
    does (the few records that need a closer look)."""
    view = memoryview(raw)
    text = b"\n".join(view[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True))
    return list(csv.reader(io.StringIO(text.decode("utf-8"), newline="")))


def _holds_rows(raw: bytes, starts: np.ndarray, ends: np.ndarray, width: int) -> bool:
    """True when a record over several lines holds whole rows in a cell: the standard
    reader's check of a stray quote (:func:`caravan.complaints.source.swallows_rows`). Only
    records with at least ``width - 1`` commas inside quotes can, and only those are decoded."""
    if width <= 2 or not len(starts):
        return False
    count = raw.count
    pairs = zip(starts.tolist(), ends.tolist(), strict=True)
    commas = np.array([count(b",", s, e) for s, e in pairs], dtype=np.int64)
    suspect = commas - (width - 1) >= width - 1
    if not suspect.any():
        return False
    records = _decoded(raw, starts[suspect], ends[suspect])
    return any(swallows_rows(record, ",", width) for record in records)


def _has_blank_record(read, raw: bytes, starts: np.ndarray, ends: np.ndarray) -> bool:
    """True when a record has only blank cells (the standard reader skips it, so the file is
    left to that reader). Only records whose recognised cells may all be blank are decoded."""
    import pyarrow.compute as pc

    maybe = None
    for column in read.columns:
        hit = pc.match_substring_regex(column, _BLANKISH)
        maybe = hit if maybe is None else pc.and_(maybe, hit)
        if not pc.any(maybe).as_py():
            return False
    rows = np.flatnonzero(maybe.combine_chunks().to_numpy(zero_copy_only=False))
    return any(not "".join(rec).strip() for rec in _decoded(raw, starts[rows], ends[rows]))
