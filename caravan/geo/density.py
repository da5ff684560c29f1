"""How densely open complaints cover each area: what the map shades.

* Without a population file: **open complaints per km²** of the area.
* With ``--population FILE`` (a CSV ``code,population``; other columns are ignored, so a
  file ``code,name_en,population,year`` works as it is): **open complaints per 10,000
  residents**. The file must give every area of the planned level in the planned provinces;
  at tambon level a district's population, when the file leaves it out, is the sum of its
  tambons.

"Open" means open or in progress: resolved complaints are counted in the plan but do not
make an area darker. Density only shades the map; the plan itself maximises priority (see
docs/planning.md, "Priority").
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from caravan.codes import code_digits
from caravan.errors import InputError
from caravan.geo.geography import Geography
from caravan.types import WeekPlan

PER_RESIDENTS = 10_000

UNIT_KM2 = "เรื่องค้าง ต่อ ตร.กม. / open complaints per km²"
UNIT_RESIDENTS = "เรื่องค้าง ต่อประชากร 10,000 คน / open complaints per 10,000 residents"


def read_population(path: str | Path, geography: Geography) -> dict[str, int]:
    """``{code: residents}`` from a CSV with ``code`` and ``population`` columns."""
    from caravan.text import clean

    src = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", source=src) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", source=src) from None
    rows = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(rows, [])]
    for col in ("code", "population"):
        if col not in header:
            raise InputError(
                f"missing column '{col}' (expected code,population)", source=src, line=1
            )
    ci, pi = header.index("code"), header.index("population")
    out: dict[str, int] = {}
    first: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        raw_code = row[ci] if ci < len(row) else ""
        code = code_digits(raw_code) or ""
        site = geography.sites.get(code)
        if site is None or site.is_base:
            raise InputError(
                f"not a district or tambon code of the three provinces: '{raw_code.strip()}'",
                source=src,
                line=line,
                field="code",
            )
        value = clean(row[pi] if pi < len(row) else "").replace(",", "").replace(" ", "")
        if not value.isdigit() or int(value) <= 0:
            raise InputError(
                f"not a positive whole number: '{value}'", source=src, line=line, field="population"
            )
        if code in out:
            raise InputError(
                f"code {code} again (first on line {first[code]})",
                source=src,
                line=line,
                field="code",
            )
        out[code] = int(value)
        first[code] = line
    return out


def population_by_area(
    population: Mapping[str, int],
    geography: Geography,
    *,
    level: str,
    provinces: Iterable[str],
    source: str = "population",
) -> dict[str, int]:
    """The residents of every district (and, at tambon level, every tambon) of the planned
    provinces; raises InputError naming the first area the file leaves out."""
    provinces = list(provinces)
    out = dict(population)
    tambons = geography.candidates(level="tambon", provinces=provinces)
    districts = geography.candidates(level="district", provinces=provinces)
    if level == "tambon":
        for t in tambons:
            if t.code not in out:
                raise InputError(
                    f"no population for tambon {t.code} ({t.name_en}); at tambon level every "
                    "tambon of the planned provinces needs one",
                    source=source,
                )
        for d in districts:
            if d.code not in out:
                out[d.code] = sum(out[t.code] for t in tambons if t.district_code == d.code)
    else:
        for d in districts:
            if d.code not in out:
                raise InputError(
                    f"no population for district {d.code} ({d.name_en}); every district of "
                    "the planned provinces needs one",
                    source=source,
                )
    return out


def density_unit(plan: WeekPlan) -> str:
    """The legend title: per km² or per 10,000 residents."""
    return UNIT_RESIDENTS if plan.population else UNIT_KM2


def area_density(plan: WeekPlan, code: str, n_open: int, area_km2: float) -> float:
    """Open complaints per 10,000 residents (when the plan has populations) or per km²."""
    if plan.population:
        people = plan.population.get(code, 0)
        return n_open * PER_RESIDENTS / people if people > 0 else 0.0
    return n_open / area_km2 if area_km2 > 0 else 0.0
