"""``caravan complaints check``: read an export, write accepted.csv and rejects.csv;
``caravan complaints fetch traffy``: a platform's complaints into a CSV."""

from __future__ import annotations

import os
from pathlib import Path

import click

from caravan.atomic import check_writable_dir
from caravan.cli.common import (
    check_provinces,
    column_mapping,
    echo_written,
    provinces_option,
    quiet_option,
    read_with_progress,
    reading_options,
    translate_errors,
)
from caravan.clock import parse_date
from caravan.complaints import check_summary_lines, write_check
from caravan.complaints.profiles import profile_argument
from caravan.complaints.traffy import API_URL, TOKEN_ENV, URL_ENV, fetch_traffy


@click.group()
def complaints() -> None:
    """Check complaint files before planning."""


@complaints.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for accepted.csv and rejects.csv.",
)
@reading_options
@quiet_option
@translate_errors
def complaints_check(file, out, encoding, sheet, column, columns_file, profile, quiet) -> None:
    """Read a complaint file; write accepted.csv (normalised rows) and rejects.csv (every
    row that cannot be used, with its line and reason); print the counts per reason, the
    profile used and why, and the category values caravan does not know."""
    check_writable_dir(out)
    columns = column_mapping(column, columns_file)
    cf = read_with_progress(
        file,
        encoding=encoding,
        sheet=sheet,
        columns=columns,
        profile=profile_argument(profile),
        quiet=quiet,
    )
    paths = write_check(cf, out)
    if quiet:
        return
    for line in check_summary_lines(cf):
        click.echo(line)
    echo_written(paths, earlier="check")


@complaints.command("fetch")
@click.argument("platform", type=click.Choice(["traffy"]))
@provinces_option
@click.option(
    "--since",
    required=True,
    metavar="DATE",
    help="Keep the complaints received on or after DATE (Asia/Bangkok).",
)
@click.option(
    "--org",
    "orgs",
    multiple=True,
    metavar="ID",
    help="A Traffy Fondue organisation (org_id), one answer each. Repeatable. Default: the "
    "token's organisation.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The CSV to write (read it with 'complaints check' or 'plan --complaints').",
)
@click.option(
    "--url",
    envvar=URL_ENV,
    default=API_URL,
    show_default=True,
    help=f"The exchange API (or ${URL_ENV}).",
)
@quiet_option
@translate_errors
def complaints_fetch(platform, provinces, since, orgs, out, url, quiet) -> None:
    """Fetch a platform's complaints into a CSV: Traffy Fondue's exchange API, with the
    token in $CARAVAN_TRAFFY_TOKEN. Nothing is written unless every answer is complete."""
    check_writable_dir(Path(out).parent)
    fetched = fetch_traffy(
        out,
        token=os.environ.get(TOKEN_ENV, ""),
        provinces=check_provinces(provinces),
        since=parse_date(since, param="--since"),
        orgs=orgs,
        base_url=url,
    )
    if not quiet:
        for line in fetched.lines():
            click.echo(line)
        click.echo(f"wrote {fetched.path}")
