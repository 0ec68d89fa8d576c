"""Regions: the built-in table, the region file loader, distances and free-text names."""

import csv
import gzip
import math
from collections import Counter
from pathlib import Path

import pytest

from matching.regions import (
    BUILTIN_PROVINCES,
    Region,
    RegionTable,
    builtin_regions,
    load_regions,
    resolve_region_name,
)
from matching.sample import REGIONS
from tests.support import SHARED_DATA, need

REGION_FILE = SHARED_DATA / "id-regions" / "regions_prov_kabkota.csv"
MAGANGHUB = SHARED_DATA / "id-maganghub-2026" / "maganghub_lowongan_2026.csv.gz"
LOKERID = SHARED_DATA / "id-jobs-lokerid-2025" / "lokerid_jobs_2025-07.csv"

# Kemendagri province codes, 2022 onwards (Papua split into four more provinces).
PROVINCE_CODES = [
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35",
    "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76",
    "81", "82", "91", "92", "93", "94", "95", "96",
]  # fmt: skip


@pytest.fixture(scope="module")
def full() -> RegionTable:
    return load_regions(need(REGION_FILE))


# ---- built-in table ---------------------------------------------------------------------------


def test_builtin_has_all_38_provinces_with_real_codes() -> None:
    table = builtin_regions()
    assert [p.code for p in table.provinces] == PROVINCE_CODES
    assert table.by_code("11").name == "Aceh"
    assert table.by_code("96").name == "Papua Barat Daya"
    assert table.by_code("32").name == "Jawa Barat"
    # Indonesia had about 280 million people in the mid-2020s.
    assert 270e6 < sum(p.population for p in table.provinces) < 290e6
    for province in table.provinces:
        assert province.level == "province" and province.province_code == province.code
        assert -11.5 < province.lat < 6.5 and 94.5 < province.lng < 141.5, province


def test_builtin_regencies_are_the_sample_regions() -> None:
    table = builtin_regions()
    assert [(r.code, r.name) for r in table.regencies] == sorted((r.code, r.name) for r in REGIONS)
    for regency in table.regencies:
        assert regency.level == "regency"
        # Near its province's centroid (which the source places at the provincial capital).
        assert table.distance_km(regency.code, regency.province_code) < 200, regency


def test_builtin_is_one_shared_table() -> None:
    assert builtin_regions() is builtin_regions()


def test_populated_is_finest_level_and_keeps_province_shares() -> None:
    table = builtin_regions()
    regions = table.populated()
    weights = table.populated_weights()
    assert len(regions) == len(weights)
    assert [r.code for r in regions] == sorted(r.code for r in regions)
    # Every listed regency, plus the provinces standing for the rest of their population.
    assert set(table.regencies) <= set(regions)
    by_province: Counter[str] = Counter()
    for region, weight in zip(regions, weights, strict=True):
        assert weight >= 0
        by_province[region.province_code] += weight
    for province in table.provinces:
        assert by_province[province.code] == province.population, province.code
    jakarta = {r.code for r in regions if r.province_code == "31"}
    assert {"31.71", "31.72", "31.73", "31.74", "31.75"} <= jakarta
    # Papua has no regency in the built-in table: the province itself is populated.
    assert table.by_code("91") in regions


def test_populated_of_provinces_only_table() -> None:
    table = RegionTable(
        [Region(code, name, "province", code, lat, lng, pop) for code, name, lat, lng, pop in
         BUILTIN_PROVINCES]
    )  # fmt: skip
    assert table.populated() == table.provinces
    assert table.populated_weights() == tuple(p.population for p in table.provinces)
    assert table.regencies == ()


def test_by_code_and_lookup_helpers() -> None:
    table = builtin_regions()
    assert table.by_code("32.73").name == "Kota Bandung"
    assert table.get("32.04") is None
    assert "32.73" in table and "99" not in table
    assert len(table) == 76
    assert len(list(table)) == 76
    with pytest.raises(KeyError, match=r"unknown region code '99\.01'"):
        table.by_code("99.01")


def test_province_of() -> None:
    table = builtin_regions()
    assert table.province_of("32.73") == "32"
    assert table.province_of("32") == "32"
    assert table.province_of("32.04") == "32"  # need not be in the table
    for bad in ("3273", "32.7", "", "ab.cd", "32.73.01"):
        with pytest.raises(ValueError, match="Kemendagri"):
            table.province_of(bad)


# ---- distances -----------------------------------------------------------------------------------


def test_jakarta_bandung_distance() -> None:
    table = builtin_regions()
    assert table.distance_km("31.71", "32.73") == pytest.approx(120, abs=30)
    assert table.distance_km("31.71", "32.73") == table.distance_km("32.73", "31.71")


def test_distance_sanity() -> None:
    table = builtin_regions()
    assert table.distance_km("32.73", "32.73") == 0.0
    # Jakarta to Makassar ~1,400 km; Medan to Jayapura (Papua) ~4,700 km.
    assert table.distance_km("31.71", "73.71") == pytest.approx(1_400, rel=0.1)
    assert table.distance_km("12.71", "91") == pytest.approx(4_700, rel=0.1)
    # Neighbouring Jakarta cities are a few km apart.
    assert table.distance_km("31.71", "31.73") < 15


def test_distance_falls_back_to_province_centroid() -> None:
    table = builtin_regions()
    # Kabupaten Bandung (32.04) is not in the built-in table: placed at Jawa Barat's centroid.
    assert table.get("32.04") is None
    assert table.distance_km("32.04", "31.71") == table.distance_km("32", "31.71")
    assert table.centroid("32.04") == table.centroid("32")
    with pytest.raises(KeyError, match="99"):
        table.distance_km("99.01", "31.71")
    with pytest.raises(KeyError):
        table.distance_km("31.71", "nonsense")


# ---- validation ----------------------------------------------------------------------------------


def _province(code: str, population: int = 1000) -> Region:
    return Region(code, f"Provinsi {code}", "province", code, -6.0, 107.0, population)


def _regency(code: str, population: int = 100) -> Region:
    return Region(code, f"Kota {code}", "regency", code[:2], -6.0, 107.0, population)


def test_table_rejects_inconsistent_regions() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        RegionTable([_province("32"), _province("32")])
    with pytest.raises(ValueError, match="province '33' is not in the table"):
        RegionTable([_province("32"), _regency("33.01")])
    with pytest.raises(ValueError, match=r"'NN\.NN'"):
        RegionTable([_province("32"), Region("32.1", "X", "regency", "32", 0, 0, 1)])
    with pytest.raises(ValueError, match="first two digits"):
        RegionTable([_province("32"), Region("32.01", "X", "regency", "33", 0, 0, 1)])
    with pytest.raises(ValueError, match="centroid"):
        RegionTable([Region("32", "X", "province", "32", 91.0, 0, 1)])
    with pytest.raises(ValueError, match="negative"):
        RegionTable([_province("32", population=-1)])


HEADER = (
    "kode_kemendagri,nama,level,jenis,kode_provinsi,nama_provinsi,lat,lng,latlng_source,"
    "penduduk_total,penduduk_pria,penduduk_wanita,luas_km2\n"
)


def test_load_regions_fills_missing_centroids(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        HEADER
        + "32,Jawa Barat,provinsi,,32,Jawa Barat,-6.9,107.6,x,300,150,150,1\n"
        + "32.73,Kota Bandung,kabkota,kota,32,Jawa Barat,-6.91,107.61,x,200,100,100,1\n"
        + "32.04,Kabupaten Bandung,kabkota,kabupaten,32,Jawa Barat,,,x,100,50,50,1\n"
        + "96,Papua Barat Daya,provinsi,,96,Papua Barat Daya,,,x,10,5,5,1\n"
        + "96.01,Kabupaten Sorong,kabkota,kabupaten,96,Papua Barat Daya,-1.0,131.0,x,4,2,2,1\n"
        + "96.71,Kota Sorong,kabkota,kota,96,Papua Barat Daya,-0.8,131.4,x,6,3,3,1\n",
        encoding="utf-8",
    )
    table = load_regions(path)
    assert table.by_code("32.04").lat == -6.9 and table.by_code("32.04").lng == 107.6
    # A province without a centroid gets the mean of its regencies'.
    assert table.centroid("96") == pytest.approx((-0.9, 131.2))
    assert [r.code for r in table.populated()] == ["32.04", "32.73", "96.01", "96.71"]
    assert table.populated_weights() == (100, 200, 4, 6)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("32,Jawa Barat,kecamatan,,32,Jawa Barat,-6.9,107.6,x,3,1,2,1\n", "level"),
        ("3273,Kota Bandung,kabkota,,32,Jawa Barat,-6.9,107.6,x,3,1,2,1\n", "code '3273'"),
        ("32,Jawa Barat,provinsi,,32,Jawa Barat,-6.9,107.6,x,,1,2,1\n", "region 32"),
        ("32,Jawa Barat,provinsi,,32,Jawa Barat,-6.9,,x,3,1,2,1\n", "both"),
        ("32.73,Kota Bandung,kabkota,,32,Jawa Barat,-6.9,107.6,x,3,1,2,1\n", "province"),
    ],
)
def test_load_regions_rejects_bad_rows(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        load_regions(path)
    assert str(path) in str(info.value)


def test_load_regions_rejects_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("kode_kemendagri,nama,level\n32,Jawa Barat,provinsi\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_regions(path)


# ---- free-text names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kota Bandung", "32.73"),
        ("Bandung", "32.73"),  # bare and ambiguous: the kota
        ("KOTA SURABAYA", "35.78"),
        ("Kab Sleman", "34.04"),
        ("Kab. Sleman", "34.04"),
        ("Kabupaten Sleman", "34.04"),
        ("Sleman", "34.04"),
        ("Jakarta Barat", "31.73"),
        ("Kota Administrasi Jakarta Barat", "31.73"),
        ("Kota Adm. Jakarta Selatan", "31.74"),
        ("jakarta timur", "31.75"),
        ("Tangerang", "36.71"),
        ("Kabupaten Tangerang", "36.03"),
        ("Tangerang Selatan", "36.74"),
        ("Bekasi", "32.75"),
        ("Kab. Bekasi", "32.16"),
        ("Cikarang", "32.16"),
        ("Surakarta / Solo", "33.72"),
        ("Solo", "33.72"),
        ("Jawa Barat", "32"),
        ("DKI Jakarta", "31"),
        ("Jakarta", "31"),
        ("Provinsi Jawa Tengah", "33"),
        ("DI Yogyakarta", "34"),
        ("D.I. Yogyakarta", "34"),
        ("Yogyakarta", "34.71"),  # the kota, like Bandung
        ("Papua Barat Daya", "96"),
        ("  kota   makassar ", "73.71"),
        ("Kota SurabayaHukumKota Surabaya", "35.78"),  # glued spreadsheet cells
    ],
)
def test_resolve_region_name_builtin(text: str, code: str) -> None:
    assert resolve_region_name(builtin_regions(), text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Remote",
        "Indonesia",
        "Lombok",
        "Kota",
        "Kabupaten",
        # Says kabupaten, and the built-in table has only the kota: never the kota.
        "Kabupaten Bandung",
        "Kab. Bandung",
        "Bandung Kabupaten",
    ],
)
def test_resolve_region_name_unknown(text: str) -> None:
    assert resolve_region_name(builtin_regions(), text) is None


# ---- the real region file ------------------------------------------------------------------------


def test_region_file_loads(full: RegionTable) -> None:
    assert len(full.provinces) == 38
    assert len(full.regencies) == 514
    assert full.populated() == full.regencies  # regencies cover every province exactly
    assert sum(full.populated_weights()) == sum(p.population for p in full.provinces)


def test_builtin_values_agree_with_region_file(full: RegionTable) -> None:
    for region in builtin_regions():
        real = full.by_code(region.code)
        assert region.name == real.name
        assert region.lat == pytest.approx(real.lat, abs=1e-4)
        assert region.lng == pytest.approx(real.lng, abs=1e-4)
        assert region.population == pytest.approx(real.population, abs=500)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kab. Bandung", "32.04"),
        ("Kabupaten Bandung", "32.04"),
        ("Kota Bandung", "32.73"),
        ("Bandung", "32.73"),
        ("Bandung Kota", "32.73"),
        ("Bandung Kabupaten", "32.04"),
        ("Bandung Barat", "32.17"),
        ("Jakarta Barat", "31.73"),
        ("KOTA SURABAYA", "35.78"),
        ("Kab Sleman", "34.04"),
        ("Kab. Adm. Kepulauan Seribu", "31.01"),
        ("Kab. Toli Toli", "72.04"),
        ("Kota Pare Pare", "73.72"),
        ("Kab. Pangkajene Kepulauan", "73.10"),
        ("Kab. Mamuju Utara", "76.01"),  # renamed Pasangkayu
        ("Kab. Toba Samosir", "12.12"),  # renamed Toba
        ("Kota Palangkaraya", "62.71"),
        ("Palangka Raya", "62.71"),
        ("Bukit tinggi", "13.75"),
        ("Pematang Siantar", "12.72"),
        ("Bengkulu", "17.71"),
        ("Provinsi Bengkulu", "17"),
        ("Kota CerdasKota Adm. Jakarta Timur", "31.75"),
    ],
)
def test_resolve_region_name_full(full: RegionTable, text: str, code: str) -> None:
    assert resolve_region_name(full, text) == code


def test_maganghub_wilayah_values_resolve(full: RegionTable) -> None:
    with gzip.open(need(MAGANGHUB), "rt", encoding="utf-8", newline="") as file:
        values = {row["Wilayah"] for row in csv.DictReader(file)}
    values = {value for value in values if value.strip()}  # a blank cell names no region
    resolved = {value: resolve_region_name(full, value) for value in values}
    missing = sorted(value for value, code in resolved.items() if code is None)
    assert len(values) > 400
    assert 1 - len(missing) / len(values) >= 0.99, missing
    # "Kab. X" never resolves to a kota, nor "Kota X" to a kabupaten.
    for value, code in resolved.items():
        if code is None or "Kota" in value[4:]:
            continue
        name = full.by_code(code).name
        if value.startswith("Kab."):
            assert name.startswith("Kabupaten"), (value, name)
        elif value.startswith("Kota"):
            assert name.startswith("Kota"), (value, name)


def test_lokerid_locations_resolve(full: RegionTable) -> None:
    with need(LOKERID).open(encoding="utf-8", newline="") as file:
        locations = Counter(row["Location"] for row in csv.DictReader(file))
    resolved = sum(n for text, n in locations.items() if resolve_region_name(full, text))
    # Loker.id writes bare city names, "Bandung Kota", "Surakarta / Solo" and a few
    # non-regions ("Remote", "Lombok").
    assert resolved / sum(locations.values()) >= 0.95
    assert resolve_region_name(full, "Remote") is None


def test_region_file_distances(full: RegionTable) -> None:
    assert full.distance_km("31.71", "32.73") == pytest.approx(120, abs=30)
    # Sabang (Aceh) to Merauke (Papua Selatan): Indonesia's ~5,200 km span.
    sabang = full.by_code("11.72")
    merauke = full.by_code("93.01")
    assert sabang.name == "Kota Sabang" and merauke.name == "Kabupaten Merauke"
    assert full.distance_km(sabang.code, merauke.code) == pytest.approx(5_200, rel=0.1)
    assert all(math.isfinite(r.lat) and math.isfinite(r.lng) for r in full)
