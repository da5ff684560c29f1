"""The ``caravan`` command. The only module that imports click.

Each command translates its options into a library call and the library's exceptions into
exit codes: :class:`~caravan.errors.ParameterError` is a usage error (exit 2, click's
``Error: Invalid value for '--option': ...`` line), :class:`~caravan.errors.InputError`,
:class:`~caravan.errors.NoPlanError` and output errors are data errors (exit 1,
``Error: ...``).
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path

import click

from caravan import __version__
from caravan.atomic import OutputError, atomic_write_text, check_writable_dir
from caravan.errors import CaravanError, ParameterError
from caravan.types import LEVELS, PROVINCES


def _usage_error(exc: ParameterError) -> click.UsageError:
    if exc.param.startswith("--"):
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
        default=60.0,
        show_default=True,
        help="Average door-to-door driving speed.",
    )(func)
    func = click.option(
        "--detour-factor",
        type=float,
        default=1.2,
        show_default=True,
        help="Road km per great-circle km.",
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


def _check_provinces(provinces: tuple[str, ...]) -> tuple[str, ...]:
    from caravan.geography import check_province

    return tuple(check_province(p) for p in provinces) if provinces else tuple(PROVINCES)


def _travel_model(detour_factor: float, speed_kmh: float):
    from caravan.travel import TravelModel

    return TravelModel(detour_factor=detour_factor, speed_kmh=speed_kmh)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="caravan")
def cli() -> None:
    """Plan where the government caravan goes each week, in what order, and when."""


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
    help="Complaint CSV (see README for the columns). Default: the built-in sample.",
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
    "--service-minutes", type=int, default=180, show_default=True, help="Length of one visit."
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
    type=click.Choice(("auto", "exact", "pyvrp")),
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
@translate_errors
def plan(
    complaints,
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
) -> None:
    """Plan a week: choose, order and time the visits of every unit.

    Objective: maximise the sum of priority of the visited sites minus total drive minutes
    divided by --minutes-per-point.
    """
    from caravan.export import write_plan
    from caravan.planner import plan_week

    check_writable_dir(out)
    progress = _Progress(quiet)
    result = plan_week(
        complaints=complaints,
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
        travel=_travel_model(detour_factor, speed_kmh),
        progress=progress,
    )
    progress.done()
    paths = write_plan(result, out, with_map=not no_map, png=png, calendar=calendar)
    if png:
        _png_font_note()
    if quiet:
        return
    for line in summary_lines(result):
        click.echo(line)
    for p in paths:
        click.echo(f"wrote {p}")


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
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="CSV file to write (from_code,to_code,minutes,km).",
)
@translate_errors
def matrix(provinces, level, site_overrides, detour_factor, speed_kmh, output) -> None:
    """Write drive minutes and km between every pair of sites, bases included."""
    from caravan.export import csv_text
    from caravan.geography import load_geography, read_site_overrides
    from caravan.travel import estimate_matrix, matrix_rows

    provs = _check_provinces(provinces)
    geo = load_geography()
    if site_overrides:
        geo = geo.with_overrides(read_site_overrides(site_overrides, geo))
    sites = [geo.base(p) for p in provs] + geo.candidates(level=level, provinces=provs)
    m = estimate_matrix(sites, _travel_model(detour_factor, speed_kmh))
    rows = ((a, b, mins, f"{km:.1f}") for a, b, mins, km in matrix_rows(m))
    _write_output(output, csv_text(("from_code", "to_code", "minutes", "km"), rows))
    click.echo(f"wrote {len(sites) * (len(sites) - 1)} pairs of {len(sites)} sites to {output}")


def _write_output(path: str, text: str, *, bom: bool = False) -> None:
    target = Path(path)
    check_writable_dir(target.parent if str(target.parent) else ".")
    try:
        atomic_write_text(target, text, bom=bom)
    except OSError as exc:
        raise OutputError(f"cannot write '{path}': {exc.strerror}") from None


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


def main() -> None:
    cli(prog_name="caravan")


if __name__ == "__main__":
    main()
