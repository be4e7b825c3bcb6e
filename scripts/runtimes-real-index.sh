#!/usr/bin/env bash
# Installs the pinned runtimes of every platform from the real PyPI index (over TLS checked
# against the system's trust store) into a temporary folder with the `kittentts` command, and
# checks each library's binary type: ELF x86-64 / ELF aarch64 / Mach-O arm64 / PE32+ x86-64.
# Needs the network (CI reaches PyPI); downloads about 130 MB.
#   bash scripts/runtimes-real-index.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build -q -p kittentts-cli
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/kittentts"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for platform in linux-x86_64 linux-aarch64 macos-arm64 windows-x86_64; do
  env -u KITTENTTS_INDEX_URL "$BIN" runtimes install --platform "$platform" --dir "$TMP/$platform" 2>&1 | tail -n 1
done
python3 - "$TMP" <<'PY'
import os, struct, sys
root = sys.argv[1]
want = {
    "linux-x86_64": ("onnxruntime/libonnxruntime.so.1.32.0", "espeak-ng/libespeak-ng.so.1.52.0", "ELF x86-64"),
    "linux-aarch64": ("onnxruntime/libonnxruntime.so.1.32.0", "espeak-ng/libespeak-ng.so.1.52.0", "ELF aarch64"),
    "macos-arm64": ("onnxruntime/libonnxruntime.1.32.0.dylib", "espeak-ng/libespeak-ng.1.52.0.dylib", "Mach-O arm64"),
    "windows-x86_64": ("onnxruntime/onnxruntime.dll", "espeak-ng/espeak-ng.dll", "PE32+ x86-64"),
}
def kind(path):
    b = open(path, "rb").read(4096)
    if b[:4] == b"\x7fELF":
        return {62: "ELF x86-64", 183: "ELF aarch64"}.get(struct.unpack_from("<H", b, 18)[0], "ELF other")
    if struct.unpack_from("<I", b, 0)[0] == 0xFEEDFACF:
        return "Mach-O arm64" if struct.unpack_from("<I", b, 4)[0] == 0x0100000C else "Mach-O other"
    if b[:2] == b"MZ":
        pe = struct.unpack_from("<I", b, 0x3C)[0]
        ok = b[pe:pe + 4] == b"PE\0\0" and struct.unpack_from("<H", b, pe + 4)[0] == 0x8664 and struct.unpack_from("<H", b, pe + 24)[0] == 0x20B
        return "PE32+ x86-64" if ok else "PE other"
    return "unknown"
failed = 0
for platform, (ort, esp, expected) in want.items():
    for lib in (ort, esp):
        path = os.path.join(root, platform, lib)
        got = kind(path)
        ok = got == expected
        failed += not ok
        print(f"{platform:15} {lib:45} {got:13} {'ok' if ok else 'WRONG, expected ' + expected}")
    data = os.path.join(root, platform, "espeak-ng", "espeak-ng-data", "en_dict")
    if not os.path.isfile(data):
        failed += 1
        print(f"{platform:15} espeak-ng-data/en_dict missing")
checks = len(want) * 3
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
