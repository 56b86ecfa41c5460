#!/usr/bin/env bash
# Benchmark: trustmesh proxy beside HAProxy and stunnel, same certificates, same nginx backend,
# each proxy pinned to one core (taskset -c 1), load client and backend on the other (core 0).
# "direct" is the same load taken straight from nginx without TLS (the bulk target's reference).
# Every proxy gets the same warm-up; the 1-minute load average is recorded before each run.
# Not part of CI. Needs: haproxy stunnel4 nginx libssl-dev gcc python3 (Debian packages), and the
# fat jar (./trustmesh builds it). Results: a markdown table on stdout; copy into docs/benchmarks.md.
#
#   bench/proxy-vs-peers.sh                 # 10 s per load, one run
#   DURATION=10 REPEAT=3 bench/proxy-vs-peers.sh
#   PROXIES="trustmesh haproxy" IDLE_CONNS=5000 bench/proxy-vs-peers.sh
#   TRUSTMESH_JAVA_OPTS=-XX:TieredStopAtLevel=4 bench/proxy-vs-peers.sh   # the sidecar with C2
#   BEFORE_ROOT=/path/to/other/checkout PROXIES="haproxy before trustmesh" bench/proxy-vs-peers.sh
#     # "before": the same sidecar started from another checkout's launcher and jar, in the same run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10}"
REPEAT="${REPEAT:-1}"
PROXIES="${PROXIES:-direct haproxy stunnel trustmesh}"
# 10,000 idle connections need 20,000 descriptors in the proxy (client side + backend side); use
# fewer when the hard limit does not allow it (the figure is reported with the count used).
IDLE_CONNS="${IDLE_CONNS:-10000}"
LOADGEN_SRC="${LOADGEN_SRC:-$root/../shared/bench/mtlsload.c}"  # the shared folder beside the checkout
# PORT_OFFSET moves every port, for a machine where another run already holds them.
PORT_OFFSET="${PORT_OFFSET:-0}"
BACKEND_PORT=$((18080 + PORT_OFFSET))
declare -A PORT=([direct]=$BACKEND_PORT [haproxy]=$((18443 + PORT_OFFSET)) [stunnel]=$((18444 + PORT_OFFSET))
  [trustmesh]=$((18445 + PORT_OFFSET)) [before]=$((18446 + PORT_OFFSET)))
for p in "${PORT[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: port $p is already in use (another run?); set PORT_OFFSET" >&2; exit 2
  fi
done

for tool in haproxy stunnel4 nginx gcc python3 taskset java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install haproxy stunnel4 nginx libssl-dev gcc)" >&2; exit 2; }
done
limit=$(ulimit -Hn)
if [ "$limit" != unlimited ] && [ $((IDLE_CONNS * 2 + 200)) -gt "$limit" ]; then
  IDLE_CONNS=$(( (limit - 200) / 2 ))
  echo "bench: open-file limit is $limit; holding $IDLE_CONNS idle connections instead of 10,000" >&2
fi
ulimit -n "$limit"
maxconn=$(( (limit - 100) / 2 ))   # client connections; each also holds one to the backend

work="$(mktemp -d /tmp/trustmesh-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

# --- load client -----------------------------------------------------------------------------
gcc -O2 -pthread -o "$work/mtlsload" "$LOADGEN_SRC" -lssl -lcrypto

# --- certificates (one CA, one server SVID with DNS localhost, one client SVID) ---------------
tm() { TRUSTMESH_NO_BUILD="${TRUSTMESH_NO_BUILD:-}" "$root/trustmesh" "$@"; }
tm ca init --trust-domain bench.trustmesh --dir "$work/ca" >/dev/null
tm cert issue --ca "$work/ca" --spiffe-id spiffe://bench.trustmesh/ns/bench/sa/server --dns localhost \
  --ttl 24h --out "$work/server" >/dev/null
tm cert issue --ca "$work/ca" --spiffe-id spiffe://bench.trustmesh/ns/bench/sa/client \
  --ttl 24h --out "$work/client" >/dev/null
cat "$work/server/svid.pem" "$work/server/svid_key.pem" > "$work/server/haproxy.pem"
CA="$work/ca/root.pem"
CLIENT=(-C "$work/client/svid.pem" -K "$work/client/svid_key.pem" -A "$CA")

# --- backend: nginx, one worker, core 0 ------------------------------------------------------
mkdir -p "$work/www" "$work/nginx"
head -c 100000000 /dev/zero > "$work/www/100m.bin"
printf 'hello from the backend\n' > "$work/www/small.txt"
chmod -R a+rX "$work"
chmod 600 "$work"/server/svid_key.pem "$work"/client/svid_key.pem  # trustmesh refuses a key others can read
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $limit;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections $((limit - 100)); }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$BACKEND_PORT; root $work/www; }
}
CONF
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx/stderr" &
nginx_pid=$!
pids+=($nginx_pid)

wait_port() { # up to 120 s: a sidecar's first start after a build also writes its CDS archive
  for _ in $(seq 1 1200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on port $1" >&2; return 1
}
wait_port $BACKEND_PORT

# --- the proxies -----------------------------------------------------------------------------
start_haproxy() {
  cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn $maxconn
  tune.ssl.cachesize 0
  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
defaults
  mode tcp
  maxconn $maxconn
  timeout connect 5s
  timeout client 600s
  timeout server 600s
frontend fe
  bind 127.0.0.1:${PORT[haproxy]} ssl crt $work/server/haproxy.pem ca-file $CA verify required no-tls-tickets
  default_backend be
backend be
  server s1 127.0.0.1:$BACKEND_PORT
CONF
  taskset -c 1 haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  echo $!
}
start_stunnel() {
  cat > "$work/stunnel.conf" <<CONF
foreground = yes
pid =
[tls]
accept = 127.0.0.1:${PORT[stunnel]}
connect = 127.0.0.1:$BACKEND_PORT
cert = $work/server/svid.pem
key = $work/server/svid_key.pem
CAfile = $CA
verifyChain = yes
requireCert = yes
options = NO_TICKET
sessionCacheSize = 1
CONF
  taskset -c 1 stunnel4 "$work/stunnel.conf" >"$work/stunnel.log" 2>&1 &
  echo $!
}
start_direct() { echo "$nginx_pid"; }
start_trustmesh() {
  # Through the launcher: the JVM flags and CDS archive a user gets (TRUSTMESH_JAVA_OPTS adds to them).
  TRUSTMESH_NO_BUILD=1 taskset -c 1 "$root/trustmesh" proxy inbound \
    --listen 127.0.0.1:${PORT[trustmesh]} --target 127.0.0.1:$BACKEND_PORT --svid-dir "$work/server" \
    --allow-trust-domain bench.trustmesh --max-connections "$maxconn" >"$work/trustmesh.log" 2>&1 &
  echo $!
}

start_before() {
  [ -n "${BEFORE_ROOT:-}" ] || { echo "bench: \"before\" needs BEFORE_ROOT (a checkout with a built jar)" >&2; exit 2; }
  TRUSTMESH_NO_BUILD=1 taskset -c 1 "$BEFORE_ROOT/trustmesh" proxy inbound \
    --listen 127.0.0.1:${PORT[before]} --target 127.0.0.1:$BACKEND_PORT --svid-dir "$work/server" \
    --allow-trust-domain bench.trustmesh --max-connections "$maxconn" >"$work/before.log" 2>&1 &
  echo $!
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
field() { local v; v=$(sed -n "s/.* $1=\([0-9.]*\).*/\1/p"); echo "${v:-0}"; }
hz=$(getconf CLK_TCK)
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# run LOAD-ARGS...: prints "ok rate p50 p99 cpu_seconds"
run_load() {
  local pid=$1; shift
  local c0 c1 out
  c0=$(cpu_ticks "$pid")
  out=$(taskset -c 0 "$work/mtlsload" "$@")
  c1=$(cpu_ticks "$pid")
  echo "$(echo "$out" | field ok) $(echo "$out" | field rate) $(echo "$out" | field p50) $(echo "$out" | field p99) $(echo "$out" | field MBps) $(echo "$out" | field err) $(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN {print (b - a) / hz}')"
}

declare -A R
for proxy in $PROXIES; do
  port=${PORT[$proxy]}
  pid=$(start_"$proxy")
  [ "$proxy" = direct ] || pids+=("$pid")
  wait_port "$port"
  log "$proxy (pid $pid) on port $port"
  if [ "$proxy" = direct ]; then CLIENT_ARGS=(-s 0); else CLIENT_ARGS=("${CLIENT[@]}"); fi
  # The same warm-up for every proxy (the JVM's JIT needs it; the others get it for fairness).
  log "warming up: 2 x ${DURATION}s and 5 bulk downloads"
  taskset -c 0 "$work/mtlsload" -m hs -c 16 -d "$DURATION" -p "$port" "${CLIENT_ARGS[@]}" >/dev/null
  taskset -c 0 "$work/mtlsload" -m ka -c 50 -d "$DURATION" -p "$port" "${CLIENT_ARGS[@]}" >/dev/null
  for _ in 1 2 3 4 5; do
    taskset -c 0 "$work/mtlsload" -m bulk -c 1 -u /100m.bin -p "$port" "${CLIENT_ARGS[@]}" >/dev/null
  done
  for i in $(seq 1 "$REPEAT"); do
    R[$proxy,load,$i]=$(cut -d' ' -f1 /proc/loadavg)
    read -r ok rate _ _ _ err cpu < <(run_load "$pid" -m hs -c 16 -d "$DURATION" -p "$port" "${CLIENT_ARGS[@]}")
    R[$proxy,hs_rate,$i]=$rate; R[$proxy,hs_cpu,$i]=$(awk -v c="$cpu" -v n="$ok" 'BEGIN {printf "%.3f", n ? c * 1000 / n : 0}')
    log "$proxy hs: $ok ok, $err errors, $rate/s, proxy CPU ${cpu}s"
    read -r ok rate _ _ _ err cpu < <(run_load "$pid" -m ka -c 50 -d "$DURATION" -p "$port" "${CLIENT_ARGS[@]}")
    R[$proxy,ka_rate,$i]=$rate; R[$proxy,ka_cpu,$i]=$(awk -v c="$cpu" -v n="$ok" 'BEGIN {printf "%.1f", n ? c * 1e6 / n : 0}')
    log "$proxy ka50: $ok ok, $err errors, $rate/s, proxy CPU ${cpu}s"
    read -r ok rate p50 p99 _ err cpu < <(run_load "$pid" -m ka -c 1 -d "$DURATION" -p "$port" "${CLIENT_ARGS[@]}")
    R[$proxy,p50,$i]=$p50; R[$proxy,p99,$i]=$p99
    log "$proxy ka1: p50 ${p50}ms p99 ${p99}ms"
    read -r ok _ _ _ mbps err cpu < <(run_load "$pid" -m bulk -c 1 -u /100m.bin -p "$port" "${CLIENT_ARGS[@]}")
    R[$proxy,mbps,$i]=$mbps
    log "$proxy bulk: ${mbps} MB/s (ok $ok, err $err)"
  done
  if [ "$proxy" = direct ]; then continue; fi
  base=$(rss_kb "$pid")
  coproc HOLD { taskset -c 0 python3 "$root/bench/idle_conns.py" "$port" "$IDLE_CONNS" \
    "$work/client/svid.pem" "$work/client/svid_key.pem" "$CA"; }
  hold_pid=$HOLD_PID
  read -r ready_line <&"${HOLD[0]}"
  sleep 2
  R[$proxy,rss_kb]=$(rss_kb "$pid")
  R[$proxy,rss_base_kb]=$base
  R[$proxy,rss]=$(( R[$proxy,rss_kb] / 1024 ))
  R[$proxy,rss_base]=$(( base / 1024 ))
  R[$proxy,idle]="$ready_line"
  log "$proxy idle: $ready_line, RSS ${R[$proxy,rss]} MB (before: ${R[$proxy,rss_base]} MB)"
  exec {HOLD[1]}>&-
  wait "$hold_pid" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done

med() { local p=$1 k=$2; for i in $(seq 1 "$REPEAT"); do echo "${R[$p,$k,$i]}"; done | median; }
echo
echo "Medians of $REPEAT run(s) of ${DURATION}s per load; $(nproc) CPUs; $(date -u '+%F %H:%M UTC')."
echo "\"direct\" is nginx without TLS (no proxy, so no proxy CPU or RSS)."
echo
echo "| load | $(for p in $PROXIES; do printf '%s | ' "$p"; done)"
echo "|---|$(for p in $PROXIES; do printf -- '---|'; done)"
row() {
  local title=$1 key=$2 unit=$3
  printf '| %s | ' "$title"
  for p in $PROXIES; do
    if [ "$p" = direct ] && [[ $key == *_cpu ]]; then printf -- '— | '; else printf '%s%s | ' "$(med "$p" "$key")" "$unit"; fi
  done
  echo
}
row "new mTLS connection + 1 request, 16 clients: connections/s" hs_rate ""
row "proxy CPU per new mTLS connection" hs_cpu " ms"
row "keep-alive, 50 connections: requests/s" ka_rate ""
row "proxy CPU per keep-alive request" ka_cpu " us"
row "keep-alive, 1 connection: p50" p50 " ms"
row "keep-alive, 1 connection: p99" p99 " ms"
row "100 MB download" mbps " MB/s"
printf '| RSS with idle mTLS connections | '
for p in $PROXIES; do
  if [ "$p" = direct ]; then printf -- '— | '; continue; fi
  printf '%s MB (%s MB idle; %s) | ' "${R[$p,rss]}" "${R[$p,rss_base]}" "${R[$p,idle]}"
done
echo
printf '| RSS per idle mTLS connection | '
for p in $PROXIES; do
  if [ "$p" = direct ]; then printf -- '— | '; continue; fi
  n=$(sed -n 's/ready \([0-9]*\).*/\1/p' <<<"${R[$p,idle]}")
  awk -v a="${R[$p,rss_kb]}" -v b="${R[$p,rss_base_kb]}" -v n="${n:-0}" 'BEGIN {printf "%.1f KiB | ", n ? (a - b) / n : 0}'
done
echo
printf '| 1-minute load average before each run | '
for p in $PROXIES; do printf '%s | ' "$(for i in $(seq 1 "$REPEAT"); do printf '%s ' "${R[$p,load,$i]}"; done)"; done
echo
if [[ " $PROXIES " == *" haproxy "* && " $PROXIES " == *" trustmesh "* ]]; then
  echo
  echo "| trustmesh / reference | ratio | target (issue 14) |"
  echo "|---|---|---|"
  ratio_of() { awk -v a="$(med "$1" "$2")" -v b="$(med "${3:-haproxy}" "$2")" 'BEGIN {printf "%.2fx", b ? a / b : 0}'; }
  ratio() { ratio_of trustmesh "$@"; }
  echo "| CPU per new mTLS connection / HAProxy | $(ratio hs_cpu) | <= 0.5x |"
  echo "| CPU per keep-alive request / HAProxy | $(ratio ka_cpu) | <= 0.6x |"
  if [[ " $PROXIES " == *" direct "* ]]; then
    echo "| bulk MB/s / direct (nginx without TLS) | $(ratio mbps direct) | >= 0.7x |"
  fi
  echo "| bulk MB/s / HAProxy | $(ratio mbps) | |"
  echo "| p99 latency, 1 keep-alive connection / HAProxy | $(ratio p99) | |"
  echo "| connections/s / HAProxy | $(ratio hs_rate) | |"
  echo "| RSS with idle connections / HAProxy | $(awk -v a="${R[trustmesh,rss]}" -v b="${R[haproxy,rss]}" 'BEGIN {printf "%.2fx", b ? a / b : 0}') | |"
  if [[ " $PROXIES " == *" before "* ]]; then
    echo "| \"before\": CPU per new mTLS connection / HAProxy | $(ratio_of before hs_cpu) | |"
    echo "| \"before\": CPU per keep-alive request / HAProxy | $(ratio_of before ka_cpu) | |"
    [[ " $PROXIES " == *" direct "* ]] && echo "| \"before\": bulk MB/s / direct | $(ratio_of before mbps direct) | |"
  fi
fi
