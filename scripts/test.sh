#!/usr/bin/env bash
# Run the whole test suite: install into .venv, start tansu and Redis if nothing listens
# on the configured addresses (KERJAMATCH_KAFKA_BOOTSTRAP, KERJAMATCH_REDIS_URL), run
# pytest with any arguments given, and stop only what this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec .venv/bin/python -m streams.embedded -- .venv/bin/python -m pytest "$@"
