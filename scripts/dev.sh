#!/usr/bin/env bash
# The one-command local run: install into .venv, then `kerjamatch dev` (broker, Redis,
# a worker and a realistic sample stream). Arguments go to `kerjamatch dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec .venv/bin/kerjamatch dev "$@"
