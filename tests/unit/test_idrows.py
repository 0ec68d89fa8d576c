"""IdRows, the compact id -> row map of ParticipantTable, against a dict."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.idrows import IdRows


class OneHash(str):
    """An id whose hash is its length: ids of one length collide in full."""

    __slots__ = ()

    def __hash__(self) -> int:
        return len(self)


# few ids, a third with clashing hashes, so that adds, pops and re-adds meet
ID_ST = st.sampled_from(["a", "b", "p1", "p10", "pä", *map(OneHash, ["x", "y", "zz", "ww"])])
OP_ST = st.tuples(st.sampled_from(["add", "pop", "get"]), ID_ST)


def holder() -> tuple[IdRows, list[str | None], dict[str, int]]:
    ids: list[str | None] = []
    return IdRows(ids), ids, {}


def add(rows: IdRows, ids: list[str | None], model: dict[str, int], key: str) -> None:
    """As a table does: a free row (or a new one) gets the id, then the map."""
    row = ids.index(None) if None in ids else len(ids)
    if row == len(ids):
        ids.append(None)
    ids[row] = key
    rows.add(key, row)
    model[key] = row


def pop(rows: IdRows, ids: list[str | None], model: dict[str, int], key: str) -> None:
    row = rows.pop(key)
    assert row == model.pop(key, None)
    if row is not None:
        ids[row] = None


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(OP_ST, max_size=60))
def test_idrows_answers_as_a_dict_with_ids_of_one_hash_among_them(
    ops: list[tuple[str, str]],
) -> None:
    rows, ids, model = holder()
    for op, key in ops:
        if op == "add" and key not in model:
            add(rows, ids, model, key)
        elif op == "pop":
            pop(rows, ids, model, key)
        assert rows.get(key) == model.get(key)
        assert (key in rows) == (key in model)
        assert len(rows) == len(model)
    for key in ["a", "b", "p1", "p10", "pä", "x", "y", "zz", "ww", "never"]:
        assert rows.get(key) == model.get(key)


def test_it_grows_past_its_first_slots_and_keeps_removals_from_filling_it() -> None:
    """Thousands of ids grow it; churn leaves removed slots, which a re-insert clears:
    it stays at most half full, and with as many ids live it stops growing."""
    rows, ids, model = holder()
    for i in range(5000):
        add(rows, ids, model, f"p{i}")
    assert all(rows.get(f"p{i}") == model[f"p{i}"] for i in range(5000))
    assert len(rows._rows) >= 2 * 5000
    live = [f"p{i}" for i in range(5000)]
    sizes = []
    for round_ in range(3):
        for i in range(20_000):  # the oldest out, one in: always 5000 live
            pop(rows, ids, model, live.pop(0))
            live.append(f"q{round_}-{i}")
            add(rows, ids, model, live[-1])
            assert 2 * rows._used <= len(rows._rows)
        sizes.append(len(rows._rows))
    assert sizes[1] == sizes[2] <= 4 * 16384, "no growth for ids that come and go"
    assert len(rows) == 5000 == len(model)
    assert all(rows.get(key) == row for key, row in model.items())
    assert rows.get("p0") is None and rows.pop("p0") is None
