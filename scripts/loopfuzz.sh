#!/usr/bin/env bash
# Differential test of fused loops on fresh generated loop programs: scripts/loopfuzz.sh N [--from SEED]
# Each program runs under gcc -O0, kmemlab (fused) and kmemlab (plain ops); prints every seed
# that disagrees (test/loops/gen.ts makes the program of a seed) and exits 1 if any did.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null
exec node out/test/loops/fresh.js "$@"
