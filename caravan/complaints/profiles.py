"""Profiles: how to read one source's exports, written as a TOML file instead of code.

A profile names the source's columns (as ``--columns`` does) and maps its values onto
caravan's: statuses, categories, urgencies, plus hints for dates and coordinates. Two profiles
are built in:

* ``generic``: today's reading, with no mapping of its own (headers and words of
  :mod:`~caravan.complaints.columns` and :mod:`~caravan.complaints.values`);
* ``traffy``: Traffy Fondue (NECTEC), ``caravan/complaints/profiles/traffy.toml``.

A file is read with the profile given (``--profile NAME-OR-FILE``), else with the built-in
platform profile whose ``detect`` header lists one that the file's header holds in full (the
reason is reported: "recognised from the header"), else with ``generic``. A province adds its
own source (a Damrongdhama centre's export, the 1111 hotline, a local app) with a TOML file::

    [profile]
    name = "damrongdhama-65"
    description = "ศูนย์ดำรงธรรมจังหวัดพิษณุโลก, export of the case system"
    detect = [["เลขรับ", "วันที่รับ", "ประเภทเรื่อง", "ผลการดำเนินการ"]]

    [columns]                 # field = header, or a list of headers (the first present wins)
    id = "เลขรับ"
    received = "วันที่รับ"

    [statuses]                # open, in_progress, resolved or irrelevant = [values]
    open = ["รับเรื่อง"]
    resolved = ["ยุติ (แจ้งผล)"]

    [categories]              # a category code = [values]
    poverty_debt = ["ขอความช่วยเหลือ"]
    drugs = ["ยาเสพติด"]      # a code of its own: shown as written, weight [category] default

    [urgencies]               # low, normal, high or critical = [values]
    critical = ["ด่วนที่สุด"]

    [dates]
    era = "buddhist"          # years without an era mark: buddhist, common or auto
    order = "dmy"             # dmy (day first, the default) or mdy

    [coordinates]
    order = "auto"            # one coordinates column: "lat,lon", "lon,lat" or auto

Values are compared as :mod:`~caravan.complaints.values` compares them (case, spaces, dots
and brackets do not count). A profile's words come first, then the built-in vocabulary. A
category code of a profile's own must be lower-case ASCII (letters, digits, ``_``): it is
written into plan.json and the maps as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from caravan.complaints.columns import Preferred, columns_table
from caravan.complaints.table import URGENCIES
from caravan.complaints.values import IRRELEVANT, category_of, status_of, urgency_of
from caravan.errors import InputError, ParameterError
from caravan.text import read_toml, squash
from caravan.types import STATUSES

BUILT_IN_DIR = Path(__file__).with_name("profiles")
#: the built-in platform profiles, tried in this order on a file's header
PLATFORMS = ("traffy",)
GENERIC_NAME = "generic"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SECTIONS = ("profile", "columns", "statuses", "categories", "urgencies", "dates", "coordinates")
_ERAS = {"auto": "", "buddhist": "be", "common": "ce"}
_COORDINATE_ORDERS = ("auto", "lat,lon", "lon,lat")


@dataclass(frozen=True)
class Profile:
    """How to read one source (see the module docstring); words are kept squashed."""

    name: str
    source: str = "built-in"
    description: str = ""
    detect: tuple[tuple[str, ...], ...] = ()
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
    urgencies: Mapping[str, str] = field(default_factory=dict)
    #: date hints for :func:`caravan.complaints.dates.parse_date`: era "", "be" or "ce"
    era: str = ""
    day_order: str = "dmy"
    #: the order of the two numbers of a one-column coordinates field
    coordinate_order: str = "auto"

    # ------------------------------------------------------------------ values
    def status(self, value: str) -> str | None:
        """open, in_progress, resolved or irrelevant; None when neither the profile nor
        the built-in words know ``value``."""
        return self.statuses.get(squash(value)) or status_of(value)

    def category(self, label: str) -> str | None:
        """The category code of one label, or None."""
        return self.categories.get(squash(label)) or category_of(label)

    def urgency(self, value: str) -> str | None:
        return self.urgencies.get(squash(value)) or urgency_of(value)

    # ------------------------------------------------------------------ columns
    def chosen(self) -> dict[str, Preferred]:
        """The profile's columns as soft ``--column`` choices (used when present)."""
        return {f: Preferred(headers) for f, headers in self.columns.items()}

    def detected_by(self, header: Sequence[str]) -> tuple[str, ...] | None:
        """The first ``detect`` list that ``header`` holds in full, or None."""
        keys = {squash(h) for h in header}
        for names in self.detect:
            if all(squash(n) in keys for n in names):
                return names
        return None

    def describe(self) -> str:
        return self.name if self.source == "built-in" else f"{self.name} ({self.source})"


GENERIC = Profile(name=GENERIC_NAME, description="caravan's own headers and words")


def profile_names() -> tuple[str, ...]:
    return (GENERIC_NAME, *PLATFORMS)


@cache
def built_in(name: str) -> Profile:
    if name == GENERIC_NAME:
        return GENERIC
    if name not in PLATFORMS:
        raise KeyError(name)
    return read_profile(BUILT_IN_DIR / f"{name}.toml", built_in=True)


def profile_argument(value: str | Path | None, *, param: str = "--profile") -> str:
    """``value`` as a profile argument: "" (none), a built-in profile's name, or the path of
    a file that exists; ParameterError otherwise."""
    text = str(value or "").strip()
    if text and text not in profile_names() and not Path(text).is_file():
        raise ParameterError(
            f"no profile '{text}': give a built-in profile ({', '.join(profile_names())}) "
            "or a profile TOML file",
            param=param,
        )
    return text


def load_profile(value: str | Path, *, param: str = "--profile") -> Profile:
    """A built-in profile by name (``traffy``, ``generic``) or a profile TOML file."""
    text = profile_argument(value, param=param)
    return built_in(text) if text in profile_names() else read_profile(text)


def detect_profile(header: Sequence[str]) -> tuple[Profile, str]:
    """The built-in profile for a file with this header, and why."""
    for name in PLATFORMS:
        profile = built_in(name)
        hit = profile.detected_by(header)
        if hit is not None:
            return profile, f"recognised from the header ({', '.join(hit)})"
    return GENERIC, "no platform recognised from the header"


# ---------------------------------------------------------------------- reading a file


def read_profile(path: str | Path, *, built_in: bool = False) -> Profile:
    """A profile TOML file, every section checked (InputError naming the file and key)."""
    src = str(path)
    data = read_toml(path)
    for key in data:
        if key not in _SECTIONS:
            raise InputError(
                f"unknown section (sections: {', '.join(_SECTIONS)})", source=src, field=key
            )
    head = _table(data, "profile", src)
    name = head.get("name", Path(path).stem)
    description = head.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            raise InputError("must be text", source=src, field=f"profile.{key}")
    columns = columns_table(data.get("columns", {}), src, prefix="columns.")
    dates = _table(data, "dates", src)
    era = _choice(dates, "era", tuple(_ERAS), "auto", src)
    order = _choice(dates, "order", ("dmy", "mdy"), "dmy", src)
    coords = _table(data, "coordinates", src)
    return Profile(
        name=name.strip() or Path(path).stem,
        source="built-in" if built_in else src,
        description=description.strip(),
        detect=_detect(head.get("detect", []), src),
        columns={f: (v,) if isinstance(v, str) else tuple(v) for f, v in columns.items()},
        statuses=_words(data, "statuses", (*STATUSES, IRRELEVANT), src),
        categories=_words(data, "categories", None, src),
        urgencies=_words(data, "urgencies", URGENCIES, src),
        era=_ERAS[era],
        day_order=order,
        coordinate_order=_choice(coords, "order", _COORDINATE_ORDERS, "auto", src),
    )


def _table(data: Mapping, key: str, src: str) -> Mapping:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise InputError("must be a table ([section])", source=src, field=key)
    return table


def _choice(table: Mapping, key: str, allowed: Sequence[str], default: str, src: str) -> str:
    value = table.get(key, default)
    if value not in allowed:
        raise InputError(
            f"must be one of {', '.join(allowed)}, got {value!r}", source=src, field=key
        )
    return value


def _detect(value: object, src: str) -> tuple[tuple[str, ...], ...]:
    ok = isinstance(value, list) and all(
        isinstance(names, list) and names and all(isinstance(n, str) and n.strip() for n in names)
        for names in value
    )
    if not ok:
        raise InputError(
            'must be a list of header lists, e.g. [["ticket_id", "type"]]',
            source=src,
            field="profile.detect",
        )
    return tuple(tuple(n.strip() for n in names) for names in value)  # type: ignore[union-attr]


def _words(data: Mapping, key: str, targets: Sequence[str] | None, src: str) -> dict[str, str]:
    """``{squashed value: target}`` from a ``target = [values]`` table; ``targets`` None
    allows any category code (built-in, or a lower-case ASCII code of the profile's own)."""
    out: dict[str, str] = {}
    for target, values in _table(data, key, src).items():
        where = f"{key}.{target}"
        if targets is not None and target not in targets:
            raise InputError(f"must be one of {', '.join(targets)}", source=src, field=where)
        if targets is None and not _CODE.match(target):
            raise InputError(
                "a category code is lower-case ASCII letters, digits and _ (at most 40)",
                source=src,
                field=where,
            )
        items = [values] if isinstance(values, str) else values
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise InputError("must be a value or a list of values", source=src, field=where)
        for v in items:
            key_ = squash(v)
            if key_ in out and out[key_] != target:
                raise InputError(
                    f"value '{v}' is also listed under {out[key_]}", source=src, field=where
                )
            out[key_] = target
    return out
