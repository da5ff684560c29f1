"""The plan form, made from :class:`~caravan.plan.request.PlanRequest` itself.

The choices a planner makes every week (:data:`MAIN`) have their own place on the page;
every other field of the request, and of the dataclasses it holds (``travel``,
``history``), is a field of the "more" section, found with :func:`dataclasses.fields`: a
new planning option appears on the page with nothing to change here but, if wanted, a
label in :data:`LABELS`. The kind of input follows the field's type (a checkbox for a
bool, a number, a list of words for a tuple, a choice for :data:`CHOICES`).

What the page never offers: the reading options of the complaint file (the upload step
holds them), and the server's own files and addresses (``travel.roads``,
``travel.osrm_url``: the operator's ``$CARAVAN_ROADS`` and ``$CARAVAN_OSRM_URL`` apply),
and the road model's calibration. Files a field names (``population``, ``sites``,
``weights``) are uploaded with the form.

:func:`request_from_form` turns the posted form into a PlanRequest; the request checks
every value, as it does for the command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass

from caravan.errors import ParameterError
from caravan.plan.request import HistoryRules, PlanRequest
from caravan.travel.matrix import TravelModel
from caravan.types import ENGINES, LEVELS, TRAVEL_MODES

#: fields with a place of their own on the form (or filled in by the page)
MAIN = frozenset(
    {
        "complaints",
        "provinces",
        "level",
        "week",
        "units",
        "days",
        "service_minutes",
        "day_start",
        "day_end",
        "travel.mode",
        "must_visit",
        "skip",
    }
)
#: never on the page: the upload's reading options, the server's files and addresses
HIDDEN = frozenset(
    {
        "encoding",
        "sheet",
        "columns",
        "travel.road",
        "travel.roads",
        "travel.osrm_url",
        "travel.osrm_profile",
    }
)
#: fields that name a file: uploaded with the form
FILES = frozenset({"population", "sites", "weights"})
CHOICES: dict[str, tuple[str, ...]] = {
    "engine": ENGINES,
    "travel.mode": TRAVEL_MODES,
    "level": LEVELS,
}
#: nested requests: the dataclass a field holds
NESTED: dict[str, type] = {"travel": TravelModel, "history": HistoryRules}

#: label and help, Thai and English; a field without one shows its name
LABELS: dict[str, tuple[str, str, str, str]] = {
    "strict": (
        "หยุดถ้ามีแถวที่ใช้ไม่ได้",
        "Stop if any complaint row is rejected",
        "",
        "",
    ),
    "population": (
        "ไฟล์จำนวนประชากร (CSV code,population)",
        "Population file (CSV code,population)",
        "แผนที่แสดงเรื่องค้างต่อประชากร 10,000 คน",
        "the map shades open complaints per 10,000 residents",
    ),
    "minutes_per_point": (
        "นาทีขับรถเท่ากับหนึ่งคะแนน",
        "Drive minutes worth one priority point",
        "อัตราแลกเปลี่ยนของค่าเป้าหมาย",
        "the objective's exchange rate",
    ),
    "bases": (
        "ที่ตั้งต้นทาง (รหัสอำเภอ/ตำบล)",
        "Bases (district or tambon codes)",
        "หนึ่งรหัสต่อจังหวัด เว้นว่าง = ที่ว่าการอำเภอเมือง",
        "one code per province; empty: the Mueang district office",
    ),
    "sites": (
        "ไฟล์ย้ายจุดบริการ (CSV code,lon,lat)",
        "Moved sites (CSV code,lon,lat)",
        "",
        "",
    ),
    "weights": ("ไฟล์น้ำหนักคะแนน (TOML)", "Priority weights (TOML)", "", ""),
    "travel.detour_factor": (
        "ตัวคูณระยะทางถนน (แบบเส้นตรง)",
        "Detour factor (straight model)",
        "",
        "road km per great-circle km",
    ),
    "travel.speed_kmh": ("ความเร็วเฉลี่ย กม./ชม. (แบบเส้นตรง)", "Speed km/h (straight model)", "", ""),
    "time_limit": (
        "เวลาคำนวณสูงสุด (วินาที)",
        "Seconds the optimizer may use",
        "",
        "",
    ),
    "seed": ("ค่าสุ่มเริ่มต้น", "Random seed", "", ""),
    "engine": ("วิธีคำนวณ", "Optimizer engine", "", ""),
    "holidays": (
        "วันหยุดเพิ่มเติม",
        "Extra days off",
        "วันที่แบบ 2026-12-07 คั่นด้วยเว้นวรรค",
        "dates like 2026-12-07, separated by spaces",
    ),
    "workdays": (
        "วันทำงานเพิ่มเติม",
        "Extra working days",
        "วันที่แบบ 2026-12-07 คั่นด้วยเว้นวรรค",
        "dates like 2026-12-07, separated by spaces",
    ),
    "history.use_history": ("ใช้ประวัติการออกหน่วย", "Use the visit history", "", ""),
    "history.recency_weeks": (
        "ลดคะแนนพื้นที่ที่เพิ่งไปภายใน (สัปดาห์)",
        "Recency weeks",
        "เว้นว่าง = ค่าเริ่มต้นของระดับ",
        "empty: the level's default",
    ),
    "history.max_gap_weeks": (
        "ต้องไปทุกพื้นที่อย่างน้อยทุก (สัปดาห์)",
        "Maximum gap in weeks",
        "เว้นว่าง = ค่าเริ่มต้นของระดับ",
        "empty: the level's default",
    ),
}


@dataclass(frozen=True)
class FormField:
    """One input of the "more" section."""

    name: str  # dotted: "history.recency_weeks"
    kind: str  # bool, int, float, text, list, mapping, choice, file
    optional: bool  # an empty input means None
    choices: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        found = LABELS.get(self.name)
        if found is None:
            return self.name.split(".")[-1].replace("_", " ")
        return found[1] if lang == "en" else found[0]

    def help(self, lang: str) -> str:
        found = LABELS.get(self.name)
        return "" if found is None else (found[3] if lang == "en" else found[2])

    def value(self, request: PlanRequest) -> object:
        """The field's value in ``request`` as the input shows it."""
        obj: object = request
        for part in self.name.split("."):
            obj = getattr(obj, part, None) if obj is not None else None
        if obj is None:
            return ""
        if self.kind == "list":
            return " ".join(d.isoformat() if isinstance(d, dt.date) else str(d) for d in obj)
        if self.kind == "mapping":
            return " ".join(str(v) for v in dict(obj).values())
        if self.kind == "file":
            return ""
        return obj


def _kind(hint: object, default: object) -> tuple[str, bool]:
    """(kind of input, optional) for a type hint."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    args = typing.get_args(hint) if union else (hint,)
    optional = type(None) in args
    first = next(a for a in args if a is not type(None))
    base = typing.get_origin(first) or first
    if base is bool:
        return "bool", optional
    if base is int:
        return "int", optional
    if base is float:
        return "float", optional
    if base is tuple:
        return "list", optional
    if (isinstance(base, type) and issubclass(base, Mapping)) or base is Mapping:
        return "mapping", optional
    return "text", optional or default is None


def more_fields(cls: type = PlanRequest, prefix: str = "") -> list[FormField]:
    """The fields of the "more" section, in the order of the dataclass."""
    hints = typing.get_type_hints(cls)
    out: list[FormField] = []
    for f in dataclasses.fields(cls):
        name = prefix + f.name
        if name in MAIN or name in HIDDEN:
            continue
        if name in NESTED:
            out += more_fields(NESTED[name], name + ".")
            continue
        default = f.default if f.default is not dataclasses.MISSING else None
        kind, optional = _kind(hints[f.name], default)
        if name in CHOICES:
            kind = "choice"
        elif name in FILES:
            kind = "file"
        out.append(FormField(name, kind, optional, CHOICES.get(name, ())))
    return out


def _number(text: str, kind: str, name: str) -> int | float:
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        what = "a whole number" if kind == "int" else "a number"
        raise ParameterError(f"'{text}' is not {what}", param=name) from None


def _convert(field: FormField, text: str) -> object:
    """A posted text as the field's value; ``...`` (Ellipsis) for "keep the default"."""
    text = text.strip()
    if field.kind == "bool":
        return text in ("1", "on", "yes", "true")
    if not text:
        return None if field.optional else ...
    if field.kind in ("int", "float"):
        return _number(text, field.kind, field.name)
    if field.kind == "list":
        return tuple(text.replace(",", " ").split())
    if field.kind == "mapping":
        return list(text.replace(",", " ").split())
    return text


def request_from_form(
    form: Mapping[str, str],
    lists: Mapping[str, list[str]],
    *,
    complaints: str,
    files: Mapping[str, str],
    base: PlanRequest | None = None,
) -> PlanRequest:
    """The request a posted plan form asks for. ``form`` maps an input's name to its text,
    ``lists`` an input with many values (provinces, must_visit, skip) to them, ``files``
    a file field to the uploaded file's path; ``base`` gives the values of the fields the
    form left empty (default: PlanRequest's defaults)."""
    values: dict[str, object] = {
        "complaints": complaints,
        "provinces": tuple(lists.get("provinces", ())),
        "level": form.get("level", "district"),
        "week": form.get("week") or None,
        "must_visit": tuple(lists.get("must_visit", ())),
        "skip": tuple(lists.get("skip", ())),
    }
    for name in ("units", "days", "service_minutes"):
        got = _convert(FormField(name, "int", name == "service_minutes"), form.get(name, ""))
        if got is not ...:
            values[name] = got
    for name in ("day_start", "day_end"):
        if form.get(name):
            values[name] = form[name]
    nested: dict[str, dict[str, object]] = {key: {} for key in NESTED}
    nested["travel"]["mode"] = form.get("travel.mode", "road")
    for field in more_fields():
        if field.kind == "file":
            if files.get(field.name):
                values[field.name] = files[field.name]
            continue
        got = _convert(field, form.get(field.name, ""))
        if got is ...:
            continue
        head, _, tail = field.name.partition(".")
        if tail:
            nested[head][tail] = got
        else:
            values[head] = got
    start = base or PlanRequest()
    travel = dataclasses.replace(start.travel, **nested["travel"])
    history = HistoryRules(**nested["history"])
    return PlanRequest(
        **{**_keep_files(start), **values},
        travel=travel,
        history=history,
    )


def _keep_files(base: PlanRequest) -> dict[str, object]:
    """The file fields of a request the form does not upload again (a plan made again)."""
    return {name: getattr(base, name) for name in FILES if getattr(base, name)}
