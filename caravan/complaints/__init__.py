"""Read complaint exports: every row is either accepted or rejected with its line and reason.

Files: CSV in UTF-8 (with or without BOM), TIS-620/cp874 or UTF-16, comma, semicolon or tab
separated; or Excel .xlsx (the first sheet, or the one named). Headers in Thai or English
(:mod:`caravan.complaints.columns`), dates in the common or Buddhist era with Thai or English
month names (:mod:`~caravan.complaints.dates`), places by DOPA code, Thai or English name
or coordinates (:mod:`~caravan.complaints.places`), statuses and urgencies in Thai or
English (:mod:`~caravan.complaints.values`), as a source's profile says
(:mod:`~caravan.complaints.profiles`; Traffy Fondue's exports are recognised from their
header); a platform's JSON or GeoJSON answer saved to a file (:mod:`~.jsonfile`). No
personal data is read or shown (:mod:`~caravan.complaints.privacy`).

The normalised fields of an accepted row (:class:`caravan.types.Complaint`)::

    id            the complaint's id in the source system (kept only to report rows)
    received      date received (Asia/Bangkok)
    province_code 2-digit DOPA code
    district_code 4-digit DOPA code
    tambon_code   6-digit DOPA code, or "" when the row names only its district
    category      a category code (:mod:`caravan.complaints.categories`, or one a profile
                  adds); a value neither knows is "other" (listed for the planner)
    status        open | in_progress | resolved
    urgency       low | normal | high | critical (normal when not given)

When an id repeats, the **first usable row** wins and each later usable one is rejected.
"""

from caravan.complaints.columns import (
    FIELDS,
    HEADERS,
    parse_column_options,
    read_columns_file,
)
from caravan.complaints.reader import (
    URGENCIES,
    ComplaintFile,
    parse_rows,
    read_complaints,
)
from caravan.complaints.report import (
    ACCEPTED_COLUMNS,
    accepted_csv,
    check_summary_lines,
    reading_lines,
    rejects_csv,
    write_check,
)
from caravan.complaints.source import read_text

__all__ = [
    "ACCEPTED_COLUMNS",
    "FIELDS",
    "HEADERS",
    "URGENCIES",
    "ComplaintFile",
    "accepted_csv",
    "check_summary_lines",
    "parse_column_options",
    "parse_rows",
    "read_columns_file",
    "read_complaints",
    "read_text",
    "reading_lines",
    "rejects_csv",
    "write_check",
]
