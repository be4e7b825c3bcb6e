#!/usr/bin/env bash
# The speech server's client tests (tests/server): builds kittentts-server, makes a Python venv
# with the pinned client packages (tests/server/requirements.txt), installs Debian's chromium
# and chromium-driver for the page test when they are missing, and runs pytest. Servers are
# started on free 127.0.0.1 ports by the tests themselves (tests/server/conftest.py).
#   bash scripts/server-tests.sh [PYTEST ARGS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/target/server-venv"
bash scripts/fetch-runtimes.sh
cargo build -q --release -p kittentts-server -p kittentts-cli
export KITTENTTS_SERVER_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/kittentts-server"
export KITTENTTS_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/kittentts"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s tests/server/requirements.txt "$VENV/requirements.txt"; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r tests/server/requirements.txt
  cp tests/server/requirements.txt "$VENV/requirements.txt"
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null
  else
    echo "server-tests: chromium and chromium-driver are needed for the page test (apt-get install chromium chromium-driver)" >&2
    exit 1
  fi
fi
mkdir -p target
# The selenium manager must not try to download a driver: the tests name Debian's.
export SE_OFFLINE=true
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/server "$@"
