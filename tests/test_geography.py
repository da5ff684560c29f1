"""The built-in geography: counts, sites inside their areas, a reproducible build, overrides."""

from __future__ import annotations

import filecmp

import pytest
from shapely.geometry import Point, shape

from caravan.errors import InputError
from caravan.geo.build import OUTPUT_FILES, build
from caravan.geo.geography import boundaries, load_geography, read_site_overrides

from .conftest import ROOT, SHARED_GEO


def test_counts_per_province():
    geo = load_geography()
    for prov, n_d, n_t in (("65", 9, 93), ("37", 7, 56), ("35", 9, 79)):
        assert len(geo.candidates(level="district", provinces=[prov])) == n_d
        assert len(geo.candidates(level="tambon", provinces=[prov])) == n_t
    assert {s.code for s in geo.sites.values() if s.is_base} == {"BASE65", "BASE37", "BASE35"}


@pytest.mark.parametrize("level", ["district", "tambon"])
def test_every_visit_site_lies_inside_its_area(level):
    geo = load_geography()
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in boundaries(level)}
    assert len(shapes) == (25 if level == "district" else 228)
    for code, poly in shapes.items():
        s = geo.sites[code]
        assert poly.covers(Point(s.lon, s.lat)), code
        assert s.name_th and s.name_en and s.area_km2 > 0


def test_yasothon_sites_are_the_surveyed_offices():
    geo = load_geography()
    assert {s.site_source for s in geo.candidates(level="district", provinces=["35"])} == {
        "gistda_district_office"
    }
    # Loeng Nok Tha's office is in Sam Yaek (350810), not in its first tambon
    tambons = {f["properties"]["code"]: shape(f["geometry"]) for f in boundaries("tambon")}
    assert tambons["350810"].covers(Point(geo.sites["3508"].lon, geo.sites["3508"].lat))
    assert geo.sites["BASE35"].lon == geo.sites["3501"].lon


@pytest.mark.skipif(not SHARED_GEO.is_dir(), reason="../shared/geo is not beside the checkout")
def test_build_reproduces_the_committed_data(tmp_path):
    counts = build(SHARED_GEO, tmp_path)
    assert counts == {"districts": 25, "tambons": 228, "bases": 3}
    for name in OUTPUT_FILES:
        assert filecmp.cmp(tmp_path / name, ROOT / "data" / "geo" / name, shallow=False), name


def test_overrides_move_a_site(tmp_path):
    f = tmp_path / "sites.csv"
    f.write_text("code,lon,lat\n3501,104.15,15.80\nBASE65,100.26,16.83\n", encoding="utf-8")
    moved = read_site_overrides(f)
    assert moved == {"3501": (104.15, 15.80), "BASE65": (100.26, 16.83)}
    geo = load_geography().with_overrides(moved)
    assert (geo.sites["3501"].lon, geo.sites["3501"].lat) == (104.15, 15.80)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("code,lon,lat\n3599,104.1,15.8\n", "sites.csv:2: field 'code': unknown code '3599'"),
        ("code,lon,lat\n3501,abc,15.8\n", "sites.csv:2: field 'lon': not a number: 'abc'"),
        (
            "code,lon,lat\n3501,104.14,15.79\n3501,15.8,104.1\n",
            "sites.csv:3: field 'lat': out of range: 104.1",
        ),
        (
            "code,lon,lat\n3501,100.26,16.83\n",
            "sites.csv:2: field 'lon': point 100.260000,16.830000 lies outside district 3501 "
            "(Mueang Yasothon)",
        ),
        ("code,x,y\n", "sites.csv:1: missing column 'lon' (expected code,lon,lat)"),
    ],
)
def test_bad_override_lines(tmp_path, body, message):
    f = tmp_path / "sites.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_site_overrides(f)
    assert str(err.value).endswith(message)
