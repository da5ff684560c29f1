"""The complaint categories caravan knows, with the Thai and English names people read.

A complaint file's category values are read into these codes by
:mod:`caravan.complaints.values` (and a profile's own table, :mod:`caravan.complaints.profiles`);
the priority weights of each code are in ``caravan/plan/weights.toml``; every output that names
a category (map popups, the printable itinerary, plan.json) takes its words from here.

The table holds the social-welfare categories of the ministry's caravans and the
infrastructure labels of the complaint platforms (Traffy Fondue: roads, footpaths, lighting,
cleanliness, flooding, drainage, ...). It is listed from the most to the least pressing: the
built-in weights never grow down the table (a test checks it), so that a complaint with several
labels counts under the first of them in this order when no weights are given
(:func:`best_category`).

A value that names no category here and that the profile does not map is read as ``other``
(its count is reported to the planner, never the value itself in an output).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

#: Thai and English labels of the built-in categories, most pressing first.
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "domestic_violence": ("ความรุนแรงในครอบครัว", "Domestic violence"),
    "child_family": ("เด็กและครอบครัว", "Children and family"),
    "elderly": ("ผู้สูงอายุ", "Elderly support"),
    "disability": ("คนพิการ", "Disability support"),
    "poverty_debt": ("ความยากจนและหนี้สิน", "Poverty and debt"),
    "homeless": ("คนไร้บ้านและคนเร่ร่อน", "Homeless people"),
    "welfare_card": ("บัตรสวัสดิการแห่งรัฐ", "State welfare card"),
    "housing": ("ที่อยู่อาศัย", "Housing"),
    "health": ("สุขภาพและการรักษาพยาบาล", "Health care"),
    "safety": ("ความปลอดภัย", "Public safety"),
    "flooding": ("น้ำท่วม", "Flooding"),
    "land": ("ที่ดินทำกิน", "Land"),
    "water": ("น้ำอุปโภคบริโภคและภัยแล้ง", "Water and drought"),
    "agriculture": ("การเกษตร", "Agriculture"),
    "roads": ("ถนนและการคมนาคม", "Roads"),
    "footpaths": ("ทางเท้าและสิ่งกีดขวาง", "Footpaths and obstructions"),
    "drainage": ("ท่อระบายน้ำและคลอง", "Drains and canals"),
    "electricity": ("ไฟฟ้า", "Electricity"),
    "lighting": ("ไฟส่องสว่าง", "Street lighting"),
    "environment": ("สิ่งแวดล้อมและเหตุรำคาญ", "Environment and nuisance"),
    "grievance": ("ร้องเรียนการให้บริการ", "Complaints about services"),
    "cleanliness": ("ความสะอาด", "Cleanliness"),
    "stray_animals": ("สัตว์จรจัด", "Stray animals"),
    "traffic": ("การจราจร", "Traffic"),
    "trees": ("ต้นไม้", "Trees"),
    "noise": ("เสียงรบกวน", "Noise"),
    "other": ("อื่น ๆ", "Other"),
    "unspecified": ("ไม่ระบุประเภท", "Unspecified"),
}
#: what an unknown category value is read as
OTHER = "other"
#: what a platform's empty list of labels (``{}``) is read as
UNSPECIFIED = "unspecified"

_ORDER = {code: i for i, code in enumerate(CATEGORY_LABELS)}


def category_label(code: str) -> tuple[str, str]:
    return CATEGORY_LABELS.get(code, (code, code))


def best_category(codes: Iterable[str], weight: Callable[[str], float] | None = None) -> str:
    """The category a complaint with several labels counts under: the one of highest
    ``weight`` (the priority weights in use), ties and ``weight=None`` broken by the table's
    order (most pressing first; a profile's own codes after the built-in ones)."""
    ranked = sorted(
        dict.fromkeys(codes),
        key=lambda c: (-(weight(c) if weight else 0.0), _ORDER.get(c, len(_ORDER))),
    )
    return ranked[0]
