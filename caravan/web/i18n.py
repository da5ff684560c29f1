"""The page's words in Thai (the default) and English, and dates as people read them.

``words(lang)`` gives a function ``t(key)``; a key missing from :data:`TEXT` is shown as
itself, so a new word never breaks a page. Dates are Buddhist-era in Thai
(:func:`caravan.outputs.labels.date_label`, ``calendar="buddhist"``) and ISO in English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from caravan.clock import monday_of
from caravan.outputs.labels import BUDDHIST_ERA_OFFSET, THAI_MONTHS_SHORT, date_label

LANGS = ("th", "en")

TEXT: dict[str, tuple[str, str]] = {
    "app": ("วางแผนหน่วยบริการเคลื่อนที่", "Caravan planner"),
    "home": ("หน้าแรก", "Home"),
    "complaints": ("เรื่องร้องเรียน", "Complaints"),
    "plan": ("วางแผน", "Plan"),
    "plans": ("แผนที่ทำไว้", "Plans"),
    "history": ("ประวัติ", "History"),
    "report": ("รายงาน", "Report"),
    "other_lang": ("English", "ภาษาไทย"),
    "sign_in": ("เข้าสู่ระบบ", "Sign in"),
    "password": ("รหัสผ่าน", "Password"),
    "wrong_password": ("รหัสผ่านไม่ถูกต้อง", "Wrong password"),
    "steps": (
        "ขั้นตอน: 1 นำเข้าเรื่องร้องเรียน 2 วางแผนสัปดาห์ 3 ดูและปรับแผน 4 แจกจ่ายและบันทึก 5 บันทึกผลหลังออกหน่วย",
        "Steps: 1 upload complaints 2 plan a week 3 look and adjust 4 hand out and commit "
        "5 record the outcomes",
    ),
    "upload": ("นำเข้าไฟล์", "Upload"),
    "upload_help": (
        "ไฟล์ CSV หรือ Excel (.xlsx) ที่ส่งออกจากระบบรับเรื่องร้องเรียน ขนาดไม่เกิน",
        "A CSV or Excel (.xlsx) export of the complaint system, at most",
    ),
    "file": ("ไฟล์", "File"),
    "uploads": ("ไฟล์ที่นำเข้าแล้ว", "Uploaded files"),
    "rows_read": ("แถวที่อ่าน", "rows read"),
    "accepted": ("ใช้ได้", "accepted"),
    "rejected": ("ใช้ไม่ได้", "rejected"),
    "columns_found": ("คอลัมน์ที่รู้จัก", "Columns recognised"),
    "rejects_by_reason": ("แถวที่ใช้ไม่ได้ แยกตามเหตุผล", "Rejected rows by reason"),
    "line": ("บรรทัด", "line"),
    "field": ("ช่อง", "field"),
    "reason": ("เหตุผล", "reason"),
    "download": ("ดาวน์โหลด", "Download"),
    "map_columns": ("จับคู่คอลัมน์", "Map the columns"),
    "map_columns_help": (
        "ระบบไม่รู้จักบางคอลัมน์ของไฟล์นี้ เลือกคอลัมน์ที่ตรงกับแต่ละช่อง (จะจำไว้สำหรับไฟล์ที่มีหัวตารางเดียวกันครั้งต่อไป)",
        "Some columns of this file were not recognised: choose the column of each field "
        "(remembered for the next file with the same headers)",
    ),
    "not_used": ("(ไม่ใช้)", "(not used)"),
    "read_again": ("อ่านไฟล์อีกครั้ง", "Read the file again"),
    "plan_with": ("วางแผนด้วยไฟล์นี้", "Plan with this file"),
    "sample": ("ข้อมูลตัวอย่างในโปรแกรม", "the built-in sample"),
    "week": ("สัปดาห์", "Week"),
    "provinces": ("จังหวัด", "Provinces"),
    "level": ("ระดับ", "Level"),
    "units": ("จำนวนหน่วยต่อจังหวัด", "Units per province"),
    "days": ("จำนวนวันทำงาน", "Working days"),
    "service_minutes": ("เวลาต่อจุด (นาที)", "Minutes per visit"),
    "day_start": ("ออกเดินทาง", "Day starts"),
    "day_end": ("กลับถึงที่ตั้ง", "Day ends"),
    "travel_mode": ("แบบจำลองการเดินทาง", "Travel model"),
    "must_visit": ("ต้องไป", "Must visit"),
    "skip": ("ข้าม", "Skip"),
    "search_sites": ("ค้นหาอำเภอ/ตำบล", "Search districts/tambons"),
    "more": ("ตัวเลือกเพิ่มเติม", "More choices"),
    "start_plan": ("เริ่มวางแผน", "Plan the week"),
    "planning": ("กำลังวางแผน", "Planning"),
    "cancel": ("ยกเลิก", "Cancel"),
    "cancelled": ("ยกเลิกแล้ว", "Cancelled"),
    "failed": ("วางแผนไม่สำเร็จ", "Planning failed"),
    "best": ("ดีที่สุด", "best"),
    "bound": ("ขอบเขต", "bound"),
    "elapsed": ("เวลา (วินาที)", "seconds"),
    "stage": ("ขั้นตอน", "stage"),
    "objective": ("ค่าเป้าหมาย", "Objective"),
    "optimal": ("ดีที่สุดแล้ว (พิสูจน์แล้ว)", "proven optimal"),
    "not_optimal": ("ยังไม่พิสูจน์ว่าดีที่สุด", "not proven optimal"),
    "schedule": ("ตารางการออกหน่วย", "Schedule"),
    "unit": ("หน่วย", "Unit"),
    "date": ("วันที่", "Date"),
    "stop": ("จุดที่", "Stop"),
    "arrive": ("ถึง", "Arrive"),
    "depart": ("ออก", "Depart"),
    "site": ("พื้นที่", "Site"),
    "open_complaints": ("เรื่องค้าง", "Open complaints"),
    "priority": ("คะแนน", "Priority"),
    "left_out": ("พื้นที่ที่ไม่ได้ไป", "Sites left out"),
    "pin": ("คงวันนี้ไว้", "Pin this day"),
    "starts_at_lodging": ("ออกจากที่พักค้างคืน", "Leaves the lodging"),
    "overnight_at": ("พักค้างคืน", "Overnight at"),
    "tour_day": (
        "วันในทริปค้างคืน: ปรับทั้งทริปพร้อมกัน",
        "A day of a tour with nights away: the tour is replanned as a whole",
    ),
    "drop": ("ตัดออก", "Drop"),
    "force": ("ต้องไป", "Force"),
    "replan": ("วางแผนใหม่", "Replan"),
    "adjust_help": (
        "คงเส้นทางของหน่วยในวันนั้นไว้ ตัดจุดที่ไม่ต้องการ หรือบังคับให้ไปจุดที่ไม่ได้ไป แล้วกดวางแผนใหม่",
        "Pin a unit's day to keep its route, drop visits, force sites left out, then replan",
    ),
    "changes": ("สิ่งที่เปลี่ยนไป", "What changed"),
    "no_changes": ("ไม่มีการเปลี่ยนแปลง", "nothing changed"),
    "hand_out": ("แจกจ่าย", "Hand out"),
    "commit": ("บันทึกแผนสัปดาห์นี้", "Commit this week"),
    "committed": ("บันทึกแล้ว", "Recorded"),
    "outcomes": ("ผลการออกหน่วย", "Outcomes"),
    "visited": ("ไปแล้ว", "Visited"),
    "resolved": ("แก้ไขได้ทันที", "Resolved on the spot"),
    "escalated": ("ส่งต่อ", "Referred"),
    "resolved_ids": ("เลขที่เรื่องที่แก้ไขแล้ว", "Ids of resolved complaints"),
    "note": ("หมายเหตุ", "Note"),
    "note_help": (
        "ห้ามใส่ข้อมูลส่วนบุคคล (ชื่อ เบอร์โทร เลขบัตรประชาชน ที่อยู่)",
        "No personal data (names, phone or ID numbers, addresses)",
    ),
    "save_outcomes": ("บันทึกผล", "Save the outcomes"),
    "yes": ("ใช่", "yes"),
    "no": ("ไม่ได้ไป", "no"),
    "not_reported": ("ยังไม่รายงาน", "not reported"),
    "weeks": ("สัปดาห์ที่บันทึก", "Recorded weeks"),
    "visits": ("จุดที่ไป", "visits"),
    "status": ("สถานะ", "status"),
    "from": ("ตั้งแต่สัปดาห์", "From week"),
    "to": ("ถึงสัปดาห์", "To week"),
    "show": ("แสดง", "Show"),
    "error": ("ข้อผิดพลาด", "Error"),
    "nothing_yet": ("ยังไม่มี", "nothing yet"),
    "files_kept": (
        "ไฟล์ของท่านจะถูกลบเมื่อไม่ได้ใช้งานเกิน",
        "Your files are deleted when the session is unused for more than",
    ),
    "hours": ("ชั่วโมง", "hours"),
    "running": ("กำลังคำนวณ", "running"),
    "done": ("เสร็จแล้ว", "done"),
    "reading": ("อ่านเรื่องร้องเรียน", "reading the complaints"),
    "solving": ("หาเส้นทางที่ดีที่สุด", "solving"),
    "writing": ("เขียนไฟล์", "writing the files"),
    "kept_days": ("วันที่ทำงานไปแล้ว (คงไว้)", "Days already worked (kept)"),
}


#: the words of a planning job's states and stages (the job page shows them as they change)
JOB_WORDS = ("running", "done", "failed", "cancelled", "reading", "solving", "writing")


def job_words(lang: str) -> dict[str, str]:
    t = words(lang)
    return {key: t(key) for key in JOB_WORDS}


def words(lang: str) -> Callable[[str], str]:
    i = 1 if lang == "en" else 0
    return lambda key: TEXT[key][i] if key in TEXT else key


def day_text(day: dt.date, lang: str) -> str:
    """``จ. 30 พ.ย. 2569`` in Thai, ``Mon 2026-11-30`` in English."""
    return date_label(day, "buddhist" if lang == "th" else "gregorian")


def week_text(week: str, lang: str) -> str:
    """``2026-W49 (30 พ.ย. - 4 ธ.ค. 2569)``: the ISO week and its Monday to Friday."""
    monday = monday_of(week)
    friday = monday + dt.timedelta(days=4)
    if lang != "th":
        return f"{week} ({monday.isoformat()} - {friday.isoformat()})"
    a = f"{monday.day} {THAI_MONTHS_SHORT[monday.month - 1]}"
    b = f"{friday.day} {THAI_MONTHS_SHORT[friday.month - 1]} {friday.year + BUDDHIST_ERA_OFFSET}"
    return f"{week} ({a} - {b})"
