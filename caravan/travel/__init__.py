"""Stage 2, travel: drive times and distances between sites, from four travel models.

:mod:`caravan.travel.matrix` (:class:`TravelModel`, :func:`travel_matrix`, the cache),
:mod:`caravan.travel.roadnet` (the built-in road model), :mod:`caravan.travel.roadgraph`
(fastest paths over any road graph), :mod:`caravan.travel.osm` (road graphs from
OpenStreetMap extracts), :mod:`caravan.travel.osrm` (an OSRM server). This ``__init__``
only re-exports.
"""

from caravan.travel.matrix import TravelModel, estimate_matrix, travel_matrix

__all__ = ["TravelModel", "estimate_matrix", "travel_matrix"]
