"""The printable itinerary (``itinerary.html``): one A4 page per unit-day for the field team.

Each page: the day (in the chosen calendar), the unit and its province, the base, when the
unit leaves and is back, the total drive and the complaints waiting; on tour (docs/tours.md)
where the day starts (the lodging of the night before) and where the team sleeps that night,
with how far it is from the base; then a table with one row per stop: time
(arrive–depart), the place (Thai and English names, code, GPS position), the drive from the
previous stop (minutes and km), the open complaints by category, and an empty column for
notes on the spot. The page is self-contained (no script, no external
file), prints on A4 with the table header repeated and rows never split, and asks for a
Thai font first ("Sarabun", "TH Sarabun New", "Noto Sans Thai", "Loma", then any sans-serif).
Every text from an input is escaped.
"""

from __future__ import annotations

from caravan import __version__
from caravan.clock import duration_text, hhmm
from caravan.outputs.labels import category_text, date_label_long, datetime_label, esc, level_text
from caravan.outputs.tours import night_of
from caravan.travel.matrix import format_km, travel_label
from caravan.types import PROVINCES, Route, WeekPlan

CSS = """\
@page { size: A4; margin: 12mm 12mm 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Sarabun", "TH Sarabun New", "Noto Sans Thai", "Loma", sans-serif;
  font-size: 10.5pt; line-height: 1.35; color: #000; margin: 0; }
.sheet { break-after: page; page-break-after: always; }
.sheet:last-child { break-after: auto; page-break-after: auto; }
h1 { font-size: 15pt; margin: 0 0 1mm; }
h2 { font-size: 12pt; margin: 0 0 3mm; font-weight: normal; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 0.5mm 4mm; margin: 0 0 4mm; }
.facts dt { font-weight: bold; }
.facts dd { margin: 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
col.c-n { width: 7mm; } col.c-time { width: 26mm; } col.c-place { width: 50mm; }
col.c-drive { width: 18mm; } col.c-notes { width: 27mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #555; padding: 1.2mm 1.8mm; text-align: left; vertical-align: top; }
th { background: #eee; font-size: 9.5pt; }
td.n, th.n { text-align: right; }
td.n { white-space: nowrap; }
td.time { font-weight: bold; }
.en, .small { color: #333; font-size: 9pt; }
.cats { font-size: 8.5pt; line-height: 1.25; color: #222; }
tr.base td { background: #f6f6f6; }
footer { margin-top: 4mm; font-size: 8.5pt; color: #444; }
@media screen {
  body { background: #ddd; }
  .sheet { background: #fff; width: 210mm; min-height: 297mm; margin: 6mm auto;
    padding: 12mm; box-shadow: 0 0 4px #888; }
}
"""


def _place(plan: WeekPlan, code: str, base: bool) -> str:
    site = plan.sites[code]
    if base:
        gps = (
            f"<br><span class='small'>GPS {site.lat:.5f}, {site.lon:.5f}</span>"
            if not site.is_base
            else ""
        )
        return f"<b>{esc(site.name_th)}</b><br><span class='en'>{esc(site.name_en)}</span>{gps}"
    level = level_text(site.level)
    return (
        f"<b>{esc(site.name_th)}</b> <span class='en'>{esc(site.name_en)}</span><br>"
        f"<span class='small'>{level} {esc(code)} · GPS {site.lat:.5f}, {site.lon:.5f}</span>"
    )


def _complaints(plan: WeekPlan, code: str) -> str:
    score = plan.scores.get(code)
    if not score or not score.open:
        return "0"
    items = " · ".join(
        f"{esc(category_text(c))}&nbsp;<b>{n}</b>" for c, n in score.by_category.items()
    )
    return f"<b>{score.open}</b><div class='cats'>{items}</div>"


def _sheet(plan: WeekPlan, route: Route, number: int, total: int, calendar: str) -> str:
    p = plan.parameters
    ud = route.unit_day
    base = plan.sites[ud.base]
    prov_th, prov_en = PROVINCES.get(ud.province_code, (ud.province_code, ud.province_code))
    n_open = sum(plan.scores[v.code].open for v in route.visits if v.code in plan.scores)
    rows = []
    for s in route.stops:
        if s.kind == "depart":
            time = f"ออก / leave<br>{hhmm(s.depart)}"
        elif s.kind == "return":
            time = f"กลับถึง / back<br>{hhmm(s.arrive)}"
        elif s.kind == "overnight":
            time = f"ถึงที่พัก / at the lodging<br>{hhmm(s.arrive)}"
        else:
            time = f"{hhmm(s.arrive)}–{hhmm(s.depart)}"
        drive = (
            ""
            if s.kind == "depart"
            else f"{s.drive_seconds // 60} min<br>{format_km(s.drive_metres)} km"
        )
        is_base = s.kind != "visit"
        rows.append(
            f"<tr class='{'base' if is_base else 'visit'}'><td class='n'>{s.stop}</td>"
            f"<td class='time'>{time}</td><td>{_place(plan, s.code, is_base)}</td>"
            f"<td class='n'>{drive}</td>"
            f"<td>{'' if is_base else _complaints(plan, s.code)}</td><td class='notes'></td></tr>"
        )
    return f"""<section class="sheet">
<h1>แผนการออกหน่วย / Caravan itinerary</h1>
<h2>{esc(date_label_long(ud.date, calendar))}</h2>
<dl class="facts">
<dt>หน่วย / unit</dt><dd>{esc(ud.unit)} · จังหวัด{esc(prov_th)} / {esc(prov_en)}</dd>
<dt>ฐาน / base</dt><dd>{esc(base.name_th)} / {esc(base.name_en)}</dd>
{_tour_facts(plan, route)}<dt>เวลา / times</dt><dd>ออก / leave {hhmm(route.stops[0].depart)} · \
{"ถึงที่พัก / at the lodging" if route.overnight else "กลับถึง / back"} \
{hhmm(route.stops[-1].arrive)}</dd>
<dt>ขับรถรวม / total drive</dt><dd>{route.drive_seconds // 60} นาที / min, \
{format_km(route.drive_metres)} km</dd>
<dt>จุดแวะ / visits</dt><dd>{len(route.visits)} · เรื่องค้างที่รอ / open complaints waiting: \
{n_open}</dd>
</dl>
<table>
<colgroup><col class="c-n"><col class="c-time"><col class="c-place"><col class="c-drive">\
<col class="c-open"><col class="c-notes"></colgroup>
<thead><tr><th class="n">#</th><th>เวลา / time</th><th>สถานที่ / place</th>\
<th class="n">ขับรถ / drive</th><th>เรื่องค้าง / open complaints</th>\
<th>บันทึก / notes</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<footer>สัปดาห์ / week {esc(p.week)} · แผ่นที่ / sheet {number} / {total} · \
สร้างเมื่อ / created {esc(datetime_label(plan.created, calendar)) if plan.created else "-"} · \
เวลาขับรถ / drive times: {esc(travel_label(p.travel))} · \
caravan {esc(__version__)}</footer>
</section>"""


def _tour_facts(plan: WeekPlan, route: Route) -> str:
    """On tour: where the day starts, and where the team sleeps and how far from base."""
    out = ""
    if route.from_lodging:
        site = plan.sites[route.stops[0].code]
        out += (
            f"<dt>ออกจากที่พัก / leaves from</dt><dd>{esc(site.name_th)} / "
            f"{esc(site.name_en)} (พักเมื่อคืน / slept there last night)</dd>\n"
        )
    night = night_of(plan, route)
    if night is not None:
        out += (
            f"<dt>พักค้างคืน / sleeps at</dt><dd><b>{esc(night.name_th)}</b> / "
            f"{esc(night.name_en)} · {format_km(night.from_base_metres)} km, "
            f"{duration_text(night.from_base_seconds)} จากฐาน / from the base · GPS "
            f"{night.lat:.5f}, {night.lon:.5f}</dd>\n"
        )
    return out


def itinerary_html(plan: WeekPlan, *, calendar: str = "gregorian") -> str:
    """The printable itinerary as one HTML page (one sheet per unit-day)."""
    p = plan.parameters
    sheets = [
        _sheet(plan, r, i, len(plan.routes), calendar) for i, r in enumerate(plan.routes, start=1)
    ]
    if not sheets:
        sheets = [
            '<section class="sheet"><h1>แผนการออกหน่วย / Caravan itinerary</h1>'
            f"<p>สัปดาห์ / week {esc(p.week)}: ไม่มีการออกหน่วย / no visits planned.</p></section>"
        ]
    return (
        '<!DOCTYPE html>\n<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>แผนการออกหน่วย / Caravan itinerary {esc(p.week)}</title>\n"
        f"<style>\n{CSS}</style>\n</head>\n<body>\n" + "\n".join(sheets) + "\n</body>\n</html>\n"
    )
