"""``caravan complaints check``: ``accepted.csv``, ``rejects.csv`` and the counts per reason.

* ``accepted.csv``: the normalised rows, columns :data:`ACCEPTED_COLUMNS`, ISO dates.
* ``rejects.csv``: ``line,field,reason`` and then the row's recognised columns under their
  headers in the file (never any other column; values that may be personal data shown as
  ``(hidden)``, coordinates rounded to 0.01°). Line numbers count the header as line 1.

Both are UTF-8 with BOM (Excel shows Thai), CRLF line ends, written together or not at all.
Text cells that a spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

from pathlib import Path

from caravan.atomic import OutputDir, WrittenSet, atomic_write_text
from caravan.complaints.reader import ComplaintFile
from caravan.complaints.table import ComplaintTable
from caravan.complaints.values import IRRELEVANT
from caravan.csvcells import csv_text, safe_cell

ACCEPTED_COLUMNS = (
    "id",
    "received",
    "province_code",
    "district_code",
    "tambon_code",
    "category",
    "status",
    "urgency",
)
REJECT_COLUMNS = ("line", "field", "reason")


def accepted_csv(cf: ComplaintFile) -> str:
    return csv_text(
        ACCEPTED_COLUMNS,
        (
            (safe_cell(cid), received, prov, dist, tam, safe_cell(cat), status, urgency)
            for cid, received, prov, dist, tam, cat, status, urgency in ComplaintTable.of(
                cf.accepted
            ).records()
        ),
    )


def rejects_csv(cf: ComplaintFile) -> str:
    """``line,field,reason`` and the recognised columns under their headers in the file; the
    headers too are cells a spreadsheet must not run (``--column id='=1+1'``)."""
    headers = [h for _, h in cf.columns]
    return csv_text(
        [*REJECT_COLUMNS, *(safe_cell(h) for h in headers)],
        (
            [r.line, safe_cell(r.field), safe_cell(r.reason)]
            + [safe_cell(dict(r.raw).get(h, "")) for h in headers]
            for r in cf.rejects
        ),
    )


def write_check(cf: ComplaintFile, out: str | Path) -> WrittenSet:
    """Write ``accepted.csv`` and ``rejects.csv`` into ``out``: both or neither
    (:class:`caravan.atomic.OutputDir`, set ``check``)."""
    with OutputDir(out, group="check") as od:
        atomic_write_text(od.path("accepted.csv"), accepted_csv(cf), bom=True)
        atomic_write_text(od.path("rejects.csv"), rejects_csv(cf), bom=True)
    return od.final_paths()


def reason_lines(cf: ComplaintFile, indent: str = "  ") -> list[str]:
    """One line per kind of reason, most frequent first: ``  12  outside the three ...``."""
    counts = cf.reject_counts()
    width = len(str(max(counts.values(), default=0)))
    return [
        f"{indent}{n:>{width}}  {kind}"
        for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


#: at most this many unknown category values are listed (the most frequent)
MAX_UNKNOWN_SHOWN = 10


def reading_lines(cf: ComplaintFile) -> list[str]:
    """For the planner's terminal only: the profile used and why, the outcomes that are not
    statuses, and the category values nobody knows (screened), counted as "other"."""
    lines = []
    if cf.profile_reason:
        lines.append(f"profile: {cf.profile}, {cf.profile_reason}")
    irrelevant = cf.outcomes.get(IRRELEVANT, 0)
    if irrelevant:
        lines.append(
            f"outcome: {irrelevant} complaint(s) closed as irrelevant (ไม่เกี่ยวข้อง), read as "
            "resolved: no reason to visit"
        )
    if cf.unknown_categories:
        shown = cf.unknown_categories[:MAX_UNKNOWN_SHOWN]
        more = len(cf.unknown_categories) - len(shown)
        lines.append(
            "unknown categories, counted as 'other' (map them in a profile, --profile): "
            + ", ".join(f"{value} {n}" for value, n in shown)
            + (f", and {more} more" if more > 0 else "")
        )
    return lines


def check_summary_lines(cf: ComplaintFile) -> list[str]:
    lines = [
        f"read {cf.rows} rows from {cf.source} ({cf.format}): {len(cf.accepted)} accepted, "
        f"{len(cf.rejects)} rejected",
    ]
    lines += reading_lines(cf)
    if cf.columns:
        lines.append("columns: " + ", ".join(f"{f}='{h}'" for f, h in cf.columns))
    lines += [f"note: {n}" for n in cf.notes]
    if cf.rejects:
        lines.append("rejected rows by reason:")
        lines += reason_lines(cf)
    return lines
