"""SkillIndex: incremental upsert/remove equals a rebuild and a brute force; filters."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.index import QueryFilters, RowAttrs, SkillIndex, Vocabulary, parse_regency

KEYS = [f"k{i}" for i in range(8)]
SKILLS = list(range(8))
REGENCIES = [0, 3273, 3201, 3578]  # none, two in province 32, one in 35

Row = tuple[dict[int, float] | None, RowAttrs]


def attrs_st() -> st.SearchStrategy[RowAttrs]:
    return st.builds(
        lambda edu, reg, remote, reloc: RowAttrs(edu, reg // 100, reg, remote, reloc),
        st.integers(0, 3),
        st.sampled_from(REGENCIES),
        st.booleans(),
        st.booleans(),
    )


# Few distinct weights so that exact ties happen and the key has to break them.
weights_st = st.sampled_from([0.5, 1.0, 2.0, 3.0])
vector_st = st.dictionaries(st.sampled_from(SKILLS), weights_st, max_size=5)
op_st = st.one_of(
    st.tuples(st.just("upsert"), st.sampled_from(KEYS), vector_st, st.booleans(), attrs_st()),
    st.tuples(st.just("remove"), st.sampled_from(KEYS)),
    st.tuples(st.just("compact")),
)
query_st = st.tuples(
    st.dictionaries(st.sampled_from([*SKILLS, 9]), weights_st, min_size=1, max_size=4),
    st.one_of(st.none(), attrs_st()),
    st.integers(1, 9),
)


def passes(role: str, row: RowAttrs, q: RowAttrs) -> bool:
    """The hard filters, written out from the spec."""
    if role == "vacancies":  # row = vacancy, q = participant
        if row.education_rank > q.education_rank:
            return False
        anywhere = row.remote or row.regency == 0 or q.willing_to_relocate
    else:  # row = participant, q = vacancy
        if row.education_rank < q.education_rank:
            return False
        anywhere = q.remote or q.regency == 0 or row.willing_to_relocate
    same_reg = q.regency != 0 and row.regency == q.regency
    same_prov = q.province != 0 and row.province == q.province
    return anywhere or same_reg or same_prov


def brute(
    role: str, live: dict[str, Row], q: dict[int, float], f: RowAttrs | None
) -> dict[str, float]:
    """Score of every retrievable live row, in plain Python."""
    vecs = {k: v or {} for k, (v, _) in live.items()}
    n = len(live)
    df: dict[int, int] = {}
    for v in vecs.values():
        for s in v:
            df[s] = df.get(s, 0) + 1
    qn = math.sqrt(sum(w * w for w in q.values()))
    out = {}
    for k, v in vecs.items():
        if f is not None and not passes(role, live[k][1], f):
            continue
        rn = math.sqrt(sum(float(np.float32(w)) ** 2 for w in v.values()))
        shared = set(v) & set(q)
        if not shared:
            continue
        idf = {s: math.log((n + 1) / (df[s] + 1)) + 1 for s in shared}
        out[k] = sum(q[s] * idf[s] ** 2 * float(np.float32(v[s])) for s in shared) / (qn * rn)
    return out


def assert_matches_brute(got: list[tuple[str, float]], scores: dict[str, float], n: int) -> None:
    expected = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    assert len(got) == len(expected)
    for (gk, gs), (ek, es) in zip(got, expected, strict=True):
        assert gs == pytest.approx(scores[gk], abs=1e-6)
        assert gs == pytest.approx(es, abs=1e-6)
        if gk != ek:  # only a float near-tie may swap keys
            assert abs(scores[gk] - scores[ek]) < 1e-9
    # Exact ties inside the result are broken by key.
    assert got == sorted(got, key=lambda kv: (-kv[1], kv[0]))


def assert_layout(idx: SkillIndex) -> None:
    """The layout the kernel relies on (see SkillIndex.compact and _search_kernel).

    Slots [0, nsorted) are in cell order and cstart gives each cell's range; a static
    posting group (skill, cell) holds slots of that cell's range, ascending; an overflow
    group holds slots >= nsorted of that cell, ascending; the tail only slots >= nsorted.
    """
    import matching.index as mi

    ns, nsorted = idx._nslots, idx._nsorted
    assert 0 <= nsorted <= ns
    cell = idx._cell[:ns].astype(np.int64)
    assert np.all(np.diff(cell[:nsorted]) >= 0)
    counts = np.bincount(cell[:nsorted], minlength=mi._CELLS)
    assert np.array_equal(idx._cstart, np.concatenate(([0], np.cumsum(counts))))
    for off, prow, static in ((idx._soff, idx._srow, True), (idx._ooff, idx._orow, False)):
        if not static and off.shape[0] == 1:  # no overflow level since the renumbering
            assert off[0] == 0
            continue
        assert off.shape[0] == idx._nskills * mi._CELLS + 1
        gid = np.repeat(np.arange(off.shape[0] - 1), np.diff(off))
        rows = prow[: off[-1]].astype(np.int64)
        assert np.array_equal(cell[rows], gid % mi._CELLS)
        assert np.all((rows < nsorted) if static else (rows >= nsorted))
        assert np.all((np.diff(rows) > 0) | (np.diff(gid) != 0))
    assert np.all(idx._trow[: idx._tlen] >= nsorted)


def build(role: str, live: dict[str, Row], order: list[str]) -> SkillIndex:
    idx = SkillIndex(role)  # type: ignore[arg-type]
    for k in order:
        v, a = live[k]
        if v is None:
            idx.upsert(k, [], None, a)
        else:
            idx.upsert(k, list(v), list(v.values()), a)
    return idx


@settings(max_examples=300, deadline=None)
@given(
    role=st.sampled_from(["vacancies", "participants"]),
    ops=st.lists(op_st, max_size=40),
    queries=st.lists(query_st, min_size=1, max_size=5),
)
def test_incremental_equals_rebuild_and_brute_force(
    role: str, ops: list[tuple], queries: list[tuple]
) -> None:
    idx = SkillIndex(role)  # type: ignore[arg-type]
    live: dict[str, Row] = {}
    for op in ops:
        if op[0] == "upsert":
            _, key, vec, unit, attrs = op
            if unit:  # weights None means all 1
                idx.upsert(key, list(vec), None, attrs)
                live[key] = ({s: 1.0 for s in vec}, attrs)
            else:
                idx.upsert(key, list(vec), list(vec.values()), attrs)
                live[key] = (dict(vec), attrs)
        elif op[0] == "remove":
            assert idx.remove(op[1]) == (op[1] in live)
            live.pop(op[1], None)
        else:
            idx.compact()
        assert_layout(idx)
    assert len(idx) == len(live)
    fresh = build(role, live, sorted(live, reverse=True))
    results = []
    for qv, f, n in queries:
        got = idx.top_n(list(qv), list(qv.values()), n, f)
        assert got == fresh.top_n(list(qv), list(qv.values()), n, f)
        assert_matches_brute(got, brute(role, live, qv, f), n)
        results.append(got)
    # Batched equals one by one (bit for bit), and compaction changes no result.
    batch = [(list(qv), list(qv.values()), f) for qv, f, _ in queries]
    for i, (_, _, n) in enumerate(queries):
        assert idx.top_n_many(batch, n, method="scipy")[i] == results[i]
    idx.compact()
    for (qv, f, n), got in zip(queries, results, strict=True):
        assert idx.top_n(list(qv), list(qv.values()), n, f) == got


@settings(max_examples=100, deadline=None)
@given(
    role=st.sampled_from(["vacancies", "participants"]),
    rows=st.dictionaries(st.sampled_from(KEYS), st.tuples(vector_st, attrs_st()), min_size=1),
    queries=st.lists(query_st, min_size=1, max_size=6),
    n=st.integers(1, 9),
)
def test_top_n_many_equals_top_n_and_bulk_equals_single(
    role: str, rows: dict[str, tuple[dict[int, float], RowAttrs]], queries: list[tuple], n: int
) -> None:
    keys = list(rows)
    single = build(role, {k: (v, a) for k, (v, a) in rows.items()}, keys)
    bulk = SkillIndex(role)  # type: ignore[arg-type]
    ptr = np.cumsum([0] + [len(rows[k][0]) for k in keys])
    bulk.upsert_many(
        keys,
        ptr,
        [s for k in keys for s in rows[k][0]],
        [w for k in keys for w in rows[k][0].values()],
        education_rank=[rows[k][1].education_rank for k in keys],
        province=[rows[k][1].province for k in keys],
        regency=[rows[k][1].regency for k in keys],
        remote=[rows[k][1].remote for k in keys],
        willing_to_relocate=[rows[k][1].willing_to_relocate for k in keys],
    )
    batch = [(list(qv), list(qv.values()), f) for qv, f, _ in queries]
    many = single.top_n_many(batch, n)
    assert many == [single.top_n(s, w, n, f) for s, w, f in batch]
    assert single.top_n_many(batch, n, method="scipy") == many
    assert bulk.top_n_many(batch, n, method="scipy") == many


def _vacancy_index() -> SkillIndex:
    idx = SkillIndex("vacancies")
    idx.upsert("sd-ok", [1], None, RowAttrs(education_rank=0, province=32, regency=3273))
    idx.upsert("needs-s1", [1], None, RowAttrs(education_rank=5, province=32, regency=3273))
    idx.upsert("other-regency", [1], None, RowAttrs(province=32, regency=3201))
    idx.upsert("other-province", [1], None, RowAttrs(province=35, regency=3578))
    idx.upsert("remote", [1], None, RowAttrs(province=35, regency=3578, remote=True))
    idx.upsert("nowhere", [1], None, RowAttrs())
    idx.upsert("no-skill-match", [2], None, RowAttrs())
    return idx


def test_participant_to_vacancy_filters() -> None:
    idx = _vacancy_index()
    here = QueryFilters(education_rank=3, province=32, regency=3273)
    got = {k for k, _ in idx.top_n([1], None, 10, here)}
    assert got == {"sd-ok", "other-regency", "remote", "nowhere"}
    # Education: a rank high enough lets the S1 vacancy in.
    got = {k for k, _ in idx.top_n([1], None, 10, QueryFilters(5, 32, 3273))}
    assert "needs-s1" in got
    # Relocation opens the other province.
    moving = QueryFilters(education_rank=3, province=32, regency=3273, willing_to_relocate=True)
    assert "other-province" in {k for k, _ in idx.top_n([1], None, 10, moving)}
    # Another province only: same-province and same-regency vacancies drop out.
    east = QueryFilters(education_rank=3, province=35, regency=3578)
    assert {k for k, _ in idx.top_n([1], None, 10, east)} == {"other-province", "remote", "nowhere"}
    # No filters: every vacancy sharing the skill.
    assert len(idx.top_n([1], None, 10)) == 6


def test_vacancy_to_participant_filters() -> None:
    idx = SkillIndex("participants")
    idx.upsert("sma-bandung", [1], None, RowAttrs(education_rank=3, province=32, regency=3273))
    idx.upsert("sd-bandung", [1], None, RowAttrs(education_rank=1, province=32, regency=3273))
    idx.upsert("sma-bogor", [1], None, RowAttrs(education_rank=3, province=32, regency=3201))
    idx.upsert("sma-surabaya", [1], None, RowAttrs(education_rank=3, province=35, regency=3578))
    idx.upsert("mover", [1], None, RowAttrs(3, 35, 3578, willing_to_relocate=True))
    vac = QueryFilters(education_rank=3, province=32, regency=3273)
    assert {k for k, _ in idx.top_n([1], None, 10, vac)} == {"sma-bandung", "sma-bogor", "mover"}
    remote = QueryFilters(education_rank=3, province=32, regency=3273, remote=True)
    assert {k for k, _ in idx.top_n([1], None, 10, remote)} == {
        "sma-bandung",
        "sma-bogor",
        "sma-surabaya",
        "mover",
    }
    assert len(idx.top_n([1], None, 10, QueryFilters(education_rank=0))) == 5


def test_scores_ties_and_updates() -> None:
    idx = SkillIndex("vacancies")
    for k in ["b", "a", "c"]:
        idx.upsert(k, [1, 2], [1.0, 1.0], RowAttrs())
    idx.upsert("d", [3], None, RowAttrs())
    got = idx.top_n([1, 2], None, 2)
    assert [k for k, _ in got] == ["a", "b"]  # equal scores: by key
    idf = math.log(5 / 4) + 1
    assert got[0][1] == pytest.approx(idf * idf)
    idx.upsert("a", [3], None, RowAttrs())  # update moves "a" away
    assert [k for k, _ in idx.top_n([1, 2], None, 5)] == ["b", "c"]
    assert idx.remove("b") and not idx.remove("b")
    assert [k for k, _ in idx.top_n([1, 2], None, 5)] == ["c"]
    assert idx.top_n([99], None, 5) == []
    assert idx.memory_bytes() > 0


def test_vocabulary_and_regency() -> None:
    voc = Vocabulary(["excel"])
    assert voc.id_of("excel") == 0 and voc.id_of("k3") == 1 and voc.get("x") is None
    assert voc.name_of(1) == "k3" and len(voc) == 2
    assert parse_regency("32.73") == (32, 3273) and parse_regency(None) == (0, 0)


def test_rejects_bad_input() -> None:
    idx = SkillIndex("vacancies")
    with pytest.raises(ValueError):
        idx.upsert("x", [1], [-1.0], RowAttrs())
    with pytest.raises(ValueError):
        idx.upsert_many(
            ["x"],
            [0, 2],
            [1, 1],
            None,
            education_rank=[0],
            province=[0],
            regency=[0],
            remote=[False],
            willing_to_relocate=[False],
        )
    with pytest.raises(ValueError):
        SkillIndex("jobs")  # type: ignore[arg-type]


# Compiled kernel vs numpy reference: many rows so that the static level, the location
# buckets and the education levels are used; every write merges the tail.
REGENCIES_WIDE = [0, 3273, 3201, 3578, 1101, 9471, 3500]  # 3500: province 35, no regency


@settings(max_examples=150, deadline=None)
@given(
    role=st.sampled_from(["vacancies", "participants"]),
    rows=st.lists(
        st.tuples(
            st.dictionaries(st.integers(0, 11), weights_st, min_size=1, max_size=6),
            st.tuples(
                st.integers(-1, 9),  # ranks outside the kernel's 8 education levels too
                st.sampled_from(REGENCIES_WIDE),
                st.booleans(),
                st.booleans(),
                st.booleans(),  # an inconsistent province code
            ),
        ),
        min_size=1,
        max_size=80,
    ),
    removed=st.sets(st.integers(0, 79), max_size=20),
    queries=st.lists(
        st.tuples(
            st.dictionaries(st.integers(0, 12), weights_st, min_size=1, max_size=6),
            st.one_of(
                st.none(),
                st.tuples(
                    st.integers(0, 3),
                    st.sampled_from(REGENCIES_WIDE),
                    st.booleans(),
                    st.booleans(),
                    st.booleans(),
                ),
            ),
        ),
        min_size=1,
        max_size=6,
    ),
    n=st.integers(1, 12),
    int_keys=st.booleans(),
    # Rows [0, split1) renumbered by a compact(), [split1, split2) merged into the
    # overflow level, the rest left in the tail: all three places at once.
    split1=st.integers(0, 80),
    split2=st.integers(0, 80),
    # Small blocks: a cell's slot range spans several blocks of the kernel.
    block=st.sampled_from([1, 2, 3, 5, 1 << 14]),
    # 0: compact() renumbers by itself past 25% slots out of cell order.
    unsorted_min=st.sampled_from([0, 1 << 16]),
)
def test_pruned_equals_exhaustive_and_brute_force(
    role: str,
    rows: list[tuple[dict[int, float], tuple]],
    removed: set[int],
    queries: list[tuple],
    n: int,
    int_keys: bool,
    split1: int,
    split2: int,
    block: int,
    unsorted_min: int,
) -> None:
    import matching.index as mi

    def mk(t: tuple) -> RowAttrs:
        edu, reg, remote, reloc, odd = t
        prov = 11 if odd and reg else reg // 100
        return RowAttrs(edu, prov, reg, remote, reloc)

    saved = mi._TAIL_MIN, mi._TAIL_SHARE, mi._BLOCK, mi._UNSORTED_MIN
    mi._TAIL_MIN, mi._TAIL_SHARE, mi._BLOCK, mi._UNSORTED_MIN = 0, 1 << 30, block, unsorted_min
    split1, split2 = sorted((split1, split2))
    try:
        idx = SkillIndex(role)  # type: ignore[arg-type]
        live: dict = {}
        for i, (vec, a) in enumerate(rows):
            if i == split1:
                idx.compact()
            if i == split2:
                mi._TAIL_MIN = 1 << 30
            key = i * 7 % 101 if int_keys else f"r{i * 7 % 101:03d}"
            idx.upsert(key, list(vec), list(vec.values()), mk(a))
            live[key] = (dict(vec), mk(a))
        for i in removed:
            key = i * 7 % 101 if int_keys else f"r{i * 7 % 101:03d}"
            assert idx.remove(key) == (key in live)
            live.pop(key, None)
        assert_layout(idx)
        if not unsorted_min:  # renumbered by itself past 25% slots out of cell order
            assert 4 * (idx._nslots - idx._nsorted) <= idx._nslots
        batch = [(list(qv), list(qv.values()), None if f is None else mk(f)) for qv, f in queries]
        pruned = idx.top_n_many(batch, n)
        for (s, w, f), got in zip(batch, pruned, strict=True):
            assert got == idx.top_n(s, w, n, f, prune=False)
            assert got == idx.top_n(s, w, n, f)
            assert_matches_brute(got, brute(role, live, dict(zip(s, w, strict=True)), f), n)
        idx.compact()
        assert_layout(idx)
        assert idx._nsorted == idx._nslots == len(live)
        assert idx.top_n_many(batch, n) == pruned
    finally:
        mi._TAIL_MIN, mi._TAIL_SHARE, mi._BLOCK, mi._UNSORTED_MIN = saved


def test_many_ties_are_broken_by_key_after_pruning() -> None:
    # 300 identical rows in one province and one elsewhere: every score ties.
    idx = SkillIndex("participants")
    keys = list(range(300, 0, -1))
    idx.upsert_many(
        keys,
        np.arange(0, 601, 2),
        np.tile([1, 2], 300),
        None,
        education_rank=np.full(300, 3),
        province=np.where(np.arange(300) % 2, 32, 35),
        regency=np.where(np.arange(300) % 2, 3273, 3578),
        remote=np.zeros(300, dtype=bool),
        willing_to_relocate=np.zeros(300, dtype=bool),
    )
    idx.compact()
    got = idx.top_n([1], None, 5, QueryFilters(2, 32, 3273))
    assert [k for k, _ in got] == [1, 3, 5, 7, 9]  # the odd keys sit in province 32
    assert got == idx.top_n([1], None, 5, QueryFilters(2, 32, 3273), prune=False)
    assert 7 in idx and "7" not in idx
    with pytest.raises(TypeError):
        idx.upsert("a", [1], None, RowAttrs())
    assert idx.remove(7) and 7 not in idx and len(idx) == 299
    assert [k for k, _ in idx.top_n([1, 2], None, 3)] == [1, 2, 3]
    assert set(idx.memory_breakdown()) >= {"postings", "forward", "rows", "keys"}


def test_blocks_overflow_and_renumbering_on_a_larger_index() -> None:
    """A few thousand rows over several cells, queried from everywhere and from one place.

    Small blocks, and rows in all three places (renumbered, overflow level, tail); the
    kernel must equal the numpy reference bit for bit, before and after compact().
    """
    import matching.index as mi

    rng = np.random.default_rng(5)
    n = 3000
    k = 4
    skills = np.sort(rng.choice(40, size=(n, k), replace=True), axis=1)
    skills[:, 1:] += np.arange(1, k) * 40  # distinct skills per row
    weights = rng.integers(1, 4, size=(n, k)).astype(float)
    reg = rng.choice([3273, 3201, 3578, 1101, 0], size=n)
    edu = rng.integers(0, 7, size=n)
    reloc = rng.random(n) < 0.2
    saved = mi._BLOCK, mi._TAIL_MIN, mi._UNSORTED_MIN
    mi._BLOCK, mi._UNSORTED_MIN = 64, 1 << 30
    try:
        idx = SkillIndex("participants")

        def put(lo: int, hi: int) -> None:
            idx.upsert_many(
                list(range(lo, hi)),
                np.arange(0, (hi - lo) * k + 1, k),
                skills[lo:hi].ravel(),
                weights[lo:hi].ravel(),
                education_rank=edu[lo:hi],
                province=reg[lo:hi] // 100,
                regency=reg[lo:hi],
                remote=np.zeros(hi - lo, dtype=bool),
                willing_to_relocate=reloc[lo:hi],
            )

        put(0, 2000)
        idx.compact()
        mi._TAIL_MIN = 0
        put(2000, 2500)  # merged into the overflow level
        mi._TAIL_MIN = 1 << 30
        put(2500, 3000)  # left in the tail
        for key in range(0, 3000, 7):
            idx.remove(key)
        assert idx._nsorted == 2000 and idx._tlen > 0 and idx._ooff[-1] > 0
        assert_layout(idx)
        queries = [
            ([1, 45, 90, 130], [1.0, 2.0, 1.0, 3.0], f)
            for f in (
                None,
                QueryFilters(0, 32, 3273, remote=True),
                QueryFilters(3, 32, 3273),
                QueryFilters(2, 35, 3578),
                QueryFilters(1, 0, 0),
                # Inconsistent codes: the regency's province is read as well.
                QueryFilters(2, 11, 3273),
                QueryFilters(0, 32, 3578),
            )
        ]
        # Rows of the regency 3273 (province 32) reach the query from province 11.
        assert any(reg[key] == 3273 for key, _ in idx.top_n(*queries[5][:2], 20, queries[5][2]))
        for nn in (1, 10, 200):
            got = idx.top_n_many(queries, nn)
            assert got == idx.top_n_many(queries, nn, prune=False)
            assert len(got[0]) == nn and all(0 < len(g) <= nn for g in got)
            mi._BLOCK = 1 << 14
            assert idx.top_n_many(queries, nn) == got
            mi._BLOCK = 64
        idx.compact()
        assert_layout(idx)
        assert idx._nsorted == idx._nslots == len(idx) == 3000 - 429
        for nn in (1, 10, 200):
            assert idx.top_n_many(queries, nn) == idx.top_n_many(queries, nn, prune=False)
        # Renumbering by itself: inserts alone put a quarter of the slots out of order.
        mi._UNSORTED_MIN = 0
        before = idx._nsorted
        for key in range(10_000, 11_000):
            idx.upsert(key, [1, 45], None, RowAttrs(3, 32, 3273))
            assert 4 * (idx._nslots - idx._nsorted) <= idx._nslots
        assert idx._nsorted > before
        assert_layout(idx)
        assert idx.top_n_many(queries, 50) == idx.top_n_many(queries, 50, prune=False)
    finally:
        mi._BLOCK, mi._TAIL_MIN, mi._UNSORTED_MIN = saved
