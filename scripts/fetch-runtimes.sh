#!/usr/bin/env bash
# Fetches the native runtimes kittentts loads at run time, from PyPI wheels (never at build time):
#   runtimes/onnxruntime/libonnxruntime.so    ONNX Runtime 1.32.0 (PyPI `onnxruntime`)
#   runtimes/espeak-ng/libespeak-ng.so.1      libespeak-ng 1.52.0 (PyPI `espeakng-loader` 0.2.4,
#   runtimes/espeak-ng/espeak-ng-data/        the very build the Python reference uses) + its data
#   runtimes/wheels/                          the two verified wheels, for
#                                             `kittentts runtimes install --offline --wheels runtimes/wheels`
# Idempotent: a complete, verified folder is left alone. Verifies the wheels' SHA-256 (x86_64
# Linux) and the unpacked libraries' versions. Usage: bash scripts/fetch-runtimes.sh [DEST]
# DEST defaults to ./runtimes next to this script's repository; KITTENTTS_RUNTIME_DIR points
# the crates at another one (.cargo/config.toml sets it for cargo run/test/bench).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/runtimes}"
PYTHON="${PYTHON:-python3}"
ORT_VERSION=1.32.0
ESPEAK_LOADER_VERSION=0.2.4
ESPEAK_VERSION=1.52.0
# SHA-256 of the manylinux x86_64 wheels (the cp311 onnxruntime wheel; the library inside is
# the same for every CPython tag).
ORT_SHA256=5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
ESPEAK_SHA256=08721baf27d13d461f6be6eed9a65277e70d68234ff484fd8b9897b222cdcb6d

stamp="$DEST/.fetched-ort${ORT_VERSION}-espeak${ESPEAK_VERSION}-wheels"
if [ -f "$stamp" ] && [ -e "$DEST/onnxruntime/libonnxruntime.so" ] \
  && [ -e "$DEST/espeak-ng/libespeak-ng.so.1" ] && [ -d "$DEST/espeak-ng/espeak-ng-data" ] \
  && [ -d "$DEST/wheels" ]; then
  echo "runtimes ready: $DEST" >&2
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=(--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64); pinned=1 ;;
  Linux-aarch64) platform=(--platform manylinux_2_28_aarch64 --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64); pinned=0 ;;
  *) echo "fetch-runtimes: unsupported platform $(uname -s)-$(uname -m); install ONNX Runtime and libespeak-ng 1.52 yourself and set ORT_DYLIB_PATH / KITTENTTS_ESPEAK_LIBRARY" >&2; exit 1 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  --python-version 3.11 --implementation cp "${platform[@]}" \
  "onnxruntime==$ORT_VERSION" "espeakng-loader==$ESPEAK_LOADER_VERSION" -d "$work"

ort_whl=$(ls "$work"/onnxruntime-"$ORT_VERSION"-*.whl)
esp_whl=$(ls "$work"/espeakng_loader-"$ESPEAK_LOADER_VERSION"-*.whl)
if [ "$pinned" = 1 ]; then
  echo "$ORT_SHA256  $ort_whl" | sha256sum -c --quiet -
  echo "$ESPEAK_SHA256  $esp_whl" | sha256sum -c --quiet -
fi

new="$DEST.partial.$$"
rm -rf "$new"
mkdir -p "$new/onnxruntime" "$new/espeak-ng"
"$PYTHON" - "$ort_whl" "$esp_whl" "$new" <<'PY'
import os, shutil, sys, zipfile
ort_whl, esp_whl, dest = sys.argv[1:4]
with zipfile.ZipFile(ort_whl) as z:
    for n in z.namelist():
        base = os.path.basename(n)
        if n.startswith("onnxruntime/capi/") and base.startswith("libonnxruntime") and ".so" in base:
            with z.open(n) as src, open(os.path.join(dest, "onnxruntime", base), "wb") as out:
                shutil.copyfileobj(src, out)
with zipfile.ZipFile(esp_whl) as z:
    for n in z.namelist():
        if not n.startswith("espeakng_loader/"):
            continue
        rel = n[len("espeakng_loader/"):]
        if rel.startswith("espeak-ng-data/") or rel == "libespeak-ng.so.1.52.0":
            path = os.path.join(dest, "espeak-ng", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with z.open(n) as src, open(path, "wb") as out:
                shutil.copyfileobj(src, out)
PY
(cd "$new/onnxruntime" && ln -sf "libonnxruntime.so.$ORT_VERSION" libonnxruntime.so.1 && ln -sf libonnxruntime.so.1 libonnxruntime.so)
(cd "$new/espeak-ng" && ln -sf "libespeak-ng.so.$ESPEAK_VERSION" libespeak-ng.so.1 && ln -sf libespeak-ng.so.1 libespeak-ng.so)

# Verify what was unpacked: the libraries carry their versions.
grep -aq "$ORT_VERSION" "$new/onnxruntime/libonnxruntime.so.$ORT_VERSION" \
  || { echo "fetch-runtimes: libonnxruntime does not report $ORT_VERSION" >&2; exit 1; }
grep -aq "$ESPEAK_VERSION" "$new/espeak-ng/libespeak-ng.so.$ESPEAK_VERSION" \
  || { echo "fetch-runtimes: libespeak-ng does not report $ESPEAK_VERSION" >&2; exit 1; }
[ -f "$new/espeak-ng/espeak-ng-data/en_dict" ] || { echo "fetch-runtimes: espeak-ng-data/en_dict missing" >&2; exit 1; }

mkdir -p "$new/wheels"
cp "$ort_whl" "$esp_whl" "$new/wheels/"
touch "$new/.fetched-ort${ORT_VERSION}-espeak${ESPEAK_VERSION}-wheels"
rm -rf "$DEST"
mv "$new" "$DEST"
echo "runtimes ready: $DEST (onnxruntime $ORT_VERSION, libespeak-ng $ESPEAK_VERSION)" >&2
