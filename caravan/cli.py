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
from collections import Counter
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
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
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
    detour_factor,
    speed_kmh,
    time_limit,
    seed,
    engine,
    out,
    no_map,
    quiet,
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
        travel=_travel_model(detour_factor, speed_kmh),
        progress=progress,
    )
    progress.done()
    paths = write_plan(result, out, with_map=not no_map)
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
    ]
    return lines


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
        click.echo(csv_text(header, rows), nl=False)
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
