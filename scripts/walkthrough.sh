#!/usr/bin/env bash
# Runs the README's walk-through: every ```sh block of its "## Walk-through" section, top to
# bottom, in one bash with -euo pipefail, so a step that fails stops the run.
#   scripts/walkthrough.sh http://localhost:8787   against a server you started (npm run dev)
#   scripts/walkthrough.sh                         starts `npm run dev` on WALKTHROUGH_PORT (8790),
#                                                  checks its banner and /health, then stops it
set -euo pipefail
cd "$(dirname "$0")/.."

script=$(mktemp)
trap 'rm -f "$script"' EXIT
awk '
  /^## / { inside = ($0 ~ /^## Walk-through/) }
  inside && /^```sh$/ { code = 1; next }
  inside && /^```$/ { code = 0; next }
  inside && code { print }
' README.md > "$script"
[[ -s "$script" ]] || { echo "walkthrough: no sh blocks under '## Walk-through' in README.md" >&2; exit 1; }

run_blocks() {
  echo "walkthrough: $(grep -c . "$script") lines of README against $1"
  B="$1" bash -euo pipefail -v "$script"
  echo "walkthrough: every step passed"
}

if [[ $# -ge 1 ]]; then
  run_blocks "$1"
  exit 0
fi

port=${WALKTHROUGH_PORT:-8790}
log=$(mktemp)
npm run dev -- --port "$port" --inspector-port "$((port + 1000))" > "$log" 2>&1 &
dev=$!
stop() { kill -- "$dev" 2>/dev/null || true; pkill -f "wrangler.*--port $port" 2>/dev/null || true; rm -f "$log" "$script"; }
trap stop EXIT
base="http://localhost:$port"
for _ in $(seq 240); do
  curl -fsS "$base/health" > /dev/null 2>&1 && break
  kill -0 "$dev" 2>/dev/null || { cat "$log"; echo "walkthrough: npm run dev exited" >&2; exit 1; }
  sleep 1
done
curl -fsS "$base/health" || { cat "$log"; echo "walkthrough: /health never answered 200" >&2; exit 1; }
echo
# The banner a newcomer reads: the URL, the reference, the console and the admin's login.
for want in "ready on $base" "$base/docs" "$base/console" "$base/health" "Super admin     admin@localhost"; do
  grep -qF "$want" "$log" || { cat "$log"; echo "walkthrough: the dev banner lacks '$want'" >&2; exit 1; }
done
lines=$(wc -l < "$log")
echo "walkthrough: npm run dev printed $lines lines up to the banner"
run_blocks "$base"
