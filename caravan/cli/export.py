"""``caravan export``: one plan.json in another format."""

from __future__ import annotations

from pathlib import Path

import click

from caravan.cli.common import calendar_option, map_assets_option, translate_errors
from caravan.errors import ParameterError
from caravan.outputs.formats import FORMATS, export_plan, format_for_path
from caravan.outputs.planfile import read_plan


@click.command("export")
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "ics", "geojson", "html", "png", "map")),
    default=None,
    help="csv: itinerary (Excel); ics: calendar events; geojson: routes and stops for a "
    "GIS; html: printable itinerary; png: map picture; map: interactive map.html. "
    "Default: from the --out file name.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write. Default: itinerary.csv, itinerary.ics, plan.geojson, "
    "itinerary.html, map.png or map.html beside PLAN.json.",
)
@map_assets_option
@calendar_option
@translate_errors
def export_command(plan_file, fmt, out, map_assets, calendar) -> None:
    """Write a plan (plan.json from caravan plan) in another format."""
    if fmt is None:
        fmt = format_for_path(out) if out else None
        if fmt is None:
            raise ParameterError(
                "give the format (csv, ics, geojson, html, png or map); it cannot be told "
                "from the file name",
                param="--format",
            )
    target = Path(out) if out else Path(plan_file).with_name(FORMATS[fmt])
    result = export_plan(
        read_plan(plan_file), fmt=fmt, out=target, calendar=calendar, map_assets=map_assets
    )
    if result.note:
        click.echo(f"note: {result.note}", err=True)
    click.echo(f"wrote {target}")
