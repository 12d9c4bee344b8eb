/**
 * kern.securelevel, BSD's knob (FACTS §D): -1 permanently insecure, 0 insecure, 1 secure,
 * 2 highly secure. lab.json sets where it starts; at run time it may only be raised, as the
 * 4.4BSD sysctl handler has it. BSD lets init (pid 1) lower it; kmemlab runs no init, so nobody
 * can. Linux has no such setting; kmemlab adds it so the NetBSD /dev/mem policies have the
 * securelevel they judge by. Root reads and writes it as /proc/sys/kern/securelevel (0644).
 */
import { EINVAL, EPERM } from '../errno';
import type { Kernel } from '../kernel';
import type { ProcEntries } from './procentries';

export const SECURELEVEL_PATH = '/proc/sys/kern/securelevel';

/** Sets a new securelevel if it does not lower the current one: 0 or -EPERM. */
export function raiseSecurelevel(k: Kernel, level: number): number {
  if (level < k.securelevel) return -EPERM;
  if (level !== k.securelevel) k.printk(`\x015kmemlab: kern.securelevel: ${k.securelevel} -> ${level}\n`);
  k.securelevel = level;
  return 0;
}

/** The integer a sysctl write carries: optional blanks, a sign, decimal digits, a newline. */
function parseSysctlInt(text: string): number | undefined {
  const m = /^\s*([-+]?\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]);
  return Number.isSafeInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? v : undefined;
}

export function registerSecurelevelSysctl(k: Kernel, proc: ProcEntries): void {
  proc.register({
    path: SECURELEVEL_PATH,
    mode: 0o644,
    show: () => `${k.securelevel}\n`,
    store: (_writer, text) => {
      const level = parseSysctlInt(text);
      return level === undefined ? -EINVAL : raiseSecurelevel(k, level);
    },
  });
}
