"""The ``caravan`` command. The only module that imports click.

Each command translates its options into a library call and the library's exceptions into
exit codes: :class:`~caravan.errors.ParameterError` is a usage error (exit 2, click's
``Error: Invalid value for '--option': ...`` line), :class:`~caravan.errors.InputError`,
:class:`~caravan.errors.NoPlanError` and output errors are data errors (exit 1,
``Error: ...``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import sys
from collections import Counter
from pathlib import Path

import click

from caravan import __version__
from caravan.atomic import OutputError, check_writable_dir, utf8, write_file
from caravan.errors import CaravanError, ParameterError
from caravan.types import ENGINES, LEVELS, PROVINCES, TRAVEL_MODES


def _usage_error(exc: ParameterError) -> click.UsageError:
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
            raise _usage_error(exc) from None
        except (CaravanError, OutputError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _provinces_option(func):
    return click.option(
        "--province",
        "provinces",
        multiple=True,
        metavar="CODE",
        help="Province code: 65 Phitsanulok, 37 Amnat Charoen, 35 Yasothon. Repeatable; "
        "default all three.",
    )(func)


def _level_option(func):
    return click.option(
        "--level",
        type=click.Choice(LEVELS),
        default="district",
        show_default=True,
        help="Plan by district (amphoe) or tambon.",
    )(func)


def _travel_options(func):
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
        "factor), osm (graph from 'caravan roads build'), osrm (OSRM server). See README, "
        "'Travel times'.",
    )(func)
    return func


def _calendar_option(func):
    return click.option(
        "--calendar",
        type=click.Choice(("gregorian", "buddhist")),
        default="gregorian",
        show_default=True,
        help="Calendar of the dates people read (maps, printable itinerary): buddhist "
        "writes the Buddhist era (พ.ศ.). CSV, ICS and GeoJSON keep ISO dates.",
    )(func)


def _png_font_note() -> None:
    from caravan.staticmap import NO_THAI_FONT_NOTE, find_thai_font

    if find_thai_font() is None:
        click.echo(f"note: {NO_THAI_FONT_NOTE}", err=True)


# options of rolling planning (issue 6), used by 'plan' and the commands at the end


def _db_option(func):
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=None,
        help="History database (SQLite). Default: $CARAVAN_DB, else the user data folder "
        "(~/.local/share/caravan/history.sqlite on Linux).",
    )(func)


def _rolling_options(func):
    for decorator in reversed(
        (
            _db_option,
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


def _check_provinces(provinces: tuple[str, ...]) -> tuple[str, ...]:
    from caravan.geography import check_province

    return tuple(check_province(p) for p in provinces) if provinces else tuple(PROVINCES)


def _travel_model(travel_mode, roads_file, osrm_url, detour_factor, speed_kmh):
    """The --travel options as a TravelModel; an option of another model is an error."""
    from caravan.travel import TravelModel

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="caravan")
def cli() -> None:
    """Plan where the government caravan goes each week, in what order, and when."""


# ---------------------------------------------------------------------------- complaints


def _reading_options(func):
    """--encoding, --sheet, --column, --columns: how to read a complaint file."""
    func = click.option(
        "--columns",
        "columns_file",
        type=click.Path(exists=True, dir_okay=False),
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


class _ReadProgress:
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


def _read_complaints(path, *, encoding, sheet, column, columns_file, quiet):
    """Read a complaint file with the reading options (the built-in sample by default)."""
    from caravan.complaints import parse_column_options, read_columns_file, read_complaints
    from caravan.planner import sample_complaints_path

    chosen: dict = {}
    if columns_file:
        chosen.update(read_columns_file(columns_file))
    chosen.update(parse_column_options(column))
    bar = _ReadProgress(quiet)
    try:
        return read_complaints(
            path if path is not None else sample_complaints_path(),
            encoding=encoding,
            sheet=sheet,
            columns=chosen,
            progress=bar,
        )
    finally:
        bar.close()


@cli.group()
def complaints() -> None:
    """Check complaint files before planning."""


@complaints.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for accepted.csv and rejects.csv.",
)
@_reading_options
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@translate_errors
def complaints_check(file, out, encoding, sheet, column, columns_file, quiet) -> None:
    """Read a complaint file; write accepted.csv (normalised rows) and rejects.csv (every
    row that cannot be used, with its line and reason); print the counts per reason."""
    from caravan.complaints import check_summary_lines, write_check

    check_writable_dir(out)
    cf = _read_complaints(
        file,
        encoding=encoding,
        sheet=sheet,
        column=column,
        columns_file=columns_file,
        quiet=quiet,
    )
    paths = write_check(cf, out)
    if quiet:
        return
    for line in check_summary_lines(cf):
        click.echo(line)
    for p in paths:
        click.echo(f"wrote {p}")


# ---------------------------------------------------------------------------- plan


class _Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = -1.0

    def __call__(self, province: str, elapsed: float, best: float, bound: float | None) -> None:
        if self.quiet or (elapsed - self.last < 0.5 and self.tty is False):
            return
        self.last = elapsed
        b = f", bound {bound:.2f}" if bound is not None else ""
        msg = f"solving province {province}: {elapsed:5.1f} s, best {best:.2f}{b}"
        if self.tty:
            click.echo("\r" + msg.ljust(70), nl=False, err=True)
        else:
            click.echo(msg, err=True)

    def done(self) -> None:
        if self.tty and not self.quiet and self.last >= 0:
            click.echo("", err=True)


@cli.command()
@click.option(
    "--complaints",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Complaint CSV or .xlsx (see README, 'Complaints'). Default: the built-in sample.",
)
@_reading_options
@click.option("--strict", is_flag=True, help="Stop with an error if any complaint row is rejected.")
@click.option(
    "--population",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="CSV code,population: the map shades open complaints per 10,000 residents "
    "instead of per km².",
)
@_provinces_option
@_level_option
@click.option(
    "--week",
    default=None,
    metavar="YYYY-Www",
    help="ISO week to plan, for example 2026-W49. Default: next week.",
)
@click.option("--days", type=int, default=5, show_default=True, help="Working days from Monday.")
@click.option("--units", type=int, default=1, show_default=True, help="Caravan units per province.")
@click.option(
    "--day-start",
    default="08:30",
    show_default=True,
    metavar="HH:MM",
    help="Earliest departure from the base.",
)
@click.option(
    "--day-end",
    default="16:30",
    show_default=True,
    metavar="HH:MM",
    help="Latest return to the base.",
)
@click.option(
    "--service-minutes",
    type=int,
    default=None,
    help="Length of one visit. Default: 240 at district level (a half-day event: one district "
    "a day), 120 at tambon level.",
)
@click.option(
    "--minutes-per-point",
    type=float,
    default=10.0,
    show_default=True,
    help="Drive minutes worth one priority point (the objective's exchange rate).",
)
@click.option(
    "--must-visit",
    multiple=True,
    metavar="CODE",
    help="A district or tambon that must be in the plan. Repeatable.",
)
@click.option(
    "--skip", multiple=True, metavar="CODE", help="A district or tambon to leave out. Repeatable."
)
@click.option(
    "--base",
    "bases",
    multiple=True,
    metavar="CODE",
    help="Start and end a province's units at this district or tambon site instead "
    "of the Mueang district office. Repeatable (one per province).",
)
@click.option(
    "--sites",
    "site_overrides",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="CSV code,lon,lat moving visit sites (or BASE65 etc.).",
)
@click.option(
    "--weights",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="TOML file overriding the priority weights (see caravan/weights.toml).",
)
@_travel_options
@click.option(
    "--time-limit",
    type=float,
    default=10.0,
    show_default=True,
    help="Seconds the optimizer may use in total.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="Optimizer engine (see README, 'Optimizer').",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="out",
    show_default=True,
    help="Folder for itinerary.csv, plan.json and map.html.",
)
@click.option("--no-map", is_flag=True, help="Do not write map.html.")
@click.option("--png", is_flag=True, help="Also write map.png, the plan map as a picture.")
@_calendar_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@_rolling_options
@translate_errors
def plan(
    complaints,
    encoding,
    sheet,
    column,
    columns_file,
    strict,
    population,
    provinces,
    level,
    week,
    days,
    units,
    day_start,
    day_end,
    service_minutes,
    minutes_per_point,
    must_visit,
    skip,
    bases,
    site_overrides,
    weights,
    travel_mode,
    roads_file,
    osrm_url,
    detour_factor,
    speed_kmh,
    time_limit,
    seed,
    engine,
    out,
    no_map,
    png,
    calendar,
    quiet,
    **rolling,
) -> None:
    """Plan a week: choose, order and time the visits of every unit.

    Objective: maximise the sum of priority of the visited sites minus total drive minutes
    divided by --minutes-per-point.
    """
    from caravan.export import write_plan
    from caravan.planner import plan_week

    check_writable_dir(out)
    cfile = _read_complaints(
        complaints,
        encoding=encoding,
        sheet=sheet,
        column=column,
        columns_file=columns_file,
        quiet=quiet,
    )
    progress = _Progress(quiet)
    history_options = _plan_history(rolling, week, level)
    result = plan_week(
        complaints=cfile,
        strict=strict,
        population=population,
        provinces=_check_provinces(provinces),
        level=level,
        week=week,
        days=days,
        units=units,
        day_start=day_start,
        day_end=day_end,
        service_minutes=service_minutes,
        minutes_per_point=minutes_per_point,
        must_visit=must_visit,
        skip=skip,
        time_limit=time_limit,
        seed=seed,
        engine=engine,
        bases=list(bases),
        site_overrides=site_overrides,
        weights=weights,
        travel=_travel_model(travel_mode, roads_file, osrm_url, detour_factor, speed_kmh),
        progress=progress,
        holidays=rolling["holidays"],
        workdays=rolling["workdays"],
        rolling=history_options,
    )
    progress.done()
    paths = write_plan(result, out, with_map=not no_map, png=png, calendar=calendar)
    if png:
        _png_font_note()
    _finish_plan(result, paths, out, rolling, quiet)


def summary_lines(plan) -> list[str]:
    p = plan.parameters
    c = plan.complaints
    drive_h = plan.drive_seconds / 3600
    lines = [
        f"week {p.week} ({p.dates[0].isoformat()} to {p.dates[-1].isoformat()}), "
        f"{p.level} level, provinces {', '.join(p.provinces)}, {p.units} unit(s) each",
        f"complaints: {c.rows} rows read from {c.source}, {c.accepted} accepted, "
        f"{c.rejected} rejected; {c.open} open in the planned provinces",
    ]
    if c.rejects:
        kinds = Counter(r.kind or r.reason.split(":")[0] for r in c.rejects)
        lines.append(
            "  rejected by reason: "
            + ", ".join(
                f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            )
        )
    for r in c.rejects[:10]:
        lines.append(f"  rejected {r.message()}")
    if c.rejected > 10:
        lines.append(f"  ... and {c.rejected - 10} more rejected rows (see rejects.csv)")
    lines += [
        f"visits: {len(plan.visits)} on {len(plan.routes)} unit-day(s); complaints reached: "
        f"{plan.complaints_reached}; drive: {drive_h:.1f} h, {plan.drive_metres / 1000:.0f} km",
        f"objective: {plan.objective:.2f} = priority {plan.total_priority:.2f} - "
        f"{plan.drive_seconds // 60} drive min / {p.minutes_per_point:g}",
        f"solver: {plan.solve.engine}, {plan.solve.describe()}, {plan.solve.seconds:.1f} s",
        f"travel: {p.travel_model}",
    ]
    return lines


# ---------------------------------------------------------------------------- export


@cli.command("export")
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(exists=True, dir_okay=False))
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
@_calendar_option
@translate_errors
def export_command(plan_file, fmt, out, calendar) -> None:
    """Write a plan (plan.json from caravan plan) in another format."""
    from caravan.formats import FORMATS, export_plan, format_for_path
    from caravan.planfile import read_plan

    if fmt is None:
        fmt = format_for_path(out) if out else None
        if fmt is None:
            raise ParameterError(
                "give the format (csv, ics, geojson, html, png or map); it cannot be told "
                "from the file name",
                param="--format",
            )
    target = Path(out) if out else Path(plan_file).with_name(FORMATS[fmt])
    result = export_plan(read_plan(plan_file), fmt=fmt, out=target, calendar=calendar)
    if result.note:
        click.echo(f"note: {result.note}", err=True)
    click.echo(f"wrote {target}")


# ---------------------------------------------------------------------------- matrix


@cli.command()
@_provinces_option
@_level_option
@click.option(
    "--sites",
    "site_overrides",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="CSV code,lon,lat moving visit sites.",
)
@_travel_options
@click.option(
    "--refresh",
    is_flag=True,
    help="Compute the matrix again even if a cached one exists (and store it).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="CSV file to write (from_code,to_code,minutes,km).",
)
@translate_errors
def matrix(
    provinces,
    level,
    site_overrides,
    travel_mode,
    roads_file,
    osrm_url,
    detour_factor,
    speed_kmh,
    refresh,
    output,
) -> None:
    """Write drive minutes and km between every pair of sites, bases included.

    The same sites, in the same order, as 'caravan plan' with the same --province and
    --level, so that a matrix computed (and cached) here is the one the plan uses.
    """
    from caravan.export import csv_text
    from caravan.geography import load_geography, read_site_overrides
    from caravan.travel import matrix_rows, travel_matrix

    provs = _check_provinces(provinces)
    geo = load_geography()
    if site_overrides:
        geo = geo.with_overrides(read_site_overrides(site_overrides, geo))
    sites = [geo.base(p) for p in provs] + geo.candidates(level=level, provinces=provs)
    model = _travel_model(travel_mode, roads_file, osrm_url, detour_factor, speed_kmh)
    m = travel_matrix(sites, model, refresh=refresh)
    rows = ((a, b, mins, f"{km:.1f}") for a, b, mins, km in matrix_rows(m))
    _write_output(output, csv_text(("from_code", "to_code", "minutes", "km"), rows))
    click.echo(f"wrote {len(sites) * (len(sites) - 1)} pairs of {len(sites)} sites to {output}")
    click.echo(f"travel: {m.model}")


def _write_output(path: str, text: str, *, bom: bool = False) -> None:
    write_file(path, utf8(text, bom=bom))


# ---------------------------------------------------------------------------- districts


@cli.command()
@_provinces_option
@_level_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "csv", "geojson")),
    default="table",
    show_default=True,
)
@translate_errors
def districts(provinces, level, fmt) -> None:
    """List the districts or tambons with their codes, names and visit sites."""
    import json

    from caravan.export import csv_text
    from caravan.geography import boundaries, load_geography

    provs = _check_provinces(provinces)
    geo = load_geography()
    sites = geo.candidates(level=level, provinces=provs)
    if fmt == "geojson":
        by_code = {s.code: s for s in sites}
        feats = []
        for f in boundaries(level, provs):
            s = by_code[f["properties"]["code"]]
            feats.append(
                {
                    "type": "Feature",
                    "geometry": f["geometry"],
                    "properties": {
                        "code": s.code,
                        "name_th": s.name_th,
                        "name_en": s.name_en,
                        "province_code": s.province_code,
                        "district_code": s.district_code,
                        "area_km2": s.area_km2,
                        "site_lon": s.lon,
                        "site_lat": s.lat,
                        "site_source": s.site_source,
                    },
                }
            )
        click.echo(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False))
        return
    header = (
        "code",
        "name_th",
        "name_en",
        "province_code",
        "district_code",
        "area_km2",
        "site_lon",
        "site_lat",
        "site_source",
    )
    rows = [
        (
            s.code,
            s.name_th,
            s.name_en,
            s.province_code,
            s.district_code,
            f"{s.area_km2:.2f}",
            f"{s.lon:.6f}",
            f"{s.lat:.6f}",
            s.site_source,
        )
        for s in sites
    ]
    if fmt == "csv":
        from caravan.export import safe_cell

        click.echo(csv_text(header, ([safe_cell(v) for v in r] for r in rows)), nl=False)
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


# ---------------------------------------------------------------------------- sample


@cli.group()
def sample() -> None:
    """Make synthetic input files."""


@sample.command("complaints")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--count", type=click.IntRange(1, 5_000_000), default=1500, show_default=True)
@_provinces_option
@click.option(
    "--as-of", default=None, metavar="YYYY-MM-DD", help="Latest date received. Default: today."
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=180,
    show_default=True,
    help="Spread of the dates received before --as-of.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@translate_errors
def sample_complaints(seed, count, provinces, as_of, days, output) -> None:
    """Write realistic synthetic complaints for the three provinces."""
    from caravan.planner import today_bangkok
    from caravan.sample import generate, to_csv

    if as_of is None:
        day = today_bangkok()
    else:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ParameterError(
                f"'{as_of}' is not a date like 2026-11-20", param="--as-of"
            ) from None
    rows = generate(
        seed=seed, count=count, as_of=day, provinces=_check_provinces(provinces), days=days
    )
    _write_output(output, to_csv(rows))
    click.echo(f"wrote {len(rows)} complaints to {output}")


# ---------------------------------------------------------------------------- data


@cli.group()
def data() -> None:
    """Build the built-in data."""


@data.command("build")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False),
    required=True,
    help="Folder with the source files (../shared/geo).",
)
@click.option("--out", type=click.Path(file_okay=False), default="data/geo", show_default=True)
@translate_errors
def data_build(source, out) -> None:
    """Build data/geo/ (districts, tambons, provinces, visit sites) from the source files."""
    from caravan.geobuild import build

    counts = build(Path(source), Path(out))
    click.echo(
        f"wrote {counts['districts']} districts, {counts['tambons']} tambons and "
        f"{counts['bases']} bases to {out}"
    )


# ---------------------------------------------------------------------------- roads


@cli.group()
def roads() -> None:
    """Road data for --travel osm: build a road graph from an OpenStreetMap extract."""


@roads.command("build")
@click.option(
    "--osm",
    "osm_file",
    type=click.Path(dir_okay=False),
    required=True,
    help="OpenStreetMap extract (.osm.pbf, or .osm XML), e.g. thailand-latest.osm.pbf.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Road graph file to write. Default: $CARAVAN_ROADS, else roads.npz in the user "
    "data folder (where --travel osm looks).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@translate_errors
def roads_build(osm_file, out, quiet) -> None:
    """Keep the drivable roads around the three provinces and store them as a road graph.

    Speeds come from maxspeed tags where present, else from defaults per highway class
    (README, 'Travel times'); one-way streets are respected. Every built-in visit site must
    lie within 5 km of a road of the extract. Nothing is written unless all of it works.
    """
    from caravan.geography import load_geography
    from caravan.osm import build_road_graph, default_graph_path

    target = Path(out) if out else default_graph_path()
    check_writable_dir(target.parent)
    geo = load_geography()
    progress = None if quiet else (lambda msg: click.echo(msg, err=True))
    graph = build_road_graph(osm_file, target, sites=list(geo.sites.values()), progress=progress)
    if not quiet:
        click.echo(f"wrote {target}: {graph.n_nodes:,} nodes, {graph.n_edges:,} road edges")
        click.echo("plan with it: caravan plan --travel osm")


@roads.command("info")
@click.option(
    "--roads",
    "roads_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Road graph file. Default: the one 'caravan roads build' writes.",
)
@translate_errors
def roads_info(roads_file) -> None:
    """Say which road graph --travel osm uses: where it is and what it was built from."""
    from caravan.osm import default_graph_path
    from caravan.roadgraph import load_graph

    path = Path(roads_file) if roads_file else default_graph_path()
    graph = load_graph(path)
    km = float(graph.metres.sum()) / 1000
    click.echo(f"road graph: {path}")
    click.echo(f"built from: {graph.source}")
    click.echo(f"{graph.n_nodes:,} nodes, {graph.n_edges:,} one-way edges, {km:,.0f} km of edges")


# ---------------------------------------------------------------------------- rolling planning
# history database, holidays, replan and reports (issue 6): logic in caravan.history,
# caravan.workdays, caravan.rolling, caravan.outcomes, caravan.replan, caravan.report


def _plan_history(rolling: dict, week: str | None, level: str):
    """Read the history a plan needs (nothing is created or written)."""
    from caravan.history import open_history
    from caravan.planner import parse_week
    from caravan.rolling import RollingOptions

    if rolling["no_history"]:
        if rolling["commit"]:  # refuse an unusable database before planning, not after
            open_history(rolling["db"]).close()
        return RollingOptions(
            recency_weeks=rolling["recency_weeks"], max_gap_weeks=rolling["max_gap_weeks"]
        )
    _, monday = parse_week(week)
    with open_history(rolling["db"]) as hist:
        snap = hist.snapshot(before=monday)
    return RollingOptions(
        history=snap, recency_weeks=rolling["recency_weeks"], max_gap_weeks=rolling["max_gap_weeks"]
    )


def _finish_plan(result, paths, out, rolling: dict, quiet: bool, *, replan_of=None) -> None:
    """Record the plan when asked (--commit), then print the summary."""
    from caravan.export import plan_json
    from caravan.report import plan_history_lines

    recorded = None
    if rolling.get("commit"):
        from caravan.history import open_history

        with open_history(rolling["db"], create=True) as hist:
            recorded = (
                hist.path,
                hist.record_plan(
                    plan=result,
                    plan_json=plan_json(result),
                    source=str(Path(out) / "plan.json"),
                    replan_of=replan_of,
                ),
            )
    if quiet:
        return
    for line in summary_lines(result) + plan_history_lines(result):
        click.echo(line)
    for p in paths:
        click.echo(f"wrote {p}")
    if recorded:
        click.echo(_recorded_line(*recorded))


def _recorded_line(path, res) -> str:
    if res.already:
        return f"already recorded as plan #{res.plan_id} in {path}"
    replaced = (
        f" (replaces plan {', '.join(f'#{i}' for i in res.replaced)})" if res.replaced else ""
    )
    return f"recorded plan #{res.plan_id} ({res.visits} visits) in {path}{replaced}"


@cli.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False))
@click.option(
    "--done-through",
    required=True,
    metavar="DATE",
    help="Keep the visits of the days up to and including DATE as they were.",
)
@click.option(
    "--complaints",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="New complaint file (CSV or .xlsx). Default: the priorities stored in PLAN.json.",
)
@_reading_options
@click.option("--must-visit", multiple=True, metavar="CODE", help="Add a required site.")
@click.option("--skip", multiple=True, metavar="CODE", help="Leave a site out.")
@click.option(
    "--holiday",
    "holidays",
    multiple=True,
    metavar="DATE",
    help="A day left to plan that is not worked after all. Repeatable.",
)
@_db_option
@click.option("--no-history", is_flag=True, help="Do not read the history database.")
@click.option(
    "--commit", is_flag=True, help="Record the new plan in the history (replaces the old)."
)
@click.option("--time-limit", type=float, default=None, help="Seconds for the optimizer.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="out",
    show_default=True,
    help="Folder for the new plan's files.",
)
@click.option("--no-map", is_flag=True, help="Do not write map.html.")
@click.option("--png", is_flag=True, help="Also write map.png, the plan map as a picture.")
@_calendar_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@translate_errors
def replan(
    plan_file,
    done_through,
    complaints,
    encoding,
    sheet,
    column,
    columns_file,
    must_visit,
    skip,
    holidays,
    db,
    no_history,
    commit,
    time_limit,
    out,
    no_map,
    png,
    calendar,
    quiet,
) -> None:
    """Replan the rest of a week: keep the days up to --done-through, re-optimise the rest.

    Writes the same files as 'caravan plan'; itinerary.csv gets a 'changed' column and
    plan.json a 'replan' section listing added, removed, moved and retimed visits.
    """
    from caravan.export import write_plan
    from caravan.history import monday_of, open_history
    from caravan.planfile import read_plan
    from caravan.replan import replan_week

    check_writable_dir(out)
    original = read_plan(plan_file)
    if complaints is not None:
        complaints = _read_complaints(
            complaints,
            encoding=encoding,
            sheet=sheet,
            column=column,
            columns_file=columns_file,
            quiet=quiet,
        )
    snap = None
    replan_of = None
    if not no_history:
        with open_history(db) as hist:
            snap = hist.snapshot(before=monday_of(original.parameters.week))
            active = {v.plan_id for v in hist.visits(weeks=[original.parameters.week])}
            replan_of = min(active) if len(active) == 1 else None
    result = replan_week(
        plan=original,
        done_through=done_through,
        complaints=complaints,
        history=snap,
        must_visit=must_visit,
        skip=skip,
        holidays=holidays,
        time_limit=time_limit,
    )
    result = dataclasses.replace(
        result,
        replan=dataclasses.replace(result.replan, base_plan=str(plan_file)),
        notes=tuple(n.replace("(in memory)", str(plan_file)) for n in result.notes),
    )
    paths = write_plan(result, out, with_map=not no_map, png=png, calendar=calendar)
    if png:
        _png_font_note()
    _finish_plan(result, paths, out, {"commit": commit, "db": db}, quiet, replan_of=replan_of)


@cli.group()
def history() -> None:
    """The visit history: record plans and outcomes, list and show weeks."""


@history.command("record")
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False))
@_db_option
@translate_errors
def history_record(plan_file, db) -> None:
    """Record a plan.json in the history (replaces earlier plans of its week and provinces)."""
    from caravan.export import plan_json
    from caravan.history import open_history
    from caravan.planfile import read_plan

    p = read_plan(plan_file)
    with open_history(db, create=True) as hist:
        res = hist.record_plan(plan=p, plan_json=plan_json(p), source=str(plan_file))
        click.echo(_recorded_line(hist.path, res))


@history.command("outcome")
@click.argument("outcome_file", metavar="FILE", type=click.Path(dir_okay=False))
@_db_option
@translate_errors
def history_outcome(outcome_file, db) -> None:
    """Record what the field team reported per visit (outcome_template.csv filled in)."""
    from caravan.history import open_history
    from caravan.outcomes import read_outcomes
    from caravan.planner import today_bangkok

    with open_history(db) as hist:
        if not hist.exists:
            raise CaravanError(
                f"{hist.path}: no history database yet: record the plan first (caravan "
                "history record PLAN.json)"
            )
        rows, empty = read_outcomes(outcome_file, visits=hist.visits(), today=today_bangkok())
        new, replaced = hist.record_outcomes(rows, source=str(outcome_file))
        resolved = sum(r.resolved for r in rows)
        escalated = sum(r.escalated for r in rows)
        click.echo(
            f"recorded {new + replaced} outcome(s) ({new} new, {replaced} replaced; "
            f"{empty} row(s) left empty) from {outcome_file} in {hist.path}: "
            f"{resolved} complaint(s) resolved, {escalated} escalated"
        )


@history.command("list")
@_db_option
@translate_errors
def history_list(db) -> None:
    """List the recorded plans."""
    from caravan.history import open_history
    from caravan.report import plans_table

    with open_history(db) as hist:
        plans = hist.plans()
        if not plans:
            click.echo(f"no plans recorded in {hist.path}")
            return
        for line in plans_table(plans):
            click.echo(line)


@history.command("show")
@click.argument("week", metavar="WEEK")
@_db_option
@translate_errors
def history_show(week, db) -> None:
    """Show a recorded week: its visits and their outcomes."""
    from caravan.history import open_history
    from caravan.planner import parse_week
    from caravan.report import week_table

    try:
        label, _ = parse_week(week)
    except ParameterError as exc:
        raise ParameterError(exc.reason, param="WEEK") from None
    with open_history(db) as hist:
        for line in week_table(hist, label):
            click.echo(line)


@cli.command()
@click.option("--from", "first", required=True, metavar="YYYY-Www", help="First week.")
@click.option("--to", "last", required=True, metavar="YYYY-Www", help="Last week.")
@_provinces_option
@click.option(
    "--max-gap-weeks",
    type=click.IntRange(1, 520),
    default=None,
    help="Mark districts without a visit for this many weeks. [default: 4]",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the report as an HTML page with charts.",
)
@_db_option
@translate_errors
def report(first, last, provinces, max_gap_weeks, html_file, db) -> None:
    """Season report: visits per district, complaints reached and resolved per week, weeks
    since each district's last visit."""
    from caravan.history import open_history
    from caravan.planner import parse_week
    from caravan.report import season_html, season_report, season_tables

    try:
        a, monday_a = parse_week(first)
    except ParameterError as exc:
        raise ParameterError(exc.reason, param="--from") from None
    try:
        b, monday_b = parse_week(last)
    except ParameterError as exc:
        raise ParameterError(exc.reason, param="--to") from None
    if monday_b < monday_a:
        raise ParameterError(f"{b} is before --from {a}", param="--to")
    with open_history(db) as hist:
        rep = season_report(
            hist,
            first=a,
            last=b,
            provinces=_check_provinces(provinces) if provinces else None,
            max_gap_weeks=max_gap_weeks,
        )
    for line in season_tables(rep):
        click.echo(line)
    if html_file:
        _write_output(html_file, season_html(rep))
        click.echo(f"wrote {html_file}")


def main() -> None:
    cli(prog_name="caravan")


if __name__ == "__main__":
    main()
