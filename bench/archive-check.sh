#!/usr/bin/env bash
# Benchmark: the cost of the offline archive check, as the service's wall time and CPU time per GiB of a snapshot,
# with the check (this checkout) against the service just before it was added (--baseline, a git revision).
#
#   bench/archive-check.sh [--size 2G] [--runs 15] [--baseline 27bbbd0]
#
# Both services run side by side against one nginx stand-in serving a Qdrant snapshot archive of --size from the page
# cache, and take it in turn (POST /api/snapshot), --runs times each after a warm-up of one each. CPU time is the
# service process's user + system time over the run (/proc/<pid>/stat). Prints medians and the ratios
# check/baseline; the goal is at most 1.05 for both. Not part of the tests or CI. Builds the baseline in a git
# worktree under target/bench. Disk: 3 x --size.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
unset BENCH_RUNNER # it compares two JVM builds of different commits

size=2G
runs=15
baseline=27bbbd0
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --baseline) baseline="$2"; shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done
bytes=$(numfmt --from=iec "$size")
gib=$(awk -v b="$bytes" 'BEGIN { print b / 1073741824 }')

ensure_nginx
build_service
make_workdir archive-check
work=$WORK
tree="$PWD/target/bench/baseline"
echo "== building the baseline $baseline in $tree"
git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
git worktree add --detach -f "$tree" "$baseline" >/dev/null
(cd "$tree" && ./mvnw -B -q -ntp package -DskipTests >&2) || die "the baseline did not build"

make_snapshot_archive "$work/qdrant.snapshot" "$bytes"
start_standin "$work/qdrant.snapshot" "$work"
cat "$work/qdrant.snapshot" > /dev/null

mkdir -p target/bench
dirs=("$PWD/target/bench/check-snapshots" "$PWD/target/bench/baseline-snapshots")
rm -rf "${dirs[@]}"; mkdir -p "${dirs[@]}"
start_service "${dirs[0]}" "$work/check.log"; check_pid=$SERVICE_PID; check_url=$SERVICE_URL
BENCH_JAR="$tree/target/quarkus-app/quarkus-run.jar" start_service "${dirs[1]}" "$work/baseline.log"
base_pid=$SERVICE_PID; base_url=$SERVICE_URL
SERVICE_PID=
trap 'kill $check_pid $base_pid 2>/dev/null || true; stop_all; git worktree remove --force "$tree" 2>/dev/null || true' EXIT

# run <pid> <url> <dir>: prints "<wall s> <cpu s>"
run() {
    local pid="$1" url="$2" dir="$3" c0 c1 wall
    rm -f "$dir"/*.snap "$dir"/*.sha256 "$dir"/*.json; sync
    c0=$(cpu_seconds "$pid")
    wall=$(curl -s -o "$work/run.json" -w '%{time_total}' -X POST "$url/api/snapshot")
    grep -q '"status":"completed"' "$work/run.json" || die "the run failed: $(cat "$work/run.json")"
    c1=$(cpu_seconds "$pid")
    echo "$wall $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')"
}
run "$check_pid" "$check_url" "${dirs[0]}" > /dev/null; run "$base_pid" "$base_url" "${dirs[1]}" > /dev/null
: > "$work/check.txt"; : > "$work/base.txt"
for i in $(seq 1 "$runs"); do
    c=$(run "$check_pid" "$check_url" "${dirs[0]}"); b=$(run "$base_pid" "$base_url" "${dirs[1]}")
    echo "$c" >> "$work/check.txt"; echo "$b" >> "$work/base.txt"
    echo "round $i: with the check (wall cpu) $c s   baseline $b s"
done
# where the CPU went, thread by thread (user + system seconds since each service started)
threads() {
    local pid="$1" hz
    hz=$(getconf CLK_TCK)
    for t in /proc/"$pid"/task/*; do
        awk -v hz="$hz" -v name="$(cat "$t/comm")" '{ printf "%8.2f %s\n", ($14 + $15) / hz, name }' "$t/stat"
    done | sort -rn | head -6
}
echo "threads, with the check:"; threads "$check_pid"
echo "threads, baseline:"; threads "$base_pid"
per_gib() { awk -v g="$gib" '{ print $1 / g }'; }
cw=$(cut -d' ' -f1 "$work/check.txt" | per_gib | median); cc=$(cut -d' ' -f2 "$work/check.txt" | per_gib | median)
bw=$(cut -d' ' -f1 "$work/base.txt" | per_gib | median); bc=$(cut -d' ' -f2 "$work/base.txt" | per_gib | median)
echo
echo "| per GiB ($size, medians of $runs) | baseline $baseline | with the archive check | ratio | goal |"
echo "|---|---|---|---|---|"
echo "| wall time | $bw s | $cw s | $(awk -v a="$cw" -v b="$bw" 'BEGIN { printf "%.3f", a / b }') | <= 1.05 |"
echo "| CPU time (user + system) | $bc s | $cc s | $(awk -v a="$cc" -v b="$bc" 'BEGIN { printf "%.3f", a / b }') | <= 1.05 |"
rm -rf "${dirs[@]}"
