"""A built-in, seeded, realistic sample population: regions, occupations, trainings, events."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Final, Literal

from pydantic import BaseModel

from schemas import (
    EDUCATION_RANK,
    EducationLevel,
    ParticipantUpserted,
    Preferences,
    RequiredSkill,
    Skill,
    SkillsAdded,
    SkillSource,
    Training,
    VacancyClosed,
    VacancyPosted,
)

__all__ = [
    "DEFAULT_NOW",
    "OCCUPATIONS",
    "PRODUCER",
    "PROVINCES",
    "REGIONS",
    "TRAININGS",
    "Occupation",
    "Region",
    "SkillForms",
    "TrainingOffer",
    "occupation_by_title",
    "regional_min_wage",
    "sample_participants",
    "sample_stream",
    "sample_training_completions",
    "sample_vacancies",
]

PRODUCER: Final = "kerjamatch-sample"
"""The ``producer`` of every sample event."""

WIB: Final = timezone(timedelta(hours=7), "WIB")

DEFAULT_NOW: Final = datetime(2026, 1, 5, 8, 0, tzinfo=WIB)
"""Start of the sample's clock when no ``now`` is given: fixed, so output is byte-stable."""

Association = Literal["KADIN", "APINDO", "OTHER"]

PARTICIPANTS_TOPIC: Final = "participants.v1"
VACANCIES_TOPIC: Final = "vacancies.v1"

# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A kabupaten/kota with its Kemendagri code, e.g. ``Region("32.73", "Kota Bandung", ...)``."""

    code: str
    name: str
    province_code: str
    population: int


PROVINCES: Final = MappingProxyType(
    {
        "12": "Sumatera Utara",
        "13": "Sumatera Barat",
        "16": "Sumatera Selatan",
        "18": "Lampung",
        "31": "DKI Jakarta",
        "32": "Jawa Barat",
        "33": "Jawa Tengah",
        "34": "DI Yogyakarta",
        "35": "Jawa Timur",
        "36": "Banten",
        "51": "Bali",
        "64": "Kalimantan Timur",
        "73": "Sulawesi Selatan",
    }
)
"""Names of the provinces that REGIONS cover, by Kemendagri province code."""

# (code, name, population, rough 2025 minimum wage (UMP/UMK) in IDR per month). Codes and
# names are Kemendagri's; populations are rounded to the thousand; wages are approximate
# and only steer sample salaries.
_REGION_ROWS: Final[tuple[tuple[str, str, int, int], ...]] = (
    ("12.07", "Kabupaten Deli Serdang", 2_080_000, 3_650_000),
    ("12.71", "Kota Medan", 2_546_000, 4_015_000),
    ("13.71", "Kota Padang", 947_000, 3_100_000),
    ("16.71", "Kota Palembang", 1_801_000, 3_940_000),
    ("18.71", "Kota Bandar Lampung", 1_078_000, 3_100_000),
    ("31.71", "Kota Administrasi Jakarta Pusat", 1_057_000, 5_397_000),
    ("31.72", "Kota Administrasi Jakarta Utara", 1_832_000, 5_397_000),
    ("31.73", "Kota Administrasi Jakarta Barat", 2_557_000, 5_397_000),
    ("31.74", "Kota Administrasi Jakarta Selatan", 2_331_000, 5_397_000),
    ("31.75", "Kota Administrasi Jakarta Timur", 3_230_000, 5_397_000),
    ("32.01", "Kabupaten Bogor", 5_810_000, 4_877_000),
    ("32.15", "Kabupaten Karawang", 2_612_000, 5_600_000),
    ("32.16", "Kabupaten Bekasi", 3_388_000, 5_559_000),
    ("32.73", "Kota Bandung", 2_592_000, 4_483_000),
    ("32.75", "Kota Bekasi", 2_572_000, 5_691_000),
    ("32.76", "Kota Depok", 2_011_000, 5_196_000),
    ("32.78", "Kota Tasikmalaya", 771_000, 2_863_000),
    ("33.02", "Kabupaten Banyumas", 1_868_000, 2_339_000),
    ("33.19", "Kabupaten Kudus", 878_000, 2_680_000),
    ("33.72", "Kota Surakarta", 589_000, 2_417_000),
    ("33.74", "Kota Semarang", 1_702_000, 3_455_000),
    ("34.04", "Kabupaten Sleman", 1_126_000, 2_467_000),
    ("34.71", "Kota Yogyakarta", 416_000, 2_655_000),
    ("35.07", "Kabupaten Malang", 2_735_000, 3_554_000),
    ("35.09", "Kabupaten Jember", 2_616_000, 2_839_000),
    ("35.15", "Kabupaten Sidoarjo", 2_028_000, 4_871_000),
    ("35.73", "Kota Malang", 889_000, 3_508_000),
    ("35.78", "Kota Surabaya", 3_018_000, 4_962_000),
    ("36.03", "Kabupaten Tangerang", 3_460_000, 4_902_000),
    ("36.71", "Kota Tangerang", 1_957_000, 5_070_000),
    ("36.72", "Kota Cilegon", 480_000, 5_128_000),
    ("36.74", "Kota Tangerang Selatan", 1_464_000, 4_974_000),
    ("51.03", "Kabupaten Badung", 538_000, 3_535_000),
    ("51.71", "Kota Denpasar", 673_000, 3_299_000),
    ("64.71", "Kota Balikpapan", 757_000, 3_756_000),
    ("64.72", "Kota Samarinda", 881_000, 3_724_000),
    ("73.06", "Kabupaten Gowa", 825_000, 3_658_000),
    ("73.71", "Kota Makassar", 1_482_000, 3_881_000),
)

REGIONS: Final[tuple[Region, ...]] = tuple(
    Region(code=code, name=name, province_code=code[:2], population=population)
    for code, name, population, _wage in _REGION_ROWS
)
"""Real kabupaten/kota across 13 provinces, with rough populations (the sampling weights)."""

_MIN_WAGE: Final = MappingProxyType({row[0]: row[3] for row in _REGION_ROWS})
_REGION_WEIGHTS: Final = tuple(region.population for region in REGIONS)
# Used for remote vacancies of companies whose seat is unknown, and for unknown regions.
_NATIONAL_WAGE: Final = 3_500_000


def regional_min_wage(region_code: str) -> int:
    """Return the rough 2025 minimum wage (IDR per month) of a region of REGIONS.

    A province code or a code outside REGIONS gets a national middle value (3.5 million).
    """
    return _MIN_WAGE.get(region_code, _NATIONAL_WAGE)


# --------------------------------------------------------------------------------------------
# Skills and occupations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillForms:
    """One skill and the spellings under which postings, profiles and trainings write it.

    ``name`` is a display label; ``spellings`` are surface forms in Bahasa Indonesia and
    English. Most fold to one canonical name in ``matching.normalize``; some do not, as in
    real data.
    """

    name: str
    spellings: tuple[str, ...]


def _forms(*spellings: str) -> SkillForms:
    return SkillForms(name=spellings[0], spellings=spellings)


EXCEL = _forms("Microsoft Excel", "Ms. Excel", "mengoperasikan Microsoft Excel", "Spreadsheet")
WORD = _forms("Microsoft Word", "Ms. Word", "menggunakan Microsoft Word")
OFFICE = _forms("Microsoft Office", "Ms. Office", "Mengoperasikan MS Office")
CUSTOMER_SERVICE = _forms(
    "Customer Service", "Pelayanan Pelanggan", "Layanan Pelanggan", "Pelayanan prima"
)
COMMUNICATION = _forms("Komunikasi", "Komunikasi Efektif", "kemampuan komunikasi", "Communication")
TEAMWORK = _forms("Kerja Tim", "Kerjasama Tim", "Teamwork", "mampu bekerja dalam tim")
ENGLISH = _forms("Bahasa Inggris", "English", "Bahasa Inggris aktif")
SALES = _forms("Penjualan", "Sales", "Teknik Penjualan")
NEGOTIATION = _forms("Negosiasi", "Negotiation")
DIGITAL_MARKETING = _forms("Digital Marketing", "Pemasaran Digital", "Internet Marketing")
SOCIAL_MEDIA = _forms("Social Media Marketing", "Pengelolaan Media Sosial")
COPYWRITING = _forms("Copywriting", "Penulisan Konten")
SEO = _forms("SEO", "Search Engine Optimization")
GRAPHIC_DESIGN = _forms("Desain Grafis", "Graphic Design", "menguasai desain grafis")
PHOTOSHOP = _forms("Adobe Photoshop", "Photoshop")
CANVA = _forms("Canva")
ACCOUNTING = _forms("Akuntansi", "Accounting", "Dasar Akuntansi")
BOOKKEEPING = _forms("Pembukuan", "Bookkeeping")
TAX = _forms("Perpajakan", "Brevet Pajak A/B")
ACCOUNTING_SOFTWARE = _forms("Software Akuntansi (Accurate/MYOB)", "Accurate")
ADMINISTRATION = _forms("Administrasi", "Administration")
OFFICE_ADMIN = _forms("Administrasi Perkantoran", "Office Administration")
DATA_ENTRY = _forms("Entri Data", "Input Data", "Data Entry")
FILING = _forms("Pengarsipan", "Kearsipan")
DRIVING = _forms("Mengemudi", "Menyetir", "Driving")
SIM_B1 = _forms("Mengemudi SIM B1", "SIM B1", "Memiliki SIM B1")
SIM_C = _forms("SIM C", "Mengendarai sepeda motor (SIM C)")
NAVIGATION = _forms("Navigasi Peta", "Google Maps")
VEHICLE_CARE = _forms("Perawatan Kendaraan", "Vehicle Maintenance")
K3 = _forms("K3", "Keselamatan dan Kesehatan Kerja", "Occupational Safety", "K3 Umum")
MACHINE = _forms("Operasi Mesin Produksi", "Mengoperasikan Mesin Produksi", "Machine Operation")
QUALITY_CONTROL = _forms("Quality Control", "Pengendalian Mutu", "QC")
FIVE_S = _forms("5R", "5S")
SEWING = _forms("Menjahit", "Sewing", "Mengoperasikan mesin jahit")
WAREHOUSE = _forms("Pergudangan", "Gudang", "Warehousing", "Manajemen Gudang")
STOCK = _forms("Stock Opname", "Inventory Control", "Pengelolaan Stok")
FORKLIFT = _forms("Operator Forklift", "SIO Forklift")
CASHIER = _forms("Kasir", "Cashiering", "Mengoperasikan mesin kasir (POS)")
MERCHANDISING = _forms("Display Produk", "Visual Merchandising")
BARISTA = _forms("Barista", "Meracik Kopi", "Brewing Kopi")
FOOD_HYGIENE = _forms("Higiene Sanitasi Pangan", "Food Hygiene", "Keamanan Pangan")
COOKING = _forms("Memasak", "Tata Boga", "Cooking")
WELDING = _forms("Pengelasan", "Las", "Welding", "Las SMAW")
TECH_DRAWING = _forms("Membaca Gambar Teknik", "Membaca gambar kerja", "Technical Drawing")
MASONRY = _forms("Pasangan Bata dan Plesteran", "Masonry")
FARMING = _forms("Budidaya Tanaman", "Bercocok Tanam")
FERTILISING = _forms("Pemupukan", "Fertilizing")
PEST_CONTROL = _forms("Pengendalian Hama", "Pest Control", "Pengendalian Hama Terpadu")
HYDROPONICS = _forms("Hidroponik", "Budidaya Hidroponik")
TEACHING = _forms("Mengajar", "Teaching", "Kemampuan mengajar")
LESSON_PLANNING = _forms("Perencanaan Pembelajaran", "Menyusun RPP", "Lesson Planning")
CHILD_CARE = _forms("Pengasuhan Anak", "Child Care")
PROGRAMMING = _forms("Pemrograman", "Programming", "Dasar Pemrograman")
PYTHON = _forms("Python")
JAVASCRIPT = _forms("JavaScript", "Javascript")
SQL = _forms("SQL", "MySQL", "Database SQL")
GIT = _forms("Git", "Git/GitHub")
HTML_CSS = _forms("HTML CSS", "HTML & CSS", "HTML/CSS")
NETWORKING = _forms("Jaringan Komputer", "Computer Networking", "Mikrotik")
TROUBLESHOOTING = _forms("Troubleshooting Komputer", "Perbaikan Komputer")
NURSING = _forms("Keperawatan", "Nursing", "Asuhan Keperawatan")
PATIENT_CARE = _forms("Perawatan Pasien", "Patient Care")
FIRST_AID = _forms("Pertolongan Pertama", "P3K", "First Aid")
MEDICAL_RECORDS = _forms("Rekam Medis", "Pencatatan Rekam Medis")
COMPLAINTS = _forms("Penanganan Keluhan", "Complaint Handling", "Menangani komplain pelanggan")
CALL_CENTER = _forms("Call Center", "Telemarketing")
RESERVATION = _forms("Reservasi Hotel", "Front Office")

# Skills anyone may list whatever their trade; they make profiles overlap across sectors as
# real ones do.
_GENERIC_SKILLS: Final = (COMMUNICATION, TEAMWORK, OFFICE, ENGLISH, CUSTOMER_SERVICE, EXCEL)


@dataclass(frozen=True)
class Occupation:
    """An occupation profile of the Indonesian vacancy stream, with its skills.

    ``weight`` is its relative share of vacancies and of participants who want it;
    ``salary_factor`` scales the regional minimum wage into its typical pay.
    """

    key: str
    title: str
    kbji: str | None
    sector: str
    essential: tuple[SkillForms, ...]
    optional: tuple[SkillForms, ...]
    education_min: EducationLevel
    weight: float
    salary_factor: float
    duties: str
    headlines: tuple[str, ...]
    vocational_majors: tuple[str, ...] = ()
    college_majors: tuple[str, ...] = ()
    remote_possible: bool = False

    @property
    def skills(self) -> tuple[SkillForms, ...]:
        """Essential then optional skills."""
        return self.essential + self.optional


OCCUPATIONS: Final[tuple[Occupation, ...]] = (
    Occupation(
        key="sales",
        title="Sales Lapangan",
        kbji="3322",
        sector="trade",
        essential=(SALES, COMMUNICATION),
        optional=(NEGOTIATION, SIM_C, CUSTOMER_SERVICE, EXCEL),
        education_min="SMA",
        weight=10,
        salary_factor=0.95,
        duties="Menawarkan produk ke toko dan pelanggan di wilayah yang ditentukan serta "
        "mencapai target penjualan bulanan.",
        headlines=("Sales motor di dealer", "Sales kanvas distributor FMCG", "Marketing asuransi"),
        vocational_majors=("Bisnis Daring dan Pemasaran",),
        college_majors=("Manajemen Pemasaran", "Manajemen"),
    ),
    Occupation(
        key="admin",
        title="Staf Administrasi",
        kbji="4110",
        sector="office",
        essential=(EXCEL, WORD, ADMINISTRATION),
        optional=(DATA_ENTRY, FILING, OFFICE_ADMIN),
        education_min="SMA",
        weight=10,
        salary_factor=1.0,
        duties="Mengelola surat-menyurat, arsip dan data administrasi kantor serta menyusun "
        "laporan harian.",
        headlines=("Admin kantor distributor", "Staf tata usaha sekolah", "Admin toko online"),
        vocational_majors=("Otomatisasi dan Tata Kelola Perkantoran", "Administrasi Perkantoran"),
        college_majors=("Administrasi Bisnis", "Manajemen"),
        remote_possible=True,
    ),
    Occupation(
        key="accounting",
        title="Staf Akuntansi",
        kbji="3313",
        sector="office",
        essential=(ACCOUNTING, BOOKKEEPING, EXCEL),
        optional=(TAX, ACCOUNTING_SOFTWARE),
        education_min="D3",
        weight=5,
        salary_factor=1.15,
        duties="Mencatat transaksi harian, menyusun jurnal dan laporan keuangan bulanan, serta "
        "membantu pelaporan pajak.",
        headlines=("Staf keuangan di CV", "Admin keuangan koperasi", "Pembukuan usaha keluarga"),
        vocational_majors=("Akuntansi dan Keuangan Lembaga", "Akuntansi"),
        college_majors=("Akuntansi", "Manajemen Keuangan"),
    ),
    Occupation(
        key="warehouse",
        title="Admin Gudang",
        kbji="4321",
        sector="logistics",
        essential=(WAREHOUSE, STOCK, DATA_ENTRY),
        optional=(EXCEL, FORKLIFT, K3),
        education_min="SMA",
        weight=6,
        salary_factor=1.0,
        duties="Mencatat barang masuk dan keluar, melakukan stock opname berkala, dan menjaga "
        "kerapian gudang.",
        headlines=("Helper gudang ekspedisi", "Checker gudang distributor", "Admin gudang toko"),
        vocational_majors=("Logistik", "Otomatisasi dan Tata Kelola Perkantoran"),
        college_majors=("Manajemen Logistik",),
    ),
    Occupation(
        key="driver",
        title="Pengemudi Pengiriman",
        kbji="8322",
        sector="logistics",
        essential=(SIM_B1, DRIVING, NAVIGATION),
        optional=(VEHICLE_CARE, CUSTOMER_SERVICE),
        education_min="SMP",
        weight=6,
        salary_factor=1.0,
        duties="Mengantar barang ke pelanggan dan cabang dengan mobil boks sesuai jadwal serta "
        "merawat kendaraan operasional.",
        headlines=("Sopir ekspedisi", "Driver online roda empat", "Sopir pribadi"),
        vocational_majors=("Teknik Kendaraan Ringan",),
    ),
    Occupation(
        key="courier",
        title="Kurir",
        kbji="9621",
        sector="logistics",
        essential=(SIM_C, NAVIGATION),
        optional=(CUSTOMER_SERVICE, COMMUNICATION),
        education_min="SMP",
        weight=6,
        salary_factor=0.9,
        duties="Mengantar paket ke alamat pelanggan dengan sepeda motor dan memastikan bukti "
        "serah terima tercatat di aplikasi.",
        headlines=("Kurir paket ekspedisi", "Ojek online", "Kurir toko bangunan"),
        vocational_majors=("Teknik dan Bisnis Sepeda Motor",),
    ),
    Occupation(
        key="nurse",
        title="Perawat",
        kbji="3221",
        sector="health",
        essential=(NURSING, PATIENT_CARE, FIRST_AID),
        optional=(MEDICAL_RECORDS, COMMUNICATION),
        education_min="D3",
        weight=4,
        salary_factor=1.1,
        duties="Memberikan asuhan keperawatan kepada pasien, memantau tanda vital, dan mencatat "
        "rekam medis.",
        headlines=("Perawat di klinik pratama", "Perawat honorer puskesmas", "Homecare lansia"),
        vocational_majors=("Asisten Keperawatan",),
        college_majors=("Keperawatan", "Ners"),
    ),
    Occupation(
        key="cashier",
        title="Kasir",
        kbji="5230",
        sector="retail",
        essential=(CASHIER, CUSTOMER_SERVICE),
        optional=(SALES, COMMUNICATION, EXCEL),
        education_min="SMA",
        weight=8,
        salary_factor=0.95,
        duties="Melayani transaksi pembayaran pelanggan, menghitung uang kas, dan membuat laporan "
        "penjualan harian.",
        headlines=("Kasir di minimarket", "Kasir rumah makan", "Kasir SPBU"),
        vocational_majors=("Bisnis Retail", "Akuntansi"),
    ),
    Occupation(
        key="shop_assistant",
        title="Pramuniaga",
        kbji="5223",
        sector="retail",
        essential=(SALES, CUSTOMER_SERVICE, MERCHANDISING),
        optional=(STOCK, CASHIER),
        education_min="SMA",
        weight=7,
        salary_factor=0.95,
        duties="Membantu pelanggan memilih produk, menata display, dan menjaga ketersediaan stok "
        "di toko.",
        headlines=("Pramuniaga toko pakaian", "SPG produk kosmetik", "Pramuniaga supermarket"),
        vocational_majors=("Bisnis Retail", "Bisnis Daring dan Pemasaran"),
    ),
    Occupation(
        key="production",
        title="Operator Produksi",
        kbji="8189",
        sector="manufacturing",
        essential=(MACHINE, K3, FIVE_S),
        optional=(QUALITY_CONTROL, TEAMWORK),
        education_min="SMK",
        weight=10,
        salary_factor=1.0,
        duties="Mengoperasikan mesin produksi sesuai standar kerja, menjaga target output, dan "
        "menerapkan K3 serta 5R di area kerja.",
        headlines=(
            "Operator produksi pabrik plastik",
            "Operator mesin pabrik makanan",
            "Buruh pabrik elektronik (kontrak)",
        ),
        vocational_majors=("Teknik Pemesinan", "Teknik Mesin", "Teknik Elektronika Industri"),
        college_majors=("Teknik Industri",),
    ),
    Occupation(
        key="sewing",
        title="Operator Jahit",
        kbji="8153",
        sector="garment",
        essential=(SEWING, QUALITY_CONTROL),
        optional=(TEAMWORK, FIVE_S),
        education_min="SMP",
        weight=6,
        salary_factor=0.95,
        duties="Menjahit komponen pakaian sesuai target harian dan standar kualitas pabrik garmen.",
        headlines=("Penjahit di konveksi", "Operator jahit pabrik garmen", "Penjahit rumahan"),
        vocational_majors=("Tata Busana",),
    ),
    Occupation(
        key="barista",
        title="Barista",
        kbji="5132",
        sector="food",
        essential=(BARISTA, CUSTOMER_SERVICE, FOOD_HYGIENE),
        optional=(CASHIER, TEAMWORK),
        education_min="SMA",
        weight=4,
        salary_factor=0.9,
        duties="Menyiapkan minuman kopi dan non-kopi sesuai resep, melayani pelanggan, dan "
        "menjaga kebersihan bar.",
        headlines=("Barista kedai kopi", "Crew coffee shop", "Usaha kopi keliling"),
        vocational_majors=("Tata Boga", "Perhotelan"),
    ),
    Occupation(
        key="cook",
        title="Juru Masak",
        kbji="5120",
        sector="food",
        essential=(COOKING, FOOD_HYGIENE),
        optional=(TEAMWORK, STOCK),
        education_min="SMP",
        weight=5,
        salary_factor=1.0,
        duties="Menyiapkan dan memasak menu sesuai standar resep serta menjaga kebersihan dan "
        "keamanan pangan di dapur.",
        headlines=("Cook helper di restoran", "Juru masak katering", "Usaha warung makan"),
        vocational_majors=("Tata Boga", "Kuliner"),
        college_majors=("Seni Kuliner",),
    ),
    Occupation(
        key="receptionist",
        title="Resepsionis Hotel",
        kbji="4224",
        sector="hospitality",
        essential=(RESERVATION, CUSTOMER_SERVICE, ENGLISH),
        optional=(OFFICE, COMMUNICATION),
        education_min="SMA",
        weight=3,
        salary_factor=1.05,
        duties="Menangani check-in dan check-out tamu, reservasi kamar, serta memberikan "
        "informasi kepada tamu hotel.",
        headlines=("Front office hotel melati", "Resepsionis guest house", "Daily worker hotel"),
        vocational_majors=("Perhotelan", "Usaha Layanan Wisata"),
        college_majors=("Perhotelan", "Pariwisata"),
    ),
    Occupation(
        key="welder",
        title="Tukang Las",
        kbji="7212",
        sector="construction",
        essential=(WELDING, K3, TECH_DRAWING),
        optional=(TEAMWORK,),
        education_min="SMK",
        weight=4,
        salary_factor=1.1,
        duties="Melakukan pengelasan konstruksi baja sesuai gambar kerja dan prosedur "
        "keselamatan kerja.",
        headlines=("Tukang las bengkel teralis", "Welder proyek konstruksi", "Helper fabrikasi"),
        vocational_majors=("Teknik Pengelasan", "Teknik Mesin"),
    ),
    Occupation(
        key="builder",
        title="Tukang Bangunan",
        kbji="7112",
        sector="construction",
        essential=(MASONRY, TECH_DRAWING, K3),
        optional=(TEAMWORK,),
        education_min="SD",
        weight=4,
        salary_factor=0.95,
        duties="Mengerjakan pasangan bata, plesteran, dan pekerjaan finishing bangunan sesuai "
        "gambar kerja.",
        headlines=("Tukang bangunan harian", "Kenek proyek perumahan", "Mandor kecil renovasi"),
        vocational_majors=("Desain Pemodelan dan Informasi Bangunan", "Konstruksi Gedung"),
    ),
    Occupation(
        key="farm",
        title="Pekerja Pertanian Hortikultura",
        kbji="6111",
        sector="agriculture",
        essential=(FARMING, FERTILISING, PEST_CONTROL),
        optional=(HYDROPONICS,),
        education_min="SD",
        weight=3,
        salary_factor=0.8,
        duties="Melakukan penanaman, pemupukan, dan pengendalian hama tanaman sayuran di kebun "
        "dan green house.",
        headlines=("Petani sayur", "Buruh tani harian", "Pekerja kebun hidroponik"),
        vocational_majors=("Agribisnis Tanaman Pangan dan Hortikultura",),
        college_majors=("Agroteknologi", "Agribisnis"),
    ),
    Occupation(
        key="teacher",
        title="Guru PAUD",
        kbji="2342",
        sector="education",
        essential=(TEACHING, LESSON_PLANNING, CHILD_CARE),
        optional=(COMMUNICATION, OFFICE),
        education_min="S1",
        weight=3,
        salary_factor=0.8,
        duties="Merencanakan dan melaksanakan kegiatan belajar sambil bermain untuk anak usia "
        "dini serta berkomunikasi dengan orang tua murid.",
        headlines=("Guru TK swasta", "Pengasuh tempat penitipan anak", "Guru les privat"),
        vocational_majors=("Layanan Kesehatan Sosial",),
        college_majors=("Pendidikan Guru PAUD", "Psikologi"),
    ),
    Occupation(
        key="programmer",
        title="Programmer Junior",
        kbji="2512",
        sector="it",
        essential=(PROGRAMMING, SQL, GIT),
        optional=(PYTHON, JAVASCRIPT, HTML_CSS),
        education_min="D3",
        weight=3,
        salary_factor=1.3,
        duties="Mengembangkan dan memelihara aplikasi web internal bersama tim, termasuk basis "
        "data dan API.",
        headlines=("Freelance web developer", "Magang programmer di startup", "Admin IT sekolah"),
        vocational_majors=("Rekayasa Perangkat Lunak", "Pengembangan Perangkat Lunak dan Gim"),
        college_majors=("Teknik Informatika", "Sistem Informasi"),
        remote_possible=True,
    ),
    Occupation(
        key="it_support",
        title="Teknisi IT Support",
        kbji="3512",
        sector="it",
        essential=(TROUBLESHOOTING, NETWORKING, OFFICE),
        optional=(CUSTOMER_SERVICE,),
        education_min="SMK",
        weight=4,
        salary_factor=1.05,
        duties="Menangani keluhan perangkat komputer dan jaringan kantor serta melakukan "
        "instalasi dan perawatan perangkat.",
        headlines=("Teknisi servis komputer", "Operator warnet", "Teknisi jaringan ISP lokal"),
        vocational_majors=("Teknik Komputer dan Jaringan", "Teknik Jaringan Komputer"),
        college_majors=("Teknik Komputer",),
    ),
    Occupation(
        key="digital_marketing",
        title="Digital Marketing Specialist",
        kbji="2431",
        sector="creative",
        essential=(DIGITAL_MARKETING, SOCIAL_MEDIA, COPYWRITING),
        optional=(SEO, CANVA, GRAPHIC_DESIGN),
        education_min="D3",
        weight=4,
        salary_factor=1.15,
        duties="Merencanakan dan menjalankan kampanye pemasaran di media sosial dan marketplace "
        "serta menganalisis hasilnya.",
        headlines=("Admin media sosial UMKM", "Reseller online", "Content creator lepas"),
        vocational_majors=("Bisnis Daring dan Pemasaran",),
        college_majors=("Ilmu Komunikasi", "Manajemen Pemasaran", "Bisnis Digital"),
        remote_possible=True,
    ),
    Occupation(
        key="designer",
        title="Desainer Grafis",
        kbji="2166",
        sector="creative",
        essential=(GRAPHIC_DESIGN, PHOTOSHOP),
        optional=(CANVA, DIGITAL_MARKETING),
        education_min="SMK",
        weight=3,
        salary_factor=1.1,
        duties="Membuat materi desain untuk media sosial, kemasan, dan materi promosi cetak "
        "maupun digital.",
        headlines=("Desainer di percetakan", "Freelance desain logo", "Operator digital printing"),
        vocational_majors=("Desain Komunikasi Visual", "Multimedia"),
        college_majors=("Desain Komunikasi Visual",),
        remote_possible=True,
    ),
    Occupation(
        key="customer_service",
        title="Customer Service",
        kbji="4222",
        sector="services",
        essential=(CUSTOMER_SERVICE, COMMUNICATION, COMPLAINTS),
        optional=(CALL_CENTER, OFFICE, ENGLISH),
        education_min="SMA",
        weight=7,
        salary_factor=1.0,
        duties="Melayani pertanyaan dan keluhan pelanggan melalui telepon, chat, dan email "
        "dengan ramah dan tepat waktu.",
        headlines=("Customer service call center", "CS toko online", "Frontliner bank (alih daya)"),
        vocational_majors=("Otomatisasi dan Tata Kelola Perkantoran",),
        college_majors=("Ilmu Komunikasi", "Administrasi Bisnis"),
        remote_possible=True,
    ),
)
"""Occupation profiles covering the sectors of a real Indonesian vacancy stream."""

_BY_TITLE: Final = MappingProxyType({occupation.title: occupation for occupation in OCCUPATIONS})
_OCCUPATION_WEIGHTS: Final = tuple(occupation.weight for occupation in OCCUPATIONS)
_REMOTE_OCCUPATIONS: Final = tuple(o for o in OCCUPATIONS if o.remote_possible)
_REMOTE_WEIGHTS: Final = tuple(o.weight for o in _REMOTE_OCCUPATIONS)


def occupation_by_title(title: str) -> Occupation | None:
    """Return the occupation of OCCUPATIONS with this exact title, or None."""
    return _BY_TITLE.get(title)


# --------------------------------------------------------------------------------------------
# Trainings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingOffer:
    """A Prakerja-like training: id, title, provider and the skills it teaches.

    ``skills`` are the names as the provider writes them; ``teaches`` are the same skills
    with all their spellings, position by position.
    """

    training_id: str
    title: str
    provider: str
    skills: tuple[str, ...]
    teaches: tuple[SkillForms, ...]

    def __post_init__(self) -> None:
        if len(self.skills) != len(self.teaches) or any(
            name not in forms.spellings
            for name, forms in zip(self.skills, self.teaches, strict=True)
        ):
            raise ValueError(f"{self.training_id}: skills must be spellings of teaches")

    def training(self, completed_at: datetime | None = None) -> Training:
        """Return the training as the event contract carries it."""
        return Training(
            training_id=self.training_id,
            title=self.title,
            provider=self.provider,
            completed_at=completed_at,
            skills=list(self.skills),
        )


def _offer(
    number: int, title: str, provider: str, *skills: tuple[SkillForms, str]
) -> TrainingOffer:
    return TrainingOffer(
        training_id=f"PRK-{number:04d}",
        title=title,
        provider=provider,
        skills=tuple(name for _forms, name in skills),
        teaches=tuple(forms for forms, _name in skills),
    )


TRAININGS: Final[tuple[TrainingOffer, ...]] = (
    _offer(
        1,
        "Mahir Microsoft Excel untuk Administrasi Perkantoran",
        "Skill Academy",
        (EXCEL, "Microsoft Excel"),
        (OFFICE_ADMIN, "Administrasi Perkantoran"),
        (DATA_ENTRY, "Entri Data"),
    ),
    _offer(
        2,
        "Teknik Pelayanan Pelanggan yang Prima",
        "Sekolahmu",
        (CUSTOMER_SERVICE, "Pelayanan Pelanggan"),
        (COMMUNICATION, "Komunikasi Efektif"),
        (COMPLAINTS, "Penanganan Keluhan"),
    ),
    _offer(
        3,
        "Dasar Akuntansi dan Pembukuan untuk UMKM",
        "Pintaria",
        (ACCOUNTING, "Akuntansi"),
        (BOOKKEEPING, "Pembukuan"),
        (EXCEL, "Ms. Excel"),
    ),
    _offer(
        4,
        "Strategi Pemasaran Digital melalui Media Sosial",
        "Kitalulus",
        (DIGITAL_MARKETING, "Pemasaran Digital"),
        (SOCIAL_MEDIA, "Pengelolaan Media Sosial"),
        (COPYWRITING, "Copywriting"),
    ),
    _offer(
        5,
        "Desain Grafis dengan Canva dan Photoshop untuk Pemula",
        "Skill Academy",
        (GRAPHIC_DESIGN, "Desain Grafis"),
        (CANVA, "Canva"),
        (PHOTOSHOP, "Adobe Photoshop"),
    ),
    _offer(
        6,
        "Mengemudi Aman dan Persiapan Ujian SIM B1",
        "Pijar Mahir",
        (SIM_B1, "Mengemudi SIM B1"),
        (DRIVING, "Mengemudi"),
        (VEHICLE_CARE, "Perawatan Kendaraan"),
    ),
    _offer(
        7,
        "Keselamatan dan Kesehatan Kerja (K3) di Industri Manufaktur",
        "Pijar Mahir",
        (K3, "Keselamatan dan Kesehatan Kerja"),
        (FIVE_S, "5R"),
        (MACHINE, "Operasi Mesin Produksi"),
    ),
    _offer(
        8,
        "Menjadi Barista Profesional: Meracik Kopi Espresso",
        "Skill Academy",
        (BARISTA, "Barista"),
        (FOOD_HYGIENE, "Higiene Sanitasi Pangan"),
        (CUSTOMER_SERVICE, "Pelayanan Pelanggan"),
    ),
    _offer(
        9,
        "Dasar Pemrograman Web dengan Python dan SQL",
        "Pintaria",
        (PROGRAMMING, "Dasar Pemrograman"),
        (PYTHON, "Python"),
        (SQL, "SQL"),
    ),
    _offer(
        10,
        "Manajemen Gudang dan Stock Opname",
        "MauBelajarApa",
        (WAREHOUSE, "Pergudangan"),
        (STOCK, "Stock Opname"),
        (DATA_ENTRY, "Input Data"),
    ),
    _offer(
        11,
        "Teknik Penjualan dan Negosiasi untuk Tenaga Pemasar",
        "Kitalulus",
        (SALES, "Teknik Penjualan"),
        (NEGOTIATION, "Negosiasi"),
        (COMMUNICATION, "Komunikasi"),
    ),
    _offer(
        12,
        "Pengelasan SMAW untuk Pemula",
        "Pijar Mahir",
        (WELDING, "Pengelasan"),
        (K3, "K3"),
        (TECH_DRAWING, "Membaca Gambar Teknik"),
    ),
    _offer(
        13,
        "Bahasa Inggris untuk Perhotelan dan Layanan Pelanggan",
        "Sekolahmu",
        (ENGLISH, "Bahasa Inggris"),
        (RESERVATION, "Front Office"),
        (CUSTOMER_SERVICE, "Layanan Pelanggan"),
    ),
    _offer(
        14,
        "Budidaya Sayuran Hidroponik untuk Usaha Rumahan",
        "MauBelajarApa",
        (HYDROPONICS, "Hidroponik"),
        (FARMING, "Budidaya Tanaman"),
        (PEST_CONTROL, "Pengendalian Hama"),
    ),
    _offer(
        15,
        "Memasak Menu Rumahan untuk Usaha Katering",
        "Skill Academy",
        (COOKING, "Memasak"),
        (FOOD_HYGIENE, "Keamanan Pangan"),
    ),
    _offer(
        16,
        "Perawatan Pasien dan Pertolongan Pertama",
        "Pintaria",
        (PATIENT_CARE, "Perawatan Pasien"),
        (FIRST_AID, "Pertolongan Pertama"),
    ),
    _offer(
        17,
        "Troubleshooting Komputer dan Jaringan Kantor",
        "Sekolahmu",
        (TROUBLESHOOTING, "Troubleshooting Komputer"),
        (NETWORKING, "Jaringan Komputer"),
        (OFFICE, "Microsoft Office"),
    ),
    _offer(
        18,
        "Teknik Menjahit Pakaian untuk Industri Garmen",
        "MauBelajarApa",
        (SEWING, "Menjahit"),
        (QUALITY_CONTROL, "Pengendalian Mutu"),
    ),
)
"""Prakerja-like trainings (ids ``PRK-0001``...) with the skills each one teaches."""


# --------------------------------------------------------------------------------------------
# Sampling helpers
# --------------------------------------------------------------------------------------------

# Education of the participants, shaped like Indonesia's labour force with the programme's
# skew towards upper-secondary school leavers.
_EDUCATION: Final[tuple[EducationLevel, ...]] = ("SD", "SMP", "SMA", "SMK", "D1", "D3", "S1")
_EDUCATION_WEIGHTS: Final = (7, 15, 33, 27, 1, 6, 11)
# Experience in years, 0 to 10, skewed towards fresh school leavers.
_EXPERIENCE_WEIGHTS: Final = (30, 16, 13, 10, 8, 6, 5, 4, 3, 3, 2)
_UPPER_SECONDARY: Final[tuple[EducationLevel, ...]] = ("SMA", "SMK")
_SMA_MAJORS: Final = ("IPA", "IPS", "Bahasa")
_SALARY_STEP: Final = 50_000
_COMPANY_REUSE: Final = 0.25
_REMOTE_SHARE: Final = 0.1

_SECTOR_NAMES: Final = MappingProxyType(
    {
        "trade": (("PT", "CV"), ("Niaga", "Distribusindo", "Dagang", "Sarana Niaga")),
        "office": (("PT", "CV"), ("Group", "Mandiri", "Solusi", "Sarana")),
        "logistics": (("PT",), ("Logistik", "Ekspres", "Transportindo", "Kargo")),
        "health": (("Klinik", "RS", "PT"), ("Medika", "Husada", "Sehat")),
        "retail": (("PT", "CV"), ("Retailindo", "Swalayan", "Mart", "Mode")),
        "manufacturing": (("PT",), ("Plastindo", "Manufaktur", "Industri", "Elektrindo")),
        "garment": (("PT", "CV"), ("Garmen", "Tekstil", "Konveksi", "Busana")),
        "food": (("PT", "CV"), ("Boga", "Kuliner", "Kopi", "Pangan")),
        "hospitality": (("Hotel", "PT"), ("Inn", "Resort", "Wisata", "Hospitality")),
        "construction": (("PT", "CV"), ("Konstruksi", "Baja", "Karya Bangun", "Teknik")),
        "agriculture": (("PT", "CV"), ("Agro", "Tani", "Hortikultura", "Agrindo")),
        "education": (("Yayasan", "TK"), ("Cendekia", "Pendidikan", "Ceria", "Harapan")),
        "it": (("PT",), ("Teknologi", "Digital", "Informatika", "Data")),
        "creative": (("PT", "CV"), ("Kreatif", "Media", "Digital", "Komunika")),
        "services": (("PT",), ("Layanan", "Solusi", "Kontak", "Servis")),
    }
)
_NAME_FIRST: Final = (
    "Sinar", "Maju", "Berkah", "Mitra", "Karya", "Cahaya", "Putra", "Sumber",
    "Bintang", "Nusa", "Anugerah", "Mega", "Prima", "Surya", "Tunas", "Citra",
)  # fmt: skip
_NAME_SECOND: Final = (
    "Jaya", "Abadi", "Makmur", "Sejahtera", "Bersama", "Utama", "Sentosa",
    "Lestari", "Perkasa", "Gemilang", "Persada", "Mulia", "Sakti", "Nusantara",
)  # fmt: skip
_ASSOCIATIONS: Final[tuple[Association, ...]] = ("KADIN", "APINDO", "OTHER")
_ASSOCIATION_WEIGHTS: Final = (45, 40, 15)
_CLOSE_REASONS: Final = ("filled", "withdrawn")


def _check(n: int, now: datetime | None) -> datetime:
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if now is None:
        return DEFAULT_NOW
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (e.g. datetime(..., tzinfo=WIB))")
    return now


def _rng(seed: int, kind: str) -> random.Random:
    # One independent stream per kind: adding participants does not change the vacancies.
    # A str seed is hashed with SHA-512, so this is the same on every run and platform.
    return random.Random(f"kerjamatch-sample:{seed}:{kind}")


def _step(rng: random.Random) -> timedelta:
    return timedelta(seconds=rng.randint(5, 90))


def _round_to(value: float, step: int) -> int:
    return round(value / step) * step


def _region(rng: random.Random) -> Region:
    return rng.choices(REGIONS, weights=_REGION_WEIGHTS)[0]


def _occupation(rng: random.Random) -> Occupation:
    return rng.choices(OCCUPATIONS, weights=_OCCUPATION_WEIGHTS)[0]


def _spelling(rng: random.Random, forms: SkillForms) -> str:
    return rng.choice(forms.spellings)


def _major(rng: random.Random, education: EducationLevel, occupation: Occupation) -> str:
    # A quarter studied something unrelated to the work they now look for.
    source = _occupation(rng) if rng.random() < 0.25 else occupation
    if education in ("SD", "SMP"):
        return ""
    if education == "SMA":
        return rng.choice(_SMA_MAJORS)
    if education == "SMK":
        return rng.choice(source.vocational_majors or ("Teknik Kendaraan Ringan",))
    return rng.choice(source.college_majors or source.vocational_majors or ("Manajemen",))


def _education(rng: random.Random, occupation: Occupation) -> EducationLevel:
    level = rng.choices(_EDUCATION, weights=_EDUCATION_WEIGHTS)[0]
    # Most who aim at a diploma-level job (nurse, programmer) hold the diploma; some do not.
    if EDUCATION_RANK[level] < EDUCATION_RANK[occupation.education_min] and rng.random() < 0.6:
        return occupation.education_min
    return level


def _headline(
    rng: random.Random,
    occupation: Occupation,
    education: EducationLevel,
    major: str,
    experience: int,
) -> str:
    roll = rng.random()
    if roll < 0.05:
        return ""
    if experience > 0 and roll < 0.8:
        return rng.choice(occupation.headlines)
    if education in ("SD", "SMP"):
        return f"Lulusan {education}, siap bekerja"
    return f"Lulusan {education} {major}".strip()


def _skill_level(rng: random.Random, source: SkillSource, experience: int) -> int | None:
    if source == "work":
        return min(5, 1 + rng.randint(0, 2) + experience // 3)
    if source == "certificate":
        return rng.choice((3, 3, 4))
    if source == "training":
        return rng.choice((2, 3, 3, 4))
    if source == "self" and rng.random() < 0.15:
        return None
    return rng.randint(1, 4)


def _skill_source(rng: random.Random, experience: int) -> SkillSource:
    if experience > 0:
        return rng.choices(
            ("work", "self", "certificate", "training", "assessment"), weights=(45, 30, 10, 10, 5)
        )[0]
    return rng.choices(("self", "certificate", "training"), weights=(60, 20, 20))[0]


def _training_weights(offers: Sequence[TrainingOffer], wanted: set[SkillForms]) -> list[float]:
    return [1 + 6 * len(wanted.intersection(offer.teaches)) for offer in offers]


# --------------------------------------------------------------------------------------------
# Participants
# --------------------------------------------------------------------------------------------


def sample_participants(
    n: int, *, seed: int = 7, now: datetime | None = None
) -> list[ParticipantUpserted]:
    """Return ``n`` realistic participant profiles, ids ``P000001``....

    Regions follow population; education, experience and skills follow the occupation each
    participant wants (3-8 skills, mostly from one or two occupation profiles, in varied
    spellings). ``occurred_at`` starts at ``now`` (default ``DEFAULT_NOW``) and rises by
    5-90 seconds per event. The same seed gives the same events, and the first ``k`` of
    ``n`` are the ``k`` of a shorter run.
    """
    at = _check(n, now)
    rng = _rng(seed, "participants")
    events: list[ParticipantUpserted] = []
    for i in range(1, n + 1):
        if i > 1:
            at += _step(rng)
        events.append(_participant(rng, i, seed, at))
    return events


def _participant(rng: random.Random, i: int, seed: int, at: datetime) -> ParticipantUpserted:
    region = _region(rng)
    primary = _occupation(rng)
    secondary = _occupation(rng) if rng.random() < 0.4 else None
    if secondary is primary:
        secondary = None
    education = _education(rng, primary)
    major = _major(rng, education, primary)
    experience = rng.choices(range(len(_EXPERIENCE_WEIGHTS)), weights=_EXPERIENCE_WEIGHTS)[0]

    wanted = set(primary.skills) | (set(secondary.skills) if secondary else set())
    trainings: list[Training] = []
    skills: dict[SkillForms, Skill] = {}
    count = rng.choices((0, 1, 2), weights=(35, 45, 20))[0]
    offers = list(TRAININGS)
    for _ in range(count):
        offer = rng.choices(offers, weights=_training_weights(offers, wanted))[0]
        offers.remove(offer)
        completed = at - timedelta(days=rng.randint(7, 400), minutes=rng.randint(0, 1439))
        trainings.append(offer.training(completed))
        for name, forms in zip(offer.skills, offer.teaches, strict=True):
            level = _skill_level(rng, "training", experience)
            skills.setdefault(forms, Skill(name=name, level=level, source="training"))

    pool: dict[SkillForms, float] = {forms: 1.0 for forms in _GENERIC_SKILLS}
    for forms in primary.optional:
        pool[forms] = 2.0
    if secondary is not None:
        for forms in secondary.optional:
            pool[forms] = max(pool.get(forms, 0.0), 1.5)
        for forms in secondary.essential:
            pool[forms] = 3.0
    for forms in primary.essential:
        pool[forms] = 6.0
    target = max(rng.randint(3, 8), len(skills))
    candidates = [forms for forms in pool if forms not in skills]
    while len(skills) < target and candidates:
        forms = rng.choices(candidates, weights=[pool[c] for c in candidates])[0]
        candidates.remove(forms)
        source = _skill_source(rng, experience)
        level = _skill_level(rng, source, experience)
        skills[forms] = Skill(name=_spelling(rng, forms), level=level, source=source)

    desired = [primary.title]
    if secondary is not None and rng.random() < 0.5:
        desired.append(secondary.title)
    min_salary: int | None = None
    if rng.random() >= 0.1:
        wage = regional_min_wage(region.code) * rng.uniform(0.55, 1.1)
        min_salary = min(max(_round_to(wage, 100_000), 1_500_000), 6_000_000)
    preferences = Preferences(
        desired_occupations=desired,
        min_salary=min_salary,
        willing_to_relocate=rng.random() < 0.2,
        remote_ok=rng.random() < (0.6 if primary.remote_possible else 0.2),
    )
    return ParticipantUpserted(
        event_id=f"sample-{seed}-participant-{i}",
        occurred_at=at,
        producer=PRODUCER,
        participant_id=f"P{i:06d}",
        education_level=education,
        major=major,
        experience_years=float(experience),
        regency_code=region.code,
        skills=list(skills.values()),
        trainings=trainings,
        headline=_headline(rng, primary, education, major, experience),
        preferences=preferences,
    )


# --------------------------------------------------------------------------------------------
# Vacancies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Company:
    company_id: str
    name: str
    association: Association
    sector: str
    region: Region


def sample_vacancies(n: int, *, seed: int = 7, now: datetime | None = None) -> list[VacancyPosted]:
    """Return ``n`` realistic vacancies from partner companies, ids ``V00001``....

    Regions follow population; about 10% are remote (IT, digital, design, customer service
    and administration). Skills are the occupation's essential ones plus one or two optional,
    in varied spellings; salaries sit around the regional minimum wage; vacancies expire
    30-60 days after posting. Companies (``C00001``...) post more than once now and then.
    ``occurred_at`` starts at ``now`` (default ``DEFAULT_NOW``) and rises by 5-90 seconds.
    """
    at = _check(n, now)
    rng = _rng(seed, "vacancies")
    companies: list[_Company] = []
    names: set[str] = set()
    events: list[VacancyPosted] = []
    for i in range(1, n + 1):
        if i > 1:
            at += _step(rng)
        events.append(_vacancy(rng, i, seed, at, companies, names))
    return events


def _company(
    rng: random.Random, sector: str, companies: list[_Company], names: set[str]
) -> _Company:
    same_sector = [c for c in companies if c.sector == sector]
    if same_sector and rng.random() < _COMPANY_REUSE:
        return rng.choice(same_sector)
    prefixes, suffixes = _SECTOR_NAMES[sector]
    name = ""
    for _ in range(20):
        words = (rng.choice(prefixes), rng.choice(_NAME_FIRST), rng.choice(_NAME_SECOND))
        name = f"{' '.join(words)} {rng.choice(suffixes)}"
        if name not in names:
            break
    else:
        name = f"{name} {len(companies) + 1}"
    names.add(name)
    company = _Company(
        company_id=f"C{len(companies) + 1:05d}",
        name=name,
        association=rng.choices(_ASSOCIATIONS, weights=_ASSOCIATION_WEIGHTS)[0],
        sector=sector,
        region=_region(rng),
    )
    companies.append(company)
    return company


def _vacancy_education(rng: random.Random, occupation: Occupation) -> EducationLevel | None:
    level = occupation.education_min
    roll = rng.random()
    if level in ("SMA", "SMK"):
        # The same tier: employers write either.
        return rng.choice(_UPPER_SECONDARY)
    if level in ("SD", "SMP"):
        return None if roll < 0.4 else ("SMA" if roll > 0.8 else level)
    if level == "D3" and roll < 0.3:
        return "S1"
    return level


def _vacancy(
    rng: random.Random,
    i: int,
    seed: int,
    at: datetime,
    companies: list[_Company],
    names: set[str],
) -> VacancyPosted:
    remote = rng.random() < _REMOTE_SHARE
    if remote:
        occupation = rng.choices(_REMOTE_OCCUPATIONS, weights=_REMOTE_WEIGHTS)[0]
    else:
        occupation = _occupation(rng)
    company = _company(rng, occupation.sector, companies, names)
    region = company.region

    optional = rng.sample(occupation.optional, k=min(len(occupation.optional), rng.randint(1, 2)))
    required = [
        RequiredSkill(name=_spelling(rng, forms), importance="essential")
        for forms in occupation.essential
    ] + [RequiredSkill(name=_spelling(rng, forms), importance="optional") for forms in optional]

    education = _vacancy_education(rng, occupation)
    majors: list[str] = []
    if education is not None and EDUCATION_RANK[education] >= EDUCATION_RANK["D3"]:
        if rng.random() < 0.5:
            majors = list(occupation.college_majors)
    elif occupation.vocational_majors and rng.random() < 0.2:
        majors = list(occupation.vocational_majors)

    salary_min: int | None = None
    salary_max: int | None = None
    if rng.random() >= 0.1:  # a tenth of postings say nothing about pay
        base = regional_min_wage(region.code) * occupation.salary_factor * rng.uniform(0.9, 1.1)
        salary_min = min(max(_round_to(base, _SALARY_STEP), 2_000_000), 5_500_000)
        salary_max = _round_to(salary_min * rng.uniform(1.0, 1.4), _SALARY_STEP)
        salary_max = max(salary_max, salary_min)

    place = "kerja jarak jauh (remote)" if remote else f"penempatan di {region.name}"
    return VacancyPosted(
        event_id=f"sample-{seed}-vacancy-{i}",
        occurred_at=at,
        producer=PRODUCER,
        vacancy_id=f"V{i:05d}",
        company_id=company.company_id,
        company_name=company.name,
        association=company.association,
        title=occupation.title,
        description=f"{company.name} membuka lowongan {occupation.title}, {place}. "
        f"{occupation.duties}",
        occupation_code=occupation.kbji,
        required_skills=required,
        education_min=education,
        majors=majors,
        experience_min_years=float(rng.choices((0, 1, 2, 3), weights=(45, 30, 15, 10))[0]),
        regency_code=None if remote else region.code,
        remote=remote,
        salary_min=salary_min,
        salary_max=salary_max,
        openings=rng.choices(range(1, 11), weights=(30, 20, 12, 8, 8, 5, 4, 3, 3, 7))[0],
        expires_at=at + timedelta(days=rng.randint(30, 60)),
    )


# --------------------------------------------------------------------------------------------
# Training completions and the whole stream
# --------------------------------------------------------------------------------------------


def sample_training_completions(
    participants: Sequence[ParticipantUpserted],
    n: int,
    *,
    seed: int = 7,
    now: datetime | None = None,
) -> list[SkillsAdded]:
    """Return ``n`` SkillsAdded events: participants completing a training of TRAININGS.

    Participants are drawn with replacement; each picks a training they have not completed,
    most likely one teaching skills of the occupation they want. No participants gives no
    events. ``occurred_at`` starts at ``now`` (default ``DEFAULT_NOW``) and rises by 5-90
    seconds; each training was completed an hour to two days before its event.
    """
    at = _check(n, now)
    if not participants:
        return []
    rng = _rng(seed, "completions")
    done: dict[str, set[str]] = {
        p.participant_id: {t.training_id for t in p.trainings} for p in participants
    }
    events: list[SkillsAdded] = []
    for i in range(1, n + 1):
        if i > 1:
            at += _step(rng)
        participant = rng.choice(participants)
        taken = done.setdefault(participant.participant_id, set())
        wanted: set[SkillForms] = set()
        for title in participant.preferences.desired_occupations:
            occupation = occupation_by_title(title)
            if occupation is not None:
                wanted.update(occupation.skills)
        offers = [offer for offer in TRAININGS if offer.training_id not in taken] or list(TRAININGS)
        offer = rng.choices(offers, weights=_training_weights(offers, wanted))[0]
        taken.add(offer.training_id)
        completed = at - timedelta(hours=rng.randint(1, 48))
        events.append(
            SkillsAdded(
                event_id=f"sample-{seed}-skills-{i}",
                occurred_at=at,
                producer=PRODUCER,
                participant_id=participant.participant_id,
                skills=[
                    Skill(name=name, level=rng.choice((2, 3, 3, 4)), source="training")
                    for name in offer.skills
                ],
                training=offer.training(completed),
            )
        )
    return events


def sample_stream(
    participants: int = 300,
    vacancies: int = 40,
    *,
    seed: int = 7,
    now: datetime | None = None,
) -> list[tuple[str, BaseModel]]:
    """Return a realistic stream of ``(topic, event)`` pairs for the demo and tests.

    Order: the vacancies (``vacancies.v1``), then the participants, then training
    completions for about one participant in ten (``participants.v1``), and last two
    VacancyClosed. ``occurred_at`` rises strictly from ``now`` (default ``DEFAULT_NOW``, so
    the same arguments give the same bytes). The vacancies and participants are exactly
    those of ``sample_vacancies`` and ``sample_participants`` started at their first time.
    """
    at = _check(vacancies, _check(participants, now))
    gap = timedelta(minutes=1)
    stream: list[tuple[str, BaseModel]] = []

    posted = sample_vacancies(vacancies, seed=seed, now=at)
    stream.extend((VACANCIES_TOPIC, vacancy) for vacancy in posted)
    if posted:
        at = posted[-1].occurred_at + gap
    people = sample_participants(participants, seed=seed, now=at)
    stream.extend((PARTICIPANTS_TOPIC, person) for person in people)
    if people:
        at = people[-1].occurred_at + gap
    completions = sample_training_completions(people, participants // 10, seed=seed, now=at)
    stream.extend((PARTICIPANTS_TOPIC, completion) for completion in completions)
    if completions:
        at = completions[-1].occurred_at + gap

    rng = _rng(seed, "closures")
    for i, vacancy in enumerate(rng.sample(posted, k=min(2, len(posted))), start=1):
        closed = VacancyClosed(
            event_id=f"sample-{seed}-closed-{i}",
            occurred_at=at,
            producer=PRODUCER,
            vacancy_id=vacancy.vacancy_id,
            reason=rng.choice(_CLOSE_REASONS),
        )
        stream.append((VACANCIES_TOPIC, closed))
        at += gap
    return stream
