#!/usr/bin/env bash
# Stops the three-node loopback cluster started by cluster/up.sh (`make cluster-down`): SIGTERM to each node in
# turn (node3, node2, node1), so that each leaves gracefully (coordinated shutdown hands its shards to the nodes
# still up) before the next one goes; SIGKILL only for a node still running after STOP_TIMEOUT_S (default 60).
# PostgreSQL keeps running (cluster/postgres-down.sh stops it). Idempotent.
set -euo pipefail

repo_root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$repo_root"

RUN_DIR=data/cluster
STOP_TIMEOUT_S=${STOP_TIMEOUT_S:-60}

log() { echo "cluster-down: $*" >&2; }

stop_node() {
    local n=$1 pid_file="$RUN_DIR/node$1.pid" pid deadline
    if [ ! -f "$pid_file" ]; then
        return
    fi
    pid="$(cat "$pid_file")"
    if ! kill -0 "$pid" 2>/dev/null; then
        log "node$n not running"
        rm -f "$pid_file"
        return
    fi
    log "node$n (pid $pid): SIGTERM, leaving the cluster"
    kill -TERM "$pid"
    deadline=$((SECONDS + STOP_TIMEOUT_S))
    while kill -0 "$pid" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            log "node$n still running after ${STOP_TIMEOUT_S}s: SIGKILL (see $RUN_DIR/node$n.log)"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    rm -f "$pid_file"
    log "node$n stopped"
}

for n in 3 2 1; do
    stop_node "$n"
done
