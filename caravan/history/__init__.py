"""Stage 3, history: what the units did, in a SQLite file, and what the field teams reported.

:mod:`caravan.history.store` (the database: plans, visits, outcomes),
:mod:`caravan.history.outcomes` (the outcome file the field team fills in, read and
checked). This ``__init__`` only re-exports.
"""

from caravan.history.store import (
    History,
    HistoryError,
    HistorySnapshot,
    OutcomeRow,
    VisitRecord,
    default_db_path,
    open_history,
)

__all__ = [
    "History",
    "HistoryError",
    "HistorySnapshot",
    "OutcomeRow",
    "VisitRecord",
    "default_db_path",
    "open_history",
]
