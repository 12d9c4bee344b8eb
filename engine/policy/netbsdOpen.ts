/**
 * Opening /dev/mem for writing on NetBSD. At securelevel >= 1 spec_open
 * refuses it (NetBSD 4 asks kauth KAUTH_DEVICE_RAWIO_SPEC, whose bsd44
 * listener allows writes to mem/kmem only below securelevel 1), and a shared
 * writable mapping needs a descriptor open for writing. The verdicts stay
 * mmmmap's own (that is what the 2006 post compares); the reason says when
 * open(2) would already have stopped a writable request.
 */
import { DevMemRequest, MachineDescription, Verdict } from './types';

export function netbsdAllowsWritableOpen(securelevel: number): boolean {
  return securelevel < 1;
}

export function noteWritableOpen(v: Verdict, req: DevMemRequest, m: MachineDescription): Verdict {
  if (!req.prot.write || netbsdAllowsWritableOpen(m.securelevel)) return v;
  const note = ` (mmmmap's answer; at securelevel ${m.securelevel} >= 1 open(2) of /dev/mem for writing already fails with EPERM, so a shared writable mapping cannot be asked for)`;
  return { ...v, reason: v.reason + note };
}
