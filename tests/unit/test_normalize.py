"""Skill normalisation: real-world spellings in Bahasa Indonesia and English fold to one canonical
name; unknown text is kept (folded), never lost."""

import pytest

from matching import normalise_skill
from matching.normalize import ALIASES, fold

# Spellings seen in postings, training titles and self-reported profiles, with the canonical
# skill the alias table in matching/normalize.py maps them to.
REAL_WORLD = [
    # Excel: abbreviation, Indonesian verb phrase, generic English noun, full-width letters
    ("Ms. Excel", "microsoft excel"),
    ("MS EXCEL", "microsoft excel"),
    ("mengoperasikan microsoft excel", "microsoft excel"),
    ("Mengoperasikan Ms. Excel", "microsoft excel"),
    ("Spreadsheet", "microsoft excel"),
    ("Skills: Excel", "microsoft excel"),
    ("\uff25\uff38\uff23\uff25\uff2c", "microsoft excel"),  # full-width EXCEL
    ("Menguasai MS Office", "microsoft office"),
    ("ms word", "microsoft word"),
    # customer service
    ("pelayanan pelanggan", "customer service"),
    ("Layanan Pelanggan", "customer service"),
    ("Customer Service", "customer service"),
    ("CS", "customer service"),
    # occupational safety (K3 = Keselamatan dan Kesehatan Kerja)
    ("K3", "occupational safety"),
    ("Keselamatan dan Kesehatan Kerja", "occupational safety"),
    # driving
    ("mengemudi SIM B1", "driving sim b1"),
    ("SIM B1", "driving sim b1"),
    ("Menyetir", "driving"),
    # data
    ("Pengolahan Data", "data processing"),
    ("Input Data", "data entry"),
    ("Entri data", "data entry"),
    # communication, teamwork, languages
    ("Kemampuan Komunikasi", "communication"),
    ("Komunikasi Efektif", "communication"),
    ("Keterampilan kerja tim", "teamwork"),
    ("Kerjasama Tim", "teamwork"),
    ("Bahasa Inggris", "english"),
    # trades and services
    ("Dasar Akuntansi", "accounting"),
    ("Pemasaran Digital", "digital marketing"),
    ("Tata Boga", "cooking"),
    ("Pengelasan", "welding"),
    ("Las", "welding"),
    ("Administrasi Perkantoran", "office administration"),
]


@pytest.mark.parametrize(("raw", "canonical"), REAL_WORLD)
def test_real_world_spellings_map_to_their_canonical_skill(raw: str, canonical: str) -> None:
    assert normalise_skill(raw) == canonical


@pytest.mark.parametrize(
    "group",
    [
        ["Ms. Excel", "mengoperasikan microsoft excel", "Spreadsheet", "excel"],
        ["pelayanan pelanggan", "Customer Service", "layanan pelanggan", "cs"],
        ["K3", "keselamatan dan kesehatan kerja"],
        ["Bahasa Inggris", "English"],
    ],
)
def test_bilingual_spellings_of_one_skill_agree(group: list[str]) -> None:
    assert len({normalise_skill(name) for name in group}) == 1


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("  Microsoft   EXCEL!! ", "microsoft excel"),
        ("Pâtisserie", "patisserie"),
        ("CAFÉ-Barista", "cafe barista"),
        ("Node.js", "node js"),
        ("C++", "c++"),
        ("C#", "c#"),
        ("Bahasa\tJepang\n", "bahasa jepang"),
    ],
)
def test_fold_lowercases_and_strips_accents_and_punctuation(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_case_punctuation_and_accents_do_not_change_the_canonical_skill() -> None:
    assert normalise_skill("PENGOLAHAN   DATA.") == normalise_skill("pengolahan data")
    assert normalise_skill("Pengolahan Dáta") == "data processing"
    assert normalise_skill("Ms.Excel") == "microsoft excel"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Barista", "barista"),
        ("Perawatan AC Split", "perawatan ac split"),
        ("Python (pemrograman)", "python pemrograman"),
        # a leading filler word is dropped, the skill itself is kept
        ("Mampu memperbaiki sepeda motor", "memperbaiki sepeda motor"),
        ("Ability to work under pressure", "work under pressure"),
        # a filler word on its own is the only text there is: keep it
        ("Mengoperasikan", "mengoperasikan"),
        ("Dasar", "dasar"),
    ],
)
def test_unknown_text_is_kept_folded(raw: str, kept: str) -> None:
    assert normalise_skill(raw) == kept


def test_canonical_names_are_fixed_points() -> None:
    # A canonical name sent back in (e.g. by a training catalogue) must not move again.
    for canonical in set(ALIASES.values()):
        assert normalise_skill(canonical) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "日本語",  # Japanese (language skill written in its own script)
        "中文",  # Chinese
        "العربية",  # Arabic
        "ꦧꦱꦗꦮ",  # Javanese script
        "-",  # a placeholder typed into a form
        "???",
    ],
    ids=["japanese", "chinese", "arabic", "javanese", "dash", "question-marks"],
)
def test_text_is_never_normalised_to_the_empty_string(raw: str) -> None:
    assert normalise_skill(raw) != ""


def test_different_non_latin_skills_stay_different() -> None:
    # Otherwise two unrelated skills collapse into one canonical skill and "match" each other.
    assert normalise_skill("日本語") != normalise_skill("العربية")
