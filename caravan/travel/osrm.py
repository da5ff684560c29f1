"""Drive times and distances from an OSRM server (its table service).

:func:`osrm_matrix` asks an `OSRM <https://project-osrm.org>`_ 5.x server (``osrm-routed``)
for the fastest drive between every pair of sites, with only the standard library::

    GET {url}/table/v1/{profile}/{lon,lat;lon,lat;...}
        ?sources=...&destinations=...&annotations=duration,distance

Coordinates go as WGS84 lon,lat with 6 decimals (about 0.1 m). The server answers
``durations`` in **seconds** and ``distances`` in **metres** (floats, ``null`` where it finds
no road); caravan rounds times up to **whole minutes** (as in every caravan matrix, see
:mod:`caravan.travel.matrix`) and distances to whole metres. The diagonal is 0.

Chunking: ``osrm-routed --max-table-size N`` (100 by default) refuses larger tables with
``TooBig``. When there are more sites than ``max_table_size``, they are split into blocks of
``max_table_size // 2`` and each (source block, destination block) pair is one request with
the coordinates of both blocks (a block with itself sends its coordinates once), so no
request has more than ``max_table_size`` coordinates. A server started with a smaller limit
answers ``TooBig``: caravan then halves its tables and asks again, down to two coordinates.

Each request is tried up to ``retries`` times, waiting ``backoff_seconds``, then twice as long
after each failure, when the server cannot be reached, does not answer within ``timeout``
seconds, or answers HTTP 429 or 5xx. Any other answer is final. ``timeout`` is a **total
deadline** per try (connecting, the headers and the whole body): a server that trickles its
answer byte by byte is cut off when it passes. An answer larger than
:data:`MAX_ANSWER_BYTES` is refused without reading the rest. Durations over
:data:`MAX_SECONDS` or distances over :data:`MAX_METRES`, and a table with 0 s between every
pair of distinct sites, are server faults, not drive times.

Anything the server says (an error message, an HTTP reason, a snippet of a page) is printed
without its control characters (an escape sequence could otherwise drive the terminal).

The server snaps every coordinate to its nearest road, however far; a site snapped more than
``max_snap_km`` away (the waypoint's ``distance``, metres) is an error, as is a pair without
a road between them. Every error is an :class:`OsrmError` of one line that says what to do.

**Routes.** :func:`osrm_routes` asks the route service for the road each leg of a plan
drives along, for the maps (one request a leg, the same retries and timeout)::

    GET {url}/route/v1/{profile}/{lon,lat;lon,lat}?overview=full&geometries=geojson

A leg the server gives no route for is left out (the maps draw it straight); once the
server cannot be reached, or stays busy, after every try, no other leg is asked for.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import re
import socket
import threading
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from time import sleep

from caravan.errors import CaravanError, ParameterError
from caravan.types import Site, TravelMatrix, whole_minutes

#: what each OSRM error code asks the planner to do (after "the OSRM server at URL answered")
_ADVICE = {
    "TooBig": "it refuses even tables of at most {size} coordinates: start osrm-routed with "
    "a larger --max-table-size",
    "NoSegment": "move the site with --sites or use --travel road",
    "NoTable": "check that the server's extract covers the provinces, or use --travel road",
    "NoRoute": "check that the server's extract covers both sites, or use --travel road",
}
#: the largest answer read (a table of 100 x 100 durations and distances is about 250 kB)
MAX_ANSWER_BYTES = 32 << 20
#: no drive between two sites of the three provinces comes near a week or 10,000 km
MAX_SECONDS = 7 * 24 * 3600
MAX_METRES = 10_000_000
_DEFAULT_ADVICE = "check --osrm-url (caravan needs OSRM 5.x) or use --travel road"
_PROFILE = re.compile(r"[A-Za-z0-9_.-]+")


class OsrmError(CaravanError):
    """The OSRM server cannot be reached or its answer cannot be used."""


class _Unavailable(OsrmError):
    """The server cannot be reached, or stays busy, after every try."""


class _TooBig(OsrmError):
    """The server refused a table as too big (caravan then asks for smaller ones)."""


def osrm_matrix(
    sites: Sequence[Site],
    url: str,
    *,
    profile: str = "driving",
    max_table_size: int = 100,
    retries: int = 3,
    timeout: float = 60.0,
    backoff_seconds: float = 1.0,
    max_snap_km: float = 5.0,
) -> TravelMatrix:
    """Fastest drive between every pair of ``sites`` from the OSRM server at ``url``.

    ``url`` is the server's address (``http://localhost:5000``; a trailing slash is
    ignored), ``profile`` the profile name in the request path. See the module docstring for
    chunking (``max_table_size``), retries (``retries`` tries in all, ``timeout`` seconds
    each, ``backoff_seconds`` doubling) and ``max_snap_km``. Raises :class:`ParameterError`
    for a bad argument and :class:`OsrmError` when the server cannot give the matrix."""
    base = _check_options(url, profile, retries, timeout, backoff_seconds)
    if isinstance(max_table_size, bool) or not isinstance(max_table_size, int):
        raise ParameterError(
            f"must be a whole number, got {max_table_size!r}", param="max_table_size"
        )
    if max_table_size < 2:
        raise ParameterError(f"must be at least 2, got {max_table_size}", param="max_table_size")
    if not max_snap_km > 0:
        raise ParameterError(f"must be more than 0 km, got {max_snap_km}", param="max_snap_km")

    n = len(sites)
    sec = [[0] * n for _ in range(n)]
    met = [[0] * n for _ in range(n)]
    size = max_table_size
    while True:
        client = _Client(base, profile, size, retries, timeout, backoff_seconds)
        try:
            for rows, cols in _blocks(n, size):
                durations, distances = client.table(sites, rows, cols, max_snap_km)
                for a, i in enumerate(rows):
                    for b, j in enumerate(cols):
                        if i != j:
                            sec[i][j] = whole_minutes(durations[a][b])
                            met[i][j] = round(distances[a][b])
            break
        except _TooBig:
            # the server was started with a smaller --max-table-size: ask again, halved
            smaller = min(size, n) // 2
            if smaller < 2:
                raise
            size = smaller
    if n > 1 and all(sec[i][j] == 0 for i in range(n) for j in range(n) if i != j):
        raise OsrmError(
            f"the OSRM server at {base} answered 0 s between every pair of distinct sites: a "
            "server fault (an empty or wrong extract?): check the server or use --travel road"
        )
    return TravelMatrix(
        codes=tuple(s.code for s in sites),
        seconds=tuple(tuple(row) for row in sec),
        metres=tuple(tuple(row) for row in met),
        model=f"osrm({base}, profile={profile})",
    )


def _check_options(
    url: str, profile: str, retries: int, timeout: float, backoff_seconds: float
) -> str:
    """The server's address without trailing slashes, once every option is checked."""
    base = _check_url(url)
    if not _PROFILE.fullmatch(profile or ""):
        raise ParameterError(
            f"must be a name such as 'driving' (letters, digits, '_', '.', '-'), got {profile!r}",
            param="profile",
        )
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 1:
        raise ParameterError(
            f"must be a whole number of at least 1, got {retries!r}", param="retries"
        )
    if not timeout > 0:
        raise ParameterError(f"must be more than 0 seconds, got {timeout}", param="timeout")
    if not backoff_seconds >= 0:
        raise ParameterError(
            f"must be 0 seconds or more, got {backoff_seconds}", param="backoff_seconds"
        )
    return base


def osrm_routes(
    legs: Sequence[tuple[Site, Site]],
    url: str,
    *,
    profile: str = "driving",
    retries: int = 3,
    timeout: float = 60.0,
    backoff_seconds: float = 1.0,
) -> tuple[list[list[tuple[float, float]] | None], str]:
    """The road the OSRM server at ``url`` drives for each leg ``(from, to)``: a list of
    lon/lat points per leg (None where the server gave none), and why legs were left out
    (the error that stopped the requests, else the first one; "" when none was). Options
    as for :func:`osrm_matrix`; see the module docstring for what happens when it fails."""
    base = _check_options(url, profile, retries, timeout, backoff_seconds)
    client = _Client(base, profile, 2, retries, timeout, backoff_seconds)
    lines: list[list[tuple[float, float]] | None] = []
    error: OsrmError | None = None
    for a, b in legs:
        line = None
        if not isinstance(error, _Unavailable):
            try:
                line = client.route(a, b)
            except OsrmError as exc:
                if error is None or isinstance(exc, _Unavailable):
                    error = type(exc)(f"{a.code} -> {b.code}: {exc}")
        lines.append(line)
    return lines, str(error or "")


def _check_url(url: str) -> str:
    """``url`` without its trailing slashes; a one-line :class:`ParameterError` if unusable."""
    url = (url or "").strip()
    if not url:
        raise ParameterError(
            "is empty: give the OSRM server's address, for example http://localhost:5000",
            param="--osrm-url",
        )
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParameterError(
            f"must start with http:// or https:// and name a host, got {url!r}",
            param="--osrm-url",
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ParameterError(
            f"must be the server's address without '?' or '#', got {url!r}", param="--osrm-url"
        )
    return url.rstrip("/")


def _blocks(n: int, max_table_size: int) -> Iterator[tuple[list[int], list[int]]]:
    """(source sites, destination sites) of each request: one request when everything fits,
    else every pair of blocks of ``max_table_size // 2`` sites."""
    if n == 0:
        return
    if n <= max_table_size:
        yield list(range(n)), list(range(n))
        return
    size = max_table_size // 2
    blocks = [list(range(i, min(i + size, n))) for i in range(0, n, size)]
    for rows in blocks:
        for cols in blocks:
            yield rows, cols


class _Client:
    """One OSRM server: sends table requests with retries and checks the answers."""

    def __init__(
        self,
        base: str,
        profile: str,
        max_table_size: int,
        retries: int,
        timeout: float,
        backoff_seconds: float,
    ) -> None:
        self.base = base
        self.profile = profile
        self.max_table_size = max_table_size
        self.retries = retries
        self.timeout = timeout
        self.backoff_seconds = backoff_seconds

    # ---------------------------------------------------------------- one table

    def table(
        self, sites: Sequence[Site], rows: list[int], cols: list[int], max_snap_km: float
    ) -> tuple[list[list[float]], list[list[float]]]:
        """Durations (s) and distances (m) from the sites ``rows`` to the sites ``cols``."""
        coords = rows if rows == cols else rows + cols
        src = list(range(len(rows)))
        dst = src if rows == cols else list(range(len(rows), len(rows) + len(cols)))
        path = ";".join(f"{sites[i].lon:.6f},{sites[i].lat:.6f}" for i in coords)
        query = (
            f"sources={';'.join(map(str, src))}&destinations={';'.join(map(str, dst))}"
            "&annotations=duration,distance"
        )
        answer = self._get(f"{self.base}/table/v1/{self.profile}/{path}?{query}", sites, coords)

        code = answer.get("code")
        if code != "Ok":
            raise self._code_error(code, answer.get("message"), sites, coords)
        if "durations" in answer and "distances" not in answer:
            raise OsrmError(
                f"the OSRM server at {self.base} answered without distances: caravan needs "
                "OSRM 5.x with annotations=duration,distance in the table service (upgrade "
                "osrm-routed) or use --travel road"
            )
        durations = self._matrix(answer, "durations", len(rows), len(cols))
        distances = self._matrix(answer, "distances", len(rows), len(cols))
        for key, idx in (("sources", rows), ("destinations", cols)):
            self._check_snaps(answer.get(key), [sites[i] for i in idx], max_snap_km)
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                if i != j and (durations[a][b] is None or distances[a][b] is None):
                    s, t = sites[i], sites[j]
                    raise OsrmError(
                        f"the OSRM server finds no road from {s.code} ({s.name_en}) to "
                        f"{t.code} ({t.name_en}): check that its extract covers both, move "
                        "one with --sites or use --travel road"
                    )
        return durations, distances

    def route(self, a: Site, b: Site) -> list[tuple[float, float]]:
        """The lon/lat points of the road the server drives from ``a`` to ``b``."""
        path = f"{a.lon:.6f},{a.lat:.6f};{b.lon:.6f},{b.lat:.6f}"
        query = "overview=full&geometries=geojson"
        answer = self._get(f"{self.base}/route/v1/{self.profile}/{path}?{query}", [a, b], [0, 1])
        code = answer.get("code")
        if code != "Ok":
            raise self._code_error(code, answer.get("message"), [a, b], [0, 1])
        routes = answer.get("routes")
        geometry = routes[0].get("geometry") if routes and isinstance(routes[0], dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(coords, list) or len(coords) < 2 or not all(map(_is_lonlat, coords)):
            raise self._not_osrm("no route geometry of lon/lat points (geometries=geojson)")
        return [(float(p[0]), float(p[1])) for p in coords]

    def _matrix(self, answer: dict, key: str, n_rows: int, n_cols: int) -> list[list]:
        """``answer[key]`` as ``n_rows`` lists of ``n_cols`` numbers (0 to the bound of the
        module docstring) or None."""
        limit = MAX_SECONDS if key == "durations" else MAX_METRES
        table = answer.get(key)
        ok = (
            isinstance(table, list)
            and len(table) == n_rows
            and all(isinstance(row, list) and len(row) == n_cols for row in table)
        )
        if ok:
            ok = all(x is None or (_is_number(x) and 0 <= x <= limit) for row in table for x in row)
        if not ok:
            raise self._not_osrm(
                f"'{key}' is not a {n_rows} x {n_cols} table of numbers from 0 to {limit:,}"
            )
        return table

    def _check_snaps(self, waypoints, sites: list[Site], max_snap_km: float) -> None:
        """Each site snapped at most ``max_snap_km`` from where it is (when the server says)."""
        if not isinstance(waypoints, list) or len(waypoints) != len(sites):
            return  # old servers give no waypoints: nothing to check
        for w, s in zip(waypoints, sites, strict=True):
            d = w.get("distance") if isinstance(w, dict) else None
            if isinstance(d, int | float) and not isinstance(d, bool) and d > max_snap_km * 1000:
                raise OsrmError(
                    f"site {s.code} ({s.name_en}) is {d / 1000:.1f} km from the nearest road "
                    f"the OSRM server knows (at most {max_snap_km:g} km): move it with --sites "
                    "or use --travel road"
                )

    # ---------------------------------------------------------------- HTTP

    def _get(self, url: str, sites: Sequence[Site], coords: list[int]) -> dict:
        """The JSON object answered to ``url``, trying up to ``retries`` times."""
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "caravan"}
        )
        tries = f"{self.retries} {'try' if self.retries == 1 else 'tries'}"
        for attempt in range(self.retries):
            if attempt:
                sleep(self.backoff_seconds * 2 ** (attempt - 1))
            last = attempt == self.retries - 1
            deadline = _Deadline(self.timeout)
            try:
                with deadline, deadline.opener().open(request, timeout=self.timeout) as response:
                    status, body = response.status, self._body(response)
                    if deadline.expired:  # the body was cut short
                        raise TimeoutError
            except urllib.error.HTTPError as exc:
                status, body = exc.code, _read(exc)
                if status == 429 or status >= 500:
                    if not last:
                        continue
                    answer = _json(body)
                    if isinstance(answer, dict) and isinstance(answer.get("code"), str):
                        raise self._code_error(
                            answer["code"], answer.get("message"), sites, coords
                        ) from None
                    raise _Unavailable(
                        f"the OSRM server at {self.base} answered HTTP {status} "
                        f"({_reason(exc)}) after {tries}: try again later or use --travel road"
                    ) from None
                answer = _json(body)
                if isinstance(answer, dict) and answer.get("code") not in (None, "Ok"):
                    return answer  # an OSRM error (HTTP 400): the caller reads the code
                raise self._not_osrm(f"HTTP {status} {_reason(exc)}") from None
            except (OSError, http.client.HTTPException) as exc:
                if last:
                    why = f"no answer within {self.timeout:g} s" if deadline.expired else None
                    raise _Unavailable(
                        f"cannot reach the OSRM server at {self.base} after {tries} "
                        f"({why or self._why(exc)}): check --osrm-url or use --travel road"
                    ) from None
                continue
            answer = _json(body)
            if answer is None:
                raise self._not_osrm(f"HTTP {status}, not JSON: {_snippet(body)}")
            if not isinstance(answer, dict) or "code" not in answer:
                raise self._not_osrm(f"HTTP {status}, JSON without a 'code'")
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _body(self, response) -> bytes:
        """The answer's body, refused beyond :data:`MAX_ANSWER_BYTES` (unread)."""
        body = response.read(MAX_ANSWER_BYTES + 1)
        if len(body) > MAX_ANSWER_BYTES:
            raise self._not_osrm(f"an answer larger than {MAX_ANSWER_BYTES >> 20} MiB")
        return body

    def _why(self, exc: BaseException) -> str:
        """Why a connection failed, in a few words."""
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, TimeoutError):
            return f"no answer within {self.timeout:g} s"
        if isinstance(reason, OSError) and reason.strerror:
            return reason.strerror
        text = str(reason).strip() or reason.__class__.__name__
        return _one_line(text)

    def _code_error(self, code, message, sites: Sequence[Site], coords: list[int]) -> OsrmError:
        code = _one_line(str(code))
        text = _one_line(str(message)) if message else "no message"
        advice = _ADVICE.get(code, _DEFAULT_ADVICE).format(size=self.max_table_size)
        if code == "NoSegment":
            m = re.search(r"coordinate (\d+)", text)
            if m and int(m.group(1)) < len(coords):
                s = sites[coords[int(m.group(1))]]
                text += f" (site {s.code} ({s.name_en}))"
        error = _TooBig if code == "TooBig" else OsrmError
        return error(f"the OSRM server at {self.base} answered {code}: {text}: {advice}")

    def _not_osrm(self, what: str) -> OsrmError:
        return OsrmError(
            f"the server at {self.base} did not answer like OSRM ({what}): check --osrm-url"
        )


def _is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _is_lonlat(point) -> bool:
    return (
        isinstance(point, list)
        and len(point) >= 2
        and all(_is_number(x) for x in point[:2])
        and -180 <= point[0] <= 180
        and -90 <= point[1] <= 90
    )


class _Deadline:
    """A total deadline for one HTTP exchange: when it passes, the sockets the exchange
    opened are shut down, so that a read blocked on a trickling server fails at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> _Deadline:
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._timer is not None
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib's opener whose HTTP(S) connections report their sockets here."""
        deadline = self

        def watched(connection_class):
            class Watched(connection_class):
                def connect(self) -> None:
                    super().connect()
                    deadline.watch(self.sock)

            return Watched

        class Http(urllib.request.HTTPHandler):
            def do_open(self, http_class, req, **kwargs):
                return super().do_open(watched(http_class), req, **kwargs)

        class Https(urllib.request.HTTPSHandler):
            def do_open(self, http_class, req, **kwargs):
                return super().do_open(watched(http_class), req, **kwargs)

        return urllib.request.build_opener(Http(), Https())


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _read(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(MAX_ANSWER_BYTES)
    except (OSError, http.client.HTTPException):
        return b""


def _json(body: bytes):
    """``body`` decoded as JSON, or None."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _reason(exc: urllib.error.HTTPError) -> str:
    return _one_line(str(exc.reason or "")) or http.client.responses.get(exc.code, "error")


def _one_line(text: str, limit: int = 200) -> str:
    """What a server said, fit for a terminal: control and format characters (escape
    sequences, bidirectional overrides) removed, on one line of at most ``limit``."""
    text = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _snippet(body: bytes) -> str:
    text = _one_line(body.decode("utf-8", errors="replace"), 60)
    return repr(text) if text else "an empty answer"
