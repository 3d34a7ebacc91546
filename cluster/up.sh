#!/usr/bin/env bash
# Starts the three-node loopback cluster (`make cluster-up`): PostgreSQL first (cluster/postgres-up.sh installs
# and starts it when it is not running), then `bin/riskgrid node --config config/cluster/nodeN.conf` for N = 1..3
# in the background, and waits until every node answers /health/ready and sees three Up members.
#
#   node   akka              venue API               data, log, pid
#   node1  127.0.0.1:4061    http://127.0.0.1:8081   data/cluster/node1, data/cluster/node1.log, .pid
#   node2  127.0.0.1:4062    http://127.0.0.1:8082   ...
#   node3  127.0.0.1:4063    http://127.0.0.1:8083   ...
#
# Seed nodes: node1 and node2. The nodes share the journal in PostgreSQL (database riskgrid, schema riskgrid) and
# one pair of API tokens: RISKGRID_API_TOKEN / RISKGRID_ADMIN_TOKEN from the environment, else data/cluster/tokens
# (generated at the first start, owner-only). Idempotent: a node already running is left alone.
# Stop with cluster/down.sh (`make cluster-down`).
set -euo pipefail

repo_root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$repo_root"

RUN_DIR=data/cluster
NODES=(1 2 3)
READY_TIMEOUT_S=${READY_TIMEOUT_S:-90}

log() { echo "cluster-up: $*" >&2; }

http_port() { echo $((8080 + $1)); }

is_running() {
    local pid_file="$RUN_DIR/node$1.pid"
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

ensure_tokens() {
    if [ -n "${RISKGRID_API_TOKEN:-}" ] && [ -n "${RISKGRID_ADMIN_TOKEN:-}" ]; then
        return
    fi
    local file="$RUN_DIR/tokens"
    if [ ! -f "$file" ]; then
        log "generating API tokens in $file"
        (
            umask 077
            printf 'RISKGRID_API_TOKEN=%s\nRISKGRID_ADMIN_TOKEN=%s\n' \
                "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" \
                "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > "$file"
        )
    fi
    set -a
    # shellcheck source=/dev/null
    . "$file"
    set +a
}

start_node() {
    local n=$1
    if is_running "$n"; then
        log "node$n already running (pid $(cat "$RUN_DIR/node$n.pid"))"
        return
    fi
    log "starting node$n (log $RUN_DIR/node$n.log)"
    nohup bin/riskgrid node --config "config/cluster/node$n.conf" >"$RUN_DIR/node$n.log" 2>&1 &
    echo $! >"$RUN_DIR/node$n.pid"
}

wait_ready() {
    local n=$1 port deadline
    port="$(http_port "$n")"
    deadline=$((SECONDS + READY_TIMEOUT_S))
    until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
        if ! is_running "$n"; then
            log "node$n exited; the end of its log:"
            tail -n 30 "$RUN_DIR/node$n.log" >&2
            exit 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            log "node$n not ready after ${READY_TIMEOUT_S}s: $(curl -s "http://127.0.0.1:$port/health/ready" || true)"
            tail -n 30 "$RUN_DIR/node$n.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    log "node$n ready on http://127.0.0.1:$port"
}

wait_three_up() {
    local deadline=$((SECONDS + READY_TIMEOUT_S)) up
    while true; do
        up="$(curl -sf -H "Authorization: Bearer $RISKGRID_ADMIN_TOKEN" \
            "http://127.0.0.1:$(http_port 1)/v1/admin/cluster" | grep -o '"status":"Up"' | wc -l || true)"
        if [ "$up" -eq ${#NODES[@]} ]; then
            log "cluster formed: ${#NODES[@]} members Up"
            return
        fi
        if [ $SECONDS -ge $deadline ]; then
            log "only $up of ${#NODES[@]} members Up after ${READY_TIMEOUT_S}s"
            exit 1
        fi
        sleep 0.5
    done
}

if [ ! -x build/riskgrid/riskgrid ]; then
    log "build/riskgrid/riskgrid is missing: run 'make build' first"
    exit 2
fi
mkdir -p "$RUN_DIR"
bash cluster/postgres-up.sh
ensure_tokens
for n in "${NODES[@]}"; do
    start_node "$n"
done
for n in "${NODES[@]}"; do
    wait_ready "$n"
done
wait_three_up
log "API tokens: the environment, else $RUN_DIR/tokens; stop with make cluster-down"
