"""``caravan sample complaints``: synthetic complaint files for demos, tests and benchmarks."""

from __future__ import annotations

import datetime as dt

import click

from caravan.cli.common import check_provinces, provinces_option, translate_errors, write_output
from caravan.clock import today
from caravan.complaints.sample import generate, to_csv, to_thai_export
from caravan.errors import ParameterError


@click.group()
def sample() -> None:
    """Make synthetic input files."""


@sample.command("complaints")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--count", type=click.IntRange(1, 5_000_000), default=1500, show_default=True)
@provinces_option
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
@click.option(
    "--style",
    type=click.Choice(("plain", "thai-export")),
    default="plain",
    show_default=True,
    help="plain: caravan's own column names, ISO dates, codes. thai-export: as a provincial "
    "office exports them (Thai headers, Buddhist-era dates, Thai names, made-up personal "
    "columns, a few faulty rows); read it with a column mapping (examples/columns.toml).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@translate_errors
def sample_complaints(seed, count, provinces, as_of, days, style, output) -> None:
    """Write realistic synthetic complaints for the three provinces."""
    if as_of is None:
        day = today()
    else:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ParameterError(
                f"'{as_of}' is not a date like 2026-11-20", param="--as-of"
            ) from None
    rows = generate(
        seed=seed, count=count, as_of=day, provinces=check_provinces(provinces), days=days
    )
    text = to_thai_export(rows, as_of=day) if style == "thai-export" else to_csv(rows)
    write_output(output, text, bom=style == "thai-export")
    click.echo(f"wrote {len(rows)} complaints to {output}")
