"""``kerjamatch post``: check a partner's JSON/JSONL file line by line, send the good lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient

from schemas import DecodeError, decode, event_key

from .settings import Settings

TOPIC_CHOICES = {
    "vacancies": "vacancies.v1",
    "participants": "participants.v1",
    "feedback": "feedback.v1",
}


class MissingTopic(RuntimeError):
    """The target topic does not exist on the broker."""


@dataclass(frozen=True, slots=True)
class Line:
    """One event of the input file: where it was, its key and its bytes as written."""

    number: int
    key: str
    value: bytes


@dataclass
class Checked:
    """The result of validating a file: the good lines and (line number, reason) of the bad."""

    good: list[Line] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)


def read_items(path: Path) -> Iterator[tuple[int, bytes]]:
    """(number, bytes) of every event in a JSONL file or JSON array file (see ``_items``)."""
    return _items(path.read_text(encoding="utf-8"))


def _items(text: str) -> Iterator[tuple[int, bytes]]:
    """Yield (number, bytes) per event: lines of JSONL, or items of a JSON array/object."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError:
            items = None
        if isinstance(items, list):
            for number, item in enumerate(items, start=1):
                yield number, json.dumps(item, ensure_ascii=False).encode()
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line.strip().encode()


def check_file(path: Path, topic: str) -> Checked:
    """Validate every event of ``path`` against the v1 contract of ``topic``.

    A JSONL file is numbered by line; a JSON array by item (1-based); a single JSON
    object on one line is line 1. Nothing is sent here.
    """
    checked = Checked()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        checked.bad.append((0, f"file is not UTF-8: {exc.reason} at byte {exc.start}"))
        return checked
    seen: dict[str, int] = {}
    for number, raw in _items(text):
        try:
            event = decode(topic, raw)
        except DecodeError as exc:
            checked.bad.append((number, str(exc)))
            continue
        event_id = str(getattr(event, "event_id", ""))
        if event_id in seen:
            checked.bad.append((number, f"duplicate event_id {event_id!r} (line {seen[event_id]})"))
            continue
        seen[event_id] = number
        checked.good.append(Line(number, event_key(event), raw))
    return checked


def send_lines(settings: Settings, topic: str, lines: list[Line]) -> int:
    """Send the lines keyed by entity id with kafka-python; return how many the broker acked.

    Refuses a topic the broker does not have: a produce to a missing topic can be
    acknowledged and never readable (tansu), or create it with the wrong partitions.
    """
    full = settings.topic(topic)
    admin = KafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, client_id="kerjamatch-post"
    )
    try:
        if full not in admin.list_topics():
            raise MissingTopic(f"topic {full} does not exist; run `kerjamatch topics create`")
    finally:
        admin.close()
    producer = KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        acks="all",
        linger_ms=20,
        client_id="kerjamatch-post",
    )
    try:
        futures = [producer.send(full, key=ln.key.encode(), value=ln.value) for ln in lines]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
        return len(futures)
    finally:
        producer.close()
