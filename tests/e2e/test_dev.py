"""`kerjamatch dev` from a clean environment: starts everything, shows matches, leaves nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from streams.embedded import is_listening
from tests.support import ROOT, free_port

pytestmark = pytest.mark.e2e


def _processes_mentioning(needle: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if needle in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def run_dev(
    tmp_path: Path, kafka_port: int, redis_port: int, web_port: int, duration: int
) -> subprocess.CompletedProcess[str]:
    """`kerjamatch dev --duration` with only the given addresses configured."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KERJAMATCH_")},
        "KERJAMATCH_KAFKA_BOOTSTRAP": f"127.0.0.1:{kafka_port}",
        "KERJAMATCH_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "KERJAMATCH_WEB_PORT": str(web_port),
        "KERJAMATCH_DATADIR": str(tmp_path / "dev"),
    }
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", "dev", "--duration", str(duration)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=duration + 180,
    )


def test_dev_runs_the_whole_stack_and_cleans_up(tmp_path: Path) -> None:
    kafka_port, redis_port, web_port = free_port(), free_port(), free_port()
    out = run_dev(tmp_path, kafka_port, redis_port, web_port, 60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"started tansu broker on 127.0.0.1:{kafka_port}" in out.stdout
    assert f"started redis-server on 127.0.0.1:{redis_port}" in out.stdout
    assert out.stdout.count("recommendations for P") >= 3, out.stdout
    assert "matched: " in out.stdout and "missing: " in out.stdout
    assert "sent " in out.stdout and "feedback sent" in out.stdout
    for port in (kafka_port, redis_port, web_port):
        assert not is_listening("127.0.0.1", port), f"port {port} still listening"
    assert _processes_mentioning(f"127.0.0.1:{kafka_port}") == []
    assert _processes_mentioning(f"--port {redis_port}") == []
    assert _processes_mentioning(str(tmp_path / "dev")) == []


def test_dev_with_a_redis_already_running_uses_and_removes_keys_of_its_own(
    tmp_path: Path,
) -> None:
    from streams.embedded import start_redis, stop_process

    redis_port = free_port()
    redis_proc = start_redis("127.0.0.1", redis_port, tmp_path, tmp_path / "redis.log")
    try:
        import redis

        client = redis.Redis(port=redis_port)
        client.set("km:v1:participant:{P00000001}", b"left by an older run")
        out = run_dev(tmp_path, free_port(), redis_port, free_port(), 25)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "started redis-server" not in out.stdout
        assert "recommendations for P" in out.stdout
        assert redis_proc.poll() is None, "dev must not stop a Redis it did not start"
        # its own key space is gone; what was there before is untouched
        assert client.keys("*") == [b"km:v1:participant:{P00000001}"]
        client.close()
    finally:
        stop_process(redis_proc)
