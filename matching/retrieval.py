"""Compiled first stage of the engine: each participant's shortlist of open vacancies.

``VacancyTable`` holds the open vacancies as arrays (per-key postings, per-row counts,
filters and id bytes) and returns, for a batch of participants, the best ``n`` qualifying
vacancies by the skill-overlap score of ``matching.overlap.score_pair``, ties broken by
vacancy id. One numba kernel does the counting, filtering, scoring and top-n selection,
with the same float operations in the same order as ``score_pair``, so the shortlist is
exactly the one the pure-Python definition gives (a property test holds them equal).

Why arrays and a kernel: scoring every vacancy that shares a key with a participant in
Python costs ~3 µs a vacancy, and with 100,000 open vacancies a participant shares a key
with thousands of them (bench/engine.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from numba import njit

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


def _grow(arr: npt.NDArray[np.generic], needed: int) -> npt.NDArray[np.generic]:
    if needed <= len(arr):
        return arr
    bigger = np.zeros((max(needed, 2 * len(arr), _MIN_CAPACITY), *arr.shape[1:]), arr.dtype)
    bigger[: len(arr)] = arr
    return bigger


class _Postings:
    """The rows filed under one key, with what the key is to each row; append and remove."""

    __slots__ = ("kinds", "rows", "size")

    def __init__(self) -> None:
        self.rows = np.zeros(8, np.int32)
        self.kinds = np.zeros(8, np.int8)
        self.size = 0

    def add(self, row: int, kind: int) -> None:
        if self.size == len(self.rows):
            self.rows = _grow(self.rows, self.size + 1)  # type: ignore[assignment]
            self.kinds = _grow(self.kinds, self.size + 1)  # type: ignore[assignment]
        self.rows[self.size] = row
        self.kinds[self.size] = kind
        self.size += 1

    def remove(self, row: int) -> None:
        keep = self.rows[: self.size] != row
        kept = int(keep.sum())
        self.rows[:kept] = self.rows[: self.size][keep]
        self.kinds[:kept] = self.kinds[: self.size][keep]
        self.size = kept


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
        self._keys_of: dict[str, tuple[tuple[int, int], ...]] = {}
        self._vid: list[str | None] = []
        self._free: list[int] = []
        self._key_id: dict[str, int] = {}
        # Postings by (key, location bucket): bucket 0 holds vacancies anyone may take
        # (remote, or no regency), bucket p those in province p. A participant who will not
        # relocate reads only bucket 0 and their own province's: about a tenth of the
        # postings, with the same result, since the filter would drop the rest.
        self._postings: dict[tuple[int, int], _Postings] = {}
        self._buckets: list[list[int]] = []  # key -> its buckets
        self._places: dict[str, int] = {}  # regency or province code -> small int
        self.n_ess = np.zeros(0, np.int32)
        self.n_opt = np.zeros(0, np.int32)
        self.n_words = np.zeros(0, np.int32)
        self.edu_min = np.zeros(0, np.int32)
        self.regency = np.zeros(0, np.int32)
        self.province = np.zeros(0, np.int32)
        self.anywhere = np.zeros(0, np.uint8)
        self.ids = np.zeros((0, 16), np.uint8)  # vacancy id bytes, zero-padded: tie-breaks
        # Scratch of the kernel, one slot per row, reused across calls.
        self._counts = np.zeros((0, _KINDS), np.int32)
        self._stamp = np.zeros(0, np.int64)
        self._marks = 0  # queries seen: each query's scratch mark is unique, ever

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, vid: object) -> bool:
        return vid in self._row_of

    def _place(self, code: str) -> int:
        return self._places.setdefault(code, len(self._places) + 1)

    def upsert(self, profile: VacancyProfile) -> None:
        """Add an open vacancy, or replace the one with the same id."""
        vid = profile.vacancy_id
        self.remove(vid)
        row = self._free.pop() if self._free else len(self._vid)
        if row == len(self._vid):
            self._vid.append(None)
            size = row + 1
            for name in ("n_ess", "n_opt", "n_words", "edu_min", "regency", "province"):
                setattr(self, name, _grow(getattr(self, name), size))
            self.anywhere = _grow(self.anywhere, size)  # type: ignore[assignment]
            self.ids = _grow(self.ids, size)  # type: ignore[assignment]
            self._counts = _grow(self._counts, size)  # type: ignore[assignment]
            self._stamp = _grow(self._stamp, size)  # type: ignore[assignment]
        raw = vid.encode("utf-8")
        if len(raw) > self.ids.shape[1]:
            wider = np.zeros((len(self.ids), max(len(raw), 2 * self.ids.shape[1])), np.uint8)
            wider[:, : self.ids.shape[1]] = self.ids
            self.ids = wider
        self.ids[row] = 0
        self.ids[row, : len(raw)] = np.frombuffer(raw, np.uint8)
        self._vid[row] = vid
        self._row_of[vid] = row
        self.n_ess[row] = len(profile.essential)
        self.n_opt[row] = len(profile.optional)
        self.n_words[row] = len(profile.words)
        self.edu_min[row] = profile.education_min_rank
        code = profile.regency_code
        self.anywhere[row] = profile.remote or code is None
        self.regency[row] = self._place(code) if code is not None else 0
        self.province[row] = self._place("prov:" + code[:2]) if code is not None else 0
        bucket = 0 if self.anywhere[row] else int(self.province[row])
        keys: list[tuple[int, int]] = []
        for kind, names in _filed_keys(profile):
            for name in names:
                key = self._key_id.get(name)
                if key is None:
                    key = self._key_id[name] = len(self._buckets)
                    self._buckets.append([])
                postings = self._postings.get((key, bucket))
                if postings is None:
                    postings = self._postings[key, bucket] = _Postings()
                    self._buckets[key].append(bucket)
                postings.add(row, kind)
                keys.append((key, bucket))
        self._keys_of[vid] = tuple(keys)

    def remove(self, vid: str) -> bool:
        """Forget a vacancy (closed, or about to be replaced); False when it was not here."""
        row = self._row_of.pop(vid, None)
        if row is None:
            return False
        for key in self._keys_of.pop(vid):
            self._postings[key].remove(row)
        self._vid[row] = None
        self._free.append(row)
        return True

    def shortlists(
        self, profiles: Sequence[ParticipantProfile], n: int
    ) -> list[list[tuple[str, float]]]:
        """The best ``n`` qualifying vacancies of each participant: (id, score), best first.

        Score and order as ``score_pair`` and the engine define them: the score descending,
        then the vacancy id ascending.
        """
        if not profiles:
            return []
        slices_rows: list[npt.NDArray[np.int32]] = []
        slices_kinds: list[npt.NDArray[np.int8]] = []
        offsets = np.zeros(len(profiles) + 1, np.int64)
        edu = np.zeros(len(profiles), np.int32)
        regency = np.zeros(len(profiles), np.int32)
        province = np.zeros(len(profiles), np.int32)
        relocate = np.zeros(len(profiles), np.uint8)
        total = 0
        postings_of = self._postings
        for q, profile in enumerate(profiles):
            # A participant's code is looked up, not added: an unknown one matches no row.
            regency[q] = self._places.get(profile.regency_code, -1)
            province[q] = own = self._places.get("prov:" + profile.regency_code[:2], -1)
            relocate[q] = profile.willing_to_relocate
            edu[q] = profile.education_rank
            for name in profile.keys:
                key = self._key_id.get(name)
                if key is None:
                    continue
                buckets = self._buckets[key] if profile.willing_to_relocate else (0, own)
                for bucket in buckets:
                    postings = postings_of.get((key, bucket))
                    if postings is not None and postings.size:
                        slices_rows.append(postings.rows[: postings.size])
                        slices_kinds.append(postings.kinds[: postings.size])
                        total += postings.size
            offsets[q + 1] = total
        rows = np.concatenate(slices_rows) if slices_rows else np.zeros(0, np.int32)
        kinds = np.concatenate(slices_kinds) if slices_kinds else np.zeros(0, np.int8)
        out_rows = np.zeros((len(profiles), max(n, 1)), np.int32)
        out_scores = np.zeros((len(profiles), max(n, 1)), np.float64)
        out_count = np.zeros(len(profiles), np.int32)
        base = self._marks
        self._marks += len(profiles)
        _shortlists(
            rows,
            kinds,
            offsets,
            edu,
            regency,
            province,
            relocate,
            self.n_ess,
            self.n_opt,
            self.n_words,
            self.edu_min,
            self.regency,
            self.province,
            self.anywhere,
            self.ids,
            self._counts,
            self._stamp,
            base,
            n,
            out_rows,
            out_scores,
            out_count,
        )
        vids = self._vid
        out: list[list[tuple[str, float]]] = []
        for q, count in enumerate(out_count.tolist()):
            rows_q = out_rows[q, :count].tolist()
            scores_q = out_scores[q, :count].tolist()
            out.append([(str(vids[r]), s) for r, s in zip(rows_q, scores_q, strict=True)])
        return out


@njit(cache=True, nogil=True)
def _before(
    ids: npt.NDArray[np.uint8], a: int, score_a: float, b: int, score_b: float
) -> bool:  # pragma: no cover - compiled
    """Whether row ``a`` ranks before row ``b``: higher score, then smaller id bytes."""
    if score_a != score_b:
        return score_a > score_b
    for i in range(ids.shape[1]):
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
def _shortlists(
    rows: npt.NDArray[np.int32],
    kinds: npt.NDArray[np.int8],
    offsets: npt.NDArray[np.int64],
    q_edu: npt.NDArray[np.int32],
    q_regency: npt.NDArray[np.int32],
    q_province: npt.NDArray[np.int32],
    q_relocate: npt.NDArray[np.uint8],
    n_ess: npt.NDArray[np.int32],
    n_opt: npt.NDArray[np.int32],
    n_words: npt.NDArray[np.int32],
    edu_min: npt.NDArray[np.int32],
    regency: npt.NDArray[np.int32],
    province: npt.NDArray[np.int32],
    anywhere: npt.NDArray[np.uint8],
    ids: npt.NDArray[np.uint8],
    counts: npt.NDArray[np.int32],
    stamp: npt.NDArray[np.int64],
    stamp_base: int,
    n: int,
    out_rows: npt.NDArray[np.int32],
    out_scores: npt.NDArray[np.float64],
    out_count: npt.NDArray[np.int32],
) -> None:  # pragma: no cover - compiled
    touched = np.empty(len(stamp), np.int32)
    for q in range(len(offsets) - 1):
        mark = stamp_base + q + 1  # unique per (call, query)
        n_touched = _count(rows, kinds, offsets[q], offsets[q + 1], counts, stamp, mark, touched)
        kept = 0
        for i in range(n_touched):
            r = touched[i]
            if edu_min[r] > q_edu[q]:
                continue
            loc = _location(
                anywhere[r] != 0,
                regency[r] == q_regency[q],
                province[r] == q_province[q],
                q_relocate[q] != 0,
            )
            if loc == 0.0:
                continue
            score = _score(counts[r], n_ess[r], n_opt[r], n_words[r], loc)
            # keep the best n, sorted: insert where it belongs, drop the last
            if kept == n:
                last = out_rows[q, n - 1]
                if not _before(ids, r, score, last, out_scores[q, n - 1]):
                    continue
                j = n - 1
            else:
                j = kept
                kept += 1
            while j > 0 and _before(ids, r, score, out_rows[q, j - 1], out_scores[q, j - 1]):
                out_rows[q, j] = out_rows[q, j - 1]
                out_scores[q, j] = out_scores[q, j - 1]
                j -= 1
            out_rows[q, j] = r
            out_scores[q, j] = score
        out_count[q] = kept


class ParticipantTable:
    """Local participants for compiled retrieval the other way: who a vacancy may enter.

    Holds each participant's keys (skills and ``~``words), filter attributes and the
    retrieval score of the last entry of their full shortlist (the floor a new vacancy
    must beat). ``entering`` returns, for one vacancy, every participant who qualifies
    and whose shortlist it would enter, by ``score_pair``'s score; a score equal to a
    floor is returned flagged, for the caller to settle by vacancy id.
    """

    def __init__(self) -> None:
        self._row_of: dict[str, int] = {}
        self._keys_of: dict[str, tuple[int, ...]] = {}
        self._pid: list[str | None] = []
        self._free: list[int] = []
        self._key_id: dict[str, int] = {}
        self._postings: list[_Postings] = []
        self._places: dict[str, int] = {}
        self.edu = np.zeros(0, np.int32)
        self.regency = np.zeros(0, np.int32)
        self.province = np.zeros(0, np.int32)
        self.relocate = np.zeros(0, np.uint8)
        self.has_floor = np.zeros(0, np.uint8)
        self.floor = np.zeros(0, np.float64)
        self._counts = np.zeros((0, _KINDS), np.int32)
        self._stamp = np.zeros(0, np.int64)
        self._marks = 0

    def __len__(self) -> int:
        return len(self._row_of)

    def _place(self, code: str) -> int:
        return self._places.setdefault(code, len(self._places) + 1)

    def upsert(self, profile: ParticipantProfile) -> None:
        """Add a participant, or replace the one with the same id (their floor is kept)."""
        pid = profile.participant_id
        row = self._row_of.get(pid)
        had_floor, floor = (
            (int(self.has_floor[row]), float(self.floor[row])) if row is not None else (0, 0.0)
        )
        self.remove(pid)
        row = self._free.pop() if self._free else len(self._pid)
        if row == len(self._pid):
            self._pid.append(None)
            size = row + 1
            for name in ("edu", "regency", "province", "relocate", "has_floor", "floor"):
                setattr(self, name, _grow(getattr(self, name), size))
            self._counts = _grow(self._counts, size)  # type: ignore[assignment]
            self._stamp = _grow(self._stamp, size)  # type: ignore[assignment]
        self._pid[row] = pid
        self._row_of[pid] = row
        self.edu[row] = profile.education_rank
        self.regency[row] = self._place(profile.regency_code)
        self.province[row] = self._place("prov:" + profile.regency_code[:2])
        self.relocate[row] = profile.willing_to_relocate
        self.has_floor[row] = had_floor
        self.floor[row] = floor
        keys = []
        for name in profile.keys:
            key = self._key_id.get(name)
            if key is None:
                key = self._key_id[name] = len(self._postings)
                self._postings.append(_Postings())
            self._postings[key].add(row, 0)
            keys.append(key)
        self._keys_of[pid] = tuple(keys)

    def remove(self, pid: str) -> bool:
        """Forget a participant; False when they were not here."""
        row = self._row_of.pop(pid, None)
        if row is None:
            return False
        for key in self._keys_of.pop(pid):
            self._postings[key].remove(row)
        self._pid[row] = None
        self.has_floor[row] = 0
        self._free.append(row)
        return True

    def set_floor(self, pid: str, score: float | None) -> None:
        """The retrieval score of the last entry of a full shortlist; None when not full."""
        row = self._row_of.get(pid)
        if row is not None:
            self.has_floor[row] = score is not None
            self.floor[row] = 0.0 if score is None else score

    def entering(self, vacancy: VacancyProfile) -> list[tuple[str, float, bool]]:
        """(participant, score, ties the floor) for everyone the vacancy may enter."""
        slices: list[npt.NDArray[np.int32]] = []
        kinds: list[npt.NDArray[np.int8]] = []
        for kind, names in _filed_keys(vacancy):
            for name in names:
                key = self._key_id.get(name)
                if key is not None and self._postings[key].size:
                    postings = self._postings[key]
                    slices.append(postings.rows[: postings.size])
                    kinds.append(np.full(postings.size, kind, np.int8))
        if not slices:
            return []
        rows = np.concatenate(slices)
        code = vacancy.regency_code
        anywhere = vacancy.remote or code is None
        out_rows = np.zeros(len(rows), np.int32)
        out_scores = np.zeros(len(rows), np.float64)
        out_tie = np.zeros(len(rows), np.uint8)
        mark = self._marks + 1
        self._marks += 1
        count = _entering(
            rows,
            np.concatenate(kinds),
            len(vacancy.essential),
            len(vacancy.optional),
            len(vacancy.words),
            vacancy.education_min_rank,
            bool(anywhere),
            self._places.get(code, -1) if code is not None else -1,
            self._places.get("prov:" + code[:2], -1) if code is not None else -1,
            self.edu,
            self.regency,
            self.province,
            self.relocate,
            self.has_floor,
            self.floor,
            self._counts,
            self._stamp,
            mark,
            out_rows,
            out_scores,
            out_tie,
        )
        pids = self._pid
        return [
            (str(pids[r]), s, bool(t))
            for r, s, t in zip(
                out_rows[:count].tolist(),
                out_scores[:count].tolist(),
                out_tie[:count].tolist(),
                strict=True,
            )
        ]


@njit(cache=True, nogil=True)
def _entering(
    rows: npt.NDArray[np.int32],
    kinds: npt.NDArray[np.int8],
    v_ess: int,
    v_opt: int,
    v_words: int,
    v_edu_min: int,
    v_anywhere: bool,
    v_regency: int,
    v_province: int,
    edu: npt.NDArray[np.int32],
    regency: npt.NDArray[np.int32],
    province: npt.NDArray[np.int32],
    relocate: npt.NDArray[np.uint8],
    has_floor: npt.NDArray[np.uint8],
    floor: npt.NDArray[np.float64],
    counts: npt.NDArray[np.int32],
    stamp: npt.NDArray[np.int64],
    mark: int,
    out_rows: npt.NDArray[np.int32],
    out_scores: npt.NDArray[np.float64],
    out_tie: npt.NDArray[np.uint8],
) -> int:  # pragma: no cover - compiled
    touched = np.empty(len(rows), np.int32)
    n_touched = _count(rows, kinds, 0, len(rows), counts, stamp, mark, touched)
    out = 0
    for i in range(n_touched):
        r = touched[i]
        if v_edu_min > edu[r]:
            continue
        loc = _location(
            v_anywhere, v_regency == regency[r], v_province == province[r], relocate[r] != 0
        )
        if loc == 0.0:
            continue
        score = _score(counts[r], v_ess, v_opt, v_words, loc)
        if has_floor[r] and score < floor[r]:
            continue
        out_rows[out] = r
        out_scores[out] = score
        out_tie[out] = has_floor[r] and score == floor[r]
        out += 1
    return out
