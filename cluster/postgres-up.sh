#!/usr/bin/env bash
# Idempotent: installs (Debian apt), starts and provisions the local PostgreSQL used by tests and nodes.
# Role riskgrid/riskgrid (LOGIN, CREATEDB) owning databases riskgrid and riskgrid_test, reachable over
# TCP on 127.0.0.1:5432 with password (scram) auth. Run as root (CI and developer machines are root).
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PG_ROLE=riskgrid
PG_PASSWORD=riskgrid
PG_DATABASES=(riskgrid riskgrid_test)

log() { echo "postgres-up: $*" >&2; }

as_postgres() {
    if command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

psql_admin() {
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"
}

pg_version() {
    ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1
}

ensure_installed() {
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(pg_version)" ]; then
        return
    fi
    log "installing postgresql (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
}

ensure_running() {
    if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
        return
    fi
    local version
    version="$(pg_version)"
    if [ ! -d "/etc/postgresql/$version/main" ]; then
        log "creating cluster $version/main"
        pg_createcluster "$version" main >/dev/null
    fi
    log "starting cluster $version/main"
    # 'start' on a cluster that is already up (e.g. not yet accepting TCP) exits 2: tolerate it and wait.
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    local i
    for i in $(seq 1 60); do
        if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
            return
        fi
        sleep 0.5
    done
    log "PostgreSQL did not become ready on $PG_HOST:$PG_PORT within 30 s"
    tail -n 30 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
    exit 1
}

ensure_role_and_databases() {
    local has_role
    has_role="$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")"
    if [ "$has_role" != "1" ]; then
        log "creating role $PG_ROLE"
        psql_admin -c "CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
    else
        # Keep the password and rights as documented even if someone changed them.
        psql_admin -c "ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
    fi
    local db has_db
    for db in "${PG_DATABASES[@]}"; do
        has_db="$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")"
        if [ "$has_db" != "1" ]; then
            log "creating database $db"
            psql_admin -c "CREATE DATABASE $db OWNER $PG_ROLE"
        fi
    done
}

verify_tcp_password_login() {
    local db
    for db in "${PG_DATABASES[@]}"; do
        if ! PGPASSWORD="$PG_PASSWORD" psql -X -q -w -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ROLE" -d "$db" \
            -tAc "SELECT 1" >/dev/null; then
            log "password login over TCP failed for $PG_ROLE@$PG_HOST:$PG_PORT/$db (check pg_hba.conf host lines)"
            exit 1
        fi
    done
}

ensure_installed
ensure_running
ensure_role_and_databases
verify_tcp_password_login
log "ready: Host=$PG_HOST;Port=$PG_PORT;Username=$PG_ROLE;Database=${PG_DATABASES[*]}"
