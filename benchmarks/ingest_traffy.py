"""Ingestion benchmark of a Traffy Fondue bulk export, against pandas.read_csv of the same file.

Goal (issue 14): 1,000,000 rows in the platform's bulk CSV format read (read + place) in at
most 15 s with at most 2 GB peak memory, and at most 3 times the time of ``pandas.read_csv``
of the same file measured in the same run. Also measured: ``caravan complaints check`` of the
1,000,000-row generic sample (``benchmarks/ingest.py``'s file), end to end as a user runs it,
against ``pandas.read_csv`` of that file.

    python benchmarks/ingest_traffy.py                    # 1,000,000 rows, 3 runs
    python benchmarks/ingest_traffy.py --rows 100000 --keep /tmp/traffy.csv
    python benchmarks/ingest_traffy.py --use /tmp/traffy.csv --runs 5 --no-generic

The file is synthetic (no real person) and shaped like the platform's export: the 16 columns
of the bulk CSV, UTF-8; free-text comments with commas, quotes and (5 %) line breaks; photo
URLs; ``{a,b}`` types (10 % ``{}``); ``lon,lat`` coords; timestamps with microseconds and
``+00``; Thai states (5 % ไม่เกี่ยวข้อง). 60 % of the rows are in the three provinces, 40 %
in Bangkok; 1 % name a tambon other than the one of their point, 0.3 % have a bad date.
Each measurement runs in a fresh process (its own peak memory, ru_maxrss), caravan then pandas,
``--runs`` times, each line with the load average (on a shared machine the ratio of the two,
measured under the same load, is the fairer number). pandas is needed for the comparison
only (``pip install pandas``): it is not a dependency of caravan.
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

HEADER = [
    "ticket_id",
    "type",
    "organization",
    "comment",
    "photo",
    "photo_after",
    "coords",
    "address",
    "subdistrict",
    "district",
    "province",
    "timestamp",
    "state",
    "star",
    "count_reopen",
    "last_activity",
]
LABELS = ("ถนน", "ทางเท้า", "ความปลอดภัย", "ร้องเรียน", "ความสะอาด", "แสงสว่าง", "ท่อระบายน้ำ",
          "กีดขวาง", "น้ำท่วม", "เสียงรบกวน", "ป้าย", "จราจร", "ต้นไม้", "คลอง", "สัตว์จรจัด",
          "สายไฟ", "สะพาน", "คนจรจัด", "PM2.5")  # fmt: skip
STATES = ("รอรับเรื่อง", "กำลังดำเนินการ", "เสร็จสิ้น", "ส่งต่อ(ใหม่)", "ไม่เกี่ยวข้อง")
STATE_P = (0.25, 0.35, 0.25, 0.10, 0.05)
BANGKOK = (("สีลม", "บางรัก"), ("ลาดยาว", "จตุจักร"), ("คลองตัน", "คลองเตย"), ("วังใหม่", "ปทุมวัน"))
COMMENTS = (
    'ถนนเป็นหลุมลึก รถจักรยานยนต์ล้ม, ขอให้ซ่อมด่วน "ด่วนมาก"',
    "ไฟดับทั้งซอย มืดมาก อันตราย",
    "น้ำท่วมขัง, ระบายไม่ทัน\nตั้งแต่เมื่อวาน",
    "ขยะไม่ได้เก็บ 3 วัน ส่งกลิ่นเหม็น",
)


def generate(path: Path, rows: int, seed: int, as_of: dt.date) -> None:
    import shapely

    from caravan.geo.geography import boundaries, load_geography
    from caravan.types import PROVINCES

    rng = np.random.default_rng(seed)
    geo = load_geography()
    tambons = geo.candidates(level="tambon", provinces=list(PROVINCES))
    districts = {s.code: s for s in geo.candidates(level="district", provinces=list(PROVINCES))}
    shapes = {f["properties"]["code"]: shapely.geometry.shape(f["geometry"])
              for f in boundaries("tambon")}  # fmt: skip
    pool = []
    for t in tambons:  # points well inside each tambon
        g = shapes[t.code].buffer(-0.01)
        g = g if not g.is_empty else shapes[t.code]
        x0, y0, x1, y1 = g.bounds
        xs, ys = rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)
        inside = shapely.contains_xy(g, xs, ys)
        pts = zip(xs[inside][:30], ys[inside][:30], strict=True)
        pool.append([f"{x:.6f},{y:.6f}" for x, y in pts] or [f"{t.lon},{t.lat}"])
    t_idx = rng.integers(0, len(tambons), rows)
    where = rng.random(rows)
    n_labels = rng.choice(4, size=rows, p=(0.1, 0.6, 0.25, 0.05))
    labels = rng.integers(0, len(LABELS), (rows, 3))
    state = rng.choice(len(STATES), size=rows, p=STATE_P)
    age_s = rng.integers(0, 365 * 86400, rows)
    micro = rng.integers(0, 1_000_000, rows)
    bad = rng.random(rows)
    pick = rng.integers(0, 30, rows)
    now = dt.datetime.combine(as_of, dt.time(0), tzinfo=dt.UTC)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            stamp = now - dt.timedelta(seconds=int(age_s[i]))
            ts = f"{stamp:%Y-%m-%d %H:%M:%S}.{micro[i]:06d}+00"
            if bad[i] < 0.003:
                ts = "2026-13-40 25:00:00+00"
            kinds = "{" + ",".join(LABELS[j] for j in labels[i, : n_labels[i]]) + "}"
            if where[i] < 0.6:
                t = tambons[t_idx[i]]
                d = districts[t.district_code]
                pts = pool[t_idx[i]]
                coords = pts[pick[i] % len(pts)]
                if bad[i] > 0.99:  # the point of another tambon
                    other = pool[(t_idx[i] + 40) % len(pool)]
                    coords = other[0]
                tam, dist, prov = t.name_th, d.name_th, PROVINCES[t.province_code][0]
            else:
                tam, dist = BANGKOK[i % 4]
                prov = "กรุงเทพมหานคร"
                coords = f"{100.5 + (i % 97) / 1000:.6f},{13.7 + (i % 89) / 1000:.6f}"
            w.writerow((
                f"2026-{i:06X}", kinds, "เทศบาลทดสอบ", COMMENTS[i % len(COMMENTS)],
                f"https://storage.example.invalid/attachment/{i:08x}.jpg", "", coords,
                f"{i % 300}/2 หมู่ {i % 12} ต.{tam} อ.{dist} จ.{prov}", tam, dist, prov, ts,
                STATES[state[i]], "", "0", ts,
            ))  # fmt: skip


def measure_caravan(path: Path, as_of: dt.date) -> dict:
    started = time.perf_counter()
    from caravan.complaints import read_complaints
    from caravan.geo.geography import load_geography

    geo = load_geography()
    imported = time.perf_counter()
    cf = read_complaints(path, today=as_of, geography=geo)
    done = time.perf_counter()
    return {
        "rows": cf.rows,
        "accepted": len(cf.accepted),
        "rejected": len(cf.rejects),
        "reasons": dict(cf.reject_counts()),
        "profile": cf.profile,
        "outcomes": dict(cf.outcomes),
        "import_s": round(imported - started, 2),
        "read_s": round(done - imported, 2),
        "cpu_s": _cpu_seconds(),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _cpu_seconds() -> float:
    """CPU time of this process so far (user + system): steadier than wall time on a
    machine shared with other work."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)


def measure_pandas(path: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    done = time.perf_counter()
    return {
        "rows": len(frame),
        "read_s": round(done - started, 2),
        "cpu_s": _cpu_seconds(),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _fresh(kind: str, path: Path, as_of: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--file", str(path), "--as-of", as_of],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    )
    return json.loads(out.stdout)


def _check_end_to_end(path: Path, as_of: str) -> dict:
    """Wall and CPU seconds and peak memory of `caravan complaints check FILE --out DIR
    --quiet` (the command's own process)."""
    exe = Path(sys.executable).with_name("caravan")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(exe), "complaints", "check", str(path), "--out", out, "--quiet"],
            env=dict(os.environ, CARAVAN_TODAY=as_of),
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"caravan complaints check failed ({proc.returncode})")
    return {
        "read_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mib": round(usage.ru_maxrss / 1024),
    }


def _load() -> str:
    """The load average over the last minute, five and fifteen minutes (a shared machine)."""
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _report(what: str, run: int, c: dict, p: dict, goal: bool) -> None:
    ratio = c["read_s"] / max(p["read_s"], 1e-9)
    cpu_ratio = c["cpu_s"] / max(p["cpu_s"], 1e-9)
    line = (
        f"{what} run {run}: caravan {c['read_s']:.2f} s (CPU {c['cpu_s']:.2f} s, peak "
        f"{c['peak_mib']:,} "
        f"MiB), pandas.read_csv {p['read_s']:.2f} s (CPU {p['cpu_s']:.2f} s, peak "
        f"{p['peak_mib']:,} MiB); ratio {ratio:.2f} (CPU {cpu_ratio:.2f}); {_load()}"
    )
    if goal:
        ok = c["read_s"] <= 15 and c["peak_mib"] <= 2048 and ratio <= 3
        line += f"; goal (<= 15 s, <= 2048 MiB, <= 3x): {'met' if ok else 'NOT met'}"
    print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--keep", type=Path, default=None, help="write the Traffy file here")
    ap.add_argument("--use", type=Path, default=None, help="read this Traffy file (no new one)")
    ap.add_argument("--runs", type=int, default=3, help="caravan, then pandas, this many times")
    ap.add_argument("--as-of", default="2026-11-20")
    ap.add_argument("--no-generic", action="store_true", help="skip the generic check run")
    ap.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    if args.measure:
        result = measure_caravan(args.file, as_of) if args.measure == "caravan" else (
            measure_pandas(args.file))  # fmt: skip
        print(json.dumps(result, ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.use or args.keep or Path(tmp) / "traffy.csv"
        if args.use is None:
            t0 = time.perf_counter()
            generate(path, args.rows, args.seed, as_of)
            print(f"generated {args.rows:,} Traffy rows in {time.perf_counter() - t0:.1f} s")
        print(f"{path.stat().st_size / 1e6:.0f} MB; {_load()}", flush=True)
        for run in range(1, args.runs + 1):
            c = _fresh("caravan", path, args.as_of)
            p = _fresh("pandas", path, args.as_of)
            if run == 1:
                print(f"{c['rows']:,} rows: {c['accepted']:,} accepted, {c['rejected']:,} "
                      f"rejected {c['reasons']}; profile {c['profile']}, outcomes "
                      f"{c['outcomes']}")  # fmt: skip
            _report("Traffy read_complaints", run, c, p, goal=True)
        if args.no_generic:
            return
        sys.path.insert(0, str(Path(__file__).parent))
        from ingest import generate as generate_generic

        generic = Path(tmp) / "generic.csv"
        generate_generic(generic, args.rows, 4, as_of)
        print(f"generic sample: {generic.stat().st_size / 1e6:.0f} MB", flush=True)
        for run in range(1, args.runs + 1):
            c = _check_end_to_end(generic, args.as_of)
            p = _fresh("pandas", generic, args.as_of)
            _report("generic complaints check", run, c, p, goal=False)


if __name__ == "__main__":
    main()
