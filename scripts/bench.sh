#!/usr/bin/env bash
# make bench: release-mode throughput of secor-intake against the standard tools,
# on the same files, in the same run, reported as ratios. Not a test: nothing here
# is asserted; the numbers are for people.
set -euo pipefail
BIN=${1:-.build/release/secor-intake}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_FILES:-400}
CORES=$(nproc)
WORK=$(mktemp -d /tmp/secor-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
calc() { python3 -c "print(f'{$1:.${2:-1}f}')"; }

# Corpus: the typed samples (fill, flat, print), copied to N files.
mkdir -p "$WORK/pdf"
typed=("$ROOT"/fixtures/samples/s0{1,2,3,7}-*.pdf)
for i in $(seq 1 "$N"); do cp "${typed[$(( i % ${#typed[@]} ))]}" "$WORK/pdf/doc-$i.pdf"; done
files=("$WORK"/pdf/*.pdf)

row() { printf '%-52s %9s %9s %8s\n' "$@"; }
row "text-layer PDFs, $N files (fill, flat, print)" "ours/s" "tool/s" "ratio"

# One worker against pdftotext -layout run file after file.
t0=$(now); for f in "${files[@]}"; do pdftotext -layout "$f" /dev/null; done; t1=$(now)
tool1=$(calc "$N / ($t1 - $t0)")
t0=$(now); "$BIN" extract --jobs 1 --format json "${files[@]}" > "$WORK/out.json" || true; t1=$(now)
ours1=$(calc "$N / ($t1 - $t0)")
row "extract --jobs 1 vs pdftotext -layout" "$ours1" "$tool1" "$(calc "$ours1 / $tool1" 2)x"

# All cores against pdftotext run on all cores.
t0=$(now); printf '%s\0' "${files[@]}" | xargs -0 -P "$CORES" -I{} pdftotext -layout {} /dev/null; t1=$(now)
toolN=$(calc "$N / ($t1 - $t0)")
t0=$(now); "$BIN" extract --jobs "$CORES" --format json "${files[@]}" > "$WORK/out.json" || true; t1=$(now)
oursN=$(calc "$N / ($t1 - $t0)")
row "extract --jobs $CORES vs xargs -P $CORES pdftotext -layout" "$oursN" "$toolN" "$(calc "$oursN / $toolN" 2)x"
row "extract --jobs $CORES vs pdftotext -layout, one at a time" "$oursN" "$tool1" "$(calc "$oursN / $tool1" 2)x"
echo "(extract reads every field: text by position, ticks and the signature by rendering their boxes.)"

# End-to-end process (read, normalize, assemble, validate, decide) on the same PDFs.
t0=$(now); "$BIN" process --as-of 2026-11-22 --jobs 1 --quiet --format json "$WORK/pdf" > "$WORK/process.json" || true; t1=$(now)
proc1=$(calc "$N / ($t1 - $t0)")
row "process --jobs 1 vs pdftotext -layout" "$proc1" "$tool1" "$(calc "$proc1 / $tool1" 2)x"

# XML exports: N distinct copies of the samples' exports.
mkdir -p "$WORK/xml"
xmls=("$ROOT"/fixtures/samples/*.xml)
for i in $(seq 1 "$N"); do
  sed "s/<WcbAccountNumber>[0-9]*</<WcbAccountNumber>$(printf '%07d' $((3000000 + i)))</" "${xmls[$(( i % ${#xmls[@]} ))]}" > "$WORK/xml/export-$i.xml"
done
XSD="$ROOT/schemas/xml/secor-registration-2018.xsd"
echo
row "XML exports, $N files" "ours/s" "tool/s" "ratio"
# xmllint at its best: one process validating every file.
t0=$(now); xmllint --noout --schema "$XSD" "$WORK"/xml/*.xml 2> /dev/null; t1=$(now)
xtool=$(calc "$N / ($t1 - $t0)")
t0=$(now); "$BIN" process --as-of 2026-11-22 --jobs 1 --quiet --format json "$WORK/xml" > "$WORK/xml.json" || true; t1=$(now)
xours=$(calc "$N / ($t1 - $t0)")
row "process --jobs 1 vs xmllint --noout --schema (one run)" "$xours" "$xtool" "$(calc "$xours / $xtool" 2)x"

# Scanned pages: the office's scanned samples and generated scans (150-300 dpi, skew, noise).
mkdir -p "$WORK/scan" "$WORK/png"
cp "$ROOT"/fixtures/samples/s04-*.pdf "$ROOT"/fixtures/samples/s06-envelope.pdf "$ROOT"/fixtures/samples/s08-*.pdf "$WORK/scan/"
FIXTURES=${BIN%/secor-intake}/secor-fixtures
"$FIXTURES" scans --count "${BENCH_SCAN_APPS:-8}" --seed 5 "$WORK/scan" > /dev/null
rm -f "$WORK/scan/truth.json"
pages=0
for f in "$WORK"/scan/*.pdf; do
  n=$(pdfinfo "$f" | awk '/^Pages:/ {print $2}'); pages=$((pages + n))
  # The same pages as 300 dpi grey images, for tesseract (made outside the timing).
  pdftoppm -r 300 -gray -png "$f" "$WORK/png/$(basename "$f" .pdf)"
done
echo
row "scanned pages, $pages pages, one core each" "ours/s" "tool/s" "ratio"
t0=$(now); for p in "$WORK"/png/*.png; do OMP_THREAD_LIMIT=1 tesseract "$p" - > /dev/null 2>&1; done; t1=$(now)
stool=$(calc "$pages / ($t1 - $t0)" 2)
t0=$(now); OMP_THREAD_LIMIT=1 "$BIN" extract --jobs 1 --format json "$WORK"/scan/*.pdf > "$WORK/scan.json" || true; t1=$(now)
sours=$(calc "$pages / ($t1 - $t0)" 2)
row "extract (render, place, OCR every field) vs tesseract full page" "$sours" "$stool" "$(calc "$sours / $stool" 2)x"
echo "(tesseract reads the 300 dpi page images; we read the PDFs, rendering them at 300 dpi ourselves.)"

# The watcher: drop-to-outcome latency for text-layer PDFs, with the default settle time (2 s).
mkdir -p "$WORK/inbox" "$WORK/out" "$WORK/drops"
for i in $(seq 1 20); do
  src=${typed[$(( i % ${#typed[@]} ))]}
  { cat "$src"; printf '\n%%latency %d\n' "$i"; } > "$WORK/drops/drop-$i-$(basename "$src")"
done
"$BIN" watch "$WORK/inbox" --out "$WORK/out" --as-of 2026-11-22 > /dev/null 2>&1 &
WATCH_PID=$!
sleep 1
python3 - "$WORK" <<'PY'
import os, sys, time, shutil, glob
work = sys.argv[1]
lat = []
for src in sorted(glob.glob(f"{work}/drops/*.pdf")):
    name = os.path.basename(src)
    t0 = time.time()
    shutil.copy(src, f"{work}/inbox/{name}")
    while not glob.glob(f"{work}/out/*/*/{name}"):
        time.sleep(0.01)
        if time.time() - t0 > 30: break
    lat.append(time.time() - t0)
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"\nwatch: drop-to-outcome latency, {len(lat)} text-layer PDFs, settle 2 s:  p50 {p(0.5):.2f} s   p95 {p(0.95):.2f} s   (aim: p95 under 2.5 s)")
PY
kill -TERM $WATCH_PID; wait $WATCH_PID 2>/dev/null || true
