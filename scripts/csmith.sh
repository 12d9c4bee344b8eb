#!/usr/bin/env bash
# Differential test against gcc on fresh csmith programs: scripts/csmith.sh N [--from SEED] [-- csmith options]
# Prints every seed whose checksum differs between gcc -O0 and kmemlab; exits 1 if any did.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null
exec node out/test/csmith/fresh.js "$@"
