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
t0=$(now); "$BIN" process --as-of 2026-11-22 --jobs 1 --format json "$WORK/pdf" > "$WORK/process.json" || true; t1=$(now)
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
t0=$(now); "$BIN" process --as-of 2026-11-22 --jobs 1 --format json "$WORK/xml" > "$WORK/xml.json" || true; t1=$(now)
xours=$(calc "$N / ($t1 - $t0)")
row "process --jobs 1 vs xmllint --noout --schema (one run)" "$xours" "$xtool" "$(calc "$xours / $xtool" 2)x"
