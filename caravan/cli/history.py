"""``caravan history`` (record plans and outcomes, list and show weeks) and ``caravan report``."""

from __future__ import annotations

import click

from caravan.cli.common import (
    check_provinces,
    db_option,
    provinces_option,
    translate_errors,
    write_output,
)
from caravan.clock import parse_week, parse_week_range, today
from caravan.errors import CaravanError
from caravan.history.outcomes import read_outcomes
from caravan.history.store import open_history
from caravan.outputs.commit import commit_plan, recorded_line
from caravan.outputs.planfile import read_plan
from caravan.outputs.report import (
    plans_table,
    season_html,
    season_report,
    season_tables,
    week_table,
)


@click.group()
def history() -> None:
    """The visit history: record plans and outcomes, list and show weeks."""


@history.command("record")
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False))
@db_option
@translate_errors
def history_record(plan_file, db) -> None:
    """Record a plan.json in the history (replaces earlier plans of its week and provinces)."""
    path, res = commit_plan(read_plan(plan_file), db=db, source=str(plan_file))
    click.echo(recorded_line(path, res))


@history.command("outcome")
@click.argument("outcome_file", metavar="FILE", type=click.Path(dir_okay=False))
@db_option
@translate_errors
def history_outcome(outcome_file, db) -> None:
    """Record what the field team reported per visit (outcome_template.csv filled in)."""
    with open_history(db) as hist:
        if not hist.exists:
            raise CaravanError(
                f"{hist.path}: no history database yet: record the plan first (caravan "
                "history record PLAN.json)"
            )
        rows, empty = read_outcomes(outcome_file, visits=hist.visits(), today=today())
        new, replaced = hist.record_outcomes(rows, source=str(outcome_file))
        resolved = sum(r.resolved for r in rows)
        escalated = sum(r.escalated for r in rows)
        click.echo(
            f"recorded {new + replaced} outcome(s) ({new} new, {replaced} replaced; "
            f"{empty} row(s) left empty) from {outcome_file} in {hist.path}: "
            f"{resolved} complaint(s) resolved, {escalated} escalated"
        )


@history.command("list")
@db_option
@translate_errors
def history_list(db) -> None:
    """List the recorded plans."""
    with open_history(db) as hist:
        plans = hist.plans()
        if not plans:
            click.echo(f"no plans recorded in {hist.path}")
            return
        for line in plans_table(plans):
            click.echo(line)


@history.command("show")
@click.argument("week", metavar="WEEK")
@db_option
@translate_errors
def history_show(week, db) -> None:
    """Show a recorded week: its visits and their outcomes."""
    label, _ = parse_week(week, param="WEEK")
    with open_history(db) as hist:
        for line in week_table(hist, label):
            click.echo(line)


@click.command()
@click.option("--from", "first", required=True, metavar="YYYY-Www", help="First week.")
@click.option("--to", "last", required=True, metavar="YYYY-Www", help="Last week.")
@provinces_option
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
@click.option(
    "--lang",
    type=click.Choice(["en", "th"]),
    default="en",
    show_default=True,
    help="Language of the HTML page (th: Thai words, Buddhist-era dates).",
)
@db_option
@translate_errors
def report(first, last, provinces, max_gap_weeks, html_file, lang, db) -> None:
    """Season report: visits per district, complaints reached and resolved per week, weeks
    since each district's last visit."""
    a, b = parse_week_range(first, last)
    with open_history(db) as hist:
        rep = season_report(
            hist,
            first=a,
            last=b,
            provinces=check_provinces(provinces) if provinces else None,
            max_gap_weeks=max_gap_weeks,
        )
    for line in season_tables(rep):
        click.echo(line)
    if html_file:
        write_output(html_file, season_html(rep, lang=lang))
        click.echo(f"wrote {html_file}")
