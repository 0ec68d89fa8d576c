"""A Prakerja-scale population simulator: participants and vacancies by index, seeded, streamed.

Every event is a pure function of the seed and its index, so a run is reproducible byte for
byte, any slice can be generated alone (``participants(n, start=...)``) and slices can be
generated in parallel and concatenated. Nothing is held in memory between events, so 8.3
million participants stream to a file in constant memory.

Distributions are approximations written from general knowledge of Indonesia's labour market,
not fitted to a data source; each says what it approximates where it is defined.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

from matching.normalize import fold, normalise_skill
from matching.regions import RegionTable, builtin_regions
from matching.sample import (
    COMMUNICATION,
    CUSTOMER_SERVICE,
    DEFAULT_NOW,
    ENGLISH,
    EXCEL,
    OCCUPATIONS,
    OFFICE,
    REGIONS,
    TEAMWORK,
    TRAININGS,
    Occupation,
    SkillForms,
    TrainingOffer,
    regional_min_wage,
)
from schemas import (
    EDUCATION_RANK,
    EducationLevel,
    ParticipantUpserted,
    SkillsAdded,
    VacancyClosed,
    VacancyPosted,
    VacancyUpdated,
)

__all__ = [
    "CLOSE_REASONS",
    "PRODUCER",
    "PROVINCIAL_MIN_WAGE",
    "Population",
    "PopulationConfig",
    "load_esco_profiles",
    "minimum_wage",
]

_T = TypeVar("_T")

PRODUCER: Final = "kerjamatch-simulator"
"""The ``producer`` of every simulated event."""

CloseReason = Literal["filled", "expired", "withdrawn"]
CLOSE_REASONS: Final[tuple[CloseReason, ...]] = ("filled", "expired", "withdrawn")
"""Reasons ``Population.vacancy_close`` accepts."""

# --------------------------------------------------------------------------------------------
# Wages
# --------------------------------------------------------------------------------------------

# Rough 2025 provincial minimum wages (UMP), IDR per month, rounded to the thousand. They only
# steer simulated salaries; kabupaten/kota wages (UMK) of matching.sample take precedence.
PROVINCIAL_MIN_WAGE: Final[Mapping[str, int]] = MappingProxyType(
    {
        "11": 3_686_000, "12": 2_993_000, "13": 2_994_000, "14": 3_509_000,
        "15": 3_235_000, "16": 3_682_000, "17": 2_670_000, "18": 2_893_000,
        "19": 3_877_000, "21": 3_624_000, "31": 5_397_000, "32": 2_191_000,
        "33": 2_169_000, "34": 2_264_000, "35": 2_306_000, "36": 2_905_000,
        "51": 2_997_000, "52": 2_603_000, "53": 2_329_000, "61": 2_878_000,
        "62": 3_474_000, "63": 3_496_000, "64": 3_579_000, "65": 3_580_000,
        "71": 3_775_000, "72": 2_915_000, "73": 3_658_000, "74": 3_074_000,
        "75": 3_222_000, "76": 3_104_000, "81": 3_142_000, "82": 3_408_000,
        "91": 4_286_000, "92": 3_615_000, "93": 4_286_000, "94": 4_286_000,
        "95": 4_286_000, "96": 3_614_000,
    }
)  # fmt: skip
"""Rough 2025 minimum wage (UMP) of each of the 38 provinces, by Kemendagri code."""

_SAMPLE_CODES: Final = frozenset(region.code for region in REGIONS)
_NATIONAL_WAGE: Final = 3_500_000


def minimum_wage(region_code: str | None) -> int:
    """Return the rough minimum wage (IDR per month) of a region.

    A kabupaten/kota of ``matching.sample.REGIONS`` gets its UMK, any other code its
    province's UMP, and an unknown province or no region a national middle value (3.5 M).
    """
    if region_code is None:
        return _NATIONAL_WAGE
    if region_code in _SAMPLE_CODES:
        return regional_min_wage(region_code)
    return PROVINCIAL_MIN_WAGE.get(region_code[:2], _NATIONAL_WAGE)


# --------------------------------------------------------------------------------------------
# Distributions (source-free approximations)
# --------------------------------------------------------------------------------------------

# Indonesia's labour force by highest education, roughly as Sakernas reports it in the 2020s:
# about a third primary school or less, a fifth each lower and general upper secondary, an
# eighth vocational upper secondary, a few percent diploma, a tenth bachelor, under 1% above.
# (Prakerja's own participants skew younger and more schooled; this follows the labour force.)
_EDUCATION: Final[tuple[EducationLevel, ...]] = (
    "SD", "SMP", "SMA", "SMK", "D1", "D2", "D3", "D4", "S1", "S2", "S3",
)  # fmt: skip
_EDUCATION_WEIGHTS: Final = (35.5, 18.0, 21.0, 12.0, 0.6, 0.3, 2.1, 0.8, 9.2, 0.45, 0.05)
# Years of experience 0..15, skewed low: many participants are school leavers or laid off
# after a short job.
_EXPERIENCE_WEIGHTS: Final = (24, 15, 12, 10, 8, 7, 5, 4, 3, 3, 2.5, 2, 1.5, 1.2, 1, 0.8)
_TRAINING_COUNT_WEIGHTS: Final = (40, 35, 18, 7)  # 0-3 completed trainings
_GENERIC_COUNT_WEIGHTS: Final = (35, 45, 20)  # 0-2 generic skills
# Salary expectation relative to the regional minimum wage, by education.
_EDUCATION_PAY: Final[Mapping[str, float]] = MappingProxyType(
    {"SD": 0.85, "SMP": 0.9, "SMA": 1.0, "SMK": 1.0, "D1": 1.05, "D2": 1.05, "D3": 1.1,
     "D4": 1.25, "S1": 1.25, "S2": 1.6, "S3": 1.9}
)  # fmt: skip
# School tiers: primary, lower secondary, upper secondary (SMA/SMK), diploma, bachelor,
# master, doctorate. An occupation one tier above a participant's schooling is still wanted
# half as often (plenty of primary-school leavers drive or sew), two tiers above rarely,
# three or more almost never; a graduate wants jobs for school leavers less often.
_TIER: Final[Mapping[str, int]] = MappingProxyType(
    {"SD": 0, "SMP": 1, "SMA": 2, "SMK": 2, "D1": 3, "D2": 3, "D3": 3, "D4": 4, "S1": 4,
     "S2": 5, "S3": 6}
)  # fmt: skip
_ABOVE_EDUCATION: Final = (0.5, 0.1, 0.02)  # by tiers above: 1, 2, 3 or more
_FAR_BELOW_EDUCATION: Final = 0.4
_SECONDARY_OCCUPATION: Final = 0.35
_UNRELATED_MAJOR: Final = 0.25
_RELOCATE: Final = 0.25
_REMOTE_OK_CAPABLE: Final = 0.4  # remote-capable occupations: overall about 20% remote_ok
_REMOTE_OK_OTHER: Final = 0.16
_NO_SALARY_EXPECTATION: Final = 0.1
_LAST_WEEK: Final = 11  # training completion k >= 11 falls in week 12 after the profile

_SMA_MAJORS: Final = ("IPA", "IPS", "Bahasa")
_SMA_MAJOR_WEIGHTS: Final = (42, 52, 6)
_SMK_MAJORS: Final = (
    "Teknik Kendaraan Ringan", "Teknik Komputer dan Jaringan", "Akuntansi",
    "Otomatisasi dan Tata Kelola Perkantoran", "Bisnis Daring dan Pemasaran", "Tata Boga",
    "Teknik Pemesinan",
)  # fmt: skip
_COLLEGE_MAJORS: Final = (
    "Manajemen", "Akuntansi", "Teknik Informatika", "Pendidikan", "Hukum",
    "Ilmu Komunikasi", "Teknik Sipil", "Agribisnis", "Kesehatan Masyarakat",
)  # fmt: skip
_GENERIC_SKILLS: Final = (COMMUNICATION, TEAMWORK, OFFICE, ENGLISH, CUSTOMER_SERVICE, EXCEL)

# Vacancies.
_REMOTE_SHARE: Final = 0.08  # of all vacancies, all of them remote-capable occupations
_MAX_ESSENTIAL: Final = 6  # ESCO profiles list ~20 essential skills; postings name a few
_OPTIONAL_COUNT_WEIGHTS: Final = (25, 35, 25, 15)  # 0-3 optional skills
_UNKNOWN_SKILLS: Final = 0.5  # of free-text postings: also soft skills no taxonomy knows
_HOME_REGION: Final = 0.6  # share of a company's vacancies in its home region
_NO_SALARY: Final = 0.12
_SALARY_STEP: Final = 50_000
_ASSOCIATIONS: Final[tuple[Literal["KADIN", "APINDO", "OTHER"], ...]] = ("KADIN", "APINDO", "OTHER")
_ASSOCIATION_WEIGHTS: Final = (45, 40, 15)
_EXPERIENCE_MIN: Final = (0.0, 1.0, 2.0, 3.0, 5.0)
_EXPERIENCE_MIN_WEIGHTS: Final = (42, 28, 16, 9, 5)
# 1-20 openings, mostly one or two, with the round numbers (5, 10, 15, 20) HR departments
# like; for mass hiring of operators.
_OPENINGS_WEIGHTS: Final = tuple((2.5 if n % 5 == 0 else 1.0) / n**1.2 for n in range(1, 21))

# How partners write skill names when they do not pick from a list: wrapped in the verbs of
# Indonesian job ads, in English, or in odd case.
_WRAPPERS: Final = (
    "Menguasai {}", "Memahami {}", "Familiar dengan {}", "Pengalaman {}", "Paham {}",
    "Bisa {}", "Skill {}", "Good knowledge of {}", "Basic {}", "{} (wajib)", "Mampu {}",
)  # fmt: skip
_SOFT_SKILLS: Final = (
    "Jujur dan bertanggung jawab", "Disiplin", "Teliti", "Mampu bekerja di bawah tekanan",
    "Able to work under pressure", "Berpenampilan menarik", "Good attitude", "Fast learner",
    "Bersedia bekerja shift", "Memiliki kendaraan sendiri", "Problem solving",
    "Time management", "Detail oriented", "Siap bekerja dengan target", "Leadership",
)  # fmt: skip

_NAME_FIRST: Final = (
    "Sinar", "Maju", "Berkah", "Mitra", "Karya", "Cahaya", "Putra", "Sumber", "Bintang",
    "Nusa", "Anugerah", "Mega", "Prima", "Surya", "Tunas", "Citra", "Indo", "Global",
)  # fmt: skip
_NAME_SECOND: Final = (
    "Jaya", "Abadi", "Makmur", "Sejahtera", "Bersama", "Utama", "Sentosa", "Lestari",
    "Perkasa", "Gemilang", "Persada", "Mulia", "Sakti", "Nusantara", "Mandiri", "Sukses",
)  # fmt: skip
_SECTOR_SUFFIXES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "trade": ("Niaga", "Distribusindo", "Dagang"),
        "office": ("Group", "Solusi", "Sarana"),
        "logistics": ("Logistik", "Ekspres", "Kargo"),
        "health": ("Medika", "Husada", "Farma"),
        "retail": ("Retailindo", "Swalayan", "Mart"),
        "manufacturing": ("Plastindo", "Manufaktur", "Industri"),
        "garment": ("Garmen", "Tekstil", "Konveksi"),
        "food": ("Boga", "Kuliner", "Pangan"),
        "hospitality": ("Hotel", "Resort", "Wisata"),
        "construction": ("Konstruksi", "Karya Bangun", "Teknik"),
        "agriculture": ("Agro", "Tani", "Agrindo"),
        "education": ("Edukasi", "Pendidikan", "Cendekia"),
        "it": ("Teknologi", "Digital", "Informatika"),
        "creative": ("Kreatif", "Media", "Komunika"),
        "services": ("Layanan", "Servis", "Kontak"),
    }
)
_DEFAULT_SUFFIXES: Final = ("Indonesia", "Group", "Nusantara", "Internasional")


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total = 0.0
    out: list[float] = []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(out)


def _pick(cum: tuple[float, ...], u: float) -> int:
    """Index drawn by the cumulative weights ``cum`` for a uniform ``u`` in [0, 1)."""
    # One random number and a binary search: rng.choices(weights=...) rebuilds the
    # cumulative sums on every call, which alone would halve the generation rate.
    index = bisect.bisect_right(cum, u * cum[-1])
    return index if index < len(cum) else len(cum) - 1


_EDUCATION_CUM: Final = _cumulative(_EDUCATION_WEIGHTS)
_EXPERIENCE_CUM: Final = _cumulative(_EXPERIENCE_WEIGHTS)
_TRAINING_COUNT_CUM: Final = _cumulative(_TRAINING_COUNT_WEIGHTS)
_GENERIC_COUNT_CUM: Final = _cumulative(_GENERIC_COUNT_WEIGHTS)
_SMA_MAJOR_CUM: Final = _cumulative(_SMA_MAJOR_WEIGHTS)
_OPTIONAL_COUNT_CUM: Final = _cumulative(_OPTIONAL_COUNT_WEIGHTS)
_ASSOCIATION_CUM: Final = _cumulative(_ASSOCIATION_WEIGHTS)
_EXPERIENCE_MIN_CUM: Final = _cumulative(_EXPERIENCE_MIN_WEIGHTS)
_OPENINGS_CUM: Final = _cumulative(_OPENINGS_WEIGHTS)


# Draws from one uniform each, in place of rng.choice / randint / sample, which go through
# getrandbits and cost several times more: they are most of the generation time.
def _choice(r: Callable[[], float], seq: Sequence[_T]) -> _T:
    return seq[int(r() * len(seq))]


def _between(r: Callable[[], float], low: int, high: int) -> int:
    """An integer in [low, high]."""
    return low + int(r() * (high - low + 1))


def _sample(r: Callable[[], float], seq: Sequence[_T], k: int) -> list[_T]:
    """``k`` distinct items of ``seq`` in random order (a partial Fisher-Yates shuffle)."""
    pool = list(seq)
    n = len(pool)
    out: list[_T] = []
    for m in range(min(k, n)):
        j = int(r() * (n - m))
        out.append(pool[j])
        pool[j] = pool[n - m - 1]
    return out


def _round_to(value: float, step: int) -> int:
    return round(value / step) * step


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationConfig:
    """What a simulated population is made of; two equal configs give the same events.

    ``regions`` is the built-in table (38 provinces with the sample's kabupaten/kota) or one
    loaded with ``matching.regions.load_regions`` (514 kabupaten/kota). ``occupations`` is
    the built-in profiles or ``load_esco_profiles(...)``. ``free_text_share`` is the share of
    vacancies whose skill names are free-text variants rather than the canonical first
    spelling. Participant *i* occurs at ``start + i * participant_step`` plus a jitter below
    one step, vacancy *j* likewise with ``vacancy_step`` (so each stream rises strictly).
    ``companies`` is the number of partner companies, shared out over sectors by weight.
    """

    seed: int = 7
    regions: RegionTable = field(default_factory=builtin_regions)
    start: datetime = DEFAULT_NOW
    occupations: tuple[Occupation, ...] = OCCUPATIONS
    free_text_share: float = 0.35
    participant_step: timedelta = timedelta(seconds=1)
    vacancy_step: timedelta = timedelta(seconds=30)
    companies: int = 20_000

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("start must be timezone-aware (e.g. 2026-01-05T08:00+07:00)")
        if not 0.0 <= self.free_text_share <= 1.0:
            raise ValueError(f"free_text_share must be in [0, 1], got {self.free_text_share}")
        if not self.occupations or sum(o.weight for o in self.occupations) <= 0:
            raise ValueError("occupations must be non-empty with a positive total weight")
        for name in ("participant_step", "vacancy_step"):
            if getattr(self, name) < timedelta(milliseconds=1):
                raise ValueError(f"{name} must be at least 1 ms")
        if not self.regions.populated() or sum(self.regions.populated_weights()) <= 0:
            raise ValueError("regions must hold a positive population")
        if self.companies < 1:
            raise ValueError(f"companies must be positive, got {self.companies}")


# --------------------------------------------------------------------------------------------
# The population
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """An occupation with what generation needs of it, computed once."""

    occupation: Occupation
    training_cum: tuple[float, ...]
    vocational: tuple[str, ...]
    college: tuple[str, ...]
    headlines: tuple[str, ...]
    sector: int


@dataclass(frozen=True, slots=True)
class _Company:
    company_id: str
    name: str
    association: Literal["KADIN", "APINDO", "OTHER"]
    region: int


def _training_weights(offers: Sequence[TrainingOffer], wanted: set[int]) -> list[float]:
    # Trainings teaching what the occupation needs are far more likely (the programme's
    # catalogue is browsed by job goal); any training stays possible.
    return [1 + 6 * sum(id(forms) in wanted for forms in offer.teaches) for offer in offers]


class Population:
    """A simulated population: participants and vacancies by index, reproducible and lazy.

    ``participant(i)`` depends only on the seed and ``i``, ``vacancy(j)`` only on the seed
    and ``j``; the iterators yield one event at a time and keep nothing.
    """

    def __init__(self, config: PopulationConfig | None = None) -> None:
        self.config: Final = config if config is not None else PopulationConfig()
        cfg = self.config
        self._seed = cfg.seed
        self._regions = cfg.regions.populated()
        self._region_codes = tuple(region.code for region in self._regions)
        self._region_names = tuple(region.name for region in self._regions)
        self._region_cum = _cumulative(cfg.regions.populated_weights())
        self._region_wage = tuple(minimum_wage(code) for code in self._region_codes)
        self._p_step_ms = cfg.participant_step // timedelta(milliseconds=1)
        self._v_step_ms = cfg.vacancy_step // timedelta(milliseconds=1)
        self._free_text_share = cfg.free_text_share

        occupations = cfg.occupations
        self._sectors = tuple(sorted({o.sector for o in occupations}))
        sector_index = {sector: k for k, sector in enumerate(self._sectors)}
        self._plans = tuple(
            _Plan(
                occupation=o,
                training_cum=_cumulative(_training_weights(TRAININGS, {id(f) for f in o.skills})),
                vocational=o.vocational_majors,
                college=o.college_majors or o.vocational_majors,
                headlines=o.headlines or (o.title,),
                sector=sector_index[o.sector],
            )
            for o in occupations
        )
        self._by_title = {o.title: k for k, o in reversed(list(enumerate(occupations)))}
        weights = [max(o.weight, 0.0) for o in occupations]
        self._occupation_cum = _cumulative(weights)
        self._occupation_cum_by_education = {
            level: _cumulative(
                [
                    w * _education_fit(level, o.education_min)
                    for w, o in zip(weights, occupations, strict=True)
                ]
            )
            for level in _EDUCATION
        }
        capable = sum(w for w, o in zip(weights, occupations, strict=True) if o.remote_possible)
        # Remote postings are ~8% of all, all of them from remote-capable occupations.
        self._p_remote = min(1.0, _REMOTE_SHARE * sum(weights) / capable) if capable else 0.0
        sector_weight = [0.0] * len(self._sectors)
        for w, plan in zip(weights, self._plans, strict=True):
            sector_weight[plan.sector] += w
        total = sum(sector_weight)
        # Company ids are C + 2-digit sector + 5-digit number, so a pool stays below 100k.
        self._company_pool = tuple(
            min(99_999, max(10, round(cfg.companies * w / total))) for w in sector_weight
        )
        self._company = lru_cache(maxsize=1 << 15)(self._make_company)

    def __repr__(self) -> str:
        cfg = self.config
        return (
            f"Population(seed={cfg.seed}, {len(self._regions)} regions, "
            f"{len(self._plans)} occupations)"
        )

    # ---- participants ------------------------------------------------------------------------

    def participants(self, n: int, start: int = 0) -> Iterator[ParticipantUpserted]:
        """Yield participants ``start`` .. ``start + n - 1`` one at a time (nothing is kept)."""
        _check_range(n, start)
        return (self.participant(i) for i in range(start, start + n))

    def participant(self, i: int) -> ParticipantUpserted:
        """Return participant ``i`` (id ``P{i:08d}``), a function of the seed and ``i`` only.

        Region by population; education like the labour force; 1-2 desired occupations
        fitting the education; 0-15 years of experience; major by education; 2-8 skills of
        the desired occupation in varied spellings plus generic ones; 0-3 completed
        trainings whose skills they hold; a salary expectation around the regional minimum
        wage; relocation (~25%) and remote (~20%) preferences; a headline.
        """
        if i < 0:
            raise ValueError(f"participant index must not be negative, got {i}")
        seed = self._seed
        rng = random.Random(f"{seed}:p:{i}")
        r = rng.random
        at = self.config.start + timedelta(
            milliseconds=i * self._p_step_ms + int(r() * self._p_step_ms)
        )
        region = _pick(self._region_cum, r())
        education = _EDUCATION[_pick(_EDUCATION_CUM, r())]
        occupation_cum = self._occupation_cum_by_education[education]
        primary = self._plans[_pick(occupation_cum, r())]
        secondary: _Plan | None = None
        if r() < _SECONDARY_OCCUPATION:
            secondary = self._plans[_pick(occupation_cum, r())]
            if secondary is primary:
                secondary = None
        major = self._major(rng, education, primary)
        experience = _pick(_EXPERIENCE_CUM, r())

        skills: dict[int, dict[str, Any]] = {}
        trainings: list[dict[str, Any]] = []
        taken: set[int] = set()
        for _ in range(_pick(_TRAINING_COUNT_CUM, r())):
            k = _pick(primary.training_cum, r())
            if k in taken:
                continue  # a repeat draw means one training fewer, not a retake
            taken.add(k)
            offer = TRAININGS[k]
            completed = at - timedelta(days=_between(r, 7, 400), minutes=_between(r, 0, 1439))
            trainings.append(_training(offer, completed))
            for name, forms in zip(offer.skills, offer.teaches, strict=True):
                if id(forms) not in skills:
                    level = _skill_level(rng, "training", experience)
                    skills[id(forms)] = {"name": name, "level": level, "source": "training"}

        occupation = primary.occupation
        count = _between(r, 2, 8)
        n_optional = int(r() * (min(len(occupation.optional), count // 2) + 1))
        n_essential = min(len(occupation.essential), count - n_optional)
        chosen = _sample(r, occupation.essential, n_essential)
        chosen += _sample(r, occupation.optional, n_optional)
        if secondary is not None and secondary.occupation.essential and r() < 0.6:
            other = secondary.occupation.essential
            chosen += _sample(r, other, min(len(other), _between(r, 1, 2)))
        chosen += _sample(r, _GENERIC_SKILLS, _pick(_GENERIC_COUNT_CUM, r()))
        for forms in chosen:
            if id(forms) in skills:
                continue
            source = _skill_source(rng, experience)
            skills[id(forms)] = {
                "name": _choice(r, forms.spellings),
                "level": _skill_level(rng, source, experience),
                "source": source,
            }

        desired = [occupation.title]
        if secondary is not None:
            desired.append(secondary.occupation.title)
        min_salary: int | None = None
        if r() >= _NO_SALARY_EXPECTATION:
            wage = (
                self._region_wage[region]
                * _EDUCATION_PAY[education]
                * math.sqrt(occupation.salary_factor)
                * (0.8 + 0.4 * r())
            )
            min_salary = max(_round_to(wage, 100_000), 1_000_000)
        remote_share = _REMOTE_OK_CAPABLE if occupation.remote_possible else _REMOTE_OK_OTHER
        preferences = {
            "desired_occupations": desired,
            "min_salary": min_salary,
            "willing_to_relocate": r() < _RELOCATE,
            "remote_ok": r() < remote_share,
        }
        return ParticipantUpserted.model_validate(
            {
                "event_id": f"pop-{seed}-p-{i}",
                "occurred_at": at,
                "producer": PRODUCER,
                "participant_id": f"P{i:08d}",
                "education_level": education,
                "major": major,
                "experience_years": float(experience),
                "regency_code": self._region_codes[region],
                "skills": list(skills.values()),
                "trainings": trainings,
                "headline": _headline(rng, primary, education, major, experience),
                "preferences": preferences,
            }
        )

    def _major(self, rng: random.Random, education: EducationLevel, plan: _Plan) -> str:
        if education in ("SD", "SMP"):
            return ""
        if education == "SMA":
            return _SMA_MAJORS[_pick(_SMA_MAJOR_CUM, rng.random())]
        if rng.random() < _UNRELATED_MAJOR:  # studied something unrelated to the job sought
            plan = self._plans[_pick(self._occupation_cum, rng.random())]
        if education == "SMK":
            return _choice(rng.random, plan.vocational or _SMK_MAJORS)
        return _choice(rng.random, plan.college or _COLLEGE_MAJORS)

    def training_completion(self, participant: ParticipantUpserted, k: int) -> SkillsAdded:
        """Return the participant's ``k``-th training completion after their profile.

        Deterministic in (seed, participant id, ``k``). Trainings follow one fixed order per
        participant, drawn once, weighted towards those teaching skills of the desired
        occupations and leaving out those already in the profile, so completions ``0, 1,
        ...`` are distinct until the catalogue is exhausted (then it starts over).
        Completion ``k`` occurs in week ``k + 1`` after the profile, so a participant's
        completions come in order; from ``k = 11`` on, all in week 12 (callers may number
        completions with a running counter, and event times must stay plausible). The
        training ends an hour to two days before its event.
        """
        if k < 0:
            raise ValueError(f"completion index must not be negative, got {k}")
        pid = participant.participant_id
        order = self._training_order(participant, k + 1)
        offer = order[k % len(order)]
        rng = random.Random(f"{self._seed}:t:{pid}:{k}")
        week_ms = 7 * 24 * 3600 * 1000
        at = participant.occurred_at + timedelta(
            milliseconds=(min(k, _LAST_WEEK) + 1) * week_ms + int(rng.random() * week_ms)
        )
        completed = at - timedelta(minutes=_between(rng.random, 60, 48 * 60))
        return SkillsAdded.model_validate(
            {
                "event_id": f"pop-{self._seed}-t-{pid}-{k}",
                "occurred_at": at,
                "producer": PRODUCER,
                "participant_id": pid,
                "skills": [
                    {"name": name, "level": _choice(rng.random, (2, 3, 3, 4)), "source": "training"}
                    for name in offer.skills
                ],
                "training": _training(offer, completed),
            }
        )

    def _training_order(
        self, participant: ParticipantUpserted, needed: int | None = None
    ) -> list[TrainingOffer]:
        """The participant's training order, or its first ``needed`` items when fewer suffice.

        A prefix is drawn with the same random numbers as the whole order, so it is the
        same prefix; stopping early saves most of the cost of a completion.
        """
        wanted: set[int] = set()
        for title in participant.preferences.desired_occupations:
            index = self._by_title.get(title)
            if index is not None:
                wanted.update(id(forms) for forms in self._plans[index].occupation.skills)
        done = {t.training_id for t in participant.trainings}
        offers = [offer for offer in TRAININGS if offer.training_id not in done] or list(TRAININGS)
        weights = _training_weights(offers, wanted)
        rng = random.Random(f"{self._seed}:to:{participant.participant_id}")
        # Weighted draws without replacement, in plain arithmetic so the order is the same on
        # every platform (no pow or log whose last bit may differ between C libraries).
        order: list[TrainingOffer] = []
        total = len(offers)
        stop = total if needed is None or needed > total else needed
        while offers and len(order) < stop:
            k = _pick(_cumulative(weights), rng.random())
            order.append(offers.pop(k))
            weights.pop(k)
        return order

    # ---- vacancies ---------------------------------------------------------------------------

    def vacancies(self, n: int, start: int = 0) -> Iterator[VacancyPosted]:
        """Yield vacancies ``start`` .. ``start + n - 1`` one at a time (nothing is kept)."""
        _check_range(n, start)
        return (self.vacancy(j) for j in range(start, start + n))

    def vacancy(self, j: int) -> VacancyPosted:
        """Return vacancy ``j`` (id ``V{j:07d}``), a function of the seed and ``j`` only.

        Occupation by weight; a partner company (KADIN / APINDO / OTHER) of the sector, big
        ones posting more; a region by population (mostly the company's own), or remote for
        ~8% (remote-capable occupations); required skills: the occupation's essential ones
        (at most 6) and 0-3 optional ones, canonically spelled or, for ``free_text_share`` of
        vacancies, as free text with sometimes soft skills no taxonomy knows; education,
        experience, salary around the regional wage, 1-20 openings (mostly few), expiry
        14-90 days after posting.
        """
        if j < 0:
            raise ValueError(f"vacancy index must not be negative, got {j}")
        seed = self._seed
        rng = random.Random(f"{seed}:v:{j}")
        r = rng.random
        at = self.config.start + timedelta(
            milliseconds=j * self._v_step_ms + int(r() * self._v_step_ms)
        )
        plan = self._plans[_pick(self._occupation_cum, r())]
        occupation = plan.occupation
        remote = occupation.remote_possible and r() < self._p_remote
        u = r()
        company = self._company(plan.sector, int(self._company_pool[plan.sector] * u * u))
        region = company.region
        if not remote and r() >= _HOME_REGION:
            region = _pick(self._region_cum, r())

        free_text = r() < self._free_text_share
        essential: Sequence[SkillForms] = occupation.essential
        if len(essential) > _MAX_ESSENTIAL:
            keep = sorted(_sample(r, range(len(essential)), _MAX_ESSENTIAL))
            essential = [essential[k] for k in keep]
        n_optional = min(len(occupation.optional), _pick(_OPTIONAL_COUNT_CUM, r()))
        optional = _sample(r, occupation.optional, n_optional)
        required: list[dict[str, str]] = []
        seen: set[str] = set()
        for importance, group in (("essential", essential), ("optional", optional)):
            for forms in group:
                name = _free_text(rng, forms) if free_text else forms.name
                if name.casefold() not in seen:
                    seen.add(name.casefold())
                    required.append({"name": name, "importance": importance})
        if free_text and r() < _UNKNOWN_SKILLS:
            for name in _sample(r, _SOFT_SKILLS, _between(r, 1, 2)):
                if name.casefold() not in seen:
                    seen.add(name.casefold())
                    importance = "essential" if r() < 0.3 else "optional"
                    required.append({"name": name, "importance": importance})

        education = _vacancy_education(rng, occupation.education_min)
        majors: list[str] = []
        if education is not None and EDUCATION_RANK[education] >= EDUCATION_RANK["D3"]:
            if plan.college and r() < 0.5:
                majors = list(plan.college)
        elif plan.vocational and r() < 0.2:
            majors = list(plan.vocational)

        salary_min: int | None = None
        salary_max: int | None = None
        if r() >= _NO_SALARY:
            base = self._region_wage[region] * occupation.salary_factor * (0.9 + 0.25 * r())
            salary_min = max(_round_to(base, _SALARY_STEP), 1_000_000)
            salary_max = max(salary_min, _round_to(salary_min * (1.0 + 0.5 * r()), _SALARY_STEP))

        days = 30 if r() < 0.4 else _between(r, 14, 90)
        # Postings expire at the end of a day, as portals show them.
        expires = (at + timedelta(days=days)).replace(hour=23, minute=59, second=59, microsecond=0)
        place = (
            "kerja jarak jauh (remote)" if remote else f"penempatan di {self._region_names[region]}"
        )
        if free_text and r() < 0.5:
            description = (
                f"{company.name} is hiring {occupation.title} ({place}). {occupation.duties}"
            )
        else:
            description = (
                f"{company.name} membuka lowongan {occupation.title}, {place}. {occupation.duties}"
            )
        return VacancyPosted.model_validate(
            {
                "event_id": f"pop-{seed}-v-{j}",
                "occurred_at": at,
                "producer": PRODUCER,
                "vacancy_id": f"V{j:07d}",
                "company_id": company.company_id,
                "company_name": company.name,
                "association": company.association,
                "title": occupation.title,
                "description": description,
                "occupation_code": occupation.kbji,
                "required_skills": required,
                "education_min": education,
                "majors": majors,
                "experience_min_years": _EXPERIENCE_MIN[_pick(_EXPERIENCE_MIN_CUM, r())],
                "regency_code": None if remote else self._region_codes[region],
                "remote": remote,
                "salary_min": salary_min,
                "salary_max": salary_max,
                "openings": 1 + _pick(_OPENINGS_CUM, r()),
                "expires_at": expires,
            }
        )

    def _make_company(self, sector: int, number: int) -> _Company:
        name = self._sectors[sector]
        rng = random.Random(f"{self._seed}:c:{name}:{number}")
        legal = "CV" if rng.random() < 0.25 else "PT"
        words = (_choice(rng.random, _NAME_FIRST), _choice(rng.random, _NAME_SECOND))
        suffix = _choice(rng.random, _SECTOR_SUFFIXES.get(name, _DEFAULT_SUFFIXES))
        return _Company(
            company_id=f"C{sector:02d}{number:05d}",
            name=f"{legal} {' '.join(words)} {suffix}",
            association=_ASSOCIATIONS[_pick(_ASSOCIATION_CUM, rng.random())],
            region=_pick(self._region_cum, rng.random()),
        )

    def vacancy_update(self, vacancy: VacancyPosted | VacancyUpdated, k: int = 0) -> VacancyUpdated:
        """Return the ``k``-th update of a vacancy: the whole vacancy, changed, hours later.

        Deterministic in (seed, vacancy id, ``k``) and the vacancy given. The company adds
        openings, raises the salary or extends the expiry; the update occurs 6-72 hours
        after the vacancy given, and a vacancy that would be expired by then is extended
        by 30 days.
        """
        if k < 0:
            raise ValueError(f"update index must not be negative, got {k}")
        rng = random.Random(f"{self._seed}:vu:{vacancy.vacancy_id}:{k}")
        at = vacancy.occurred_at + timedelta(minutes=_between(rng.random, 6 * 60, 72 * 60))
        data = vacancy.model_dump(exclude={"event_type", "event_id", "occurred_at", "producer"})
        roll = rng.random()
        if roll < 0.3 and vacancy.salary_min is not None and vacancy.salary_max is not None:
            factor = 1.05 + 0.1 * rng.random()
            data["salary_min"] = _round_to(vacancy.salary_min * factor, _SALARY_STEP)
            data["salary_max"] = max(
                data["salary_min"], _round_to(vacancy.salary_max * factor, _SALARY_STEP)
            )
        elif roll < 0.6:
            base = vacancy.expires_at or at
            data["expires_at"] = base + timedelta(days=_between(rng.random, 14, 30))
        else:
            data["openings"] = vacancy.openings + _between(rng.random, 1, 5)
        if data["expires_at"] is not None and data["expires_at"] <= at:
            data["expires_at"] = (at + timedelta(days=30)).replace(
                hour=23, minute=59, second=59, microsecond=0
            )
        data.update(
            event_id=f"pop-{self._seed}-vu-{vacancy.vacancy_id}-{k}",
            occurred_at=at,
            producer=PRODUCER,
        )
        return VacancyUpdated.model_validate(data)

    def vacancy_close(
        self, vacancy: VacancyPosted | VacancyUpdated, reason: CloseReason
    ) -> VacancyClosed:
        """Return the vacancy's closing: ``"filled"``, ``"expired"`` or ``"withdrawn"``.

        Deterministic in (seed, vacancy id, reason). An expired vacancy closes at its expiry
        (90 days after posting when it has none); a filled or withdrawn one between a day
        after posting and its expiry.

        Raises:
            ValueError: ``reason`` is not one of CLOSE_REASONS.

        """
        if reason not in CLOSE_REASONS:
            raise ValueError(f"reason must be one of {', '.join(CLOSE_REASONS)}, got {reason!r}")
        rng = random.Random(f"{self._seed}:vc:{vacancy.vacancy_id}:{reason}")
        posted = vacancy.occurred_at
        expires = vacancy.expires_at or posted + timedelta(days=90)
        if reason == "expired":
            at = expires
        else:
            span = max(expires - posted - timedelta(days=1), timedelta(0))
            at = posted + timedelta(days=1) + span * rng.random()
            at = at.replace(microsecond=at.microsecond // 1000 * 1000)
        return VacancyClosed(
            event_id=f"pop-{self._seed}-vc-{vacancy.vacancy_id}",
            occurred_at=at,
            producer=PRODUCER,
            vacancy_id=vacancy.vacancy_id,
            reason=reason,
        )


def _check_range(n: int, start: int) -> None:
    if n < 0 or start < 0:
        raise ValueError(f"n and start must not be negative, got n={n}, start={start}")


def _education_fit(level: EducationLevel, required: EducationLevel) -> float:
    gap = _TIER[required] - _TIER[level]
    if gap > 0:
        return _ABOVE_EDUCATION[min(gap, len(_ABOVE_EDUCATION)) - 1]
    if gap <= -3:  # a bachelor wanting a job for primary-school leavers
        return _FAR_BELOW_EDUCATION
    return 1.0


def _vacancy_education(rng: random.Random, level: EducationLevel) -> EducationLevel | None:
    roll = rng.random()
    if level in ("SMA", "SMK"):
        return "SMA" if roll < 0.5 else "SMK"  # one tier: employers write either
    if level in ("SD", "SMP"):
        return None if roll < 0.4 else ("SMA" if roll > 0.8 else level)
    if level == "D3" and roll < 0.3:
        return "S1"
    return level


def _training(offer: TrainingOffer, completed: datetime) -> dict[str, Any]:
    return {
        "training_id": offer.training_id,
        "title": offer.title,
        "provider": offer.provider,
        "completed_at": completed,
        "skills": list(offer.skills),
    }


def _free_text(rng: random.Random, forms: SkillForms) -> str:
    name = _choice(rng.random, forms.spellings)
    roll = rng.random()
    if roll < 0.3:
        return _choice(rng.random, _WRAPPERS).format(name)
    if roll < 0.45:
        return name.lower()
    if roll < 0.5:
        return name.upper()
    return name


def _skill_source(rng: random.Random, experience: int) -> str:
    roll = rng.random()
    if experience > 0:
        # work 45, self 30, certificate 10, training 10, assessment 5
        if roll < 0.45:
            return "work"
        if roll < 0.75:
            return "self"
        if roll < 0.85:
            return "certificate"
        return "training" if roll < 0.95 else "assessment"
    return "self" if roll < 0.6 else ("certificate" if roll < 0.8 else "training")


def _skill_level(rng: random.Random, source: str, experience: int) -> int | None:
    if source == "work":
        return min(5, 1 + int(rng.random() * 3) + experience // 3)
    if source == "certificate":
        return 4 if rng.random() < 1 / 3 else 3
    if source == "training":
        return (2, 3, 3, 4)[int(rng.random() * 4)]
    if source == "self" and rng.random() < 0.15:
        return None  # many people do not rate themselves
    return 1 + int(rng.random() * 4)


def _headline(
    rng: random.Random, plan: _Plan, education: EducationLevel, major: str, experience: int
) -> str:
    roll = rng.random()
    if roll < 0.05:
        return ""
    if experience > 0 and roll < 0.8:
        return _choice(rng.random, plan.headlines)
    if education in ("SD", "SMP"):
        return f"Lulusan {education}, siap bekerja"
    if roll < 0.9:
        return f"Lulusan {education} {major}".strip()
    return f"Fresh graduate {education} {major}".strip()


# --------------------------------------------------------------------------------------------
# ESCO occupation profiles
# --------------------------------------------------------------------------------------------

# By ISCO-08 major group (the first digit of the ISCO unit group), approximations for the
# Indonesian market: the lowest education usually asked, pay relative to the minimum wage,
# and the group's rough share of employment (services/sales, agriculture, elementary and
# craft work dominate; managers and professionals are few). Armed forces (0) are left out:
# partner companies do not post them.
_ISCO_GROUPS: Final[Mapping[str, tuple[str, EducationLevel, float, float]]] = MappingProxyType(
    {
        "1": ("management", "S1", 2.2, 2.0),
        "2": ("professional", "S1", 1.5, 7.0),
        "3": ("technical", "D3", 1.2, 4.0),
        "4": ("clerical", "SMA", 1.0, 5.0),
        "5": ("services and sales", "SMA", 0.95, 24.0),
        "6": ("agriculture", "SD", 0.85, 20.0),
        "7": ("crafts", "SMP", 1.0, 13.0),
        "8": ("machine operation", "SMP", 1.0, 9.0),
        "9": ("elementary", "SD", 0.85, 16.0),
    }
)
# ISCO unit groups whose work can be done remotely: ICT professionals (25..), designers,
# marketing, writers and translators, contact centres.
_REMOTE_ISCO: Final = ("25", "2166", "243", "264", "4222")
_ESCO_SPELLINGS: Final = 4  # preferred label and up to three alternative labels
_MAX_HEADLINES: Final = 3


def load_esco_profiles(esco_dir: Path, limit: int | None = None) -> tuple[Occupation, ...]:
    """Read ESCO occupation→skill profiles as occupations the population can use.

    Reads ``occupations.csv``, ``skills.csv``, ``occupation_skill_relations.csv.gz``
    (essential / optional) and, if present, ``skills_text.csv.gz`` (alternative labels,
    which become the free-text spellings) from ``esco_dir``, streaming them and keeping only
    labels of skills that a kept occupation uses. Occupations are kept in file order, the
    first ``limit`` that have an essential skill (all when ``limit`` is None); armed-forces
    occupations are left out. ``kbji`` is the ISCO-08 unit group (KBJI 2014 follows ISCO-08
    at four digits); sector, minimum education, pay and weight come from the ISCO major
    group (see ``_ISCO_GROUPS``), the weight shared among the group's occupations.

    Raises:
        FileNotFoundError: A required file is missing.
        ValueError: ``limit`` is negative, or a file lacks a needed column.

    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    occupations: list[tuple[str, str, str, str, tuple[str, ...]]] = []
    with (esco_dir / "occupations.csv").open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        _require(reader, esco_dir / "occupations.csv", "occ_id", "isco_group", "preferred_label")
        for row in reader:
            isco = (row["isco_group"] or "").strip()
            if not isco[:1] or isco[0] not in _ISCO_GROUPS:
                continue
            alt = tuple(
                label.strip() for label in (row.get("alt_labels") or "").split("|") if label.strip()
            )
            label = row["preferred_label"].strip()
            description = (row.get("description") or "").strip()
            first_sentence = description.split(". ")[0].rstrip(".")
            occupations.append(
                (row["occ_id"], isco, label, first_sentence[:300], alt[:_MAX_HEADLINES])
            )

    wanted_occ = {occ[0] for occ in occupations}
    relations: dict[str, tuple[list[int], list[int]]] = {}
    path = esco_dir / "occupation_skill_relations.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        _require(reader, path, "occ_id", "skill_id", "relation_type")
        for row in reader:
            if row["occ_id"] not in wanted_occ:
                continue
            essential, optional = relations.setdefault(row["occ_id"], ([], []))
            (essential if row["relation_type"] == "essential" else optional).append(
                int(row["skill_id"])
            )

    kept = [occ for occ in occupations if relations.get(occ[0], ([], []))[0]]
    if limit is not None:
        kept = kept[:limit]
    needed = {skill for occ in kept for group in relations[occ[0]] for skill in group}
    labels: dict[int, str] = {}
    path = esco_dir / "skills.csv"
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        _require(reader, path, "skill_id", "preferred_label")
        for row in reader:
            skill_id = int(row["skill_id"])
            if skill_id in needed and row["preferred_label"].strip():
                labels[skill_id] = row["preferred_label"].strip()
    alternatives: dict[int, tuple[str, ...]] = {}
    path = esco_dir / "skills_text.csv.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
            reader = csv.DictReader(file)
            _require(reader, path, "skill_id", "alt_labels")
            for row in reader:
                skill_id = int(row["skill_id"])
                if skill_id in labels:
                    main = labels[skill_id]
                    others = [a.strip() for a in (row["alt_labels"] or "").split("|")]
                    others = [a for a in others if a and a != main]
                    alternatives[skill_id] = tuple(others[: _ESCO_SPELLINGS - 1])
    forms = {
        skill_id: SkillForms(name=label, spellings=(label, *alternatives.get(skill_id, ())))
        for skill_id, label in labels.items()
    }

    group_sizes: dict[str, int] = {}
    for _occ_id, isco, *_rest in kept:
        group_sizes[isco[0]] = group_sizes.get(isco[0], 0) + 1
    result: list[Occupation] = []
    for occ_id, isco, label, duties, alt in kept:
        sector, education, pay, share = _ISCO_GROUPS[isco[0]]
        essential_ids, optional_ids = relations[occ_id]
        result.append(
            Occupation(
                key=f"esco:{occ_id}",
                title=label,
                kbji=isco,
                sector=sector,
                essential=tuple(forms[s] for s in essential_ids if s in forms),
                optional=tuple(forms[s] for s in optional_ids if s in forms),
                education_min=education,
                weight=share / group_sizes[isco[0]],
                salary_factor=pay,
                duties=duties,
                headlines=alt or (label,),
                remote_possible=isco.startswith(_REMOTE_ISCO),
            )
        )
    return tuple(result)


def _require(reader: csv.DictReader[str], path: Path, *columns: str) -> None:
    missing = [column for column in columns if column not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")


@lru_cache(maxsize=1)
def _true_skills() -> tuple[Mapping[str, str], Mapping[str, str], tuple[tuple[str, str], ...]]:
    by_spelling: dict[str, str] = {}
    by_alias: dict[str, str] = {}
    forms_seen = [f for o in OCCUPATIONS for f in o.skills] + [
        f for t in TRAININGS for f in t.teaches
    ]
    for forms in forms_seen:
        for spelling in forms.spellings:
            by_spelling.setdefault(fold(spelling), forms.name)
            by_alias.setdefault(normalise_skill(spelling), forms.name)
    hole = "zzholezz"  # folds to itself, so it marks where the skill sits in a wrapper
    wrappers = tuple(
        (head.strip(), tail.strip())
        for head, _, tail in (fold(w.format(hole)).partition(hole) for w in _WRAPPERS)
    )
    return by_spelling, by_alias, wrappers


def true_skill(name: str) -> str | None:
    """The built-in skill a generated skill name was drawn from, or None when unknown.

    The simulator knows what it meant by "Menguasai ms. excel": the hidden truth compares
    skills by this identity, so it never favours one normaliser's notion of "the same
    skill" over another's. Other names get the alias table's guess, else None.
    """
    by_spelling, by_alias, wrappers = _true_skills()
    folded = fold(name)
    found = by_spelling.get(folded)
    if found is not None:
        return found
    for head, tail in wrappers:
        inner = folded
        if head and inner.startswith(head + " "):
            inner = inner[len(head) + 1 :]
        elif head:
            continue
        if tail and inner.endswith(" " + tail):
            inner = inner[: -len(tail) - 1]
        elif tail:
            continue
        if inner in by_spelling:
            return by_spelling[inner]
    # Hand-written names ("mengoperasikan Ms. Excel"): the alias table's best guess.
    return by_alias.get(normalise_skill(name))
