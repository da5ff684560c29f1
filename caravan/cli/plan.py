"""``caravan plan`` and ``caravan replan``: options in, a request to the library, files out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from caravan.atomic import check_writable_dir
from caravan.cli.common import (
    ReadProgress,
    calendar_option,
    check_provinces,
    column_mapping,
    db_option,
    echo_written,
    level_option,
    map_assets_option,
    png_font_note,
    provinces_option,
    quiet_option,
    read_with_progress,
    reading_options,
    rolling_options,
    translate_errors,
    travel_model,
    travel_options,
)
from caravan.clock import monday_of, today
from caravan.complaints import reading_lines
from caravan.complaints.profiles import profile_argument
from caravan.history.store import open_history
from caravan.outputs.commit import commit_plan, recorded_line
from caravan.outputs.planfile import read_plan
from caravan.outputs.report import plan_history_lines
from caravan.outputs.summary import summary_lines
from caravan.outputs.write import write_plan
from caravan.plan.replan import parse_pin, replan_week
from caravan.plan.request import (
    DEFAULT_MAX_NIGHTS,
    DEFAULT_NIGHT_COST,
    HistoryRules,
    PlanRequest,
)
from caravan.plan.week import plan_week, read_request_complaints, read_request_history
from caravan.plan.workdays import started_week_warning
from caravan.types import ENGINES


class SolveProgress:
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


@click.command()
@click.option(
    "--complaints",
    type=click.Path(dir_okay=False),
    default=None,
    help="Complaint CSV or .xlsx (see docs/complaints.md). Default: the built-in sample.",
)
@reading_options
@click.option("--strict", is_flag=True, help="Stop with an error if any complaint row is rejected.")
@click.option(
    "--population",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV code,population: the map shades open complaints per 10,000 residents "
    "instead of per km².",
)
@provinces_option
@level_option
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
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV code,lon,lat moving visit sites (or BASE65 etc.).",
)
@click.option(
    "--weights",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML file overriding the priority weights (see caravan/plan/weights.toml).",
)
@click.option(
    "--no-overnight",
    is_flag=True,
    help="Day trips only: every unit is back at its base every evening (see docs/tours.md).",
)
@click.option(
    "--max-nights",
    type=int,
    default=DEFAULT_MAX_NIGHTS,
    show_default=True,
    metavar="N",
    help="Nights away a unit may spend in a week (0: day trips only).",
)
@click.option(
    "--night-cost",
    type=float,
    default=DEFAULT_NIGHT_COST,
    show_default=True,
    metavar="POINTS",
    help="Priority points one night away costs in the objective (allowance and lodging of "
    "the team; docs/tours.md shows the conversion from baht).",
)
@click.option(
    "--lodging",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="FILE",
    help="CSV code,name_th,name_en,lon,lat[,province_code]: where units may sleep. A "
    "province with rows uses exactly these (a district code alone keeps its office); the "
    "others keep their district offices.",
)
@travel_options
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
    help="Optimizer engine (see docs/optimizer.md).",
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
@map_assets_option
@calendar_option
@quiet_option
@rolling_options
@translate_errors
def plan(
    complaints,
    encoding,
    sheet,
    column,
    columns_file,
    profile,
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
    no_overnight,
    max_nights,
    night_cost,
    lodging,
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
    map_assets,
    calendar,
    quiet,
    db,
    no_history,
    recency_weeks,
    max_gap_weeks,
    holidays,
    workdays,
    commit,
) -> None:
    """Plan a week: choose, order and time the visits of every unit.

    Objective: maximise the sum of priority of the visited sites minus total drive minutes
    divided by --minutes-per-point minus nights away times --night-cost.
    """
    request = PlanRequest(
        complaints=complaints or "",
        encoding=encoding or "",
        sheet=sheet or "",
        columns=column_mapping(column, columns_file),
        profile=profile or "",
        strict=strict,
        population=population or "",
        provinces=check_provinces(provinces),
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
        bases=list(bases),
        sites=site_overrides or "",
        weights=weights or "",
        travel=travel_model(travel_mode, roads_file, osrm_url, detour_factor, speed_kmh),
        time_limit=time_limit,
        seed=seed,
        engine=engine,
        holidays=holidays,
        workdays=workdays,
        history=HistoryRules(
            use_history=not no_history, recency_weeks=recency_weeks, max_gap_weeks=max_gap_weeks
        ),
        overnight=not no_overnight,
        max_nights=max_nights,
        night_cost=night_cost,
        lodging=lodging or "",
    )
    check_writable_dir(out)
    if commit:  # refuse an unusable database before planning, not after
        open_history(db).close()
    bar = ReadProgress(quiet)
    try:
        cfile = read_request_complaints(request, progress=bar)
    finally:
        bar.close()
    progress = SolveProgress(quiet)
    result = plan_week(
        request,
        complaints=cfile,
        history=read_request_history(request, db),
        progress=progress,
    )
    progress.done()
    paths = write_plan(
        result, out, with_map=not no_map, png=png, calendar=calendar, map_assets=map_assets
    )
    # after the files, so that a failed run still prints its error as its only line
    started = started_week_warning(request.monday, today=today(), week_label=request.week)
    if started:
        click.echo(f"warning: {started}", err=True)
    finish(result, paths, out, commit=commit, db=db, quiet=quiet, png=png, cfile=cfile)


def finish(
    result, paths, out, *, commit: bool, db, quiet: bool, png: bool, replan_of=None, cfile=None
):
    """Record the plan when asked (--commit), then print the summary, what only the planner
    sees of the complaint file read (``cfile``: the profile, unknown categories) and the
    files."""
    if png:
        png_font_note()
    recorded = None
    if commit:
        recorded = commit_plan(
            result, db=db, source=str(Path(out) / "plan.json"), replan_of=replan_of
        )
    if quiet:
        return
    for line in summary_lines(result) + plan_history_lines(result):
        click.echo(line)
    for line in reading_lines(cfile) if cfile is not None else ():
        click.echo(line)
    echo_written(paths, earlier="plan")
    if recorded:
        click.echo(recorded_line(*recorded))


@click.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False))
@click.option(
    "--done-through",
    default=None,
    metavar="DATE",
    help="Keep the visits of the days up to and including DATE as they were. Required "
    "unless --pin is given (then nothing before the pins is kept).",
)
@click.option(
    "--pin",
    "pins",
    multiple=True,
    metavar="UNIT:DATE",
    help="Keep this unit-day exactly as planned (e.g. 35-1:2026-12-02) and plan the other "
    "days left again. Repeatable; day trips only.",
)
@click.option(
    "--complaints",
    type=click.Path(dir_okay=False),
    default=None,
    help="New complaint file (CSV or .xlsx). Default: the priorities stored in PLAN.json.",
)
@reading_options
@click.option("--must-visit", multiple=True, metavar="CODE", help="Add a required site.")
@click.option("--skip", multiple=True, metavar="CODE", help="Leave a site out.")
@click.option(
    "--holiday",
    "holidays",
    multiple=True,
    metavar="DATE",
    help="A day left to plan that is not worked after all. Repeatable.",
)
@db_option
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
@map_assets_option
@calendar_option
@quiet_option
@translate_errors
def replan(
    plan_file,
    done_through,
    pins,
    complaints,
    encoding,
    sheet,
    column,
    columns_file,
    profile,
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
    map_assets,
    calendar,
    quiet,
) -> None:
    """Replan the rest of a week: keep the days up to --done-through and the --pin
    unit-days, re-optimise the rest.

    Writes the same files as 'caravan plan'; itinerary.csv gets a 'changed' column and
    plan.json a 'replan' section listing added, removed, moved and retimed visits.
    """
    if done_through is None and not pins:
        raise click.UsageError("Missing option '--done-through' (or --pin).")
    pinned = [parse_pin(p) for p in pins]
    check_writable_dir(out)
    original = read_plan(plan_file)
    reading = {
        "encoding": encoding or "",
        "sheet": sheet or "",
        "columns": column_mapping(column, columns_file),
        "profile": profile_argument(profile),
    }
    cfile = None
    if complaints is not None:
        cfile = read_with_progress(
            complaints,
            encoding=encoding,
            sheet=sheet,
            columns=reading["columns"],
            profile=reading["profile"] or None,
            quiet=quiet,
        )
        reading["complaints"] = complaints
    snap = None
    replan_of = None
    if not no_history:
        with open_history(db) as hist:
            snap = hist.snapshot(before=monday_of(original.parameters.week))
            replan_of = hist.active_plan(original.parameters.week)
    result = replan_week(
        plan=original,
        done_through=done_through,
        pinned=pinned,
        complaints=cfile,
        reading=reading if cfile is not None else None,
        history=snap,
        must_visit=must_visit,
        skip=skip,
        holidays=holidays,
        time_limit=time_limit,
        base_path=str(plan_file),
    )
    paths = write_plan(
        result, out, with_map=not no_map, png=png, calendar=calendar, map_assets=map_assets
    )
    finish(
        result,
        paths,
        out,
        commit=commit,
        db=db,
        quiet=quiet,
        png=png,
        replan_of=replan_of,
        cfile=cfile,
    )
