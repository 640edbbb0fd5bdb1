#!/usr/bin/env bash
# make fuzz: each libFuzzer target (normalizers, xml, pdf) for FUZZ_SECONDS seconds (default 60),
# from a seed corpus made of the fixtures, with AddressSanitizer. The corpus grows across runs
# in .build-fuzz/corpus. An input that crashes or breaks a promise is copied to
# fixtures/fuzz/<target>/, where FuzzRegressionTests replays it in `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
EACH=${FUZZ_SECONDS:-60}
SCRATCH=.build-fuzz
FLAGS=(--scratch-path "$SCRATCH" -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
export LSAN_OPTIONS="suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0"
status=0
for target in normalizers xml pdf; do
  if ! swift build "${FLAGS[@]}" --product "fuzz-$target" > "$SCRATCH/build-$target.log" 2>&1; then
    grep -E "error" "$SCRATCH/build-$target.log" | head -5; echo "fuzz-$target did not build"; exit 1
  fi
  corpus="$SCRATCH/corpus/$target"; found="$SCRATCH/found/$target"
  # What an earlier run found is already in fixtures/fuzz/: only this run's findings are reported.
  rm -rf "$found"
  mkdir -p "$corpus" "$found"
  case $target in
    normalizers)
      max=4096
      # Every value the samples' applicants wrote, one per file, and a whole registration split at NUL.
      python3 - "$ROOT/fixtures/samples/expected.json" "$corpus" <<'PY'
import json, sys, hashlib, os
cases = json.load(open(sys.argv[1]))["cases"]
for c in cases:
    for doc in ("registration", "declaration"):
        values = list(c.get(doc, {}).values())
        for v in values + ["\0".join(values)]:
            data = str(v).encode()
            open(os.path.join(sys.argv[2], hashlib.sha1(data).hexdigest()), "wb").write(data)
PY
      ;;
    xml) max=65536; cp "$ROOT"/fixtures/samples/*.xml "$ROOT"/fixtures/bad/*.xml "$corpus/" 2>/dev/null || true ;;
    pdf) max=262144
      for f in "$ROOT"/fixtures/samples/*.pdf "$ROOT"/fixtures/bad/*.pdf; do
        [ "$(stat -c %s "$f")" -le $max ] && cp "$f" "$corpus/"
      done ;;
  esac
  echo "== fuzz-$target for ${EACH}s ($(ls "$corpus" | wc -l) inputs in the corpus)"
  if ! "$SCRATCH/debug/fuzz-$target" "$corpus" -max_total_time="$EACH" -max_len=$max -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="$found/" -print_final_stats=1 > "$SCRATCH/fuzz-$target.log" 2>&1; then
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^#[0-9]+ *DONE|ERROR|broken promise" "$SCRATCH/fuzz-$target.log" | head -5 || true
  for f in "$found"/*; do
    [ -e "$f" ] || continue
    cp "$f" "fixtures/fuzz/$target/$(basename "$f")"
    echo "found: fixtures/fuzz/$target/$(basename "$f") (now a regression test)"; status=1
  done
done
exit $status
