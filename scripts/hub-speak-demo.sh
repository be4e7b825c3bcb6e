#!/usr/bin/env bash
# The issue's "done when": `speak --model KittenML/kitten-tts-mini-0.8` works through
# HF_ENDPOINT against a mock hub, then again offline from the cache with the mock stopped.
#
# The mock hub (crates/kittentts-mockhub) serves FOLDER (default: the fixture model in
# tests/data/fixture; real weights are not needed) as the repo KittenML/kitten-tts-mini-0.8
# on 127.0.0.1; HF_HOME is a fresh temp folder.
#
# Usage: scripts/hub-speak-demo.sh [FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."
FOLDER=${1:-tests/data/fixture}
REPO=KittenML/kitten-tts-mini-0.8
# The binaries run outside `cargo run`, so point them at the fetched runtimes as .cargo/config.toml does.
export KITTENTTS_RUNTIME_DIR=${KITTENTTS_RUNTIME_DIR:-$PWD/runtimes}

. scripts/hub-mock-lib.sh
cargo build -q --release --example speak
SPEAK=$CARGO_TARGET_DIR/release/examples/speak

start_mock "$REPO=$FOLDER"
export HF_HOME=$work/hf-home
echo "mock hub $URL serving $FOLDER as $REPO; HF_HOME=$HF_HOME"

echo "== online, through HF_ENDPOINT"
HF_ENDPOINT=$URL "$SPEAK" --model "$REPO" --out "$work/online.wav" "Hello from the mock hub."

stop_mock

echo "== offline, from the cache (HF_HUB_OFFLINE=1, no server)"
HF_HUB_OFFLINE=1 HF_ENDPOINT=$URL "$SPEAK" --model "$REPO" --out "$work/offline.wav" "Hello from the mock hub."
cmp "$work/online.wav" "$work/offline.wav"
echo "online and offline WAVs are identical ($(stat -c %s "$work/online.wav") bytes)"
find "$HF_HOME/hub" -path '*snapshots*' | sort
