# Sourced by scripts/hub-*.sh: builds and runs the mock hub binary (crates/kittentts-mockhub).
#   start_mock ORG/NAME=FOLDER ...   starts it on 127.0.0.1, sets URL (the HF_ENDPOINT) and work
#   stop_mock                         stops it; its request log is then in "$work/mock.out"
# work is a temp folder removed on exit.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/targets/hub}
cargo build -q -p kittentts-mockhub --bin kittentts-mockhub
MOCK=$CARGO_TARGET_DIR/debug/kittentts-mockhub

work=$(mktemp -d)
mock_pid=
cleanup() {
    exec 3>&- 2>/dev/null || true
    if [ -n "$mock_pid" ]; then wait "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

start_mock() {
    mkfifo "$work/stdin"
    "$MOCK" "$@" < "$work/stdin" > "$work/mock.out" &
    mock_pid=$!
    exec 3> "$work/stdin"   # the mock serves until fd 3 closes
    for _ in $(seq 50); do [ -s "$work/mock.out" ] && break; sleep 0.1; done
    URL=$(head -n1 "$work/mock.out")
}

stop_mock() {
    exec 3>&-
    wait "$mock_pid"
    mock_pid=
    echo "mock stopped after $(($(wc -l < "$work/mock.out") - 1)) requests:"
    tail -n +2 "$work/mock.out"
}
