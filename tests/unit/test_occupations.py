"""KBJI 2014 occupations: the built-in groups, the file loader, relatedness and title search."""

import csv
import gzip
from pathlib import Path

import pytest

from matching.occupations import (
    RELATED,
    Occupation,
    OccupationTable,
    active_occupations,
    builtin_occupations,
    load_kbji,
    normalise_code,
    unit_group,
    use_occupations,
)
from matching.sample import OCCUPATIONS
from tests.support import SHARED_DATA, need

KBJI_FILE = SHARED_DATA / "kbji-2014" / "kbji2014.csv.gz"
ALIASES = Path(__file__).resolve().parents[2] / "matching" / "data" / "occupation_aliases.csv"


@pytest.fixture(scope="module")
def kbji() -> OccupationTable:
    return load_kbji(need(KBJI_FILE))


# ---- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", "2"),
        ("25", "25"),
        ("251", "251"),
        ("2512", "2512"),
        (" 2512 ", "2512"),
        ("2512.01", "2512.01"),
        ("251201", "2512.01"),
        ("0111", "0111"),
        ("25123", None),
        ("2512.1", None),
        ("25A", None),
        ("", None),
        ("٢٥", None),  # Arabic-Indic digits are not KBJI codes
    ],
)
def test_normalise_code(text: str, expected: str | None) -> None:
    assert normalise_code(text) == expected


# ---- built-in table ---------------------------------------------------------------------------


def test_builtin_has_major_and_sub_major_groups() -> None:
    table = builtin_occupations()
    majors = [o.code for o in table if o.level == "major"]
    assert majors == [str(d) for d in range(10)]
    assert len([o for o in table if o.level == "sub_major"]) == 43
    assert table.by_code("2").title == "Profesional"
    assert table.by_code("25").title_en == "Information and communications technology professionals"
    assert [o.code for o in table.children("9")] == ["91", "92", "93", "94", "95", "96"]
    assert builtin_occupations() is table


def test_builtin_lookup_falls_back_to_the_sub_major_group() -> None:
    table = builtin_occupations()
    assert table.lookup("2512") == table.by_code("25")
    assert table.lookup("2512.01") == table.by_code("25")
    assert [o.code for o in table.chain("4110")] == ["41", "4"]
    assert table.lookup("25X") is None
    assert table.chain("not a code") == ()
    assert table.major_group("5223") == table.by_code("5")


def test_every_sample_occupation_code_is_placed() -> None:
    table = builtin_occupations()
    for occupation in OCCUPATIONS:
        if occupation.kbji is not None:
            found = table.lookup(occupation.kbji)
            assert found is not None and found.code == occupation.kbji[:2], occupation


def test_builtin_search_answers_at_the_depth_it_knows() -> None:
    table = builtin_occupations()
    match = table.search("Programmer")
    assert match is not None
    assert (match.code, match.method) == ("25", "alias")
    match = table.search("Manajer")
    assert match is not None and (match.code, match.confidence) == ("1", 1.0)


# ---- the table itself -------------------------------------------------------------------------


def small_table() -> OccupationTable:
    rows = [
        ("2", "Profesional", "major"),
        ("25", "Profesional TIK", "sub_major"),
        ("251", "Analis dan Pengembang Perangkat Lunak", "minor"),
        ("2512", "Pengembang Perangkat Lunak", "unit"),
        ("2512.01", "Analis Programer", "occupation"),
    ]
    return OccupationTable(
        [Occupation(code, title, level) for code, title, level in rows], {"coder": "2512"}
    )


def test_table_rejects_bad_codes_levels_duplicates_and_orphans() -> None:
    with pytest.raises(ValueError, match="not a KBJI code"):
        OccupationTable([Occupation("25A", "X", "sub_major")])
    with pytest.raises(ValueError, match="expected 'unit'"):
        OccupationTable([Occupation("2512", "X", "minor")])
    with pytest.raises(ValueError, match="duplicate code"):
        OccupationTable([Occupation("2", "X", "major"), Occupation("2", "Y", "major")])
    with pytest.raises(ValueError, match="its group '25' is not in the table"):
        OccupationTable([Occupation("2", "X", "major"), Occupation("251", "Y", "minor")])
    with pytest.raises(ValueError, match="empty title"):
        OccupationTable([Occupation("2", " ", "major")])


def test_parent_and_unit_codes() -> None:
    table = small_table()
    assert table.by_code("2512.01").parent_code == "2512"
    assert table.by_code("2512.01").unit_code == "2512"
    assert table.by_code("251").parent_code == "25"
    assert table.by_code("2").parent_code is None
    with pytest.raises(KeyError, match="unknown KBJI code '9'"):
        table.by_code("9")
    assert table.get("9") is None and "2512" in table and len(table) == 5


def test_related_by_the_deepest_shared_group() -> None:
    table = small_table()
    assert table.related("2512", "2512") == 1.0
    assert table.related("2512", " 2512 ") == 1.0
    assert table.related("2512.01", "2512.02") == RELATED[4]
    assert table.related("2512", "2511") == RELATED[3]  # both in minor group 251
    assert table.related("2512", "2521") == RELATED[2]  # both in sub-major group 25
    assert table.related("2512", "2411") == RELATED[1]  # both professionals
    assert table.related("2512", "4110") == 0.0
    assert table.related("2512", "25") == RELATED[2]  # the coarse code says no more
    assert table.related("2512", "garbage") == 0.0
    # Symmetric, and lower the higher up the shared group is.
    assert table.related("2511", "2512") == table.related("2512", "2511")
    assert 1.0 > RELATED[4] > RELATED[3] > RELATED[2] > RELATED[1] > 0.0


def test_alias_to_a_code_the_table_lacks_uses_its_deepest_group() -> None:
    table = OccupationTable([Occupation("2", "Profesional", "major")], {"coder": "2512"})
    match = table.search("coder")
    assert match is not None and match.code == "2"


def test_search_misses_and_codes() -> None:
    table = small_table()
    assert table.search("") is None
    assert table.search("?!") is None
    assert table.search("tukang kebun") is None
    assert table.search("9999") is None  # a code whose major group is unknown
    match = table.search("2512.01")
    assert match is not None
    assert (match.code, match.title, match.method) == ("2512", "Pengembang Perangkat Lunak", "code")


# ---- the real KBJI 2014 file ------------------------------------------------------------------


def test_kbji_file_loads_every_level(kbji: OccupationTable) -> None:
    counts: dict[str, int] = {}
    for occupation in kbji:
        counts[occupation.level] = counts.get(occupation.level, 0) + 1
    assert counts == {"major": 10, "sub_major": 43, "minor": 130, "unit": 446, "occupation": 2137}
    assert kbji.by_code("2512").title == "Pengembang Perangkat Lunak"
    assert kbji.by_code("2512.01").title == "Analis Programer"
    assert kbji.by_code("4110").title == "Tenaga Perkantoran Umum"
    assert kbji.by_code("5414").title == "Penjaga Keamanan"
    assert kbji.by_code("8322").title == "Pengemudi Mobil, Taksi dan Van"
    # The built-in English titles come along for the groups.
    assert kbji.by_code("25").title_en.startswith("Information and communications")


def test_kbji_agrees_with_the_builtin_groups(kbji: OccupationTable) -> None:
    for group in builtin_occupations():
        assert kbji.by_code(group.code).title == group.title, group


def test_kbji_lookup_walks_up_the_chain(kbji: OccupationTable) -> None:
    assert [o.code for o in kbji.chain("2512.03")] == ["2512.03", "2512", "251", "25", "2"]
    assert [o.code for o in kbji.chain("2512")] == ["2512", "251", "25", "2"]
    # A jabatan code the file does not list still finds its unit group.
    assert kbji.lookup("2512.77") == kbji.by_code("2512")
    assert kbji.lookup("2519") == kbji.by_code("2519")
    assert [o.code for o in kbji.children("251")] == ["2511", "2512", "2513", "2514", "2519"]


def test_every_builtin_alias_names_a_real_unit_group(kbji: OccupationTable) -> None:
    with ALIASES.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len({row["alias"] for row in rows}) == len(rows), "duplicate alias"
    for row in rows:
        assert kbji.get(row["code"]) is not None and len(row["code"]) == 4, row


def test_every_sample_occupation_code_is_in_kbji(kbji: OccupationTable) -> None:
    for occupation in OCCUPATIONS:
        if occupation.kbji is not None:
            assert kbji.get(occupation.kbji) is not None, occupation


@pytest.mark.parametrize(
    ("text", "code", "method"),
    [
        ("Programmer", "2512", "alias"),
        ("staf admin", "4110", "alias"),
        ("Staff Admin Gudang", "4321", "stripped"),
        ("Lowongan Kasir", "5230", "stripped"),
        ("Junior Web Developer", "2513", "stripped"),
        ("Tenaga Perkantoran Umum", "4110", "exact"),
        ("Pengembang Perangkat Lunak", "2512", "exact"),
        ("Perawat", "2221", "exact"),  # jabatan 2221.05, answered as its unit group
        ("Pelayan Toko", "5223", "exact"),
        ("Teller Bank", "4211", "exact"),
        ("Perwira Markas Besar TNI", "0111", "exact"),
        ("Juru Tata Usaha", "4419", "stripped"),  # "Juru Tata Usaha YTDL"
        ("Security", "5414", "alias"),
        ("2512", "2512", "code"),
        ("Sopir Pribadi", "8322", "fuzzy"),
        ("customer service online", "4222", "fuzzy"),
        ("Teknik Sipil", "2142", "fuzzy"),
        ("Pengembang Perangkat Lunk", "2512", "fuzzy"),  # a typo
    ],
)
def test_kbji_title_search(kbji: OccupationTable, text: str, code: str, method: str) -> None:
    match = kbji.search(text)
    assert match is not None, text
    assert (match.code, match.method) == (code, method), match
    assert match.title == kbji.by_code(code).title
    assert 0.0 < match.confidence <= 1.0
    assert match.text == text and match.reason


def test_kbji_search_confidence_orders_methods(kbji: OccupationTable) -> None:
    exact, alias, fuzzy = (kbji.search(t) for t in ("Akuntan", "accountant", "Akuntn"))
    assert exact is not None and alias is not None and fuzzy is not None
    assert exact.confidence > alias.confidence > fuzzy.confidence
    assert kbji.search("qwertyuiop") is None


def test_kbji_loader_reports_bad_rows(tmp_path: Path) -> None:
    def write(name: str, rows: list[list[str]]) -> Path:
        path = tmp_path / name
        with gzip.open(path, "wt", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows(rows)
        return path

    header = ["digit", "kode", "judul", "deskripsi"]
    good = write("ok.csv.gz", [header, ["1", "2", "Profesional", "..."], ["2", "25", "TIK", ""]])
    assert len(load_kbji(good)) == 2
    with pytest.raises(ValueError, match=r"bad\.csv\.gz:3: 'X1' is not a KBJI code"):
        load_kbji(write("bad.csv.gz", [header, ["1", "2", "Profesional", ""], ["2", "X1", "", ""]]))
    with pytest.raises(ValueError, match="has 2 digits, not 3"):
        load_kbji(write("digit.csv.gz", [header, ["1", "2", "P", ""], ["3", "25", "T", ""]]))
    with pytest.raises(ValueError, match="missing column"):
        load_kbji(write("cols.csv.gz", [["code", "title"], ["2", "P"]]))
    with pytest.raises(ValueError, match=r"orphan\.csv\.gz: .*group '25'"):
        load_kbji(write("orphan.csv.gz", [header, ["1", "2", "P", ""], ["3", "251", "T", ""]]))
    plain = tmp_path / "plain.csv"
    plain.write_text("kode,judul\n9,Pekerja Kasar\n", encoding="utf-8")
    assert load_kbji(plain).by_code("9").title == "Pekerja Kasar"


# ---- the unit group a title names (retrieval evidence) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Programmer", "2512"),
        ("Software Developer", "2512"),  # another alias of the same unit group
        ("Lowongan Staf Programmer (Kontrak)", "2512"),  # filler words dropped
        ("Web Developer", "2513"),
        ("2512", "2512"),
        ("2512.03", "2512"),  # a jabatan code stands for its unit group
        ("25", None),  # a sub-major group is too coarse to say two jobs are one
        ("Kasir Toko", None),  # the built-in table knows no unit-level titles
        ("Programer Andal Sekali", None),  # fuzzy matches are not evidence
        ("", None),
    ],
)
def test_unit_group_of_a_title_with_the_builtin_table(text: str, unit: str | None) -> None:
    assert unit_group(text) == unit


def test_unit_group_uses_the_active_table(kbji: OccupationTable) -> None:
    assert unit_group("Pengembang Software") is None  # a KBJI title, unknown built in
    try:
        use_occupations(kbji)
        assert active_occupations() is kbji
        assert unit_group("Pengembang Software") == "2512"  # jabatan 2512.03
        assert unit_group("Teller Bank") == "4211"
        assert unit_group("Pengembang Perangkat Lunk") is None  # fuzzy: not sure enough
    finally:
        use_occupations(builtin_occupations())
    assert unit_group("Pengembang Software") is None
