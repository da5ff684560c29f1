"""The complaint categories caravan knows, with the Thai and English names people read.

A complaint file's category values are read into these codes by
:mod:`caravan.complaints.values`; the priority weights of each code are in
``caravan/plan/weights.toml``; every output that names a category (map popups, the
printable itinerary, plan.json) takes its words from here.
"""

from __future__ import annotations

#: Thai and English labels of the built-in categories.
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "domestic_violence": ("ความรุนแรงในครอบครัว", "Domestic violence"),
    "child_family": ("เด็กและครอบครัว", "Children and family"),
    "elderly": ("ผู้สูงอายุ", "Elderly support"),
    "disability": ("คนพิการ", "Disability support"),
    "poverty_debt": ("ความยากจนและหนี้สิน", "Poverty and debt"),
    "welfare_card": ("บัตรสวัสดิการแห่งรัฐ", "State welfare card"),
    "housing": ("ที่อยู่อาศัย", "Housing"),
    "health": ("สุขภาพและการรักษาพยาบาล", "Health care"),
    "land": ("ที่ดินทำกิน", "Land"),
    "water": ("น้ำอุปโภคบริโภคและภัยแล้ง", "Water and drought"),
    "agriculture": ("การเกษตร", "Agriculture"),
    "roads": ("ถนนและการคมนาคม", "Roads"),
    "electricity": ("ไฟฟ้าและแสงสว่าง", "Electricity"),
    "environment": ("สิ่งแวดล้อมและเหตุรำคาญ", "Environment and nuisance"),
    "other": ("อื่น ๆ", "Other"),
}


def category_label(code: str) -> tuple[str, str]:
    return CATEGORY_LABELS.get(code, (code, code))
