"""The reference data a matcher runs with: skill taxonomy, regions and occupations.

Each comes built in (small, shipped in ``matching/data`` or in code) or from a real
reference file chosen by settings: an ESCO export, the Kemendagri region table, KBJI 2014.
``load_matcher_data`` reads them once at start-up; ``MatcherData.activate`` makes the
taxonomy the one ``matching.taxonomy.canonical_skill`` uses. Pure: no I/O beyond the files
named, no clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .occupations import OccupationTable, builtin_occupations, load_kbji, use_occupations
from .regions import RegionTable, builtin_regions, load_regions
from .taxonomy import Taxonomy, use_taxonomy

__all__ = ["MatcherData", "load_matcher_data"]


@dataclass(frozen=True, slots=True)
class MatcherData:
    """The skill taxonomy, region table and occupation table of one process."""

    taxonomy: Taxonomy
    regions: RegionTable
    occupations: OccupationTable

    def activate(self) -> None:
        """Make ``taxonomy`` and ``occupations`` the process-wide ones.

        (``matching.taxonomy.use_taxonomy``, ``matching.occupations.use_occupations``.)
        Start-up configuration: call once, before building the engine.
        """
        use_taxonomy(self.taxonomy)
        use_occupations(self.occupations)


def load_matcher_data(
    esco_dir: Path | None = None,
    regions_file: Path | None = None,
    kbji_file: Path | None = None,
) -> MatcherData:
    """Load the matcher's reference data; None for any source means the built-in one.

    Args:
        esco_dir: An ESCO export directory (``skills.csv``, optionally ``skills_text.csv.gz``,
            see ``Taxonomy.load_esco``). Its skills are added after the built-in taxonomy's,
            which keeps every alias both claim (it knows Indonesian spellings).
        regions_file: A Kemendagri region file (``regions_prov_kabkota.csv``, see
            ``load_regions``); else the built-in 38 provinces and 38 kabupaten/kota.
        kbji_file: The KBJI 2014 file (``kbji2014.csv.gz``, see ``load_kbji``); else the
            built-in major and sub-major groups.

    Raises:
        FileNotFoundError: A path given does not exist (the message names the setting).
        ValueError: A file is malformed (the message names the file and line).

    """
    sources = (("esco_dir", esco_dir), ("regions_file", regions_file), ("kbji_file", kbji_file))
    for setting, path in sources:
        if path is not None and not path.exists():
            raise FileNotFoundError(f"{setting}: {path} does not exist")
    if esco_dir is not None and not (esco_dir / "skills.csv").exists():
        raise FileNotFoundError(f"esco_dir: {esco_dir} has no skills.csv (not an ESCO export)")
    taxonomy = Taxonomy.builtin()
    if esco_dir is not None:
        taxonomy = taxonomy.merge(Taxonomy.load_esco(esco_dir))
    return MatcherData(
        taxonomy=taxonomy,
        regions=load_regions(regions_file) if regions_file is not None else builtin_regions(),
        occupations=load_kbji(kbji_file) if kbji_file is not None else builtin_occupations(),
    )
