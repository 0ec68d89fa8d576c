"""The worker's heap settling: garbage collected first, then the survivors frozen."""

from __future__ import annotations

import gc
import weakref

from streams.service import settle_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_settle_heap_collects_cycles_then_freezes_the_rest() -> None:
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    kept = _Node()
    try:
        settle_heap()
        assert gone() is None, "cyclic garbage is collected before freezing"
        assert gc.get_freeze_count() > 0
        # a cycle that dies while frozen is freed by the next settle, not leaked
        frozen = weakref.ref(kept)
        del kept
        gc.collect()
        assert frozen() is not None, "frozen objects are outside the collector's walk"
        settle_heap()
        assert frozen() is None
    finally:
        gc.unfreeze()
