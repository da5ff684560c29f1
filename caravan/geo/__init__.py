"""Stage 1, geography: the provinces, districts and tambons caravan plans for.

:mod:`caravan.geo.geography` (the built-in data, visit sites, bases, boundaries),
:mod:`caravan.geo.build` (``caravan data build``: ``data/geo/`` from the source files),
:mod:`caravan.geo.density` (what the maps shade), :mod:`caravan.geo.listing` (``caravan
districts``). This ``__init__`` only re-exports.
"""

from caravan.geo.geography import (
    Geography,
    boundaries,
    check_level,
    check_province,
    load_geography,
    read_site_overrides,
)

__all__ = [
    "Geography",
    "boundaries",
    "check_level",
    "check_province",
    "load_geography",
    "read_site_overrides",
]
