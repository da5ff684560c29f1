"""CSV as caravan writes it for Excel: CRLF line ends, and cells that never run as formulas.

Every CSV caravan writes goes through :func:`csv_text`, and every text cell that comes from
an input (a name, a code, a category, a reason, a header) through :func:`safe_cell`: a cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe, so that a spreadsheet shows it instead of evaluating it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV text cell that spreadsheets show as text, never evaluate as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in _FORMULA_STARTS:
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV (header and rows), CRLF line ends, as Excel writes it."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(row)
    return buf.getvalue()
