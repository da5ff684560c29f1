"""``caravan complaints check``: read an export, write accepted.csv and rejects.csv."""

from __future__ import annotations

import click

from caravan.atomic import check_writable_dir
from caravan.cli.common import (
    column_mapping,
    quiet_option,
    read_with_progress,
    reading_options,
    translate_errors,
)
from caravan.complaints import check_summary_lines, write_check
from caravan.complaints.profiles import profile_argument


@click.group()
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
    for p in paths:
        click.echo(f"wrote {p}")
