"""Statuses, urgencies and categories as Thai and English exports write them.

Values are compared squashed (lower case, without spaces, dots, hyphens, underscores,
slashes or brackets), so ``In Progress``, ``in-progress`` and ``IN_PROGRESS`` are one value.

Statuses map to ``open`` (received, waiting, forwarded), ``in_progress`` (being handled,
studied, waiting for budget or procurement) or ``resolved`` (finished, closed, and also
withdrawn, cancelled or refused: closed for any reason, so no longer a reason to visit).
``irrelevant`` (ไม่เกี่ยวข้อง: the platform or the office closed it as not its business) is an
outcome of its own: such a complaint is read as resolved (no reason to visit) and counted
apart, so that the planner sees how many there were.
"""

from __future__ import annotations

import csv

from caravan.complaints.categories import CATEGORY_LABELS
from caravan.text import squash

#: the outcome "closed as irrelevant": read as resolved, counted apart
IRRELEVANT = "irrelevant"
_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "open": (
        "open",
        "new",
        "pending",
        "waiting",
        "received",
        "submitted",
        "reported",
        "not started",
        "todo",
        "เปิด",
        "ใหม่",
        "เรื่องใหม่",
        "รับเรื่อง",
        "รับเรื่องแล้ว",
        "รอรับเรื่อง",
        "รอดำเนินการ",
        "รอพิจารณา",
        "รอตรวจสอบ",
        "ยังไม่ดำเนินการ",
        "ยังไม่ได้ดำเนินการ",
        "ค้าง",
        "ค้างดำเนินการ",
        "เรื่องค้าง",
        "ส่งต่อ",
        "ส่งต่อ(ใหม่)",
        "ส่งต่อใหม่",
    ),
    "in_progress": (
        "in_progress",
        "in progress",
        "inprogress",
        "processing",
        "ongoing",
        "working",
        "assigned",
        "forwarded",
        "under review",
        "กำลังดำเนินการ",
        "อยู่ระหว่างดำเนินการ",
        "ระหว่างดำเนินการ",
        "ดำเนินการ",
        "ดำเนินการอยู่",
        "อยู่ระหว่างตรวจสอบ",
        "ส่งต่อหน่วยงาน",
        "ส่งหน่วยงาน",
        "ศึกษาปัญหา",
        "ของบประมาณ",
        "จัดซื้อจัดจ้าง",
        "ติดตาม",
        "รอผล",
    ),
    "resolved": (
        "resolved",
        "closed",
        "done",
        "completed",
        "complete",
        "finished",
        "solved",
        "fixed",
        "cancelled",
        "canceled",
        "withdrawn",
        "rejected",
        "เสร็จ",
        "เสร็จสิ้น",
        "เสร็จแล้ว",
        "แล้วเสร็จ",
        "ดำเนินการแล้ว",
        "ดำเนินการแล้วเสร็จ",
        "ดำเนินการเสร็จสิ้น",
        "แก้ไขแล้ว",
        "ได้รับการแก้ไขแล้ว",
        "ยุติ",
        "ยุติเรื่อง",
        "ยุติเรื่องแล้ว",
        "ปิด",
        "ปิดเรื่อง",
        "ปิดเรื่องแล้ว",
        "จบ",
        "จบเรื่อง",
        "ยกเลิก",
        "ถอนเรื่อง",
        "ไม่รับเรื่อง",
    ),
    IRRELEVANT: ("irrelevant", "not relevant", "ไม่เกี่ยวข้อง", "ไม่เกี่ยวข้องกับหน่วยงาน"),
}
STATUSES_BY_WORD: dict[str, str] = {
    squash(w): status for status, words in _STATUS_WORDS.items() for w in words
}

_URGENCY_WORDS: dict[str, tuple[str, ...]] = {
    "low": ("low", "minor", "not urgent", "ต่ำ", "น้อย", "ไม่เร่งด่วน", "ไม่ด่วน"),
    "normal": (
        "normal",
        "medium",
        "moderate",
        "regular",
        "ปกติ",
        "ปานกลาง",
        "กลาง",
        "ธรรมดา",
    ),
    "high": ("high", "urgent", "สูง", "มาก", "ด่วน", "เร่งด่วน"),
    "critical": (
        "critical",
        "very urgent",
        "emergency",
        "highest",
        "วิกฤต",
        "ฉุกเฉิน",
        "สูงมาก",
        "ด่วนมาก",
        "ด่วนที่สุด",
        "เร่งด่วนมาก",
        "เร่งด่วนที่สุด",
    ),
}
URGENCIES_BY_WORD: dict[str, str] = {
    squash(w): urgency for urgency, words in _URGENCY_WORDS.items() for w in words
}

#: other ways exports name the built-in categories (a platform's own labels are in its
#: profile, e.g. ``caravan/complaints/profiles/traffy.toml``)
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "domestic_violence": ("ความรุนแรง", "ความรุนแรงในครอบครัว", "violence"),
    "child_family": ("เด็ก", "ครอบครัว", "เด็กและเยาวชน", "children", "family"),
    "elderly": ("ผู้สูงอายุ", "ผู้สูงวัย", "คนชรา", "elderly"),
    "disability": ("คนพิการ", "ผู้พิการ", "ผู้มีความพิการ", "พิการ", "disability"),
    "poverty_debt": ("หนี้สิน", "หนี้", "หนี้นอกระบบ", "ความยากจน", "ยากจน", "poverty", "debt"),
    "homeless": ("คนไร้บ้าน", "ไร้บ้าน", "คนเร่ร่อน", "คนจรจัด", "homeless", "homelessness"),
    "welfare_card": ("บัตรสวัสดิการ", "บัตรคนจน", "สวัสดิการ", "welfare"),
    "housing": ("ที่อยู่อาศัย", "บ้าน", "บ้านพัก", "housing"),
    "health": ("สุขภาพ", "สาธารณสุข", "การรักษาพยาบาล", "รักษาพยาบาล", "health"),
    "safety": ("ความปลอดภัย", "อาชญากรรม", "safety", "security", "crime"),
    "flooding": ("น้ำท่วม", "น้ำท่วมขัง", "อุทกภัย", "flood", "floods", "flooding"),
    "land": ("ที่ดิน", "ที่ดินทำกิน", "land"),
    "water": ("น้ำ", "น้ำประปา", "ประปา", "ภัยแล้ง", "water", "drought"),
    "agriculture": ("เกษตร", "การเกษตร", "agriculture"),
    "roads": ("ถนน", "ถนนชำรุด", "คมนาคม", "การคมนาคม", "สะพาน", "roads", "road", "transport"),
    "footpaths": ("ทางเท้า", "ฟุตบาท", "สิ่งกีดขวาง", "footpath", "sidewalk", "sidewalks"),
    "drainage": ("ท่อระบายน้ำ", "ระบายน้ำ", "คลอง", "drain", "drains", "drainage", "sewer"),
    "electricity": ("ไฟฟ้า", "สายไฟ", "electricity", "power"),
    "lighting": ("แสงสว่าง", "ไฟส่องสว่าง", "ไฟฟ้าส่องสว่าง", "ไฟถนน", "lighting", "streetlight"),
    "environment": ("สิ่งแวดล้อม", "ขยะ", "เหตุรำคาญ", "มลพิษ", "environment", "waste"),
    "grievance": ("ร้องเรียน", "ร้องเรียนเจ้าหน้าที่", "grievance", "grievances"),
    "cleanliness": ("ความสะอาด", "cleanliness", "cleaning"),
    "stray_animals": ("สัตว์จรจัด", "หมาจรจัด", "สุนัขจรจัด", "stray animals", "stray dogs"),
    "traffic": ("จราจร", "การจราจร", "traffic"),
    "trees": ("ต้นไม้", "tree", "trees"),
    "noise": ("เสียงรบกวน", "เสียงดัง", "noise"),
    "other": ("อื่นๆ", "อื่น ๆ", "อื่น", "other", "others"),
    "unspecified": ("ไม่ระบุ", "ไม่ระบุประเภท", "unspecified", "none"),
}
CATEGORIES_BY_WORD: dict[str, str] = {}
for _code, (_th, _en) in CATEGORY_LABELS.items():
    for _w in (_code, _th, _en, *_CATEGORY_WORDS.get(_code, ())):
        CATEGORIES_BY_WORD.setdefault(squash(_w), _code)


def status_of(value: str) -> str | None:
    """open, in_progress, resolved or :data:`IRRELEVANT`; None for an unknown word."""
    return STATUSES_BY_WORD.get(squash(value))


def urgency_of(value: str) -> str | None:
    """The urgency of ``value``; an empty value is ``normal``."""
    key = squash(value)
    return URGENCIES_BY_WORD.get(key) if key else "normal"


def category_of(value: str) -> str | None:
    """The built-in category ``value`` names (a code, a Thai or English name or a common
    word for it), or None."""
    return CATEGORIES_BY_WORD.get(squash(value))


def known_word(value: str) -> bool:
    """True when ``value`` is a word of caravan's vocabulary (a status, an urgency or a
    category, in any of their spellings, or a platform's list of category labels): a reject
    reason may quote it."""
    key = squash(value)
    if key in STATUSES_BY_WORD or key in URGENCIES_BY_WORD or key in CATEGORIES_BY_WORD:
        return True
    labels = category_labels(value)
    return labels != [value.strip()] and all(category_of(x) for x in labels)


def category_labels(value: str) -> list[str]:
    """The labels in a category cell: ``{ทางเท้า,ถนน}`` (the array form of the complaint
    platforms' databases, labels optionally in double quotes) is a list of labels, ``{}``
    none; any other value is one label."""
    text = value.strip()
    if not (len(text) >= 2 and text[0] == "{" and text[-1] == "}"):
        return [text]
    inner = text[1:-1]
    if '"' not in inner:
        return [p.strip() for p in inner.split(",") if p.strip()]
    return [p.strip() for p in next(csv.reader([inner], skipinitialspace=True)) if p.strip()]
