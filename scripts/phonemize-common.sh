# Shared setup of the phonemize-*.sh scripts (sourced, not run): the repository root, the
# reference interpreter and tool, the runtimes, a scratch folder, and the example binary.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REF="${KITTEN_REF:-$ROOT/../shared/reference/kitten_ref.py}"
PY="${PY:-$(bash "$(dirname "$REF")/setup.sh" --python)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/targets/phonemize}"
export KITTENTTS_RUNTIME_DIR="${KITTENTTS_RUNTIME_DIR:-$ROOT/runtimes}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$ROOT" && cargo build -q --release -p kittentts-phonemize --example phonemize_lines)
LINES_BIN="$CARGO_TARGET_DIR/release/examples/phonemize_lines"
