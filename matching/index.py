"""Sparse IDF-weighted skill index with exact, filtered top-N retrieval (numba kernels).

One :class:`SkillIndex` holds one kind of entity (the open vacancies, or a worker's
participants) as sparse skill vectors and answers "which rows best match these skills"
for queries from the other side, with the hard filters of the matcher (minimum
education, region or remote or relocation).

Scoring. For a query ``q`` (skill -> weight) and a row ``r``::

    score(q, r) = sum over shared skills s, ascending, of coef_s * impact_rs
    coef_s      = q_s * idf_s**2 / |q|              (float64, per query)
    impact_rs   = float32(r_s / |r|)                 (stored, per posting)

with ``idf_s = log((N + 1) / (df_s + 1)) + 1`` over the ``N`` live rows, and ``|q|``,
``|r|`` the plain L2 norms of the weights (``r_s`` as stored, float32). The norms are
deliberately *not* IDF-weighted: document frequencies move with every upsert, and an
IDF-weighted row norm would have to be recomputed for every row holding a skill whose df
changed. With plain norms a row's impacts are fixed when it is written, IDF is applied
at query time from the live document frequencies, and adding a row rewrites nothing
else. The sum runs over the shared skills in ascending skill order, in float64, on every
path, so a score is a function of the live row and the query alone (bit for bit).

Storage. Rows are never rewritten: an update marks the old row slot dead and writes the
new version to a fresh slot. Per posting the inverted index holds the row slot (int32)
and the impact (float32), 8 bytes; the forward store keeps only each row's skills (to
decrement document frequencies on removal). A row's *cell* is its education level (rank
clipped to 0..7) and location bucket: its province (1..99), or 0 for rows that any
query may reach (a remote or location-less vacancy, a participant willing to relocate,
or inconsistent codes). :meth:`SkillIndex.compact` renumbers the live rows densely in
cell order (write order inside a cell), so that cell ``c`` holds the slots
``[_cstart[c], _cstart[c + 1])``; the slots written after it, ``>= _nsorted``, follow
in write order. Postings come in three places:

- the *static* level: the postings of the renumbered slots, grouped by (skill, cell),
  slots ascending inside a group. A group's slots lie in its cell's range, so over a
  run of consecutive cells one skill's postings sweep the slots monotonically;
- the *overflow* level: the postings of slots ``>= _nsorted`` merged from the tail, same
  grouping;
- the *tail*, the postings written since the last merge, in write order. Writes append
  to it; past ``max(_TAIL_MIN, postings / _TAIL_SHARE)`` it is merged into the overflow
  level (one compiled in-place pass). Dead postings stay until :meth:`SkillIndex.compact`,
  which runs by itself once more than 25% of the postings or row slots are garbage, or
  more than 25% of the slots (and over ``_UNSORTED_MIN``) are out of cell order.

Retrieval (exact, one compiled kernel per batch of queries, :func:`_search_kernel`):
a query reads only the cells it can pass: the education levels its filter allows and,
when located, only buckets 0, its province and its regency's province (a row of any
other bucket fails the location filter); an "anywhere" query reads one run of
consecutive cells. The renumbered rows of a run are scored in blocks of ``_BLOCK`` slots:
the postings of every query skill that fall in the block are summed into a block-sized
float64 scratch (it stays in L2; before the renumbering, one 8.3 M-slot scratch was
written at random) and the block's touched rows are filtered before the next block. The
overflow level and the tail are summed into a scratch of one slot per slot ``>=
_nsorted``. Every touched row gets the full filter (alive, education, location) and a
bounded min-heap keeps the n best scores; the rows scoring at least the n-th best (ties
included) go back to Python, which orders them by score, then key, and cuts at n.
``prune=False`` runs the numpy reference instead (every cell, numpy accumulate, numpy
filter); the tests hold both equal to each other and to a brute force, with ties,
removals, filters, small blocks, and rows in all three places.

Keys are ``str`` or ``int`` (one kind per index). They are kept in numpy arrays
(int64, or UTF-8 bytes of fixed, growing width) with an open-addressing hash table of
int32 row slots, not in a Python dict: at 8.3 M participants a dict of str cost 0.8 GB.

Threads: the kernels release the GIL, but one index keeps one query scratch, so one
index must not be queried from two threads at once.
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = [
    "Key",
    "QueryFilters",
    "RowAttrs",
    "SkillIndex",
    "Vocabulary",
    "parse_regency",
]

Role = Literal["vacancies", "participants"]
Key = str | int

_GARBAGE_SHARE = 0.25
# Growable arrays grow by a quarter, not by doubling: at 8.3 M participants the postings
# are most of the memory, and doubling could leave up to half of them as slack.
_GROWTH = 1.25
_MIN_CAPACITY = 8
# The tail is merged into the overflow level past max(_TAIL_MIN, postings / _TAIL_SHARE).
# Every query scans the whole tail (~1 ns a posting); a merge moves the overflow level
# (~1-2 ns a posting), so the tail's share trades query time against write time.
_TAIL_MIN = 4096
_TAIL_SHARE = 128
# Location buckets: 0 = "any query may reach this row", 1..99 = province code.
_NB = 100
# Education levels: inside a skill, postings are grouped by (level, bucket), the level
# being the row's education rank clipped to 0.._NE - 1, so that a query reads only the
# levels its education filter can pass (a superset when ranks are clipped).
_NE = 8
_CELLS = _NE * _NB
# Slots per block of the kernel's accumulator (float64, 128 KB: stays in L2). 4 K to
# 64 K slots measured alike (1 M and 8.3 M participants); 256 K (2 MB) was slower.
_BLOCK = 1 << 14
# Past max(_UNSORTED_MIN, slots * _UNSORTED_SHARE) slots written since the last
# renumbering (scored by random access, several times slower), compact() renumbers.
_UNSORTED_MIN = 1 << 16
_UNSORTED_SHARE = 0.25
_ALIVE_BIT = np.int64(1 << 57)

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
BoolA = npt.NDArray[np.bool_]
Query = tuple[Sequence[int], Sequence[float] | None, "RowAttrs | None"]


# -- compiled kernels ---------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _accumulate(lo, hi, base, c, srow, simp, acc, touched, nt):  # type: ignore[no-untyped-def]
    """acc[row - base] += c * impact over postings [lo, hi); first touches listed."""
    last = touched.shape[0] - 1
    for i in range(lo, hi):
        row = srow[i] - base
        v = acc[row]
        # Branch-free: a mispredicted "first touch" branch would serialise the loads.
        touched[nt] = row
        nt += (v == 0.0) & (nt < last)
        acc[row] = v + c * np.float64(simp[i])
    return nt


@njit(cache=True, nogil=True)
def _accumulate_below(lo, hi, stop, base, c, srow, simp, acc, touched, nt):  # type: ignore[no-untyped-def]
    """:func:`_accumulate` over [lo, hi) up to the first row >= stop: (its index, nt)."""
    last = touched.shape[0] - 1
    i = lo
    while i < hi:
        r = srow[i]
        if r >= stop:
            break
        row = r - base
        v = acc[row]
        touched[nt] = row
        nt += (v == 0.0) & (nt < last)
        acc[row] = v + c * np.float64(simp[i])
        i += 1
    return i, nt


@njit(cache=True, nogil=True)
def _select(  # type: ignore[no-untyped-def]
    touched, nt, base, acc, attr, vac, e, p, rg, anyq, nofilter, n, heap, cnt, crow, csc, k
):
    """Filter the touched rows ``base + touched[:nt]`` (resetting ``acc``), keep the best.

    A bounded min-heap holds the n best scores; a row at or above the heap's minimum when
    it is read is kept in crow/csc: that minimum only rises, so every row of the final
    top n (ties at the n-th score included) is kept, and only ~n log(rows / n) others
    are. Returns (cnt, k, crow, csc): heap size, kept rows, the (maybe grown) arrays.
    """
    for i in range(nt):
        t = touched[i]
        v = acc[t]
        acc[t] = 0.0  # a row listed twice has score 0 the second time
        if cnt >= n and v < heap[0]:
            continue  # most rows, once the heap is full: no filter to read
        row = base + t
        # One packed word per row (see SkillIndex._pack); the filter itself has no
        # branches.
        w = attr[row]
        r_reg = ((w & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000
        r_prov = (((w >> 32) & 0xFFFF) ^ 0x8000) - 0x8000
        r_edu = ((w >> 48) & 0xFF) - 128
        f_edu = (r_edu <= e) if vac else (r_edu >= e)
        f_loc = (((w >> 56) & 1) == 1) | anyq
        f_loc = f_loc | ((r_reg == rg) & (rg != 0)) | ((r_prov == p) & (p != 0))
        ok = (((w >> 57) & 1) == 1) & (v > 0.0) & (nofilter | (f_edu & f_loc))
        if not ok:
            continue
        if k == crow.shape[0]:
            crow2 = np.empty(2 * k, np.int32)
            csc2 = np.empty(2 * k, np.float64)
            crow2[:k] = crow
            csc2[:k] = csc
            crow, csc = crow2, csc2
        crow[k] = row
        csc[k] = v
        k += 1
        if cnt < n:
            # sift up
            h = cnt
            cnt += 1
            while h > 0:
                parent = (h - 1) >> 1
                if heap[parent] <= v:
                    break
                heap[h] = heap[parent]
                h = parent
            heap[h] = v
        elif v > heap[0]:
            # replace the smallest, sift down
            h = 0
            while True:
                ch = 2 * h + 1
                if ch >= n:
                    break
                if ch + 1 < n and heap[ch + 1] < heap[ch]:
                    ch += 1
                if heap[ch] >= v:
                    break
                heap[h] = heap[ch]
                h = ch
            heap[h] = v
    return cnt, k, crow, csc


@njit(cache=True, nogil=True)
def _search_kernel(  # type: ignore[no-untyped-def]
    qptr,
    qskill,
    qcoef,
    qhas,
    qedu,
    qprov,
    qreg,
    qany,
    n,
    vac,
    soff,
    srow,
    simp,
    ooff,
    orow,
    oimp,
    trow,
    tskill,
    timp,
    tlen,
    attr,
    cstart,
    nsorted,
    blk,
    btouched,
    acc,
    touched,
    coefbuf,
    keyints,
    intkeys,
    oq,
    orow_out,
    osc,
):
    """Top-n (ties at the n-th score included) of each query into (oq, orow_out, osc).

    Rows ``[0, nsorted)`` are numbered in cell order (cell ``c`` holds rows
    ``[cstart[c], cstart[c + 1])``) and their postings are the static level
    (``soff``/``srow``/``simp``), grouped by (skill, cell), rows ascending: over a run of
    consecutive cells a skill's postings sweep the rows monotonically. The run is scored
    block by block: the postings of every query skill that fall in a block of
    ``blk.shape[0]`` rows are summed into ``blk`` (which stays in L2) before the next
    block. Rows ``>= nsorted`` (written since the renumbering) are in the overflow level
    (``ooff``/``orow``/``oimp``, same grouping) or the tail and are summed into ``acc``
    (indexed ``row - nsorted``). Returns how many rows were found; past the room of the
    output arrays only the count goes on (the caller retries with more room). ``blk``
    and ``acc`` must be all zeros on entry and are all zeros again on return.
    """
    nb = _NB
    ne = _NE
    cells = _CELLS
    nq = qptr.shape[0] - 1
    cap = oq.shape[0]
    bsize = blk.shape[0]
    m = 0
    heap = np.empty(max(n, 1), np.float64)
    crow = np.empty(4 * n + 64, np.int32)
    csc = np.empty(4 * n + 64, np.float64)
    maxlen = 1
    for q in range(nq):
        maxlen = max(maxlen, qptr[q + 1] - qptr[q])
    pos = np.empty(maxlen, np.int64)
    end = np.empty(maxlen, np.int64)
    # Runs of consecutive cells [rlo[i], rhi[i]) the query can reach.
    rlo = np.empty(3 * ne, np.int64)
    rhi = np.empty(3 * ne, np.int64)
    for q in range(nq):
        a = qptr[q]
        b = qptr[q + 1]
        if a == b:
            continue
        has = qhas[q]
        anyq = qany[q]
        e = qedu[q]
        p = qprov[q]
        rg = qreg[q]
        nofilter = not has
        # Education levels the filter can pass.
        lev = min(max(e, 0), ne - 1)
        if not has:
            l_lo, l_hi = 0, ne
        elif vac:
            l_lo, l_hi = 0, lev + 1
        else:
            l_lo, l_hi = lev, ne
        # Location buckets: all (one run of cells), or 0, its province, its regency's.
        nr = 0
        if anyq or not has:
            rlo[0] = l_lo * nb
            rhi[0] = l_hi * nb
            nr = 1
        else:
            b1 = p if 1 <= p < nb else -1
            r2 = rg // 100
            b2 = r2 if (rg != 0 and 1 <= r2 < nb and r2 != p) else -1
            for lv in range(l_lo, l_hi):
                for bk in (0, b1, b2):
                    if bk >= 0:
                        rlo[nr] = lv * nb + bk
                        rhi[nr] = lv * nb + bk + 1
                        nr += 1
        cnt = 0
        k = 0
        nt_o = 0
        for ri in range(nr):
            c0 = rlo[ri]
            c1 = rhi[ri]
            # 1. The run's renumbered rows, one block at a time, every query skill of a
            # block (ascending, the summation order) before the next block.
            r0 = cstart[c0]
            re = cstart[c1]
            if r0 < re:
                for j in range(a, b):
                    if qcoef[j] > 0.0:
                        g = qskill[j] * cells
                        pos[j - a] = soff[g + c0]
                        end[j - a] = soff[g + c1]
                    else:
                        pos[j - a] = 0
                        end[j - a] = 0
                while r0 < re:
                    r1 = min(r0 + bsize, re)
                    nt = 0
                    for j in range(a, b):
                        pos[j - a], nt = _accumulate_below(
                            pos[j - a], end[j - a], r1, r0, qcoef[j], srow, simp, blk, btouched, nt
                        )
                    cnt, k, crow, csc = _select(
                        btouched,
                        nt,
                        r0,
                        blk,
                        attr,
                        vac,
                        e,
                        p,
                        rg,
                        anyq,
                        nofilter,
                        n,
                        heap,
                        cnt,
                        crow,
                        csc,
                        k,
                    )
                    r0 = r1
            # 2. The run's rows written since the renumbering.
            for j in range(a, b if ooff.shape[0] > 1 else a):
                if qcoef[j] > 0.0:
                    g = qskill[j] * cells
                    nt_o = _accumulate(
                        ooff[g + c0],
                        ooff[g + c1],
                        nsorted,
                        qcoef[j],
                        orow,
                        oimp,
                        acc,
                        touched,
                        nt_o,
                    )
        # 3. The tail, read in full (its rows are all >= nsorted; a row's postings are
        # all in one place, in ascending skill order, so the summation order is the same
        # as in the reference).
        if tlen > 0:
            last = touched.shape[0] - 1
            for j in range(a, b):
                coefbuf[qskill[j]] = qcoef[j]
            for i in range(tlen):
                cf = coefbuf[tskill[i]]
                if cf > 0.0:
                    row = trow[i] - nsorted
                    v = acc[row]
                    touched[nt_o] = row
                    nt_o += (v == 0.0) & (nt_o < last)
                    acc[row] = v + cf * np.float64(timp[i])
            for j in range(a, b):
                coefbuf[qskill[j]] = 0.0
        cnt, k, crow, csc = _select(
            touched,
            nt_o,
            nsorted,
            acc,
            attr,
            vac,
            e,
            p,
            rg,
            anyq,
            nofilter,
            n,
            heap,
            cnt,
            crow,
            csc,
            k,
        )
        kth = heap[0] if cnt >= n else 0.0
        # 4. Emit every kept row at or above the n-th best score.
        m0 = m
        for i in range(k):
            v = csc[i]
            if v >= kth:
                if m < cap:
                    oq[m] = q
                    orow_out[m] = crow[i]
                    osc[m] = v
                m += 1
        # 5. Order by score desc, then key (int keys; row slot for str keys, whose ties
        # Python settles), and cut at n where the key decided the ties.
        if m0 < m <= cap:
            cq = m - m0
            kk = np.empty(cq, np.int64)
            for i in range(cq):
                kk[i] = keyints[orow_out[m0 + i]] if intkeys else orow_out[m0 + i]
            o1 = np.argsort(kk, kind="mergesort")
            neg = np.empty(cq, np.float64)
            for i in range(cq):
                neg[i] = -osc[m0 + o1[i]]
            o2 = np.argsort(neg, kind="mergesort")
            rs = orow_out[m0:m].copy()
            ss = osc[m0:m].copy()
            for i in range(cq):
                orow_out[m0 + i] = rs[o1[o2[i]]]
                osc[m0 + i] = ss[o1[o2[i]]]
            if intkeys and cq > n:
                m = m0 + n
    return m


@njit(cache=True, nogil=True)
def _merge_kernel(soff, srow, simp, trow, tskill, timp, tlen, alive, cell):  # type: ignore[no-untyped-def]
    """Move the live tail postings into a level (static or overflow), in place.

    Returns the level's new length. ``srow``/``simp`` need room for the level's postings
    plus the tail. Tail postings go after the level's own of their group, in write order
    (rows stay ascending).
    """
    cells = _CELLS
    ng = soff.shape[0] - 1
    cnt = np.zeros(ng + 1, np.int64)
    for i in range(tlen):
        r = trow[i]
        if alive[r]:
            cnt[tskill[i] * cells + cell[r] + 1] += 1
    for g in range(ng):
        cnt[g + 1] += cnt[g]
    total = cnt[ng]
    if total == 0:
        return soff[ng]
    # Counting sort of the tail by group (stable).
    tr = np.empty(total, np.int32)
    ti = np.empty(total, np.float32)
    pos = cnt[:ng].copy()
    for i in range(tlen):
        r = trow[i]
        if alive[r]:
            g = tskill[i] * cells + cell[r]
            tr[pos[g]] = r
            ti[pos[g]] = timp[i]
            pos[g] += 1
    # Backwards over groups: group g moves right by the tail postings of groups < g.
    for g in range(ng - 1, -1, -1):
        shift = cnt[g]
        add = cnt[g + 1] - cnt[g]
        lo = soff[g]
        hi = soff[g + 1]
        if shift == 0 and add == 0:
            break
        nlo = lo + shift
        length = hi - lo
        if shift > 0:
            for i in range(length - 1, -1, -1):
                srow[nlo + i] = srow[lo + i]
                simp[nlo + i] = simp[lo + i]
        for i in range(add):
            srow[nlo + length + i] = tr[shift + i]
            simp[nlo + length + i] = ti[shift + i]
        soff[g + 1] = hi + cnt[g + 1]
    return soff[ng]


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


_U64 = (1 << 64) - 1


def _mix(codes: I64) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: spreads integer codes over the hash table."""
    if codes.shape[0] <= 4:  # single upserts: plain ints are ~10x faster than numpy
        out = []
        for c in codes.tolist():
            x = c & _U64
            x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _U64
            x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _U64
            out.append(x ^ (x >> 31))
        return np.array(out, dtype=np.uint64)
    z = codes.astype(np.int64).view(np.uint64).copy()
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


class _KeyMap:
    """Row slot -> key (numpy arrays) and key -> row slot (open addressing, int32)."""

    def __init__(self) -> None:
        self.kind: Literal["", "int", "str"] = ""
        self.ints = np.zeros(0, dtype=np.int64)
        self.strs = np.zeros(0, dtype="S1")
        self.table = np.full(8, -1, dtype=np.int32)  # -1 empty, -2 deleted
        self.filled = 0  # slots not -1

    # -- keys as arrays --

    def encode(self, keys: Sequence[Key]) -> tuple[npt.NDArray[np.generic], I64]:
        """Keys as an array comparable with the stored ones, and their hash codes."""
        if not keys:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        first = keys[0]
        kind = "str" if isinstance(first, str) else "int"
        if self.kind and kind != self.kind:
            raise TypeError(f"this index holds {self.kind} keys, got {first!r}")
        if kind == "str":
            if not all(isinstance(k, str) for k in keys):
                raise TypeError("keys must be all str or all int")
            raw = [k.encode() for k in keys]  # type: ignore[union-attr]
            if any(b"\x00" in b for b in raw):
                raise ValueError("keys must not contain NUL characters")
            arr: npt.NDArray[np.generic] = np.array(raw, dtype=np.bytes_)
            codes = np.fromiter((hash(b) for b in raw), dtype=np.int64, count=len(raw))
            return arr, codes
        if not all(isinstance(k, numbers.Integral) and not isinstance(k, bool) for k in keys):
            raise TypeError("keys must be all str or all int")
        iarr = np.array([int(k) for k in keys], dtype=np.int64)
        return iarr, iarr

    def stored(self, rows: I64) -> npt.NDArray[np.generic]:
        return self.ints[rows] if self.kind == "int" else self.strs[rows]

    def to_python(self, rows: I64) -> list[Key]:
        if self.kind == "int":
            return self.ints[rows].tolist()
        return [b.decode() for b in self.strs[rows].tolist()]

    def ensure(self, needed: int, kind: Literal["int", "str"]) -> None:
        """Room for ``needed`` keys; the index takes the kind of its first keys."""
        if not self.kind:
            self.kind = kind
        if self.kind == "int":
            self.ints = _grow(self.ints, needed)  # type: ignore[assignment]
        elif self.strs.shape[0] < needed:
            self.strs = _grow(self.strs, needed)

    # -- one key at a time (single upserts and removals: plain Python, no numpy calls) --

    def encode1(self, key: object) -> tuple[bytes | int, int]:
        """A key as stored (bytes or int) and its hash code; TypeError on a wrong kind."""
        if isinstance(key, str):
            if self.kind == "int":
                raise TypeError(f"this index holds int keys, got {key!r}")
            b = key.encode()
            if b"\x00" in b:
                raise ValueError("keys must not contain NUL characters")
            return b, hash(b)
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if self.kind == "str":
                raise TypeError(f"this index holds str keys, got {key!r}")
            k = int(key)
            if not -(1 << 63) <= k < 1 << 63:
                raise ValueError("int keys must fit in int64")
            return k, k
        raise TypeError("keys must be str or int")

    def find1(self, key: bytes | int, code: int) -> tuple[int, int]:
        """(row slot, table position) of ``key``, or (-1, first free position)."""
        table = self.table
        mask = table.shape[0] - 1
        x = code & _U64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _U64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _U64
        i = (x ^ (x >> 31)) & mask
        free = -1
        if not self.kind:
            return -1, i
        keys = self.ints if self.kind == "int" else self.strs
        while True:
            r = table.item(i)
            if r == -1:
                return -1, (i if free < 0 else free)
            if r == -2:
                if free < 0:
                    free = i
            elif keys.item(r) == key:
                return r, i
            i = (i + 1) & mask

    def store1(self, row: int, key: bytes | int) -> None:
        if isinstance(key, bytes):
            if len(key) > self.strs.dtype.itemsize:
                self.strs = self.strs.astype(f"S{len(key)}")
            self.strs[row] = key
        else:
            self.ints[row] = key

    def place1(self, row: int, pos: int) -> None:
        """Put ``row`` at a free table position found by :meth:`find1`."""
        if self.table.item(pos) == -1:
            self.filled += 1
        self.table[pos] = row

    def store(self, base: int, arr: npt.NDArray[np.generic]) -> None:
        n = arr.shape[0]
        if n == 0:
            return
        if not self.kind:
            self.kind = "str" if arr.dtype.kind == "S" else "int"
        if self.kind == "int":
            self.ints[base : base + n] = arr
            return
        if arr.dtype.itemsize > self.strs.dtype.itemsize:
            self.strs = self.strs.astype(arr.dtype)
        self.strs[base : base + n] = arr

    def codes_of_rows(self, rows: I64) -> I64:
        if self.kind == "int":
            return self.ints[rows]
        return np.fromiter(
            (hash(b) for b in self.strs[rows].tolist()), dtype=np.int64, count=rows.shape[0]
        )

    # -- hash table --

    def lookup(self, arr: npt.NDArray[np.generic], codes: I64) -> I64:
        """Row slot of each key, -1 where absent."""
        k = codes.shape[0]
        out = np.full(k, -1, dtype=np.int64)
        if k == 0 or not self.kind:
            return out
        mask = np.uint64(self.table.shape[0] - 1)
        slots = (_mix(codes) & mask).astype(np.int64)
        pending = np.arange(k)
        while pending.shape[0]:
            s = slots[pending]
            r = self.table[s].astype(np.int64)
            live = r >= 0
            match = np.zeros(pending.shape[0], dtype=bool)
            if live.any():
                lr = np.flatnonzero(live)
                match[lr] = self.stored(r[lr]) == arr[pending[lr]]
            out[pending[match]] = r[match]
            pending = pending[~(match | (r == -1))]
            slots[pending] = (slots[pending] + 1) & int(mask)
        return out

    def full_after(self, k: int) -> bool:
        """Whether adding ``k`` keys would fill the table past 70% (slow probing)."""
        return (self.filled + k) * 10 > 7 * self.table.shape[0]

    def place(self, rows: I64, codes: I64) -> None:
        """Add absent keys, already stored at ``rows``."""
        mask = self.table.shape[0] - 1
        slots = (_mix(codes) & np.uint64(mask)).astype(np.int64)
        pending = np.arange(rows.shape[0])
        while pending.shape[0]:
            s = slots[pending]
            prev = self.table[s]
            free = prev < 0
            cand, cs = pending[free], s[free]
            self.table[cs] = rows[cand]
            won = self.table[cs] == rows[cand]
            self.filled += int(np.count_nonzero(prev[free][won] == -1))
            done = np.zeros(pending.shape[0], dtype=bool)
            done[np.flatnonzero(free)[won]] = True
            pending = pending[~done]
            slots[pending] = (slots[pending] + 1) & mask

    def delete(self, rows: I64) -> None:
        """Mark the slots holding ``rows`` deleted."""
        if rows.shape[0] == 0:
            return
        mask = self.table.shape[0] - 1
        slots = (_mix(self.codes_of_rows(rows)) & np.uint64(mask)).astype(np.int64)
        pending = np.arange(rows.shape[0])
        while pending.shape[0]:
            s = slots[pending]
            hit = self.table[s] == rows[pending]
            self.table[s[hit]] = -2
            pending = pending[~hit]
            slots[pending] = (slots[pending] + 1) & mask

    def rebuild(self, live_rows: I64, extra: int = 0) -> None:
        size = 8
        while size < 2 * (live_rows.shape[0] + extra) + 8:
            size *= 2
        self.table = np.full(size, -1, dtype=np.int32)
        self.filled = 0
        self.place(live_rows, self.codes_of_rows(live_rows))

    def remap(self, live_ids: I64) -> None:
        """Keep the keys of ``live_ids`` (in order) at slots 0.. and rebuild the table."""
        if self.kind == "int":
            self.ints = self.ints[live_ids]
        elif self.kind == "str":
            self.strs = self.strs[live_ids]
        self.rebuild(np.arange(live_ids.shape[0], dtype=np.int64))

    def nbytes(self) -> int:
        return int(self.ints.nbytes + self.strs.nbytes + self.table.nbytes)


def _aggregate1(
    skills: Sequence[int], weights: Sequence[float] | None
) -> tuple[list[int], list[float]]:
    """One row: sorted unique skills and float32 weights (summed, zeros dropped)."""
    ws: Sequence[float] = [1.0] * len(skills) if weights is None else weights
    if len(ws) != len(skills):
        raise ValueError("skills and weights differ in length")
    summed: dict[int, float] = {}
    for s, w in zip(skills, ws, strict=True):
        si = operator.index(s)
        wf = float(w)
        if si < 0 or not math.isfinite(wf) or wf < 0:
            raise ValueError("skill ids and weights must be non-negative and finite")
        summed[si] = summed.get(si, 0.0) + wf
    sk: list[int] = []
    w32: list[float] = []
    for s in sorted(summed):
        # A weight too small for float32 would be stored as 0: drop it like a zero.
        v = float(np.float32(summed[s]))
        if v > 0:
            sk.append(s)
            w32.append(v)
    return sk, w32


def _spread(starts: I64, lens: I64) -> I64:
    """Concatenated ranges ``starts[i] : starts[i] + lens[i]`` as one index array."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.cumsum(lens) - lens
    return np.repeat(starts - offs, lens) + np.arange(total, dtype=np.int64)


def _bucket_of(
    role: Role, prov: int, reg: int, remote: bool, reloc: bool
) -> int:  # the scalar twin of SkillIndex._buckets_of
    if role == "vacancies":
        anywhere = remote or reg == 0
        consistent = reg // 100 == prov
    else:
        anywhere = reloc
        consistent = reg == 0 or reg // 100 == prov
    return prov if (not anywhere and consistent and 1 <= prov < _NB) else 0


class SkillIndex:
    """Rows of one kind (``role``) as sparse skill vectors, searchable from the other side.

    ``role="vacancies"``: rows are vacancies, queries come from participants (their
    :class:`QueryFilters` are the participant's attributes). ``role="participants"``:
    the mirror, rows are participants and queries come from vacancies. Keys are ``str``
    or ``int``, one kind per index.
    """

    def __init__(self, role: Role) -> None:
        if role not in ("vacancies", "participants"):
            raise ValueError(f"unknown role {role!r}")
        self.role: Role = role
        self._keys = _KeyMap()
        self._nlive = 0
        # Per row slot (live or dead), first _nslots valid.
        self._nslots = 0
        self._alive = np.zeros(0, dtype=bool)
        # The kernel's copy of the filter attributes, one int64 per row (_pack).
        self._attr = np.zeros(0, dtype=np.int64)
        self._edu = np.zeros(0, dtype=np.int8)
        self._prov = np.zeros(0, dtype=np.int16)
        self._reg = np.zeros(0, dtype=np.int32)
        self._remote = np.zeros(0, dtype=bool)
        self._reloc = np.zeros(0, dtype=bool)
        # Posting group inside a skill: education level * _NB + location bucket.
        self._cell = np.zeros(0, dtype=np.uint16)
        # Row slots [0, _nsorted) are numbered in cell order (by compact()): cell c holds
        # slots [_cstart[c], _cstart[c + 1]); their postings are the static level. Later
        # slots are in write order; their postings are the overflow level or the tail.
        self._nsorted = 0
        self._cstart = np.zeros(_CELLS + 1, dtype=np.int64)
        # Forward store: row slot i has skills _fskills[_fptr[i]:_fptr[i + 1]], ascending.
        self._fptr = np.zeros(1, dtype=np.int64)
        self._fskills: npt.NDArray[np.unsignedinteger | np.signedinteger] = np.zeros(
            0, dtype=np.uint16
        )
        # Per skill.
        self._df = np.zeros(0, dtype=np.int32)
        # Static postings (slots < _nsorted): group g = skill * _CELLS + cell is
        # [_soff[g], _soff[g + 1]), slots ascending.
        self._soff = np.zeros(1, dtype=np.int64)
        self._srow = np.zeros(0, dtype=np.int32)
        self._simp = np.zeros(0, dtype=np.float32)
        # Overflow postings (slots >= _nsorted, merged from the tail): same grouping,
        # int32 offsets, allocated by the first merge after a renumbering ([0] before).
        self._ooff = np.zeros(1, dtype=np.int32)
        self._orow = np.zeros(0, dtype=np.int32)
        self._oimp = np.zeros(0, dtype=np.float32)
        # Tail postings, in write order.
        self._tlen = 0
        self._trow = np.zeros(0, dtype=np.int32)
        self._tskill = np.zeros(0, dtype=np.int32)
        self._timp = np.zeros(0, dtype=np.float32)
        self._npostings = 0
        self._dead_postings = 0
        self._dead_rows = 0
        # Query scratch (all zeros between queries): a float64 accumulator per block of
        # renumbered slots and the block's touched slots; the same per slot >= _nsorted;
        # a coefficient per skill.
        self._blk = np.zeros(0, dtype=np.float64)
        self._btouched = np.zeros(0, dtype=np.int32)
        self._acc = np.zeros(0, dtype=np.float64)
        self._touched = np.zeros(0, dtype=np.int32)
        self._coefbuf = np.zeros(0, dtype=np.float64)

    # -- writing ------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._nlive

    def __contains__(self, key: object) -> bool:
        try:
            k, code = self._keys.encode1(key)
        except (TypeError, ValueError):
            return False
        return self._keys.find1(k, code)[0] >= 0

    @property
    def _nskills(self) -> int:
        return int(self._df.shape[0])

    def upsert(
        self,
        key: Key,
        skills: Sequence[int],
        weights: Sequence[float] | None,
        attrs: RowAttrs,
    ) -> None:
        """Insert or replace row ``key``; repeated skills add their weights.

        ``weights`` default to 1. A row without skills is kept (it counts in ``N``) but
        is never retrieved. Same result as :meth:`upsert_many` with one row, in plain
        Python (a handful of numpy element writes, no vectorised calls).
        """
        sk, w32 = _aggregate1(skills, weights)
        k, code = self._keys.encode1(key)
        keys = self._keys
        row, pos = keys.find1(k, code)
        if row >= 0:
            self._kill_one(row, pos)
        base = self._nslots
        self._ensure_rows(base + 1, "str" if isinstance(k, bytes) else "int")
        self._alive[base] = True
        self._edu[base] = attrs.education_rank
        self._prov[base] = attrs.province
        self._reg[base] = attrs.regency
        self._remote[base] = attrs.remote
        self._reloc[base] = attrs.willing_to_relocate
        cell = min(max(int(self._edu[base]), 0), _NE - 1) * _NB + _bucket_of(
            self.role, attrs.province, attrs.regency, attrs.remote, attrs.willing_to_relocate
        )
        self._cell[base] = cell
        self._attr[base] = self._pack(slice(base, base + 1))[0]
        keys.store1(base, k)
        if keys.full_after(1):
            keys.rebuild(np.flatnonzero(self._alive[: base + 1]).astype(np.int64))
        else:  # pos: the old row's position (free now), or the first free one
            keys.place1(base, pos)
        m = len(sk)
        used = int(self._fptr[base])
        self._fptr[base + 1] = used + m
        self._nslots = base + 1
        self._nlive += 1
        if m:
            top = sk[-1]
            if top > np.iinfo(self._fskills.dtype).max:
                self._fskills = self._fskills.astype(np.int32)
            if used + m > self._fskills.shape[0]:
                self._fskills = _grow(self._fskills, used + m)  # type: ignore[assignment]
            self._fskills[used : used + m] = sk
            if top >= self._nskills:
                self._ensure_skills(top + 1)
            self._df[sk] += 1
            sq = 0.0
            for w in w32:
                sq += w * w
            norm = math.sqrt(sq)
            t = self._tlen
            if t + m > self._trow.shape[0]:
                self._ensure_tail(t + m)
            self._trow[t : t + m] = base
            self._tskill[t : t + m] = sk
            self._timp[t : t + m] = [w / norm for w in w32]
            self._tlen = t + m
            self._npostings += m
        self._after_write()

    def upsert_many(
        self,
        keys: Sequence[Key],
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
        if n == 0:
            return
        karr, codes = self._keys.encode(keys)
        if np.unique(karr).shape[0] != n:
            raise ValueError("duplicate keys in one upsert_many call")
        lens = np.diff(ptr)
        local = np.repeat(np.arange(n, dtype=np.int64), lens)
        # A weight too small for float32 would be stored as 0: drop it like a zero.
        keep = w.astype(np.float32) > 0
        sk, w, local = sk[keep], w[keep], local[keep]
        # Each row's skills ascending (the summation order of its scores).
        if sk.shape[0]:
            order = np.lexsort((sk, local))
            sk, w, local = sk[order], w[order], local[order]
            if np.any((sk[1:] == sk[:-1]) & (local[1:] == local[:-1])):
                raise ValueError("a row lists the same skill twice")
        old = self._keys.lookup(karr, codes)
        self._kill_rows(old[old >= 0])
        w32 = w.astype(np.float32)
        w64 = w32.astype(np.float64)
        # Sequential sums in ascending skill order, as in upsert().
        norms = np.sqrt(np.bincount(local, weights=w64 * w64, minlength=n))
        base = self._nslots
        self._ensure_rows(base + n, "str" if karr.dtype.kind == "S" else "int")
        rows = slice(base, base + n)
        self._alive[rows] = True
        self._edu[rows] = np.asarray(education_rank)
        self._prov[rows] = np.asarray(province)
        self._reg[rows] = np.asarray(regency)
        self._remote[rows] = np.asarray(remote, dtype=bool)
        self._reloc[rows] = np.asarray(willing_to_relocate, dtype=bool)
        levels = np.clip(self._edu[rows].astype(np.int64), 0, _NE - 1)
        self._cell[rows] = levels * _NB + self._buckets_of(np.arange(base, base + n))
        self._attr[rows] = self._pack(rows)
        self._keys.store(base, karr)
        new_rows = np.arange(base, base + n, dtype=np.int64)
        if self._keys.full_after(n):
            self._keys.rebuild(np.flatnonzero(self._alive[: base + n]).astype(np.int64))
        else:
            self._keys.place(new_rows, codes)
        # Forward store.
        m = sk.shape[0]
        used = int(self._fptr[base])
        if m and int(sk.max()) > np.iinfo(self._fskills.dtype).max:
            self._fskills = self._fskills.astype(np.int32)
        self._fskills = _grow(self._fskills, used + m)  # type: ignore[assignment]
        self._fskills[used : used + m] = sk
        kept = np.bincount(local, minlength=n)
        self._fptr[base + 1 : base + n + 1] = used + np.cumsum(kept)
        self._nslots = base + n
        self._nlive += n
        # Tail postings.
        if m:
            nsk = int(sk.max()) + 1
            self._ensure_skills(nsk)
            self._df[:nsk] += np.bincount(sk, minlength=nsk).astype(np.int32)
            t = self._tlen
            self._ensure_tail(t + m)
            self._trow[t : t + m] = local + base
            self._tskill[t : t + m] = sk
            self._timp[t : t + m] = w64 / norms[local]
            self._tlen = t + m
            self._npostings += m
        self._after_write()

    def _after_write(self) -> None:
        if not self._maybe_compact() and self._tlen > max(
            _TAIL_MIN, self._npostings // _TAIL_SHARE
        ):
            self._merge_tail()

    def _pack(self, rows: slice) -> I64:
        """Filter attributes of ``rows`` as one int64 each, from the stored arrays.

        Bits 0-31 regency (int32), 32-47 province (int16), 48-55 education + 128,
        56 "reachable from anywhere" (a remote or location-less vacancy, a participant
        willing to relocate), 57 alive.
        """
        reg = self._reg[rows].astype(np.int64)
        anywhere = (
            self._remote[rows] | (reg == 0) if self.role == "vacancies" else self._reloc[rows]
        )
        return (
            (reg & 0xFFFFFFFF)
            | ((self._prov[rows].astype(np.int64) & 0xFFFF) << 32)
            | (((self._edu[rows].astype(np.int64) + 128) & 0xFF) << 48)
            | (anywhere.astype(np.int64) << 56)
            | (self._alive[rows].astype(np.int64) << 57)
        )

    def _buckets_of(self, rows: I64) -> U8:
        prov = self._prov[rows].astype(np.int64)
        reg = self._reg[rows].astype(np.int64)
        if self.role == "vacancies":
            anywhere = self._remote[rows] | (reg == 0)
            consistent = reg // 100 == prov
        else:
            anywhere = self._reloc[rows]
            consistent = (reg == 0) | (reg // 100 == prov)
        located = ~anywhere & consistent & (prov >= 1) & (prov < _NB)
        return np.where(located, prov, 0).astype(np.uint8)

    def remove(self, key: Key) -> bool:
        """Remove row ``key``; return whether it was there."""
        try:
            k, code = self._keys.encode1(key)
        except (TypeError, ValueError):
            return False
        row, pos = self._keys.find1(k, code)
        if row < 0:
            return False
        self._kill_one(row, pos)
        self._maybe_compact()
        return True

    def _kill_one(self, row: int, pos: int) -> None:
        self._keys.table[pos] = -2
        self._alive[row] = False
        self._attr[row] &= ~_ALIVE_BIT
        a, z = int(self._fptr[row]), int(self._fptr[row + 1])
        if z > a:
            self._df[self._fskills[a:z]] -= 1  # a row's skills are distinct
        self._dead_postings += z - a
        self._dead_rows += 1
        self._nlive -= 1

    def _kill_rows(self, rows: I64) -> None:
        if rows.shape[0] == 0:
            return
        self._keys.delete(rows)
        self._alive[rows] = False
        self._attr[rows] &= ~_ALIVE_BIT
        idx = _spread(self._fptr[rows], self._fptr[rows + 1] - self._fptr[rows])
        np.subtract.at(self._df, self._fskills[idx].astype(np.int64), 1)
        self._dead_postings += idx.shape[0]
        self._dead_rows += rows.shape[0]
        self._nlive -= rows.shape[0]

    def _ensure_rows(self, needed: int, kind: Literal["int", "str"]) -> None:
        self._keys.ensure(needed, kind)
        if needed <= self._alive.shape[0]:
            return
        self._alive = _grow(self._alive, needed)
        self._attr = _grow(self._attr, needed)  # type: ignore[assignment]
        self._edu = _grow(self._edu, needed)  # type: ignore[assignment]
        self._prov = _grow(self._prov, needed)  # type: ignore[assignment]
        self._reg = _grow(self._reg, needed)  # type: ignore[assignment]
        self._remote = _grow(self._remote, needed)
        self._reloc = _grow(self._reloc, needed)
        self._cell = _grow(self._cell, needed)  # type: ignore[assignment]
        self._fptr = _grow(self._fptr, self._alive.shape[0] + 1)  # type: ignore[assignment]

    def _ensure_tail(self, needed: int) -> None:
        self._trow = _grow(self._trow, needed)  # type: ignore[assignment]
        self._tskill = _grow(self._tskill, needed)  # type: ignore[assignment]
        self._timp = _grow(self._timp, needed)  # type: ignore[assignment]

    def _ensure_skills(self, nskills: int) -> None:
        old = self._nskills
        if nskills <= old:
            return
        self._df = np.concatenate((self._df, np.zeros(nskills - old, dtype=np.int32)))
        more = (nskills - old) * _CELLS
        self._soff = np.concatenate((self._soff, np.full(more, self._soff[-1], dtype=np.int64)))
        if self._ooff.shape[0] > 1:
            self._ooff = np.concatenate((self._ooff, np.full(more, self._ooff[-1], dtype=np.int32)))

    # -- merging and compaction ---------------------------------------------------------

    def _merge_tail(self, static: bool = False) -> None:
        """Move the tail's live postings into the overflow level (compiled, in place).

        ``static``: into the static level instead (compact(), once the tail's rows are
        renumbered).
        """
        t = self._tlen
        self._tlen = 0
        if t == 0:
            return
        if not static and self._ooff.shape[0] != self._soff.shape[0]:
            self._ooff = np.zeros(self._soff.shape[0], dtype=np.int32)
        off = self._soff if static else self._ooff
        s = int(off[-1])
        prow = _grow(self._srow if static else self._orow, s + t)
        pimp = _grow(self._simp if static else self._oimp, s + t)
        if static:
            self._srow, self._simp = prow, pimp  # type: ignore[assignment]
        else:
            self._orow, self._oimp = prow, pimp  # type: ignore[assignment]
        _merge_kernel(
            off,
            prow,
            pimp,
            self._trow,
            self._tskill,
            self._timp,
            t,
            self._alive,
            self._cell,
        )

    def _maybe_compact(self) -> bool:
        unsorted = self._nslots - self._nsorted
        if (
            self._dead_postings > _GARBAGE_SHARE * self._npostings
            or self._dead_rows > _GARBAGE_SHARE * self._nslots
            or (unsorted > _UNSORTED_MIN and unsorted > _UNSORTED_SHARE * self._nslots)
        ):
            self.compact()
            return True
        return False

    def compact(self) -> None:
        """Drop dead rows and postings, renumber rows by cell, merge the tail, trim.

        The live rows are renumbered densely in cell order (stable: write order inside a
        cell), so that a (skill, cell) posting group stays ascending and falls in its
        cell's slot range. Runs by itself past 25% garbage or 25% slots written since
        the last renumbering; call it after a bulk load to give back the growth slack.
        """
        n = self._nslots
        alive = self._alive[:n]
        live_ids = np.flatnonzero(alive)
        cells = self._cell[live_ids]
        live_ids = live_ids[np.argsort(cells, kind="stable")]
        counts = np.bincount(cells, minlength=_CELLS).astype(np.int64)
        del cells
        remap = np.full(max(n, 1), -1, dtype=np.int32)
        remap[live_ids] = np.arange(live_ids.shape[0], dtype=np.int32)
        # The overflow level, then the tail, as one tail (older rows first; all newer
        # than the static level's): merged into the static level, each group's slots
        # stay ascending (the renumbering keeps the write order inside a cell).
        o = int(self._ooff[-1])
        t = self._tlen
        ogroup = np.repeat(np.arange(self._ooff.shape[0] - 1, dtype=np.int64), np.diff(self._ooff))
        trow_all = np.concatenate((self._orow[:o], self._trow[:t]))
        tskill_all = np.concatenate(
            ((ogroup // _CELLS).astype(np.int32), self._tskill[:t].astype(np.int32))
        )
        timp_all = np.concatenate((self._oimp[:o], self._timp[:t]))
        del ogroup
        self._ooff = np.zeros(1, dtype=np.int32)
        self._orow = np.zeros(0, dtype=np.int32)
        self._oimp = np.zeros(0, dtype=np.float32)
        tkeep = alive[trow_all]
        nt = int(np.count_nonzero(tkeep))
        # Static level: an order-preserving filter keeps groups, and rows ascending.
        s = int(self._soff[-1])
        if s:
            keep = alive[self._srow[:s]]
            kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
            self._soff = kept_before[self._soff]
            ns = int(kept_before[-1])
            srow = np.empty(ns + nt, dtype=np.int32)
            simp = np.empty(ns + nt, dtype=np.float32)
            srow[:ns] = remap[self._srow[:s][keep]]
            simp[:ns] = self._simp[:s][keep]
            self._srow, self._simp = srow, simp
            del keep, kept_before
        else:
            self._srow = np.empty(nt, dtype=np.int32)
            self._simp = np.empty(nt, dtype=np.float32)
        self._trow = remap[trow_all[tkeep]]
        self._tskill = tskill_all[tkeep]
        self._timp = timp_all[tkeep]
        self._tlen = nt
        del trow_all, tskill_all, timp_all, tkeep
        # Forward store: gather the live rows' segments into one contiguous array.
        starts = self._fptr[live_ids]
        lens = self._fptr[live_ids + 1] - starts
        self._fskills = self._fskills[_spread(starts, lens)]
        self._fptr = np.concatenate(([0], np.cumsum(lens))).astype(np.int64)
        self._alive = alive[live_ids].copy()
        self._attr = self._attr[live_ids]
        self._edu = self._edu[live_ids]
        self._prov = self._prov[live_ids]
        self._reg = self._reg[live_ids]
        self._remote = self._remote[live_ids]
        self._reloc = self._reloc[live_ids]
        self._cell = self._cell[live_ids]
        self._keys.remap(live_ids.astype(np.int64))
        self._nslots = live_ids.shape[0]
        self._nsorted = self._nslots
        self._cstart = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self._npostings = int(self._fskills.shape[0])
        self._dead_postings = 0
        self._dead_rows = 0
        self._acc = np.zeros(0, dtype=np.float64)
        self._touched = np.zeros(0, dtype=np.int32)
        self._merge_tail(static=True)
        self._trow = self._trow[:0].copy()
        self._tskill = self._tskill[:0].copy()
        self._timp = self._timp[:0].copy()

    # -- memory -------------------------------------------------------------------------

    def memory_breakdown(self) -> dict[str, int]:
        """Bytes held, by part: postings, forward store, row arrays, keys, query scratch.

        Figures are allocated capacity (growth slack included). Keys are numpy arrays
        and an int32 hash table, so the figure is exact.
        """
        postings = self._srow.nbytes + self._simp.nbytes + self._soff.nbytes + self._df.nbytes
        postings += self._ooff.nbytes + self._orow.nbytes + self._oimp.nbytes
        postings += self._trow.nbytes + self._tskill.nbytes + self._timp.nbytes
        rows = sum(
            a.nbytes
            for a in (
                self._alive,
                self._attr,
                self._edu,
                self._prov,
                self._reg,
                self._remote,
                self._reloc,
                self._cell,
                self._fptr,
            )
        )
        scratch = sum(
            a.nbytes for a in (self._blk, self._btouched, self._acc, self._touched, self._coefbuf)
        )
        rows += self._cstart.nbytes
        return {
            "postings": int(postings),
            "forward": int(self._fskills.nbytes),
            "rows": int(rows),
            "keys": self._keys.nbytes(),
            "scratch": int(scratch),
        }

    def memory_bytes(self) -> int:
        """Total bytes of :meth:`memory_breakdown`."""
        return sum(self.memory_breakdown().values())

    # -- querying -----------------------------------------------------------------------

    def _filter(
        self,
        rows: npt.NDArray[np.int64] | I32,
        edu: npt.NDArray[np.int64] | int,
        prov: npt.NDArray[np.int64] | int,
        reg: npt.NDArray[np.int64] | int,
        anywhere: npt.NDArray[np.bool_] | bool,
    ) -> npt.NDArray[np.bool_]:
        """Hard filters for candidate ``rows`` against the asking entity's attributes.

        ``anywhere`` is the query side's own pass on location: a participant willing to
        relocate, or a remote / location-less vacancy. (The numpy reference; the kernel
        has the same test written out per row.)
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

    def top_n(
        self,
        query_skills: Sequence[int],
        query_weights: Sequence[float] | None,
        n: int,
        filters: QueryFilters | None = None,
        *,
        prune: bool = True,
    ) -> list[tuple[Key, float]]:
        """Best ``n`` live rows for one query as ``(key, score)``, score desc then key.

        Only rows sharing a skill with the query (score > 0) and passing ``filters``
        (the asking entity's attributes; ``None`` for no hard filter) are returned.
        ``prune=False`` runs the numpy reference (every posting of the query's skills,
        numpy filters) instead of the compiled kernel; results are the same.
        """
        return self.top_n_many([(query_skills, query_weights, filters)], n, prune=prune)[0]

    def top_n_many(
        self,
        queries: Sequence[Query],
        n: int,
        method: Literal["numpy", "scipy"] = "numpy",
        *,
        prune: bool = True,
    ) -> list[list[tuple[Key, float]]]:
        """:meth:`top_n` for a batch of ``(skills, weights, filters)`` queries.

        The whole batch is one call of the compiled kernel (which releases the GIL).
        ``method`` is kept for compatibility and ignored.
        """
        del method
        if not queries:
            return []
        b = len(queries)
        if n <= 0 or self._nlive == 0:
            return [[] for _ in queries]
        tq, ts, tc = self._prepare(queries)
        if tq.shape[0] == 0:
            return [[] for _ in queries]
        has = np.fromiter((f is not None for _, _, f in queries), dtype=bool, count=b)
        fs = [f or _NO_FILTER for _, _, f in queries]
        qedu = np.fromiter((f.education_rank for f in fs), dtype=np.int64, count=b)
        qprov = np.fromiter((f.province for f in fs), dtype=np.int64, count=b)
        qreg = np.fromiter((f.regency for f in fs), dtype=np.int64, count=b)
        qany = np.fromiter((self._anywhere(f) for f in fs), dtype=bool, count=b)
        found: tuple[npt.NDArray[np.integer], npt.NDArray[np.integer], F64]
        if prune:
            found = self._kernel(b, n, tq, ts, tc, has, qedu, qprov, qreg, qany)
        else:
            found = self._exhaustive(b, n, tq, ts, tc, has, qedu, qprov, qreg, qany)
        return self._finish(b, n, found[0], found[1], found[2], prune)

    def _prepare(self, queries: Sequence[Query]) -> tuple[I64, I64, F64]:
        """Per (query, known skill), by query then skill: query, skill, coefficient.

        The coefficient is ``q_s * idf_s**2 / |q|``.
        """
        lens = np.fromiter((len(s) for s, _, _ in queries), dtype=np.int64, count=len(queries))
        total = int(lens.sum())
        sk = np.fromiter(
            itertools.chain.from_iterable(s for s, _, _ in queries), dtype=np.int64, count=total
        )
        w = np.fromiter(
            itertools.chain.from_iterable(
                itertools.repeat(1.0, len(s)) if w is None else w for s, w, _ in queries
            ),
            dtype=np.float64,
        )
        if w.shape[0] != total:
            raise ValueError("skills and weights differ in length")
        if total and (sk.min() < 0 or not np.all(np.isfinite(w)) or w.min() < 0):
            raise ValueError("skill ids and weights must be non-negative and finite")
        b = len(queries)
        if total == 0:
            e = np.zeros(0, dtype=np.int64)
            return e, e, np.zeros(0)
        qid = np.repeat(np.arange(b, dtype=np.int64), lens)
        width = int(sk.max()) + 1
        uniq, inv = np.unique(qid * width + sk, return_inverse=True)
        summed = np.bincount(inv, weights=w, minlength=uniq.shape[0])
        pos = summed > 0
        uniq, summed = uniq[pos], summed[pos]
        tq, ts = uniq // width, uniq % width
        qnorm = np.sqrt(np.bincount(tq, weights=summed * summed, minlength=b))
        nsk = self._nskills
        known = ts < nsk
        tq, ts, summed = tq[known], ts[known], summed[known]
        df = self._df[ts].astype(np.int64)
        present = df > 0
        tq, ts, summed, df = tq[present], ts[present], summed[present], df[present]
        idf = np.log((self._nlive + 1) / (df + 1.0)) + 1.0
        return tq, ts, summed * idf * idf / qnorm[tq]

    def _kernel(
        self,
        b: int,
        n: int,
        tq: I64,
        ts: I64,
        tc: F64,
        has: BoolA,
        qedu: I64,
        qprov: I64,
        qreg: I64,
        qany: BoolA,
    ) -> tuple[I32, I32, F64]:
        ns = self._nslots - self._nsorted
        if self._acc.shape[0] < ns:
            cap = ns + ns // 16 + _MIN_CAPACITY  # slack: not a new scratch per write
            self._acc = np.zeros(cap, dtype=np.float64)
            self._touched = np.zeros(cap + 1, dtype=np.int32)
        if self._blk.shape[0] != _BLOCK:
            self._blk = np.zeros(_BLOCK, dtype=np.float64)
            self._btouched = np.zeros(_BLOCK + 1, dtype=np.int32)
        if self._coefbuf.shape[0] < self._nskills:
            self._coefbuf = np.zeros(self._nskills, dtype=np.float64)
        qptr = np.searchsorted(tq, np.arange(b + 1, dtype=np.int64), side="left")
        args = (
            qptr,
            ts,
            tc,
            has,
            qedu,
            qprov,
            qreg,
            qany,
            n,
            self.role == "vacancies",
            self._soff,
            self._srow,
            self._simp,
            self._ooff,
            self._orow,
            self._oimp,
            self._trow,
            self._tskill,
            self._timp,
            self._tlen,
            self._attr,
            self._cstart,
            self._nsorted,
            self._blk,
            self._btouched,
            self._acc,
            self._touched,
            self._coefbuf,
        )
        cap = b * n + 1024
        while True:
            oq = np.empty(cap, dtype=np.int32)
            orow = np.empty(cap, dtype=np.int32)
            osc = np.empty(cap, dtype=np.float64)
            m = _search_kernel(*args, self._keys.ints, self._keys.kind == "int", oq, orow, osc)
            if m <= cap:
                return oq[:m], orow[:m], osc[:m]
            cap = m  # many ties at the n-th score: run again with room for all

    def _exhaustive(
        self,
        b: int,
        n: int,
        tq: I64,
        ts: I64,
        tc: F64,
        has: BoolA,
        qedu: I64,
        qprov: I64,
        qreg: I64,
        qany: BoolA,
    ) -> tuple[I64, I64, F64]:
        """The numpy reference: every bucket and the tail, numpy filters, per query."""
        t = self._tlen
        tsk, trw, tim = self._tskill[:t], self._trow[:t], self._timp[:t].astype(np.float64)
        bounds = np.searchsorted(tq, np.arange(b + 1), side="left").tolist()
        out_q: list[I64] = []
        out_r: list[I64] = []
        out_s: list[F64] = []
        for q in range(b):
            acc = np.zeros(self._nslots, dtype=np.float64)
            for j in range(bounds[q], bounds[q + 1]):
                s, c = int(ts[j]), float(tc[j])
                if c <= 0.0:
                    continue
                # A row has one posting per skill: no repeated index within a skill.
                for off, prow, pimp in (
                    (self._soff, self._srow, self._simp),
                    (self._ooff, self._orow, self._oimp),
                ):
                    if off.shape[0] > 1:
                        lo, hi = off[s * _CELLS], off[(s + 1) * _CELLS]
                        acc[prow[lo:hi]] += c * pimp[lo:hi].astype(np.float64)
                hit = tsk == s
                acc[trw[hit]] += c * tim[hit]
            rows = np.flatnonzero(acc > 0)
            rows = rows[self._alive[rows]]
            if has[q]:
                rows = rows[self._filter(rows, qedu[q], qprov[q], qreg[q], qany[q])]
            sc = acc[rows]
            if sc.shape[0] > n:
                kth = np.partition(sc, sc.shape[0] - n)[sc.shape[0] - n]
                rows, sc = rows[sc >= kth], sc[sc >= kth]
            out_q.append(np.full(rows.shape[0], q, dtype=np.int64))
            out_r.append(rows)
            out_s.append(sc)
        return np.concatenate(out_q), np.concatenate(out_r), np.concatenate(out_s)

    def _finish(
        self,
        b: int,
        n: int,
        q: npt.NDArray[np.integer],
        r: npt.NDArray[np.integer],
        s: F64,
        ordered: bool,
    ) -> list[list[tuple[Key, float]]]:
        """Order each query's rows by score desc then key, cut at n, as Python lists.

        ``ordered``: the kernel's output, by query, then score desc, then key (int keys,
        already cut at n) or row slot (str keys: only ties need the keys here).
        """
        res: list[list[tuple[Key, float]]] = [[] for _ in range(b)]
        if q.shape[0] == 0:
            return res
        rows: I64 = r.astype(np.int64)
        if not ordered or (
            self._keys.kind == "str" and np.any((q[1:] == q[:-1]) & (s[1:] == s[:-1]))
        ):
            order = np.lexsort((self._keys.stored(rows), -s, q))
            q, rows, s = q[order], rows[order], s[order]
            firsts = np.searchsorted(q, np.arange(b + 1), side="left")
            top = np.arange(q.shape[0]) - firsts[q] < n
            q, rows, s = q[top], rows[top], s[top]
        names = self._keys.to_python(rows)
        scores = s.tolist()
        bounds = np.searchsorted(q, np.arange(b + 1), side="left").tolist()
        for i in range(b):
            a, z = bounds[i], bounds[i + 1]
            if a < z:
                res[i] = list(zip(names[a:z], scores[a:z], strict=True))
        return res


_NO_FILTER = RowAttrs()
