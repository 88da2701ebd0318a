#!/usr/bin/env bash
# Benchmark, off-site leg: the service's snapshot plus off-site copy against `aws s3 cp` of the same file, to a real
# S3 server (Ceph RGW on loopback, ../shared/s3/start-s3.sh; started here unless S3_ENDPOINT is set).
#
#   bench/offsite.sh [--sizes "1G 4G"] [--runs 3] [--part-size 16MiB] [--concurrency 4]
#
# For each size: a Qdrant snapshot archive of that size is served by the nginx stand-in; then, interleaved --runs
# times after a warm-up of one of each:
#   A  aws s3 cp <the last snapshot file> s3://<bucket>/bench-aws/...   (same part size and concurrency)
#   S  POST /api/snapshot with QDRANT_SNAPSHOT_S3_BUCKET set: download, verify, publish, then the off-site copy
#      (multipart with per-part SHA-256, whole-file SHA-256 on the way, HEAD confirmation); its report's
#      offsite.durationMs is the off-site leg, compared with A
# Prints wall times, the ratio S(offsite)/A (goal: at most 1.0) and the service's resident memory during S (peak
# VmHWM minus idle VmRSS; goal: within part size x concurrency + 32 MiB). Not part of the tests or CI. Needs Java
# 17+, curl, nginx, the AWS CLI (`aws`, Debian's awscli or pip's); disk: 3 x the largest size.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

sizes="1G 4G"
runs=3
part_size=16MiB
concurrency=4
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --part-size) part_size="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done
command -v aws >/dev/null || die "no aws CLI (apt-get install awscli)"

ensure_nginx
build_service
make_workdir offsite
work=$WORK
if [ -z "${S3_ENDPOINT:-}" ]; then
    s3_scripts=""
    for candidate in "${S3_SCRIPTS:-}" "$PWD/../shared/s3" /work/shared/s3; do
        if [ -n "$candidate" ] && [ -x "$candidate/start-s3.sh" ]; then s3_scripts="$candidate"; break; fi
    done
    [ -n "$s3_scripts" ] || die "no start-s3.sh (../shared/s3): set S3_SCRIPTS, or S3_ENDPOINT and the S3_* lines"
    s3dir="$work/s3"
    # room for every round's two copies: RGW frees deleted objects only after its GC waits (a minute or more)
    export S3_CAPACITY_GIB="${S3_CAPACITY_GIB:-64}"
    eval "$("$s3_scripts/start-s3.sh" --port 7500 --data-dir "$s3dir" --bucket bench | sed 's/^/export /')"
    trap '"$s3_scripts/stop-s3.sh" --data-dir "$s3dir" --purge >/dev/null 2>&1 || true; stop_all' EXIT
fi
export AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" AWS_DEFAULT_REGION="${S3_REGION:-us-east-1}"
export AWS_CONFIG_FILE="$work/aws-config"
part_iec=${part_size%B}; part_iec=${part_iec%i}
part_bytes=$(numfmt --from=iec "$part_iec")
cat > "$AWS_CONFIG_FILE" <<CONF
[default]
s3 =
    multipart_threshold = $part_bytes
    multipart_chunksize = $part_bytes
    max_concurrent_requests = $concurrency
    addressing_style = path
CONF
export QDRANT_SNAPSHOT_S3_BUCKET="$S3_BUCKET" QDRANT_SNAPSHOT_S3_ENDPOINT="$S3_ENDPOINT" \
    QDRANT_SNAPSHOT_S3_PATH_STYLE=true QDRANT_SNAPSHOT_S3_REGION="${S3_REGION:-us-east-1}" \
    QDRANT_SNAPSHOT_S3_ACCESS_KEY="$S3_ACCESS_KEY" QDRANT_SNAPSHOT_S3_SECRET_KEY="$S3_SECRET_KEY" \
    QDRANT_SNAPSHOT_S3_PREFIX=bench-service QDRANT_SNAPSHOT_S3_PART_SIZE="$part_size" \
    QDRANT_SNAPSHOT_S3_UPLOAD_CONCURRENCY="$concurrency" QDRANT_SNAPSHOT_KEEP_LAST=1 QDRANT_SNAPSHOT_S3_KEEP_LAST=1
snapdir="$PWD/target/bench/offsite-snapshots"
table="| size | A: aws s3 cp (median, min-max) | S: off-site leg of a run (median, min-max) | S/A | S: whole run (median) | S's peak RSS - idle (median; max) |
|---|---|---|---|---|---|"

for size in $sizes; do
    bytes=$(numfmt --from=iec "$size")
    echo "== $size"
    rm -rf "$snapdir"; mkdir -p "$snapdir"
    make_snapshot_archive "$work/qdrant.snapshot" "$bytes"
    start_standin "$work/qdrant.snapshot" "$work"
    start_service "$snapdir" "$work/service-$size.log"
    run_s() {
        local idle
        idle=$(rss_kib "$SERVICE_PID")
        echo 5 > "/proc/$SERVICE_PID/clear_refs" 2>/dev/null || true
        S_TIME=$(curl -s -o "$work/s.json" -w '%{time_total}' -X POST "$SERVICE_URL/api/snapshot")
        grep -q '"status":"completed"' "$work/s.json" || die "the run failed: $(cat "$work/s.json")"
        S_OFFSITE=$(sed -n 's/.*"offsite":{[^}]*"durationMs":\([0-9]*\).*/\1/p' "$work/s.json" | awk '{ printf "%.3f", $1 / 1000 }')
        S_DELTA_KIB=$(( $(hwm_kib "$SERVICE_PID") - idle ))
        S_FILE=$(sed -n 's/.*"filePath":"\([^"]*\)".*/\1/p' "$work/s.json")
    }
    run_a() {
        local start end
        start=$(now)
        aws --endpoint-url "$S3_ENDPOINT" s3 cp --only-show-errors "$S_FILE" "s3://$S3_BUCKET/bench-aws/$(basename "$S_FILE")-$1"
        end=$(now)
        aws --endpoint-url "$S3_ENDPOINT" s3 rm --only-show-errors "s3://$S3_BUCKET/bench-aws/$(basename "$S_FILE")-$1"
        elapsed "$start" "$end"
    }
    run_s; run_a warm > /dev/null   # warm-up
    : > "$work/a.txt"; : > "$work/s.txt"; : > "$work/sw.txt"; : > "$work/rss.txt"
    for i in $(seq 1 "$runs"); do
        run_s; a=$(run_a "$i")
        echo "$a" >> "$work/a.txt"; echo "$S_OFFSITE" >> "$work/s.txt"; echo "$S_TIME" >> "$work/sw.txt"
        echo "$S_DELTA_KIB" >> "$work/rss.txt"
        printf 'round %d: A %ss  S off-site %ss (run %ss; peak RSS - idle: %d KiB)\n' "$i" "$a" "$S_OFFSITE" "$S_TIME" "$S_DELTA_KIB"
    done
    a_med=$(median < "$work/a.txt"); s_med=$(median < "$work/s.txt")
    ratio=$(awk -v s="$s_med" -v a="$a_med" 'BEGIN { printf "%.2f", s / a }')
    table="$table
| $size | ${a_med} s ($(minmax < "$work/a.txt")) | ${s_med} s ($(minmax < "$work/s.txt")) | $ratio | $(median < "$work/sw.txt") s | $(kib_mib "$(median < "$work/rss.txt")") MiB; $(kib_mib "$(sort -g "$work/rss.txt" | tail -1)") MiB |"
    kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=
    kill "$STANDIN_PID" "$DRAIN_PID"; wait "$STANDIN_PID" "$DRAIN_PID" 2>/dev/null || true; STANDIN_PID=; DRAIN_PID=
    rm -f "$work/qdrant.snapshot"
    rm -rf "$snapdir"
done

echo
echo "part size $part_size, concurrency $concurrency (budget: $(numfmt --to=iec $((part_bytes * concurrency))) + 32 MiB)"
echo "$table"
