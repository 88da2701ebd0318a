#!/usr/bin/env bash
# Benchmark: the service's snapshot pipeline against what an operator scripts instead, on this machine, in one run.
#
#   bench/run.sh [--size 4G] [--runs 5] [--boots 10] [--out BENCHMARKS.md]
#
# Interleaved (A B C A B C ...), --runs times each, against an nginx stand-in for Qdrant serving a random snapshot
# of --size at Qdrant's download path (and answering the create call with its real size and SHA-256):
#   A  curl -o                          the I/O limit of fetching the file
#   B  curl -o, then sha256sum          what operators script
#   C  POST /api/snapshot               create, download, verify, fsync, link under the final name, delete
# plus the raw limits (JDK SHA-256 and sha256sum speed, disk write speed with dd conv=fdatasync), the service's
# resident memory during C (VmHWM peak minus idle VmRSS), one run with -Xmx64m, and boot to ready (first 200 from
# /q/health/ready, boot snapshot off; median of --boots starts) of the service and of a minimal Quarkus REST +
# health app of the same Quarkus version built in the same run (and of the native binary when target/*-runner
# exists). Prints a table and writes it, with the machine's description, to --out.
# BENCH_RUNNER=<native executable> runs C (and the -Xmx64m run) on that executable instead of the JVM, and times its
# boot beside the JVM's.
#
# Not part of the tests or CI. Needs Java 17+, curl, and nginx (installed from Debian's packages when missing).
# Disk: about 3 x --size free in /tmp and in the repository's target/ directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

size=4G
runs=5
boots=10
out=BENCHMARKS.md
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --boots) boots="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done
command="${BENCH_RUNNER:+BENCH_RUNNER=$BENCH_RUNNER }bench/run.sh --size $size --runs $runs --boots $boots"
service_kind=${BENCH_RUNNER:+, the native executable}
bytes=$(numfmt --from=iec "$size")

ensure_nginx
build_service
make_workdir bench
work=$WORK

mib_s() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }

echo "== machine"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cores=$(nproc)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
jdk=$(java -version 2>&1 | head -1)
kernel=$(uname -r)
fs=$(df -T "$work" | awk 'NR == 2 { print $2 " on " $1 }')
echo "$cpu, $cores cores, $mem, $jdk, Linux $kernel, /tmp is $fs"

echo "== building the minimal Quarkus REST + health app (the framework's boot floor)"
quarkus_version=$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' pom.xml)
mkdir -p "$work/floor/src/main/java/floor" "$work/floor/src/main/resources"
cat > "$work/floor/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>floor</artifactId><version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencyManagement><dependencies><dependency>
    <groupId>io.quarkus</groupId><artifactId>quarkus-bom</artifactId><version>$quarkus_version</version>
    <type>pom</type><scope>import</scope>
  </dependency></dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-rest</artifactId></dependency>
    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-smallrye-health</artifactId></dependency>
  </dependencies>
  <build><plugins><plugin>
    <groupId>io.quarkus</groupId><artifactId>quarkus-maven-plugin</artifactId><version>$quarkus_version</version>
    <extensions>true</extensions>
    <executions><execution><goals><goal>build</goal></goals></execution></executions>
  </plugin></plugins></build>
</project>
POM
cat > "$work/floor/src/main/java/floor/Hello.java" <<'JAVA'
package floor;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

@Path("/hello")
public class Hello {
    @GET
    public String hello() {
        return "hello";
    }
}
JAVA
echo "quarkus.banner.enabled=false" > "$work/floor/src/main/resources/application.properties"
./mvnw -B -q -ntp -f "$work/floor/pom.xml" package -DskipTests >&2 || die "the floor app did not build"

echo "== raw limits"
jdk_sha=$(java bench/ShaSpeed.java)
echo "JDK SHA-256 on a memory buffer: $jdk_sha MiB/s"
head -c 1G /dev/urandom > "$work/sha-probe.bin"
cat "$work/sha-probe.bin" > /dev/null
t0=$(now); sha256sum "$work/sha-probe.bin" > /dev/null; t1=$(now)
sum_sha=$(awk -v s="$(elapsed "$t0" "$t1")" 'BEGIN { printf "%.0f", 1024 / s }')
rm -f "$work/sha-probe.bin"
echo "sha256sum on a cached 1 GiB file: $sum_sha MiB/s"
mkdir -p target/bench
dd_out=$(dd if=/dev/zero of=target/bench/dd.bin bs=1M count=2048 conv=fdatasync 2>&1 | tail -1)
rm -f target/bench/dd.bin
disk=$(echo "$dd_out" | awk -F', ' '{ print $NF }')
echo "disk write, dd 2 GiB conv=fdatasync into target/bench: $disk"

echo "== snapshot file: a Qdrant snapshot archive holding $size of random bytes"
make_snapshot_archive "$work/qdrant.snapshot" "$bytes"
start_standin "$work/qdrant.snapshot" "$work"
cat "$work/qdrant.snapshot" > /dev/null   # the stand-in serves from the page cache, as Qdrant would a fresh file
download_url="$STANDIN_URL/collections/$BENCH_COLLECTION/snapshots/$BENCH_SNAPSHOT_NAME"

# the service writes where the A and B copies go: target/bench on the repository's disk
snapdir="$PWD/target/bench/snapshots"
rm -rf "$snapdir"; mkdir -p "$snapdir"
start_service "$snapdir" "$work/service.log"
settle() { rm -f target/bench/a.bin target/bench/b.bin "$snapdir"/*.snap "$snapdir"/*.sha256; sync; }

run_a() {
    curl -s -o target/bench/a.bin -w '%{time_total}' "$download_url"
}
run_b() {
    local t0 t1
    t0=$(now)
    curl -s -o target/bench/b.bin "$download_url"
    sha256sum target/bench/b.bin > /dev/null
    t1=$(now)
    elapsed "$t0" "$t1"
}
# sets C_TIME and C_DELTA_KIB (peak RSS during the run minus idle RSS before it)
run_c() {
    local idle status
    idle=$(rss_kib "$SERVICE_PID")
    echo 5 > "/proc/$SERVICE_PID/clear_refs" 2>/dev/null || true   # resets VmHWM to the current RSS
    C_TIME=$(curl -s -o "$work/c.json" -w '%{time_total}' -X POST "$SERVICE_URL/api/snapshot")
    grep -q '"status":"completed"' "$work/c.json" || die "C failed: $(cat "$work/c.json")"
    C_DELTA_KIB=$(( $(hwm_kib "$SERVICE_PID") - idle ))
    C_IDLE_KIB=$idle
}

echo "== warm-up (one of each, not counted)"
run_a > /dev/null; settle; run_b > /dev/null; settle; run_c; settle

: > "$work/a.txt"; : > "$work/b.txt"; : > "$work/c.txt"; : > "$work/rss.txt"; : > "$work/idle.txt"
for i in $(seq 1 "$runs"); do
    a=$(run_a); settle
    b=$(run_b); settle
    run_c; settle
    echo "$a" >> "$work/a.txt"; echo "$b" >> "$work/b.txt"; echo "$C_TIME" >> "$work/c.txt"
    echo "$C_DELTA_KIB" >> "$work/rss.txt"; echo "$C_IDLE_KIB" >> "$work/idle.txt"
    printf 'round %d: A %ss  B %ss  C %ss  (C peak RSS - idle: %d KiB)\n' "$i" "$a" "$b" "$C_TIME" "$C_DELTA_KIB"
done
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=

echo "== the service with -Xmx64m"
start_service "$snapdir" "$work/service-64m.log" -Xmx64m
run_c; settle   # warm-up, as for the main runs: the first run also pays for class loading and JIT compilation
run_c; small_time=$C_TIME; small_delta=$C_DELTA_KIB
small_sha=$(cd "$snapdir" && sha256sum -c ./*.sha256 2>&1 | tail -1)
settle
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=
echo "-Xmx64m: C ${small_time}s, peak RSS - idle $small_delta KiB, $small_sha"

echo "== boot to ready ($boots starts each, interleaved)"
boot_once() { # boot_once <ready url> <command...>: seconds from process start to the first 200
    local url="$1"; shift
    local t0 t1 pid
    t0=$(now)
    "$@" > "$work/boot.log" 2>&1 &
    pid=$!
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ]; do
        kill -0 "$pid" 2>/dev/null || die "boot failed: $(tail -5 "$work/boot.log")"
        sleep 0.01
    done
    t1=$(now)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    elapsed "$t0" "$t1"; echo
}
port=$((10000 + RANDOM % 20000))
service_env=(env QDRANT_URL="$STANDIN_URL" QDRANT_COLLECTION="$BENCH_COLLECTION" QDRANT_SNAPSHOT_DIR="$snapdir"
    QDRANT_SNAPSHOT_ON_START=false QUARKUS_HTTP_PORT="$port")
native_runner=${BENCH_RUNNER:-$(ls target/*-runner 2>/dev/null | head -1 || true)}
: > "$work/boot-ours.txt"; : > "$work/boot-floor.txt"; : > "$work/boot-native.txt"
for i in $(seq 1 "$boots"); do
    boot_once "http://127.0.0.1:$port/q/health/ready" "${service_env[@]}" java -jar target/quarkus-app/quarkus-run.jar >> "$work/boot-ours.txt"
    boot_once "http://127.0.0.1:$port/q/health/ready" env QUARKUS_HTTP_PORT="$port" java -jar "$work/floor/target/quarkus-app/quarkus-run.jar" >> "$work/boot-floor.txt"
    if [ -n "$native_runner" ]; then
        boot_once "http://127.0.0.1:$port/q/health/ready" "${service_env[@]}" "$native_runner" >> "$work/boot-native.txt"
    fi
done

a_med=$(median < "$work/a.txt"); b_med=$(median < "$work/b.txt"); c_med=$(median < "$work/c.txt")
ca=$(awk -v c="$c_med" -v a="$a_med" 'BEGIN { printf "%.2f", c / a }')
cb=$(awk -v c="$c_med" -v b="$b_med" 'BEGIN { printf "%.2f", c / b }')
rss_med=$(median < "$work/rss.txt"); rss_max=$(sort -g "$work/rss.txt" | tail -1); idle_med=$(median < "$work/idle.txt")
boot_ours=$(median < "$work/boot-ours.txt"); boot_floor=$(median < "$work/boot-floor.txt")
boot_ratio=$(awk -v o="$boot_ours" -v f="$boot_floor" 'BEGIN { printf "%.2f", o / f }')
disk_floor=$(awk -v b="$bytes" -v d="$disk" 'BEGIN { split(d, p, " "); m = (p[2] ~ /^GB/) ? 1e9 : (p[2] ~ /^MB/) ? 1e6 : 1e3; printf "%.2f", b / (p[1] * m) }')

table=$(cat <<TABLE
| measure | median | min-max | throughput |
|---|---|---|---|
| A: \`curl -o\` ($size) | ${a_med} s | $(minmax < "$work/a.txt") s | $(mib_s "$a_med") MiB/s |
| B: \`curl -o\` + \`sha256sum\` | ${b_med} s | $(minmax < "$work/b.txt") s | $(mib_s "$b_med") MiB/s |
| C: \`POST /api/snapshot\`$service_kind | ${c_med} s | $(minmax < "$work/c.txt") s | $(mib_s "$c_med") MiB/s |
| C with \`-Xmx64m\` (one run after a warm-up, completed, \`$small_sha\`) | ${small_time} s | | $(mib_s "$small_time") MiB/s |
| disk floor: $size at the \`dd conv=fdatasync\` speed | ${disk_floor} s | | $disk |

| ratio | figure | target |
|---|---|---|
| C/A | $ca | <= 1.10 |
| C/B | $cb | <= 0.60 |
| peak RSS during C minus idle RSS (median of $runs; max) | $(kib_mib "$rss_med") MiB; $(kib_mib "$rss_max") MiB (idle $(kib_mib "$idle_med") MiB) | <= 32 MiB |
| same with \`-Xmx64m\` | $(kib_mib "$small_delta") MiB | <= 32 MiB |
| JVM boot to ready: service / minimal REST + health app (medians of $boots) | ${boot_ours} s / ${boot_floor} s = $boot_ratio | <= 1.10 |
TABLE
)
if [ -s "$work/boot-native.txt" ]; then
    table="$table
| native boot to ready (median of $boots) | $(median < "$work/boot-native.txt") s | |"
fi

raw="JDK SHA-256 on a memory buffer: $jdk_sha MiB/s; sha256sum on a cached file: $sum_sha MiB/s; disk write (dd 2 GiB conv=fdatasync): $disk."
machine="$cpu, $cores cores, $mem RAM, $jdk, Linux $kernel; /tmp on $fs."

echo
echo "$table"
echo
echo "$raw"

# a hand-written analysis below this marker in an existing $out is kept
marker='<!-- analysis: written by hand, kept by bench/run.sh -->'
analysis=""
if [ -f "$out" ] && grep -qF "$marker" "$out"; then
    analysis=$(awk -v m="$marker" 'index($0, m) { keep = 1 } keep' "$out")
fi

cat > "$out" <<MD
# Benchmarks

Written by \`$command\` on $(date -u +%Y-%m-%d). Medians of one run, A B C interleaved $runs times each after a
warm-up of one of each, against an nginx stand-in for Qdrant serving the $size snapshot from the page cache.
The copies of A and B and the service's snapshot directory are on the same disk (\`target/bench\`), and every
measurement starts after \`sync\`, with the previous output deleted.

Machine: $machine

Raw limits: $raw

$table

MD
[ -z "$analysis" ] || printf '%s\n' "$analysis" >> "$out"
echo "wrote $out"
