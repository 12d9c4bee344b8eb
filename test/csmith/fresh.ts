/**
 * Runs N csmith seeds through gcc and kmemlab and prints every mismatch (scripts/csmith.sh).
 *
 *   node out/test/csmith/fresh.js N [--from SEED] [--max-steps N] [-- csmith options...]
 *
 * Without --from, the seeds start at a random point, so every run explores new programs; each
 * mismatch line names its seed, which reproduces it (`csmith --seed S` with the same options).
 */
import { CSMITH_OPTIONS, checkSeed, cleanup, haveTools } from './harness';

function main(argv: string[]): number {
  const dash = argv.indexOf('--');
  const options = dash >= 0 ? argv.slice(dash + 1) : [...CSMITH_OPTIONS];
  const args = dash >= 0 ? argv.slice(0, dash) : argv;
  const count = Number(args[0] ?? 20);
  let from = 1 + Math.floor(Math.random() * 2_000_000_000);
  let maxSteps = 2e8;
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--from') from = Number(args[++i]);
    else if (args[i] === '--max-steps') maxSteps = Number(args[++i]);
  }
  if (!Number.isInteger(count) || count <= 0) {
    console.error('usage: csmith.sh N [--from SEED] [--max-steps N] [-- csmith options]');
    return 2;
  }
  if (!haveTools()) {
    console.error('csmith, its headers (libcsmith-dev) and gcc are needed');
    return 2;
  }
  console.log(`csmith ${options.join(' ')}: seeds ${from}..${from + count - 1}`);
  let match = 0;
  let slow = 0;
  const mismatches: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let seed = from; seed < from + count; seed++) {
    const t = process.hrtime.bigint();
    const v = checkSeed(seed, maxSteps, options);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (v.status === 'match') {
      match++;
      console.log(`  ${seed}: match (${v.steps} ops, ${ms.toFixed(0)} ms)`);
    } else if (v.status === 'slow') {
      slow++;
      console.log(`  ${seed}: skipped, ${v.detail}`);
    } else {
      mismatches.push(seed);
      console.log(`  ${seed}: MISMATCH${v.problem ? ` (${v.problem})` : ''}\n    gcc:     ${JSON.stringify(v.expected)}\n    kmemlab: ${JSON.stringify(v.got)}`);
    }
  }
  cleanup();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${match} match, ${mismatches.length} mismatch, ${slow} skipped (too slow) in ${s.toFixed(1)} s`);
  if (mismatches.length) console.log(`mismatching seeds: ${mismatches.join(' ')}`);
  return mismatches.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
