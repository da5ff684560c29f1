"""Priority of each site: open complaints weighted by category, urgency, status and age.

::

    priority(site) = sum over the complaints placed at the site that are not resolved of
                     w_category x w_urgency x w_status x age_factor
    age_factor     = min(1 + per_week x age_days / 7, max_factor)

``age_days`` is counted from the day the complaint was received to the reference day (the
Monday of the planned week). The sum is rounded to 0.01 point. The default weights are in
``caravan/plan/weights.toml``; ``--weights FILE`` overrides any of them.

At district level a site collects every complaint of its district. At tambon level a
complaint that names only its district (no tambon, no coordinates) is counted at the tambon
that holds the district's visit site (the district office): that is where people of the
district come, and it keeps every complaint in the plan. The plan reports how many were
placed this way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from caravan.errors import InputError
from caravan.text import read_toml
from caravan.types import Complaint, Level, SiteScore


@dataclass(frozen=True)
class Weights:
    category: Mapping[str, float]
    urgency: Mapping[str, float]
    status: Mapping[str, float]
    age_per_week: float
    age_max_factor: float
    source: str = "built-in"

    def category_weight(self, category: str) -> float:
        return self.category.get(category, self.category.get("default", 1.0))

    def complaint_weight(self, c: Complaint, reference: dt.date) -> float:
        w_status = self.status.get(c.status, 0.0)
        if w_status == 0.0:
            return 0.0
        age_days = max(0, (reference - c.received).days)
        age = min(1.0 + self.age_per_week * age_days / 7.0, self.age_max_factor)
        return self.category_weight(c.category) * self.urgency.get(c.urgency, 1.0) * w_status * age

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "category": dict(self.category),
            "urgency": dict(self.urgency),
            "status": dict(self.status),
            "age": {"per_week": self.age_per_week, "max_factor": self.age_max_factor},
        }


def _shown_toml(value: object) -> str:
    """A TOML value for a message: a number or a short text, else its kind."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and len(value) <= 20 and value.isprintable():
        return repr(value)
    return f"a {type(value).__name__}"


def load_weights(path: str | Path | None = None) -> Weights:
    """The default weights, updated with the tables of ``path`` (a TOML file) if given."""
    default = read_toml(Path(__file__).with_name("weights.toml"), "weights.toml")
    merged = {k: dict(v) for k, v in default.items()}
    if path is not None:
        user = read_toml(path)
        for table, values in user.items():
            if table not in merged or not isinstance(values, dict):
                raise InputError(
                    f"unknown table [{table}] (expected category, urgency, status or age)",
                    source=str(path),
                    field=table,
                )
            for key, value in values.items():
                if table == "urgency" and key not in merged["urgency"]:
                    raise InputError(
                        f"unknown urgency '{key}' (low, normal, high, critical)",
                        source=str(path),
                        field=f"{table}.{key}",
                    )
                if table == "status" and key not in merged["status"]:
                    raise InputError(
                        f"unknown status '{key}' (open, in_progress, resolved)",
                        source=str(path),
                        field=f"{table}.{key}",
                    )
                if table == "age" and key not in ("per_week", "max_factor"):
                    raise InputError(
                        f"unknown key '{key}' (per_week, max_factor)",
                        source=str(path),
                        field=f"{table}.{key}",
                    )
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not 0 <= value < math.inf  # also false for nan
                ):
                    raise InputError(
                        f"must be a finite number >= 0, got {_shown_toml(value)}",
                        source=str(path),
                        field=f"{table}.{key}",
                    )
                merged[table][key] = float(value)
    if merged["age"]["max_factor"] < 1.0:
        raise InputError(
            "must be at least 1", source=str(path or "weights.toml"), field="age.max_factor"
        )
    return Weights(
        category=MappingProxyType(merged["category"]),
        urgency=MappingProxyType(merged["urgency"]),
        status=MappingProxyType(merged["status"]),
        age_per_week=merged["age"]["per_week"],
        age_max_factor=merged["age"]["max_factor"],
        source=str(path) if path else "built-in",
    )


def site_of(c: Complaint, level: Level, seat_tambon: Mapping[str, str]) -> tuple[str, bool]:
    """The site code a complaint counts for at ``level``; the flag says it was moved to the
    district's seat tambon because the complaint names no tambon."""
    if level == "district":
        return c.district_code, False
    if c.tambon_code:
        return c.tambon_code, False
    return seat_tambon[c.district_code], True


def score_sites(
    complaints: Iterable[Complaint],
    *,
    level: Level,
    reference: dt.date,
    weights: Weights,
    seat_tambon: Mapping[str, str],
) -> tuple[dict[str, SiteScore], int]:
    """Score every site that has complaints. Returns the scores and how many complaints were
    counted at a district's seat tambon because they named no tambon.

    A :class:`~caravan.complaints.table.ComplaintTable` (what ``read_complaints`` returns) is
    scored with array operations, with the same arithmetic in the same order."""
    from caravan.complaints.table import ComplaintTable

    if isinstance(complaints, ComplaintTable):
        return _score_table(
            complaints, level=level, reference=reference, weights=weights, seat_tambon=seat_tambon
        )
    prio: dict[str, float] = defaultdict(float)
    n_open: Counter[str] = Counter()
    n_resolved: Counter[str] = Counter()
    cats: dict[str, Counter[str]] = defaultdict(Counter)
    moved = 0
    for c in complaints:
        code, was_moved = site_of(c, level, seat_tambon)
        moved += was_moved
        if c.status == "resolved":
            n_resolved[code] += 1
            continue
        n_open[code] += 1
        cats[code][c.category] += 1
        prio[code] += weights.complaint_weight(c, reference)
    codes = set(n_open) | set(n_resolved)
    scores = {
        code: SiteScore(
            code=code,
            priority=round(prio.get(code, 0.0), 2),
            open=n_open[code],
            resolved=n_resolved[code],
            by_category=dict(sorted(cats[code].items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        for code in codes
    }
    return scores, moved


def _score_table(
    table, *, level: Level, reference: dt.date, weights: Weights, seat_tambon: Mapping[str, str]
) -> tuple[dict[str, SiteScore], int]:
    import numpy as np

    from caravan.types import STATUSES

    cols = table.columns()
    codes: dict[str, int] = {}
    place_site = np.zeros(len(cols["places"]), dtype=np.int64)
    place_moved = np.zeros(len(cols["places"]), dtype=bool)
    for i in np.unique(cols["place"]).tolist():  # only the places of these complaints
        prov, dist, tam = cols["places"][i]
        code, was_moved = site_of(
            Complaint("", reference, prov, dist, tam, "", "open"), level, seat_tambon
        )
        place_site[i] = codes.setdefault(code, len(codes))
        place_moved[i] = was_moved
    site = place_site[cols["place"]]
    moved = int(np.count_nonzero(place_moved[cols["place"]]))
    is_open = cols["status"] != STATUSES.index("resolved")
    w_cat = np.array([weights.category_weight(c) for c in cols["categories"]] or [0.0])
    w_urg = np.array([weights.urgency.get(u, 1.0) for u in cols["urgencies"]])
    w_st = np.array([weights.status.get(s, 0.0) for s in STATUSES])
    age_days = np.maximum(0, reference.toordinal() - cols["day"].astype(np.int64))
    age = np.minimum(1.0 + weights.age_per_week * age_days / 7.0, weights.age_max_factor)
    w = w_cat[cols["category"]] * w_urg[cols["urgency"]] * w_st[cols["status"]] * age
    w[~is_open] = 0.0
    n_sites = len(codes)
    prio = np.bincount(site, weights=w, minlength=n_sites)
    n_open = np.bincount(site[is_open], minlength=n_sites)
    n_all = np.bincount(site, minlength=n_sites)
    n_cat = len(cols["categories"])
    by_cat = np.bincount(
        site[is_open] * n_cat + cols["category"][is_open], minlength=n_sites * max(n_cat, 1)
    ).reshape(n_sites, max(n_cat, 1))
    scores = {}
    for code, i in codes.items():
        if n_all[i] == 0:
            continue
        cats = {cols["categories"][j]: int(by_cat[i, j]) for j in np.flatnonzero(by_cat[i])}
        scores[code] = SiteScore(
            code=code,
            priority=round(float(prio[i]), 2),
            open=int(n_open[i]),
            resolved=int(n_all[i] - n_open[i]),
            by_category=dict(sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))),
        )
    return scores, moved
