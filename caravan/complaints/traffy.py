"""``caravan complaints fetch traffy``: Traffy Fondue's complaints from its exchange API.

What the exchange API documents (NECTEC, ``docs/query-apis.md`` of its documentation) and
what caravan does with it:

* **Token**: every request carries ``Authorization: Bearer <token>``; the token (a JWT the
  organisation gets from ``get-auth`` with the user and password NECTEC sent it) is read from
  ``$CARAVAN_TRAFFY_TOKEN`` and never printed or written.
* **Requests**: ``GET get-issues/v2`` with ``duration`` = ``today`` (activity in the last
  day), ``3days`` or ``all``, and ``org_id`` (default: the token's organisation). caravan
  asks for the shortest duration that covers ``--since``.
* **Paging**: the API has no page parameter; an answer holds every complaint asked for, at
  most :data:`ANSWER_LIMIT` (5,000) with ``duration=all``. caravan asks for each organisation
  (``--org``) separately, one answer per organisation (a "page"), and refuses an answer that
  is cut (its ``count`` above its records, or 5,000 records): nothing is written then.
* **Rate limits**: a monthly quota of calls (``credit_balance``, renewed on the 1st). An
  answer ``fail`` "Running out of API usage quota" is an error; the warning "Almost running
  out" is reported and the fetch goes on. HTTP 429 and 5xx answers are retried
  (:mod:`caravan.complaints.fetch`). One call per organisation is spent.
* **Records**: their fields must include :data:`NEEDED` (else the API changed: an error
  naming the missing fields); other new fields are ignored.

The file written is a CSV (UTF-8 with BOM) with the API's own CSV columns less the personal
ones (description, photo, address, photo_after): :data:`COLUMNS`. Only complaints in the
asked provinces (by their ``province`` name; a record with none that caravan knows is kept,
for ``complaints check`` to report) received on or after ``--since`` (Asia/Bangkok) are
written. The file is written whole, atomically, only when every answer was complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from caravan import clock
from caravan.atomic import atomic_write_text
from caravan.complaints.dates import DateError, parse_date
from caravan.complaints.fetch import Answer, FetchError, JsonClient, server_words
from caravan.complaints.jsonfile import cell_text
from caravan.complaints.places import OUTSIDE, Bad, Placer
from caravan.csvcells import csv_text, safe_cell
from caravan.errors import ParameterError
from caravan.geo.geography import Geography, load_geography

API_URL = "https://publicapi.traffy.in.th/exchange-api"
TOKEN_ENV = "CARAVAN_TRAFFY_TOKEN"
URL_ENV = "CARAVAN_TRAFFY_URL"
ENDPOINT = "get-issues/v2"
ANSWER_LIMIT = 5000
#: the exchange API's CSV columns (download-issues) without the personal ones
COLUMNS = (
    "ticket_id",
    "type",
    "organization",
    "latitude",
    "longitude",
    "subdistrict",
    "district",
    "province",
    "timestamp",
    "timestamp_inprogress",
    "timestamp_finished",
    "org_finished",
    "status",
    "confirmed",
    "star",
    "count_reopen",
    "last_activity",
)
#: the fields caravan reads: without one of them the answer cannot be used
NEEDED = ("ticket_id", "type", "timestamp", "status", "latitude", "longitude", "province")


@dataclass(frozen=True)
class Fetched:
    """What a fetch wrote and what it left out."""

    path: Path
    answers: int  # requests answered (one per organisation)
    received: int  # complaints in the answers
    written: int
    other_provinces: int
    before_since: int
    duration: str
    credit_balance: int | None
    warnings: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        balance = "unlimited" if self.credit_balance is None else f"{self.credit_balance}"
        lines = [
            f"Traffy Fondue: {self.received} complaint(s) in {self.answers} answer(s) "
            f"(duration={self.duration}); {self.written} written, {self.other_provinces} in "
            f"other provinces and {self.before_since} received before --since left out",
            f"API calls left this month (credit_balance): {balance}",
        ]
        return lines + [f"warning: {w}" for w in self.warnings]


def duration_for(since: dt.date, today: dt.date) -> str:
    """The shortest ``duration`` of get-issues whose answer holds every complaint received
    on or after ``since`` (it selects by the last activity, which is never earlier)."""
    if since >= today:
        return "today"
    if since >= today - dt.timedelta(days=2):
        return "3days"
    return "all"


def fetch_traffy(
    out: str | Path,
    *,
    token: str,
    provinces: Sequence[str],
    since: dt.date,
    orgs: Sequence[str] = (),
    base_url: str = API_URL,
    today: dt.date | None = None,
    geography: Geography | None = None,
    retries: int = 3,
    backoff_seconds: float = 1.0,
    timeout: float = 60.0,
) -> Fetched:
    """Fetch, filter and write (see the module docstring). Raises :class:`FetchError` (the
    platform's message, on one line) or ParameterError; nothing is written then."""
    if not token.strip():
        raise ParameterError(
            f"no Traffy Fondue token: set ${TOKEN_ENV} to the token get-auth gives your "
            "organisation",
            param=TOKEN_ENV,
        )
    today = today or clock.today()
    if since > today:
        raise ParameterError(f"{since.isoformat()} is after today", param="--since")
    client = JsonClient(base_url, token.strip(), "Traffy Fondue", retries, timeout, backoff_seconds)
    duration = duration_for(since, today)
    records: list[dict] = []
    balance: int | None = None
    warnings: list[str] = []
    for org in orgs or ("",):
        params = {"duration": duration, **({"org_id": org} if org else {})}
        answer = _check(client.get(ENDPOINT, params), client, org, duration)
        records += answer["results"]
        balance = (
            answer.get("credit_balance") if isinstance(answer.get("credit_balance"), int) else None
        )
        if answer.get("status") == "warning":
            warnings.append(server_words(str(answer.get("message") or "")))
    kept, other, early = _select(records, provinces, since, geography or load_geography())
    rows = ([safe_cell(cell_text(r.get(c))) for c in COLUMNS] for r in kept)
    atomic_write_text(out, csv_text(COLUMNS, rows), bom=True)
    return Fetched(
        path=Path(out),
        answers=len(orgs) or 1,
        received=len(records),
        written=len(kept),
        other_provinces=other,
        before_since=early,
        duration=duration,
        credit_balance=balance,
        warnings=tuple(w for w in warnings if w),
    )


def _check(answer: Answer, client: JsonClient, org: str, duration: str) -> dict:
    """The answer's JSON when it is a complete list of usable records; else FetchError."""
    data = answer.data
    where = f"Traffy Fondue ({client.base}, org_id {org or 'of the token'})"
    if not isinstance(data, dict):
        raise FetchError(
            f"{where} answered HTTP {answer.status} without JSON: "
            f"{server_words(answer.text, 60) or 'an empty answer'}"
        )
    status = data.get("status")
    message = server_words(str(data.get("message") or ""))
    ok = status in ("success", "warning", 200, "200") and answer.status == 200
    if not ok:
        raise FetchError(f"{where}: {_advice(message, answer.status)}")
    results = data.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise FetchError(f"{where} answered without a list of records ('results')")
    count = data.get("count")
    if (isinstance(count, int) and count > len(results)) or (
        duration == "all" and len(results) >= ANSWER_LIMIT
    ):
        raise FetchError(
            f"{where} sent {len(results)} of {count if isinstance(count, int) else 'more'} "
            f"complaints (an answer holds at most {ANSWER_LIMIT:,}): fetch a shorter period "
            "(--since) or one organisation at a time (--org); nothing written"
        )
    fields = {k for r in results for k in r}
    missing = [f for f in NEEDED if results and f not in fields]
    if missing:
        raise FetchError(
            f"{where} answered records without {', '.join(repr(f) for f in missing)} "
            f"(fields: {', '.join(sorted(fields))}): the API has changed; nothing written"
        )
    return data


def _advice(message: str, http_status: int) -> str:
    text = message or f"HTTP {http_status}"
    low = text.lower()
    if "quota" in low:
        return (
            f"the API usage quota is used up ({text}): it is renewed on the 1st of the month, "
            "or ask NECTEC for more (LINE @fonduehelp); nothing written"
        )
    if "token" in low or http_status in (401, 403):
        return f"the token was refused ({text}): set ${TOKEN_ENV} to a valid token from get-auth"
    return f"the request failed ({text})"


def _select(records, provinces, since, geography) -> tuple[list[dict], int, int]:
    """The records in ``provinces`` received on or after ``since``, and how many were left
    out for each reason. A record whose province or date caravan cannot read is kept: the
    reader reports it."""
    placer = Placer(geography)
    wanted = set(provinces)
    verdict: dict[str, bool] = {}
    kept, other, early = [], 0, 0
    for r in records:
        name = cell_text(r.get("province"))
        if name not in verdict:
            found = placer.candidates("province", name, None) if name.strip() else None
            if isinstance(found, Bad):
                verdict[name] = found.kind != OUTSIDE  # a name caravan does not know: kept
            else:
                verdict[name] = found is None or bool(wanted & set(found))
        if not verdict[name]:
            other += 1
            continue
        try:
            day = parse_date(cell_text(r.get("timestamp")))[0]
        except DateError:
            day = None
        if day is not None and day < since:
            early += 1
            continue
        kept.append(r)
    return kept, other, early
