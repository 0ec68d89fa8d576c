"""The ``kerjamatch`` command line: worker, dev, post, recs, candidates, topics, schemas."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .settings import Settings

PROG = "kerjamatch"


def _fail(message: str, code: int = 2) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _settings() -> Settings:
    return Settings()


def cmd_worker(args: argparse.Namespace) -> int:
    """Run one worker against the configured broker and Redis until stopped."""
    from .admin import ServiceUnavailable, ensure_topics, wait_for_redis
    from .app import create_app

    settings = _settings()
    try:
        ensure_topics(settings)
        asyncio.run(wait_for_redis(settings))
    except ServiceUnavailable as exc:
        return _fail(str(exc))
    import faust

    app, _service = create_app(settings)
    level = {"warning": "warn", "critical": "crit"}.get(settings.log_level, settings.log_level)
    worker = faust.Worker(app, loglevel=level, quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()  # returns only through SystemExit
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    """Run the embedded stack, a worker and the sample stream."""
    from .dev import run_dev

    return run_dev(
        duration=args.duration,
        participants=args.participants,
        vacancies=args.vacancies,
        rate=args.rate,
        seed=args.seed,
    )


def cmd_post(args: argparse.Namespace) -> int:
    """Validate a JSON/JSONL file of events and send the valid ones."""
    from .post import TOPIC_CHOICES, MissingTopic, check_file, send_lines

    topic = TOPIC_CHOICES[args.topic]
    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no such file: {path}")
    checked = check_file(path, topic)
    for number, reason in checked.bad:
        print(f"{path}:{number}: {reason}", file=sys.stderr)
    sent = 0
    if checked.good and not args.dry_run:
        try:
            sent = send_lines(_settings(), topic, checked.good)
        except MissingTopic as exc:
            return _fail(str(exc))
        except Exception as exc:  # a network failure: say so in one line
            return _fail(f"sending to Kafka failed: {type(exc).__name__}: {exc}")
    total = len(checked.good) + len(checked.bad)
    verb = "valid (dry run, nothing sent)" if args.dry_run else f"sent to {topic}"
    print(
        f"{len(checked.good) if args.dry_run else sent} of {total} events {verb}; "
        f"{len(checked.bad)} bad"
    )
    return 1 if checked.bad else 0


async def _read(kind: str, entity_id: str, settings: Settings) -> tuple[list[Any], dict[str, Any]]:
    from .store import RedisStore, connect

    client = connect(settings.redis_url)
    store = RedisStore(client, settings.redis_prefix, settings.candidates_k)
    try:
        if kind == "recs":
            items = await store.recommendations(entity_id)
            vacancies = {m["vacancy_id"]: await store.vacancy(m["vacancy_id"]) for m in items}
            return items, {k: v for k, v in vacancies.items() if v}
        return await store.candidates(entity_id), {}
    finally:
        await client.aclose()


def _serve(kind: str, entity_id: str, as_json: bool) -> int:
    """Print what Redis serves for a participant ("recs") or a vacancy ("candidates")."""
    settings = _settings()
    try:
        items, vacancies = asyncio.run(_read(kind, entity_id, settings))
    except Exception as exc:
        return _fail(f"cannot read Redis at {settings.redis_url}: {exc}")
    id_field, list_field = (
        ("participant_id", "matches") if kind == "recs" else ("vacancy_id", "candidates")
    )
    if as_json:
        print(json.dumps({id_field: entity_id, list_field: items}, indent=2))
    elif not items:
        print(f"no {'recommendations' if kind == 'recs' else 'candidates'} for {entity_id}")
    elif kind == "recs":
        print(format_recommendations(entity_id, items, vacancies))
    else:
        print(format_candidates(entity_id, items))
    return 0


def cmd_recs(args: argparse.Namespace) -> int:
    """Print a participant's served recommendations."""
    return _serve("recs", args.participant_id, args.json)


def cmd_candidates(args: argparse.Namespace) -> int:
    """Print a vacancy's best candidates."""
    return _serve("candidates", args.vacancy_id, args.json)


def format_recommendations(
    pid: str, items: Sequence[dict[str, Any]], vacancies: dict[str, dict[str, Any]]
) -> str:
    """Render a participant's list as text: rank, score, vacancy, matched and missing skills."""
    lines = [f"recommendations for {pid}:"]
    for m in items:
        vac = vacancies.get(m["vacancy_id"], {})
        where = "remote" if vac.get("remote") else vac.get("regency_code", "?")
        title = f"{vac.get('title', '?')} — {vac.get('company_name', '')} ({where})"
        lines.append(f"  {m['rank']:>2}. {m['vacancy_id']}  {m['score']:.2f}  {title}")
        lines.append(f"      matched: {', '.join(m['matched_skills']) or '-'}")
        if m["missing_skills"]:
            lines.append(f"      missing: {', '.join(m['missing_skills'])}")
        for t in m.get("suggested_trainings", []):
            lines.append(f"      training: {t['title']} ({t['training_id']})")
    return "\n".join(lines)


def format_candidates(vid: str, items: Sequence[dict[str, Any]]) -> str:
    """Render a vacancy's candidates as text: rank, score, matched and missing skills."""
    lines = [f"candidates for {vid}:"]
    for rank, c in enumerate(items, start=1):
        lines.append(f"  {rank:>2}. {c['participant_id']}  {c['score']:.2f}")
        lines.append(f"      matched: {', '.join(c['matched_skills']) or '-'}")
        if c["missing_skills"]:
            lines.append(f"      missing: {', '.join(c['missing_skills'])}")
    return "\n".join(lines)


def cmd_simulate(args: argparse.Namespace) -> int:
    """Stream a seeded population into the topics, or write it to files."""
    from .simulate import SimulateOptions, stream_to_kafka, write_files

    options = SimulateOptions(
        participants=args.participants,
        vacancies=args.vacancies,
        rate=args.rate,
        duration=args.duration,
        seed=args.seed,
        wave=args.wave,
        feedback=not args.no_feedback,
        regions_file=Path(args.regions) if args.regions else None,
        esco_dir=Path(args.esco) if args.esco else None,
    )
    if args.to_files:
        counts = write_files(options, Path(args.to_files))
        for topic, count in sorted(counts.items()):
            print(f"{count:,} events -> {Path(args.to_files) / (topic + '.jsonl')}")
        return 0
    from .admin import ServiceUnavailable, ensure_topics

    settings = _settings()
    try:
        ensure_topics(settings)
    except ServiceUnavailable as exc:
        return _fail(str(exc))
    progress = asyncio.run(stream_to_kafka(settings, options))
    print(progress.line())
    return 0


def cmd_replay_vacancies(args: argparse.Namespace) -> int:
    """Convert a real vacancy file to VacancyPosted events and post them."""
    from .replay import replay_vacancies

    return replay_vacancies(
        _settings(),
        fmt=args.format,
        path=Path(args.file),
        regions_file=Path(args.regions) if args.regions else None,
        dry_run=args.dry_run,
        limit=args.limit,
    )


def cmd_rank(args: argparse.Namespace) -> int:
    """Rank offline with the workers' engine: one JSON line per participant or vacancy."""
    from matching.batch import BadLine, rank

    from . import matcher
    from .post import read_items

    for name in (args.participants, args.vacancies, *([args.prices] if args.prices else [])):
        if not Path(name).is_file():
            return _fail(f"no such file: {name}")
    bad: list[BadLine] = []
    results = rank(
        read_items(Path(args.vacancies)),
        read_items(Path(args.participants)),
        top=args.top,
        direction=args.direction,
        bad=bad,
        engine=matcher.engine(_settings(), top_k=args.top, candidates_k=args.top),
        price_lines=read_items(Path(args.prices)) if args.prices else (),
    )
    written = 0
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for result in results:
            out.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
            written += 1
    finally:
        if args.out:
            out.close()
    for line in bad:
        print(f"{line.source}:{line.number}: {line.reason}", file=sys.stderr)
    kind = "participants" if args.direction == "jobs" else "vacancies"
    print(f"ranked {written} {kind}; {len(bad)} bad lines skipped", file=sys.stderr)
    return 1 if bad else 0


def cmd_topics_create(args: argparse.Namespace) -> int:
    """Create every v1 topic that is missing."""
    from .admin import ServiceUnavailable, ensure_topics

    try:
        created = ensure_topics(_settings())
    except ServiceUnavailable as exc:
        return _fail(str(exc))
    print(f"created: {', '.join(created)}" if created else "all topics exist")
    return 0


def cmd_schemas_export(args: argparse.Namespace) -> int:
    """Write one JSON Schema file per topic."""
    from schemas import export_json_schemas

    for path in export_json_schemas(Path(args.directory)):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Event-driven job matching: Kafka -> Faust workers -> Redis. "
        "Configuration comes from KERJAMATCH_* environment variables (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("worker", help="run a worker against the configured broker and Redis")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser(
        "dev",
        help="one-command local stack: broker, Redis, a worker and a realistic sample stream",
    )
    p.add_argument("--duration", type=float, default=None, help="stop after SECONDS")
    p.add_argument("--participants", type=int, default=5_000, help="simulated participants")
    p.add_argument("--vacancies", type=int, default=200, help="vacancies open at any time")
    p.add_argument("--rate", type=float, default=200, help="events/s the simulator sends")
    p.add_argument("--seed", type=int, default=7, help="seed of the simulated population")
    p.set_defaults(func=cmd_dev)

    p = sub.add_parser("post", help="validate a JSON/JSONL file of events and send the valid ones")
    p.add_argument("file", help="JSONL (one event per line) or a JSON array of events")
    p.add_argument(
        "--topic", choices=["vacancies", "participants", "feedback"], default="vacancies"
    )
    p.add_argument("--dry-run", action="store_true", help="validate only; send nothing")
    p.set_defaults(func=cmd_post)

    p = sub.add_parser(
        "simulate",
        help="stream a seeded Prakerja-like population (with feedback), or write it to files",
    )
    p.add_argument("--participants", type=int, default=10_000, help="participants to create")
    p.add_argument("--vacancies", type=int, default=500, help="vacancies open at any time")
    p.add_argument("--rate", type=float, default=1_000, help="events/s (0 = unlimited)")
    p.add_argument("--duration", type=float, default=None, help="stop after SECONDS")
    p.add_argument("--seed", type=int, default=7, help="seed: the same seed, the same events")
    p.add_argument(
        "--wave", type=int, default=0, help="end with an intake wave of N training completions"
    )
    p.add_argument("--no-feedback", action="store_true", help="do not answer matches.v1")
    p.add_argument("--regions", metavar="FILE", help="region CSV (514 kab/kota) to draw from")
    p.add_argument("--esco", metavar="DIR", help="ESCO v1.1 folder: its occupation profiles")
    p.add_argument("--to-files", metavar="DIR", help="write JSONL files instead of sending")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser(
        "replay-vacancies", help="post a real vacancy file (MagangHub, Loker.id) as VacancyPosted"
    )
    p.add_argument("file")
    p.add_argument("--format", choices=["maganghub", "lokerid"], required=True)
    p.add_argument("--regions", metavar="FILE", help="region CSV to resolve kab/kota names")
    p.add_argument("--dry-run", action="store_true", help="convert and report; send nothing")
    p.add_argument("--limit", type=int, default=None, help="convert at most N rows")
    p.set_defaults(func=cmd_replay_vacancies)

    p = sub.add_parser(
        "rank", help="rank offline from v1 event files with exactly the workers' engine"
    )
    p.add_argument("--participants", required=True, metavar="FILE", help="participants JSONL")
    p.add_argument("--vacancies", required=True, metavar="FILE", help="vacancies JSONL")
    p.add_argument("--top", type=int, default=20, help="entries per list")
    p.add_argument("--direction", choices=["jobs", "candidates"], default="jobs")
    p.add_argument(
        "--prices",
        metavar="FILE",
        help="capacity.v1 events (VacancyPriced JSONL) to order the lists by, as the workers do",
    )
    p.add_argument("--out", metavar="FILE", help="output JSONL (default: standard output)")
    p.set_defaults(func=cmd_rank)

    p = sub.add_parser("recs", help="a participant's recommendations, as served from Redis")
    p.add_argument("participant_id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_recs)

    p = sub.add_parser("candidates", help="a vacancy's best candidates, as served from Redis")
    p.add_argument("vacancy_id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_candidates)

    p = sub.add_parser("topics", help="manage the v1 topics")
    topics = p.add_subparsers(dest="topics_command", required=True, metavar="ACTION")
    t = topics.add_parser("create", help="create missing topics with their partition counts")
    t.set_defaults(func=cmd_topics_create)

    p = sub.add_parser("schemas", help="the JSON Schemas of the v1 topics")
    schemas = p.add_subparsers(dest="schemas_command", required=True, metavar="ACTION")
    s = schemas.add_parser("export", help="write one JSON Schema file per topic into DIR")
    s.add_argument("directory", metavar="DIR")
    s.set_defaults(func=cmd_schemas_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kerjamatch`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # kafka-python logs every refused connection; the commands report failures themselves.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    try:
        return int(args.func(args))
    except ValidationError as exc:
        return _fail(f"invalid configuration: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}")
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head and friends
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's flush is quiet
        return 0


if __name__ == "__main__":
    sys.exit(main())
