"""The built-in skill taxonomy and the normaliser."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from matching import sample
from matching.catalogue import MatcherData, load_matcher_data
from matching.occupations import (
    active_occupations,
    builtin_occupations,
    unit_group,
    use_occupations,
)
from matching.regions import builtin_regions
from matching.replay import parse_skill_list, read_lokerid
from matching.taxonomy import (
    CanonicalSkill,
    Normaliser,
    Taxonomy,
    active_taxonomy,
    canonical_skill,
    fold,
    stem,
    use_taxonomy,
)
from tests.support import SHARED_DATA, need

DATA = SHARED_DATA
LOKERID = DATA / "id-jobs-lokerid-2025" / "lokerid_jobs_2025-07.csv"
ESCO = DATA / "esco-v1.1.1"
REGION_FILE = DATA / "id-regions" / "regions_prov_kabkota.csv"
KBJI_FILE = DATA / "kbji-2014" / "kbji2014.csv.gz"


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser(Taxonomy.builtin())


# Real-world spellings from postings and training titles, both languages.
CASES = [
    ("Ms. Excel", "microsoft_excel"),
    ("mengoperasikan microsoft excel", "microsoft_excel"),
    ("Microsoft Excel (VLOOKUP, Pivot Table)", "microsoft_excel"),
    ("exel", "microsoft_excel"),
    ("Spreadsheet", "microsoft_excel"),
    ("Pengolahan Data", "data_processing"),
    ("customer service", "customer_service"),
    ("pelayanan pelanggan", "customer_service"),
    ("Melayani pelanggan dengan ramah", "customer_service"),
    ("K3", "k3"),
    ("Keselamatan dan Kesehatan Kerja (K3)", "k3"),
    ("mengemudi SIM B1", "driving_licence_b1"),
    ("Memiliki SIM C", "driving_licence_c"),
    ("Microsoft Office", "microsoft_office"),
    ("menguasai ms office", "microsoft_office"),
    ("komunikasi yang baik", "communication"),
    ("Good Communication Skills", "communication"),
    ("bisa bekerja dalam tim", "teamwork"),
    ("Teamwork", "teamwork"),
    ("Adobe Photoshop", "adobe_photoshop"),
    ("potoshop", "adobe_photoshop"),
    ("desain grafis", "graphic_design"),
    ("Graphic Design", "graphic_design"),
    ("akuntansi", "accounting"),
    ("Basic Accounting", "accounting"),
    ("pembukuan", "bookkeeping"),
    ("menjahit", "sewing"),
    ("Penjahit", "sewing"),
    ("las listrik", "welding"),
    ("Pengelasan SMAW", "welding"),
    ("forklift", "forklift"),
    ("barista", "barista"),
    ("memasak", "cooking"),
    ("perawat", "nursing"),
    ("Asuhan Keperawatan", "nursing"),
    ("Brevet Pajak A/B", "taxation"),
    ("Accurate", "accounting_software"),
    ("Bahasa Inggris aktif", "english"),
    ("Fluent English", "english"),
    ("Jujur dan disiplin", "honesty"),
    ("disiplin", "discipline"),
    ("teliti", "attention_to_detail"),
    ("problem solving", "problem_solving"),
    ("Leadership", "leadership"),
    ("jiwa kepemimpinan", "leadership"),
    ("kemampuan negosiasi", "negotiation"),
    ("Digital Marketing", "digital_marketing"),
    ("Pemasaran digital", "digital_marketing"),
    ("Canva", "canva"),
    ("AutoCAD 2D", "autocad"),
    ("Membaca gambar teknik", "technical_drawing"),
    ("Stock Opname", "inventory_control"),
    ("Pergudangan", "warehousing"),
    ("Kasir", "cashiering"),
    ("Pertolongan Pertama (P3K)", "first_aid"),
    ("Mengajar", "teaching"),
    ("Menyusun RPP", "lesson_planning"),
    ("Budidaya hidroponik", "hydroponics"),
    ("Pengendalian hama terpadu", "pest_control"),
    ("Python", "python"),
    ("C#", "csharp_dotnet"),
    ("Node.js", "nodejs"),
    ("Jaringan Komputer (Mikrotik)", "networking"),
    ("SEO", "seo"),
    ("Quality Control", "quality_control"),
    ("Mengoperasikan mesin produksi", "machine_operation"),
    ("Negotiations", "negotiation"),
    ("Computers", "computer_literacy"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_real_world_strings_map_to_their_skill(
    normaliser: Normaliser, text: str, expected: str
) -> None:
    result = normaliser.normalise(text)
    assert result.canonical == expected, result
    assert result.text == text
    assert 0.0 < result.confidence <= 1.0
    assert result.method != "unmapped"
    assert result.reason


@pytest.mark.parametrize(
    "text", ["Ability", "knowledge", "Basic Understanding", "kemampuan", "xqzvv blorp", "!!!", ""]
)
def test_unknown_text_is_unmapped_with_a_reason_and_kept(normaliser: Normaliser, text: str) -> None:
    result = normaliser.normalise(text)
    assert result.canonical is None
    assert result.method == "unmapped"
    assert result.confidence == 0.0
    assert result.reason
    assert result.text == text


def test_confidence_orders_methods(normaliser: Normaliser) -> None:
    exact = normaliser.normalise("Microsoft Excel")
    alias = normaliser.normalise("ms excel")
    fuzzy = normaliser.normalise("survey data processing software")
    assert (exact.method, alias.method, fuzzy.method) == ("exact", "alias", "fuzzy")
    assert exact.confidence > alias.confidence > fuzzy.confidence


def test_csv_parses_with_unique_snake_case_ids_and_covers_the_sectors() -> None:
    text = resources.files("matching").joinpath("data/skills.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["id", "label_en", "label_id", "sector", "aliases"]
    ids = [row["id"] for row in rows]
    assert len(ids) >= 300
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", i) for i in ids)
    assert all(row["label_en"] and row["label_id"] and row["aliases"] for row in rows)
    sectors = {row["sector"] for row in rows}
    assert {
        "sales",
        "administration",
        "accounting_finance",
        "logistics_driving",
        "health",
        "retail",
        "manufacturing",
        "hospitality_food",
        "construction",
        "agriculture",
        "education",
        "it",
        "creative_digital_marketing",
    } <= sectors
    assert len(Taxonomy.builtin()) == len(rows)


def test_no_alias_is_claimed_by_two_skills() -> None:
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for skill in Taxonomy.builtin():
        for spelling in (skill.label_en, skill.label_id, *skill.aliases):
            if fold(spelling):
                owners[fold(spelling)].add(skill.id)
    collisions = {alias: sorted(ids) for alias, ids in owners.items() if len(ids) > 1}
    assert collisions == {}


def test_every_alias_normalises_to_its_own_skill(normaliser: Normaliser) -> None:
    wrong = [
        (alias, skill.id, result.canonical)
        for skill in Taxonomy.builtin()
        for alias in skill.aliases
        if (result := normaliser.normalise(alias)).canonical != skill.id
    ]
    assert wrong == []


def test_every_sample_spelling_maps(normaliser: Normaliser) -> None:
    forms = [v for v in vars(sample).values() if isinstance(v, sample.SkillForms)]
    assert len(forms) > 50
    unmapped = [s for f in forms for s in f.spellings if not normaliser.normalise(s).mapped]
    assert unmapped == []
    # The spellings of one SkillForms agree on one canonical skill.
    split = {
        f.name: ids
        for f in forms
        if len(ids := {normaliser.normalise(s).canonical for s in f.spellings}) > 1
    }
    assert split == {}


def test_deterministic_and_cached_results_equal_fresh_ones(normaliser: Normaliser) -> None:
    texts = [text for text, _ in CASES] + ["xqzvv blorp", "survey data processing software"]
    first = normaliser.normalise_many(texts)
    assert normaliser.normalise_many(texts) == first
    assert Normaliser(Taxonomy.builtin()).normalise_many(texts) == first


def test_indonesian_affixes_share_a_stem() -> None:
    assert stem("pengelasan") == stem("mengelas")
    assert stem("pelayanan") == stem("melayani")
    assert stem("pemasaran") == stem("memasarkan") == "pasar"
    assert stem("negotiations") == stem("negotiation")


def test_from_rows_rejects_bad_ids_and_duplicates() -> None:
    row = {"id": "ms_excel", "label_en": "Excel", "label_id": "", "sector": "", "aliases": "x|y"}
    assert Taxonomy.from_rows([row]).by_id["ms_excel"].aliases == ("x", "y")
    with pytest.raises(ValueError, match="snake_case"):
        Taxonomy.from_rows([{**row, "id": "Ms Excel"}])
    with pytest.raises(ValueError, match="duplicate"):
        Taxonomy.from_rows([row, row])


def test_merge_keeps_first_owner_of_an_alias() -> None:
    mine = Taxonomy([CanonicalSkill("excel", "Excel", "Excel", "office", ("spreadsheet",))])
    theirs = Taxonomy(
        [
            CanonicalSkill("excel", "Other", "", "x", ()),
            CanonicalSkill("sheets", "Sheets", "", "x", ("spreadsheet", "google sheets")),
        ]
    )
    merged = mine.merge(theirs)
    assert [s.id for s in merged] == ["excel", "sheets"]
    assert merged.by_id["excel"].label_en == "Excel"
    n = Normaliser(merged)
    assert n.normalise("spreadsheet").canonical == "excel"
    assert n.normalise("google sheets").canonical == "sheets"


def test_esco_loader_reads_labels_as_aliases() -> None:
    esco = Taxonomy.load_esco(need(ESCO), limit=50)
    assert len(esco) == 50
    assert all(s.id.startswith("esco_") and s.label_en for s in esco)
    assert any(s.aliases for s in esco)
    n = Normaliser(Taxonomy.builtin().merge(esco))
    first = esco.skills[0]
    assert n.normalise(first.label_en).canonical == first.id
    assert n.normalise("Ms. Excel").canonical == "microsoft_excel"


def test_lokerid_skill_strings_are_mapped_or_reasoned(normaliser: Normaliser) -> None:
    strings = [
        skill.name
        for row in read_lokerid(need(LOKERID))
        for skill in parse_skill_list(row["Skill_Set"])
    ]
    results = normaliser.normalise_many(strings)
    mapped = sum(r.mapped for r in results) / len(results)
    reasoned = sum(r.mapped or bool(r.reason) for r in results) / len(results)
    assert reasoned >= 0.95
    assert mapped >= 0.70


# ---- the process-wide taxonomy (start-up configuration) ---------------------------------------

CUSTOM_ROWS = [
    {
        "id": "forklift_operation",
        "label_en": "Forklift Operation",
        "label_id": "Mengoperasikan Forklift",
        "sector": "logistics",
        "aliases": "forklift|reach truck|sertifikat SIO forklift",
    },
    {
        "id": "microsoft_excel",  # already built in: the built-in skill keeps it
        "label_en": "Excel (custom)",
        "label_id": "",
        "sector": "office",
        "aliases": "lembar kerja kustom",
    },
    {
        "id": "batik_tulis",
        "label_en": "Hand-drawn Batik",
        "label_id": "Batik Tulis",
        "sector": "crafts",
        "aliases": "membatik dengan canting|canting batik",
    },
]


@pytest.fixture
def builtin_restored() -> Iterator[None]:
    """Restore the built-in taxonomy (and occupations) after a test that replaces them."""
    try:
        yield
    finally:
        use_taxonomy(Taxonomy.builtin())
        use_occupations(builtin_occupations())


def test_the_builtin_taxonomy_is_active_by_default() -> None:
    assert active_taxonomy() is Taxonomy.builtin()
    assert canonical_skill("Ms. Excel") == "microsoft_excel"


def test_use_taxonomy_makes_new_aliases_map(builtin_restored: None) -> None:
    custom = Taxonomy.from_rows(CUSTOM_ROWS)
    assert "batik_tulis" not in Taxonomy.builtin()
    before = canonical_skill("membatik dengan canting")  # cached as folded text
    assert before == "membatik dengan canting"

    merged = Taxonomy.builtin().merge(custom)
    use_taxonomy(merged)
    assert active_taxonomy() is merged
    assert canonical_skill("membatik dengan canting") == "batik_tulis"  # no stale cache entry
    assert canonical_skill("Batik Tulis") == "batik_tulis"
    # The built-in skills still map, and keep their own labels against a custom duplicate id.
    assert canonical_skill("Ms. Excel") == "microsoft_excel"
    assert merged.by_id["microsoft_excel"] is Taxonomy.builtin().by_id["microsoft_excel"]
    assert canonical_skill("lembar kerja kustom") == "lembar kerja kustom"

    use_taxonomy(Taxonomy.builtin())
    assert active_taxonomy() is Taxonomy.builtin()
    assert canonical_skill("membatik dengan canting") == "membatik dengan canting"


def test_restoring_fixture_leaves_the_builtin_active() -> None:
    # Runs after the test above: its fixture put the built-in taxonomy back.
    assert active_taxonomy() is Taxonomy.builtin()
    assert canonical_skill("Batik Tulis") == "batik tulis"


# ---- matcher data by settings -----------------------------------------------------------------


def test_matcher_data_defaults_are_the_builtins() -> None:
    data = load_matcher_data()
    assert data == MatcherData(Taxonomy.builtin(), builtin_regions(), builtin_occupations())
    assert load_matcher_data(None, None, None).taxonomy is Taxonomy.builtin()
    with pytest.raises(AttributeError):
        data.taxonomy = Taxonomy([])  # type: ignore[misc]


def test_matcher_data_names_the_missing_setting(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"kbji_file: .*nope\.csv\.gz does not exist"):
        load_matcher_data(kbji_file=tmp_path / "nope.csv.gz")
    with pytest.raises(FileNotFoundError, match="regions_file: "):
        load_matcher_data(regions_file=tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match=r"esco_dir: .* has no skills\.csv"):
        load_matcher_data(esco_dir=tmp_path)


def test_matcher_data_activate_uses_its_taxonomy(tmp_path: Path, builtin_restored: None) -> None:
    # A minimal ESCO export: skills.csv with the columns load_esco reads.
    (tmp_path / "skills.csv").write_text(
        "skill_id,esco_uuid,skill_type,reuse_level,preferred_label\n"
        "S1,0a1b2c3d-0000-4000-8000-000000000001,skill/competence,sector-specific,"
        "operate hydroponic systems\n",
        encoding="utf-8",
    )
    data = load_matcher_data(esco_dir=tmp_path)
    assert len(data.taxonomy) == len(Taxonomy.builtin()) + 1
    assert canonical_skill("operate hydroponic systems") == "operate hydroponic systems"
    data.activate()
    assert canonical_skill("operate hydroponic systems") == (
        "esco_0a1b2c3d_0000_4000_8000_000000000001"
    )


def test_matcher_data_from_the_real_files(builtin_restored: None) -> None:
    data = load_matcher_data(need(ESCO), need(REGION_FILE), need(KBJI_FILE))
    assert len(data.taxonomy) > 13_000
    assert len(data.regions.regencies) == 514
    assert data.occupations.by_code("2512").title == "Pengembang Perangkat Lunak"
    data.activate()
    assert canonical_skill("Ms. Excel") == "microsoft_excel"  # the built-in alias still wins
    assert canonical_skill("manage musical staff").startswith("esco_")
    # KBJI titles name unit groups for retrieval once the file is active
    assert data.occupations is active_occupations()
    assert unit_group("Pengembang Software") == "2512"
