"""Sparse IDF-weighted skill index with exact, filtered top-N retrieval (numpy + scipy only).

One :class:`SkillIndex` holds one kind of entity (the open vacancies, or a worker's
participants) as sparse skill vectors and answers "which rows best match these skills"
for queries from the other side, with the hard filters of the matcher (minimum
education, region or remote or relocation).

Scoring. For a query ``q`` (skill -> weight) and a row ``r``::

    score(q, r) = sum over shared skills s of q_s * idf_s**2 * r_s / (|q| * |r|)

with ``idf_s = log((N + 1) / (df_s + 1)) + 1`` over the ``N`` live rows, and ``|q|``,
``|r|`` the plain L2 norms of the weights. The norms are deliberately *not* IDF-weighted:
document frequencies move with every upsert, and an IDF-weighted row norm would have to
be recomputed for every row holding a skill whose df changed. With plain norms a row's
norm is fixed when it is written, IDF is applied at query time from the live document
frequencies, and adding a row rewrites nothing else.

Storage. An inverted index skill -> (row ids int32, weights float32) in growable numpy
arrays. An update never rewrites postings in place: the old row is marked dead and the
new version gets a fresh row id, so the postings of one skill hold each row id at most
once and stay sorted by row id. Dead postings are masked by a per-row alive flag and
dropped by :meth:`SkillIndex.compact`, which runs by itself once more than 25% of the
postings or row slots are garbage.

Exactness. Results are a function of the live rows alone: the same live rows give the
same scores (bit for bit: skills are accumulated in ascending id order in both query
paths) and the same order, ties broken by key, whatever the history of updates.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = [
    "QueryFilters",
    "RowAttrs",
    "SkillIndex",
    "Vocabulary",
    "parse_regency",
]

Role = Literal["vacancies", "participants"]

_GARBAGE_SHARE = 0.25
# Growable arrays grow by a quarter, not by doubling: at 8.3 M participants the postings
# are most of the memory, and doubling could leave up to half of them as slack.
_GROWTH = 1.25
_MIN_CAPACITY = 8
# Above this many stored postings, a batch does not build a scipy snapshot of the whole
# index (it would copy every posting) but runs the per-query numpy path instead.
_SNAPSHOT_MAX_POSTINGS = 5_000_000

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def parse_regency(code: str | None) -> tuple[int, int]:
    """Map a kab/kota code such as ``"32.73"`` to ``(province, regency)`` = ``(32, 3273)``.

    ``None`` or an empty string gives ``(0, 0)``: no location.
    """
    if not code:
        return 0, 0
    prov, _, reg = code.partition(".")
    return int(prov), int(prov) * 100 + int(reg or 0)


class Vocabulary:
    """A growing map from canonical skill names to dense integer ids (0, 1, 2, ...)."""

    def __init__(self, names: Sequence[str] = ()) -> None:
        self._ids: dict[str, int] = {}
        self._names: list[str] = []
        for name in names:
            self.id_of(name)

    def id_of(self, name: str) -> int:
        """Id of ``name``, assigning the next free id the first time it is seen."""
        found = self._ids.get(name)
        if found is None:
            found = len(self._names)
            self._ids[name] = found
            self._names.append(name)
        return found

    def get(self, name: str) -> int | None:
        """Id of ``name`` if known, without assigning one (for queries)."""
        return self._ids.get(name)

    def name_of(self, skill_id: int) -> str:
        """The name a skill id was assigned to."""
        return self._names[skill_id]

    def __len__(self) -> int:
        return len(self._names)


@dataclass(frozen=True, slots=True)
class RowAttrs:
    """Hard-filter attributes of one entity, a row of the index or the one asking.

    ``education_rank`` is the participant's rank or the vacancy's minimum rank;
    ``regency`` a kab/kota code as an int (3273 for "32.73", 0 for none) and
    ``province`` its first two digits (see :func:`parse_regency`). ``remote`` is read on
    vacancies, ``willing_to_relocate`` on participants.
    """

    education_rank: int = 0
    province: int = 0
    regency: int = 0
    remote: bool = False
    willing_to_relocate: bool = False


# A query is filtered by the attributes of the entity that asks: a participant's own
# rank and region when asking for vacancies, a vacancy's minimum and region when asking
# for participants.
QueryFilters = RowAttrs


def _grow(arr: npt.NDArray[np.generic], needed: int) -> npt.NDArray[np.generic]:
    """Return ``arr`` or a larger copy with room for ``needed`` elements."""
    if needed <= arr.shape[0]:
        return arr
    cap = max(needed, int(arr.shape[0] * _GROWTH) + 1, _MIN_CAPACITY)
    out = np.zeros(cap, dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


def _aggregate(
    skills: Sequence[int] | npt.NDArray[np.integer],
    weights: Sequence[float] | npt.NDArray[np.floating] | None,
) -> tuple[I64, F64]:
    """Sorted unique skills with summed weights; zero weights dropped, negative refused."""
    s = np.asarray(skills, dtype=np.int64).reshape(-1)
    w = (
        np.ones(s.shape[0], dtype=np.float64)
        if weights is None
        else np.asarray(weights, dtype=np.float64).reshape(-1)
    )
    if s.shape[0] != w.shape[0]:
        raise ValueError("skills and weights differ in length")
    if s.shape[0] and (s.min() < 0 or not np.all(np.isfinite(w)) or w.min() < 0):
        raise ValueError("skill ids and weights must be non-negative and finite")
    uniq, inv = np.unique(s, return_inverse=True)
    summed = np.bincount(inv, weights=w, minlength=uniq.shape[0]).astype(np.float64)
    keep = summed > 0
    return uniq[keep], summed[keep]


class SkillIndex:
    """Rows of one kind (``role``) as sparse skill vectors, searchable from the other side.

    ``role="vacancies"``: rows are vacancies, queries come from participants (their
    :class:`QueryFilters` are the participant's attributes). ``role="participants"``:
    the mirror, rows are participants and queries come from vacancies.
    """

    def __init__(self, role: Role) -> None:
        if role not in ("vacancies", "participants"):
            raise ValueError(f"unknown role {role!r}")
        self.role: Role = role
        # Per skill postings: row ids and weights, first _plen[s] entries valid.
        self._prow: list[npt.NDArray[np.int32]] = []
        self._pw: list[npt.NDArray[np.float32]] = []
        self._plen = np.zeros(0, dtype=np.int64)
        self._df = np.zeros(0, dtype=np.int64)
        # Per row slot (live or dead), first _nslots valid.
        self._nslots = 0
        self._keys: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._inv_norm = np.zeros(0, dtype=np.float64)
        self._edu = np.zeros(0, dtype=np.int8)
        self._prov = np.zeros(0, dtype=np.int16)
        self._reg = np.zeros(0, dtype=np.int32)
        self._remote = np.zeros(0, dtype=bool)
        self._reloc = np.zeros(0, dtype=bool)
        # Forward store of each row's skills, needed to lower df when the row dies.
        self._fstart = np.zeros(0, dtype=np.int64)
        self._flen = np.zeros(0, dtype=np.int32)
        self._fskills = np.zeros(0, dtype=np.int32)
        self._fused = 0
        self._npostings = 0
        self._dead_postings = 0
        self._dead_rows = 0
        # Scratch accumulator for single queries, all zeros between queries so a query
        # touches only the slots of its own postings.
        self._acc = np.zeros(0, dtype=np.float64)
        self._snapshot: sp.csr_matrix | None = None

    # -- writing ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, key: object) -> bool:
        return key in self._row_of

    def upsert(
        self,
        key: str,
        skills: Sequence[int],
        weights: Sequence[float] | None,
        attrs: RowAttrs,
    ) -> None:
        """Insert or replace row ``key``; repeated skills add their weights.

        ``weights`` default to 1. A row without skills is kept (it counts in ``N``) but
        is never retrieved.
        """
        s, w = _aggregate(skills, weights)
        self.upsert_many(
            [key],
            np.array([0, s.shape[0]], dtype=np.int64),
            s,
            w,
            education_rank=np.array([attrs.education_rank]),
            province=np.array([attrs.province]),
            regency=np.array([attrs.regency]),
            remote=np.array([attrs.remote]),
            willing_to_relocate=np.array([attrs.willing_to_relocate]),
        )

    def upsert_many(
        self,
        keys: Sequence[str],
        indptr: npt.ArrayLike,
        skills: npt.ArrayLike,
        weights: npt.ArrayLike | None,
        *,
        education_rank: npt.ArrayLike,
        province: npt.ArrayLike,
        regency: npt.ArrayLike,
        remote: npt.ArrayLike,
        willing_to_relocate: npt.ArrayLike,
    ) -> None:
        """Insert or replace many rows at once (a restore, a backfill): CSR-style input.

        Row ``i`` has skills ``skills[indptr[i]:indptr[i+1]]`` (no skill twice in a row)
        and the matching ``weights`` (default 1; zeros dropped). Attribute arrays have
        one entry per key. Keys must be distinct within the call.
        """
        n = len(keys)
        ptr = np.asarray(indptr, dtype=np.int64)
        sk = np.asarray(skills, dtype=np.int64).reshape(-1)
        w = (
            np.ones(sk.shape[0], dtype=np.float64)
            if weights is None
            else np.asarray(weights, dtype=np.float64).reshape(-1)
        )
        if ptr.shape != (n + 1,) or ptr[0] != 0 or ptr[-1] != sk.shape[0]:
            raise ValueError("indptr does not describe the skills")
        if w.shape != sk.shape:
            raise ValueError("skills and weights differ in length")
        if sk.shape[0] and (sk.min() < 0 or not np.all(np.isfinite(w)) or w.min() < 0):
            raise ValueError("skill ids and weights must be non-negative and finite")
        if len(set(keys)) != n:
            raise ValueError("duplicate keys in one upsert_many call")
        lens = np.diff(ptr)
        local = np.repeat(np.arange(n, dtype=np.int64), lens)
        # A weight too small for float32 would be stored as 0: drop it like a zero.
        keep = w.astype(np.float32) > 0
        sk, w, local = sk[keep], w[keep], local[keep]
        if sk.shape[0] > 1:
            pair = local * (int(sk.max()) + 1) + sk
            srt = np.sort(pair)
            if np.any(srt[1:] == srt[:-1]):
                raise ValueError("a row lists the same skill twice")
        for key in keys:
            if key in self._row_of:
                self._kill(key)
        w32 = w.astype(np.float32)
        # The norm is taken over the float32 weights actually stored, so scores are a
        # function of what the index holds.
        norms = np.sqrt(np.bincount(local, weights=w32.astype(np.float64) ** 2, minlength=n))
        base = self._nslots
        self._ensure_rows(base + n)
        rows = slice(base, base + n)
        self._alive[rows] = True
        with np.errstate(divide="ignore"):
            self._inv_norm[rows] = np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1), 0.0)
        self._edu[rows] = np.asarray(education_rank)
        self._prov[rows] = np.asarray(province)
        self._reg[rows] = np.asarray(regency)
        self._remote[rows] = np.asarray(remote, dtype=bool)
        self._reloc[rows] = np.asarray(willing_to_relocate, dtype=bool)
        # Forward store: each row's skills, contiguous.
        kept_lens = np.bincount(local, minlength=n)
        self._fskills = _grow(self._fskills, self._fused + sk.shape[0])  # type: ignore[assignment]
        self._fskills[self._fused : self._fused + sk.shape[0]] = sk
        self._fstart[rows] = self._fused + np.cumsum(kept_lens) - kept_lens
        self._flen[rows] = kept_lens
        self._fused += sk.shape[0]
        self._keys.extend(keys)
        for i, key in enumerate(keys):
            self._row_of[key] = base + i
        self._nslots = base + n
        # Postings, grouped by skill; a stable sort keeps row ids ascending per skill.
        if sk.shape[0]:
            nskills = int(sk.max()) + 1
            self._ensure_skills(nskills)
            self._df[:nskills] += np.bincount(sk, minlength=nskills)
            order = np.argsort(sk, kind="stable")
            s_sorted = sk[order]
            r_sorted = (local[order] + base).astype(np.int32)
            w_sorted = w32[order]
            cuts = np.flatnonzero(np.diff(s_sorted)) + 1
            starts = np.concatenate(([0], cuts))
            ends = np.concatenate((cuts, [s_sorted.shape[0]]))
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                self._append_postings(int(s_sorted[a]), r_sorted[a:b], w_sorted[a:b])
            self._npostings += sk.shape[0]
        self._snapshot = None
        self._maybe_compact()

    def remove(self, key: str) -> bool:
        """Remove row ``key``; return whether it was there."""
        if key not in self._row_of:
            return False
        self._kill(key)
        self._snapshot = None
        self._maybe_compact()
        return True

    def _kill(self, key: str) -> None:
        row = self._row_of.pop(key)
        self._alive[row] = False
        self._keys[row] = None
        a, m = int(self._fstart[row]), int(self._flen[row])
        np.subtract.at(self._df, self._fskills[a : a + m], 1)
        self._dead_postings += m
        self._dead_rows += 1

    def _ensure_rows(self, needed: int) -> None:
        if needed <= self._alive.shape[0]:
            return
        self._alive = _grow(self._alive, needed)
        self._inv_norm = _grow(self._inv_norm, needed)  # type: ignore[assignment]
        self._edu = _grow(self._edu, needed)  # type: ignore[assignment]
        self._prov = _grow(self._prov, needed)  # type: ignore[assignment]
        self._reg = _grow(self._reg, needed)  # type: ignore[assignment]
        self._remote = _grow(self._remote, needed)
        self._reloc = _grow(self._reloc, needed)
        self._fstart = _grow(self._fstart, needed)  # type: ignore[assignment]
        self._flen = _grow(self._flen, needed)  # type: ignore[assignment]

    def _ensure_skills(self, nskills: int) -> None:
        old = self._plen.shape[0]
        if nskills <= old:
            return
        self._plen = np.concatenate((self._plen, np.zeros(nskills - old, dtype=np.int64)))
        self._df = np.concatenate((self._df, np.zeros(nskills - old, dtype=np.int64)))
        for _ in range(old, nskills):
            self._prow.append(np.zeros(0, dtype=np.int32))
            self._pw.append(np.zeros(0, dtype=np.float32))

    def _append_postings(
        self, s: int, rows: npt.NDArray[np.int32], w: npt.NDArray[np.float32]
    ) -> None:
        used = int(self._plen[s])
        end = used + rows.shape[0]
        self._prow[s] = _grow(self._prow[s], end)  # type: ignore[assignment]
        self._pw[s] = _grow(self._pw[s], end)  # type: ignore[assignment]
        self._prow[s][used:end] = rows
        self._pw[s][used:end] = w
        self._plen[s] = end

    # -- compaction ---------------------------------------------------------------------

    def _maybe_compact(self) -> None:
        if (
            self._dead_postings > _GARBAGE_SHARE * self._npostings
            or self._dead_rows > _GARBAGE_SHARE * self._nslots
        ):
            self.compact()

    def compact(self) -> None:
        """Drop dead rows and postings, renumber rows densely, trim arrays to size.

        Runs by itself past 25% garbage; call it after a bulk load to give back the
        growth slack.
        """
        n = self._nslots
        alive = self._alive[:n]
        live_ids = np.flatnonzero(alive)
        remap = np.full(max(n, 1), -1, dtype=np.int32)
        remap[live_ids] = np.arange(live_ids.shape[0], dtype=np.int32)
        for s in range(self._plen.shape[0]):
            m = int(self._plen[s])
            r = self._prow[s][:m]
            keep = alive[r]
            self._prow[s] = remap[r[keep]]
            self._pw[s] = self._pw[s][:m][keep].copy()
            self._plen[s] = self._prow[s].shape[0]
        # Forward store: gather the live rows' segments into one contiguous array.
        starts = self._fstart[live_ids]
        lens = self._flen[live_ids].astype(np.int64)
        total = int(lens.sum())
        offsets = np.cumsum(lens) - lens
        gather = np.repeat(starts - offsets, lens) + np.arange(total, dtype=np.int64)
        self._fskills = self._fskills[gather]
        self._fused = total
        self._fstart = offsets
        self._flen = self._flen[live_ids]
        self._alive = alive[live_ids].copy()
        self._inv_norm = self._inv_norm[live_ids]
        self._edu = self._edu[live_ids]
        self._prov = self._prov[live_ids]
        self._reg = self._reg[live_ids]
        self._remote = self._remote[live_ids]
        self._reloc = self._reloc[live_ids]
        keys = [self._keys[i] for i in live_ids.tolist()]
        self._keys = keys
        self._row_of = {k: i for i, k in enumerate(keys) if k is not None}
        self._nslots = live_ids.shape[0]
        self._npostings = total
        self._dead_postings = 0
        self._dead_rows = 0
        self._acc = np.zeros(0, dtype=np.float64)
        self._snapshot = None

    # -- memory -------------------------------------------------------------------------

    def memory_breakdown(self) -> dict[str, int]:
        """Bytes held, by part: postings, forward store, row arrays, key map (estimated).

        Array figures are allocated capacity (growth slack included). The key map is a
        Python dict and list of str, estimated with ``sys.getsizeof``.
        """
        postings = sum(a.nbytes for a in self._prow) + sum(a.nbytes for a in self._pw)
        postings += self._plen.nbytes + self._df.nbytes
        rows = sum(
            a.nbytes
            for a in (
                self._alive,
                self._inv_norm,
                self._edu,
                self._prov,
                self._reg,
                self._remote,
                self._reloc,
                self._fstart,
                self._flen,
                self._acc,
            )
        )
        keys = sys.getsizeof(self._row_of) + sys.getsizeof(self._keys)
        keys += sum(sys.getsizeof(k) for k in self._row_of)
        return {
            "postings": postings,
            "forward": self._fskills.nbytes,
            "rows": rows,
            "keys": keys,
        }

    def memory_bytes(self) -> int:
        """Total bytes of :meth:`memory_breakdown`."""
        return sum(self.memory_breakdown().values())

    # -- querying -----------------------------------------------------------------------

    def _query_coefs(
        self, skills: Sequence[int], weights: Sequence[float] | None
    ) -> tuple[I64, F64]:
        """Known skills of a query (ascending) and their factor ``q_s * idf_s**2 / |q|``."""
        s, w = _aggregate(skills, weights)
        qnorm = math.sqrt(float(np.dot(w, w)))
        known = s < self._df.shape[0]
        s, w = s[known], w[known]
        df = self._df[s]
        present = df > 0
        s, w, df = s[present], w[present], df[present]
        n_live = len(self._row_of)
        idf = np.log((n_live + 1) / (df + 1.0)) + 1.0
        return s, w * idf * idf / qnorm if s.shape[0] else w

    def _filter(
        self,
        rows: npt.NDArray[np.int64],
        edu: npt.NDArray[np.int64] | int,
        prov: npt.NDArray[np.int64] | int,
        reg: npt.NDArray[np.int64] | int,
        anywhere: npt.NDArray[np.bool_] | bool,
    ) -> npt.NDArray[np.bool_]:
        """Hard filters for candidate ``rows`` against the asking entity's attributes.

        ``anywhere`` is the query side's own pass on location: a participant willing to
        relocate, or a remote / location-less vacancy.
        """
        if self.role == "vacancies":
            ok = self._edu[rows] <= edu
            # Row regency 0 is a vacancy without a location: open to everyone, as in
            # overlap.location_factor.
            loc = self._remote[rows] | (self._reg[rows] == 0)
        else:
            ok = self._edu[rows] >= edu
            loc = self._reloc[rows].copy()
        loc |= anywhere
        # Unknown codes (0) never count as "the same place".
        loc |= (self._reg[rows] == reg) & (np.asarray(reg) != 0)
        loc |= (self._prov[rows] == prov) & (np.asarray(prov) != 0)
        return ok & loc

    def _anywhere(self, f: QueryFilters) -> bool:
        if self.role == "vacancies":
            return f.willing_to_relocate
        return f.remote or f.regency == 0

    def _select(self, rows: I64, scores: F64, n: int) -> list[tuple[str, float]]:
        """Top ``n`` of the candidates by (score desc, key asc), touching only them."""
        m = rows.shape[0]
        if m == 0 or n <= 0:
            return []
        if m > n:
            # Partition on the candidates only (never over all rows), keeping every row
            # tied with the n-th score so the key decides among them.
            thr = np.partition(scores, m - n)[m - n]
            sel = np.flatnonzero(scores >= thr)
            rows, scores = rows[sel], scores[sel]
        order = np.argsort(-scores, kind="stable")
        ordered = scores[order]
        if ordered.shape[0] > 1 and np.any(ordered[1:] == ordered[:-1]):
            keys = self._keys
            pairs = sorted(
                (-float(sc), keys[r]) for sc, r in zip(scores.tolist(), rows.tolist(), strict=True)
            )
            return [(k, -negs) for negs, k in pairs[:n]]
        keys = self._keys
        top = order[:n]
        return [
            (keys[r], sc) for r, sc in zip(rows[top].tolist(), scores[top].tolist(), strict=True)
        ]

    def top_n(
        self,
        query_skills: Sequence[int],
        query_weights: Sequence[float] | None,
        n: int,
        filters: QueryFilters | None = None,
    ) -> list[tuple[str, float]]:
        """Best ``n`` live rows for one query as ``(key, score)``, score desc then key.

        Only rows sharing a skill with the query (score > 0) and passing ``filters``
        (the asking entity's attributes; ``None`` for no hard filter) are returned.
        Cost is proportional to the postings of the query's skills, not to the rows.
        """
        s, coef = self._query_coefs(query_skills, query_weights)
        if s.shape[0] == 0:
            return []
        if self._acc.shape[0] < self._nslots:
            self._acc = np.zeros(self._alive.shape[0], dtype=np.float64)
        acc = self._acc
        parts: list[npt.NDArray[np.int32]] = []
        # Ascending skill order, the same order the batched scipy product sums in, so
        # both paths give bit-identical scores. Row ids are unique within one skill's
        # postings, so a fancy-indexed += is a correct scatter-add.
        # c stays a numpy float64 so that c * float32 weights is computed in float64.
        for skill, c in zip(s.tolist(), coef, strict=True):
            m = int(self._plen[skill])
            r = self._prow[skill][:m]
            cur = acc[r]
            parts.append(r[cur == 0])
            acc[r] = cur + c * self._pw[skill][:m]
        cand = np.concatenate(parts).astype(np.int64)
        raw = acc[cand]
        acc[cand] = 0.0  # reset only what this query touched
        keep = self._alive[cand]
        if filters is not None:
            keep &= self._filter(
                cand,
                filters.education_rank,
                filters.province,
                filters.regency,
                self._anywhere(filters),
            )
        cand, raw = cand[keep], raw[keep]
        return self._select(cand, raw * self._inv_norm[cand], n)

    def _csr(self) -> sp.csr_matrix:
        """Skill x row-slot CSR of all stored postings (dead ones masked later)."""
        if self._snapshot is None:
            nsk = self._plen.shape[0]
            indptr = np.concatenate(([0], np.cumsum(self._plen))).astype(np.int64)
            total = int(indptr[-1])
            indices = np.empty(total, dtype=np.int32)
            data = np.empty(total, dtype=np.float64)
            for s in range(nsk):
                a, b = int(indptr[s]), int(indptr[s + 1])
                indices[a:b] = self._prow[s][: b - a]
                data[a:b] = self._pw[s][: b - a]
            self._snapshot = sp.csr_matrix(
                (data, indices, indptr), shape=(nsk, max(self._nslots, 1))
            )
        return self._snapshot

    def top_n_many(
        self,
        queries: Sequence[tuple[Sequence[int], Sequence[float] | None, QueryFilters | None]],
        n: int,
        method: Literal["numpy", "scipy"] = "numpy",
    ) -> list[list[tuple[str, float]]]:
        """:meth:`top_n` for a batch of ``(skills, weights, filters)`` queries.

        ``method="numpy"`` (default) runs the per-query accumulation for each query.
        ``method="scipy"`` scores the whole batch with one scipy sparse product against a
        CSR snapshot of the postings (kept until the next write) and filters all
        candidates vectorised; it was slower in bench/retrieval.py (each query touches
        ~20% of 100k vacancies, so the batch result is millions of entries), and large
        indexes without a current snapshot fall back to the per-query path rather than
        copy every posting. Both give results equal to :meth:`top_n`, bit for bit.
        """
        if not queries:
            return []
        if method == "numpy" or (
            self._snapshot is None and self._npostings > _SNAPSHOT_MAX_POSTINGS
        ):
            return [self.top_n(s, w, n, f) for s, w, f in queries]
        b = len(queries)
        q_ptr = [0]
        q_idx: list[I64] = []
        q_val: list[F64] = []
        for skills, weights, _ in queries:
            s, coef = self._query_coefs(skills, weights)
            q_idx.append(s)
            q_val.append(coef)
            q_ptr.append(q_ptr[-1] + s.shape[0])
        nsk = self._plen.shape[0]
        if q_ptr[-1] == 0 or nsk == 0:
            return [[] for _ in queries]
        qm = sp.csr_matrix(
            (np.concatenate(q_val), np.concatenate(q_idx), np.array(q_ptr)), shape=(b, nsk)
        )
        res = (qm @ self._csr()).tocsr()
        cols = res.indices.astype(np.int64)
        raw = res.data
        counts = np.diff(res.indptr)
        qid = np.repeat(np.arange(b), counts)
        keep = self._alive[cols]
        filt = [f for _, _, f in queries]
        has = np.array([f is not None for f in filt])
        if has.any():
            edu = np.array([f.education_rank if f else 0 for f in filt])
            prov = np.array([f.province if f else 0 for f in filt])
            reg = np.array([f.regency if f else 0 for f in filt])
            anyw = np.array([self._anywhere(f) if f else True for f in filt])
            if self.role == "participants":
                # No filter means no education floor for a vacancy query.
                edu = np.where(has, edu, np.iinfo(np.int8).min)
            else:
                edu = np.where(has, edu, np.iinfo(np.int8).max)
            keep &= self._filter(cols, edu[qid], prov[qid], reg[qid], anyw[qid])
        cols, raw, qid = cols[keep], raw[keep], qid[keep]
        scores = raw * self._inv_norm[cols]
        bounds = np.concatenate(([0], np.cumsum(np.bincount(qid, minlength=b))))
        return [
            self._select(cols[bounds[i] : bounds[i + 1]], scores[bounds[i] : bounds[i + 1]], n)
            for i in range(b)
        ]
