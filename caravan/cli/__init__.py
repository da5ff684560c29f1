"""The ``caravan`` command (click): one module per command group, each command a thin
translation of its options into a library call (:mod:`caravan.cli.common` says how errors
become exit codes). The only package that imports click."""

from __future__ import annotations

import click

from caravan import __version__
from caravan.cli.complaints import complaints
from caravan.cli.export import export_command
from caravan.cli.geo import data, districts
from caravan.cli.history import history, report
from caravan.cli.plan import plan, replan
from caravan.cli.sample import sample
from caravan.cli.serve import serve
from caravan.cli.travel import matrix, roads


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="caravan")
def cli() -> None:
    """Plan where the government caravan goes each week, in what order, and when."""


for command in (
    complaints,
    plan,
    export_command,
    matrix,
    districts,
    sample,
    data,
    roads,
    replan,
    history,
    report,
    serve,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="caravan")


__all__ = ["cli", "main"]
