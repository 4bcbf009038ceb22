#!/usr/bin/env bash
# Runs the cargo-fuzz targets one after another, each for SECONDS (default 600), and prints
# runs, exec/s, corpus size and crashes per target.
#
#   scripts/fuzz.sh                      # every target, 10 minutes each
#   SECONDS_PER_TARGET=60 scripts/fuzz.sh ledger_json multipart
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and builds with RUSTC_BOOTSTRAP=1 and no
# sanitizer (`-s none`: the code has no `unsafe` of its own; the targets look for panics, hangs
# and unbounded memory). Fuzz builds use other compiler flags than the workspace, so they get
# their own target dir (FUZZ_TARGET_DIR, default /tmp/fuzz-target). The corpus grows in
# fuzz/corpus/<target> (git-ignored), seeded from the repository's fixtures and ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${SECONDS_PER_TARGET:-600}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(parse xlsx_import ledger_json multipart)
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-/tmp/fuzz-target}
export RUSTC_BOOTSTRAP=1
logs=$(mktemp -d "${TMPDIR:-/tmp}/rectify-fuzz.XXXXXX")

# Seeds: a few valid inputs per target, so the fuzzer starts from the interesting shapes.
seeds="$logs/seeds"
mkdir -p "$seeds"/{parse,xlsx_import,ledger_json,multipart}
cp tests/e2e/fixtures/report.txt "$seeds/parse/"
if [[ -d ../shared/corpus ]]; then cp ../shared/corpus/*.txt "$seeds/parse/" 2>/dev/null || true; fi
cp crates/workbook/tests/fixtures/*.xlsx "$seeds/xlsx_import/"
cp tests/fixtures/ledger.json "$seeds/ledger_json/"
# The multipart target reads its first line as the boundary, the rest as the body.
{
    printf 'B\n--B\r\nContent-Disposition: form-data; name="version"\r\n\r\n3\r\n'
    printf -- '--B\r\nContent-Disposition: form-data; name="text"\r\n\r\n已完成整改\r\n'
    printf -- '--B\r\nContent-Disposition: form-data; name="date"\r\n\r\n2024-05-01\r\n'
    printf -- '--B\r\nContent-Disposition: form-data; name="file"; filename="e.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    head -c 600 tests/e2e/fixtures/evidence.pdf
    printf '\r\n--B--\r\n'
} >"$seeds/multipart/progress"
{
    printf 'B\n--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\nx\r\n'
    printf -- '--B\r\nContent-Disposition: form-data; name="file"; filename="../报告.txt"\r\nContent-Type: text/plain\r\n\r\n'
    head -c 2000 tests/e2e/fixtures/report.txt
    printf '\r\n--B--\r\n'
} >"$seeds/multipart/import"
{
    printf 'B\n--B\r\nContent-Disposition: form-data; name="file"; filename="台账.xlsx"\r\n\r\n'
    cat crates/workbook/tests/fixtures/*.xlsx
    printf '\r\n--B--\r\n'
} >"$seeds/multipart/xlsx"

status=0
printf '%-12s %10s %8s %8s %8s %s\n' target runs exec/s corpus crashes seconds
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    log="$logs/$t.log"
    start=$(date +%s)
    # Build first (not counted in the run time).
    (cd fuzz && cargo fuzz build -s none "$t") >"$logs/$t.build.log" 2>&1 || {
        cat "$logs/$t.build.log" >&2
        exit 1
    }
    start=$(date +%s)
    rc=0
    (cd fuzz && cargo fuzz run -s none "$t" "corpus/$t" "$seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10) >"$log" 2>&1 || rc=$?
    took=$(($(date +%s) - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
    crashes=$(find "fuzz/artifacts/$t" -type f 2>/dev/null | wc -l)
    printf '%-12s %10s %8s %8s %8s %s\n' "$t" "${runs:-?}" "${eps:-?}" "$corpus" "$crashes" "$took"
    if [[ $rc -ne 0 ]]; then
        echo "fuzz: $t stopped with status $rc; the end of its log ($log):" >&2
        tail -n 40 "$log" >&2
        status=1
    fi
done
echo "logs: $logs"
exit "$status"
