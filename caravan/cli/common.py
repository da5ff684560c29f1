"""What the commands share: error translation, common options, progress on stderr.

Each command translates its options into a library call and the library's exceptions into
exit codes: :class:`~caravan.errors.ParameterError` is a usage error (exit 2, click's
``Error: Invalid value for '--option': ...`` line), :class:`~caravan.errors.InputError`,
:class:`~caravan.errors.NoPlanError` and output errors are data errors (exit 1,
``Error: ...``).
"""

from __future__ import annotations

import functools
import sys

import click

from caravan.atomic import OutputError, utf8, write_file
from caravan.complaints import parse_column_options, read_columns_file, read_complaints
from caravan.errors import CaravanError, ParameterError
from caravan.geo.geography import check_province
from caravan.outputs.mapassets import MAP_ASSETS
from caravan.travel.matrix import TravelModel
from caravan.types import LEVELS, PROVINCES, TRAVEL_MODES


def usage_error(exc: ParameterError) -> click.UsageError:
    if exc.param.startswith("--") or exc.param.isupper():  # an option or an ARGUMENT
        return click.BadParameter(exc.reason, param_hint=f"'{exc.param}'")
    return click.UsageError(str(exc))


def translate_errors(func):
    """Run a command body; turn caravan's exceptions into click's (exit 2 or 1)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ParameterError as exc:
            raise usage_error(exc) from None
        except (CaravanError, OutputError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def provinces_option(func):
    return click.option(
        "--province",
        "provinces",
        multiple=True,
        metavar="CODE",
        help="Province code: 65 Phitsanulok, 37 Amnat Charoen, 35 Yasothon. Repeatable; "
        "default all three.",
    )(func)


def level_option(func):
    return click.option(
        "--level",
        type=click.Choice(LEVELS),
        default="district",
        show_default=True,
        help="Plan by district (amphoe) or tambon.",
    )(func)


def travel_options(func):
    func = click.option(
        "--speed-kmh",
        type=float,
        default=None,
        help="--travel straight: average door-to-door driving speed.  [default: 60]",
    )(func)
    func = click.option(
        "--detour-factor",
        type=float,
        default=None,
        help="--travel straight: road km per great-circle km.  [default: 1.2]",
    )(func)
    func = click.option(
        "--osrm-url",
        default=None,
        envvar="CARAVAN_OSRM_URL",
        help="--travel osrm: the OSRM server, e.g. http://localhost:5000 (or $CARAVAN_OSRM_URL).",
    )(func)
    func = click.option(
        "--roads",
        "roads_file",
        type=click.Path(dir_okay=False),
        default=None,
        help="--travel osm: the road graph file (default: the one 'caravan roads build' "
        "writes in the user data folder).",
    )(func)
    func = click.option(
        "--travel",
        "travel_mode",
        type=click.Choice(TRAVEL_MODES),
        default="road",
        show_default=True,
        help="Travel model: road (built-in road network), straight (great-circle x detour "
        "factor), osm (graph from 'caravan roads build'), osrm (OSRM server). See "
        "docs/travel.md.",
    )(func)
    return func


def calendar_option(func):
    return click.option(
        "--calendar",
        type=click.Choice(("gregorian", "buddhist")),
        default="gregorian",
        show_default=True,
        help="Calendar of the dates people read (maps, printable itinerary): buddhist "
        "writes the Buddhist era (พ.ศ.). CSV, ICS and GeoJSON keep ISO dates.",
    )(func)


def map_assets_option(func):
    return click.option(
        "--map-assets",
        type=click.Choice(MAP_ASSETS),
        default="inline",
        show_default=True,
        help="Where map.html takes Leaflet and jQuery from: inline puts them into the page "
        "(it works with no network; only the background tiles need one), cdn links to "
        "their CDNs (a smaller page that needs the internet).",
    )(func)


def png_font_note() -> None:
    from caravan.outputs.staticmap import NO_THAI_FONT_NOTE, find_thai_font  # matplotlib

    if find_thai_font() is None:
        click.echo(f"note: {NO_THAI_FONT_NOTE}", err=True)


# options of rolling planning (issue 6), used by 'plan' and the commands at the end


def db_option(func):
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=None,
        help="History database (SQLite). Default: $CARAVAN_DB, else the user data folder "
        "(~/.local/share/caravan/history.sqlite on Linux).",
    )(func)


def rolling_options(func):
    for decorator in reversed(
        (
            db_option,
            click.option(
                "--no-history",
                is_flag=True,
                help="Plan without reading the history (no recency, fairness or outcomes).",
            ),
            click.option(
                "--recency-weeks",
                type=click.IntRange(0, 104),
                default=None,
                help="A site visited in the last N weeks counts its old complaints less; "
                "visited last week: it rests. 0 = off. [default: 3 district, 8 tambon]",
            ),
            click.option(
                "--max-gap-weeks",
                type=click.IntRange(0, 520),
                default=None,
                help="Every district (tambon at tambon level) gets a visit at least every K "
                "weeks: due sites become required. 0 = off. [default: 4 district, 26 tambon]",
            ),
            click.option(
                "--holiday",
                "holidays",
                multiple=True,
                metavar="DATE",
                help="A day off in the planned week besides the built-in Thai holidays. "
                "Repeatable.",
            ),
            click.option(
                "--workday",
                "workdays",
                multiple=True,
                metavar="DATE",
                help="Work on this day of the planned week (overrides a holiday, or adds a "
                "weekend day). Repeatable.",
            ),
            click.option(
                "--commit",
                is_flag=True,
                help="Record the plan in the history database (one transaction).",
            ),
        )
    ):
        func = decorator(func)
    return func


def check_provinces(provinces: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(check_province(p) for p in provinces) if provinces else tuple(PROVINCES)


def travel_model(travel_mode, roads_file, osrm_url, detour_factor, speed_kmh):
    """The --travel options as a TravelModel; an option of another model is an error."""
    for value, name, mode in (
        (detour_factor, "--detour-factor", "straight"),
        (speed_kmh, "--speed-kmh", "straight"),
        (roads_file, "--roads", "osm"),
    ):
        if value is not None and travel_mode != mode:
            raise ParameterError(f"applies to --travel {mode} only", param=name)
    # $CARAVAN_OSRM_URL may stay set while other models are used; a typed --osrm-url may not
    typed = click.get_current_context().get_parameter_source("osrm_url")
    if typed == click.core.ParameterSource.COMMANDLINE and travel_mode != "osrm":
        raise ParameterError("applies to --travel osrm only", param="--osrm-url")
    given = {"detour_factor": detour_factor, "speed_kmh": speed_kmh}  # else the model's defaults
    return TravelModel(
        mode=travel_mode,
        roads=roads_file or "",
        osrm_url=(osrm_url or "") if travel_mode == "osrm" else "",
        **{k: v for k, v in given.items() if v is not None},
    )


def reading_options(func):
    """--encoding, --sheet, --column, --columns, --profile: how to read a complaint file."""
    func = click.option(
        "--profile",
        default=None,
        metavar="NAME|FILE.toml",
        help="How to read the complaint source: a built-in profile (traffy, generic) or a "
        "profile TOML file (docs/platforms.md). Default: recognised from the header.",
    )(func)
    func = click.option(
        "--columns",
        "columns_file",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="FILE.toml",
        help="TOML file mapping fields to the headers of the complaint file.",
    )(func)
    func = click.option(
        "--column",
        multiple=True,
        metavar="FIELD=HEADER",
        help="Read FIELD (id, received, province, district, tambon, lat, lon, coordinates, "
        "category, status, urgency) from the column HEADER. Repeatable.",
    )(func)
    func = click.option(
        "--sheet", default=None, metavar="NAME", help="Sheet of an .xlsx file. Default: the first."
    )(func)
    func = click.option(
        "--encoding",
        default=None,
        metavar="NAME",
        help="Encoding of a CSV (utf-8, cp874 ...). Default: detected.",
    )(func)
    return func


class ReadProgress:
    """A progress bar on stderr while a long file is read (not with --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            if done >= total:
                return  # a short read: no bar
            self.bar = click.progressbar(
                length=max(total, 1), label="reading complaints", file=sys.stderr
            )
            self.bar.__enter__()
        self.bar.update(max(0, min(done, total) - self.done))
        self.done = min(done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def column_mapping(column: tuple[str, ...], columns_file: str | None) -> dict:
    """--columns FILE then --column FIELD=HEADER (which wins) as one field -> headers map."""
    chosen: dict = {}
    if columns_file:
        chosen.update(read_columns_file(columns_file))
    chosen.update(parse_column_options(column))
    return chosen


def write_output(path: str, text: str, *, bom: bool = False) -> None:
    """Write one file the user named (atomically)."""
    write_file(path, utf8(text, bom=bom))


def echo_written(paths, *, earlier: str) -> None:
    """``wrote PATH`` per file, then ``removed PATH (written for the earlier plan)`` per file
    of the folder's earlier set that the same switch removed (caravan.atomic)."""
    for p in paths:
        click.echo(f"wrote {p}")
    for p in getattr(paths, "removed", ()):
        click.echo(f"removed {p} (written by caravan for the earlier {earlier})")


quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")


def read_with_progress(path, *, encoding, sheet, columns: dict, quiet: bool, profile=None):
    """Read a complaint file with a progress bar on stderr (not with --quiet)."""
    bar = ReadProgress(quiet)
    try:
        return read_complaints(
            path, encoding=encoding, sheet=sheet, columns=columns, profile=profile, progress=bar
        )
    finally:
        bar.close()
