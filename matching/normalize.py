"""Free-text skill names folded to one canonical spelling (a first, table-driven normaliser)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from schemas import RequiredSkill

_NON_WORD = re.compile(r"[^\w+#]+")

# Leading verbs and nouns with which Indonesian postings and trainings wrap a skill
# ("mengoperasikan microsoft excel", "kemampuan komunikasi"); they carry no meaning.
_LEADING = (
    "mengoperasikan",
    "menggunakan",
    "menguasai",
    "memahami",
    "kemampuan",
    "keterampilan",
    "ketrampilan",
    "keahlian",
    "mampu",
    "bisa",
    "dasar",
    "skill",
    "skills",
    "ability to",
)

# Spellings seen in postings and training titles, mapped to one canonical name. The
# matcher issue replaces this with a real taxonomy; until then overlap needs at least
# the common Indonesian/English pairs to agree.
ALIASES: dict[str, str] = {
    "ms excel": "microsoft excel",
    "excel": "microsoft excel",
    "spreadsheet": "microsoft excel",
    "ms word": "microsoft word",
    "word": "microsoft word",
    "ms office": "microsoft office",
    "office": "microsoft office",
    "pelayanan pelanggan": "customer service",
    "layanan pelanggan": "customer service",
    "cs": "customer service",
    "komunikasi": "communication",
    "komunikasi efektif": "communication",
    "penjualan": "sales",
    "pemasaran": "marketing",
    "pemasaran digital": "digital marketing",
    "akuntansi": "accounting",
    "pembukuan": "bookkeeping",
    "mengemudi": "driving",
    "menyetir": "driving",
    "mengemudi sim b1": "driving sim b1",
    "sim b1": "driving sim b1",
    "k3": "occupational safety",
    "keselamatan dan kesehatan kerja": "occupational safety",
    "kerja tim": "teamwork",
    "kerjasama tim": "teamwork",
    "bahasa inggris": "english",
    "pengolahan data": "data processing",
    "entri data": "data entry",
    "input data": "data entry",
    "data entry": "data entry",
    "administrasi": "administration",
    "administrasi perkantoran": "office administration",
    "memasak": "cooking",
    "tata boga": "cooking",
    "menjahit": "sewing",
    "pergudangan": "warehousing",
    "gudang": "warehousing",
    "kasir": "cashiering",
    "desain grafis": "graphic design",
    "pemrograman": "programming",
    "jaringan komputer": "computer networking",
    "pengelasan": "welding",
    "las": "welding",
    "perawatan pasien": "patient care",
    "keperawatan": "nursing",
}


def fold(text: str) -> str:
    """Case-fold, strip accents and punctuation, and collapse white space (any script)."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", no_marks.casefold()).replace("_", " ").split())


def normalise_skill(name: str) -> str:
    """Map a free-text skill name to its canonical spelling (folded text when unknown).

    >>> normalise_skill("Mengoperasikan Ms. Excel")
    'microsoft excel'
    """
    folded = fold(name)
    if not folded:
        # Bare symbols fold to nothing; keep the text itself as evidence rather than
        # let unrelated skills collide on "".
        return " ".join(name.split()).casefold()
    if folded in ALIASES:
        return ALIASES[folded]
    for lead in _LEADING:
        if folded.startswith(lead + " "):
            folded = folded[len(lead) + 1 :]
            break
    return ALIASES.get(folded, folded)


def split_required(
    skills: Iterable[RequiredSkill], canonical: Callable[[str], str] = normalise_skill
) -> tuple[dict[str, str], dict[str, str]]:
    """A vacancy's essential and optional skills, canonical name -> name as written.

    A skill listed both ways counts as essential; repeats keep their first spelling.
    """
    essential: dict[str, str] = {}
    optional: dict[str, str] = {}
    for skill in skills:
        key = canonical(skill.name)
        if skill.importance == "essential":
            essential.setdefault(key, skill.name)
            optional.pop(key, None)
        elif key not in essential:
            optional.setdefault(key, skill.name)
    return essential, optional
