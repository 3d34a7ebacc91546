#!/usr/bin/env bash
# Stops the local PostgreSQL started by postgres-up.sh. Idempotent: does nothing if it is not running.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "postgres-down: postgresql is not installed" >&2
    exit 0
fi
version="$(ls /etc/postgresql | sort -V | tail -n 1)"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "postgres-down: not running" >&2
    exit 0
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main stop
echo "postgres-down: stopped $version/main" >&2
