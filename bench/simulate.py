"""Simulator throughput: events/s to files and to the broker, and memory, as a table.

Run with a broker and Redis available, e.g.
    python -m streams.embedded -- python bench/simulate.py [--participants N]
Prints medians over --repeat runs; each broker run uses a topic prefix of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from streams.admin import ensure_topics
from streams.settings import Settings
from streams.simulate import SimulateOptions, stream_to_kafka


def to_files(n: int) -> tuple[float, float]:
    """Events/s writing n participants to files, and the peak RSS (MB) of a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        code = (
            "import time,resource,sys;from pathlib import Path;"
            "from streams.simulate import SimulateOptions, write_files;"
            f"t=time.perf_counter();c=write_files(SimulateOptions(participants={n},vacancies=1000),Path({out!r}));"
            "e=sum(c.values());d=time.perf_counter()-t;"
            "print(e/d, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
        )
        rate, rss = subprocess.check_output([sys.executable, "-c", code], text=True).split()
    return float(rate), float(rss)


def to_broker(n: int, workers: int) -> float:
    settings = Settings(topic_prefix=f"bench-{uuid.uuid4().hex[:8]}.")
    ensure_topics(settings)
    options = SimulateOptions(
        participants=n, vacancies=1000, rate=0, feedback=False, workers=workers
    )
    started = time.perf_counter()
    progress = asyncio.run(stream_to_kafka(settings, options, out=io.StringIO()))
    return progress.sent / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.participants
    rows = []
    files = [to_files(n) for _ in range(args.repeat)]
    rows.append(
        ("to files, 1 process", statistics.median(r for r, _ in files), max(m for _, m in files))
    )
    for workers in (0, 2):
        rates = [to_broker(n, workers) for _ in range(args.repeat)]
        rows.append((f"to broker, {workers} builder processes", statistics.median(rates), None))
    print(
        f"participants per run: {n:,} (plus vacancies, churn, completions); median of {args.repeat}"
    )
    print("| path | events/s | peak RSS MB |")
    print("|---|---|---|")
    for name, rate, rss in rows:
        print(f"| {name} | {rate:,.0f} | {'' if rss is None else f'{rss:.0f}'} |")


if __name__ == "__main__":
    main()
