"""Travel times and distances between sites.

The built-in model needs no server (:func:`estimate_matrix`)::

    road km      = great-circle km x detour_factor
    drive time   = road km / speed_kmh, rounded **up** to a whole minute

Defaults: ``detour_factor`` 1.2 and ``speed_kmh`` 60. The published road distances from
Mueang Yasothon to its 8 other district seats are 0.96 to 1.32 times the great-circle
distance between the GISTDA office points (median 1.11, ``benchmarks/travel_calibration.py``);
1.2 leaves room for the smaller roads to tambons. 60 km/h is a door-to-door average on
provincial highways and rural roads, towns included.

Drive times are whole minutes so that every time in an itinerary (HH:MM) adds up exactly:
arrival = previous departure + drive minutes. The plan uses exactly the minutes that
``caravan matrix`` writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caravan.errors import ParameterError
from caravan.types import Site, TravelMatrix

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres


@dataclass(frozen=True)
class TravelModel:
    """Parameters of the embedded estimate."""

    detour_factor: float = 1.2
    speed_kmh: float = 60.0

    def __post_init__(self) -> None:
        if not (1.0 <= self.detour_factor <= 5.0):
            raise ParameterError(
                f"must be between 1 and 5, got {self.detour_factor}", param="--detour-factor"
            )
        if not (5.0 <= self.speed_kmh <= 150.0):
            raise ParameterError(
                f"must be between 5 and 150 km/h, got {self.speed_kmh}", param="--speed-kmh"
            )


def great_circle_m(lon1, lat1, lon2, lat2):
    """Haversine distance in metres; accepts scalars or numpy arrays (broadcast)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def estimate_matrix(sites: Sequence[Site], model: TravelModel | None = None) -> TravelMatrix:
    """Drive seconds (whole minutes) and road metres between every pair of ``sites``."""
    model = model or TravelModel()
    lon = np.array([s.lon for s in sites])
    lat = np.array([s.lat for s in sites])
    gc = great_circle_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    road_m = np.rint(gc * model.detour_factor).astype(np.int64)
    metres_per_minute = model.speed_kmh * 1000.0 / 60.0
    minutes = np.ceil(road_m / metres_per_minute - 1e-9).astype(np.int64)
    np.fill_diagonal(minutes, 0)
    np.fill_diagonal(road_m, 0)
    seconds = minutes * 60
    return TravelMatrix(
        codes=tuple(s.code for s in sites),
        seconds=tuple(tuple(int(x) for x in row) for row in seconds),
        metres=tuple(tuple(int(x) for x in row) for row in road_m),
        model=f"estimate(detour_factor={model.detour_factor:g}, speed_kmh={model.speed_kmh:g})",
    )


def matrix_rows(matrix: TravelMatrix):
    """Rows ``(from_code, to_code, minutes, km)`` for ``caravan matrix``, pairs in code order."""
    for i, a in enumerate(matrix.codes):
        for j, b in enumerate(matrix.codes):
            if i == j:
                continue
            yield a, b, matrix.seconds[i][j] // 60, matrix.metres[i][j] / 1000.0


def format_km(metres: int) -> str:
    return f"{metres / 1000.0:.1f}"


def minutes(seconds: int) -> int:
    return math.ceil(seconds / 60)
