"""Ingestion benchmark: read, place and score a large messy complaint export.

Goal (issue 4): 1,000,000 rows read, placed and scored in at most 15 s with at most 2 GB
peak memory on a 2-core machine.

    python benchmarks/ingest.py                    # 1,000,000 rows
    python benchmarks/ingest.py --rows 200000 --keep /tmp/c.csv

The file is generated first (synthetic, no real person) the way a provincial export looks:
Thai headers; personal-data columns (name, national ID, phone, address, description) that
caravan must ignore; dates as d/m/yyyy in the Buddhist era, "9 พ.ย. 69" or ISO with a
time; places as Thai names (tambon, district, province), DOPA codes, district names only or
coordinates (about 10 %); Thai statuses, categories and urgencies; about 1 % bad rows and
0.1 % repeated ids. The timed part then runs in a fresh process, so that its peak memory
(ru_maxrss) is its own: read_complaints (read + place) and score_sites (score), at tambon
level. It prints the times, the rows per second and the peak memory.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from caravan.outputs.labels import THAI_MONTHS_SHORT as THAI_MONTHS

HEADER = (
    "ลำดับ",
    "เลขที่เรื่อง",
    "วันที่รับเรื่อง",
    "ชื่อ-นามสกุล",
    "เลขประจำตัวประชาชน",
    "เบอร์โทรศัพท์",
    "ที่อยู่",
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
STATUSES = (
    "รอรับเรื่อง",
    "รอดำเนินการ",
    "กำลังดำเนินการ",
    "อยู่ระหว่างดำเนินการ",
    "เสร็จสิ้น",
    "ยุติเรื่อง",
    "open",
    "resolved",
)
URGENCIES = ("ปกติ", "ปกติ", "ปกติ", "ด่วน", "ด่วนมาก", "ต่ำ", "")
FIRST = ("สมชาย", "สมหญิง", "บุญมี", "มาลี", "ประเสริฐ", "วิไล", "สุรชัย", "อรุณี")
LAST = ("ใจดี", "ศรีสุข", "มีสุข", "ทองดี", "แก้วมณี", "บุญเรือง")


def generate(path: Path, rows: int, seed: int, as_of: dt.date) -> None:
    """Write the synthetic export (vectorised draws, one pass of csv.writer)."""
    import shapely

    from caravan.complaints.categories import CATEGORY_LABELS
    from caravan.geo.geography import boundaries, load_geography
    from caravan.types import PROVINCES

    rng = np.random.default_rng(seed)
    geo = load_geography()
    tambons = geo.candidates(level="tambon", provinces=list(PROVINCES))
    districts = {s.code: s for s in geo.candidates(level="district", provinces=list(PROVINCES))}
    weights = rng.lognormal(0, 0.8, len(tambons))
    weights /= weights.sum()
    # a pool of random points inside each tambon
    shapes = {
        f["properties"]["code"]: shapely.geometry.shape(f["geometry"]) for f in boundaries("tambon")
    }
    pool = []
    for t in tambons:
        g = shapes[t.code]
        x0, y0, x1, y1 = g.bounds
        xs, ys = rng.uniform(x0, x1, 400), rng.uniform(y0, y1, 400)
        inside = shapely.contains_xy(g, xs, ys)
        pts = list(zip(ys[inside][:40], xs[inside][:40], strict=True)) or [(t.lat, t.lon)]
        pool.append(pts)
    cats = [th for th, _ in CATEGORY_LABELS.values()]
    t_idx = rng.choice(len(tambons), size=rows, p=weights)
    age = rng.integers(0, 365, size=rows)
    form = rng.random(rows)
    place = rng.random(rows)
    cat = rng.integers(0, len(cats), size=rows)
    stat = rng.integers(0, len(STATUSES), size=rows)
    urg = rng.integers(0, len(URGENCIES), size=rows)
    bad = rng.random(rows)
    dup = rng.random(rows)
    pick = rng.integers(0, 40, size=rows)
    days = [as_of - dt.timedelta(days=int(a)) for a in range(365)]
    date_forms = [
        [f"{d.day}/{d.month}/{d.year + 543}" for d in days],
        [f"{d.day} {THAI_MONTHS[d.month - 1]} {(d.year + 543) % 100:02d}" for d in days],
        [f"{d.isoformat()} 09:{d.day % 60:02d}" for d in days],
    ]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            t = tambons[t_idx[i]]
            d = districts[t.district_code]
            f = form[i]
            received = date_forms[0 if f < 0.6 else 1 if f < 0.85 else 2][age[i]]
            p = place[i]
            prov = dist = tam = lat = lon = ""
            if p < 0.55:
                prov, dist, tam = PROVINCES[t.province_code][0], "อ." + d.name_th, "ต." + t.name_th
            elif p < 0.75:
                tam = t.code
            elif p < 0.85:
                prov, dist = PROVINCES[t.province_code][0], d.name_th
            elif p < 0.90:
                dist, tam = d.code, t.name_en
            else:
                pts = pool[t_idx[i]]
                la, lo = pts[pick[i] % len(pts)]
                lat, lon = f"{la:.6f}", f"{lo:.6f}"
            b = bad[i]
            if b < 0.003:
                received = "32/13/2569"
            elif b < 0.006:
                tam, dist, prov, lat, lon = "หนองไม่มี", "", "", "", ""
            elif b < 0.01:
                tam, dist, prov, lat, lon = "", "", "", "13.750000", "100.500000"
            cid = f"R{(i - 1 if dup[i] < 0.001 and i else i):07d}"
            w.writerow(
                (
                    i + 1,
                    cid,
                    received,
                    f"นาย{FIRST[i % 8]} {LAST[i % 6]}",
                    f"{3_1000_00000_00_0 + i}",
                    f"08{i % 10}-{i % 1000:03d}-{i % 10000:04d}",
                    f"{i % 200}/3 หมู่ {i % 12} ",
                    prov,
                    dist,
                    tam,
                    lat,
                    lon,
                    cats[cat[i]],
                    "ร้องเรียนเรื่องความเดือดร้อน",
                    STATUSES[stat[i]],
                    URGENCIES[urg[i]],
                )
            )


def to_xlsx(path: Path) -> Path:
    """The same rows as an Excel workbook (openpyxl, write-only)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("complaints")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    out = path.with_suffix(".xlsx")
    wb.save(out)
    return out


def measure(path: Path, as_of: dt.date) -> dict:
    """Read + place (read_complaints) and score (score_sites); in a fresh process."""
    started = time.perf_counter()
    from caravan.complaints import read_complaints
    from caravan.geo.geography import load_geography
    from caravan.plan.priority import load_weights, score_sites
    from caravan.plan.week import _seat_tambons
    from caravan.types import PROVINCES

    geo = load_geography()
    imported = time.perf_counter()
    cf = read_complaints(path, today=as_of, geography=geo)
    read = time.perf_counter()
    weights = load_weights()
    seats = _seat_tambons(geo, list(PROVINCES))
    scores, _moved = score_sites(
        cf.accepted, level="tambon", reference=as_of, weights=weights, seat_tambon=seats
    )
    scored = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kib = usage.ru_maxrss
    return {
        "rows": cf.rows,
        "accepted": len(cf.accepted),
        "rejected": len(cf.rejects),
        "reasons": dict(cf.reject_counts()),
        "sites": len(scores),
        "import_s": round(imported - started, 2),
        "read_place_s": round(read - imported, 2),
        "score_s": round(scored - read, 2),
        "total_s": round(scored - imported, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mib": round(peak_kib / 1024),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--keep", type=Path, default=None, help="write the file here and keep it")
    ap.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--as-of", default="2026-11-20")
    ap.add_argument("--xlsx", action="store_true", help="measure an .xlsx of the same rows")
    args = ap.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    if args.measure:
        print(json.dumps(measure(args.measure, as_of)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "complaints.csv"
        t0 = time.perf_counter()
        generate(path, args.rows, args.seed, as_of)
        if args.xlsx:
            path = to_xlsx(path)
        size = path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--as-of", args.as_of],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ),
        )
        r = json.loads(out.stdout)
    print(
        f"rows {r['rows']:,}: {r['accepted']:,} accepted, {r['rejected']:,} rejected "
        f"{r['reasons']}; {r['sites']} sites scored"
    )
    print(
        f"read+place {r['read_place_s']:.2f} s, score {r['score_s']:.2f} s, "
        f"total {r['total_s']:.2f} s ({r['rows'] / max(r['total_s'], 1e-9):,.0f} rows/s); "
        f"imports {r['import_s']:.2f} s"
    )
    print(f"CPU time of the measuring process {r['cpu_s']:.2f} s (user + system)")
    print(f"peak memory (ru_maxrss) {r['peak_mib']:,} MiB")
    goal_t, goal_m = r["total_s"] <= 15, r["peak_mib"] <= 2048
    print(
        f"goal (1M rows: <= 15 s, <= 2048 MiB): time {'met' if goal_t else 'NOT met'}, "
        f"memory {'met' if goal_m else 'NOT met'}"
        + ("" if args.rows == 1_000_000 else f" (for {args.rows:,} rows)")
    )


if __name__ == "__main__":
    main()
