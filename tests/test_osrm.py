"""caravan.travel.osrm against a real local HTTP server answering like osrm-routed's table
and route services.

The fake server parses the coordinates and the sources/destinations/annotations query as
OSRM does, refuses tables larger than its max table size (TooBig, HTTP 400) and computes
drive distances and times from the coordinates alone: 1.3 times the great-circle distance,
5 % longer eastwards, driven at 12.5 m/s, 10 % slower northwards (so that a transposed
matrix is caught), rounded to 0.1 like OSRM. Its routes (:func:`road_line`) start on a road
beside the first site, drive north or south first to the second site's latitude (through
a corner), then east or west, with a point every 100 m. Each test tells it how to misbehave.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import caravan.travel.osrm
from caravan.errors import CaravanError, ParameterError
from caravan.travel.matrix import TravelModel
from caravan.travel.osrm import OsrmError, osrm_matrix, osrm_routes
from caravan.travel.paths import leg_lines
from caravan.types import Site

from .conftest import haversine_m

Coord = tuple[float, float]


def _site(code: str, name: str, lon: float, lat: float) -> Site:
    return Site(code, "district", name, name, "65", code[:4], lon, lat)


# Seven districts of Phitsanulok (rough visit sites; the fake server has no roads).
SITES = (
    _site("6501", "Mueang Phitsanulok", 100.2625, 16.8211),
    _site("6502", "Nakhon Thai", 100.8358, 17.1010),
    _site("6503", "Chat Trakan", 100.6101, 17.2824),
    _site("6504", "Bang Rakam", 100.1089, 16.7531),
    _site("6505", "Bang Krathum", 100.3376, 16.5755),
    _site("6506", "Phrom Phiram", 100.2033, 17.0334),
    _site("6507", "Wat Bot", 100.3194, 16.9995),
)


# ---------------------------------------------------------------------- the fake server


def road_metres(a: Coord, b: Coord) -> float:
    """The fake server's road distance a -> b: 1.3 x haversine, 5 % more going east."""
    metres = haversine_m(*a, *b) * 1.3
    return metres * (1.05 if b[0] > a[0] else 1.0)


def road_seconds(a: Coord, b: Coord) -> float:
    """The fake server's drive time a -> b: 12.5 m/s, 10 % slower going north."""
    return road_metres(a, b) / 12.5 * (1.1 if b[1] > a[1] else 1.0)


def road_line(a: Coord, b: Coord) -> list[list[float]]:
    """The fake server's route a -> b: from 0.001 degrees east of a (the road it snaps to)
    along a's meridian to b's latitude, the corner, then along that parallel to b; a point
    about every 100 m (0.001 degrees)."""
    start = (a[0] + 0.001, a[1])
    corner = (start[0], b[1])

    def piece(p: Coord, q: Coord) -> list[list[float]]:
        n = max(1, round(max(abs(q[0] - p[0]), abs(q[1] - p[1])) / 0.001))
        return [[p[0] + (q[0] - p[0]) * i / n, p[1] + (q[1] - p[1]) * i / n] for i in range(n)]

    return [*piece(start, corner), *piece(corner, b), [b[0], b[1]]]


@dataclass
class Table:
    """One table request as the fake server understood it."""

    profile: str
    coords: list[str]  # as sent, "lon,lat"
    sources: list[int]
    destinations: list[int]
    annotations: str


@dataclass
class FakeOsrm:
    url: str = ""
    max_table_size: int = 100
    fail_first: int = 0  # answer HTTP 503 to this many requests first
    code: str = ""  # answer HTTP 400 with this OSRM code instead of a table
    message: str = ""
    non_json: bool = False  # answer an HTML page
    old: bool = False  # ignore annotations: durations only, as OSRM before annotations
    delay: float = 0.0  # seconds before answering
    snap: dict[Coord, float] = field(default_factory=dict)  # waypoint distance (m)
    #: (from, to) -> (duration, distance) answered instead of the computed values (None: null)
    pairs: dict[tuple[Coord, Coord], tuple[float | None, float | None]] = field(
        default_factory=dict
    )
    #: (from, to) of the routes to answer NoRoute (HTTP 400), and routes without a geometry
    no_route: set[tuple[Coord, Coord]] = field(default_factory=set)
    no_geometry: bool = False
    trickle: float = 0.0  # seconds between the bytes of the body
    big: int = 0  # answer a body of this many bytes (spaces) instead
    scale: float = 1.0  # multiply every duration and distance (0: an all-zero matrix)
    hits: int = 0  # every request, answered or not
    tables: list[Table] = field(default_factory=list)  # every table answered
    routes: list[str] = field(default_factory=list)  # every route request answered (its path)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str) -> tuple[int, str, bytes]:
        with self.lock:
            self.hits += 1
            hits = self.hits
        if self.delay:
            time.sleep(self.delay)
        if hits <= self.fail_first:
            return 503, "text/plain", b"busy"
        if self.non_json:
            return 200, "text/html", b"<html>\n<body>It works!</body></html>"
        parts = urllib.parse.urlsplit(path)
        segments = parts.path.split("/")
        if len(segments) == 5 and segments[:3] == ["", "route", "v1"]:
            return self.route(path, segments[4], urllib.parse.parse_qs(parts.query))
        if len(segments) != 5 or segments[:3] != ["", "table", "v1"]:
            return 404, "text/plain", b"Not Found"
        coords = segments[4].split(";")
        query = urllib.parse.parse_qs(parts.query)
        n = len(coords)
        sources = [int(x) for x in query["sources"][0].split(";")] if "sources" in query else []
        dests = (
            [int(x) for x in query["destinations"][0].split(";")] if "destinations" in query else []
        )
        sources, dests = sources or list(range(n)), dests or list(range(n))
        assert all(0 <= i < n for i in sources + dests)
        if self.code:
            return self.json(400, {"code": self.code, "message": self.message})
        # osrm-routed's check (the number of cells), and the stricter coordinate count
        if n > self.max_table_size or len(sources) * len(dests) > self.max_table_size**2:
            return self.json(400, {"code": "TooBig", "message": "Too many table coordinates"})
        annotations = query.get("annotations", ["duration"])[0]
        table = Table(segments[3], coords, sources, dests, annotations)
        with self.lock:
            self.tables.append(table)
        points = [tuple(float(v) for v in c.split(",")) for c in coords]

        def waypoint(p: Coord) -> dict:
            return {"hint": "x", "distance": self.snap.get(p, 3.2), "name": "", "location": p}

        def cell(a: Coord, b: Coord) -> tuple[float | None, float | None]:
            if (a, b) in self.pairs:
                return self.pairs[a, b]
            if a == b:
                return 0.0, 0.0
            return (
                round(road_seconds(a, b), 1) * self.scale,
                round(road_metres(a, b), 1) * self.scale,
            )

        cells = [[cell(points[i], points[j]) for j in dests] for i in sources]
        body: dict = {
            "code": "Ok",
            "durations": [[c[0] for c in row] for row in cells],
            "sources": [waypoint(points[i]) for i in sources],
            "destinations": [waypoint(points[j]) for j in dests],
        }
        if not self.old and "distance" in annotations.split(","):
            body["distances"] = [[c[1] for c in row] for row in cells]
        if not self.old and "duration" not in annotations.split(","):
            del body["durations"]
        return self.json(200, body)

    def route(self, path: str, coords: str, query: dict) -> tuple[int, str, bytes]:
        a, b = (tuple(float(v) for v in c.split(",")) for c in coords.split(";"))
        assert query == {"overview": ["full"], "geometries": ["geojson"]}
        with self.lock:
            self.routes.append(path)
        if self.code:
            return self.json(400, {"code": self.code, "message": self.message})
        if (a, b) in self.no_route:
            return self.json(400, {"code": "NoRoute", "message": "Impossible route between points"})
        line = road_line(a, b)
        route = {"distance": road_metres(a, b), "duration": road_seconds(a, b), "legs": []}
        if not self.no_geometry:
            route["geometry"] = {"type": "LineString", "coordinates": line}
        waypoints = [{"hint": "x", "distance": 107.0, "name": "", "location": p} for p in (a, b)]
        return self.json(200, {"code": "Ok", "routes": [route], "waypoints": waypoints})

    @staticmethod
    def json(status: int, body: dict) -> tuple[int, str, bytes]:
        return status, "application/json; charset=UTF-8", json.dumps(body).encode()


@pytest.fixture
def osrm():
    fake = FakeOsrm()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, ctype, body = fake.answer(self.path)
            size = fake.big or len(body)
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(size))
                self.end_headers()
                if fake.big:
                    for _ in range(0, size, 1 << 20):
                        self.wfile.write(b" " * (1 << 20))
                elif fake.trickle:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(fake.trickle)
                else:
                    self.wfile.write(body)
            except OSError:  # the client gave up waiting (test_timeout)
                pass

        def log_message(self, format, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_url():
    """The address of a local port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def expected(sites) -> tuple[list[list[int]], list[list[int]]]:
    """The matrix computed independently: whole minutes rounded up, whole metres."""
    n = len(sites)
    sec = [[0] * n for _ in range(n)]
    met = [[0] * n for _ in range(n)]
    for i, a in enumerate(sites):
        for j, b in enumerate(sites):
            if i != j:
                pa, pb = (round(a.lon, 6), round(a.lat, 6)), (round(b.lon, 6), round(b.lat, 6))
                tenths = round(road_seconds(pa, pb) * 10)  # OSRM's 0.1 s, as an integer
                sec[i][j] = -(-tenths // 600) * 60
                met[i][j] = round(round(road_metres(pa, pb), 1))
    return sec, met


def as_lists(rows) -> list[list[int]]:
    return [list(r) for r in rows]


# ---------------------------------------------------------------------- answers


def test_matrix_equals_an_independent_computation(osrm):
    m = osrm_matrix(SITES, osrm.url, backoff_seconds=0)
    sec, met = expected(SITES)
    assert m.codes == tuple(s.code for s in SITES)
    assert as_lists(m.seconds) == sec
    assert as_lists(m.metres) == met
    assert m.model == f"osrm({osrm.url}, profile=driving)"
    assert all(type(x) is int for row in m.seconds + m.metres for x in row)
    # the fake roads are one-way-ish: a transposed matrix would not pass
    assert m.drive_metres("6501", "6502") != m.drive_metres("6502", "6501")
    assert m.drive_seconds("6504", "6506") != m.drive_seconds("6506", "6504")
    assert len(osrm.tables) == 1
    t = osrm.tables[0]
    assert t.profile == "driving"
    assert t.annotations == "duration,distance"
    assert t.sources == t.destinations == list(range(7))
    assert t.coords[0] == "100.262500,16.821100"


def test_request_format_profile_trailing_slash_and_six_decimals(osrm):
    sites = (_site("6501", "A", 100.12345678, 16.8), _site("6502", "B", 100.5, 16.987654321))
    m = osrm_matrix(sites, osrm.url + "/", profile="car")
    assert m.model == f"osrm({osrm.url}, profile=car)"
    t = osrm.tables[0]
    assert (t.profile, t.coords) == ("car", ["100.123457,16.800000", "100.500000,16.987654"])


def test_times_are_whole_minutes_rounded_up_without_float_noise(osrm):
    a, b, c = SITES[:3]
    pa, pb, pc = ((s.lon, s.lat) for s in (a, b, c))
    osrm.pairs = {
        (pa, pb): (600.0, 1000.4),  # exactly 10 minutes
        (pb, pa): (600.0000001, 1000.5),  # float noise: still 10 minutes; 1000.5 -> 1000
        (pa, pc): (600.1, 1501.5),  # a little more: 11 minutes; 1501.5 -> 1502
        (pc, pa): (0.4, 2.0),  # under a minute is a minute
        (pb, pc): (0.0, 0.0),  # the same spot
    }
    m = osrm_matrix((a, b, c), osrm.url)
    assert as_lists(m.seconds)[0] == [0, 600, 660]
    assert m.drive_seconds(b.code, a.code) == 600
    assert m.drive_seconds(c.code, a.code) == 60
    assert m.drive_seconds(b.code, c.code) == 0
    assert as_lists(m.metres)[0] == [0, 1000, 1502]
    assert m.drive_metres(b.code, a.code) == 1000


def test_chunks_keep_every_request_within_the_max_table_size(osrm):
    osrm.max_table_size = 4
    m = osrm_matrix(SITES, osrm.url, max_table_size=4)
    # blocks of 2: {0,1} {2,3} {4,5} {6}: 4 x 4 block pairs
    assert len(osrm.tables) == 16
    assert all(len(t.coords) <= 4 for t in osrm.tables)
    asked = []
    for t in osrm.tables:
        asked += [(t.coords[i], t.coords[j]) for i in t.sources for j in t.destinations]
    assert len(asked) == len(set(asked)) == 49  # every pair once
    osrm.max_table_size = 100
    one = osrm_matrix(SITES, osrm.url)
    assert len(osrm.tables) == 17
    assert (m.seconds, m.metres, m.codes) == (one.seconds, one.metres, one.codes)
    assert as_lists(m.seconds) == expected(SITES)[0]


@pytest.mark.parametrize(("size", "requests"), [(7, 1), (6, 9), (5, 16), (2, 49)])
def test_request_count(osrm, size, requests):
    osrm.max_table_size = size
    osrm_matrix(SITES, osrm.url, max_table_size=size)
    assert len(osrm.tables) == requests
    assert max(len(t.coords) for t in osrm.tables) <= size


def test_no_sites_no_request(closed_url):
    m = osrm_matrix([], closed_url)
    assert (m.codes, m.seconds, m.metres) == ((), (), ())


# ---------------------------------------------------------------------- retries


def test_retry_after_503_succeeds(osrm, monkeypatch):
    waits = []
    monkeypatch.setattr(caravan.travel.osrm, "sleep", waits.append)
    osrm.fail_first = 2
    m = osrm_matrix(SITES, osrm.url, retries=3, backoff_seconds=0.5)
    assert osrm.hits == 3
    assert waits == [0.5, 1.0]
    assert as_lists(m.seconds) == expected(SITES)[0]


def test_503_on_every_try(osrm):
    osrm.fail_first = 10
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url, retries=2, backoff_seconds=0)
    assert str(err.value) == (
        f"the OSRM server at {osrm.url} answered HTTP 503 (Service Unavailable) after 2 tries: "
        "try again later or use --travel road"
    )
    assert osrm.hits == 2


def test_unreachable_server(closed_url):
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, closed_url, retries=2, backoff_seconds=0)
    assert str(err.value) == (
        f"cannot reach the OSRM server at {closed_url} after 2 tries (Connection refused): "
        "check --osrm-url or use --travel road"
    )
    assert isinstance(err.value, CaravanError)


def test_timeout(osrm):
    osrm.delay = 0.3
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES[:2], osrm.url, retries=1, timeout=0.05)
    assert str(err.value) == (
        f"cannot reach the OSRM server at {osrm.url} after 1 try (no answer within 0.05 s): "
        "check --osrm-url or use --travel road"
    )


def test_no_retry_on_404(osrm):
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url + "/osrm", backoff_seconds=0)
    assert str(err.value) == (
        f"the server at {osrm.url}/osrm did not answer like OSRM (HTTP 404 Not Found): "
        "check --osrm-url"
    )
    assert osrm.hits == 1


# ---------------------------------------------------------------------- errors


def test_too_big_asks_again_with_smaller_tables(osrm):
    """A server started with a smaller --max-table-size (4) than caravan assumes (100):
    caravan halves its tables until the server takes them, and gets the same matrix."""
    osrm.max_table_size = 4
    m = osrm_matrix(SITES, osrm.url, backoff_seconds=0)
    assert [t for t in osrm.tables if len(t.coords) > 4] == []
    ref = osrm_matrix(SITES, osrm.url, backoff_seconds=0, max_table_size=4)
    assert m == ref


def test_too_big_even_for_two(osrm):
    osrm.code, osrm.message = "TooBig", "Too many table coordinates"
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url, backoff_seconds=0)
    assert str(err.value) == (
        f"the OSRM server at {osrm.url} answered TooBig: Too many table coordinates: it "
        f"refuses even tables of at most {len(SITES) // 2} coordinates: start osrm-routed "
        "with a larger --max-table-size"
    )


def test_no_segment_names_the_site(osrm):
    osrm.code, osrm.message = "NoSegment", "Could not find a matching segment for coordinate 2"
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url, backoff_seconds=0)
    assert str(err.value) == (
        f"the OSRM server at {osrm.url} answered NoSegment: Could not find a matching segment "
        "for coordinate 2 (site 6503 (Chat Trakan)): move the site with --sites or use "
        "--travel road"
    )
    assert osrm.hits == 1


def test_other_code_without_message(osrm):
    osrm.code = "InvalidService"
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url)
    assert str(err.value) == (
        f"the OSRM server at {osrm.url} answered InvalidService: no message: check --osrm-url "
        "(caravan needs OSRM 5.x) or use --travel road"
    )


def test_null_pair(osrm):
    a, b = SITES[3], SITES[5]
    osrm.pairs = {((a.lon, a.lat), (b.lon, b.lat)): (None, None)}
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url)
    assert str(err.value) == (
        "the OSRM server finds no road from 6504 (Bang Rakam) to 6506 (Phrom Phiram): check "
        "that its extract covers both, move one with --sites or use --travel road"
    )


def test_null_pair_found_in_a_chunk(osrm):
    a, b = SITES[6], SITES[0]
    osrm.pairs = {((a.lon, a.lat), (b.lon, b.lat)): (812.3, None)}
    with pytest.raises(OsrmError, match=r"^the OSRM server finds no road from 6507 \(Wat Bot\) "):
        osrm_matrix(SITES, osrm.url, max_table_size=4)


def test_non_json(osrm):
    osrm.non_json = True
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url)
    assert str(err.value) == (
        f"the server at {osrm.url} did not answer like OSRM (HTTP 200, not JSON: "
        "'<html> <body>It works!</body></html>'): check --osrm-url"
    )
    assert "\n" not in str(err.value)


def test_far_snap(osrm):
    s = SITES[4]
    osrm.snap = {(s.lon, s.lat): 7349.0}
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url)
    assert str(err.value) == (
        "site 6505 (Bang Krathum) is 7.3 km from the nearest road the OSRM server knows "
        "(at most 5 km): move it with --sites or use --travel road"
    )
    assert osrm_matrix(SITES, osrm.url, max_snap_km=7.5).codes  # within a wider limit


def test_old_osrm_without_distances(osrm):
    osrm.old = True
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES, osrm.url)
    assert str(err.value) == (
        f"the OSRM server at {osrm.url} answered without distances: caravan needs OSRM 5.x "
        "with annotations=duration,distance in the table service (upgrade osrm-routed) or use "
        "--travel road"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "",
            "--osrm-url: is empty: give the OSRM server's address, for example "
            "http://localhost:5000",
        ),
        (
            "localhost:5000",
            "--osrm-url: must start with http:// or https:// and name a host, got 'localhost:5000'",
        ),
        (
            "ftp://example.org",
            "--osrm-url: must start with http:// or https:// and name a "
            "host, got 'ftp://example.org'",
        ),
        (
            "http://",
            "--osrm-url: must start with http:// or https:// and name a host, got 'http://'",
        ),
        (
            "http://x:5000/?a=1",
            "--osrm-url: must be the server's address without '?' or '#', got 'http://x:5000/?a=1'",
        ),
    ],
)
def test_bad_url(url, message):
    with pytest.raises(ParameterError) as err:
        osrm_matrix(SITES, url)
    assert str(err.value) == message
    assert err.value.param == "--osrm-url"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_table_size": 1}, "max_table_size"),
        ({"retries": 0}, "retries"),
        ({"timeout": 0}, "timeout"),
        ({"backoff_seconds": -1}, "backoff_seconds"),
        ({"max_snap_km": 0}, "max_snap_km"),
        ({"profile": "car/x"}, "profile"),
    ],
)
def test_bad_parameters(closed_url, kwargs, param):
    with pytest.raises(ParameterError) as err:
        osrm_matrix(SITES, closed_url, **kwargs)
    assert err.value.param == param


# ---------------------------------------------------------------------- routes, for the maps


def _coord(site: Site) -> Coord:
    """The site as the server reads it (6 decimals)."""
    return (float(f"{site.lon:.6f}"), float(f"{site.lat:.6f}"))


def _at(lon: float, lat: float) -> tuple[float, float]:
    return (round(lon, 5), round(lat, 5))


def test_routes_are_the_servers_roads(osrm):
    legs = [(SITES[0], SITES[1]), (SITES[1], SITES[0])]
    lines, why = osrm_routes(legs, osrm.url + "/", profile="car")
    assert why == ""
    assert lines == [[tuple(p) for p in road_line(_coord(a), _coord(b))] for a, b in legs]
    assert osrm.routes == [
        f"/route/v1/car/{a.lon:.6f},{a.lat:.6f};{b.lon:.6f},{b.lat:.6f}"
        "?overview=full&geometries=geojson"
        for a, b in legs
    ]


def test_osrm_leg_lines_run_from_site_to_site_through_the_corner(osrm):
    a, b = SITES[0], SITES[1]
    model = TravelModel(mode="osrm", osrm_url=osrm.url)
    found = leg_lines(SITES, model, [("6501", "6502"), ("6501", "6501")])
    assert found.note == "" and len(osrm.routes) == 1
    # the site, the road 100 m east of it, the corner, the other site: the straight
    # pieces' points (every 100 m) are dropped by the simplification
    assert found.lines == {
        ("6501", "6502"): (
            _at(a.lon, a.lat),
            _at(a.lon + 0.001, a.lat),
            _at(a.lon + 0.001, b.lat),
            _at(b.lon, b.lat),
        )
    }


def test_a_leg_without_a_route_is_drawn_straight_with_a_note(osrm):
    a, b = SITES[0], SITES[1]
    osrm.no_route = {(_coord(b), _coord(a))}
    model = TravelModel(mode="osrm", osrm_url=osrm.url)
    found = leg_lines(SITES, model, [("6501", "6502"), ("6502", "6501"), ("6501", "6503")])
    assert set(found.lines) == {("6501", "6502"), ("6501", "6503")}
    assert found.note == (
        "1 of 3 legs are drawn as straight lines on the maps: 6502 -> 6501: the OSRM server at "
        f"{osrm.url} answered NoRoute: Impossible route between points: check that the "
        "server's extract covers both sites, or use --travel road"
    )


def test_routes_stop_once_the_server_is_unavailable(osrm):
    osrm.fail_first = 100
    legs = [(SITES[0], SITES[1]), (SITES[1], SITES[2]), (SITES[2], SITES[0])]
    lines, why = osrm_routes(legs, osrm.url, retries=2, backoff_seconds=0)
    assert lines == [None, None, None]
    assert osrm.hits == 2  # the first leg, tried twice; the others not asked for
    assert why == (
        f"6501 -> 6502: the OSRM server at {osrm.url} answered HTTP 503 (Service Unavailable) "
        "after 2 tries: try again later or use --travel road"
    )


def test_unreachable_server_for_routes(closed_url):
    lines, why = osrm_routes([(SITES[0], SITES[1])], closed_url, retries=1)
    assert lines == [None]
    assert why.startswith(f"6501 -> 6502: cannot reach the OSRM server at {closed_url} after 1 try")


def test_a_route_without_geometry_is_not_osrm(osrm):
    osrm.no_geometry = True
    lines, why = osrm_routes([(SITES[0], SITES[1])], osrm.url)
    assert lines == [None]
    assert why == (
        f"6501 -> 6502: the server at {osrm.url} did not answer like OSRM (no route geometry "
        "of lon/lat points (geometries=geojson)): check --osrm-url"
    )


# ---------------------------------------------------------------------- hostile servers


def test_a_trickling_answer_is_cut_at_the_total_deadline(osrm):
    """Each byte comes well within the timeout; the whole answer would take minutes."""
    osrm.trickle = 0.05
    started = time.monotonic()
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES[:3], osrm.url, retries=1, timeout=0.5)
    assert time.monotonic() - started < 5  # the body alone would take about 40 s
    assert str(err.value) == (
        f"cannot reach the OSRM server at {osrm.url} after 1 try (no answer within 0.5 s): "
        "check --osrm-url or use --travel road"
    )


def test_a_huge_answer_is_refused_unread(osrm):
    osrm.big = caravan.travel.osrm.MAX_ANSWER_BYTES + (8 << 20)
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES[:3], osrm.url, retries=1)
    assert str(err.value) == (
        f"the server at {osrm.url} did not answer like OSRM (an answer larger than 32 MiB): "
        "check --osrm-url"
    )


def test_control_characters_of_a_server_message_are_not_printed(osrm):
    osrm.code = "Evil\x1b]0;pwned\x07Code"
    osrm.message = "look \x1b[2J\u202eelif\x9b31m here"
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES[:2], osrm.url, backoff_seconds=0)
    text = str(err.value)
    assert text == (
        f"the OSRM server at {osrm.url} answered Evil]0;pwnedCode: look [2Jelif31m here: "
        "check --osrm-url (caravan needs OSRM 5.x) or use --travel road"
    )
    assert text.isprintable()


def test_an_all_zero_matrix_is_a_server_fault(osrm):
    osrm.scale = 0.0
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES[:3], osrm.url)
    assert str(err.value) == (
        f"the OSRM server at {osrm.url} answered 0 s between every pair of distinct sites: a "
        "server fault (an empty or wrong extract?): check the server or use --travel road"
    )


@pytest.mark.parametrize(
    ("cell", "key", "limit"),
    [((1e300, 1000.0), "durations", "604,800"), ((600.0, 1e300), "distances", "10,000,000")],
)
def test_huge_numbers_are_a_server_fault(osrm, cell, key, limit):
    a, b = ((round(s.lon, 6), round(s.lat, 6)) for s in SITES[:2])
    osrm.pairs[a, b] = cell
    with pytest.raises(OsrmError) as err:
        osrm_matrix(SITES[:3], osrm.url)
    assert str(err.value) == (
        f"the server at {osrm.url} did not answer like OSRM ('{key}' is not a 3 x 3 table of "
        f"numbers from 0 to {limit}): check --osrm-url"
    )
