"""Replaying real MagangHub and Loker.id exports as VacancyPosted events (matching/replay.py)."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest

from matching.regions import load_regions, resolve_region_name
from matching.replay import (
    WIB,
    Converted,
    Rejected,
    SalaryRange,
    convert_lokerid,
    convert_maganghub,
    parse_education,
    parse_experience,
    parse_salary,
    parse_skill_list,
    read_lokerid,
    read_maganghub,
    summary,
)
from schemas import RequiredSkill, VacancyPosted, decode, encode
from tests.support import SHARED_DATA, need

# The team's reference data lives beside the checkout (see tests/conftest.py); the whole-file
# tests skip where it is absent. A module-scoped fixture of its own, because conftest's
# `shared_data` is per test and the files are converted once per module.
MAGANGHUB = "id-maganghub-2026/maganghub_lowongan_2026.csv.gz"
LOKERID = "id-jobs-lokerid-2025/lokerid_jobs_2025-07.csv"
REGIONS = "id-regions/regions_prov_kabkota.csv"

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=WIB)
CATEGORIES = {"id", "title", "company", "region", "openings", "education", "salary", "date"}


def table_resolver(table: Mapping[str, str]) -> Callable[[str], str | None]:
    """A resolver that knows exactly the given spellings: shows which candidates are tried."""
    return table.get


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return need(SHARED_DATA)


@pytest.fixture(scope="module")
def resolve(data_dir: Path) -> Callable[[str], str | None]:
    return partial(resolve_region_name, load_regions(data_dir / REGIONS))


@pytest.fixture(scope="module")
def maganghub(data_dir: Path, resolve: Callable[[str], str | None]) -> list[Converted | Rejected]:
    rows = read_maganghub(data_dir / MAGANGHUB)
    return list(convert_maganghub(rows, resolve=resolve, now=NOW))


@pytest.fixture(scope="module")
def lokerid(data_dir: Path, resolve: Callable[[str], str | None]) -> list[Converted | Rejected]:
    return list(convert_lokerid(read_lokerid(data_dir / LOKERID), resolve=resolve, now=NOW))


def only(results: list[Converted | Rejected]) -> VacancyPosted:
    assert len(results) == 1
    result = results[0]
    assert isinstance(result, Converted), result
    return result.event


def reasons(results: list[Converted | Rejected]) -> list[str]:
    return [result.reason for result in results if isinstance(result, Rejected)]


# --------------------------------------------------------------------------------------------
# Whole real files
# --------------------------------------------------------------------------------------------


def assert_all_valid(results: list[Converted | Rejected]) -> None:
    events = [result.event for result in results if isinstance(result, Converted)]
    for event in events:
        assert decode("vacancies.v1", encode(event)) == event
    assert len({event.event_id for event in events}) == len(events)
    assert len({event.vacancy_id for event in events}) == len(events)
    for reason in reasons(results):
        category, _, detail = reason.partition(": ")
        assert category in CATEGORIES, reason
        assert detail.strip(), reason


def test_maganghub_converts_at_least_98_percent(maganghub: list[Converted | Rejected]) -> None:
    print("\nMagangHub:", summary(maganghub))
    assert len(maganghub) == 19_269
    converted = sum(isinstance(result, Converted) for result in maganghub)
    assert converted / len(maganghub) >= 0.98
    assert_all_valid(maganghub)
    # What is left is region names only: empty cells and spellings the regions file lacks.
    assert {reason.split(":")[0] for reason in reasons(maganghub)} == {"region"}
    assert [r.row for r in maganghub] == list(range(1, 19_270))


def test_maganghub_field_coverage(maganghub: list[Converted | Rejected]) -> None:
    events = [result.event for result in maganghub if isinstance(result, Converted)]
    assert all(event.education_min is not None for event in events)
    assert all(event.majors for event in events)
    assert sum(event.openings for event in events) > len(events)  # quotas above 1 survive
    assert Counter(event.association for event in events) == {"OTHER": len(events)}


def test_maganghub_is_deterministic(
    data_dir: Path, resolve: Callable[[str], str | None], maganghub: list[Converted | Rejected]
) -> None:
    again = list(convert_maganghub(read_maganghub(data_dir / MAGANGHUB), resolve=resolve, now=NOW))
    assert again == maganghub
    assert [encode(r.event) for r in again if isinstance(r, Converted)] == [
        encode(r.event) for r in maganghub if isinstance(r, Converted)
    ]


def test_lokerid_share_converted(lokerid: list[Converted | Rejected]) -> None:
    # The README expects ~89% of Location values to match a kab/kota name; the converter
    # also reads "Remote", Loker.id's "Bandung Kota" order, "Surakarta / Solo" and a few
    # towns (Cikarang, Cibinong), and the stand-in resolver maps province names, which
    # together leave only spellings the regions file lacks ("Pematang Siantar",
    # "Palangka Raya", "DKI Jakarta") and the ambiguous "Barito". 97% leaves room for a
    # resolver that does not map provinces (18 rows).
    print("\nLoker.id:", summary(lokerid))
    assert len(lokerid) == 2_229
    converted = sum(isinstance(result, Converted) for result in lokerid)
    assert converted / len(lokerid) >= 0.97
    assert_all_valid(lokerid)
    events = [result.event for result in lokerid if isinstance(result, Converted)]
    assert sum(event.remote for event in events) == 25
    assert all(event.required_skills for event in events)


def test_lokerid_salaries_follow_the_source(
    data_dir: Path, lokerid: list[Converted | Rejected]
) -> None:
    rows = list(read_lokerid(data_dir / LOKERID))
    for row, result in zip(rows, lokerid, strict=True):
        if isinstance(result, Converted):
            event = result.event
            assert (event.salary_min is None) == (row["Min Salary"] == "")
            assert (event.salary_max is None) == (row["Max Salary"] == "")


def test_lokerid_is_deterministic(
    data_dir: Path, resolve: Callable[[str], str | None], lokerid: list[Converted | Rejected]
) -> None:
    assert list(convert_lokerid(read_lokerid(data_dir / LOKERID), resolve=resolve, now=NOW)) == (
        lokerid
    )


def test_stand_in_resolver_reads_source_spellings(resolve: Callable[[str], str | None]) -> None:
    assert resolve("Kota Adm. Jakarta Selatan") == "31.74"
    assert resolve("Kab. Adm. Kepulauan Seribu") == "31.01"
    assert resolve("Kab. Bandung") == "32.04"
    assert resolve("Bandung") == "32.73"
    assert resolve("Jakarta Barat") == "31.73"
    assert resolve("Banten") == "36"
    assert resolve("Luar Negeri") is None


# --------------------------------------------------------------------------------------------
# Hand-picked real rows (excerpts of the relevant columns)
# --------------------------------------------------------------------------------------------

MH_ROWS: dict[str, dict[str, str]] = {
    # Row 1: a "Profesi"-only posting in a kabupaten.
    "nutrisionis": {
        "Judul Posisi": "NUTRISIONIS",
        "Perusahaan / Instansi": "Rumah Sakit Umum Dr. H. Koesnadi Kabupaten Bondowoso",
        "Wilayah": "Kab. Bondowoso",
        "Kuota": "3",
        "Jumlah Pelamar": "0",
        "Jenjang Pendidikan": "Profesi",
        "Durasi Kerja": "6 hari/minggu",
        "Hari Libur": "Minggu",
        "Kualifikasi Jurusan": "Gizi dan Dietetika, Gizi Klinik, Gizi",
        "Deskripsi Lowongan": "",
        "Alamat Lengkap Lokasi": "",
        "Link Lamar Resmi Kemnaker": "https://maganghub.kemnaker.go.id/magang-nasional/"
        "lowongan/nutrisionis-a230c8ce-6c96-4826-885f-48b2953227c9",
    },
    # Row 2: a major repeated in another case.
    "fisioterapis": {
        "Judul Posisi": "Fisioterapis",
        "Perusahaan / Instansi": "PT Delapan Bintang",
        "Wilayah": "Kab. Purwakarta",
        "Kuota": "3",
        "Jenjang Pendidikan": "Diploma, Profesi",
        "Durasi Kerja": "6 hari/minggu",
        "Hari Libur": "Minggu",
        "Kualifikasi Jurusan": "Fisioterapi, fisioterapi",
        "Deskripsi Lowongan": "",
        "Link Lamar Resmi Kemnaker": "https://maganghub.kemnaker.go.id/magang-nasional/"
        "lowongan/fisioterapis-a2251785-9248-4274-bf07-40faea8e8cd5",
    },
    # Row 4410: Wilayah glued to the end of the majors; '&amp;' in the link; a description
    # followed by the page's Kualifikasi section.
    "distribution": {
        "Judul Posisi": "Distribution Support & Monitoring Supervisor",
        "Perusahaan / Instansi": "PT. Eka Bogainti",
        "Wilayah": "Kota CerdasKota Adm. Jakarta Timur",
        "Kuota": "1",
        "Jenjang Pendidikan": "Diploma, Sarjana, Profesi",
        "Durasi Kerja": "5 hari/minggu",
        "Hari Libur": "Sabtu, Minggu",
        "Kualifikasi Jurusan": "Teknik Informatika, Logistik, Manajemen, Teknik Industri, "
        "Sistem Informasi Kota Cerdas",
        "Deskripsi Lowongan": "- Menjaga tingkat layanan pengiriman barang atau produk dengan "
        "efektif dan produktif\n- Menjaga performa perangkat-perangkat distribution support & "
        "monitoring\nKualifikasi\nProgram studi:\nTeknik Informatika, Logistik\nTingkat "
        "pendidikan:\nDiploma, Sarjana, Profesi\n5\nhari kerja per minggu\nHari Libur\nSabtu",
        "Alamat Lengkap Lokasi": "12, Jl. Raya Poncol Gg. Cawang No.21, Ciracas, Kota Jakarta "
        "Timur, Daerah Khusus Ibukota Jakarta 13750, Indonesia Alamat detail dikasih setelah "
        "lamaranmu diterima. Durasi Magang",
        "Link Lamar Resmi Kemnaker": "https://maganghub.kemnaker.go.id/magang-nasional/lowongan/"
        "distribution-support-&amp;-monitoring-supervisor-a24106b0-3d69-44b8-80d0-578f7f539bf0",
    },
    # Row 3017: an HTML entity in a major; a Jakarta administrative city.
    "accounting": {
        "Judul Posisi": "Accounting Intern",
        "Perusahaan / Instansi": "Rekacipta Infrastruktur Nusantara",
        "Wilayah": "Kota Adm. Jakarta Selatan",
        "Kuota": "1",
        "Jenjang Pendidikan": "Diploma, Sarjana",
        "Durasi Kerja": "5 hari/minggu",
        "Hari Libur": "Sabtu, Minggu",
        "Kualifikasi Jurusan": "Akuntansi Perpajakan, Akuntansi Keuangan, Akuntansi, "
        "Akuntansi Syari&#x27;ah",
        "Deskripsi Lowongan": '\\",\\"qualificationLabel\\":\\"Kualifikasi\\",\\"skillLabel'
        '\\":\\"Skill yang Bakal Kamu Dapat\\",\\"locationLabel\\":\\"',
        "Link Lamar Resmi Kemnaker": "https://maganghub.kemnaker.go.id/magang-nasional/lowongan/"
        "accounting-intern-a24186f2-fda9-4560-9404-98ea75376116",
    },
    # Row 2616: a list number left in the title.
    "keuangan": {
        "Judul Posisi": "1. Asisten Pengelola Keuangan",
        "Perusahaan / Instansi": "BPS Kota Padang Panjang",
        "Wilayah": "Kota Padang PanjangAkuntansiKota Padang Panjang",
        "Kuota": "1",
        "Jenjang Pendidikan": "SMK",
        "Kualifikasi Jurusan": "Akuntansi",
        "Link Lamar Resmi Kemnaker": "https://maganghub.kemnaker.go.id/magang-nasional/lowongan/"
        "1.-asisten-pengelola-keuangan-a2400000-0000-4000-8000-000000000001",
    },
}

MH_REGIONS = table_resolver(
    {
        "Kab. Bondowoso": "35.11",
        "Kab. Purwakarta": "32.14",
        "Kota Adm. Jakarta Timur": "31.75",
        "Kota Adm. Jakarta Selatan": "31.74",
        "Kota Padang Panjang": "13.74",
    }
)


def convert_mh(row: Mapping[str, str]) -> list[Converted | Rejected]:
    return list(convert_maganghub([row], resolve=MH_REGIONS, now=NOW))


def test_maganghub_profesi_row() -> None:
    event = only(convert_mh(MH_ROWS["nutrisionis"]))
    assert event.event_id == "maganghub-a230c8ce-6c96-4826-885f-48b2953227c9"
    assert event.vacancy_id == "MH-a230c8ce-6c96-4826-885f-48b2953227c9"
    assert event.occurred_at == NOW
    assert event.producer == "kerjamatch-replay"
    assert event.company_id == "maganghub-rumah-sakit-umum-dr-h-koesnadi-kabupaten-bondowoso"
    assert event.company_name == "Rumah Sakit Umum Dr. H. Koesnadi Kabupaten Bondowoso"
    assert event.association == "OTHER"
    assert event.title == "NUTRISIONIS"
    assert event.regency_code == "35.11"
    assert event.remote is False
    assert event.openings == 3
    assert event.education_min == "S1"
    assert event.majors == ["Gizi dan Dietetika", "Gizi Klinik", "Gizi"]
    assert event.required_skills == []
    assert event.experience_min_years == 0
    assert (event.salary_min, event.salary_max, event.expires_at) == (None, None, None)
    assert event.description == (
        "Program Magang Nasional (MagangHub Kemnaker). Kerja 6 hari/minggu, libur Minggu.\n\n"
        "Lamar: https://maganghub.kemnaker.go.id/magang-nasional/lowongan/"
        "nutrisionis-a230c8ce-6c96-4826-885f-48b2953227c9"
    )


def test_maganghub_diploma_row_and_repeated_major() -> None:
    event = only(convert_mh(MH_ROWS["fisioterapis"]))
    assert event.regency_code == "32.14"
    assert event.openings == 3
    assert event.education_min == "D1"
    assert event.majors == ["Fisioterapi"]
    assert event.company_id == "maganghub-pt-delapan-bintang"


def test_maganghub_glued_region_and_description_cut() -> None:
    event = only(convert_mh(MH_ROWS["distribution"]))
    assert event.vacancy_id == "MH-a24106b0-3d69-44b8-80d0-578f7f539bf0"
    assert event.title == "Distribution Support & Monitoring Supervisor"
    assert event.company_id == "maganghub-pt-eka-bogainti"
    assert event.regency_code == "31.75"
    assert event.education_min == "D1"
    assert event.openings == 1
    assert event.majors[-1] == "Sistem Informasi Kota Cerdas"
    assert event.description.startswith("- Menjaga tingkat layanan pengiriman barang")
    assert "Kualifikasi" not in event.description
    assert "Poncol" not in event.description  # the address is only shared after acceptance
    assert event.description.endswith(
        "lowongan/distribution-support-&-monitoring-supervisor-a24106b0-3d69-44b8-80d0-578f7f539bf0"
    )


def test_maganghub_entities_and_scraper_debris() -> None:
    event = only(convert_mh(MH_ROWS["accounting"]))
    assert event.regency_code == "31.74"
    assert event.majors == [
        "Akuntansi Perpajakan",
        "Akuntansi Keuangan",
        "Akuntansi",
        "Akuntansi Syari'ah",
    ]
    assert event.description.startswith("Program Magang Nasional")
    assert "qualificationLabel" not in event.description


def test_maganghub_title_number_and_vocational_level() -> None:
    event = only(convert_mh(MH_ROWS["keuangan"]))
    assert event.title == "Asisten Pengelola Keuangan"
    assert event.regency_code == "13.74"
    assert event.education_min == "SMK"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Wilayah": ""}, "region: empty"),
        ({"Wilayah": "Luar Negeri"}, "region: 'Luar Negeri' not a known kab/kota"),
        ({"Judul Posisi": "  "}, "title: empty"),
        ({"Perusahaan / Instansi": ""}, "company: empty"),
        ({"Kuota": "0"}, "openings: quota '0' is not a positive whole number"),
        ({"Kuota": "dua"}, "openings: quota 'dua' is not a positive whole number"),
        ({"Jenjang Pendidikan": "Pascasarjana"}, "education: unknown education level"),
        ({"Link Lamar Resmi Kemnaker": ""}, "id: no link"),
    ],
)
def test_maganghub_rejections(change: dict[str, str], reason: str) -> None:
    results = convert_mh({**MH_ROWS["nutrisionis"], **change})
    assert len(results) == 1
    assert isinstance(results[0], Rejected)
    assert results[0].row == 1
    assert results[0].reason.startswith(reason)
    assert results[0].category == reason.split(":")[0]


def test_maganghub_missing_quota_takes_the_default() -> None:
    assert only(convert_mh({**MH_ROWS["nutrisionis"], "Kuota": ""})).openings == 1


def _lk(**fields: str) -> dict[str, str]:
    base = {
        "Salary Negotiation": "0",
        "Max Experience": "2",
        "Master/S2": "0",
        "Doctor/S3": "0",
        "Description": "",
    }
    return {**base, **fields}


LK_ROWS: dict[str, dict[str, str]] = {
    "engineering": _lk(
        **{
            "Job ID": "15758013",
            "Title": "Staff Engineering",
            "Company": "Rusunami Citypark",
            "Location": "Jakarta Barat",
            "Min Salary": "3000000",
            "Max Salary": "4000000",
            "Min Experience": "1",
            "Fresh Graduate": "0",
            "SMA/SMK/STM": "1",
            "Diploma/D1/D2/D3": "0",
            "Sarjana/S1": "0",
            "Posted Date": "2025-07-09 17:01:00",
            "Description": "Badan Pengelola Rusunami City Park adalah, Pengelola gedung rusunami9 "
            "city park\n\n\n\nTanggung Jawab Pekerjaan :\n\u2013 Melakukan perawatan & perbaikan",
            "Skill_Set": "['Plumbing', 'Troubleshooting', 'Mechanical Skiing']",
        }
    ),
    "remote": _lk(
        **{
            "Job ID": "15784453",
            "Title": "Sales & Marketing Executive",
            "Company": "Woodlux Indonesia",
            "Location": "Remote",
            "Min Salary": "3000000",
            "Max Salary": "4000000",
            "Min Experience": "1",
            "Fresh Graduate": "0",
            "SMA/SMK/STM": "1",
            "Diploma/D1/D2/D3": "1",
            "Sarjana/S1": "0",
            "Posted Date": "2025-07-09 16:00:00",
            "Skill_Set": "['Good Communication Skills', 'Products', 'Google Sheets']",
        }
    ),
    "kitchen": _lk(
        **{
            "Job ID": "15771619",
            "Title": "Casual Kitchen",
            "Company": "Babylobster Dua Sehati",
            "Location": "Bandung Kota",
            "Min Salary": "",
            "Max Salary": "",
            "Salary Negotiation": "1",
            "Min Experience": "1",
            "Fresh Graduate": "0",
            "SMA/SMK/STM": "1",
            "Diploma/D1/D2/D3": "1",
            "Sarjana/S1": "1",
            "Posted Date": "2025-07-09 13:10:00",
            "Skill_Set": "['Seafood Cooking Techniques', 'Lobster', 'Shrimp', 'Shellfish', "
            "'Seafood', 'Texture', 'Fish', 'Lobster', 'Techniques', 'Shrimp', 'Squid', 'Seafood', "
            "'Sauce', 'Fast Food Menu']",
        }
    ),
    "multimedia": _lk(
        **{
            "Job ID": "15770268",
            "Title": "IT / Multimedia Staff",
            "Company": "PT Olabasket Bumi Indonesia",
            "Location": "Surakarta / Solo",
            "Min Salary": "2000000",
            "Max Salary": "3000000",
            "Min Experience": "1",
            "Fresh Graduate": "1",
            "SMA/SMK/STM": "1",
            "Diploma/D1/D2/D3": "1",
            "Sarjana/S1": "1",
            "Posted Date": "2025-07-07 14:39:25",
            "Skill_Set": "['3D Animation Software', 'Blender', 'Excel']",
        }
    ),
    "interpreter": _lk(
        **{
            "Job ID": "15709901",
            "Title": "Interpreter Bahasa Jepang",
            "Company": "Asia Budaya Center",
            "Location": "Jakarta Pusat",
            "Min Salary": "20000000",
            "Max Salary": "",
            "Min Experience": "1",
            "Fresh Graduate": "0",
            "SMA/SMK/STM": "0",
            "Diploma/D1/D2/D3": "1",
            "Sarjana/S1": "1",
            "Posted Date": "2025-06-26 13:27:00",
            "Skill_Set": "['Japanese', 'Writing', 'Japanese Work Culture']",
        }
    ),
    "confidential": _lk(
        **{
            "Job ID": "15784090",
            "Title": "Staff Admin Accounting",
            "Company": "Confidential Company",
            "Location": "Tangerang",
            "Min Salary": "",
            "Max Salary": "",
            "Salary Negotiation": "1",
            "Min Experience": "3",
            "Max Experience": "5",
            "Fresh Graduate": "0",
            "SMA/SMK/STM": "0",
            "Diploma/D1/D2/D3": "0",
            "Sarjana/S1": "1",
            "Master/S2": "1",
            "Posted Date": "2025-07-09 14:29:00",
            "Skill_Set": "['Ms Office Excel Formulas', 'Documents', 'Data']",
        }
    ),
    "cikarang": _lk(
        **{
            "Job ID": "15784729",
            "Title": "Sales Engineer",
            "Company": "PT Asgi Industrial Indonesia",
            "Location": "Cikarang",
            "Min Salary": "6000000",
            "Max Salary": "7000000",
            "Min Experience": "1",
            "Fresh Graduate": "0",
            "SMA/SMK/STM": "0",
            "Diploma/D1/D2/D3": "1",
            "Sarjana/S1": "1",
            "Posted Date": "2025-07-09 16:28:00",
            "Skill_Set": "['Basic Knowledge', 'Screw Barrel Technology']",
        }
    ),
}

LK_REGIONS = table_resolver(
    {
        "Jakarta Barat": "31.73",
        "Jakarta Pusat": "31.71",
        "Kota Bandung": "32.73",
        "Surakarta": "33.72",
        "Tangerang": "36.71",
        "Kabupaten Bekasi": "32.16",
    }
)


def convert_lk(row: Mapping[str, str]) -> list[Converted | Rejected]:
    return list(convert_lokerid([row], resolve=LK_REGIONS, now=NOW))


def test_lokerid_full_row() -> None:
    event = only(convert_lk(LK_ROWS["engineering"]))
    assert event.event_id == "lokerid-15758013"
    assert event.vacancy_id == "LK-15758013"
    assert event.occurred_at == datetime(2025, 7, 9, 17, 1, tzinfo=WIB)
    assert event.occurred_at.isoformat() == "2025-07-09T17:01:00+07:00"
    assert event.company_id == "lokerid-rusunami-citypark"
    assert event.company_name == "Rusunami Citypark"
    assert event.title == "Staff Engineering"
    assert event.regency_code == "31.73"
    assert event.remote is False
    assert (event.salary_min, event.salary_max) == (3_000_000, 4_000_000)
    assert event.experience_min_years == 1
    assert event.education_min == "SMA"
    assert event.majors == []
    assert event.openings == 1
    assert event.required_skills == [
        RequiredSkill(name="Plumbing"),
        RequiredSkill(name="Troubleshooting"),
        RequiredSkill(name="Mechanical Skiing"),
    ]
    assert event.description.startswith("Badan Pengelola Rusunami City Park")
    assert "\n\n\n" not in event.description


def test_lokerid_remote_row() -> None:
    event = only(convert_lk(LK_ROWS["remote"]))
    assert event.remote is True
    assert event.regency_code is None
    assert event.education_min == "SMA"  # SMA/SMK and Diploma flags: the lower one
    assert [skill.name for skill in event.required_skills] == [
        "Good Communication Skills",
        "Products",
        "Google Sheets",
    ]


def test_lokerid_negotiable_salary_and_duplicate_skills() -> None:
    event = only(convert_lk(LK_ROWS["kitchen"]))
    assert event.regency_code == "32.73"  # "Bandung Kota"
    assert (event.salary_min, event.salary_max) == (None, None)
    assert [skill.name for skill in event.required_skills] == [
        "Seafood Cooking Techniques",
        "Lobster",
        "Shrimp",
        "Shellfish",
        "Seafood",
        "Texture",
        "Fish",
        "Techniques",
        "Squid",
        "Sauce",
        "Fast Food Menu",
    ]
    assert {skill.importance for skill in event.required_skills} == {"essential"}


def test_lokerid_fresh_graduates_welcome() -> None:
    event = only(convert_lk(LK_ROWS["multimedia"]))
    assert event.regency_code == "33.72"  # "Surakarta / Solo"
    assert event.experience_min_years == 0
    assert (event.salary_min, event.salary_max) == (2_000_000, 3_000_000)
    assert event.occurred_at == datetime(2025, 7, 7, 14, 39, 25, tzinfo=WIB)


def test_lokerid_minimum_salary_only() -> None:
    event = only(convert_lk(LK_ROWS["interpreter"]))
    assert (event.salary_min, event.salary_max) == (20_000_000, None)
    assert event.education_min == "D1"
    assert event.regency_code == "31.71"


def test_lokerid_confidential_companies_stay_apart() -> None:
    event = only(convert_lk(LK_ROWS["confidential"]))
    assert event.company_id == "lokerid-confidential-15784090"
    assert event.company_name == "Confidential Company"
    assert event.experience_min_years == 3
    assert event.education_min == "S1"
    assert event.regency_code == "36.71"


def test_lokerid_town_alias() -> None:
    assert only(convert_lk(LK_ROWS["cikarang"])).regency_code == "32.16"


@pytest.mark.parametrize(
    ("location", "region", "remote"),
    [
        ("Bisa Remote", None, True),
        ("WFH", None, True),
        ("Jakarta Barat (Remote)", "31.73", True),
        ("Remote / Luar Negeri", None, True),
    ],
)
def test_lokerid_remote_locations(location: str, region: str | None, remote: bool) -> None:
    event = only(convert_lk({**LK_ROWS["engineering"], "Location": location}))
    assert (event.regency_code, event.remote) == (region, remote)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Location": "Barito"}, "region: 'Barito' not a known kab/kota"),
        ({"Location": ""}, "region: empty"),
        ({"Job ID": ""}, "id: empty"),
        ({"Title": ""}, "title: empty"),
        ({"Min Salary": "5000000", "Max Salary": "4000000"}, "salary: minimum 5000000 above"),
        ({"Min Salary": "3"}, "salary: implausible amount in '3'"),
        ({"Posted Date": "kemarin"}, "date: unreadable posting date 'kemarin'"),
    ],
)
def test_lokerid_rejections(change: dict[str, str], reason: str) -> None:
    results = convert_lk({**LK_ROWS["engineering"], **change})
    assert isinstance(results[0], Rejected)
    assert results[0].reason.startswith(reason)


def test_lokerid_without_posting_date_uses_now() -> None:
    assert only(convert_lk({**LK_ROWS["engineering"], "Posted Date": ""})).occurred_at == NOW


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        convert_maganghub([], resolve=MH_REGIONS, now=datetime(2026, 1, 5))
    with pytest.raises(ValueError, match="UTC offset"):
        convert_lokerid([], resolve=LK_REGIONS, now=datetime(2026, 1, 5))


# --------------------------------------------------------------------------------------------
# Parsers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3000000", (3_000_000, 3_000_000)),
        ("Rp 4.000.000 - Rp 5.000.000", (4_000_000, 5_000_000)),
        ("Rp4 - 5 Juta", (4_000_000, 5_000_000)),
        ("Rp 4.000.000,- s/d Rp 6.000.000,-", (4_000_000, 6_000_000)),
        ("IDR 8,000,000 - 10,000,000 per month", (8_000_000, 10_000_000)),
        ("Rp 3,5 jt \u2013 4,2 jt", (3_500_000, 4_200_000)),
        ("Rp 4.5 juta", (4_500_000, 4_500_000)),
        ("5jt", (5_000_000, 5_000_000)),
        ("Rp 4.000.000,00", (4_000_000, 4_000_000)),
        ("Mulai Rp 3 juta", (3_000_000, None)),
        ("Minimal Rp 4.000.000", (4_000_000, None)),
        ("Up to 8 juta", (None, 8_000_000)),
        ("Hingga Rp 12.000.000/bulan", (None, 12_000_000)),
        ("Rp 150.000/hari", (3_750_000, 3_750_000)),
        ("Rp 120rb - 150rb per hari", (3_000_000, 3_750_000)),
        ("Rp 25.000 / jam", (4_325_000, 4_325_000)),
        ("Rp 60 juta per tahun", (5_000_000, 5_000_000)),
        ("Rp 1.000.000 / minggu", (4_333_333, 4_333_333)),
        ("Rp 90 juta annually", (7_500_000, 7_500_000)),
        ("Rp 200rb harian", (5_000_000, 5_000_000)),
        ("Rp 4.000.000 (6 hari kerja)", (4_000_000, 4_000_000)),
        ("Rp 5 juta, kontrak 1 tahun", (5_000_000, 5_000_000)),
        ("Gaji Kompetitif", (None, None)),
        ("Negotiable", (None, None)),
        ("UMR", (None, None)),
        ("", (None, None)),
        ("-", (None, None)),
    ],
)
def test_parse_salary(text: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_salary(text) == expected
    assert isinstance(parse_salary(text), SalaryRange)


@pytest.mark.parametrize("text", ["4 - 5", "Rp 9.000.000 - Rp 5.000.000", "Rp 4.50.000"])
def test_parse_salary_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError):
        parse_salary(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1.0),
        ("3", 3.0),
        ("0", 0.0),
        ("Minimal 2 tahun", 2.0),
        ("Min. 2 thn", 2.0),
        ("Pengalaman minimal 3 tahun di bidangnya", 3.0),
        ("Memiliki 1-2 tahun pengalaman di dunia live host", 1.0),
        ("1 \u2013 3 tahun", 1.0),
        ("2+ years", 2.0),
        ("At least 5 years of experience", 5.0),
        ("Lebih dari 5 tahun", 5.0),
        ("6 bulan", 0.5),
        ("Minimal 18 bulan", 1.5),
        ("minimal dua tahun", 2.0),
        ("Lulusan S1 minimal 2 tahun", 2.0),
        ("Fresh Graduate", 0.0),
        ("Fresh graduate / berpengalaman", 0.0),
        ("Tidak memerlukan pengalaman / freshgraduate", 0.0),
        ("Tanpa pengalaman", 0.0),
        ("Tidak berpengalaman", 0.0),
        ("Kurang dari 1 tahun", 0.0),
        ("Maksimal 2 tahun", 0.0),
        ("Berpengalaman", None),
        ("", None),
        ("-", None),
    ],
)
def test_parse_experience(text: str, expected: float | None) -> None:
    assert parse_experience(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sarjana", "S1"),
        ("Diploma, Sarjana", "D1"),
        ("Sarjana, Profesi, Diploma", "D1"),
        ("Profesi", "S1"),
        ("D3", "D3"),
        ("D4", "D4"),
        ("SMK", "SMK"),
        ("S1", "S1"),
        ("SMA/SMK, D3", "SMA"),
        ("", None),
    ],
)
def test_parse_education(text: str, expected: str | None) -> None:
    assert parse_education(text) == expected


def test_parse_education_refuses_unknown_levels() -> None:
    with pytest.raises(ValueError, match="Pascasarjana"):
        parse_education("Sarjana, Pascasarjana")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "['Plumbing', 'Troubleshooting']",
            [("Plumbing", "essential"), ("Troubleshooting", "essential")],
        ),
        (
            "[\"Customer's Needs\", 'Excel']",
            [("Customer's Needs", "essential"), ("Excel", "essential")],
        ),
        (
            "Ms. Excel, Ms. Word; komunikasi\nKerja tim",
            [
                ("Ms. Excel", "essential"),
                ("Ms. Word", "essential"),
                ("komunikasi", "essential"),
                ("Kerja tim", "essential"),
            ],
        ),
        ("- Excel\n• excel\n* SQL (nilai plus)", [("Excel", "essential"), ("SQL", "optional")]),
        (
            "Bahasa Mandarin (opsional), AutoCAD",
            [
                ("Bahasa Mandarin", "optional"),
                ("AutoCAD", "essential"),
            ],
        ),
        ("[]", []),
        ("", []),
        ("['unterminated", [("unterminated", "essential")]),
    ],
)
def test_parse_skill_list(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(skill.name, skill.importance) for skill in parse_skill_list(text)] == expected


# --------------------------------------------------------------------------------------------
# Reading and reporting
# --------------------------------------------------------------------------------------------


def test_readers_handle_plain_and_gzip_files(tmp_path: Path) -> None:
    row = MH_ROWS["fisioterapis"]
    for name, opener in (("mh.csv", open), ("mh.csv.gz", gzip.open)):
        path = tmp_path / name
        with opener(path, "wt", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        assert list(read_maganghub(path)) == [row]


def test_readers_refuse_another_export(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Job ID,Title\n1,Driver\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a MagangHub export"):
        list(read_maganghub(path))
    with pytest.raises(ValueError, match=r"not a Loker\.id export"):
        list(read_lokerid(path))


def test_summary_counts_rejections_by_category() -> None:
    event = only(convert_mh(MH_ROWS["nutrisionis"]))
    results: list[Converted | Rejected] = [
        Converted(1, event),
        Rejected(2, "region: empty"),
        Rejected(3, "region: empty"),
        Rejected(4, "region: 'Luar Negeri' not a known kab/kota"),
        Rejected(5, "title: empty"),
    ]
    assert summary(results) == (
        "converted 1 of 5 rows (20.0%)\n"
        "  region: 3 — empty x2; 'Luar Negeri' not a known kab/kota x1\n"
        "  title: 1 — empty x1"
    )
    assert summary([]) == "converted 0 of 0 rows"
