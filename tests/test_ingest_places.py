"""Places: DOPA codes, Thai and English names in their common spellings, coordinates;
ambiguous names; rows outside the three provinces."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.codes import code_digits
from caravan.complaints.places import Bad, Placer
from caravan.geo.geography import load_geography

GEO = load_geography()
PLACER = Placer(GEO)


@pytest.mark.parametrize(
    ("province", "district", "tambon", "expected"),
    [
        # codes, with or without TH, Thai digits, number cells, 8-digit DOPA forms
        ("", "3501", "", ("35", "3501", "")),
        ("", "TH3501", "", ("35", "3501", "")),
        ("", "th-3501", "", ("35", "3501", "")),
        ("", "๓๕๐๑", "", ("35", "3501", "")),
        ("", "3501.0", "", ("35", "3501", "")),
        ("", "35010000", "", ("35", "3501", "")),
        ("", "", "350101", ("35", "3501", "350101")),
        ("", "", "TH350101", ("35", "3501", "350101")),
        ("", "", "35010100", ("35", "3501", "350101")),
        ("", "", "35010105", ("35", "3501", "350101")),  # village 5 of tambon 350101
        ("35", "3501", "350101", ("35", "3501", "350101")),
        # Thai names with and without the level words and their short forms
        ("", "ทรายมูล", "", ("35", "3502", "")),
        ("", "อำเภอทรายมูล", "", ("35", "3502", "")),
        ("", "อ.ทรายมูล", "", ("35", "3502", "")),
        ("", "อ. ทรายมูล", "", ("35", "3502", "")),
        ("", "อําเภอทรายมูล", "", ("35", "3502", "")),  # sara am typed as two characters
        ("", "", "ตำบลน้ำคำใหญ่", ("35", "3501", "350102")),
        ("", "", "ต.น้ำคำใหญ่", ("35", "3501", "350102")),
        ("", "", "น้ำคำ ใหญ่", ("35", "3501", "350102")),
        ("จังหวัดยโสธร", "อ.เมือง", "", ("35", "3501", "")),  # Mueang of the province
        ("จ.พิษณุโลก", "เมือง", "", ("65", "6501", "")),
        ("", "เมืองยโสธร", "", ("35", "3501", "")),
        # English names, prefixes, hyphens and romanisation variants
        ("", "Sai Mun", "", ("35", "3502", "")),
        ("", "Amphoe Sai Mun", "", ("35", "3502", "")),
        ("", "sai-mun district", "", ("35", "3502", "")),
        ("", "SAIMUN", "", ("35", "3502", "")),
        ("", "Muang Yasothon", "", ("35", "3501", "")),
        ("", "Amphoe Mueang Phitsanulok", "", ("65", "6501", "")),
        ("Yasothon Province", "", "Tambon Nam Kham Yai", ("35", "3501", "350102")),
        ("", "", "Nam-Kham-Yai", ("35", "3501", "350102")),
        # a tambon name shared by two districts, resolved by the district or province
        ("", "เมืองยโสธร", "ในเมือง", ("35", "3501", "350101")),
        ("พิษณุโลก", "", "ในเมือง", ("65", "6501", "650101")),
        ("", "อ.ทรายมูล", "ต.นาเวียง", ("35", "3502", "350204")),
        ("อำนาจเจริญ", "", "นาเวียง", ("37", "3705", "370504")),
        # a tambon named like a district of another province
        ("", "", "คำเขื่อนแก้ว", ("37", "3702", "370203")),
        ("", "คำเขื่อนแก้ว", "", ("35", "3504", "")),
    ],
)
def test_places_by_code_and_name(province, district, tambon, expected):
    assert PLACER.place(province, district, tambon) == expected


@pytest.mark.parametrize(
    ("province", "district", "tambon", "kind", "field", "reason"),
    [
        (
            "",
            "",
            "ในเมือง",
            "ambiguous place",
            "tambon",
            "tambon name 'ในเมือง' is in 2 districts (3501 เมืองยโสธร, 6501 เมืองพิษณุโลก); "
            "give the district or province",
        ),
        (
            "",
            "เมือง",
            "",
            "ambiguous place",
            "district",
            "district name 'เมือง' is in 3 provinces (35 ยโสธร, 37 อำนาจเจริญ, 65 พิษณุโลก); "
            "give the province",
        ),
        (
            "",
            "",
            "นาเวียง",
            "ambiguous place",
            "tambon",
            "tambon name 'นาเวียง' is in 2 districts (3502 ทรายมูล, 3705 เสนางคนิคม); give "
            "the district or province",
        ),
        (
            "",
            "ทรายมูล",
            "ในเมือง",
            "place mismatch",
            "district",
            "tambon 'ในเมือง' is not in district 'ทรายมูล'",
        ),
        (
            "",
            "",
            "1001xx",
            "unknown place",
            "tambon",
            "unknown tambon name (a text of 6 characters)",
        ),
        (
            "",
            "1001",
            "",
            "outside the three provinces",
            "district",
            "outside the three provinces: district code '1001' is in Bangkok",
        ),
        (
            "",
            "",
            "TH500101",
            "outside the three provinces",
            "tambon",
            "outside the three provinces: tambon code '500101' is in Chiang Mai",
        ),
        (
            "",
            "บางรัก",
            "",
            "outside the three provinces",
            "district",
            "outside the three provinces: district 'บางรัก' is in Bangkok",
        ),
        (
            "เชียงใหม่",
            "เมือง",
            "",
            "outside the three provinces",
            "province",
            "outside the three provinces: province 'เชียงใหม่'",
        ),
        ("", "3599", "", "unknown place", "district", "unknown district code '3599'"),
        ("", "350", "", "unknown place", "district", "not a 4-digit district code: '350'"),
        (
            "ยโสธร",
            "",
            "หนองไม่มี",
            "unknown place",
            "tambon",
            "no tambon of that name in Yasothon (a text of 9 characters)",
        ),
    ],
)
def test_places_that_cannot_be_used(province, district, tambon, kind, field, reason):
    assert PLACER.place(province, district, tambon) == Bad(kind, field, reason)


def test_points_are_placed_in_the_tambon_that_covers_them():
    sites = [GEO.sites[c] for c in ("350101", "370504", "650101")]
    lons = np.array([s.lon for s in sites] + [100.50, 0.0])
    lats = np.array([s.lat for s in sites] + [13.75, 0.0])
    assert PLACER.place_points(lons, lats) == ["350101", "370504", "650101", None, None]


def test_a_point_just_outside_the_boundaries_goes_to_the_nearest_tambon():
    """The simplified boundaries are ~100 m off: a point 110 m north of the northernmost
    vertex of all tambons is placed in that tambon; 1.1 km north it is outside."""
    from shapely.geometry import shape

    from caravan.geo.geography import boundaries

    top = max(
        (
            (lat, lon, f["properties"]["code"])
            for f in boundaries("tambon")
            for poly in (lambda g: g.geoms if g.geom_type == "MultiPolygon" else [g])(
                shape(f["geometry"])
            )
            for lon, lat in poly.exterior.coords
        ),
    )
    lat, lon, code = top
    assert PLACER.place_points(np.array([lon, lon]), np.array([lat + 0.001, lat + 0.01])) == [
        code,
        None,
    ]


def test_code_digits():
    assert code_digits(" TH-3501 ") == "3501"
    assert code_digits("3501.0") == "3501"
    assert code_digits("ยโสธร") is None


TAMBONS = sorted(c for c, s in GEO.sites.items() if s.level == "tambon")
DISTRICTS = sorted(c for c, s in GEO.sites.items() if s.level == "district")


def _variant(name: str, data) -> str:
    """A spelling a person might type: spaces or hyphens between words changed, case changed,
    stray spaces around."""
    words = name.split(" ")
    sep = data.draw(st.sampled_from([" ", "", "-", "  "]))
    text = sep.join(words)
    if data.draw(st.booleans()):
        text = text.upper() if data.draw(st.booleans()) else text.lower()
    return data.draw(st.sampled_from(["", " "])) + text + data.draw(st.sampled_from(["", " "]))


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(code=st.sampled_from(TAMBONS), data=st.data())
def test_property_tambon_names_find_their_tambon(code, data):
    site = GEO.sites[code]
    name = data.draw(st.sampled_from([site.name_th, site.name_en]))
    prefix = data.draw(st.sampled_from(["", "ตำบล", "ต.", "ต. ", "Tambon "]))
    text = prefix + _variant(name, data)
    district = GEO.sites[site.district_code]
    dname = data.draw(st.sampled_from([district.name_th, "อ." + district.name_th, district.code]))
    # with its district the answer is exact; alone it is this tambon or an ambiguity naming it
    assert PLACER.place("", dname, text) == (code[:2], code[:4], code)
    alone = PLACER.place("", "", text)
    if isinstance(alone, Bad):
        assert alone.kind == "ambiguous place" and code[:4] in alone.reason
    else:
        assert alone == (code[:2], code[:4], code)


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(code=st.sampled_from(DISTRICTS), data=st.data())
def test_property_district_names_find_their_district(code, data):
    site = GEO.sites[code]
    name = data.draw(st.sampled_from([site.name_th, site.name_en]))
    prefix = data.draw(st.sampled_from(["", "อำเภอ", "อ.", "อ. ", "Amphoe ", "กิ่งอำเภอ"]))
    assert PLACER.place("", prefix + _variant(name, data), "") == (code[:2], code, "")


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(st.text(max_size=30), st.text(max_size=30), st.text(max_size=30))
def test_property_any_text_gives_a_place_or_a_reason(p, d, t):
    result = PLACER.place(p.strip(), d.strip(), t.strip())
    assert (
        result is None
        or isinstance(result, Bad)
        or (isinstance(result, tuple) and GEO.sites[result[1]].level == "district")
    )
