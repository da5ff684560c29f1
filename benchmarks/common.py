"""What the benchmark scripts share: the ``--travel`` option and how a solution's status reads.

The scripts run as ``python benchmarks/NAME.py``, so this folder is on their import path.
"""

from __future__ import annotations

import argparse

from caravan.travel.matrix import TravelModel
from caravan.types import TRAVEL_MODES


def add_travel_option(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--travel",
        default="road",
        choices=TRAVEL_MODES,
        help="travel model (default: caravan's default, road)",
    )


def travel_model(args: argparse.Namespace) -> TravelModel:
    """The model ``--travel`` chose, announced on the first line of the output."""
    model = TravelModel(mode=args.travel)
    print(f"travel: {model.describe()}", flush=True)
    return model


def status_text(sol, digits: int = 2) -> str:
    """``optimal``, ``gap X.XX%`` or ``no bound``: one column of the result tables."""
    if sol.status == "optimal":
        return "optimal"
    return f"gap {sol.gap * 100:.{digits}f}%" if sol.gap is not None else "no bound"
