"""The ``caravan`` command (click): one module per command group, each command a thin
translation of its options into a library call (:mod:`caravan.cli.common` says how errors
become exit codes). The only package that imports click.

Exit codes: 0 done; 1 a data error (a file's content, an output that cannot be written, no
feasible plan); 2 a usage error (an option); 3 an internal error, a bug in caravan: one line
``caravan: internal error (ExceptionType); run again with --debug ...`` instead of a
traceback, which ``caravan --debug ...`` or ``CARAVAN_DEBUG=1`` shows. 130 when interrupted
(Ctrl-C).
"""

from __future__ import annotations

import os
import sys

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

DEBUG_ENV = "CARAVAN_DEBUG"
INTERNAL_ERROR_EXIT = 3
REPORT_TO = "to the caravan maintainers"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="caravan")
@click.option(
    "--debug",
    is_flag=True,
    help=f"Show the full traceback of an internal error (or set {DEBUG_ENV}=1).",
)
def cli(debug: bool) -> None:
    """Plan where the government caravan goes each week, in what order, and when."""
    if debug:
        os.environ[DEBUG_ENV] = "1"  # read by main() when an exception reaches it


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
    """The ``caravan`` command: caravan's own errors are one line and exit 1 or 2
    (:mod:`caravan.cli.common`); anything else is a bug, reported in one line (exit 3)."""
    try:
        cli.main(prog_name="caravan", standalone_mode=True)
    except Exception as exc:  # click handled its own errors and exits already
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        print(
            f"caravan: internal error ({exc.__class__.__name__}); run again with --debug "
            f"and report it {REPORT_TO}",
            file=sys.stderr,
        )
        sys.exit(INTERNAL_ERROR_EXIT)


__all__ = ["cli", "main"]
