"""Stage 5, outputs: what a plan becomes for people and programs.

:mod:`caravan.outputs.planfile` (``plan.json``, written and read back),
:mod:`caravan.outputs.itinerary` (``itinerary.csv``, ``rejects.csv``,
``outcome_template.csv``), :mod:`caravan.outputs.write` (a plan's files, all or none),
:mod:`caravan.outputs.formats` (``caravan export``), :mod:`caravan.outputs.maps`
(``map.html``), :mod:`caravan.outputs.staticmap` (``map.png``), :mod:`caravan.outputs.mapdata`
(what both maps draw), :mod:`caravan.outputs.ics`, :mod:`caravan.outputs.geojson`,
:mod:`caravan.outputs.printable` (``itinerary.html``), :mod:`caravan.outputs.report` (history
and season reports), :mod:`caravan.outputs.summary` (the plan summary),
:mod:`caravan.outputs.labels` (dates and words people read). This ``__init__`` only
re-exports.
"""

from caravan.outputs.formats import export_plan
from caravan.outputs.planfile import plan_json, read_plan
from caravan.outputs.write import write_plan

__all__ = ["export_plan", "plan_json", "read_plan", "write_plan"]
