"""A compact map from string ids to row numbers, for tables of millions of rows.

A dict of a million ``str -> int`` entries takes ~56 MB: its table, and an int object
per row above 256. ``IdRows`` takes 12 bytes a slot at most half full (~24 MB a
million): each slot holds an id's hash and its row, in two arrays. The ids themselves
stay where the table keeps them (its row -> id list), which confirms a match, so two ids
with one hash are each found: linear probing passes over the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["IdRows"]

_EMPTY: Final = -1  # never used: a probe stops here
_GONE: Final = -2  # removed: a probe goes on past it
_MIN_SLOTS: Final = 64  # a power of two


class IdRows:
    """``id -> row`` for rows ``0 <= row < 2**31`` whose id the caller keeps at ``ids[row]``.

    The caller sets ``ids[row]`` before ``add`` and clears it after ``pop``.
    """

    def __init__(self, ids: Sequence[str | None]) -> None:
        self._ids = ids
        self._hashes = np.zeros(_MIN_SLOTS, np.int64)
        self._rows = np.full(_MIN_SLOTS, _EMPTY, np.int32)
        self._live = 0
        self._used = 0  # live and gone: what a probe walks over

    def __len__(self) -> int:
        return self._live

    def __contains__(self, key: str) -> bool:
        return self._slot(key) >= 0

    def get(self, key: str) -> int | None:
        """The row of ``key``, or None."""
        slot = self._slot(key)
        return None if slot < 0 else int(self._rows[slot])

    def add(self, key: str, row: int) -> None:
        """Map ``key``, which is not mapped, to ``row``."""
        h = hash(key)
        slot = _free_slot(self._rows, h)
        if self._rows[slot] == _EMPTY:
            self._used += 1
        self._hashes[slot] = h
        self._rows[slot] = row
        self._live += 1
        if 2 * self._used > len(self._rows):  # at most half full, or probes grow long
            self._resize(2 * len(self._rows) if 4 * self._live > len(self._rows) else None)

    def pop(self, key: str) -> int | None:
        """Unmap ``key``; its row, or None when it was not mapped."""
        slot = self._slot(key)
        if slot < 0:
            return None
        row = int(self._rows[slot])
        self._rows[slot] = _GONE
        self._live -= 1
        return row

    def _slot(self, key: str) -> int:
        h = hash(key)
        slot = _find(self._hashes, self._rows, h, h)
        while slot >= 0 and self._ids[int(self._rows[slot])] != key:
            slot = _find(self._hashes, self._rows, h, slot + 1)  # another id, one hash
        return int(slot)

    def _resize(self, slots: int | None) -> None:
        """Re-insert the live entries into ``slots`` slots (None: as many as now)."""
        n = len(self._rows) if slots is None else slots
        hashes = np.zeros(n, np.int64)
        rows = np.full(n, _EMPTY, np.int32)
        _reinsert(self._hashes, self._rows, hashes, rows)
        self._hashes, self._rows = hashes, rows
        self._used = self._live


# Signatures given, so that each kernel is compiled (or loaded from the cache) on import,
# not on the first call: _reinsert would otherwise first run when a worker's table
# grows past its first slots, as events wait.
@njit("int64(int64[:], int32[:], int64, int64)", cache=True, nogil=True)
def _find(
    hashes: npt.NDArray[np.int64], rows: npt.NDArray[np.int32], h: int, at: int
) -> int:  # pragma: no cover - compiled
    """The first live slot holding ``h`` from slot ``at`` on (wrapping), or -1."""
    mask = len(rows) - 1
    i = at & mask
    while rows[i] != _EMPTY:
        if rows[i] >= 0 and hashes[i] == h:
            return i
        i = (i + 1) & mask
    return -1


@njit("int64(int32[:], int64)", cache=True, nogil=True)
def _free_slot(rows: npt.NDArray[np.int32], h: int) -> int:  # pragma: no cover - compiled
    """The first slot for ``h`` that holds no live entry."""
    mask = len(rows) - 1
    i = h & mask
    while rows[i] >= 0:
        i = (i + 1) & mask
    return i


@njit("void(int64[:], int32[:], int64[:], int32[:])", cache=True, nogil=True)
def _reinsert(
    hashes: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int32],
    new_hashes: npt.NDArray[np.int64],
    new_rows: npt.NDArray[np.int32],
) -> None:  # pragma: no cover - compiled
    mask = len(new_rows) - 1
    for j in range(len(rows)):
        if rows[j] >= 0:
            i = hashes[j] & mask
            while new_rows[i] != _EMPTY:
                i = (i + 1) & mask
            new_hashes[i] = hashes[j]
            new_rows[i] = rows[j]
