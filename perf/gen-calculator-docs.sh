#!/usr/bin/env bash
# Writes COUNT calculator documents (MARGIN.md §11) as JSON Lines, cycling config/examples/*.json, for timing
# `riskgrid margin -`:
#   perf/gen-calculator-docs.sh 100000 /tmp/docs.jsonl
#   time bin/riskgrid margin - < /tmp/docs.jsonl > /dev/null
set -euo pipefail
count=${1:-100000}
out=${2:-/tmp/docs.jsonl}
root=$(cd "$(dirname "$0")/.." && pwd)
for f in "$root"/config/examples/*.json; do
    [[ $f == *.expected.json ]] && continue
    tr -d '\n' < "$f"
    echo
done | awk -v count="$count" '{ line[n++] = $0 } END { for (i = 0; i < count; i++) print line[i % n] }' > "$out"
echo "wrote $count documents to $out" >&2
