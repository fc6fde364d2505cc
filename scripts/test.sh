#!/usr/bin/env bash
# `npm test`: the whole suite. Installs what is missing (Debian packages, npm
# modules), type-checks src/ and test/, then runs the Node and workerd projects.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh test
[ -x node_modules/.bin/vitest ] || npm ci --no-audit --no-fund

echo "test: type-checking"
npx tsc -p tsconfig.json --noEmit

report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?

# One plain closing line, whatever vitest printed above.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$report" || true
exit $status
