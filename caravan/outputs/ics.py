"""The plan as an iCalendar file (RFC 5545) that Google Calendar, Outlook and phones import.

One event per visit: the title names the unit, the stop number and the site (Thai and
English); the location is the site with its district and province; the event starts at
the arrival and ends at the departure, in Asia/Bangkok time (``TZID=Asia/Bangkok`` with its
``VTIMEZONE``: UTC+7 all year); ``GEO`` holds the visit site's coordinates; the description
gives the times, the drive from the previous stop, the open complaints by category and the
GPS position to navigate to.

Each event's ``UID`` is ``caravan-<week>-<site code>``: a site is visited at most once a week,
so importing a re-exported or replanned week updates its events instead of doubling them.

A night away (docs/tours.md) is one more event at the lodging, from the team's arrival
there to its departure the next working day: ``UID`` ``caravan-<week>-night-<unit>-<date>``,
the title "พักค้างคืน ... / overnight at ...", the lodging's position and how far it is
from the base.
``DTSTAMP`` is the plan's creation time (UTC), so the same plan always gives the same file.
Dates stay ISO (Gregorian) whatever the calendar option: calendar programs show them in
their user's own calendar.

Lines end with CRLF and are folded at 75 octets (never inside a UTF-8 character); text
values escape ``\\``, ``;``, ``,`` and line breaks.
"""

from __future__ import annotations

import datetime as dt

from caravan import __version__
from caravan.clock import hhmm
from caravan.outputs.labels import category_text, level_text
from caravan.outputs.tours import night_of, unit_tours
from caravan.travel.matrix import format_km
from caravan.types import PROVINCES, WeekPlan

TZID = "Asia/Bangkok"
MAX_OCTETS = 75


def escape_text(value: object) -> str:
    """An RFC 5545 TEXT value."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets joined by CRLF + space."""
    out = []
    chunk = ""
    size = 0
    limit = MAX_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(chunk)
            chunk, size = "", 0
            limit = MAX_OCTETS - 1  # continuation lines start with a space
        chunk += ch
        size += n
    out.append(chunk)
    return "\r\n ".join(out)


def _local(day: dt.date, seconds: int) -> str:
    t = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(seconds))
    return t.strftime("%Y%m%dT%H%M%S")


def _stamp(plan: WeekPlan) -> str:
    created = plan.created or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return created.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def plan_ics(plan: WeekPlan) -> str:
    """The whole calendar as text (CRLF line ends)."""
    p = plan.parameters
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//caravan//caravan {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'คาราวาน / caravan {p.week}')}",
        f"X-WR-TIMEZONE:{TZID}",
        "BEGIN:VTIMEZONE",
        f"TZID:{TZID}",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0700",
        "TZOFFSETTO:+0700",
        "TZNAME:+07",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    stamp = _stamp(plan)
    for route in plan.routes:
        ud = route.unit_day
        for s in route.visits:
            site = plan.sites[s.code]
            score = plan.scores.get(s.code)
            prov_th, prov_en = PROVINCES.get(site.province_code, ("", ""))
            level = level_text(site.level)
            description = [
                f"หน่วย / unit {ud.unit} · จุดที่ / stop {s.stop}",
                f"ถึง / arrive {hhmm(s.arrive)} · ออก / depart {hhmm(s.depart)}",
                f"ขับรถจากจุดก่อนหน้า / drive from the previous stop: {s.drive_seconds // 60} "
                f"min, {format_km(s.drive_metres)} km",
                f"เรื่องค้าง / open complaints: {score.open if score else 0}",
            ]
            if score:
                description += [f"- {category_text(c)}: {n}" for c, n in score.by_category.items()]
            description += [
                f"พิกัด / GPS: {site.lat:.6f}, {site.lon:.6f}",
                f"{level} {site.code} · จังหวัด{prov_th} / {prov_en}",
                f"สัปดาห์ / week {p.week} (caravan)",
            ]
            event = [
                "BEGIN:VEVENT",
                f"UID:caravan-{p.week}-{s.code}",
                f"DTSTAMP:{stamp}",
                f"DTSTART;TZID={TZID}:{_local(ud.date, s.arrive)}",
                f"DTEND;TZID={TZID}:{_local(ud.date, s.depart)}",
                "SUMMARY:"
                + escape_text(f"คาราวาน {ud.unit} #{s.stop}: {site.name_th} / {site.name_en}"),
                "LOCATION:"
                + escape_text(
                    f"{site.name_th} ({site.name_en}), {level} {site.code}, "
                    f"จังหวัด{prov_th} / {prov_en}"
                ),
                f"GEO:{site.lat:.6f};{site.lon:.6f}",
                "DESCRIPTION:" + escape_text("\n".join(description)),
                "CATEGORIES:caravan",
                "STATUS:CONFIRMED",
                "TRANSP:OPAQUE",
                "END:VEVENT",
            ]
            lines += event
    lines += _night_events(plan, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _night_events(plan: WeekPlan, stamp: str) -> list[str]:
    """One event per night away (module docstring)."""
    p = plan.parameters
    lines: list[str] = []
    for tour in unit_tours(plan):
        for route, after in zip(tour.routes, (*tour.routes[1:], None), strict=True):
            night = night_of(plan, route)
            if night is None:
                continue
            ud = route.unit_day
            if after is not None:
                end = _local(after.unit_day.date, after.stops[0].depart or after.unit_day.day_start)
            else:  # a plan cut short: the next morning
                end = _local(ud.date + dt.timedelta(days=1), ud.day_start)
            prov_th, prov_en = PROVINCES.get(plan.sites[night.code].province_code, ("", ""))
            description = [
                f"หน่วย / unit {ud.unit} พักค้างคืน / stays overnight",
                f"ถึงที่พัก / arrives {hhmm(route.stops[-1].arrive)}",
                f"ห่างจากฐาน / from the base: {format_km(night.from_base_metres)} km, "
                f"{night.from_base_seconds // 60} min",
                f"พิกัด / GPS: {night.lat:.6f}, {night.lon:.6f}",
                f"สัปดาห์ / week {p.week} (caravan)",
            ]
            lines += [
                "BEGIN:VEVENT",
                f"UID:caravan-{p.week}-night-{ud.unit}-{ud.date.isoformat()}",
                f"DTSTAMP:{stamp}",
                f"DTSTART;TZID={TZID}:{_local(ud.date, route.stops[-1].arrive or ud.day_end)}",
                f"DTEND;TZID={TZID}:{end}",
                "SUMMARY:"
                + escape_text(
                    f"คาราวาน {ud.unit}: พักค้างคืน {night.name_th} / overnight at {night.name_en}"
                ),
                "LOCATION:"
                + escape_text(f"{night.name_th} ({night.name_en}), จังหวัด{prov_th} / {prov_en}"),
                f"GEO:{night.lat:.6f};{night.lon:.6f}",
                "DESCRIPTION:" + escape_text("\n".join(description)),
                "CATEGORIES:caravan",
                "STATUS:CONFIRMED",
                "TRANSP:OPAQUE",
                "END:VEVENT",
            ]
    return lines
