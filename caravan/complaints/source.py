"""Open a complaint file: CSV (UTF-8, UTF-8 with BOM, TIS-620/cp874, UTF-16) or Excel .xlsx.

The format is told by the content, not the name: an .xlsx saved as ``export.csv`` is read
as a workbook, and a picture or a PDF given as a CSV is one clear error. The encoding of a
CSV is detected (a BOM; else UTF-8 if the text is valid UTF-8; else TIS-620, the Thai
encoding of older Windows programs) unless ``encoding`` names it. The delimiter (comma,
semicolon, tab or bar) is the one under which the header is recognised.

The header is the first row among the first :data:`HEADER_SEARCH_ROWS` that names the most
fields, so that title rows above it ("รายงานเรื่องร้องเรียน ...") are skipped. Line numbers
are those of the file (the first line is line 1; for a record that spans several lines, its
first line) and, in a workbook, the sheet's row numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from caravan.complaints.columns import ColumnMap, header_score, match_columns
from caravan.errors import InputError, ParameterError
from caravan.text import read_input

HEADER_SEARCH_ROWS = 20
PREFIX_BYTES = 1 << 20
PROGRESS_EVERY = 1 << 14  # rows

Progress = Callable[[int, int], None]  # (done, total), in bytes for CSV, rows for xlsx

_ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "cp874": "TIS-620 (cp874)",
    "utf-16": "UTF-16",
}
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


class WrongGuess(Exception):
    """The detected encoding failed later in the file: read it again as ``encoding``."""

    def __init__(self, encoding: str) -> None:
        super().__init__(encoding)
        self.encoding = encoding


Cell = str | dt.date | dt.datetime


@dataclass
class Table:
    """An opened file: its header and an iterator over (line, cells) of the data rows."""

    source: str
    kind: str  # "csv" or "xlsx"
    columns: ColumnMap
    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[Cell]]]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""

    def describe(self) -> str:
        if self.kind == "xlsx":
            what = f"Excel sheet '{self.sheet}'"
        else:
            what = f"{_ENCODING_LABELS.get(self.encoding, self.encoding)}, "
            what += f"{_DELIMITERS.get(self.delimiter, repr(self.delimiter))}-separated"
        return f"{what}, header on line {self.header_line}"


def open_table(
    path: Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    chosen: Mapping[str, str | list[str]] | None = None,
    progress: Progress | None = None,
) -> Table:
    src = str(path)
    head = read_input(path, PREFIX_BYTES)
    if head.startswith(b"PK\x03\x04"):
        if encoding:
            raise ParameterError(
                "is for CSV files; this file is an Excel workbook", param="--encoding"
            )
        return _open_xlsx(path, sheet=sheet, chosen=chosen, progress=progress)
    if sheet:
        raise ParameterError(f"is for Excel .xlsx files; {src} is not one", param="--sheet")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            "an old Excel .xls (or other Office) file: save it as .xlsx or CSV", source=src
        )
    return _open_csv(path, head, encoding=encoding, chosen=chosen, progress=progress)


def read_header(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    chosen: Mapping[str, str | list[str]] | None = None,
) -> Table:
    """The header of a complaint file and the fields recognised in it, without reading its
    rows (``rows`` is empty): what a column-mapping form offers. Raises like
    :func:`open_table`."""
    table = open_table(Path(path), encoding=encoding, sheet=sheet, chosen=chosen)
    try:
        next(table.rows, None)  # started, so that closing it closes the file
    except (InputError, WrongGuess):
        pass
    finally:
        table.rows.close()
    table.rows = iter(())
    return table


# ---------------------------------------------------------------------------- CSV


def _check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ParameterError(
            f"unknown encoding '{name}' (for example utf-8, cp874, tis-620)", param="--encoding"
        ) from None


def detect_encoding(head: bytes, source: str) -> str:
    """The codec of a CSV from its first bytes (see the module docstring)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:8192] or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise InputError("not a text CSV file (binary content)", source=source)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < PREFIX_BYTES)
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        head.decode("cp874")
        return "cp874"
    except UnicodeDecodeError:
        line = head[: utf8_error.start].count(b"\n") + 1
        raise InputError(
            "not UTF-8 or TIS-620 text (name the encoding with --encoding)",
            source=source,
            line=line,
        ) from None


MAX_RECORD_LINES = 200  # a quoted field running longer than this was never closed
MAX_FIELD_CHARS = 1 << 24


def _records(
    stream: io.TextIOBase, delimiter: str, width: int = 0
) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of every record that is not blank. A record over several lines
    is checked for rows swallowed by an unclosed quote: a line inside one of its cells
    with as many delimiters as a whole row of ``width`` fields (when ``width`` > 2)."""
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)  # long free-text columns are common
    reader = csv.reader(stream, delimiter=delimiter)
    end = 0
    for record in reader:
        start = end + 1
        end = reader.line_num
        if end - start >= MAX_RECORD_LINES:
            # a stray quote swallowed the rows after it: stop rather than lose them
            raise csv.Error(
                f"a quoted field starting on line {start} runs over {end - start + 1} lines "
                '(a stray " in the file?)'
            )
        if end > start and width > 2 and swallows_rows(record, delimiter, width):
            raise csv.Error(
                f'a quoted field starting on line {start} holds whole rows (a stray " in the file?)'
            )
        if record and "".join(record).strip():
            yield start, record


def swallows_rows(record: list[str], delimiter: str, width: int) -> bool:
    """True when a cell of a record over several lines has a line (after its first) with as
    many delimiters as a whole row of ``width`` fields: a stray quote swallowed rows."""
    return any(
        part.count(delimiter) >= width - 1 for cell in record for part in cell.splitlines()[1:]
    )


def _sniff(text: str, chosen) -> tuple[str, int, list[str]]:
    """(delimiter, header line, header) from the start of a CSV: the row and delimiter that
    name the most fields; on a tie the earlier row, then the one with more cells."""
    best: tuple[tuple[int, int, int], str, int, list[str]] | None = None
    for delim in _DELIMITERS:
        try:
            for i, (line, rec) in enumerate(_records(io.StringIO(text, newline=""), delim)):
                if i >= HEADER_SEARCH_ROWS:
                    break
                key = (header_score(rec, chosen), -line, len(rec))
                if best is None or key > best[0]:
                    best = (key, delim, line, rec)
        except csv.Error:
            continue
    if best is None:
        return ",", 1, []
    return best[1], best[2], best[3]


def _open_csv(path: Path, head: bytes, *, encoding, chosen, progress) -> Table:
    src = str(path)
    guessed = encoding is None
    enc = detect_encoding(head, src) if guessed else _check_encoding(encoding)
    if not guessed:
        try:
            codecs.getincrementaldecoder(enc)().decode(head, final=len(head) < PREFIX_BYTES)
        except UnicodeDecodeError as exc:
            label = _ENCODING_LABELS.get(enc, enc)
            raise InputError(
                f"not {label} text (name the encoding with --encoding)",
                source=src,
                line=head[: exc.start].count(b"\n") + 1,
            ) from None
    if enc == "utf-8" and head.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    try:
        head_text = codecs.getincrementaldecoder(enc)(errors="replace").decode(head, final=False)
    except LookupError:  # pragma: no cover - checked above
        raise ParameterError(f"unknown encoding '{encoding}'", param="--encoding") from None
    if not head_text.strip():
        raise InputError("empty file (no header line)", source=src, line=1)
    # the header may sit under title rows; the prefix is enough to find it
    cut = head_text.rfind("\n") if len(head) >= PREFIX_BYTES else len(head_text)
    delim, header_line, header = _sniff(head_text[: max(cut, 0)] or head_text, chosen)
    columns = _columns(header, chosen, src, header_line)
    total = path.stat().st_size

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        raw = open(path, "rb")  # noqa: SIM115 - closed in finally
        stream = io.TextIOWrapper(raw, encoding=enc, errors="strict", newline="")
        line = header_line
        try:
            n = 0
            for line, rec in _records(stream, delim, len(header)):
                if line <= header_line:
                    continue
                yield line, rec
                n += 1
                if progress is not None and n % PROGRESS_EVERY == 0:
                    progress(raw.tell(), total)
            if progress is not None:
                progress(total, total)
        except UnicodeDecodeError:
            if guessed and enc == "utf-8" and _bad_line(path, "cp874") is None:
                raise WrongGuess("cp874") from None
            label = _ENCODING_LABELS.get(enc, enc)
            raise InputError(
                f"not {label} text (name the encoding with --encoding)",
                source=src,
                line=_bad_line(path, enc) or line + 1,
            ) from None
        except csv.Error as exc:
            raise InputError(f"not a readable CSV: {exc}", source=src, line=line + 1) from None
        finally:
            stream.close()

    return Table(
        source=src,
        kind="csv",
        columns=columns,
        header=header,
        header_line=header_line,
        rows=rows(),
        encoding=enc,
        delimiter=delim,
    )


def _bad_line(path: Path, encoding: str) -> int | None:
    """The line of the first byte that ``encoding`` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return lines + chunk[: exc.start].count(b"\n") + 1
                lines += chunk.count(b"\n")
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines + 1
    return None


def _columns(header: list[str], chosen, src: str, line: int) -> ColumnMap:
    try:
        return match_columns(header, chosen)
    except LookupError as exc:
        shown = ", ".join(f"'{h.strip()}'" for h in header[:12] if h.strip())
        more = ", ..." if len(header) > 12 else ""
        raise InputError(
            f"no column {exc.args[0]} (the header has {shown}{more})", source=src, line=line
        ) from None


def read_text(path: str | Path, *, encoding: str | None = None) -> str:
    """A whole small text file (not a complaint table), decoded like a complaint CSV: the
    encoding detected (UTF-8, UTF-8 with BOM, TIS-620, UTF-16) unless given. Raises
    InputError for a missing, binary or undecodable file."""
    path = Path(path)
    src = str(path)
    data = read_input(path)
    enc = _check_encoding(encoding) if encoding else detect_encoding(data, src)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        label = _ENCODING_LABELS.get(enc, enc)
        raise InputError(
            f"not {label} text (name the encoding with --encoding)",
            source=src,
            line=data[: exc.start].count(b"\n") + 1,
        ) from None
    return text.removeprefix("\ufeff")


# ---------------------------------------------------------------------------- xlsx


def _cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _load_sheet(path: Path, sheet: str | None):
    """The chosen sheet of a workbook (python-calamine), or InputError. Calamine reads the
    cells themselves, not the ``<dimension>`` element that many programs leave stale."""
    import python_calamine as calamine

    src = str(path)
    try:
        with open(path, "rb") as fh:  # a file object, so that any file name works
            wb = calamine.CalamineWorkbook.from_filelike(fh)
    except (calamine.CalamineError, OSError, ValueError):
        raise InputError(
            "not an Excel .xlsx workbook (a damaged or other zip file)", source=src
        ) from None
    names = wb.sheet_names
    if not names:
        raise InputError("the workbook has no sheet", source=src)
    hit = names[0]
    if sheet is not None:
        hit = next((n for n in names if n == sheet), None) or next(
            (n for n in names if n.strip().casefold() == sheet.strip().casefold()), None
        )
        if hit is None:
            raise InputError(
                f"no sheet '{sheet}' (sheets: {', '.join(names)})", source=src, field="--sheet"
            )
    try:
        return wb.get_sheet_by_name(hit)
    except (calamine.CalamineError, OSError, ValueError) as exc:  # a damaged sheet
        reason = exc.__class__.__name__
        raise InputError(f"cannot read the sheet '{hit}' (damaged: {reason})", source=src) from None


def _open_xlsx(path: Path, *, sheet, chosen, progress) -> Table:
    src = str(path)
    ws = _load_sheet(path, sheet)
    top = ws.start[0] if ws.start else 0  # calamine's rows start at the first used one
    total = top + ws.height

    def all_rows() -> Iterator[tuple[int, list[Cell]]]:
        for i, values in enumerate(ws.iter_rows(), start=top + 1):
            cells = [_cell(v) for v in values]
            if any((c.strip() if isinstance(c, str) else True) for c in cells):
                yield i, cells

    it = all_rows()
    first: list[tuple[int, list[Cell]]] = []
    for item in it:
        first.append(item)
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    if not first:
        raise InputError(f"empty sheet '{ws.name}' (no header row)", source=src, line=1)
    best = first[0]
    best_score = 0
    for line, cells in first:
        texts = [c if isinstance(c, str) else str(c) for c in cells]
        score = header_score(texts, chosen)
        if score > best_score:
            best, best_score = (line, cells), score
    header_line = best[0]
    header = [c if isinstance(c, str) else str(c) for c in best[1]]
    columns = _columns(header, chosen, src, header_line)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for line, cells in first:
            if line > header_line:
                yield line, cells
        for n, (line, cells) in enumerate(it, start=1):
            yield line, cells
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(line, total)
        if progress is not None:
            progress(total, total)

    return Table(
        source=src,
        kind="xlsx",
        columns=columns,
        header=header,
        header_line=header_line,
        rows=rows(),
        sheet=ws.name,
    )
