"""Compiled first stage of the engine: each participant's shortlist of open vacancies.

``VacancyTable`` holds the open vacancies as arrays (their postings in one pool, a record
per row, id bytes) and returns, for a batch of participants, the best ``n`` qualifying
vacancies by the skill-overlap score of ``matching.overlap.score_pair``, ties broken by
vacancy id. One numba kernel finds the postings, counts, filters, scores and selects the
top n, with the same float operations in the same order as ``score_pair``, so the
shortlist is exactly the one the pure-Python definition gives (property tests hold them
equal).

Why arrays and a kernel: scoring every vacancy that shares a key with a participant in
Python costs ~3 µs a vacancy, and with 100,000 open vacancies a participant shares a key
with thousands of them (bench/engine.py).

Why phases and splits: most of what a participant's keys address cannot change their
shortlist. Postings are filed by key, by place (anywhere, or a province) and by the
education the vacancy asks for, so a participant reads only what they may take; and the
kernel reads them in phases of falling score bound (skills near home, in the rest of the
province, elsewhere; then title words and unit groups), stopping once the n-th score of
the shortlist so far beats what any unread posting could still make of a row.

Why a far index: skills in other provinces are the one phase a participant reads in
every province but their own, and it was the slow tail (a relocating participant whose
n-th is 0.6 or less read every far skill posting of their keys, one list per province).
A far row scores coverage * 0.6, so with the n-th at theta only rows of coverage >=
theta / 0.6 matter, and each of those matches one of its first skills (prefix
filtering). A second copy of each province row's first skills, in lists by key and
education only, finds them; each is counted from the row's skill keys and ranked at
once, so that the n-th rises early and bounds the rest (``_FAR_TIERS``, ``_far_index``,
``_scan_far``).

``ParticipantTable`` is the other direction, as a worker needs it for a new posting:
every local participant whose shortlist the vacancy enters, against the floor (the last
entry) of each. Its lists are filed by what a floor still lets count: place (the
province, or the regency for a floor above 0.8), gates (text keys and far skills score
at most 0.3 and 0.6) and bands of the coverage a floor needs, read by prefix filtering
over the vacancy's skills, rarest first; a floor at the most a row can score is met only
by an id that goes first (bench/entering.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, cast

import numpy as np
import numpy.typing as npt
from numba import njit

from schemas import EDUCATION_RANK

from .idrows import IdRows
from .overlap import (
    _OCCUPATION_KEY,
    _OPTIONAL_WEIGHT,
    _RELOCATION,
    _SAME_PROVINCE,
    _TEXT_WEIGHT,
    _WORD_KEY,
    ParticipantProfile,
    VacancyProfile,
)

__all__ = ["VacancyTable"]

_ESSENTIAL: Final = 0
_OPTIONAL: Final = 1
_WORD: Final = 2
_OCCUPATION: Final = 3
_KINDS: Final = 4
_MIN_CAPACITY: Final = 64
_MIN_BUCKETS: Final = 8
_EDU_LEVELS: Final = max(EDUCATION_RANK.values()) + 1
# Posting pool: a new list reserves this many slots; the pool is rewritten once it holds
# more than _SLACK slots per live posting (moved lists leave dead slots behind).
_MIN_LIST: Final = 4
_MIN_POOL: Final = 1024
_SLACK: Final = 3
_LIST_SPARE: Final = 0.25  # how much longer a grown posting list or key slab gets
# A ParticipantTable posting (_Postings): row << 8 | education level << 4 | generation,
# in 32 bits: the lists are most of the table. Rows up to 2**24 (16.7 M) per table.
_POSTING_ROW: Final = 8
_POSTING_EDU: Final = 4
_POSTING_GEN: Final = 0xF
_MAX_PARTICIPANT_ROWS: Final = 1 << (32 - _POSTING_ROW)
_NARROW_KEYS: Final = 1 << 16  # key ids a ParticipantTable keeps in 16 bits
# a level would run into the row's bits
assert max(EDUCATION_RANK.values()) < 1 << (_POSTING_ROW - _POSTING_EDU)
# The kernel's phases (see _shortlists) and the most a row can score through postings of
# each: skill keys of vacancies anywhere or in the own regency; in the rest of the own
# province; in other provinces; title words and unit groups near; and far. A text score
# is 0.3 * words / n_words in floats, which could round a hair above 0.3: the text bounds
# leave room for that, so that they bound it and never tie it.
_HOME_SKILLS, _PROVINCE_SKILLS, _FAR_SKILLS, _NEAR_TEXT, _FAR_TEXT = range(5)
_PHASE_BOUNDS: Final = (
    np.inf,
    _SAME_PROVINCE,
    _RELOCATION,
    _TEXT_WEIGHT * (1.0 + 1e-9),
    _TEXT_WEIGHT * _RELOCATION * (1.0 + 1e-9),
)
# Which postings of a list a phase counts: all, or by whether the row is in the regency.
_ALL, _SAME_REGENCY, _OTHER_REGENCY = range(3)
# The far index (VacancyTable._far): a second copy of the first skills of each row in a
# province, in lists by key, education and tier but not by province, so that the far
# phase reads a few lists instead of one per province and key (measured: finding a list
# costs far more than reading a posting of it). A row's skills are put in one order
# (rarest first), and each skill posting gets B, the weight of the skills ahead of it,
# over the row's total weight W (essential 2, optional 1): tier 0 is the first skill
# (B = 0), tier k in 1..3 those with B/W in ((k-1)/6, k/6]; the rest are not copied.
# In another province a row's skill score is coverage * 0.6 = (M/W) * 0.6, M the weight
# it matches. With the n-th score theta, only rows with M/W >= theta / 0.6 can still
# enter or tie, and each of those matches a skill with B <= W - M, so B/W <= 1 - theta
# / 0.6: tier k >= 1 is needed only while theta is below _TIER_BOUNDS[k] = 0.6 * (1 -
# (k-1)/6). The margin below it is far wider than float rounding (1e-16) and far
# narrower than the gap between a row's coverages (1 / (6 W) >= 2e-4, W <= 765 where a
# row is not general; a general row is copied whole, into tier 0).
_FAR_TIERS: Final = 4
_TIER_SIXTHS: Final = (1, 2, 3)  # the upper edges of tiers 1 to 3, in sixths of W
_TIER_BOUNDS: Final = (
    np.inf,
    *(_RELOCATION * (1.0 - k / 6.0) * (1.0 - 1e-6) for k in range(_FAR_TIERS)),
)
# Fields of a row's record (VacancyTable._rows) and of a query of the kernel.
_ROW_ESS, _ROW_OPT, _ROW_WORDS, _ROW_EDU, _ROW_REGENCY = range(5)
_ROW_FIELDS: Final = 5
_Q_EDU, _Q_REGENCY, _Q_BUCKET, _Q_RELOCATE, _Q_LEVEL = range(5)
_Q_FIELDS: Final = 5
# A posting's meta word (see _posting_meta): bits 0-1 the kind, bit 2 "general", bytes 1
# to 4 the row's numbers of essential, optional and word keys and the education it asks,
# bits 40-62 its regency. The kernel adds where the row is (bits 3-4), as its list says.
_GENERAL: Final = 4
_ANYWHERE: Final = 8
_IN_PROVINCE: Final = 16
_BYTE: Final = 0xFF
# A query's tallies, an entry per row it touched (see _tally), and its counters.
_T_ROW, _T_META, _T_KEY, _T_COUNTS = range(4)
_T_FIELDS: Final = 4
_TOUCHED, _READ, _COMPLETED = range(3)
_MAX_BASE: Final = 2**31 - 1
# A ParticipantTable row: everything the kernel may read of a row it meets is in one
# 24-byte record, so at a million rows it costs one cache miss, not one per column.
# Places fit 16 bits (region codes are 'NN' or 'NN.NN'); of the filing generation only
# the low bits count (a posting keeps 4, see _Postings), so it wraps at 256.
_PARTICIPANT_ROW: Final = np.dtype(
    [
        ("floor", np.float64),
        ("floor_id", np.uint64),
        ("regency", np.int16),
        ("province", np.int16),
        ("gen", np.uint8),
        ("edu", np.int8),
        ("relocate", np.uint8),
    ],
    align=True,
)


def _level(rank: int) -> int:
    """The education level a posting is filed under, or up to which a participant reads.

    Clamped into the levels there are: the filter in the kernel stays, so a level only
    has to hold every vacancy a participant of that level may take.
    """
    return min(max(rank, 0), _EDU_LEVELS - 1)


def _grow(arr: npt.NDArray[np.generic], needed: int, spare: float = 1.0) -> npt.NDArray[np.generic]:
    """``arr`` with room for ``needed`` rows: itself, or a copy ``spare`` times longer."""
    if needed <= len(arr):
        return arr
    longer = len(arr) + int(spare * len(arr))
    bigger = np.zeros((max(needed, longer, _MIN_CAPACITY), *arr.shape[1:]), arr.dtype)
    bigger[: len(arr)] = arr
    return bigger


class _Postings:
    """The rows filed under one key and group of ``ParticipantTable``, with generations.

    A posting is one 32-bit word (``_posting``): the row, its education level and the
    low bits of its filing generation. A posting is live while its row's generation
    still ends in the same bits. Removal is lazy: it only counts the posting stale, and
    the list drops its stale postings once they are half of it, so re-filing a row costs
    no scan of its lists. Sixteen re-filings bring a stale posting's bits round again,
    and then it is kept as if live: harmless, since the kernel counts a row it finds
    from the row itself (its keys, floor, place and education), and a row's first
    posting met never bounds it wrongly (see ``_entering``). It costs a look, no more.
    The education level lets the kernel pass over the rows a vacancy's minimum excludes
    without a look at them (the lists are split by tiers of it, see ``_TIER_EDGES``;
    these are the rest).
    A list of the top band keeps ``top_id``, at least the floor id (``_id_prefix``) of
    each of its live rows: a vacancy whose id is above it ties none of them and skips
    the list. It only rises (stale postings and lowered ids leave it high: a list read
    needlessly, never one skipped wrongly).
    """

    __slots__ = ("items", "size", "stale", "top_id")

    def __init__(self) -> None:
        self.items = np.zeros(8, np.uint32)
        self.size = 0
        self.stale = 0
        self.top_id = 0

    def add(self, row: int, gen: int, edu: int) -> None:
        if self.size == len(self.items):
            # a quarter more, not twice: these lists are most of the table, and doubled
            # they stood a third empty (21.4 M slots for 14.5 M postings at 1 M rows)
            self.items = _grow(self.items, self.size + 1, _LIST_SPARE)  # type: ignore[assignment]
        self.items[self.size] = _posting(row, gen, edu)
        self.size += 1

    def drop(self, row_gens: npt.NDArray[np.uint8]) -> None:
        """One posting went stale; past half the list, keep only the live ones."""
        self.stale += 1
        if 2 * self.stale > self.size:
            items = self.items[: self.size]
            live = row_gens[items >> _POSTING_ROW] & _POSTING_GEN == items & _POSTING_GEN
            kept = int(live.sum())
            self.items[:kept] = items[live]
            self.size, self.stale = kept, 0


def _posting(row: int, gen: int, edu: int) -> int:
    """A ``_Postings`` word: the row, then 4 bits of education level and 4 of generation."""
    return row << _POSTING_ROW | edu << _POSTING_EDU | gen & _POSTING_GEN


class _PostingPool:
    """Every posting list of a table in one pool (a slab) that the kernel reads directly.

    List ``i`` is ``rows[start[i] : start[i] + size[i]]``, with ``meta`` alongside (per
    posting a meta word, see ``_posting_meta``, and the row's ``_id_key``), within
    ``cap[i]`` reserved slots. A full list moves to the end of the pool with twice the
    capacity, leaving its old slots dead; once the pool holds more than ``_SLACK`` slots
    per live posting, one pass rewrites it compactly. Appends and
    removals stay incremental: amortised O(1) and O(list), never a rebuild per event.
    """

    def __init__(self) -> None:
        self.rows = np.zeros(_MIN_POOL, np.int32)
        self.meta = np.zeros((_MIN_POOL, 2), np.int64)
        self.start = np.zeros(_MIN_CAPACITY, np.int64)
        self.size = np.zeros(_MIN_CAPACITY, np.int32)
        self.cap = np.zeros(_MIN_CAPACITY, np.int32)
        self.lists = 0
        self.end = 0  # slots handed out, live, spare or dead
        self.live = 0  # postings
        self.moves = 0  # statistics, for tests: lists moved, pool rewrites
        self.compactions = 0

    def new_list(self) -> int:
        """An empty list; its id."""
        i = self.lists
        if i == len(self.start):
            self.start = _grow(self.start, i + 1)  # type: ignore[assignment]
            self.size = _grow(self.size, i + 1)  # type: ignore[assignment]
            self.cap = _grow(self.cap, i + 1)  # type: ignore[assignment]
        self.start[i] = self._reserve(_MIN_LIST)
        self.cap[i] = _MIN_LIST
        self.size[i] = 0
        self.lists += 1
        return i

    def _reserve(self, slots: int) -> int:
        if self.end + slots > len(self.rows):
            self.rows = _grow(self.rows, self.end + slots)  # type: ignore[assignment]
            self.meta = _grow(self.meta, self.end + slots)  # type: ignore[assignment]
        at = self.end
        self.end += slots
        return at

    def add(self, i: int, row: int, meta: tuple[int, int]) -> None:
        """Append ``row`` to list ``i``, with its posting's ``meta``."""
        size = int(self.size[i])
        if size == self.cap[i]:
            at = self._reserve(2 * size)
            old = int(self.start[i])
            self.rows[at : at + size] = self.rows[old : old + size]
            self.meta[at : at + size] = self.meta[old : old + size]
            self.start[i] = at
            self.cap[i] = 2 * size
            self.moves += 1
        at = int(self.start[i]) + size
        self.rows[at] = row
        self.meta[at] = meta
        self.size[i] = size + 1
        self.live += 1

    def remove(self, i: int, row: int) -> None:
        """Drop one posting of ``row`` from list ``i``: the list's last one takes its slot.

        Order within a list does not matter: the shortlist is a total order (score, id).
        """
        lo = int(self.start[i])
        last = lo + int(self.size[i]) - 1
        at = lo + int(np.argmax(self.rows[lo : last + 1] == row))
        self.rows[at] = self.rows[last]
        self.meta[at] = self.meta[last]
        self.size[i] -= 1
        self.live -= 1

    def maybe_compact(self) -> None:
        """Rewrite the pool without dead slots once it is mostly dead or spare."""
        if self.end <= _SLACK * self.live + _MIN_POOL:
            return
        n = self.lists
        size = self.size[:n]
        # room to grow by half, so that the next appends do not move every list again
        cap = np.maximum(size + size // 2, _MIN_LIST).astype(np.int32)
        start = np.zeros(n, np.int64)
        np.cumsum(cap[:-1], out=start[1:])
        self.end = int(cap.sum())
        rows = np.zeros(max(self.end, _MIN_POOL), np.int32)
        meta = np.zeros((max(self.end, _MIN_POOL), 2), np.int64)
        _copy_lists(self.rows, self.meta, self.start[:n], size, rows, meta, start)
        self.rows, self.meta = rows, meta
        self.start[:n] = start
        self.cap[:n] = cap
        self.compactions += 1


@njit(cache=True, nogil=True)
def _copy_lists(
    rows: npt.NDArray[np.int32],
    meta: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    size: npt.NDArray[np.int32],
    new_rows: npt.NDArray[np.int32],
    new_meta: npt.NDArray[np.int64],
    new_start: npt.NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    for i in range(len(start)):
        for t in range(size[i]):
            new_rows[new_start[i] + t] = rows[start[i] + t]
            new_meta[new_start[i] + t, 0] = meta[start[i] + t, 0]
            new_meta[new_start[i] + t, 1] = meta[start[i] + t, 1]


class _RowKeys:
    """Each row's keys, in one slab.

    A vacancy's skill keys as ``key << 1 | kind`` (essential 0, optional 1); a
    participant's key ids (``ParticipantTable``).

    Row ``r`` is ``keys[start[r] : start[r] + size[r]]`` within ``cap[r]`` slots. The
    kernel reads it to complete the counts of a row it found through its first skills
    only (see ``_shortlists``), and the table to forget the row's keys. A row that needs
    more slots than it has takes new ones at the end; once the slab holds more than
    ``_SLACK`` slots per live key, one pass rewrites it, as the pool is rewritten.
    Keys are of ``dtype``; ``widen`` makes them 32-bit.
    """

    def __init__(self, dtype: type[np.integer] = np.int32) -> None:
        self.keys = np.zeros(_MIN_POOL, dtype)
        self.start = np.zeros(_MIN_CAPACITY, np.int64)
        self.size = np.zeros(_MIN_CAPACITY, np.int32)
        self.cap = np.zeros(_MIN_CAPACITY, np.int32)
        self.end = 0
        self.live = 0
        self.compactions = 0  # a statistic, for tests

    def put(self, row: int, entries: Sequence[int]) -> None:
        """Set the keys of ``row``, which holds none (new, or cleared)."""
        if row >= len(self.start):
            self.start = _grow(self.start, row + 1)  # type: ignore[assignment]
            self.size = _grow(self.size, row + 1)  # type: ignore[assignment]
            self.cap = _grow(self.cap, row + 1)  # type: ignore[assignment]
        k = len(entries)
        if k > self.cap[row]:
            # by a quarter, as a participant table's lists grow (a slab of a million
            # rows' keys: doubled, it stood up to half empty)
            self.keys = _grow(self.keys, self.end + k, _LIST_SPARE)
            self.start[row], self.cap[row] = self.end, k
            self.end += k
        at = int(self.start[row])
        self.keys[at : at + k] = entries
        self.size[row] = k
        self.live += k
        if self.end > _SLACK * self.live + _MIN_POOL:
            self._compact()

    def of(self, row: int) -> npt.NDArray[np.int32]:
        """The keys of ``row``, a view."""
        at = int(self.start[row])
        return self.keys[at : at + int(self.size[row])]

    def widen(self) -> None:
        """Hold keys of 32 bits from now on."""
        self.keys = self.keys.astype(np.int32)

    def clear(self, row: int) -> None:
        """Forget the keys of ``row``; its slots stay its own, for the next put."""
        self.live -= int(self.size[row])
        self.size[row] = 0

    def _compact(self) -> None:
        size = self.size.astype(np.int64)
        start = np.zeros_like(self.start)
        np.cumsum(size[:-1], out=start[1:])
        self.end = total = int(size.sum())
        # new slot i of row r holds old slot i - start[r] + old start[r]
        source = np.repeat(self.start - start, size) + np.arange(total)
        keys = np.zeros(max(total, _MIN_POOL), self.keys.dtype)
        keys[:total] = self.keys[source]
        self.keys, self.start = keys, start
        self.cap[:] = self.size
        self.compactions += 1


def _id_key(word: np.uint64) -> int:
    """The first word of an id as a signed integer in the same order (its top bit flipped).

    Carried in every posting, so that ranking compares ids without a look at the id
    table; only ids that share their first eight bytes need it.
    """
    return int(word) - (1 << 63)


def _posting_meta(record: tuple[int, ...]) -> int:
    """What a posting carries of its row besides the key's kind (the low two bits).

    The row's numbers of keys, the education it asks and its regency, a byte each and 23
    bits for the regency: what the kernel needs of a row when it first meets it, without
    a look at the row's record (a cache miss each). A row whose numbers do not fit is
    marked general: the kernel reads its record, and counts its postings in full integers.
    """
    ess, opt, words, edu, regency = record
    if max(ess, opt, words, edu) > _BYTE or min(edu, regency) < 0 or regency >= 1 << 23:
        return _GENERAL
    return ess << 8 | opt << 16 | words << 24 | edu << 32 | regency << 40


def _filed_keys(profile: VacancyProfile) -> tuple[tuple[int, Sequence[str]], ...]:
    """A vacancy's keys by what they are to it: essential, optional, title word, unit group."""
    unit = [_OCCUPATION_KEY + profile.occupation] if profile.occupation else []
    return (
        (_ESSENTIAL, list(profile.essential)),
        (_OPTIONAL, list(profile.optional)),
        (_WORD, [_WORD_KEY + w for w in profile.words]),
        (_OCCUPATION, unit),
    )


class VacancyTable:
    """Open vacancies for compiled retrieval, kept incrementally (add, replace, remove)."""

    def __init__(self) -> None:
        self._row_of: dict[str, int] = {}
        self._lists_of: dict[str, list[int]] = {}  # vacancy -> the list of each posting
        # row -> vacancy id (None when free), as objects: the kernel's rows index it at once
        self._vid = np.full(_MIN_CAPACITY, None, object)
        self._n_rows = 0
        self._free: list[int] = []
        self._key_id: dict[str, int] = {}
        # Postings by (key, location bucket): bucket 0 holds vacancies anyone may take
        # (remote, or no regency), bucket b >= 1 those of one province. A participant who
        # will not relocate reads only bucket 0 and their own province's: about a tenth of
        # the postings, with the same result, since the filter would drop the rest.
        # Each is split again by the education the vacancy asks for: half the postings a
        # participant's keys address are of vacancies that ask for more than they have.
        # _lists[key, level, bucket] is the list in the pool, -1 while there is none.
        self._pool = _PostingPool()
        self._lists = np.full((_MIN_CAPACITY, _EDU_LEVELS, _MIN_BUCKETS), -1, np.int32)
        self._text = np.zeros(_MIN_CAPACITY, np.uint8)  # key -> title word or unit group
        # The far index (see _FAR_TIERS): _far_lists[key, level, tier] is its list in
        # _far, of rows in any province; with each row's skill keys, to count in full a
        # row found there, and the bucket of each place, to skip the query's own province.
        self._far = _PostingPool()
        self._far_lists = np.full((_MIN_CAPACITY, _EDU_LEVELS, _FAR_TIERS), -1, np.int32)
        self._far_of: dict[str, list[int]] = {}  # vacancy -> the far list of each copy
        self._row_keys = _RowKeys()
        self._freq: list[int] = []  # key -> skill postings of open rows
        self._place_bucket = np.zeros(_MIN_CAPACITY, np.int32)
        # Per row the bits (bit key % 64 for key) of its essential and of its optional
        # skills: a cheap bound of what a row can match (see _scan_far).
        self._row_sig = np.zeros((_MIN_CAPACITY, 2), np.uint64)
        self._bucket_of: dict[str, int] = {}  # province code -> bucket
        self._places: dict[str, int] = {}  # regency code -> small int
        # What the kernel needs of a row (see _ROW_*); it reads this only for a general
        # row, as postings carry the rest (see _posting_meta).
        self._rows = np.zeros((0, _ROW_FIELDS), np.int32)
        # Vacancy id bytes, zero-padded, as big-endian words: they compare as the ids do.
        self._ids = np.zeros((0, 1), np.uint64)
        # Scratch of the kernel, reused across calls: per row where it is in the tallies
        # of the query that last touched it (see _tally), and a general row's counts.
        self._scratch = np.zeros(0, np.int32)
        self._base = 1
        self._wide = np.zeros((0, _KINDS), np.int32)
        self.postings_read = 0  # by the last shortlists call: statistics
        self.rows_completed = 0  # far rows found by a first skill and counted in full

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, vid: object) -> bool:
        return vid in self._row_of

    def _place(self, code: str) -> int:
        return self._places.setdefault(code, len(self._places) + 1)

    def _key(self, name: str, kind: int) -> int:
        """The id of key ``name``; made if new."""
        key = self._key_id.get(name)
        if key is None:
            key = self._key_id[name] = len(self._key_id)
            self._freq.append(0)
            if key == len(self._lists):
                self._lists = _grow(self._lists, key + 1)  # type: ignore[assignment]
                self._lists[key:] = -1
                self._text = _grow(self._text, key + 1)  # type: ignore[assignment]
                self._far_lists = _grow(self._far_lists, key + 1)  # type: ignore[assignment]
                self._far_lists[key:] = -1
            self._text[key] = kind >= _WORD  # a key's name says its kind: "~", "@" or skill
        return key

    def _list(self, key: int, level: int, bucket: int) -> int:
        """The pool list of ``key`` at education ``level`` in ``bucket``; made if new."""
        if bucket >= self._lists.shape[2]:  # a new province: a few more columns
            wider = np.full((*self._lists.shape[:2], bucket + _MIN_BUCKETS), -1, np.int32)
            wider[:, :, : self._lists.shape[2]] = self._lists
            self._lists = wider
        i = int(self._lists[key, level, bucket])
        if i < 0:
            i = self._lists[key, level, bucket] = self._pool.new_list()
        return i

    def _far_list(self, key: int, level: int, tier: int) -> int:
        """The far index's list of ``key`` at education ``level`` and ``tier``."""
        i = int(self._far_lists[key, level, tier])
        if i < 0:
            i = self._far_lists[key, level, tier] = self._far.new_list()
        return i

    def _tiers(self, skills: Sequence[tuple[int, int]]) -> list[int]:
        """The tier of each of a row's skills, (kind, key) each; ``_FAR_TIERS`` past them.

        The skills in one order, rarest among open rows first (ties by key), so that a
        first skill is seldom one that many participants have: the far phase then finds
        few candidates. Any order is exact: the argument holds row by row.
        """
        freq = self._freq
        weight = [2 if kind == _ESSENTIAL else 1 for kind, _ in skills]
        total = sum(weight)
        order = sorted(range(len(skills)), key=lambda i: (freq[skills[i][1]], skills[i][1]))
        tiers = [0] * len(skills)
        before = 0  # B: the weight of the skills ahead in the order
        for i in order:
            if before:  # the first tier whose upper edge (in sixths of W) holds B
                tier = 1
                while tier < _FAR_TIERS and 6 * before > _TIER_SIXTHS[tier - 1] * total:
                    tier += 1
                tiers[i] = tier
            before += weight[i]
        return tiers

    def upsert(self, profile: VacancyProfile) -> None:
        """Add an open vacancy, or replace the one with the same id."""
        vid = profile.vacancy_id
        self.remove(vid)
        row = self._free.pop() if self._free else self._n_rows
        if row == self._n_rows:
            self._n_rows = size = row + 1
            self._vid = _grow(self._vid, size)
            self._rows = _grow(self._rows, size)  # type: ignore[assignment]
            self._ids = _grow(self._ids, size)  # type: ignore[assignment]
            self._scratch = _grow(self._scratch, size)  # type: ignore[assignment]
            self._wide = _grow(self._wide, size)  # type: ignore[assignment]
            self._row_sig = _grow(self._row_sig, size)  # type: ignore[assignment]
        raw = vid.encode("utf-8")
        words = -(-len(raw) // 8)
        if words > self._ids.shape[1]:
            wider = np.zeros((len(self._ids), words), np.uint64)
            wider[:, : self._ids.shape[1]] = self._ids
            self._ids = wider
        padded = raw.ljust(8 * self._ids.shape[1], b"\0")
        self._ids[row] = np.frombuffer(padded, ">u8")
        self._vid[row] = vid
        self._row_of[vid] = row
        code = profile.regency_code
        anywhere = profile.remote or code is None
        record = (
            len(profile.essential),
            len(profile.optional),
            len(profile.words),
            profile.education_min_rank,
            self._place(code) if code is not None else 0,
        )
        self._rows[row] = record
        meta = _posting_meta(record)
        id_key = _id_key(self._ids[row, 0])
        bucket = 0
        if not anywhere and code is not None:
            bucket = self._bucket_of.setdefault(code[:2], len(self._bucket_of) + 1)
        level = _level(profile.education_min_rank)
        filed = [
            (kind, self._key(name, kind)) for kind, names in _filed_keys(profile) for name in names
        ]
        lists: list[int] = []
        for kind, key in filed:
            i = self._list(key, level, bucket)
            self._pool.add(i, row, (meta | kind, id_key))
            lists.append(i)
        self._lists_of[vid] = lists
        skills = [(kind, key) for kind, key in filed if kind <= _OPTIONAL]  # filed first
        far: list[int] = []
        if bucket:  # copies into the far index
            place = record[_ROW_REGENCY]
            if place >= len(self._place_bucket):
                self._place_bucket = _grow(self._place_bucket, place + 1)  # type: ignore[assignment]
            self._place_bucket[place] = bucket
            # a general row whole, into tier 0: its coverages can lie closer together
            # than _TIER_BOUNDS allow for
            general = bool(meta & _GENERAL)
            tiers = [0] * len(skills) if general else self._tiers(skills)
            for (kind, key), tier in zip(skills, tiers, strict=True):
                if tier < _FAR_TIERS:
                    i = self._far_list(key, level, tier)
                    self._far.add(i, row, (meta | kind, id_key))
                    far.append(i)
            self._far.maybe_compact()
        self._far_of[vid] = far
        entries = [key << 1 | kind for kind, key in skills]
        sig = [0, 0]
        for kind, key in skills:
            sig[kind] |= 1 << (key % 64)
            self._freq[key] += 1
        self._row_sig[row] = sig
        self._row_keys.put(row, entries)
        self._pool.maybe_compact()

    def remove(self, vid: str) -> bool:
        """Forget a vacancy (closed, or about to be replaced); False when it was not here."""
        row = self._row_of.pop(vid, None)
        if row is None:
            return False
        for i in self._lists_of.pop(vid):
            self._pool.remove(i, row)
        self._pool.maybe_compact()
        for i in self._far_of.pop(vid):
            self._far.remove(i, row)
        self._far.maybe_compact()
        for entry in self._row_keys.of(row).tolist():
            self._freq[entry >> 1] -= 1
        self._row_keys.clear(row)
        self._vid[row] = None
        self._free.append(row)
        return True

    def shortlists(
        self, profiles: Sequence[ParticipantProfile], n: int
    ) -> list[list[tuple[str, float]]]:
        """The best ``n`` qualifying vacancies of each participant: (id, score), best first.

        Score and order as ``score_pair`` and the engine define them: the score descending,
        then the vacancy id ascending. ``postings_read`` then says how many postings the
        kernel counted (a statistic: the phases and splits make it far fewer than the
        participants' keys address), and ``rows_completed`` how many far rows the far
        index found and counted from their skill keys.
        """
        if not profiles or n < 1:
            return [[] for _ in profiles]
        key_id = self._key_id
        keys: list[int] = []
        ends: list[int] = []
        query: list[tuple[int, int, int, int, int]] = []
        places, bucket_of = self._places, self._bucket_of
        for profile in profiles:
            # A participant's code is looked up, not added: an unknown one matches no row.
            code = profile.regency_code
            query.append(
                (
                    profile.education_rank,
                    places.get(code, -1),
                    bucket_of.get(code[:2], -1),
                    profile.willing_to_relocate,
                    _level(profile.education_rank),
                )
            )
            for name in profile.keys:
                key = key_id.get(name)
                if key is not None:
                    keys.append(key)
            ends.append(len(keys))
        m = len(profiles)
        out_rows = np.zeros((m, max(n, 1)), np.int32)
        out_scores = np.zeros((m, max(n, 1)), np.float64)
        out_count = np.zeros(m, np.int32)
        read = np.zeros(m, np.int64)
        completed = np.zeros(m, np.int64)
        pool = self._pool
        row_keys = self._row_keys
        base = self._base
        if base < 1:  # a call failed half-way: its marks in the scratch are unknown
            self._scratch[:] = 0
            base = 1
        self._base = 0  # until this call returns the next base
        self._base = _shortlists(
            np.array(keys, np.int32),
            np.array(ends, np.int64),
            np.array(query, np.int32).reshape(m, _Q_FIELDS),
            self._lists,
            self._text,
            len(bucket_of) + 1,
            pool.rows,
            pool.meta,
            pool.start,
            pool.size,
            self._rows,
            self._ids,
            self._scratch,
            base,
            self._wide,
            self._far_lists,
            self._far.rows,
            self._far.meta,
            self._far.start,
            self._far.size,
            self._place_bucket,
            self._row_sig,
            row_keys.keys,
            row_keys.start,
            row_keys.size,
            n,
            out_rows,
            out_scores,
            out_count,
            read,
            completed,
        )
        self.postings_read = int(read.sum())
        self.rows_completed = int(completed.sum())
        ids_of = self._vid[out_rows].tolist()
        return [
            list(zip(ids_q[:count], scores_q[:count], strict=True))
            for ids_q, scores_q, count in zip(
                ids_of, out_scores.tolist(), out_count.tolist(), strict=True
            )
        ]


@njit(cache=True, nogil=True)
def _before(
    ids: npt.NDArray[np.uint64],
    a: int,
    score_a: float,
    key_a: int,
    b: int,
    score_b: float,
    key_b: int,
) -> bool:  # pragma: no cover - compiled
    """Whether row ``a`` ranks before row ``b``: higher score, then smaller id bytes.

    ``key_*`` are the rows' ``_id_key``: the id table is read only when they are equal.
    """
    if score_a != score_b:
        return score_a > score_b
    if key_a != key_b:
        return key_a < key_b
    for i in range(1, ids.shape[1]):
        if ids[a, i] != ids[b, i]:
            return ids[a, i] < ids[b, i]
    return False


@njit(cache=True, nogil=True)
def _count(
    rows: npt.NDArray[np.int32],
    kinds: npt.NDArray[np.int8],
    lo: int,
    hi: int,
    counts: npt.NDArray[np.int32],
    stamp: npt.NDArray[np.int64],
    mark: int,
    touched: npt.NDArray[np.int32],
) -> int:  # pragma: no cover - compiled
    """Count postings ``lo:hi`` per row and kind; return how many rows were touched.

    ``mark`` is unique per query, so a row's counts are reset on its first posting
    instead of clearing the whole scratch.
    """
    n_touched = 0
    for t in range(lo, hi):
        r = rows[t]
        if stamp[r] != mark:
            stamp[r] = mark
            counts[r, 0] = 0
            counts[r, 1] = 0
            counts[r, 2] = 0
            counts[r, 3] = 0
            touched[n_touched] = r
            n_touched += 1
        counts[r, kinds[t]] += 1
    return n_touched


@njit(cache=True, nogil=True)
def _location(
    anywhere: bool, same_regency: bool, same_province: bool, relocate: bool
) -> float:  # pragma: no cover - compiled
    """``overlap.location_factor``; 0.0 where the participant cannot take the job."""
    if anywhere or same_regency:
        return 1.0
    if same_province:
        return _SAME_PROVINCE
    if relocate:
        return _RELOCATION
    return 0.0


@njit(cache=True, nogil=True)
def _score(
    counts: npt.NDArray[np.int32], n_ess: int, n_opt: int, n_words: int, loc: float
) -> float:  # pragma: no cover - compiled
    """``score_pair``'s score from a row's match counts: the same operations in that order."""
    ess, opt, words = counts[0], counts[1], counts[2]
    coverage = 0.0
    if ess or opt:
        coverage = (ess + _OPTIONAL_WEIGHT * opt) / (n_ess + _OPTIONAL_WEIGHT * n_opt)
    text = _TEXT_WEIGHT * words / n_words if words else 0.0
    if counts[3]:
        text = _TEXT_WEIGHT
    return max(coverage, text) * loc


@njit(cache=True, nogil=True)
def _tally(
    rows: npt.NDArray[np.int32],
    meta: npt.NDArray[np.int64],
    where: int,
    which: int,
    query: npt.NDArray[np.int32],
    scratch: npt.NDArray[np.int32],
    base: int,
    wide: npt.NDArray[np.int32],
    row_info: npt.NDArray[np.int32],
    tally: npt.NDArray[np.int64],
    state: npt.NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    """Count one posting list into the query's tallies.

    ``where`` (``_ANYWHERE``, ``_IN_PROVINCE`` or 0) says where the list's rows are;
    ``which`` takes all of them, or only those in the query's regency, or the others.
    A row the query touched has ``scratch`` at least ``base``: ``base`` plus its entry in
    ``tally`` (row, posting meta with ``where``, id key, and its counts packed a byte each;
    a general row's counts are in ``wide``). So ranking reads the tallies in order, and
    nothing needs clearing between queries. ``state`` holds the query's rows touched and
    postings read so far.

    The first posting of a row is handled without a branch, which no predictor could
    guess: the free entry is written every time, and taken on a first.
    """
    n_touched, read = state[_TOUCHED], state[_READ]
    regency = query[_Q_REGENCY]
    for t in range(len(rows)):
        r = rows[t]
        m = meta[t, 0]
        if which != _ALL:
            in_regency = (row_info[r, _ROW_REGENCY] if m & _GENERAL else m >> 40) == regency
            if in_regency != (which == _SAME_REGENCY):
                continue
        read += 1
        seen = scratch[r] - base
        first = seen < 0
        j = n_touched if first else seen
        scratch[r] = base + j
        tally[n_touched, _T_ROW] = r
        tally[n_touched, _T_META] = m | where
        tally[n_touched, _T_KEY] = meta[t, 1]
        tally[n_touched, _T_COUNTS] = 0
        if m & _GENERAL:
            if first:
                wide[r, :] = 0
            wide[r, m & 3] += 1
        else:
            tally[j, _T_COUNTS] += 1 << (8 * (m & 3))
        n_touched += first
    state[_TOUCHED], state[_READ] = n_touched, read


@njit(cache=True, nogil=True)
def _read_list(
    i: int,
    where: int,
    which: int,
    query: npt.NDArray[np.int32],
    pool_rows: npt.NDArray[np.int32],
    pool_meta: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    size: npt.NDArray[np.int32],
    scratch: npt.NDArray[np.int32],
    base: int,
    wide: npt.NDArray[np.int32],
    row_info: npt.NDArray[np.int32],
    tally: npt.NDArray[np.int64],
    state: npt.NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    """``_tally`` over list ``i`` of the pool, none when ``i`` is negative."""
    if i < 0 or size[i] == 0:
        return
    lo, hi = start[i], start[i] + size[i]
    _tally(
        pool_rows[lo:hi],
        pool_meta[lo:hi],
        where,
        which,
        query,
        scratch,
        base,
        wide,
        row_info,
        tally,
        state,
    )


@njit(cache=True, nogil=True)
def _read_past(
    i: int,
    pool_rows: npt.NDArray[np.int32],
    pool_meta: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    size: npt.NDArray[np.int32],
    scratch: npt.NDArray[np.int32],
    base: int,
    wide: npt.NDArray[np.int32],
    settled: int,
    tally: npt.NDArray[np.int64],
    state: npt.NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    """``_tally`` of far list ``i`` past the rows of the first ``settled`` tallies.

    Those are the rows the far index found and counted in full (``_scan_far``): their
    postings here would count them twice. The rest is ``_tally``'s, for a far list.
    """
    if i < 0 or size[i] == 0:
        return
    n_touched, read = state[_TOUCHED], state[_READ]
    for t in range(start[i], start[i] + size[i]):
        r = pool_rows[t]
        m = pool_meta[t, 0]
        seen = scratch[r] - base
        if np.uint64(seen) < np.uint64(settled):  # 0 <= seen < settled, in one test
            continue
        read += 1
        first = seen < 0
        j = n_touched if first else seen
        scratch[r] = base + j
        tally[n_touched, _T_ROW] = r
        tally[n_touched, _T_META] = m
        tally[n_touched, _T_KEY] = pool_meta[t, 1]
        tally[n_touched, _T_COUNTS] = 0
        if m & _GENERAL:
            if first:
                wide[r, :] = 0
            wide[r, m & 3] += 1
        else:
            tally[j, _T_COUNTS] += 1 << (8 * (m & 3))
        n_touched += first
    state[_TOUCHED], state[_READ] = n_touched, read


@njit(cache=True, nogil=True)
def _popcount(x: np.uint64) -> int:  # pragma: no cover - compiled
    """The number of bits set in ``x``."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, nogil=True)
def _scan_far(
    lo: int,
    hi: int,
    only_full: bool,
    far_rows: npt.NDArray[np.int32],
    far_meta: npt.NDArray[np.int64],
    query: npt.NDArray[np.int32],
    scratch: npt.NDArray[np.int32],
    base: int,
    wide: npt.NDArray[np.int32],
    row_info: npt.NDArray[np.int32],
    place_bucket: npt.NDArray[np.int32],
    row_sig: npt.NDArray[np.uint64],
    mine_sig: np.uint64,
    tally: npt.NDArray[np.int64],
    state: npt.NDArray[np.int64],
    row_keys: npt.NDArray[np.int32],
    row_keys_start: npt.NDArray[np.int64],
    row_keys_size: npt.NDArray[np.int32],
    mine: npt.NDArray[np.int64],
    stamp: int,
    ids: npt.NDArray[np.uint64],
    n: int,
    heap_rows: npt.NDArray[np.int32],
    heap_scores: npt.NDArray[np.float64],
    heap_keys: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int32],
    kept: int,
) -> int:  # pragma: no cover - compiled
    """Postings ``lo:hi`` of the far index: each new far row counted in full and ranked.

    A row is taken once: the first time the query meets it here, it is counted from its
    skill keys (``_complete``) and ranked at once, so that the n-th rises as early as it
    can; later postings of it are passed over (its tally is final), as are rows of the
    query's own province (counted near). Skipped too, as they cannot enter the shortlist
    nor tie into it (no later posting matters: a text phase gives a far row at most its
    text score, which cannot lift it either):
    - once the shortlist is full at 0.6 (no far row scores more), a row whose id key is
      above the n-th's: at best it ties, and loses by id;
    - a row whose skills cannot make the n-th of a full shortlist, or (``only_full``)
      0.6. Each bit of its signature (``row_sig``: essential, optional; bit ``key % 64``
      for a key) that the query's ``mine_sig`` lacks is at least one skill it lacks, of
      weight 2 or 1: its matched weight M <= W - those, and its score (M/W) * 0.6 in
      floats a few ulps above at most, which the 1e-9 margin covers. With ``only_full``
      a row that lacks one skill scores at most 0.6 * (1 - 1/765), below
      ``_TIER_BOUNDS[1]``: the caller may count it as unread. Not so a general row (W
      unbounded), never skipped so.
    Returns how many are kept.
    """
    n_touched, read = state[_TOUCHED], state[_READ]
    own = query[_Q_BUCKET]
    lacks = ~mine_sig
    for t in range(lo, hi):
        r = far_rows[t]
        m = far_meta[t, 0]
        general = m & _GENERAL != 0
        place = row_info[r, _ROW_REGENCY] if general else m >> 40
        if place_bucket[place] == own or scratch[r] >= base:
            continue
        full = kept == n
        if full and heap_scores[0] >= _RELOCATION and far_meta[t, 1] > heap_keys[0]:
            continue
        floor = _RELOCATION if only_full else heap_scores[0] if full else 0.0
        if floor > 0.0 and not general:
            total = 2 * ((m >> 8) & _BYTE) + ((m >> 16) & _BYTE)
            missed = 2 * _popcount(row_sig[r, 0] & lacks) + _popcount(row_sig[r, 1] & lacks)
            if (total - missed) / total * _RELOCATION < floor * (1.0 - 1e-9):
                continue
        read += 1
        scratch[r] = base + n_touched
        tally[n_touched, _T_ROW] = r
        tally[n_touched, _T_META] = m
        tally[n_touched, _T_KEY] = far_meta[t, 1]
        n_touched += 1
        state[_TOUCHED], state[_READ] = n_touched, read
        _complete(
            n_touched - 1, n_touched, tally, row_keys, row_keys_start, row_keys_size, mine,
            stamp, wide, state,
        )  # fmt: skip
        kept = _rank(
            n_touched - 1, n_touched, tally, query, wide, row_info, ids, n, heap_rows,
            heap_scores, heap_keys, counts, kept,
        )  # fmt: skip
    state[_TOUCHED], state[_READ] = n_touched, read
    return kept


@njit(cache=True, nogil=True)
def _sift_down(
    ids: npt.NDArray[np.uint64],
    heap_rows: npt.NDArray[np.int32],
    heap_scores: npt.NDArray[np.float64],
    heap_keys: npt.NDArray[np.int64],
    size: int,
) -> None:  # pragma: no cover - compiled
    """Move the root of the heap (the worst entry on top) down to where it belongs."""
    r, score, key = heap_rows[0], heap_scores[0], heap_keys[0]
    at = 0
    while True:
        child = 2 * at + 1
        if child >= size:
            break
        right = child + 1
        if right < size and _before(
            ids,
            heap_rows[child],
            heap_scores[child],
            heap_keys[child],
            heap_rows[right],
            heap_scores[right],
            heap_keys[right],
        ):
            child = right  # the worse of the two
        if not _before(ids, r, score, key, heap_rows[child], heap_scores[child], heap_keys[child]):
            break
        heap_rows[at], heap_scores[at], heap_keys[at] = (
            heap_rows[child],
            heap_scores[child],
            heap_keys[child],
        )
        at = child
    heap_rows[at], heap_scores[at], heap_keys[at] = r, score, key


@njit(cache=True, nogil=True)
def _rank(
    lo: int,
    hi: int,
    tally: npt.NDArray[np.int64],
    query: npt.NDArray[np.int32],
    wide: npt.NDArray[np.int32],
    row_info: npt.NDArray[np.int32],
    ids: npt.NDArray[np.uint64],
    n: int,
    heap_rows: npt.NDArray[np.int32],
    heap_scores: npt.NDArray[np.float64],
    heap_keys: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int32],
    kept: int,
) -> int:  # pragma: no cover - compiled
    """Filter and score tallies ``lo:hi`` into the ``kept`` best; return how many are kept.

    The best ``n`` are kept in a heap with the worst on top, not in a sorted array: many
    rows can tie the n-th score, and each insertion into a sorted array shifts up to n.
    """
    relocate = query[_Q_RELOCATE] != 0
    for j in range(lo, hi):
        r = tally[j, _T_ROW]
        m = tally[j, _T_META]
        key = tally[j, _T_KEY]
        if m & _GENERAL:
            counts[:] = wide[r]
            edu, regency = row_info[r, _ROW_EDU], row_info[r, _ROW_REGENCY]
            n_ess, n_opt = row_info[r, _ROW_ESS], row_info[r, _ROW_OPT]
            n_words = row_info[r, _ROW_WORDS]
        else:
            packed = tally[j, _T_COUNTS]
            for kind in range(_KINDS):
                counts[kind] = (packed >> (8 * kind)) & _BYTE
            edu, regency = (m >> 32) & _BYTE, m >> 40
            n_ess, n_opt, n_words = (m >> 8) & _BYTE, (m >> 16) & _BYTE, (m >> 24) & _BYTE
        if edu > query[_Q_EDU]:
            continue
        loc = _location(
            m & _ANYWHERE != 0, regency == query[_Q_REGENCY], m & _IN_PROVINCE != 0, relocate
        )
        if loc == 0.0:
            continue
        score = _score(counts, n_ess, n_opt, n_words, loc)
        if kept < n:  # sift up
            at = kept
            kept += 1
            while at > 0:
                up = (at - 1) // 2
                if not _before(ids, heap_rows[up], heap_scores[up], heap_keys[up], r, score, key):
                    break
                heap_rows[at], heap_scores[at], heap_keys[at] = (
                    heap_rows[up],
                    heap_scores[up],
                    heap_keys[up],
                )
                at = up
            heap_rows[at], heap_scores[at], heap_keys[at] = r, score, key
        elif _before(ids, r, score, key, heap_rows[0], heap_scores[0], heap_keys[0]):
            heap_rows[0], heap_scores[0], heap_keys[0] = r, score, key
            _sift_down(ids, heap_rows, heap_scores, heap_keys, n)
    return kept


@njit(cache=True, nogil=True)
def _complete(
    lo: int,
    hi: int,
    tally: npt.NDArray[np.int64],
    row_keys: npt.NDArray[np.int32],
    row_keys_start: npt.NDArray[np.int64],
    row_keys_size: npt.NDArray[np.int32],
    mine: npt.NDArray[np.int64],
    stamp: int,
    wide: npt.NDArray[np.int32],
    state: npt.NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    """Set the counts of tallies ``lo:hi`` from their rows' skill keys and the query's.

    For rows the far index found through one of their first skills, whose postings it
    reads no further (see ``_far_index``): every skill posting of the row would have
    counted one for each of its skills that the query holds (``mine`` is ``stamp``
    there), as this does. A general row's counts go to ``wide``. Text counts come only
    in a later phase.
    """
    for j in range(lo, hi):
        r = tally[j, _T_ROW]
        ess = 0
        opt = 0
        at = row_keys_start[r]
        for t in range(at, at + row_keys_size[r]):
            entry = row_keys[t]
            if mine[entry >> 1] == stamp:
                if entry & 1:
                    opt += 1
                else:
                    ess += 1
        if tally[j, _T_META] & _GENERAL:
            wide[r, :] = 0
            wide[r, _ESSENTIAL], wide[r, _OPTIONAL] = ess, opt
        else:
            tally[j, _T_COUNTS] = ess << (8 * _ESSENTIAL) | opt << (8 * _OPTIONAL)
        state[_COMPLETED] += 1


@njit(cache=True, nogil=True)
def _far_index(
    lo_key: int,
    hi_key: int,
    keys: npt.NDArray[np.int32],
    text: npt.NDArray[np.uint8],
    query: npt.NDArray[np.int32],
    far_lists: npt.NDArray[np.int32],
    far_rows: npt.NDArray[np.int32],
    far_meta: npt.NDArray[np.int64],
    far_start: npt.NDArray[np.int64],
    far_size: npt.NDArray[np.int32],
    scratch: npt.NDArray[np.int32],
    base: int,
    wide: npt.NDArray[np.int32],
    row_info: npt.NDArray[np.int32],
    place_bucket: npt.NDArray[np.int32],
    row_sig: npt.NDArray[np.uint64],
    mine_sig: np.uint64,
    tally: npt.NDArray[np.int64],
    state: npt.NDArray[np.int64],
    row_keys: npt.NDArray[np.int32],
    row_keys_start: npt.NDArray[np.int64],
    row_keys_size: npt.NDArray[np.int32],
    mine: npt.NDArray[np.int64],
    stamp: int,
    ids: npt.NDArray[np.uint64],
    n: int,
    heap_rows: npt.NDArray[np.int32],
    heap_scores: npt.NDArray[np.float64],
    heap_keys: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int32],
    kept: int,
) -> tuple[int, bool]:  # pragma: no cover - compiled
    """The far skills phase from the far index, tier by tier; (kept, whether that was all).

    After tiers ``0..k-1`` every far row that matches a skill of them has been found,
    counted in full and ranked, or skipped as unable to enter (``_scan_far``); any other
    far row scores below ``_TIER_BOUNDS[k]`` (see ``_FAR_TIERS``). So once the shortlist
    is full and its n-th is at least that bound, no unread far skill posting can reach
    the n-th (nor tie it), and the phase is done. Otherwise the next tier; after the
    last, or once the n-th is below what the tiers can settle, the caller reads the far
    lists in full, past the rows found here.
    """
    level = query[_Q_LEVEL]
    # Below an n-th of 0.6, tier 0 is read twice: first only for the rows that may match
    # every skill (score 0.6; a row of W <= 765 that misses one scores at most 0.6 * (1 -
    # 1/765), below _TIER_BOUNDS[1]). Often they fill the shortlist, and the rest of tier
    # 0 is never counted.
    tier = -1 if kept < n or heap_scores[0] < _TIER_BOUNDS[1] else 0
    while tier < _FAR_TIERS:
        if tier >= 0 and kept == n and heap_scores[0] < _TIER_BOUNDS[-1]:
            return kept, False  # the tiers would not settle it: read every far posting
        only_full = tier < 0
        for k in range(lo_key, hi_key):
            key = keys[k]
            if text[key]:
                continue
            for lev in range(level + 1):
                i = far_lists[key, lev, max(tier, 0)]
                if i >= 0:
                    lo, hi = far_start[i], far_start[i] + far_size[i]
                    kept = _scan_far(
                        lo, hi, only_full, far_rows,
                        far_meta, query, scratch, base, wide, row_info, place_bucket,
                        row_sig, mine_sig, tally, state, row_keys, row_keys_start,
                        row_keys_size, mine, stamp, ids, n, heap_rows, heap_scores,
                        heap_keys, counts, kept,
                    )  # fmt: skip
        if kept == n and heap_scores[0] >= _TIER_BOUNDS[max(tier, 0) + 1]:
            return kept, True
        tier += 1
    return kept, False


@njit(cache=True, nogil=True)
def _shortlists(
    keys: npt.NDArray[np.int32],
    ends: npt.NDArray[np.int64],
    queries: npt.NDArray[np.int32],
    lists: npt.NDArray[np.int32],
    text: npt.NDArray[np.uint8],
    n_buckets: int,
    pool_rows: npt.NDArray[np.int32],
    pool_meta: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    size: npt.NDArray[np.int32],
    row_info: npt.NDArray[np.int32],
    ids: npt.NDArray[np.uint64],
    scratch: npt.NDArray[np.int32],
    base: int,
    wide: npt.NDArray[np.int32],
    far_lists: npt.NDArray[np.int32],
    far_rows: npt.NDArray[np.int32],
    far_meta: npt.NDArray[np.int64],
    far_start: npt.NDArray[np.int64],
    far_size: npt.NDArray[np.int32],
    place_bucket: npt.NDArray[np.int32],
    row_sig: npt.NDArray[np.uint64],
    row_keys: npt.NDArray[np.int32],
    row_keys_start: npt.NDArray[np.int64],
    row_keys_size: npt.NDArray[np.int32],
    n: int,
    out_rows: npt.NDArray[np.int32],
    out_scores: npt.NDArray[np.float64],
    out_count: npt.NDArray[np.int32],
    out_read: npt.NDArray[np.int64],
    out_completed: npt.NDArray[np.int64],
) -> int:  # pragma: no cover - compiled
    """Each query's best ``n`` rows, reading its postings in phases of falling bound.

    The phases (``_PHASE_BOUNDS``): skill keys of rows anywhere or in the own regency;
    of rows in the rest of the own province; of rows in other provinces (relocating
    participants only); title-word and unit-group keys of rows anywhere or in the own
    province; of rows elsewhere. Counts only grow and the score is monotone in them, so a
    row's score so far is a lower bound of its final one. After each phase the shortlist
    so far is ranked (see below), and the query stops once it is full and its n-th score
    is strictly above the bound of the next phase, because then no unread posting can
    change a shortlisted row's score or lift another row to the n-th place:
    - all the skill postings of a row are in one phase (a row is in one place), and a row
      read in a skill phase scores at most 1.0 times its location factor: 0.8 for the
      rest of the province, 0.6 elsewhere;
    - after the skill phases a row's coverage is final: if coverage >= its final text, its
      score so far is final; else its final score is text times location, at most the
      text bound (0.3, or 0.3 * 0.6 elsewhere);
    - so a shortlisted row, which scores above every bound left, keeps its score, and any
      other row ends at its score so far (ranked after the n-th) or below the n-th. A
      score equal to the bound could still tie the n-th and win by id: hence strictly.
    The far skills phase starts from the far index (``_far_index``), and reads the far
    lists in full only when that cannot settle it, past the rows it found. A far row it
    leaves uncounted scores below the n-th (or ties it and loses by id); a text phase
    then gives it at most its text score (its skill counts are zero), its true score
    whenever that could reach the n-th: so the argument above holds as it is.
    Returns the ``base`` for the next call (see ``_tally``).
    """
    # one entry per row, and the free one _tally writes ahead
    tally = np.empty((len(row_info) + 1, _T_FIELDS), np.int64)
    state = np.zeros(3, np.int64)
    mine = np.zeros(len(text), np.int64)  # key -> the last query (+ 1) that holds it
    heap_rows = np.empty(max(n, 1), np.int32)
    heap_scores = np.empty(max(n, 1), np.float64)
    heap_keys = np.empty(max(n, 1), np.int64)
    counts = np.empty(_KINDS, np.int32)  # _rank's
    for q in range(len(ends)):
        if base + len(scratch) > _MAX_BASE:  # the next query could overflow: start again
            scratch[:] = 0
            base = 1
        query = queries[q]
        own = query[_Q_BUCKET]
        relocate = query[_Q_RELOCATE] != 0
        level = query[_Q_LEVEL]
        state[:] = 0
        kept = 0
        mine_sig = np.uint64(0)
        for k in range(ends[q - 1] if q else 0, ends[q]):
            mine[keys[k]] = q + 1
            mine_sig |= np.uint64(1) << np.uint64(keys[k] % 64)
        for phase in range(len(_PHASE_BOUNDS)):
            far = phase in (_FAR_SKILLS, _FAR_TEXT)
            if far and not relocate:
                continue
            touched_before, read_before = state[_TOUCHED], state[_READ]
            fresh = touched_before  # the first tally this phase has not ranked yet
            settled = 0
            done = False
            if phase == _FAR_SKILLS:
                first_key = ends[q - 1] if q else 0
                kept, done = _far_index(
                    first_key, ends[q], keys, text, query, far_lists,
                    far_rows, far_meta, far_start, far_size, scratch, base, wide, row_info,
                    place_bucket, row_sig, mine_sig, tally, state, row_keys,
                    row_keys_start, row_keys_size, mine, q + 1, ids, n, heap_rows,
                    heap_scores, heap_keys, counts, kept,
                )  # fmt: skip
                fresh = settled = state[_TOUCHED]
            for k in range(ends[q - 1] if q else 0, ends[q]):
                key = keys[k]
                if done or text[key] != (phase >= _NEAR_TEXT):
                    continue
                for lev in range(level + 1):
                    if far:  # every other province
                        for b in range(1, n_buckets):
                            if b == own:
                                continue
                            if settled:  # past the rows the far index found
                                _read_past(
                                    lists[key, lev, b], pool_rows, pool_meta, start, size,
                                    scratch, base, wide, settled, tally, state,
                                )  # fmt: skip
                            else:
                                _read_list(
                                    lists[key, lev, b], 0, _ALL, query, pool_rows, pool_meta,
                                    start, size, scratch, base, wide, row_info, tally, state,
                                )  # fmt: skip
                        continue
                    if phase != _PROVINCE_SKILLS:  # bucket 0: remote, or no regency
                        _read_list(
                            lists[key, lev, 0], _ANYWHERE, _ALL, query, pool_rows, pool_meta,
                            start, size, scratch, base, wide, row_info, tally, state,
                        )  # fmt: skip
                    if own > 0:  # the own province, split by regency for skills
                        which = _ALL
                        if phase == _HOME_SKILLS:
                            which = _SAME_REGENCY
                        elif phase == _PROVINCE_SKILLS:
                            which = _OTHER_REGENCY
                        _read_list(
                            lists[key, lev, own], _IN_PROVINCE, which, query, pool_rows,
                            pool_meta, start, size, scratch, base, wide, row_info, tally,
                            state,
                        )  # fmt: skip
            if state[_READ] > read_before:
                # A row's skill postings are all in one skill phase: the rows of a later
                # skill phase are new ones, and the kept ones stand. A text phase can
                # add to any row's counts: all are ranked again.
                # (The far index ranked the rows it found.)
                if phase in (_PROVINCE_SKILLS, _FAR_SKILLS):
                    lo = fresh
                else:
                    lo = kept = 0
                kept = _rank(
                    lo,
                    state[_TOUCHED],
                    tally,
                    query,
                    wide,
                    row_info,
                    ids,
                    n,
                    heap_rows,
                    heap_scores,
                    heap_keys,
                    counts,
                    kept,
                )
            if kept < n or n == 0:
                continue
            # stop when the n-th beats what any later phase can still bring
            bound = -1.0
            for later in range(phase + 1, len(_PHASE_BOUNDS)):
                if relocate or later not in (_FAR_SKILLS, _FAR_TEXT):
                    bound = _PHASE_BOUNDS[later]
                    break
            if heap_scores[0] > bound:  # the root is the n-th
                break
        base += state[_TOUCHED]
        # the heap, best first: take the worst off the top into the last place, and so on
        for size_left in range(kept, 0, -1):
            out_rows[q, size_left - 1] = heap_rows[0]
            out_scores[q, size_left - 1] = heap_scores[0]
            heap_rows[0], heap_scores[0] = heap_rows[size_left - 1], heap_scores[size_left - 1]
            heap_keys[0] = heap_keys[size_left - 1]
            _sift_down(ids, heap_rows, heap_scores, heap_keys, size_left - 1)
        out_count[q] = kept
        out_read[q] = state[_READ]
        out_completed[q] = state[_COMPLETED]
    return base


# ParticipantTable's filings. A participant is filed by what their floor (the score a
# new vacancy must meet) still lets count (bench/entering.py):
# - Gates: title words and unit groups score at most 0.3 near and 0.18 far (with the
#   phase bounds' rounding room), skills in other provinces at most 0.6 (coverage is
#   1.0 exactly at best). Text keys are filed only at or under the text gates, and a
#   relocating participant's keys in the far group only at or under the far ones.
# - Bands: skill keys are filed by the band of the coverage a vacancy needs: the floor
#   near (where the location factor is at most 1), the floor / 0.6 far. A participant
#   of band b needs more than _EDGES[b - 1] of a vacancy's skill weight; by the
#   vacancy's skills in one order, they hold one of those whose weight before it
#   leaves room above that edge, so a band's lists are read only for those (prefix
#   filtering; rarest first, so the common skills' lists are the ones skipped). The
#   kernel then counts each row it found from all its keys.
# - Top: a floor at the most a row can score in a group's lists (1.0 near, 0.6 far;
#   about half the floors are 1.0) is met only by a full match, and then only by a
#   vacancy whose id goes first: a tie at most, never a higher score. Such rows are
#   band _TOP, read for the first skill only (every skill is needed), and each top
#   list keeps the largest floor id of its rows (``_Postings.top_id``): a vacancy whose
#   id comes after it skips the list unread (ids that grow with time skip them all).
# - Regency: a floor above 0.8 (bands _REGENCY_BAND and up) cannot be met from another
#   regency of the province (0.8 at most) nor far, only by a vacancy in the own
#   regency or anywhere; so those near filings are in the regency's group *instead of*
#   the province's (both would read a same-regency row twice, as in 68e2a8f), and a
#   located vacancy reads its regency's lists for those bands and its province's for
#   the lower ones. The band is in the grade, so a floor crossing 0.8 re-files.
# - Education: every list is split in tiers by the participant's education level
#   (edges SMA and D3, the minimums vacancies mostly ask), and a vacancy reads only the
#   tiers holding a level its minimum accepts. At 1 M nine in ten postings the slowest
#   vacancies read were of participants under their minimum, passed over one by one.
_GATE_FAR_TEXT, _GATE_NEAR_TEXT, _GATE_FAR_SKILLS, _GATE_NONE = range(4)
_GATES: Final = (_PHASE_BOUNDS[_FAR_TEXT], _PHASE_BOUNDS[_NEAR_TEXT], _RELOCATION)
_EDGES: Final = (0.25, 0.5, 0.65, 0.8, 0.95)
_TOP: Final = len(_EDGES) + 1
_BANDS: Final = _TOP + 1
# A band needs more coverage than this (the top band: all of it; prefix filtering reads
# its lists for the first skill, the one skill whose room is above 1.0).
_BAND_FLOORS: Final = (-np.inf, *_EDGES, 1.0)
_REGENCY_BAND: Final = _EDGES.index(_SAME_PROVINCE) + 1  # floors above 0.8
_ROOM_MARGIN: Final = 1e-9  # reads a band a hair early: float rounding of the room
# Groups of a key's lists, each by band for skills (text lists take band 0's group):
# far (0 to _BANDS - 1) and a place's ((place + 1) * _BANDS + band, places from 1): a
# province's for text keys and bands under _REGENCY_BAND, a regency's for the bands from
# it. Provinces and regencies are places of one numbering (``ParticipantTable._place``),
# so their groups never collide. A vacancy anywhere reads every place's lists of its
# keys: a copy of them for it (everyone's lists) took two fifths of the postings, for
# one posting in twelve (bench/README.md, "Participants for a new vacancy").
_FAR_GROUP: Final = 0
# Education tiers (see above): a list's id in a key's dict is group * _TIERS + tier.
_TIER_EDGES: Final = (EDUCATION_RANK["SMA"], EDUCATION_RANK["D3"])
_TIERS: Final = len(_TIER_EDGES) + 1
_PLACE_SLOTS: Final = 2 * _BANDS * _TIERS  # a place's lists are from here (place 1)


def _id_prefix(vid: str) -> int:
    """The first eight UTF-8 bytes of an id, zero-padded, as a number in the same order."""
    return int.from_bytes(vid.encode("utf-8")[:8].ljust(8, b"\0"), "big")


def _tier(level: int) -> int:
    """The education tier of a participant's (filed) level."""
    return sum(level >= edge for edge in _TIER_EDGES)


def _tiers(edu_min: int) -> range:
    """The tiers holding a level a vacancy's minimum accepts: from the first on."""
    return range(sum(edu_min >= edge for edge in _TIER_EDGES), _TIERS)


def _is_top(slot: int) -> bool:
    """Whether a list (group * _TIERS + tier) is of the top band."""
    return slot // _TIERS % _BANDS == _TOP


def _gate(floor: float | None) -> int:
    """The gate level of a floor: the first gate it is at or under (none: 0)."""
    if floor is None:
        return _GATE_FAR_TEXT
    for level, bound in enumerate(_GATES):
        if floor <= bound:
            return level
    return _GATE_NONE


def _band(need: float | None) -> int:
    """The band of a coverage needed: how many of the edges it is above (none: 0)."""
    return 0 if need is None else sum(need > edge for edge in _EDGES)


def _grade(floor: float | None) -> tuple[int, int, int]:
    """What a floor files a participant by: gate level, near band, far band.

    The near band also says whether the near filings are the regency's or the
    province's (``_REGENCY_BAND``). A band is ``_TOP`` where the floor is the most a
    row can score there: 1.0 near, 0.6 far (the far gate keeps higher floors out).
    """
    if floor is None:
        return _gate(floor), 0, 0
    near = _TOP if floor >= 1.0 else _band(floor)
    far = _TOP if floor >= _RELOCATION else _band(floor / _RELOCATION)
    return _gate(floor), near, far


class ParticipantTable:
    """Local participants for compiled retrieval the other way: who a vacancy may enter.

    Holds each participant's keys (skills, ``~``words and ``@``unit groups), filter
    attributes and the retrieval score of the last entry of their full shortlist (the
    floor a new vacancy must beat). ``entering`` returns, for one vacancy, every
    participant who qualifies and whose shortlist it enters, by ``score_pair``'s score
    and then the vacancy id; a tie the id's first eight bytes cannot settle is returned
    flagged, for the caller to settle.

    Why groups, gates and bands: reading every holder of a vacancy's keys grows with the
    local participants, and most of them cannot take it or have a floor it cannot
    reach. Keys are filed by place, gate and band (see ``_EDGES``), so that a vacancy
    reads the lists of its province (floors up to 0.8), of its regency (floors above
    0.8, which no other place can meet) and the far ones (a vacancy anywhere: every
    place's), and of those only what a floor lets count; each participant found is then
    counted from all their keys. A floor that is the most a row can score (1.0; about
    half of them) is met only by a full match with an id that goes first: such lists
    are skipped by a vacancy whose id comes after all their floor ids. A floor moving
    into another gate or band re-files the participant. Removal is lazy: postings carry
    the low bits of the row's filing generation, and stale ones are dropped in bulk.
    """

    def __init__(self) -> None:
        self._pid: list[str | None] = []  # row -> participant (None: a free row)
        self._row_of = IdRows(self._pid)
        self._free: list[int] = []
        self._key_id: dict[str, int] = {}
        self._is_text: list[bool] = []
        self._lists: list[dict[int, _Postings]] = []  # per key id: group -> postings
        # per key id, per band * _TIERS + tier: every place's list (for vacancies anywhere)
        self._place_lists: list[list[list[_Postings]]] = []
        # Each row's key ids, in 16 bits while there are few enough: a participant has
        # about 15 (skills, title words, unit groups), a fifth of the table at 32 bits.
        # The kernel is compiled again for 32 bits, once, the day a table meets more.
        self._row_keys = _RowKeys(np.uint16)
        self._key_kind = np.zeros(0, np.int8)  # per key id: kind + 1 to the query, or 0
        self._places: dict[str, int] = {}
        self._rows = np.zeros(0, _PARTICIPANT_ROW)
        self._views()
        self._pending: set[int] = set()  # rows upserted whose filing waits for the floor
        self.postings_read = 0  # by the last ``entering`` (a statistic for bench/)

    def __len__(self) -> int:
        return len(self._row_of)

    def _views(self) -> None:
        """Each field of the row records as a column (a view: writes go to the record)."""
        rows = self._rows
        self.edu = rows["edu"]
        self.regency = rows["regency"]
        self.province = rows["province"]
        self.relocate = rows["relocate"]
        # -inf where there is none: the kernel compares it as it is, without a flag
        self.floor = rows["floor"]
        self.floor_id = rows["floor_id"]  # the floor entry's id prefix (_id_prefix)
        self.gen = rows["gen"]  # of each row's filing (see _Postings)

    def _place(self, code: str) -> int:
        return self._places.setdefault(code, len(self._places) + 1)

    def _floor_of(self, row: int) -> float | None:
        floor = float(self.floor[row])
        return None if floor == -np.inf else floor

    def _filings(self, row: int) -> list[tuple[int, int]]:
        """The (key, list) a row is in, by its floor's grade: list = group * _TIERS + tier."""
        t = _tier(_level(int(self.edu[row])))
        near = (int(self.province[row]) + 1) * _BANDS * _TIERS + t
        far = bool(self.relocate[row])
        level, band, far_band = _grade(self._floor_of(row))
        # above 0.8 only a vacancy of the own regency (or anywhere) can meet the floor
        home = (int(self.regency[row]) + 1) * _BANDS * _TIERS + t
        if band < _REGENCY_BAND:
            home = near
        far_group = _FAR_GROUP * _TIERS + t
        out = []
        for key in self._row_keys.of(row).tolist():
            if not self._is_text[key]:
                out.append((key, home + band * _TIERS))
                if far and level <= _GATE_FAR_SKILLS:
                    out.append((key, far_group + far_band * _TIERS))
            else:
                if level <= _GATE_NEAR_TEXT:
                    out.append((key, near))
                if far and level == _GATE_FAR_TEXT:
                    out.append((key, far_group))
        return out

    def _file(self, row: int) -> None:
        gen, edu = int(self.gen[row]), _level(int(self.edu[row]))
        floor_id = int(self.floor_id[row])
        for key, group in self._filings(row):
            postings = self._lists[key].get(group)
            if postings is None:
                postings = self._lists[key][group] = _Postings()
                if group >= _PLACE_SLOTS:
                    self._place_lists[key][group % (_BANDS * _TIERS)].append(postings)
            postings.add(row, gen, edu)
            if _is_top(group):
                postings.top_id = max(postings.top_id, floor_id)

    def _raise_top_ids(self, row: int) -> None:
        """Let the top lists a row stays in know its new floor id (not re-filed)."""
        floor_id = int(self.floor_id[row])
        for key, group in self._filings(row):
            if _is_top(group):
                postings = self._lists[key][group]
                postings.top_id = max(postings.top_id, floor_id)

    def _unfile(self, row: int) -> None:
        """Make all a row's postings stale, and count them so."""
        filings = self._filings(row)
        self.gen[row] = (int(self.gen[row]) + 1) & 0xFF  # see _PARTICIPANT_ROW
        for key, group in filings:
            self._lists[key][group].drop(self.gen)

    def upsert(self, profile: ParticipantProfile) -> None:
        """Add a participant, or replace the one with the same id (their floor is kept)."""
        pid = profile.participant_id
        row = self._row_of.get(pid)
        floor = self._floor_of(row) if row is not None else None
        floor_id = self.floor_id[row] if row is not None else 0
        self.remove(pid)
        row = self._free.pop() if self._free else len(self._pid)
        if row == _MAX_PARTICIPANT_ROWS:  # a posting's word has no room for it
            raise OverflowError(
                f"a ParticipantTable holds at most {_MAX_PARTICIPANT_ROWS:,} participants;"
                " spread them over more workers (partitions of participants.v1)"
            )
        if row == len(self._pid):
            self._pid.append(None)
            self._rows = _grow(self._rows, row + 1)  # type: ignore[assignment]
            self._views()
        self._pid[row] = pid
        self._row_of.add(pid, row)
        self.edu[row] = profile.education_rank
        self.regency[row] = self._place(profile.regency_code)
        self.province[row] = self._place("prov:" + profile.regency_code[:2])
        self.relocate[row] = profile.willing_to_relocate
        self.floor[row] = -np.inf if floor is None else floor
        self.floor_id[row] = floor_id
        keys = []
        for name in profile.keys:
            key = self._key_id.get(name)
            if key is None:
                key = self._key_id[name] = len(self._lists)
                if key == _NARROW_KEYS:
                    self._row_keys.widen()
                self._lists.append({})
                self._place_lists.append([[] for _ in range(_BANDS * _TIERS)])
                self._is_text.append(name.startswith((_WORD_KEY, _OCCUPATION_KEY)))
            keys.append(key)
        self._row_keys.put(row, keys)
        # Filing waits for the floor, which the engine sets next, once the shortlist is
        # known: filing by the kept floor would mostly be undone (a query files it).
        self._pending.add(row)

    def remove(self, pid: str) -> bool:
        """Forget a participant; False when they were not here."""
        row = self._row_of.pop(pid)
        if row is None:
            return False
        if row in self._pending:
            self._pending.discard(row)
        else:
            self._unfile(row)
        self._row_keys.clear(row)
        self._pid[row] = None
        self.floor[row] = -np.inf
        self._free.append(row)
        return True

    def set_floor(self, pid: str, floor: tuple[float, str] | None) -> None:
        """Set the last entry of a full shortlist: (retrieval score, vacancy id).

        None when the list is not full. ``entering`` settles a tie with the floor by the
        vacancy ids where their first eight bytes differ.
        """
        row = self._row_of.get(pid)
        if row is None:
            return
        pending = row in self._pending
        grade = _grade(None if floor is None else floor[0])
        refile = pending or _grade(self._floor_of(row)) != grade
        if refile and not pending:
            self._unfile(row)  # by the floor it was filed by
        floor_id = 0 if floor is None else _id_prefix(floor[1])
        moved_id = floor_id != self.floor_id[row]
        self.floor[row] = -np.inf if floor is None else floor[0]
        self.floor_id[row] = floor_id
        if refile:
            self._pending.discard(row)
            self._file(row)
        elif moved_id and _TOP in grade[1:]:
            # the same lists, and one of them top: the top id bounds this floor id too
            self._raise_top_ids(row)

    def _flush(self) -> None:
        """File the rows whose floor has not come since their upsert, by the kept floor."""
        for row in self._pending:
            self._file(row)
        self._pending.clear()

    def _reads(
        self,
        vacancy: VacancyProfile,
        kind_of: dict[int, int],
        anywhere: bool,
        regency: int,
        province: int,
        v_id: int,
    ) -> tuple[list[_Postings], list[float]]:
        """The lists ``entering`` reads for a vacancy, in order, and the room of each.

        ``kind_of`` holds the vacancy's keys that this table knows, by kind; ``regency``
        and ``province`` are its places here (-1: none), ``v_id`` its id prefix. Text
        lists come first (no room: inf), then skill lists by falling room.
        """
        # Everyone may take a vacancy anywhere: it reads every place's lists of its keys
        # (not the far ones, which hold the same rows again). A located one reads those of
        # its province (floors up to 0.8), of its regency (above 0.8) and of those who
        # relocate. A place no participant here is of has no lists.
        tiers = _tiers(vacancy.education_min_rank)
        text_slots: list[int] = []
        skill_slots: list[tuple[int, int]] = []
        if not anywhere:
            text_groups = [(province + 1) * _BANDS] if province >= 0 else []
            text_groups.append(_FAR_GROUP)
            skill_groups = [(band, _FAR_GROUP + band) for band in range(_BANDS)]
            if province >= 0:
                near = (province + 1) * _BANDS
                skill_groups += [(band, near + band) for band in range(_REGENCY_BAND)]
            if regency >= 0:
                home = (regency + 1) * _BANDS
                skill_groups += [(band, home + band) for band in range(_REGENCY_BAND, _BANDS)]
            # each group's lists of the education tiers the vacancy's minimum accepts
            text_slots = [g * _TIERS + t for g in text_groups for t in tiers]
            skill_slots = [(band, g * _TIERS + t) for band, g in skill_groups for t in tiers]
        lists: list[_Postings] = []  # text lists first, then skill lists by room
        skills: list[tuple[int, float, list[tuple[int, _Postings]]]] = []
        for key, kind in kind_of.items():
            if anywhere:  # there are thousands: a regency's lists for each high band
                by_slot = self._place_lists[key]
                found = [
                    (band, p)
                    for band in range(_BANDS)
                    for tier in tiers
                    for p in by_slot[band * _TIERS + tier]
                ]
            elif kind in (_WORD, _OCCUPATION):
                groups = self._lists[key]
                found = [(0, p) for g in text_slots if (p := groups.get(g)) is not None]
            else:
                groups = self._lists[key]
                found = [(band, p) for band, g in skill_slots if (p := groups.get(g)) is not None]
            if kind in (_WORD, _OCCUPATION):  # text lists are gated, not banded
                lists.extend(p for _, p in found)
                continue
            # a top list whose rows' floor ids all come before this id: none is met
            banded = [(band, p) for band, p in found if band != _TOP or v_id <= p.top_id]
            weight = 1.0 if kind == _ESSENTIAL else _OPTIONAL_WEIGHT
            skills.append((sum(p.size for _, p in banded), weight, banded))
        # Prefix filtering over the skills, rarest first: a band's list is read while
        # the weight not yet passed leaves more room than its edge.
        total = len(vacancy.essential) + _OPTIONAL_WEIGHT * len(vacancy.optional)
        rooms = [np.inf] * len(lists)
        before = 0.0
        for _, weight, banded in sorted(skills, key=lambda s: s[0]):
            room = 1.0 - before / total + _ROOM_MARGIN
            for band, p in banded:
                if _BAND_FLOORS[band] < room:
                    lists.append(p)
                    rooms.append(room)
            before += weight
        return lists, rooms

    def entering(self, vacancy: VacancyProfile) -> list[tuple[str, float, bool]]:
        """(participant, score, tie) for everyone the vacancy enters the shortlist of.

        ``tie`` flags a score equal to the floor whose vacancy id has the same first
        eight bytes: the caller settles those by the whole id.
        """
        self._flush()
        code = vacancy.regency_code
        anywhere = vacancy.remote or code is None
        regency = -1 if code is None else self._places.get(code, -1)
        province = -1 if code is None else self._places.get("prov:" + code[:2], -1)
        v_id = _id_prefix(vacancy.vacancy_id)
        kind_of: dict[int, int] = {}
        for kind, names in _filed_keys(vacancy):
            for name in names:
                key = self._key_id.get(name)
                if key is not None:
                    kind_of.setdefault(key, kind)  # essential before optional
        lists, rooms = self._reads(vacancy, kind_of, anywhere, regency, province, v_id)
        sizes = [p.size for p in lists]
        self.postings_read = sum(sizes)
        if not self.postings_read:
            return []
        postings = np.concatenate([p.items[: p.size] for p in lists])
        room_of = np.repeat(np.array(rooms), sizes)
        # The vacancy's kind of each key, + 1 (0: not the vacancy's), for the kernel's
        # counts; set for this call only.
        self._key_kind = _grow(self._key_kind, len(self._lists))  # type: ignore[assignment]
        key_kind = self._key_kind
        query_keys = list(kind_of)
        key_kind[query_keys] = [kind + 1 for kind in kind_of.values()]
        out_rows = np.zeros(len(postings), np.int32)
        out_scores = np.zeros(len(postings), np.float64)
        out_tie = np.zeros(len(postings), np.bool_)
        try:
            count = _entering(
                postings,
                room_of,
                len(vacancy.essential),
                len(vacancy.optional),
                len(vacancy.words),
                vacancy.education_min_rank,
                bool(anywhere),
                regency,
                province,
                self._rows,
                np.uint64(v_id),
                self._row_keys.keys,
                self._row_keys.start,
                self._row_keys.size,
                key_kind,
                np.zeros((len(self._pid) + 7) // 8, np.uint8),
                out_rows,
                out_scores,
                out_tie,
            )
        finally:
            key_kind[query_keys] = 0
        # in C, not a Python loop: the slowest postings enter tens of thousands of lists
        pid_of = cast(list[str], self._pid).__getitem__
        return list(
            zip(
                map(pid_of, out_rows[:count].tolist()),
                out_scores[:count].tolist(),
                out_tie[:count].tolist(),
                strict=True,
            )
        )


@njit(cache=True, nogil=True)
def _entering(
    postings: npt.NDArray[np.uint32],
    room_of: npt.NDArray[np.float64],
    v_ess: int,
    v_opt: int,
    v_words: int,
    v_edu_min: int,
    v_anywhere: bool,
    v_regency: int,
    v_province: int,
    people: npt.NDArray[np.void],
    v_id: np.uint64,
    row_keys: npt.NDArray[np.uint16] | npt.NDArray[np.int32],
    key_start: npt.NDArray[np.int64],
    key_size: npt.NDArray[np.int32],
    key_kind: npt.NDArray[np.int8],
    seen: npt.NDArray[np.uint8],
    out_rows: npt.NDArray[np.int32],
    out_scores: npt.NDArray[np.float64],
    out_tie: npt.NDArray[np.bool_],
) -> int:  # pragma: no cover - compiled
    """Rows of the live postings, each once, counted from all its keys and filtered.

    Postings (``_posting`` words) come in order of falling room (``room_of``: text lists
    have no bound). A row that can enter holds a first of the vacancy's skills, and its
    live posting under that one is read (its band there is read), before the lists of
    any later skill: so a row first met in a skill list either holds none of the skills
    before it, and scores at most room * location, or cannot enter. One whose floor is
    above that is passed over without counting its keys, and so are its later postings.
    That holds where a stale posting looks live too (see ``_Postings``): all else is
    read from the row. A row scores at most its location factor, so one whose floor is
    that already, with a floor id before the vacancy's, is passed over too: at best a
    tie the id loses.
    """
    counts = np.zeros(_KINDS, np.int32)
    out = 0
    for t in range(len(postings)):
        posting = postings[t]
        if v_edu_min > (posting >> _POSTING_EDU) & 0xF:
            continue
        r = posting >> _POSTING_ROW
        # A bit per row says it was met (a row is often in several of the lists): the
        # bits of a million rows stay in cache, where the rows' own arrays do not. A
        # stale posting (its row re-filed or removed since) is passed over, unless its
        # generation bits came round: the row's live postings say where it is now.
        bit = np.uint8(1 << (r & 7))
        row = people[r]  # its record (_PARTICIPANT_ROW): one cache line
        if seen[r >> 3] & bit or row.gen & _POSTING_GEN != posting & _POSTING_GEN:
            continue
        seen[r >> 3] |= bit
        # At 1 M rows the row's record is a cache miss and its keys two more, so the
        # keys are read only where they can matter. The education is the row's own (the
        # posting's level is of a filing, maybe stale, and a rank under 0 is filed at
        # 0). A floor (-inf: none) above the room is passed over before the place is
        # looked at (the factor is at most 1), and a vacancy anywhere needs no place.
        if v_edu_min > row.edu:
            continue
        f = row.floor
        if f > room_of[t]:
            continue
        loc = 1.0
        if not v_anywhere:
            loc = _location(
                False, v_regency == row.regency, v_province == row.province, row.relocate != 0
            )
            if loc == 0.0:
                continue
        if f > room_of[t] * loc or (f >= loc and v_id > row.floor_id):
            continue
        counts[:] = 0
        start = key_start[r]
        for j in range(start, start + key_size[r]):
            kind = key_kind[row_keys[j]]
            if kind:
                counts[kind - 1] += 1
        score = _score(counts, v_ess, v_opt, v_words, loc)
        tie = False
        if score < f:
            continue
        if score == f:  # the smaller id goes first; equal prefixes: the caller's
            if v_id > row.floor_id:
                continue
            tie = v_id == row.floor_id
        out_rows[out] = r
        out_scores[out] = score
        out_tie[out] = tie
        out += 1
    return out
