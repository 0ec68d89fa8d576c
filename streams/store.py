"""The Redis serving store: key layout, one pipelined write per batch, and reads.

Every key starts with the configured prefix (``km:v1:`` by default: the version lets a
new layout live beside this one). Per-entity keys put the id in braces, a Redis Cluster
hash tag, so an entity's keys share a slot. Every write is idempotent: replaying a
batch leaves the same keys and values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from matching import Candidate, Recommendation
from matching.capacity import EXAMINATION_DECAY
from schemas import ParticipantUpserted, SuggestedTraining, decode, encode


class Keys:
    """The key layout (documented in README.md, section "Serving store")."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def recs(self, pid: str) -> str:
        """Sorted set: vacancy id -> score, a participant's current list."""
        return f"{self.prefix}rec:{{{pid}}}"

    def rec_details(self, pid: str) -> str:
        """Hash: vacancy id -> Match JSON (rank, score, reasons), beside :meth:`recs`."""
        return f"{self.prefix}rec:{{{pid}}}:details"

    def participant(self, pid: str) -> str:
        """String: the participant's state and list, for a worker that takes them over."""
        return f"{self.prefix}participant:{{{pid}}}"

    def partition(self, partition: int) -> str:
        """Set: participant ids of one participants.v1 partition."""
        return f"{self.prefix}partition:{partition}"

    def candidates(self, vid: str) -> str:
        """Sorted set: participant id -> score, a vacancy's best candidates."""
        return f"{self.prefix}cand:{{{vid}}}"

    def candidate_details(self, vid: str) -> str:
        """Hash: participant id -> candidate JSON (score, matched and missing skills)."""
        return f"{self.prefix}cand:{{{vid}}}:details"

    def vacancy(self, vid: str) -> str:
        """String: the open vacancy as last posted or updated (absent once closed)."""
        return f"{self.prefix}vacancy:{{{vid}}}"

    def model(self) -> str:
        """String: the model version the workers serve with."""
        return f"{self.prefix}model"

    def exposure(self) -> str:
        """Hash: vacancy id -> served exposure in millionths (the pricer's input)."""
        return f"{self.prefix}exposure"


# Add/remove candidates of one vacancy, scores and details together. Atomic, so concurrent
# workers merging their local bests never leave details without a score or the reverse.
# Nothing is trimmed: each worker writes only its local best K of the vacancy (and takes
# away what leaves them), so the set holds at most K per worker and always contains the
# best K overall, which reads take. Trimming here would lose a worker's K+1-th entry
# that must surface when a better one elsewhere leaves.
_MERGE_CANDIDATES = """
local nrem = tonumber(ARGV[1])
local i = 2
for _ = 1, nrem do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
  i = i + 1
end
while i <= #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
  i = i + 3
end
return redis.call('ZCARD', KEYS[1])
"""


# Replace a participant's served list and move the vacancies' exposure by the difference
# between the list Redis held and the new one. Exposure is position-weighted like
# matching.capacity.exposure (rank r counts 1 / (1 + decay (r - 1))), in integer millionths
# so that adding and taking away the same list cancels exactly. Diffing against what
# Redis holds, in one atomic script, keeps the counts exact under replays and retried
# pipelines: writing the same list twice moves nothing. (With Redis Cluster the exposure
# hash sits in another slot than the list; such a deployment needs the accounting moved
# to a per-slot hash or the pricer to sum per-partition counts.)
_REPLACE_LIST = """
local decay = tonumber(ARGV[1])
local function weight(rank)
  return math.floor(1000000 / (1 + decay * (rank - 1)) + 0.5)
end
local old = redis.call('HGETALL', KEYS[2])
for i = 1, #old, 2 do
  local rank = cjson.decode(old[i + 1])['rank']
  local left = redis.call('HINCRBY', KEYS[3], old[i], -weight(rank))
  if left <= 0 then
    redis.call('HDEL', KEYS[3], old[i])
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
local rank = 0
for i = 2, #ARGV, 3 do
  rank = rank + 1
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
  redis.call('HINCRBY', KEYS[3], ARGV[i], weight(rank))
end
return rank
"""

EXPOSURE_UNIT = 1_000_000
"""Exposure is counted in millionths of a first-place look."""


def _candidate_json(c: Candidate) -> str:
    return json.dumps(
        {
            "participant_id": c.participant_id,
            "score": c.score,
            "matched_skills": list(c.matched_skills),
            "missing_skills": list(c.missing_skills),
            "suggested_trainings": [t.model_dump() for t in c.suggested_trainings],
        },
        separators=(",", ":"),
    )


@dataclass(frozen=True, slots=True)
class StoredParticipant:
    """A participant as a worker left them: state, partition and served list."""

    state: ParticipantUpserted
    partition: int
    recs: tuple[Recommendation, ...]
    seq: int = 0  # version of the list, counted by the worker that owns the participant


@dataclass
class WritePlan:
    """Everything one batch writes to Redis, applied in one pipeline."""

    participants: dict[str, StoredParticipant] = field(default_factory=dict)
    erased: dict[str, int] = field(default_factory=dict)  # participant id -> partition
    lists: dict[str, tuple[Recommendation, ...]] = field(default_factory=dict)
    candidates_add: dict[str, dict[str, Candidate]] = field(default_factory=dict)
    candidates_remove: dict[str, set[str]] = field(default_factory=dict)
    vacancies: dict[str, str | None] = field(default_factory=dict)  # None = closed
    model_version: str | None = None

    def add_candidate(self, vid: str, cand: Candidate) -> None:
        """Put ``cand`` on vacancy ``vid``'s list (cancelling an earlier removal)."""
        self.candidates_add.setdefault(vid, {})[cand.participant_id] = cand
        self.candidates_remove.get(vid, set()).discard(cand.participant_id)

    def remove_candidate(self, vid: str, pid: str) -> None:
        """Take participant ``pid`` off vacancy ``vid``'s list (cancelling an earlier add)."""
        self.candidates_remove.setdefault(vid, set()).add(pid)
        self.candidates_add.get(vid, {}).pop(pid, None)

    def __bool__(self) -> bool:
        return any(
            (
                self.participants,
                self.erased,
                self.lists,
                self.candidates_add,
                self.candidates_remove,
                self.vacancies,
                self.model_version,
            )
        )


def connect(url: str) -> aioredis.Redis:
    """A Redis client that rides out short blips itself; callers retry longer outages."""
    return aioredis.Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=10,
        socket_timeout=5.0,
        socket_connect_timeout=2.0,
        decode_responses=False,
    )


def _participant_doc(sp: StoredParticipant) -> bytes:
    doc = {
        "state": json.loads(encode(sp.state)),
        "partition": sp.partition,
        "seq": sp.seq,
        "recs": [
            [
                r.vacancy_id,
                r.score,
                r.matched_skills,
                r.missing_skills,
                [t.model_dump() for t in r.suggested_trainings],
            ]
            for r in sp.recs
        ],
    }
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def _participant_from_doc(raw: bytes | str) -> StoredParticipant:
    doc = json.loads(raw)
    state = decode("participants.v1", json.dumps(doc["state"]).encode())
    if not isinstance(state, ParticipantUpserted):  # pragma: no cover - written by us
        raise TypeError(f"stored participant state is {type(state).__name__}")
    recs = tuple(
        Recommendation(
            vid,
            score,
            tuple(matched),
            tuple(missing),
            tuple(SuggestedTraining(**t) for t in suggested),
        )
        for vid, score, matched, missing, suggested in doc["recs"]
    )
    return StoredParticipant(state, int(doc["partition"]), recs, int(doc.get("seq", 0)))


class RedisStore:
    """The serving store over one Redis connection pool."""

    def __init__(self, client: aioredis.Redis, prefix: str, candidates_k: int) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.candidates_k = candidates_k
        self._merge = client.register_script(_MERGE_CANDIDATES)
        self._replace_list = client.register_script(_REPLACE_LIST)

    async def ping(self) -> bool:
        """True when Redis answers."""
        return bool(await self.client.ping())

    async def apply(self, plan: WritePlan) -> None:
        """Write one batch's plan in a single pipeline (idempotent, safe to repeat)."""
        if not plan:
            return
        k = self.keys
        pipe = self.client.pipeline(transaction=False)
        for pid, partition in plan.erased.items():
            await self._write_list(pipe, pid, ())  # takes their exposure away too
            pipe.delete(k.participant(pid))
            pipe.srem(k.partition(partition), pid)
        for pid, sp in plan.participants.items():
            pipe.set(k.participant(pid), _participant_doc(sp))
            pipe.sadd(k.partition(sp.partition), pid)
        for pid, recs in plan.lists.items():
            await self._write_list(pipe, pid, recs)
        for vid, doc in plan.vacancies.items():
            if doc is None:
                pipe.delete(k.vacancy(vid), k.candidates(vid), k.candidate_details(vid))
            else:
                pipe.set(k.vacancy(vid), doc)
        for vid in plan.candidates_add.keys() | plan.candidates_remove.keys():
            if plan.vacancies.get(vid, "open") is None:
                continue
            removes = sorted(plan.candidates_remove.get(vid, ()))
            args: list[Any] = [len(removes), *removes]
            for cand in plan.candidates_add.get(vid, {}).values():
                args += [cand.participant_id, cand.score, _candidate_json(cand)]
            await self._merge(
                keys=[k.candidates(vid), k.candidate_details(vid)], args=args, client=pipe
            )
        if plan.model_version is not None:
            pipe.set(k.model(), plan.model_version)
        await pipe.execute()

    async def _write_list(self, pipe: Any, pid: str, recs: Sequence[Recommendation]) -> None:
        k = self.keys
        args: list[Any] = [EXAMINATION_DECAY]
        for rank, r in enumerate(recs, start=1):
            args += [r.vacancy_id, r.score, r.as_match(rank).model_dump_json()]
        await self._replace_list(
            keys=[k.recs(pid), k.rec_details(pid), k.exposure()], args=args, client=pipe
        )

    async def exposure(self) -> dict[str, float]:
        """Every listed vacancy's served exposure, summed over all stored lists.

        Position-weighted as ``matching.capacity.exposure`` (a first place counts 1).
        """
        raw = await self.client.hgetall(self.keys.exposure())
        return {
            (vid.decode() if isinstance(vid, bytes) else str(vid)): int(units) / EXPOSURE_UNIT
            for vid, units in raw.items()
        }

    async def load_partitions(self, partitions: Iterable[int]) -> list[StoredParticipant]:
        """Every stored participant of the given participants.v1 partitions."""
        found: list[StoredParticipant] = []
        for partition in partitions:
            members = await self.client.smembers(self.keys.partition(partition))
            pids = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
            for start in range(0, len(pids), 500):
                chunk = pids[start : start + 500]
                docs = await self.client.mget([self.keys.participant(p) for p in chunk])
                found.extend(_participant_from_doc(d) for d in docs if d is not None)
        return found

    async def recommendations(self, pid: str) -> list[dict[str, Any]]:
        """A participant's served list, best first, as v1 ``Match`` dicts."""
        raw = await self.client.hgetall(self.keys.rec_details(pid))
        matches = [json.loads(v) for v in raw.values()]
        return sorted(matches, key=lambda m: m["rank"])

    async def candidates(self, vid: str) -> list[dict[str, Any]]:
        """A vacancy's best ``candidates_k`` candidates, best first (ties by id)."""
        raw = await self.client.hgetall(self.keys.candidate_details(vid))
        cands = [json.loads(v) for v in raw.values()]
        cands.sort(key=lambda c: (-c["score"], c["participant_id"]))
        return cands[: self.candidates_k]

    async def vacancy(self, vid: str) -> dict[str, Any] | None:
        """The open vacancy as posted, or None when closed or unknown."""
        raw = await self.client.get(self.keys.vacancy(vid))
        return None if raw is None else dict(json.loads(raw))

    async def participant_exists(self, pid: str) -> bool:
        """True while the store holds anything of the participant."""
        k = self.keys
        return bool(await self.client.exists(k.participant(pid), k.recs(pid), k.rec_details(pid)))
