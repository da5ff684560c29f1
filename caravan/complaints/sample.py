"""Synthetic complaints for demos, tests and benchmarks (``caravan sample complaints``).

The generator is deterministic for a given seed, count and ``as_of`` date. It aims at what a
provincial complaint export looks like, without any real person in it:

* volume per district is uneven (proportional to the square root of its area times a
  log-normal factor), and within a district some tambons get far more than others;
* categories follow the mix of social-welfare and local-government grievances
  (:data:`CATEGORY_MIX`), urgency depends on the category;
* dates spread over the ``days`` before ``as_of``, more of them recent; older complaints are
  more often resolved (about a third of all rows);
* most rows carry a tambon code; some only a district code, some only coordinates.

:func:`to_csv` writes the rows under caravan's own column names; :func:`to_thai_export`
writes the same rows the way a Thai provincial office's export looks (``caravan sample
complaints --style thai-export``), to try the whole reading path on: a title line above the
header, Thai headers (two that caravan does not know by itself, so that the file needs a
column mapping), Buddhist-era dates, Thai place names, categories, statuses and urgencies,
personal-data columns filled with obviously made-up values, and a few rows with the mistakes
real exports have (a place name that is no place, a repeated id, a date that does not exist).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

import numpy as np

from caravan.complaints.categories import CATEGORY_LABELS
from caravan.geo.geography import Geography, boundaries, load_geography
from caravan.types import PROVINCES

#: (category, share of complaints, share that is high or critical)
CATEGORY_MIX: tuple[tuple[str, float, float], ...] = (
    ("poverty_debt", 0.17, 0.15),
    ("elderly", 0.13, 0.15),
    ("welfare_card", 0.09, 0.05),
    ("disability", 0.08, 0.15),
    ("housing", 0.08, 0.20),
    ("land", 0.08, 0.05),
    ("water", 0.09, 0.20),
    ("roads", 0.08, 0.05),
    ("child_family", 0.05, 0.35),
    ("health", 0.04, 0.30),
    ("domestic_violence", 0.02, 0.70),
    ("agriculture", 0.03, 0.05),
    ("electricity", 0.02, 0.10),
    ("environment", 0.02, 0.05),
    ("other", 0.02, 0.0),
)

COLUMNS = (
    "id",
    "received",
    "province_code",
    "district_code",
    "tambon_code",
    "lat",
    "lon",
    "category",
    "status",
    "urgency",
)


def _random_point(rng: np.random.Generator, geometry) -> tuple[float, float]:
    from shapely.geometry import Point

    minx, miny, maxx, maxy = geometry.bounds
    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geometry.contains(Point(x, y)):
            return round(float(x), 6), round(float(y), 6)
    rp = geometry.representative_point()
    return round(rp.x, 6), round(rp.y, 6)


def generate(
    *,
    seed: int,
    count: int,
    as_of: dt.date,
    provinces: Sequence[str] | None = None,
    days: int = 180,
    geography: Geography | None = None,
) -> list[dict[str, str]]:
    """Rows of synthetic complaints, sorted by date received."""
    from shapely.geometry import shape

    geography = geography or load_geography()
    provinces = list(provinces) if provinces else sorted(PROVINCES)
    rng = np.random.default_rng(seed)
    districts = geography.candidates(level="district", provinces=provinces)
    tambons = geography.candidates(level="tambon", provinces=provinces)
    d_weight = np.array([np.sqrt(d.area_km2) for d in districts])
    d_weight *= rng.lognormal(0.0, 0.6, len(districts))
    d_weight /= d_weight.sum()
    t_by_d = {d.code: [t for t in tambons if t.district_code == d.code] for d in districts}
    t_weights = {}
    for d in districts:
        w = rng.dirichlet(np.full(len(t_by_d[d.code]), 0.8))
        t_weights[d.code] = w
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in boundaries("tambon")}
    cats = [c for c, _, _ in CATEGORY_MIX]
    c_share = np.array([s for _, s, _ in CATEGORY_MIX])
    c_share /= c_share.sum()
    hi_share = {c: h for c, _, h in CATEGORY_MIX}

    rows = []
    d_idx = rng.choice(len(districts), size=count, p=d_weight)
    for i in range(count):
        d = districts[d_idx[i]]
        t = t_by_d[d.code][rng.choice(len(t_by_d[d.code]), p=t_weights[d.code])]
        category = cats[rng.choice(len(cats), p=c_share)]
        # more recent complaints are more frequent: age ~ triangular, mode 0
        age = int(rng.triangular(0, 0, days))
        received = as_of - dt.timedelta(days=age)
        p_resolved = min(0.85, 0.05 + 0.6 * age / days)
        r = rng.random()
        if r < p_resolved:
            status = "resolved"
        elif r < p_resolved + 0.2:
            status = "in_progress"
        else:
            status = "open"
        u = rng.random()
        hi = hi_share[category]
        if u < hi * 0.25:
            urgency = "critical"
        elif u < hi:
            urgency = "high"
        elif u < hi + 0.15:
            urgency = "low"
        else:
            urgency = "normal"
        how = rng.random()
        row = {
            "id": "",
            "received": received.isoformat(),
            "province_code": d.province_code,
            "district_code": d.code,
            "tambon_code": t.code,
            "lat": "",
            "lon": "",
            "category": category,
            "status": status,
            "urgency": urgency,
        }
        if how < 0.08:  # only the district is known
            row["tambon_code"] = ""
        elif how < 0.18:  # only coordinates (from a mobile app)
            lon, lat = _random_point(rng, shapes[t.code])
            row.update(
                province_code="",
                district_code="",
                tambon_code="",
                lat=f"{lat:.6f}",
                lon=f"{lon:.6f}",
            )
        rows.append(row)
    rows.sort(key=lambda r: (r["received"], r["district_code"], r["tambon_code"], r["lat"]))
    for i, row in enumerate(rows, start=1):
        row["id"] = f"C{as_of.year}-{i:06d}"
    return rows


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


#: The Thai export's headers: ``เลขทะเบียนรับ`` (the id) and ``ลงวันที่`` (the date received)
#: are not among the headers caravan recognises (a column mapping names them, as
#: ``examples/columns.toml`` does); the personal-data columns are never read.
THAI_EXPORT_COLUMNS = (
    "ลำดับ",
    "เลขทะเบียนรับ",
    "ลงวันที่",
    "ชื่อ-นามสกุล",
    "เบอร์โทรศัพท์",
    "จังหวัด",
    "อำเภอ",
    "ตำบล",
    "ละติจูด",
    "ลองจิจูด",
    "ประเภทเรื่อง",
    "รายละเอียด",
    "สถานะ",
    "ความเร่งด่วน",
)
_THAI_STATUS = {"open": "รอดำเนินการ", "in_progress": "อยู่ระหว่างดำเนินการ", "resolved": "แล้วเสร็จ"}
_THAI_URGENCY = {"low": "ต่ำ", "normal": "ปกติ", "high": "ด่วน", "critical": "ด่วนมาก"}
#: every this many rows one carries a mistake, in turn: a place name that is no place (and
#: no coordinates), the id of the row before, a date that does not exist
_MISTAKE_EVERY = 50


def to_thai_export(
    rows: Sequence[dict[str, str]], *, as_of: dt.date, geography: Geography | None = None
) -> str:
    """``rows`` of :func:`generate` as a Thai provincial export (module docstring)."""
    geography = geography or load_geography()
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([f"รายงานเรื่องร้องเรียน ณ วันที่ {_thai_date(as_of)} (ข้อมูลสมมติ)"])
    w.writerow(THAI_EXPORT_COLUMNS)
    for i, row in enumerate(rows, start=1):
        province = district = tambon = ""
        lat, lon = row["lat"], row["lon"]
        if row["district_code"]:
            province = PROVINCES[row["province_code"]][0]
            district = geography.site(row["district_code"]).name_th
        if row["tambon_code"]:
            tambon = geography.site(row["tambon_code"]).name_th
        received = _thai_date(dt.date.fromisoformat(row["received"]))
        cid = row["id"]
        mistake = i // _MISTAKE_EVERY % 3 if i % _MISTAKE_EVERY == 0 else None
        if mistake == 0:
            received = f"31/11/{as_of.year + 543}"
        elif mistake == 1:
            district, tambon, lat, lon = "", "หนองไม่มีจริง", "", ""
        elif mistake == 2:
            cid = rows[i - 2]["id"]
        w.writerow(
            (
                i,
                cid,
                received,
                f"ผู้ร้องสมมติ {i}",
                f"080-000-{i % 10000:04d}",
                province,
                district,
                tambon,
                lat,
                lon,
                CATEGORY_LABELS[row["category"]][0],
                "ข้อความสมมติ",
                _THAI_STATUS[row["status"]],
                _THAI_URGENCY[row["urgency"]],
            )
        )
    return buf.getvalue()


def _thai_date(day: dt.date) -> str:
    """d/m/yyyy in the Buddhist era, as Excel in a Thai locale writes dates."""
    return f"{day.day}/{day.month}/{day.year + 543}"
