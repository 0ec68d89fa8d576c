# kerjamatch worker image: `docker build -t kerjamatch .`, run with docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 kerjamatch \
    && useradd --system --uid 10001 --gid kerjamatch \
        --home-dir /var/lib/kerjamatch --create-home --shell /usr/sbin/nologin kerjamatch

# Every runtime dependency ships as a binary wheel, so the slim image needs no compiler.
# Only the runtime extras-free install: no embedded broker, no dev tools.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY schemas/ schemas/
COPY matching/ matching/
COPY streams/ streams/
RUN pip install --no-cache-dir . \
    && rm -rf /src

WORKDIR /var/lib/kerjamatch
USER kerjamatch

# Container defaults; docker-compose.yml sets the service addresses.
ENV KERJAMATCH_WEB_HOST=0.0.0.0 \
    KERJAMATCH_WEB_PORT=6066 \
    KERJAMATCH_DATADIR=/var/lib/kerjamatch/data

EXPOSE 6066

# /health answers 200 once the worker owns its partitions and has loaded them, 503 before
# (or while retrying a failure); urlopen raises on 503, so that counts as unhealthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('KERJAMATCH_WEB_PORT', '6066'), timeout=4)"]

ENTRYPOINT ["kerjamatch"]
CMD ["worker"]
