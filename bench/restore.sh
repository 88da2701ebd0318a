#!/usr/bin/env bash
# Benchmark, restore leg: the service's restore of a snapshot against `curl -F snapshot=@file` to the same stand-in.
#
#   bench/restore.sh [--sizes "1G 4G"] [--runs 3]
#
# For each size: a Qdrant snapshot archive of that size is served by the nginx stand-in and taken by the service
# (POST /api/snapshot), then, interleaved --runs times after a warm-up of one of each:
#   U  curl -F snapshot=@<file> .../collections/kairos_restored/snapshots/upload?...   what an operator scripts
#   R  POST /api/snapshots/<file>/restore {"collection":"kairos_restored"}              re-read and check the file
#      (SHA-256 and archive check), preflight, streamed multipart upload, post-checks, clean-up
# The stand-in's upload endpoint streams the body to bench/Drain.java, which reads every byte. Prints wall times,
# the ratio R/U (goal: at most 1.1) and the service's resident memory during R (peak VmHWM minus idle VmRSS; goal:
# flat, the same for 1 GiB and 4 GiB). Not part of the tests or CI. Needs Java 17+, curl, nginx; disk: 2 x the
# largest size in /tmp and in target/.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

sizes="1G 4G"
runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done

ensure_nginx
build_service
make_workdir restore
work=$WORK
snapdir="$PWD/target/bench/restore-snapshots"
table="| size | U: curl -F (median, min-max) | R: restore (median, min-max) | R/U | R's peak RSS - idle (median; max) |
|---|---|---|---|---|"

for size in $sizes; do
    bytes=$(numfmt --from=iec "$size")
    echo "== $size"
    rm -rf "$snapdir"; mkdir -p "$snapdir"
    make_snapshot_archive "$work/qdrant.snapshot" "$bytes"
    start_standin "$work/qdrant.snapshot" "$work"
    start_service "$snapdir" "$work/service-$size.log"
    curl -fsS -o "$work/take.json" -X POST "$SERVICE_URL/api/snapshot" || die "the snapshot failed: $(cat "$work/take.json")"
    file=$(sed -n 's/.*"filePath":"\([^"]*\)".*/\1/p' "$work/take.json")
    [ -f "$file" ] || die "no snapshot file: $(cat "$work/take.json")"
    name=$(basename "$file")
    sha=$(cut -d' ' -f1 "$file.sha256")
    upload_url="$STANDIN_URL/collections/$BENCH_RESTORED/snapshots/upload?wait=true&priority=snapshot&checksum=$sha"
    rm -f "$work/qdrant.snapshot"

    run_u() { curl -fsS -o /dev/null -w '%{time_total}' -F "snapshot=@$file;filename=$name" "$upload_url"; }
    run_r() {
        local idle
        idle=$(rss_kib "$SERVICE_PID")
        echo 5 > "/proc/$SERVICE_PID/clear_refs" 2>/dev/null || true
        R_TIME=$(curl -s -o "$work/r.json" -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
            -d "{\"collection\":\"$BENCH_RESTORED\"}" "$SERVICE_URL/api/snapshots/$name/restore")
        grep -q '"status":"completed"' "$work/r.json" || die "the restore failed: $(cat "$work/r.json")"
        R_DELTA_KIB=$(( $(hwm_kib "$SERVICE_PID") - idle ))
    }
    run_u > /dev/null; run_r   # warm-up
    : > "$work/u.txt"; : > "$work/r.txt"; : > "$work/rss.txt"
    for i in $(seq 1 "$runs"); do
        u=$(run_u); run_r
        echo "$u" >> "$work/u.txt"; echo "$R_TIME" >> "$work/r.txt"; echo "$R_DELTA_KIB" >> "$work/rss.txt"
        printf 'round %d: U %ss  R %ss  (R peak RSS - idle: %d KiB)\n' "$i" "$u" "$R_TIME" "$R_DELTA_KIB"
    done
    u_med=$(median < "$work/u.txt"); r_med=$(median < "$work/r.txt")
    ratio=$(awk -v r="$r_med" -v u="$u_med" 'BEGIN { printf "%.2f", r / u }')
    table="$table
| $size | ${u_med} s ($(minmax < "$work/u.txt")) | ${r_med} s ($(minmax < "$work/r.txt")) | $ratio | $(kib_mib "$(median < "$work/rss.txt")") MiB; $(kib_mib "$(sort -g "$work/rss.txt" | tail -1)") MiB |"
    echo "R's phases (last run): $(sed -n 's/.*\("verifyMs":[0-9]*\).*\("uploadMs":[0-9]*\).*/\1 \2/p' "$work/r.json")"
    kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=
    kill "$STANDIN_PID" "$DRAIN_PID"; wait "$STANDIN_PID" "$DRAIN_PID" 2>/dev/null || true; STANDIN_PID=; DRAIN_PID=
    rm -rf "$snapdir"
done

echo
echo "$table"
