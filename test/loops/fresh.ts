/**
 * Runs N generated loop programs (gen.ts), each as a user program and as a driver, through gcc
 * and kmemlab, fused and plain, and on i386 (fused against plain), and prints every seed that
 * disagrees (scripts/loopfuzz.sh).
 *
 *   node out/test/loops/fresh.js N [--from SEED]
 */
import { cleanup } from '../csmith/harness';
import { checkLoopSeed } from './check';

function main(argv: string[]): number {
  const count = Number(argv[0] ?? 100);
  let from = 1 + Math.floor(Math.random() * 2_000_000_000);
  if (argv[1] === '--from') from = Number(argv[2]);
  if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(from)) {
    console.error('usage: loopfuzz.sh N [--from SEED]');
    return 2;
  }
  console.log(`loop programs: seeds ${from}..${from + count - 1}`);
  const bad: number[] = [];
  for (let seed = from; seed < from + count; seed++) {
    for (const [kernel, arch] of [[false, 'x86_64'], [true, 'x86_64'], [seed % 2 === 0, 'i386']] as const) {
      const v = checkLoopSeed(seed, true, kernel, arch);
      if (!v.ok) {
        bad.push(seed);
        console.log(`  ${seed}${kernel ? ' (driver)' : ''}${arch !== 'x86_64' ? ` (${arch})` : ''}: MISMATCH ${v.why}`);
      }
    }
  }
  cleanup();
  console.log(`${count} seeds, ${bad.length} disagreeing${bad.length ? `: ${bad.join(' ')}` : ''}`);
  return bad.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
