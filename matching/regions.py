"""Indonesian regions by Kemendagri code: provinces, kabupaten/kota, distances and name lookup."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Final, Literal

__all__ = [
    "BUILTIN_PROVINCES",
    "BUILTIN_REGENCIES",
    "Region",
    "RegionLevel",
    "RegionTable",
    "builtin_regions",
    "load_regions",
    "resolve_region_name",
]

RegionLevel = Literal["province", "regency"]
"""``"province"`` (provinsi, code ``"32"``) or ``"regency"`` (kabupaten/kota, ``"32.73"``)."""

_PROVINCE_CODE: Final = re.compile(r"\d{2}", re.ASCII)
_REGENCY_CODE: Final = re.compile(r"\d{2}\.\d{2}", re.ASCII)
_EARTH_RADIUS_KM: Final = 6371.0088  # IUGG mean radius


@dataclass(frozen=True, slots=True)
class Region:
    """A province or kabupaten/kota: Kemendagri code, name, centroid and population.

    ``province_code`` is the code's first two digits (a province's own code for a province).
    """

    code: str
    name: str
    level: RegionLevel
    province_code: str
    lat: float
    lng: float
    population: int


def _check_region(region: Region) -> None:
    pattern = _PROVINCE_CODE if region.level == "province" else _REGENCY_CODE
    if pattern.fullmatch(region.code) is None:
        expected = "'NN'" if region.level == "province" else "'NN.NN'"
        raise ValueError(
            f"{region.level} code {region.code!r} is not a Kemendagri code of the form {expected}"
        )
    if region.province_code != region.code[:2]:
        raise ValueError(
            f"region {region.code}: province_code {region.province_code!r} must be the "
            f"code's first two digits"
        )
    if not region.name.strip():
        raise ValueError(f"region {region.code}: empty name")
    if not (-90.0 <= region.lat <= 90.0 and -180.0 <= region.lng <= 180.0):
        raise ValueError(f"region {region.code}: centroid ({region.lat}, {region.lng}) is invalid")
    if region.population < 0:
        raise ValueError(f"region {region.code}: negative population {region.population}")


class RegionTable:
    """An immutable set of regions, looked up by Kemendagri code.

    Every regency's province must be in the table (distances and sampling fall back to it).
    """

    def __init__(self, regions: Iterable[Region]) -> None:
        by_code: dict[str, Region] = {}
        for region in regions:
            _check_region(region)
            if region.code in by_code:
                raise ValueError(f"duplicate region code {region.code!r}")
            by_code[region.code] = region
        for region in by_code.values():
            if region.level == "regency":
                province = by_code.get(region.province_code)
                if province is None or province.level != "province":
                    raise ValueError(
                        f"regency {region.code} ({region.name}): its province "
                        f"{region.province_code!r} is not in the table"
                    )
        # Sorted by code, so iteration order (and everything sampled from it) is stable.
        self._by_code: Final = {code: by_code[code] for code in sorted(by_code)}
        self._provinces: Final = tuple(r for r in self._by_code.values() if r.level == "province")
        self._regencies: Final = tuple(r for r in self._by_code.values() if r.level == "regency")
        self._populated, self._weights = self._finest()
        self._names: _NameIndex | None = None

    def _finest(self) -> tuple[tuple[Region, ...], tuple[int, ...]]:
        children: dict[str, list[Region]] = {}
        for regency in self._regencies:
            children.setdefault(regency.province_code, []).append(regency)
        regions: list[Region] = []
        weights: list[int] = []
        for province in self._provinces:
            kids = children.get(province.code, [])
            rest = province.population - sum(kid.population for kid in kids)
            # A province whose regencies are listed only in part (the built-in table lists a
            # few big cities) stands for the rest of its population itself, so that province
            # shares stay right whichever regencies a table happens to list.
            if not kids or rest > 0:
                regions.append(province)
                weights.append(rest if kids else province.population)
            regions.extend(kids)
            weights.extend(kid.population for kid in kids)
        return tuple(regions), tuple(weights)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        return f"RegionTable({len(self._provinces)} provinces, {len(self._regencies)} regencies)"

    @property
    def provinces(self) -> tuple[Region, ...]:
        """The provinces, by code."""
        return self._provinces

    @property
    def regencies(self) -> tuple[Region, ...]:
        """The kabupaten/kota, by code."""
        return self._regencies

    def by_code(self, code: str) -> Region:
        """Return the region with this Kemendagri code.

        Raises:
            KeyError: No region of the table has this code.

        """
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(
                f"unknown region code {code!r}: not a province or kabupaten/kota of this table "
                f"({len(self._provinces)} provinces, {len(self._regencies)} regencies)"
            ) from None

    def get(self, code: str) -> Region | None:
        """Return the region with this code, or None."""
        return self._by_code.get(code)

    def populated(self) -> tuple[Region, ...]:
        """Return the finest regions that together hold the whole population, by code.

        That is every regency, and every province without regencies in the table. A province
        whose regencies do not add up to its population (a table listing a few of them) is
        included too: it stands for the rest. ``populated_weights()`` gives the weights.
        """
        return self._populated

    def populated_weights(self) -> tuple[int, ...]:
        """Return the population of each region of ``populated()``, position by position.

        A province listed beside some of its regencies weighs the population they leave out.
        """
        return self._weights

    def province_of(self, code: str) -> str:
        """Return the province code of a province or regency code (its first two digits).

        Raises:
            ValueError: ``code`` is not a Kemendagri code (``"32"`` or ``"32.73"``).

        """
        if _PROVINCE_CODE.fullmatch(code) is None and _REGENCY_CODE.fullmatch(code) is None:
            raise ValueError(f"{code!r} is not a Kemendagri region code ('32' or '32.73')")
        return code[:2]

    def centroid(self, code: str) -> tuple[float, float]:
        """Return ``(lat, lng)`` of a region; a regency not in the table gets its province's.

        Raises:
            KeyError: Neither the region nor (for a regency code) its province is known.

        """
        region = self._by_code.get(code)
        if region is None and _REGENCY_CODE.fullmatch(code) is not None:
            region = self._by_code.get(code[:2])
        if region is None:
            raise KeyError(
                f"unknown region code {code!r}: neither it nor its province is in this table"
            )
        return region.lat, region.lng

    def distance_km(self, a_code: str, b_code: str) -> float:
        """Return the great-circle (haversine) distance between two regions' centroids, in km.

        The same code is 0; a regency missing from the table is placed at its province's
        centroid.

        Raises:
            KeyError: A code is unknown and so is its province.

        """
        lat1, lng1 = self.centroid(a_code)
        lat2, lng2 = self.centroid(b_code)
        if a_code == b_code:
            return 0.0
        phi1, phi2 = math.radians(lat1), math.radians(lat2)
        dphi = phi2 - phi1
        dlmb = math.radians(lng2 - lng1)
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
        return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))

    def resolve_name(self, text: str) -> str | None:
        """Return the code of a free-text region name; see ``resolve_region_name``."""
        if self._names is None:
            self._names = _NameIndex(self)
        return self._names.resolve(text)


# --------------------------------------------------------------------------------------------
# Built-in table
# --------------------------------------------------------------------------------------------

# (code, name, lat, lng, population). Hand-written from id-regions/regions_prov_kabkota.csv
# of the shared reference data (MIT sources: cahyadsn/wilayah, creasico/laravel-nusa):
# centroids rounded to 4 decimals (~10 m), populations to the thousand.
BUILTIN_PROVINCES: Final[tuple[tuple[str, str, float, float, int], ...]] = (
    ("11", "Aceh", 5.5705, 95.3408, 5_623_000),
    ("12", "Sumatera Utara", 3.5806, 98.6720, 15_641_000),
    ("13", "Sumatera Barat", -0.9377, 100.3604, 5_820_000),
    ("14", "Riau", 0.5177, 101.4458, 7_099_000),
    ("15", "Jambi", -1.6040, 103.5836, 3_834_000),
    ("16", "Sumatera Selatan", -2.9772, 104.7505, 9_065_000),
    ("17", "Bengkulu", -3.8209, 102.2840, 2_128_000),
    ("18", "Lampung", -5.4412, 105.2583, 9_144_000),
    ("19", "Kepulauan Bangka Belitung", -2.1529, 106.1579, 1_550_000),
    ("21", "Kepulauan Riau", 0.8762, 104.4452, 2_272_000),
    ("31", "Daerah Khusus Ibukota Jakarta", -6.1778, 106.8284, 11_038_000),
    ("32", "Jawa Barat", -6.9022, 107.6188, 51_316_000),
    ("33", "Jawa Tengah", -6.9935, 110.4202, 38_431_000),
    ("34", "Daerah Istimewa Yogyakarta", -7.7947, 110.3673, 3_743_000),
    ("35", "Jawa Timur", -7.2456, 112.7392, 41_920_000),
    ("36", "Banten", -6.1737, 106.1566, 12_881_000),
    ("51", "Bali", -8.6678, 115.2341, 4_375_000),
    ("52", "Nusa Tenggara Barat", -8.5815, 116.1098, 5_751_000),
    ("53", "Nusa Tenggara Timur", -10.1713, 123.6074, 5_701_000),
    ("61", "Kalimantan Barat", -0.0610, 109.3533, 5_646_000),
    ("62", "Kalimantan Tengah", -2.2168, 113.9188, 2_825_000),
    ("63", "Kalimantan Selatan", -3.4843, 114.8338, 4_305_000),
    ("64", "Kalimantan Timur", -0.5008, 117.1394, 4_123_000),
    ("65", "Kalimantan Utara", 2.8422, 117.3740, 771_000),
    ("71", "Sulawesi Utara", 1.4701, 124.8448, 2_645_000),
    ("72", "Sulawesi Tengah", -0.8906, 119.8711, 3_219_000),
    ("73", "Sulawesi Selatan", -5.1391, 119.4524, 9_528_000),
    ("74", "Sulawesi Tenggara", -4.0247, 122.5405, 2_825_000),
    ("75", "Gorontalo", 0.5239, 123.0775, 1_251_000),
    ("76", "Sulawesi Barat", -2.6649, 118.8528, 1_467_000),
    ("81", "Maluku", -3.6944, 128.1827, 1_936_000),
    ("82", "Maluku Utara", 0.7559, 127.6098, 1_394_000),
    ("91", "Papua", -2.5363, 140.7150, 1_102_000),
    ("92", "Papua Barat", -0.9184, 134.0305, 576_000),
    ("93", "Papua Selatan", -8.5087, 140.4097, 562_000),
    ("94", "Papua Tengah", -3.3634, 135.5039, 1_369_000),
    ("95", "Papua Pegunungan", -4.0993, 138.9431, 1_471_000),
    ("96", "Papua Barat Daya", -0.9197, 131.6925, 623_000),
)
"""All 38 provinces: (Kemendagri code, name, centroid lat, lng, population)."""

# The kabupaten/kota of matching.sample.REGIONS, so that the sample and the simulator use the
# same codes; same source and rounding as the provinces.
BUILTIN_REGENCIES: Final[tuple[tuple[str, str, float, float, int], ...]] = (
    ("12.07", "Kabupaten Deli Serdang", 3.5507, 98.8664, 2_080_000),
    ("12.71", "Kota Medan", 3.5902, 98.6750, 2_546_000),
    ("13.71", "Kota Padang", -0.8759, 100.3873, 947_000),
    ("16.71", "Kota Palembang", -2.9910, 104.7568, 1_801_000),
    ("18.71", "Kota Bandar Lampung", -5.4296, 105.2626, 1_078_000),
    ("31.71", "Kota Administrasi Jakarta Pusat", -6.1729, 106.8187, 1_057_000),
    ("31.72", "Kota Administrasi Jakarta Utara", -6.1200, 106.8925, 1_832_000),
    ("31.73", "Kota Administrasi Jakarta Barat", -6.1843, 106.7366, 2_557_000),
    ("31.74", "Kota Administrasi Jakarta Selatan", -6.2478, 106.8076, 2_331_000),
    ("31.75", "Kota Administrasi Jakarta Timur", -6.2137, 106.9440, 3_230_000),
    ("32.01", "Kabupaten Bogor", -6.4795, 106.8247, 5_810_000),
    ("32.15", "Kabupaten Karawang", -6.3016, 107.3049, 2_612_000),
    ("32.16", "Kabupaten Bekasi", -6.2474, 107.1485, 3_388_000),
    ("32.73", "Kota Bandung", -6.9107, 107.6099, 2_592_000),
    ("32.75", "Kota Bekasi", -6.2360, 106.9942, 2_572_000),
    ("32.76", "Kota Depok", -6.3942, 106.8227, 2_011_000),
    ("32.78", "Kota Tasikmalaya", -7.3161, 108.1970, 771_000),
    ("33.02", "Kabupaten Banyumas", -7.4228, 109.2301, 1_868_000),
    ("33.19", "Kabupaten Kudus", -6.8057, 110.8422, 878_000),
    ("33.72", "Kota Surakarta", -7.5693, 110.8295, 589_000),
    ("33.74", "Kota Semarang", -6.9817, 110.4122, 1_702_000),
    ("34.04", "Kabupaten Sleman", -7.7165, 110.3558, 1_126_000),
    ("34.71", "Kota Yogyakarta", -7.7999, 110.3914, 416_000),
    ("35.07", "Kabupaten Malang", -8.1055, 112.5733, 2_735_000),
    ("35.09", "Kabupaten Jember", -8.1697, 113.7022, 2_616_000),
    ("35.15", "Kabupaten Sidoarjo", -7.4472, 112.7181, 2_028_000),
    ("35.73", "Kota Malang", -7.9778, 112.6338, 889_000),
    ("35.78", "Kota Surabaya", -7.2589, 112.7470, 3_018_000),
    ("36.03", "Kabupaten Tangerang", -6.2000, 106.4667, 3_460_000),
    ("36.71", "Kota Tangerang", -6.1644, 106.6411, 1_957_000),
    ("36.72", "Kota Cilegon", -6.0098, 106.0421, 480_000),
    ("36.74", "Kota Tangerang Selatan", -6.3216, 106.7077, 1_464_000),
    ("51.03", "Kabupaten Badung", -8.6019, 115.1791, 538_000),
    ("51.71", "Kota Denpasar", -8.6545, 115.2165, 673_000),
    ("64.71", "Kota Balikpapan", -1.2763, 116.8278, 757_000),
    ("64.72", "Kota Samarinda", -0.4914, 117.1460, 881_000),
    ("73.06", "Kabupaten Gowa", -5.1998, 119.4532, 825_000),
    ("73.71", "Kota Makassar", -5.1332, 119.4078, 1_482_000),
)
"""The 38 kabupaten/kota of ``matching.sample.REGIONS``, in the same form as the provinces."""


@cache
def builtin_regions() -> RegionTable:
    """Return the built-in table: 38 provinces and the 38 kabupaten/kota of the sample.

    Its ``populated()`` regions are those kabupaten/kota plus every province standing for
    the rest of its population, so province shares follow the real populations.
    """
    return RegionTable(
        [
            Region(code, name, "province", code, lat, lng, population)
            for code, name, lat, lng, population in BUILTIN_PROVINCES
        ]
        + [
            Region(code, name, "regency", code[:2], lat, lng, population)
            for code, name, lat, lng, population in BUILTIN_REGENCIES
        ]
    )


# --------------------------------------------------------------------------------------------
# Loading the region file
# --------------------------------------------------------------------------------------------

_LEVELS: Final[Mapping[str, RegionLevel]] = {"provinsi": "province", "kabkota": "regency"}
_REQUIRED_COLUMNS: Final = ("kode_kemendagri", "nama", "level", "lat", "lng", "penduduk_total")


def load_regions(path: Path) -> RegionTable:
    """Read a region file (``id-regions/regions_prov_kabkota.csv`` format) into a table.

    Columns used: ``kode_kemendagri``, ``nama``, ``level`` (``provinsi`` | ``kabkota``),
    ``lat``, ``lng`` and ``penduduk_total``; others are ignored. A row without a centroid
    gets its province's (a province without one gets the mean of its regencies').

    Raises:
        ValueError: A column is missing, or a row has a bad code, level, number or
            duplicate code; the message names the file and line.

    """
    rows: list[tuple[int, str, str, RegionLevel, float | None, float | None, int]] = []
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num

            def fail(message: str, line: int = line) -> ValueError:
                return ValueError(f"{path}:{line}: {message}")

            code = (row["kode_kemendagri"] or "").strip()
            level = _LEVELS.get((row["level"] or "").strip())
            if level is None:
                raise fail(f"level {row['level']!r} is not 'provinsi' or 'kabkota'")
            pattern = _PROVINCE_CODE if level == "province" else _REGENCY_CODE
            if pattern.fullmatch(code) is None:
                raise fail(f"{row['level']} code {code!r} is not a Kemendagri code")
            try:
                lat = float(row["lat"]) if (row["lat"] or "").strip() else None
                lng = float(row["lng"]) if (row["lng"] or "").strip() else None
                population = int((row["penduduk_total"] or "").strip())
            except ValueError as exc:
                raise fail(f"region {code}: {exc}") from None
            if (lat is None) != (lng is None):
                raise fail(f"region {code}: lat and lng must both be given or both be empty")
            rows.append((line, code, (row["nama"] or "").strip(), level, lat, lng, population))

    regency_centroids: dict[str, list[tuple[float, float]]] = {}
    for _line, code, _name, level, lat, lng, _population in rows:
        if level == "regency" and lat is not None and lng is not None:
            regency_centroids.setdefault(code[:2], []).append((lat, lng))
    province_centroids: dict[str, tuple[float, float]] = {}
    for line, code, _name, level, lat, lng, _population in rows:
        if level != "province":
            continue
        if lat is None or lng is None:
            points = regency_centroids.get(code)
            if not points:
                raise ValueError(f"{path}:{line}: province {code} has no centroid")
            lat = sum(p[0] for p in points) / len(points)
            lng = sum(p[1] for p in points) / len(points)
        province_centroids[code] = (lat, lng)

    regions: list[Region] = []
    for line, code, name, level, lat, lng, population in rows:
        if lat is None or lng is None:
            if code[:2] not in province_centroids:
                raise ValueError(f"{path}:{line}: no centroid and no province row for {code}")
            lat, lng = province_centroids[code[:2]]
        if level == "province":
            lat, lng = province_centroids[code]
        try:
            regions.append(Region(code, name, level, code[:2], lat, lng, population))
            _check_region(regions[-1])
        except ValueError as exc:
            raise ValueError(f"{path}:{line}: {exc}") from None
    try:
        return RegionTable(regions)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


# --------------------------------------------------------------------------------------------
# Free-text region names
# --------------------------------------------------------------------------------------------

Kind = Literal["kota", "kabupaten", "provinsi"]

_NON_ALNUM: Final = re.compile(r"[^0-9a-z]+")
# Words that name the kind of region, as portals abbreviate them.
_KIND_WORDS: Final[Mapping[str, Kind]] = {
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kabupatan": "kabupaten",
    "kota": "kota",
    "kodya": "kota",  # kota madya, the pre-1999 name of a kota
    "kotamadya": "kota",
    "provinsi": "provinsi",
    "propinsi": "provinsi",
    "prov": "provinsi",
}
_ABBREVIATIONS: Final = {"kep": "kepulauan", "kepl": "kepulauan", "adm": "administrasi"}
# Dropped from keys: "Kota Adm. Jakarta Barat" is "Kota Administrasi Jakarta Barat", and
# portals write "Pangkajene Kepulauan" for "Pangkajene dan Kepulauan".
_FILLER: Final = frozenset({"administrasi", "dan"})
# Glued cells ("Kota SurabayaHukumKota Surabaya") and lists ("Surakarta / Solo").
_GLUE: Final = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SEPARATORS: Final = re.compile(r"[|/,;()\[\]]+")
# Province name prefixes that portals shorten or drop ("DKI Jakarta", "Jakarta", "DIY").
_PROVINCE_PREFIXES: Final[tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = (
    (("daerah", "khusus", "ibukota"), ("dki", "dk")),
    (("daerah", "khusus"), ("dk", "dki")),
    (("daerah", "istimewa"), ("di", "diy")),
)
# Town names that stand for their kabupaten/kota in postings, and former names of regencies
# that were renamed; each maps to the current Kemendagri name.
_ALIASES: Final[Mapping[str, str]] = {
    "solo": "Kota Surakarta",
    "jogja": "Kota Yogyakarta",
    "jogjakarta": "Kota Yogyakarta",
    "yogya": "Kota Yogyakarta",
    "cikarang": "Kabupaten Bekasi",
    "cibinong": "Kabupaten Bogor",
    "cileungsi": "Kabupaten Bogor",
    "soreang": "Kabupaten Bandung",
    "serpong": "Kota Tangerang Selatan",
    "slawi": "Kabupaten Tegal",
    "kotabumi": "Kabupaten Lampung Utara",
    "muarasabak": "Kabupaten Tanjung Jabung Timur",
    "mamujuutara": "Kabupaten Pasangkayu",  # renamed in 2017
    "tobasamosir": "Kabupaten Toba",  # renamed in 2020
}


def _fold(text: str) -> list[str]:
    """Lower-case ASCII words of ``text``, with portal abbreviations written out."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return [_ABBREVIATIONS.get(word, word) for word in _NON_ALNUM.split(ascii_text) if word]


def _parse(words: list[str]) -> tuple[Kind | None, str]:
    """Split folded words into the kind they name, if any, and the key of the rest."""
    kind: Kind | None = None
    if len(words) > 1 and words[0] in _KIND_WORDS:
        kind, words = _KIND_WORDS[words[0]], words[1:]
    elif len(words) > 1 and words[-1] in _KIND_WORDS:  # "Bandung Kota", "Bandung Kabupaten"
        kind, words = _KIND_WORDS[words[-1]], words[:-1]
    # Joined without spaces: "Toli Toli", "Tolitoli" and "Toli-Toli" are one key.
    return kind, "".join(word for word in words if word not in _FILLER)


_BARE_ORDER: Final[tuple[Kind, ...]] = ("kota", "kabupaten", "provinsi")


class _NameIndex:
    """Keys of every region name of a table, by kind, for ``resolve_region_name``."""

    def __init__(self, table: RegionTable) -> None:
        self._by_kind: dict[Kind, dict[str, str | None]] = {
            "kota": {},
            "kabupaten": {},
            "provinsi": {},
        }
        for regency in table.regencies:
            kind, key = _parse(_fold(regency.name))
            self._add("kota" if kind == "kota" else "kabupaten", key, regency.code)
        for province in table.provinces:
            words = _fold(province.name)
            self._add("provinsi", "".join(words), province.code)
            for prefix, acronyms in _PROVINCE_PREFIXES:
                if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
                    core = "".join(words[len(prefix) :])
                    self._add("provinsi", core, province.code)
                    for acronym in acronyms:
                        self._add("provinsi", acronym + core, province.code)
                    if acronyms[0] == "di":  # "DIY" is Daerah Istimewa Yogyakarta itself
                        self._add("provinsi", "diy", province.code)
                    break
        # Aliases by the kind of region they name, so "Kab. Mamuju Utara" finds its
        # kabupaten and "Kota Mamuju Utara" finds nothing.
        self._aliases: dict[tuple[Kind, str], str] = {}
        for alias, name in _ALIASES.items():
            kind, key = _parse(_fold(name))
            code = self._lookup(kind, key)
            if kind is not None and code is not None:
                self._aliases[kind, alias] = code
        self.resolve = lru_cache(maxsize=8192)(self._resolve)

    def _add(self, kind: Kind, key: str, code: str) -> None:
        keys = self._by_kind[kind]
        # Two regions of one kind with one key cannot be told apart: resolve neither.
        keys[key] = code if keys.get(key, code) == code else None

    def _lookup(self, kind: Kind | None, key: str) -> str | None:
        if not key:
            return None
        if kind is not None:
            # A name that says its kind is that kind or nothing: "Kabupaten Bandung" is never
            # Kota Bandung, even in a table that lists only the kota.
            code = self._by_kind[kind].get(key)
            return code if code is not None else self._aliases.get((kind, key))
        # A bare name: the kota first ("Bandung" is Kota Bandung, as portals mean it), then
        # the kabupaten, then the province ("Jawa Barat"), then towns and former names.
        for order in _BARE_ORDER:
            if (code := self._by_kind[order].get(key)) is not None:
                return code
        for order in _BARE_ORDER:
            if (code := self._aliases.get((order, key))) is not None:
                return code
        return None

    def _resolve(self, text: str) -> str | None:
        code = self._lookup(*_parse(_fold(text)))
        if code is not None:
            return code
        for part in _SEPARATORS.split(_GLUE.sub("|", text)):
            code = self._lookup(*_parse(_fold(part)))
            if code is not None:
                return code
        return None


def resolve_region_name(table: RegionTable, text: str) -> str | None:
    """Return the Kemendagri code of a region name as job portals write it, or None.

    Case, accents, punctuation and spacing are folded ("KOTA SURABAYA", "Kab Sleman",
    "Kota Pare Pare" → Kota Parepare); "Kab."/"Kab" mean "Kabupaten", and "Kota Adm." /
    "Kota Administrasi" mean "Kota". A name that says its kind ("Kabupaten Bandung", "Kota
    Bandung", "Bandung Kota", "Provinsi Bengkulu") resolves to a region of that kind or to
    nothing. A bare name prefers the kota, then the kabupaten, then the province ("Bandung"
    → Kota Bandung, "Jakarta Barat" → Kota Administrasi Jakarta Barat, "Jawa Barat" → "32",
    "DKI Jakarta" → "31"). A few town names ("Cikarang", "Solo") and former names ("Mamuju
    Utara") are known. Values glued together or listed ("Surakarta / Solo") resolve to their
    first part that is a region. Anything else ("Remote", "Lombok") is None.
    """
    return table.resolve_name(text)
