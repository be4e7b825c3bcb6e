#!/usr/bin/env bash
# The Python package's tests (bindings/python/tests): makes a fresh venv, installs the package
# from this clone as a user would (`pip install ./bindings/python`: maturin builds the
# extension as the PEP 517 backend; onnxruntime, espeakng-loader and numpy come from PyPI), and
# runs pytest from a folder outside the clone, with the runtime variables unset so that the
# runtimes are the ones inside the installed packages.
#   bash scripts/python-tests.sh [PYTEST ARGS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/target/python-venv"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "python-tests: $PYTHON is $("$PYTHON" --version 2>&1); the package needs CPython >= 3.11" >&2
  exit 1
fi
# The Rust command the tests compare against ("the same call through the Rust API").
cargo build -q -p kittentts-cli
export KITTENTTS_CLI="${CARGO_TARGET_DIR:-$ROOT/target}/debug/kittentts"
export KITTENTTS_FIXTURE="$ROOT/tests/data/fixture"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "./bindings/python[test]"
unset ORT_DYLIB_PATH KITTENTTS_RUNTIME_DIR KITTENTTS_ESPEAK_LIBRARY KITTENTTS_ESPEAK_DATA
OUTSIDE="$(mktemp -d)"
trap 'rm -rf "$OUTSIDE"' EXIT
cd "$OUTSIDE"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$ROOT/bindings/python" \
  "$ROOT/bindings/python/tests" "$@"
