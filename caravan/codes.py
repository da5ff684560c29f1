"""DOPA codes as people write them: ``3501``, ``TH3501``, ``TH-3501``, ``๓๕๐๑``, ``3501.0``.

A DOPA code has 2 digits for a province, 4 for a district, 6 for a tambon (8-digit forms
are read by :mod:`caravan.complaints.places`). A base is ``BASE`` + its province code.
"""

from __future__ import annotations

import re

from caravan.text import clean

_CODE = re.compile(r"^(?:th)?[\s\-]?(\d+)(?:\.0+)?$")


def code_digits(text: str) -> str | None:
    """The digits of a DOPA code written as ``3501``, ``TH3501``, ``TH-3501``, ``๓๕๐๑`` or
    ``3501.0`` (a number cell); ``None`` when ``text`` is not written like a code."""
    m = _CODE.match(clean(text).casefold())
    return m.group(1) if m else None


def norm_code(text: str) -> str:
    """A site code given by a user (an option, a CSV cell): the digits of a DOPA code, else
    the text without surrounding spaces (``BASE65``, or something the caller rejects)."""
    return code_digits(text) or text.strip()
