#!/usr/bin/env bash
# Benchmark, cluster leg: a backup set of three nodes against one node's snapshot alone.
#
#   bench/cluster.sh [--size 1G] [--runs 3] [--rate 0]
#
# Three nginx stand-ins answer as the nodes of one Qdrant cluster (GET /cluster with their own peer id, the
# placement of a collection of three shards, one Active replica each), and each serves a collection snapshot of
# --size holding its own shard's data (the others' state files only), as a per-node snapshot does. Interleaved --runs
# times after a warm-up of one of each:
#   N  POST /api/snapshot against one node alone (a standalone stand-in serving one such file)
#   S  POST /api/snapshot with QDRANT_CLUSTER_NODES listing the three: plan, three snapshots read in parallel
#      (create, download, SHA-256, archive check, fsync, publish, delete), set.json, rename
# Prints wall times, the ratio S/N (goal: at most 1.2, the nodes being read in parallel) and the service's resident
# memory during each (peak VmHWM minus idle VmRSS; goal: flat). --rate caps each node's sending rate (nginx
# limit_rate, such as 200m for 200 MB/s), as a node's own disk and network do; 0 is no cap (memory speed, where the
# service's CPU is the only limit). Not part of the tests or CI. Needs Java 17+, curl, nginx; disk: 4 x --size in
# /tmp and 4 x --size in target/.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

size=1G
runs=3
rate=0
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done

PEERS=(13542296025311659898 18446744073709551557 2189732418852856)

# make_member_archive <file> <bytes> <own shard>: a collection snapshot of a 3-shard collection taken on the node
# that holds <own shard>: that shard's segment, WAL and state files, the other two shards' state files only.
make_member_archive() {
    local file="$1" bytes="$2" own="$3" tree id
    tree=$(mktemp -d "$(dirname "$file")/archive-XXXXXX")
    for id in 0 1 2; do
        mkdir -p "$tree/$id"
        if [ "$id" = "$own" ]; then
            mkdir -p "$tree/$id/segments" "$tree/$id/wal"
            head -c "$bytes" /dev/urandom > "$tree/$id/segments/5f6c2a43-b9b1-4ec7-9a0e-2c1f0c58d4e1.tar"
            head -c 1048576 /dev/zero > "$tree/$id/wal/open-1"
            echo '{"ack_index":0}' > "$tree/$id/wal/first-index"
            echo '{"clocks":[]}' > "$tree/$id/newest_clocks.json"
            echo '{"is_local":true,"this_peer_id":1,"peers":{"1":"Active"}}' > "$tree/$id/replica_state.json"
        else
            echo '{"is_local":false,"this_peer_id":1,"peers":{"2":"Active"}}' > "$tree/$id/replica_state.json"
        fi
        echo '{"type":"ReplicaSet"}' > "$tree/$id/shard_config.json"
    done
    printf '1.19.0' > "$tree/version.info"
    echo "{\"params\":{\"vectors\":$BENCH_VECTORS,\"shard_number\":3,\"replication_factor\":1,\"write_consistency_factor\":1,\"on_disk_payload\":true},\"hnsw_config\":{\"m\":16},\"optimizer_config\":{},\"wal_config\":{},\"quantization_config\":null}" > "$tree/config.json"
    echo '[]' > "$tree/shard_key_mapping.json"
    echo '{"schema":{}}' > "$tree/payload_index.json"
    tar --format=gnu -cf "$file" -C "$tree" 0 1 2 version.info config.json shard_key_mapping.json payload_index.json
    rm -rf "$tree"
}

# start_node <index> <file> <dir>: an nginx stand-in answering as node <index> of the cluster; sets NODE_URL and
# adds its pid to NODE_PIDS.
NODE_PIDS=()
start_node() {
    local index="$1" file="$2" dir="$3" peer="${PEERS[$1]}" size sha port name placement local remote id
    chmod a+rx "$(dirname "$file")"
    chmod a+r "$file"
    size=$(stat -c %s "$file")
    sha=$(sha256sum "$file" | cut -d' ' -f1)
    name="kairos-$peer-2026-11-24-00-00-00.snapshot"
    local=""
    remote=""
    for id in 0 1 2; do
        if [ "$id" = "$index" ]; then
            local="{\"shard_id\":$id,\"points_count\":1000,\"state\":\"Active\"}"
        else
            remote="$remote${remote:+,}{\"shard_id\":$id,\"peer_id\":${PEERS[$id]},\"state\":\"Active\"}"
        fi
    done
    placement="{\"peer_id\":$peer,\"shard_count\":3,\"local_shards\":[$local],\"remote_shards\":[$remote],\"shard_transfers\":[]}"
    mkdir -p "$dir/logs"
    port=$((10000 + RANDOM % 20000))
    { nginx_conf_head "$dir"; cat <<CONF; } > "$dir/nginx.conf"
    server {
        listen 127.0.0.1:$port;
        default_type application/json;
        location = /readyz { default_type text/plain; return 200 'all shards are ready'; }
        location = /aliases { return 200 '{"result":{"aliases":[]},"status":"ok","time":0.00001}'; }
        location = / { return 200 '{"title":"qdrant - vector search engine","version":"1.19.0"}'; }
        location = /cluster { return 200 '{"result":{"status":"enabled","peer_id":$peer,"peers":{}},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION { return 200 '{"result":{"status":"green","points_count":$BENCH_POINTS,"segments_count":1,"config":{"params":{"vectors":$BENCH_VECTORS,"shard_number":3}}},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/cluster { return 200 '{"result":$placement,"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/exists { return 200 '{"result":{"exists":true},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/points/count { return 200 '{"result":{"count":$BENCH_POINTS},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/points/scroll { return 200 '{"result":{"points":[],"next_page_offset":null},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/snapshots {
            if (\$request_method = POST) {
                return 200 '{"result":{"name":"$name","creation_time":"2026-11-24T00:00:00","size":$size,"checksum":"$sha"},"status":"ok","time":0.5}';
            }
            return 200 '{"result":[],"status":"ok","time":0.00001}';
        }
        location = /collections/$BENCH_COLLECTION/snapshots/$name {
            if (\$request_method = DELETE) { return 200 '{"result":true,"status":"ok","time":0.00001}'; }
            default_type application/octet-stream;
            limit_rate $rate;
            alias $file;
        }
    }
}
CONF
    "$(nginx_bin)" -p "$dir" -c "$dir/nginx.conf" >"$dir/logs/stdout.log" 2>&1 &
    NODE_PIDS+=($!)
    NODE_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 50); do
        if curl -fsS -o /dev/null "$NODE_URL/readyz" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "nginx node $index did not start: $(cat "$dir/logs/error.log" 2>/dev/null)"
}

ensure_nginx
build_service
make_workdir cluster
work=$WORK
trap 'for p in "${NODE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; stop_all' EXIT
bytes=$(numfmt --from=iec "$size")
urls=""
for index in 0 1 2; do
    mkdir -p "$work/node-$index"
    make_member_archive "$work/node-$index/member.snapshot" "$bytes" "$index"
    start_node "$index" "$work/node-$index/member.snapshot" "$work/node-$index"
    urls="$urls${urls:+,}$NODE_URL"
done
# one node alone: a standalone stand-in (lib.sh) serving a one-shard snapshot of the same size
make_snapshot_archive "$work/alone.snapshot" "$bytes"
start_standin "$work/alone.snapshot" "$work"
[ "$rate" = 0 ] || sed -i "s|alias $work/alone.snapshot;|limit_rate $rate; alias $work/alone.snapshot;|" "$work/nginx/nginx.conf" \
    && { [ "$rate" = 0 ] || kill -HUP "$STANDIN_PID"; }

snapdir="$PWD/target/bench/cluster-snapshots"
take() { # take <service url> <label>: one POST /api/snapshot, its wall time and the peak RSS above idle
    local url="$1" pid="$2" idle start end
    idle=$(rss_kib "$pid")
    start=$(now)
    code=$(curl -s -o "$work/last.json" -w '%{http_code}' -X POST "$url/api/snapshot")
    end=$(now)
    [ "$code" = 200 ] || die "POST /api/snapshot answered $code: $(cat "$work/last.json")"
    echo "$(elapsed "$start" "$end") $(( $(hwm_kib "$pid") - idle ))"
}

rm -rf "$snapdir"; mkdir -p "$snapdir/alone" "$snapdir/set"
STANDIN_URL_ALONE="$STANDIN_URL"
STANDIN_URL="$STANDIN_URL_ALONE"
QDRANT_SNAPSHOT_KEEP_LAST=1 start_service "$snapdir/alone" "$work/service-alone.log"
alone_pid=$SERVICE_PID; alone_url=$SERVICE_URL
STANDIN_URL="${urls%%,*}"
QDRANT_SNAPSHOT_KEEP_LAST=1 QDRANT_CLUSTER_NODES="$urls" QDRANT_CLUSTER_PARALLELISM=3 \
    start_service "$snapdir/set" "$work/service-set.log"
set_pid=$SERVICE_PID; set_url=$SERVICE_URL
SERVICE_PID=""

echo "== warm-up"
take "$alone_url" "$alone_pid" >/dev/null
take "$set_url" "$set_pid" >/dev/null
: > "$work/n.txt"; : > "$work/s.txt"; : > "$work/n-mem.txt"; : > "$work/s-mem.txt"
for run in $(seq 1 "$runs"); do
    sync; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || true
    read -r t m < <(take "$alone_url" "$alone_pid"); echo "$t" >> "$work/n.txt"; echo "$m" >> "$work/n-mem.txt"
    echo "run $run: N ${t}s"
    read -r t m < <(take "$set_url" "$set_pid"); echo "$t" >> "$work/s.txt"; echo "$m" >> "$work/s-mem.txt"
    echo "run $run: S ${t}s"
done
grep -q '"members"' "$work/last.json" || die "the set run reported no members: $(cat "$work/last.json")"
kill "$alone_pid" "$set_pid" 2>/dev/null || true
n_med=$(median < "$work/n.txt")
s_med=$(median < "$work/s.txt")
echo
echo "| size per node | rate cap | N: one node alone (median, min-max) | S: set of 3 nodes (median, min-max) | S/N | peak RSS - idle, N; S (max) |"
echo "|---|---|---|---|---|---|"
echo "| $size | $([ "$rate" = 0 ] && echo none || echo "$rate/s per node") | ${n_med} s ($(minmax < "$work/n.txt")) | ${s_med} s ($(minmax < "$work/s.txt")) | $(awk -v s="$s_med" -v n="$n_med" 'BEGIN { printf "%.2f", s / n }') | $(kib_mib "$(sort -g "$work/n-mem.txt" | tail -1)") MiB; $(kib_mib "$(sort -g "$work/s-mem.txt" | tail -1)") MiB |"
