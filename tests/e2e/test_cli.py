"""The command line as partners and operators use it, against the real broker and Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streams.settings import Settings
from tests.support import ROOT, dumps, free_port, read_topic, vacancy_posted

pytestmark = pytest.mark.e2e


def kerjamatch(
    *args: str, settings: Settings | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(settings.as_env() if settings else {}), **env}
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_every_command() -> None:
    out = kerjamatch("--help")
    assert out.returncode == 0
    commands = ("worker", "dev", "post", "recs", "candidates", "topics", "schemas")
    for command in (*commands, "simulate", "replay-vacancies", "rank"):
        assert command in out.stdout
        sub = kerjamatch(command, "--help")
        assert sub.returncode == 0, sub.stderr
        assert "usage: kerjamatch" in sub.stdout


def test_post_sends_exactly_the_good_lines_and_reports_the_bad(
    settings: Settings, tmp_path: Path
) -> None:
    good_1 = vacancy_posted("V-GOOD-1", ["Ms. Excel"])
    good_2 = vacancy_posted("V-GOOD-2", ["Las"], remote=True, regency_code=None)
    lines = [
        json.dumps(good_1),
        "{not json",
        json.dumps(good_2),
        json.dumps({**vacancy_posted("V-BAD", ["x"]), "salary_min": 9, "salary_max": 1}),
        "",
        json.dumps({**vacancy_posted("V-BAD-2", ["x"]), "openings": 0}),
    ]
    path = tmp_path / "postings.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = kerjamatch("post", str(path), "--topic", "vacancies", settings=settings)

    assert out.returncode == 1, out.stderr
    assert f"{path}:2: not JSON" in out.stderr
    assert f"{path}:4: " in out.stderr and "salary_min" in out.stderr
    assert f"{path}:6: " in out.stderr and "openings" in out.stderr
    assert ":1:" not in out.stderr and ":3:" not in out.stderr
    assert "2 of 5 events sent" in out.stdout
    records = read_topic(settings, "vacancies.v1")
    assert sorted((r.key, r.value) for r in records) == sorted(
        [(b"V-GOOD-1", lines[0].encode()), (b"V-GOOD-2", lines[2].encode())]
    )


def test_post_dry_run_sends_nothing(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps([vacancy_posted("V1", ["Las"])]), encoding="utf-8")
    out = kerjamatch("post", str(path), "--dry-run", settings=settings)
    assert out.returncode == 0, out.stderr
    assert read_topic(settings, "vacancies.v1", 0.5) == []


def test_worker_exits_with_one_line_when_the_broker_is_unreachable(settings: Settings) -> None:
    dead = settings.model_copy(
        update={"kafka_bootstrap": f"127.0.0.1:{free_port()}", "connect_timeout": 2.0}
    )
    out = kerjamatch("worker", settings=dead, timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("kerjamatch: error: cannot reach Kafka at 127.0.0.1:")


def test_worker_exits_with_one_line_when_redis_is_unreachable(settings: Settings) -> None:
    dead = settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{free_port()}/0", "connect_timeout": 2.0}
    )
    out = kerjamatch("worker", settings=dead, timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("kerjamatch: error: cannot reach Redis at redis://127.0.0.1:")


def test_recs_and_candidates_read_what_the_worker_serves(
    settings: Settings, producer, start_worker
) -> None:
    from tests.support import participant_upserted, served, wait_for

    start_worker()
    producer.raw("vacancies.v1", dumps(vacancy_posted("V1", ["Memasak", "K3"])), b"V1")
    producer.raw("participants.v1", dumps(participant_upserted("P1", ["tata boga"])), b"P1")
    wait_for(lambda: served(settings, "P1"), 30, what="P1 served")

    text = kerjamatch("recs", "P1", settings=settings)
    assert text.returncode == 0
    assert (
        "V1" in text.stdout and "matched: Memasak" in text.stdout and "missing: K3" in text.stdout
    )
    as_json = json.loads(kerjamatch("recs", "P1", "--json", settings=settings).stdout)
    assert as_json["matches"][0]["vacancy_id"] == "V1"
    cands = json.loads(kerjamatch("candidates", "V1", "--json", settings=settings).stdout)
    assert [c["participant_id"] for c in cands["candidates"]] == ["P1"]


def test_replay_vacancies_posts_real_maganghub_rows(settings: Settings, shared_data: Path) -> None:
    out = kerjamatch(
        "replay-vacancies",
        str(shared_data / "id-maganghub-2026" / "maganghub_lowongan_2026.csv.gz"),
        "--format",
        "maganghub",
        "--regions",
        str(shared_data / "id-regions" / "regions_prov_kabkota.csv"),
        "--limit",
        "400",
        settings=settings,
    )
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("converted ") and " of 400 rows" in last
    converted = int(last.split()[1])
    assert converted >= 392  # ≥ 98%
    rejected = [line for line in out.stderr.splitlines() if ": row " in line]
    assert len(rejected) == 400 - converted
    records = read_topic(settings, "vacancies.v1")
    assert len(records) == converted
    assert all(r.key is not None and r.key.startswith(b"MH-") for r in records)
