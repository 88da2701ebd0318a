# Shared by bench/run.sh and bench/soak.sh (source it; not a command of its own). Ports are drawn from
# 10000-29999, below Linux's ephemeral range, so they never meet a client socket's.
#  - a Qdrant stand-in: nginx answering Qdrant's readyz, aliases, exists, create (with the snapshot file's real
#    size and SHA-256), download (the file, with Content-Length, no compression) and delete, exactly as the service
#    calls them for the collection `kairos`;
#    and, for restores, the restore target `kairos_restored`, whose uploads nginx streams to bench/Drain.java;
#  - a snapshot file laid out as Qdrant's (make_snapshot_archive), which the service's archive check accepts;
#  - starting the packaged service and waiting for it to be ready.

BENCH_COLLECTION=kairos
BENCH_SNAPSHOT_NAME="kairos-3766212330831337-2026-11-24-00-00-00.snapshot"
BENCH_VECTORS='{"size":384,"distance":"Cosine"}'
BENCH_POINTS=100000
BENCH_RESTORED=kairos_restored

die() { echo "error: $*" >&2; exit 1; }

# make_workdir <name>: sets WORK to a fresh temporary directory, removed (with the service and the stand-in
# stopped) when the script exits.
make_workdir() {
    WORK=$(mktemp -d "/tmp/snapshotter-$1-XXXXXX")
    trap 'stop_all' EXIT
}
stop_all() {
    [ -n "${SERVICE_PID:-}" ] && kill "$SERVICE_PID" 2>/dev/null || true
    [ -n "${STANDIN_PID:-}" ] && kill "$STANDIN_PID" 2>/dev/null || true
    [ -n "${DRAIN_PID:-}" ] && kill "$DRAIN_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}

# Installs nginx (light) from Debian's packages when it is missing.
ensure_nginx() {
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && return 0
    echo "installing nginx-light from Debian's packages" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null \
        || die "could not install nginx"
}

nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

# nginx_conf_head <nginx dir>: the start of an nginx.conf for a stand-in (one worker in the foreground, logs and
# temporary files under <nginx dir>, no access log, sendfile, no compression), up to its `http {`; the caller writes
# the server blocks and the closing brace.
nginx_conf_head() {
    local dir="$1"
    cat <<CONF
worker_processes 1;
daemon off;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 512; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    gzip off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
CONF
}

# start_standin <snapshot file> <work dir>: starts nginx on a free loopback port, and the upload sink
# (bench/Drain.java) nginx streams uploads to; sets STANDIN_URL, STANDIN_PID and DRAIN_PID.
start_standin() {
    local file="$1" dir="$2" size sha port tries=0
    DRAIN_PORT=$((10000 + RANDOM % 20000))
    java bench/Drain.java "$DRAIN_PORT" > "$dir/drain.log" 2>&1 &
    DRAIN_PID=$!
    # nginx's workers drop root: they must be able to read the file
    chmod a+rx "$(dirname "$file")"
    chmod a+r "$file"
    size=$(stat -c %s "$file")
    sha=$(sha256sum "$file" | cut -d' ' -f1)
    mkdir -p "$dir/nginx/logs"
    while :; do
        port=$((10000 + RANDOM % 20000))
        { nginx_conf_head "$dir/nginx"; cat <<CONF; } > "$dir/nginx/nginx.conf"
    server {
        listen 127.0.0.1:$port;
        default_type application/json;
        location = /readyz { default_type text/plain; return 200 'all shards are ready'; }
        location = /aliases { return 200 '{"result":{"aliases":[]},"status":"ok","time":0.00001}'; }
        location = / { return 200 '{"title":"qdrant - vector search engine","version":"1.19.0"}'; }
        location = /cluster { return 200 '{"result":{"status":"disabled"},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION { return 200 '{"result":{"status":"green","points_count":$BENCH_POINTS,"segments_count":1,"config":{"params":{"vectors":$BENCH_VECTORS,"shard_number":1}}},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/points/count { return 200 '{"result":{"count":$BENCH_POINTS},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/points/scroll { return 200 '{"result":{"points":[],"next_page_offset":null},"status":"ok","time":0.00001}'; }
        # the restore target: missing before the upload; the stand-in has no state, so the post-checks read the
        # answers a restored collection gives (the service asks for them only after the upload)
        location = /collections/$BENCH_RESTORED/exists { return 200 '{"result":{"exists":false},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_RESTORED { return 200 '{"result":{"status":"green","points_count":$BENCH_POINTS,"segments_count":1,"config":{"params":{"vectors":$BENCH_VECTORS,"shard_number":1}}},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_RESTORED/points/count { return 200 '{"result":{"count":$BENCH_POINTS},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_RESTORED/snapshots { return 200 '{"result":[],"status":"ok","time":0.00001}'; }
        # the upload: the whole body is read (and dropped), then true, as Qdrant answers once it has restored
        location = /collections/$BENCH_RESTORED/snapshots/upload {
            client_max_body_size 0;
            proxy_request_buffering off;
            proxy_http_version 1.1;
            proxy_pass http://127.0.0.1:$DRAIN_PORT;
        }
        location = /collections/$BENCH_COLLECTION/exists { return 200 '{"result":{"exists":true},"status":"ok","time":0.00001}'; }
        location = /collections/$BENCH_COLLECTION/snapshots {
            if (\$request_method = POST) {
                return 200 '{"result":{"name":"$BENCH_SNAPSHOT_NAME","creation_time":"2026-11-24T00:00:00","size":$size,"checksum":"$sha"},"status":"ok","time":0.5}';
            }
            return 200 '{"result":[],"status":"ok","time":0.00001}';
        }
        location = /collections/$BENCH_COLLECTION/snapshots/$BENCH_SNAPSHOT_NAME {
            if (\$request_method = DELETE) { return 200 '{"result":true,"status":"ok","time":0.00001}'; }
            default_type application/octet-stream;
            alias $file;
        }
    }
}
CONF
        "$(nginx_bin)" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" >"$dir/nginx/logs/stdout.log" 2>&1 &
        STANDIN_PID=$!
        STANDIN_URL="http://127.0.0.1:$port"
        for _ in $(seq 1 50); do
            if curl -fsS -o /dev/null "$STANDIN_URL/readyz" 2>/dev/null; then return 0; fi
            kill -0 "$STANDIN_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$STANDIN_PID" 2>/dev/null || true
        tries=$((tries + 1))
        [ $tries -lt 5 ] || die "nginx did not start: $(cat "$dir/nginx/logs/error.log" 2>/dev/null)"
    done
}

# make_snapshot_archive <file> <bytes>: a Qdrant collection snapshot as Qdrant lays it out (a GNU tar: one shard with
# its segment, WAL and state files, then version.info and config.json), whose segment holds <bytes> random bytes;
# the service's archive check reads every byte of it, as it would a real one.
make_snapshot_archive() {
    local file="$1" bytes="$2" tree
    tree=$(mktemp -d "$(dirname "$file")/archive-XXXXXX")
    mkdir -p "$tree/0/segments" "$tree/0/wal"
    head -c "$bytes" /dev/urandom > "$tree/0/segments/5f6c2a43-b9b1-4ec7-9a0e-2c1f0c58d4e1.tar"
    head -c 1048576 /dev/zero > "$tree/0/wal/open-1"
    echo '{"ack_index":0}' > "$tree/0/wal/first-index"
    echo '{"clocks":[]}' > "$tree/0/newest_clocks.json"
    echo '{"clocks":[]}' > "$tree/0/oldest_clocks.json"
    echo '{"is_local":true,"this_peer_id":3766212330831337,"peers":{"3766212330831337":"Active"}}' > "$tree/0/replica_state.json"
    echo '{"type":"ReplicaSet"}' > "$tree/0/shard_config.json"
    printf '1.19.0' > "$tree/version.info"
    echo "{\"params\":{\"vectors\":$BENCH_VECTORS,\"shard_number\":1,\"replication_factor\":1,\"write_consistency_factor\":1,\"on_disk_payload\":true},\"hnsw_config\":{\"m\":16},\"optimizer_config\":{},\"wal_config\":{},\"quantization_config\":null}" > "$tree/config.json"
    echo '[]' > "$tree/shard_key_mapping.json"
    echo '{"schema":{}}' > "$tree/payload_index.json"
    tar --format=gnu -cf "$file" -C "$tree" 0 version.info config.json shard_key_mapping.json payload_index.json
    rm -rf "$tree"
}

# build_service: packages the JVM application unless an up-to-date one is there (or BENCH_JAR names one).
build_service() {
    # rebuilt whenever a source is newer than the packaged app: a stale jar would time the code of another commit
    local jar=target/quarkus-app/app/qdrant-snapshotter-1.0.0-SNAPSHOT.jar
    if [ -n "${BENCH_JAR:-}" ]; then return 0; fi
    if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ ! -f "$jar" ] \
        || [ -n "$(find src/main pom.xml -newer "$jar" -type f -print -quit)" ]; then
        echo "building the service (./mvnw package -DskipTests)" >&2
        ./mvnw -B -q -ntp package -DskipTests >&2 || die "build failed"
    fi
}

# service_command [options...]: becomes the packaged service (it execs: run it in the background, `service_command &`,
# so that $! is the service's own pid): BENCH_JAR, default this checkout's, or the native executable BENCH_RUNNER
# names, which takes -Xmx and the other -X options as the JVM does
service_command() {
    if [ -n "${BENCH_RUNNER:-}" ]; then
        exec "$BENCH_RUNNER" "$@"
    fi
    exec java "$@" -jar "${BENCH_JAR:-target/quarkus-app/quarkus-run.jar}"
}

# start_service <snapshot dir> <log file> [options...]: starts the packaged service (service_command) against the
# stand-in with the boot snapshot off; sets SERVICE_PID and SERVICE_URL once /q/health/ready answers 200.
start_service() {
    local snapdir="$1" log="$2"
    shift 2
    local port=$((10000 + RANDOM % 20000))
    QDRANT_URL="$STANDIN_URL" QDRANT_COLLECTION="$BENCH_COLLECTION" QDRANT_SNAPSHOT_DIR="$snapdir" \
        QDRANT_SNAPSHOT_ON_START=false QUARKUS_HTTP_PORT="$port" \
        service_command "$@" >"$log" 2>&1 &
    SERVICE_PID=$!
    SERVICE_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 600); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$SERVICE_URL/q/health/ready")" = 200 ]; then return 0; fi
        kill -0 "$SERVICE_PID" 2>/dev/null || die "the service exited: $(tail -5 "$log")"
        sleep 0.05
    done
    die "the service was not ready within 30 s: $(tail -5 "$log")"
}

# cpu_seconds <pid>: the CPU time (user + system) the process has used so far
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
kib_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# rss_kib <pid> / hwm_kib <pid> / fd_count <pid>
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
fd_count() { ls "/proc/$1/fd" | wc -l; }
